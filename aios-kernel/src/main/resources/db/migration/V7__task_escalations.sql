-- Each task's escalation history (reminders, delegation, default answers), as a JSON array; the
-- next escalation of an open task is a row of kind 'escalate' in the work table.
ALTER TABLE tasks ADD COLUMN escalations TEXT NOT NULL DEFAULT '[]';
