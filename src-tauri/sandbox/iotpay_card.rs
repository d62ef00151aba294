//! The sandbox's IOTPay V3 cards (reference/gateways.md §1.8): JSON bodies signed like v1,
//! answers `{retCode, retMsg, retData}`; the hosted card page behind `redirectUrl` and the
//! embedded form (`iotpaycc.js` stand-in) that `secureId` mounts. Test cards:
//! 4242 4242 4242 4242 approves, 4000 0000 0000 0002 declines, 4000 0000 0000 0119 never
//! answers (the order stays pending, as a UnionPay timeout does).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::store::{SandboxOrder, STATUS_CREATED, STATUS_PAID};
use super::SandboxState;
use crate::signing::{iotpay_sign, iotpay_verify};
use crate::vault::Sensitive;

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
        created_at: crate::ledger::now_ms(),
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

async fn cc_query(State(state): State<SandboxState>, body: Bytes) -> Json<Value> {
    let (fields, key) = match authenticated(&state, &body, &[("mchId", 30)]) {
        Ok(ok) => ok,
        Err(refusal) => return refusal,
    };
    match find_order(&state, &fields) {
        Ok(order) => answer(order_data(&order), key.expose()),
        Err(refusal) => refusal,
    }
}

async fn reverse(state: SandboxState, body: Bytes, kind: &str) -> Json<Value> {
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
    let amount = if kind == "void" {
        order.amount - order.refunded
    } else {
        fields
            .get("refundAmount")
            .and_then(Value::as_i64)
            .unwrap_or(0)
    };
    match state.store.refund(
        &order.pay_order_id,
        &text(&fields, "mchRefundNo"),
        amount,
        kind,
    ) {
        Ok(Ok(order)) => {
            let mut data = order_data(&order);
            data.insert("payType".into(), json!("refund"));
            data.insert("amount".into(), json!(amount));
            answer(data, key.expose())
        }
        Ok(Err(problem)) => refuse(problem),
        Err(e) => refuse(format!("database error: {e}")),
    }
}

async fn cc_void(State(state): State<SandboxState>, body: Bytes) -> Json<Value> {
    reverse(state, body, "void").await
}

async fn cc_refund(State(state): State<SandboxState>, body: Bytes) -> Json<Value> {
    reverse(state, body, "refund").await
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
                super::notifier::spawn_delivery(state.clone(), order.clone());
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
