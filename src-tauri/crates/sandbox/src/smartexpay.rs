//! The sandbox's SmartExPay exchanger (reference/gateways.md §4; seed 001, the vendor's
//! "Merchant docs" page), written from the reference with its own wire types: `order/create`
//! (JSON, or the form encoding the `[i][key]` notation suggests), `order/get`,
//! `order/update-status` (waitPayment -> inProgress on a manual route), the customer's page at
//! `/smartexpay/{lang}/payment/{uid}/{secret}`, and the IPN: a form-urlencoded POST to ipnUrl
//! with the sha256 hash, sent once and never retried.
//!
//! Two routes: `SANDBOX_SMARTEXPAY_ROUTE` confirms a payment by itself (the customer pays ->
//! inProgress); on `SANDBOX_SMARTEXPAY_MANUAL_ROUTE` the customer's payment leaves the order
//! in waitPayment until the merchant confirms it. Each route has a "from" currency (EUR for
//! both: the amount is read in it) and bounds on the amount; the create carries no currency
//! field in the seed, so a create that names one (`currency`, as a test client may) other than
//! the route's is refused with the documented error shape
//! `{success: false, error: {message, errorCode: "CURRENCY_MISMATCH"}}`, and so is an amount
//! outside the route's bounds (`AMOUNT_OUT_OF_RANGE`).
//!
//! Order lifetime: the seed documents none, so the sandbox gives a long one, 24 hours
//! (setting `smartexpay.order_ttl_ms`): an order still waiting for payment after it is
//! `deleted` (the seed's "order deleted (canceled)"). A customer can pay well after Paydesk's
//! own 15 minutes; `pay_late` (and the page action `.../pay-late?minutes=N`) makes an order N
//! minutes old (default 20) and then pays it.
//!
//! Settings: `smartexpay.api_key_header` (default X-Api-Key), `smartexpay.hash_field` (the
//! IPN's hash field name, default `hash`), `smartexpay.order_ttl_ms`.
//!
//! Faults handed to the handlers (faults.rs; the generic ones act in the middleware):
//! - `wrong-order` on `get`: a genuine answer about another order of the sandbox (a paid one
//!   when there is one), as a replay would give; `value` unused.
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rusqlite::{params, OptionalExtension, Row};
use serde::Deserialize;
use serde_json::{json, Value};

use super::faults::{FaultKind, HandlerFault};
use super::pages::{escape, page};
use super::store::SandboxStore;
use super::{
    SandboxState, SANDBOX_SMARTEXPAY_API_KEY, SANDBOX_SMARTEXPAY_MANUAL_ROUTE,
    SANDBOX_SMARTEXPAY_ROUTE,
};
use paydesk_domain::clock::now_ms;
use paydesk_domain::error::Result;
use paydesk_secrets::signing::smartexpay_ipn_hash;

/// One exchange route of the sandbox.
struct Route {
    id: &'static str,
    /// The route's "from" as the engine names it (`route.from`, `xml_from`).
    xml_from: &'static str,
    xml_to: &'static str,
    /// The ISO currency the amount is read in.
    from_currency: &'static str,
    /// Rate in hundredths.
    rate: i128,
    manual: bool,
    /// Bounds on the amount, in whole units of the from currency.
    min: i128,
    max: i128,
}

const ROUTES: &[Route] = &[
    Route {
        id: SANDBOX_SMARTEXPAY_ROUTE,
        xml_from: "CARDEUR",
        xml_to: "USDTTRC20",
        from_currency: "EUR",
        rate: 108,
        manual: false,
        min: 1,
        max: 100_000,
    },
    Route {
        id: SANDBOX_SMARTEXPAY_MANUAL_ROUTE,
        xml_from: "SEPAEUR",
        xml_to: "USDTTRC20",
        from_currency: "EUR",
        rate: 107,
        manual: true,
        min: 1,
        max: 100_000,
    },
];

/// The sandbox's orders live this long waiting for payment (the seed gives no lifetime).
pub const DEFAULT_ORDER_TTL_MS: i64 = 24 * 60 * 60 * 1000;

fn route(id: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|r| r.id == id)
}

fn is_manual(route_id: &str) -> bool {
    route(route_id).is_some_and(|r| r.manual)
}

/// The ISO currency a sandbox route takes its amount in (`None` for any other route id).
pub fn route_from_currency(route_id: &str) -> Option<&'static str> {
    route(route_id.trim()).map(|r| r.from_currency)
}

pub(super) fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/smartexpay/public/exchanger/order/create", post(create))
        .route("/smartexpay/public/exchanger/order/get", get(get_order))
        .route(
            "/smartexpay/public/exchanger/order/update-status",
            axum::routing::put(update_status),
        )
        .route("/smartexpay/{lang}/payment/{uid}/{secret}", get(show))
        .route("/smartexpay/{lang}/order/{uid}/{secret}", get(show))
        .route("/smartexpay/{lang}/payment/{uid}/{secret}/pay", post(pay))
        .route(
            "/smartexpay/{lang}/payment/{uid}/{secret}/pay-late",
            post(pay_late_page),
        )
        .route(
            "/smartexpay/{lang}/payment/{uid}/{secret}/decline",
            post(decline),
        )
}

/// A SmartExPay order as the sandbox keeps it.
#[derive(Debug, Clone)]
pub struct SmartexpayOrder {
    pub uid: i64,
    pub object_id: String,
    pub secret: String,
    pub route_id: String,
    pub in_amount: String,
    pub out_amount: String,
    pub xml_from: String,
    pub xml_to: String,
    pub lang: String,
    pub status: String,
    pub customer_paid: bool,
    pub ipn_url: Option<String>,
    pub ipn_secret: Option<String>,
    pub to_values: String,
}

fn order_from_row(row: &Row<'_>) -> rusqlite::Result<SmartexpayOrder> {
    Ok(SmartexpayOrder {
        uid: row.get("uid")?,
        object_id: row.get("object_id")?,
        secret: row.get("secret")?,
        route_id: row.get("route_id")?,
        in_amount: row.get("in_amount")?,
        out_amount: row.get("out_amount")?,
        xml_from: row.get("xml_from")?,
        xml_to: row.get("xml_to")?,
        lang: row.get("lang")?,
        status: row.get("status")?,
        customer_paid: row.get::<_, i64>("customer_paid")? != 0,
        ipn_url: row.get("ipn_url")?,
        ipn_secret: row.get("ipn_secret")?,
        to_values: row.get("to_values")?,
    })
}

impl SandboxStore {
    /// A SmartExPay order by its uid. An order still waiting for payment past the sandbox's
    /// order lifetime (`smartexpay.order_ttl_ms`, default 24 h) is `deleted` from then on.
    pub fn smartexpay_order(&self, uid: &str) -> Result<Option<SmartexpayOrder>> {
        let Ok(uid) = uid.trim().parse::<i64>() else {
            return Ok(None);
        };
        let ttl = self
            .sandbox_setting("smartexpay.order_ttl_ms")?
            .and_then(|v| v.trim().parse::<i64>().ok())
            .unwrap_or(DEFAULT_ORDER_TTL_MS);
        let conn = self.conn();
        conn.execute(
            "UPDATE smartexpay_orders SET status = 'deleted', updated_at = ?3
             WHERE uid = ?1 AND status IN ('new', 'waitPayment') AND customer_paid = 0 AND created_at + ?2 < ?3",
            params![uid, ttl, now_ms()],
        )?;
        Ok(conn
            .query_row(
                "SELECT * FROM smartexpay_orders WHERE uid = ?1",
                [uid],
                order_from_row,
            )
            .optional()?)
    }

    /// Makes an order `age_ms` old (the customer comes back later): its creation time moves
    /// back. Returns whether there was such an order.
    pub fn smartexpay_backdate(&self, uid: i64, age_ms: i64) -> Result<bool> {
        Ok(self.conn().execute(
            "UPDATE smartexpay_orders SET created_at = ?2 WHERE uid = ?1",
            params![uid, now_ms() - age_ms],
        )? == 1)
    }

    /// Another order than `uid`, a paid one when there is one: what a replayed answer is about.
    fn smartexpay_other_order(&self, uid: i64) -> Result<Option<SmartexpayOrder>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT * FROM smartexpay_orders WHERE uid != ?1
                 ORDER BY status IN ('inProgress', 'inProgressPayout', 'done') DESC, uid DESC LIMIT 1",
                [uid],
                order_from_row,
            )
            .optional()?)
    }

    /// Moves an order to `status` (the exchanger's operator acting) when it is in one of
    /// `from` (any status when empty); returns the order when it moved.
    pub fn smartexpay_move(
        &self,
        uid: i64,
        from: &[&str],
        status: &str,
    ) -> Result<Option<SmartexpayOrder>> {
        let Some(order) = self.smartexpay_order(&uid.to_string())? else {
            return Ok(None);
        };
        if !from.is_empty() && !from.contains(&order.status.as_str()) {
            return Ok(None);
        }
        self.conn().execute(
            "UPDATE smartexpay_orders SET status = ?2, updated_at = ?3 WHERE uid = ?1 AND status = ?4",
            params![uid, status, now_ms(), order.status],
        )?;
        Ok(self
            .conn()
            .query_row(
                "SELECT * FROM smartexpay_orders WHERE uid = ?1",
                [uid],
                order_from_row,
            )
            .optional()?)
    }

    /// Every IPN sent, oldest first: (uid, form body, whether the merchant answered 2xx).
    pub fn smartexpay_ipns(&self) -> Result<Vec<(i64, String, bool)>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT uid, body, delivered FROM smartexpay_ipns ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? != 0)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

fn random_text(length: usize, alphabet: &[u8]) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..length)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
        .collect()
}

fn fail(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "success": false, "error": { "message": message, "errorCode": code } })),
    )
        .into_response()
}

fn authorised(state: &SandboxState, headers: &HeaderMap) -> std::result::Result<(), Response> {
    let name = state
        .store
        .sandbox_setting("smartexpay.api_key_header")
        .ok()
        .flatten()
        .unwrap_or_else(|| "X-Api-Key".into());
    match headers.get(name.as_str()).and_then(|v| v.to_str().ok()) {
        Some(key) if key == SANDBOX_SMARTEXPAY_API_KEY => Ok(()),
        _ => Err(fail(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "invalid or missing API key",
        )),
    }
}

/// A decimal amount as units of 1e-8 (the exchanger's finest step).
fn units(text: &str) -> Option<i128> {
    let (whole, fraction) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty()
        || !digits(whole)
        || !digits(fraction)
        || fraction.len() > 8
        || whole.len() > 12
    {
        return None;
    }
    Some(
        whole.parse::<i128>().ok()? * 100_000_000
            + format!("{fraction:0<8}").parse::<i128>().ok()?,
    )
}

/// Units back to the shortest decimal text, as a JavaScript number prints: "317.42", "2".
fn units_text(units: i128) -> String {
    let whole = units / 100_000_000;
    let fraction = format!("{:08}", units % 100_000_000);
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{fraction}")
    }
}

/// The form encoding: `fromValues[0][key]=...` into arrays of objects.
fn form_to_json(body: &[u8]) -> Option<Value> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    let mut out = serde_json::Map::new();
    for (k, v) in pairs {
        if let Some((name, rest)) = k.split_once('[') {
            let mut parts = rest.trim_end_matches(']').split("][");
            let index: usize = parts.next()?.parse().ok()?;
            let field = parts.next()?.to_string();
            let list = out
                .entry(name.to_string())
                .or_insert_with(|| json!([]))
                .as_array_mut()?;
            while list.len() <= index {
                list.push(json!({}));
            }
            list[index][field] = json!(v);
        } else {
            let value = match v.as_str() {
                "true" => json!(true),
                "false" => json!(false),
                _ => json!(v),
            };
            out.insert(k, value);
        }
    }
    Some(Value::Object(out))
}

fn requisites_ok(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::Array(items)) => items
            .iter()
            .all(|i| i.get("key").is_some_and(Value::is_string) && i.get("value").is_some()),
        _ => false,
    }
}

async fn create(State(state): State<SandboxState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = authorised(&state, &headers) {
        return r;
    }
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("form-urlencoded"));
    let request = if is_form {
        form_to_json(&body)
    } else {
        serde_json::from_slice::<Value>(&body).ok()
    };
    let Some(request) = request.filter(Value::is_object) else {
        return fail(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "the body is not a JSON object or form",
        );
    };
    let text = |name: &str| {
        request
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let route_id = text("routeId");
    let Some(route) = route(&route_id) else {
        return fail(StatusCode::NOT_FOUND, "ROUTE_NOT_FOUND", "Route not found");
    };
    let (from, to, rate) = (route.xml_from, route.xml_to, route.rate);
    // The seed's create has no currency: the amount is in the route's "from" currency. A
    // create that names another is refused.
    let named = text("currency");
    if !named.is_empty() && !named.eq_ignore_ascii_case(route.from_currency) {
        return fail(
            StatusCode::BAD_REQUEST,
            "CURRENCY_MISMATCH",
            &format!(
                "this route takes {} ({from}), not {named}",
                route.from_currency
            ),
        );
    }
    // "amount: FLOAT": a JSON number (or its text in a form), kept as the engine prints it.
    let in_amount = match request.get("amount") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.trim().to_string(),
        _ => String::new(),
    };
    let Some(in_units) = units(&in_amount).filter(|u| *u > 0) else {
        return fail(
            StatusCode::BAD_REQUEST,
            "AMOUNT_INVALID",
            "amount must be a positive number",
        );
    };
    if in_units < route.min * 100_000_000 || in_units > route.max * 100_000_000 {
        return fail(
            StatusCode::BAD_REQUEST,
            "AMOUNT_OUT_OF_RANGE",
            &format!(
                "amount must be between {} and {} {}",
                route.min, route.max, route.from_currency
            ),
        );
    }
    let lang = text("lang");
    if !matches!(lang.as_str(), "ru" | "en") {
        return fail(
            StatusCode::BAD_REQUEST,
            "LANG_INVALID",
            "lang must be ru or en",
        );
    }
    if request.get("agreement") != Some(&json!(true)) {
        return fail(
            StatusCode::BAD_REQUEST,
            "AGREEMENT_REQUIRED",
            "the client must accept the agreement",
        );
    }
    for name in ["fromValues", "toValues", "routeValues"] {
        if !requisites_ok(request.get(name)) {
            return fail(
                StatusCode::BAD_REQUEST,
                "VALUES_INVALID",
                &format!("{name} must be a list of {{key, value}}"),
            );
        }
    }
    let ipn_url = Some(text("ipnUrl")).filter(|u| !u.is_empty());
    let ipn_secret = Some(text("ipnSecret")).filter(|s| !s.is_empty());
    if ipn_url.is_some() && ipn_secret.is_none() {
        return fail(
            StatusCode::BAD_REQUEST,
            "IPN_SECRET_REQUIRED",
            "ipnSecret is required with ipnUrl",
        );
    }
    let object_id = random_text(24, b"0123456789abcdef");
    let secret = random_text(
        24,
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    );
    let out_amount = units_text(in_units * rate / 100 / 1_000_000 * 1_000_000);
    let to_values = request
        .get("toValues")
        .cloned()
        .unwrap_or(json!([]))
        .to_string();
    let now = now_ms();
    let uid = {
        let conn = state.store.conn();
        let next: i64 = conn
            .query_row(
                "SELECT COALESCE(MAX(uid), 1400) + 1 FROM smartexpay_orders",
                [],
                |r| r.get(0),
            )
            .unwrap_or(1401);
        let inserted = conn.execute(
            "INSERT INTO smartexpay_orders (uid, object_id, secret, route_id, partner, in_amount, out_amount, xml_from, xml_to, lang,
                status, ipn_url, ipn_secret, client_callback_url, to_values, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'waitPayment', ?11, ?12, ?13, ?14, ?15, ?15)",
            params![
                next,
                object_id,
                secret,
                route_id,
                request.get("partner").and_then(Value::as_str),
                in_amount,
                out_amount,
                from,
                to,
                lang,
                ipn_url,
                ipn_secret,
                request.get("clientCallbackUrl").and_then(Value::as_str),
                to_values,
                now
            ],
        );
        if let Err(e) = inserted {
            return fail(StatusCode::INTERNAL_SERVER_ERROR, "DB", &e.to_string());
        }
        next
    };
    Json(json!({
        "success": true,
        "data": {
            "_id": object_id,
            "uid": uid,
            "secret": secret,
            "status": "waitPayment",
            "inAmount": json_number(&in_amount),
            "outAmount": json_number(&out_amount),
            "route": { "from": from, "to": to },
        }
    }))
    .into_response()
}

/// Decimal text as a JSON number (what the engine sends), falling back to the text.
fn json_number(text: &str) -> Value {
    serde_json::from_str::<serde_json::Number>(text)
        .map(Value::Number)
        .unwrap_or_else(|_| json!(text))
}

#[derive(Deserialize)]
struct GetQuery {
    #[serde(rename = "orderUID")]
    order_uid: Option<String>,
    #[serde(rename = "orderSecret")]
    order_secret: Option<String>,
}

fn find(state: &SandboxState, uid: &str, secret: &str) -> Option<SmartexpayOrder> {
    state
        .store
        .smartexpay_order(uid)
        .ok()
        .flatten()
        .filter(|o| o.secret == secret)
}

async fn get_order(
    State(state): State<SandboxState>,
    fault: HandlerFault,
    headers: HeaderMap,
    Query(query): Query<GetQuery>,
) -> Response {
    if let Err(r) = authorised(&state, &headers) {
        return r;
    }
    let Some(mut order) = find(
        &state,
        query.order_uid.as_deref().unwrap_or_default(),
        query.order_secret.as_deref().unwrap_or_default(),
    ) else {
        return fail(StatusCode::NOT_FOUND, "ORDER_NOT_FOUND", "Order not found");
    };
    if fault.is_some_and(|f| f.kind == FaultKind::WrongOrder) {
        // A genuine answer, about another order (a replay).
        order = match state.store.smartexpay_other_order(order.uid) {
            Ok(Some(other)) => other,
            _ => SmartexpayOrder {
                uid: order.uid + 1000,
                object_id: "5d8e6002b80b7b4cd75a9999".into(),
                in_amount: "1".into(),
                status: "done".into(),
                ..order
            },
        };
    }
    Json(json!({
        "success": true,
        "data": {
            "_id": order.object_id,
            "uid": order.uid,
            "status": order.status,
            "inAmount": json_number(&order.in_amount),
            "outAmount": json_number(&order.out_amount),
            "route": { "from": order.xml_from, "to": order.xml_to },
        }
    }))
    .into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateStatus {
    #[serde(rename = "orderUID")]
    order_uid: Value,
    order_secret: String,
    status: String,
}

async fn update_status(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(r) = authorised(&state, &headers) {
        return r;
    }
    let Ok(request) = serde_json::from_slice::<UpdateStatus>(&body) else {
        return fail(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "orderUID, orderSecret and status are required",
        );
    };
    let uid = match &request.order_uid {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let Some(order) = find(&state, &uid, &request.order_secret) else {
        return fail(StatusCode::NOT_FOUND, "ORDER_NOT_FOUND", "Order not found");
    };
    let manual = is_manual(&order.route_id);
    if request.status != "inProgress" || order.status != "waitPayment" || !manual {
        return fail(
            StatusCode::BAD_REQUEST,
            "STATUS_NOT_ALLOWED",
            &format!(
                "a merchant can only move an order of a manual route from waitPayment to inProgress (it is {})",
                order.status
            ),
        );
    }
    match state
        .store
        .smartexpay_move(order.uid, &["waitPayment"], "inProgress")
    {
        Ok(Some(moved)) => {
            tokio::spawn(async move {
                send_ipn(&state.store, &moved).await;
            });
            Json(json!({ "success": true, "data": { "uid": order.uid, "status": "inProgress" } }))
                .into_response()
        }
        _ => fail(
            StatusCode::CONFLICT,
            "STATUS_NOT_ALLOWED",
            "the order changed meanwhile",
        ),
    }
}

/// The IPN's form fields for an order's current status, with the hash (§4).
pub fn ipn_fields(store: &SandboxStore, order: &SmartexpayOrder) -> Vec<(String, String)> {
    let timestamp = now_ms().to_string();
    let uid = order.uid.to_string();
    let values = [
        order.object_id.as_str(),
        order.status.as_str(),
        order.in_amount.as_str(),
        order.out_amount.as_str(),
        order.xml_from.as_str(),
        order.xml_to.as_str(),
        timestamp.as_str(),
    ];
    let hash = smartexpay_ipn_hash(values, order.ipn_secret.as_deref().unwrap_or_default());
    let hash_field = store
        .sandbox_setting("smartexpay.hash_field")
        .ok()
        .flatten()
        .unwrap_or_else(|| "hash".into());
    let mut fields: Vec<(String, String)> = [
        ("orderUID", uid.as_str()),
        ("orderId", values[0]),
        ("newStatus", values[1]),
        ("inAmount", values[2]),
        ("outAmount", values[3]),
        ("xml_from", values[4]),
        ("xml_to", values[5]),
        ("timestamp", values[6]),
        ("toValues", order.to_values.as_str()),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    fields.push((hash_field, hash));
    fields
}

/// Sends the IPN once (never retried, as SmartExPay does) and keeps it in the log.
pub async fn send_ipn(store: &SandboxStore, order: &SmartexpayOrder) -> bool {
    let Some(url) = order.ipn_url.as_deref() else {
        return false;
    };
    let fields = ipn_fields(store, order);
    let body = serde_urlencoded::to_string(&fields).unwrap_or_default();
    let delivered = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
    {
        Ok(http) => match http
            .post(url)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
        {
            Ok(r) => r.status().is_success(),
            Err(e) => {
                tracing::info!(
                    uid = order.uid,
                    "sandbox smartexpay IPN not delivered (it is not resent): {e}"
                );
                false
            }
        },
        Err(_) => false,
    };
    let _ = store.conn().execute(
        "INSERT INTO smartexpay_ipns (uid, body, delivered, sent_at) VALUES (?1, ?2, ?3, ?4)",
        params![order.uid, body, delivered as i64, now_ms()],
    );
    delivered
}

/// The customer pays or declines. On an automatic route a payment moves the order to
/// inProgress; on a manual route it waits for the merchant. Returns the order after it and
/// whether it changed.
fn customer_acts(
    store: &SandboxStore,
    uid: i64,
    approve: bool,
) -> Result<Option<(SmartexpayOrder, bool)>> {
    let Some(order) = store.smartexpay_order(&uid.to_string())? else {
        return Ok(None);
    };
    let manual = is_manual(&order.route_id);
    let moved = if !approve {
        store.smartexpay_move(uid, &["new", "waitPayment"], "errorPayment")?
    } else if manual {
        store.conn().execute(
            "UPDATE smartexpay_orders SET customer_paid = 1 WHERE uid = ?1 AND status = 'waitPayment'",
            [uid],
        )?;
        None
    } else {
        store.smartexpay_move(uid, &["new", "waitPayment"], "inProgress")?
    };
    let changed = moved.is_some();
    let order = match moved {
        Some(order) => order,
        None => store
            .smartexpay_order(&uid.to_string())?
            .ok_or_else(|| crate::Error::NotFound(format!("sandbox order {uid}")))?,
    };
    Ok(Some((order, changed)))
}

/// `paydesk sandbox pay` for a SmartExPay order (by uid): the customer acts, and the IPN is
/// sent once if the status changed. `None` when the reference is no SmartExPay order.
pub async fn settle(
    store: &SandboxStore,
    reference: &str,
    approve: bool,
) -> Result<Option<String>> {
    let Ok(uid) = reference.trim().parse::<i64>() else {
        return Ok(None);
    };
    let Some((order, changed)) = customer_acts(store, uid, approve)? else {
        return Ok(None);
    };
    if changed && !send_ipn(store, &order).await {
        eprintln!(
            "(the IPN was not received at {}: SmartExPay does not resend it; polling finds the order)",
            order.ipn_url.as_deref().unwrap_or("-")
        );
    }
    let word = match order.status.as_str() {
        "inProgress" | "inProgressPayout" | "done" => "paid".to_string(),
        "errorPayment" | "deleted" => "declined".to_string(),
        "waitPayment" if order.customer_paid => {
            "paid by the customer, waiting for the merchant to confirm (manual route)".to_string()
        }
        other => other.to_string(),
    };
    Ok(Some(format!(
        "sandbox smartexpay order {} is {word}",
        order.uid
    )))
}

/// The customer comes back `age` after the order was made (past Paydesk's own 15 minutes,
/// within SmartExPay's lifetime) and pays: the order is made that old, then paid as by
/// `settle`. `None` when the reference is no SmartExPay order.
pub async fn pay_late(
    store: &SandboxStore,
    reference: &str,
    age: Duration,
) -> Result<Option<String>> {
    let Ok(uid) = reference.trim().parse::<i64>() else {
        return Ok(None);
    };
    if !store.smartexpay_backdate(uid, age.as_millis() as i64)? {
        return Ok(None);
    }
    settle(store, reference, true).await
}

#[derive(Deserialize)]
struct PagePath {
    lang: String,
    uid: String,
    secret: String,
}

async fn show(State(state): State<SandboxState>, Path(p): Path<PagePath>) -> Response {
    let Some(order) = find(&state, &p.uid, &p.secret) else {
        return (
            StatusCode::NOT_FOUND,
            page("Not found", "<h1>No such exchange order</h1>"),
        )
            .into_response();
    };
    let base = format!(
        "/smartexpay/{}/payment/{}/{}",
        escape(&p.lang),
        order.uid,
        escape(&order.secret)
    );
    let body = match order.status.as_str() {
        "waitPayment" | "new" if order.customer_paid => {
            "<h1 data-testid=result>Payment sent</h1><p>Waiting for the merchant to confirm it.</p>".to_string()
        }
        "waitPayment" | "new" => format!(
            "<h1>SmartExPay exchange</h1><p class=amount data-testid=amount>{amount} {from}</p><p>to {out} {to} · order {uid}</p>\
             <form method=post action='{base}/pay'><button class=pay type=submit>Pay</button></form>\
             <form method=post action='{base}/decline'><button class=decline type=submit>Decline</button></form>",
            amount = escape(&order.in_amount),
            from = escape(&order.xml_from),
            out = escape(&order.out_amount),
            to = escape(&order.xml_to),
            uid = order.uid,
        ),
        other => format!("<h1 data-testid=result>Order {}: {}</h1>", order.uid, escape(other)),
    };
    page("Exchange", &body).into_response()
}

async fn page_settle(state: SandboxState, p: PagePath, approve: bool) -> Response {
    let Some(order) = find(&state, &p.uid, &p.secret) else {
        return (
            StatusCode::NOT_FOUND,
            page("Not found", "<h1>No such exchange order</h1>"),
        )
            .into_response();
    };
    match customer_acts(&state.store, order.uid, approve) {
        Ok(Some((order, changed))) => {
            if changed {
                let sent = order.clone();
                tokio::spawn(async move {
                    send_ipn(&state.store, &sent).await;
                });
            }
            let heading = match order.status.as_str() {
                "inProgress" => "Paid",
                "waitPayment" => "Payment sent",
                _ => "Declined",
            };
            page(heading, &format!("<h1 data-testid=result>{heading}</h1>")).into_response()
        }
        _ => (
            StatusCode::NOT_FOUND,
            page("Not found", "<h1>No such exchange order</h1>"),
        )
            .into_response(),
    }
}

async fn pay(State(state): State<SandboxState>, Path(p): Path<PagePath>) -> Response {
    page_settle(state, p, true).await
}

async fn decline(State(state): State<SandboxState>, Path(p): Path<PagePath>) -> Response {
    page_settle(state, p, false).await
}

#[derive(Deserialize)]
struct LateQuery {
    minutes: Option<i64>,
}

/// The page's "pay N minutes late" action (default 20): the order is made that old, then the
/// customer pays (if SmartExPay's lifetime has not run out).
async fn pay_late_page(
    State(state): State<SandboxState>,
    Path(p): Path<PagePath>,
    Query(late): Query<LateQuery>,
) -> Response {
    if let Some(order) = find(&state, &p.uid, &p.secret) {
        let minutes = late.minutes.unwrap_or(20).max(0);
        let _ = state
            .store
            .smartexpay_backdate(order.uid, minutes * 60 * 1000);
    }
    page_settle(state, p, true).await
}
