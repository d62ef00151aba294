//! What the sandbox keeps of SmartExPay in `sandbox.db`: its orders (by uid) and every IPN it
//! sent.

use rusqlite::{params, OptionalExtension, Row};

use crate::SandboxStore;
use paydesk_domain::clock::now_ms;
use paydesk_domain::error::Result;

/// The sandbox's orders live this long waiting for payment (the seed gives no lifetime).
pub const DEFAULT_ORDER_TTL_MS: i64 = 24 * 60 * 60 * 1000;

/// A SmartExPay order as the sandbox keeps it.
#[derive(Debug, Clone)]
pub struct SmartexpayOrder {
    pub uid: i64,
    pub object_id: String,
    pub secret: String,
    pub route_id: String,
    pub in_amount: String,
    pub out_amount: String,
    pub xml_from: String,
    pub xml_to: String,
    pub lang: String,
    pub status: String,
    pub customer_paid: bool,
    pub ipn_url: Option<String>,
    pub ipn_secret: Option<String>,
    pub to_values: String,
}

fn order_from_row(row: &Row<'_>) -> rusqlite::Result<SmartexpayOrder> {
    Ok(SmartexpayOrder {
        uid: row.get("uid")?,
        object_id: row.get("object_id")?,
        secret: row.get("secret")?,
        route_id: row.get("route_id")?,
        in_amount: row.get("in_amount")?,
        out_amount: row.get("out_amount")?,
        xml_from: row.get("xml_from")?,
        xml_to: row.get("xml_to")?,
        lang: row.get("lang")?,
        status: row.get("status")?,
        customer_paid: row.get::<_, i64>("customer_paid")? != 0,
        ipn_url: row.get("ipn_url")?,
        ipn_secret: row.get("ipn_secret")?,
        to_values: row.get("to_values")?,
    })
}

impl SandboxStore {
    /// A SmartExPay order by its uid. An order still waiting for payment past the sandbox's
    /// order lifetime (`smartexpay.order_ttl_ms`, default 24 h) is `deleted` from then on.
    pub fn smartexpay_order(&self, uid: &str) -> Result<Option<SmartexpayOrder>> {
        let Ok(uid) = uid.trim().parse::<i64>() else {
            return Ok(None);
        };
        let ttl = self
            .sandbox_setting("smartexpay.order_ttl_ms")?
            .and_then(|v| v.trim().parse::<i64>().ok())
            .unwrap_or(DEFAULT_ORDER_TTL_MS);
        let conn = self.conn();
        conn.execute(
            "UPDATE smartexpay_orders SET status = 'deleted', updated_at = ?3
             WHERE uid = ?1 AND status IN ('new', 'waitPayment') AND customer_paid = 0 AND created_at + ?2 < ?3",
            params![uid, ttl, now_ms()],
        )?;
        Ok(conn
            .query_row(
                "SELECT * FROM smartexpay_orders WHERE uid = ?1",
                [uid],
                order_from_row,
            )
            .optional()?)
    }

    /// Makes an order `age_ms` old (the customer comes back later): its creation time moves
    /// back. Returns whether there was such an order.
    pub fn smartexpay_backdate(&self, uid: i64, age_ms: i64) -> Result<bool> {
        Ok(self.conn().execute(
            "UPDATE smartexpay_orders SET created_at = ?2 WHERE uid = ?1",
            params![uid, now_ms() - age_ms],
        )? == 1)
    }

    /// Another order than `uid`, a paid one when there is one: what a replayed answer is about.
    pub(super) fn smartexpay_other_order(&self, uid: i64) -> Result<Option<SmartexpayOrder>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT * FROM smartexpay_orders WHERE uid != ?1
                 ORDER BY status IN ('inProgress', 'inProgressPayout', 'done') DESC, uid DESC LIMIT 1",
                [uid],
                order_from_row,
            )
            .optional()?)
    }

    /// Moves an order to `status` (the exchanger's operator acting) when it is in one of
    /// `from` (any status when empty); returns the order when it moved.
    pub fn smartexpay_move(
        &self,
        uid: i64,
        from: &[&str],
        status: &str,
    ) -> Result<Option<SmartexpayOrder>> {
        let Some(order) = self.smartexpay_order(&uid.to_string())? else {
            return Ok(None);
        };
        if !from.is_empty() && !from.contains(&order.status.as_str()) {
            return Ok(None);
        }
        self.conn().execute(
            "UPDATE smartexpay_orders SET status = ?2, updated_at = ?3 WHERE uid = ?1 AND status = ?4",
            params![uid, status, now_ms(), order.status],
        )?;
        Ok(self
            .conn()
            .query_row(
                "SELECT * FROM smartexpay_orders WHERE uid = ?1",
                [uid],
                order_from_row,
            )
            .optional()?)
    }

    /// Every IPN sent, oldest first: (uid, form body, whether the merchant answered 2xx).
    pub fn smartexpay_ipns(&self) -> Result<Vec<(i64, String, bool)>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT uid, body, delivered FROM smartexpay_ipns ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? != 0)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
