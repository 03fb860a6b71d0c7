-- The event log and the per-run journal are the source of truth; every other table is derived
-- from the journal and changes only in the transaction that appends the entry causing the change.
-- Payloads go through a codec (column `codec`) so that they can be encrypted per subject.

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
);
CREATE INDEX events_subject ON events (subject, seq);
CREATE INDEX events_type ON events (type, seq);

CREATE TABLE journal (
    run_id   TEXT    NOT NULL,
    seq      INTEGER NOT NULL,
    type     TEXT    NOT NULL,
    at       INTEGER NOT NULL,
    subject  TEXT    NOT NULL,
    codec    TEXT    NOT NULL,
    payload  BLOB    NOT NULL,
    checksum TEXT    NOT NULL,
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

-- Playbook versions, kept so that a run pinned to a version finds it after the file changed.
CREATE TABLE playbooks (
    name       TEXT    NOT NULL,
    version    TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    definition TEXT    NOT NULL,
    loaded_at  INTEGER NOT NULL,
    active     INTEGER NOT NULL,
    PRIMARY KEY (name, version)
) WITHOUT ROWID;

-- Derived: one row per run with its folded state.
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
) WITHOUT ROWID;
CREATE INDEX runs_created ON runs (created_at);
CREATE INDEX runs_status ON runs (status, created_at);
CREATE INDEX runs_subject ON runs (subject, created_at);

-- Derived: steps due (kind 'step'), waits (kind 'timer') and await timeouts (kind 'timeout').
-- lease_owner and lease_until are coordination, not state: they are not journaled.
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
) WITHOUT ROWID;
CREATE INDEX work_due ON work (visible_at);

-- Derived: runs waiting for an event.
CREATE TABLE awaits (
    run_id     TEXT    NOT NULL,
    step_id    TEXT    NOT NULL,
    iteration  INTEGER NOT NULL,
    event_type TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    timeout_at INTEGER NOT NULL,
    PRIMARY KEY (run_id, step_id, iteration)
) WITHOUT ROWID;
CREATE INDEX awaits_type ON awaits (event_type);

-- Derived: the operator's inbox.
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
) WITHOUT ROWID;
CREATE INDEX tasks_status ON tasks (status, created_at);
CREATE INDEX tasks_run ON tasks (run_id);
