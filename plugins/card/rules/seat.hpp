// Internal to the card plugin: the three seats of a Dou Dizhu table.
#pragma once

#include <cstdint>

namespace gh_card {

// A seat at the table, 0..2; play and bidding go 0 -> 1 -> 2 -> 0.
using Seat = std::uint8_t;
inline constexpr Seat kSeats = 3;

constexpr Seat next_seat(Seat seat) {
  return static_cast<Seat>((seat + 1) % kSeats);
}

}  // namespace gh_card
