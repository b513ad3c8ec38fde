// The game state machine, scenario by scenario: bidding, redeal, play, the end and its
// score, timeouts and auto-play, every refused action, views and replay.
#include <gtest/gtest.h>

#include "game_support.hpp"
#include "rules/game.hpp"

namespace gh_card {
namespace {

using testing::bomb_deal;
using testing::cards;
using testing::leaked;

Deal seeded_deal(std::uint64_t seed) {
  SeededShuffler shuffler(seed);
  return deal_cards(shuffler);
}

// The game must be unchanged by a refused action.
#define EXPECT_REFUSED(game, call, error)     \
  do {                                        \
    const Game before = (game);               \
    EXPECT_EQ((game).call, GameError::error); \
    EXPECT_TRUE((game) == before) << #call;   \
  } while (0)

TEST(Bidding, ABidOfThreeEndsBiddingAtOnce) {
  const Deal deal = seeded_deal(1);
  Game game(deal, 1);
  EXPECT_EQ(game.turn(), 1);
  EXPECT_FALSE(game.hole());
  ASSERT_EQ(game.bid(1, 3), GameError::kOk);
  EXPECT_EQ(game.phase(), Phase::kPlaying);
  EXPECT_EQ(game.landlord(), 1);
  EXPECT_EQ(game.bid(), 3);
  EXPECT_EQ(game.turn(), 1);  // the landlord leads
  EXPECT_EQ(game.hole(), deal.hole);
  EXPECT_EQ(game.hand(1), deal.hands[1] | deal.hole);
  EXPECT_EQ(game.card_count(1), 20);
}

TEST(Bidding, TheHighestBidderAfterOneRoundIsLandlord) {
  Game game(seeded_deal(2), 0);
  ASSERT_EQ(game.bid(0, 1), GameError::kOk);
  ASSERT_EQ(game.pass(1), GameError::kOk);
  ASSERT_EQ(game.bid(2, 2), GameError::kOk);
  EXPECT_EQ(game.landlord(), 2);
  EXPECT_EQ(game.bid(), 2);

  Game other(seeded_deal(2), 2);
  ASSERT_EQ(other.bid(2, 1), GameError::kOk);
  ASSERT_EQ(other.bid(0, 2), GameError::kOk);
  ASSERT_EQ(other.pass(1), GameError::kOk);
  EXPECT_EQ(other.landlord(), 0);
  EXPECT_EQ(other.bid(), 2);
}

TEST(Bidding, BidErrorsChangeNothing) {
  Game game(seeded_deal(3), 0);
  EXPECT_REFUSED(game, bid(1, 1), kBidOutOfTurn);
  EXPECT_REFUSED(game, pass(2), kBidOutOfTurn);
  EXPECT_REFUSED(game, bid(0, 0), kBidOutOfRange);
  EXPECT_REFUSED(game, bid(0, 4), kBidOutOfRange);
  EXPECT_REFUSED(game, bid(0, 300), kBidOutOfRange);
  EXPECT_REFUSED(game, bid(5, 1), kBadSeat);
  EXPECT_REFUSED(game, play(0, game.hand(0) & cards("3s 3h 3d 3c 4s 4h 4d 4c 5s 5h 5d 5c 6s")),
                 kWrongPhase);
  EXPECT_REFUSED(game, redeal(seeded_deal(4)), kWrongPhase);
  ASSERT_EQ(game.bid(0, 2), GameError::kOk);
  EXPECT_REFUSED(game, bid(1, 1), kBidNotHigher);
  EXPECT_REFUSED(game, bid(1, 2), kBidNotHigher);
  EXPECT_REFUSED(game, bid(0, 3), kBidOutOfTurn);
  ASSERT_EQ(game.bid(1, 3), GameError::kOk);
  EXPECT_REFUSED(game, bid(2, 3), kWrongPhase);
}

TEST(Bidding, AllPassWaitsForARedealAndTheNextSeatBidsFirst) {
  Game game(seeded_deal(5), 1);
  ASSERT_EQ(game.pass(1), GameError::kOk);
  ASSERT_EQ(game.pass(2), GameError::kOk);
  ASSERT_EQ(game.pass(0), GameError::kOk);
  EXPECT_EQ(game.phase(), Phase::kAwaitingRedeal);
  EXPECT_REFUSED(game, bid(1, 1), kWrongPhase);
  EXPECT_REFUSED(game, redeal(Deal{}), kInvalidDeal);
  const Deal second = seeded_deal(6);
  ASSERT_EQ(game.redeal(second), GameError::kOk);
  EXPECT_EQ(game.phase(), Phase::kBidding);
  EXPECT_EQ(game.redeals(), 1);
  EXPECT_EQ(game.turn(), 2);
  EXPECT_EQ(game.hand(0), second.hands[0]);
  ASSERT_EQ(game.bid(2, 1), GameError::kOk);
  ASSERT_EQ(game.pass(0), GameError::kOk);
  ASSERT_EQ(game.pass(1), GameError::kOk);
  EXPECT_EQ(game.landlord(), 2);
  EXPECT_EQ(game.hole(), second.hole);
}

TEST(Bidding, AfterTheLastRedealTheFirstBidderIsForcedWithBidOne) {
  Game game(seeded_deal(7), 0, GameConfig{.max_redeals = 2});
  for (int deal = 0; deal < 2; ++deal) {
    for (int i = 0; i < 3; ++i) ASSERT_EQ(game.pass(game.turn()), GameError::kOk);
    ASSERT_EQ(game.phase(), Phase::kAwaitingRedeal);
    ASSERT_EQ(game.redeal(seeded_deal(8 + deal)), GameError::kOk);
  }
  EXPECT_EQ(game.turn(), 2);  // 0, then 1, then 2 bid first
  for (int i = 0; i < 3; ++i) ASSERT_EQ(game.pass(game.turn()), GameError::kOk);
  EXPECT_EQ(game.phase(), Phase::kPlaying);
  EXPECT_EQ(game.landlord(), 2);
  EXPECT_EQ(game.bid(), 1);

  Game no_redeals(seeded_deal(7), 1, GameConfig{.max_redeals = 0});
  for (int i = 0; i < 3; ++i) ASSERT_EQ(no_redeals.pass(no_redeals.turn()), GameError::kOk);
  EXPECT_EQ(no_redeals.landlord(), 1);
}

TEST(Play, TwoPassesGiveTheLeadBack) {
  Game game(bomb_deal(), 0);
  ASSERT_EQ(game.bid(0, 1), GameError::kOk);
  ASSERT_EQ(game.pass(1), GameError::kOk);
  ASSERT_EQ(game.pass(2), GameError::kOk);
  ASSERT_EQ(game.landlord(), 0);
  ASSERT_EQ(game.play(0, cards("7s")), GameError::kOk);
  EXPECT_EQ(game.last_player(), 0);
  ASSERT_EQ(game.play(1, cards("Js")), GameError::kOk);
  ASSERT_EQ(game.pass(2), GameError::kOk);
  ASSERT_EQ(game.pass(0), GameError::kOk);
  EXPECT_EQ(game.turn(), 1);
  EXPECT_FALSE(game.last_play());  // seat 1 leads anything
  ASSERT_EQ(game.play(1, cards("7h 7d 7c Jh")), GameError::kOk);
  EXPECT_EQ(game.last_play()->combo.type, ComboType::kTripleSingle);
}

TEST(Play, PlayErrorsChangeNothing) {
  Game game(bomb_deal(), 0);
  ASSERT_EQ(game.bid(0, 3), GameError::kOk);
  EXPECT_REFUSED(game, pass(0), kMustLead);
  EXPECT_REFUSED(game, play(1, cards("7h")), kNotYourTurn);
  EXPECT_REFUSED(game, pass(1), kNotYourTurn);
  EXPECT_REFUSED(game, play(0, cards("8s")), kNotHeld);
  EXPECT_REFUSED(game, play(0, cards("3s 7s 8s")), kNotHeld);
  EXPECT_REFUSED(game, play(0, CardSet{}), kInvalidCombination);
  EXPECT_REFUSED(game, play(0, cards("3s 4s")), kInvalidCombination);
  EXPECT_REFUSED(game, play(0, cards("3 3 3 3 SJ BJ")), kInvalidCombination);
  EXPECT_REFUSED(game, bid(0, 3), kWrongPhase);
  EXPECT_REFUSED(game, play(0, cards("7s"), testing::combo(ComboType::kPair, Rank::k7, 1, 2)),
                 kNotThatCombination);
  EXPECT_REFUSED(game, play(7, cards("7s")), kBadSeat);
  ASSERT_EQ(game.play(0, cards("2c")), GameError::kOk);
  EXPECT_REFUSED(game, play(1, cards("7h")), kDoesNotBeat);
  EXPECT_REFUSED(game, play(1, cards("8s 8h")), kDoesNotBeat);
  ASSERT_EQ(game.play(1, cards("8 8 8 8")), GameError::kOk);
  EXPECT_REFUSED(game, play(2, cards("2s")), kDoesNotBeat);
  EXPECT_REFUSED(game, on_timeout(0), kNotYourTurn);
}

TEST(End, SpringWithBombsAndTheRocket) {
  Game game(bomb_deal(), 0);
  ASSERT_EQ(game.bid(0, 3), GameError::kOk);
  for (const char* play : {"SJ BJ", "3 3 3 3", "4 4 4 4", "5 5 5 5", "6 6 6 6", "7s", "2c"}) {
    ASSERT_EQ(game.play(0, cards(play)), GameError::kOk) << play;
    if (game.phase() == Phase::kFinished) break;
    ASSERT_EQ(game.pass(1), GameError::kOk);
    ASSERT_EQ(game.pass(2), GameError::kOk);
  }
  ASSERT_EQ(game.phase(), Phase::kFinished);
  const GameResult result = *game.result();
  EXPECT_EQ(result.winner, 0);
  EXPECT_TRUE(result.landlord_won);
  EXPECT_EQ(result.bombs, 4);
  EXPECT_EQ(result.rockets, 1);
  EXPECT_TRUE(result.spring);
  EXPECT_FALSE(result.anti_spring);
  EXPECT_EQ(result.score, 3 * 32 * 2);
  EXPECT_EQ(result.deltas, (Coins{384, -192, -192}));
  EXPECT_REFUSED(game, pass(1), kWrongPhase);
  EXPECT_REFUSED(game, on_timeout(1), kWrongPhase);
  EXPECT_REFUSED(game, set_auto(1, true), kWrongPhase);
}

TEST(End, AntiSpringWhenTheLandlordPlayedOnlyTheFirstLead) {
  Game game(bomb_deal(), 0);
  ASSERT_EQ(game.bid(0, 1), GameError::kOk);
  ASSERT_EQ(game.pass(1), GameError::kOk);
  ASSERT_EQ(game.pass(2), GameError::kOk);
  ASSERT_EQ(game.play(0, cards("7s")), GameError::kOk);
  ASSERT_EQ(game.play(1, cards("Js")), GameError::kOk);
  for (const char* play : {"7h 7d 7c Jh", "8 8 8 8", "9 9 9 9", "10 10 10 10"}) {
    ASSERT_EQ(game.pass(2), GameError::kOk);
    ASSERT_EQ(game.pass(0), GameError::kOk);
    ASSERT_EQ(game.play(1, cards(play)), GameError::kOk) << play;
  }
  ASSERT_EQ(game.phase(), Phase::kFinished);
  const GameResult result = *game.result();
  EXPECT_EQ(result.winner, 1);
  EXPECT_FALSE(result.landlord_won);
  EXPECT_TRUE(result.anti_spring);
  EXPECT_FALSE(result.spring);
  EXPECT_EQ(result.bombs, 3);
  EXPECT_EQ(result.score, 1 * 8 * 2);
  EXPECT_EQ(result.deltas, (Coins{-32, 16, 16}));
}

TEST(End, NoSpringOnceAFarmerPlayed) {
  Game game(bomb_deal(), 0);
  ASSERT_EQ(game.bid(0, 2), GameError::kOk);
  ASSERT_EQ(game.pass(1), GameError::kOk);
  ASSERT_EQ(game.pass(2), GameError::kOk);
  ASSERT_EQ(game.play(0, cards("3 3 3 3")), GameError::kOk);
  ASSERT_EQ(game.play(1, cards("8 8 8 8")), GameError::kOk);  // doubles again
  ASSERT_EQ(game.pass(2), GameError::kOk);
  ASSERT_EQ(game.play(0, cards("SJ BJ")), GameError::kOk);
  ASSERT_EQ(game.pass(1), GameError::kOk);
  ASSERT_EQ(game.pass(2), GameError::kOk);
  for (const char* play : {"4 4 4 4 5 5 5 5", "6 6 6 6 7s 2c"}) {
    ASSERT_EQ(game.play(0, cards(play)), GameError::kOk) << play;
    if (game.phase() == Phase::kFinished) break;
    ASSERT_EQ(game.pass(1), GameError::kOk);
    ASSERT_EQ(game.pass(2), GameError::kOk);
  }
  const GameResult result = *game.result();
  EXPECT_TRUE(result.landlord_won);
  EXPECT_FALSE(result.spring);
  EXPECT_EQ(result.bombs, 2);  // four + two is no bomb
  EXPECT_EQ(result.rockets, 1);
  EXPECT_EQ(result.score, 2 * 8);
}

TEST(Timeouts, PassWhenFollowingSmallestLeadWhenLeadingAutoAfterTwo) {
  Game game(bomb_deal(), 2);
  ASSERT_EQ(game.on_timeout(2), GameError::kOk);  // bidding: a pass
  EXPECT_EQ(game.record().back().kind, ActionKind::kPass);
  EXPECT_EQ(game.record().back().source, ActionSource::kTimeout);
  EXPECT_FALSE(game.is_auto(2));
  ASSERT_EQ(game.bid(0, 1), GameError::kOk);
  ASSERT_EQ(game.pass(1), GameError::kOk);
  ASSERT_EQ(game.landlord(), 0);
  ASSERT_EQ(game.on_timeout(0), GameError::kOk);  // leading: the lowest single
  EXPECT_EQ(game.record().back().cards, cards("3s"));
  EXPECT_FALSE(game.is_auto(0));
  EXPECT_REFUSED(game, on_timeout(2), kNotYourTurn);
  ASSERT_EQ(game.on_timeout(1), GameError::kOk);  // following: a pass
  EXPECT_EQ(game.record().back().kind, ActionKind::kPass);
  ASSERT_EQ(game.on_timeout(2), GameError::kOk);  // the second in a row for seat 2
  EXPECT_TRUE(game.is_auto(2));
  EXPECT_FALSE(game.is_auto(1));
  // Seat 0 leads again; seat 1 plays; seat 2 is played by the server at once.
  ASSERT_EQ(game.play(0, cards("3h 3d 3c")), GameError::kOk);
  EXPECT_TRUE(game.step_auto().empty());  // seat 1 is on turn, not in auto-play
  ASSERT_EQ(game.pass(1), GameError::kOk);
  const auto taken = game.step_auto();
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].seat, 2);
  EXPECT_EQ(taken[0].kind, ActionKind::kPass);
  EXPECT_EQ(taken[0].source, ActionSource::kAuto);
  EXPECT_EQ(game.record().back(), taken[0]);
  EXPECT_TRUE(game.is_auto(2));  // auto actions keep auto-play
  EXPECT_EQ(game.turn(), 0);
}

TEST(Timeouts, APlayerActionClearsAutoPlay) {
  Game game(bomb_deal(), 0);
  ASSERT_EQ(game.on_timeout(0), GameError::kOk);
  ASSERT_EQ(game.bid(1, 1), GameError::kOk);
  ASSERT_EQ(game.pass(2), GameError::kOk);
  ASSERT_EQ(game.landlord(), 1);
  ASSERT_EQ(game.play(1, cards("7h")), GameError::kOk);
  ASSERT_EQ(game.pass(2), GameError::kOk);
  ASSERT_EQ(game.on_timeout(0), GameError::kOk);  // second in a row: auto
  EXPECT_TRUE(game.is_auto(0));
  ASSERT_EQ(game.play(1, cards("7d")), GameError::kOk);
  ASSERT_EQ(game.play(2, cards("Jd")), GameError::kOk);
  // Seat 0 is on turn and acts itself before the server steps: auto-play ends.
  ASSERT_EQ(game.play(0, cards("3 3 3 3")), GameError::kOk);
  EXPECT_FALSE(game.is_auto(0));
  // And its timeout count starts again: one more timeout is not auto-play yet.
  ASSERT_EQ(game.pass(1), GameError::kOk);
  ASSERT_EQ(game.pass(2), GameError::kOk);
  ASSERT_EQ(game.on_timeout(0), GameError::kOk);
  EXPECT_FALSE(game.is_auto(0));
}

TEST(Timeouts, TheCallerPutsADisconnectedSeatInAutoPlayAndTakesItOut) {
  Game game(bomb_deal(), 0);
  ASSERT_EQ(game.set_auto(1, true), GameError::kOk);
  EXPECT_EQ(game.record().back().kind, ActionKind::kSetAuto);
  const std::size_t recorded = game.record().size();
  ASSERT_EQ(game.set_auto(1, true), GameError::kOk);  // already: nothing recorded
  EXPECT_EQ(game.record().size(), recorded);
  ASSERT_EQ(game.bid(0, 1), GameError::kOk);
  const auto taken = game.step_auto();  // seat 1 passes, seat 2 is not auto
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].kind, ActionKind::kPass);
  EXPECT_EQ(game.turn(), 2);
  ASSERT_EQ(game.pass(2), GameError::kOk);
  ASSERT_EQ(game.play(0, cards("7s")), GameError::kOk);
  ASSERT_EQ(game.set_auto(1, false), GameError::kOk);  // back
  EXPECT_TRUE(game.step_auto().empty());
  EXPECT_EQ(game.turn(), 1);
  EXPECT_FALSE(game.server_action()->cards.size());  // it would pass
}

TEST(Timeouts, EveryoneInAutoPlayFinishesTheGame) {
  Game game(seeded_deal(11), 0);
  for (Seat s = 0; s < kSeats; ++s) ASSERT_EQ(game.set_auto(s, true), GameError::kOk);
  const auto taken = game.step_auto();
  EXPECT_EQ(game.phase(), Phase::kAwaitingRedeal);  // the server never bids
  ASSERT_EQ(taken.size(), 3u);
  Game forced(seeded_deal(11), 0, GameConfig{.max_redeals = 0});
  for (Seat s = 0; s < kSeats; ++s) ASSERT_EQ(forced.set_auto(s, true), GameError::kOk);
  forced.step_auto();
  ASSERT_EQ(forced.phase(), Phase::kFinished);
  EXPECT_TRUE(forced.result()->landlord_won);  // leads one single at a time, nobody follows
  EXPECT_TRUE(forced.result()->spring);
}

TEST(View, OwnHandCountsAndPublicFactsOnly) {
  Game game(bomb_deal(), 0);
  for (Seat s = 0; s < kSeats; ++s) {
    const SeatView view = game.view(s);
    EXPECT_EQ(view.hand, game.hand(s));
    EXPECT_FALSE(view.hole);
    EXPECT_EQ(view.card_counts, (std::array<int, 3>{17, 17, 17}));
    EXPECT_TRUE(leaked(game, s).empty());
  }
  ASSERT_EQ(game.bid(0, 3), GameError::kOk);
  ASSERT_EQ(game.play(0, cards("3 3 3 3")), GameError::kOk);
  const SeatView view = game.view(1);
  EXPECT_EQ(view.hole, cards("2c SJ BJ"));
  EXPECT_EQ(view.card_counts, (std::array<int, 3>{16, 17, 17}));
  EXPECT_EQ(view.last_play->cards, cards("3 3 3 3"));
  EXPECT_EQ(view.last_player, 0);
  EXPECT_EQ(view.bombs, 1);
  for (Seat s = 0; s < kSeats; ++s) EXPECT_TRUE(leaked(game, s).empty());
}

TEST(View, ARedealsCardsStayPrivate) {
  Game game(seeded_deal(20), 0);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(game.pass(game.turn()), GameError::kOk);
  ASSERT_EQ(game.redeal(seeded_deal(21)), GameError::kOk);
  for (Seat s = 0; s < kSeats; ++s) {
    const SeatView view = game.view(s);
    EXPECT_EQ(view.history.back().kind, ActionKind::kRedeal);
    EXPECT_EQ(view.history.back().deal, Deal{});
    EXPECT_TRUE(leaked(game, s).empty());
  }
}

TEST(Replay, ReproducesAGameWithRedealTimeoutsAndAutoPlay) {
  Game game(seeded_deal(30), 1);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(game.pass(game.turn()), GameError::kOk);
  ASSERT_EQ(game.redeal(bomb_deal()), GameError::kOk);
  ASSERT_EQ(game.bid(2, 1), GameError::kOk);
  ASSERT_EQ(game.on_timeout(0), GameError::kOk);
  ASSERT_EQ(game.bid(1, 2), GameError::kOk);
  ASSERT_EQ(game.landlord(), 1);
  ASSERT_EQ(game.set_auto(2, true), GameError::kOk);
  while (game.phase() == Phase::kPlaying) {
    game.step_auto();
    if (game.phase() != Phase::kPlaying) break;
    ASSERT_EQ(game.on_timeout(game.turn()), GameError::kOk);
  }
  const Replayed replayed = replay(game.initial_deal(), 1, game.record());
  ASSERT_EQ(replayed.error, GameError::kOk);
  ASSERT_TRUE(replayed.game);
  EXPECT_TRUE(*replayed.game == game);
  // A record that breaks the rules stops at the entry.
  std::vector<Action> bad = game.record();
  ASSERT_EQ(bad[6].kind, ActionKind::kBid);
  bad[6].bid = 1;  // seat 1 bids 1 after seat 2 did
  const Replayed refused = replay(game.initial_deal(), 1, bad);
  EXPECT_FALSE(refused.game);
  EXPECT_EQ(refused.error, GameError::kBidNotHigher);
  EXPECT_EQ(refused.failed_at, 6u);
}

TEST(Game, AnInvalidDealIsTheCallersBug) {
  EXPECT_THROW(Game(Deal{}, 0), std::invalid_argument);
  EXPECT_THROW(Game(bomb_deal(), 3), std::invalid_argument);
}

}  // namespace
}  // namespace gh_card
