// Internal to the racemap plugin: what it stores (migrations/racemap) and the leaderboard
// queries. Every function takes a leased connection and blocks: call them off the plugin's
// queue (with_db). The SQL is portable (docs/sdk.md 8.6) and is also what
// bench/racemap_leaderboard_bench.cpp times.
#pragma once

#include <gamehost/storage.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gh_racemap {

// One racer's line of a finished race.
struct ResultRow {
  std::uint64_t user = 0;
  std::uint32_t place = 0;
  int state = 0;  // racemap.proto RacerState
  std::uint32_t passes = 0;
  std::optional<std::uint64_t> finish_ms;  // race time; none when not finished
};

struct RaceRecord {
  std::uint64_t race_id = 0;
  std::uint64_t room_id = 0;
  std::string track;
  std::uint64_t started_at_ms = 0;  // the go
  std::uint64_t ended_at_ms = 0;
  std::string reason;  // "all_finished" | "time_limit"
  std::vector<ResultRow> results;
};

// Writes the race, its results and the finishers' new best times in one transaction.
// Returns the users whose best time on the track this race improved (or set).
std::vector<std::uint64_t> store_race(gamehost::Db& db, const RaceRecord& record);

struct BoardEntry {
  std::uint32_t rank = 0;
  std::uint64_t user = 0;
  std::uint64_t best_ms = 0;
  std::uint64_t race_id = 0;
  std::uint64_t achieved_at_ms = 0;
};

struct Board {
  std::vector<BoardEntry> top;  // by best time, then user id
  std::uint32_t own_rank = 0;   // 0: the caller has no time on the track
  std::uint64_t own_best_ms = 0;
};

// The SQL of a leaderboard read (`limit` is written into the text; see docs/sdk.md 8.6).
std::string top_sql(std::uint32_t limit);
inline constexpr const char* kOwnBestSql =
    "SELECT best_ms FROM racemap_best WHERE track = ? AND user_id = ?";
// Rank = players with a strictly better time + 1: a range count on racemap_best_by_time.
inline constexpr const char* kBetterCountSql =
    "SELECT COUNT(*) FROM racemap_best WHERE track = ? AND best_ms < ?";

// The top `limit` of a track and the caller's own rank (user 0: none asked).
Board leaderboard(gamehost::Db& db, const std::string& track, std::uint32_t limit,
                  std::uint64_t user);

}  // namespace gh_racemap
