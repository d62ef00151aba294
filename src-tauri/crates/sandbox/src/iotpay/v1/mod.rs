//! The sandbox's IOTPay v1: `create_order`, `query_order`, `refund_order` and
//! `query_refund` as reference/gateways.md §1.3-1.7, §1.9 and §6 and the vendor's guide
//! pages describe them: `params=<JSON>` form posts, MD5 signatures checked with the
//! merchant's key, the v1 error codes, and signed answers. Written from those documents, not
//! from the adapter (gateways/iotpay.rs).
//!
//! A card terminal's sale (`CC_PAX`, guide page "pos_semi_integration") is created waiting
//! on the terminal, answered with `payOrder`, and settled only by the terminal
//! (`iotpay/terminal.rs`: its page, or `paydesk sandbox terminal`); nothing is notified (its
//! notifyUrl is http://localhost): it is followed by query.
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

mod refunds;
mod wire;

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Map, Value};

pub(crate) use self::wire::TERMINAL_CHANNEL;
use self::wire::{
    authenticated_params, check_create, code_description, fail, fault_code, order_answer,
    pay_order, success, text_field, UNCERTAIN_CODES,
};
use super::store::{new_id, SandboxOrder, STATUS_CREATED, STATUS_PAID, STATUS_PAYING};
use crate::faults::{FaultKind, HandlerFault};
use crate::SandboxState;

pub(super) fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/iotpay/v1/create_order", post(create_order))
        .route("/iotpay/v1/query_order", post(query_order))
        .route("/iotpay/v1/refund_order", post(refunds::refund_order))
        .route("/iotpay/v1/query_refund", post(refunds::query_refund))
}

/// v1 status 4: "cancelled by system" (guide page "order_query"). The sandbox answers a
/// scanned code the wallet declines (one ending in 9) this way: the order is created and
/// closed at once; Paydesk reads a 4 on a `*_MICROPAY` channel as the wallet's decline.
const STATUS_CLOSED: i64 = 4;

/// A v1 order's `payOrderId`.
fn new_pay_order_id() -> String {
    new_id("P")
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
            let mut order = SandboxOrder {
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
            if let Err(e) = state.store.insert_iotpay(&mut order, new_pay_order_id) {
                return fail("0118", format!("database error: {e}"));
            }
            // A terminal sale's `tip`, kept as it was sent (the terminal shows it apart).
            if order.channel_id == TERMINAL_CHANNEL {
                let tip = match fields.get("tip") {
                    Some(Value::String(tip)) => Some(tip.clone()),
                    Some(Value::Number(tip)) => Some(tip.to_string()),
                    _ => None,
                };
                if let Some(tip) = tip {
                    if let Err(e) =
                        super::terminal::keep_tip(&state.store, &order.pay_order_id, &tip)
                    {
                        return fail("0118", format!("database error: {e}"));
                    }
                }
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
        // Guide page "pos_semi_integration", "Return Result": retCode, resCode, retMsg, sign
        // and `payOrder` ("Json", "all information about this order"), nothing else. The sale
        // now waits on the terminal (`iotpay/terminal.rs`).
        TERMINAL_CHANNEL => {
            answer.clear();
            answer.insert("payOrder".into(), pay_order(&order));
        }
        _ => {}
    }
    success(answer, key.expose())
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
    let mut order = SandboxOrder {
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
    state.store.insert_iotpay(&mut order, new_pay_order_id)?;
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
