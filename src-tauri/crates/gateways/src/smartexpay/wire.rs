//! SmartExPay on the wire (reference §4; the engine's shape, parsed tolerantly): the answer
//! envelope, what a create or `order/get` answered and whether it is about the order asked,
//! what Paydesk kept of an order, the requisites' shape, the payment page and the amount.

use serde::Deserialize;
use serde_json::Value;

use super::GATEWAY;
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::Money;
use paydesk_domain::order::Order;

#[derive(Debug, Deserialize)]
pub(super) struct Envelope {
    #[serde(default)]
    pub(super) success: Option<Value>,
    #[serde(default)]
    pub(super) data: Option<Value>,
    #[serde(default)]
    pub(super) error: Option<Value>,
}

/// The payment page link.
pub fn payment_page(page_base: &str, lang: &str, uid: &str, secret: &str) -> String {
    format!(
        "{}/{lang}/payment/{uid}/{secret}",
        page_base.trim_end_matches('/')
    )
}

/// What a create or an `order/get` answered about an order (the engine's shape:
/// `data{_id, uid, secret, status, inAmount, outAmount, route{from, to}}`, or the same under
/// `data.order`). Numbers are kept as the text serde prints them ("12.5").
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderAnswer {
    pub uid: Option<String>,
    pub secret: Option<String>,
    pub object_id: Option<String>,
    pub status: Option<String>,
    pub in_amount: Option<String>,
    pub route_from: Option<String>,
}

fn order_answer(call: &str, text: &str) -> Result<OrderAnswer> {
    let data = parse_envelope(call, text)?;
    let order = data.get("order").filter(|o| o.is_object()).unwrap_or(&data);
    Ok(OrderAnswer {
        uid: text_of(order.get("uid")),
        secret: text_of(order.get("secret")),
        object_id: text_of(order.get("_id")),
        status: text_of(order.get("status")),
        in_amount: text_of(order.get("inAmount")),
        route_from: order
            .get("route")
            .and_then(|r| text_of(r.get("from")))
            .or_else(|| text_of(order.get("xml_from"))),
    })
}

/// What a create answered: (uid, secret, _id).
pub fn parse_create(text: &str) -> Result<(String, String, Option<String>)> {
    let answer = parse_create_answer(text)?;
    Ok((
        answer.uid.unwrap_or_default(),
        answer.secret.unwrap_or_default(),
        answer.object_id,
    ))
}

/// A create answer, with its uid and secret required.
pub fn parse_create_answer(text: &str) -> Result<OrderAnswer> {
    let answer = order_answer("order/create", text)?;
    if answer.uid.is_none() {
        return Err(protocol("order/create answered without uid".into()));
    }
    if answer.secret.is_none() {
        return Err(protocol("order/create answered without secret".into()));
    }
    Ok(answer)
}

/// The order status an `order/get` answer carries, verbatim.
pub fn parse_status(text: &str) -> Result<String> {
    parse_order(text)?
        .status
        .ok_or_else(|| protocol("order/get answered without status".into()))
}

/// An `order/get` answer, with its status required.
pub fn parse_order(text: &str) -> Result<OrderAnswer> {
    let answer = order_answer("order/get", text)?;
    if answer.status.is_none() {
        return Err(protocol("order/get answered without status".into()));
    }
    Ok(answer)
}

/// The order an answer must be about: what Paydesk kept from the create.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected<'a> {
    pub uid: &'a str,
    /// SmartExPay's `_id`, when the create answer carried it.
    pub object_id: Option<&'a str>,
    pub amount: Money,
    /// The route's `from` as the create answer named it ("CARDEUR"), when it did.
    pub route_from: Option<&'a str>,
}

/// Ties an answer to the order asked: its uid must be there and equal ours, and its `_id`,
/// `inAmount` and `route.from`, where it carries them, must equal what the create gave. A
/// mismatch is a suspicious `GatewayProtocol` (a replayed answer about another order), logged.
pub fn check_identity(call: &str, answer: &OrderAnswer, expected: &Expected<'_>) -> Result<()> {
    let Some(uid) = answer.uid.as_deref() else {
        return Err(protocol(format!(
            "{call} answered without the order's uid: it cannot be tied to order {}",
            expected.uid
        )));
    };
    let mut wrong = Vec::new();
    if uid.trim() != expected.uid.trim() {
        wrong.push(format!("uid {uid} (asked {})", expected.uid));
    }
    if let (Some(got), Some(want)) = (answer.object_id.as_deref(), expected.object_id) {
        if got != want {
            wrong.push(format!("_id {got} (asked {want})"));
        }
    }
    if let Some(got) = answer.in_amount.as_deref() {
        if !same_decimal(got, &expected.amount.decimal_string()) {
            wrong.push(format!(
                "inAmount {got} (the order is {})",
                expected.amount.decimal_string()
            ));
        }
    }
    if let (Some(got), Some(want)) = (answer.route_from.as_deref(), expected.route_from) {
        if got != want {
            wrong.push(format!("route from {got} (the order's is {want})"));
        }
    }
    suspicious_if(call, expected.uid, wrong)
}

pub(super) fn suspicious_if(call: &str, uid: &str, wrong: Vec<String>) -> Result<()> {
    if wrong.is_empty() {
        return Ok(());
    }
    let what = wrong.join(", ");
    tracing::warn!(
        gateway = GATEWAY,
        call,
        uid,
        "suspicious answer about another order: {what}"
    );
    Err(protocol(format!(
        "suspicious {call} answer about another order: {what}; nothing applied"
    )))
}

/// Two decimal texts for the same amount ("12.5" and "12.50", "2" and "2.00").
pub fn same_decimal(a: &str, b: &str) -> bool {
    match (normal_decimal(a), normal_decimal(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

fn normal_decimal(text: &str) -> Option<String> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return None;
    }
    let whole = whole.trim_start_matches('0');
    let fraction = fraction.trim_end_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    Some(if fraction.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{fraction}")
    })
}

fn parse_envelope(call: &str, text: &str) -> Result<Value> {
    let envelope: Envelope =
        serde_json::from_str(text).map_err(|e| protocol(format!("{call}: not JSON ({e})")))?;
    let failed = matches!(envelope.success, Some(Value::Bool(false)));
    if failed || envelope.error.as_ref().is_some_and(|e| !e.is_null()) {
        let error = envelope.error.unwrap_or(Value::Null);
        let message = text_of(error.get("message"))
            .or_else(|| error.as_str().map(str::to_string))
            .unwrap_or_else(|| "refused".into());
        let code = text_of(error.get("errorCode")).unwrap_or_else(|| call.to_string());
        return Err(Error::GatewayRejected {
            gateway: GATEWAY,
            code,
            message,
        });
    }
    envelope
        .data
        .filter(|d| d.is_object())
        .ok_or_else(|| protocol(format!("{call}: no data in the answer")))
}

pub(super) fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(super) fn protocol(message: String) -> Error {
    Error::GatewayProtocol {
        gateway: GATEWAY,
        message,
    }
}

/// What Paydesk kept from a create (`gateway_order_id` and the payload).
pub(super) struct Kept {
    pub(super) uid: Option<String>,
    pub(super) secret: Option<String>,
    pub(super) object_id: Option<String>,
    pub(super) route_from: Option<String>,
}

impl Kept {
    pub(super) fn of(order: &Order) -> Kept {
        let payload = order.payment_payload.as_ref();
        let get = |name: &str| payload.and_then(|p| text_of(p.get(name)));
        Kept {
            uid: order.gateway_order_id.clone().or_else(|| get("uid")),
            secret: get("secret"),
            object_id: get("orderId"),
            route_from: get("routeFrom"),
        }
    }

    /// What an answer about this order (uid `uid`, of `amount`) must carry, from what the
    /// create gave: for [`check_identity`].
    pub(super) fn expected<'a>(&'a self, uid: &'a str, amount: Money) -> Expected<'a> {
        Expected {
            uid,
            object_id: self.object_id.as_deref(),
            amount,
            route_from: self.route_from.as_deref(),
        }
    }
}

/// Requisites as the seed gives them: a list of `{key, value}` with string values; `key` is an
/// ObjectId for fromValues and routeValues, a string for toValues.
pub(super) fn check_requisites(
    name: &'static str,
    value: &Value,
    object_id_keys: bool,
) -> Result<()> {
    let bad = |why: String| {
        Err(Error::invalid(
            "requisites",
            format!("SmartExPay {name}: {why} (settings: a JSON array of {{\"key\", \"value\"}})"),
        ))
    };
    let Value::Array(items) = value else {
        return bad("not a list".into());
    };
    for (i, item) in items.iter().enumerate() {
        let key = item.get("key").and_then(Value::as_str).unwrap_or_default();
        if key.is_empty() {
            return bad(format!("item {i} has no key"));
        }
        if object_id_keys && !is_object_id(key) {
            return bad(format!(
                "item {i}'s key {key:?} is not an ObjectId (24 hex digits)"
            ));
        }
        if !item.get("value").is_some_and(Value::is_string) {
            return bad(format!("item {i} ({key}) has no text value"));
        }
    }
    Ok(())
}

/// A MongoDB ObjectId as text: exactly 24 hex digits (seed 001: routeId "ObjectID").
pub fn is_object_id(text: &str) -> bool {
    text.len() == 24 && text.chars().all(|c| c.is_ascii_hexdigit())
}

/// The amount as decimal text in the "from" currency: "12.50".
pub fn wire_amount(amount: Money) -> String {
    amount.decimal_string()
}
