-- user plugin: profiles, coin balances, the coin ledger and the idempotency keys of coin
-- requests (MariaDB/MySQL, see 0001_profiles_and_coins.sql for SQLite).
-- Every coin change updates user_coins and writes one user_ledger row in one transaction,
-- so a balance always equals the sum of its ledger amounts. Idempotency keys are
-- VARBINARY: compared byte for byte (no case folding, no trailing-space padding).
CREATE TABLE user_profiles (
  user_id BIGINT NOT NULL PRIMARY KEY,
  nickname VARCHAR(255) NOT NULL,
  avatar VARCHAR(256) NOT NULL DEFAULT '',
  level BIGINT NOT NULL DEFAULT 1,
  experience BIGINT NOT NULL DEFAULT 0 CHECK (experience >= 0),
  created_at_ms BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE user_coins (
  user_id BIGINT NOT NULL PRIMARY KEY,
  balance BIGINT NOT NULL CHECK (balance >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- One row per change of one balance: amount > 0 credited, < 0 debited.
CREATE TABLE user_ledger (
  id BIGINT NOT NULL PRIMARY KEY,
  user_id BIGINT NOT NULL,
  amount BIGINT NOT NULL,
  reason VARCHAR(64) NOT NULL,
  reference VARCHAR(128) NOT NULL DEFAULT '',
  balance_after BIGINT NOT NULL CHECK (balance_after >= 0),
  idempotency_key VARBINARY(128) NOT NULL,
  created_at_ms BIGINT NOT NULL,
  INDEX user_ledger_by_user (user_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- One row per applied credit, debit or transfer, written in the same transaction as the
-- change itself: a retried request finds its key here and gets the recorded result.
CREATE TABLE user_coin_requests (
  idempotency_key VARBINARY(128) NOT NULL PRIMARY KEY,
  user_id BIGINT NOT NULL,
  kind VARCHAR(16) NOT NULL,
  amount BIGINT NOT NULL,
  other_user_id BIGINT NOT NULL DEFAULT 0,
  result_balance BIGINT NOT NULL,
  result_other_balance BIGINT NOT NULL DEFAULT 0,
  ledger_id BIGINT NOT NULL,
  created_at_ms BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
