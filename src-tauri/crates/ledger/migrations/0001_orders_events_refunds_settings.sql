CREATE TABLE orders (
    id                INTEGER PRIMARY KEY,
    merchant_order_no TEXT    NOT NULL UNIQUE,
    gateway           TEXT    NOT NULL,
    method            TEXT    NOT NULL,
    environment       TEXT    NOT NULL,
    amount_minor      INTEGER NOT NULL CHECK (amount_minor > 0),
    currency          TEXT    NOT NULL CHECK (length(currency) = 3),
    status            TEXT    NOT NULL,
    gateway_status    TEXT,
    gateway_order_id  TEXT,
    payment_url       TEXT,
    refunded_minor    INTEGER NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    expires_at        INTEGER
);
CREATE INDEX orders_by_created ON orders (created_at DESC, id DESC);
CREATE INDEX orders_by_status ON orders (status, created_at DESC);
CREATE INDEX orders_by_gateway_ref ON orders (gateway_order_id);

CREATE TABLE order_events (
    id             INTEGER PRIMARY KEY,
    order_id       INTEGER NOT NULL REFERENCES orders (id),
    at             INTEGER NOT NULL,
    from_status    TEXT,
    to_status      TEXT    NOT NULL,
    source         TEXT    NOT NULL,
    gateway_status TEXT,
    note           TEXT
);
CREATE INDEX order_events_by_order ON order_events (order_id, id);
CREATE TRIGGER order_events_append_only_update BEFORE UPDATE ON order_events
BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;
CREATE TRIGGER order_events_append_only_delete BEFORE DELETE ON order_events
BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;

CREATE TABLE refunds (
    id                INTEGER PRIMARY KEY,
    order_id          INTEGER NOT NULL REFERENCES orders (id),
    refund_no         TEXT    NOT NULL UNIQUE,
    amount_minor      INTEGER NOT NULL CHECK (amount_minor > 0),
    status            TEXT    NOT NULL,
    gateway_refund_id TEXT,
    reason            TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX refunds_by_order ON refunds (order_id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
