//! Refunds and voids: reserved (durably, in one IMMEDIATE transaction) before the gateway is
//! called, so two racing refunds can never together exceed what was paid; finished with the
//! gateway's answer, moving the order's refunded total and status in the same transaction.

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};

use paydesk_domain::clock::now_ms;
use paydesk_domain::error::{Error, Result};
use paydesk_domain::order::{EventSource, Order, OrderStatus};

use super::audit::{append_in, reversal_detail};
use super::handle::Ledger;
use super::orders::{apply_in, get_order, Observation};
use super::shifts::open_shift_in;
use super::staff::Stamp;

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
    /// The part of `amount_minor` that gave back tip: a refund returns the sale first, then
    /// the tip (0: the refund left the tip with the shop).
    pub tip_minor: i64,
    pub kind: RefundKind,
    pub status: RefundStatus,
    pub gateway_refund_id: Option<String>,
    pub reason: Option<String>,
    pub created_at_ms: i64,
    /// Who made it, and who approved it (a manager's or the owner's PIN).
    pub staff: Option<String>,
    pub approver: Option<String>,
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

impl Ledger {
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
        by: &Stamp,
    ) -> Result<Refund> {
        // An intent: durable before the gateway is called (see `write_durable`), with its
        // audit entry, in the shift open at this counter.
        let refund = self.write_durable(|tx| {
            begin_refund_in(tx, order_id, refund_no, amount_minor, kind, reason, by)
        })?;
        self.advance_audit_head()?;
        Ok(refund)
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

    /// Every refund and void this desk reserved whose outcome is unknown, oldest first (in a
    /// shop, the desk that reserved one asks the gateway about it).
    pub fn pending_refunds(&self) -> Result<Vec<Refund>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT * FROM refunds WHERE status = 'pending'
               AND counter IS (SELECT counter FROM shop_state) ORDER BY id",
        )?;
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
}

fn begin_refund_in(
    tx: &Transaction<'_>,
    order_id: i64,
    refund_no: &str,
    amount_minor: i64,
    kind: RefundKind,
    reason: Option<&str>,
    by: &Stamp,
) -> Result<Refund> {
    // A shop member reserves in the shop ledger first, and its pull may bring that reservation
    // here before this write does: the same reservation is not a second one.
    let already: Option<Refund> = tx
        .query_row(
            "SELECT * FROM refunds WHERE refund_no = ?1",
            [refund_no],
            refund_from_row,
        )
        .optional()?
        .transpose()?;
    if let Some(refund) = already {
        if refund.order_id == order_id && refund.amount_minor == amount_minor && refund.kind == kind
        {
            return Ok(refund);
        }
        return Err(Error::invalid(
            "refund",
            format!("refund number {refund_no} is already used for another refund"),
        ));
    }
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
    let (committed, committed_tip): (i64, i64) = tx.query_row(
        "SELECT COALESCE(SUM(amount_minor), 0), COALESCE(SUM(tip_minor), 0) FROM refunds
             WHERE order_id = ?1 AND status != 'failed'",
        [order_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
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
    // The sale is given back first, then the tip: what this refund takes beyond the sale still
    // left is tip. So "the sale without the tip" is amount - tip, and a full refund (or a void)
    // takes the tip too.
    let sale_left = (order.sale_minor() - (committed - committed_tip)).max(0);
    let tip_minor = (amount_minor - sale_left)
        .max(0)
        .min((order.tip_minor - committed_tip).max(0));
    let now = now_ms();
    // A reversal belongs to the shift open at this counter when it is made (none when this
    // counter does not use shifts; a closed last shift does not stop a refund: the owner may
    // give money back after hours, and the next shift's report shows it).
    let shift = open_shift_in(tx)?;
    tx.execute(
            "INSERT INTO refunds (order_id, refund_no, amount_minor, status, reason, kind, created_at, updated_at, counter,
                                  staff, approver, shift_id, tip_minor)
             VALUES (?1, ?2, ?3, 'pending', ?4, ?5, ?6, ?6, (SELECT counter FROM shop_state), ?7, ?8, ?9, ?10)",
            params![order_id, refund_no, amount_minor, reason, kind.as_str(), now, by.staff, by.approver, shift, tip_minor],
        )?;
    let refund = get_refund(tx, tx.last_insert_rowid())?;
    append_in(
        tx,
        &by.entry(
            kind.as_str(),
            refund_no,
            reversal_detail(
                amount_minor,
                order.amount.currency().code(),
                &order.merchant_order_no,
                tip_minor,
            ),
        ),
    )?;
    Ok(refund)
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
                "UPDATE orders SET refunded_minor = refunded_minor + ?2, updated_at = ?3,
                                       tip_refunded_minor = min(tip_minor, tip_refunded_minor + ?4)
                     WHERE id = ?1",
                params![refund.order_id, refund.amount_minor, now, refund.tip_minor],
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
            let tip_words = match refund.tip_minor {
                0 if order.tip_minor > 0 => " without the tip".to_string(),
                0 => String::new(),
                tip => format!(", tip {} included", currency.decimal_string(tip)),
            };
            let note = format!(
                "{} {} {currency}{tip_words} ({})",
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

fn get_refund(conn: &Connection, id: i64) -> Result<Refund> {
    conn.query_row("SELECT * FROM refunds WHERE id = ?1", [id], refund_from_row)?
}

pub(super) fn refund_from_row(row: &Row<'_>) -> rusqlite::Result<Result<Refund>> {
    let kind: String = row.get("kind")?;
    let status: String = row.get("status")?;
    let decode = || -> Result<Refund> {
        Ok(Refund {
            id: row.get("id")?,
            order_id: row.get("order_id")?,
            refund_no: row.get("refund_no")?,
            amount_minor: row.get("amount_minor")?,
            tip_minor: row.get("tip_minor")?,
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
            staff: row.get("staff")?,
            approver: row.get("approver")?,
        })
    };
    Ok(decode())
}
