-- The connectors' tables on PostgreSQL: the same as on SQLite (see db/connectors V1 to V3), in one
-- step. Times are epoch milliseconds (bigint).

CREATE TABLE connector_schedules (
    playbook  text   PRIMARY KEY,
    last_tick bigint NOT NULL
);

CREATE TABLE connector_imap_positions (
    account      text   NOT NULL,
    folder       text   NOT NULL,
    uid_validity bigint NOT NULL,
    last_uid     bigint NOT NULL,
    PRIMARY KEY (account, folder)
);

CREATE TABLE connector_deliveries (
    id           text   PRIMARY KEY,
    subscription text   NOT NULL,
    type         text   NOT NULL,
    body         text   NOT NULL,
    status       text   NOT NULL,
    attempts     bigint NOT NULL,
    rounds       bigint NOT NULL DEFAULT 0,
    next_at      bigint NOT NULL,
    last_error   text,
    created_at   bigint NOT NULL,
    updated_at   bigint NOT NULL
);
CREATE INDEX connector_deliveries_due ON connector_deliveries (status, next_at);

CREATE TABLE connector_delivery_feed (
    name        text   PRIMARY KEY,
    event_seq   bigint NOT NULL,
    journal_pos bigint NOT NULL
);
