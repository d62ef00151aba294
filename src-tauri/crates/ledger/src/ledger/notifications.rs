//! Every notification that reached the receiver, kept verbatim (capped), verified or not: the
//! audit trail, and how a replay is recognised.

use rusqlite::params;

use paydesk_domain::clock::now_ms;
use paydesk_domain::error::Result;

use super::handle::Ledger;

/// The most of a notification's body the ledger keeps: 16 KiB, well above any documented
/// notification (IOTPay's, the largest, is under 1 KiB: every field is at most 256
/// characters); the rest of a longer body is dropped, with a note of its full size.
pub const NOTIFICATION_KEPT: usize = 16 * 1024;

/// `text` whole if it is at most `max` bytes, else its first bytes (cut on a character
/// boundary) and a note of how long it was.
fn cap_text(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= max {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    std::borrow::Cow::Owned(format!(
        "{}[... {} bytes in all; the rest was not kept]",
        &text[..end],
        text.len()
    ))
}

/// A notification as it reached the receiver.
#[derive(Debug, Clone)]
pub struct NotificationRecord<'a> {
    pub gateway: &'a str,
    pub verified: bool,
    pub merchant_order_no: Option<&'a str>,
    pub order_id: Option<i64>,
    pub fingerprint: &'a str,
    pub body: &'a str,
    pub outcome: &'a str,
}

impl Ledger {
    /// Keeps a notification verbatim; returns whether the same body was seen before.
    pub fn record_notification(&self, n: &NotificationRecord<'_>) -> Result<bool> {
        // What reaches the receiver is capped there (notify::BODY_LIMIT); what is kept here is
        // capped again, whoever calls, so no notification can grow the ledger by more than
        // about NOTIFICATION_KEPT bytes.
        let body = cap_text(n.body, NOTIFICATION_KEPT);
        let merchant_order_no = n.merchant_order_no.map(|no| cap_text(no, 64));
        let outcome = cap_text(n.outcome, 512);
        let received_at = now_ms();
        self.write(|tx| {
            let seen: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM notifications
                 WHERE fingerprint = ?1 AND verified = 1 AND outcome = 'accepted' AND origin IS NULL)",
                [n.fingerprint],
                |r| r.get(0),
            )?;
            tx.execute(
                "INSERT INTO notifications (gateway, received_at, verified, merchant_order_no, order_id, fingerprint, body, outcome)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![n.gateway, received_at, n.verified, merchant_order_no, n.order_id, n.fingerprint, body, outcome],
            )?;
            Ok(seen)
        })
    }

    /// (verified, outcome) of every notification kept, oldest first (audit and tests).
    pub fn notifications(&self) -> Result<Vec<(bool, String, Option<i64>)>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT verified, outcome, order_id FROM notifications ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
