-- API tokens: only a SHA-256 hash of each token is kept (tokens are 256 random bits, so a plain
-- hash cannot be reversed); the name is what the audit log records.
CREATE TABLE tokens (
    name         TEXT    PRIMARY KEY,
    hash         TEXT    NOT NULL UNIQUE,
    scopes       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    created_by   TEXT    NOT NULL,
    expires_at   INTEGER,
    revoked_at   INTEGER,
    last_used_at INTEGER
) WITHOUT ROWID;

-- Every operator and admin action, hash-chained: each checksum covers the previous one and the
-- entry, so an entry changed or removed is found by `aios admin verify`.
CREATE TABLE audit (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    at       INTEGER NOT NULL,
    actor    TEXT    NOT NULL,
    action   TEXT    NOT NULL,
    target   TEXT    NOT NULL,
    details  TEXT    NOT NULL,
    checksum TEXT    NOT NULL
);
CREATE INDEX audit_at ON audit (at);

-- Secrets that connectors and other parts keep (API keys, signing secrets), each encrypted under
-- the master key, which is kept outside this database.
CREATE TABLE secrets (
    name       TEXT    PRIMARY KEY,
    value      BLOB    NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
