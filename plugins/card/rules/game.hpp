// Internal to the card plugin: one Dou Dizhu game, as a pure state machine.
//
// No clocks, no I/O, no randomness: the plugin owns the timers and the shuffler, and tells
// the game what happened (a player's action, a timeout, a disconnection, a new deal). So
// a game is reproduced exactly from its first deal, first bidder and record (replay).
//
// Bidding: one round, starting at the caller's seat: each seat in turn bids 1-3, higher
// than the current bid, or passes. A bid of 3 ends bidding at once; otherwise, after each
// seat had its chance, the highest bidder is the landlord. When all pass, the game waits
// for a new deal (redeal) and the next seat bids first; when all pass again after
// config.max_redeals redeals, the first bidder of that deal is made landlord with bid 1.
// The landlord takes the hole cards (public from then on) and leads.
//
// Play: the seat on turn leads any combination, or follows with one that beats the last
// play, or passes (not when leading). Two passes in a row give the lead back to the seat
// that played last. The game ends when a hand is empty.
//
// Timeouts and auto-play: on_timeout(seat) acts for the seat on turn: a pass while
// bidding or following, smallest_lead when leading. A seat that timed out twice in a row,
// or that the caller puts in auto-play (set_auto, e.g. on disconnect), is played the same
// way by step_auto() whenever it is on turn. Auto-play ends when the caller clears it
// (set_auto(seat, false), e.g. on reconnect) or the player makes a valid action.
//
// Errors: an action the rules refuse returns its GameError and changes nothing; kOk means
// it was applied and appended to record(). The constructor throws std::invalid_argument
// for an invalid deal or seat: that is the caller's bug, not a player's move.
//
// Not thread-safe: the plugin runs one game on one queue (the room's key).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "rules/cards.hpp"
#include "rules/combination.hpp"
#include "rules/deck.hpp"
#include "rules/hand_search.hpp"
#include "rules/score.hpp"
#include "rules/seat.hpp"

namespace gh_card {

enum class Phase : std::uint8_t {
  kBidding,
  kAwaitingRedeal,  // everyone passed: waiting for redeal()
  kPlaying,
  kFinished,
};

// Why an action was refused. One list, so the protocol can map each to a wire code.
enum class GameError : std::uint8_t {
  kOk,
  kWrongPhase,          // e.g. a bid while playing, a play while bidding, anything after the end
  kBadSeat,             // not 0..2
  kBidOutOfTurn,        // a bid or a bidding pass by a seat not on turn
  kBidOutOfRange,       // not 1..3
  kBidNotHigher,        // not above the current bid
  kNotYourTurn,         // a play or a pass by a seat not on turn
  kNotHeld,             // cards the seat does not hold
  kInvalidCombination,  // no cards, or cards that form no combination
  kNotThatCombination,  // the intended reading is not one of the cards' readings
  kDoesNotBeat,         // a valid combination that does not beat the last play
  kMustLead,            // a pass by the leader
  kInvalidDeal,         // redeal() with cards that are not a deal
};
std::string_view to_string(GameError error);

struct GameConfig {
  int max_redeals = 3;

  friend bool operator==(const GameConfig&, const GameConfig&) = default;
};

enum class ActionKind : std::uint8_t { kBid, kPass, kPlay, kRedeal, kSetAuto };
// Who decided an action: the player, the server on a timeout, or the server in auto-play.
enum class ActionSource : std::uint8_t { kPlayer, kTimeout, kAuto };

// One entry of the record. Fields beyond kind, seat and source belong to one kind each.
struct Action {
  ActionKind kind = ActionKind::kPass;
  Seat seat = 0;  // kRedeal: the new first bidder
  ActionSource source = ActionSource::kPlayer;
  std::uint8_t bid = 0;  // kBid: 1..3
  CardSet cards{};       // kPlay
  Combination combo{};   // kPlay: the reading it was taken as
  Deal deal{};           // kRedeal: the new hands (private: views leave it empty)
  bool auto_on = false;  // kSetAuto

  friend bool operator==(const Action&, const Action&) = default;
};

struct GameResult {
  Seat winner = 0;  // who emptied their hand
  Seat landlord = 0;
  bool landlord_won = false;
  int bid = 0;
  int bombs = 0;
  int rockets = 0;
  bool spring = false;       // the landlord won and the farmers never played a card
  bool anti_spring = false;  // the farmers won and the landlord played only the first lead
  std::int64_t score = 0;    // game_score(...)
  Coins deltas{};            // coin_deltas(landlord, landlord_won, score), stake 1

  friend bool operator==(const GameResult&, const GameResult&) = default;
};

// What one seat may see: its own hand, everyone's card counts and the public facts.
struct SeatView {
  Seat seat = 0;
  Phase phase = Phase::kBidding;
  CardSet hand;
  std::array<int, kSeats> card_counts{};
  std::optional<CardSet> hole;  // once a landlord is known
  std::optional<Seat> landlord;
  int bid = 0;  // the highest so far
  Seat turn = 0;
  std::optional<Play> last_play;  // what the next play must beat; nothing when leading
  std::optional<Seat> last_player;
  std::array<bool, kSeats> auto_play{};
  int bombs = 0;  // played so far, rockets included
  int redeals = 0;
  std::vector<Action> history;  // the record, with every redeal's deal left empty
  std::optional<GameResult> result;
};

class Game {
 public:
  Game(const Deal& deal, Seat first_bidder, GameConfig config = {});

  // Player actions. pass() is "no bid" while bidding and "pass" while playing. `intent`
  // picks one reading of an ambiguous play (combination.hpp); without it the first that
  // is allowed is taken.
  [[nodiscard]] GameError bid(Seat seat, int amount);
  [[nodiscard]] GameError pass(Seat seat);
  [[nodiscard]] GameError play(Seat seat, CardSet cards,
                               const std::optional<Combination>& intent = std::nullopt);

  // The plugin's turn timer for `seat` fired: act for it (see the top). The action is
  // record().back(). kNotYourTurn / kBidOutOfTurn / kWrongPhase for a stale timer.
  [[nodiscard]] GameError on_timeout(Seat seat);
  // Puts a seat in auto-play or takes it out (also resets its timeout count).
  [[nodiscard]] GameError set_auto(Seat seat, bool on);
  // Acts for every auto-play seat that is on turn, until a seat that is not is on turn or
  // the game waits for a deal or ends. Returns the actions taken (also in the record).
  std::vector<Action> step_auto();
  // What the server would do for the seat on turn (on a timeout or in auto-play);
  // nothing unless bidding or playing.
  std::optional<Action> server_action() const;

  // After everyone passed (phase kAwaitingRedeal): the next deal.
  [[nodiscard]] GameError redeal(const Deal& deal);

  // Applies one record entry as it was recorded (replay, handover).
  [[nodiscard]] GameError apply(const Action& action);

  // Queries. A seat argument must be 0..2 (view() throws std::out_of_range otherwise).
  Phase phase() const { return phase_; }
  Seat turn() const { return turn_; }
  CardSet hand(Seat seat) const { return hands_[seat]; }
  int card_count(Seat seat) const { return hands_[seat].size(); }
  // Once a landlord is known.
  std::optional<CardSet> hole() const;
  std::optional<Seat> landlord() const { return landlord_; }
  int bid() const { return bid_; }
  std::optional<Play> last_play() const { return last_play_; }
  std::optional<Seat> last_player() const { return last_player_; }
  bool is_auto(Seat seat) const { return auto_[seat]; }
  int redeals() const { return redeals_; }
  int bombs() const { return bombs_ + rockets_; }
  const std::vector<Action>& record() const { return record_; }
  const Deal& initial_deal() const { return initial_deal_; }
  Seat initial_first_bidder() const { return initial_first_bidder_; }
  const GameConfig& config() const { return config_; }
  // Once finished.
  std::optional<GameResult> result() const { return result_; }

  SeatView view(Seat seat) const;

  friend bool operator==(const Game&, const Game&) = default;

 private:
  GameError check_bid(const Action& action) const;
  GameError check_pass(const Action& action) const;
  GameError check_play(const Action& action, const std::optional<Combination>& intent,
                       Combination& taken_as) const;
  GameError act(const Action& action, const std::optional<Combination>& intent);
  void start_deal(const Deal& deal, Seat first_bidder);
  void end_bidding(Seat landlord, int bid);
  void finish(Seat winner);
  void note_source(Seat seat, ActionSource source);

  GameConfig config_;
  Deal initial_deal_;
  Seat initial_first_bidder_;

  Phase phase_ = Phase::kBidding;
  std::array<CardSet, kSeats> hands_{};
  CardSet hole_;
  Seat first_bidder_ = 0;
  Seat turn_ = 0;
  int redeals_ = 0;

  int bid_ = 0;
  std::optional<Seat> high_bidder_;
  int bid_chances_used_ = 0;
  std::optional<Seat> landlord_;

  std::optional<Play> last_play_;
  std::optional<Seat> last_player_;
  int passes_in_row_ = 0;
  std::array<int, kSeats> plays_made_{};
  int bombs_ = 0;
  int rockets_ = 0;

  std::array<int, kSeats> timeouts_in_row_{};
  std::array<bool, kSeats> auto_{};

  std::vector<Action> record_;
  std::optional<GameResult> result_;
};

// Replays `record` from the first deal: the game it gives, or the first entry that the
// rules refuse (its index and error).
struct Replayed {
  std::optional<Game> game;
  GameError error = GameError::kOk;
  std::size_t failed_at = 0;
};
Replayed replay(const Deal& deal, Seat first_bidder, std::span<const Action> record,
                GameConfig config = {});

}  // namespace gh_card
