-- auth: accounts and revoked tokens (SQLite). A guest account has a device_id and no
-- username; binding credentials fills username, username_key and password_hash.
-- username_key is the lowercased username: uniqueness ignores case.
CREATE TABLE auth_accounts (
  user_id INTEGER PRIMARY KEY,
  username VARCHAR(32) NULL,
  username_key VARCHAR(32) NULL UNIQUE,
  password_hash VARCHAR(255) NULL,
  device_id VARCHAR(128) NULL UNIQUE,
  created_at_ms BIGINT NOT NULL
);

-- Tokens revoked by a logout, kept until they would have expired anyway.
CREATE TABLE auth_revoked_tokens (
  jti VARCHAR(64) PRIMARY KEY,
  expires_at_ms BIGINT NOT NULL
);

CREATE INDEX auth_revoked_tokens_expiry ON auth_revoked_tokens (expires_at_ms);
