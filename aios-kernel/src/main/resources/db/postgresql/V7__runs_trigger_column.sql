-- See db/migration V12__runs_trigger_column.sql: the id of the event that started a run, in a column
-- of its own. The index on an expression over the state made PostgreSQL parse the whole state as
-- JSON every time a run's row was written, which is once per step.
ALTER TABLE runs ADD COLUMN trigger_id text;
UPDATE runs SET trigger_id = (state::jsonb) #>> '{trigger,id}';
DROP INDEX runs_trigger;
CREATE INDEX runs_trigger ON runs (trigger_id);
