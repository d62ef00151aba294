//! Reading v1 answers: the envelope and its signature (a failed answer read through
//! `mapping::failure`), whether an answer or a notification is about the order asked (its
//! identity), and the link or app parameters a create answer carries; the create body's
//! field limits.

use serde_json::{Map, Value};

use super::mapping::{code_word, failure};
use super::GATEWAY;
use crate::check_length;
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::Money;
use paydesk_secrets::signing::iotpay_verify;

/// What a v1 answer says, before it is read as an outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// Both codes SUCCESS and a `sign` that verifies over every field that arrived.
    Answer(Map<String, Value>),
    /// `retCode` FAIL: the request was not taken in ("communication status", guide pages
    /// "order_query" and "refund"); `retMsg` says why (e.g. "signature error").
    NotTaken {
        code: Option<String>,
        message: String,
    },
    /// `retCode` SUCCESS, `resCode` FAIL: `errCode` and `errCodeDes`.
    Failed { code: String, message: String },
}

pub(super) fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Reads a v1 answer's envelope and signature. `Err` is `GatewayProtocol`: not JSON, no
/// envelope, or a success that is unsigned or whose sign does not verify (not an answer).
pub fn read_reply(endpoint: &str, text: &str, key: &str) -> Result<Reply> {
    let protocol = |message: String| Error::GatewayProtocol {
        gateway: GATEWAY,
        message: format!("{endpoint}: {message}"),
    };
    let value: Value =
        serde_json::from_str(text).map_err(|e| protocol(format!("not JSON ({e})")))?;
    let Value::Object(fields) = value else {
        return Err(protocol("not a JSON object".into()));
    };
    let Some(ret_code) = text_of(fields.get("retCode")) else {
        return Err(protocol("no envelope (retCode is missing)".into()));
    };
    let err_code = text_of(fields.get("errCode")).filter(|c| !c.trim().is_empty());
    let described = |fallback: &str| {
        text_of(fields.get("errCodeDes"))
            .filter(|d| !d.is_empty())
            .or_else(|| text_of(fields.get("retMsg")).filter(|d| !d.is_empty()))
            .unwrap_or_else(|| fallback.to_string())
    };
    if ret_code != "SUCCESS" {
        return Ok(Reply::NotTaken {
            code: err_code,
            message: described("communication failed"),
        });
    }
    if text_of(fields.get("resCode")).as_deref() != Some("SUCCESS") {
        return Ok(Reply::Failed {
            code: err_code.unwrap_or_default(),
            message: described("business failure"),
        });
    }
    // §6: an answer with both codes SUCCESS carries `sign`; one without it is not an answer.
    if !fields.contains_key("sign") {
        return Err(protocol(
            "the answer says SUCCESS but is unsigned: not an answer, the outcome is unknown".into(),
        ));
    }
    if !iotpay_verify(&fields, key) {
        return Err(protocol(
            "the answer's signature does not verify: the outcome is unknown".into(),
        ));
    }
    Ok(Reply::Answer(fields))
}

/// Reads a v1 answer as an outcome: its fields when both codes say SUCCESS and the sign
/// verifies; a documented refusal as `GatewayRejected`; everything else unknown.
pub fn parse_answer(endpoint: &str, text: &str, key: &str) -> Result<Map<String, Value>> {
    match read_reply(endpoint, text, key)? {
        Reply::Answer(fields) => Ok(fields),
        Reply::Failed { code, message } => Err(failure(endpoint, &code, &message)),
        Reply::NotTaken {
            code: Some(code),
            message,
        } if code_word(&code).is_some() => Err(failure(endpoint, &code, &message)),
        // retCode FAIL with no documented code: the gateway's words, outcome unknown.
        Reply::NotTaken { message, .. } => Err(Error::GatewayProtocol {
            gateway: GATEWAY,
            message: format!("{endpoint}: retCode FAIL ({message}): the outcome is unknown"),
        }),
    }
}

fn cents_of(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Why `fields` (a query answer or a notification) are not about `merchant_order_no` for
/// `expected`: `number_field` must equal the order number; `amount_field` and `currency`,
/// where present, the amount and currency. `None` when they match.
pub(super) fn identity_mismatch(
    fields: &Map<String, Value>,
    number_field: &str,
    merchant_order_no: &str,
    amount_field: &str,
    expected: Money,
) -> Option<String> {
    match text_of(fields.get(number_field)) {
        Some(no) if no == merchant_order_no => {}
        Some(no) => {
            return Some(format!(
                "{number_field} {no:?}, asked {merchant_order_no:?}"
            ))
        }
        None => return Some(format!("no {number_field} (asked {merchant_order_no:?})")),
    }
    if let Some(value) = fields.get(amount_field).filter(|v| !v.is_null()) {
        match cents_of(value) {
            Some(cents) if cents == expected.minor() => {}
            _ => {
                return Some(format!(
                    "{amount_field} {value} for {merchant_order_no}, whose amount is {} cents",
                    expected.minor()
                ))
            }
        }
    }
    if let Some(currency) = text_of(fields.get("currency")).filter(|c| !c.is_empty()) {
        if !currency.eq_ignore_ascii_case(expected.currency().code()) {
            return Some(format!(
                "currency {currency} for {merchant_order_no}, whose currency is {}",
                expected.currency().code()
            ));
        }
    }
    None
}

pub(super) fn suspicious(endpoint: &str, merchant_order_no: &str, why: String) -> Error {
    tracing::warn!(
        gateway = GATEWAY,
        endpoint,
        order = merchant_order_no,
        "suspicious answer, not applied: {why}"
    );
    Error::GatewayProtocol {
        gateway: GATEWAY,
        message: format!(
            "{endpoint}: suspicious answer, not about the order asked ({why}): the outcome is unknown"
        ),
    }
}

/// Whether a verified notification (§1.6: form fields, values as strings) is about this
/// order: its `mchOrderNo` equals the order's, its `amount` (required) equals the order's
/// cents and its `currency`, when present, the order's. The receiver calls it after
/// `verify` and before anything else: a genuine notification of another order (a replay)
/// must not even trigger the re-query as if it were this order's.
pub fn notification_matches(
    fields: &Map<String, Value>,
    merchant_order_no: &str,
    amount: Money,
) -> bool {
    if fields.get("amount").is_none_or(Value::is_null) {
        return false;
    }
    match identity_mismatch(fields, "mchOrderNo", merchant_order_no, "amount", amount) {
        None => true,
        Some(why) => {
            tracing::warn!(
                gateway = GATEWAY,
                order = merchant_order_no,
                "suspicious notification, not about this order: {why}"
            );
            false
        }
    }
}

/// The string to show as a QR or link. The field names come from public client code, not a
/// vendor table, so every known form is accepted: `codeUrl` (WX_NATIVE), `qr_code`
/// (ALIPAY_QR, UPI_QR), and `retParams.*Url` (web channels), where retParams may be an
/// object or JSON text.
pub fn payment_link(payload: &Map<String, Value>) -> Option<String> {
    let direct = ["codeUrl", "qr_code", "qrCode", "codeImgUrl"]
        .iter()
        .find_map(|k| {
            payload
                .get(*k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        });
    if let Some(link) = direct {
        return Some(link.to_string());
    }
    let ret_params = match payload.get("retParams")? {
        Value::String(text) => serde_json::from_str::<Value>(text).ok()?,
        other => other.clone(),
    };
    let ret_params = ret_params.as_object()?;
    ["alipayUrl", "unionpayUrl", "codeUrl", "qr_code", "payUrl"]
        .iter()
        .find_map(|k| {
            ret_params
                .get(*k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        })
        .map(str::to_string)
}

/// What a merchant's app hands the wallet SDK: `payParams`, an object (WX_APP, UPI_APP) or a
/// string (ALIPAY_MOBILE's order info); JSON text is unwrapped so the app gets an object.
pub fn app_params(payload: &Map<String, Value>) -> Option<Value> {
    match payload.get("payParams")? {
        Value::Null => None,
        Value::String(text) if text.is_empty() => None,
        Value::String(text) => Some(match serde_json::from_str::<Value>(text) {
            Ok(object @ Value::Object(_)) => object,
            _ => Value::String(text.clone()),
        }),
        other => Some(other.clone()),
    }
}

/// The order a CC_PAX create answer carries: guide page "pos_semi_integration" lists
/// `payOrder` ("Json", "all information about this order") beside the envelope's codes and
/// `sign`. Read as an object or as JSON text; `None` when it is absent or neither.
pub fn pay_order(payload: &Map<String, Value>) -> Option<Map<String, Value>> {
    match payload.get("payOrder")? {
        Value::Object(order) => Some(order.clone()),
        Value::String(text) => match serde_json::from_str::<Value>(text).ok()? {
            Value::Object(order) => Some(order),
            _ => None,
        },
        _ => None,
    }
}

/// The v1 create_order field limits (§1.4; guide pages "order" and "online_secure_pay"),
/// checked before anything is sent.
pub(super) fn check_v1_lengths(fields: &Value) -> Result<()> {
    const LIMITS: &[(&str, usize)] = &[
        ("mchId", 30),
        ("mchOrderNo", 30),
        ("channelId", 24),
        ("clientIp", 32),
        ("device", 64),
        ("notifyUrl", 200),
        ("returnUrl", 200),
        ("osType", 10),
        ("subject", 64),
        ("body", 255),
        ("extra", 512),
        ("jobNo", 50),
        ("identityCode", 64),
    ];
    for (name, max) in LIMITS {
        if let Some(value) = fields.get(*name).and_then(Value::as_str) {
            check_length(name, value, *max)?;
        }
    }
    Ok(())
}
