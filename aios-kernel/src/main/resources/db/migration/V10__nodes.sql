-- The processes working on this database, each saying every few seconds that it is alive.
-- Coordination, like a lease: not journaled.
CREATE TABLE nodes (
    name       TEXT    PRIMARY KEY,
    started_at INTEGER NOT NULL,
    seen_at    INTEGER NOT NULL
) WITHOUT ROWID;
