//! Orders and their append-only status events: an order written before any gateway is
//! called, the status machine that moves it (every move, and every new gateway wording, an
//! event), and the reads of one order or a few (by id or reference, the open ones). Lists,
//! search and totals at scale are the read side's (`queries`).

use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row, Transaction};

use paydesk_domain::clock::now_ms;
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::{Currency, Money};
use paydesk_domain::order::{EventSource, Gateway, Method, Order, OrderEvent, OrderStatus};

use super::audit::{append_in, sale_detail};
use super::fold::{fold, FOLD_BATCH};
use super::handle::Ledger;
use super::shifts::open_shift_for_write;
use super::staff::Stamp;

/// An order as it is first written: before any gateway is called.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub merchant_order_no: String,
    pub method: Method,
    pub environment: String,
    pub amount: Money,
    pub expires_at_ms: Option<i64>,
    /// Who sells it (and the audit entry written with it).
    pub by: Stamp,
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

impl Ledger {
    /// Writes the order (status Created) and its first event in one transaction.
    /// Writes a sale's intent with its audit entry, in the shift open at this counter (refused
    /// with `no_open_shift` when this counter's last shift is closed; nothing is written).
    pub fn insert_order(&self, new: &NewOrder) -> Result<Order> {
        self.insert_tipped_order(new, 0)
    }

    /// `insert_order` for a sale with a tip: `new.amount` is the total charged (sale + tip),
    /// `tip_minor` the part of it that is tip (below the total; the audit entry names it).
    pub fn insert_tipped_order(&self, new: &NewOrder, tip_minor: i64) -> Result<Order> {
        let order = self.write_durable(|tx| {
            let shift = open_shift_for_write(tx)?;
            let order = insert_order_in(tx, new, shift, tip_minor)?;
            append_in(
                tx,
                &new.by.entry(
                    "sale",
                    &order.merchant_order_no,
                    sale_detail(
                        order.amount.minor(),
                        order.amount.currency().code(),
                        order.method.as_str(),
                        order.tip_minor,
                    ),
                ),
            )?;
            Ok(order)
        })?;
        self.advance_audit_head()?;
        Ok(order)
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

    /// This counter's orders whose outcome is still open at the gateway, oldest first. In a
    /// shop, each counter follows its own sales (another counter's are followed there, and
    /// re-queried here only when asked), so no order is polled by every desk at once.
    pub fn open_orders(&self) -> Result<Vec<Order>> {
        self.query_orders(
            "SELECT * FROM orders WHERE status IN ('created', 'pending', 'authorized')
               AND counter IS (SELECT counter FROM shop_state) ORDER BY id",
            Vec::new(),
        )
    }

    /// This counter's orders to ask the gateway about again: every open one, and every
    /// expired one created since `since_ms` (the gateway may still take its payment).
    pub fn orders_to_reconcile(&self, since_ms: i64) -> Result<Vec<Order>> {
        self.query_orders(
            "SELECT * FROM orders WHERE status IN ('created', 'pending', 'authorized')
               AND counter IS (SELECT counter FROM shop_state)
             UNION ALL
             SELECT * FROM orders WHERE status = 'expired' AND created_at >= ?1
               AND counter IS (SELECT counter FROM shop_state)
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

pub(super) fn insert_order_in(
    tx: &Transaction<'_>,
    new: &NewOrder,
    shift: Option<i64>,
    tip_minor: i64,
) -> Result<Order> {
    let now = now_ms();
    tx.prepare_cached(
            "INSERT INTO orders (merchant_order_no, gateway, method, environment, amount_minor, currency,
                                 status, created_at, updated_at, expires_at, counter, staff, shift_id, tip_minor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'created', ?7, ?7, ?8, (SELECT counter FROM shop_state), ?9, ?10, ?11)",
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
                new.by.staff,
                shift,
                tip_minor,
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
    if id - mark >= FOLD_BATCH {
        fold(tx)?;
    }
    get_order(tx, id)
}

pub(super) fn apply_in(tx: &Transaction<'_>, id: i64, obs: &Observation) -> Result<Applied> {
    let order = get_order(tx, id)?;
    let now = now_ms();
    let gateway_status_changed =
        obs.gateway_status.is_some() && obs.gateway_status != order.gateway_status;
    // Every event this records is from the order's current status, with the observation's
    // source and gateway word.
    let record = |to: OrderStatus, note: Option<&str>| {
        insert_event(
            tx,
            id,
            now,
            Some(order.status),
            to,
            obs.source,
            obs.gateway_status.as_deref(),
            note,
        )
    };
    let applied = if obs.status != order.status && order.status.can_move_to(obs.status) {
        tx.execute(
            "UPDATE orders SET status = ?2, gateway_status = COALESCE(?3, gateway_status), updated_at = ?4 WHERE id = ?1",
            params![id, obs.status.as_str(), obs.gateway_status, now],
        )?;
        record(obs.status, obs.note.as_deref())?;
        Applied::Moved
    } else if obs.status == order.status {
        if gateway_status_changed {
            // Same unified status, new gateway wording (e.g. IOTPay 0 -> 1): keep it verbatim.
            tx.execute(
                "UPDATE orders SET gateway_status = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, obs.gateway_status, now],
            )?;
            record(order.status, obs.note.as_deref())?;
        }
        Applied::Unchanged
    } else {
        tracing::warn!(order = id, from = %order.status, to = %obs.status, "ignored an out-of-order status");
        if gateway_status_changed {
            let note = format!("ignored: {} arrived after {}", obs.status, order.status);
            record(order.status, Some(&note))?;
        }
        Applied::Ignored
    };
    Ok(applied)
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

pub(super) fn get_order(conn: &Connection, id: i64) -> Result<Order> {
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
            tip_minor: row.get("tip_minor")?,
            tip_refunded_minor: row.get("tip_refunded_minor")?,
            created_at_ms: row.get("created_at")?,
            updated_at_ms: row.get("updated_at")?,
            expires_at_ms: row.get("expires_at")?,
            customer: row.get("customer")?,
            counter: row.get("counter")?,
            staff: row.get("staff")?,
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
