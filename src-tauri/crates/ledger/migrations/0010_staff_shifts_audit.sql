-- The shop's day (issue 15): staff with roles, shifts, and a tamper-evident audit log.

-- People who work the counter. A PIN is kept only as its Argon2id hash; a run of wrong PINs
-- locks that person for a while (failures, lockouts, locked_until: as owner_lockout did).
-- Staff are never deleted, only made inactive: their names stay on the records they made.
CREATE TABLE staff (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    role         TEXT    NOT NULL CHECK (role IN ('cashier', 'manager', 'owner')),
    pin_hash     TEXT    NOT NULL,
    active       INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    lockouts     INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER NOT NULL DEFAULT 0
);
-- Upgrade: today's owner PIN becomes the first owner's account (nothing to set again).
INSERT INTO staff (name, role, pin_hash, created_at)
SELECT 'Owner', 'owner', value, CAST(strftime('%s', 'now') AS INTEGER) * 1000
FROM settings WHERE key = 'owner.pin_hash';
DELETE FROM settings WHERE key = 'owner.pin_hash';

-- What a manager may refund and void a day on their own authority, per currency (minor
-- units). No row: nothing without an owner's approval.
CREATE TABLE refund_caps (
    currency  TEXT    PRIMARY KEY,
    cap_minor INTEGER NOT NULL CHECK (cap_minor >= 0)
);

-- A counter's shift: opened by one person, closed by one; closing seals it with its Z report.
CREATE TABLE shifts (
    id        INTEGER PRIMARY KEY,
    -- The counter's name in a shop; '' for a counter on its own.
    counter   TEXT    NOT NULL DEFAULT '',
    opened_by TEXT    NOT NULL,
    opened_at INTEGER NOT NULL,
    closed_by TEXT,
    closed_at INTEGER,
    -- The Z report as it was sealed (JSON), and its SHA-256 (also in the audit log).
    z_report  TEXT,
    z_hash    TEXT
);
-- One open shift per counter.
CREATE UNIQUE INDEX shifts_one_open ON shifts (counter) WHERE closed_at IS NULL;
CREATE TRIGGER shifts_sealed BEFORE UPDATE ON shifts WHEN old.closed_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'shift_sealed: a closed shift is sealed'); END;
CREATE TRIGGER shifts_kept BEFORE DELETE ON shifts
BEGIN SELECT RAISE(ABORT, 'shifts are never deleted'); END;

-- Who made each sale and reversal, who approved a reversal, and the shift it belongs to.
ALTER TABLE orders ADD COLUMN staff TEXT;
ALTER TABLE orders ADD COLUMN shift_id INTEGER REFERENCES shifts (id);
CREATE INDEX orders_by_shift ON orders (shift_id) WHERE shift_id IS NOT NULL;
-- A sale still waiting when its shift closed: carried to the next shift opened at its counter
-- (shift_id NULL meanwhile), and counted there if it is paid.
ALTER TABLE orders ADD COLUMN carried_from INTEGER REFERENCES shifts (id);
CREATE INDEX orders_carried ON orders (carried_from) WHERE carried_from IS NOT NULL;
CREATE INDEX orders_by_staff ON orders (staff, created_at DESC, id DESC) WHERE staff IS NOT NULL;
ALTER TABLE refunds ADD COLUMN staff TEXT;
ALTER TABLE refunds ADD COLUMN approver TEXT;
ALTER TABLE refunds ADD COLUMN shift_id INTEGER REFERENCES shifts (id);
CREATE INDEX refunds_by_shift ON refunds (shift_id) WHERE shift_id IS NOT NULL;
-- A sealed shift takes no sale and no reversal.
CREATE TRIGGER orders_not_into_sealed_shift BEFORE INSERT ON orders
WHEN new.shift_id IS NOT NULL
 AND (SELECT closed_at FROM shifts WHERE id = new.shift_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'shift_sealed: a closed shift takes no sale'); END;
CREATE TRIGGER refunds_not_into_sealed_shift BEFORE INSERT ON refunds
WHEN new.shift_id IS NOT NULL
 AND (SELECT closed_at FROM shifts WHERE id = new.shift_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'shift_sealed: a closed shift takes no refund'); END;

-- The audit log: one entry per act (sign-in, failed PIN, sale, refund, void, settle, approval,
-- export, settings, credentials, staff, shift), each holding the SHA-256 of the one before, so
-- an edited entry breaks the chain from there on. The chain's head (last seq and hash) is also
-- kept apart from this file (`audit.head` beside it): deleting the newest entries shows too.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    counter   TEXT    NOT NULL DEFAULT '',
    staff     TEXT,
    approver  TEXT,
    action    TEXT    NOT NULL,
    subject   TEXT    NOT NULL DEFAULT '',
    detail    TEXT    NOT NULL DEFAULT '',
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL
);
CREATE INDEX audit_by_time ON audit_log (at DESC);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
-- `audit verify` finds each sale's and reversal's entry by its number.
CREATE INDEX audit_by_subject ON audit_log (action, subject);
