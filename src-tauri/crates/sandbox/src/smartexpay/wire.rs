//! SmartExPay's wire types as the sandbox reads and answers them (§4): the error shape,
//! amounts as the engine prints them, the form encoding of a create, and the query and body
//! of `order/get` and `order/update-status`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

pub(super) fn fail(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "success": false, "error": { "message": message, "errorCode": code } })),
    )
        .into_response()
}

/// A decimal amount as units of 1e-8 (the exchanger's finest step).
pub(super) fn units(text: &str) -> Option<i128> {
    let (whole, fraction) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty()
        || !digits(whole)
        || !digits(fraction)
        || fraction.len() > 8
        || whole.len() > 12
    {
        return None;
    }
    Some(
        whole.parse::<i128>().ok()? * 100_000_000
            + format!("{fraction:0<8}").parse::<i128>().ok()?,
    )
}

/// Units back to the shortest decimal text, as a JavaScript number prints: "317.42", "2".
pub(super) fn units_text(units: i128) -> String {
    let whole = units / 100_000_000;
    let fraction = format!("{:08}", units % 100_000_000);
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{fraction}")
    }
}

/// The form encoding: `fromValues[0][key]=...` into arrays of objects.
pub(super) fn form_to_json(body: &[u8]) -> Option<Value> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    let mut out = serde_json::Map::new();
    for (k, v) in pairs {
        if let Some((name, rest)) = k.split_once('[') {
            let mut parts = rest.trim_end_matches(']').split("][");
            let index: usize = parts.next()?.parse().ok()?;
            let field = parts.next()?.to_string();
            let list = out
                .entry(name.to_string())
                .or_insert_with(|| json!([]))
                .as_array_mut()?;
            while list.len() <= index {
                list.push(json!({}));
            }
            list[index][field] = json!(v);
        } else {
            let value = match v.as_str() {
                "true" => json!(true),
                "false" => json!(false),
                _ => json!(v),
            };
            out.insert(k, value);
        }
    }
    Some(Value::Object(out))
}

pub(super) fn requisites_ok(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::Array(items)) => items
            .iter()
            .all(|i| i.get("key").is_some_and(Value::is_string) && i.get("value").is_some()),
        _ => false,
    }
}

/// Decimal text as a JSON number (what the engine sends), falling back to the text.
pub(super) fn json_number(text: &str) -> Value {
    serde_json::from_str::<serde_json::Number>(text)
        .map(Value::Number)
        .unwrap_or_else(|_| json!(text))
}

#[derive(Deserialize)]
pub(super) struct GetQuery {
    #[serde(rename = "orderUID")]
    pub(super) order_uid: Option<String>,
    #[serde(rename = "orderSecret")]
    pub(super) order_secret: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct UpdateStatus {
    #[serde(rename = "orderUID")]
    pub(super) order_uid: Value,
    pub(super) order_secret: String,
    pub(super) status: String,
}
