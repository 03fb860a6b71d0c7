-- The playbook and start of each run the policy has seen, so that step and run observations for
-- anomaly baselines can name their playbook and runs their latency.
CREATE TABLE policy_runs (
    run_id     TEXT    PRIMARY KEY,
    playbook   TEXT    NOT NULL,
    started_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX policy_runs_at ON policy_runs (started_at);
