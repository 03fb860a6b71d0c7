-- The id of the event that started a run, in a column of its own. An index on an expression over the
-- state made SQLite parse the whole state JSON twice (old and new row) every time a run's row was
-- written, which is once per step.
ALTER TABLE runs ADD COLUMN trigger_id TEXT;
UPDATE runs SET trigger_id = json_extract(state, '$.trigger.id');
DROP INDEX runs_trigger;
CREATE INDEX runs_trigger ON runs (trigger_id);
