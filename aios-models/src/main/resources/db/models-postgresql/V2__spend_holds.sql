-- The estimates held for model calls in flight, counted with the ledger when a call is checked
-- against its budgets, so that nodes sharing this database cannot together pass a limit. A hold is
-- deleted when its call's cost enters the ledger (or the call fails) and runs out at expires_at, so
-- a node killed with its call in flight keeps no budget beyond that. (On SQLite one process owns the
-- database and keeps its holds in memory.) Times are epoch milliseconds.
CREATE TABLE models_spend_holds (
    hold_id    text   PRIMARY KEY,
    run_id     text   NOT NULL,
    agent      text   NOT NULL,
    day        text   NOT NULL,
    subject    text   NOT NULL,
    playbook   text   NOT NULL,
    provider   text   NOT NULL,
    nanos      bigint NOT NULL,
    expires_at bigint NOT NULL
);
CREATE INDEX models_spend_holds_expires ON models_spend_holds (expires_at);
