-- The audit trail (审计日志): every event linked into an SM3 hash chain
-- (hash = SM3(prev_hash ‖ canonical encoding), see bole-audit::chain), with SM2-signed
-- checkpoints and the signed anchor a purge leaves behind. Hashes and signatures are
-- lowercase hex; subject_ids and fields are JSON arrays of strings (field names, never values).
-- seq is INTEGER PRIMARY KEY (the rowid) here so SQLite refuses a non-integer seq.

CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id BLOB,
    actor_name TEXT NOT NULL,
    ip TEXT,
    user_agent TEXT,
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_ids TEXT NOT NULL,
    fields TEXT NOT NULL,
    outcome TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);

-- The chain head: appenders take it with an UPDATE first, which serialises them.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
-- The genesis hash, SM3("bole.audit.genesis.v1") (bole_audit::GENESIS_HEX; a test keeps them equal).
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, 'f2cabb70d68a7858b3f3d5145e345561d79021f0209c1a904cadc22aea8e3fc7');

CREATE TABLE audit_checkpoints (
    seq BIGINT PRIMARY KEY,
    hash TEXT NOT NULL,
    signature TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Where verification starts after a purge: the last purged record's seq and hash, signed.
CREATE TABLE audit_anchor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    signature TEXT NOT NULL,
    public_key TEXT NOT NULL,
    purged_before TEXT NOT NULL,
    created_at TEXT NOT NULL
);
