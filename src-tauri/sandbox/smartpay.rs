//! The sandbox's SmartPay (reference/gateways.md §3), written from the reference with its
//! own wire types: the OAuth token endpoint (client credentials), Basic or Bearer auth on
//! every call, `payment/creation`, `payment/status/{transactionId}`, and the modifications
//! capture, refund and cancelOrRefund, each idempotent by its modificationId. The customer
//! pays on `/pay/smartpay/{checkoutToken}`, which the `smp-bundle.js` stand-in renders inside
//! `window.SmpLibrary.SmartPayAppInstance.renderWidget({...})`; every status change POSTs
//! the unsigned webhook once to the registered URL.
//!
//! Sandbox settings: `smartpay.pending_answers` (how many status queries answer a PENDING
//! state after the customer paid, default 0), `smartpay.pending_status` (which one, default
//! AUTHORIZATION_PENDING), `smartpay.auto_capture` (`false`: a payment stops at
//! AUTHORIZATION_COMPLETED until captured), `smartpay.token_ttl_ms`, `smartpay.webhook_url`.
//! A declined payment ends AUTHORIZATION_FAILED (the reference lists no failure status; this
//! is the sandbox's choice, and the adapter reads any `…_FAILED` as failed).

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rusqlite::{params, OptionalExtension, Row};
use serde_json::{json, Value};

use super::pages::{escape, page};
use super::store::SandboxStore;
use super::{
    SandboxState, SANDBOX_SMARTPAY_AUTH_KEY, SANDBOX_SMARTPAY_CLIENT_ID,
    SANDBOX_SMARTPAY_CLIENT_SECRET, SANDBOX_SMARTPAY_MERCHANT_KEY,
};
use crate::error::Result;
use crate::ledger::now_ms;

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

    /// The status a query sees: a pending answer uses one of its turns, then the final one.
    fn smartpay_observe(&self, transaction_id: &str) -> Result<Option<SmartpayPayment>> {
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

    /// Every modification, oldest first: (modificationId, kind, amount in minor units).
    pub fn smartpay_modifications(
        &self,
        transaction_id: &str,
    ) -> Result<Vec<(String, String, Option<i64>)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT modification_id, kind, amount_minor FROM smartpay_modifications WHERE transaction_id = ?1 ORDER BY created_at, rowid",
        )?;
        let rows = stmt.query_map([transaction_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
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

async fn creation(State(state): State<SandboxState>, headers: HeaderMap, body: Bytes) -> Response {
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
        return Json(json!({ "transactionId": existing.transaction_id, "checkoutToken": existing.checkout_token, "paymentStatus": existing.status, "requestTime": iso(now_ms()) })).into_response();
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
    Json(json!({ "transactionId": transaction_id, "checkoutToken": checkout_token, "paymentStatus": "CREATED", "requestTime": iso(now) }))
        .into_response()
}

fn status_body(store: &SandboxStore, payment: &SmartpayPayment) -> Value {
    let modifications: Vec<Value> = store
        .smartpay_modifications(&payment.transaction_id)
        .unwrap_or_default()
        .into_iter()
        .map(|(id, kind, amount)| json!({ "modificationId": id, "type": kind, "amount": amount.map(decimal), "status": "SUCCEEDED" }))
        .collect();
    json!({
        "transactionId": payment.transaction_id,
        "reconciliationReferenceId": payment.reconciliation_id,
        "description": payment.description,
        "paymentStatus": payment.status,
        "creationDate": iso(payment.created_at),
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

async fn status(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    Path(transaction_id): Path<String>,
) -> Response {
    if let Err(r) = authorised(&state, &headers) {
        return r;
    }
    match state.store.smartpay_observe(&transaction_id) {
        Ok(Some(payment)) if payment.transaction_id == transaction_id => {
            Json(status_body(&state.store, &payment)).into_response()
        }
        _ => error(
            StatusCode::NOT_FOUND,
            "TRANSACTION_NOT_FOUND",
            "no such transaction",
        ),
    }
}

/// Applies one modification, idempotent by modificationId: a repeat with the same content
/// answers the same result; the same id for something else is refused.
fn modify(state: &SandboxState, headers: &HeaderMap, body: &[u8], kind: &str) -> Response {
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
    let Ok(Some(payment)) = state.store.smartpay_payment(&transaction_id) else {
        return error(
            StatusCode::NOT_FOUND,
            "TRANSACTION_NOT_FOUND",
            "no such transaction",
        );
    };
    if payment.transaction_id != transaction_id {
        return error(
            StatusCode::NOT_FOUND,
            "TRANSACTION_NOT_FOUND",
            "no such transaction",
        );
    }
    let requested = match request.get("modifiedAmount") {
        None | Some(Value::Null) => None,
        value => match minor_units(value).filter(|a| *a > 0) {
            Some(a) => Some(a),
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "INVALID_AMOUNT",
                    "modifiedAmount is a positive decimal with at most two places",
                )
            }
        },
    };
    let answer = |status: &str| {
        Json(json!({
            "transactionId": transaction_id,
            "modificationId": modification_id,
            "modificationType": kind,
            "modificationStatus": "SUCCEEDED",
            "paymentStatus": status,
            "requestTime": iso(now_ms()),
        }))
        .into_response()
    };
    let mut conn = state.store.conn();
    let Ok(tx) = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate) else {
        return error(StatusCode::SERVICE_UNAVAILABLE, "BUSY", "try again");
    };
    let earlier: Option<(String, String, Option<i64>, String)> = tx
        .query_row(
            "SELECT transaction_id, kind, amount_minor, status_after FROM smartpay_modifications WHERE modification_id = ?1",
            [&modification_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()
        .unwrap_or(None);
    if let Some((t, k, a, status_after)) = earlier {
        if t == transaction_id && k == kind && (a == requested || requested.is_none()) {
            return answer(&status_after);
        }
        return error(
            StatusCode::CONFLICT,
            "DUPLICATE_MODIFICATION_ID",
            "modificationId was used for another modification",
        );
    }
    let refundable = payment.captured_minor - payment.refunded_minor;
    let (status_after, amount, captured, refunded) = match kind {
        "capture" => {
            if payment.status != "AUTHORIZATION_COMPLETED" {
                return error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "INVALID_STATE",
                    &format!("cannot capture a payment in {}", payment.status),
                );
            }
            let amount = requested.unwrap_or(payment.amount_minor);
            if amount > payment.amount_minor {
                return error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "AMOUNT_TOO_HIGH",
                    "more than was authorised",
                );
            }
            ("CAPTURED", amount, amount, payment.refunded_minor)
        }
        "refund" => {
            if !matches!(payment.status.as_str(), "CAPTURED" | "SETTLED") {
                return error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "INVALID_STATE",
                    &format!("cannot refund a payment in {}", payment.status),
                );
            }
            let amount = requested.unwrap_or(refundable);
            if amount > refundable {
                return error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "AMOUNT_TOO_HIGH",
                    &format!("at most {} can be refunded", refundable),
                );
            }
            let after = if payment.refunded_minor + amount >= payment.captured_minor {
                "REFUNDED"
            } else {
                payment.status.as_str()
            };
            (
                after,
                amount,
                payment.captured_minor,
                payment.refunded_minor + amount,
            )
        }
        _ => match payment.status.as_str() {
            "AUTHORIZATION_COMPLETED" => ("CANCELLED", payment.amount_minor, 0, 0),
            "CAPTURED" | "SETTLED" if refundable > 0 => (
                "REFUNDED",
                refundable,
                payment.captured_minor,
                payment.captured_minor,
            ),
            other => {
                return error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "INVALID_STATE",
                    &format!("cannot cancel or refund a payment in {other}"),
                )
            }
        },
    };
    let stored = tx
        .execute(
            "INSERT INTO smartpay_modifications (modification_id, transaction_id, kind, amount_minor, status_after, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![modification_id, transaction_id, kind, amount, status_after, now_ms()],
        )
        .and_then(|_| {
            tx.execute(
                "UPDATE smartpay_payments SET status = ?2, captured_minor = ?3, refunded_minor = ?4 WHERE transaction_id = ?1",
                params![transaction_id, status_after, captured, refunded],
            )
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
    answer(status_after)
}

async fn capture(State(state): State<SandboxState>, headers: HeaderMap, body: Bytes) -> Response {
    modify(&state, &headers, &body, "capture")
}

async fn refund(State(state): State<SandboxState>, headers: HeaderMap, body: Bytes) -> Response {
    modify(&state, &headers, &body, "refund")
}

async fn cancel_or_refund(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    modify(&state, &headers, &body, "cancelOrRefund")
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
    let heading = if approve { "Paid" } else { "Declined" };
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
