-- card plugin: finished Dou Dizhu games (MariaDB/MySQL; 0001_games.sql for SQLite).
-- One card_games row per game with its full record (enough to replay it, see
-- plugins/card/table.hpp record_text), one card_game_players row per seat with the coins
-- the game really moved for that player (after the user plugin's settlement).
CREATE TABLE card_games (
  game_id BIGINT NOT NULL PRIMARY KEY,
  room_id BIGINT NOT NULL,
  started_at_ms BIGINT NOT NULL,
  ended_at_ms BIGINT NOT NULL,
  landlord_seat INTEGER NOT NULL,
  bid INTEGER NOT NULL,
  bombs INTEGER NOT NULL,
  spring INTEGER NOT NULL,
  score BIGINT NOT NULL,
  settled INTEGER NOT NULL,
  record MEDIUMTEXT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE card_game_players (
  game_id BIGINT NOT NULL,
  seat INTEGER NOT NULL,
  user_id BIGINT NOT NULL,
  won INTEGER NOT NULL,
  coins BIGINT NOT NULL,
  ended_at_ms BIGINT NOT NULL,
  PRIMARY KEY (game_id, seat)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE INDEX card_game_players_by_user ON card_game_players (user_id, ended_at_ms);
