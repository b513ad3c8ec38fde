#include "settlement.hpp"

#include <algorithm>

namespace gh_user {

std::vector<std::int64_t> capped_settlement(const std::vector<std::int64_t>& amounts,
                                            const std::vector<std::int64_t>& balances) {
  const auto n = amounts.size();
  std::vector<std::int64_t> out(n, 0);
  if (balances.size() != n) return out;
  __int128 sum = 0;
  for (const auto a : amounts) sum += a;
  if (sum != 0) return out;
  __int128 paid = 0;
  __int128 owed = 0;  // to the winners, in full
  for (std::size_t i = 0; i < n; ++i) {
    if (amounts[i] < 0) {
      const __int128 debt = -static_cast<__int128>(amounts[i]);
      const __int128 pays = std::min<__int128>(debt, std::max<std::int64_t>(balances[i], 0));
      out[i] = -static_cast<std::int64_t>(pays);
      paid += pays;
    } else {
      owed += amounts[i];
    }
  }
  if (paid == owed) return amounts;
  // Shares: paid x won / owed, in 128 bits so large amounts cannot overflow.
  std::vector<__int128> remainder(n, -1);
  __int128 handed_out = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (amounts[i] <= 0) continue;
    const __int128 share = paid * amounts[i];
    out[i] = static_cast<std::int64_t>(share / owed);
    remainder[i] = share % owed;
    handed_out += out[i];
  }
  for (__int128 left = paid - handed_out; left > 0; --left) {
    std::size_t best = n;
    for (std::size_t i = 0; i < n; ++i) {
      if (remainder[i] >= 0 && (best == n || remainder[i] > remainder[best])) best = i;
    }
    ++out[best];
    remainder[best] = -1;  // one extra coin each at most
  }
  return out;
}

}  // namespace gh_user
