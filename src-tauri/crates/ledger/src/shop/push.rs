//! Pushing this counter's changes into the shop ledger: the outbox, oldest first, in batches,
//! each batch one transaction (so a batch is in the shop whole or not at all). Every write is
//! an upsert by the row's shop-wide key, so a batch sent again after a crash or a cut
//! connection (the shop has it, this ledger had not cleared it yet) changes nothing twice.
//! Statuses merge forward only, by the domain's own rule (`OrderStatus::can_move_to`).

use paydesk_domain::error::Result;
use paydesk_domain::order::OrderStatus;

use crate::ledger::{Ledger, Outbox};

use super::connect::{Shop, CHANNEL};
use super::pg_error;

/// Outbox entries per transaction.
pub const PUSH_BATCH: usize = 500;

impl Shop {
    /// Pushes everything waiting in `ledger`'s outbox; returns how many rows went.
    pub fn push(&mut self, ledger: &Ledger) -> Result<usize> {
        let mut pushed = 0;
        while let Some(outbox) = ledger.outbox(PUSH_BATCH)? {
            self.push_batch(&outbox)?;
            // Cleared only once the shop has it: a crash in between sends it again, harmlessly.
            ledger.outbox_done(outbox.up_to)?;
            pushed += outbox.batch.len();
        }
        Ok(pushed)
    }

    fn push_batch(&mut self, outbox: &Outbox) -> Result<()> {
        let b = &outbox.batch;
        let mut tx = self.client.transaction().map_err(pg_error)?;
        tx.execute("SELECT shop_write_lock()", &[])
            .map_err(pg_error)?;
        if !b.staff.is_empty() {
            let s = &b.staff;
            // The newest change of an account wins, whichever desk made it.
            tx.execute(
                "INSERT INTO shop_staff (name, role, pin_hash, active, created_at, updated_at, language, pushed_by, seq)
                 SELECT u.*, $8, nextval('shop_change_seq') FROM unnest(
                     $1::text[], $2::text[], $3::text[], $4::bool[], $5::int8[], $6::int8[], $7::text[]) AS u
                 ON CONFLICT ((lower(name))) DO UPDATE SET role = excluded.role, pin_hash = excluded.pin_hash,
                     active = excluded.active, updated_at = excluded.updated_at, language = excluded.language,
                     pushed_by = excluded.pushed_by, seq = excluded.seq
                 WHERE excluded.updated_at > shop_staff.updated_at",
                &[
                    &s.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
                    &s.iter().map(|s| s.role.clone()).collect::<Vec<_>>(),
                    &s.iter().map(|s| s.pin_hash.clone()).collect::<Vec<_>>(),
                    &s.iter().map(|s| s.active).collect::<Vec<_>>(),
                    &s.iter().map(|s| s.created_at).collect::<Vec<_>>(),
                    &s.iter().map(|s| s.updated_at).collect::<Vec<_>>(),
                    &s.iter().map(|s| s.language.clone()).collect::<Vec<_>>(),
                    &outbox.counter,
                ],
            )
            .map_err(pg_error)?;
        }
        if !b.caps.is_empty() {
            let c = &b.caps;
            tx.execute(
                "INSERT INTO shop_refund_caps (currency, cap_minor, updated_at, pushed_by, seq)
                 SELECT u.*, $4, nextval('shop_change_seq') FROM unnest(
                     $1::text[], $2::int8[], $3::int8[]) AS u
                 ON CONFLICT (currency) DO UPDATE SET cap_minor = excluded.cap_minor,
                     updated_at = excluded.updated_at, pushed_by = excluded.pushed_by, seq = excluded.seq
                 WHERE excluded.updated_at > shop_refund_caps.updated_at",
                &[
                    &c.iter().map(|c| c.currency.clone()).collect::<Vec<_>>(),
                    &c.iter().map(|c| c.cap_minor).collect::<Vec<_>>(),
                    &c.iter().map(|c| c.updated_at).collect::<Vec<_>>(),
                    &outbox.counter,
                ],
            )
            .map_err(pg_error)?;
        }
        if !b.shifts.is_empty() {
            let s = &b.shifts;
            // A shift is its counter's alone: opened, then closed once (sealed).
            tx.execute(
                "INSERT INTO shop_shifts (counter, origin_id, opened_by, opened_at, closed_by, closed_at,
                     z_report, z_hash, seq)
                 SELECT u.*, nextval('shop_change_seq') FROM unnest(
                     $1::text[], $2::int8[], $3::text[], $4::int8[], $5::text[], $6::int8[],
                     $7::text[], $8::text[]) AS u
                 ON CONFLICT (counter, origin_id) DO UPDATE SET closed_by = excluded.closed_by,
                     closed_at = excluded.closed_at, z_report = excluded.z_report,
                     z_hash = excluded.z_hash, seq = excluded.seq
                 WHERE shop_shifts.closed_at IS NULL",
                &[
                    &s.iter().map(|s| s.counter.clone()).collect::<Vec<_>>(),
                    &s.iter().map(|s| s.origin_id).collect::<Vec<_>>(),
                    &s.iter().map(|s| s.opened_by.clone()).collect::<Vec<_>>(),
                    &s.iter().map(|s| s.opened_at).collect::<Vec<_>>(),
                    &s.iter().map(|s| s.closed_by.clone()).collect::<Vec<_>>(),
                    &s.iter().map(|s| s.closed_at).collect::<Vec<_>>(),
                    &s.iter().map(|s| s.z_report.clone()).collect::<Vec<_>>(),
                    &s.iter().map(|s| s.z_hash.clone()).collect::<Vec<_>>(),
                ],
            )
            .map_err(pg_error)?;
        }
        if !b.orders.is_empty() {
            let o = &b.orders;
            let col =
                |f: fn(&crate::ledger::ReplicaOrder) -> String| o.iter().map(f).collect::<Vec<_>>();
            let opt = |f: fn(&crate::ledger::ReplicaOrder) -> Option<String>| {
                o.iter().map(f).collect::<Vec<_>>()
            };
            let int =
                |f: fn(&crate::ledger::ReplicaOrder) -> i64| o.iter().map(f).collect::<Vec<_>>();
            let sql = format!(
                "INSERT INTO shop_orders (merchant_order_no, counter, gateway, method, environment,
                     amount_minor, currency, status, gateway_status, gateway_order_id, payment_url,
                     payment_payload, refunded_minor, customer, description, created_at, updated_at,
                     expires_at, staff, shift_origin_id, tip_minor, tip_refunded_minor, pushed_by, seq)
                 SELECT u.*, $19, nextval('shop_change_seq') FROM unnest(
                     $1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::text[],
                     $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::int8[],
                     $14::text[], $15::text[], $16::int8[], $17::int8[], $18::int8[],
                     $20::text[], $21::int8[], $22::int8[], $23::int8[]) AS u
                 ON CONFLICT (merchant_order_no) DO UPDATE SET
                     -- The pusher has the row as it now stands only if its status and refunded
                     -- total won; otherwise everyone pulls it, the pusher too.
                     pushed_by = CASE
                         WHEN ({moves} OR shop_orders.status = excluded.status)
                              AND excluded.refunded_minor >= shop_orders.refunded_minor
                         THEN excluded.pushed_by END,
                     status = CASE WHEN {moves} THEN excluded.status ELSE shop_orders.status END,
                     gateway_status = CASE WHEN {moves}
                         THEN coalesce(excluded.gateway_status, shop_orders.gateway_status)
                         ELSE shop_orders.gateway_status END,
                     refunded_minor = greatest(shop_orders.refunded_minor, excluded.refunded_minor),
                     tip_refunded_minor = least(shop_orders.tip_minor,
                         greatest(shop_orders.tip_refunded_minor, excluded.tip_refunded_minor)),
                     gateway_order_id = coalesce(shop_orders.gateway_order_id, excluded.gateway_order_id),
                     payment_url = coalesce(shop_orders.payment_url, excluded.payment_url),
                     payment_payload = coalesce(shop_orders.payment_payload, excluded.payment_payload),
                     customer = coalesce(excluded.customer, shop_orders.customer),
                     description = coalesce(excluded.description, shop_orders.description),
                     updated_at = greatest(shop_orders.updated_at, excluded.updated_at),
                     staff = coalesce(shop_orders.staff, excluded.staff),
                     -- The selling counter's word on its shift (a waiting sale carried on).
                     shift_origin_id = CASE WHEN excluded.counter = $19
                         THEN excluded.shift_origin_id ELSE shop_orders.shift_origin_id END,
                     seq = excluded.seq",
                moves = forward_moves_sql("shop_orders.status", "excluded.status"),
            );
            tx.execute(
                &sql,
                &[
                    &col(|o| o.merchant_order_no.clone()),
                    &col(|o| o.counter.clone()),
                    &col(|o| o.gateway.clone()),
                    &col(|o| o.method.clone()),
                    &col(|o| o.environment.clone()),
                    &int(|o| o.amount_minor),
                    &col(|o| o.currency.clone()),
                    &col(|o| o.status.clone()),
                    &opt(|o| o.gateway_status.clone()),
                    &opt(|o| o.gateway_order_id.clone()),
                    &opt(|o| o.payment_url.clone()),
                    &opt(|o| o.payment_payload.clone()),
                    &int(|o| o.refunded_minor),
                    &opt(|o| o.customer.clone()),
                    &opt(|o| o.description.clone()),
                    &int(|o| o.created_at),
                    &int(|o| o.updated_at),
                    &o.iter().map(|o| o.expires_at).collect::<Vec<_>>(),
                    &outbox.counter,
                    &opt(|o| o.staff.clone()),
                    &o.iter().map(|o| o.shift_origin_id).collect::<Vec<_>>(),
                    &int(|o| o.tip_minor),
                    &int(|o| o.tip_refunded_minor),
                ],
            )
            .map_err(pg_error)?;
        }
        if !b.events.is_empty() {
            let e = &b.events;
            tx.execute(
                "INSERT INTO shop_order_events (origin, origin_id, merchant_order_no, at, from_status,
                     to_status, source, gateway_status, note, seq)
                 SELECT u.*, nextval('shop_change_seq') FROM unnest(
                     $1::text[], $2::int8[], $3::text[], $4::int8[], $5::text[], $6::text[],
                     $7::text[], $8::text[], $9::text[]) AS u
                 ON CONFLICT (origin, origin_id) DO NOTHING",
                &[
                    &e.iter().map(|e| e.origin.clone()).collect::<Vec<_>>(),
                    &e.iter().map(|e| e.origin_id).collect::<Vec<_>>(),
                    &e.iter().map(|e| e.merchant_order_no.clone()).collect::<Vec<_>>(),
                    &e.iter().map(|e| e.at).collect::<Vec<_>>(),
                    &e.iter().map(|e| e.from_status.clone()).collect::<Vec<_>>(),
                    &e.iter().map(|e| e.to_status.clone()).collect::<Vec<_>>(),
                    &e.iter().map(|e| e.source.clone()).collect::<Vec<_>>(),
                    &e.iter().map(|e| e.gateway_status.clone()).collect::<Vec<_>>(),
                    &e.iter().map(|e| e.note.clone()).collect::<Vec<_>>(),
                ],
            )
            .map_err(pg_error)?;
        }
        if !b.refunds.is_empty() {
            let r = &b.refunds;
            let orders: Vec<String> = r.iter().map(|r| r.merchant_order_no.clone()).collect();
            tx.execute(
                "INSERT INTO shop_refunds (refund_no, merchant_order_no, counter, amount_minor, kind,
                     status, gateway_refund_id, reason, created_at, updated_at, staff, approver,
                     shift_origin_id, tip_minor, pushed_by, seq)
                 SELECT u.*, $11, nextval('shop_change_seq') FROM unnest(
                     $1::text[], $2::text[], $3::text[], $4::int8[], $5::text[], $6::text[],
                     $7::text[], $8::text[], $9::int8[], $10::int8[], $12::text[], $13::text[],
                     $14::int8[], $15::int8[]) AS u
                 ON CONFLICT (refund_no) DO UPDATE SET
                     pushed_by = CASE WHEN shop_refunds.status IN ('pending', excluded.status)
                                      THEN excluded.pushed_by END,
                     status = CASE WHEN shop_refunds.status = 'pending' THEN excluded.status
                                   ELSE shop_refunds.status END,
                     gateway_refund_id = coalesce(excluded.gateway_refund_id, shop_refunds.gateway_refund_id),
                     reason = coalesce(excluded.reason, shop_refunds.reason),
                     updated_at = greatest(shop_refunds.updated_at, excluded.updated_at),
                     -- A reservation (reserve.rs) comes first, without who made it.
                     staff = coalesce(shop_refunds.staff, excluded.staff),
                     approver = coalesce(shop_refunds.approver, excluded.approver),
                     shift_origin_id = coalesce(shop_refunds.shift_origin_id, excluded.shift_origin_id),
                     -- The reserving desk works out the tip part (reserve.rs writes none).
                     tip_minor = greatest(shop_refunds.tip_minor, excluded.tip_minor),
                     seq = excluded.seq",
                &[
                    &r.iter().map(|r| r.refund_no.clone()).collect::<Vec<_>>(),
                    &orders,
                    &r.iter().map(|r| r.counter.clone()).collect::<Vec<_>>(),
                    &r.iter().map(|r| r.amount_minor).collect::<Vec<_>>(),
                    &r.iter().map(|r| r.kind.clone()).collect::<Vec<_>>(),
                    &r.iter().map(|r| r.status.clone()).collect::<Vec<_>>(),
                    &r.iter().map(|r| r.gateway_refund_id.clone()).collect::<Vec<_>>(),
                    &r.iter().map(|r| r.reason.clone()).collect::<Vec<_>>(),
                    &r.iter().map(|r| r.created_at).collect::<Vec<_>>(),
                    &r.iter().map(|r| r.updated_at).collect::<Vec<_>>(),
                    &outbox.counter,
                    &r.iter().map(|r| r.staff.clone()).collect::<Vec<_>>(),
                    &r.iter().map(|r| r.approver.clone()).collect::<Vec<_>>(),
                    &r.iter().map(|r| r.shift_origin_id).collect::<Vec<_>>(),
                    &r.iter().map(|r| r.tip_minor).collect::<Vec<_>>(),
                ],
            )
            .map_err(pg_error)?;
            // An order's refunded total in the shop is what all desks' refunds of it add up to.
            tx.execute(
                "UPDATE shop_orders o SET refunded_minor = s.total, pushed_by = NULL,
                     tip_refunded_minor = least(o.tip_minor, s.tips),
                     seq = nextval('shop_change_seq')
                 FROM (SELECT merchant_order_no, sum(amount_minor)::int8 AS total,
                              sum(tip_minor)::int8 AS tips FROM shop_refunds
                       WHERE merchant_order_no = ANY($1) AND status = 'succeeded' GROUP BY 1) s
                 WHERE o.merchant_order_no = s.merchant_order_no AND o.refunded_minor < s.total",
                &[&orders],
            )
            .map_err(pg_error)?;
        }
        if !b.notifications.is_empty() {
            let n = &b.notifications;
            tx.execute(
                "INSERT INTO shop_notifications (origin, origin_id, gateway, received_at, verified,
                     merchant_order_no, fingerprint, body, outcome, seq)
                 SELECT u.*, nextval('shop_change_seq') FROM unnest(
                     $1::text[], $2::int8[], $3::text[], $4::int8[], $5::bool[], $6::text[],
                     $7::text[], $8::text[], $9::text[]) AS u
                 ON CONFLICT (origin, origin_id) DO NOTHING",
                &[
                    &n.iter().map(|n| n.origin.clone()).collect::<Vec<_>>(),
                    &n.iter().map(|n| n.origin_id).collect::<Vec<_>>(),
                    &n.iter().map(|n| n.gateway.clone()).collect::<Vec<_>>(),
                    &n.iter().map(|n| n.received_at).collect::<Vec<_>>(),
                    &n.iter().map(|n| n.verified).collect::<Vec<_>>(),
                    &n.iter()
                        .map(|n| n.merchant_order_no.clone())
                        .collect::<Vec<_>>(),
                    &n.iter().map(|n| n.fingerprint.clone()).collect::<Vec<_>>(),
                    &n.iter().map(|n| n.body.clone()).collect::<Vec<_>>(),
                    &n.iter().map(|n| n.outcome.clone()).collect::<Vec<_>>(),
                ],
            )
            .map_err(pg_error)?;
        }
        if !b.audit.is_empty() {
            let a = &b.audit;
            // Entries are never rewritten: one already here stays as it was first pushed.
            tx.execute(
                "INSERT INTO shop_audit (counter, entry, at, staff, approver, action, subject, detail,
                     prev_hash, hash, seq)
                 SELECT u.*, nextval('shop_change_seq') FROM unnest(
                     $1::text[], $2::int8[], $3::int8[], $4::text[], $5::text[], $6::text[],
                     $7::text[], $8::text[], $9::text[], $10::text[]) AS u
                 ON CONFLICT (counter, entry) DO NOTHING",
                &[
                    &a.iter().map(|a| a.counter.clone()).collect::<Vec<_>>(),
                    &a.iter().map(|a| a.seq).collect::<Vec<_>>(),
                    &a.iter().map(|a| a.at_ms).collect::<Vec<_>>(),
                    &a.iter().map(|a| a.staff.clone()).collect::<Vec<_>>(),
                    &a.iter().map(|a| a.approver.clone()).collect::<Vec<_>>(),
                    &a.iter().map(|a| a.action.clone()).collect::<Vec<_>>(),
                    &a.iter().map(|a| a.subject.clone()).collect::<Vec<_>>(),
                    &a.iter().map(|a| a.detail.clone()).collect::<Vec<_>>(),
                    &a.iter().map(|a| a.prev_hash.clone()).collect::<Vec<_>>(),
                    &a.iter().map(|a| a.hash.clone()).collect::<Vec<_>>(),
                ],
            )
            .map_err(pg_error)?;
        }
        tx.execute(
            "UPDATE shop_counters SET pushed_at = $2 WHERE name = $1",
            &[&outbox.counter, &paydesk_domain::clock::now_ms()],
        )
        .map_err(pg_error)?;
        // Delivered to every listening desk when (and only if) this commits.
        tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &outbox.counter])
            .map_err(pg_error)?;
        tx.commit().map_err(pg_error)
    }
}

/// SQL that is true when `from` may move to `to` (two text expressions): the domain's
/// forward-only rule spelled out as the list of allowed pairs, so the shop ledger merges
/// statuses by exactly the rule every counter's ledger uses.
pub(crate) fn forward_moves_sql(from: &str, to: &str) -> String {
    let pairs: Vec<String> = OrderStatus::ALL
        .iter()
        .flat_map(|a| OrderStatus::ALL.iter().map(move |b| (*a, *b)))
        .filter(|(a, b)| a != b && a.can_move_to(*b))
        .map(|(a, b)| format!("('{}', '{}')", a.as_str(), b.as_str()))
        .collect();
    format!("(({from}, {to}) IN ({}))", pairs.join(", "))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shop_merges_statuses_by_the_domain_rule() {
        let sql = super::forward_moves_sql("a", "b");
        assert!(sql.contains("('pending', 'paid')"), "{sql}");
        assert!(sql.contains("('expired', 'paid')"), "{sql}");
        assert!(!sql.contains("('paid', 'pending')"), "{sql}");
        assert!(!sql.contains("('paid', 'paid')"), "{sql}");
    }
}
