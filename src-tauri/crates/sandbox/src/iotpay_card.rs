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
//! are applied by the fault middleware to any call. Notifications: `duplicate-notify` and
//! `out-of-order-notify` (call `notify`) work on V3 notifications as on v1's.
//!
//! V3 notifications are a JSON POST of the order's fields with `sign` at the top level (as the
//! SDK's `receiveNotification` reads them), retried with growing pauses (as the "Asynchronous
//! Notify" guide page says IOTPay does: "will keep notify periodically for several times")
//! until the merchant answers `SUCCESS`.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use std::time::Duration;

use rusqlite::{params, OptionalExtension};

use super::faults::{Fault, FaultKind, HandlerFault};
use super::store::{SandboxOrder, SandboxStore, STATUS_CREATED, STATUS_FAILED, STATUS_PAID};
use super::SandboxState;
use paydesk_secrets::signing::{iotpay_sign, iotpay_verify};
use paydesk_secrets::vault::Sensitive;

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
        .route("/iotpay/v3/cc_void", post(cc_void))
        .route("/iotpay/v3/cc_refund", post(cc_refund))
}

/// The customer's side: the widget script and the card form (no fault injection here).
pub(super) fn page_routes() -> Router<SandboxState> {
    Router::new()
        .route("/iotpay/cc/iotpaycc.js", get(script))
        .route("/card/iotpay/{secure_id}", get(card_page).post(card_submit))
}

fn refuse(message: impl Into<String>) -> Json<Value> {
    Json(json!({ "retCode": "FAIL", "retMsg": message.into() }))
}

fn answer(mut data: Map<String, Value>, key: &str) -> Json<Value> {
    let sign = iotpay_sign(&data, key);
    data.insert("sign".into(), json!(sign));
    Json(json!({ "retCode": "SUCCESS", "retMsg": "", "retData": Value::Object(data) }))
}

/// Parses the JSON body, finds the merchant, checks the signature and the required fields.
fn authenticated(
    state: &SandboxState,
    body: &Bytes,
    required: &[(&str, usize)],
) -> Result<(Map<String, Value>, Sensitive<String>), Json<Value>> {
    let fields: Map<String, Value> = match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => map,
        _ => return Err(refuse("request body is not a JSON object")),
    };
    let mch_id = fields
        .get("mchId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Some(key) = state.store.iotpay_key(mch_id) else {
        return Err(refuse(format!("merchant {mch_id:?} does not exist")));
    };
    if !iotpay_verify(&fields, key.expose()) {
        return Err(refuse("sign error"));
    }
    for (name, max) in required {
        let present = match fields.get(*name) {
            Some(Value::String(s)) => {
                if s.chars().count() > *max {
                    return Err(refuse(format!("{name} is longer than {max}")));
                }
                !s.is_empty()
            }
            Some(Value::Number(_)) => true,
            _ => false,
        };
        if !present {
            return Err(refuse(format!("{name} is required")));
        }
    }
    Ok((fields, key))
}

fn text(fields: &Map<String, Value>, name: &str) -> String {
    fields
        .get(name)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn new_id(prefix: &str) -> String {
    use rand::Rng;
    format!(
        "{prefix}{}{:06}",
        chrono::Utc::now().format("%Y%m%d%H%M%S"),
        rand::rng().random_range(0..1_000_000)
    )
}

fn order_data(o: &SandboxOrder) -> Map<String, Value> {
    let mut data = Map::new();
    data.insert("payOrderId".into(), json!(o.pay_order_id));
    data.insert("mchOrderNo".into(), json!(o.mch_order_no));
    data.insert("amount".into(), json!(o.amount));
    data.insert("currency".into(), json!(o.currency));
    data.insert(
        "payType".into(),
        json!(if o.refunded > 0 { "refund" } else { "pay" }),
    );
    data.insert(
        "refundable".into(),
        json!(if o.status == STATUS_PAID {
            o.amount - o.refunded
        } else {
            0
        }),
    );
    data.insert("status".into(), json!(o.status));
    data.insert(
        "paySuccTime".into(),
        o.pay_succ_time.map(Value::from).unwrap_or(Value::Null),
    );
    data.insert(
        "cardNum".into(),
        o.card_num.clone().map(Value::from).unwrap_or(Value::Null),
    );
    data.insert(
        "authNum".into(),
        o.channel_order_no
            .clone()
            .map(Value::from)
            .unwrap_or(Value::Null),
    );
    data
}

const PURCHASE_FIELDS: &[(&str, usize)] = &[
    ("mchId", 30),
    ("mchOrderNo", 30),
    ("amount", 12),
    ("currency", 3),
    ("loginName", 12),
    ("channel", 10),
    ("notifyUrl", 200),
    ("returnUrl", 200),
];

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
    let order = SandboxOrder {
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
        .insert_iotpay(&order)
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

/// A refund or void as the sandbox keeps it (beside `iotpay_refunds`, which holds what was
/// taken off the order): its own id, its V3 status and, while pending, what it settles to.
#[derive(Debug, Clone)]
struct Reversal {
    mch_refund_no: String,
    mch_id: String,
    refund_order_id: String,
    original_order_id: String,
    kind: String,
    amount: i64,
    status: i64,
    settles_to: Option<i64>,
    created_at: i64,
}

const STATUS_PENDING: i64 = 0;
const STATUS_UNKNOWN: i64 = 1;

fn ensure_reversals(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS iotpay_card_reversals (
            mch_id            TEXT    NOT NULL,
            mch_refund_no     TEXT    NOT NULL,
            refund_order_id   TEXT    NOT NULL UNIQUE,
            original_order_id TEXT    NOT NULL,
            kind              TEXT    NOT NULL,
            amount            INTEGER NOT NULL,
            status            INTEGER NOT NULL,
            settles_to        INTEGER,
            created_at        INTEGER NOT NULL,
            PRIMARY KEY (mch_id, mch_refund_no)
        );",
    )
}

fn reversal_by_reference(
    store: &SandboxStore,
    mch_id: &str,
    reference: &str,
) -> paydesk_domain::error::Result<Option<Reversal>> {
    if reference.is_empty() {
        return Ok(None);
    }
    let conn = store.conn();
    ensure_reversals(&conn)?;
    Ok(conn
        .query_row(
            "SELECT mch_refund_no, mch_id, refund_order_id, original_order_id, kind, amount,
                    status, settles_to, created_at
             FROM iotpay_card_reversals
             WHERE mch_id = ?1 AND (mch_refund_no = ?2 OR refund_order_id = ?2)",
            params![mch_id, reference],
            |r| {
                Ok(Reversal {
                    mch_refund_no: r.get(0)?,
                    mch_id: r.get(1)?,
                    refund_order_id: r.get(2)?,
                    original_order_id: r.get(3)?,
                    kind: r.get(4)?,
                    amount: r.get(5)?,
                    status: r.get(6)?,
                    settles_to: r.get(7)?,
                    created_at: r.get(8)?,
                })
            },
        )
        .optional()?)
}

fn insert_reversal(store: &SandboxStore, reversal: &Reversal) -> paydesk_domain::error::Result<()> {
    let conn = store.conn();
    ensure_reversals(&conn)?;
    conn.execute(
        "INSERT INTO iotpay_card_reversals (mch_refund_no, mch_id, refund_order_id,
            original_order_id, kind, amount, status, settles_to, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            reversal.mch_refund_no,
            reversal.mch_id,
            reversal.refund_order_id,
            reversal.original_order_id,
            reversal.kind,
            reversal.amount,
            reversal.status,
            reversal.settles_to,
            reversal.created_at
        ],
    )?;
    Ok(())
}

/// A pending (0) or unknown (1) refund reaches what it was to become; a failed one gives the
/// held amount back to the order (it can be refunded again).
fn settle_reversal(
    store: &SandboxStore,
    mut reversal: Reversal,
) -> paydesk_domain::error::Result<Reversal> {
    let Some(to) = reversal.settles_to else {
        return Ok(reversal);
    };
    if reversal.status != STATUS_PENDING && reversal.status != STATUS_UNKNOWN {
        return Ok(reversal);
    }
    let mut conn = store.conn();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let changed = tx.execute(
        "UPDATE iotpay_card_reversals SET status = ?3, settles_to = NULL
         WHERE mch_id = ?1 AND mch_refund_no = ?2 AND status IN (0, 1)",
        params![reversal.mch_id, reversal.mch_refund_no, to],
    )?;
    if changed == 1 && to == STATUS_FAILED {
        tx.execute(
            "UPDATE iotpay_orders SET refunded = refunded - ?2 WHERE pay_order_id = ?1",
            params![reversal.original_order_id, reversal.amount],
        )?;
        tx.execute(
            "DELETE FROM iotpay_refunds WHERE mch_refund_no = ?1",
            [&reversal.mch_refund_no],
        )?;
    }
    tx.commit()?;
    reversal.status = to;
    reversal.settles_to = None;
    Ok(reversal)
}

/// `retData` of a refund or void (guide pages "creditCard/v3/refund" and "creditCard/v3/void").
fn reversal_data(store: &SandboxStore, reversal: &Reversal) -> Map<String, Value> {
    let original = store.find(&reversal.original_order_id).ok().flatten();
    let mut data = Map::new();
    data.insert("payOrderId".into(), json!(reversal.refund_order_id));
    data.insert("mchId".into(), json!(reversal.mch_id));
    data.insert("mchOrderNo".into(), json!(reversal.mch_refund_no));
    data.insert("originalOrderId".into(), json!(reversal.original_order_id));
    data.insert(
        "currency".into(),
        json!(original
            .as_ref()
            .map(|o| o.currency.as_str())
            .unwrap_or("CAD")),
    );
    data.insert("amount".into(), json!(reversal.amount));
    data.insert("payType".into(), json!("refund"));
    data.insert("refundable".into(), json!(0));
    data.insert("status".into(), json!(reversal.status));
    if reversal.status == STATUS_PAID {
        let at = chrono::DateTime::from_timestamp_millis(reversal.created_at)
            .unwrap_or_default()
            .format("%Y-%m-%d %H:%M:%S")
            .to_string();
        data.insert("paySuccTime".into(), json!(at));
    }
    if let Some(card) = original.as_ref().and_then(|o| o.card_num.clone()) {
        data.insert("cardNum".into(), json!(card));
    }
    data.insert(
        "channel".into(),
        json!(original
            .map(|o| o.channel_id)
            .unwrap_or_else(|| "PF_CC".into())),
    );
    data
}

/// What a refund or void answers now, and what it becomes later: (status, settles_to).
fn reversal_plan(fault: Option<&Fault>) -> Result<(i64, Option<i64>), Json<Value>> {
    let Some(fault) = fault else {
        return Ok((STATUS_PAID, None));
    };
    match (fault.kind, fault.value) {
        (FaultKind::Pending, Some(0)) => Ok((STATUS_PENDING, Some(STATUS_FAILED))),
        (FaultKind::Pending, _) => Ok((STATUS_PENDING, Some(STATUS_PAID))),
        (FaultKind::Code, None | Some(1)) => Ok((STATUS_UNKNOWN, Some(STATUS_PAID))),
        (FaultKind::Code, Some(0)) => Ok((STATUS_PENDING, Some(STATUS_PAID))),
        (FaultKind::Code, Some(9)) | (FaultKind::Refuse, _) => Ok((STATUS_FAILED, None)),
        (FaultKind::Code, Some(other)) => Err(refuse(format!(
            "sandbox: the code fault on a V3 refund takes 0, 1 or 9, not {other}"
        ))),
        _ => Ok((STATUS_PAID, None)),
    }
}

async fn reverse(state: SandboxState, fault: HandlerFault, body: Bytes, kind: &str) -> Json<Value> {
    let mut required = vec![
        ("mchId", 30),
        ("mchRefundNo", 30),
        ("loginName", 12),
        ("payOrderId", 30),
    ];
    if kind == "refund" {
        required.push(("refundAmount", 12));
    }
    let (fields, key) = match authenticated(&state, &body, &required) {
        Ok(ok) => ok,
        Err(refusal) => return refusal,
    };
    let order = match find_order(&state, &fields) {
        Ok(order) => order,
        Err(refusal) => return refusal,
    };
    let mch_refund_no = text(&fields, "mchRefundNo");
    let amount = if kind == "void" {
        order.amount - order.refunded
    } else {
        fields
            .get("refundAmount")
            .and_then(Value::as_i64)
            .unwrap_or(0)
    };
    // A resend of the same refund number answers that refund as it now stands.
    match reversal_by_reference(&state.store, &order.mch_id, &mch_refund_no) {
        Ok(Some(earlier))
            if earlier.mch_refund_no == mch_refund_no
                && earlier.original_order_id == order.pay_order_id
                && earlier.kind == kind
                && (kind == "void" || earlier.amount == amount) =>
        {
            return match settle_reversal(&state.store, earlier) {
                Ok(reversal) => answer(reversal_data(&state.store, &reversal), key.expose()),
                Err(e) => refuse(format!("database error: {e}")),
            };
        }
        Ok(Some(_)) => return refuse("mchRefundNo was already used for another refund"),
        Ok(None) => {}
        Err(e) => return refuse(format!("database error: {e}")),
    }
    let fault = fault.map(|axum::Extension(f)| f);
    let (status, settles_to) = match reversal_plan(fault.as_ref()) {
        Ok(plan) => plan,
        Err(refusal) => return refusal,
    };
    if status != STATUS_FAILED {
        // Taken off what can be refunded at once, pending or not: a pending refund is not
        // refundable again (it is given back only if it fails).
        match state
            .store
            .refund(&order.pay_order_id, &mch_refund_no, amount, kind)
        {
            Ok(Ok(_)) => {}
            Ok(Err(problem)) => return refuse(problem),
            Err(e) => return refuse(format!("database error: {e}")),
        }
    } else if order.status != STATUS_PAID && order.status != 3 {
        return refuse("order is not paid");
    }
    let reversal = Reversal {
        mch_refund_no,
        mch_id: order.mch_id.clone(),
        refund_order_id: new_id("RP"),
        original_order_id: order.pay_order_id.clone(),
        kind: kind.to_string(),
        amount,
        status,
        settles_to,
        created_at: paydesk_domain::clock::now_ms(),
    };
    if let Err(e) = insert_reversal(&state.store, &reversal) {
        return refuse(format!("database error: {e}"));
    }
    answer(reversal_data(&state.store, &reversal), key.expose())
}

async fn cc_void(
    State(state): State<SandboxState>,
    fault: HandlerFault,
    body: Bytes,
) -> Json<Value> {
    reverse(state, fault, body, "void").await
}

async fn cc_refund(
    State(state): State<SandboxState>,
    fault: HandlerFault,
    body: Bytes,
) -> Json<Value> {
    reverse(state, fault, body, "refund").await
}

/// The merchant's acknowledgement of a V3 notification: the vendor's PHP SDK
/// (creditcardv3.php, `receiveNotification`) echoes `SUCCESS`; anything else is retried.
pub(crate) const V3_NOTIFY_ACK: &str = "SUCCESS";

/// A V3 notification: the order's fields as cc_query gives them, status 2 (or `status`),
/// signed at the top level.
fn v3_notify_fields(store: &SandboxStore, order: &SandboxOrder, status: i64) -> Map<String, Value> {
    let mut fields: Map<String, Value> = order_data(order)
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .collect();
    fields.insert("mchId".into(), json!(order.mch_id));
    fields.insert("status".into(), json!(status));
    fields.insert("channel".into(), json!(order.channel_id));
    let key = store
        .iotpay_key(&order.mch_id)
        .map(|k| k.expose().clone())
        .unwrap_or_default();
    let sign = iotpay_sign(&fields, &key);
    fields.insert("sign".into(), json!(sign));
    fields
}

async fn post_v3_notify(url: &str, fields: &Map<String, Value>) -> Result<String, reqwest::Error> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()?
        .post(url)
        .header("Content-Type", "application/json;charset=UTF-8")
        .body(Value::Object(fields.clone()).to_string())
        .send()
        .await?
        .text()
        .await
}

/// Posts a V3 notification up to `attempts` times, doubling the pause from `first_wait`,
/// until the merchant answers `SUCCESS`. Returns whether it did.
async fn deliver_v3(
    store: &SandboxStore,
    order: &SandboxOrder,
    attempts: u32,
    first_wait: Duration,
) -> bool {
    if order.notify_url.is_empty() {
        return false;
    }
    let fields = v3_notify_fields(store, order, STATUS_PAID);
    let mut wait = first_wait;
    for attempt in 1..=attempts {
        match post_v3_notify(&order.notify_url, &fields).await {
            Ok(body) if body.trim() == V3_NOTIFY_ACK => return true,
            Ok(body) => {
                tracing::info!(attempt, order = %order.pay_order_id, "sandbox V3 notify answered {body:?}: sent again")
            }
            Err(e) => {
                tracing::info!(attempt, order = %order.pay_order_id, "sandbox V3 notify not delivered: {e}")
            }
        }
        if attempt < attempts {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
    false
}

/// Notifies the merchant of a paid card order in the background, with the notification
/// faults (`duplicate-notify`, `out-of-order-notify`) switched on for `iotpay` / `notify`.
fn spawn_v3_delivery(state: SandboxState, order: SandboxOrder) {
    tokio::spawn(async move {
        let fault = state.faults.take("iotpay", "notify").ok().flatten();
        deliver_v3(&state.store, &order, 5, Duration::from_secs(1)).await;
        match fault.map(|f| f.kind) {
            Some(FaultKind::DuplicateNotify) => {
                deliver_v3(&state.store, &order, 1, Duration::ZERO).await;
            }
            Some(FaultKind::OutOfOrderNotify) => {
                let older = v3_notify_fields(&state.store, &order, STATUS_PENDING);
                let _ = post_v3_notify(&order.notify_url, &older).await;
            }
            _ => {}
        }
    });
}

/// The stand-in for iotpaycc.js: the same global and callback as the vendor's, mounting the
/// sandbox's card form in an iframe and relaying its result.
async fn script() -> Response {
    const SCRIPT: &str = r#"(function () {
  var origin = new URL(document.currentScript.src).origin;
  window.Iotpay = function (secureId, mode, options) {
    if (mode !== 'Pay' && mode !== 'Add') { throw new Error("Iotpay: mode must be 'Pay' or 'Add'"); }
    return {
      mount: function (selector, callback) {
        var host = document.querySelector(selector);
        if (!host) { throw new Error('Iotpay: no element ' + selector); }
        var frame = document.createElement('iframe');
        frame.src = origin + '/card/iotpay/' + encodeURIComponent(secureId) + '?embedded=1';
        frame.title = 'Card payment';
        frame.style.cssText = 'width:100%;height:360px;border:0';
        host.innerHTML = '';
        host.appendChild(frame);
        window.addEventListener('message', function (event) {
          if (event.origin !== origin || !event.data || !event.data.iotpay) { return; }
          if (event.data.iotpay.secureId !== secureId) { return; }
          callback(event.data.iotpay.event);
        });
      }
    };
  };
})();
"#;
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
        .into_response()
}

#[derive(Deserialize)]
struct Embedded {
    embedded: Option<String>,
}

fn card_form(secure_id: &str, title: &str, embedded: bool) -> Html<String> {
    let action = format!(
        "/card/iotpay/{}{}",
        super::pages::escape(secure_id),
        if embedded { "?embedded=1" } else { "" }
    );
    super::pages::page(
        "Card",
        &format!(
            "<h1>{title}</h1><form method=post action='{action}'>\
             <label>Card number<br><input name=cardNumber data-testid=card-number inputmode=numeric autocomplete=off value=''></label>\
             <p class=note>Test cards: 4242 4242 4242 4242 approves, 4000 0000 0000 0002 declines, 4000 0000 0000 0119 times out.</p>\
             <button class=pay type=submit data-testid=card-submit>Pay</button></form>"
        ),
    )
}

async fn card_page(
    State(state): State<SandboxState>,
    Path(secure_id): Path<String>,
    Query(q): Query<Embedded>,
) -> Response {
    let embedded = q.embedded.is_some();
    if let Ok(Some(order)) = state.store.by_secure_id(&secure_id) {
        let title = format!(
            "Pay {}.{:02} {}",
            order.amount / 100,
            order.amount % 100,
            super::pages::escape(&order.currency)
        );
        return card_form(&secure_id, &title, embedded).into_response();
    }
    if let Ok(Some(_)) = state.store.card_by_secure_id(&secure_id) {
        return card_form(&secure_id, "Save a card", embedded).into_response();
    }
    (
        axum::http::StatusCode::NOT_FOUND,
        super::pages::page("Not found", "<h1>No such card session</h1>"),
    )
        .into_response()
}

#[derive(Deserialize)]
struct CardForm {
    #[serde(rename = "cardNumber")]
    card_number: String,
}

async fn card_submit(
    State(state): State<SandboxState>,
    Path(secure_id): Path<String>,
    Query(q): Query<Embedded>,
    Form(form): Form<CardForm>,
) -> Response {
    let number: String = form
        .card_number
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let (result, message, data) = if let Ok(Some(order)) = state.store.by_secure_id(&secure_id) {
        match state.store.settle_card(&order.pay_order_id, &number) {
            Ok(order) if order.status == STATUS_PAID => {
                spawn_v3_delivery(state.clone(), order.clone());
                ("SUCCESS", "Approved", Value::Object(order_data(&order)))
            }
            Ok(order) if order.status == STATUS_CREATED => {
                ("FAIL", "Timeout", Value::Object(order_data(&order)))
            }
            Ok(order) => ("FAIL", "Declined", Value::Object(order_data(&order))),
            Err(e) => ("FAIL", "Error", json!({ "error": e.to_string() })),
        }
    } else if let Ok(Some((_, card_id))) = state.store.card_by_secure_id(&secure_id) {
        match state.store.save_card_number(&secure_id, &number) {
            Ok(()) => ("SUCCESS", "Card saved", json!({ "cardId": card_id })),
            Err(e) => ("FAIL", "Error", json!({ "error": e.to_string() })),
        }
    } else {
        ("FAIL", "No such card session", Value::Null)
    };
    let event = json!({ "result": result, "message": message, "detail": { "retData": data } });
    let relay = if q.embedded.is_some() {
        // The embedded form tells the window through the stand-in script, as the vendor's does.
        format!(
            "<script>parent.postMessage({{iotpay: {{secureId: {}, event: {}}}}}, '*');</script>",
            json!(secure_id),
            event
        )
    } else {
        String::new()
    };
    super::pages::page(
        message,
        &format!(
            "<h1 data-testid=result>{}</h1>{relay}",
            super::pages::escape(message)
        ),
    )
    .into_response()
}
