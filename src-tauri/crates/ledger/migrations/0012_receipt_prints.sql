-- Every try to print a receipt on this counter's thermal printer (core receipts/auto.rs), so
-- that "Not printed — Reprint" outlives a restart and the CLI (`paydesk receipt status`) sees
-- what the window tried. One row per try, never changed: a receipt's state is its newest row.
--
-- Not replicated to the shop ledger: no trigger queues these rows in shop_outbox. A print is
-- this counter's affair (its printer, its paper); another desk's receipts are not its to
-- reprint, and the shop's figures never depend on a slip.
CREATE TABLE receipt_prints (
    id        INTEGER PRIMARY KEY,
    order_id  INTEGER NOT NULL REFERENCES orders (id),
    -- The refund's or void's number for its own receipt; NULL for the sale's receipt.
    refund_no TEXT,
    at        INTEGER NOT NULL,
    -- Where it was sent: the printer's host:port or device file, as set then.
    printer   TEXT    NOT NULL,
    printed   INTEGER NOT NULL CHECK (printed IN (0, 1)),
    -- Why it did not print, in plain words (NULL when it printed).
    error     TEXT,
    -- 1: the automatic print on Paid (`receipt.auto`); 0: Print / Reprint / the CLI.
    auto      INTEGER NOT NULL CHECK (auto IN (0, 1)),
    CHECK (printed = 1 OR error IS NOT NULL)
);
CREATE INDEX receipt_prints_by_order ON receipt_prints (order_id, id);
