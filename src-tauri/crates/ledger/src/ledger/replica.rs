//! This ledger as a member of a shop (migration 9): the `shop_state` row (which shop, which
//! counter, how far it has pulled), the outbox of its own changes still to be pushed to the
//! shop ledger, and applying the rows pulled from it. The PostgreSQL side is `shop` (above).
//!
//! Rows cross between the two as `Replica*` values: each table's columns as they are stored,
//! identified by what is unique in the whole shop (the order and refund numbers, which carry
//! their counter's number, and for events and notifications the counter that wrote them with
//! its id there), never by this file's row ids.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension, Row, Transaction};

use paydesk_domain::clock::now_ms;
use paydesk_domain::error::{Error, Result};
use paydesk_domain::order::OrderStatus;

use super::audit::AuditRecord;
use super::handle::Ledger;

/// Which shop this ledger belongs to, if any, and how far replication has come.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShopState {
    /// The shop ledger's address without its password (kept in the OS keychain).
    pub url: Option<String>,
    /// This machine's name in the shop (kept after leaving: its orders carry it).
    pub counter: Option<String>,
    pub counter_number: Option<u16>,
    pub member: bool,
    /// Changes of this ledger not yet in the shop ledger.
    pub outbox: i64,
    /// The shop's change number pulled up to.
    pub pulled_seq: i64,
    pub pushed_at_ms: Option<i64>,
    pub pulled_at_ms: Option<i64>,
    /// Why the last push or pull did not reach the shop (cleared by the next that does).
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaOrder {
    pub merchant_order_no: String,
    pub counter: String,
    pub gateway: String,
    pub method: String,
    pub environment: String,
    pub amount_minor: i64,
    pub currency: String,
    pub status: String,
    pub gateway_status: Option<String>,
    pub gateway_order_id: Option<String>,
    pub payment_url: Option<String>,
    pub payment_payload: Option<String>,
    pub refunded_minor: i64,
    /// The tip inside `amount_minor`, and the part of it refunds gave back.
    pub tip_minor: i64,
    pub tip_refunded_minor: i64,
    pub customer: Option<String>,
    pub description: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub expires_at: Option<i64>,
    /// Who sold it, and its shift's id at its counter.
    pub staff: Option<String>,
    pub shift_origin_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaEvent {
    pub origin: String,
    pub origin_id: i64,
    pub merchant_order_no: String,
    pub at: i64,
    pub from_status: Option<String>,
    pub to_status: String,
    pub source: String,
    pub gateway_status: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaRefund {
    pub refund_no: String,
    pub merchant_order_no: String,
    /// The desk that reserved it (and asks the gateway about it).
    pub counter: String,
    pub amount_minor: i64,
    /// The part of `amount_minor` that gave back tip.
    pub tip_minor: i64,
    pub kind: String,
    pub status: String,
    pub gateway_refund_id: Option<String>,
    pub reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub staff: Option<String>,
    pub approver: Option<String>,
    /// Its shift's id at the desk that reserved it.
    pub shift_origin_id: Option<i64>,
}

/// A staff account as every desk holds it (the newest change wins).
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaStaff {
    pub name: String,
    pub role: String,
    pub pin_hash: String,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// Their own language for the window (None: the shop's).
    pub language: Option<String>,
}

/// A manager's daily refund cap in one currency.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaCap {
    pub currency: String,
    pub cap_minor: i64,
    pub updated_at: i64,
}

/// A counter's shift, by the counter and its id there.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaShift {
    pub counter: String,
    pub origin_id: i64,
    pub opened_by: String,
    pub opened_at: i64,
    pub closed_by: Option<String>,
    pub closed_at: Option<i64>,
    pub z_report: Option<String>,
    pub z_hash: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaNotification {
    pub origin: String,
    pub origin_id: i64,
    pub gateway: String,
    pub received_at: i64,
    pub verified: bool,
    pub merchant_order_no: Option<String>,
    pub fingerprint: String,
    pub body: String,
    pub outcome: String,
}

/// Rows of the replicated tables, in the order they are to be written (shifts before the
/// orders in them, orders before what refers to them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplicaBatch {
    pub staff: Vec<ReplicaStaff>,
    pub caps: Vec<ReplicaCap>,
    pub shifts: Vec<ReplicaShift>,
    pub orders: Vec<ReplicaOrder>,
    pub events: Vec<ReplicaEvent>,
    pub refunds: Vec<ReplicaRefund>,
    pub notifications: Vec<ReplicaNotification>,
    /// Entries of a counter's audit chain, as that counter wrote them.
    pub audit: Vec<AuditRecord>,
}

impl ReplicaBatch {
    pub fn len(&self) -> usize {
        self.staff.len()
            + self.caps.len()
            + self.shifts.len()
            + self.orders.len()
            + self.events.len()
            + self.refunds.len()
            + self.notifications.len()
            + self.audit.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// This ledger's place in its shop, while it is in one: what the replicator and a refund ask on
/// every round, read without counting the outbox (`shop_state` does, for `shop status`).
#[derive(Debug, Clone, PartialEq)]
pub struct Membership {
    pub url: String,
    pub counter: String,
    pub pulled_seq: i64,
}

/// The oldest changes still to be pushed: the rows as they are now, and the outbox position
/// to clear once the shop ledger has them.
#[derive(Debug, Clone)]
pub struct Outbox {
    pub up_to: i64,
    pub counter: String,
    pub batch: ReplicaBatch,
}

/// What applying a pulled batch did here.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pulled {
    pub new_orders: usize,
    pub moved_orders: usize,
    pub events: usize,
    pub refunds: usize,
    pub notifications: usize,
    /// Staff accounts, caps, shifts and audit entries taken.
    pub staff: usize,
    pub shifts: usize,
    pub audit: usize,
    /// The orders here that are new or moved (for an open window to show them), the first
    /// `PULLED_IDS_KEPT`; a larger pull is a catch-up, after which a window reloads its page.
    #[serde(skip)]
    pub order_ids: Vec<i64>,
}

/// How many changed orders a pull names (see `Pulled::order_ids`).
pub const PULLED_IDS_KEPT: usize = 200;

impl Pulled {
    /// Whether anything a window shows changed.
    pub fn changed(&self) -> bool {
        self.new_orders + self.moved_orders + self.refunds > 0
    }

    /// Adds what another span pulled.
    pub fn add(&mut self, other: Pulled) {
        self.new_orders += other.new_orders;
        self.moved_orders += other.moved_orders;
        self.events += other.events;
        self.refunds += other.refunds;
        self.notifications += other.notifications;
        self.staff += other.staff;
        self.shifts += other.shifts;
        self.audit += other.audit;
        let room = PULLED_IDS_KEPT.saturating_sub(self.order_ids.len());
        self.order_ids
            .extend(other.order_ids.into_iter().take(room));
    }
}

impl Ledger {
    pub fn shop_state(&self) -> Result<ShopState> {
        let conn = self.conn();
        let state = conn.query_row(
            "SELECT url, counter, counter_number, member, pulled_seq, pushed_at, pulled_at, last_error,
                    (SELECT count(*) FROM shop_outbox)
             FROM shop_state",
            [],
            |r| {
                Ok(ShopState {
                    url: r.get(0)?,
                    counter: r.get(1)?,
                    counter_number: r.get(2)?,
                    member: r.get(3)?,
                    pulled_seq: r.get(4)?,
                    pushed_at_ms: r.get(5)?,
                    pulled_at_ms: r.get(6)?,
                    last_error: r.get(7)?,
                    outbox: r.get(8)?,
                })
            },
        )?;
        Ok(state)
    }

    /// The counters whose orders this ledger holds, by name (what the Orders screen's counter
    /// filter offers). A skip-scan of `orders_by_counter`: one seek per counter, not a read of
    /// every order.
    pub fn counters_seen(&self) -> Result<Vec<String>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "WITH RECURSIVE seen(name) AS (
                 SELECT min(counter) FROM orders
                 UNION ALL
                 SELECT (SELECT min(counter) FROM orders WHERE counter > seen.name)
                 FROM seen WHERE seen.name IS NOT NULL)
             SELECT name FROM seen WHERE name IS NOT NULL",
        )?;
        let names = stmt.query_map([], |r| r.get(0))?;
        Ok(names.collect::<rusqlite::Result<_>>()?)
    }

    /// Which shop and counter, and how far pulled; None when this ledger is not in a shop.
    pub fn membership(&self) -> Result<Option<Membership>> {
        let conn = self.conn();
        let membership = conn
            .prepare_cached(
                "SELECT url, counter, pulled_seq FROM shop_state
                 WHERE member = 1 AND url IS NOT NULL AND counter IS NOT NULL",
            )?
            .query_row([], |r| {
                Ok(Membership {
                    url: r.get(0)?,
                    counter: r.get(1)?,
                    pulled_seq: r.get(2)?,
                })
            })
            .optional()?;
        Ok(membership)
    }

    /// The number this counter's order numbers carry, while it is in a shop.
    pub fn counter_number(&self) -> Result<Option<u16>> {
        let conn = self.conn();
        let number = conn
            .prepare_cached("SELECT counter_number FROM shop_state WHERE member = 1")?
            .query_row([], |r| r.get(0))
            .optional()?;
        Ok(number)
    }

    /// Joins a shop as `counter` (number `number`, given by the shop ledger): this ledger's
    /// orders and refunds made before take the counter's name, and everything it holds is
    /// queued to be pushed; from here on every change is queued in its own transaction.
    pub fn enter_shop(&self, url: &str, counter: &str, number: u16) -> Result<ShopState> {
        self.write(|tx| {
            let state: (Option<String>, bool) = tx.query_row(
                "SELECT counter, member FROM shop_state",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if state.1 {
                return Err(Error::Refused {
                    params: vec![],
                    code: "shop_member",
                    field: Some("url"),
                    message: "this counter is already in a shop: `paydesk shop leave` first"
                        .into(),
                });
            }
            // Rows made under an earlier name (or none) are this counter's, under its new name.
            tx.execute(
                "UPDATE orders SET counter = ?1 WHERE counter IS ?2",
                params![counter, state.0],
            )?;
            tx.execute(
                "UPDATE refunds SET counter = ?1 WHERE counter IS ?2",
                params![counter, state.0],
            )?;
            // Its shifts too ('' on its own).
            tx.execute(
                "UPDATE shifts SET counter = ?1 WHERE origin_id IS NULL AND counter = coalesce(?2, '')",
                params![counter, state.0],
            )?;
            tx.execute(
                "UPDATE shop_state SET url = ?1, counter = ?2, counter_number = ?3, member = 1,
                        pulled_seq = 0, last_error = NULL",
                params![url, counter, number],
            )?;
            tx.execute_batch(
                "DELETE FROM shop_outbox;
                 INSERT INTO shop_outbox (kind, row_id)
                     SELECT 'order', id FROM orders
                     WHERE counter = (SELECT counter FROM shop_state) ORDER BY id;
                 INSERT INTO shop_outbox (kind, row_id)
                     SELECT 'event', id FROM order_events WHERE origin IS NULL ORDER BY id;
                 INSERT INTO shop_outbox (kind, row_id)
                     SELECT 'refund', id FROM refunds
                     WHERE counter = (SELECT counter FROM shop_state) ORDER BY id;
                 INSERT INTO shop_outbox (kind, row_id)
                     SELECT 'notification', id FROM notifications WHERE origin IS NULL ORDER BY id;
                 INSERT INTO shop_outbox (kind, row_id) SELECT 'staff', id FROM staff ORDER BY id;
                 INSERT INTO shop_outbox (kind, row_id)
                     SELECT 'shift', id FROM shifts WHERE origin_id IS NULL ORDER BY id;
                 INSERT INTO shop_outbox (kind, row_id)
                     SELECT 'cap', rowid FROM refund_caps ORDER BY rowid;
                 INSERT INTO shop_outbox (kind, row_id)
                     SELECT 'audit', seq FROM audit_log ORDER BY seq;",
            )?;
            Ok(())
        })?;
        self.shop_state()
    }

    /// A counter joining a shop takes the shop's staff accounts and caps, the shop's winning
    /// over this ledger's where a name (or currency) is in both: the shop is the authority on
    /// who works there (an "Owner" from this counter's days on its own does not replace the
    /// shop's). Accounts only here stay, and are pushed. Nothing taken is queued back.
    pub fn take_shop_staff(&self, staff: &[ReplicaStaff], caps: &[ReplicaCap]) -> Result<()> {
        self.write(|tx| {
            tx.execute("UPDATE shop_state SET applying = 1", [])?;
            for s in staff {
                tx.prepare_cached(
                    "INSERT INTO staff (name, role, pin_hash, active, created_at, updated_at, language)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (name) DO UPDATE SET name = excluded.name, role = excluded.role,
                         pin_hash = excluded.pin_hash, active = excluded.active, language = excluded.language,
                         created_at = excluded.created_at, updated_at = excluded.updated_at,
                         failures = 0, lockouts = 0, locked_until = 0",
                )?
                .execute(params![
                    s.name,
                    s.role,
                    s.pin_hash,
                    s.active,
                    s.created_at,
                    s.updated_at,
                    s.language
                ])?;
            }
            for c in caps {
                tx.prepare_cached(
                    "INSERT INTO refund_caps (currency, cap_minor, updated_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (currency) DO UPDATE SET cap_minor = excluded.cap_minor,
                         updated_at = excluded.updated_at",
                )?
                .execute(params![c.currency, c.cap_minor, c.updated_at])?;
            }
            tx.execute("UPDATE shop_state SET applying = 0", [])?;
            Ok(())
        })
    }

    /// Leaves the shop: nothing more is queued or pulled; every order, pulled or not, stays.
    pub fn leave_shop(&self) -> Result<ShopState> {
        self.write(|tx| {
            tx.execute_batch(
                "UPDATE shop_state SET url = NULL, member = 0, last_error = NULL;
                 DELETE FROM shop_outbox;",
            )?;
            Ok(())
        })?;
        self.shop_state()
    }

    /// Notes how the last push or pull went (for `shop status` and the window).
    pub fn note_shop(&self, pushed: bool, pulled: bool, error: Option<&str>) -> Result<()> {
        let now = now_ms();
        self.write_one(
            "UPDATE shop_state SET
                 pushed_at = CASE WHEN ?1 THEN ?3 ELSE pushed_at END,
                 pulled_at = CASE WHEN ?2 THEN ?3 ELSE pulled_at END,
                 last_error = ?4",
            params![pushed, pulled, now, error],
        )?;
        Ok(())
    }

    /// The oldest `limit` outbox entries, as the rows are now (an order changed three times
    /// goes once); None when nothing waits or this ledger is not in a shop.
    pub fn outbox(&self, limit: usize) -> Result<Option<Outbox>> {
        let conn = self.conn();
        let counter: Option<String> = conn
            .query_row("SELECT counter FROM shop_state WHERE member = 1", [], |r| {
                r.get(0)
            })
            .optional()?
            .flatten();
        let Some(counter) = counter else {
            return Ok(None);
        };
        let mut entries: Vec<(i64, String, i64)> = Vec::new();
        {
            let mut stmt = conn.prepare_cached(
                "SELECT seq, kind, row_id FROM shop_outbox ORDER BY seq LIMIT ?1",
            )?;
            let rows = stmt.query_map([limit as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            for row in rows {
                entries.push(row?);
            }
        }
        let Some(up_to) = entries.last().map(|e| e.0) else {
            return Ok(None);
        };
        let mut batch = ReplicaBatch::default();
        let mut seen = std::collections::HashSet::new();
        for (_, kind, row_id) in &entries {
            if !seen.insert((kind.as_str(), *row_id)) {
                continue;
            }
            match kind.as_str() {
                "order" => batch.orders.extend(
                    conn.prepare_cached(
                        "SELECT *, coalesce(counter, ?2) AS shop_counter,
                                (SELECT coalesce(origin_id, id) FROM shifts WHERE id = orders.shift_id) AS shift_origin
                         FROM orders WHERE id = ?1",
                    )?
                    .query_row(params![row_id, counter], replica_order)
                    .optional()?,
                ),
                "event" => batch.events.extend(
                    conn.prepare_cached(
                        "SELECT e.*, o.merchant_order_no FROM order_events e
                         JOIN orders o ON o.id = e.order_id WHERE e.id = ?1",
                    )?
                    .query_row([row_id], |r| {
                        Ok(ReplicaEvent {
                            origin: counter.clone(),
                            origin_id: r.get("id")?,
                            merchant_order_no: r.get("merchant_order_no")?,
                            at: r.get("at")?,
                            from_status: r.get("from_status")?,
                            to_status: r.get("to_status")?,
                            source: r.get("source")?,
                            gateway_status: r.get("gateway_status")?,
                            note: r.get("note")?,
                        })
                    })
                    .optional()?,
                ),
                "refund" => batch.refunds.extend(
                    conn.prepare_cached(
                        "SELECT r.*, o.merchant_order_no, coalesce(r.counter, ?2) AS shop_counter,
                                (SELECT coalesce(origin_id, id) FROM shifts WHERE id = r.shift_id) AS shift_origin
                         FROM refunds r JOIN orders o ON o.id = r.order_id WHERE r.id = ?1",
                    )?
                    .query_row(params![row_id, counter], replica_refund)
                    .optional()?,
                ),
                "notification" => batch.notifications.extend(
                    conn.prepare_cached("SELECT * FROM notifications WHERE id = ?1")?
                        .query_row([row_id], |r| {
                            Ok(ReplicaNotification {
                                origin: counter.clone(),
                                origin_id: r.get("id")?,
                                gateway: r.get("gateway")?,
                                received_at: r.get("received_at")?,
                                verified: r.get("verified")?,
                                merchant_order_no: r.get("merchant_order_no")?,
                                fingerprint: r.get("fingerprint")?,
                                body: r.get("body")?,
                                outcome: r.get("outcome")?,
                            })
                        })
                        .optional()?,
                ),
                "staff" => batch.staff.extend(
                    conn.prepare_cached("SELECT * FROM staff WHERE id = ?1")?
                        .query_row([row_id], |r| {
                            Ok(ReplicaStaff {
                                name: r.get("name")?,
                                role: r.get("role")?,
                                pin_hash: r.get("pin_hash")?,
                                active: r.get("active")?,
                                created_at: r.get("created_at")?,
                                updated_at: r.get("updated_at")?,
                                language: r.get("language")?,
                            })
                        })
                        .optional()?,
                ),
                "cap" => batch.caps.extend(
                    conn.prepare_cached("SELECT * FROM refund_caps WHERE rowid = ?1")?
                        .query_row([row_id], |r| {
                            Ok(ReplicaCap {
                                currency: r.get("currency")?,
                                cap_minor: r.get("cap_minor")?,
                                updated_at: r.get("updated_at")?,
                            })
                        })
                        .optional()?,
                ),
                "shift" => batch.shifts.extend(
                    conn.prepare_cached("SELECT * FROM shifts WHERE id = ?1 AND origin_id IS NULL")?
                        .query_row([row_id], |r| {
                            Ok(ReplicaShift {
                                counter: counter.clone(),
                                origin_id: r.get("id")?,
                                opened_by: r.get("opened_by")?,
                                opened_at: r.get("opened_at")?,
                                closed_by: r.get("closed_by")?,
                                closed_at: r.get("closed_at")?,
                                z_report: r.get("z_report")?,
                                z_hash: r.get("z_hash")?,
                            })
                        })
                        .optional()?,
                ),
                "audit" => batch.audit.extend(
                    conn.prepare_cached("SELECT * FROM audit_log WHERE seq = ?1")?
                        .query_row([row_id], |r| {
                            // The entry as written here, under this counter's name in the shop.
                            Ok(AuditRecord {
                                counter: counter.clone(),
                                ..super::audit::record_from_row(r)?
                            })
                        })
                        .optional()?,
                ),
                other => return Err(Error::Internal(format!("unknown outbox kind {other:?}"))),
            }
        }
        Ok(Some(Outbox {
            up_to,
            counter,
            batch,
        }))
    }

    /// The shop ledger has every outbox entry up to `up_to`: they are cleared.
    pub fn outbox_done(&self, up_to: i64) -> Result<()> {
        self.write_one("DELETE FROM shop_outbox WHERE seq <= ?1", [up_to])?;
        Ok(())
    }

    /// Applies rows pulled from the shop ledger, then notes that the shop's changes up to
    /// `seq` are here, in one transaction (a pull cut anywhere is redone whole). Nothing
    /// applied is queued back. Statuses only move forward (`OrderStatus::can_move_to`),
    /// whichever desk saw a change first; this counter's own events, notifications and
    /// refunds are its own to write, so only a refund reserved here and never written here
    /// (a crash between the two) is taken from the shop.
    pub fn apply_pulled(&self, batch: &ReplicaBatch, seq: i64) -> Result<Pulled> {
        self.write(|tx| {
            tx.execute("UPDATE shop_state SET applying = 1", [])?;
            let me: Option<String> =
                tx.query_row("SELECT counter FROM shop_state", [], |r| r.get(0))?;
            let mut pulled = Pulled::default();
            // Accounts and caps: the newest change wins; a new PIN clears this desk's count.
            for s in &batch.staff {
                pulled.staff += tx
                    .prepare_cached(
                        "INSERT INTO staff (name, role, pin_hash, active, created_at, updated_at, language)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                         ON CONFLICT (name) DO UPDATE SET role = excluded.role,
                             pin_hash = excluded.pin_hash, active = excluded.active, language = excluded.language,
                             updated_at = excluded.updated_at,
                             failures = CASE WHEN excluded.pin_hash = staff.pin_hash THEN failures ELSE 0 END,
                             lockouts = CASE WHEN excluded.pin_hash = staff.pin_hash THEN lockouts ELSE 0 END,
                             locked_until = CASE WHEN excluded.pin_hash = staff.pin_hash THEN locked_until ELSE 0 END
                         WHERE excluded.updated_at > staff.updated_at",
                    )?
                    .execute(params![s.name, s.role, s.pin_hash, s.active, s.created_at, s.updated_at, s.language])?;
            }
            for c in &batch.caps {
                tx.prepare_cached(
                    "INSERT INTO refund_caps (currency, cap_minor, updated_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (currency) DO UPDATE SET cap_minor = excluded.cap_minor,
                         updated_at = excluded.updated_at
                     WHERE excluded.updated_at > refund_caps.updated_at",
                )?
                .execute(params![c.currency, c.cap_minor, c.updated_at])?;
            }
            // Other counters' shifts, opened and then closed (sealed once closed here too).
            for s in batch.shifts.iter().filter(|s| Some(&s.counter) != me.as_ref()) {
                pulled.shifts += tx
                    .prepare_cached(
                        "INSERT INTO shifts (counter, origin_id, opened_by, opened_at, closed_by, closed_at, z_report, z_hash)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                         ON CONFLICT (counter, origin_id) WHERE origin_id IS NOT NULL DO UPDATE SET
                             closed_by = excluded.closed_by, closed_at = excluded.closed_at,
                             z_report = excluded.z_report, z_hash = excluded.z_hash
                         WHERE shifts.closed_at IS NULL",
                    )?
                    .execute(params![
                        s.counter,
                        s.origin_id,
                        s.opened_by,
                        s.opened_at,
                        s.closed_by,
                        s.closed_at,
                        s.z_report,
                        s.z_hash
                    ])?;
            }
            let mut ids: HashMap<String, i64> = HashMap::new();
            for order in &batch.orders {
                let shift = match (&me, order.shift_origin_id) {
                    (Some(me), _) if *me == order.counter => None,
                    (_, Some(origin)) => local_shift(tx, &order.counter, origin)?,
                    _ => None,
                };
                let (id, moved) = apply_order(tx, order, shift, Some(&order.counter) != me.as_ref())?;
                match moved {
                    OrderApplied::New => pulled.new_orders += 1,
                    OrderApplied::Moved => pulled.moved_orders += 1,
                    OrderApplied::Same => {}
                }
                if !matches!(moved, OrderApplied::Same) && pulled.order_ids.len() < PULLED_IDS_KEPT
                {
                    pulled.order_ids.push(id);
                }
                ids.insert(order.merchant_order_no.clone(), id);
            }
            let mut local_id = |no: &str| -> Result<Option<i64>> {
                if let Some(id) = ids.get(no) {
                    return Ok(Some(*id));
                }
                let id: Option<i64> = tx
                    .prepare_cached("SELECT id FROM orders WHERE merchant_order_no = ?1")?
                    .query_row([no], |r| r.get(0))
                    .optional()?;
                if let Some(id) = id {
                    ids.insert(no.to_string(), id);
                }
                Ok(id)
            };
            // A pull brings every row's order with it (`shop::pull`): one missing here is an
            // error, never a row skipped (the change number would move past it for good).
            let missing = |no: &str| {
                Error::Internal(format!(
                    "the shop ledger sent a row of order {no} without the order"
                ))
            };
            for event in batch.events.iter().filter(|e| Some(&e.origin) != me.as_ref()) {
                let order_id = local_id(&event.merchant_order_no)?
                    .ok_or_else(|| missing(&event.merchant_order_no))?;
                pulled.events += tx
                    .prepare_cached(
                        "INSERT OR IGNORE INTO order_events
                             (order_id, at, from_status, to_status, source, gateway_status, note, origin, origin_id)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    )?
                    .execute(params![
                        order_id,
                        event.at,
                        event.from_status,
                        event.to_status,
                        event.source,
                        event.gateway_status,
                        event.note,
                        event.origin,
                        event.origin_id
                    ])?;
            }
            for refund in &batch.refunds {
                let order_id = local_id(&refund.merchant_order_no)?
                    .ok_or_else(|| missing(&refund.merchant_order_no))?;
                let mine = Some(&refund.counter) == me.as_ref();
                let shift = match refund.shift_origin_id {
                    Some(origin) if !mine => local_shift(tx, &refund.counter, origin)?,
                    _ => None,
                };
                // Another desk's refund: inserted, or its outcome taken once it has one. One of
                // this desk's: taken only if it is not here at all.
                let sql = if mine {
                    "INSERT OR IGNORE INTO refunds
                         (order_id, refund_no, amount_minor, kind, status, gateway_refund_id, reason, created_at, updated_at, counter,
                          staff, approver, shift_id, tip_minor)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
                } else {
                    "INSERT INTO refunds
                         (order_id, refund_no, amount_minor, kind, status, gateway_refund_id, reason, created_at, updated_at, counter,
                          staff, approver, shift_id, tip_minor)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                     ON CONFLICT (refund_no) DO UPDATE SET
                         status = CASE WHEN refunds.status = 'pending' THEN excluded.status ELSE refunds.status END,
                         gateway_refund_id = coalesce(excluded.gateway_refund_id, refunds.gateway_refund_id),
                         reason = excluded.reason, updated_at = excluded.updated_at,
                         tip_minor = max(refunds.tip_minor, excluded.tip_minor)"
                };
                pulled.refunds += tx.prepare_cached(sql)?.execute(params![
                    order_id,
                    refund.refund_no,
                    refund.amount_minor,
                    refund.kind,
                    refund.status,
                    refund.gateway_refund_id,
                    refund.reason,
                    refund.created_at,
                    refund.updated_at,
                    refund.counter,
                    refund.staff,
                    refund.approver,
                    shift,
                    refund.tip_minor
                ])?;
            }
            for n in batch.notifications.iter().filter(|n| Some(&n.origin) != me.as_ref()) {
                let order_id = match &n.merchant_order_no {
                    Some(no) => local_id(no)?,
                    None => None,
                };
                pulled.notifications += tx
                    .prepare_cached(
                        "INSERT OR IGNORE INTO notifications
                             (gateway, received_at, verified, merchant_order_no, order_id, fingerprint, body, outcome, origin, origin_id)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    )?
                    .execute(params![
                        n.gateway,
                        n.received_at,
                        n.verified,
                        n.merchant_order_no,
                        order_id,
                        n.fingerprint,
                        n.body,
                        n.outcome,
                        n.origin,
                        n.origin_id
                    ])?;
            }
            for a in batch.audit.iter().filter(|a| Some(&a.counter) != me.as_ref()) {
                pulled.audit += tx
                    .prepare_cached(
                        "INSERT OR IGNORE INTO shop_audit
                             (counter, entry, at, staff, approver, action, subject, detail, prev_hash, hash)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    )?
                    .execute(params![
                        a.counter,
                        a.seq,
                        a.at_ms,
                        a.staff,
                        a.approver,
                        a.action,
                        a.subject,
                        a.detail,
                        a.prev_hash,
                        a.hash
                    ])?;
            }
            tx.execute(
                "UPDATE shop_state SET applying = 0, pulled_seq = max(pulled_seq, ?1), pulled_at = ?2, last_error = NULL",
                params![seq, now_ms()],
            )?;
            Ok(pulled)
        })
    }
}

enum OrderApplied {
    New,
    Moved,
    Same,
}

/// One pulled order: inserted if new here; else its status moved forward only, its refunded
/// total never lowered, and what the gateway gave back (references, link) kept.
/// Another counter's shift here, by its counter and its id there.
fn local_shift(tx: &Transaction<'_>, counter: &str, origin: i64) -> Result<Option<i64>> {
    Ok(tx
        .prepare_cached("SELECT id FROM shifts WHERE counter = ?1 AND origin_id = ?2")?
        .query_row(params![counter, origin], |r| r.get(0))
        .optional()?)
}

/// `shift`: the order's shift here (another counter's order; None leaves this counter's own
/// orders' shifts as they are); `theirs`: the order is another counter's.
fn apply_order(
    tx: &Transaction<'_>,
    o: &ReplicaOrder,
    shift: Option<i64>,
    theirs: bool,
) -> Result<(i64, OrderApplied)> {
    let here: Option<(i64, String, i64)> = tx
        .prepare_cached(
            "SELECT id, status, refunded_minor FROM orders WHERE merchant_order_no = ?1",
        )?
        .query_row([&o.merchant_order_no], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let Some((id, status, refunded)) = here else {
        tx.prepare_cached(
            "INSERT INTO orders (merchant_order_no, counter, gateway, method, environment, amount_minor,
                 currency, status, gateway_status, gateway_order_id, payment_url, payment_payload,
                 refunded_minor, customer, description, created_at, updated_at, expires_at, staff, shift_id,
                 tip_minor, tip_refunded_minor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
        )?
        .execute(params![
            o.merchant_order_no,
            o.counter,
            o.gateway,
            o.method,
            o.environment,
            o.amount_minor,
            o.currency,
            o.status,
            o.gateway_status,
            o.gateway_order_id,
            o.payment_url,
            o.payment_payload,
            o.refunded_minor,
            o.customer,
            o.description,
            o.created_at,
            o.updated_at,
            o.expires_at,
            o.staff,
            shift,
            o.tip_minor,
            o.tip_refunded_minor
        ])?;
        return Ok((tx.last_insert_rowid(), OrderApplied::New));
    };
    let moves = match (OrderStatus::parse(&status), OrderStatus::parse(&o.status)) {
        (Ok(now), Ok(next)) => now != next && now.can_move_to(next),
        _ => false,
    };
    tx.prepare_cached(
        "UPDATE orders SET
             status = CASE WHEN ?2 THEN ?3 ELSE status END,
             gateway_status = CASE WHEN ?2 THEN coalesce(?4, gateway_status) ELSE gateway_status END,
             refunded_minor = max(refunded_minor, ?5),
             gateway_order_id = coalesce(gateway_order_id, ?6),
             payment_url = coalesce(payment_url, ?7),
             payment_payload = coalesce(payment_payload, ?8),
             customer = coalesce(?9, customer),
             description = coalesce(?10, description),
             updated_at = max(updated_at, ?11),
             staff = coalesce(staff, ?12),
             shift_id = CASE WHEN ?13 THEN ?14 ELSE shift_id END,
             tip_refunded_minor = min(tip_minor, max(tip_refunded_minor, ?15))
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        moves,
        o.status,
        o.gateway_status,
        o.refunded_minor,
        o.gateway_order_id,
        o.payment_url,
        o.payment_payload,
        o.customer,
        o.description,
        o.updated_at,
        o.staff,
        theirs,
        shift,
        o.tip_refunded_minor
    ])?;
    let moved = moves || o.refunded_minor > refunded;
    Ok((
        id,
        if moved {
            OrderApplied::Moved
        } else {
            OrderApplied::Same
        },
    ))
}

fn replica_order(r: &Row<'_>) -> rusqlite::Result<ReplicaOrder> {
    Ok(ReplicaOrder {
        merchant_order_no: r.get("merchant_order_no")?,
        counter: r.get("shop_counter")?,
        gateway: r.get("gateway")?,
        method: r.get("method")?,
        environment: r.get("environment")?,
        amount_minor: r.get("amount_minor")?,
        currency: r.get("currency")?,
        status: r.get("status")?,
        gateway_status: r.get("gateway_status")?,
        gateway_order_id: r.get("gateway_order_id")?,
        payment_url: r.get("payment_url")?,
        payment_payload: r.get("payment_payload")?,
        refunded_minor: r.get("refunded_minor")?,
        tip_minor: r.get("tip_minor")?,
        tip_refunded_minor: r.get("tip_refunded_minor")?,
        customer: r.get("customer")?,
        description: r.get("description")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
        expires_at: r.get("expires_at")?,
        staff: r.get("staff")?,
        shift_origin_id: r.get("shift_origin")?,
    })
}

fn replica_refund(r: &Row<'_>) -> rusqlite::Result<ReplicaRefund> {
    Ok(ReplicaRefund {
        refund_no: r.get("refund_no")?,
        merchant_order_no: r.get("merchant_order_no")?,
        counter: r.get("shop_counter")?,
        amount_minor: r.get("amount_minor")?,
        tip_minor: r.get("tip_minor")?,
        kind: r.get("kind")?,
        status: r.get("status")?,
        gateway_refund_id: r.get("gateway_refund_id")?,
        reason: r.get("reason")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
        staff: r.get("staff")?,
        approver: r.get("approver")?,
        shift_origin_id: r.get("shift_origin")?,
    })
}
