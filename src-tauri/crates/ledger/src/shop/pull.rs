//! Pulling the shop's changes into this ledger: everything stamped after the change number this
//! ledger has, read in one snapshot (REPEATABLE READ) and applied here in one transaction with
//! the new number, in spans of at most `PULL_SPAN` change numbers. Writers commit change
//! numbers in order (`shop_write_lock`), so the highest number a snapshot sees has every lower
//! one committed before it: nothing is skipped, and a pull cut anywhere is redone from the
//! number last applied.

use paydesk_domain::error::Result;

use crate::ledger::{
    AuditRecord, Ledger, Pulled, ReplicaBatch, ReplicaEvent, ReplicaNotification, ReplicaOrder,
    ReplicaRefund, ReplicaShift,
};

use super::connect::Shop;
use super::counters::{cap_of, newest_change, staff_of, CAP_COLUMNS, STAFF_COLUMNS};
use super::pg_error;

/// Change numbers per pulled span (at most this many rows per transaction here).
pub const PULL_SPAN: i64 = 2000;

impl Shop {
    /// Pulls until this ledger has every change the shop had when the pull started.
    pub fn pull(&mut self, ledger: &Ledger) -> Result<Pulled> {
        let mut total = Pulled::default();
        let Some(membership) = ledger.membership()? else {
            return Ok(total);
        };
        let me = membership.counter;
        let mut from = membership.pulled_seq;
        loop {
            let mut tx = self
                .client
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .map_err(pg_error)?;
            let newest = newest_change(&mut tx)?;
            if newest <= from {
                tx.commit().map_err(pg_error)?;
                return Ok(total);
            }
            let to = newest.min(from + PULL_SPAN);
            let batch = read_span(&mut tx, from, to, &me)?;
            tx.commit().map_err(pg_error)?;
            total.add(ledger.apply_pulled(&batch, to)?);
            from = to;
        }
    }
}

/// The rows stamped in (from, to], but those `me` wrote and has as they stand (a counter never
/// pulls its own pushes back).
fn read_span(
    tx: &mut postgres::Transaction<'_>,
    from: i64,
    to: i64,
    me: &str,
) -> Result<ReplicaBatch> {
    let span: [&(dyn postgres::types::ToSql + Sync); 3] = [&from, &to, &me];
    let orders = tx
        .query(
            // Two index-driven halves (an OR of the two would read the whole table per span).
            "SELECT merchant_order_no, counter, gateway, method, environment, amount_minor, currency,
                    status, gateway_status, gateway_order_id, payment_url, payment_payload,
                    refunded_minor, customer, description, created_at, updated_at, expires_at,
                    staff, shift_origin_id, seq, tip_minor, tip_refunded_minor
             FROM shop_orders
             WHERE seq > $1 AND seq <= $2 AND pushed_by IS DISTINCT FROM $3
             UNION
             -- An event, refund or notification of the span whose order changed again since
             -- (its row now has a later number): its order comes with it, as it is now, or the
             -- row would have nothing to attach to here.
             SELECT merchant_order_no, counter, gateway, method, environment, amount_minor, currency,
                    status, gateway_status, gateway_order_id, payment_url, payment_payload,
                    refunded_minor, customer, description, created_at, updated_at, expires_at,
                    staff, shift_origin_id, seq, tip_minor, tip_refunded_minor
             FROM shop_orders WHERE merchant_order_no IN (
                 SELECT merchant_order_no FROM shop_order_events
                 WHERE seq > $1 AND seq <= $2 AND origin <> $3
                 UNION SELECT merchant_order_no FROM shop_refunds
                 WHERE seq > $1 AND seq <= $2 AND pushed_by IS DISTINCT FROM $3
                 UNION SELECT merchant_order_no FROM shop_notifications
                 WHERE seq > $1 AND seq <= $2 AND origin <> $3 AND merchant_order_no IS NOT NULL)
             ORDER BY seq",
            &span,
        )
        .map_err(pg_error)?
        .iter()
        .map(|r| ReplicaOrder {
            merchant_order_no: r.get(0),
            counter: r.get(1),
            gateway: r.get(2),
            method: r.get(3),
            environment: r.get(4),
            amount_minor: r.get(5),
            currency: r.get(6),
            status: r.get(7),
            gateway_status: r.get(8),
            gateway_order_id: r.get(9),
            payment_url: r.get(10),
            payment_payload: r.get(11),
            refunded_minor: r.get(12),
            customer: r.get(13),
            description: r.get(14),
            created_at: r.get(15),
            updated_at: r.get(16),
            expires_at: r.get(17),
            staff: r.get(18),
            shift_origin_id: r.get(19),
            tip_minor: r.get(21),
            tip_refunded_minor: r.get(22),
        })
        .collect();
    let events = tx
        .query(
            "SELECT origin, origin_id, merchant_order_no, at, from_status, to_status, source,
                    gateway_status, note
             FROM shop_order_events WHERE seq > $1 AND seq <= $2 AND origin <> $3 ORDER BY seq",
            &span,
        )
        .map_err(pg_error)?
        .iter()
        .map(|r| ReplicaEvent {
            origin: r.get(0),
            origin_id: r.get(1),
            merchant_order_no: r.get(2),
            at: r.get(3),
            from_status: r.get(4),
            to_status: r.get(5),
            source: r.get(6),
            gateway_status: r.get(7),
            note: r.get(8),
        })
        .collect();
    let refunds = tx
        .query(
            "SELECT refund_no, merchant_order_no, counter, amount_minor, kind, status,
                    gateway_refund_id, reason, created_at, updated_at, staff, approver, shift_origin_id,
                    tip_minor
             FROM shop_refunds
             WHERE seq > $1 AND seq <= $2 AND pushed_by IS DISTINCT FROM $3 ORDER BY seq",
            &span,
        )
        .map_err(pg_error)?
        .iter()
        .map(|r| ReplicaRefund {
            refund_no: r.get(0),
            merchant_order_no: r.get(1),
            counter: r.get(2),
            amount_minor: r.get(3),
            kind: r.get(4),
            status: r.get(5),
            gateway_refund_id: r.get(6),
            reason: r.get(7),
            created_at: r.get(8),
            updated_at: r.get(9),
            staff: r.get(10),
            approver: r.get(11),
            shift_origin_id: r.get(12),
            tip_minor: r.get(13),
        })
        .collect();
    let notifications = tx
        .query(
            "SELECT origin, origin_id, gateway, received_at, verified, merchant_order_no,
                    fingerprint, body, outcome
             FROM shop_notifications WHERE seq > $1 AND seq <= $2 AND origin <> $3 ORDER BY seq",
            &span,
        )
        .map_err(pg_error)?
        .iter()
        .map(|r| ReplicaNotification {
            origin: r.get(0),
            origin_id: r.get(1),
            gateway: r.get(2),
            received_at: r.get(3),
            verified: r.get(4),
            merchant_order_no: r.get(5),
            fingerprint: r.get(6),
            body: r.get(7),
            outcome: r.get(8),
        })
        .collect();
    let staff = tx
        .query(
            &format!(
                "SELECT {STAFF_COLUMNS} FROM shop_staff
                 WHERE seq > $1 AND seq <= $2 AND pushed_by IS DISTINCT FROM $3 ORDER BY seq"
            ),
            &span,
        )
        .map_err(pg_error)?
        .iter()
        .map(staff_of)
        .collect();
    let caps = tx
        .query(
            &format!(
                "SELECT {CAP_COLUMNS} FROM shop_refund_caps
                 WHERE seq > $1 AND seq <= $2 AND pushed_by IS DISTINCT FROM $3 ORDER BY seq"
            ),
            &span,
        )
        .map_err(pg_error)?
        .iter()
        .map(cap_of)
        .collect();
    let shifts = tx
        .query(
            "SELECT counter, origin_id, opened_by, opened_at, closed_by, closed_at, z_report, z_hash
             FROM shop_shifts WHERE seq > $1 AND seq <= $2 AND counter <> $3 ORDER BY seq",
            &span,
        )
        .map_err(pg_error)?
        .iter()
        .map(|r| ReplicaShift {
            counter: r.get(0),
            origin_id: r.get(1),
            opened_by: r.get(2),
            opened_at: r.get(3),
            closed_by: r.get(4),
            closed_at: r.get(5),
            z_report: r.get(6),
            z_hash: r.get(7),
        })
        .collect();
    let audit = tx
        .query(
            "SELECT counter, entry, at, staff, approver, action, subject, detail, prev_hash, hash
             FROM shop_audit WHERE seq > $1 AND seq <= $2 AND counter <> $3 ORDER BY seq",
            &span,
        )
        .map_err(pg_error)?
        .iter()
        .map(|r| AuditRecord {
            counter: r.get(0),
            seq: r.get(1),
            at_ms: r.get(2),
            staff: r.get(3),
            approver: r.get(4),
            action: r.get(5),
            subject: r.get(6),
            detail: r.get(7),
            prev_hash: r.get(8),
            hash: r.get(9),
        })
        .collect();
    Ok(ReplicaBatch {
        staff,
        caps,
        shifts,
        orders,
        events,
        refunds,
        notifications,
        audit,
    })
}
