-- How far each waiting run was checked against the events of its type: the events after it are
-- still to be matched (outside the writer), so that a run takes the first matching event after
-- it began waiting. Coordination, like a lease: not journaled. Rows waiting before this column
-- existed were checked against every event already logged.
ALTER TABLE awaits ADD COLUMN checked_seq INTEGER NOT NULL DEFAULT 0;
UPDATE awaits SET checked_seq = (SELECT COALESCE(MAX(seq), 0) FROM events);
