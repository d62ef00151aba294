//! SMEPay V2 on the wire (reference §2): request and answer types, reading answers, tying a
//! status answer to the order asked, and amounts as SMEPay writes them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::GATEWAY;
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::Money;

/// The smallest total SMEPay takes, in paise.
pub const MIN_AMOUNT_MINOR: i64 = 100;

#[derive(Serialize)]
pub(super) struct AuthRequest<'a> {
    pub(super) client_id: &'a str,
    pub(super) client_secret: &'a str,
}

#[derive(Serialize)]
pub(super) struct CustomerDetails<'a> {
    pub(super) email: &'a str,
    pub(super) mobile: &'a str,
    pub(super) name: &'a str,
}

#[derive(Serialize)]
pub(super) struct CreateOrder<'a> {
    pub(super) client_id: &'a str,
    pub(super) amount: String,
    pub(super) order_id: &'a str,
    pub(super) callback_url: &'a str,
    pub(super) customer_details: CustomerDetails<'a>,
}

/// `{status: true, order_slug, message}`; some clients see `slug` instead.
#[derive(Debug, Deserialize)]
pub struct CreateAnswer {
    #[serde(default)]
    pub status: Option<Value>,
    #[serde(default)]
    pub order_slug: Option<String>,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

impl CreateAnswer {
    pub fn the_slug(&self) -> Option<&str> {
        self.order_slug
            .as_deref()
            .or(self.slug.as_deref())
            .filter(|s| !s.is_empty())
    }
}

#[derive(Serialize)]
pub(super) struct Initiate<'a> {
    pub(super) slug: &'a str,
    pub(super) client_id: &'a str,
}

#[derive(Debug, Deserialize)]
pub(super) struct InitiateAnswer {
    #[serde(default)]
    pub(super) payment_link: Option<String>,
    #[serde(default)]
    pub(super) qr_code: Option<String>,
    #[serde(default)]
    pub(super) intents: Option<Value>,
    #[serde(default)]
    pub(super) payment_status: Option<String>,
    #[serde(default)]
    pub(super) expires_at: Option<Value>,
    #[serde(default)]
    pub(super) transaction_id: Option<Value>,
}

#[derive(Serialize)]
pub(super) struct Validate<'a> {
    pub(super) client_id: &'a str,
    pub(super) amount: String,
    pub(super) slug: &'a str,
}

#[derive(Serialize)]
pub(super) struct StatusRequest<'a> {
    pub(super) client_id: &'a str,
    pub(super) order_id: &'a str,
}

/// The answer of `order/status` (`{status, order_id, payment_status, amount, provider,
/// created_at, processed_at}`, reference §2) and of `order/validate` (`{status,
/// payment_status}`).
#[derive(Debug, Deserialize)]
pub struct StatusAnswer {
    #[serde(default)]
    pub status: Option<Value>,
    #[serde(default)]
    pub payment_status: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub order_id: Option<Value>,
    /// "100.00" or a number (100.5): both are seen.
    #[serde(default)]
    pub amount: Option<Value>,
}

/// Ties an `order/status` answer to the order asked: its `order_id` must be there and equal
/// ours, and its `amount`, where it carries one, the order's. A mismatch is a suspicious
/// `GatewayProtocol` (a replayed answer about another order), logged.
pub fn check_identity(answer: &StatusAnswer, merchant_order_no: &str, amount: Money) -> Result<()> {
    let order_id = match &answer.order_id {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => {
            return Err(protocol(format!(
                "order/status answered without order_id: it cannot be tied to order {merchant_order_no}"
            )))
        }
    };
    let mut wrong = Vec::new();
    if order_id != merchant_order_no {
        wrong.push(format!("order_id {order_id} (asked {merchant_order_no})"));
    }
    if let Some(given) = answer.amount.as_ref().filter(|v| !v.is_null()) {
        if paise(given) != Some(amount.minor()) {
            wrong.push(format!(
                "amount {given} (the order is {})",
                amount.decimal_string()
            ));
        }
    }
    if wrong.is_empty() {
        return Ok(());
    }
    let what = wrong.join(", ");
    tracing::warn!(
        gateway = GATEWAY,
        order = merchant_order_no,
        "suspicious order/status answer about another order: {what}"
    );
    Err(protocol(format!(
        "suspicious order/status answer about another order: {what}; nothing applied"
    )))
}

/// An amount as SMEPay writes it ("100.00", "100", 100.5) in paise; `None` if it is not one.
pub fn paise(amount: &Value) -> Option<i64> {
    let text = match amount {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let fraction = fraction.trim_end_matches('0');
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > 2
        || !fraction.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(fraction)
}

/// Reads a create answer; the slug may come as `order_slug` or `slug`.
pub fn parse_create(text: &str) -> Result<String> {
    let answer: CreateAnswer = serde_json::from_str(text)
        .map_err(|e| protocol(format!("order/create: not JSON ({e})")))?;
    if is_false(&answer.status) {
        return Err(rejected(
            "order/create",
            answer.message.as_deref().unwrap_or("refused"),
        ));
    }
    answer
        .the_slug()
        .map(str::to_string)
        .ok_or_else(|| protocol("order/create answered without order_slug or slug".into()))
}

/// Reads a status or validate answer into its payment_status, verbatim.
pub fn parse_status(call: &str, text: &str) -> Result<String> {
    parse_status_answer(call, text)?
        .payment_status
        .ok_or_else(|| protocol(format!("{call} answered without payment_status")))
}

/// A status or validate answer, with its payment_status required.
pub fn parse_status_answer(call: &str, text: &str) -> Result<StatusAnswer> {
    let answer: StatusAnswer =
        serde_json::from_str(text).map_err(|e| protocol(format!("{call}: not JSON ({e})")))?;
    match &answer.payment_status {
        Some(s) if !s.trim().is_empty() => Ok(answer),
        _ if is_false(&answer.status) => Err(rejected(
            call,
            answer.message.as_deref().unwrap_or("refused"),
        )),
        _ => Err(protocol(format!("{call} answered without payment_status"))),
    }
}

fn is_false(status: &Option<Value>) -> bool {
    matches!(status, Some(Value::Bool(false)))
        || matches!(status, Some(Value::String(s)) if s == "false")
}

pub(super) fn protocol(message: String) -> Error {
    Error::GatewayProtocol {
        gateway: GATEWAY,
        message,
    }
}

fn rejected(call: &str, message: &str) -> Error {
    Error::GatewayRejected {
        gateway: GATEWAY,
        code: call.to_string(),
        message: message.to_string(),
    }
}

/// The wire amount: rupees with two decimals, at least 1.00.
pub fn wire_amount(amount: Money) -> Result<String> {
    if amount.currency().code() != "INR" {
        return Err(Error::invalid(
            "currency",
            format!("SMEPay takes INR, not {}", amount.currency()),
        ));
    }
    if amount.minor() < MIN_AMOUNT_MINOR {
        return Err(Error::invalid(
            "amount",
            format!(
                "SMEPay takes at least 1.00 INR, not {}",
                amount.decimal_string()
            ),
        ));
    }
    Ok(amount.decimal_string())
}

pub(super) enum Answer {
    Unauthorized,
    Body(u16, String),
}
