//! A refund or void reserved in the shop ledger before any gateway is called: one transaction
//! that locks the order's row (`SELECT ... FOR UPDATE`), sums what every desk has reserved or
//! refunded on it, and writes the reservation, so two desks refunding the same order at once
//! can never together give back more than was paid: exactly one of them gets the amount left.

use paydesk_domain::clock::now_ms;
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::Currency;

use super::connect::Shop;
use super::pg_error;

/// What a desk asks to reserve.
#[derive(Debug, Clone)]
pub struct Reservation<'a> {
    pub merchant_order_no: &'a str,
    pub refund_no: &'a str,
    /// The desk reserving (its counter name in the shop).
    pub counter: &'a str,
    pub amount_minor: i64,
    /// "refund" or "void".
    pub kind: &'a str,
    pub reason: Option<&'a str>,
}

impl Shop {
    /// Reserves `r` or refuses it with what is left. The same reservation sent twice (a retry
    /// after a lost answer) is the one reservation.
    pub fn reserve_refund(&mut self, r: &Reservation<'_>) -> Result<()> {
        let mut tx = self.client.transaction().map_err(pg_error)?;
        tx.execute("SELECT shop_write_lock()", &[])
            .map_err(pg_error)?;
        let order = tx
            .query_opt(
                "SELECT status, amount_minor, currency FROM shop_orders
                 WHERE merchant_order_no = $1 FOR UPDATE",
                &[&r.merchant_order_no],
            )
            .map_err(pg_error)?
            .ok_or_else(|| {
                Error::Refused {
                    params: vec![],
                    code: "shop_order_unknown",
                    field: Some("order"),
                    message: format!(
                        "order {} is not in the shop ledger yet (its counter has not sent it): try again once it has",
                        r.merchant_order_no
                    ),
                }
            })?;
        let (status, amount, currency): (String, i64, String) =
            (order.get(0), order.get(1), order.get(2));
        let same = tx
            .query_opt(
                "SELECT merchant_order_no, amount_minor, kind FROM shop_refunds WHERE refund_no = $1",
                &[&r.refund_no],
            )
            .map_err(pg_error)?;
        if let Some(same) = same {
            let (no, minor, kind): (String, i64, String) = (same.get(0), same.get(1), same.get(2));
            if no == r.merchant_order_no && minor == r.amount_minor && kind == r.kind {
                return tx.commit().map_err(pg_error);
            }
            return Err(Error::invalid(
                "refund",
                format!(
                    "refund number {} is already used for another refund",
                    r.refund_no
                ),
            ));
        }
        let allowed = match r.kind {
            "void" => matches!(status.as_str(), "paid" | "authorized"),
            _ => matches!(status.as_str(), "paid" | "partially_refunded"),
        };
        if !allowed {
            return Err(Error::invalid(
                "order",
                format!(
                    "order {} is {} in the shop ledger: only a paid order can be {}",
                    r.merchant_order_no,
                    status.replace('_', " "),
                    if r.kind == "void" {
                        "voided"
                    } else {
                        "refunded"
                    }
                ),
            ));
        }
        let committed: i64 = tx
            .query_one(
                "SELECT coalesce(sum(amount_minor), 0)::int8 FROM shop_refunds
                 WHERE merchant_order_no = $1 AND status <> 'failed'",
                &[&r.merchant_order_no],
            )
            .map_err(pg_error)?
            .get(0);
        let left = amount - committed;
        if r.amount_minor > left {
            let currency = Currency::parse(&currency)?;
            return Err(Error::invalid(
                "amount",
                format!(
                    "{} {currency} is more than can be refunded: {} {currency} of {} {currency} is left (another desk may have just refunded it)",
                    currency.decimal_string(r.amount_minor),
                    currency.decimal_string(left.max(0)),
                    currency.decimal_string(amount)
                ),
            ));
        }
        let now = now_ms();
        tx.execute(
            "INSERT INTO shop_refunds (refund_no, merchant_order_no, counter, amount_minor, kind,
                 status, reason, created_at, updated_at, seq)
             VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $7, nextval('shop_change_seq'))",
            &[
                &r.refund_no,
                &r.merchant_order_no,
                &r.counter,
                &r.amount_minor,
                &r.kind,
                &r.reason,
                &now,
            ],
        )
        .map_err(pg_error)?;
        tx.execute("SELECT pg_notify($1, $2)", &[&super::CHANNEL, &r.counter])
            .map_err(pg_error)?;
        tx.commit().map_err(pg_error)
    }
}

impl Shop {
    /// Lets a reservation go that was never sent to the gateway (this desk could not write it
    /// to its own ledger): marked failed, so its amount is no longer held. Only a pending one.
    pub fn release_refund(&mut self, refund_no: &str, why: &str) -> Result<()> {
        let mut tx = self.client.transaction().map_err(pg_error)?;
        tx.execute("SELECT shop_write_lock()", &[])
            .map_err(pg_error)?;
        tx.execute(
            "UPDATE shop_refunds SET status = 'failed', reason = $2, updated_at = $3,
                 pushed_by = NULL, seq = nextval('shop_change_seq')
             WHERE refund_no = $1 AND status = 'pending'",
            &[&refund_no, &format!("not made: {why}"), &now_ms()],
        )
        .map_err(pg_error)?;
        tx.commit().map_err(pg_error)
    }
}
