-- Search indexing off the sale's commit: a new or edited order is queued in search_pending and
-- folded into orders_search in batches (`queries::fold_search_pending`: before every search, and
-- by insert_order once the queue holds a batch), so a search still sees every order at once.
-- Invariant: an order is either queued or indexed with its current values, never both.
CREATE TABLE search_pending (id INTEGER PRIMARY KEY);
DROP TRIGGER orders_search_insert;
DROP TRIGGER orders_search_update;
DROP TRIGGER orders_search_delete;
CREATE TRIGGER orders_search_insert AFTER INSERT ON orders BEGIN
    INSERT OR IGNORE INTO search_pending (id) VALUES (new.id);
END;
CREATE TRIGGER orders_search_update AFTER UPDATE OF id, merchant_order_no, gateway_order_id, customer ON orders BEGIN
    INSERT INTO orders_search (orders_search, rowid, merchant_order_no, gateway_order_id, customer)
    SELECT 'delete', old.id, old.merchant_order_no, old.gateway_order_id, old.customer
    WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE id = old.id);
    DELETE FROM search_pending WHERE id = old.id;
    INSERT OR IGNORE INTO search_pending (id) VALUES (new.id);
END;
CREATE TRIGGER orders_search_delete AFTER DELETE ON orders BEGIN
    INSERT INTO orders_search (orders_search, rowid, merchant_order_no, gateway_order_id, customer)
    SELECT 'delete', old.id, old.merchant_order_no, old.gateway_order_id, old.customer
    WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE id = old.id);
    DELETE FROM search_pending WHERE id = old.id;
END;
