-- The shop's day in a shop (the shop ledger's migration 3): staff accounts, managers' caps,
-- shifts and the audit log are queued for the shop ledger like orders; other counters' shifts
-- and audit entries are kept here too, apart from this counter's own.

-- The newest change of an account wins across desks.
ALTER TABLE staff ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
UPDATE staff SET updated_at = created_at;
ALTER TABLE refund_caps ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;

-- Another counter's shift pulled here: its id there (NULL: this counter's own).
ALTER TABLE shifts ADD COLUMN origin_id INTEGER;
CREATE UNIQUE INDEX shifts_by_origin ON shifts (counter, origin_id) WHERE origin_id IS NOT NULL;

-- Other counters' audit entries, as the shop ledger holds them (this counter's own chain is
-- audit_log).
CREATE TABLE shop_audit (
    counter   TEXT    NOT NULL,
    entry     INTEGER NOT NULL,
    at        INTEGER NOT NULL,
    staff     TEXT,
    approver  TEXT,
    action    TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    detail    TEXT    NOT NULL,
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL,
    PRIMARY KEY (counter, entry)
);
CREATE INDEX shop_audit_by_time ON shop_audit (at DESC);

-- A pulled sale of another counter's shift that closed meanwhile is still that shift's.
DROP TRIGGER orders_not_into_sealed_shift;
CREATE TRIGGER orders_not_into_sealed_shift BEFORE INSERT ON orders
WHEN new.shift_id IS NOT NULL AND NOT (SELECT applying FROM shop_state)
 AND (SELECT closed_at FROM shifts WHERE id = new.shift_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'shift_sealed: a closed shift takes no sale'); END;
DROP TRIGGER refunds_not_into_sealed_shift;
CREATE TRIGGER refunds_not_into_sealed_shift BEFORE INSERT ON refunds
WHEN new.shift_id IS NOT NULL AND NOT (SELECT applying FROM shop_state)
 AND (SELECT closed_at FROM shifts WHERE id = new.shift_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'shift_sealed: a closed shift takes no refund'); END;

-- The outbox takes the new kinds. SQLite cannot change a CHECK: the table is made again, and
-- the triggers that write to it (migration 9's) with it, as SQLite's own procedure for a
-- changed table says (a trigger naming a dropped table is not carried over to its successor).
DROP TRIGGER shop_outbox_order_insert;
DROP TRIGGER shop_outbox_order_update;
DROP TRIGGER shop_outbox_event;
DROP TRIGGER shop_outbox_refund_insert;
DROP TRIGGER shop_outbox_refund_update;
DROP TRIGGER shop_outbox_notification;
CREATE TABLE shop_outbox_next (
    seq    INTEGER PRIMARY KEY,
    kind   TEXT    NOT NULL CHECK (kind IN ('order', 'event', 'refund', 'notification',
                                            'staff', 'cap', 'shift', 'audit')),
    row_id INTEGER NOT NULL
);
INSERT INTO shop_outbox_next (seq, kind, row_id) SELECT seq, kind, row_id FROM shop_outbox;
DROP TABLE shop_outbox;
ALTER TABLE shop_outbox_next RENAME TO shop_outbox;

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

CREATE TRIGGER shop_outbox_staff_insert AFTER INSERT ON staff
WHEN (SELECT member AND NOT applying FROM shop_state)
BEGIN INSERT INTO shop_outbox (kind, row_id) VALUES ('staff', new.id); END;
-- A wrong PIN's count is this counter's own: only an account's change is shared.
CREATE TRIGGER shop_outbox_staff_update AFTER UPDATE OF role, pin_hash, active, updated_at ON staff
WHEN (SELECT member AND NOT applying FROM shop_state)
BEGIN INSERT INTO shop_outbox (kind, row_id) VALUES ('staff', new.id); END;
CREATE TRIGGER shop_outbox_cap_insert AFTER INSERT ON refund_caps
WHEN (SELECT member AND NOT applying FROM shop_state)
BEGIN INSERT INTO shop_outbox (kind, row_id) VALUES ('cap', new.rowid); END;
CREATE TRIGGER shop_outbox_cap_update AFTER UPDATE ON refund_caps
WHEN (SELECT member AND NOT applying FROM shop_state)
BEGIN INSERT INTO shop_outbox (kind, row_id) VALUES ('cap', new.rowid); END;
CREATE TRIGGER shop_outbox_shift_insert AFTER INSERT ON shifts
WHEN new.origin_id IS NULL AND (SELECT member AND NOT applying FROM shop_state)
BEGIN INSERT INTO shop_outbox (kind, row_id) VALUES ('shift', new.id); END;
CREATE TRIGGER shop_outbox_shift_update AFTER UPDATE ON shifts
WHEN new.origin_id IS NULL AND (SELECT member AND NOT applying FROM shop_state)
BEGIN INSERT INTO shop_outbox (kind, row_id) VALUES ('shift', new.id); END;
CREATE TRIGGER shop_outbox_audit AFTER INSERT ON audit_log
WHEN (SELECT member AND NOT applying FROM shop_state)
BEGIN INSERT INTO shop_outbox (kind, row_id) VALUES ('audit', new.seq); END;

-- A sealed shift's report and times never change; its counter's name may (a counter joining a
-- shop takes its shifts under its name there, as its orders).
DROP TRIGGER shifts_sealed;
CREATE TRIGGER shifts_sealed BEFORE UPDATE ON shifts WHEN old.closed_at IS NOT NULL
 AND (new.opened_by IS NOT old.opened_by OR new.opened_at IS NOT old.opened_at
      OR new.closed_by IS NOT old.closed_by OR new.closed_at IS NOT old.closed_at
      OR new.z_report IS NOT old.z_report OR new.z_hash IS NOT old.z_hash
      OR new.origin_id IS NOT old.origin_id)
BEGIN SELECT RAISE(ABORT, 'shift_sealed: a closed shift is sealed'); END;
