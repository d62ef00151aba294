//! The exchanger API the sandbox serves: `order/create`, `order/get` and
//! `order/update-status`, behind the API key header.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::params;
use serde_json::{json, Value};

use super::exchange::{is_manual, route};
use super::wire::{
    fail, form_to_json, json_number, requisites_ok, units, units_text, GetQuery, UpdateStatus,
};
use super::{find, send_ipn, SmartexpayOrder};
use crate::faults::{FaultKind, HandlerFault};
use crate::random::random_text;
use crate::{SandboxState, SANDBOX_SMARTEXPAY_API_KEY};
use paydesk_domain::clock::now_ms;

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

pub(super) async fn create(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
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

pub(super) async fn get_order(
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

pub(super) async fn update_status(
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
