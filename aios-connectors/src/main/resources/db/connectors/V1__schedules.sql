-- The connectors' own tables, in the kernel's database.

-- Each scheduled playbook's position: the latest firing time it has passed (fired, or dropped as
-- missed). Firings after it are due; the event of a firing has an id made of the playbook and the
-- firing time, so firing again after a crash starts nothing twice.
CREATE TABLE connector_schedules (
    playbook  TEXT    PRIMARY KEY,
    last_tick INTEGER NOT NULL
) WITHOUT ROWID;
