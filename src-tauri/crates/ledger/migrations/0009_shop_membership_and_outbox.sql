-- One shop, many counters (the shop ledger in PostgreSQL, `shop/`): which counter wrote each
-- order, where a replicated event or notification came from, and the outbox of this ledger's
-- changes still to be pushed.
ALTER TABLE orders ADD COLUMN counter TEXT;
CREATE INDEX orders_by_counter ON orders (counter, created_at DESC, id DESC);
-- Events and notifications written here have origin NULL; those pulled from the shop keep the
-- counter that wrote them and their id there (append-only: they are only ever inserted).
ALTER TABLE order_events ADD COLUMN origin TEXT;
ALTER TABLE order_events ADD COLUMN origin_id INTEGER;
CREATE UNIQUE INDEX order_events_by_origin ON order_events (origin, origin_id) WHERE origin IS NOT NULL;
ALTER TABLE notifications ADD COLUMN origin TEXT;
ALTER TABLE notifications ADD COLUMN origin_id INTEGER;
CREATE UNIQUE INDEX notifications_by_origin ON notifications (origin, origin_id) WHERE origin IS NOT NULL;
-- The desk that reserved a refund (NULL: this one, before it joined a shop).
ALTER TABLE refunds ADD COLUMN counter TEXT;

CREATE TABLE shop_state (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    -- The shop's PostgreSQL, without its password (which is in the OS keychain); NULL: none.
    url            TEXT,
    -- This machine's name in the shop, and the number its order numbers carry.
    counter        TEXT,
    counter_number INTEGER,
    -- 1 while a member: every change is queued in shop_outbox in the same transaction.
    member         INTEGER NOT NULL DEFAULT 0,
    -- 1 only inside the transaction that applies rows pulled from the shop (not queued back).
    applying       INTEGER NOT NULL DEFAULT 0,
    -- The shop's change number this ledger has pulled up to.
    pulled_seq     INTEGER NOT NULL DEFAULT 0,
    -- The last push and pull that reached the shop, and the last error (for `shop status`).
    pushed_at      INTEGER,
    pulled_at      INTEGER,
    last_error     TEXT
);
INSERT INTO shop_state (id) VALUES (1);

-- What is still to be pushed, in the order it happened; a row is pushed as it is when the
-- push reads it (several changes of one order go as one) and deleted once the shop has it.
CREATE TABLE shop_outbox (
    seq    INTEGER PRIMARY KEY,
    kind   TEXT    NOT NULL CHECK (kind IN ('order', 'event', 'refund', 'notification')),
    row_id INTEGER NOT NULL
);
CREATE TRIGGER shop_outbox_order_insert AFTER INSERT ON orders
WHEN (SELECT member AND NOT applying FROM shop_state)
BEGIN INSERT INTO shop_outbox (kind, row_id) VALUES ('order', new.id); END;
CREATE TRIGGER shop_outbox_order_update AFTER UPDATE ON orders
WHEN (SELECT member AND NOT applying FROM shop_state)
BEGIN INSERT INTO shop_outbox (kind, row_id) VALUES ('order', new.id); END;
CREATE TRIGGER shop_outbox_event AFTER INSERT ON order_events
WHEN new.origin IS NULL AND (SELECT member AND NOT applying FROM shop_state)
BEGIN INSERT INTO shop_outbox (kind, row_id) VALUES ('event', new.id); END;
CREATE TRIGGER shop_outbox_refund_insert AFTER INSERT ON refunds
WHEN (SELECT member AND NOT applying FROM shop_state)
BEGIN INSERT INTO shop_outbox (kind, row_id) VALUES ('refund', new.id); END;
CREATE TRIGGER shop_outbox_refund_update AFTER UPDATE ON refunds
WHEN (SELECT member AND NOT applying FROM shop_state)
BEGIN INSERT INTO shop_outbox (kind, row_id) VALUES ('refund', new.id); END;
CREATE TRIGGER shop_outbox_notification AFTER INSERT ON notifications
WHEN new.origin IS NULL AND (SELECT member AND NOT applying FROM shop_state)
BEGIN INSERT INTO shop_outbox (kind, row_id) VALUES ('notification', new.id); END;
