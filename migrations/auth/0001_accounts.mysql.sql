-- auth: accounts and revoked tokens (MariaDB/MySQL). Same schema as 0001_accounts.sql.
-- The key columns are compared byte for byte (utf8mb4_bin): device ids and token ids are
-- case-sensitive, and username_key is already lowercased by the plugin.
CREATE TABLE auth_accounts (
  user_id BIGINT NOT NULL PRIMARY KEY,
  username VARCHAR(32) NULL,
  username_key VARCHAR(32) COLLATE utf8mb4_bin NULL,
  password_hash VARCHAR(255) NULL,
  device_id VARCHAR(128) COLLATE utf8mb4_bin NULL,
  created_at_ms BIGINT NOT NULL,
  UNIQUE KEY auth_accounts_username_key (username_key),
  UNIQUE KEY auth_accounts_device_id (device_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE auth_revoked_tokens (
  jti VARCHAR(64) COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
  expires_at_ms BIGINT NOT NULL,
  KEY auth_revoked_tokens_expiry (expires_at_ms)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
