-- The tables of memory as its migrations leave them: a new database gets them from this one script
-- instead of replaying each migration. SqliteBaselineTest (aios-server) checks it against the
-- migrations and writes it anew when they change.
-- version: 2
-- covers: V1 memory, V2 memory settings

CREATE TABLE memory_items (
    id         TEXT    PRIMARY KEY,
    kind       TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    importance REAL    NOT NULL,
    pinned     INTEGER NOT NULL,
    source     TEXT    NOT NULL,
    chunks     INTEGER NOT NULL,
    bytes      INTEGER NOT NULL,
    metadata   BLOB    NOT NULL,
    uses       INTEGER NOT NULL DEFAULT 0,
    used_at    INTEGER
)
;

CREATE INDEX memory_items_subject ON memory_items (subject)
;

CREATE INDEX memory_items_kind_created ON memory_items (kind, created_at)
;

CREATE TABLE memory_chunks (
    item_id TEXT    NOT NULL,
    n       INTEGER NOT NULL,
    subject TEXT    NOT NULL,
    text    BLOB    NOT NULL,
    embed   INTEGER NOT NULL,
    model   TEXT,
    vector  BLOB,
    PRIMARY KEY (item_id, n)
)
;

CREATE INDEX memory_chunks_waiting ON memory_chunks (embed) WHERE embed = 1 AND model IS NULL
;

CREATE INDEX memory_chunks_subject ON memory_chunks (subject)
;

CREATE TABLE memory_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    op  TEXT NOT NULL,
    key TEXT NOT NULL
)
;

CREATE TABLE memory_feed (
    source   TEXT    PRIMARY KEY,
    position INTEGER NOT NULL
)
;

CREATE TABLE knowledge_records (
    id      TEXT    NOT NULL,
    version INTEGER NOT NULL,
    kind    TEXT    NOT NULL,
    subject TEXT    NOT NULL,
    content BLOB    NOT NULL,
    at      INTEGER NOT NULL,
    author  TEXT    NOT NULL,
    PRIMARY KEY (id, version)
)
;

CREATE INDEX knowledge_records_subject ON knowledge_records (subject)
;

CREATE TABLE memory_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
)
;
