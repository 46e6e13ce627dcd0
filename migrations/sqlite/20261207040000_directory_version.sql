-- One number that every change to the service directory raises, in the same transaction as the
-- change: an instance reloads its in-memory index only when the number moved (src/directory).
-- A hand-made SQL edit does not raise it; such an edit shows after the next change or restart.
CREATE TABLE directory_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO directory_version (id, version) VALUES (1, 0);
