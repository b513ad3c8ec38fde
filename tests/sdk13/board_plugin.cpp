// Test plugin "board": points per player, kept in memory and handed to the next build on a
// live reload; a round timer (setting round_ms, 0 = no rounds) clears them and tells the
// players; each new total is published as the event "board.points". Taps on a fixed set of
// tables (setting tables) are counted on keyed lanes: tables in parallel, each in order.
#include <gamehost/plugin.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "protocol.hpp"

namespace {

namespace pb = gamehost::sdk13;

// Error codes of this plugin, inside its own id range.
constexpr std::uint32_t kErrNoPlayer = 100428;
constexpr std::uint32_t kErrNoSuchTable = 100429;

// The host group of every session that scored: it hears RoundOver.
constexpr const char* kPlayers = "board:players";

class BoardPlugin final : public gamehost::Plugin {
 public:
  BoardPlugin(gamehost::Host& host, std::string_view state)
      : Plugin(host),
        round_ms_(host.setting<std::uint64_t>("round_ms").value_or(60'000)),
        tables_(host.setting<std::uint32_t>("tables").value_or(8)) {
    restore(state);
    handle<pb::AddPoints>(
        [this](gamehost::Request& req, const pb::AddPoints& in) { add_points(req, in); });
    // [board-keyed]
    handle_keyed<pb::Tap>(
        // On the plugin's queue: picks the lane, and may refuse the message.
        [this](gamehost::Request&, const pb::Tap& in) -> std::uint64_t {
          if (in.table() >= tables_.size()) {
            throw gamehost::ClientError(kErrNoSuchTable, gamehost::concat("no table ", in.table()));
          }
          return in.table();
        },
        // On the table's lane: touches that table only (tables_ never grows or shrinks).
        [this](gamehost::Request& req, const pb::Tap& in) {
          auto& table = tables_[in.table()];
          req.reply(tapped(in.table(), ++table.taps));
          if (in.clear_after_ms() > 0) {
            // Started on the lane, so it fires on the lane: it may touch this table.
            table.clear = start_timer(in.clear_after_ms(), 0,
                                      [this, number = in.table(), session = req.session] {
                                        tables_[number].taps = 0;
                                        this->host().send(session, tapped(number, 0));
                                      });
          }
        });
    // [board-keyed]
    // [board-timer]
    if (round_ms_ > 0) {
      round_timer_ = start_timer(round_ms_, round_ms_, [this] { end_round(); });
    }
    // [board-timer]
  }

  // [board-handover]
  std::string export_state() override {
    pb::Standings standings;
    standings.set_round(round_);
    for (const auto& [player, points] : totals_) {
      auto* total = standings.add_totals();
      total->set_player(player);
      total->set_points(points);
    }
    return gamehost::versioned_state(1, standings.SerializeAsString());
  }

 private:
  // Called first in the constructor with what the previous build exported ("" on a cold
  // start). Throwing refuses the new build; the running one goes on serving.
  void restore(std::string_view state) {
    const auto [version, bytes] = gamehost::read_state(state, 1, 1);
    if (version == 0) return;  // a cold start
    pb::Standings standings;
    if (!standings.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      throw gamehost::StateVersionError("board state version 1 does not decode");
    }
    for (const auto& total : standings.totals()) totals_[total.player()] = total.points();
    round_ = standings.round();
  }
  // [board-handover]

  // [board-publish]
  void add_points(gamehost::Request& req, const pb::AddPoints& in) {
    if (in.player().empty()) throw gamehost::ClientError(kErrNoPlayer, "player is missing");
    pb::Total total;
    total.set_player(in.player());
    total.set_points(totals_[in.player()] += in.points());
    host().join_group(kPlayers, req.session);  // a closed session leaves by itself
    req.reply(total);
    host().publish("board.points", total);  // every subscriber but board itself
  }
  // [board-publish]

  // [board-round]
  void end_round() {
    totals_.clear();
    pb::RoundOver over;
    over.set_round(++round_);
    host().send_group(kPlayers, over);
  }
  // [board-round]

  static pb::Tapped tapped(std::uint32_t table, std::uint64_t taps) {
    pb::Tapped out;
    out.set_table(table);
    out.set_taps(taps);
    const auto key = current_key();
    out.set_lane_key(key ? static_cast<std::int64_t>(*key) : -1);
    return out;
  }

  struct Table {
    std::uint64_t taps = 0;
    gamehost::Token clear;  // the pending clear, if any
  };

  const std::uint64_t round_ms_;
  std::vector<Table> tables_;  // sized once; each element belongs to one keyed lane
  std::map<std::string, std::int64_t> totals_;
  std::uint32_t round_ = 0;
  gamehost::Token round_timer_;  // cancels the timer when the plugin goes
};

}  // namespace

GAMEHOST_PLUGIN(BoardPlugin,
                "name = board\nversion = 1.0.0\nranges = 100420-100429\npublic = 100420-100429\n",
                SDK13_BOARD_MESSAGES)
