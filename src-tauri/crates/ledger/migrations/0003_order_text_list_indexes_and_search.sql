-- The ledger at scale: free text a cashier may add, indexes for the order list's filters (each
-- ends in the list order, so a page is read in order), a covering index that totals and
-- reports read without touching the table, and trigram search (FTS5) over the order number,
-- the gateway's reference and the customer, kept in step by triggers.
ALTER TABLE orders ADD COLUMN customer TEXT;
ALTER TABLE orders ADD COLUMN description TEXT;
CREATE INDEX orders_by_gateway ON orders (gateway, created_at DESC, id DESC);
CREATE INDEX orders_by_method ON orders (method, created_at DESC, id DESC);
CREATE INDEX orders_by_status_page ON orders (status, created_at DESC, id DESC);
DROP INDEX orders_by_status;
CREATE INDEX orders_for_totals ON orders (created_at, status, gateway, method, currency, amount_minor, refunded_minor);
CREATE INDEX orders_for_totals_by_status ON orders (status, created_at, gateway, method, currency, amount_minor, refunded_minor);

CREATE VIRTUAL TABLE orders_search USING fts5 (
    merchant_order_no, gateway_order_id, customer,
    content = 'orders', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO orders_search (orders_search) VALUES ('rebuild');
CREATE TRIGGER orders_search_insert AFTER INSERT ON orders BEGIN
    INSERT INTO orders_search (rowid, merchant_order_no, gateway_order_id, customer)
    VALUES (new.id, new.merchant_order_no, new.gateway_order_id, new.customer);
END;
CREATE TRIGGER orders_search_update AFTER UPDATE OF merchant_order_no, gateway_order_id, customer ON orders BEGIN
    INSERT INTO orders_search (orders_search, rowid, merchant_order_no, gateway_order_id, customer)
    VALUES ('delete', old.id, old.merchant_order_no, old.gateway_order_id, old.customer);
    INSERT INTO orders_search (rowid, merchant_order_no, gateway_order_id, customer)
    VALUES (new.id, new.merchant_order_no, new.gateway_order_id, new.customer);
END;
CREATE TRIGGER orders_search_delete AFTER DELETE ON orders BEGIN
    INSERT INTO orders_search (orders_search, rowid, merchant_order_no, gateway_order_id, customer)
    VALUES ('delete', old.id, old.merchant_order_no, old.gateway_order_id, old.customer);
END;
