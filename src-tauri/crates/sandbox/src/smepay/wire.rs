//! SMEPay V2's wire types as the sandbox reads and answers them (reference §2): the request
//! bodies, the `{status, message}` answers, amounts as rupee text, and the webhook.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::SmepayOrder;
use crate::amount::two_decimal_minor;

/// A 1x1 PNG: the sandbox's stand-in for SMEPay's base64 QR image (the link is the QR).
pub(super) const QR_PNG_BASE64: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

pub(super) fn answer(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

pub(super) fn parse_body<T: for<'de> Deserialize<'de>>(
    body: &[u8],
) -> std::result::Result<T, Response> {
    serde_json::from_slice(body).map_err(|e| {
        answer(
            StatusCode::BAD_REQUEST,
            json!({ "status": false, "message": format!("invalid request: {e}") }),
        )
    })
}

#[derive(Deserialize)]
pub(super) struct AuthBody {
    pub(super) client_id: String,
    pub(super) client_secret: String,
}

#[derive(Deserialize)]
pub(super) struct CreateBody {
    pub(super) client_id: String,
    pub(super) amount: Value,
    pub(super) order_id: String,
    pub(super) callback_url: String,
    pub(super) customer_details: Option<Value>,
}

/// "100.00" (or "100", or a number) into paise; at least 1.00.
pub(super) fn paise(amount: &Value) -> Option<i64> {
    match amount {
        Value::String(s) => two_decimal_minor(s.trim()),
        Value::Number(n) => two_decimal_minor(&n.to_string()),
        _ => None,
    }
}

#[derive(Deserialize)]
pub(super) struct InitiateBody {
    pub(super) slug: String,
    pub(super) client_id: String,
}

pub(super) fn not_found() -> Response {
    answer(
        StatusCode::NOT_FOUND,
        json!({ "status": false, "message": "Order not found" }),
    )
}

#[derive(Deserialize)]
pub(super) struct ValidateBody {
    pub(super) client_id: String,
    pub(super) amount: Value,
    pub(super) slug: String,
}

#[derive(Deserialize)]
pub(super) struct StatusBody {
    #[serde(default)]
    pub(super) client_id: Option<String>,
    pub(super) order_id: String,
}

pub(super) fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339()
}

/// The webhook SMEPay posts to callback_url: unsigned JSON, sent once.
pub fn webhook_body(order: &SmepayOrder) -> Value {
    json!({
        "ref_id": order.order_id,
        "transaction_id": order.slug,
        "status": order.status,
        "amount": order.amount,
        "created_at": rfc3339(order.created_at),
        "processed_at": order.processed_at.map(rfc3339),
    })
}
