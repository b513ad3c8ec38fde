// Whole games driven by random bots (seeded), thousands of them, with timeouts, auto-play,
// redeals and refused actions mixed in, checking the invariants after every step and at
// the end: cards conserved, no view leaks a hand, the winner's hand empty, the score
// formula, zero-sum settlement, and replay reproducing the game.
#include <gtest/gtest.h>

#include <cstdio>
#include <numeric>
#include <random>

#include "game_support.hpp"
#include "rules/game.hpp"

namespace gh_card {
namespace {

using testing::leaked;

// The cards played since the current deal was dealt.
CardSet played_this_deal(const Game& game) {
  CardSet played;
  for (const Action& action : game.record()) {
    if (action.kind == ActionKind::kRedeal) played = CardSet{};
    if (action.kind == ActionKind::kPlay) played = played | action.cards;
  }
  return played;
}

void expect_cards_conserved(const Game& game) {
  CardSet all = played_this_deal(game);
  int total = all.size();
  for (Seat s = 0; s < kSeats; ++s) {
    ASSERT_TRUE((all & game.hand(s)).empty());
    all = all | game.hand(s);
    total += game.hand(s).size();
  }
  if (!game.landlord()) total += Card::kDeckSize - all.size();  // the hole, not yet taken
  ASSERT_EQ(total, Card::kDeckSize);
  if (game.landlord()) {
    ASSERT_EQ(all, CardSet::full_deck());
  }
}

// The result recomputed from the record alone.
void expect_result_follows_from_record(const Game& game) {
  const GameResult result = *game.result();
  int bombs = 0, rockets = 0;
  std::array<int, kSeats> plays{};
  Seat last_player = 0;
  for (const Action& action : game.record()) {
    if (action.kind == ActionKind::kRedeal) {
      plays = {};
      bombs = rockets = 0;
    }
    if (action.kind != ActionKind::kPlay) continue;
    ++plays[action.seat];
    bombs += action.combo.type == ComboType::kBomb;
    rockets += action.combo.type == ComboType::kRocket;
    last_player = action.seat;
  }
  const Seat landlord = *game.landlord();
  EXPECT_EQ(result.winner, last_player);
  EXPECT_TRUE(game.hand(result.winner).empty());
  EXPECT_EQ(result.landlord_won, result.winner == landlord);
  EXPECT_EQ(result.bombs, bombs);
  EXPECT_EQ(result.rockets, rockets);
  const int farmer_plays = std::accumulate(plays.begin(), plays.end(), 0) - plays[landlord];
  EXPECT_EQ(result.spring, result.landlord_won && farmer_plays == 0);
  EXPECT_EQ(result.anti_spring, !result.landlord_won && plays[landlord] == 1);
  const int doubling = (result.spring || result.anti_spring) ? 2 : 1;
  EXPECT_EQ(result.score,
            std::int64_t{game.bid()} * (std::int64_t{1} << (bombs + rockets)) * doubling);
  for (Seat s = 0; s < kSeats; ++s) {
    const std::int64_t won = s == landlord ? 2 * result.score : result.score;
    const bool side_won = (s == landlord) == result.landlord_won;
    EXPECT_EQ(result.deltas[s], side_won ? won : -won);
  }
}

struct Counters {
  int games = 0, redeals = 0, springs = 0, anti_springs = 0, bombs = 0, rockets = 0;
  int timeouts = 0, auto_actions = 0, refusals = 0, landlord_wins = 0;
};

// One refused action of a random kind; it must change nothing.
void try_a_refused_action(Game& game, std::mt19937& rng, Counters& counters) {
  const Game before = game;
  const Seat other = next_seat(game.turn());
  GameError error = GameError::kOk;
  switch (rng() % 4) {
    case 0:
      error = game.play(other, game.hand(other) & CardSet::from_bits(rng()));
      break;
    case 1:
      error = game.bid(other, 1 + static_cast<int>(rng() % 3));
      break;
    case 2:
      error = game.play(game.turn(), game.hand(other) - game.hand(game.turn()));
      break;
    case 3:
      error = game.on_timeout(other);
      break;
  }
  ASSERT_NE(error, GameError::kOk);
  ASSERT_TRUE(game == before) << to_string(error);
  ++counters.refusals;
}

void bot_move(Game& game, std::mt19937& rng, SeededShuffler& shuffler, Counters& counters) {
  const Seat seat = game.turn();
  const unsigned roll = rng() % 100;
  if (game.phase() == Phase::kAwaitingRedeal) {
    ASSERT_EQ(game.redeal(deal_cards(shuffler)), GameError::kOk);
    ++counters.redeals;
    return;
  }
  if (roll < 4) {
    ASSERT_EQ(game.on_timeout(seat), GameError::kOk);
    ++counters.timeouts;
    return;
  }
  if (roll < 6) {
    ASSERT_EQ(game.set_auto(static_cast<Seat>(rng() % 3), rng() % 2), GameError::kOk);
    return;
  }
  if (roll < 9) return try_a_refused_action(game, rng, counters);
  if (game.phase() == Phase::kBidding) {
    if (game.bid() < 3 && rng() % 3 == 0) {
      ASSERT_EQ(game.bid(seat, game.bid() + 1 + rng() % (3 - game.bid())), GameError::kOk);
    } else {
      ASSERT_EQ(game.pass(seat), GameError::kOk);
    }
    return;
  }
  std::optional<Combination> last;
  if (game.last_play()) last = game.last_play()->combo;
  if (last && roll < 30) {  // the cheapest answer, as the auto-play of a kinder server would
    const auto smallest = smallest_beating(game.hand(seat), *last);
    ASSERT_EQ(smallest ? game.play(seat, smallest->cards, smallest->combo) : game.pass(seat),
              GameError::kOk);
    return;
  }
  const auto plays = legal_plays(game.hand(seat), last);
  if (last && (plays.empty() || roll < 45)) {
    ASSERT_EQ(game.pass(seat), GameError::kOk);
    return;
  }
  ASSERT_FALSE(plays.empty());
  const Play& play = plays[rng() % plays.size()];
  ASSERT_EQ(game.play(seat, play.cards, play.combo), GameError::kOk);
}

void play_one_game(std::uint64_t seed, Counters& counters) {
  std::mt19937 rng(static_cast<std::uint32_t>(seed));
  SeededShuffler shuffler(seed);
  Game game(deal_cards(shuffler), static_cast<Seat>(rng() % 3),
            GameConfig{.max_redeals = static_cast<int>(rng() % 3)});
  for (int step = 0; game.phase() != Phase::kFinished; ++step) {
    ASSERT_LT(step, 2000) << "seed " << seed;
    bot_move(game, rng, shuffler, counters);
    if (::testing::Test::HasFatalFailure()) return;
    counters.auto_actions += static_cast<int>(game.step_auto().size());
    expect_cards_conserved(game);
    for (Seat s = 0; s < kSeats; ++s) ASSERT_TRUE(leaked(game, s).empty()) << "seed " << seed;
  }
  expect_result_follows_from_record(game);
  const GameResult result = *game.result();
  Coins balances;
  for (auto& b : balances) b = static_cast<std::int64_t>(rng() % 200);
  const Coins settled = settle(result.deltas, balances);
  EXPECT_EQ(std::accumulate(settled.begin(), settled.end(), std::int64_t{0}), 0);
  const Replayed replayed =
      replay(game.initial_deal(), game.initial_first_bidder(), game.record(), game.config());
  ASSERT_TRUE(replayed.game) << "seed " << seed << ": " << to_string(replayed.error) << " at "
                             << replayed.failed_at;
  EXPECT_TRUE(*replayed.game == game) << "seed " << seed;
  ++counters.games;
  counters.springs += result.spring;
  counters.anti_springs += result.anti_spring;
  counters.bombs += result.bombs;
  counters.rockets += result.rockets;
  counters.landlord_wins += result.landlord_won;
}

TEST(BotGames, ThreeThousandRandomGamesKeepEveryInvariant) {
  Counters counters;
  for (std::uint64_t seed = 1; seed <= 3000; ++seed) {
    play_one_game(seed, counters);
    if (HasFatalFailure()) return;
  }
  EXPECT_EQ(counters.games, 3000);
  // The mix really happened.
  EXPECT_GT(counters.redeals, 100);
  EXPECT_GT(counters.timeouts, 1000);
  EXPECT_GT(counters.auto_actions, 1000);
  EXPECT_GT(counters.refusals, 1000);
  EXPECT_GT(counters.bombs, 100);
  EXPECT_GT(counters.rockets, 10);
  EXPECT_GT(counters.springs + counters.anti_springs, 0);
  EXPECT_GT(counters.landlord_wins, 0);
  EXPECT_LT(counters.landlord_wins, 3000);
  std::printf(
      "games %d, redeals %d, springs %d, anti-springs %d, bombs %d, rockets %d, "
      "timeouts %d, auto actions %d, refusals %d, landlord wins %d\n",
      counters.games, counters.redeals, counters.springs, counters.anti_springs, counters.bombs,
      counters.rockets, counters.timeouts, counters.auto_actions, counters.refusals,
      counters.landlord_wins);
}

}  // namespace
}  // namespace gh_card
