CREATE TABLE sandbox_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE smepay_tokens (
    token      TEXT PRIMARY KEY,
    client_id  TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE smepay_orders (
    slug           TEXT PRIMARY KEY,
    client_id      TEXT    NOT NULL,
    order_id       TEXT    NOT NULL,
    amount         TEXT    NOT NULL,
    callback_url   TEXT    NOT NULL,
    customer       TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    transaction_id TEXT    NOT NULL,
    expires_at     INTEGER,
    created_at     INTEGER NOT NULL,
    processed_at   INTEGER,
    UNIQUE (client_id, order_id)
);
