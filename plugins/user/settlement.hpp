// Internal to the user plugin: how a zero-sum result is paid when a loser cannot pay all
// of it (the rule of user.proto's Settle). Pure arithmetic, no database.
#pragma once

#include <cstdint>
#include <vector>

namespace gh_user {

// amounts: > 0 won, < 0 lost, summing to zero; balances: what each has (same order).
// Each loser pays min(owed, balance) (a negative balance counts as zero); the winners share
// what was paid in proportion to what each won, rounded down, and the coins left by
// rounding (fewer than the winners) go one each to the winners with the largest remainders,
// the earlier entry first on a tie. The result sums to zero and no winner gets more than
// won. Amounts that do not sum to zero, or sizes that differ, give all zeros.
std::vector<std::int64_t> capped_settlement(const std::vector<std::int64_t>& amounts,
                                            const std::vector<std::int64_t>& balances);

}  // namespace gh_user
