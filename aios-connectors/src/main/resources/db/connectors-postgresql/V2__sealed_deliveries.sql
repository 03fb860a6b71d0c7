-- A delivery's body is about its subject (the event's data, the run's change): it is sealed with the
-- subject's key, like the journal's payloads, so that forgetting the subject makes it unreadable;
-- forgetting also drops it and files the row under the subject's pseudonym.
ALTER TABLE connector_deliveries ADD COLUMN subject text NOT NULL DEFAULT '';
ALTER TABLE connector_deliveries ADD COLUMN sealed bytea;
CREATE INDEX connector_deliveries_subject ON connector_deliveries (subject);
