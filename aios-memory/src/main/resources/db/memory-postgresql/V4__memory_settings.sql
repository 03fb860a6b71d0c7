-- See db/memory V2__memory_settings.sql: what memory keeps about itself, by name (`vectors.model`).
CREATE TABLE memory_settings (
    name  text PRIMARY KEY,
    value text NOT NULL
);
