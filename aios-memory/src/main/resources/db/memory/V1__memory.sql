-- Memory's own tables. Text, metadata and vectors of an item about a subject are sealed with the
-- subject's key (AES-GCM), so that forgetting the subject makes them unreadable at once; the rows are
-- then deleted too. The Lucene index is derived from these tables and rebuilt from them when missing.

-- An item: a note, email, document, output, event, journal entry, summary or knowledge record.
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
);
CREATE INDEX memory_items_subject ON memory_items (subject);
CREATE INDEX memory_items_kind_created ON memory_items (kind, created_at);

-- The chunks of an item's text; `vector` is set once the chunk is embedded by `model`.
CREATE TABLE memory_chunks (
    item_id TEXT    NOT NULL,
    n       INTEGER NOT NULL,
    subject TEXT    NOT NULL,
    text    BLOB    NOT NULL,
    embed   INTEGER NOT NULL,
    model   TEXT,
    vector  BLOB,
    PRIMARY KEY (item_id, n)
);
CREATE INDEX memory_chunks_waiting ON memory_chunks (embed) WHERE embed = 1 AND model IS NULL;
CREATE INDEX memory_chunks_subject ON memory_chunks (subject);

-- What the index must catch up on, in order: op `item` (re-index an item), `chunk` (re-index one
-- chunk, key item#n) or `subject` (drop a subject). Applied entries are pruned after an index commit.
CREATE TABLE memory_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    op  TEXT NOT NULL,
    key TEXT NOT NULL
);

-- How far episodic memory has read the kernel's event log and journal.
CREATE TABLE memory_feed (
    source   TEXT    PRIMARY KEY,
    position INTEGER NOT NULL
);

-- Every version of every knowledge record.
CREATE TABLE knowledge_records (
    id      TEXT    NOT NULL,
    version INTEGER NOT NULL,
    kind    TEXT    NOT NULL,
    subject TEXT    NOT NULL,
    content BLOB    NOT NULL,
    at      INTEGER NOT NULL,
    author  TEXT    NOT NULL,
    PRIMARY KEY (id, version)
);
CREATE INDEX knowledge_records_subject ON knowledge_records (subject);
