-- The journal's rows by subject were indexed for one rare question: which runs hold entries sealed
-- with a subject's key, asked when a subject is forgotten. Every entry of every step paid for the
-- index (one more B-tree insert a row, about 8 % of the server's CPU a step at 64 runs in flight);
-- a forget now reads the journal through, as it does on SQLite, which never had this index.
DROP INDEX IF EXISTS journal_subject;
