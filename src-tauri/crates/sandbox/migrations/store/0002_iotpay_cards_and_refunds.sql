ALTER TABLE iotpay_orders ADD COLUMN api TEXT NOT NULL DEFAULT 'v1';
ALTER TABLE iotpay_orders ADD COLUMN refunded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE iotpay_orders ADD COLUMN secure_id TEXT;
ALTER TABLE iotpay_orders ADD COLUMN card_num TEXT;
ALTER TABLE iotpay_orders ADD COLUMN card_id TEXT;
CREATE UNIQUE INDEX iotpay_orders_by_secure_id ON iotpay_orders (secure_id);
CREATE TABLE iotpay_refunds (
    mch_refund_no TEXT PRIMARY KEY,
    mch_id        TEXT    NOT NULL,
    pay_order_id  TEXT    NOT NULL,
    amount        INTEGER NOT NULL,
    kind          TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE TABLE iotpay_cards (
    mch_id     TEXT NOT NULL,
    card_id    TEXT NOT NULL,
    secure_id  TEXT NOT NULL UNIQUE,
    card_num   TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (mch_id, card_id)
);
