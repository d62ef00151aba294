-- The shop's day, shop-wide (issue 15): staff accounts and managers' caps shared by every
-- counter (a cashier signs in at any till), who made each sale and reversal, every counter's
-- shifts with their sealed Z reports, and a copy of every counter's audit chain.

ALTER TABLE shop_orders ADD COLUMN staff TEXT;
-- The shift the sale belongs to: its id at the order's counter (shop_shifts.origin_id).
ALTER TABLE shop_orders ADD COLUMN shift_origin_id BIGINT;
ALTER TABLE shop_refunds ADD COLUMN staff TEXT;
ALTER TABLE shop_refunds ADD COLUMN approver TEXT;
-- The shift at the reserving desk (shop_refunds.counter) the reversal belongs to.
ALTER TABLE shop_refunds ADD COLUMN shift_origin_id BIGINT;

-- Staff accounts: the newest change wins (updated_at), whichever desk made it. A PIN's
-- Argon2id hash travels with its account so that the person signs in at any counter; wrong-PIN
-- counts stay at each counter.
CREATE TABLE shop_staff (
    name       TEXT    PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 40),
    role       TEXT    NOT NULL CHECK (role IN ('cashier', 'manager', 'owner')),
    pin_hash   TEXT    NOT NULL,
    active     BOOLEAN NOT NULL,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    pushed_by  TEXT,
    seq        BIGINT  NOT NULL
);
CREATE UNIQUE INDEX shop_staff_name_any_case ON shop_staff (lower(name));
CREATE INDEX shop_staff_by_seq ON shop_staff (seq);

-- A manager's daily refund cap per currency (cap_minor NULL: removed).
CREATE TABLE shop_refund_caps (
    currency   TEXT   PRIMARY KEY CHECK (length(currency) = 3),
    cap_minor  BIGINT CHECK (cap_minor >= 0),
    updated_at BIGINT NOT NULL,
    pushed_by  TEXT,
    seq        BIGINT NOT NULL
);
CREATE INDEX shop_refund_caps_by_seq ON shop_refund_caps (seq);

-- Every counter's shifts, by the counter and its id there; sealed once closed.
CREATE TABLE shop_shifts (
    counter    TEXT   NOT NULL REFERENCES shop_counters (name),
    origin_id  BIGINT NOT NULL,
    opened_by  TEXT   NOT NULL,
    opened_at  BIGINT NOT NULL,
    closed_by  TEXT,
    closed_at  BIGINT,
    z_report   TEXT,
    z_hash     TEXT,
    seq        BIGINT NOT NULL,
    PRIMARY KEY (counter, origin_id)
);
CREATE INDEX shop_shifts_by_seq ON shop_shifts (seq);

-- A copy of each counter's audit chain, entry for entry: a counter's file rewritten with its
-- chain recomputed still differs from this copy (`paydesk audit verify` compares them).
CREATE TABLE shop_audit (
    counter   TEXT   NOT NULL,
    entry     BIGINT NOT NULL,
    at        BIGINT NOT NULL,
    staff     TEXT,
    approver  TEXT,
    action    TEXT   NOT NULL,
    subject   TEXT   NOT NULL,
    detail    TEXT   NOT NULL,
    prev_hash TEXT   NOT NULL,
    hash      TEXT   NOT NULL,
    seq       BIGINT NOT NULL,
    PRIMARY KEY (counter, entry)
);
CREATE INDEX shop_audit_by_seq ON shop_audit (seq);
CREATE FUNCTION shop_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'shop_audit is append-only'; END $$;
CREATE TRIGGER shop_audit_append_only BEFORE UPDATE OR DELETE ON shop_audit
FOR EACH ROW EXECUTE FUNCTION shop_audit_append_only();
