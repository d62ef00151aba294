//! V3 on the wire: field sizes and amounts as V3 takes them, which endpoint a create goes to,
//! and reading answers: the envelope and its signature, whether an answer is about the order
//! or refund asked, and what a refund or void answer says.

use serde_json::{Map, Value};

use super::mapping::{status_label, status_word};
use super::GATEWAY;
use crate::{check_length, Reversal};
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::{Currency, Money, MoneyError};
use paydesk_domain::order::{Method, OrderStatus};
use paydesk_secrets::signing::iotpay_verify;

/// V3's field sizes, from the request tables of the guide pages named in `mod.rs`.
pub(super) const MAX_MCH_ID: usize = 30;
pub(super) const MAX_ORDER_NO: usize = 30;
/// `loginName` is String(12) on every V3 page (v1's `jobNo` takes 50): a longer login name
/// only stops the card calls, in `prepare_*`, never the building of the adapter.
pub(super) const MAX_LOGIN_NAME: usize = 12;
pub(super) const MAX_URL: usize = 200;
const MAX_CARD_ID: usize = 30;
pub(super) const MAX_SUBJECT: usize = 64;
pub(super) const MAX_BODY: usize = 250;

pub(super) fn status_text(data: &Map<String, Value>) -> Option<String> {
    data.get("status").and_then(|s| match s {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

pub(super) fn text_field<'a>(data: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    data.get(name).and_then(Value::as_str)
}

/// An integer field sent as a number or as its text.
fn int_field(data: &Map<String, Value>, name: &str) -> Option<i64> {
    match data.get(name)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A card id as `card add` takes it: letters, digits, '-' or '_', at most 30 (V3 `cardId`
/// String(30)). Anything else (spaces, newlines, escapes, `../`, bidi controls) is refused
/// before anything is written or sent.
pub fn check_card_id(card_id: &str) -> Result<()> {
    if card_id.is_empty() {
        return Err(Error::invalid(
            "cardId",
            "a saved-card payment needs the card's id",
        ));
    }
    if !card_id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Error::invalid(
            "cardId",
            "a card id is letters, digits, '-' or '_'",
        ));
    }
    check_length("cardId", card_id, MAX_CARD_ID)
}

pub(super) fn check_required(field: &'static str, value: &str, max: usize) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(field, format!("{field} is required")));
    }
    check_length(field, value, max)
}

/// V3 takes CAD only ("for now only CAD supported", guide page "creditCard/v3/embedded"), in
/// cents.
pub(super) fn wire_amount(amount: Money) -> Result<i64> {
    if amount.currency() != Currency::CAD {
        return Err(Error::Money(MoneyError::CurrencyNotAccepted {
            gateway: GATEWAY,
            currency: amount.currency(),
        }));
    }
    Ok(amount.cents(GATEWAY)?)
}

pub(super) fn create_endpoint(method: Method) -> &'static str {
    if method == Method::CardToken {
        "cc_purchasewithtoken"
    } else {
        "cc_purchase"
    }
}

pub(super) fn protocol(message: &str) -> Error {
    Error::GatewayProtocol {
        gateway: GATEWAY,
        message: message.to_string(),
    }
}

/// An answer about something other than what was asked: logged, and never applied.
pub(super) fn suspicious(endpoint: &str, detail: String) -> Error {
    tracing::warn!(
        gateway = GATEWAY,
        endpoint,
        "suspicious answer, ignored: {detail}"
    );
    Error::GatewayProtocol {
        gateway: GATEWAY,
        message: format!("{endpoint}: suspicious answer, ignored: {detail}"),
    }
}

pub(super) fn is_not_found(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    lower.contains("not exist") || lower.contains("not found")
}

/// Checks that an answer is about the order asked: `mchOrderNo`, and when `expected` is
/// given, `amount` (cents) and `currency`. `required` says the fields must be there (cc_query
/// documents them all as always present); otherwise only those present are compared.
pub fn check_identity(
    endpoint: &str,
    data: &Map<String, Value>,
    merchant_order_no: &str,
    expected: Option<Money>,
    required: bool,
) -> Result<()> {
    match text_field(data, "mchOrderNo") {
        Some(no) if no == merchant_order_no => {}
        Some(no) => {
            return Err(suspicious(
                endpoint,
                format!("asked about order {merchant_order_no}, answered about {no}"),
            ))
        }
        None if required => {
            return Err(protocol(&format!(
                "{endpoint}: the answer names no mchOrderNo"
            )))
        }
        None => {}
    }
    let Some(expected) = expected else {
        return Ok(());
    };
    match int_field(data, "amount") {
        Some(cents) if cents == expected.minor() => {}
        Some(cents) => {
            return Err(suspicious(
                endpoint,
                format!(
                    "order {merchant_order_no} is {} cents, the answer says {cents}",
                    expected.minor()
                ),
            ))
        }
        None if required => {
            return Err(protocol(&format!(
                "{endpoint}: the answer carries no amount"
            )))
        }
        None => {}
    }
    match text_field(data, "currency") {
        Some(code) if code.trim().eq_ignore_ascii_case(expected.currency().code()) => {}
        Some(code) => {
            return Err(suspicious(
                endpoint,
                format!(
                    "order {merchant_order_no} is in {}, the answer says {code}",
                    expected.currency().code()
                ),
            ))
        }
        None if required => {
            return Err(protocol(&format!(
                "{endpoint}: the answer carries no currency"
            )))
        }
        None => {}
    }
    Ok(())
}

/// Reads a refund or void answer (cc_refund, cc_void, or cc_query of the refund's number),
/// guide page "creditCard/v3/refund": `retData.mchOrderNo` is the mchRefundNo sent,
/// `payOrderId` the refund's own id, `originalOrderId` the original payment. Status 2 or 3 is
/// done, 9 failed (the only refusal), 0 / 1 / anything else pending.
pub fn reversal_outcome(
    endpoint: &str,
    data: &Map<String, Value>,
    refund_no: &str,
    pay_order_id: &str,
    amount: Option<Money>,
) -> Result<Reversal> {
    match text_field(data, "mchOrderNo") {
        Some(no) if no == refund_no => {}
        Some(no) => {
            return Err(suspicious(
                endpoint,
                format!("refund {refund_no} was answered about {no}"),
            ))
        }
        None => {
            return Err(protocol(&format!(
                "{endpoint}: the answer names no mchOrderNo (the refund number)"
            )))
        }
    }
    if let Some(original) = text_field(data, "originalOrderId") {
        if original != pay_order_id {
            return Err(suspicious(
                endpoint,
                format!(
                    "refund {refund_no} of payment {pay_order_id} was answered for payment {original}"
                ),
            ));
        }
    }
    if let (Some(amount), Some(cents)) = (amount, int_field(data, "amount")) {
        if cents != amount.minor() {
            return Err(suspicious(
                endpoint,
                format!(
                    "refund {refund_no} is {} cents, the answer says {cents}",
                    amount.minor()
                ),
            ));
        }
    }
    let raw = status_text(data)
        .ok_or_else(|| protocol(&format!("{endpoint}: the answer carries no status")))?;
    match status_word(&raw).map(|w| w.status) {
        Some(OrderStatus::Paid) => Ok(Reversal {
            gateway_refund_id: text_field(data, "payOrderId").map(str::to_string),
            gateway_status: Some(raw),
        }),
        Some(OrderStatus::Failed) => Err(Error::GatewayRejected {
            gateway: GATEWAY,
            code: raw.clone(),
            message: format!(
                "{endpoint}: refund {refund_no} failed (status {raw}: {})",
                status_label(&raw)
            ),
        }),
        _ => Err(Error::GatewayPending {
            gateway: GATEWAY,
            message: format!(
                "{endpoint}: refund {refund_no} is not settled yet ({}); it stays pending and is settled by a query",
                status_label(&raw)
            ),
            status: raw,
        }),
    }
}

/// Reads a V3 answer: `retCode`, then `retData` and its signature. A SUCCESS answer must be
/// signed: the sign is looked for in `retData` (where the sandbox and reference §1.8 place
/// it: it signs the order fields there), then at the top level, and is verified over the
/// `retData` fields. No sign, or one that does not verify, is `GatewayProtocol` (outcome
/// unknown), never a result.
pub fn parse_answer(endpoint: &str, text: &str, key: &str) -> Result<Map<String, Value>> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| protocol(&format!("{endpoint}: not JSON ({e})")))?;
    let ret_code = value
        .get("retCode")
        .and_then(Value::as_str)
        .ok_or_else(|| protocol(&format!("{endpoint}: no retCode")))?;
    if ret_code != "SUCCESS" {
        return Err(Error::GatewayRejected {
            gateway: GATEWAY,
            code: ret_code.to_string(),
            message: value
                .get("retMsg")
                .and_then(Value::as_str)
                .unwrap_or("refused")
                .to_string(),
        });
    }
    let mut data = match value.get("retData") {
        Some(Value::Object(data)) => data.clone(),
        Some(Value::String(text)) => match serde_json::from_str(text) {
            Ok(Value::Object(data)) => data,
            _ => return Err(protocol(&format!("{endpoint}: retData is not an object"))),
        },
        _ => return Err(protocol(&format!("{endpoint}: no retData"))),
    };
    if !data.contains_key("sign") {
        match value.get("sign") {
            Some(sign @ Value::String(_)) => {
                data.insert("sign".into(), sign.clone());
            }
            _ => {
                tracing::warn!(gateway = GATEWAY, endpoint, "unsigned answer, not trusted");
                return Err(protocol(&format!(
                    "{endpoint}: the answer is not signed: not trusted"
                )));
            }
        }
    }
    if !iotpay_verify(&data, key) {
        return Err(protocol(&format!(
            "{endpoint}: the answer's signature does not verify"
        )));
    }
    Ok(data)
}
