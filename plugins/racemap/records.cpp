#include "records.hpp"

#include <string>

namespace gh_racemap {
namespace {

std::int64_t sql_id(std::uint64_t v) {
  return static_cast<std::int64_t>(v);
}

// A finisher's time becomes their best on the track when it is their first or better.
bool improve_best(gamehost::Db& db, const RaceRecord& r, const ResultRow& row) {
  const auto time = sql_id(*row.finish_ms);
  const auto update = [&] {
    return db.exec(
               "UPDATE racemap_best SET best_ms = ?, race_id = ?, achieved_at_ms = ? "
               "WHERE track = ? AND user_id = ? AND best_ms > ?",
               time, sql_id(r.race_id), sql_id(r.ended_at_ms), r.track, sql_id(row.user),
               time) != 0;
  };
  if (update()) return true;
  if (db.query_one(kOwnBestSql, r.track, sql_id(row.user))) return false;  // as good already
  try {
    db.exec(
        "INSERT INTO racemap_best (track, user_id, best_ms, race_id, achieved_at_ms) "
        "VALUES (?, ?, ?, ?, ?)",
        r.track, sql_id(row.user), time, sql_id(r.race_id), sql_id(r.ended_at_ms));
    return true;
  } catch (const gamehost::DbError& e) {
    // Another host stored a first time for this player meanwhile: compare with that one.
    if (!e.constraint()) throw;
    return update();
  }
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
  const auto better = db.query_one(kBetterCountSql, track, own->int64(0));
  board.own_rank = static_cast<std::uint32_t>(better->int64(0) + 1);
  return board;
}

}  // namespace gh_racemap
