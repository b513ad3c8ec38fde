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
// Rank = 1 + the players with a strictly better time, counted in two parts: the players of
// every faster bucket (racemap_best_counts: one row per second of best times), and the
// better times inside the player's own bucket (a short range of racemap_best_by_time).
// A plain COUNT(*) of all better times walks up to every entry of the track: ~60 ms at a
// million (BENCH.md).
inline constexpr std::int64_t kBucketMs = 1000;  // fixed by the stored counts: never change
inline constexpr const char* kFasterBucketsSql =
    "SELECT SUM(players) FROM racemap_best_counts WHERE track = ? AND bucket < ?";
inline constexpr const char* kBetterInBucketSql =
    "SELECT COUNT(*) FROM racemap_best WHERE track = ? AND best_ms >= ? AND best_ms < ?";

// The players with a time strictly better than `best_ms` on `track`.
std::uint64_t better_than(gamehost::Db& db, const std::string& track, std::int64_t best_ms);

// The top `limit` of a track and the caller's own rank (user 0: none asked).
Board leaderboard(gamehost::Db& db, const std::string& track, std::uint32_t limit,
                  std::uint64_t user);

}  // namespace gh_racemap
