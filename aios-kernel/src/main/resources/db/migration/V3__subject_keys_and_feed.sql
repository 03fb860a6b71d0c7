-- One AES key per subject and generation. Forgetting a subject deletes its keys (keeping the row
-- as a record that it was forgotten); every payload sealed with them becomes unreadable, while
-- the journal's checksums, computed over the sealed bytes, still verify.
CREATE TABLE subject_keys (
    subject      TEXT    NOT NULL,
    generation   INTEGER NOT NULL,
    key          BLOB,
    created_at   INTEGER NOT NULL,
    forgotten_at INTEGER,
    PRIMARY KEY (subject, generation)
) WITHOUT ROWID;

-- A global order over all journal entries, so that extensions can follow the journal.
ALTER TABLE journal ADD COLUMN pos INTEGER NOT NULL DEFAULT 0;
CREATE INDEX journal_pos ON journal (pos);
