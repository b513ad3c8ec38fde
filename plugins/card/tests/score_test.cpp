// Score, coin deltas and settlement against balances that may not cover the loss.
#include <gtest/gtest.h>

#include <numeric>
#include <random>

#include "rules/score.hpp"

namespace gh_card {
namespace {

std::int64_t sum(const Coins& coins) {
  return std::accumulate(coins.begin(), coins.end(), 0LL);
}

TEST(Score, BidTimesTwoPerBombAndRocketTimesTwoForSpring) {
  EXPECT_EQ(game_score(1, 0, 0, false), 1);
  EXPECT_EQ(game_score(3, 0, 0, false), 3);
  EXPECT_EQ(game_score(2, 1, 0, false), 4);
  EXPECT_EQ(game_score(2, 2, 1, false), 16);
  EXPECT_EQ(game_score(3, 4, 1, true), 192);
}

TEST(CoinDeltas, LandlordTwiceEachFarmerOnce) {
  EXPECT_EQ(coin_deltas(0, true, 5), (Coins{10, -5, -5}));
  EXPECT_EQ(coin_deltas(2, false, 5), (Coins{5, 5, -10}));
  EXPECT_EQ(coin_deltas(1, true, 5, 100), (Coins{-500, 1000, -500}));
}

TEST(Settle, FullPaymentWhenBalancesCover) {
  EXPECT_EQ(settle({10, -5, -5}, {0, 5, 100}), (Coins{10, -5, -5}));
}

TEST(Settle, APoorFarmerPaysWhatTheyHave) {
  // Landlord owed 10; farmer 1 has 2: the landlord gets 7.
  EXPECT_EQ(settle({10, -5, -5}, {0, 2, 100}), (Coins{7, -2, -5}));
  EXPECT_EQ(settle({10, -5, -5}, {0, 0, -3}), (Coins{0, 0, 0}));
}

TEST(Settle, APoorLandlordIsSharedAndTheOddCoinGoesToTheLowerSeat) {
  // Landlord (seat 1) owes 5 to each farmer, has 7: 3.5 each, the odd coin to seat 0.
  EXPECT_EQ(settle({5, -10, 5}, {0, 7, 0}), (Coins{4, -7, 3}));
  EXPECT_EQ(settle({5, -10, 5}, {0, 8, 0}), (Coins{4, -8, 4}));
}

TEST(Settle, DeltasThatDoNotSumToZeroSettleNothing) {
  EXPECT_EQ(settle({10, -5, -4}, {100, 100, 100}), (Coins{0, 0, 0}));
}

TEST(Settle, AlwaysZeroSumNeverMoreThanOwedNorThanABalance) {
  std::mt19937_64 rng(3);
  for (int round = 0; round < 100'000; ++round) {
    const auto landlord = static_cast<Seat>(rng() % 3);
    const Coins deltas =
        coin_deltas(landlord, rng() % 2, 1 + static_cast<std::int64_t>(rng() % 1000),
                    1 + static_cast<std::int64_t>(rng() % 50));
    Coins balances;
    for (auto& b : balances) b = static_cast<std::int64_t>(rng() % 60'000) - 1000;
    const Coins settled = settle(deltas, balances);
    ASSERT_EQ(sum(settled), 0);
    for (Seat s = 0; s < kSeats; ++s) {
      if (deltas[s] >= 0) {
        ASSERT_GE(settled[s], 0);
        ASSERT_LE(settled[s], deltas[s]);
      } else {
        ASSERT_LE(settled[s], 0);
        ASSERT_GE(settled[s], deltas[s]);
        ASSERT_LE(-settled[s], std::max<std::int64_t>(balances[s], 0));
        // A loser pays in full or everything they have.
        ASSERT_TRUE(settled[s] == deltas[s] ||
                    -settled[s] == std::max<std::int64_t>(balances[s], 0));
      }
    }
  }
}

}  // namespace
}  // namespace gh_card
