-- The shop ledger: what every counter of one shop has written, merged, in PostgreSQL. Each
-- counter writes its own SQLite ledger first and pushes here in the background; every member
-- pulls the others' rows into its SQLite (ARCHITECTURE.md says why a local replica).
--
-- One rule makes pulling exact: every write takes the advisory lock `shop_write_lock()` first
-- and stamps each row it writes with the next `shop_change_seq`, so change numbers are committed
-- in the order they are taken, and a reader that has seen number N has seen every one below it.
-- A row written again gets a new number (a reader asks only "what changed after N").
--
-- Rows are identified across counters by their own numbers: orders by merchant_order_no (which
-- carries the counter's number), refunds by refund_no, events and notifications by the counter
-- that wrote them and their id there.

CREATE SEQUENCE shop_change_seq;

CREATE FUNCTION shop_write_lock() RETURNS void LANGUAGE sql AS
$$ SELECT pg_advisory_xact_lock(727384001) $$;

CREATE TABLE shop_counters (
    name      TEXT    PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 40),
    -- In this counter's order numbers (two base-36 digits), so they stay unique in the shop.
    number    INTEGER NOT NULL UNIQUE CHECK (number BETWEEN 1 AND 1295),
    joined_at BIGINT  NOT NULL,
    left_at   BIGINT,
    pushed_at BIGINT
);

CREATE TABLE shop_orders (
    merchant_order_no TEXT    PRIMARY KEY,
    counter           TEXT    NOT NULL REFERENCES shop_counters (name),
    gateway           TEXT    NOT NULL,
    method            TEXT    NOT NULL,
    environment       TEXT    NOT NULL,
    amount_minor      BIGINT  NOT NULL CHECK (amount_minor > 0),
    currency          TEXT    NOT NULL CHECK (length(currency) = 3),
    status            TEXT    NOT NULL,
    gateway_status    TEXT,
    gateway_order_id  TEXT,
    payment_url       TEXT,
    payment_payload   TEXT,
    -- The sum of the order's succeeded refunds here, whichever desk made them.
    refunded_minor    BIGINT  NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0),
    customer          TEXT,
    description       TEXT,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL,
    expires_at        BIGINT,
    seq               BIGINT  NOT NULL
);
CREATE INDEX shop_orders_by_seq ON shop_orders (seq);
CREATE INDEX shop_orders_by_created ON shop_orders (created_at DESC);

CREATE TABLE shop_order_events (
    origin            TEXT    NOT NULL,
    origin_id         BIGINT  NOT NULL,
    merchant_order_no TEXT    NOT NULL REFERENCES shop_orders (merchant_order_no),
    at                BIGINT  NOT NULL,
    from_status       TEXT,
    to_status         TEXT    NOT NULL,
    source            TEXT    NOT NULL,
    gateway_status    TEXT,
    note              TEXT,
    seq               BIGINT  NOT NULL,
    PRIMARY KEY (origin, origin_id)
);
CREATE INDEX shop_order_events_by_seq ON shop_order_events (seq);

-- Append-only, as in every counter's SQLite.
CREATE FUNCTION shop_order_events_append_only() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'shop_order_events is append-only'; END $$;
CREATE TRIGGER shop_order_events_append_only BEFORE UPDATE OR DELETE ON shop_order_events
FOR EACH ROW EXECUTE FUNCTION shop_order_events_append_only();

CREATE TABLE shop_refunds (
    refund_no         TEXT    PRIMARY KEY,
    merchant_order_no TEXT    NOT NULL REFERENCES shop_orders (merchant_order_no),
    -- The desk that reserved it (and calls the gateway for it).
    counter           TEXT    NOT NULL REFERENCES shop_counters (name),
    amount_minor      BIGINT  NOT NULL CHECK (amount_minor > 0),
    kind              TEXT    NOT NULL,
    status            TEXT    NOT NULL,
    gateway_refund_id TEXT,
    reason            TEXT,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL,
    seq               BIGINT  NOT NULL
);
CREATE INDEX shop_refunds_by_order ON shop_refunds (merchant_order_no);
CREATE INDEX shop_refunds_by_seq ON shop_refunds (seq);

CREATE TABLE shop_notifications (
    origin            TEXT    NOT NULL,
    origin_id         BIGINT  NOT NULL,
    gateway           TEXT    NOT NULL,
    received_at       BIGINT  NOT NULL,
    verified          BOOLEAN NOT NULL,
    merchant_order_no TEXT,
    fingerprint       TEXT    NOT NULL,
    body              TEXT    NOT NULL,
    outcome           TEXT    NOT NULL,
    seq               BIGINT  NOT NULL,
    PRIMARY KEY (origin, origin_id)
);
CREATE INDEX shop_notifications_by_seq ON shop_notifications (seq);
