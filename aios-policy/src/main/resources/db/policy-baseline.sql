-- The tables of policy as its migrations leave them: a new database gets them from this one script
-- instead of replaying each migration. SqliteBaselineTest (aios-server) checks it against the
-- migrations and writes it anew when they change.
-- version: 3
-- covers: V1 policy, V2 task views, V3 anomaly runs

CREATE TABLE policy_versions (
    version     INTEGER PRIMARY KEY,
    document    TEXT    NOT NULL, -- the policy as JSON
    author      TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    source_hash TEXT    NOT NULL  -- for versions from aios.yaml: the hash of its policy section, else ''
)
;

CREATE TABLE policy_decisions (
    run_id      TEXT    NOT NULL,
    step_id     TEXT    NOT NULL,
    iteration   INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    playbook    TEXT    NOT NULL,
    agent       TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    segments    TEXT    NOT NULL, -- JSON array of the segments the subject was in
    confidence  REAL,
    amount      REAL,
    decision    TEXT    NOT NULL, -- auto, approve or block (the policy's; the playbook may still hold it)
    rule        TEXT    NOT NULL, -- the gate that decided, '' for none
    suggestion  TEXT,             -- the accepted suggestion whose gate decided, if any
    version     INTEGER NOT NULL, -- the policy version
    committed   TEXT,             -- 'auto' once the output committed without a task
    PRIMARY KEY (run_id, step_id, iteration)
) WITHOUT ROWID
;

CREATE INDEX policy_decisions_agent ON policy_decisions (agent, at)
;

CREATE INDEX policy_decisions_at ON policy_decisions (at)
;

CREATE TABLE policy_answers (
    task_id     TEXT    PRIMARY KEY,
    run_id      TEXT    NOT NULL,
    step_id     TEXT    NOT NULL,
    iteration   INTEGER NOT NULL,
    kind        TEXT    NOT NULL, -- review, draft, approval, dead-letter, compensation
    playbook    TEXT    NOT NULL,
    agent       TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    rule        TEXT    NOT NULL,
    segments    TEXT    NOT NULL,
    confidence  REAL,
    amount      REAL,
    opened_at   INTEGER NOT NULL,
    viewed_at   INTEGER,
    answered_at INTEGER,
    outcome     TEXT,             -- unchanged, edited, rejected, corrected, other; NULL while open
    decision    TEXT,             -- the kernel's word for the answer: approved, rejected, skipped, …
    operator_ms INTEGER,          -- viewed → answered, when the task was viewed first
    proposed    BLOB,             -- sealed JSON: what the agent proposed
    change      BLOB,             -- sealed JSON: the diff to what was approved, and the reason
    suggestion  TEXT              -- the suggestion this task is the inbox item of, if any
) WITHOUT ROWID
;

CREATE INDEX policy_answers_agent ON policy_answers (agent, answered_at)
;

CREATE INDEX policy_answers_run ON policy_answers (run_id, step_id, iteration)
;

CREATE TABLE policy_feed (
    source   TEXT    PRIMARY KEY,
    position INTEGER NOT NULL
) WITHOUT ROWID
;

CREATE TABLE policy_suggestions (
    id          TEXT    PRIMARY KEY,
    at          INTEGER NOT NULL,
    agent       TEXT    NOT NULL,
    rule        TEXT    NOT NULL, -- the gate it carves out of
    segment     TEXT    NOT NULL, -- '' for every segment
    min_conf    REAL,
    min_amount  REAL,
    max_amount  REAL,
    streak      INTEGER NOT NULL,
    text        TEXT    NOT NULL,
    status      TEXT    NOT NULL, -- proposed, accepted, declined, revoked
    run_id      TEXT,             -- the run of its inbox task
    version     INTEGER,          -- the policy version that accepted (or revoked) it
    answered_at INTEGER,
    note        TEXT    NOT NULL DEFAULT ''
) WITHOUT ROWID
;

CREATE INDEX policy_suggestions_key ON policy_suggestions (agent, rule, segment, at)
;

CREATE TABLE policy_observations (
    at     INTEGER NOT NULL,
    scope  TEXT    NOT NULL, -- playbook/agent, or source:NAME for event sources
    metric TEXT    NOT NULL, -- spend, failure, task, run, latency, event
    value  REAL    NOT NULL
)
;

CREATE INDEX policy_observations_key ON policy_observations (scope, metric, at)
;

CREATE TABLE policy_alerts (
    id       TEXT    PRIMARY KEY,
    at       INTEGER NOT NULL,
    scope    TEXT    NOT NULL,
    metric   TEXT    NOT NULL,
    value    REAL    NOT NULL,
    baseline REAL    NOT NULL,
    text     TEXT    NOT NULL,
    run_id   TEXT,
    status   TEXT    NOT NULL, -- open, acknowledged, dismissed
    notified TEXT    NOT NULL DEFAULT ''
) WITHOUT ROWID
;

CREATE INDEX policy_alerts_key ON policy_alerts (scope, metric, at)
;

CREATE TABLE policy_views (
    task_id TEXT    PRIMARY KEY,
    at      INTEGER NOT NULL
) WITHOUT ROWID
;

CREATE TABLE policy_runs (
    run_id     TEXT    PRIMARY KEY,
    playbook   TEXT    NOT NULL,
    started_at INTEGER NOT NULL
) WITHOUT ROWID
;

CREATE INDEX policy_runs_at ON policy_runs (started_at)
;

INSERT INTO "policy_feed" VALUES ('event', 0)
;

INSERT INTO "policy_feed" VALUES ('journal', 0)
;
