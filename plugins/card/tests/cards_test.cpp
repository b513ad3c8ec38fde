// Cards, card sets and their text form.
#include <gtest/gtest.h>

#include "rules/cards.hpp"

namespace gh_card {
namespace {

TEST(Card, IdsRanksAndSuits) {
  EXPECT_EQ(Card::of(Rank::k3, Suit::kSpades).id(), 0);
  EXPECT_EQ(Card::of(Rank::k2, Suit::kClubs).id(), 51);
  EXPECT_EQ(Card::of(Rank::kSmallJoker, Suit::kJoker).id(), 52);
  EXPECT_EQ(Card::of(Rank::kBigJoker, Suit::kJoker).id(), 53);
  for (int id = 0; id < Card::kDeckSize; ++id) {
    const Card card(static_cast<std::uint8_t>(id));
    EXPECT_EQ(Card::of(card.rank(), card.suit()), card) << id;
    if (id < 52) {
      EXPECT_EQ(card.suit(), static_cast<Suit>(id % 4));
    }
  }
  EXPECT_EQ(Card(52).rank(), Rank::kSmallJoker);
  EXPECT_EQ(Card(53).rank(), Rank::kBigJoker);
}

TEST(Card, TextRoundTripsForEveryCard) {
  for (int id = 0; id < Card::kDeckSize; ++id) {
    const Card card(static_cast<std::uint8_t>(id));
    const auto parsed = parse_card(to_string(card));
    ASSERT_TRUE(parsed) << to_string(card);
    EXPECT_EQ(*parsed, card);
  }
  EXPECT_EQ(to_string(Card::of(Rank::k10, Suit::kHearts)), "10h");
  EXPECT_EQ(to_string(Card(53)), "BJ");
  EXPECT_EQ(to_string(CardSet::full_deck()).substr(0, 11), "3s 3h 3d 3c");
}

TEST(CardSet, CountsAndLowestOfRank) {
  const CardSet set = *parse_cards("3h 3c 4s SJ BJ");
  EXPECT_EQ(set.size(), 5);
  EXPECT_EQ(set.count(Rank::k3), 2);
  EXPECT_EQ(set.count(Rank::k4), 1);
  EXPECT_EQ(set.count(Rank::kSmallJoker), 1);
  EXPECT_EQ(set.count(Rank::kBigJoker), 1);
  EXPECT_EQ(set.lowest_of_rank(Rank::k3, 1), *parse_cards("3h"));
  EXPECT_EQ(set.lowest_of_rank(Rank::k3, 5), *parse_cards("3h 3c"));
  const RankCounts counts = set.rank_counts();
  EXPECT_EQ(counts[index(Rank::k3)], 2);
  EXPECT_EQ(counts[index(Rank::k5)], 0);
  EXPECT_EQ(CardSet::full_deck().size(), 54);
  EXPECT_EQ((set - *parse_cards("3h BJ")), *parse_cards("3c 4s SJ"));
}

TEST(ParseCards, UnsuitedRanksTakeTheLowestFreeSuit) {
  EXPECT_EQ(*parse_cards("3 3 4 4 5 5"), *parse_cards("3s 3h 4s 4h 5s 5h"));
  EXPECT_EQ(*parse_cards("3 3s"), *parse_cards("3s 3h"));  // the suited card is placed first
  EXPECT_EQ(*parse_cards("  10 T J  "), *parse_cards("10s 10h Js"));
  EXPECT_EQ(*parse_cards(""), CardSet{});
}

TEST(ParseCards, RejectsWhatIsNoCard) {
  EXPECT_FALSE(parse_cards("3 3 3 3 3"));  // five 3s
  EXPECT_FALSE(parse_cards("3s 3s"));
  EXPECT_FALSE(parse_cards("SJ SJ"));
  EXPECT_FALSE(parse_cards("1"));
  EXPECT_FALSE(parse_cards("3x"));
  EXPECT_FALSE(parse_cards("SJs"));
  EXPECT_FALSE(parse_cards("11"));
}

}  // namespace
}  // namespace gh_card
