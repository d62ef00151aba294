CREATE TABLE smartpay_tokens (
    token      TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE smartpay_payments (
    transaction_id     TEXT PRIMARY KEY,
    checkout_token     TEXT    NOT NULL UNIQUE,
    merchant_key       TEXT    NOT NULL,
    partner_reference  TEXT    NOT NULL UNIQUE,
    amount_minor       INTEGER NOT NULL,
    currency           TEXT    NOT NULL,
    description        TEXT,
    status             TEXT    NOT NULL,
    final_status       TEXT,
    pending_left       INTEGER NOT NULL DEFAULT 0,
    captured_minor     INTEGER NOT NULL DEFAULT 0,
    refunded_minor     INTEGER NOT NULL DEFAULT 0,
    reconciliation_id  TEXT    NOT NULL,
    created_at         INTEGER NOT NULL
);
CREATE TABLE smartpay_modifications (
    modification_id TEXT PRIMARY KEY,
    transaction_id  TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    amount_minor    INTEGER,
    status_after    TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
);
