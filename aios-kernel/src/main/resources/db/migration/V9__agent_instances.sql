-- Stateful agents: one instance per (agent, subject), an actor handling its messages one at a time.
-- Its state and its messages are sealed with the subject's key, so forgetting the subject makes
-- them unreadable (and the rows are deleted with it). Not derived from the run journal: the
-- messages are this table's own log, each handled at most once (the state, the handled mark and
-- the messages it sends later are written together).
CREATE TABLE agent_instances (
    agent        TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    codec        TEXT    NOT NULL,
    state        BLOB    NOT NULL,
    handled      INTEGER NOT NULL,
    failed       INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    last_message TEXT,
    last_at      INTEGER,
    -- When the first queued message is due; NULL while the mailbox is empty.
    next_due     INTEGER,
    -- Coordination, like the work queue's leases: who handles a message of it now.
    lease_owner  TEXT,
    lease_until  INTEGER,
    PRIMARY KEY (agent, subject)
) WITHOUT ROWID;
CREATE INDEX agent_instances_due ON agent_instances (next_due);
CREATE INDEX agent_instances_subject ON agent_instances (subject);

-- Every message, in arrival order (seq), queued until handled; handled ones are kept as the
-- instance's recent history (the newest few hundred per instance).
CREATE TABLE agent_messages (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT    NOT NULL UNIQUE,
    agent       TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    sender      TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    codec       TEXT    NOT NULL,
    body        BLOB    NOT NULL,
    received_at INTEGER NOT NULL,
    due_at      INTEGER NOT NULL,
    status      TEXT    NOT NULL,
    attempts    INTEGER NOT NULL,
    handled_at  INTEGER,
    error       TEXT
);
CREATE INDEX agent_messages_mailbox ON agent_messages (agent, subject, status, due_at, seq);

-- Receipts of the effects a stateful agent performed while handling a message, by idempotency key.
CREATE TABLE agent_receipts (
    effect_key TEXT    PRIMARY KEY,
    agent      TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    result     TEXT    NOT NULL,
    at         INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX agent_receipts_subject ON agent_receipts (subject);
