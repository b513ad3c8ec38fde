// gamehost_racemap_leaderboard_bench: the racemap leaderboard read (top N of a track and the
// caller's own rank) at a million stored results, on SQLite (plugins/racemap/BENCH.md).
//
//   --mode file     the plugin's SQL (plugins/racemap/records.hpp) on an SQLite file opened
//                   as the host opens it (WAL, synchronous=FULL, default page cache), with
//                   the real migration applied: what one request costs the database.
//   --mode plugin   GetLeaderboard (3108) delivered to the racemap plugin in the SDK's fake
//                   host (in-memory SQLite): the whole request, handler, with_db, query and
//                   reply, as a client sees it minus the network.
//
//   --results N          stored results (racemap_results rows; default 1000000)
//   --results-per-player R  results per player and track; best times = N / R (default 1:
//                        every result is a distinct player's best, the largest board)
//   --tracks T           the results spread over T tracks (default 1)
//   --queries Q          timed requests (default 2000), each from a random player with a time
//   --limit L            entries of the top list (default 10)
//   --db PATH            the SQLite file (file mode; default racemap_bench.db in the working
//                        directory, removed first)
//   --check 1            file mode: check every rank against a plain COUNT(*) (not timed
//                        apart: leave it off for figures)
//
// Each request is the plugin's statements: the top L rows by the index
// racemap_best_by_time, the caller's best by the primary key, and the rank as 1 + the
// players of the faster one-second buckets (racemap_best_counts) + COUNT(*) of the better
// times in the caller's bucket (skipped when the caller is in the top list). Prints
// p50/p90/p99/max per request, the same for the slowest player on the board, and, for
// comparison, the rank as one plain COUNT(*) of all better times.
//
// Exit status: 0 measured, 1 bad flags, 2 set-up failed.
#include <sqlite3.h>
#include <gamehost/plugin.hpp>
#include <gamehost/testing.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "racemap.pb.h"
#include "records.hpp"

GAMEHOST_DECLARE_PLUGIN(racemap);

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string mode = "file";
  std::uint64_t results = 1'000'000;
  std::uint64_t per_player = 1;
  std::uint32_t tracks = 1;
  std::uint64_t queries = 2000;
  std::uint32_t limit = 10;
  std::string db = "racemap_bench.db";
};

std::string track_name(std::uint32_t t) {
  return "track" + std::to_string(t);
}

// The migration file, as the host would apply it.
std::string migration() {
  std::ifstream in(std::string(RACEMAP_MIGRATIONS_DIR) + "/0001_races.sql");
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().empty()) throw std::runtime_error("cannot read the racemap migration");
  return text.str();
}

// N results: result i is player (i / R) on track (i % T)... laid out so that each player
// races one track R times; its best is the minimum of its R times. Times are a fixed
// hash of i in 30-630 s (so there are ties), users start at 1000000.
std::string seed_sql(const Options& o) {
  const auto players = o.results / o.per_player;
  std::ostringstream sql;
  sql << "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < "
      << o.results - 1 << ") "
      << "INSERT INTO racemap_results (race_id, user_id, place, state, passes, finish_ms, "
         "ended_at_ms) SELECT i, 1000000 + i % "
      << players << ", 1, 1, 9, 30000 + (i * 2654435761) % 600000, 1700000000000 + i FROM n;\n";
  sql << "INSERT INTO racemap_best (track, user_id, best_ms, race_id, achieved_at_ms) "
         "SELECT 'track' || ((user_id - 1000000) % "
      << o.tracks
      << "), user_id, MIN(finish_ms), MIN(race_id), MAX(ended_at_ms) FROM racemap_results "
         "GROUP BY user_id;\n";
  sql << "INSERT INTO racemap_best_counts (track, bucket, players) SELECT track, best_ms / "
      << gh_racemap::kBucketMs << ", COUNT(*) FROM racemap_best GROUP BY track, best_ms / "
      << gh_racemap::kBucketMs << ";\n";
  return sql.str();
}

struct Stats {
  std::vector<double> us;
  void add(Clock::duration d) {
    us.push_back(std::chrono::duration<double, std::micro>(d).count());
  }
  double at(double q) {
    std::sort(us.begin(), us.end());
    return us[std::min(us.size() - 1, static_cast<std::size_t>(q * us.size()))];
  }
  void print(const char* what) {
    std::printf("%-34s n=%-6zu p50=%9.1f us  p90=%9.1f us  p99=%9.1f us  max=%9.1f us\n", what,
                us.size(), at(0.50), at(0.90), at(0.99), at(1.0));
  }
};

// ---- file mode: the plugin's SQL on an SQLite file ----------------------------------------
struct Sqlite {
  sqlite3* db = nullptr;
  explicit Sqlite(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK)
      throw std::runtime_error("cannot open " + path);
    exec("PRAGMA journal_mode=WAL");  // as host/storage/connection.cpp
    exec("PRAGMA synchronous=FULL");
    exec("PRAGMA foreign_keys=ON");
  }
  ~Sqlite() { sqlite3_close(db); }
  void exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string why = error != nullptr ? error : "?";
      sqlite3_free(error);
      throw std::runtime_error("sql failed: " + why);
    }
  }
  std::int64_t value(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
    std::int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
  }
};

// One leaderboard request with records.hpp's statements, prepared per request as the
// host's Db does. Returns the caller's rank.
bool check_ranks = false;

std::uint32_t file_request(sqlite3* db, const std::string& track, std::uint32_t limit,
                           std::int64_t user, std::vector<std::int64_t>& top) {
  const auto run = [&](const char* sql, auto bind, auto row) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sqlite3_errmsg(db));
    }
    bind(st);
    while (sqlite3_step(st) == SQLITE_ROW) row(st);
    sqlite3_finalize(st);
  };
  const auto bind_track = [&](sqlite3_stmt* st) {
    sqlite3_bind_text(st, 1, track.data(), static_cast<int>(track.size()), SQLITE_STATIC);
  };
  top.clear();
  std::uint32_t rank = 0;
  std::int64_t last_ms = -1;
  std::uint32_t last_rank = 0;
  run(gh_racemap::top_sql(limit).c_str(), bind_track, [&](sqlite3_stmt* st) {
    const auto u = sqlite3_column_int64(st, 0), ms = sqlite3_column_int64(st, 1);
    last_rank = ms == last_ms ? last_rank : static_cast<std::uint32_t>(top.size() + 1);
    last_ms = ms;
    top.push_back(u);
    if (u == user) rank = last_rank;
  });
  if (rank != 0) return rank;
  std::int64_t best = -1;
  run(
      gh_racemap::kOwnBestSql,
      [&](sqlite3_stmt* st) {
        bind_track(st);
        sqlite3_bind_int64(st, 2, user);
      },
      [&](sqlite3_stmt* st) { best = sqlite3_column_int64(st, 0); });
  if (best < 0) return 0;
  const auto bucket = best / gh_racemap::kBucketMs;
  std::int64_t better = 0;
  run(
      gh_racemap::kFasterBucketsSql,
      [&](sqlite3_stmt* st) {
        bind_track(st);
        sqlite3_bind_int64(st, 2, bucket);
      },
      [&](sqlite3_stmt* st) { better += sqlite3_column_int64(st, 0); });
  run(
      gh_racemap::kBetterInBucketSql,
      [&](sqlite3_stmt* st) {
        bind_track(st);
        sqlite3_bind_int64(st, 2, bucket * gh_racemap::kBucketMs);
        sqlite3_bind_int64(st, 3, best);
      },
      [&](sqlite3_stmt* st) { better += sqlite3_column_int64(st, 0); });
  rank = static_cast<std::uint32_t>(better + 1);
  // --check: the plain count of every better time, which the two parts must equal.
  if (check_ranks) {
    std::int64_t plain = -1;
    run(
        "SELECT COUNT(*) FROM racemap_best WHERE track = ? AND best_ms < ?",
        [&](sqlite3_stmt* st) {
          bind_track(st);
          sqlite3_bind_int64(st, 2, best);
        },
        [&](sqlite3_stmt* st) { plain = sqlite3_column_int64(st, 0); });
    if (plain != better) throw std::runtime_error("bucketed rank differs from the plain count");
  }
  return rank;
}

int run_file(const Options& o) {
  std::filesystem::remove(o.db);
  std::filesystem::remove(o.db + "-wal");
  std::filesystem::remove(o.db + "-shm");
  {
    const auto t0 = Clock::now();
    Sqlite s(o.db);
    s.exec(migration());
    s.exec("BEGIN");
    s.exec(seed_sql(o));
    s.exec("COMMIT");
    s.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    std::printf("seeded %llu results, %lld best times on %u track(s) in %.1f s; file %.0f MB\n",
                static_cast<unsigned long long>(o.results),
                static_cast<long long>(s.value("SELECT COUNT(*) FROM racemap_best")), o.tracks,
                std::chrono::duration<double>(Clock::now() - t0).count(),
                std::filesystem::file_size(o.db) / 1e6);
  }
  Sqlite s(o.db);  // a fresh connection, as a pooled one: default page cache, nothing warm
  const auto players = static_cast<std::int64_t>(o.results / o.per_player);
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<std::int64_t> pick(0, players - 1);
  std::vector<std::int64_t> top;
  Stats random, worst;
  std::uint64_t checksum = 0;
  for (std::uint64_t q = 0; q < o.queries; ++q) {
    const auto i = pick(rng);
    const auto track = track_name(static_cast<std::uint32_t>(i % o.tracks));
    const auto t0 = Clock::now();
    checksum += file_request(s.db, track, o.limit, 1'000'000 + i, top);
    random.add(Clock::now() - t0);
  }
  // The slowest player of track 0: every other time on the track is counted.
  const auto slowest = s.value(
      "SELECT user_id FROM racemap_best WHERE track = 'track0' ORDER BY best_ms DESC LIMIT 1");
  std::uint32_t slow_rank = 0;
  for (std::uint64_t q = 0; q < std::min<std::uint64_t>(o.queries, 200); ++q) {
    const auto t0 = Clock::now();
    slow_rank = file_request(s.db, "track0", o.limit, slowest, top);
    worst.add(Clock::now() - t0);
  }
  random.print("file: random player");
  worst.print("file: slowest player (rank)");
  // For comparison: the rank as one plain COUNT(*) of the better times (no bucket counts).
  Stats plain_random, plain_worst;
  const auto plain = [&](const std::string& track, std::int64_t user) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(
        s.db,
        "SELECT COUNT(*) FROM racemap_best WHERE track = ?1 AND best_ms < (SELECT best_ms FROM "
        "racemap_best WHERE track = ?1 AND user_id = ?2)",
        -1, &st, nullptr);
    sqlite3_bind_text(st, 1, track.data(), static_cast<int>(track.size()), SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, user);
    sqlite3_step(st);
    sqlite3_finalize(st);
  };
  for (std::uint64_t q = 0; q < std::min<std::uint64_t>(o.queries, 300); ++q) {
    const auto i = pick(rng);
    const auto t0 = Clock::now();
    plain(track_name(static_cast<std::uint32_t>(i % o.tracks)), 1'000'000 + i);
    plain_random.add(Clock::now() - t0);
  }
  for (int q = 0; q < 50; ++q) {
    const auto t0 = Clock::now();
    plain("track0", slowest);
    plain_worst.add(Clock::now() - t0);
  }
  plain_random.print("file: plain COUNT rank, random");
  plain_worst.print("file: plain COUNT rank, slowest");
  std::printf("(slowest player's rank %u; checksum %llu)\n", slow_rank,
              static_cast<unsigned long long>(checksum));
  for (const auto* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(o.db + suffix);
  return 0;
}

// ---- plugin mode: GetLeaderboard through the fake host --------------------------------------
int run_plugin(const Options& o) {
  gamehost::testing::FakeHost host;
  host.apply_migrations(RACEMAP_MIGRATIONS_DIR);
  std::string tracks;
  for (std::uint32_t t = 0; t < o.tracks; ++t) {
    tracks += (t ? "; " : "") + track_name(t) + " cp=0,0,5 100,0,5";
  }
  host.set_setting_for("racemap", "tracks", tracks);
  const auto t0 = Clock::now();
  host.sql(seed_sql(o));
  std::printf("seeded %llu results, %s best times on %u track(s) in %.1f s (in memory)\n",
              static_cast<unsigned long long>(o.results),
              host.sql_value("SELECT COUNT(*) FROM racemap_best").c_str(), o.tracks,
              std::chrono::duration<double>(Clock::now() - t0).count());
  host.load(gamehost_plugin_racemap());
  const auto players = static_cast<std::int64_t>(o.results / o.per_player);
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<std::int64_t> pick(0, players - 1);
  const auto s = host.connect();
  const auto request = [&](std::int64_t user, const std::string& track) {
    host.authenticate(s, static_cast<gh_user_id>(user));
    host.clear_sent();
    gamehost::racemap::GetLeaderboard q;
    q.set_track(track);
    q.set_limit(o.limit);
    const auto start = Clock::now();
    const auto out = host.deliver(s, 3108, q);
    const auto took = Clock::now() - start;
    if (!out.ok()) throw std::runtime_error("GetLeaderboard failed: " + out.error_text);
    return std::pair{took, host.last_sent<gamehost::racemap::Leaderboard>(s, 3109).your_rank()};
  };
  Stats random, worst;
  for (std::uint64_t q = 0; q < o.queries; ++q) {
    const auto i = pick(rng);
    random.add(request(1'000'000 + i, track_name(static_cast<std::uint32_t>(i % o.tracks))).first);
  }
  const auto slowest = std::stoll(host.sql_value(
      "SELECT user_id FROM racemap_best WHERE track = 'track0' ORDER BY best_ms DESC LIMIT 1"));
  std::uint32_t slow_rank = 0;
  for (std::uint64_t q = 0; q < std::min<std::uint64_t>(o.queries, 200); ++q) {
    const auto [took, rank] = request(slowest, "track0");
    worst.add(took);
    slow_rank = rank;
  }
  random.print("plugin: random player");
  worst.print("plugin: slowest player (rank)");
  std::printf("(slowest player's rank %u)\n", slow_rank);
  return 0;
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return false;
    const std::string v = argv[++i];
    try {
      if (flag == "--mode") {
        o.mode = v;
      } else if (flag == "--results") {
        o.results = std::stoull(v);
      } else if (flag == "--results-per-player") {
        o.per_player = std::stoull(v);
      } else if (flag == "--tracks") {
        o.tracks = static_cast<std::uint32_t>(std::stoul(v));
      } else if (flag == "--queries") {
        o.queries = std::stoull(v);
      } else if (flag == "--limit") {
        o.limit = static_cast<std::uint32_t>(std::stoul(v));
      } else if (flag == "--db") {
        o.db = v;
      } else if (flag == "--check") {
        check_ranks = v == "1";
      } else {
        return false;
      }
    } catch (const std::exception&) {
      return false;
    }
  }
  return (o.mode == "file" || o.mode == "plugin") && o.results >= 1 && o.per_player >= 1 &&
         o.per_player <= o.results && o.tracks >= 1 && o.queries >= 1 && o.limit >= 1 &&
         o.limit <= 100;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::fprintf(stderr,
                 "usage: %s [--mode file|plugin] [--results N] [--results-per-player R] "
                 "[--tracks T] [--queries Q] [--limit L<=100] [--db PATH] [--check 1]\n",
                 argv[0]);
    return 1;
  }
  try {
    return o.mode == "file" ? run_file(o) : run_plugin(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "racemap bench: %s\n", e.what());
    return 2;
  }
}
