-- racemap plugin: finished races (MariaDB/MySQL; 0001_races.sql for SQLite).
-- One racemap_races row per race, one racemap_results row per racer (place, state as
-- racemap.proto RacerState, finish_ms NULL when not finished), and racemap_best: each
-- player's best finish time per track, with racemap_best_counts: how many best times of a
-- track fall in each second (bucket = best_ms DIV 1000), kept in step by the plugin in the
-- transaction that changes racemap_best. The leaderboard reads the top N in the order of
-- racemap_best_by_time, and a player's rank as 1 + the better times: the players of the
-- faster buckets (a sum over at most one row per second) + COUNT(*) of the better times in
-- the player's own bucket (a short range of racemap_best_by_time).
-- Track names are ASCII (a-z A-Z 0-9 _ - .) compared exactly: ascii_bin. Every statement
-- is CREATE TABLE IF NOT EXISTS (the index inside its table), so a file that failed
-- half-way can run again.
CREATE TABLE IF NOT EXISTS racemap_races (
  race_id BIGINT NOT NULL PRIMARY KEY,
  room_id BIGINT NOT NULL,
  track VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  started_at_ms BIGINT NOT NULL,
  ended_at_ms BIGINT NOT NULL,
  reason VARCHAR(16) NOT NULL,
  racers INTEGER NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS racemap_results (
  race_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  place INTEGER NOT NULL,
  state INTEGER NOT NULL,
  passes INTEGER NOT NULL,
  finish_ms BIGINT NULL,
  ended_at_ms BIGINT NOT NULL,
  PRIMARY KEY (race_id, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS racemap_best (
  track VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user_id BIGINT NOT NULL,
  best_ms BIGINT NOT NULL,
  race_id BIGINT NOT NULL,
  achieved_at_ms BIGINT NOT NULL,
  PRIMARY KEY (track, user_id),
  INDEX racemap_best_by_time (track, best_ms, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS racemap_best_counts (
  track VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  bucket BIGINT NOT NULL,
  players BIGINT NOT NULL,
  PRIMARY KEY (track, bucket)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
