-- When the operator first opened each task (through the API or the console): the start of the
-- operator's time on it.
CREATE TABLE policy_views (
    task_id TEXT    PRIMARY KEY,
    at      INTEGER NOT NULL
) WITHOUT ROWID;
