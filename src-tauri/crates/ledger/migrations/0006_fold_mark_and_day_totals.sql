-- One watermark for the search index and a totals summary: both hold exactly the orders with
-- id <= ledger_fold.folded (with their current values). A sale (a new id above the mark) writes
-- nothing to either; `queries::fold` takes the orders above the mark into both in one batch
-- (before every search and summary total, and in insert_order once a batch has piled up), then
-- moves the mark. Edits and deletes of orders at or below the mark reach both at once. This
-- replaces migration 5's queue.
INSERT INTO orders_search (rowid, merchant_order_no, gateway_order_id, customer)
SELECT o.id, o.merchant_order_no, o.gateway_order_id, o.customer
FROM search_pending p JOIN orders o ON o.id = p.id;
DROP TRIGGER orders_search_insert;
DROP TRIGGER orders_search_update;
DROP TRIGGER orders_search_delete;
DROP TABLE search_pending;
CREATE TABLE ledger_fold (folded INTEGER NOT NULL);
INSERT INTO ledger_fold (folded) SELECT coalesce(max(id), 0) FROM orders;

-- The summary: count and sums per UTC day (created_at floored to the day, in days since 1970)
-- x status x gateway x method x currency. Totals read whole days here and the partial days at
-- the ends of a range from orders (`Ledger::totals`). Rows whose count falls to zero stay.
CREATE TABLE order_day_totals (
    day            INTEGER NOT NULL,
    status         TEXT    NOT NULL,
    gateway        TEXT    NOT NULL,
    method         TEXT    NOT NULL,
    currency       TEXT    NOT NULL,
    count          INTEGER NOT NULL,
    amount_minor   INTEGER NOT NULL,
    refunded_minor INTEGER NOT NULL,
    PRIMARY KEY (day, status, gateway, method, currency)
) WITHOUT ROWID;
INSERT INTO order_day_totals (day, status, gateway, method, currency, count, amount_minor, refunded_minor)
SELECT (created_at - ((created_at % 86400000) + 86400000) % 86400000) / 86400000, status, gateway, method, currency, count(*), sum(amount_minor), sum(refunded_minor)
FROM orders GROUP BY 1, 2, 3, 4, 5;

-- An order written at or below the mark (an id reused after a delete) is taken in at once.
CREATE TRIGGER orders_fold_insert AFTER INSERT ON orders
WHEN new.id <= (SELECT folded FROM ledger_fold)
BEGIN
    INSERT INTO orders_search (rowid, merchant_order_no, gateway_order_id, customer)
    VALUES (new.id, new.merchant_order_no, new.gateway_order_id, new.customer);
    INSERT INTO order_day_totals (day, status, gateway, method, currency, count, amount_minor, refunded_minor)
    VALUES ((new.created_at - ((new.created_at % 86400000) + 86400000) % 86400000) / 86400000, new.status, new.gateway, new.method, new.currency, 1, new.amount_minor, new.refunded_minor)
    ON CONFLICT DO UPDATE SET count = count + 1, amount_minor = amount_minor + excluded.amount_minor,
                              refunded_minor = refunded_minor + excluded.refunded_minor;
END;
CREATE TRIGGER orders_search_update AFTER UPDATE OF id, merchant_order_no, gateway_order_id, customer ON orders
WHEN old.id <= (SELECT folded FROM ledger_fold) OR new.id <= (SELECT folded FROM ledger_fold)
BEGIN
    INSERT INTO orders_search (orders_search, rowid, merchant_order_no, gateway_order_id, customer)
    SELECT 'delete', old.id, old.merchant_order_no, old.gateway_order_id, old.customer
    WHERE old.id <= (SELECT folded FROM ledger_fold);
    INSERT INTO orders_search (rowid, merchant_order_no, gateway_order_id, customer)
    SELECT new.id, new.merchant_order_no, new.gateway_order_id, new.customer
    WHERE new.id <= (SELECT folded FROM ledger_fold);
END;
CREATE TRIGGER order_day_totals_update
AFTER UPDATE OF id, created_at, status, gateway, method, currency, amount_minor, refunded_minor ON orders
WHEN (old.id <= (SELECT folded FROM ledger_fold) OR new.id <= (SELECT folded FROM ledger_fold))
 AND (old.id IS NOT new.id OR old.created_at IS NOT new.created_at OR old.status IS NOT new.status
      OR old.gateway IS NOT new.gateway OR old.method IS NOT new.method OR old.currency IS NOT new.currency
      OR old.amount_minor IS NOT new.amount_minor OR old.refunded_minor IS NOT new.refunded_minor)
BEGIN
    UPDATE order_day_totals SET count = count - 1, amount_minor = amount_minor - old.amount_minor,
                                refunded_minor = refunded_minor - old.refunded_minor
    WHERE day = (old.created_at - ((old.created_at % 86400000) + 86400000) % 86400000) / 86400000 AND status = old.status AND gateway = old.gateway
      AND method = old.method AND currency = old.currency
      AND old.id <= (SELECT folded FROM ledger_fold);
    INSERT INTO order_day_totals (day, status, gateway, method, currency, count, amount_minor, refunded_minor)
    SELECT (new.created_at - ((new.created_at % 86400000) + 86400000) % 86400000) / 86400000, new.status, new.gateway, new.method, new.currency, 1, new.amount_minor, new.refunded_minor
    WHERE new.id <= (SELECT folded FROM ledger_fold)
    ON CONFLICT DO UPDATE SET count = count + 1, amount_minor = amount_minor + excluded.amount_minor,
                              refunded_minor = refunded_minor + excluded.refunded_minor;
END;
CREATE TRIGGER orders_fold_delete AFTER DELETE ON orders
WHEN old.id <= (SELECT folded FROM ledger_fold)
BEGIN
    INSERT INTO orders_search (orders_search, rowid, merchant_order_no, gateway_order_id, customer)
    VALUES ('delete', old.id, old.merchant_order_no, old.gateway_order_id, old.customer);
    UPDATE order_day_totals SET count = count - 1, amount_minor = amount_minor - old.amount_minor,
                                refunded_minor = refunded_minor - old.refunded_minor
    WHERE day = (old.created_at - ((old.created_at % 86400000) + 86400000) % 86400000) / 86400000 AND status = old.status AND gateway = old.gateway
      AND method = old.method AND currency = old.currency;
END;
