// Internal to the card plugin: a finished game's score and the coins it moves.
//
// score = bid x 2^(bombs + rockets) x (2 for a spring or an anti-spring).
// Coins (coin_deltas): the landlord wins or loses 2 x score x stake, each farmer loses or
// wins score x stake, so the deltas sum to zero.
// settle() caps them by what the losers have: a loser pays min(owed, balance); the winners
// share what was paid in proportion to what they were owed, each rounded down, and the
// coins left by rounding (fewer than the number of winners) go one each to the winners
// with the largest remainders, the lower seat first on a tie. So settled deltas sum to
// zero (no coin is created or lost) and no winner gets more than owed.
#pragma once

#include <array>
#include <cstdint>

#include "rules/seat.hpp"

namespace gh_card {

using Coins = std::array<std::int64_t, kSeats>;

std::int64_t game_score(int bid, int bombs, int rockets, bool spring_or_anti_spring);

Coins coin_deltas(Seat landlord, bool landlord_won, std::int64_t score, std::int64_t stake = 1);

// `deltas` as `balances` allow (see above). Deltas that do not sum to zero settle nothing
// (all zero); a negative balance counts as zero.
Coins settle(const Coins& deltas, const Coins& balances);

}  // namespace gh_card
