-- Where the mail connector stands in each IMAP folder: the highest UID turned into an event, valid
-- while the folder's UIDVALIDITY stays the same. A message is an event whose id is its Message-ID,
-- so reading it again after a crash (or after the server renumbered the folder) starts nothing twice.
CREATE TABLE connector_imap_positions (
    account      TEXT    NOT NULL,
    folder       TEXT    NOT NULL,
    uid_validity INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,
    PRIMARY KEY (account, folder)
) WITHOUT ROWID;
