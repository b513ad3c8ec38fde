#include "rules/game.hpp"

#include <stdexcept>

namespace gh_card {
namespace {

constexpr int kMaxBid = 3;

bool valid_seat(Seat seat) {
  return seat < kSeats;
}

}  // namespace

std::string_view to_string(GameError error) {
  switch (error) {
    case GameError::kOk:
      return "ok";
    case GameError::kWrongPhase:
      return "wrong_phase";
    case GameError::kBadSeat:
      return "bad_seat";
    case GameError::kBidOutOfTurn:
      return "bid_out_of_turn";
    case GameError::kBidOutOfRange:
      return "bid_out_of_range";
    case GameError::kBidNotHigher:
      return "bid_not_higher";
    case GameError::kNotYourTurn:
      return "not_your_turn";
    case GameError::kNotHeld:
      return "not_held";
    case GameError::kInvalidCombination:
      return "invalid_combination";
    case GameError::kNotThatCombination:
      return "not_that_combination";
    case GameError::kDoesNotBeat:
      return "does_not_beat";
    case GameError::kMustLead:
      return "must_lead";
    case GameError::kInvalidDeal:
      return "invalid_deal";
  }
  return "unknown";
}

Game::Game(const Deal& deal, Seat first_bidder, GameConfig config)
    : config_(config), initial_deal_(deal), initial_first_bidder_(first_bidder) {
  if (!is_valid_deal(deal)) {
    throw std::invalid_argument("card: a deal needs 17, 17, 17 and 3 cards, the whole deck");
  }
  if (!valid_seat(first_bidder)) throw std::invalid_argument("card: the first bidder is no seat");
  if (config.max_redeals < 0) throw std::invalid_argument("card: max_redeals below 0");
  start_deal(deal, first_bidder);
}

void Game::start_deal(const Deal& deal, Seat first_bidder) {
  phase_ = Phase::kBidding;
  hands_ = deal.hands;
  hole_ = deal.hole;
  first_bidder_ = first_bidder;
  turn_ = first_bidder;
  bid_ = 0;
  high_bidder_.reset();
  bid_chances_used_ = 0;
}

GameError Game::bid(Seat seat, int amount) {
  if (amount < 1 || amount > kMaxBid) {
    // Out of range, but the phase and the turn are reported first, as for any bid.
    if (phase_ != Phase::kBidding) return GameError::kWrongPhase;
    if (!valid_seat(seat)) return GameError::kBadSeat;
    if (seat != turn_) return GameError::kBidOutOfTurn;
    return GameError::kBidOutOfRange;
  }
  return act(
      Action{.kind = ActionKind::kBid, .seat = seat, .bid = static_cast<std::uint8_t>(amount)},
      std::nullopt);
}

GameError Game::pass(Seat seat) {
  return act(Action{.kind = ActionKind::kPass, .seat = seat}, std::nullopt);
}

GameError Game::play(Seat seat, CardSet cards, const std::optional<Combination>& intent) {
  return act(Action{.kind = ActionKind::kPlay, .seat = seat, .cards = cards}, intent);
}

GameError Game::apply(const Action& action) {
  const bool is_play = action.kind == ActionKind::kPlay;
  return act(action, is_play ? std::optional<Combination>(action.combo) : std::nullopt);
}

GameError Game::redeal(const Deal& deal) {
  return act(Action{.kind = ActionKind::kRedeal, .seat = next_seat(first_bidder_), .deal = deal},
             std::nullopt);
}

GameError Game::set_auto(Seat seat, bool on) {
  return act(Action{.kind = ActionKind::kSetAuto, .seat = seat, .auto_on = on}, std::nullopt);
}

std::optional<Action> Game::server_action() const {
  if (phase_ != Phase::kBidding && phase_ != Phase::kPlaying) return std::nullopt;
  if (phase_ == Phase::kPlaying && !last_play_) {
    const Play lead = smallest_lead(hands_[turn_]);
    return Action{
        .kind = ActionKind::kPlay, .seat = turn_, .cards = lead.cards, .combo = lead.combo};
  }
  return Action{.kind = ActionKind::kPass, .seat = turn_};
}

GameError Game::on_timeout(Seat seat) {
  if (phase_ != Phase::kBidding && phase_ != Phase::kPlaying) return GameError::kWrongPhase;
  if (!valid_seat(seat)) return GameError::kBadSeat;
  if (seat != turn_) {
    return phase_ == Phase::kBidding ? GameError::kBidOutOfTurn : GameError::kNotYourTurn;
  }
  Action action = *server_action();
  action.source = ActionSource::kTimeout;
  return apply(action);
}

std::vector<Action> Game::step_auto() {
  std::vector<Action> taken;
  while ((phase_ == Phase::kBidding || phase_ == Phase::kPlaying) && auto_[turn_]) {
    Action action = *server_action();
    action.source = ActionSource::kAuto;
    if (apply(action) != GameError::kOk) break;  // never: the server's action is legal
    taken.push_back(action);
  }
  return taken;
}

GameError Game::check_bid(const Action& action) const {
  if (phase_ != Phase::kBidding) return GameError::kWrongPhase;
  if (action.seat != turn_) return GameError::kBidOutOfTurn;
  if (action.bid < 1 || action.bid > kMaxBid) return GameError::kBidOutOfRange;
  if (action.bid <= bid_) return GameError::kBidNotHigher;
  return GameError::kOk;
}

GameError Game::check_pass(const Action& action) const {
  if (phase_ == Phase::kBidding) {
    return action.seat == turn_ ? GameError::kOk : GameError::kBidOutOfTurn;
  }
  if (phase_ != Phase::kPlaying) return GameError::kWrongPhase;
  if (action.seat != turn_) return GameError::kNotYourTurn;
  return last_play_ ? GameError::kOk : GameError::kMustLead;
}

GameError Game::check_play(const Action& action, const std::optional<Combination>& intent,
                           Combination& taken_as) const {
  if (phase_ != Phase::kPlaying) return GameError::kWrongPhase;
  if (action.seat != turn_) return GameError::kNotYourTurn;
  if (action.cards.empty()) return GameError::kInvalidCombination;
  if (!hands_[action.seat].contains_all(action.cards)) return GameError::kNotHeld;
  const Classification classified = classify(action.cards);
  if (!classified.valid()) return GameError::kInvalidCombination;
  if (intent && !classified.readings.contains(*intent)) return GameError::kNotThatCombination;
  std::optional<Combination> last;
  if (last_play_) last = last_play_->combo;
  const auto chosen = choose_reading(classified.readings, last, intent);
  if (!chosen) return GameError::kDoesNotBeat;
  taken_as = *chosen;
  return GameError::kOk;
}

GameError Game::act(const Action& action, const std::optional<Combination>& intent) {
  if (!valid_seat(action.seat)) return GameError::kBadSeat;
  switch (action.kind) {
    case ActionKind::kBid: {
      if (const auto error = check_bid(action); error != GameError::kOk) return error;
      record_.push_back(action);
      note_source(action.seat, action.source);
      bid_ = action.bid;
      high_bidder_ = action.seat;
      ++bid_chances_used_;
      if (bid_ == kMaxBid || bid_chances_used_ == kSeats) {
        end_bidding(action.seat, bid_);
      } else {
        turn_ = next_seat(turn_);
      }
      return GameError::kOk;
    }
    case ActionKind::kPass: {
      if (const auto error = check_pass(action); error != GameError::kOk) return error;
      record_.push_back(action);
      note_source(action.seat, action.source);
      if (phase_ == Phase::kBidding) {
        ++bid_chances_used_;
        if (bid_chances_used_ < kSeats) {
          turn_ = next_seat(turn_);
        } else if (high_bidder_) {
          end_bidding(*high_bidder_, bid_);
        } else if (redeals_ >= config_.max_redeals) {
          end_bidding(first_bidder_, 1);  // passed once too often: the first bidder is forced
        } else {
          phase_ = Phase::kAwaitingRedeal;
        }
        return GameError::kOk;
      }
      turn_ = next_seat(turn_);
      if (++passes_in_row_ == kSeats - 1) {  // back to the seat that played last
        last_play_.reset();
        passes_in_row_ = 0;
      }
      return GameError::kOk;
    }
    case ActionKind::kPlay: {
      Combination taken_as;
      if (const auto error = check_play(action, intent, taken_as); error != GameError::kOk) {
        return error;
      }
      Action recorded = action;
      recorded.combo = taken_as;
      record_.push_back(recorded);
      note_source(action.seat, action.source);
      hands_[action.seat] = hands_[action.seat] - action.cards;
      last_play_ = Play{action.cards, taken_as};
      last_player_ = action.seat;
      passes_in_row_ = 0;
      ++plays_made_[action.seat];
      bombs_ += is_bomb(taken_as.type);
      rockets_ += is_rocket(taken_as.type);
      if (hands_[action.seat].empty()) {
        finish(action.seat);
      } else {
        turn_ = next_seat(turn_);
      }
      return GameError::kOk;
    }
    case ActionKind::kRedeal: {
      if (phase_ != Phase::kAwaitingRedeal) return GameError::kWrongPhase;
      if (!is_valid_deal(action.deal)) return GameError::kInvalidDeal;
      if (action.seat != next_seat(first_bidder_)) return GameError::kBadSeat;
      record_.push_back(action);
      ++redeals_;
      start_deal(action.deal, action.seat);
      return GameError::kOk;
    }
    case ActionKind::kSetAuto: {
      if (phase_ == Phase::kFinished) return GameError::kWrongPhase;
      if (auto_[action.seat] == action.auto_on) return GameError::kOk;  // nothing to record
      record_.push_back(action);
      auto_[action.seat] = action.auto_on;
      timeouts_in_row_[action.seat] = 0;
      return GameError::kOk;
    }
  }
  return GameError::kWrongPhase;
}

void Game::note_source(Seat seat, ActionSource source) {
  switch (source) {
    case ActionSource::kPlayer:  // the player is back
      timeouts_in_row_[seat] = 0;
      auto_[seat] = false;
      break;
    case ActionSource::kTimeout:
      if (++timeouts_in_row_[seat] >= 2) auto_[seat] = true;
      break;
    case ActionSource::kAuto:
      break;
  }
}

void Game::end_bidding(Seat landlord, int bid) {
  landlord_ = landlord;
  bid_ = bid;
  hands_[landlord] = hands_[landlord] | hole_;
  phase_ = Phase::kPlaying;
  turn_ = landlord;
  last_play_.reset();
  last_player_.reset();
  passes_in_row_ = 0;
}

void Game::finish(Seat winner) {
  phase_ = Phase::kFinished;
  GameResult result;
  result.winner = winner;
  result.landlord = *landlord_;
  result.landlord_won = winner == *landlord_;
  result.bid = bid_;
  result.bombs = bombs_;
  result.rockets = rockets_;
  int farmer_plays = 0;
  for (Seat seat = 0; seat < kSeats; ++seat) {
    if (seat != *landlord_) farmer_plays += plays_made_[seat];
  }
  result.spring = result.landlord_won && farmer_plays == 0;
  result.anti_spring = !result.landlord_won && plays_made_[*landlord_] == 1;
  result.score = game_score(bid_, bombs_, rockets_, result.spring || result.anti_spring);
  result.deltas = coin_deltas(*landlord_, result.landlord_won, result.score);
  result_ = result;
}

std::optional<CardSet> Game::hole() const {
  if (!landlord_) return std::nullopt;
  return hole_;
}

SeatView Game::view(Seat seat) const {
  SeatView view;
  view.seat = seat;
  view.phase = phase_;
  view.hand = hands_.at(seat);
  for (Seat s = 0; s < kSeats; ++s) view.card_counts[s] = hands_[s].size();
  view.hole = hole();
  view.landlord = landlord_;
  view.bid = bid_;
  view.turn = turn_;
  view.last_play = last_play_;
  view.last_player = last_player_;
  view.auto_play = auto_;
  view.bombs = bombs_ + rockets_;
  view.redeals = redeals_;
  view.history = record_;
  for (Action& action : view.history) action.deal = Deal{};
  view.result = result_;
  return view;
}

Replayed replay(const Deal& deal, Seat first_bidder, std::span<const Action> record,
                GameConfig config) {
  if (!is_valid_deal(deal)) return {std::nullopt, GameError::kInvalidDeal, 0};
  if (!valid_seat(first_bidder)) return {std::nullopt, GameError::kBadSeat, 0};
  Game game(deal, first_bidder, config);
  for (std::size_t i = 0; i < record.size(); ++i) {
    if (const auto error = game.apply(record[i]); error != GameError::kOk) {
      return {std::nullopt, error, i};
    }
  }
  return {std::move(game), GameError::kOk, 0};
}

}  // namespace gh_card
