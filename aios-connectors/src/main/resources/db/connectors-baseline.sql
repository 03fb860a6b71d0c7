-- The tables of connectors as its migrations leave them: a new database gets them from this one script
-- instead of replaying each migration. SqliteBaselineTest (aios-server) checks it against the
-- migrations and writes it anew when they change.
-- version: 4
-- covers: V1 schedules, V2 imap, V3 deliveries, V4 sealed deliveries

CREATE TABLE connector_schedules (
    playbook  TEXT    PRIMARY KEY,
    last_tick INTEGER NOT NULL
) WITHOUT ROWID
;

CREATE TABLE connector_imap_positions (
    account      TEXT    NOT NULL,
    folder       TEXT    NOT NULL,
    uid_validity INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,
    PRIMARY KEY (account, folder)
) WITHOUT ROWID
;

CREATE TABLE connector_deliveries (
    id           TEXT    PRIMARY KEY,
    subscription TEXT    NOT NULL,
    type         TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    attempts     INTEGER NOT NULL,
    rounds       INTEGER NOT NULL DEFAULT 0,
    next_at      INTEGER NOT NULL,
    last_error   TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
, subject TEXT NOT NULL DEFAULT '', sealed BLOB) WITHOUT ROWID
;

CREATE INDEX connector_deliveries_due ON connector_deliveries (status, next_at)
;

CREATE TABLE connector_delivery_feed (
    name          TEXT    PRIMARY KEY,
    event_seq     INTEGER NOT NULL,
    journal_pos   INTEGER NOT NULL
) WITHOUT ROWID
;

CREATE INDEX connector_deliveries_subject ON connector_deliveries (subject)
;
