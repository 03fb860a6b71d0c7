-- Derived: the items of forEach steps in progress, one row per item, so that a list of thousands
-- is read an item at a time instead of living in the run's state; each finished iteration keeps
-- the outputs of its steps here until the forEach step collects them.
CREATE TABLE loop_items (
    run_id  TEXT    NOT NULL,
    block   TEXT    NOT NULL,
    idx     INTEGER NOT NULL,
    item    TEXT    NOT NULL,
    outputs TEXT,
    PRIMARY KEY (run_id, block, idx)
) WITHOUT ROWID;
