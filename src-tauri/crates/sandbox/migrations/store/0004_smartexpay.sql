CREATE TABLE smartexpay_orders (
    uid                 INTEGER PRIMARY KEY,
    object_id           TEXT    NOT NULL UNIQUE,
    secret              TEXT    NOT NULL,
    route_id            TEXT    NOT NULL,
    partner             TEXT,
    in_amount           TEXT    NOT NULL,
    out_amount          TEXT    NOT NULL,
    xml_from            TEXT    NOT NULL,
    xml_to              TEXT    NOT NULL,
    lang                TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    customer_paid       INTEGER NOT NULL DEFAULT 0,
    ipn_url             TEXT,
    ipn_secret          TEXT,
    client_callback_url TEXT,
    to_values           TEXT    NOT NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE TABLE smartexpay_ipns (
    id        INTEGER PRIMARY KEY,
    uid       INTEGER NOT NULL,
    body      TEXT    NOT NULL,
    delivered INTEGER NOT NULL,
    sent_at   INTEGER NOT NULL
);
