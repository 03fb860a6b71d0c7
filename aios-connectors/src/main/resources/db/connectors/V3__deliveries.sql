-- Outgoing webhooks: one row per (subscription, event or run/task change), delivered with retries.
-- The id is the subscription and the feed item, so collecting the same item again adds nothing.
-- status: pending, delivered, failed (no attempts left; in the operator's inbox) or dropped.
-- rounds: how many times it failed for good; each round is its own delivery.failed event.
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
) WITHOUT ROWID;
CREATE INDEX connector_deliveries_due ON connector_deliveries (status, next_at);

-- How far the deliveries have read the kernel's feed: one position per source.
CREATE TABLE connector_delivery_feed (
    name          TEXT    PRIMARY KEY,
    event_seq     INTEGER NOT NULL,
    journal_pos   INTEGER NOT NULL
) WITHOUT ROWID;
