// Shuffling and dealing: whole deck, 17/17/17/3, reproducible with a seed, unbiased enough.
#include <gtest/gtest.h>

#include <array>
#include <set>

#include "rules/deck.hpp"

namespace gh_card {
namespace {

TEST(Deal, SeventeenEachAndThreeHoleCardsFromTheWholeDeck) {
  SystemShuffler shuffler;
  for (int round = 0; round < 100; ++round) {
    const Deal deal = deal_cards(shuffler);
    EXPECT_TRUE(is_valid_deal(deal));
    CardSet all = deal.hole;
    for (CardSet hand : deal.hands) {
      EXPECT_EQ(hand.size(), 17);
      EXPECT_TRUE((all & hand).empty());
      all = all | hand;
    }
    EXPECT_EQ(deal.hole.size(), 3);
    EXPECT_EQ(all, CardSet::full_deck());
  }
}

TEST(Deal, SameSeedSameDealOtherSeedsDiffer) {
  SeededShuffler a(42), b(42);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(deal_cards(a), deal_cards(b));
  std::set<std::uint64_t> first_hands;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    SeededShuffler shuffler(seed);
    first_hands.insert(deal_cards(shuffler).hands[0].bits());
  }
  EXPECT_EQ(first_hands.size(), 200u);
  SeededShuffler::Seed seed{};
  seed[31] = 1;  // every byte of the seed counts
  SeededShuffler c(seed), d(std::uint64_t{0});
  EXPECT_NE(deal_cards(c), deal_cards(d));
}

TEST(Deal, InvalidDealsAreRecognised) {
  SeededShuffler shuffler(1);
  Deal deal = deal_cards(shuffler);
  Deal swapped = deal;
  std::swap(swapped.hands[0], swapped.hole);
  EXPECT_FALSE(is_valid_deal(swapped));
  Deal doubled = deal;
  doubled.hands[1] = doubled.hands[0];
  EXPECT_FALSE(is_valid_deal(doubled));
  EXPECT_FALSE(is_valid_deal(Deal{}));
}

// Each card lands in each of the 54 positions about equally often (chi-square, loose).
TEST(Shuffle, PositionsAreUniform) {
  SeededShuffler shuffler(2024);
  constexpr int kRounds = 20'000;
  std::array<std::array<int, 54>, 54> seen{};
  for (int round = 0; round < kRounds; ++round) {
    const auto deck = shuffled_deck(shuffler);
    for (int pos = 0; pos < 54; ++pos) ++seen[deck[pos].id()][pos];
  }
  const double expected = kRounds / 54.0;
  double chi = 0;
  for (const auto& row : seen) {
    for (int n : row) chi += (n - expected) * (n - expected) / expected;
  }
  // 53 x 53 = 2809 degrees of freedom: mean 2809, sd about 75.
  EXPECT_LT(chi, 2809 + 6 * 75);
}

TEST(Shuffler, UniformStaysInBounds) {
  SeededShuffler seeded(5);
  SystemShuffler system;
  for (std::uint32_t bound : {1u, 2u, 3u, 54u, 1000u, 0x80000001u}) {
    for (int i = 0; i < 1000; ++i) {
      EXPECT_LT(seeded.uniform(bound), bound);
      EXPECT_LT(system.uniform(bound), bound);
    }
  }
}

}  // namespace
}  // namespace gh_card
