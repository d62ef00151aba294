//! The sandbox's IOTPay v1: `create_order`, `query_order` and `refund_order` as
//! reference/gateways.md §1.3-1.7 and §1.9 describe them: `params=<JSON>` form posts, MD5
//! signatures checked with the merchant's key, the v1 error codes, and signed answers.
//!
//! Scanned payment codes (`*_MICROPAY`) behave by their last digit: 0-6 pay at once, 7 and 8
//! wait for the customer to confirm on their phone (pay them on the payment page), 9 is
//! declined by the wallet.

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use super::store::{SandboxOrder, STATUS_CREATED, STATUS_PAID};
use super::SandboxState;
use crate::signing::{iotpay_sign, iotpay_verify};
use crate::vault::Sensitive;

pub(super) fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/iotpay/v1/create_order", post(create_order))
        .route("/iotpay/v1/query_order", post(query_order))
        .route("/iotpay/v1/refund_order", post(refund_order))
}

/// A v1 business failure: the transport worked (retCode SUCCESS), the request did not.
fn fail(code: &str, description: impl Into<String>) -> Json<Value> {
    Json(json!({
        "retCode": "SUCCESS",
        "retMsg": "",
        "resCode": "FAIL",
        "errCode": code,
        "errCodeDes": description.into(),
    }))
}

fn success(mut fields: Map<String, Value>, key: &str) -> Json<Value> {
    fields.insert("retCode".into(), json!("SUCCESS"));
    fields.insert("retMsg".into(), json!(""));
    fields.insert("resCode".into(), json!("SUCCESS"));
    let sign = iotpay_sign(&fields, key);
    fields.insert("sign".into(), json!(sign));
    Json(Value::Object(fields))
}

/// Unwraps `params=<JSON>`, finds the merchant and checks the signature. The error is the
/// answer IOTPay gives.
fn authenticated_params(
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

/// Field rules of create_order (§1.4): (name, required, maximum length).
const CREATE_FIELDS: &[(&str, bool, usize)] = &[
    ("mchId", true, 30),
    ("mchOrderNo", true, 30),
    ("channelId", true, 24),
    ("currency", true, 3),
    ("clientIp", true, 32),
    ("device", false, 64),
    ("notifyUrl", true, 200),
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
];

fn text_field<'a>(fields: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    fields
        .get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn check_create(fields: &Map<String, Value>) -> Result<i64, String> {
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
    let amount = fields
        .get("amount")
        .and_then(Value::as_i64)
        .ok_or("amount must be an integer number of cents")?;
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

fn new_pay_order_id() -> String {
    use rand::Rng;
    let now = chrono::Utc::now();
    format!(
        "P{}{:06}",
        now.format("%Y%m%d%H%M%S"),
        rand::rng().random_range(0..1_000_000)
    )
}

async fn create_order(State(state): State<SandboxState>, body: Bytes) -> Json<Value> {
    let (fields, key) = match authenticated_params(&state, &body) {
        Ok(ok) => ok,
        Err(answer) => return answer,
    };
    let amount = match check_create(&fields) {
        Ok(amount) => amount,
        Err(problem) => return fail("0014", format!("parameter error: {problem}")),
    };
    let text = |name: &str| text_field(&fields, name).unwrap_or_default().to_string();
    let optional = |name: &str| text_field(&fields, name).map(str::to_string);
    let (mch_id, mch_order_no, channel_id, currency) = (
        text("mchId"),
        text("mchOrderNo"),
        text("channelId"),
        text("currency"),
    );

    let existing = match state.store.iotpay_by_mch_order(&mch_id, &mch_order_no) {
        Ok(found) => found,
        Err(e) => return fail("0118", format!("database error: {e}")),
    };
    let order = match existing {
        Some(o) if o.status == STATUS_PAID || o.status == 3 => {
            return fail("0113", "order already paid")
        }
        // A retry of the same order gets the same answer: this is what makes it safe.
        Some(o) if o.amount == amount && o.currency == currency && o.channel_id == channel_id => o,
        Some(_) => {
            return fail(
                "0014",
                "parameter error: mchOrderNo was already used for a different order",
            )
        }
        None => {
            let mut status = STATUS_CREATED;
            let mut paid_at = None;
            if channel_id.ends_with("_MICROPAY") {
                match text("identityCode").chars().last() {
                    Some('9') => {
                        return fail(
                            "0111",
                            "third-party exception: the wallet declined the payment code",
                        )
                    }
                    Some('7' | '8') => status = super::store::STATUS_PAYING,
                    _ => {
                        status = STATUS_PAID;
                        paid_at = Some(crate::ledger::now_ms());
                    }
                }
            }
            let order = SandboxOrder {
                pay_order_id: new_pay_order_id(),
                mch_id,
                mch_order_no,
                channel_id,
                amount,
                currency,
                status,
                client_ip: text("clientIp"),
                device: optional("device"),
                subject: text("subject"),
                body: text("body"),
                param1: optional("param1"),
                param2: optional("param2"),
                notify_url: text("notifyUrl"),
                channel_order_no: paid_at.map(|t| format!("SBX{t}")),
                pay_succ_time: paid_at,
                created_at: crate::ledger::now_ms(),
                api: "v1".into(),
                refunded: 0,
                secure_id: None,
                card_num: None,
                card_id: None,
            };
            if let Err(e) = state.store.insert_iotpay(&order) {
                return fail("0118", format!("database error: {e}"));
            }
            order
        }
    };
    let link = format!("{}/pay/iotpay/{}", state.public_base, order.pay_order_id);
    let mut answer = Map::new();
    answer.insert("payOrderId".into(), json!(order.pay_order_id));
    answer.insert("mchOrderNo".into(), json!(order.mch_order_no));
    // Each channel's payload, in the field public IOTPay clients read it from.
    match order.channel_id.as_str() {
        "WX_NATIVE" => {
            answer.insert("codeUrl".into(), json!(link));
        }
        "ALIPAY_QR" | "UPI_QR" => {
            answer.insert("qr_code".into(), json!(link));
        }
        "ALIPAY_PC" | "ALIPAY_WAP" => {
            answer.insert("retParams".into(), json!({ "alipayUrl": link }));
        }
        "UPI_SEQ" => {
            answer.insert(
                "retParams".into(),
                json!({ "unionpayUrl": link }).to_string().into(),
            );
        }
        "WX_APP" => {
            let prepay = format!("wx{}", order.pay_order_id);
            answer.insert(
                "payParams".into(),
                json!({ "appid": "wx-sandbox-app", "partnerid": order.mch_id, "prepayid": prepay, "package": "Sign=WXPay",
                        "noncestr": order.pay_order_id, "timestamp": (order.created_at / 1000).to_string() }),
            );
        }
        "ALIPAY_MOBILE" => {
            answer.insert(
                "payParams".into(),
                json!(format!(
                    "sandbox_alipay_order_info&out_trade_no={}",
                    order.pay_order_id
                )),
            );
        }
        "UPI_APP" => {
            answer.insert("payParams".into(), json!({ "tn": order.pay_order_id }));
        }
        _ => {}
    }
    success(answer, key.expose())
}

async fn refund_order(State(state): State<SandboxState>, body: Bytes) -> Json<Value> {
    let (fields, key) = match authenticated_params(&state, &body) {
        Ok(ok) => ok,
        Err(answer) => return answer,
    };
    for (name, max) in [
        ("mchRefundNo", 30),
        ("payOrderId", 30),
        ("clientIp", 32),
        ("loginName", 32),
    ] {
        match text_field(&fields, name) {
            Some(v) if v.chars().count() <= max => {}
            Some(_) => {
                return fail(
                    "0014",
                    format!("parameter error: {name} is longer than {max}"),
                )
            }
            None => return fail("0014", format!("parameter error: {name} is required")),
        }
    }
    let Some(amount) = fields.get("refundAmount").and_then(Value::as_i64) else {
        return fail(
            "0014",
            "parameter error: refundAmount must be an integer number of cents",
        );
    };
    let mch_id = text_field(&fields, "mchId").unwrap_or_default();
    let pay_order_id = text_field(&fields, "payOrderId").unwrap_or_default();
    match state.store.find(pay_order_id) {
        Ok(Some(o)) if o.mch_id == mch_id && o.pay_order_id == pay_order_id => {}
        Ok(_) => return fail("0112", "merchant order id does not exist"),
        Err(e) => return fail("0118", format!("database error: {e}")),
    }
    let refund_no = text_field(&fields, "mchRefundNo").unwrap_or_default();
    match state
        .store
        .refund(pay_order_id, refund_no, amount, "refund")
    {
        Ok(Ok(order)) => {
            let mut answer = Map::new();
            answer.insert("mchId".into(), json!(order.mch_id));
            answer.insert("payOrderId".into(), json!(order.pay_order_id));
            answer.insert("mchRefundNo".into(), json!(refund_no));
            answer.insert("refundOrderId".into(), json!(format!("R{}", refund_no)));
            answer.insert("refundAmount".into(), json!(amount));
            success(answer, key.expose())
        }
        Ok(Err(problem)) => fail("0014", format!("parameter error: {problem}")),
        Err(e) => fail("0118", format!("database error: {e}")),
    }
}

async fn query_order(State(state): State<SandboxState>, body: Bytes) -> Json<Value> {
    let (fields, key) = match authenticated_params(&state, &body) {
        Ok(ok) => ok,
        Err(answer) => return answer,
    };
    let mch_id = text_field(&fields, "mchId").unwrap_or_default();
    let found = match (
        text_field(&fields, "payOrderId"),
        text_field(&fields, "mchOrderNo"),
    ) {
        (Some(pay_order_id), _) => state
            .store
            .find(pay_order_id)
            .map(|o| o.filter(|o| o.pay_order_id == pay_order_id)),
        (None, Some(mch_order_no)) => state.store.iotpay_by_mch_order(mch_id, mch_order_no),
        (None, None) => {
            return fail(
                "0014",
                "parameter error: payOrderId or mchOrderNo is required",
            )
        }
    };
    let order = match found {
        Ok(Some(o)) if o.mch_id == mch_id => o,
        Ok(_) => return fail("0112", "merchant order id does not exist"),
        Err(e) => return fail("0118", format!("database error: {e}")),
    };
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
            .map(Value::from)
            .unwrap_or(Value::Null),
    );
    success(answer, key.expose())
}
