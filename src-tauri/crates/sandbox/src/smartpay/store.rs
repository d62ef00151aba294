//! What the sandbox keeps of SmartPay in `sandbox.db`: its payments, the OAuth tokens it
//! issued and the modifications (capture, refund, cancelOrRefund) with their states; a
//! payment's status as a query sees it, pending answers and pending modifications moving on
//! with each query.

use rusqlite::{params, OptionalExtension, Row};

use crate::SandboxStore;
use paydesk_domain::clock::now_ms;
use paydesk_domain::error::Result;

/// A SmartPay payment as the sandbox keeps it.
#[derive(Debug, Clone)]
pub struct SmartpayPayment {
    pub transaction_id: String,
    pub checkout_token: String,
    pub partner_reference: String,
    pub amount_minor: i64,
    pub currency: String,
    pub description: Option<String>,
    pub status: String,
    pub pending_left: i64,
    pub final_status: Option<String>,
    pub captured_minor: i64,
    pub refunded_minor: i64,
    pub reconciliation_id: String,
    pub created_at: i64,
}

fn payment_from_row(row: &Row<'_>) -> rusqlite::Result<SmartpayPayment> {
    Ok(SmartpayPayment {
        transaction_id: row.get("transaction_id")?,
        checkout_token: row.get("checkout_token")?,
        partner_reference: row.get("partner_reference")?,
        amount_minor: row.get("amount_minor")?,
        currency: row.get("currency")?,
        description: row.get("description")?,
        status: row.get("status")?,
        pending_left: row.get("pending_left")?,
        final_status: row.get("final_status")?,
        captured_minor: row.get("captured_minor")?,
        refunded_minor: row.get("refunded_minor")?,
        reconciliation_id: row.get("reconciliation_id")?,
        created_at: row.get("created_at")?,
    })
}

pub(super) const OPEN: [&str; 2] = ["CREATED", "AUTORIZATION_INITIALIZED"];

impl SandboxStore {
    /// A SmartPay payment by transactionId, checkoutToken or partnerReference.
    pub fn smartpay_payment(&self, reference: &str) -> Result<Option<SmartpayPayment>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT * FROM smartpay_payments WHERE transaction_id = ?1 OR checkout_token = ?1 OR partner_reference = ?1",
                [reference],
                payment_from_row,
            )
            .optional()?)
    }

    /// How many OAuth tokens the sandbox has issued (tests of token renewal).
    pub fn smartpay_tokens_issued(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT count(*) FROM smartpay_tokens", [], |r| r.get(0))?)
    }

    /// The customer pays or declines in the widget. A payment may first answer a PENDING
    /// state for `smartpay.pending_answers` queries.
    pub fn smartpay_settle(
        &self,
        reference: &str,
        approve: bool,
    ) -> Result<Option<SmartpayPayment>> {
        let Some(payment) = self.smartpay_payment(reference)? else {
            return Ok(None);
        };
        if !OPEN.contains(&payment.status.as_str()) {
            return Ok(Some(payment));
        }
        let setting = |k: &str| self.sandbox_setting(k).ok().flatten();
        let auto_capture = setting("smartpay.auto_capture").as_deref() != Some("false");
        let final_status = match (approve, auto_capture) {
            (false, _) => "AUTHORIZATION_FAILED",
            (true, true) => "CAPTURED",
            (true, false) => "AUTHORIZATION_COMPLETED",
        };
        let pending: i64 = if approve {
            setting("smartpay.pending_answers")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        } else {
            0
        };
        let (status, left) = if pending > 0 {
            (
                setting("smartpay.pending_status")
                    .unwrap_or_else(|| "AUTHORIZATION_PENDING".into()),
                pending,
            )
        } else {
            (final_status.to_string(), 0)
        };
        let captured = if final_status == "CAPTURED" {
            payment.amount_minor
        } else {
            0
        };
        self.conn().execute(
            "UPDATE smartpay_payments SET status = ?2, final_status = ?3, pending_left = ?4, captured_minor = ?5 WHERE transaction_id = ?1",
            params![payment.transaction_id, status, final_status, left, captured],
        )?;
        self.smartpay_payment(&payment.transaction_id)
    }

    /// The status a query sees: pending modifications move on first (see
    /// [`Self::smartpay_settle_modifications`]); a pending answer uses one of its turns, then
    /// the final one.
    pub(super) fn smartpay_observe(&self, transaction_id: &str) -> Result<Option<SmartpayPayment>> {
        self.smartpay_settle_modifications(transaction_id)?;
        let Some(payment) = self.smartpay_payment(transaction_id)? else {
            return Ok(None);
        };
        if payment.pending_left > 0 {
            let left = payment.pending_left - 1;
            if left == 0 {
                self.conn().execute(
                    "UPDATE smartpay_payments SET pending_left = 0, status = COALESCE(final_status, status) WHERE transaction_id = ?1",
                    [transaction_id],
                )?;
            } else {
                self.conn().execute(
                    "UPDATE smartpay_payments SET pending_left = ?2 WHERE transaction_id = ?1",
                    params![transaction_id, left],
                )?;
            }
            return Ok(Some(payment));
        }
        Ok(Some(payment))
    }

    /// Every modification taken (done, pending or failed; not the refused), oldest first:
    /// (modificationId, kind, amount in minor units).
    pub fn smartpay_modifications(
        &self,
        transaction_id: &str,
    ) -> Result<Vec<(String, String, Option<i64>)>> {
        Ok(self
            .smartpay_modification_records(transaction_id)?
            .into_iter()
            .map(|m| (m.modification_id, m.kind, m.amount_minor))
            .collect())
    }

    /// The modifications of a payment with their state, oldest first.
    pub fn smartpay_modification_records(
        &self,
        transaction_id: &str,
    ) -> Result<Vec<SmartpayModification>> {
        let conn = self.conn();
        ensure_states(&conn)?;
        let mut stmt = conn.prepare(
            "SELECT m.modification_id, m.kind, m.amount_minor, m.status_after, m.created_at,
                    COALESCE(s.state, 'done'), COALESCE(s.updated_at, m.created_at)
             FROM smartpay_modifications m LEFT JOIN smartpay_modification_states s USING (modification_id)
             WHERE m.transaction_id = ?1 ORDER BY m.created_at, m.rowid",
        )?;
        let rows = stmt.query_map([transaction_id], |r| {
            Ok(SmartpayModification {
                modification_id: r.get(0)?,
                kind: r.get(1)?,
                amount_minor: r.get(2)?,
                status_after: r.get(3)?,
                created_at: r.get(4)?,
                state: r.get(5)?,
                updated_at: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A modification's state: `done`, `pending`, `failed` or `refused` (never taken).
    pub fn smartpay_modification_state(&self, modification_id: &str) -> Result<Option<String>> {
        let conn = self.conn();
        ensure_states(&conn)?;
        let state: Option<String> = conn
            .query_row(
                "SELECT state FROM smartpay_modification_states WHERE modification_id = ?1",
                [modification_id],
                |r| r.get(0),
            )
            .optional()?;
        if state.is_some() {
            return Ok(state);
        }
        Ok(conn
            .query_row(
                "SELECT 'done' FROM smartpay_modifications WHERE modification_id = ?1",
                [modification_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Pending modifications move on with each status query: one that still has a turn shows
    /// pending once more, then it settles: done (its effect applied to the payment) or failed
    /// (a pending capture gives the payment back its authorisation).
    fn smartpay_settle_modifications(&self, transaction_id: &str) -> Result<()> {
        let mut conn = self.conn();
        ensure_states(&conn)?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let pending: Vec<PendingModification> = {
            let mut stmt = tx.prepare(
                "SELECT m.modification_id, m.kind, m.amount_minor, m.status_after, s.succeeds, s.polls_left, s.before_status
                 FROM smartpay_modifications m JOIN smartpay_modification_states s USING (modification_id)
                 WHERE m.transaction_id = ?1 AND s.state = 'pending' ORDER BY m.created_at, m.rowid",
            )?;
            let rows = stmt.query_map([transaction_id], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let now = now_ms();
        for (id, kind, amount, status_after, succeeds, polls_left, before) in pending {
            if polls_left > 0 {
                tx.execute(
                    "UPDATE smartpay_modification_states SET polls_left = polls_left - 1 WHERE modification_id = ?1",
                    [&id],
                )?;
                continue;
            }
            if succeeds {
                apply_effect(
                    &tx,
                    transaction_id,
                    &kind,
                    amount.unwrap_or(0),
                    &status_after,
                )?;
            } else if kind == "capture" {
                tx.execute(
                    "UPDATE smartpay_payments SET status = COALESCE(?2, 'AUTHORIZATION_COMPLETED') WHERE transaction_id = ?1",
                    params![transaction_id, before],
                )?;
            }
            tx.execute(
                "UPDATE smartpay_modification_states SET state = ?2, updated_at = ?3 WHERE modification_id = ?1",
                params![id, if succeeds { "done" } else { "failed" }, now],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The newest paid payment other than `transaction_id` (the `wrong-order` fault's answer).
    pub(super) fn smartpay_other_paid(
        &self,
        transaction_id: &str,
    ) -> Result<Option<SmartpayPayment>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT * FROM smartpay_payments WHERE transaction_id != ?1 AND status IN ('CAPTURED', 'SETTLED')
                 ORDER BY created_at DESC, rowid DESC LIMIT 1",
                [transaction_id],
                payment_from_row,
            )
            .optional()?)
    }
}

/// A pending modification's row: id, kind, amount, status after, succeeds, polls left, the
/// payment's status before.
type PendingModification = (
    String,
    String,
    Option<i64>,
    String,
    bool,
    i64,
    Option<String>,
);

/// One modification as the sandbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmartpayModification {
    pub modification_id: String,
    /// `capture`, `refund` or `cancelOrRefund` (the API called).
    pub kind: String,
    pub amount_minor: Option<i64>,
    /// The payment's status once it is done.
    pub status_after: String,
    /// `done`, `pending` or `failed`.
    pub state: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl SmartpayModification {
    /// `modificationData.type` (Response Model page): CAPTURE, REFUND or CANCELLATION.
    pub fn wire_type(&self) -> &'static str {
        match self.kind.as_str() {
            "capture" => "CAPTURE",
            "refund" => "REFUND",
            _ if self.status_after == "CANCELLED" => "CANCELLATION",
            _ => "REFUND",
        }
    }

    /// The modification's own `status` (see the header).
    pub fn wire_status(&self) -> String {
        let kind = self.wire_type();
        match self.state.as_str() {
            "pending" => format!("{kind}_PENDING"),
            "failed" => format!("{kind}_FAILED"),
            _ => match kind {
                "CAPTURE" => "CAPTURED".into(),
                "CANCELLATION" => "CANCELLED".into(),
                _ => "REFUNDED".into(),
            },
        }
    }
}

/// The sandbox's own table of modification states (pending, failed, refused), beside the
/// shared schema's `smartpay_modifications`: made here when first needed.
pub(super) fn ensure_states(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS smartpay_modification_states (
            modification_id TEXT PRIMARY KEY,
            transaction_id  TEXT    NOT NULL,
            kind            TEXT    NOT NULL,
            state           TEXT    NOT NULL,
            succeeds        INTEGER NOT NULL DEFAULT 1,
            polls_left      INTEGER NOT NULL DEFAULT 0,
            before_status   TEXT,
            updated_at      INTEGER NOT NULL
        );",
    )
}

/// What a done modification does to its payment, from the payment as it is now.
pub(super) fn apply_effect(
    conn: &rusqlite::Connection,
    transaction_id: &str,
    kind: &str,
    amount: i64,
    status_after: &str,
) -> rusqlite::Result<()> {
    let (captured, refunded, status): (i64, i64, String) = conn.query_row(
        "SELECT captured_minor, refunded_minor, status FROM smartpay_payments WHERE transaction_id = ?1",
        [transaction_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let (status, captured, refunded) = match kind {
        "capture" => ("CAPTURED".to_string(), amount, refunded),
        "refund" => {
            let refunded = refunded + amount;
            let status = if refunded >= captured {
                "REFUNDED".to_string()
            } else {
                status
            };
            (status, captured, refunded)
        }
        _ if status_after == "CANCELLED" => ("CANCELLED".to_string(), 0, 0),
        _ => ("REFUNDED".to_string(), captured, captured),
    };
    conn.execute(
        "UPDATE smartpay_payments SET status = ?2, captured_minor = ?3, refunded_minor = ?4 WHERE transaction_id = ?1",
        params![transaction_id, status, captured, refunded],
    )?;
    Ok(())
}
