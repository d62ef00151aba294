//! The local SQLite ledger: orders, their append-only status events, refunds and settings,
//! in one file of the data directory (opened by `db::open`: WAL, migrations).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row, Transaction};

use crate::error::{Error, Result};
use crate::money::{Currency, Money};
use crate::order::{EventSource, Gateway, Method, Order, OrderEvent, OrderStatus};

pub const LEDGER_FILE: &str = "paydesk.db";

/// Migrations run in order, each once; `PRAGMA user_version` records how many ran.
/// Never edit a released one: append.
const MIGRATIONS: &[&str] = &[r#"
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
"#];

pub fn schema_version() -> usize {
    MIGRATIONS.len()
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
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub search: Option<String>,
    pub limit: Option<u32>,
}

pub struct Ledger {
    conn: Mutex<Connection>,
    path: PathBuf,
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Ledger {
    pub fn open_in(data_dir: &Path) -> Result<Ledger> {
        Ledger::open(&data_dir.join(LEDGER_FILE))
    }

    pub fn open(path: &Path) -> Result<Ledger> {
        let conn = crate::db::open(path, MIGRATIONS)?;
        Ok(Ledger { conn: Mutex::new(conn), path: path.to_path_buf() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll
        // back), so a poisoned lock is still safe to use.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes the order (status Created) and its first event in one transaction.
    pub fn insert_order(&self, new: &NewOrder) -> Result<Order> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let now = now_ms();
        tx.execute(
            "INSERT INTO orders (merchant_order_no, gateway, method, environment, amount_minor, currency,
                                 status, created_at, updated_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'created', ?7, ?7, ?8)",
            params![
                new.merchant_order_no,
                new.method.gateway().as_str(),
                new.method.as_str(),
                new.environment,
                new.amount.minor(),
                new.amount.currency().code(),
                now,
                new.expires_at_ms,
            ],
        )?;
        let id = tx.last_insert_rowid();
        insert_event(&tx, id, now, None, OrderStatus::Created, EventSource::Create, None, Some("order written before calling the gateway"))?;
        let order = get_order(&tx, id)?;
        tx.commit()?;
        Ok(order)
    }

    /// Keeps what the gateway gave back on create: its order id and the payment link.
    pub fn record_gateway_reference(&self, id: i64, gateway_order_id: Option<&str>, payment_url: Option<&str>) -> Result<()> {
        self.conn().execute(
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
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let order = get_order(&tx, id)?;
        let now = now_ms();
        let gateway_status_changed = obs.gateway_status.is_some() && obs.gateway_status != order.gateway_status;
        let applied = if obs.status != order.status && order.status.can_move_to(obs.status) {
            tx.execute(
                "UPDATE orders SET status = ?2, gateway_status = COALESCE(?3, gateway_status), updated_at = ?4 WHERE id = ?1",
                params![id, obs.status.as_str(), obs.gateway_status, now],
            )?;
            insert_event(&tx, id, now, Some(order.status), obs.status, obs.source, obs.gateway_status.as_deref(), obs.note.as_deref())?;
            Applied::Moved
        } else if obs.status == order.status {
            if gateway_status_changed {
                // Same unified status, new gateway wording (e.g. IOTPay 0 -> 1): keep it verbatim.
                tx.execute("UPDATE orders SET gateway_status = ?2, updated_at = ?3 WHERE id = ?1", params![id, obs.gateway_status, now])?;
                insert_event(&tx, id, now, Some(order.status), order.status, obs.source, obs.gateway_status.as_deref(), obs.note.as_deref())?;
            }
            Applied::Unchanged
        } else {
            tracing::warn!(order = id, from = %order.status, to = %obs.status, "ignored an out-of-order status");
            if gateway_status_changed {
                let note = format!("ignored: {} arrived after {}", obs.status, order.status);
                insert_event(&tx, id, now, Some(order.status), order.status, obs.source, obs.gateway_status.as_deref(), Some(&note))?;
            }
            Applied::Ignored
        };
        let order = get_order(&tx, id)?;
        tx.commit()?;
        Ok((applied, order))
    }

    pub fn get(&self, id: i64) -> Result<Order> {
        get_order(&self.conn(), id)
    }

    /// An order by ledger id, merchant order number or gateway order id.
    pub fn resolve(&self, reference: &str) -> Result<Order> {
        let conn = self.conn();
        let reference = reference.trim();
        let id: Option<i64> = conn
            .query_row(
                "SELECT id FROM orders WHERE merchant_order_no = ?1 OR gateway_order_id = ?1
                 UNION ALL SELECT id FROM orders WHERE CAST(id AS TEXT) = ?1 LIMIT 1",
                [reference],
                |r| r.get(0),
            )
            .optional()?;
        match id {
            Some(id) => get_order(&conn, id),
            None => Err(Error::NotFound(reference.to_string())),
        }
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

    /// Newest first, filtered.
    pub fn list(&self, filter: &OrderFilter) -> Result<Vec<Order>> {
        let (where_sql, args) = filter_sql(filter);
        let limit = filter.limit.unwrap_or(100).min(10_000);
        let sql = format!("SELECT * FROM orders {where_sql} ORDER BY created_at DESC, id DESC LIMIT {limit}");
        self.query_orders(&sql, args)
    }

    /// Visits every order matching the filter, newest first, one row at a time (exports).
    pub fn for_each(&self, filter: &OrderFilter, mut visit: impl FnMut(&Order) -> Result<()>) -> Result<()> {
        let (where_sql, args) = filter_sql(filter);
        let limit = filter.limit.map(|l| format!(" LIMIT {l}")).unwrap_or_default();
        let sql = format!("SELECT * FROM orders {where_sql} ORDER BY created_at DESC, id DESC{limit}");
        let conn = self.conn();
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query(params_from_iter(args))?;
        while let Some(row) = rows.next()? {
            visit(&order_from_row(row)??)?;
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
        Ok(self.conn().query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn().execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }
}

fn filter_sql(filter: &OrderFilter) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value;
    let mut clauses = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if let Some(status) = filter.status {
        args.push(Value::Text(status.as_str().into()));
        clauses.push(format!("status = ?{}", args.len()));
    }
    if let Some(gateway) = filter.gateway {
        args.push(Value::Text(gateway.as_str().into()));
        clauses.push(format!("gateway = ?{}", args.len()));
    }
    if let Some(from) = filter.from_ms {
        args.push(Value::Integer(from));
        clauses.push(format!("created_at >= ?{}", args.len()));
    }
    if let Some(to) = filter.to_ms {
        args.push(Value::Integer(to));
        clauses.push(format!("created_at < ?{}", args.len()));
    }
    if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let escaped = search.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        args.push(Value::Text(format!("%{escaped}%")));
        let n = args.len();
        clauses.push(format!(
            "(merchant_order_no LIKE ?{n} ESCAPE '\\' OR gateway_order_id LIKE ?{n} ESCAPE '\\')"
        ));
    }
    let where_sql = if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };
    (where_sql, args)
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
    tx.execute(
        "INSERT INTO order_events (order_id, at, from_status, to_status, source, gateway_status, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![order_id, at, from.map(|s| s.as_str()), to.as_str(), source.as_str(), gateway_status, note],
    )?;
    Ok(())
}

fn get_order(conn: &Connection, id: i64) -> Result<Order> {
    conn.query_row("SELECT * FROM orders WHERE id = ?1", [id], order_from_row)
        .optional()?
        .ok_or_else(|| Error::NotFound(id.to_string()))?
}

/// A row that does not decode (a status or currency this build does not know) is an error,
/// not a silently skipped order.
fn order_from_row(row: &Row<'_>) -> rusqlite::Result<Result<Order>> {
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
            refunded_minor: row.get("refunded_minor")?,
            created_at_ms: row.get("created_at")?,
            updated_at_ms: row.get("updated_at")?,
            expires_at_ms: row.get("expires_at")?,
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
            source: EventSource::parse(&source).ok_or_else(|| Error::Internal(format!("unknown event source {source:?}")))?,
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
        Observation { status, gateway_status: Some(raw.into()), source: EventSource::Poll, note: None }
    }

    #[test]
    fn migrations_set_the_schema_version_and_reopen_cleanly() {
        let (dir, ledger) = ledger();
        drop(ledger);
        let again = Ledger::open_in(dir.path()).unwrap();
        let version: i64 = again.conn().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version as usize, schema_version());
        let mode: String = again.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
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
        assert!(ledger.insert_order(&new_order("PD1")).is_err(), "merchant order numbers are unique");
    }

    #[test]
    fn status_moves_forward_only_and_every_move_is_an_event() {
        let (_dir, ledger) = ledger();
        let id = ledger.insert_order(&new_order("PD2")).unwrap().id;
        assert_eq!(ledger.apply(id, &obs(OrderStatus::Pending, "0")).unwrap().0, Applied::Moved);
        assert_eq!(ledger.apply(id, &obs(OrderStatus::Pending, "1")).unwrap().0, Applied::Unchanged);
        assert_eq!(ledger.apply(id, &obs(OrderStatus::Paid, "2")).unwrap().0, Applied::Moved);
        let (applied, order) = ledger.apply(id, &obs(OrderStatus::Pending, "1")).unwrap();
        assert_eq!(applied, Applied::Ignored);
        assert_eq!(order.status, OrderStatus::Paid);
        assert_eq!(order.gateway_status.as_deref(), Some("2"));
        let statuses: Vec<_> = ledger.events(id).unwrap().iter().map(|e| (e.to_status, e.gateway_status.clone())).collect();
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
        assert!(conn.execute("UPDATE order_events SET note = 'x' WHERE order_id = ?1", [id]).is_err());
        assert!(conn.execute("DELETE FROM order_events WHERE order_id = ?1", [id]).is_err());
    }

    #[test]
    fn resolve_finds_by_id_merchant_number_or_gateway_id() {
        let (_dir, ledger) = ledger();
        let order = ledger.insert_order(&new_order("PD4")).unwrap();
        ledger.record_gateway_reference(order.id, Some("P0001"), Some("http://x/pay")).unwrap();
        assert_eq!(ledger.resolve(&order.id.to_string()).unwrap().id, order.id);
        assert_eq!(ledger.resolve("PD4").unwrap().id, order.id);
        assert_eq!(ledger.resolve("P0001").unwrap().payment_url.as_deref(), Some("http://x/pay"));
        assert!(matches!(ledger.resolve("nope"), Err(Error::NotFound(_))));
    }

    #[test]
    fn list_filters_and_searches() {
        let (_dir, ledger) = ledger();
        let a = ledger.insert_order(&new_order("PDA100")).unwrap();
        let b = ledger.insert_order(&new_order("PDB200")).unwrap();
        ledger.apply(b.id, &obs(OrderStatus::Pending, "0")).unwrap();
        let all = ledger.list(&OrderFilter::default()).unwrap();
        assert_eq!(all.iter().map(|o| o.id).collect::<Vec<_>>(), vec![b.id, a.id]);
        let pending = ledger.list(&OrderFilter { status: Some(OrderStatus::Pending), ..Default::default() }).unwrap();
        assert_eq!(pending.len(), 1);
        let found = ledger.list(&OrderFilter { search: Some("a10".into()), ..Default::default() }).unwrap();
        assert_eq!(found.iter().map(|o| o.id).collect::<Vec<_>>(), vec![a.id]);
        let none = ledger.list(&OrderFilter { search: Some("%".into()), ..Default::default() }).unwrap();
        assert!(none.is_empty(), "LIKE wildcards in a search are literal");
        assert_eq!(ledger.open_orders().unwrap().len(), 2);
    }
}
