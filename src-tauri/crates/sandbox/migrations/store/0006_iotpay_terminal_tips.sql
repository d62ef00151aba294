-- The `tip` a CC_PAX create_order sent (guide page "pos_semi_integration" has it in its sample
-- only, "0", unit unstated), kept verbatim beside the order so the terminal shows it and a test
-- can read what the sandbox was sent.
CREATE TABLE iotpay_terminal_tips (
    pay_order_id TEXT PRIMARY KEY REFERENCES iotpay_orders (pay_order_id),
    tip          TEXT NOT NULL
);
