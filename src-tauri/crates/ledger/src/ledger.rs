//! The local SQLite ledger: orders, their append-only status events, refunds and settings,
//! in one file of the data directory (opened by `db::open`: WAL, migrations).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row, Transaction};

use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::{Currency, Money};
use paydesk_domain::order::{EventSource, Gateway, Method, Order, OrderEvent, OrderStatus};

pub const LEDGER_FILE: &str = "paydesk.db";

/// What the search index holds of an order number (SQL over the column `$c`): Paydesk's own
/// numbers ("PD" then only 0-9 and A-Z) without their "PD", every other number whole. The
/// trigrams of that "PD" ("PD2", "D26") are in nearly every order, so a day-prefix search read
/// the whole index; a term reaching into the "PD" is matched on the number's own index instead
/// (`queries::number_prefix`). Migration 7.
macro_rules! search_number {
    ($c:literal) => {
        concat!(
            "(CASE WHEN ",
            $c,
            " GLOB 'PD*' AND NOT substr(",
            $c,
            ", 3) GLOB '*[^0-9A-Z]*' THEN substr(",
            $c,
            ", 3) ELSE ",
            $c,
            " END)"
        )
    };
}
pub(crate) use search_number;

/// Migrations run in order, each once; `PRAGMA user_version` records how many ran.
/// Never edit a released one: append.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE orders (
    id                INTEGER PRIMARY KEY,
    merchant_order_no TEXT    NOT NULL UNIQUE,
    gateway           TEXT    NOT NULL,
    method            TEXT    NOT NULL,
    environment       TEXT    NOT NULL,
    amount_minor      INTEGER NOT NULL CHECK (amount_minor > 0),
    currency          TEXT    NOT NULL CHECK (length(currency) = 3),
    status            TEXT    NOT NULL,
    gateway_status    TEXT,
    gateway_order_id  TEXT,
    payment_url       TEXT,
    refunded_minor    INTEGER NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    expires_at        INTEGER
);
CREATE INDEX orders_by_created ON orders (created_at DESC, id DESC);
CREATE INDEX orders_by_status ON orders (status, created_at DESC);
CREATE INDEX orders_by_gateway_ref ON orders (gateway_order_id);

CREATE TABLE order_events (
    id             INTEGER PRIMARY KEY,
    order_id       INTEGER NOT NULL REFERENCES orders (id),
    at             INTEGER NOT NULL,
    from_status    TEXT,
    to_status      TEXT    NOT NULL,
    source         TEXT    NOT NULL,
    gateway_status TEXT,
    note           TEXT
);
CREATE INDEX order_events_by_order ON order_events (order_id, id);
CREATE TRIGGER order_events_append_only_update BEFORE UPDATE ON order_events
BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;
CREATE TRIGGER order_events_append_only_delete BEFORE DELETE ON order_events
BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;

CREATE TABLE refunds (
    id                INTEGER PRIMARY KEY,
    order_id          INTEGER NOT NULL REFERENCES orders (id),
    refund_no         TEXT    NOT NULL UNIQUE,
    amount_minor      INTEGER NOT NULL CHECK (amount_minor > 0),
    status            TEXT    NOT NULL,
    gateway_refund_id TEXT,
    reason            TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX refunds_by_order ON refunds (order_id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"#,
    r#"
-- What the window or the merchant's app needs beyond a link (a card form's secureId, an app's
-- payParams, a stored card's id), as JSON.
ALTER TABLE orders ADD COLUMN payment_payload TEXT;
ALTER TABLE refunds ADD COLUMN kind TEXT NOT NULL DEFAULT 'refund';

-- Every notification that reached the receiver, verbatim, verified or not: the audit trail,
-- and how a replay is recognised.
CREATE TABLE notifications (
    id                INTEGER PRIMARY KEY,
    gateway           TEXT    NOT NULL,
    received_at       INTEGER NOT NULL,
    verified          INTEGER NOT NULL,
    merchant_order_no TEXT,
    order_id          INTEGER REFERENCES orders (id),
    fingerprint       TEXT    NOT NULL,
    body              TEXT    NOT NULL,
    outcome           TEXT    NOT NULL
);
CREATE INDEX notifications_by_fingerprint ON notifications (fingerprint);
"#,
    r#"
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
"#,
    r#"
-- Search index upkeep off the counter's path: each sale's commit writes one small FTS5
-- segment; merging them only when 16 pile up on a level (crisismerge) instead of every 4
-- (automerge) keeps an insert's writes, and the WAL checkpoints they cause, small.
INSERT INTO orders_search (orders_search, rank) VALUES ('automerge', 0);
INSERT INTO orders_search (orders_search, rank) VALUES ('crisismerge', 16);
"#,
    r#"
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
"#,
    r#"
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
"#,
    concat!(
        "
-- The search index without the \"PD\" of Paydesk's own order numbers (see search_number!):
-- the table is rebuilt over a view of the orders that shows the numbers so (its external
-- content, which FTS5's integrity check and rebuild read), and the triggers of migration 6
-- that write to it are replaced by the same ones indexing the number that way.
DROP TRIGGER orders_fold_insert;
DROP TRIGGER orders_search_update;
DROP TRIGGER orders_fold_delete;
DROP TABLE orders_search;
CREATE VIEW orders_search_content AS
SELECT id, ", search_number!("merchant_order_no"), " AS merchant_order_no, gateway_order_id, customer
FROM orders;
CREATE VIRTUAL TABLE orders_search USING fts5 (
    merchant_order_no, gateway_order_id, customer,
    content = 'orders_search_content', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO orders_search (rowid, merchant_order_no, gateway_order_id, customer)
SELECT id, ", search_number!("merchant_order_no"), ", gateway_order_id, customer FROM orders
WHERE id <= (SELECT folded FROM ledger_fold);
INSERT INTO orders_search (orders_search) VALUES ('optimize');
INSERT INTO orders_search (orders_search, rank) VALUES ('automerge', 0);
INSERT INTO orders_search (orders_search, rank) VALUES ('crisismerge', 16);
CREATE TRIGGER orders_fold_insert AFTER INSERT ON orders
WHEN new.id <= (SELECT folded FROM ledger_fold)
BEGIN
    INSERT INTO orders_search (rowid, merchant_order_no, gateway_order_id, customer)
    VALUES (new.id, ", search_number!("new.merchant_order_no"), ", new.gateway_order_id, new.customer);
    INSERT INTO order_day_totals (day, status, gateway, method, currency, count, amount_minor, refunded_minor)
    VALUES ((new.created_at - ((new.created_at % 86400000) + 86400000) % 86400000) / 86400000, new.status, new.gateway, new.method, new.currency, 1, new.amount_minor, new.refunded_minor)
    ON CONFLICT DO UPDATE SET count = count + 1, amount_minor = amount_minor + excluded.amount_minor,
                              refunded_minor = refunded_minor + excluded.refunded_minor;
END;
CREATE TRIGGER orders_search_update AFTER UPDATE OF id, merchant_order_no, gateway_order_id, customer ON orders
WHEN old.id <= (SELECT folded FROM ledger_fold) OR new.id <= (SELECT folded FROM ledger_fold)
BEGIN
    INSERT INTO orders_search (orders_search, rowid, merchant_order_no, gateway_order_id, customer)
    SELECT 'delete', old.id, ", search_number!("old.merchant_order_no"), ", old.gateway_order_id, old.customer
    WHERE old.id <= (SELECT folded FROM ledger_fold);
    INSERT INTO orders_search (rowid, merchant_order_no, gateway_order_id, customer)
    SELECT new.id, ", search_number!("new.merchant_order_no"), ", new.gateway_order_id, new.customer
    WHERE new.id <= (SELECT folded FROM ledger_fold);
END;
CREATE TRIGGER orders_fold_delete AFTER DELETE ON orders
WHEN old.id <= (SELECT folded FROM ledger_fold)
BEGIN
    INSERT INTO orders_search (orders_search, rowid, merchant_order_no, gateway_order_id, customer)
    VALUES ('delete', old.id, ", search_number!("old.merchant_order_no"), ", old.gateway_order_id, old.customer);
    UPDATE order_day_totals SET count = count - 1, amount_minor = amount_minor - old.amount_minor,
                                refunded_minor = refunded_minor - old.refunded_minor
    WHERE day = (old.created_at - ((old.created_at % 86400000) + 86400000) % 86400000) / 86400000 AND status = old.status AND gateway = old.gateway
      AND method = old.method AND currency = old.currency;
END;
"
    ),
    r#"
-- The owner PIN's wrong tries, kept in the ledger so that a lockout holds across restarts and
-- is shared by the window and the CLI (owner.rs): one row.
CREATE TABLE owner_lockout (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    failures     INTEGER NOT NULL,
    lockouts     INTEGER NOT NULL,
    locked_until INTEGER NOT NULL
);
INSERT INTO owner_lockout (id, failures, lockouts, locked_until) VALUES (1, 0, 0, 0);
"#,
];

pub fn schema_version() -> usize {
    MIGRATIONS.len()
}

/// The migrations, in order (tests build a ledger of an older version with the first few).
pub fn migrations() -> &'static [&'static str] {
    MIGRATIONS
}

/// An order as it is first written: before any gateway is called.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub merchant_order_no: String,
    pub method: Method,
    pub environment: String,
    pub amount: Money,
    pub expires_at_ms: Option<i64>,
}

/// What a gateway said about an order, to be applied through the status machine.
#[derive(Debug, Clone)]
pub struct Observation {
    pub status: OrderStatus,
    pub gateway_status: Option<String>,
    pub source: EventSource,
    pub note: Option<String>,
}

/// What applying an observation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Moved,
    Unchanged,
    /// Late or out of order: kept in the history, the order did not move.
    Ignored,
}

#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    pub gateway: Option<Gateway>,
    pub method: Option<Method>,
    /// Only orders in this currency (an amount range is meant in one currency's minor units).
    pub currency: Option<Currency>,
    /// Inclusive amount range, in minor units.
    pub min_amount_minor: Option<i64>,
    pub max_amount_minor: Option<i64>,
    pub from_ms: Option<i64>,
    /// Exclusive.
    pub to_ms: Option<i64>,
    /// Part of a merchant order number, gateway order id or customer (case-insensitive).
    pub search: Option<String>,
    pub limit: Option<u32>,
    /// Skip this many orders of the list (offset paging).
    pub offset: Option<u32>,
    /// Keyset paging: only orders after this one in list order (the next page).
    pub before: Option<Cursor>,
}

/// Where a page of the list ended: the last order's creation time and id.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "camelCase")]
pub struct Cursor {
    pub created_at_ms: i64,
    pub id: i64,
}

impl Cursor {
    pub fn after(order: &Order) -> Cursor {
        Cursor {
            created_at_ms: order.created_at_ms,
            id: order.id,
        }
    }
}

pub struct Ledger {
    conn: Mutex<Connection>,
    path: PathBuf,
}

thread_local! {
    static LAST_COMMIT_SYNC: std::cell::Cell<Option<&'static str>> = const { std::cell::Cell::new(None) };
}

/// The `synchronous` level the last ledger write of this thread committed with: "FULL" for
/// intents (`insert_order`, `begin_refund`), "NORMAL" for the rest. What the durability
/// tests check; None before any write.
pub fn last_commit_sync() -> Option<&'static str> {
    LAST_COMMIT_SYNC.with(|c| c.get())
}

/// Notes the level in force for the commit about to happen (read inside the transaction).
fn note_commit_sync(tx: &Transaction<'_>) -> Result<()> {
    let level: i64 = tx.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
    let level = ["OFF", "NORMAL", "FULL", "EXTRA"]
        .get(level as usize)
        .copied()
        .unwrap_or("?");
    LAST_COMMIT_SYNC.with(|c| c.set(Some(level)));
    Ok(())
}

pub use paydesk_domain::clock::now_ms;

impl Ledger {
    pub fn open_in(data_dir: &Path) -> Result<Ledger> {
        Ledger::open(&data_dir.join(LEDGER_FILE))
    }

    pub fn open(path: &Path) -> Result<Ledger> {
        Ledger::open_with_migrations(path, MIGRATIONS)
    }

    /// `open` with another list of migrations: the tests' way to make one fail midway. A
    /// ledger of an older schema is backed up first (`backup::before_migration`); when a
    /// migration fails, that backup is put back and the error says so.
    #[doc(hidden)]
    pub fn open_with_migrations(path: &Path, migrations: &[&str]) -> Result<Ledger> {
        let backup = crate::backup::before_migration(path, migrations.len())?;
        let conn = match (crate::db::open(path, migrations), backup) {
            (Ok(conn), _) => conn,
            (Err(e), Some(backup)) => {
                return Err(crate::backup::undo_failed_migration(
                    path,
                    &backup,
                    migrations.len(),
                    e,
                ))
            }
            (Err(e), None) => return Err(e),
        };
        Ok(Ledger {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll
        // back), so a poisoned lock is still safe to use.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One write transaction: IMMEDIATE (the write lock first, so another process's write is
    /// waited for by SQLite's busy handler and a read-then-write never fails to upgrade), and
    /// retried while the file is busy, within the bound stated in `db.rs` (10 s, then one last
    /// 5 s busy timeout). Commits with `synchronous=NORMAL`: it survives a crash of Paydesk; a
    /// power cut may lose it (the gateway is then re-queried). For intents see `write_durable`.
    fn write<T>(&self, mut work: impl FnMut(&Transaction<'_>) -> Result<T>) -> Result<T> {
        crate::db::write(&mut self.conn(), |tx| {
            let out = work(tx)?;
            note_commit_sync(tx)?;
            Ok(out)
        })
    }

    /// `write` for an intent, a row written before a gateway is called (an order, a refund
    /// reservation): committed with `synchronous=FULL`, so a power cut right after the
    /// gateway was called cannot lose the ledger's record of it (WAL + FULL syncs the log on
    /// every commit). Only these commits pay for the sync. Measured with `durable_write_cost`
    /// below (300 inserts, debug build, the 2-core development machine, ext4 on a virtual
    /// disk, 2026-12-02): insert_order took 0.3-0.5 ms with NORMAL and 4.1-4.4 ms with FULL.
    /// A sale can wait 4 ms; every write paying it (each poll's status move, notifications,
    /// settings) would not be cheap, for nothing the gateway cannot tell again, so FULL is
    /// for intents only.
    fn write_durable<T>(&self, mut work: impl FnMut(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.conn();
        conn.pragma_update(None, "synchronous", "FULL")?;
        let written = crate::db::write(&mut conn, |tx| {
            let out = work(tx)?;
            note_commit_sync(tx)?;
            Ok(out)
        });
        let restored = conn.pragma_update(None, "synchronous", "NORMAL");
        let written = written?;
        restored?;
        Ok(written)
    }

    /// One statement on its own (autocommit), retried while the file is busy (see `write`).
    fn write_one(&self, sql: &str, args: impl rusqlite::Params + Clone) -> Result<usize> {
        let conn = self.conn();
        crate::db::retry_busy(|| Ok(conn.execute(sql, args.clone())?))
    }

    /// Writes the order (status Created) and its first event in one transaction.
    pub fn insert_order(&self, new: &NewOrder) -> Result<Order> {
        self.write_durable(|tx| insert_order_in(tx, new))
    }

    /// Keeps what the gateway gave back on create: its order id and the payment link.
    pub fn record_gateway_reference(
        &self,
        id: i64,
        gateway_order_id: Option<&str>,
        payment_url: Option<&str>,
    ) -> Result<()> {
        self.write_one(
            "UPDATE orders SET gateway_order_id = COALESCE(?2, gateway_order_id),
                               payment_url = COALESCE(?3, payment_url), updated_at = ?4
             WHERE id = ?1",
            params![id, gateway_order_id, payment_url, now_ms()],
        )?;
        Ok(())
    }

    /// Applies a gateway observation through the status machine, in one transaction with its
    /// event. A backwards move is refused and noted (once per distinct gateway answer).
    pub fn apply(&self, id: i64, obs: &Observation) -> Result<(Applied, Order)> {
        self.write(|tx| {
            let applied = apply_in(tx, id, obs)?;
            Ok((applied, get_order(tx, id)?))
        })
    }

    /// Keeps what the window or the merchant's app needs beyond a link (JSON).
    pub fn record_payload(&self, id: i64, payload: &serde_json::Value) -> Result<()> {
        self.write_one(
            "UPDATE orders SET payment_payload = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, payload.to_string(), now_ms()],
        )?;
        Ok(())
    }

    /// Reserves a refund (or void) before the gateway is called: in one immediate
    /// transaction, so two refunds racing (in this process or another) cannot together
    /// exceed what was paid. Pending and succeeded refunds both count against the total.
    pub fn begin_refund(
        &self,
        order_id: i64,
        refund_no: &str,
        amount_minor: i64,
        kind: RefundKind,
        reason: Option<&str>,
    ) -> Result<Refund> {
        // An intent: durable before the gateway is called (see `write_durable`).
        self.write_durable(|tx| {
            begin_refund_in(tx, order_id, refund_no, amount_minor, kind, reason)
        })
    }

    /// Records the gateway's answer to a refund. On success the order's refunded total and
    /// status move in the same transaction.
    pub fn finish_refund(&self, refund_id: i64, outcome: RefundOutcome) -> Result<(Refund, Order)> {
        self.write(|tx| finish_refund_in(tx, refund_id, &outcome))
    }

    /// The refund or void with this refund number.
    pub fn refund_by_no(&self, refund_no: &str) -> Result<Refund> {
        let conn = self.conn();
        conn.query_row(
            "SELECT * FROM refunds WHERE refund_no = ?1",
            [refund_no.trim()],
            refund_from_row,
        )
        .optional()?
        .ok_or_else(|| {
            Error::invalid(
                "refund",
                format!("no refund or void {:?} in the ledger", refund_no.trim()),
            )
        })?
    }

    /// Every refund and void whose outcome is unknown, oldest first.
    pub fn pending_refunds(&self) -> Result<Vec<Refund>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT * FROM refunds WHERE status = 'pending' ORDER BY id")?;
        let rows = stmt.query_map([], refund_from_row)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(out)
    }

    /// Adds a line to a refund's notes (kept with its reason), e.g. a resend's refusal.
    pub fn note_refund(&self, refund_id: i64, note: &str) -> Result<()> {
        self.write_one(
            "UPDATE refunds SET reason = COALESCE(reason || '; ', '') || ?2, updated_at = ?3 WHERE id = ?1",
            params![refund_id, note, now_ms()],
        )?;
        Ok(())
    }

    pub fn refunds(&self, order_id: i64) -> Result<Vec<Refund>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT * FROM refunds WHERE order_id = ?1 ORDER BY id")?;
        let rows = stmt.query_map([order_id], refund_from_row)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(out)
    }

    /// Keeps a notification verbatim; returns whether the same body was seen before.
    pub fn record_notification(&self, n: &NotificationRecord<'_>) -> Result<bool> {
        // What reaches the receiver is capped there (notify::BODY_LIMIT); what is kept here is
        // capped again, whoever calls, so no notification can grow the ledger by more than
        // about NOTIFICATION_KEPT bytes.
        let body = cap_text(n.body, NOTIFICATION_KEPT);
        let merchant_order_no = n.merchant_order_no.map(|no| cap_text(no, 64));
        let outcome = cap_text(n.outcome, 512);
        let received_at = now_ms();
        self.write(|tx| {
            let seen: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM notifications
                 WHERE fingerprint = ?1 AND verified = 1 AND outcome = 'accepted')",
                [n.fingerprint],
                |r| r.get(0),
            )?;
            tx.execute(
                "INSERT INTO notifications (gateway, received_at, verified, merchant_order_no, order_id, fingerprint, body, outcome)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![n.gateway, received_at, n.verified, merchant_order_no, n.order_id, n.fingerprint, body, outcome],
            )?;
            Ok(seen)
        })
    }

    /// (verified, outcome) of every notification kept, oldest first (audit and tests).
    pub fn notifications(&self) -> Result<Vec<(bool, String, Option<i64>)>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT verified, outcome, order_id FROM notifications ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn get(&self, id: i64) -> Result<Order> {
        get_order(&self.conn(), id)
    }

    /// An order by ledger id, merchant order number or gateway order id.
    pub fn resolve(&self, reference: &str) -> Result<Order> {
        let conn = self.conn();
        let reference = reference.trim();
        // Both references are indexed; the ledger id is tried only for plain numbers, by key
        // (matching the id as text would read every row).
        let by_reference: Option<i64> = conn
            .query_row(
                "SELECT id FROM orders WHERE merchant_order_no = ?1
                 UNION ALL SELECT id FROM orders WHERE gateway_order_id = ?1 LIMIT 1",
                [reference],
                |r| r.get(0),
            )
            .optional()?;
        let as_id = || {
            reference
                .parse::<i64>()
                .ok()
                .filter(|id| id.to_string() == reference)
        };
        match by_reference.or_else(as_id) {
            Some(id) => get_order(&conn, id).map_err(|e| match e {
                Error::NotFound(_) => Error::NotFound(reference.to_string()),
                other => other,
            }),
            None => Err(Error::NotFound(reference.to_string())),
        }
    }

    /// The order with this merchant order number, if it is ours.
    pub fn find_by_merchant_no(&self, merchant_order_no: &str) -> Result<Option<Order>> {
        let conn = self.conn();
        conn.query_row(
            "SELECT * FROM orders WHERE merchant_order_no = ?1",
            [merchant_order_no],
            order_from_row,
        )
        .optional()?
        .transpose()
    }

    pub fn events(&self, order_id: i64) -> Result<Vec<OrderEvent>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, order_id, at, from_status, to_status, source, gateway_status, note
             FROM order_events WHERE order_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([order_id], event_from_row)?;
        let mut events = Vec::new();
        for row in rows {
            events.push(row??);
        }
        Ok(events)
    }

    /// Orders whose outcome is still open at the gateway, oldest first.
    pub fn open_orders(&self) -> Result<Vec<Order>> {
        self.query_orders(
            "SELECT * FROM orders WHERE status IN ('created', 'pending', 'authorized') ORDER BY id",
            Vec::new(),
        )
    }

    /// Orders to ask the gateway about again: every open one, and every expired one created
    /// since `since_ms` (the gateway may still take its payment).
    pub fn orders_to_reconcile(&self, since_ms: i64) -> Result<Vec<Order>> {
        self.query_orders(
            "SELECT * FROM orders WHERE status IN ('created', 'pending', 'authorized')
             UNION ALL
             SELECT * FROM orders WHERE status = 'expired' AND created_at >= ?1
             ORDER BY id",
            vec![rusqlite::types::Value::Integer(since_ms)],
        )
    }

    /// The latest orders (at most 100, newest first) that moved to `to_status` from
    /// `from_status`: e.g. paid after they had expired, for the owner's notice.
    pub fn orders_moved(
        &self,
        from_status: OrderStatus,
        to_status: OrderStatus,
    ) -> Result<Vec<Order>> {
        self.query_orders(
            "SELECT * FROM orders WHERE id IN (
                 SELECT order_id FROM order_events WHERE from_status = ?1 AND to_status = ?2
             ) ORDER BY id DESC LIMIT 100",
            vec![
                rusqlite::types::Value::Text(from_status.as_str().into()),
                rusqlite::types::Value::Text(to_status.as_str().into()),
            ],
        )
    }

    /// One page of orders, newest first, filtered (`limit` default 100, at most 10,000; page
    /// on with `before` or `offset`). Queries live in `queries.rs`.
    pub fn list(&self, filter: &OrderFilter) -> Result<Vec<Order>> {
        crate::queries::list(&self.conn(), filter)
    }

    /// Visits every order matching the filter, newest first, one row at a time.
    pub fn for_each(
        &self,
        filter: &OrderFilter,
        mut visit: impl FnMut(&Order) -> Result<()>,
    ) -> Result<()> {
        crate::queries::for_each_row(&self.conn(), filter, "*", |row| {
            visit(&order_from_row(row)??)
        })
    }

    /// Visits `SELECT {columns}` of every order matching the filter, newest first (exports).
    pub fn for_each_row(
        &self,
        filter: &OrderFilter,
        columns: &str,
        visit: impl FnMut(&Row<'_>) -> Result<()>,
    ) -> Result<()> {
        crate::queries::for_each_row(&self.conn(), filter, columns, visit)
    }

    /// Sets the free text a cashier may add to an order: who the customer is, what was sold.
    pub fn set_order_text(
        &self,
        id: i64,
        customer: Option<&str>,
        description: Option<&str>,
    ) -> Result<()> {
        let changed = self.write_one(
            "UPDATE orders SET customer = ?2, description = ?3 WHERE id = ?1",
            params![id, customer, description],
        )?;
        if changed == 0 {
            return Err(Error::NotFound(id.to_string()));
        }
        Ok(())
    }

    fn query_orders(&self, sql: &str, args: Vec<rusqlite::types::Value>) -> Result<Vec<Order>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params_from_iter(args), order_from_row)?;
        let mut orders = Vec::new();
        for row in rows {
            orders.push(row??);
        }
        Ok(orders)
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// The owner PIN's lockout state: (wrong tries in a row, lockouts in a row, locked until ms).
    pub fn owner_lockout(&self) -> Result<(u32, u32, i64)> {
        Ok(self
            .conn()
            .query_row(
                "SELECT failures, lockouts, locked_until FROM owner_lockout WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .unwrap_or((0, 0, 0)))
    }

    /// Records one PIN check in one write: `update` gets the state as stored now (another
    /// process may have written since it was read) and returns the state to store.
    pub fn update_owner_lockout(
        &self,
        mut update: impl FnMut((u32, u32, i64)) -> (u32, u32, i64),
    ) -> Result<(u32, u32, i64)> {
        self.write(|tx| {
            let now: (u32, u32, i64) = tx
                .query_row(
                    "SELECT failures, lockouts, locked_until FROM owner_lockout WHERE id = 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?
                .unwrap_or((0, 0, 0));
            let next = update(now);
            tx.execute(
                "INSERT INTO owner_lockout (id, failures, lockouts, locked_until) VALUES (1, ?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET failures = excluded.failures,
                     lockouts = excluded.lockouts, locked_until = excluded.locked_until",
                params![next.0, next.1, next.2],
            )?;
            Ok(next)
        })
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.write_one(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Stores several settings in one transaction, so a form with one bad field (checked
    /// before) never lands half: `Some` sets a value, `None` forgets it (its default applies).
    pub fn put_settings(&self, changes: &[(String, Option<String>)]) -> Result<()> {
        self.write(|tx| {
            for (key, value) in changes {
                put_setting_in(tx, key, value.as_deref())?;
            }
            Ok(())
        })
    }

    /// Writes `changes` when `allowed` (reading the settings under the write lock, so two
    /// processes cannot both pass it) says so; its error is returned and nothing is written.
    pub fn put_settings_if(
        &self,
        allowed: impl Fn(&dyn Fn(&str) -> Result<Option<String>>) -> Result<()>,
        changes: &[(&str, &str)],
    ) -> Result<()> {
        self.write(|tx| {
            let read = |key: &str| -> Result<Option<String>> {
                Ok(tx
                    .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                        r.get(0)
                    })
                    .optional()?)
            };
            allowed(&read)?;
            for (key, value) in changes {
                put_setting_in(tx, key, Some(value))?;
            }
            Ok(())
        })
    }

    /// Orders created since `since_ms`, counted per method key.
    pub fn orders_per_method_since(&self, since_ms: i64) -> Result<Vec<(String, i64)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT method, count(*) FROM orders WHERE created_at >= ?1 GROUP BY method",
        )?;
        let rows = stmt.query_map([since_ms], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

fn put_setting_in(tx: &Transaction<'_>, key: &str, value: Option<&str>) -> Result<()> {
    match value {
        Some(value) => tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?,
        None => tx.execute("DELETE FROM settings WHERE key = ?1", [key])?,
    };
    Ok(())
}

fn insert_order_in(tx: &Transaction<'_>, new: &NewOrder) -> Result<Order> {
    let now = now_ms();
    tx.prepare_cached(
            "INSERT INTO orders (merchant_order_no, gateway, method, environment, amount_minor, currency,
                                 status, created_at, updated_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'created', ?7, ?7, ?8)",
        )?
        .execute(params![
                new.merchant_order_no,
                new.method.gateway().as_str(),
                new.method.as_str(),
                new.environment,
                new.amount.minor(),
                new.amount.currency().code(),
                now,
                new.expires_at_ms,
            ])?;
    let id = tx.last_insert_rowid();
    insert_event(
        tx,
        id,
        now,
        None,
        OrderStatus::Created,
        EventSource::Create,
        None,
        Some("order written before calling the gateway"),
    )?;
    // The search index and the totals summary take new orders in batches (migration 6).
    let mark: i64 = tx
        .prepare_cached("SELECT folded FROM ledger_fold")?
        .query_row([], |r| r.get(0))?;
    if id - mark >= crate::queries::FOLD_BATCH {
        crate::queries::fold(tx)?;
    }
    get_order(tx, id)
}

fn begin_refund_in(
    tx: &Transaction<'_>,
    order_id: i64,
    refund_no: &str,
    amount_minor: i64,
    kind: RefundKind,
    reason: Option<&str>,
) -> Result<Refund> {
    let order = get_order(tx, order_id)?;
    let allowed = match kind {
        RefundKind::Refund => matches!(
            order.status,
            OrderStatus::Paid | OrderStatus::PartiallyRefunded
        ),
        RefundKind::Void => matches!(order.status, OrderStatus::Paid | OrderStatus::Authorized),
    };
    if !allowed {
        return Err(Error::invalid(
            "order",
            format!(
                "order {order_id} is {}: only a paid order can be {}",
                order.status,
                kind.past()
            ),
        ));
    }
    let committed: i64 = tx.query_row(
            "SELECT COALESCE(SUM(amount_minor), 0) FROM refunds WHERE order_id = ?1 AND status != 'failed'",
            [order_id],
            |r| r.get(0),
        )?;
    let refundable = order.amount.minor() - committed;
    if amount_minor > refundable {
        let currency = order.amount.currency();
        return Err(Error::invalid(
                "amount",
                format!(
                    "{} {currency} is more than can be refunded: {} {currency} of {} {currency} is left",
                    currency.decimal_string(amount_minor),
                    currency.decimal_string(refundable.max(0)),
                    order.amount.decimal_string()
                ),
            ));
    }
    let now = now_ms();
    tx.execute(
            "INSERT INTO refunds (order_id, refund_no, amount_minor, status, reason, kind, created_at, updated_at)
             VALUES (?1, ?2, ?3, 'pending', ?4, ?5, ?6, ?6)",
            params![order_id, refund_no, amount_minor, reason, kind.as_str(), now],
        )?;
    get_refund(tx, tx.last_insert_rowid())
}

fn finish_refund_in(
    tx: &Transaction<'_>,
    refund_id: i64,
    outcome: &RefundOutcome,
) -> Result<(Refund, Order)> {
    let refund = get_refund(tx, refund_id)?;
    if refund.status != RefundStatus::Pending {
        let order = get_order(tx, refund.order_id)?;
        return Ok((refund, order));
    }
    let now = now_ms();
    match outcome {
        RefundOutcome::Succeeded {
            gateway_refund_id,
            gateway_status,
        } => {
            tx.execute(
                    "UPDATE refunds SET status = 'succeeded', gateway_refund_id = ?2, updated_at = ?3 WHERE id = ?1",
                    params![refund_id, gateway_refund_id, now],
                )?;
            tx.execute(
                    "UPDATE orders SET refunded_minor = refunded_minor + ?2, updated_at = ?3 WHERE id = ?1",
                    params![refund.order_id, refund.amount_minor, now],
                )?;
            let order = get_order(tx, refund.order_id)?;
            let status = match refund.kind {
                RefundKind::Void => OrderStatus::Voided,
                RefundKind::Refund if order.refunded_minor >= order.amount.minor() => {
                    OrderStatus::Refunded
                }
                RefundKind::Refund => OrderStatus::PartiallyRefunded,
            };
            let currency = order.amount.currency();
            let note = format!(
                "{} {} {currency} ({})",
                refund.kind.past(),
                currency.decimal_string(refund.amount_minor),
                refund.refund_no
            );
            let obs = Observation {
                status,
                gateway_status: gateway_status.clone(),
                source: EventSource::User,
                note: Some(note),
            };
            apply_in(tx, refund.order_id, &obs)?;
        }
        RefundOutcome::Failed { reason } => {
            tx.execute(
                    "UPDATE refunds SET status = 'failed', reason = COALESCE(reason || '; ', '') || ?2, updated_at = ?3 WHERE id = ?1",
                    params![refund_id, reason, now],
                )?;
        }
    }
    let refund = get_refund(tx, refund_id)?;
    let order = get_order(tx, refund.order_id)?;
    Ok((refund, order))
}

fn apply_in(tx: &Transaction<'_>, id: i64, obs: &Observation) -> Result<Applied> {
    let order = get_order(tx, id)?;
    let now = now_ms();
    let gateway_status_changed =
        obs.gateway_status.is_some() && obs.gateway_status != order.gateway_status;
    let applied = if obs.status != order.status && order.status.can_move_to(obs.status) {
        tx.execute(
            "UPDATE orders SET status = ?2, gateway_status = COALESCE(?3, gateway_status), updated_at = ?4 WHERE id = ?1",
            params![id, obs.status.as_str(), obs.gateway_status, now],
        )?;
        insert_event(
            tx,
            id,
            now,
            Some(order.status),
            obs.status,
            obs.source,
            obs.gateway_status.as_deref(),
            obs.note.as_deref(),
        )?;
        Applied::Moved
    } else if obs.status == order.status {
        if gateway_status_changed {
            // Same unified status, new gateway wording (e.g. IOTPay 0 -> 1): keep it verbatim.
            tx.execute(
                "UPDATE orders SET gateway_status = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, obs.gateway_status, now],
            )?;
            insert_event(
                tx,
                id,
                now,
                Some(order.status),
                order.status,
                obs.source,
                obs.gateway_status.as_deref(),
                obs.note.as_deref(),
            )?;
        }
        Applied::Unchanged
    } else {
        tracing::warn!(order = id, from = %order.status, to = %obs.status, "ignored an out-of-order status");
        if gateway_status_changed {
            let note = format!("ignored: {} arrived after {}", obs.status, order.status);
            insert_event(
                tx,
                id,
                now,
                Some(order.status),
                order.status,
                obs.source,
                obs.gateway_status.as_deref(),
                Some(&note),
            )?;
        }
        Applied::Ignored
    };
    Ok(applied)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum RefundKind {
    /// Money given back on a settled payment (full or partial).
    Refund,
    /// An unsettled card payment cancelled in full.
    Void,
}

impl RefundKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RefundKind::Refund => "refund",
            RefundKind::Void => "void",
        }
    }

    fn past(self) -> &'static str {
        match self {
            RefundKind::Refund => "refunded",
            RefundKind::Void => "voided",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum RefundStatus {
    /// Reserved and sent (or about to be); the outcome is not known yet.
    Pending,
    Succeeded,
    Failed,
}

impl RefundStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RefundStatus::Pending => "pending",
            RefundStatus::Succeeded => "succeeded",
            RefundStatus::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Refund {
    pub id: i64,
    pub order_id: i64,
    pub refund_no: String,
    pub amount_minor: i64,
    pub kind: RefundKind,
    pub status: RefundStatus,
    pub gateway_refund_id: Option<String>,
    pub reason: Option<String>,
    pub created_at_ms: i64,
}

#[derive(Debug, Clone)]
pub enum RefundOutcome {
    Succeeded {
        gateway_refund_id: Option<String>,
        gateway_status: Option<String>,
    },
    Failed {
        reason: String,
    },
}

/// The most of a notification's body the ledger keeps: 16 KiB, well above any documented
/// notification (IOTPay's, the largest, is under 1 KiB: every field is at most 256
/// characters); the rest of a longer body is dropped, with a note of its full size.
pub const NOTIFICATION_KEPT: usize = 16 * 1024;

/// `text` whole if it is at most `max` bytes, else its first bytes (cut on a character
/// boundary) and a note of how long it was.
fn cap_text(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= max {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    std::borrow::Cow::Owned(format!(
        "{}[... {} bytes in all; the rest was not kept]",
        &text[..end],
        text.len()
    ))
}

/// A notification as it reached the receiver.
#[derive(Debug, Clone)]
pub struct NotificationRecord<'a> {
    pub gateway: &'a str,
    pub verified: bool,
    pub merchant_order_no: Option<&'a str>,
    pub order_id: Option<i64>,
    pub fingerprint: &'a str,
    pub body: &'a str,
    pub outcome: &'a str,
}

fn get_refund(conn: &Connection, id: i64) -> Result<Refund> {
    conn.query_row("SELECT * FROM refunds WHERE id = ?1", [id], refund_from_row)?
}

fn refund_from_row(row: &Row<'_>) -> rusqlite::Result<Result<Refund>> {
    let kind: String = row.get("kind")?;
    let status: String = row.get("status")?;
    let decode = || -> Result<Refund> {
        Ok(Refund {
            id: row.get("id")?,
            order_id: row.get("order_id")?,
            refund_no: row.get("refund_no")?,
            amount_minor: row.get("amount_minor")?,
            // An unknown kind is an error, never silently a refund: a void read as a refund
            // would be resent as one.
            kind: match kind.as_str() {
                "refund" => RefundKind::Refund,
                "void" => RefundKind::Void,
                other => return Err(Error::Internal(format!("unknown refund kind {other:?}"))),
            },
            status: match status.as_str() {
                "pending" => RefundStatus::Pending,
                "succeeded" => RefundStatus::Succeeded,
                "failed" => RefundStatus::Failed,
                other => return Err(Error::Internal(format!("unknown refund status {other:?}"))),
            },
            gateway_refund_id: row.get("gateway_refund_id")?,
            reason: row.get("reason")?,
            created_at_ms: row.get("created_at")?,
        })
    };
    Ok(decode())
}

#[allow(clippy::too_many_arguments)]
fn insert_event(
    tx: &Transaction<'_>,
    order_id: i64,
    at: i64,
    from: Option<OrderStatus>,
    to: OrderStatus,
    source: EventSource,
    gateway_status: Option<&str>,
    note: Option<&str>,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO order_events (order_id, at, from_status, to_status, source, gateway_status, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![order_id, at, from.map(|s| s.as_str()), to.as_str(), source.as_str(), gateway_status, note])?;
    Ok(())
}

fn get_order(conn: &Connection, id: i64) -> Result<Order> {
    conn.prepare_cached("SELECT * FROM orders WHERE id = ?1")?
        .query_row([id], order_from_row)
        .optional()?
        .ok_or_else(|| Error::NotFound(id.to_string()))?
}

/// A row that does not decode (a status or currency this build does not know) is an error,
/// not a silently skipped order.
pub(crate) fn order_from_row(row: &Row<'_>) -> rusqlite::Result<Result<Order>> {
    let gateway: String = row.get("gateway")?;
    let method: String = row.get("method")?;
    let currency: String = row.get("currency")?;
    let status: String = row.get("status")?;
    let amount_minor: i64 = row.get("amount_minor")?;
    let decode = || -> Result<Order> {
        let gateway = Gateway::parse(&gateway)?;
        let currency = Currency::parse(&currency)?;
        Ok(Order {
            id: row.get("id")?,
            merchant_order_no: row.get("merchant_order_no")?,
            gateway,
            method: Method::parse(gateway, &method)?,
            environment: row.get("environment")?,
            amount: Money::from_minor(amount_minor, currency)?,
            status: OrderStatus::parse(&status)?,
            gateway_status: row.get("gateway_status")?,
            gateway_order_id: row.get("gateway_order_id")?,
            payment_url: row.get("payment_url")?,
            payment_payload: row
                .get::<_, Option<String>>("payment_payload")?
                .and_then(|text| serde_json::from_str(&text).ok()),
            refunded_minor: row.get("refunded_minor")?,
            created_at_ms: row.get("created_at")?,
            updated_at_ms: row.get("updated_at")?,
            expires_at_ms: row.get("expires_at")?,
            customer: row.get("customer")?,
        })
    };
    Ok(decode())
}

fn event_from_row(row: &Row<'_>) -> rusqlite::Result<Result<OrderEvent>> {
    let from: Option<String> = row.get(3)?;
    let to: String = row.get(4)?;
    let source: String = row.get(5)?;
    let decode = || -> Result<OrderEvent> {
        Ok(OrderEvent {
            id: row.get(0)?,
            order_id: row.get(1)?,
            at_ms: row.get(2)?,
            from_status: from.as_deref().map(OrderStatus::parse).transpose()?,
            to_status: OrderStatus::parse(&to)?,
            source: EventSource::parse(&source)
                .ok_or_else(|| Error::Internal(format!("unknown event source {source:?}")))?,
            gateway_status: row.get(6)?,
            note: row.get(7)?,
        })
    };
    Ok(decode())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger() -> (tempfile::TempDir, Ledger) {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open_in(dir.path()).unwrap();
        (dir, ledger)
    }

    fn new_order(no: &str) -> NewOrder {
        NewOrder {
            merchant_order_no: no.into(),
            method: Method::WechatQr,
            environment: "sandbox".into(),
            amount: Money::parse("12.50", Currency::CAD).unwrap(),
            expires_at_ms: None,
        }
    }

    fn obs(status: OrderStatus, raw: &str) -> Observation {
        Observation {
            status,
            gateway_status: Some(raw.into()),
            source: EventSource::Poll,
            note: None,
        }
    }

    /// The figure in `write_durable`'s comment: `cargo test --lib durable_write_cost --
    /// --ignored --nocapture` (a measurement, not a check).
    #[test]
    #[ignore]
    fn durable_write_cost() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open_in(dir.path()).unwrap();
        const N: usize = 300;
        let time = |round: usize, label: &str, durable: bool| {
            let started = std::time::Instant::now();
            for n in 0..N {
                let new = new_order(&format!("PD{label}{round}X{n}"));
                if durable {
                    ledger.insert_order(&new).unwrap();
                } else {
                    ledger.write(|tx| insert_order_in(tx, &new)).unwrap();
                }
            }
            let each = started.elapsed().as_secs_f64() * 1000.0 / N as f64;
            println!("insert_order, synchronous={label}: {each:.3} ms each");
            each
        };
        for round in 0..2 {
            time(round, "NORMAL", false);
            time(round, "FULL", true);
        }
    }

    #[test]
    fn migrations_set_the_schema_version_and_reopen_cleanly() {
        let (dir, ledger) = ledger();
        drop(ledger);
        let again = Ledger::open_in(dir.path()).unwrap();
        let version: i64 = again
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version as usize, schema_version());
        let mode: String = again
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn insert_writes_the_order_and_its_first_event() {
        let (_dir, ledger) = ledger();
        let order = ledger.insert_order(&new_order("PD1")).unwrap();
        assert_eq!(order.status, OrderStatus::Created);
        assert_eq!(order.amount.minor(), 1250);
        let events = ledger.events(order.id).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].to_status, OrderStatus::Created);
        assert!(
            ledger.insert_order(&new_order("PD1")).is_err(),
            "merchant order numbers are unique"
        );
    }

    #[test]
    fn status_moves_forward_only_and_every_move_is_an_event() {
        let (_dir, ledger) = ledger();
        let id = ledger.insert_order(&new_order("PD2")).unwrap().id;
        assert_eq!(
            ledger.apply(id, &obs(OrderStatus::Pending, "0")).unwrap().0,
            Applied::Moved
        );
        assert_eq!(
            ledger.apply(id, &obs(OrderStatus::Pending, "1")).unwrap().0,
            Applied::Unchanged
        );
        assert_eq!(
            ledger.apply(id, &obs(OrderStatus::Paid, "2")).unwrap().0,
            Applied::Moved
        );
        let (applied, order) = ledger.apply(id, &obs(OrderStatus::Pending, "1")).unwrap();
        assert_eq!(applied, Applied::Ignored);
        assert_eq!(order.status, OrderStatus::Paid);
        assert_eq!(order.gateway_status.as_deref(), Some("2"));
        let statuses: Vec<_> = ledger
            .events(id)
            .unwrap()
            .iter()
            .map(|e| (e.to_status, e.gateway_status.clone()))
            .collect();
        assert_eq!(
            statuses,
            vec![
                (OrderStatus::Created, None),
                (OrderStatus::Pending, Some("0".into())),
                (OrderStatus::Pending, Some("1".into())),
                (OrderStatus::Paid, Some("2".into())),
                (OrderStatus::Paid, Some("1".into())),
            ]
        );
        // Repeating the same answer adds nothing.
        ledger.apply(id, &obs(OrderStatus::Paid, "2")).unwrap();
        assert_eq!(ledger.events(id).unwrap().len(), 5);
    }

    #[test]
    fn events_are_append_only() {
        let (_dir, ledger) = ledger();
        let id = ledger.insert_order(&new_order("PD3")).unwrap().id;
        let conn = ledger.conn();
        assert!(conn
            .execute(
                "UPDATE order_events SET note = 'x' WHERE order_id = ?1",
                [id]
            )
            .is_err());
        assert!(conn
            .execute("DELETE FROM order_events WHERE order_id = ?1", [id])
            .is_err());
    }

    #[test]
    fn resolve_finds_by_id_merchant_number_or_gateway_id() {
        let (_dir, ledger) = ledger();
        let order = ledger.insert_order(&new_order("PD4")).unwrap();
        ledger
            .record_gateway_reference(order.id, Some("P0001"), Some("http://x/pay"))
            .unwrap();
        assert_eq!(ledger.resolve(&order.id.to_string()).unwrap().id, order.id);
        assert_eq!(ledger.resolve("PD4").unwrap().id, order.id);
        assert_eq!(
            ledger.resolve("P0001").unwrap().payment_url.as_deref(),
            Some("http://x/pay")
        );
        assert!(matches!(ledger.resolve("nope"), Err(Error::NotFound(_))));
    }

    #[test]
    fn list_filters_and_searches() {
        let (_dir, ledger) = ledger();
        let a = ledger.insert_order(&new_order("PDA100")).unwrap();
        let b = ledger.insert_order(&new_order("PDB200")).unwrap();
        ledger.apply(b.id, &obs(OrderStatus::Pending, "0")).unwrap();
        let all = ledger.list(&OrderFilter::default()).unwrap();
        assert_eq!(
            all.iter().map(|o| o.id).collect::<Vec<_>>(),
            vec![b.id, a.id]
        );
        let pending = ledger
            .list(&OrderFilter {
                status: Some(OrderStatus::Pending),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(pending.len(), 1);
        let found = ledger
            .list(&OrderFilter {
                search: Some("a10".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(found.iter().map(|o| o.id).collect::<Vec<_>>(), vec![a.id]);
        let none = ledger
            .list(&OrderFilter {
                search: Some("%".into()),
                ..Default::default()
            })
            .unwrap();
        assert!(none.is_empty(), "LIKE wildcards in a search are literal");
        assert_eq!(ledger.open_orders().unwrap().len(), 2);
    }
}
