//! The sandbox's own state, in `sandbox.db` beside the ledger (never inside it: the sandbox
//! plays the gateway, and a gateway's books are not the merchant's).

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

use crate::error::{Error, Result};

pub const SANDBOX_FILE: &str = "sandbox.db";

const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE iotpay_orders (
    pay_order_id     TEXT PRIMARY KEY,
    mch_id           TEXT    NOT NULL,
    mch_order_no     TEXT    NOT NULL,
    channel_id       TEXT    NOT NULL,
    amount           INTEGER NOT NULL,
    currency         TEXT    NOT NULL,
    status           INTEGER NOT NULL,
    client_ip        TEXT    NOT NULL,
    device           TEXT,
    subject          TEXT    NOT NULL,
    body             TEXT    NOT NULL,
    param1           TEXT,
    param2           TEXT,
    notify_url       TEXT    NOT NULL,
    channel_order_no TEXT,
    pay_succ_time    INTEGER,
    created_at       INTEGER NOT NULL,
    UNIQUE (mch_id, mch_order_no)
);
"#];

/// IOTPay v1 statuses as the sandbox stores them.
pub const STATUS_CREATED: i64 = 0;
pub const STATUS_PAYING: i64 = 1;
pub const STATUS_PAID: i64 = 2;
pub const STATUS_CANCELLED_BY_USER: i64 = 9;

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
}

pub struct SandboxStore {
    conn: Mutex<Connection>,
}

impl SandboxStore {
    pub fn open_in(data_dir: &Path) -> Result<SandboxStore> {
        Ok(SandboxStore { conn: Mutex::new(crate::db::open(&data_dir.join(SANDBOX_FILE), MIGRATIONS)?) })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn insert_iotpay(&self, o: &SandboxOrder) -> Result<()> {
        self.conn().execute(
            "INSERT INTO iotpay_orders (pay_order_id, mch_id, mch_order_no, channel_id, amount, currency, status,
                client_ip, device, subject, body, param1, param2, notify_url, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            params![
                o.pay_order_id, o.mch_id, o.mch_order_no, o.channel_id, o.amount, o.currency, o.status,
                o.client_ip, o.device, o.subject, o.body, o.param1, o.param2, o.notify_url, o.created_at
            ],
        )?;
        Ok(())
    }

    pub(crate) fn iotpay_by_mch_order(&self, mch_id: &str, mch_order_no: &str) -> Result<Option<SandboxOrder>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT * FROM iotpay_orders WHERE mch_id = ?1 AND mch_order_no = ?2",
                [mch_id, mch_order_no],
                order_from_row,
            )
            .optional()?)
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
        let order = self.find(reference)?.ok_or_else(|| Error::NotFound(format!("sandbox order {reference}")))?;
        if order.status != STATUS_CREATED && order.status != STATUS_PAYING {
            return Ok(order);
        }
        let now = crate::ledger::now_ms();
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
        self.find(&order.pay_order_id)?.ok_or_else(|| Error::Internal("sandbox order vanished".into()))
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
    })
}
