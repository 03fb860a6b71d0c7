-- The tables of kernel as its migrations leave them: a new database gets them from this one script
-- instead of replaying each migration. SqliteBaselineTest (aios-server) checks it against the
-- migrations and writes it anew when they change.
-- version: 14
-- covers: V1 journal and runs, V2 receipts and snapshots, V3 subject keys and feed, V4 await progress, V5 runs by trigger, V6 loop items, V7 task escalations, V8 tokens audit and secrets, V9 agent instances, V10 nodes, V11 instance outcomes, V12 runs trigger column, V13 journal by position, V14 work due free or lease over

CREATE TABLE events (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT    NOT NULL UNIQUE,
    type           TEXT    NOT NULL,
    subject        TEXT    NOT NULL,
    source         TEXT    NOT NULL,
    time           INTEGER NOT NULL,
    correlation_id TEXT    NOT NULL,
    causation_id   TEXT    NOT NULL,
    codec          TEXT    NOT NULL,
    data           BLOB    NOT NULL,
    received_at    INTEGER NOT NULL
)
;

CREATE INDEX events_subject ON events (subject, seq)
;

CREATE INDEX events_type ON events (type, seq)
;

CREATE TABLE playbooks (
    name       TEXT    NOT NULL,
    version    TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    definition TEXT    NOT NULL,
    loaded_at  INTEGER NOT NULL,
    active     INTEGER NOT NULL,
    PRIMARY KEY (name, version)
) WITHOUT ROWID
;

CREATE TABLE runs (
    id            TEXT    PRIMARY KEY,
    playbook      TEXT    NOT NULL,
    version       TEXT    NOT NULL,
    subject       TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    current_step  TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    last_seq      INTEGER NOT NULL,
    last_checksum TEXT    NOT NULL,
    state         TEXT    NOT NULL
, trigger_id TEXT) WITHOUT ROWID
;

CREATE INDEX runs_created ON runs (created_at)
;

CREATE INDEX runs_status ON runs (status, created_at)
;

CREATE INDEX runs_subject ON runs (subject, created_at)
;

CREATE TABLE work (
    run_id      TEXT    NOT NULL,
    step_id     TEXT    NOT NULL,
    iteration   INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    visible_at  INTEGER NOT NULL,
    attempt     INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    PRIMARY KEY (run_id, step_id, iteration)
) WITHOUT ROWID
;

CREATE TABLE awaits (
    run_id     TEXT    NOT NULL,
    step_id    TEXT    NOT NULL,
    iteration  INTEGER NOT NULL,
    event_type TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    timeout_at INTEGER NOT NULL, checked_seq INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, step_id, iteration)
) WITHOUT ROWID
;

CREATE INDEX awaits_type ON awaits (event_type)
;

CREATE TABLE tasks (
    id          TEXT    PRIMARY KEY,
    run_id      TEXT    NOT NULL,
    step_id     TEXT    NOT NULL,
    iteration   INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    explanation TEXT    NOT NULL,
    details     TEXT    NOT NULL,
    proposed    TEXT    NOT NULL,
    options     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    resolved_at INTEGER,
    resolution  TEXT
, escalations TEXT NOT NULL DEFAULT '[]') WITHOUT ROWID
;

CREATE INDEX tasks_status ON tasks (status, created_at)
;

CREATE INDEX tasks_run ON tasks (run_id)
;

CREATE TABLE receipts (
    effect_key TEXT    PRIMARY KEY,
    run_id     TEXT    NOT NULL,
    step_id    TEXT    NOT NULL,
    iteration  INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    result     TEXT    NOT NULL,
    at         INTEGER NOT NULL
) WITHOUT ROWID
;

CREATE INDEX receipts_run ON receipts (run_id, step_id, iteration)
;

CREATE TABLE snapshots (
    run_id   TEXT    NOT NULL,
    seq      INTEGER NOT NULL,
    checksum TEXT    NOT NULL,
    state    TEXT    NOT NULL,
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID
;

CREATE TABLE subject_keys (
    subject      TEXT    NOT NULL,
    generation   INTEGER NOT NULL,
    key          BLOB,
    created_at   INTEGER NOT NULL,
    forgotten_at INTEGER,
    PRIMARY KEY (subject, generation)
) WITHOUT ROWID
;

CREATE TABLE loop_items (
    run_id  TEXT    NOT NULL,
    block   TEXT    NOT NULL,
    idx     INTEGER NOT NULL,
    item    TEXT    NOT NULL,
    outputs TEXT,
    PRIMARY KEY (run_id, block, idx)
) WITHOUT ROWID
;

CREATE TABLE tokens (
    name         TEXT    PRIMARY KEY,
    hash         TEXT    NOT NULL UNIQUE,
    scopes       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    created_by   TEXT    NOT NULL,
    expires_at   INTEGER,
    revoked_at   INTEGER,
    last_used_at INTEGER
) WITHOUT ROWID
;

CREATE TABLE audit (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    at       INTEGER NOT NULL,
    actor    TEXT    NOT NULL,
    action   TEXT    NOT NULL,
    target   TEXT    NOT NULL,
    details  TEXT    NOT NULL,
    checksum TEXT    NOT NULL
)
;

CREATE INDEX audit_at ON audit (at)
;

CREATE TABLE secrets (
    name       TEXT    PRIMARY KEY,
    value      BLOB    NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID
;

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
    lease_until  INTEGER, ended_at INTEGER,
    PRIMARY KEY (agent, subject)
) WITHOUT ROWID
;

CREATE INDEX agent_instances_due ON agent_instances (next_due)
;

CREATE INDEX agent_instances_subject ON agent_instances (subject)
;

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
, state_codec TEXT, state BLOB)
;

CREATE INDEX agent_messages_mailbox ON agent_messages (agent, subject, status, due_at, seq)
;

CREATE TABLE agent_receipts (
    effect_key TEXT    PRIMARY KEY,
    agent      TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    result     TEXT    NOT NULL,
    at         INTEGER NOT NULL
) WITHOUT ROWID
;

CREATE INDEX agent_receipts_subject ON agent_receipts (subject)
;

CREATE TABLE nodes (
    name       TEXT    PRIMARY KEY,
    started_at INTEGER NOT NULL,
    seen_at    INTEGER NOT NULL
) WITHOUT ROWID
;

CREATE INDEX runs_trigger ON runs (trigger_id)
;

CREATE TABLE "journal" (
    run_id   TEXT    NOT NULL,
    seq      INTEGER NOT NULL,
    type     TEXT    NOT NULL,
    at       INTEGER NOT NULL,
    subject  TEXT    NOT NULL,
    codec    TEXT    NOT NULL,
    payload  BLOB    NOT NULL,
    checksum TEXT    NOT NULL,
    pos      INTEGER PRIMARY KEY
)
;

CREATE UNIQUE INDEX journal_run ON journal (run_id, seq)
;

CREATE INDEX work_free ON work (visible_at) WHERE lease_until IS NULL
;

CREATE INDEX work_leased ON work (lease_until) WHERE lease_until IS NOT NULL
;
