//! SmartPay's wire types as the sandbox reads and answers them (the vendor's pages in the
//! module header): the error body, amounts as decimal numbers, references, timestamps, the
//! ids the sandbox gives, and the answer model shared by Get Payment Status and the
//! modification APIs.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::{SmartpayModification, SmartpayPayment};
use crate::amount::two_decimal_minor;
use crate::random::random_text;
use crate::SandboxStore;
use paydesk_domain::clock::now_ms;

pub(super) fn uuid() -> String {
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

pub(super) fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "errorCode": code, "message": message })),
    )
        .into_response()
}

/// A JSON number with at most two decimals into minor units.
pub(super) fn minor_units(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => two_decimal_minor(&n.to_string()),
        _ => None,
    }
}

pub(super) fn decimal(minor: i64) -> Value {
    serde_json::from_str(&format!("{}.{:02}", minor / 100, minor % 100)).unwrap_or(Value::Null)
}

pub(super) fn reference_ok(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c))
}

pub(super) fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// One entry of `modifications[]` (Response Model and Error Handling, level 2 modifications).
pub(super) fn modification_json(
    payment: &SmartpayPayment,
    index: usize,
    m: &SmartpayModification,
) -> Value {
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
pub(super) fn status_body(store: &SandboxStore, payment: &SmartpayPayment) -> Value {
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

/// `modifiedAmount` as the Capture and Refund pages give it: `{amount, currencyCode,
/// description?}`. `Ok(None)` when absent (a full capture or refund).
pub(super) fn modified_amount(
    request: &Value,
    currency: &str,
) -> std::result::Result<Option<i64>, Response> {
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
