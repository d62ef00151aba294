//! The sandbox's SmartPay (reference/gateways.md §3 and §6; seed 003), written from the
//! vendor's pages with its own wire types: the OAuth token endpoint (client credentials), Basic
//! or Bearer auth on every call, `payment/creation`, `payment/status/{transactionId}`, and the
//! modifications capture, refund and cancelOrRefund, each idempotent by its modificationId. The
//! customer pays on `/pay/smartpay/{checkoutToken}`, which the `smp-bundle.js` stand-in renders
//! inside `window.SmpLibrary.SmartPayAppInstance.renderWidget({...})`; every status change
//! POSTs the unsigned webhook once to the registered URL.
//!
//! Vendor pages (documentation.jpmmps.com, SmartPay):
//! - "Response Model and Error Handling" (/docs/smartpay/response-model-and-error-handling): the
//!   modification APIs and Get Payment Status answer the same model: `paymentStatus`,
//!   `transactionOverview{transactionId, amount, currencyCode, paymentMethod}` and
//!   `modifications[]`, each `{modificationData{type (CAPTURE, CANCELLATION, CHARGEBACK,
//!   SETTLEMENT, REFUND), modificationId, reconciliationReferenceId}, creationDate,
//!   modificationAmount, status, lastStatusDate}`; "to check the status of modifications
//!   initiated by you ... evaluate the respective modification inside the modifications object".
//! - "Cancel" (/docs/smartpay/modification-apis/cancel): the modification answer also carries the
//!   one just asked for as `modification`.
//! - "Capture" and "Refund" (/docs/smartpay/modification-apis/capture, .../refund):
//!   `modifiedAmount` is an object `{amount, currencyCode, description?}`, not a number; a retry
//!   with the same modificationId is given "the same result as in the initial request".
//! - "Cancel or Refund" (/docs/smartpay-openapi/cancel-or-refund-transaction): answers 200,
//!   400, 401, 403, 404, 500. A refusal here is HTTP 400 with `{errorCode, message}` (the
//!   error body's fields are not on the pages read; they are the sandbox's).
//!   "Cancels or fully refunds a transaction depending on the transaction status": an open
//!   checkout (CREATED, AUTORIZATION_INITIALIZED) or an authorisation is cancelled (CANCELLED,
//!   the widget can no longer be paid), a captured payment refunded in full.
//! - "Payment Status Model" (/docs/smartpay/payment-status-model): CREATED,
//!   AUTORIZATION_INITIALIZED, AUTHORIZATION_COMPLETED, CAPTURE_PENDING, CAPTURED, SETTLED.
//!
//! A modification's own `status` reads as the payment status model: CAPTURED, REFUNDED,
//! CANCELLED when done, `CAPTURE_PENDING` (and `REFUND_PENDING`, `CANCELLATION_PENDING`) while
//! the provider has not confirmed it, `CAPTURE_FAILED` / `REFUND_FAILED` /
//! `CANCELLATION_FAILED` when it failed. Only CAPTURE_PENDING is on the pages read; the other
//! pending and failed words are the sandbox's (and the adapter's table names them the same).
//!
//! Faults this file answers (switched on with `/sandbox/faults`, `paydesk sandbox fault`):
//! - `creation` + `claim-success`: the create answer says `paymentStatus: CAPTURED` while the
//!   payment is only CREATED (a create answer is never a payment status, §6).
//! - status (`call` is the path's last segment, i.e. the transactionId, or `*`) + `wrong-order`:
//!   the answer is another paid payment's status (the newest CAPTURED one; a made-up one when
//!   there is none), as a replay would be.
//! - `capture` / `refund` / `cancelOrRefund` + `refuse`: HTTP 400 `MODIFICATION_REFUSED`,
//!   nothing is done; the same modificationId resent is refused again.
//! - `capture` / `refund` / `cancelOrRefund` + `pending`: the modification is taken but answers
//!   `<TYPE>_PENDING`; it shows pending in the next status answer's `modifications[]` and
//!   settles on the one after (`value` 1 or none: it is done; 0: it failed).
//! - `truncated`, `late-answer`, `timeout`, `http-500`, `malformed` work on every call (the
//!   middleware's). A cut or late create still leaves the checkout open and payable.
//!
//! Get Payment Status takes only the transactionId (/docs/smartpay/get-payment-status-api):
//! there is no lookup by partnerReference. The sandbox answering a repeated partnerReference
//! with the same checkout is its own kindness, not the vendor's documented behaviour ("If
//! provided must be unique", Create Checkout API): nothing should rely on it.
//!
//! Sandbox settings: `smartpay.pending_answers` (how many status queries answer a PENDING
//! state after the customer paid, default 0), `smartpay.pending_status` (which one, default
//! AUTHORIZATION_PENDING), `smartpay.auto_capture` (`false`: a payment stops at
//! AUTHORIZATION_COMPLETED until captured), `smartpay.token_ttl_ms`, `smartpay.webhook_url`.
//! A declined payment ends AUTHORIZATION_FAILED (the status model pages read list no failure
//! status; this is the sandbox's choice, named in the adapter's table).

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rusqlite::{params, OptionalExtension, Row};
use serde_json::{json, Value};

use super::faults::{FaultKind, HandlerFault};
use super::pages::{escape, page};
use super::store::SandboxStore;
use super::{
    SandboxState, SANDBOX_SMARTPAY_AUTH_KEY, SANDBOX_SMARTPAY_CLIENT_ID,
    SANDBOX_SMARTPAY_CLIENT_SECRET, SANDBOX_SMARTPAY_MERCHANT_KEY,
};
use paydesk_domain::clock::now_ms;
use paydesk_domain::error::Result;

pub(super) fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/smartpay/oauth2/token", post(token))
        .route("/smartpay/payment/creation", post(creation))
        .route("/smartpay/payment/status/{transaction_id}", get(status))
        .route("/smartpay/payment/capture", post(capture))
        .route("/smartpay/payment/refund", post(refund))
        .route("/smartpay/payment/cancelOrRefund", post(cancel_or_refund))
        .route("/smartpay/smp-bundle.js", get(script))
        .route("/pay/smartpay/{token}", get(show))
        .route("/pay/smartpay/{token}/pay", post(pay))
        .route("/pay/smartpay/{token}/decline", post(decline))
}

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

const OPEN: [&str; 2] = ["CREATED", "AUTORIZATION_INITIALIZED"];

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
    fn smartpay_observe(&self, transaction_id: &str) -> Result<Option<SmartpayPayment>> {
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
    fn smartpay_other_paid(&self, transaction_id: &str) -> Result<Option<SmartpayPayment>> {
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
fn ensure_states(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
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
fn apply_effect(
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

fn random_text(length: usize, alphabet: &[u8]) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..length)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
        .collect()
}

fn uuid() -> String {
    let hex = random_text(32, b"0123456789abcdef");
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..]
    )
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "errorCode": code, "message": message })),
    )
        .into_response()
}

/// Standard base64, for checking Basic credentials.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from_be_bytes([0, b[0], b[1], b[2]]);
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

/// Basic with the merchant's keys, or a live bearer token; and the headers the vendor asks for.
fn authorised(state: &SandboxState, headers: &HeaderMap) -> std::result::Result<(), Response> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let basic = format!(
        "Basic {}",
        base64(format!("{SANDBOX_SMARTPAY_MERCHANT_KEY}:{SANDBOX_SMARTPAY_AUTH_KEY}").as_bytes())
    );
    let ok = if value == basic {
        true
    } else if let Some(token) = value.strip_prefix("Bearer ") {
        let expires: Option<i64> = state
            .store
            .conn()
            .query_row(
                "SELECT expires_at FROM smartpay_tokens WHERE token = ?1",
                [token.trim()],
                |r| r.get(0),
            )
            .optional()
            .ok()
            .flatten();
        expires.is_some_and(|at| now_ms() < at)
    } else {
        false
    };
    if !ok {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "missing, wrong or expired credentials",
        ));
    }
    if headers.get(header::ACCEPT_LANGUAGE).is_none() {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "MISSING_HEADER",
            "Accept-Language is required",
        ));
    }
    Ok(())
}

async fn token(State(state): State<SandboxState>, body: Bytes) -> Response {
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if get("grant_type") != Some("client_credentials") {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "unsupported_grant_type" })),
        )
            .into_response();
    }
    if get("client_id") != Some(SANDBOX_SMARTPAY_CLIENT_ID)
        || get("client_secret") != Some(SANDBOX_SMARTPAY_CLIENT_SECRET)
    {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "invalid_client" })),
        )
            .into_response();
    }
    let ttl_ms: i64 = state
        .store
        .sandbox_setting("smartpay.token_ttl_ms")
        .ok()
        .flatten()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3_600_000);
    let token = format!(
        "eyJ{}",
        random_text(
            40,
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        )
    );
    let now = now_ms();
    let _ = state.store.conn().execute(
        "INSERT INTO smartpay_tokens (token, expires_at, created_at) VALUES (?1, ?2, ?3)",
        params![token, now + ttl_ms, now],
    );
    Json(json!({ "access_token": token, "expires_in": (ttl_ms + 999) / 1000, "token_type": "Bearer" })).into_response()
}

/// A JSON number with at most two decimals into minor units.
fn minor_units(value: Option<&Value>) -> Option<i64> {
    let text = match value? {
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > 2
        || !fraction.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    Some(whole.parse::<i64>().ok()? * 100 + format!("{fraction:0<2}").parse::<i64>().ok()?)
}

fn decimal(minor: i64) -> Value {
    serde_json::from_str(&format!("{}.{:02}", minor / 100, minor % 100)).unwrap_or(Value::Null)
}

fn reference_ok(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c))
}

fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

async fn creation(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    fault: HandlerFault,
    body: Bytes,
) -> Response {
    // `claim-success`: the answer says more than a create can (the payment stays CREATED).
    let claimed = is_fault(&fault, FaultKind::ClaimSuccess).then_some("CAPTURED");
    if let Err(r) = authorised(&state, &headers) {
        return r;
    }
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_JSON",
            "the body is not JSON",
        );
    };
    if request.get("merchantKey").and_then(Value::as_str) != Some(SANDBOX_SMARTPAY_MERCHANT_KEY) {
        return error(
            StatusCode::FORBIDDEN,
            "INVALID_MERCHANT",
            "merchantKey is not this merchant's",
        );
    }
    let reference = request
        .get("partnerReference")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !reference_ok(reference) {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_PARTNER_REFERENCE",
            "partnerReference is at most 64 of [A-Za-z0-9-_.:]",
        );
    }
    let payment = request.get("payment").cloned().unwrap_or(Value::Null);
    let Some(amount) = minor_units(payment.get("amount")).filter(|a| *a > 0) else {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_AMOUNT",
            "payment.amount is a positive decimal number with at most two places",
        );
    };
    let currency = payment
        .get("currencyCode")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_CURRENCY",
            "payment.currencyCode is an ISO 4217 code",
        );
    }
    let description = payment.get("description").and_then(Value::as_str);
    if description.is_some_and(|d| d.chars().count() > 127) {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_DESCRIPTION",
            "payment.description is at most 127 characters",
        );
    }
    if let Some(consumer) = request.get("consumer") {
        if consumer
            .get("emailAddress")
            .and_then(Value::as_str)
            .is_some_and(|e| !e.contains('@'))
        {
            return error(
                StatusCode::BAD_REQUEST,
                "INVALID_EMAIL",
                "consumer.emailAddress is not an email address",
            );
        }
    }
    // partnerReference is unique: the same one again answers the same checkout.
    if let Ok(Some(existing)) = state.store.smartpay_payment(reference) {
        if existing.partner_reference != reference || existing.amount_minor != amount {
            return error(
                StatusCode::CONFLICT,
                "DUPLICATE_PARTNER_REFERENCE",
                "partnerReference was used for another payment",
            );
        }
        return Json(json!({ "transactionId": existing.transaction_id, "checkoutToken": existing.checkout_token, "paymentStatus": claimed.unwrap_or(&existing.status), "requestTime": iso(now_ms()) })).into_response();
    }
    let transaction_id = uuid();
    let checkout_token = random_text(
        64,
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    );
    let now = now_ms();
    let inserted = state.store.conn().execute(
        "INSERT INTO smartpay_payments (transaction_id, checkout_token, merchant_key, partner_reference, amount_minor, currency, description,
            status, reconciliation_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'CREATED', ?8, ?9)",
        params![transaction_id, checkout_token, SANDBOX_SMARTPAY_MERCHANT_KEY, reference, amount, currency, description, random_text(21, b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"), now],
    );
    if let Err(e) = inserted {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "DB", &e.to_string());
    }
    Json(json!({ "transactionId": transaction_id, "checkoutToken": checkout_token, "paymentStatus": claimed.unwrap_or("CREATED"), "requestTime": iso(now) }))
        .into_response()
}

/// Whether the gateway-specific fault handed to this call is `kind`.
fn is_fault(fault: &HandlerFault, kind: FaultKind) -> bool {
    fault.as_ref().is_some_and(|f| f.0.kind == kind)
}

/// One entry of `modifications[]` (Response Model and Error Handling, level 2 modifications).
fn modification_json(payment: &SmartpayPayment, index: usize, m: &SmartpayModification) -> Value {
    json!({
        "modificationData": {
            "type": m.wire_type(),
            "modificationId": m.modification_id,
            "reconciliationReferenceId": format!("{}{:02}", payment.reconciliation_id, index + 1),
        },
        "creationDate": iso(m.created_at),
        "modificationAmount": {
            "amount": m.amount_minor.map(decimal),
            "currencyCode": payment.currency,
        },
        "status": m.wire_status(),
        "lastStatusDate": iso(m.updated_at),
    })
}

/// The answer model shared by Get Payment Status and the modification APIs.
fn status_body(store: &SandboxStore, payment: &SmartpayPayment) -> Value {
    let modifications: Vec<Value> = store
        .smartpay_modification_records(&payment.transaction_id)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, m)| modification_json(payment, i, m))
        .collect();
    json!({
        "transactionId": payment.transaction_id,
        "reconciliationReferenceId": payment.reconciliation_id,
        "description": payment.description,
        "paymentStatus": payment.status,
        "creationDate": iso(payment.created_at),
        "lastStatusDate": iso(now_ms()),
        "transactionOverview": {
            "amount": decimal(payment.amount_minor),
            "currencyCode": payment.currency,
            "mit": false,
            "transactionId": payment.transaction_id,
            "paymentMethod": "CARDS",
        },
        "modifications": modifications,
    })
}

/// A paid payment no one here made, for `wrong-order` when there is no other.
fn made_up_paid_payment() -> SmartpayPayment {
    SmartpayPayment {
        transaction_id: uuid(),
        checkout_token: random_text(64, b"abcdefghijklmnopqrstuvwxyz"),
        partner_reference: "SOMEONE-ELSE".into(),
        amount_minor: 100,
        currency: "EUR".into(),
        description: Some("another payment".into()),
        status: "CAPTURED".into(),
        pending_left: 0,
        final_status: Some("CAPTURED".into()),
        captured_minor: 100,
        refunded_minor: 0,
        reconciliation_id: random_text(21, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        created_at: now_ms(),
    }
}

async fn status(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    fault: HandlerFault,
    Path(transaction_id): Path<String>,
) -> Response {
    if let Err(r) = authorised(&state, &headers) {
        return r;
    }
    match state.store.smartpay_observe(&transaction_id) {
        Ok(Some(payment)) if payment.transaction_id == transaction_id => {
            if is_fault(&fault, FaultKind::WrongOrder) {
                // A genuine answer, about another paid payment (a replay).
                let other = state
                    .store
                    .smartpay_other_paid(&transaction_id)
                    .ok()
                    .flatten()
                    .unwrap_or_else(made_up_paid_payment);
                return Json(status_body(&state.store, &other)).into_response();
            }
            Json(status_body(&state.store, &payment)).into_response()
        }
        _ => error(
            StatusCode::NOT_FOUND,
            "TRANSACTION_NOT_FOUND",
            "no such transaction",
        ),
    }
}

/// `modifiedAmount` as the Capture and Refund pages give it: `{amount, currencyCode,
/// description?}`. `Ok(None)` when absent (a full capture or refund).
fn modified_amount(request: &Value, currency: &str) -> std::result::Result<Option<i64>, Response> {
    let value = match request.get("modifiedAmount") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(object)) => object,
        Some(_) => {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "INVALID_AMOUNT",
                "modifiedAmount is an object {amount, currencyCode}",
            ))
        }
    };
    let Some(amount) = minor_units(value.get("amount")).filter(|a| *a > 0) else {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "INVALID_AMOUNT",
            "modifiedAmount.amount is a positive decimal with at most two places",
        ));
    };
    if value.get("currencyCode").and_then(Value::as_str) != Some(currency) {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "INVALID_CURRENCY",
            &format!("modifiedAmount.currencyCode must be the payment's, {currency}"),
        ));
    }
    if value
        .get("description")
        .and_then(Value::as_str)
        .is_some_and(|d| d.chars().count() > 127)
    {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "INVALID_DESCRIPTION",
            "modifiedAmount.description is at most 127 characters",
        ));
    }
    Ok(Some(amount))
}

/// The answer to a modification: the shared model, with the one asked for as `modification`
/// (Cancel page).
fn modification_answer(
    store: &SandboxStore,
    transaction_id: &str,
    modification_id: &str,
) -> Response {
    let Ok(Some(payment)) = store.smartpay_payment(transaction_id) else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "DB", "payment vanished");
    };
    let mut body = status_body(store, &payment);
    let records = store
        .smartpay_modification_records(transaction_id)
        .unwrap_or_default();
    if let Some((i, m)) = records
        .iter()
        .enumerate()
        .find(|(_, m)| m.modification_id == modification_id)
    {
        body["modification"] = modification_json(&payment, i, m);
    }
    Json(body).into_response()
}

/// Applies one modification, idempotent by modificationId: a repeat, whatever it carries, is
/// given the first one's result (Modification APIs page), a refused one its refusal.
fn modify(
    state: &SandboxState,
    headers: &HeaderMap,
    fault: &HandlerFault,
    body: &[u8],
    kind: &str,
) -> Response {
    if let Err(r) = authorised(state, headers) {
        return r;
    }
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_JSON",
            "the body is not JSON",
        );
    };
    if request.get("merchantKey").and_then(Value::as_str) != Some(SANDBOX_SMARTPAY_MERCHANT_KEY) {
        return error(
            StatusCode::FORBIDDEN,
            "INVALID_MERCHANT",
            "merchantKey is not this merchant's",
        );
    }
    let modification_id = request
        .get("modificationId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if !reference_ok(&modification_id) {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_MODIFICATION_ID",
            "modificationId is at most 64 of [A-Za-z0-9-_.:]",
        );
    }
    let transaction_id = request
        .get("transactionId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let payment = match state.store.smartpay_payment(&transaction_id) {
        Ok(Some(p)) if p.transaction_id == transaction_id => p,
        _ => {
            return error(
                StatusCode::NOT_FOUND,
                "TRANSACTION_NOT_FOUND",
                "no such transaction",
            )
        }
    };
    if request
        .get("description")
        .and_then(Value::as_str)
        .is_some_and(|d| d.chars().count() > 127)
    {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_DESCRIPTION",
            "description is at most 127 characters",
        );
    }
    let requested = match modified_amount(&request, &payment.currency) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let refused = || {
        error(
            StatusCode::BAD_REQUEST,
            "MODIFICATION_REFUSED",
            "the payment provider refused the modification",
        )
    };

    let mut conn = state.store.conn();
    if ensure_states(&conn).is_err() {
        return error(StatusCode::SERVICE_UNAVAILABLE, "BUSY", "try again");
    }
    let Ok(tx) = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate) else {
        return error(StatusCode::SERVICE_UNAVAILABLE, "BUSY", "try again");
    };
    // A repeat: the first one's result.
    let earlier: Option<String> = tx
        .query_row(
            "SELECT transaction_id FROM smartpay_modifications WHERE modification_id = ?1",
            [&modification_id],
            |r| r.get(0),
        )
        .optional()
        .unwrap_or(None);
    if let Some(first) = earlier {
        drop(tx);
        drop(conn);
        return modification_answer(&state.store, &first, &modification_id);
    }
    let was_refused: bool = tx
        .query_row(
            "SELECT 1 FROM smartpay_modification_states WHERE modification_id = ?1 AND state = 'refused'",
            [&modification_id],
            |_| Ok(()),
        )
        .optional()
        .ok()
        .flatten()
        .is_some();
    if was_refused {
        return refused();
    }
    if is_fault(fault, FaultKind::Refuse) {
        let kept = tx
            .execute(
                "INSERT INTO smartpay_modification_states (modification_id, transaction_id, kind, state, updated_at) VALUES (?1, ?2, ?3, 'refused', ?4)",
                params![modification_id, transaction_id, kind, now_ms()],
            )
            .and_then(|_| tx.commit());
        if let Err(e) = kept {
            return error(StatusCode::INTERNAL_SERVER_ERROR, "DB", &e.to_string());
        }
        return refused();
    }

    let pending_refunds: i64 = tx
        .query_row(
            "SELECT COALESCE(SUM(m.amount_minor), 0) FROM smartpay_modifications m
             JOIN smartpay_modification_states s USING (modification_id)
             WHERE m.transaction_id = ?1 AND s.state = 'pending' AND m.kind != 'capture'",
            [&transaction_id],
            |r| r.get(0),
        )
        .unwrap_or(0);
    let refundable = payment.captured_minor - payment.refunded_minor - pending_refunds;
    let invalid = |message: String| error(StatusCode::BAD_REQUEST, "INVALID_STATE", &message);
    let (status_after, amount) = match kind {
        "capture" => {
            if payment.status != "AUTHORIZATION_COMPLETED" {
                return invalid(format!("cannot capture a payment in {}", payment.status));
            }
            let amount = requested.unwrap_or(payment.amount_minor);
            if amount > payment.amount_minor {
                return error(
                    StatusCode::BAD_REQUEST,
                    "AMOUNT_TOO_HIGH",
                    "more than was authorised",
                );
            }
            ("CAPTURED", amount)
        }
        "refund" => {
            if !matches!(payment.status.as_str(), "CAPTURED" | "SETTLED") {
                return invalid(format!("cannot refund a payment in {}", payment.status));
            }
            let amount = requested.unwrap_or(refundable);
            if amount <= 0 || amount > refundable {
                return error(
                    StatusCode::BAD_REQUEST,
                    "AMOUNT_TOO_HIGH",
                    &format!("at most {} can be refunded", refundable.max(0)),
                );
            }
            let after =
                if payment.refunded_minor + pending_refunds + amount >= payment.captured_minor {
                    "REFUNDED"
                } else {
                    payment.status.as_str()
                };
            (after, amount)
        }
        _ => match payment.status.as_str() {
            // "Cancel or Refund" (documentation.jpmmps.com/docs/smartpay-openapi/
            // cancel-or-refund-transaction): "Cancels or fully refunds a transaction depending
            // on the transaction status". A payment the customer has not authorised yet (the
            // checkout is open) is cancelled: its widget can no longer be paid.
            "CREATED" | "AUTORIZATION_INITIALIZED" => ("CANCELLED", payment.amount_minor),
            "AUTHORIZATION_COMPLETED" => ("CANCELLED", payment.amount_minor),
            "CAPTURED" | "SETTLED" if refundable > 0 => ("REFUNDED", refundable),
            other => return invalid(format!("cannot cancel or refund a payment in {other}")),
        },
    };
    let now = now_ms();
    let pending = fault
        .as_ref()
        .filter(|f| f.0.kind == FaultKind::Pending)
        .map(|f| f.0.value.unwrap_or(1) != 0);
    let stored = tx
        .execute(
            "INSERT INTO smartpay_modifications (modification_id, transaction_id, kind, amount_minor, status_after, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![modification_id, transaction_id, kind, amount, status_after, now],
        )
        .and_then(|_| match pending {
            // Taken, not confirmed yet: shows pending once in a status answer, then settles.
            Some(succeeds) => {
                tx.execute(
                    "INSERT INTO smartpay_modification_states (modification_id, transaction_id, kind, state, succeeds, polls_left, before_status, updated_at)
                     VALUES (?1, ?2, ?3, 'pending', ?4, 1, ?5, ?6)",
                    params![modification_id, transaction_id, kind, succeeds, payment.status, now],
                )?;
                if kind == "capture" {
                    tx.execute(
                        "UPDATE smartpay_payments SET status = 'CAPTURE_PENDING' WHERE transaction_id = ?1",
                        [&transaction_id],
                    )?;
                }
                Ok(())
            }
            None => apply_effect(&tx, &transaction_id, kind, amount, status_after),
        })
        .and_then(|_| tx.commit());
    drop(conn);
    if let Err(e) = stored {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "DB", &e.to_string());
    }
    let store = state.store.clone();
    let id = transaction_id.clone();
    tokio::spawn(async move {
        send_webhook(&store, &id).await;
    });
    modification_answer(&state.store, &transaction_id, &modification_id)
}

async fn capture(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    fault: HandlerFault,
    body: Bytes,
) -> Response {
    modify(&state, &headers, &fault, &body, "capture")
}

async fn refund(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    fault: HandlerFault,
    body: Bytes,
) -> Response {
    modify(&state, &headers, &fault, &body, "refund")
}

async fn cancel_or_refund(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    fault: HandlerFault,
    body: Bytes,
) -> Response {
    modify(&state, &headers, &fault, &body, "cancelOrRefund")
}

/// The unsigned webhook, POSTed once to `smartpay.webhook_url` when one is registered.
pub async fn send_webhook(store: &SandboxStore, transaction_id: &str) -> bool {
    let Some(url) = store.sandbox_setting("smartpay.webhook_url").ok().flatten() else {
        return false;
    };
    let body = json!({
        "id": uuid(),
        "merchantKey": SANDBOX_SMARTPAY_MERCHANT_KEY,
        "createdAt": iso(now_ms()),
        "eventType": "PAYMENT_STATUS_CHANGED",
        "objectId": transaction_id,
        "objectType": "payment",
    });
    let Ok(http) = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
    else {
        return false;
    };
    match http.post(&url).json(&body).send().await {
        Ok(r) => r.status().is_success(),
        Err(e) => {
            tracing::info!(
                transaction_id,
                "sandbox smartpay webhook not delivered: {e}"
            );
            false
        }
    }
}

/// `paydesk sandbox pay` for a SmartPay payment (by partnerReference = our order number, or
/// transactionId); sends the webhook. `None` when no such payment.
pub async fn settle(
    store: &SandboxStore,
    reference: &str,
    approve: bool,
) -> Result<Option<String>> {
    let Some(before) = store.smartpay_payment(reference)? else {
        return Ok(None);
    };
    let Some(after) = store.smartpay_settle(reference, approve)? else {
        return Ok(None);
    };
    if after.status != before.status {
        send_webhook(store, &after.transaction_id).await;
    }
    let word = match after
        .final_status
        .as_deref()
        .unwrap_or(after.status.as_str())
    {
        "CAPTURED" => "paid",
        "AUTHORIZATION_COMPLETED" => "authorised",
        "AUTHORIZATION_FAILED" => "declined",
        "CANCELLED" => "cancelled (the merchant cancelled it: it can no longer be paid)",
        other => other,
    }
    .to_string();
    Ok(Some(format!(
        "sandbox smartpay payment {} ({}) is {word}",
        after.transaction_id, after.partner_reference
    )))
}

async fn show(State(state): State<SandboxState>, Path(token): Path<String>) -> Response {
    let Ok(Some(payment)) = state
        .store
        .smartpay_payment(&token)
        .map(|p| p.filter(|p| p.checkout_token == token))
    else {
        return (
            StatusCode::NOT_FOUND,
            page("Not found", "<h1>No such checkout</h1>"),
        )
            .into_response();
    };
    if payment.status == "CREATED" {
        let _ = state.store.conn().execute(
            "UPDATE smartpay_payments SET status = 'AUTORIZATION_INITIALIZED' WHERE transaction_id = ?1 AND status = 'CREATED'",
            [&payment.transaction_id],
        );
    }
    let body = if OPEN.contains(&payment.status.as_str()) {
        format!(
            "<h1>SmartPay card</h1><p class=amount data-testid=amount>{}.{:02} {}</p><p>{}</p>\
             <form method=post action='/pay/smartpay/{token}/pay'><button class=pay type=submit>Pay</button></form>\
             <form method=post action='/pay/smartpay/{token}/decline'><button class=decline type=submit>Decline</button></form>",
            payment.amount_minor / 100,
            payment.amount_minor % 100,
            escape(&payment.currency),
            escape(payment.description.as_deref().unwrap_or_default()),
            token = escape(&payment.checkout_token),
        )
    } else {
        format!("<h1 data-testid=result>{}</h1>", escape(&payment.status))
    };
    page("Pay", &body).into_response()
}

async fn page_settle(state: SandboxState, token: String, approve: bool) -> Response {
    let Ok(Some(payment)) = state.store.smartpay_settle(&token, approve) else {
        return (
            StatusCode::NOT_FOUND,
            page("Not found", "<h1>No such checkout</h1>"),
        )
            .into_response();
    };
    let store = state.store.clone();
    let id = payment.transaction_id.clone();
    tokio::spawn(async move {
        send_webhook(&store, &id).await;
    });
    // The widget's callback data: transactionStatus is only a hint for the merchant.
    let status = payment.status.clone();
    let relay = format!(
        "<script>if (window.parent !== window) {{ window.parent.postMessage({{ smartpay: {{ checkoutToken: {}, ok: {}, transactionStatus: {} }} }}, '*'); }}</script>",
        serde_json::to_string(&payment.checkout_token).unwrap_or_default(),
        approve,
        serde_json::to_string(&status).unwrap_or_default()
    );
    let heading = match (payment.status.as_str(), approve) {
        // Cancelled by the merchant (cancelOrRefund) before the customer paid.
        ("CANCELLED", _) => "Cancelled",
        (_, true) => "Paid",
        (_, false) => "Declined",
    };
    page(
        heading,
        &format!("<h1 data-testid=result>{heading}</h1>{relay}"),
    )
    .into_response()
}

async fn pay(State(state): State<SandboxState>, Path(token): Path<String>) -> Response {
    page_settle(state, token, true).await
}

async fn decline(State(state): State<SandboxState>, Path(token): Path<String>) -> Response {
    page_settle(state, token, false).await
}

/// The stand-in for smp-bundle.js: `window.SmpLibrary.SmartPayAppInstance.renderWidget({
/// checkoutToken, containers, successHandler(data), errorHandler(code, message)})`.
async fn script() -> Response {
    const SCRIPT: &str = r#"(function () {
  var origin = new URL(document.currentScript.src).origin;
  function renderWidget(options) {
    if (!options || !options.checkoutToken) { throw new Error('renderWidget: checkoutToken is required'); }
    var containers = options.containers || {};
    var selector = containers.paymentContainer || containers.container || containers;
    var host = typeof selector === 'string' ? document.querySelector(selector) : null;
    if (!host) { host = document.createElement('div'); document.body.appendChild(host); }
    var frame = document.createElement('iframe');
    frame.src = origin + '/pay/smartpay/' + encodeURIComponent(options.checkoutToken);
    frame.setAttribute('data-smartpay-widget', options.checkoutToken);
    frame.style.cssText = 'width:100%;min-height:22rem;border:0';
    host.appendChild(frame);
    function done(event) {
      if (event.origin !== origin || !event.data || !event.data.smartpay || event.data.smartpay.checkoutToken !== options.checkoutToken) { return; }
      window.removeEventListener('message', done);
      if (event.data.smartpay.ok) {
        if (options.successHandler) { options.successHandler({ transactionStatus: event.data.smartpay.transactionStatus }); }
      } else if (options.errorHandler) {
        options.errorHandler('PAYMENT_DECLINED', 'The payment was declined');
      }
    }
    window.addEventListener('message', done);
  }
  window.SmpLibrary = window.SmpLibrary || {};
  window.SmpLibrary.SmartPayAppInstance = { renderWidget: renderWidget };
})();
"#;
    (
        [(
            header::CONTENT_TYPE,
            "application/javascript; charset=utf-8",
        )],
        SCRIPT,
    )
        .into_response()
}
