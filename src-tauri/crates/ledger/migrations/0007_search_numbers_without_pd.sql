-- The search index without the "PD" of Paydesk's own order numbers (see search_number!):
-- the table is rebuilt over a view of the orders that shows the numbers so (its external
-- content, which FTS5's integrity check and rebuild read), and the triggers of migration 6
-- that write to it are replaced by the same ones indexing the number that way.
DROP TRIGGER orders_fold_insert;
DROP TRIGGER orders_search_update;
DROP TRIGGER orders_fold_delete;
DROP TABLE orders_search;
CREATE VIEW orders_search_content AS
SELECT id, (CASE WHEN merchant_order_no GLOB 'PD*' AND NOT substr(merchant_order_no, 3) GLOB '*[^0-9A-Z]*' THEN substr(merchant_order_no, 3) ELSE merchant_order_no END) AS merchant_order_no, gateway_order_id, customer
FROM orders;
CREATE VIRTUAL TABLE orders_search USING fts5 (
    merchant_order_no, gateway_order_id, customer,
    content = 'orders_search_content', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO orders_search (rowid, merchant_order_no, gateway_order_id, customer)
SELECT id, (CASE WHEN merchant_order_no GLOB 'PD*' AND NOT substr(merchant_order_no, 3) GLOB '*[^0-9A-Z]*' THEN substr(merchant_order_no, 3) ELSE merchant_order_no END), gateway_order_id, customer FROM orders
WHERE id <= (SELECT folded FROM ledger_fold);
INSERT INTO orders_search (orders_search) VALUES ('optimize');
INSERT INTO orders_search (orders_search, rank) VALUES ('automerge', 0);
INSERT INTO orders_search (orders_search, rank) VALUES ('crisismerge', 16);
CREATE TRIGGER orders_fold_insert AFTER INSERT ON orders
WHEN new.id <= (SELECT folded FROM ledger_fold)
BEGIN
    INSERT INTO orders_search (rowid, merchant_order_no, gateway_order_id, customer)
    VALUES (new.id, (CASE WHEN new.merchant_order_no GLOB 'PD*' AND NOT substr(new.merchant_order_no, 3) GLOB '*[^0-9A-Z]*' THEN substr(new.merchant_order_no, 3) ELSE new.merchant_order_no END), new.gateway_order_id, new.customer);
    INSERT INTO order_day_totals (day, status, gateway, method, currency, count, amount_minor, refunded_minor)
    VALUES ((new.created_at - ((new.created_at % 86400000) + 86400000) % 86400000) / 86400000, new.status, new.gateway, new.method, new.currency, 1, new.amount_minor, new.refunded_minor)
    ON CONFLICT DO UPDATE SET count = count + 1, amount_minor = amount_minor + excluded.amount_minor,
                              refunded_minor = refunded_minor + excluded.refunded_minor;
END;
CREATE TRIGGER orders_search_update AFTER UPDATE OF id, merchant_order_no, gateway_order_id, customer ON orders
WHEN old.id <= (SELECT folded FROM ledger_fold) OR new.id <= (SELECT folded FROM ledger_fold)
BEGIN
    INSERT INTO orders_search (orders_search, rowid, merchant_order_no, gateway_order_id, customer)
    SELECT 'delete', old.id, (CASE WHEN old.merchant_order_no GLOB 'PD*' AND NOT substr(old.merchant_order_no, 3) GLOB '*[^0-9A-Z]*' THEN substr(old.merchant_order_no, 3) ELSE old.merchant_order_no END), old.gateway_order_id, old.customer
    WHERE old.id <= (SELECT folded FROM ledger_fold);
    INSERT INTO orders_search (rowid, merchant_order_no, gateway_order_id, customer)
    SELECT new.id, (CASE WHEN new.merchant_order_no GLOB 'PD*' AND NOT substr(new.merchant_order_no, 3) GLOB '*[^0-9A-Z]*' THEN substr(new.merchant_order_no, 3) ELSE new.merchant_order_no END), new.gateway_order_id, new.customer
    WHERE new.id <= (SELECT folded FROM ledger_fold);
END;
CREATE TRIGGER orders_fold_delete AFTER DELETE ON orders
WHEN old.id <= (SELECT folded FROM ledger_fold)
BEGIN
    INSERT INTO orders_search (orders_search, rowid, merchant_order_no, gateway_order_id, customer)
    VALUES ('delete', old.id, (CASE WHEN old.merchant_order_no GLOB 'PD*' AND NOT substr(old.merchant_order_no, 3) GLOB '*[^0-9A-Z]*' THEN substr(old.merchant_order_no, 3) ELSE old.merchant_order_no END), old.gateway_order_id, old.customer);
    UPDATE order_day_totals SET count = count - 1, amount_minor = amount_minor - old.amount_minor,
                                refunded_minor = refunded_minor - old.refunded_minor
    WHERE day = (old.created_at - ((old.created_at % 86400000) + 86400000) % 86400000) / 86400000 AND status = old.status AND gateway = old.gateway
      AND method = old.method AND currency = old.currency;
END;
