-- Derived: the recorded result of every external effect, by its idempotency key. A step that runs
-- again finds its receipts here and does not repeat the effects.
CREATE TABLE receipts (
    effect_key TEXT    PRIMARY KEY,
    run_id     TEXT    NOT NULL,
    step_id    TEXT    NOT NULL,
    iteration  INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    result     TEXT    NOT NULL,
    at         INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX receipts_run ON receipts (run_id, step_id, iteration);

-- Periodic copies of a run's folded state, so that replaying a long-lived run starts from the
-- latest one instead of the first entry. Each names the entry it was taken after, and that entry's
-- checksum, so a snapshot that no longer matches its journal is never used.
CREATE TABLE snapshots (
    run_id   TEXT    NOT NULL,
    seq      INTEGER NOT NULL,
    checksum TEXT    NOT NULL,
    state    TEXT    NOT NULL,
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
