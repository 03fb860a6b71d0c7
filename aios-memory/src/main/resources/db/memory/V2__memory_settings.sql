-- What memory keeps about itself, by name. `vectors.model`: the model the stored vectors were made
-- with; a start compares it with the configured model and clears the vectors of another model only
-- when they differ, instead of reading every chunk at every start.
CREATE TABLE memory_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
