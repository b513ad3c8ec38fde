// legal_plays, smallest_beating and smallest_lead: specific hands, and properties over
// generated hands (every play classifies and beats; nothing is missing, checked against
// all sub-multisets of smaller hands; the smallest is the minimum of legal_plays).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <functional>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "rules/hand_search.hpp"
#include "test_support.hpp"

namespace gh_card {
namespace {

using testing::cards;
using testing::combo;
using T = ComboType;
using R = Rank;

Combination only(std::string_view text) {
  const Classification c = classify(cards(text));
  EXPECT_TRUE(c.valid()) << text;
  return c.valid() ? c.primary() : Combination{};
}

int below(std::mt19937& rng, int bound) {
  return static_cast<int>(rng() % bound);
}

CardSet random_hand(std::mt19937& rng, int size) {
  std::array<int, Card::kDeckSize> ids;
  for (int i = 0; i < Card::kDeckSize; ++i) ids[i] = i;
  std::shuffle(ids.begin(), ids.end(), rng);
  CardSet hand;
  for (int i = 0; i < size; ++i) hand.insert(Card(static_cast<std::uint8_t>(ids[i])));
  return hand;
}

// A random last play: a lead of another random hand, or nothing.
std::optional<Combination> random_last(std::mt19937& rng) {
  if (rng() % 5 == 0) return std::nullopt;
  const auto leads = legal_plays(random_hand(rng, 5 + below(rng, 16)), std::nullopt);
  return leads[rng() % leads.size()].combo;
}

// Sorted (cards, combo) keys, to compare plays as sets.
using Key = std::pair<std::uint64_t, std::array<int, 4>>;
Key key_of(const Play& play) {
  const Combination& c = play.combo;
  return {play.cards.bits(), {static_cast<int>(c.type), index(c.main), c.length, c.card_count}};
}

TEST(LegalPlays, LeadsOfASmallHand) {
  const auto leads = legal_plays(cards("3 3 4"), std::nullopt);
  std::set<Key> got;
  for (const Play& p : leads) got.insert(key_of(p));
  const std::set<Key> expected = {key_of({cards("3s"), only("3")}),
                                  key_of({cards("4s"), only("4")}),
                                  key_of({cards("3s 3h"), only("3 3")})};
  EXPECT_EQ(got, expected);
}

TEST(LegalPlays, FollowingOnlySameKindOrBombs) {
  const CardSet hand = cards("3 4 4 5 5 5 5 SJ BJ");
  std::set<Key> got;
  for (const Play& p : legal_plays(hand, only("4 4"))) got.insert(key_of(p));
  const std::set<Key> expected = {key_of({cards("5s 5h"), only("5 5")}),
                                  key_of({cards("5 5 5 5"), only("5 5 5 5")}),
                                  key_of({cards("SJ BJ"), only("SJ BJ")})};
  EXPECT_EQ(got, expected);
  EXPECT_TRUE(legal_plays(hand, only("SJ BJ")).empty());
  EXPECT_EQ(legal_plays(hand, only("6 6 6 6")).size(), 1u);  // the rocket
}

TEST(LegalPlays, ATwoReadingSetIsTwoPlays) {
  int four_two_pairs = 0;
  for (const Play& p : legal_plays(cards("4 4 4 4 5 5 5 5"), std::nullopt)) {
    four_two_pairs += p.combo.type == T::kFourTwoPairs;
  }
  EXPECT_EQ(four_two_pairs, 2);  // on 4 and on 5
}

TEST(SmallestBeating, CheapestWayToBeat) {
  const CardSet hand = cards("3 5 5 6 7 8 9 10 2 2 2 2 BJ");
  EXPECT_EQ(smallest_beating(hand, only("4"))->cards, cards("5s"));
  EXPECT_EQ(smallest_beating(hand, only("4 4"))->cards, cards("5s 5h"));
  EXPECT_EQ(smallest_beating(hand, only("3 4 5 6 7"))->cards, cards("5s 6 7 8 9"));
  EXPECT_EQ(smallest_beating(hand, only("5 6 7 8 9"))->cards, cards("6 7 8 9 10"));
  EXPECT_EQ(smallest_beating(hand, only("K K K"))->cards, cards("2 2 2"));
  EXPECT_EQ(smallest_beating(hand, only("K K K K"))->cards, cards("2 2 2 2"));
  EXPECT_EQ(smallest_beating(hand, only("4 4 4 5 5 5 Q K"))->combo.type, T::kBomb);
  EXPECT_FALSE(smallest_beating(hand, only("SJ BJ")));
  EXPECT_FALSE(smallest_beating(cards("3 4"), only("5")));
  // The wing with the lowest ranks.
  EXPECT_EQ(smallest_beating(cards("3 4 6 6 6 9"), only("5 5 5 K"))->cards, cards("6 6 6 3"));
}

TEST(SmallestLead, IsTheLowestSingle) {
  EXPECT_EQ(smallest_lead(cards("5h 3c 3d 2 BJ")).cards, cards("3d"));
  EXPECT_EQ(smallest_lead(cards("SJ BJ")).combo, combo(T::kSingle, R::kSmallJoker, 1, 1));
}

TEST(HandSearchProperty, PlaysAreHeldClassifiedBeatingAndDistinct) {
  std::mt19937 rng(20240611);
  for (int round = 0; round < 2000; ++round) {
    const CardSet hand = random_hand(rng, 1 + below(rng, 20));
    const auto last = random_last(rng);
    const auto plays = legal_plays(hand, last);
    std::set<Key> seen;
    for (const Play& p : plays) {
      ASSERT_TRUE(hand.contains_all(p.cards));
      ASSERT_EQ(p.cards.size(), p.combo.card_count);
      ASSERT_TRUE(classify(p.cards).readings.contains(p.combo))
          << to_string(p.cards) << " as " << to_string(p.combo);
      if (last) {
        ASSERT_TRUE(beats(p.combo, *last));
      }
      ASSERT_TRUE(seen.insert(key_of(p)).second) << "twice: " << to_string(p.cards);
    }
    // The smallest is the minimum of all, by play_less.
    const auto min = std::min_element(plays.begin(), plays.end(), play_less);
    if (last) {
      const auto smallest = smallest_beating(hand, *last);
      ASSERT_EQ(smallest.has_value(), !plays.empty());
      if (smallest) {
        EXPECT_EQ(*smallest, *min) << to_string(hand);
      }
    } else if (!hand.empty()) {
      EXPECT_EQ(smallest_lead(hand), *min) << to_string(hand);
    }
  }
}

// Every sub-multiset of ranks of `hand` (lowest suits), for the completeness check.
void for_each_subset(CardSet hand, const std::function<void(CardSet)>& f) {
  const RankCounts counts = hand.rank_counts();
  std::function<void(int, CardSet)> go = [&](int rank, CardSet taken) {
    if (rank == kRankCount) {
      if (!taken.empty()) f(taken);
      return;
    }
    for (int k = 0; k <= counts[rank]; ++k) {
      go(rank + 1, taken | hand.lowest_of_rank(rank_at(rank), k));
    }
  };
  go(0, CardSet{});
}

TEST(HandSearchProperty, NothingIsMissing) {
  std::mt19937 rng(7);
  for (int round = 0; round < 400; ++round) {
    const CardSet hand = random_hand(rng, 4 + below(rng, 11));  // up to 14 cards
    const auto last = random_last(rng);
    std::set<Key> expected;
    for_each_subset(hand, [&](CardSet subset) {
      for (const Combination& reading : classify(subset).readings) {
        if (!last || beats(reading, *last)) expected.insert(key_of({subset, reading}));
      }
    });
    std::set<Key> got;
    for (const Play& p : legal_plays(hand, last)) got.insert(key_of(p));
    ASSERT_EQ(got, expected) << to_string(hand) << " after "
                             << (last ? to_string(*last) : std::string("nothing"));
  }
}

TEST(ClassifyProperty, OrderAndSuitsDoNotMatter) {
  std::mt19937 rng(99);
  for (int round = 0; round < 2000; ++round) {
    const CardSet hand = random_hand(rng, 1 + below(rng, 20));
    const auto plays = legal_plays(hand, std::nullopt);
    const Play& play = plays[rng() % plays.size()];
    // The same ranks in another order and with other suits.
    std::vector<Card> shuffled = play.cards.cards();
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    CardSet resuited;
    for (Card card : shuffled) {
      const CardSet free = CardSet::full_deck() - resuited;
      std::vector<Card> same_rank;
      for (Card c : free.cards()) {
        if (c.rank() == card.rank()) same_rank.push_back(c);
      }
      resuited.insert(same_rank[rng() % same_rank.size()]);
    }
    const Classification original = classify(play.cards);
    EXPECT_EQ(classify(CardSet::of(shuffled)).readings.size(), original.readings.size());
    const Classification again = classify(resuited);
    ASSERT_EQ(again.readings.size(), original.readings.size());
    for (int i = 0; i < again.readings.size(); ++i) {
      EXPECT_EQ(again.readings[i], original.readings[i]) << to_string(play.cards);
    }
  }
}

}  // namespace
}  // namespace gh_card

namespace gh_card {
namespace {

// Readings has a fixed capacity: no set of any size comes near it.
TEST(ClassifyProperty, ReadingsStayWellBelowCapacity) {
  std::mt19937 rng(1234);
  int most = 0;
  for (int round = 0; round < 200'000; ++round) {
    const int size = 4 * (1 + below(rng, 13));  // multiples of 4 and 5 have wings
    const CardSet set = random_hand(rng, round % 2 ? size : std::min(5 * (size / 4), 54));
    most = std::max(most, classify(set).readings.size());
  }
  EXPECT_LT(most, Readings::kCapacity / 2);
}

}  // namespace
}  // namespace gh_card
