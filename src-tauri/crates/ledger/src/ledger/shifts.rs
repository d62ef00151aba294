//! Shifts (migration 10): a counter's working period, opened by one person and closed by one.
//! A sale or reversal belongs to the shift open at its counter when it is written (stamped in
//! the same transaction, `open_shift_for_write`); closing seals the shift with its Z report,
//! after which the triggers refuse to change it or add to it. The figures are the core's
//! (`paydesk_core::shifts`); this module keeps the rows.

use rusqlite::{params, OptionalExtension, Transaction};

use paydesk_domain::clock::now_ms;
use paydesk_domain::error::{Error, Result};
use paydesk_domain::order::Order;

use super::audit::append_in;
use super::handle::Ledger;
use super::orders::order_from_row;
use super::refunds::{refund_from_row, Refund};
use super::staff::Stamp;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ShiftRow {
    pub id: i64,
    /// The counter's name in a shop; empty for a counter on its own.
    pub counter: String,
    pub opened_by: String,
    pub opened_at_ms: i64,
    pub closed_by: Option<String>,
    pub closed_at_ms: Option<i64>,
    /// The Z report as sealed (JSON), and its SHA-256.
    #[ts(skip)]
    pub z_report: Option<String>,
    pub z_hash: Option<String>,
}

/// A reversal of a shift with what the report needs beside it.
#[derive(Debug, Clone)]
pub struct ShiftReversal {
    pub refund: Refund,
    pub currency: String,
    pub staff: Option<String>,
    pub approver: Option<String>,
}

const THIS_COUNTER: &str = "COALESCE((SELECT counter FROM shop_state), '')";

fn shift_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ShiftRow> {
    Ok(ShiftRow {
        id: r.get("id")?,
        counter: r.get("counter")?,
        opened_by: r.get("opened_by")?,
        opened_at_ms: r.get("opened_at")?,
        closed_by: r.get("closed_by")?,
        closed_at_ms: r.get("closed_at")?,
        z_report: r.get("z_report")?,
        z_hash: r.get("z_hash")?,
    })
}

/// The shift open at this counter now, if any.
pub(super) fn open_shift_in(tx: &Transaction<'_>) -> Result<Option<i64>> {
    Ok(tx
        .prepare_cached(&format!(
            "SELECT id FROM shifts WHERE counter = {THIS_COUNTER} AND closed_at IS NULL"
        ))?
        .query_row([], |r| r.get(0))
        .optional()?)
}

/// The shift a sale or reversal written now belongs to: the one open at this counter. A
/// counter that has never had a shift sells without one (a shop that does not use shifts);
/// once it has had one, a sale needs one open (`no_open_shift`): a closed, sealed shift takes
/// nothing more, and sales do not slip in between shifts.
pub(super) fn open_shift_for_write(tx: &Transaction<'_>) -> Result<Option<i64>> {
    let (open, any): (Option<i64>, bool) = tx
        .prepare_cached(&format!(
            "SELECT (SELECT id FROM shifts WHERE counter = {THIS_COUNTER} AND closed_at IS NULL),
                    EXISTS (SELECT 1 FROM shifts WHERE counter = {THIS_COUNTER})"
        ))?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    if open.is_none() && any {
        return Err(Error::Refused {
            params: vec![],
            code: "no_open_shift",
            field: None,
            message: "the last shift at this counter is closed: open a shift to sell".into(),
        });
    }
    Ok(open)
}

impl Ledger {
    /// The shift open at this counter, if any.
    pub fn current_shift(&self) -> Result<Option<ShiftRow>> {
        Ok(self
            .conn()
            .query_row(
                &format!(
                    "SELECT * FROM shifts WHERE counter = {THIS_COUNTER} AND closed_at IS NULL"
                ),
                [],
                shift_from_row,
            )
            .optional()?)
    }

    pub fn shift(&self, id: i64) -> Result<ShiftRow> {
        self.conn()
            .query_row("SELECT * FROM shifts WHERE id = ?1", [id], shift_from_row)
            .optional()?
            .ok_or_else(|| Error::invalid("shift", format!("no shift {id} in the ledger")))
    }

    /// Shifts, newest first (every counter's, in a shop).
    pub fn shifts(&self, limit: usize) -> Result<Vec<ShiftRow>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT * FROM shifts ORDER BY opened_at DESC, id DESC LIMIT ?1")?;
        let rows = stmt.query_map([limit as i64], shift_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every counter's shifts opened in [from_ms, to_ms), oldest first.
    pub fn shifts_opened_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<ShiftRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT * FROM shifts WHERE opened_at >= ?1 AND opened_at < ?2 ORDER BY opened_at, id",
        )?;
        let rows = stmt.query_map([from_ms, to_ms], shift_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Opens a shift at this counter (refused while one is open), with its audit entry. The
    /// sales the last shift here closed over while they were still waiting are carried into
    /// this one (its Z report listed them as carried), paid or not since.
    pub fn open_shift(&self, by: &Stamp) -> Result<ShiftRow> {
        let opened_by = by.staff.clone().unwrap_or_default();
        let row = self.write(|tx| {
            if let Some(id) = open_shift_in(tx)? {
                return Err(Error::Refused {
                    params: vec![("shift", id.to_string())],
                    code: "shift_open",
                    field: None,
                    message: format!("shift {id} is still open at this counter: close it first"),
                });
            }
            let last: Option<i64> = tx
                .query_row(
                    &format!("SELECT MAX(id) FROM shifts WHERE counter = {THIS_COUNTER}"),
                    [],
                    |r| r.get(0),
                )?;
            tx.execute(
                &format!(
                    "INSERT INTO shifts (counter, opened_by, opened_at) VALUES ({THIS_COUNTER}, ?1, ?2)"
                ),
                params![opened_by, now_ms()],
            )?;
            let id = tx.last_insert_rowid();
            let carried = match last {
                Some(last) => tx.execute(
                    "UPDATE orders SET shift_id = ?1 WHERE carried_from = ?2 AND shift_id IS NULL",
                    params![id, last],
                )?,
                None => 0,
            };
            append_in(
                tx,
                &by.entry(
                    "shift_open",
                    &id.to_string(),
                    format!("{carried} waiting sales carried from the last shift"),
                ),
            )?;
            Ok(tx.query_row("SELECT * FROM shifts WHERE id = ?1", [id], shift_from_row)?)
        })?;
        self.advance_audit_head()?;
        Ok(row)
    }

    /// Closes and seals a shift with its Z report (JSON) and the report's hash, with the audit
    /// entry that holds that hash too. `check` runs inside the transaction with the shift's
    /// orders and reversals as they are at that moment and returns the report to seal, so no
    /// sale can slip in between the figures and the seal.
    pub fn close_shift(
        &self,
        by: &Stamp,
        id: i64,
        mut report: impl FnMut(&ShiftRow, &[Order], &[ShiftReversal], i64) -> Result<(String, String)>,
    ) -> Result<ShiftRow> {
        let closed_by = by.staff.clone().unwrap_or_default();
        let row = self.write(|tx| {
            let shift = tx
                .query_row("SELECT * FROM shifts WHERE id = ?1", [id], shift_from_row)
                .optional()?
                .ok_or_else(|| Error::invalid("shift", format!("no shift {id} in the ledger")))?;
            if shift.closed_at_ms.is_some() {
                return Err(Error::Refused {
                    params: vec![("shift", id.to_string())],
                    code: "shift_sealed",
                    field: None,
                    message: format!("shift {id} is already closed and sealed"),
                });
            }
            let now = now_ms();
            let orders = shift_orders_in(tx, id)?;
            let reversals = shift_reversals_in(tx, id)?;
            let (z_json, z_hash) = report(&shift, &orders, &reversals, now)?;
            tx.execute(
                "UPDATE shifts SET closed_by = ?2, closed_at = ?3, z_report = ?4, z_hash = ?5 WHERE id = ?1",
                params![id, closed_by, now, z_json, z_hash],
            )?;
            // Sales still waiting go to the next shift at this counter (the report lists them).
            tx.execute(
                "UPDATE orders SET shift_id = NULL, carried_from = ?1
                 WHERE shift_id = ?1 AND status IN ('created', 'pending', 'authorized')",
                [id],
            )?;
            append_in(tx, &by.entry("shift_close", &id.to_string(), format!("Z report sha256 {z_hash}")))?;
            Ok(tx.query_row("SELECT * FROM shifts WHERE id = ?1", [id], shift_from_row)?)
        })?;
        self.advance_audit_head()?;
        Ok(row)
    }

    /// A shift's sales and reversals as they are now (what an X report reads).
    pub fn shift_contents(&self, id: i64) -> Result<(Vec<Order>, Vec<ShiftReversal>)> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let out = (shift_orders_in(&tx, id)?, shift_reversals_in(&tx, id)?);
        tx.commit()?;
        Ok(out)
    }
}

fn shift_orders_in(tx: &Transaction<'_>, id: i64) -> Result<Vec<Order>> {
    let mut stmt = tx.prepare_cached("SELECT * FROM orders WHERE shift_id = ?1 ORDER BY id")?;
    let rows = stmt.query_map([id], order_from_row)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(row??);
    }
    Ok(out)
}

fn shift_reversals_in(tx: &Transaction<'_>, id: i64) -> Result<Vec<ShiftReversal>> {
    let mut stmt = tx.prepare_cached(
        "SELECT r.*, o.currency AS order_currency FROM refunds r JOIN orders o ON o.id = r.order_id
         WHERE r.shift_id = ?1 ORDER BY r.id",
    )?;
    let mut rows = stmt.query([id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(ShiftReversal {
            refund: refund_from_row(row)??,
            currency: row.get("order_currency")?,
            staff: row.get("staff")?,
            approver: row.get("approver")?,
        });
    }
    Ok(out)
}
