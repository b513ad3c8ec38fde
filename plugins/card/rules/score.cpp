#include "rules/score.hpp"

#include <algorithm>
#include <numeric>

namespace gh_card {

std::int64_t game_score(int bid, int bombs, int rockets, bool spring_or_anti_spring) {
  const std::int64_t doubled = std::int64_t{bid} << (bombs + rockets);
  return spring_or_anti_spring ? doubled * 2 : doubled;
}

Coins coin_deltas(Seat landlord, bool landlord_won, std::int64_t score, std::int64_t stake) {
  const std::int64_t farmer = (landlord_won ? -score : score) * stake;
  Coins deltas{};
  for (Seat seat = 0; seat < kSeats; ++seat) deltas[seat] = seat == landlord ? -2 * farmer : farmer;
  return deltas;
}

Coins settle(const Coins& deltas, const Coins& balances) {
  if (std::accumulate(deltas.begin(), deltas.end(), std::int64_t{0}) != 0) return Coins{};
  Coins settled{};
  std::int64_t paid = 0;
  std::int64_t owed = 0;  // to the winners, in full
  for (Seat seat = 0; seat < kSeats; ++seat) {
    if (deltas[seat] < 0) {
      const std::int64_t pays = std::min(-deltas[seat], std::max<std::int64_t>(balances[seat], 0));
      settled[seat] = -pays;
      paid += pays;
    } else {
      owed += deltas[seat];
    }
  }
  if (paid == owed) return deltas;
  // Shares: paid x claim / owed, in 128 bits so large stakes cannot overflow.
  std::array<__int128, kSeats> remainder{};
  std::int64_t handed_out = 0;
  for (Seat seat = 0; seat < kSeats; ++seat) {
    if (deltas[seat] <= 0) continue;
    const __int128 share = static_cast<__int128>(paid) * deltas[seat];
    settled[seat] = static_cast<std::int64_t>(share / owed);
    remainder[seat] = share % owed;
    handed_out += settled[seat];
  }
  for (std::int64_t left = paid - handed_out; left > 0; --left) {
    int best = -1;
    for (Seat seat = 0; seat < kSeats; ++seat) {
      if (deltas[seat] > 0 && remainder[seat] >= 0 &&
          (best < 0 || remainder[seat] > remainder[best])) {
        best = seat;
      }
    }
    ++settled[best];
    remainder[best] = -1;  // one extra coin each at most
  }
  return settled;
}

}  // namespace gh_card
