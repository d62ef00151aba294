//! The SmartPay API the sandbox serves, apart from the modifications: the OAuth token
//! endpoint, Basic or Bearer authentication on every call, `payment/creation` and
//! `payment/status/{transactionId}`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Value};

use super::wire::{error, iso, minor_units, reference_ok, status_body, uuid};
use super::SmartpayPayment;
use crate::faults::{FaultKind, HandlerFault};
use crate::random::random_text;
use crate::{
    SandboxState, SANDBOX_SMARTPAY_AUTH_KEY, SANDBOX_SMARTPAY_CLIENT_ID,
    SANDBOX_SMARTPAY_CLIENT_SECRET, SANDBOX_SMARTPAY_MERCHANT_KEY,
};
use paydesk_domain::clock::now_ms;

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

/// A request body of the merchant's: the caller authorised (else 401), the body JSON (else
/// INVALID_JSON) and its merchantKey the sandbox merchant's (else INVALID_MERCHANT), in that order.
pub(super) fn merchant_request(
    state: &SandboxState,
    headers: &HeaderMap,
    body: &[u8],
) -> std::result::Result<Value, Response> {
    authorised(state, headers)?;
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "INVALID_JSON",
            "the body is not JSON",
        ));
    };
    if request.get("merchantKey").and_then(Value::as_str) != Some(SANDBOX_SMARTPAY_MERCHANT_KEY) {
        return Err(error(
            StatusCode::FORBIDDEN,
            "INVALID_MERCHANT",
            "merchantKey is not this merchant's",
        ));
    }
    Ok(request)
}

/// Basic with the merchant's keys, or a live bearer token; and the headers the vendor asks for.
pub(super) fn authorised(
    state: &SandboxState,
    headers: &HeaderMap,
) -> std::result::Result<(), Response> {
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

pub(super) async fn token(State(state): State<SandboxState>, body: Bytes) -> Response {
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

pub(super) async fn creation(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    fault: HandlerFault,
    body: Bytes,
) -> Response {
    // `claim-success`: the answer says more than a create can (the payment stays CREATED).
    let claimed = is_fault(&fault, FaultKind::ClaimSuccess).then_some("CAPTURED");
    let request = match merchant_request(&state, &headers, &body) {
        Ok(request) => request,
        Err(r) => return r,
    };
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
pub(super) fn is_fault(fault: &HandlerFault, kind: FaultKind) -> bool {
    fault.as_ref().is_some_and(|f| f.0.kind == kind)
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

pub(super) async fn status(
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
