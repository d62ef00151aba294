-- Which counter's push last wrote an order or refund row as it now stands: a pull skips the rows
-- a counter wrote itself (it has them), so a counter never pulls its own sales back. NULL when
-- the shop's merge made the row differ from what was pushed (a status kept, a refunded total
-- summed over several desks): every counter, the pusher included, pulls that row.
ALTER TABLE shop_orders ADD COLUMN pushed_by TEXT;
ALTER TABLE shop_refunds ADD COLUMN pushed_by TEXT;
