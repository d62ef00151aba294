//! The sandbox's IOTPay V3 cards (reference/gateways.md §1.8 and §6): JSON bodies signed like
//! v1, answers `{retCode, retMsg, retData}` with the `sign` in `retData`; the hosted card page
//! behind `redirectUrl` and the embedded form (`iotpaycc.js` stand-in) that `secureId` mounts.
//! Test cards: 4242 4242 4242 4242 approves, 4000 0000 0000 0002 declines,
//! 4000 0000 0000 0119 never answers (the order stays pending, as a UnionPay timeout does).
//!
//! Written from the vendor's guide pages (develop.iotpay.ca): "creditCard/v3/refund" and
//! "creditCard/v3/void" (a refund or void is an order of its own: `retData.payOrderId` its own
//! id, `mchOrderNo` the mchRefundNo, `originalOrderId` the payment; `status` 0 = pending,
//! 1 = unknown, 2 = success, 9 = fail), "creditCard/v3/query_transaction" (cc_query by
//! mchOrderNo or payOrderId; a pending refund is queried there by its mchRefundNo, reference
//! §6), and the vendor's PHP SDK (IOTPaySDK/IOTPay-PHP, creditcardv3.php,
//! `receiveNotification`: the merchant answers a V3 notification `SUCCESS`).
//!
//! Faults this file answers itself (`POST /sandbox/faults` with gateway `iotpay`):
//! - `pending` on `cc_refund` / `cc_void`: the answer is status 0 (pending) and the amount is
//!   held. `value` 0: it later fails (status 9, the amount is released); 1 or none: it later
//!   succeeds (status 2). It settles at the next look at it: a cc_query of the refund number
//!   (or its payOrderId), or a resend of the same mchRefundNo.
//! - `code` on `cc_refund` / `cc_void`: the answer is the status word `value`: 1 (unknown, the
//!   default) or 0 (pending), both settling later as success like `pending`; 9 fails at once.
//! - `refuse` on `cc_refund` / `cc_void`: status 9 (a definite failure; nothing refunded).
//! - `wrong-order` on `cc_query`: a genuine, correctly signed answer about another paid V3
//!   order of the merchant (the newest one; one is made up, signed, when there is none).
//! The generic kinds (`unsigned`, `late-answer`, `truncated`, `bad-signature`, `timeout`...)
//! are applied by the fault middleware to any call. Notifications: `duplicate-notify`,
//! `out-of-order-notify` and `drop-notify` (call `notify`) work on V3 notifications as on v1's.
//!
//! V3 notifications are a JSON POST of the order's fields with `sign` at the top level (as the
//! SDK's `receiveNotification` reads them), retried with growing pauses (as the "Asynchronous
//! Notify" guide page says IOTPay does: "will keep notify periodically for several times")
//! until the merchant answers `SUCCESS`.

mod notify;
mod page;
mod reversals;
mod wire;

pub(super) use page::page_routes;

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Map, Value};

use self::reversals::{reversal_by_reference, reversal_data, settle_reversal};
use self::wire::{answer, authenticated, new_id, order_data, refuse, text, PURCHASE_FIELDS};
use super::store::{SandboxOrder, STATUS_CREATED, STATUS_PAID};
use crate::faults::{Fault, FaultKind, HandlerFault};
use crate::{SandboxState, SandboxStore};

pub(super) fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/iotpay/v3/cc_purchase", post(cc_purchase))
        .route("/iotpay/v3/cc_addcard", post(cc_addcard))
        .route("/iotpay/v3/cc_querycard", post(cc_querycard))
        .route(
            "/iotpay/v3/cc_purchasewithtoken",
            post(cc_purchasewithtoken),
        )
        .route("/iotpay/v3/cc_query", post(cc_query))
        .route("/iotpay/v3/cc_void", post(reversals::cc_void))
        .route("/iotpay/v3/cc_refund", post(reversals::cc_refund))
}

fn new_card_order(
    state: &SandboxState,
    fields: &Map<String, Value>,
    amount: i64,
) -> Result<SandboxOrder, Json<Value>> {
    let mch_id = text(fields, "mchId");
    let mch_order_no = text(fields, "mchOrderNo");
    match state.store.iotpay_by_mch_order(&mch_id, &mch_order_no) {
        Ok(Some(existing)) if existing.status == STATUS_PAID => {
            return Err(refuse("order already paid"))
        }
        Ok(Some(existing)) if existing.amount == amount => return Ok(existing),
        Ok(Some(_)) => return Err(refuse("mchOrderNo was already used for a different order")),
        Ok(None) => {}
        Err(e) => return Err(refuse(format!("database error: {e}"))),
    }
    if text(fields, "currency") != "CAD" {
        return Err(refuse("currency: only CAD is supported"));
    }
    let mut order = SandboxOrder {
        pay_order_id: new_id("C"),
        mch_id,
        mch_order_no,
        channel_id: text(fields, "channel").if_empty("PF_CC"),
        amount,
        currency: "CAD".into(),
        status: STATUS_CREATED,
        client_ip: text(fields, "clientIp"),
        device: None,
        subject: text(fields, "subject").if_empty("Card payment"),
        body: text(fields, "body"),
        param1: None,
        param2: None,
        notify_url: text(fields, "notifyUrl"),
        channel_order_no: None,
        pay_succ_time: None,
        created_at: paydesk_domain::clock::now_ms(),
        api: "v3".into(),
        refunded: 0,
        secure_id: Some(new_id("S")),
        card_num: None,
        card_id: fields
            .get("cardId")
            .and_then(Value::as_str)
            .map(str::to_string),
    };
    state
        .store
        .insert_iotpay(&mut order, || new_id("C"))
        .map_err(|e| refuse(format!("database error: {e}")))?;
    Ok(order)
}

trait IfEmpty {
    fn if_empty(self, default: &str) -> String;
}

impl IfEmpty for String {
    fn if_empty(self, default: &str) -> String {
        if self.is_empty() {
            default.to_string()
        } else {
            self
        }
    }
}

fn amount_of(fields: &Map<String, Value>) -> Result<i64, Json<Value>> {
    match fields.get("amount").and_then(Value::as_i64) {
        Some(a) if a > 0 => Ok(a),
        _ => Err(refuse("amount must be a positive integer number of cents")),
    }
}

async fn cc_purchase(State(state): State<SandboxState>, body: Bytes) -> Json<Value> {
    let (fields, key) = match authenticated(&state, &body, PURCHASE_FIELDS) {
        Ok(ok) => ok,
        Err(refusal) => return refusal,
    };
    let order = match amount_of(&fields).and_then(|amount| new_card_order(&state, &fields, amount))
    {
        Ok(order) => order,
        Err(refusal) => return refusal,
    };
    let secure_id = order.secure_id.clone().unwrap_or_default();
    let mut data = Map::new();
    data.insert("payOrderId".into(), json!(order.pay_order_id));
    data.insert(
        "redirectUrl".into(),
        json!(format!("{}/card/iotpay/{secure_id}", state.public_base)),
    );
    data.insert("secureId".into(), json!(secure_id));
    answer(data, key.expose())
}

async fn cc_addcard(State(state): State<SandboxState>, body: Bytes) -> Json<Value> {
    let (fields, key) = match authenticated(
        &state,
        &body,
        &[
            ("mchId", 30),
            ("cardId", 30),
            ("loginName", 12),
            ("channel", 10),
            ("returnUrl", 200),
        ],
    ) {
        Ok(ok) => ok,
        Err(refusal) => return refusal,
    };
    let secure_id = new_id("A");
    if let Err(e) = state.store.insert_card(
        &text(&fields, "mchId"),
        &text(&fields, "cardId"),
        &secure_id,
    ) {
        return refuse(format!("database error: {e}"));
    }
    let mut data = Map::new();
    data.insert(
        "redirectUrl".into(),
        json!(format!("{}/card/iotpay/{secure_id}", state.public_base)),
    );
    data.insert("secureId".into(), json!(secure_id));
    data.insert("channel".into(), json!(text(&fields, "channel")));
    answer(data, key.expose())
}

async fn cc_querycard(State(state): State<SandboxState>, body: Bytes) -> Json<Value> {
    let (fields, key) = match authenticated(&state, &body, &[("mchId", 30), ("cardId", 30)]) {
        Ok(ok) => ok,
        Err(refusal) => return refusal,
    };
    match state
        .store
        .card(&text(&fields, "mchId"), &text(&fields, "cardId"))
    {
        Ok(Some((card_id, Some(card_num)))) => {
            let mut data = Map::new();
            data.insert("cardId".into(), json!(card_id));
            data.insert("cardNum".into(), json!(card_num));
            data.insert("status".into(), json!("ACTIVE"));
            answer(data, key.expose())
        }
        Ok(_) => refuse("card does not exist"),
        Err(e) => refuse(format!("database error: {e}")),
    }
}

async fn cc_purchasewithtoken(State(state): State<SandboxState>, body: Bytes) -> Json<Value> {
    let required = [
        ("mchId", 30),
        ("loginName", 12),
        ("currency", 3),
        ("mchOrderNo", 30),
        ("cardId", 30),
        ("amount", 12),
        ("notifyUrl", 200),
    ];
    let (fields, key) = match authenticated(&state, &body, &required) {
        Ok(ok) => ok,
        Err(refusal) => return refusal,
    };
    let card_number = match state
        .store
        .card(&text(&fields, "mchId"), &text(&fields, "cardId"))
    {
        Ok(Some((_, Some(masked)))) => masked,
        Ok(_) => return refuse("card does not exist"),
        Err(e) => return refuse(format!("database error: {e}")),
    };
    let order = match amount_of(&fields).and_then(|amount| new_card_order(&state, &fields, amount))
    {
        Ok(order) => order,
        Err(refusal) => return refusal,
    };
    // A stored card behaves as its test number did: the masked number keeps the last four.
    let outcome = if card_number.ends_with("0002") {
        super::store::CARD_DECLINE
    } else {
        super::store::CARD_APPROVE
    };
    match state.store.settle_card(&order.pay_order_id, outcome) {
        Ok(order) => answer(order_data(&order), key.expose()),
        Err(e) => refuse(format!("database error: {e}")),
    }
}

fn find_order(
    state: &SandboxState,
    fields: &Map<String, Value>,
) -> Result<SandboxOrder, Json<Value>> {
    let mch_id = text(fields, "mchId");
    let found = match (
        fields.get("payOrderId").and_then(Value::as_str),
        fields.get("mchOrderNo").and_then(Value::as_str),
    ) {
        (Some(id), _) => state
            .store
            .find(id)
            .map(|o| o.filter(|o| o.pay_order_id == id)),
        (None, Some(no)) => state.store.iotpay_by_mch_order(&mch_id, no),
        (None, None) => return Err(refuse("payOrderId or mchOrderNo is required")),
    };
    match found {
        Ok(Some(o)) if o.mch_id == mch_id && o.api == "v3" => Ok(o),
        Ok(_) => Err(refuse("order does not exist")),
        Err(e) => Err(refuse(format!("database error: {e}"))),
    }
}

async fn cc_query(
    State(state): State<SandboxState>,
    fault: HandlerFault,
    body: Bytes,
) -> Json<Value> {
    let (fields, key) = match authenticated(&state, &body, &[("mchId", 30)]) {
        Ok(ok) => ok,
        Err(refusal) => return refusal,
    };
    let mch_id = text(&fields, "mchId");
    // A refund or void is an order of its own: queried by its mchRefundNo (as mchOrderNo) or
    // by its own payOrderId. Looking at a pending one settles it.
    let reference = fields
        .get("payOrderId")
        .or_else(|| fields.get("mchOrderNo"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    match reversal_by_reference(&state.store, &mch_id, &reference) {
        Ok(Some(reversal)) => {
            return match settle_reversal(&state.store, reversal) {
                Ok(reversal) => answer(reversal_data(&state.store, &reversal), key.expose()),
                Err(e) => refuse(format!("database error: {e}")),
            }
        }
        Ok(None) => {}
        Err(e) => return refuse(format!("database error: {e}")),
    }
    let order = match find_order(&state, &fields) {
        Ok(order) => order,
        Err(refusal) => return refusal,
    };
    match fault.map(|axum::Extension(f)| f) {
        Some(Fault {
            kind: FaultKind::WrongOrder,
            ..
        }) => match another_paid_order(&state.store, &order) {
            Ok(other) => answer(order_data(&other), key.expose()),
            Err(e) => refuse(format!("database error: {e}")),
        },
        _ => answer(order_data(&order), key.expose()),
    }
}

/// The `wrong-order` fault's answer: the newest other paid V3 order of the merchant, as its
/// own genuine answer; when there is none, a paid order made up beside `asked` (another
/// number, a smaller amount), signed all the same.
fn another_paid_order(
    store: &SandboxStore,
    asked: &SandboxOrder,
) -> paydesk_domain::error::Result<SandboxOrder> {
    let other: Option<String> = store
        .conn()
        .query_row(
            "SELECT pay_order_id FROM iotpay_orders
             WHERE mch_id = ?1 AND api = 'v3' AND status IN (2, 3) AND pay_order_id != ?2
             ORDER BY created_at DESC LIMIT 1",
            params![asked.mch_id, asked.pay_order_id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(order) = other.and_then(|id| store.find(&id).ok().flatten()) {
        return Ok(order);
    }
    let mut made_up = asked.clone();
    made_up.pay_order_id = new_id("C");
    made_up.mch_order_no = format!("{}X", asked.mch_order_no);
    made_up.amount = (asked.amount / 2).max(1);
    made_up.status = STATUS_PAID;
    made_up.pay_succ_time = Some(paydesk_domain::clock::now_ms());
    Ok(made_up)
}
