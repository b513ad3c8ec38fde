#include "records.hpp"

#include <gamehost/plugin.hpp>

#include <string>

namespace gh_racemap {
namespace {

std::int64_t sql_id(std::uint64_t v) {
  return static_cast<std::int64_t>(v);
}

// One more (delta 1) or one fewer (-1) best time in a track's bucket.
void count_bucket(gamehost::Db& db, const std::string& track, std::int64_t best_ms, int delta) {
  const auto bucket = best_ms / kBucketMs;
  const auto update = [&] {
    return db.exec(
        "UPDATE racemap_best_counts SET players = players + ? WHERE track = ? AND bucket = ?",
        delta, track, bucket);
  };
  if (update() != 0 || delta < 0) return;
  try {
    db.exec("INSERT INTO racemap_best_counts (track, bucket, players) VALUES (?, ?, 1)", track,
            bucket);
  } catch (const gamehost::DbError& e) {
    if (!e.constraint()) throw;  // another host counted the bucket's first time meanwhile
    update();
  }
}

// A finisher's time becomes their best on the track when it is their first or better; the
// bucket counts follow in the same transaction.
bool improve_best(gamehost::Db& db, const RaceRecord& r, const ResultRow& row, int attempt = 0) {
  const auto time = sql_id(*row.finish_ms);
  // MariaDB: a locking read, so a concurrent store of this player waits for this one.
  const bool mysql = db.dialect() == GH_DB_MYSQL;
  const auto own =
      db.query_one(mysql ? gamehost::concat(kOwnBestSql, " FOR UPDATE") : std::string(kOwnBestSql),
                   r.track, sql_id(row.user));
  if (own) {
    const auto old = own->int64(0);
    if (old <= time) return false;
    db.exec(
        "UPDATE racemap_best SET best_ms = ?, race_id = ?, achieved_at_ms = ? "
        "WHERE track = ? AND user_id = ?",
        time, sql_id(r.race_id), sql_id(r.ended_at_ms), r.track, sql_id(row.user));
    count_bucket(db, r.track, old, -1);
    count_bucket(db, r.track, time, 1);
    return true;
  }
  try {
    db.exec(
        "INSERT INTO racemap_best (track, user_id, best_ms, race_id, achieved_at_ms) "
        "VALUES (?, ?, ?, ?, ?)",
        r.track, sql_id(row.user), time, sql_id(r.race_id), sql_id(r.ended_at_ms));
  } catch (const gamehost::DbError& e) {
    // Another host stored a first time for this player meanwhile: compare with that one.
    if (!e.constraint() || attempt > 0) throw;
    return improve_best(db, r, row, attempt + 1);
  }
  count_bucket(db, r.track, time, 1);
  return true;
}

}  // namespace

std::vector<std::uint64_t> store_race(gamehost::Db& db, const RaceRecord& r) {
  std::vector<std::uint64_t> improved;
  auto tx = db.begin();
  db.exec(
      "INSERT INTO racemap_races (race_id, room_id, track, started_at_ms, ended_at_ms, reason, "
      "racers) VALUES (?, ?, ?, ?, ?, ?, ?)",
      sql_id(r.race_id), sql_id(r.room_id), r.track, sql_id(r.started_at_ms), sql_id(r.ended_at_ms),
      r.reason, static_cast<std::int64_t>(r.results.size()));
  for (const auto& row : r.results) {
    std::optional<std::int64_t> finish;
    if (row.finish_ms) finish = sql_id(*row.finish_ms);
    db.exec(
        "INSERT INTO racemap_results (race_id, user_id, place, state, passes, finish_ms, "
        "ended_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
        sql_id(r.race_id), sql_id(row.user), row.place, row.state, row.passes, finish,
        sql_id(r.ended_at_ms));
  }
  for (const auto& row : r.results) {
    if (row.finish_ms && improve_best(db, r, row)) improved.push_back(row.user);
  }
  tx.commit();
  return improved;
}

std::uint64_t better_than(gamehost::Db& db, const std::string& track, std::int64_t best_ms) {
  const auto bucket = best_ms / kBucketMs;
  const auto faster = db.query_one(kFasterBucketsSql, track, bucket);  // SUM: NULL when none
  const auto inside = db.query_one(kBetterInBucketSql, track, bucket * kBucketMs, best_ms);
  const auto n = (faster && !faster->is_null(0) ? faster->int64(0) : 0) + inside->int64(0);
  return static_cast<std::uint64_t>(n);
}

std::string top_sql(std::uint32_t limit) {
  return "SELECT user_id, best_ms, race_id, achieved_at_ms FROM racemap_best WHERE track = ? "
         "ORDER BY best_ms, user_id LIMIT " +
         std::to_string(limit);
}

Board leaderboard(gamehost::Db& db, const std::string& track, std::uint32_t limit,
                  std::uint64_t user) {
  Board board;
  for (const auto& row : db.query(top_sql(limit), track)) {
    BoardEntry e;
    e.user = static_cast<std::uint64_t>(row.int64(0));
    e.best_ms = static_cast<std::uint64_t>(row.int64(1));
    e.race_id = static_cast<std::uint64_t>(row.int64(2));
    e.achieved_at_ms = static_cast<std::uint64_t>(row.int64(3));
    // Ties share the rank of the first of them: the count of better times + 1.
    e.rank = board.top.empty() ? 1
             : board.top.back().best_ms == e.best_ms
                 ? board.top.back().rank
                 : static_cast<std::uint32_t>(board.top.size() + 1);
    if (e.user == user) board.own_rank = e.rank, board.own_best_ms = e.best_ms;
    board.top.push_back(e);
  }
  if (user == 0 || board.own_rank != 0) return board;
  const auto own = db.query_one(kOwnBestSql, track, sql_id(user));
  if (!own) return board;
  board.own_best_ms = static_cast<std::uint64_t>(own->int64(0));
  board.own_rank = static_cast<std::uint32_t>(better_than(db, track, own->int64(0)) + 1);
  return board;
}

}  // namespace gh_racemap
