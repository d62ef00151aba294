-- What the window or the merchant's app needs beyond a link (a card form's secureId, an app's
-- payParams, a stored card's id), as JSON.
ALTER TABLE orders ADD COLUMN payment_payload TEXT;
ALTER TABLE refunds ADD COLUMN kind TEXT NOT NULL DEFAULT 'refund';

-- Every notification that reached the receiver, verbatim, verified or not: the audit trail,
-- and how a replay is recognised.
CREATE TABLE notifications (
    id                INTEGER PRIMARY KEY,
    gateway           TEXT    NOT NULL,
    received_at       INTEGER NOT NULL,
    verified          INTEGER NOT NULL,
    merchant_order_no TEXT,
    order_id          INTEGER REFERENCES orders (id),
    fingerprint       TEXT    NOT NULL,
    body              TEXT    NOT NULL,
    outcome           TEXT    NOT NULL
);
CREATE INDEX notifications_by_fingerprint ON notifications (fingerprint);
