// classify and beats, type by type, with the edge cases RULES.md lists.
#include <gtest/gtest.h>

#include <vector>

#include "rules/combination.hpp"
#include "test_support.hpp"

namespace gh_card {
namespace {

using testing::cards;
using testing::combo;
using testing::describe;
using T = ComboType;
using R = Rank;

// The only reading of `text`.
Combination only(std::string_view text) {
  const Classification c = classify(cards(text));
  EXPECT_EQ(c.readings.size(), 1) << text << ": " << describe(c.readings);
  return c.valid() ? c.primary() : Combination{};
}

InvalidReason why_not(std::string_view text) {
  const Classification c = classify(cards(text));
  EXPECT_FALSE(c.valid()) << text << ": " << describe(c.readings);
  return c.reason;
}

std::vector<Combination> all(std::string_view text) {
  const Classification c = classify(cards(text));
  return {c.readings.begin(), c.readings.end()};
}

TEST(Classify, SinglesPairsTriplesBombsRocket) {
  EXPECT_EQ(only("3"), combo(T::kSingle, R::k3, 1, 1));
  EXPECT_EQ(only("BJ"), combo(T::kSingle, R::kBigJoker, 1, 1));
  EXPECT_EQ(only("2 2"), combo(T::kPair, R::k2, 1, 2));
  EXPECT_EQ(only("10 10 10"), combo(T::kTriple, R::k10, 1, 3));
  EXPECT_EQ(only("2 2 2 2"), combo(T::kBomb, R::k2, 1, 4));
  EXPECT_EQ(only("3 3 3 3"), combo(T::kBomb, R::k3, 1, 4));
  EXPECT_EQ(only("SJ BJ"), combo(T::kRocket, R::kSmallJoker, 1, 2));
  EXPECT_EQ(why_not(""), InvalidReason::kEmpty);
  EXPECT_EQ(why_not("3 4"), InvalidReason::kNoSuchCombination);
  EXPECT_EQ(why_not("2 SJ"), InvalidReason::kNoSuchCombination);
  EXPECT_EQ(why_not("3 3 4"), InvalidReason::kNoSuchCombination);
}

TEST(Classify, TripleWithOneOrAPair) {
  EXPECT_EQ(only("3 3 3 4"), combo(T::kTripleSingle, R::k3, 1, 4));
  EXPECT_EQ(only("5 4 4 4"), combo(T::kTripleSingle, R::k4, 1, 4));
  EXPECT_EQ(only("2 2 2 BJ"), combo(T::kTripleSingle, R::k2, 1, 4));  // a lone triple may be 2s
  EXPECT_EQ(only("3 3 3 4 4"), combo(T::kTriplePair, R::k3, 1, 5));
  EXPECT_EQ(only("2 2 2 A A"), combo(T::kTriplePair, R::k2, 1, 5));
  EXPECT_EQ(why_not("3 3 3 SJ BJ"), InvalidReason::kRocketSplit);  // the rocket is no pair
  EXPECT_EQ(why_not("3 3 3 4 5"), InvalidReason::kNoSuchCombination);
}

TEST(Classify, Straights) {
  EXPECT_EQ(only("3 4 5 6 7"), combo(T::kStraight, R::k3, 5, 5));
  EXPECT_EQ(only("7 5 3 6 4"), combo(T::kStraight, R::k3, 5, 5));
  EXPECT_EQ(only("10 J Q K A"), combo(T::kStraight, R::k10, 5, 5));  // A-high is fine
  EXPECT_EQ(only("3 4 5 6 7 8 9 10 J Q K A"), combo(T::kStraight, R::k3, 12, 12));
  EXPECT_EQ(why_not("J Q K A 2"), InvalidReason::kTwoOrJokerInChain);
  EXPECT_EQ(why_not("Q K A 2 SJ"), InvalidReason::kTwoOrJokerInChain);
  EXPECT_EQ(why_not("3 4 5 6 7 8 9 10 J Q K A 2"), InvalidReason::kTwoOrJokerInChain);
  EXPECT_EQ(why_not("K A 2 3 4"), InvalidReason::kNotConsecutive);  // no wrap
  EXPECT_EQ(why_not("A 2 3 4 5"), InvalidReason::kNotConsecutive);
  EXPECT_EQ(why_not("3 4 5 6 8"), InvalidReason::kNotConsecutive);
  EXPECT_EQ(why_not("3 4 5 6"), InvalidReason::kChainTooShort);
  EXPECT_EQ(why_not("3 4 5"), InvalidReason::kChainTooShort);
}

TEST(Classify, PairChains) {
  EXPECT_EQ(only("3 3 4 4 5 5"), combo(T::kPairChain, R::k3, 3, 6));
  EXPECT_EQ(only("Q Q K K A A"), combo(T::kPairChain, R::kQ, 3, 6));
  EXPECT_EQ(only("3 3 4 4 5 5 6 6 7 7 8 8 9 9 10 10 J J Q Q"), combo(T::kPairChain, R::k3, 10, 20));
  EXPECT_EQ(why_not("K K A A 2 2"), InvalidReason::kTwoOrJokerInChain);
  EXPECT_EQ(why_not("3 3 4 4"), InvalidReason::kChainTooShort);
  EXPECT_EQ(why_not("3 3 4 4 6 6"), InvalidReason::kNotConsecutive);
  EXPECT_EQ(why_not("A A 2 2 3 3"), InvalidReason::kNotConsecutive);
}

TEST(Classify, AirplanesWithoutWings) {
  EXPECT_EQ(only("3 3 3 4 4 4"), combo(T::kAirplane, R::k3, 2, 6));
  EXPECT_EQ(only("K K K A A A"), combo(T::kAirplane, R::kK, 2, 6));
  EXPECT_EQ(only("5 5 5 6 6 6 7 7 7"), combo(T::kAirplane, R::k5, 3, 9));
  EXPECT_EQ(why_not("A A A 2 2 2"), InvalidReason::kTwoOrJokerInChain);
  EXPECT_EQ(why_not("3 3 3 5 5 5"), InvalidReason::kNotConsecutive);
}

TEST(Classify, AirplanesWithSingleWings) {
  EXPECT_EQ(only("3 3 3 4 4 4 5 6"), combo(T::kAirplaneSingles, R::k3, 2, 8));
  EXPECT_EQ(only("3 3 3 4 4 4 9 9"), combo(T::kAirplaneSingles, R::k3, 2, 8));   // a pair as wings
  EXPECT_EQ(only("3 3 3 4 4 4 SJ 9"), combo(T::kAirplaneSingles, R::k3, 2, 8));  // a joker wing
  EXPECT_EQ(only("K K K A A A 2 BJ"), combo(T::kAirplaneSingles, R::kK, 2, 8));
  EXPECT_EQ(only("7 7 7 8 8 8 9 9 9 3 3 3"), combo(T::kAirplaneSingles, R::k7, 3, 12));
  EXPECT_EQ(why_not("3 3 3 4 4 4 SJ BJ"), InvalidReason::kRocketSplit);
  EXPECT_EQ(why_not("A A A 2 2 2 3 4"), InvalidReason::kNoSuchCombination);  // 2s in the body
  // A wing never has a body rank: four of a rank is not split between body and wings.
  EXPECT_EQ(why_not("3 3 3 3 4 4 4 5"), InvalidReason::kNoSuchCombination);
  EXPECT_EQ(why_not("3 3 3 4 4 4 4 5"), InvalidReason::kNoSuchCombination);
}

TEST(Classify, AirplanesWithPairWings) {
  EXPECT_EQ(only("3 3 3 4 4 4 5 5 6 6"), combo(T::kAirplanePairs, R::k3, 2, 10));
  EXPECT_EQ(only("3 3 3 4 4 4 5 5 5 5"), combo(T::kAirplanePairs, R::k3, 2, 10));  // four as two
  EXPECT_EQ(only("3 3 3 4 4 4 2 2 A A"), combo(T::kAirplanePairs, R::k3, 2, 10));
  EXPECT_EQ(only("5 5 5 6 6 6 7 7 7 3 3 4 4 2 2"), combo(T::kAirplanePairs, R::k5, 3, 15));
  EXPECT_EQ(why_not("3 3 3 4 4 4 5 5 SJ BJ"), InvalidReason::kRocketSplit);
  EXPECT_EQ(why_not("3 3 3 4 4 4 5 5 6 7"), InvalidReason::kNoSuchCombination);
  EXPECT_EQ(why_not("3 3 3 4 4 4 5 5 5 6"), InvalidReason::kNoSuchCombination);
}

TEST(Classify, FourWithTwo) {
  EXPECT_EQ(only("4 4 4 4 5 6"), combo(T::kFourTwoSingles, R::k4, 1, 6));
  EXPECT_EQ(only("4 4 4 4 5 5"), combo(T::kFourTwoSingles, R::k4, 1, 6));  // a pair as two
  EXPECT_EQ(only("2 2 2 2 SJ 3"), combo(T::kFourTwoSingles, R::k2, 1, 6));
  EXPECT_EQ(why_not("4 4 4 4 SJ BJ"), InvalidReason::kRocketSplit);
  EXPECT_EQ(only("4 4 4 4 5 5 6 6"), combo(T::kFourTwoPairs, R::k4, 1, 8));
  EXPECT_EQ(only("4 4 4 4 2 2 A A"), combo(T::kFourTwoPairs, R::k4, 1, 8));
  EXPECT_EQ(why_not("4 4 4 4 5 5 6 7"), InvalidReason::kNoSuchCombination);
  EXPECT_EQ(why_not("4 4 4 4 5"), InvalidReason::kNoSuchCombination);
  EXPECT_EQ(why_not("4 4 4 4 5 6 7"), InvalidReason::kNoSuchCombination);
}

// The ambiguity rule: every reading, the longer chain first, then the higher main rank.
TEST(Classify, AmbiguousSetsGiveEveryReadingInPriorityOrder) {
  EXPECT_EQ(
      all("3 3 3 4 4 4 5 5 5 6 6 6"),
      (std::vector{combo(T::kAirplane, R::k3, 4, 12), combo(T::kAirplaneSingles, R::k4, 3, 12),
                   combo(T::kAirplaneSingles, R::k3, 3, 12)}));
  EXPECT_EQ(all("3 3 3 3 4 4 4 4"), (std::vector{combo(T::kFourTwoPairs, R::k4, 1, 8),
                                                 combo(T::kFourTwoPairs, R::k3, 1, 8)}));
  // 333444 + 5555: only pair wings (10 cards cannot be single wings).
  EXPECT_EQ(all("3 3 3 4 4 4 5 5 5 5"), (std::vector{combo(T::kAirplanePairs, R::k3, 2, 10)}));
  // 16 cards: four triples with 7 7 7 8 as wings, or 4..7 with 3 3 3 8.
  EXPECT_EQ(all("3 3 3 4 4 4 5 5 5 6 6 6 7 7 7 8"),
            (std::vector{combo(T::kAirplaneSingles, R::k4, 4, 16),
                         combo(T::kAirplaneSingles, R::k3, 4, 16)}));
  // 333 444 555 + 777: the wings 777 do not join the body.
  EXPECT_EQ(all("3 3 3 4 4 4 5 5 5 7 7 7"),
            (std::vector{combo(T::kAirplaneSingles, R::k3, 3, 12)}));
}

TEST(Beats, SameTypeAndLengthHigherMain) {
  EXPECT_TRUE(beats(only("4"), only("3")));
  EXPECT_FALSE(beats(only("3"), only("3")));
  EXPECT_FALSE(beats(only("3"), only("4")));
  EXPECT_TRUE(beats(only("BJ"), only("SJ")));
  EXPECT_TRUE(beats(only("SJ"), only("2")));
  EXPECT_TRUE(beats(only("2 2"), only("A A")));
  EXPECT_FALSE(beats(only("4 4"), only("3")));
  EXPECT_TRUE(beats(only("4 4 4 3"), only("3 3 3 2")));  // the triple decides, not the wing
  EXPECT_FALSE(beats(only("4 4 4 3 3"), only("3 3 3 2")));
  EXPECT_TRUE(beats(only("4 5 6 7 8"), only("3 4 5 6 7")));
  EXPECT_FALSE(beats(only("4 5 6 7 8 9"), only("3 4 5 6 7")));  // another length
  EXPECT_FALSE(beats(only("3 4 5 6 7 8"), only("4 5 6 7 8")));
  EXPECT_TRUE(beats(only("4 4 4 5 5 5 3 3 3 3"), only("3 3 3 4 4 4 5 5 6 6")));
  EXPECT_FALSE(beats(only("4 4 4 5 5 5"), only("3 3 3 4 4 4 5 6")));
  EXPECT_TRUE(beats(only("5 5 5 5 3 4"), only("4 4 4 4 A 2")));
  EXPECT_FALSE(beats(only("5 5 5 5 3 3 4 4"), only("4 4 4 4 A 2")));
}

TEST(Beats, BombsAndTheRocket) {
  const Combination bomb3 = only("3 3 3 3");
  const Combination bomb2 = only("2 2 2 2");
  const Combination rocket = only("SJ BJ");
  for (const char* other : {"BJ", "2 2", "A A A", "3 4 5 6 7 8 9 10 J Q K A", "4 4 4 4 5 6",
                            "3 3 4 4 5 5 6 6 7 7 8 8 9 9 10 10 J J Q Q"}) {
    EXPECT_TRUE(beats(bomb3, only(other))) << other;
    EXPECT_TRUE(beats(rocket, only(other))) << other;
    EXPECT_FALSE(beats(only(other), bomb3)) << other;
    EXPECT_FALSE(beats(only(other), rocket)) << other;
  }
  EXPECT_TRUE(beats(bomb2, bomb3));
  EXPECT_FALSE(beats(bomb3, bomb2));
  EXPECT_FALSE(beats(bomb3, bomb3));
  EXPECT_TRUE(beats(rocket, bomb2));
  EXPECT_FALSE(beats(bomb2, rocket));
  EXPECT_FALSE(beats(rocket, rocket));
}

TEST(ChooseReading, LeadTakesTheFirstFollowTakesTheFirstThatBeats) {
  const Readings readings = classify(cards("5 5 5 6 6 6 7 7 7 8 8 8")).readings;
  EXPECT_EQ(choose_reading(readings, std::nullopt), combo(T::kAirplane, R::k5, 4, 12));
  // After a three-triple airplane with wings, 555666777888 follows as 666777888 + 555.
  const Combination last = only("4 4 4 5 5 5 6 6 6 3 7 8");
  EXPECT_EQ(choose_reading(readings, last), combo(T::kAirplaneSingles, R::k6, 3, 12));
  // After 666777888 + wings it does not: its best three-triple body is no higher.
  EXPECT_FALSE(choose_reading(readings, only("6 6 6 7 7 7 8 8 8 3 4 5")));
  EXPECT_EQ(choose_reading(readings, classify(cards("3 3 3 4 4 4 5 5 5 6 6 6")).primary()),
            combo(T::kAirplane, R::k5, 4, 12));
}

TEST(ChooseReading, AnIntentPicksOneReading) {
  const Readings readings = classify(cards("5 5 5 6 6 6 7 7 7 8 8 8")).readings;
  const Combination low_wings = combo(T::kAirplaneSingles, R::k5, 3, 12);
  EXPECT_EQ(choose_reading(readings, std::nullopt, low_wings), low_wings);
  // An intended reading that does not beat, or is no reading, gives nothing.
  EXPECT_FALSE(choose_reading(readings, only("6 6 6 7 7 7 8 8 8 3 4 5"), low_wings));
  EXPECT_FALSE(choose_reading(readings, std::nullopt, combo(T::kStraight, R::k5, 12, 12)));
}

}  // namespace
}  // namespace gh_card
