-- The owner PIN's wrong tries, kept in the ledger so that a lockout holds across restarts and
-- is shared by the window and the CLI (owner.rs): one row.
CREATE TABLE owner_lockout (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    failures     INTEGER NOT NULL,
    lockouts     INTEGER NOT NULL,
    locked_until INTEGER NOT NULL
);
INSERT INTO owner_lockout (id, failures, lockouts, locked_until) VALUES (1, 0, 0, 0);
