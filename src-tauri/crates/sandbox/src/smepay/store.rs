//! What the sandbox keeps of SMEPay in `sandbox.db`: its orders (by slug) and the bearer
//! tokens it issued.

use rusqlite::{params, OptionalExtension, Row};

use crate::SandboxStore;
use paydesk_domain::clock::now_ms;
use paydesk_domain::error::Result;

/// An SMEPay order as the sandbox keeps it.
#[derive(Debug, Clone)]
pub struct SmepayOrder {
    pub slug: String,
    pub client_id: String,
    pub order_id: String,
    /// As it arrived: "100.00".
    pub amount: String,
    pub callback_url: String,
    pub status: String,
    pub transaction_id: String,
    pub expires_at: Option<i64>,
    pub created_at: i64,
    pub processed_at: Option<i64>,
}

fn order_from_row(row: &Row<'_>) -> rusqlite::Result<SmepayOrder> {
    Ok(SmepayOrder {
        slug: row.get("slug")?,
        client_id: row.get("client_id")?,
        order_id: row.get("order_id")?,
        amount: row.get("amount")?,
        callback_url: row.get("callback_url")?,
        status: row.get("status")?,
        transaction_id: row.get("transaction_id")?,
        expires_at: row.get("expires_at")?,
        created_at: row.get("created_at")?,
        processed_at: row.get("processed_at")?,
    })
}

const OPEN: [&str; 3] = ["CREATED", "INITIATED", "PENDING"];

/// How long an initiated order stays payable (SMEPay documents no lifetime: a long one, an
/// hour).
pub const DEFAULT_ORDER_TTL_MS: i64 = 60 * 60 * 1000;

impl SandboxStore {
    /// How many SMEPay tokens the sandbox has issued (tests of token renewal).
    pub fn smepay_tokens_issued(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT count(*) FROM smepay_tokens", [], |r| r.get(0))?)
    }

    /// An SMEPay order by slug or by the merchant's order_id; an order past its window is
    /// EXPIRED from then on.
    pub fn smepay_order(&self, reference: &str) -> Result<Option<SmepayOrder>> {
        let conn = self.conn();
        let found = conn
            .query_row(
                "SELECT * FROM smepay_orders WHERE slug = ?1 OR order_id = ?1 ORDER BY created_at DESC LIMIT 1",
                [reference],
                order_from_row,
            )
            .optional()?;
        let Some(mut order) = found else {
            return Ok(None);
        };
        if OPEN.contains(&order.status.as_str()) && order.expires_at.is_some_and(|at| now_ms() > at)
        {
            conn.execute(
                "UPDATE smepay_orders SET status = 'EXPIRED' WHERE slug = ?1",
                [&order.slug],
            )?;
            order.status = "EXPIRED".into();
        }
        Ok(Some(order))
    }

    /// The customer pays or declines; only an open order changes.
    pub fn smepay_settle(&self, reference: &str, approve: bool) -> Result<Option<SmepayOrder>> {
        let Some(order) = self.smepay_order(reference)? else {
            return Ok(None);
        };
        let status = if approve { "SUCCESS" } else { "FAILED" };
        self.conn().execute(
            "UPDATE smepay_orders SET status = ?2, processed_at = ?3 WHERE slug = ?1 AND status IN ('CREATED', 'INITIATED', 'PENDING')",
            params![order.slug, status, now_ms()],
        )?;
        self.smepay_order(&order.slug)
    }

    /// Makes an order `age_ms` older (the customer comes back later): its creation and expiry
    /// times move back together. Returns whether there was such an order.
    pub fn smepay_backdate(&self, reference: &str, age_ms: i64) -> Result<bool> {
        let Some(order) = self.smepay_order(reference)? else {
            return Ok(false);
        };
        self.conn().execute(
            "UPDATE smepay_orders SET created_at = created_at - ?2, expires_at = expires_at - ?2 WHERE slug = ?1",
            params![order.slug, age_ms],
        )?;
        Ok(true)
    }

    /// Another order than `slug` of the same client, a paid one when there is one: what a
    /// replayed answer is about.
    pub(super) fn smepay_other_order(
        &self,
        slug: &str,
        client_id: &str,
    ) -> Result<Option<SmepayOrder>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT * FROM smepay_orders WHERE slug != ?1 AND client_id = ?2
                 ORDER BY status = 'SUCCESS' DESC, created_at DESC LIMIT 1",
                [slug, client_id],
                order_from_row,
            )
            .optional()?)
    }

    pub(super) fn smepay_set_status(&self, slug: &str, from: &[&str], to: &str) -> Result<()> {
        let conn = self.conn();
        for f in from {
            conn.execute(
                "UPDATE smepay_orders SET status = ?2 WHERE slug = ?1 AND status = ?3",
                params![slug, to, f],
            )?;
        }
        Ok(())
    }
}
