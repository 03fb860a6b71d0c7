CREATE TABLE testext_notes (subject TEXT NOT NULL, note BLOB NOT NULL);
