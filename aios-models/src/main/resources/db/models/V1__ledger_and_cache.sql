-- The cost ledger: one row per model call (or cache hit), charged to its run, step, agent, playbook
-- and day. Rows hold numbers and names only, never prompt or answer text.
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
);
CREATE INDEX models_ledger_day ON models_ledger (day);
CREATE INDEX models_ledger_run ON models_ledger (run_id);
CREATE INDEX models_ledger_agent_day ON models_ledger (agent, day);
CREATE INDEX models_ledger_step ON models_ledger (step_key, call_no);

-- The response cache: answers by a hash of provider, model, messages and parameters. The answer is
-- sealed with the key of the subject it was made for, so forgetting the subject makes it unreadable.
CREATE TABLE models_cache (
    cache_key  TEXT    PRIMARY KEY,
    subject    TEXT    NOT NULL,
    completion BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX models_cache_subject ON models_cache (subject);
CREATE INDEX models_cache_expires ON models_cache (expires_at);
