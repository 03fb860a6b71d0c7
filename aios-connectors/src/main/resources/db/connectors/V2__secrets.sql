-- Named secrets set with `aios secret set NAME`: sealed, never stored in the clear. The journal
-- never holds a value: playbooks and settings refer to secrets by name only.
CREATE TABLE connector_secrets (
    name       TEXT    PRIMARY KEY,
    sealed     BLOB    NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
