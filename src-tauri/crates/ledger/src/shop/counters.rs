//! The counters of a shop: a name unique in the shop (shown with every order) and a number
//! (1 to 1295, two base-36 digits in its order numbers, so no two counters can make the same
//! one). A name in use by a counter that has not left is refused.

use paydesk_domain::clock::now_ms;
use paydesk_domain::error::{Error, Result};

use crate::ledger::{ReplicaCap, ReplicaStaff};

use super::connect::Shop;
use super::pg_error;

/// One counter as the shop ledger knows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CounterRow {
    pub name: String,
    pub number: u16,
    pub joined_at_ms: i64,
    pub left_at_ms: Option<i64>,
    /// The last push this counter made (when it last reached the shop).
    pub pushed_at_ms: Option<i64>,
    /// Its orders in the shop ledger.
    pub orders: i64,
}

/// A counter's name: what a person reads at every order, so short and printable.
pub fn check_counter_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 40 || name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "counter",
            "a counter's name is 1 to 40 printable characters, e.g. \"Till 2\"",
        ));
    }
    Ok(name)
}

impl Shop {
    /// Registers this machine as `name` and returns its number. Refused when another counter
    /// in the shop (one that has not left) has that name.
    pub fn join(&mut self, name: &str) -> Result<u16> {
        let name = check_counter_name(name)?;
        let mut tx = self.client.transaction().map_err(pg_error)?;
        tx.execute("SELECT shop_write_lock()", &[])
            .map_err(pg_error)?;
        let existing = tx
            .query_opt(
                "SELECT number, left_at FROM shop_counters WHERE name = $1",
                &[&name],
            )
            .map_err(pg_error)?;
        let number: i32 = match existing {
            Some(row) if row.get::<_, Option<i64>>(1).is_none() => {
                return Err(Error::Refused {
                    params: vec![("counter", name.to_string())],
                    code: "counter_taken",
                    field: Some("counter"),
                    message: format!(
                        "a counter named {name:?} is already in this shop: choose another name, or run `paydesk shop leave` on that machine first"
                    ),
                })
            }
            Some(row) => {
                tx.execute(
                    "UPDATE shop_counters SET left_at = NULL, joined_at = $2 WHERE name = $1",
                    &[&name, &now_ms()],
                )
                .map_err(pg_error)?;
                row.get(0)
            }
            None => {
                let number: i32 = tx
                    .query_one(
                        "SELECT coalesce(max(number), 0) + 1 FROM shop_counters",
                        &[],
                    )
                    .map_err(pg_error)?
                    .get(0);
                if number > 1295 {
                    return Err(Error::Shop("a shop has at most 1295 counters".into()));
                }
                tx.execute(
                    "INSERT INTO shop_counters (name, number, joined_at) VALUES ($1, $2, $3)",
                    &[&name, &number, &now_ms()],
                )
                .map_err(pg_error)?;
                number
            }
        };
        tx.commit().map_err(pg_error)?;
        Ok(number as u16)
    }

    /// Marks `name` as gone: its orders stay in the shop; the name may be taken again.
    pub fn leave(&mut self, name: &str) -> Result<()> {
        self.client
            .execute(
                "UPDATE shop_counters SET left_at = $2 WHERE name = $1",
                &[&name, &now_ms()],
            )
            .map_err(pg_error)?;
        Ok(())
    }

    /// Every counter that has been in the shop, by number.
    pub fn counters(&mut self) -> Result<Vec<CounterRow>> {
        let rows = self
            .client
            .query(
                "SELECT c.name, c.number, c.joined_at, c.left_at, c.pushed_at,
                        (SELECT count(*) FROM shop_orders o WHERE o.counter = c.name)
                 FROM shop_counters c ORDER BY c.number",
                &[],
            )
            .map_err(pg_error)?;
        Ok(rows
            .iter()
            .map(|r| CounterRow {
                name: r.get(0),
                number: r.get::<_, i32>(1) as u16,
                joined_at_ms: r.get(2),
                left_at_ms: r.get(3),
                pushed_at_ms: r.get(4),
                orders: r.get(5),
            })
            .collect())
    }

    /// The shop's staff accounts and managers' caps as they stand (a joining counter takes
    /// them before anything else: see `Ledger::take_shop_staff`).
    pub fn staff_and_caps(&mut self) -> Result<(Vec<ReplicaStaff>, Vec<ReplicaCap>)> {
        let staff = self
            .client
            .query(&format!("SELECT {STAFF_COLUMNS} FROM shop_staff"), &[])
            .map_err(pg_error)?
            .iter()
            .map(staff_of)
            .collect();
        let caps = self
            .client
            .query(&format!("SELECT {CAP_COLUMNS} FROM shop_refund_caps"), &[])
            .map_err(pg_error)?
            .iter()
            .map(cap_of)
            .collect();
        Ok((staff, caps))
    }

    /// `counter`'s audit chain as the shop ledger keeps it: (entry, hash), in order.
    pub fn audit_copy(&mut self, counter: &str) -> Result<Vec<(i64, String)>> {
        let rows = self
            .client
            .query(
                "SELECT entry, hash FROM shop_audit WHERE counter = $1 ORDER BY entry",
                &[&counter],
            )
            .map_err(pg_error)?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// The newest change number in the shop ledger (how far a pull can go).
    pub fn newest_change(&mut self) -> Result<i64> {
        newest_change(&mut self.client)
    }
}

pub(super) fn newest_change(client: &mut impl postgres::GenericClient) -> Result<i64> {
    Ok(client
        .query_one(
            "SELECT greatest(
                 (SELECT coalesce(max(seq), 0) FROM shop_orders),
                 (SELECT coalesce(max(seq), 0) FROM shop_order_events),
                 (SELECT coalesce(max(seq), 0) FROM shop_refunds),
                 (SELECT coalesce(max(seq), 0) FROM shop_notifications),
                 (SELECT coalesce(max(seq), 0) FROM shop_staff),
                 (SELECT coalesce(max(seq), 0) FROM shop_refund_caps),
                 (SELECT coalesce(max(seq), 0) FROM shop_shifts),
                 (SELECT coalesce(max(seq), 0) FROM shop_audit))",
            &[],
        )
        .map_err(pg_error)?
        .get(0))
}

/// A staff account as the shop ledger keeps it: one column list and one reader, for the whole
/// set (a joining counter, `staff_and_caps`) and for a pull's span (`pull::read_span`).
pub(super) const STAFF_COLUMNS: &str =
    "name, role, pin_hash, active, created_at, updated_at, language";

pub(super) fn staff_of(r: &postgres::Row) -> ReplicaStaff {
    ReplicaStaff {
        name: r.get(0),
        role: r.get(1),
        pin_hash: r.get(2),
        active: r.get(3),
        created_at: r.get(4),
        updated_at: r.get(5),
        language: r.get(6),
    }
}

/// A manager's daily refund cap as the shop ledger keeps it (`STAFF_COLUMNS`' twin).
pub(super) const CAP_COLUMNS: &str = "currency, cap_minor, updated_at";

pub(super) fn cap_of(r: &postgres::Row) -> ReplicaCap {
    ReplicaCap {
        currency: r.get(0),
        cap_minor: r.get::<_, Option<i64>>(1).unwrap_or(0),
        updated_at: r.get(2),
    }
}
