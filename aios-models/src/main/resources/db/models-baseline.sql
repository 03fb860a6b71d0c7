-- The tables of models as its migrations leave them: a new database gets them from this one script
-- instead of replaying each migration. SqliteBaselineTest (aios-server) checks it against the
-- migrations and writes it anew when they change.
-- version: 2
-- covers: V1 ledger and cache, V2 ledger subject

CREATE TABLE models_ledger (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            INTEGER NOT NULL, -- epoch milliseconds
    day           TEXT    NOT NULL, -- UTC date, YYYY-MM-DD
    run_id        TEXT    NOT NULL,
    step_id       TEXT    NOT NULL,
    step_key      TEXT    NOT NULL, -- the step's idempotency key (run, step, iteration, tool)
    call_no       INTEGER NOT NULL, -- which call of the step this was
    agent         TEXT    NOT NULL,
    playbook      TEXT    NOT NULL,
    provider      TEXT    NOT NULL,
    model         TEXT    NOT NULL,
    model_class   TEXT    NOT NULL,
    input_tokens  INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cost_nanos    INTEGER NOT NULL, -- billionths of a US dollar
    priced        INTEGER NOT NULL, -- 0 when the model is in no price table
    cached        INTEGER NOT NULL, -- 1 for an answer from the response cache (free)
    outcome       TEXT    NOT NULL  -- answered, or invalid (did not match the schema; repaired)
, subject TEXT NOT NULL DEFAULT '')
;

CREATE INDEX models_ledger_day ON models_ledger (day)
;

CREATE INDEX models_ledger_run ON models_ledger (run_id)
;

CREATE INDEX models_ledger_agent_day ON models_ledger (agent, day)
;

CREATE INDEX models_ledger_step ON models_ledger (step_key, call_no)
;

CREATE TABLE models_cache (
    cache_key  TEXT    PRIMARY KEY,
    subject    TEXT    NOT NULL,
    completion BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID
;

CREATE INDEX models_cache_subject ON models_cache (subject)
;

CREATE INDEX models_cache_expires ON models_cache (expires_at)
;

CREATE INDEX models_ledger_subject_at ON models_ledger (subject, at)
;

CREATE INDEX models_ledger_provider_at ON models_ledger (provider, at)
;

CREATE INDEX models_ledger_playbook_at ON models_ledger (playbook, at)
;

CREATE INDEX models_ledger_agent_at ON models_ledger (agent, at)
;
