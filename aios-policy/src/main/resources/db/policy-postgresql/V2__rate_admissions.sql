-- The agent steps admitted under each rate limit of the policy, so that nodes sharing this database
-- admit together no more than the limit: a row per step and limit, counted while it is inside the
-- limit's window and deleted once it has left it. (On SQLite one process owns the database and keeps
-- its windows in memory.) Times are epoch milliseconds.
CREATE TABLE policy_admissions (
    limit_key text   NOT NULL,
    at        bigint NOT NULL
);
CREATE INDEX policy_admissions_key_at ON policy_admissions (limit_key, at);
