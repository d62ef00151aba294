CREATE TABLE faults (
    id        INTEGER PRIMARY KEY,
    gateway   TEXT    NOT NULL,
    call      TEXT    NOT NULL,
    kind      TEXT    NOT NULL,
    value     INTEGER,
    remaining INTEGER
);
