// The card plugin: server-authoritative Dou Dizhu for the rooms of game type "doudizhu".
//
// room publishes GameStart when a table of three is ready; this plugin deals (libsodium's
// CSPRNG), runs bidding and play with the rules engine (rules/, RULES.md), acts for a
// player whose turn times out and plays for one in auto-play (two timeouts in a row, or a
// dropped connection) until the player acts or comes back, and sends each player only
// their own hand. When a hand is empty it publishes GameOver (the room waits for ready
// again), settles the coins through the user plugin's "settle" method in one call keyed by
// the game id (a retry never pays twice), and stores the game's record.
//
// Threading: each game runs on the keyed lane of its game id, so tables play in parallel
// on the host's workers and in order within a table. The plugin's queue finds a player's
// table through the index (table_index.hpp, the only state with a lock): a client
// message's key_of, GameStart and the session events run there and post to the table's
// lane; everything that touches a table runs on that lane: the message handlers, the deal,
// the turn timers and settlement retries (started on the lane, so they fire there), the
// settle call's result and the record's storage job (continued on the lane). The queue
// keeps what spans no table: GetRecentGames and the resettle sweep of unsettled games.
// Each game is a drain key: under `gamehostctl reload card --strategy drain` running games
// finish on the old build and new ones start on the new build; a handover reload exports
// every table once the host has let every lane go idle.
#include <gamehost/plugin.hpp>

#include <functional>
#include <memory>
#include <vector>

#include "card_state.pb.h"
#include "errors.hpp"
#include "protocol.hpp"
#include "room_events.hpp"
#include "settings.hpp"
#include "table.hpp"
#include "table_index.hpp"
#include "user_api.hpp"

namespace gh_card {
namespace {

namespace pb = gamehost::card;
namespace room = gamehost::room;
namespace upb = gamehost::user;
using gamehost::ClientError;

constexpr std::uint32_t kStateVersion = 1;
constexpr std::uint32_t kDefaultRecent = 10;
constexpr std::uint32_t kMaxRecent = 50;

std::unique_ptr<Shuffler> make_shuffler(const Settings& s) {
  if (s.shuffle_seed) return std::make_unique<SeededShuffler>(*s.shuffle_seed);
  return std::make_unique<SystemShuffler>();
}

// key_of of a table's messages, on the queue: the lane of the sender's running game.
struct GameKey {
  const TableIndex& index;
  template <class Msg>
  std::uint64_t operator()(const gamehost::Request& req, const Msg&) const {
    const auto game_id = req.user == 0 ? std::nullopt : index.game_of(req.user);
    if (!game_id) throw ClientError(kErrNotInGame, "you are not playing a game");
    return *game_id;
  }
};

class CardPlugin final : public gamehost::Plugin {
 public:
  CardPlugin(gamehost::Host& host, std::string_view state)
      : Plugin(host), settings_(Settings::read(host)), dealer_(make_shuffler(settings_)) {
    restore(state);
    // The messages of a table run on its lane, which GameKey picks on the queue.
    handle_keyed<pb::Bid>(GameKey{index_}, [this](gamehost::Request& req, const pb::Bid& in) {
      auto [table, seat] = player(req);
      // Bid{0} passes the bidding only: a pass while playing is Play{} (no cards).
      if (table.game.phase() != Phase::kBidding) {
        throw ClientError(kErrWrongPhase, "bidding is over");
      }
      back_from_auto(table, seat);
      act(req, table, in.amount() == 0 ? table.game.pass(seat) : table.game.bid(seat, in.amount()));
    });
    handle_keyed<pb::Play>(GameKey{index_}, [this](gamehost::Request& req, const pb::Play& in) {
      auto [table, seat] = player(req);
      const auto cards = cards_from(in.cards());
      if (!cards) throw ClientError(kErrBadCard, "a card id is above 53 or given twice");
      if (table.game.phase() != Phase::kPlaying) {
        throw ClientError(kErrWrongPhase, "bid first: the play starts when there is a landlord");
      }
      back_from_auto(table, seat);
      if (cards->empty()) {
        act(req, table, table.game.pass(seat));
        return;
      }
      // An ambiguous play may name its reading (e.g. 333444 + 5555 as an airplane with
      // wings rather than what the engine would take first, RULES.md "Ambiguous sets").
      // Only on the player's turn: otherwise the rules' own answer (not your turn) stands.
      std::optional<Combination> intent;
      if (in.has_as() && table.game.turn() == seat) {
        for (const auto& r : classify(*cards).readings) {
          if (static_cast<int>(r.type) == in.as() && !intent) intent = r;
        }
        if (!intent) throw ClientError(kErrInvalidCombination, "the cards cannot be read that way");
      }
      act(req, table, table.game.play(seat, *cards, intent));
    });
    handle_keyed<pb::SetAutoPlay>(GameKey{index_},
                                  [this](gamehost::Request& req, const pb::SetAutoPlay& in) {
                                    auto [table, seat] = player(req);
                                    act(req, table, table.game.set_auto(seat, in.on()));
                                  });
    handle_keyed<pb::GetGame>(GameKey{index_}, [this](gamehost::Request& req, const pb::GetGame&) {
      auto [table, seat] = player(req);
      req.reply(view_for(table, seat, this->host().now_ms()));
    });
    // Not a table's: a storage query, on the queue.
    handle<pb::GetRecentGames>(
        [this](gamehost::Request& req, const pb::GetRecentGames& in) { recent_games(req, in); });
    host.subscribe(gh_room::kGameStartTopic);
    if (settings_.resettle_interval_ms > 0) {
      resettle_timer_ = start_timer(settings_.resettle_interval_ms, settings_.resettle_interval_ms,
                                    [this] { sweep_unsettled(); });
    }
  }

  // The host runs this once every lane is idle and the queue is paused: nothing touches a
  // table meanwhile.
  std::string export_state() override {
    pb::CardState state;
    for (const Table* t : index_.all()) {
      auto* saved = state.add_tables();
      saved->set_game_id(t->game_id);
      saved->set_room_id(t->room_id);
      for (const auto& p : t->players) {
        saved->add_users(p.user);
        saved->add_sessions(p.session);
      }
      saved->set_started_ms(t->started_ms);
      saved->set_turn_deadline_ms(t->turn_deadline_ms);
      saved->set_record(record_text(t->game));
      saved->set_finished(t->finished);
      for (const auto c : t->owed) saved->add_owed(c);
    }
    return gamehost::versioned_state(kStateVersion, state.SerializeAsString());
  }

  // On the queue.
  void on_event(const gamehost::Event& event) override {
    if (event.topic != gh_room::kGameStartTopic) return;
    room::GameStart start;
    if (!start.ParseFromArray(event.data.data(), static_cast<int>(event.data.size()))) {
      host().log_warn("a GameStart from ", event.publisher, " does not decode");
      return;
    }
    if (start.game_type() == settings_.game_type) begin(start);
  }

  // On the queue: the player's table hears it on its lane.
  void on_session_authenticated(gamehost::SessionId session, gamehost::UserId user) override {
    at_players_table(user, "a login", [this, session](Table& table, Seat seat) {
      table.players[seat].session = session;
      host().key_bind(table.game_id, session);
      (void)table.game.set_auto(seat, false);  // back: the player plays again
      host().send(session, view_for(table, seat, host().now_ms()));
      progress(table);
    });
  }

  void on_session_closed(gamehost::SessionId session, gamehost::UserId user) override {
    at_players_table(user, "a close", [this, session](Table& table, Seat seat) {
      if (table.players[seat].session != session) return;
      table.players[seat].session = 0;
      (void)table.game.set_auto(seat, true);  // the server plays until the player is back
      progress(table);
    });
  }

 private:
  struct Seated {
    Table& table;
    Seat seat;
  };

  // On the table's lane: the sender's seat. The game may have ended since GameKey chose
  // this lane (a timeout or another player's last card), and the player may be at another
  // table by now: then they play no game here.
  Seated player(const gamehost::Request& req) {
    const auto game_id = current_key().value_or(0);
    Table* table = index_.find(game_id);
    if (table != nullptr) resume(*table);
    if (table == nullptr || table->finished || !index_.plays(req.user, game_id)) {
      throw ClientError(kErrNotInGame, "you are not playing a game");
    }
    return {*table, *table->seat_of(req.user)};
  }

  // On the queue: runs fn(table, seat) on the lane of the game `user` plays, if they still
  // play it when it runs there. `what` names the event for the log when the lane is full.
  template <class Fn>
  void at_players_table(gamehost::UserId user, const char* what, Fn fn) {
    const auto game_id = index_.game_of(user);
    if (!game_id) return;
    try {
      post_keyed(*game_id, [this, user, game_id = *game_id, fn = std::move(fn)]() mutable {
        Table* table = index_.find(game_id);
        if (table == nullptr || !index_.plays(user, game_id)) return;
        resume(*table);
        if (table->finished) return;
        fn(*table, *table->seat_of(user));
      });
    } catch (const std::exception& e) {
      host().log_warn("game ", *game_id, ": ", what, " of user ", user, " not handled: ", e.what());
    }
  }

  // A player who acts is back from auto-play (timeouts or a reconnect put them there): the
  // server stops playing for them from this action on, whether or not the rules take it.
  void back_from_auto(Table& table, Seat seat) {
    if (table.game.is_auto(seat)) (void)table.game.set_auto(seat, false);
  }

  // A player's action: refused with its code (nothing changed), or answered and told.
  void act(const gamehost::Request& req, Table& table, GameError error) {
    if (error != GameError::kOk)
      throw ClientError(error_code(error), std::string(to_string(error)));
    req.reply(pb::ActionDone{});
    progress(table);
  }

  static std::vector<gamehost::UserId> users_of(const std::array<TablePlayer, kSeats>& players) {
    std::vector<gamehost::UserId> users;
    for (const auto& p : players) users.push_back(p.user);
    return users;
  }

  // The games the previous build handed over, replayed from their records (in the
  // constructor: nothing else runs). Each goes on from its lane: running ones with their turn
  // timer's deadline, finished ones settled again; resume() does that on the table's first
  // lane task, a message or the one posted after the constructor.
  void restore(std::string_view state) {
    const auto [version, bytes] = gamehost::read_state(state, kStateVersion, kStateVersion);
    if (version == 0) return;
    pb::CardState saved;
    if (!saved.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      throw gamehost::StateVersionError("card state version 1 does not decode");
    }
    for (const auto& s : saved.tables()) {
      const auto parsed = parse_record(s.record());
      std::optional<Game> game;
      if (parsed && s.users_size() == kSeats && s.sessions_size() == kSeats) {
        auto replayed = gh_card::replay(parsed->deal, parsed->first_bidder, parsed->actions,
                                        GameConfig{settings_.max_redeals});
        game = std::move(replayed.game);
      }
      if (!game) {
        // A record this build cannot replay refuses the reload: the old build goes on.
        throw gamehost::StateVersionError(
            gamehost::concat("card: game ", s.game_id(), " does not replay from its record"));
      }
      std::array<TablePlayer, kSeats> players;
      for (int i = 0; i < kSeats; ++i) {
        // A connection that closed while the builds changed hands counts as dropped now.
        const auto session = s.sessions(i);
        players[i] = {s.users(i), session != 0 && host().session_info(session) ? session : 0};
      }
      auto table = std::make_unique<Table>(s.game_id(), s.room_id(), players, std::move(*game));
      for (Seat seat = 0; seat < kSeats; ++seat) {
        if (!table->finished && players[seat].session == 0) (void)table->game.set_auto(seat, true);
      }
      table->started_ms = s.started_ms();
      table->turn_deadline_ms = s.turn_deadline_ms();
      for (int i = 0; i < kSeats && i < s.owed_size(); ++i) table->owed[i] = s.owed(i);
      table->resume_pending = true;
      Table& t = index_.insert(std::move(table));
      host().key_open(t.game_id);
      if (!t.finished && !index_.claim(t.game_id, users_of(t.players))) {
        host().log_warn("card: game ", t.game_id, " has a player of another handed-over game");
      }
      for (const auto& p : t.players) {
        if (p.session != 0) host().key_bind(t.game_id, p.session);
      }
      to_resume_.push_back(t.game_id);
    }
    // Not posted from here: a lane may run before the constructor has returned.
    if (!to_resume_.empty()) resume_timer_ = start_timer(1, 0, [this] { post_resumes(); });
    host().log_info("card: ", index_.size(), " game(s) handed over");
  }

  // On the queue, once the plugin exists: each handed-over table resumes on its lane.
  void post_resumes() {
    std::vector<std::uint64_t> left;
    for (const auto game_id : to_resume_) {
      try {
        post_keyed(game_id, [this, game_id] {
          if (Table* table = index_.find(game_id)) resume(*table);
        });
      } catch (const std::exception&) {
        left.push_back(game_id);  // the lane is full: again in a moment
      }
    }
    to_resume_ = std::move(left);
    if (!to_resume_.empty()) resume_timer_ = start_timer(100, 0, [this] { post_resumes(); });
  }

  // On the lane: what a handed-over table still has to start, once.
  void resume(Table& t) {
    if (!t.resume_pending) return;
    t.resume_pending = false;
    if (t.finished) {
      settle(t.game_id, t.owed, 1);
      return;
    }
    const auto now = host().now_ms();
    restart_timer(t, t.turn_deadline_ms > now ? t.turn_deadline_ms - now : 0);
    progress(t);  // a seat whose player left during the swap is played for now
  }

  // On the queue: the room's table of three is ready. The players are claimed here, in
  // the order GameStarts arrive (a player in another game refuses this one); the deal and
  // everything after it run on the game's lane, which every later message of these players
  // reaches after it.
  void begin(const room::GameStart& start) {
    // During a drain reload both builds hear the start; the new one takes the game.
    const auto game_id = start.game_id(), room_id = start.room_id();
    if (!host().try_key_open(game_id)) return;
    if (start.players_size() != kSeats) {
      host().key_close(game_id);
      game_over(room_id, game_id, "doudizhu needs exactly 3 players");
      return;
    }
    std::array<TablePlayer, kSeats> players;
    for (int i = 0; i < kSeats; ++i) {
      players[i] = {start.players(i).user_id(), start.players(i).session_id()};
    }
    const auto users = users_of(players);
    if (!index_.claim(game_id, users)) {
      host().key_close(game_id);
      game_over(room_id, game_id, "a player is in another game");
      return;
    }
    try {
      post_keyed(game_id, [this, game_id, room_id, players] { deal(game_id, room_id, players); });
    } catch (const std::exception& e) {
      index_.release(game_id, users);
      host().key_close(game_id);
      host().log_warn("game ", game_id, " not started: ", e.what());
      game_over(room_id, game_id, "the card plugin is busy; try again");
    }
  }

  // On the game's lane: the first deal.
  void deal(std::uint64_t game_id, std::uint64_t room_id,
            const std::array<TablePlayer, kSeats>& players) {
    const auto first = dealer_.first_deal();
    auto table = std::make_unique<Table>(game_id, room_id, players, first.deal, first.first_bidder,
                                         GameConfig{settings_.max_redeals});
    table->started_ms = host().now_ms();
    Table& t = index_.insert(std::move(table));
    for (const auto& p : t.players) {
      if (p.session != 0) host().key_bind(t.game_id, p.session);
    }
    for (Seat s = 0; s < kSeats; ++s) {
      if (t.players[s].session == 0) (void)t.game.set_auto(s, true);  // dropped before the deal
    }
    restart_timer(t);
    send_views(t);
    progress(t);
  }

  // Everything below runs on the lane of the table it is given (or names).

  // Tells the players what happened since they were last told, lets the server act for
  // auto-play seats, deals again after all passed, and ends a finished game.
  // Entries that move the game on (bids, passes, plays, deals), not auto-play switches: the
  // turn timer restarts only for these, so toggling auto-play cannot stall the seat on turn.
  static std::size_t moves(const Game& game) {
    std::size_t n = 0;
    for (const auto& a : game.record()) n += a.kind == ActionKind::kSetAuto ? 0 : 1;
    return n;
  }

  void progress(Table& t) {
    const auto turn_actions = moves(t.game);
    for (;;) {
      tell(t);
      if (t.game.phase() == Phase::kFinished) {
        finish(t);
        return;
      }
      if (t.game.phase() == Phase::kAwaitingRedeal) {
        if (t.game.redeal(dealer_.deal()) != GameError::kOk) {
          throw std::logic_error("a fresh deal was refused");
        }
        t.told = t.game.record().size();
        t.counts.fill(17);
        pb::GameEvent e = event(t, pb::GameEvent::REDEAL);
        broadcast(t, e);
        send_views(t);
        continue;
      }
      if (t.game.step_auto().empty()) break;
    }
    if (moves(t.game) != turn_actions || t.turn_deadline_ms == 0) restart_timer(t);
  }

  void tell(Table& t) {
    tell_auto(t);
    const auto& record = t.game.record();
    for (; t.told < record.size(); ++t.told) {
      const Action& a = record[t.told];
      if (a.kind == ActionKind::kPlay && !t.landlord_told) tell_landlord(t);
      pb::GameEvent e;
      switch (a.kind) {
        case ActionKind::kBid:
          e = event(t, pb::GameEvent::BID);
          e.set_bid(a.bid);
          break;
        case ActionKind::kPass:
          e = event(t, pb::GameEvent::PASS);
          break;
        case ActionKind::kPlay:
          t.counts[a.seat] -= a.cards.size();
          e = event(t, pb::GameEvent::PLAY);
          add_cards(e.mutable_cards(), a.cards);
          e.set_type(static_cast<pb::ComboType>(a.combo.type));
          break;
        default:
          continue;  // redeals are told by progress, auto-play changes by tell_auto
      }
      e.set_seat(a.seat);
      e.set_source(static_cast<pb::Source>(a.source));
      broadcast(t, e);
    }
    if (t.game.landlord() && !t.landlord_told) tell_landlord(t);
    tell_auto(t);
  }

  void tell_landlord(Table& t) {
    t.landlord_told = true;
    const Seat landlord = *t.game.landlord();
    t.counts[landlord] += 3;
    auto e = event(t, pb::GameEvent::LANDLORD);
    e.set_seat(landlord);
    e.set_bid(static_cast<std::uint32_t>(t.game.bid()));
    add_cards(e.mutable_cards(), *t.game.hole());
    broadcast(t, e);
  }

  void tell_auto(Table& t) {
    for (Seat s = 0; s < kSeats; ++s) {
      if (t.game.is_auto(s) == t.auto_told[s]) continue;
      t.auto_told[s] = t.game.is_auto(s);
      auto e = event(t, pb::GameEvent::AUTO_PLAY);
      e.set_seat(s);
      e.set_on(t.auto_told[s]);
      broadcast(t, e);
    }
  }

  pb::GameEvent event(const Table& t, pb::GameEvent::Kind kind) const {
    pb::GameEvent e;
    e.set_game_id(t.game_id);
    e.set_kind(kind);
    e.set_turn(t.game.turn());
    e.set_turn_ms_left(static_cast<std::uint32_t>(settings_.turn_ms));
    for (const auto n : t.counts) e.add_card_counts(static_cast<std::uint32_t>(n));
    return e;
  }

  void broadcast(const Table& t, const pb::GameEvent& e) {
    for (const auto& p : t.players) {
      if (p.session != 0) host().send(p.session, e);
    }
  }

  void send_views(const Table& t) {
    const auto now = host().now_ms();
    for (Seat s = 0; s < kSeats; ++s) {
      if (t.players[s].session != 0) host().send(t.players[s].session, view_for(t, s, now));
    }
  }

  // Started on the table's lane, so the timer fires there.
  void restart_timer(Table& t) { restart_timer(t, settings_.turn_ms); }
  void restart_timer(Table& t, std::uint64_t delay_ms) {
    t.turn_deadline_ms = host().now_ms() + delay_ms;
    const auto game_id = t.game_id;
    t.turn_timer = start_timer(std::max<std::uint64_t>(delay_ms, 1), 0,
                               [this, game_id] { timed_out(game_id); });
  }

  void timed_out(std::uint64_t game_id) {
    Table* table = index_.find(game_id);
    if (table == nullptr || table->finished) return;
    Table& t = *table;
    t.turn_timer = gamehost::Token();
    t.turn_deadline_ms = 0;
    (void)t.game.on_timeout(t.game.turn());
    progress(t);
  }

  void game_over(std::uint64_t room_id, std::uint64_t game_id, const std::string& reason) {
    room::GameOver over;
    over.set_room_id(room_id);
    over.set_game_id(game_id);
    over.set_game_type(settings_.game_type);
    over.set_reason(reason);
    host().publish(gh_room::kGameOverTopic, over);
  }

  // The game ended: the room is told at once; coins and the record follow.
  void finish(Table& t) {
    t.finished = true;
    t.turn_timer = gamehost::Token();
    const auto result = *t.game.result();
    Coins owed = result.deltas;
    for (auto& c : owed) c *= settings_.stake;
    t.owed = owed;
    auto e = event(t, pb::GameEvent::FINISHED);
    *e.mutable_result() = result_message(result, owed, false);
    broadcast(t, e);
    index_.release(t.game_id, users_of(t.players));  // free for the next game
    game_over(t.room_id, t.game_id, "");
    settle(t.game_id, owed, 1);
  }

  // Made on the lane: the result, and a retry's timer, come back to it.
  void settle(std::uint64_t game_id, Coins owed, int attempt) {
    const Table& t = *index_.find(game_id);
    upb::Settle request;
    for (Seat s = 0; s < kSeats; ++s) {
      auto* entry = request.add_entries();
      entry->set_user_id(t.players[s].user);
      entry->set_amount(owed[s]);
    }
    request.set_reason(settings_.game_type);
    request.set_reference(std::to_string(game_id));
    request.set_idempotency_key("card:" + std::to_string(game_id));
    call("user", gh_user::api::kSettle, request,
         [this, game_id, owed, attempt](const gamehost::CallOutcome<upb::SettleResult>& r) {
           if (!r.ok() && attempt < settings_.settle_attempts) {
             host().log_warn("game ", game_id, ": settlement attempt ", attempt, " failed (",
                             gamehost::describe(r.error()), "); trying again");
             index_.find(game_id)->retry_timer = start_timer(
                 settings_.settle_retry_ms, 0, [=, this] { settle(game_id, owed, attempt + 1); });
             return;
           }
           Coins moved{};
           bool settled = r.ok() && r->error() == 0;
           if (settled) {
             for (int s = 0; s < kSeats && s < r->applied_size(); ++s)
               moved[s] = r->applied(s).amount();
           } else {
             host().log_error("game ", game_id, ": coins not settled (",
                              r.ok() ? gamehost::concat("user error ", r->error())
                                     : std::string(gamehost::describe(r.error())),
                              "); the record keeps what was owed");
           }
           settled_game(game_id, settled ? moved : owed, settled);
         });
  }

  // The coins moved (or could not be): the record is stored first, so a player who hears
  // SETTLED finds the game in their recent games; then the game's key closes (which also
  // unbinds the sessions still bound to it, not those a next game has bound since) and the
  // table goes.
  void settled_game(std::uint64_t game_id, const Coins& coins, bool settled) {
    store(*index_.find(game_id), coins, settled, [this, game_id, coins, settled] {
      const Table& t = *index_.find(game_id);
      auto e = event(t, pb::GameEvent::SETTLED);
      *e.mutable_result() = result_message(*t.game.result(), coins, settled);
      broadcast(t, e);
      host().key_close(game_id);  // a drained old build may unload after its last game
      const auto gone = index_.erase(game_id);  // destroyed here, outside the index's lock
    });
  }

  // Writes the game and its players in one transaction, then runs `then` back on the
  // table's lane (also when the write failed: the failure is logged, the game still ends).
  void store(const Table& t, const Coins& coins, bool settled, std::function<void()> then) {
    const auto result = *t.game.result();
    const auto record = record_text(t.game);
    const auto game_id = t.game_id, room_id = t.room_id, started = t.started_ms;
    const auto ended = host().now_ms();
    const auto players = t.players;
    try {
      with_db(
          [=](gamehost::Db& db) {
            auto tx = db.begin();
            db.exec(
                "INSERT INTO card_games (game_id, room_id, started_at_ms, ended_at_ms, "
                "landlord_seat, bid, bombs, spring, score, settled, record) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                game_id, room_id, started, ended, static_cast<int>(result.landlord), result.bid,
                result.bombs + result.rockets, result.spring || result.anti_spring ? 1 : 0,
                result.score, settled ? 1 : 0, record);
            for (int s = 0; s < kSeats; ++s) {
              const bool won = (s == result.landlord) == result.landlord_won;
              db.exec(
                  "INSERT INTO card_game_players (game_id, seat, user_id, won, coins, "
                  "ended_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
                  game_id, s, players[s].user, won ? 1 : 0, coins[s], ended);
            }
            tx.commit();
            return true;
          },
          [this, game_id, then](gamehost::Result<bool>& r) {
            if (!r.ok())
              host().log_error("game ", game_id, ": record not stored: ", r.error_text());
            then();
          });
    } catch (const std::exception& e) {  // too many jobs in flight: the record is lost
      host().log_error("game ", game_id, ": record not stored: ", e.what());
      then();
    }
  }

  // ---- Games whose coins did not move (on the queue: no table is touched) -----------------
  // A game is stored unsettled when every settle attempt failed (the user plugin was down
  // or its database unreachable). Every resettle_interval_ms the oldest of them are settled
  // again with the same idempotent call (the game id is the key, so a game is paid once
  // however often it is tried, also across restarts); when it succeeds, the record says so.
  struct Unsettled {
    std::uint64_t game_id = 0;
    std::vector<std::pair<gamehost::UserId, std::int64_t>> seats;  // by seat: user, owed
  };
  static constexpr int kSweepGames = 50;

  void sweep_unsettled() {
    if (sweeping_) return;  // the last sweep is still at work
    sweeping_ = true;
    try {
      with_db(
          [](gamehost::Db& db) {
            const auto rows = db.query(
                "SELECT p.game_id, p.seat, p.user_id, p.coins FROM card_game_players p JOIN "
                "card_games g ON g.game_id = p.game_id WHERE g.settled = 0 ORDER BY p.game_id, "
                "p.seat LIMIT ?",
                kSweepGames * kSeats);
            std::vector<Unsettled> out;
            for (const auto& row : rows) {
              const auto id = static_cast<std::uint64_t>(row.int64(0));
              if (out.empty() || out.back().game_id != id) out.push_back(Unsettled{id, {}});
              out.back().seats.emplace_back(static_cast<gamehost::UserId>(row.int64(2)),
                                            row.int64(3));
            }
            return out;
          },
          [this](gamehost::Result<std::vector<Unsettled>>& r) {
            if (!r.ok()) {
              sweeping_ = false;
              host().log_warn("unsettled games not read: ", r.error_text());
              return;
            }
            pending_resettles_ = 0;
            for (const auto& game : r.value()) {
              if (game.seats.size() != kSeats) continue;  // a torn record: left for an operator
              ++pending_resettles_;
              resettle(game);
            }
            if (pending_resettles_ == 0) sweeping_ = false;
          });
    } catch (const std::exception& e) {  // too much work in flight: the next sweep tries
      sweeping_ = false;
      host().log_warn("unsettled games not swept: ", e.what());
    }
  }

  void resettle(const Unsettled& game) {
    upb::Settle request;
    for (const auto& [user, owed] : game.seats) {
      auto* entry = request.add_entries();
      entry->set_user_id(user);
      entry->set_amount(owed);
    }
    request.set_reason(settings_.game_type);
    request.set_reference(std::to_string(game.game_id));
    request.set_idempotency_key("card:" + std::to_string(game.game_id));
    call("user", gh_user::api::kSettle, request,
         [this, id = game.game_id](const gamehost::CallOutcome<upb::SettleResult>& r) {
           if (!r.ok() || r->error() != 0) {
             resettle_done();  // still down: the next sweep tries again
             return;
           }
           std::vector<std::int64_t> moved;
           for (const auto& a : r->applied()) moved.push_back(a.amount());
           mark_settled(id, moved);
         });
  }

  void mark_settled(std::uint64_t game_id, std::vector<std::int64_t> moved) {
    try {
      with_db(
          [game_id, moved](gamehost::Db& db) {
            auto tx = db.begin();
            db.exec("UPDATE card_games SET settled = 1 WHERE game_id = ?", game_id);
            for (std::size_t s = 0; s < moved.size(); ++s) {
              db.exec("UPDATE card_game_players SET coins = ? WHERE game_id = ? AND seat = ?",
                      moved[s], game_id, static_cast<std::int64_t>(s));
            }
            tx.commit();
            return true;
          },
          [this, game_id](gamehost::Result<bool>& r) {
            if (r.ok()) {
              host().log_info("game ", game_id, ": coins settled on a later attempt");
            } else {
              host().log_warn("game ", game_id, ": settled, not marked: ", r.error_text());
            }
            resettle_done();
          });
    } catch (const std::exception& e) {
      host().log_warn("game ", game_id, ": settled, not marked: ", e.what());
      resettle_done();
    }
  }

  void resettle_done() {
    if (pending_resettles_ > 0 && --pending_resettles_ == 0) sweeping_ = false;
  }

  void recent_games(const gamehost::Request& req, const pb::GetRecentGames& in) {
    if (req.user == 0) throw ClientError(GH_CODE_NOT_AUTHENTICATED, "log in first");
    const auto limit = in.limit() == 0 ? kDefaultRecent : std::min(in.limit(), kMaxRecent);
    with_db(
        req,
        [user = req.user, limit](gamehost::Db& db) {
          return db.query(
              "SELECT g.game_id, g.room_id, p.ended_at_ms, p.seat, g.landlord_seat, p.won, "
              "g.score, p.coins, g.settled FROM card_game_players p JOIN card_games g ON g.game_id "
              "= "
              "p.game_id WHERE p.user_id = ? ORDER BY p.ended_at_ms DESC, p.game_id DESC LIMIT ?",
              user, limit);
        },
        [req](const std::vector<gamehost::Row>& rows) {
          pb::RecentGames out;
          for (const auto& row : rows) {
            auto* g = out.add_games();
            g->set_game_id(static_cast<std::uint64_t>(row.int64(0)));
            g->set_room_id(static_cast<std::uint64_t>(row.int64(1)));
            g->set_ended_at_ms(static_cast<std::uint64_t>(row.int64(2)));
            g->set_seat(static_cast<std::uint32_t>(row.int64(3)));
            g->set_landlord(row.int64(3) == row.int64(4));
            g->set_won(row.int64(5) != 0);
            g->set_score(row.int64(6));
            g->set_coins(row.int64(7));
            g->set_settled(row.int64(8) != 0);
          }
          req.reply(out);
        });
  }

  const Settings settings_;
  Dealer dealer_;     // thread-safe
  TableIndex index_;  // thread-safe; the tables in it belong to their lanes
  // On the queue: the handed-over tables not yet posted to their lanes, and its timer.
  std::vector<std::uint64_t> to_resume_;
  gamehost::Token resume_timer_;
  gamehost::Token resettle_timer_;  // on the queue, as is the sweep's state below
  bool sweeping_ = false;
  int pending_resettles_ = 0;
};

}  // namespace
}  // namespace gh_card

GAMEHOST_PLUGIN(gh_card::CardPlugin,
                "name = card\n"
                "version = 1.0.0\n"
                "ranges = 2100-2199\n",
                CARD_MESSAGES)
