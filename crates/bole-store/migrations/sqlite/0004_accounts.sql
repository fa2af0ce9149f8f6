-- Issue 3 (accounts, sessions, tokens, MFA): password policy state, lockout, TOTP,
-- recovery codes, API tokens, and richer sessions.
-- Instants are RFC 3339 text in UTC (lexical order = time order).

-- Password age and forced change; lockout counters; TOTP (the secret SM4-GCM sealed
-- like the other sealed fields, see bole-store sealed.rs); the last TOTP time step
-- accepted (a code is never accepted twice).
ALTER TABLE users ADD COLUMN password_changed_at TEXT;
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN failed_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN first_failed_at TEXT;
ALTER TABLE users ADD COLUMN locked_until TEXT;
ALTER TABLE users ADD COLUMN mfa_secret BLOB;
ALTER TABLE users ADD COLUMN mfa_enabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_totp_step INTEGER;
UPDATE users SET password_changed_at = created_at;

-- The password hashes an account has had (current one included), newest first by
-- (set_at, id) — ids are UUIDv7, so they break ties in time order; pruned to the
-- configured history length.
CREATE TABLE password_history (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    password_hash TEXT NOT NULL,
    set_at TEXT NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id, set_at);

-- One-time MFA recovery codes: hex(SM3(user id ‖ code)), each usable once.
CREATE TABLE mfa_recovery_codes (
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at TEXT,
    PRIMARY KEY (user_id, code_hash)
);

-- Personal API tokens for integrations (bole_pat_…): only hex(SM3(secret)) is kept;
-- `permissions` narrows the owner's access (comma-separated permission codes).
CREATE TABLE api_tokens (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    permissions TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Sessions get a non-secret id (to list and revoke them), where they came from, the
-- hash of their CSRF token, and an MFA-pending state (the first step of a two-step
-- login). Sessions are short-lived, so the table is rebuilt: upgrading signs everyone out.
DROP TABLE sessions;
CREATE TABLE sessions (
    id BLOB PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    ip TEXT,
    user_agent TEXT,
    csrf_hash TEXT,
    mfa_pending INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
