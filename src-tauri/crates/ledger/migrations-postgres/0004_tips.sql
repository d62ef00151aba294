-- Tips (issue 16) in the shop ledger, as in each counter's (SQLite migration 13): an order's tip
-- inside its amount (the total charged), the part of it refunds gave back, and each refund's
-- tip part. Every row so far has none.
ALTER TABLE shop_orders ADD COLUMN tip_minor BIGINT NOT NULL DEFAULT 0
    CHECK (tip_minor >= 0 AND tip_minor < amount_minor);
ALTER TABLE shop_orders ADD COLUMN tip_refunded_minor BIGINT NOT NULL DEFAULT 0
    CHECK (tip_refunded_minor >= 0 AND tip_refunded_minor <= tip_minor);
ALTER TABLE shop_refunds ADD COLUMN tip_minor BIGINT NOT NULL DEFAULT 0
    CHECK (tip_minor >= 0 AND tip_minor <= amount_minor);
