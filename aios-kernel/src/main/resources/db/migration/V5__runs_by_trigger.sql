-- Finds the run an event started when that event is sent again (a targeted start: an invocation of one
-- playbook, a webhook answered synchronously), so that the repeated request gets the same run.
CREATE INDEX runs_trigger ON runs (json_extract(state, '$.trigger.id'));
