-- Tips (issue 16): kept apart from the sale in integer minor units. `orders.amount_minor` stays
-- the total charged at the gateway (sale + tip), so every reversal, cap and takings rule that
-- reads it stays right; the sale is amount_minor - tip_minor. A refund gives back the sale
-- first, then the tip: `refunds.tip_minor` is the part of that refund that returned tip, and
-- `orders.tip_refunded_minor` the sum of those parts over its succeeded refunds. The sale part
-- stays above zero (a tip is never the whole charge). Written independently of migration 12.
ALTER TABLE orders ADD COLUMN tip_minor INTEGER NOT NULL DEFAULT 0
    CHECK (tip_minor >= 0 AND tip_minor < amount_minor);
ALTER TABLE orders ADD COLUMN tip_refunded_minor INTEGER NOT NULL DEFAULT 0
    CHECK (tip_refunded_minor >= 0 AND tip_refunded_minor <= tip_minor);
ALTER TABLE refunds ADD COLUMN tip_minor INTEGER NOT NULL DEFAULT 0
    CHECK (tip_minor >= 0 AND tip_minor <= amount_minor);

-- The per-day summary adds the tips up too (every row so far has none).
ALTER TABLE order_day_totals ADD COLUMN tip_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE order_day_totals ADD COLUMN tip_refunded_minor INTEGER NOT NULL DEFAULT 0;

-- Migration 7's summary triggers, the same with the tip columns (the search half unchanged).
DROP TRIGGER orders_fold_insert;
DROP TRIGGER order_day_totals_update;
DROP TRIGGER orders_fold_delete;
CREATE TRIGGER orders_fold_insert AFTER INSERT ON orders
WHEN new.id <= (SELECT folded FROM ledger_fold)
BEGIN
    INSERT INTO orders_search (rowid, merchant_order_no, gateway_order_id, customer)
    VALUES (new.id, (CASE WHEN new.merchant_order_no GLOB 'PD*' AND NOT substr(new.merchant_order_no, 3) GLOB '*[^0-9A-Z]*' THEN substr(new.merchant_order_no, 3) ELSE new.merchant_order_no END), new.gateway_order_id, new.customer);
    INSERT INTO order_day_totals (day, status, gateway, method, currency, count, amount_minor, refunded_minor, tip_minor, tip_refunded_minor)
    VALUES ((new.created_at - ((new.created_at % 86400000) + 86400000) % 86400000) / 86400000, new.status, new.gateway, new.method, new.currency, 1, new.amount_minor, new.refunded_minor, new.tip_minor, new.tip_refunded_minor)
    ON CONFLICT DO UPDATE SET count = count + 1, amount_minor = amount_minor + excluded.amount_minor,
                              refunded_minor = refunded_minor + excluded.refunded_minor,
                              tip_minor = tip_minor + excluded.tip_minor,
                              tip_refunded_minor = tip_refunded_minor + excluded.tip_refunded_minor;
END;
CREATE TRIGGER order_day_totals_update
AFTER UPDATE OF id, created_at, status, gateway, method, currency, amount_minor, refunded_minor, tip_minor, tip_refunded_minor ON orders
WHEN (old.id <= (SELECT folded FROM ledger_fold) OR new.id <= (SELECT folded FROM ledger_fold))
 AND (old.id IS NOT new.id OR old.created_at IS NOT new.created_at OR old.status IS NOT new.status
      OR old.gateway IS NOT new.gateway OR old.method IS NOT new.method OR old.currency IS NOT new.currency
      OR old.amount_minor IS NOT new.amount_minor OR old.refunded_minor IS NOT new.refunded_minor
      OR old.tip_minor IS NOT new.tip_minor OR old.tip_refunded_minor IS NOT new.tip_refunded_minor)
BEGIN
    UPDATE order_day_totals SET count = count - 1, amount_minor = amount_minor - old.amount_minor,
                                refunded_minor = refunded_minor - old.refunded_minor,
                                tip_minor = tip_minor - old.tip_minor,
                                tip_refunded_minor = tip_refunded_minor - old.tip_refunded_minor
    WHERE day = (old.created_at - ((old.created_at % 86400000) + 86400000) % 86400000) / 86400000 AND status = old.status AND gateway = old.gateway
      AND method = old.method AND currency = old.currency
      AND old.id <= (SELECT folded FROM ledger_fold);
    INSERT INTO order_day_totals (day, status, gateway, method, currency, count, amount_minor, refunded_minor, tip_minor, tip_refunded_minor)
    SELECT (new.created_at - ((new.created_at % 86400000) + 86400000) % 86400000) / 86400000, new.status, new.gateway, new.method, new.currency, 1, new.amount_minor, new.refunded_minor, new.tip_minor, new.tip_refunded_minor
    WHERE new.id <= (SELECT folded FROM ledger_fold)
    ON CONFLICT DO UPDATE SET count = count + 1, amount_minor = amount_minor + excluded.amount_minor,
                              refunded_minor = refunded_minor + excluded.refunded_minor,
                              tip_minor = tip_minor + excluded.tip_minor,
                              tip_refunded_minor = tip_refunded_minor + excluded.tip_refunded_minor;
END;
CREATE TRIGGER orders_fold_delete AFTER DELETE ON orders
WHEN old.id <= (SELECT folded FROM ledger_fold)
BEGIN
    INSERT INTO orders_search (orders_search, rowid, merchant_order_no, gateway_order_id, customer)
    VALUES ('delete', old.id, (CASE WHEN old.merchant_order_no GLOB 'PD*' AND NOT substr(old.merchant_order_no, 3) GLOB '*[^0-9A-Z]*' THEN substr(old.merchant_order_no, 3) ELSE old.merchant_order_no END), old.gateway_order_id, old.customer);
    UPDATE order_day_totals SET count = count - 1, amount_minor = amount_minor - old.amount_minor,
                                refunded_minor = refunded_minor - old.refunded_minor,
                                tip_minor = tip_minor - old.tip_minor,
                                tip_refunded_minor = tip_refunded_minor - old.tip_refunded_minor
    WHERE day = (old.created_at - ((old.created_at % 86400000) + 86400000) % 86400000) / 86400000 AND status = old.status AND gateway = old.gateway
      AND method = old.method AND currency = old.currency;
END;

-- Migration 3's covering indexes for totals and reports, with the tips, so a total still comes
-- straight off an index at a million orders.
DROP INDEX orders_for_totals;
DROP INDEX orders_for_totals_by_status;
CREATE INDEX orders_for_totals ON orders (created_at, status, gateway, method, currency, amount_minor, refunded_minor, tip_minor, tip_refunded_minor);
CREATE INDEX orders_for_totals_by_status ON orders (status, created_at, gateway, method, currency, amount_minor, refunded_minor, tip_minor, tip_refunded_minor);
