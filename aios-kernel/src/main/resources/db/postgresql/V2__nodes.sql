-- The aios processes sharing this database, each saying every few seconds that it is alive.
CREATE TABLE nodes (
    name       text   PRIMARY KEY,
    started_at bigint NOT NULL,
    seen_at    bigint NOT NULL
);
