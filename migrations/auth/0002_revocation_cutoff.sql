-- auth: a logout revokes by one number per account instead of one row per token: tokens
-- of the user issued before tokens_revoked_before_ms (Unix ms) are refused. The old
-- auth_revoked_tokens rows stay until they expire (pruned as before); no new ones are written.
ALTER TABLE auth_accounts ADD COLUMN tokens_revoked_before_ms BIGINT NOT NULL DEFAULT 0;
