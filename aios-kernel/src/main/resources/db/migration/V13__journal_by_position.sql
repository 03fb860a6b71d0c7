-- The journal as a table numbered by its feed position. Keyed by (run_id, seq) with the payloads
-- in the key's B-tree, every unit wrote into the middle of that tree (one leaf per run in the
-- commit, split as runs grow) and into the index on pos besides; numbered by pos, a commit's
-- entries go to the tree's last page, and the key is a narrow unique index. Entries written before
-- the feed existed (V3) all had position 0, which the feed never delivers: they get negative
-- positions, distinct and still never delivered.
CREATE TABLE journal_by_position (
    run_id   TEXT    NOT NULL,
    seq      INTEGER NOT NULL,
    type     TEXT    NOT NULL,
    at       INTEGER NOT NULL,
    subject  TEXT    NOT NULL,
    codec    TEXT    NOT NULL,
    payload  BLOB    NOT NULL,
    checksum TEXT    NOT NULL,
    pos      INTEGER PRIMARY KEY
);
INSERT INTO journal_by_position (run_id, seq, type, at, subject, codec, payload, checksum, pos)
SELECT run_id, seq, type, at, subject, codec, payload, checksum,
       CASE WHEN pos > 0 THEN pos ELSE -ROW_NUMBER() OVER (ORDER BY run_id, seq) END
FROM journal;
DROP TABLE journal;
ALTER TABLE journal_by_position RENAME TO journal;
CREATE UNIQUE INDEX journal_run ON journal (run_id, seq);
