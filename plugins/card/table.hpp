// Internal to the card plugin: one running game at a table of three, what each seat is
// shown of it, and its record as text (stored with the game, enough to replay it). A Table
// is touched only on the keyed lane of its game id (not thread-safe).
#pragma once

#include <gamehost/plugin.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "card.pb.h"
#include "rules/game.hpp"

namespace gh_card {

struct TablePlayer {
  gamehost::UserId user = 0;
  gamehost::SessionId session = 0;  // 0 while the player's connection is down
};

struct Table {
  Table(std::uint64_t game_id, std::uint64_t room_id, std::array<TablePlayer, kSeats> players,
        const Deal& deal, Seat first_bidder, GameConfig config)
      : game_id(game_id), room_id(room_id), players(players), game(deal, first_bidder, config) {
    counts.fill(17);
  }
  // A game replayed from its record (a handover reload): told as far as it went.
  Table(std::uint64_t game_id, std::uint64_t room_id, std::array<TablePlayer, kSeats> players,
        Game replayed)
      : game_id(game_id), room_id(room_id), players(players), game(std::move(replayed)) {
    told = game.record().size();
    for (Seat s = 0; s < kSeats; ++s) {
      counts[s] = game.card_count(s);
      auto_told[s] = game.is_auto(s);
    }
    landlord_told = game.landlord().has_value();
    finished = game.phase() == Phase::kFinished;
  }

  std::uint64_t game_id;
  std::uint64_t room_id;
  std::array<TablePlayer, kSeats> players;
  Game game;
  std::uint64_t started_ms = 0;
  std::uint64_t turn_deadline_ms = 0;  // when the server acts for the seat on turn
  gamehost::Token turn_timer;
  // What the players were told so far: events are made from the record entries after
  // `told`, and these follow them (counts after each play, landlord shown, auto flags).
  std::size_t told = 0;
  std::array<int, kSeats> counts{};
  bool landlord_told = false;
  std::array<bool, kSeats> auto_told{};
  bool finished = false;
  Coins owed{};                 // once finished: what settle is asked to move
  gamehost::Token retry_timer;  // the next settle attempt, after one failed
  // Handed over by a reload and not yet resumed on its lane: its turn timer (due at
  // turn_deadline_ms), the moves of auto-play seats, or its settlement still to start.
  bool resume_pending = false;

  std::optional<Seat> seat_of(gamehost::UserId user) const {
    for (Seat s = 0; s < kSeats; ++s) {
      if (players[s].user == user) return s;
    }
    return std::nullopt;
  }
  std::uint32_t ms_left(std::uint64_t now) const {
    return static_cast<std::uint32_t>(turn_deadline_ms > now ? turn_deadline_ms - now : 0);
  }
};

// What `seat` may see (its own hand only), at host time `now`.
gamehost::card::GameView view_for(const Table& table, Seat seat, std::uint64_t now);
gamehost::card::Result result_message(const GameResult& result, const Coins& coins, bool settled);
void add_cards(google::protobuf::RepeatedField<std::uint32_t>* out, CardSet cards);
// Card ids from the wire: nothing when one is above 53 or repeated.
std::optional<CardSet> cards_from(const google::protobuf::RepeatedField<std::uint32_t>& ids);

// The record as one line of text: the deal, the first bidder, then each action
// (RULES.md "Record"); parse_record reads it back for replay().
std::string record_text(const Game& game);
struct ParsedRecord {
  Deal deal;
  Seat first_bidder = 0;
  std::vector<Action> actions;
};
std::optional<ParsedRecord> parse_record(std::string_view text);

}  // namespace gh_card
