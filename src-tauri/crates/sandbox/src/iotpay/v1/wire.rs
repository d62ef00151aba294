//! IOTPay v1's wire format as the sandbox reads and answers it: `params=<JSON>` form posts
//! signed with the merchant's key, the `{retCode, resCode, errCode}` envelope and its error
//! codes (§6), create_order's field rules and the fields of a query answer.

use axum::body::Bytes;
use axum::Json;
use serde_json::{json, Map, Value};

use crate::faults::{FaultKind, HandlerFault};
use crate::iotpay::store::SandboxOrder;
use crate::SandboxState;
use paydesk_secrets::signing::{iotpay_sign, iotpay_verify};
use paydesk_secrets::vault::Sensitive;

/// The v1 codes that say nothing certain about the payment (§6: system error, third-party
/// timeout, third-party exception, database error): the gateway may have done the work.
pub(super) const UNCERTAIN_CODES: &[&str] = &["0010", "0110", "0111", "0118"];

/// A v1 business failure: the transport worked (retCode SUCCESS), the request did not.
pub(super) fn fail(code: &str, description: impl Into<String>) -> Json<Value> {
    Json(json!({
        "retCode": "SUCCESS",
        "retMsg": "",
        "resCode": "FAIL",
        "errCode": code,
        "errCodeDes": description.into(),
    }))
}

pub(super) fn success(mut fields: Map<String, Value>, key: &str) -> Json<Value> {
    fields.insert("retCode".into(), json!("SUCCESS"));
    fields.insert("retMsg".into(), json!(""));
    fields.insert("resCode".into(), json!("SUCCESS"));
    let sign = iotpay_sign(&fields, key);
    fields.insert("sign".into(), json!(sign));
    Json(Value::Object(fields))
}

/// The documented error code a `code` fault names (`value` 110 -> "0110"; default 0110).
pub(super) fn fault_code(fault: &HandlerFault, kind: FaultKind) -> Option<String> {
    let fault = fault.as_ref().filter(|f| f.kind == kind)?;
    Some(format!("{:04}", fault.value.unwrap_or(110).clamp(0, 9999)))
}

pub(super) fn code_description(code: &str) -> &'static str {
    match code {
        "0010" => "system error",
        "0011" => "POST required",
        "0012" => "empty post",
        "0013" => "signature error",
        "0014" => "parameter error",
        "0015" => "merchant does not exist",
        "0110" => "third-party timeout",
        "0111" => "third-party exception",
        "0112" => "merchant order id does not exist",
        "0113" => "order already paid",
        "0118" => "database error",
        _ => "error",
    }
}

/// Unwraps `params=<JSON>`, finds the merchant and checks the signature. The error is the
/// answer IOTPay gives.
pub(super) fn authenticated_params(
    state: &SandboxState,
    body: &Bytes,
) -> Result<(Map<String, Value>, Sensitive<String>), Json<Value>> {
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|_| fail("0014", "parameter error: body is not form-encoded"))?;
    let Some((_, params)) = form.into_iter().find(|(k, _)| k == "params") else {
        return Err(fail("0012", "empty post: no params field"));
    };
    let fields: Map<String, Value> = match serde_json::from_str(&params) {
        Ok(Value::Object(map)) => map,
        _ => return Err(fail("0014", "parameter error: params is not a JSON object")),
    };
    let mch_id = fields
        .get("mchId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Some(key) = state.store.iotpay_key(mch_id) else {
        return Err(fail("0015", format!("merchant {mch_id:?} does not exist")));
    };
    if !iotpay_verify(&fields, key.expose()) {
        return Err(fail("0013", "signature error"));
    }
    Ok((fields, key))
}

/// Field rules of create_order (§1.4; guide pages "order" and "online_secure_pay"): (name,
/// required, maximum length).
const CREATE_FIELDS: &[(&str, bool, usize)] = &[
    ("mchId", true, 30),
    ("mchOrderNo", true, 30),
    ("channelId", true, 24),
    ("currency", true, 3),
    ("clientIp", true, 32),
    ("device", false, 64),
    ("osType", false, 10),
    ("notifyUrl", true, 200),
    ("returnUrl", false, 200),
    ("subject", true, 64),
    ("body", true, 255),
    ("param1", false, 64),
    ("param2", false, 64),
    ("extra", false, 512),
    ("jobNo", true, 50),
    ("remarks", false, 200),
];

const CHANNELS: &[&str] = &[
    "WX_NATIVE",
    "ALIPAY_QR",
    "UPI_QR",
    "WX_MICROPAY",
    "ALIPAY_MICROPAY",
    "UPI_MICROPAY",
    "ALIPAY_PC",
    "ALIPAY_WAP",
    "UPI_SEQ",
    "WX_APP",
    "ALIPAY_MOBILE",
    "UPI_APP",
    // POS Semi-Integration (guide page "pos_semi_integration"): a PAX card terminal.
    TERMINAL_CHANNEL,
];

/// The card terminal's channel: "you can still use our unified create order API with the
/// channel: CC_PAX" (guide page "pos_semi_integration").
pub(crate) const TERMINAL_CHANNEL: &str = "CC_PAX";
/// What a CC_PAX order's `notifyUrl` must be: "use 'http://localhost' when channel='CC_PAX'".
const TERMINAL_NOTIFY_URL: &str = "http://localhost";

/// A whole number as IOTPay's samples send one: a JSON integer, or its digits as text (guide
/// page "pos_semi_integration"'s sample sends `"amount":"1"` and `"tip":"0"`).
fn whole_number(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()
        }
        _ => None,
    }
}

pub(super) fn text_field<'a>(fields: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    fields
        .get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

pub(super) fn check_create(fields: &Map<String, Value>) -> Result<i64, String> {
    for (name, required, max) in CREATE_FIELDS {
        match fields.get(*name) {
            None | Some(Value::Null) if *required => return Err(format!("{name} is required")),
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s.is_empty() && *required => {
                return Err(format!("{name} is required"))
            }
            Some(Value::String(s)) if s.chars().count() > *max => {
                return Err(format!("{name} is longer than {max}"))
            }
            Some(Value::String(_)) => {}
            Some(_) => return Err(format!("{name} must be a string")),
        }
    }
    let amount =
        whole_number(fields.get("amount")).ok_or("amount must be an integer number of cents")?;
    if amount <= 0 {
        return Err("amount must be positive".into());
    }
    let channel = text_field(fields, "channelId").unwrap_or_default();
    if !CHANNELS.contains(&channel) {
        return Err(format!("channelId {channel} is not offered here"));
    }
    let currency = text_field(fields, "currency").unwrap_or_default();
    if !["CAD", "USD", "CNY"].contains(&currency) {
        return Err(format!("currency {currency} is not supported"));
    }
    // Guide page "online_secure_pay": returnUrl, "ALIPAY_PC,ALIPAY_WAP need this".
    if matches!(channel, "ALIPAY_PC" | "ALIPAY_WAP") && text_field(fields, "returnUrl").is_none() {
        return Err(format!("returnUrl is required for {channel}"));
    }
    // Guide page "order": osType, "ALIPAY_MOBILE and ALIPAY_WAP are required! Possible
    // values: IOS, ANDROID".
    if matches!(channel, "ALIPAY_MOBILE" | "ALIPAY_WAP") {
        match text_field(fields, "osType") {
            Some("IOS" | "ANDROID") => {}
            Some(other) => return Err(format!("osType {other} is not IOS or ANDROID")),
            None => return Err(format!("osType is required for {channel}")),
        }
    }
    if channel == "WX_NATIVE" {
        let extra: Option<Value> =
            text_field(fields, "extra").and_then(|e| serde_json::from_str(e).ok());
        let has_product = extra
            .as_ref()
            .and_then(|e| e.get("productId"))
            .and_then(Value::as_str)
            .is_some_and(|p| !p.is_empty());
        if !has_product {
            return Err("extra must carry productId for WX_NATIVE".into());
        }
    }
    if channel == "WX_APP" {
        let extra: Option<Value> =
            text_field(fields, "extra").and_then(|e| serde_json::from_str(e).ok());
        if extra
            .as_ref()
            .and_then(|e| e.get("appId"))
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return Err("extra must carry type apppay and appId for WX_APP".into());
        }
    }
    if channel == TERMINAL_CHANNEL {
        // Guide page "pos_semi_integration": notifyUrl "use 'http://localhost' when
        // channel='CC_PAX'"; extra "any string you want, not used now, but must have a value".
        if text_field(fields, "notifyUrl") != Some(TERMINAL_NOTIFY_URL) {
            return Err(format!(
                "notifyUrl must be {TERMINAL_NOTIFY_URL} for {TERMINAL_CHANNEL}"
            ));
        }
        if text_field(fields, "extra").is_none() {
            return Err(format!(
                "extra is required for {TERMINAL_CHANNEL} (any string, but a value)"
            ));
        }
        // The sample's `tip` ("0"), which the page's table leaves out: a whole number if sent.
        if fields.get("tip").is_some_and(|t| !t.is_null())
            && whole_number(fields.get("tip")).is_none()
        {
            return Err("tip must be a whole number".into());
        }
    }
    if channel.ends_with("_MICROPAY") {
        if text_field(fields, "codeType") != Some("barcode") {
            return Err("codeType must be barcode".into());
        }
        match text_field(fields, "identityCode") {
            Some(code) if code.len() <= 64 && code.chars().all(|c| c.is_ascii_digit()) => {}
            _ => {
                return Err(
                    "identityCode must be the scanned payment code (digits, at most 64)".into(),
                )
            }
        }
    }
    Ok(amount)
}

/// `payOrder` of a CC_PAX create answer: "all information about this order" (guide page
/// "pos_semi_integration"), here the query's fields with the order's terminal and texts.
pub(super) fn pay_order(order: &SandboxOrder) -> Value {
    let mut fields = order_answer(order);
    fields.insert("clientIp".into(), json!(order.client_ip));
    fields.insert("subject".into(), json!(order.subject));
    fields.insert("body".into(), json!(order.body));
    fields.insert("notifyUrl".into(), json!(order.notify_url));
    fields.insert("createTime".into(), json!(order.created_at));
    Value::Object(fields)
}

/// The fields of a query answer about `order` (guide page "order_query").
pub(super) fn order_answer(order: &SandboxOrder) -> Map<String, Value> {
    let mut answer = Map::new();
    answer.insert("payOrderId".into(), json!(order.pay_order_id));
    answer.insert("mchId".into(), json!(order.mch_id));
    answer.insert("mchOrderNo".into(), json!(order.mch_order_no));
    answer.insert("channelId".into(), json!(order.channel_id));
    answer.insert("amount".into(), json!(order.amount));
    answer.insert("currency".into(), json!(order.currency));
    answer.insert("status".into(), json!(order.status));
    answer.insert(
        "paySuccTime".into(),
        order.pay_succ_time.map(Value::from).unwrap_or(Value::Null),
    );
    answer.insert(
        "channelOrderNo".into(),
        order
            .channel_order_no
            .clone()
            .map(Value::from)
            .unwrap_or(Value::Null),
    );
    // "device" is in the query's answer (String(64)): a terminal's sale names its terminal.
    if order.channel_id == TERMINAL_CHANNEL {
        if let Some(device) = &order.device {
            answer.insert("device".into(), json!(device));
        }
    }
    answer
}
