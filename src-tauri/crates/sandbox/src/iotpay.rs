//! The sandbox's IOTPay v1: `create_order`, `query_order`, `refund_order` and
//! `query_refund` as reference/gateways.md §1.3-1.7, §1.9 and §6 and the vendor's guide
//! pages describe them: `params=<JSON>` form posts, MD5 signatures checked with the
//! merchant's key, the v1 error codes, and signed answers. Written from those documents, not
//! from the adapter (gateways/iotpay.rs).
//!
//! Scanned payment codes (`*_MICROPAY`) behave by their last digit: 0-6 pay at once, 7 and 8
//! wait for the customer to confirm on their phone (pay them on the payment page or with
//! `paydesk sandbox pay`), 9 is refused by the wallet: the order is created and closed at
//! once (query status 4, "cancelled by system").
//!
//! Faults this handler gives (switched on through `/sandbox/faults`; the generic ones,
//! `unsigned`, `bad-signature`, `truncated`, `late-answer`..., work on every call):
//! - `code` on `create_order` and `refund_order`: `value` is the v1 error code as a number
//!   (110 = 0110, 10 = 0010, 111 = 0111, 118 = 0118, 13 = 0013...; default 110). The request
//!   is checked as usual; then for the codes that say nothing certain (0010, 0110, 0111,
//!   0118: guide reference §6) the work is done as the gateway would have done it (the order
//!   is created and stays payable, a scanned code waits for the customer's confirmation;
//!   the refund is made) and the answer is FAIL with that code. Any other code is answered
//!   with nothing done. The payment completes later on the payment page or with the pay
//!   control; a refund shows in Query Refund.
//! - `pending` on `refund_order`: the refund is taken in but the wallet has not confirmed it:
//!   the answer is FAIL 0110 (third-party timeout). The first Query Refund of it answers
//!   status 1 (processing) and settles it: `value` 1 (default) = it succeeds (status 2), 0 =
//!   it fails (status 9, the amount is refundable again).
//! - `wrong-order` on `query_order`: the answer is a genuine, correctly signed answer about
//!   ANOTHER order of the merchant: a paid order for a tenth of the amount (at least 1 cent)
//!   that the sandbox creates for the purpose (a replay).

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Map, Value};

use super::faults::{FaultKind, HandlerFault};
use super::store::{SandboxOrder, STATUS_CREATED, STATUS_PAID, STATUS_PAYING};
use super::SandboxState;
use paydesk_secrets::signing::{iotpay_sign, iotpay_verify};
use paydesk_secrets::vault::Sensitive;

pub(super) fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/iotpay/v1/create_order", post(create_order))
        .route("/iotpay/v1/query_order", post(query_order))
        .route("/iotpay/v1/refund_order", post(refund_order))
        .route("/iotpay/v1/query_refund", post(query_refund))
}

/// v1 status 4: "cancelled by system" (guide page "order_query"). The sandbox answers a
/// scanned code the wallet declines (one ending in 9) this way: the order is created and
/// closed at once; Paydesk reads a 4 on a `*_MICROPAY` channel as the wallet's decline.
const STATUS_CLOSED: i64 = 4;

/// The v1 codes that say nothing certain about the payment (§6: system error, third-party
/// timeout, third-party exception, database error): the gateway may have done the work.
const UNCERTAIN_CODES: &[&str] = &["0010", "0110", "0111", "0118"];

/// How the sandbox keeps a refund's state in `iotpay_refunds.kind`.
const REFUND_DONE: &str = "refund";
const REFUND_PENDING_SUCCEEDS: &str = "refund-pending-succeeds";
const REFUND_PENDING_FAILS: &str = "refund-pending-fails";
const REFUND_FAILED: &str = "refund-failed";

/// A refund's status in a Query Refund answer. The stored copy of guide page "query_refund"
/// could not be read past its menu; these are the refund statuses the vendor documents on
/// its refund page (guide page "creditCard/v3/refund": 0 pending, 1 unknown, 2 success, 9
/// fail).
const REFUND_STATUS_PROCESSING: i64 = 1;
const REFUND_STATUS_SUCCESS: i64 = 2;
const REFUND_STATUS_FAIL: i64 = 9;

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

/// The documented error code a `code` fault names (`value` 110 -> "0110"; default 0110).
fn fault_code(fault: &HandlerFault, kind: FaultKind) -> Option<String> {
    let fault = fault.as_ref().filter(|f| f.kind == kind)?;
    Some(format!("{:04}", fault.value.unwrap_or(110).clamp(0, 9999)))
}

fn code_description(code: &str) -> &'static str {
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

async fn create_order(
    State(state): State<SandboxState>,
    fault: HandlerFault,
    body: Bytes,
) -> Json<Value> {
    let (fields, key) = match authenticated_params(&state, &body) {
        Ok(ok) => ok,
        Err(answer) => return answer,
    };
    let amount = match check_create(&fields) {
        Ok(amount) => amount,
        Err(problem) => return fail("0014", format!("parameter error: {problem}")),
    };
    // A documented code instead of the answer: uncertain codes still create the order.
    let code = fault_code(&fault, FaultKind::Code);
    if let Some(code) = code.as_deref().filter(|c| !UNCERTAIN_CODES.contains(c)) {
        return fail(code, code_description(code));
    }
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
                    // Under an uncertain code the wallet has not answered: the customer can
                    // still confirm on their phone.
                    _ if code.is_some() => status = STATUS_PAYING,
                    Some('9') => status = STATUS_CLOSED,
                    Some('7' | '8') => status = STATUS_PAYING,
                    _ => {
                        status = STATUS_PAID;
                        paid_at = Some(paydesk_domain::clock::now_ms());
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
                created_at: paydesk_domain::clock::now_ms(),
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
    if let Some(code) = code {
        return fail(&code, code_description(&code));
    }
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

/// One refund as the sandbox keeps it.
struct RefundRow {
    mch_id: String,
    pay_order_id: String,
    amount: i64,
    kind: String,
    created_at: i64,
}

fn find_refund(state: &SandboxState, mch_refund_no: &str) -> rusqlite::Result<Option<RefundRow>> {
    state
        .store
        .conn()
        .query_row(
            "SELECT mch_id, pay_order_id, amount, kind, created_at FROM iotpay_refunds WHERE mch_refund_no = ?1",
            [mch_refund_no],
            |r| {
                Ok(RefundRow {
                    mch_id: r.get(0)?,
                    pay_order_id: r.get(1)?,
                    amount: r.get(2)?,
                    kind: r.get(3)?,
                    created_at: r.get(4)?,
                })
            },
        )
        .optional()
}

/// The wallet's word on a pending refund arrives: done, or failed (its amount refundable
/// again at the gateway). Returns the refund's new kind.
fn settle_refund(state: &SandboxState, mch_refund_no: &str) -> rusqlite::Result<()> {
    let mut conn = state.store.conn();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let row: Option<(String, String, i64)> = tx
        .query_row(
            "SELECT kind, pay_order_id, amount FROM iotpay_refunds WHERE mch_refund_no = ?1",
            [mch_refund_no],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    match row {
        Some((kind, _, _)) if kind == REFUND_PENDING_SUCCEEDS => {
            tx.execute(
                "UPDATE iotpay_refunds SET kind = ?2 WHERE mch_refund_no = ?1",
                params![mch_refund_no, REFUND_DONE],
            )?;
        }
        Some((kind, pay_order_id, amount)) if kind == REFUND_PENDING_FAILS => {
            tx.execute(
                "UPDATE iotpay_refunds SET kind = ?2 WHERE mch_refund_no = ?1",
                params![mch_refund_no, REFUND_FAILED],
            )?;
            tx.execute(
                "UPDATE iotpay_orders SET refunded = refunded - ?2 WHERE pay_order_id = ?1",
                params![pay_order_id, amount],
            )?;
        }
        _ => {}
    }
    tx.commit()
}

/// `refund_order` (guide page "refund"): mchId, mchRefundNo String(30), refundAmount (int
/// cents, at most what was paid), clientIp String(32), device (n), loginName String(32),
/// payOrderId String(64), sign.
async fn refund_order(
    State(state): State<SandboxState>,
    fault: HandlerFault,
    body: Bytes,
) -> Json<Value> {
    let (fields, key) = match authenticated_params(&state, &body) {
        Ok(ok) => ok,
        Err(answer) => return answer,
    };
    for (name, max) in [
        ("mchRefundNo", 30),
        ("payOrderId", 64),
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
    let code = fault_code(&fault, FaultKind::Code);
    if let Some(code) = code.as_deref().filter(|c| !UNCERTAIN_CODES.contains(c)) {
        return fail(code, code_description(code));
    }
    let pending = fault
        .as_ref()
        .filter(|f| f.kind == FaultKind::Pending)
        .map(|f| f.value.unwrap_or(1) != 0);
    let mch_id = text_field(&fields, "mchId").unwrap_or_default();
    let pay_order_id = text_field(&fields, "payOrderId").unwrap_or_default();
    match state.store.find(pay_order_id) {
        Ok(Some(o)) if o.mch_id == mch_id && o.pay_order_id == pay_order_id => {}
        Ok(_) => return fail("0112", "merchant order id does not exist"),
        Err(e) => return fail("0118", format!("database error: {e}")),
    }
    let refund_no = text_field(&fields, "mchRefundNo").unwrap_or_default();
    let kind = match pending {
        Some(true) => REFUND_PENDING_SUCCEEDS,
        Some(false) => REFUND_PENDING_FAILS,
        None => REFUND_DONE,
    };
    let order = match state.store.refund(pay_order_id, refund_no, amount, kind) {
        Ok(Ok(order)) => order,
        Ok(Err(problem)) => return fail("0014", format!("parameter error: {problem}")),
        Err(e) => return fail("0118", format!("database error: {e}")),
    };
    // A resend under the same number is answered as the refund now stands.
    let stands = match find_refund(&state, refund_no) {
        Ok(Some(row)) => row.kind,
        Ok(None) => return fail("0118", "database error: the refund vanished"),
        Err(e) => return fail("0118", format!("database error: {e}")),
    };
    if let Some(code) = code {
        return fail(&code, code_description(&code));
    }
    match stands.as_str() {
        REFUND_PENDING_SUCCEEDS | REFUND_PENDING_FAILS => fail(
            "0110",
            "third-party timeout: the wallet has not confirmed the refund yet",
        ),
        REFUND_FAILED => fail(
            "0014",
            "parameter error: this mchRefundNo was declined by the wallet; use a new one",
        ),
        _ => {
            let mut answer = Map::new();
            answer.insert("mchId".into(), json!(order.mch_id));
            answer.insert("payOrderId".into(), json!(order.pay_order_id));
            answer.insert("mchRefundNo".into(), json!(refund_no));
            answer.insert("refundOrderId".into(), json!(format!("R{refund_no}")));
            answer.insert("refundAmount".into(), json!(amount));
            success(answer, key.expose())
        }
    }
}

/// Query Refund (guide page "query_refund"; reference §6). The stored copy of the page could
/// not be read past its menu, so the request is the v1 query's shape with the refund's
/// number (mchId, mchRefundNo, sign) and the answer the v1 envelope with the refund: mchId,
/// mchRefundNo, refundOrderId, payOrderId, refundAmount, currency, status (see
/// `REFUND_STATUS_*`), refundSuccTime (ms, once done). An unknown refund number is 0112.
async fn query_refund(State(state): State<SandboxState>, body: Bytes) -> Json<Value> {
    let (fields, key) = match authenticated_params(&state, &body) {
        Ok(ok) => ok,
        Err(answer) => return answer,
    };
    let Some(refund_no) = text_field(&fields, "mchRefundNo") else {
        return fail("0014", "parameter error: mchRefundNo is required");
    };
    let mch_id = text_field(&fields, "mchId").unwrap_or_default();
    let row = match find_refund(&state, refund_no) {
        Ok(Some(row)) if row.mch_id == mch_id => row,
        Ok(_) => return fail("0112", "refund order does not exist"),
        Err(e) => return fail("0118", format!("database error: {e}")),
    };
    let status = match row.kind.as_str() {
        REFUND_PENDING_SUCCEEDS | REFUND_PENDING_FAILS => {
            // Asked while the wallet works on it: processing now, decided for the next ask.
            if let Err(e) = settle_refund(&state, refund_no) {
                return fail("0118", format!("database error: {e}"));
            }
            REFUND_STATUS_PROCESSING
        }
        REFUND_FAILED => REFUND_STATUS_FAIL,
        _ => REFUND_STATUS_SUCCESS,
    };
    let currency = match state.store.find(&row.pay_order_id) {
        Ok(Some(order)) => order.currency,
        Ok(None) => return fail("0118", "database error: the refunded order vanished"),
        Err(e) => return fail("0118", format!("database error: {e}")),
    };
    let mut answer = Map::new();
    answer.insert("mchId".into(), json!(row.mch_id));
    answer.insert("mchRefundNo".into(), json!(refund_no));
    answer.insert("refundOrderId".into(), json!(format!("R{refund_no}")));
    answer.insert("payOrderId".into(), json!(row.pay_order_id));
    answer.insert("refundAmount".into(), json!(row.amount));
    answer.insert("currency".into(), json!(currency));
    answer.insert("status".into(), json!(status));
    answer.insert(
        "refundSuccTime".into(),
        if status == REFUND_STATUS_SUCCESS {
            json!(row.created_at)
        } else {
            Value::Null
        },
    );
    success(answer, key.expose())
}

/// The fields of a query answer about `order` (guide page "order_query").
fn order_answer(order: &SandboxOrder) -> Map<String, Value> {
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
    answer
}

/// A genuine paid order of `mch_id` for less than `asked` (a tenth, at least 1 cent), to
/// replay its answer (the `wrong-order` fault).
fn replay_order(
    state: &SandboxState,
    mch_id: &str,
    asked: Option<&SandboxOrder>,
) -> paydesk_domain::error::Result<SandboxOrder> {
    let now = paydesk_domain::clock::now_ms();
    let pay_order_id = new_pay_order_id();
    let order = SandboxOrder {
        mch_order_no: format!("RPL{}", &pay_order_id[1..]),
        pay_order_id,
        mch_id: mch_id.to_string(),
        channel_id: asked.map_or("WX_NATIVE".into(), |o| o.channel_id.clone()),
        amount: asked.map_or(1, |o| (o.amount / 10).max(1)),
        currency: asked.map_or("CAD".into(), |o| o.currency.clone()),
        status: STATUS_PAID,
        client_ip: "127.0.0.1".into(),
        device: None,
        subject: "another order".into(),
        body: "another order, paid".into(),
        param1: None,
        param2: None,
        notify_url: "http://127.0.0.1:9/notify".into(),
        channel_order_no: Some(format!("SBX{now}")),
        pay_succ_time: Some(now),
        created_at: now,
        api: "v1".into(),
        refunded: 0,
        secure_id: None,
        card_num: None,
        card_id: None,
    };
    state.store.insert_iotpay(&order)?;
    Ok(order)
}

async fn query_order(
    State(state): State<SandboxState>,
    fault: HandlerFault,
    body: Bytes,
) -> Json<Value> {
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
    let found = match found {
        Ok(found) => found.filter(|o| o.mch_id == mch_id),
        Err(e) => return fail("0118", format!("database error: {e}")),
    };
    if fault
        .as_ref()
        .is_some_and(|f| f.kind == FaultKind::WrongOrder)
    {
        return match replay_order(&state, mch_id, found.as_ref()) {
            Ok(other) => success(order_answer(&other), key.expose()),
            Err(e) => fail("0118", format!("database error: {e}")),
        };
    }
    match found {
        Some(order) => success(order_answer(&order), key.expose()),
        None => fail("0112", "merchant order id does not exist"),
    }
}
