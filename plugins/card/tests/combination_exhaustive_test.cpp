// Every card set of up to six cards (by rank: up to 4 of a normal rank, 1 of each joker)
// classified and checked against an oracle written independently here, from the sorted
// ranks; and every pair of plays of up to four cards compared against an oracle.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <vector>

#include "rules/combination.hpp"
#include "test_support.hpp"

namespace gh_card {
namespace {

using T = ComboType;

constexpr int kSJ = index(Rank::kSmallJoker);
constexpr int kBJ = index(Rank::kBigJoker);
constexpr int kA = index(Rank::kA);

Combination make(T type, int main, int length, int cards) {
  return testing::combo(type, rank_at(main), length, cards);
}

// True when v (sorted) is v[0], v[0]+1, ... with `each` cards of every rank, up to A.
bool is_run(const std::vector<int>& v, int each) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] != v[0] + static_cast<int>(i) / each) return false;
  }
  return v.back() <= kA;
}

// The readings of the sorted ranks `v` (1 to 6 cards), straight from the rules' wording.
std::vector<Combination> oracle(const std::vector<int>& v) {
  const int n = static_cast<int>(v.size());
  const auto same = [&](int from, int to) {  // v[from..to] all one rank
    for (int i = from; i <= to; ++i) {
      if (v[i] != v[from]) return false;
    }
    return true;
  };
  std::vector<Combination> out;
  if (n == 1) out.push_back(make(T::kSingle, v[0], 1, 1));
  if (n == 2 && v[0] == v[1]) out.push_back(make(T::kPair, v[0], 1, 2));
  if (n == 2 && v[0] == kSJ && v[1] == kBJ) out.push_back(make(T::kRocket, kSJ, 1, 2));
  if (n == 3 && same(0, 2)) out.push_back(make(T::kTriple, v[0], 1, 3));
  if (n == 4 && same(0, 3)) out.push_back(make(T::kBomb, v[0], 1, 4));
  if (n == 4 && same(0, 2) && v[3] != v[0]) out.push_back(make(T::kTripleSingle, v[0], 1, 4));
  if (n == 4 && same(1, 3) && v[0] != v[1]) out.push_back(make(T::kTripleSingle, v[1], 1, 4));
  if (n == 5) {  // the pair is of a normal rank: a pair of jokers does not exist
    if (same(0, 2) && same(3, 4) && v[3] != v[0]) out.push_back(make(T::kTriplePair, v[0], 1, 5));
    if (same(0, 1) && same(2, 4) && v[0] != v[2]) out.push_back(make(T::kTriplePair, v[2], 1, 5));
  }
  if (n >= 5 && is_run(v, 1)) out.push_back(make(T::kStraight, v[0], n, n));
  if (n == 6 && is_run(v, 2)) out.push_back(make(T::kPairChain, v[0], 3, 6));
  if (n == 6 && is_run(v, 3)) out.push_back(make(T::kAirplane, v[0], 2, 6));
  if (n == 6) {
    for (int start = 0; start <= 2; ++start) {
      if (!same(start, start + 3)) continue;
      std::vector<int> rest;
      for (int i = 0; i < n; ++i) {
        if (i < start || i > start + 3) rest.push_back(v[i]);
      }
      if (!(rest[0] == kSJ && rest[1] == kBJ)) {
        out.push_back(make(T::kFourTwoSingles, v[start], 1, 6));
      }
    }
  }
  return out;
}

// Calls f(counts) for every card set of 1..max_cards cards.
void for_each_set(int max_cards, const std::function<void(const RankCounts&)>& f) {
  RankCounts counts{};
  std::function<void(int, int)> go = [&](int rank, int left) {
    if (rank == kRankCount) {
      if (left < max_cards) f(counts);
      return;
    }
    const int most = std::min(left, rank >= kSJ ? 1 : 4);
    for (int k = 0; k <= most; ++k) {
      counts[rank] = static_cast<std::uint8_t>(k);
      go(rank + 1, left - k);
    }
    counts[rank] = 0;
  };
  go(0, max_cards);
}

std::vector<int> sorted_ranks(const RankCounts& counts) {
  std::vector<int> v;
  for (int r = 0; r < kRankCount; ++r) v.insert(v.end(), counts[r], r);
  return v;
}

bool same_readings(std::vector<Combination> a, const Readings& b) {
  if (static_cast<int>(a.size()) != b.size()) return false;
  return std::all_of(a.begin(), a.end(), [&](const Combination& c) { return b.contains(c); });
}

TEST(ClassifyExhaustive, EverySetOfUpToSixCardsMatchesTheOracle) {
  int sets = 0, valid = 0;
  for_each_set(6, [&](const RankCounts& counts) {
    ++sets;
    const std::vector<int> v = sorted_ranks(counts);
    const std::vector<Combination> expected = oracle(v);
    const Classification got = classify(counts);
    valid += got.valid();
    std::string text;
    for (int r : v) text += std::string(to_string(rank_at(r))) + " ";
    EXPECT_TRUE(same_readings(expected, got.readings))
        << text << "-> " << testing::describe(got.readings);
    EXPECT_EQ(got.valid(), got.reason == InvalidReason::kNone) << text;
  });
  // The coefficients of x^1..x^6 in (1 + x + x^2 + x^3 + x^4)^13 (1 + x)^2:
  // 15 + 118 + 650 + 2821 + 10270 + 32565.
  EXPECT_EQ(sets, 46'439);
  EXPECT_GT(valid, 1000);
}

// Beats, from the rules' wording, for combinations of up to four cards.
bool oracle_beats(const Combination& a, const Combination& b) {
  if (b.type == T::kRocket) return false;
  if (a.type == T::kRocket) return true;
  if (a.type == T::kBomb && b.type == T::kBomb) return a.main > b.main;
  if (a.type == T::kBomb) return true;
  if (b.type == T::kBomb) return false;
  return a.type == b.type && a.card_count == b.card_count && a.main > b.main;
}

TEST(BeatsExhaustive, EveryPairOfPlaysOfUpToFourCardsMatchesTheOracle) {
  std::vector<Combination> plays;
  for_each_set(4, [&](const RankCounts& counts) {
    for (const Combination& c : oracle(sorted_ranks(counts))) plays.push_back(c);
  });
  // 15 singles, 13 pairs + the rocket, 13 triples, 13 bombs, 13 x 14 triples + one.
  ASSERT_EQ(plays.size(), 15u + 14 + 13 + 13 + 13 * 14);
  int same_length_pairs = 0;
  for (const Combination& a : plays) {
    for (const Combination& b : plays) {
      same_length_pairs += a.card_count == b.card_count;
      EXPECT_EQ(beats(a, b), oracle_beats(a, b)) << to_string(a) << " vs " << to_string(b);
      EXPECT_FALSE(beats(a, b) && beats(b, a)) << to_string(a) << " vs " << to_string(b);
    }
  }
  EXPECT_GT(same_length_pairs, 30'000);
}

}  // namespace
}  // namespace gh_card
