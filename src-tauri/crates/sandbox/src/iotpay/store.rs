//! What the sandbox keeps of IOTPay in `sandbox.db`: the orders of both APIs (`api` v1 or
//! v3), their refunds and the saved cards; the statuses and test cards they are read with.

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use crate::SandboxStore;
use paydesk_domain::error::{Error, Result};

/// IOTPay v1 statuses as the sandbox stores them.
pub const STATUS_CREATED: i64 = 0;
pub const STATUS_PAYING: i64 = 1;
pub const STATUS_PAID: i64 = 2;
pub const STATUS_CANCELLED_BY_USER: i64 = 9;
/// V3: 9 means the card was declined.
pub const STATUS_FAILED: i64 = 9;

/// The sandbox's test cards (numbers as the card form takes them).
pub const CARD_APPROVE: &str = "4242424242424242";
pub const CARD_DECLINE: &str = "4000000000000002";
/// Stays pending: the bank never answers (a UnionPay-style timeout).
pub const CARD_TIMEOUT: &str = "4000000000000119";

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxOrder {
    pub pay_order_id: String,
    pub mch_id: String,
    pub mch_order_no: String,
    pub channel_id: String,
    pub amount: i64,
    pub currency: String,
    pub status: i64,
    pub client_ip: String,
    pub device: Option<String>,
    pub subject: String,
    pub body: String,
    pub param1: Option<String>,
    pub param2: Option<String>,
    pub notify_url: String,
    pub channel_order_no: Option<String>,
    pub pay_succ_time: Option<i64>,
    pub created_at: i64,
    /// "v1" (wallets) or "v3" (cards).
    pub api: String,
    pub refunded: i64,
    pub secure_id: Option<String>,
    pub card_num: Option<String>,
    pub card_id: Option<String>,
}

/// An id as IOTPay's look: a prefix (`P` a v1 order, `C` a card order, `RP` a reversal...), the
/// second, six random digits.
pub(crate) fn new_id(prefix: &str) -> String {
    use rand::Rng;
    format!(
        "{prefix}{}{:06}",
        chrono::Utc::now().format("%Y%m%d%H%M%S"),
        rand::rng().random_range(0..1_000_000)
    )
}

impl SandboxStore {
    /// Inserts a new order under a `payOrderId` no other order holds. The ids are drawn (a
    /// prefix, the second, six random digits), so two orders of one second draw the same one
    /// about once in a million pairs, and a shop test ringing three counters at once did: the
    /// order is then given the next id `draw` gives (never an error IOTPay would not send).
    pub(crate) fn insert_iotpay(&self, o: &mut SandboxOrder, draw: fn() -> String) -> Result<()> {
        for _ in 0..8 {
            let inserted = self.conn().execute(
                "INSERT INTO iotpay_orders (pay_order_id, mch_id, mch_order_no, channel_id, amount, currency, status,
                    client_ip, device, subject, body, param1, param2, notify_url, created_at, api, secure_id, card_id,
                    card_num, pay_succ_time, channel_order_no)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)
                 ON CONFLICT (pay_order_id) DO NOTHING",
                params![
                    o.pay_order_id, o.mch_id, o.mch_order_no, o.channel_id, o.amount, o.currency, o.status,
                    o.client_ip, o.device, o.subject, o.body, o.param1, o.param2, o.notify_url, o.created_at,
                    o.api, o.secure_id, o.card_id, o.card_num, o.pay_succ_time, o.channel_order_no
                ],
            )?;
            if inserted == 1 {
                return Ok(());
            }
            o.pay_order_id = draw();
        }
        Err(Error::Internal(
            "the sandbox drew eight payOrderIds already taken".into(),
        ))
    }

    pub(crate) fn iotpay_by_mch_order(
        &self,
        mch_id: &str,
        mch_order_no: &str,
    ) -> Result<Option<SandboxOrder>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT * FROM iotpay_orders WHERE mch_id = ?1 AND mch_order_no = ?2",
                [mch_id, mch_order_no],
                order_from_row,
            )
            .optional()?)
    }

    pub(crate) fn by_secure_id(&self, secure_id: &str) -> Result<Option<SandboxOrder>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT * FROM iotpay_orders WHERE secure_id = ?1",
                [secure_id],
                order_from_row,
            )
            .optional()?)
    }

    /// The outcome of a card form: approve, decline, or (timeout card) nothing at all.
    pub(crate) fn settle_card(
        &self,
        pay_order_id: &str,
        card_number: &str,
    ) -> Result<SandboxOrder> {
        let masked = mask(card_number);
        let now = paydesk_domain::clock::now_ms();
        let status = match card_number {
            CARD_DECLINE => Some(STATUS_FAILED),
            CARD_TIMEOUT => None,
            _ => Some(STATUS_PAID),
        };
        if let Some(status) = status {
            self.conn().execute(
                "UPDATE iotpay_orders SET status = ?2, card_num = ?3, pay_succ_time = CASE WHEN ?2 = 2 THEN ?4 END,
                        channel_order_no = CASE WHEN ?2 = 2 THEN ?5 END
                 WHERE pay_order_id = ?1 AND status IN (0, 1)",
                params![pay_order_id, status, masked, now, format!("AUTH{}", now % 1_000_000)],
            )?;
        }
        self.find(pay_order_id)?
            .ok_or_else(|| Error::NotFound(format!("sandbox order {pay_order_id}")))
    }

    pub(crate) fn insert_card(&self, mch_id: &str, card_id: &str, secure_id: &str) -> Result<()> {
        self.conn().execute(
            "INSERT INTO iotpay_cards (mch_id, card_id, secure_id, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (mch_id, card_id) DO UPDATE SET secure_id = excluded.secure_id",
            params![mch_id, card_id, secure_id, paydesk_domain::clock::now_ms()],
        )?;
        Ok(())
    }

    /// (mch_id, card_id, masked number once the customer entered it) of a stored card.
    pub(crate) fn card(
        &self,
        mch_id: &str,
        card_id: &str,
    ) -> Result<Option<(String, Option<String>)>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT card_id, card_num FROM iotpay_cards WHERE mch_id = ?1 AND card_id = ?2",
                [mch_id, card_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    pub(crate) fn card_by_secure_id(&self, secure_id: &str) -> Result<Option<(String, String)>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT mch_id, card_id FROM iotpay_cards WHERE secure_id = ?1",
                [secure_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    pub(crate) fn save_card_number(&self, secure_id: &str, card_number: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE iotpay_cards SET card_num = ?2 WHERE secure_id = ?1",
            params![secure_id, mask(card_number)],
        )?;
        Ok(())
    }

    /// Records a refund or void up to what is left; the same refund number answers the same
    /// result again (a resend). Returns the order after it, or the gateway's refusal text.
    pub(crate) fn refund(
        &self,
        pay_order_id: &str,
        mch_refund_no: &str,
        amount: i64,
        kind: &str,
    ) -> Result<Result<SandboxOrder, String>> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let order = tx
            .query_row(
                "SELECT * FROM iotpay_orders WHERE pay_order_id = ?1",
                [pay_order_id],
                order_from_row,
            )
            .optional()?;
        let Some(order) = order else {
            return Ok(Err("order does not exist".into()));
        };
        let earlier: Option<(String, i64)> = tx
            .query_row(
                "SELECT pay_order_id, amount FROM iotpay_refunds WHERE mch_refund_no = ?1",
                [mch_refund_no],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match earlier {
            Some((id, a)) if id == pay_order_id && a == amount => return Ok(Ok(order)),
            Some(_) => return Ok(Err("mchRefundNo was already used for another refund".into())),
            None => {}
        }
        if order.status != STATUS_PAID && order.status != 3 {
            return Ok(Err("order is not paid".into()));
        }
        if amount <= 0 || order.refunded + amount > order.amount {
            return Ok(Err(format!(
                "refund amount exceeds the refundable {}",
                order.amount - order.refunded
            )));
        }
        tx.execute(
            "INSERT INTO iotpay_refunds (mch_refund_no, mch_id, pay_order_id, amount, kind, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![mch_refund_no, order.mch_id, pay_order_id, amount, kind, paydesk_domain::clock::now_ms()],
        )?;
        tx.execute(
            "UPDATE iotpay_orders SET refunded = refunded + ?2 WHERE pay_order_id = ?1",
            params![pay_order_id, amount],
        )?;
        let order = tx.query_row(
            "SELECT * FROM iotpay_orders WHERE pay_order_id = ?1",
            [pay_order_id],
            order_from_row,
        )?;
        tx.commit()?;
        Ok(Ok(order))
    }

    /// The merchant was told (v1 status 3: "paid and merchant notified").
    pub(crate) fn mark_notified(&self, pay_order_id: &str) -> Result<()> {
        self.conn().execute("UPDATE iotpay_orders SET status = 3 WHERE pay_order_id = ?1 AND status = 2 AND api = 'v1'", [pay_order_id])?;
        Ok(())
    }

    /// An order by the sandbox's payOrderId or by the merchant's order number.
    pub fn find(&self, reference: &str) -> Result<Option<SandboxOrder>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT * FROM iotpay_orders WHERE pay_order_id = ?1 OR mch_order_no = ?1 ORDER BY created_at DESC LIMIT 1",
                [reference],
                order_from_row,
            )
            .optional()?)
    }

    /// The customer pays (`approve`) or declines. Only an order still waiting can change;
    /// the answer is the order as it now stands.
    pub fn settle(&self, reference: &str, approve: bool) -> Result<SandboxOrder> {
        let order = self
            .find(reference)?
            .ok_or_else(|| Error::NotFound(format!("sandbox order {reference}")))?;
        if order.status != STATUS_CREATED && order.status != STATUS_PAYING {
            return Ok(order);
        }
        let now = paydesk_domain::clock::now_ms();
        if approve {
            self.conn().execute(
                "UPDATE iotpay_orders SET status = ?2, pay_succ_time = ?3, channel_order_no = ?4
                 WHERE pay_order_id = ?1 AND status IN (0, 1)",
                params![order.pay_order_id, STATUS_PAID, now, format!("SBX{now}")],
            )?;
        } else {
            self.conn().execute(
                "UPDATE iotpay_orders SET status = ?2 WHERE pay_order_id = ?1 AND status IN (0, 1)",
                params![order.pay_order_id, STATUS_CANCELLED_BY_USER],
            )?;
        }
        self.find(&order.pay_order_id)?
            .ok_or_else(|| Error::Internal("sandbox order vanished".into()))
    }

    /// The newest sale waiting on the terminal `device` (a CC_PAX order not yet answered).
    pub(crate) fn waiting_on_terminal(&self, device: &str) -> Result<Option<SandboxOrder>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT * FROM iotpay_orders WHERE channel_id = 'CC_PAX' AND device = ?1
                   AND status IN (0, 1) ORDER BY created_at DESC LIMIT 1",
                [device],
                order_from_row,
            )
            .optional()?)
    }

    /// What the terminal did with a waiting sale: `status` (2 paid, 9 declined, 1 the card was
    /// presented and no answer came) for an order still at 0 or 1; paid ones get their time
    /// and the terminal's reference. Returns the order as it now stands.
    pub(crate) fn terminal_outcome(&self, pay_order_id: &str, status: i64) -> Result<SandboxOrder> {
        let now = paydesk_domain::clock::now_ms();
        self.conn().execute(
            "UPDATE iotpay_orders SET status = ?2,
                    pay_succ_time = CASE WHEN ?2 = 2 THEN ?3 END,
                    channel_order_no = CASE WHEN ?2 = 2 THEN ?4 END
             WHERE pay_order_id = ?1 AND status IN (0, 1)",
            params![pay_order_id, status, now, format!("PAX{now}")],
        )?;
        self.find(pay_order_id)?
            .ok_or_else(|| Error::NotFound(format!("sandbox order {pay_order_id}")))
    }

    /// The customer opened the payment page: WeChat and Alipay report "paying" from then on.
    pub(crate) fn mark_paying(&self, pay_order_id: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE iotpay_orders SET status = ?2 WHERE pay_order_id = ?1 AND status = ?3",
            params![pay_order_id, STATUS_PAYING, STATUS_CREATED],
        )?;
        Ok(())
    }
}

/// A card number as a receipt shows it: 424242******4242.
fn mask(card_number: &str) -> String {
    let digits: String = card_number.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 10 {
        return "******".into();
    }
    format!(
        "{}{}{}",
        &digits[..6],
        "*".repeat(digits.len() - 10),
        &digits[digits.len() - 4..]
    )
}

fn order_from_row(row: &Row<'_>) -> rusqlite::Result<SandboxOrder> {
    Ok(SandboxOrder {
        pay_order_id: row.get("pay_order_id")?,
        mch_id: row.get("mch_id")?,
        mch_order_no: row.get("mch_order_no")?,
        channel_id: row.get("channel_id")?,
        amount: row.get("amount")?,
        currency: row.get("currency")?,
        status: row.get("status")?,
        client_ip: row.get("client_ip")?,
        device: row.get("device")?,
        subject: row.get("subject")?,
        body: row.get("body")?,
        param1: row.get("param1")?,
        param2: row.get("param2")?,
        notify_url: row.get("notify_url")?,
        channel_order_no: row.get("channel_order_no")?,
        pay_succ_time: row.get("pay_succ_time")?,
        created_at: row.get("created_at")?,
        api: row.get("api")?,
        refunded: row.get("refunded")?,
        secure_id: row.get("secure_id")?,
        card_num: row.get("card_num")?,
        card_id: row.get("card_id")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(pay_order_id: &str, mch_order_no: &str) -> SandboxOrder {
        SandboxOrder {
            pay_order_id: pay_order_id.into(),
            mch_id: "10000701".into(),
            mch_order_no: mch_order_no.into(),
            channel_id: "WX_NATIVE".into(),
            amount: 1250,
            currency: "CAD".into(),
            status: 0,
            client_ip: "127.0.0.1".into(),
            device: None,
            subject: "Sale".into(),
            body: "Sale".into(),
            param1: None,
            param2: None,
            notify_url: String::new(),
            channel_order_no: None,
            pay_succ_time: None,
            created_at: 0,
            api: "v1".into(),
            refunded: 0,
            secure_id: None,
            card_num: None,
            card_id: None,
        }
    }

    #[test]
    fn an_order_drawing_a_taken_pay_order_id_is_stored_under_the_next_one_drawn() {
        let dir = tempfile::tempdir().unwrap();
        let store = SandboxStore::open_in(dir.path()).unwrap();
        let mut first = order("P20261206220420123456", "PD1");
        store.insert_iotpay(&mut first, || unreachable!()).unwrap();
        let mut second = order("P20261206220420123456", "PD2");
        store
            .insert_iotpay(&mut second, || "P20261206220420654321".into())
            .unwrap();
        assert_eq!(second.pay_order_id, "P20261206220420654321");
        let stored = |no: &str| {
            store
                .iotpay_by_mch_order("10000701", no)
                .unwrap()
                .unwrap()
                .pay_order_id
        };
        assert_eq!(stored("PD1"), "P20261206220420123456");
        assert_eq!(stored("PD2"), "P20261206220420654321");
    }
}
