//! The SMEPay API the sandbox serves, under both path families: `auth` (bearer tokens with a
//! configurable, possibly short, lifetime), `order/create`, `order/initiate`, `order/validate`
//! and `order/status`.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Value};

use super::wire::{
    answer, not_found, paise, parse_body, rfc3339, AuthBody, CreateBody, InitiateBody, StatusBody,
    ValidateBody, QR_PNG_BASE64,
};
use super::{SmepayOrder, DEFAULT_ORDER_TTL_MS};
use crate::faults::{FaultKind, HandlerFault};
use crate::{SandboxState, SANDBOX_SMEPAY_CLIENT_ID, SANDBOX_SMEPAY_CLIENT_SECRET};
use paydesk_domain::clock::now_ms;

fn random_hex(bytes: usize) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..bytes)
        .map(|_| format!("{:02x}", rng.random::<u8>()))
        .collect()
}

/// The client a bearer token belongs to, or the 401 SMEPay gives.
fn bearer(state: &SandboxState, headers: &HeaderMap) -> std::result::Result<String, Response> {
    let unauthorized = || {
        answer(
            StatusCode::UNAUTHORIZED,
            json!({ "status": false, "error": "Unauthorized: invalid or expired token" }),
        )
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(unauthorized)?;
    let found: Option<(String, i64)> = state
        .store
        .conn()
        .query_row(
            "SELECT client_id, expires_at FROM smepay_tokens WHERE token = ?1",
            [token.trim()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(|_| unauthorized())?;
    match found {
        Some((client_id, expires_at)) if now_ms() < expires_at => Ok(client_id),
        _ => Err(unauthorized()),
    }
}

pub(super) async fn auth(State(state): State<SandboxState>, body: axum::body::Bytes) -> Response {
    let body: AuthBody = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if body.client_id != SANDBOX_SMEPAY_CLIENT_ID
        || body.client_secret != SANDBOX_SMEPAY_CLIENT_SECRET
    {
        return answer(
            StatusCode::UNAUTHORIZED,
            json!({ "error": "Invalid client credentials" }),
        );
    }
    let ttl_ms = state
        .store
        .sandbox_setting_i64("smepay.token_ttl_ms", 600_000)
        .max(1);
    let expires_in = state
        .store
        .sandbox_setting_i64("smepay.expires_in", (ttl_ms + 999) / 1000);
    let token = format!("smp_{}", random_hex(24));
    let now = now_ms();
    if let Err(e) = state.store.conn().execute(
        "INSERT INTO smepay_tokens (token, client_id, expires_at, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![token, body.client_id, now + ttl_ms, now],
    ) {
        return answer(StatusCode::INTERNAL_SERVER_ERROR, json!({ "error": e.to_string() }));
    }
    answer(
        StatusCode::OK,
        json!({ "access_token": token, "token_type": "Bearer", "expires_in": expires_in }),
    )
}

/// The calling client (by its bearer token, else SMEPay's 401) and the request's body (else a
/// 400), in that order.
fn authorised<T: for<'de> serde::Deserialize<'de>>(
    state: &SandboxState,
    headers: &HeaderMap,
    body: &[u8],
) -> std::result::Result<(String, T), Response> {
    let client = bearer(state, headers)?;
    Ok((client, parse_body(body)?))
}

/// The order a slug names, when it is the calling client's and the body names that client
/// too; else SMEPay's "Order not found".
fn own_order(
    state: &SandboxState,
    client: &str,
    slug: &str,
    body_client: &str,
) -> std::result::Result<SmepayOrder, Response> {
    match state.store.smepay_order(slug) {
        Ok(Some(o)) if o.slug == slug && o.client_id == client && body_client == client => Ok(o),
        _ => Err(not_found()),
    }
}

pub(super) async fn create(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (client, body): (String, CreateBody) = match authorised(&state, &headers, &body) {
        Ok(called) => called,
        Err(r) => return r,
    };
    let refuse = |message: &str| {
        answer(
            StatusCode::BAD_REQUEST,
            json!({ "status": false, "message": message }),
        )
    };
    if body.client_id != client {
        return refuse("client_id does not match the token");
    }
    let Some(minor) = paise(&body.amount) else {
        return refuse("amount must be rupees with at most two decimals, e.g. \"100.00\"");
    };
    if minor < 100 {
        return refuse("amount must be at least 1.00");
    }
    if body.order_id.trim().is_empty() || body.order_id.chars().count() > 64 {
        return refuse("order_id is required (at most 64 characters)");
    }
    if !(body.callback_url.starts_with("http://") || body.callback_url.starts_with("https://")) {
        return refuse("callback_url must be an http(s) URL");
    }
    let customer = body.customer_details.unwrap_or(Value::Null);
    if !["email", "mobile", "name"].iter().all(|k| {
        customer
            .get(*k)
            .and_then(Value::as_str)
            .is_some_and(|v| !v.is_empty())
    }) {
        return refuse("customer_details needs email, mobile and name");
    }
    let slug_field = state
        .store
        .sandbox_setting("smepay.slug_field")
        .ok()
        .flatten()
        .unwrap_or_else(|| "order_slug".into());
    // The same order_id answers the same slug (a resent create).
    if let Ok(Some(existing)) = state.store.smepay_order(&body.order_id) {
        if existing.client_id == client && existing.order_id == body.order_id {
            return answer(
                StatusCode::OK,
                json!({ "status": true, slug_field: existing.slug, "message": "Order already exists" }),
            );
        }
    }
    let slug = random_hex(6);
    let result = state.store.conn().execute(
        "INSERT INTO smepay_orders (slug, client_id, order_id, amount, callback_url, customer, status, transaction_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'CREATED', ?7, ?8)",
        params![
            slug,
            client,
            body.order_id,
            format!("{}.{:02}", minor / 100, minor % 100),
            body.callback_url,
            customer.to_string(),
            format!("TXN{}", random_hex(5).to_uppercase()),
            now_ms()
        ],
    );
    if let Err(e) = result {
        return answer(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({ "status": false, "message": e.to_string() }),
        );
    }
    answer(
        StatusCode::OK,
        json!({ "status": true, slug_field: slug, "message": "Order created successfully" }),
    )
}

pub(super) async fn initiate(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (client, body): (String, InitiateBody) = match authorised(&state, &headers, &body) {
        Ok(called) => called,
        Err(r) => return r,
    };
    let order = match own_order(&state, &client, &body.slug, &body.client_id) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if order.status == "CREATED" {
        let ttl = state
            .store
            .sandbox_setting_i64("smepay.order_ttl_ms", DEFAULT_ORDER_TTL_MS);
        let _ = state.store.conn().execute(
            "UPDATE smepay_orders SET status = 'INITIATED', expires_at = ?2 WHERE slug = ?1 AND status = 'CREATED'",
            params![order.slug, now_ms() + ttl],
        );
    }
    let Ok(Some(order)) = state.store.smepay_order(&order.slug) else {
        return not_found();
    };
    let upi = format!(
        "pa=sandbox@smepay&pn=Paydesk%20Sandbox&am={}&cu=INR&tr={}",
        order.amount, order.transaction_id
    );
    answer(
        StatusCode::OK,
        json!({
            "status": true,
            "payment_link": format!("{}/pay/smepay/{}", state.public_base, order.slug),
            "qr_code": QR_PNG_BASE64,
            "intents": {
                "gpay": format!("tez://upi/pay?{upi}"),
                "phonepe": format!("phonepe://pay?{upi}"),
                "paytm": format!("paytmmp://pay?{upi}"),
                "bhim": format!("upi://pay?{upi}"),
            },
            "payment_status": order.status,
            "expires_at": order.expires_at.map(|ms| ms / 1000),
            "transaction_id": order.transaction_id,
            "amount": order.amount,
        }),
    )
}

pub(super) async fn validate(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (client, body): (String, ValidateBody) = match authorised(&state, &headers, &body) {
        Ok(called) => called,
        Err(r) => return r,
    };
    let order = match own_order(&state, &client, &body.slug, &body.client_id) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if paise(&body.amount) != paise(&json!(order.amount)) {
        return answer(
            StatusCode::OK,
            json!({ "status": false, "payment_status": "AMOUNT_MISMATCH", "message": "amount does not match the order" }),
        );
    }
    // The sandbox is a test environment: a paid order validates as TEST_SUCCESS.
    let payment_status = if order.status == "SUCCESS" {
        "TEST_SUCCESS".to_string()
    } else {
        order.status.clone()
    };
    answer(
        StatusCode::OK,
        json!({ "status": true, "payment_status": payment_status }),
    )
}

pub(super) async fn status(
    State(state): State<SandboxState>,
    fault: HandlerFault,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (client, body): (String, StatusBody) = match authorised(&state, &headers, &body) {
        Ok(called) => called,
        Err(r) => return r,
    };
    if body.client_id.as_deref().is_some_and(|c| c != client) {
        return answer(
            StatusCode::BAD_REQUEST,
            json!({ "status": false, "message": "client_id does not match the token" }),
        );
    }
    let mut order = match state.store.smepay_order(&body.order_id) {
        Ok(Some(o)) if o.order_id == body.order_id && o.client_id == client => o,
        _ => return not_found(),
    };
    if fault.is_some_and(|f| f.kind == FaultKind::WrongOrder) {
        // A genuine answer, about another order (a replay).
        order = match state.store.smepay_other_order(&order.slug, &client) {
            Ok(Some(other)) => other,
            _ => SmepayOrder {
                slug: random_hex(6),
                order_id: format!("{}X", order.order_id),
                amount: "1.00".into(),
                status: "SUCCESS".into(),
                processed_at: Some(now_ms()),
                ..order
            },
        };
    }
    answer(
        StatusCode::OK,
        json!({
            "status": true,
            "order_id": order.order_id,
            "payment_status": order.status,
            "amount": order.amount,
            "provider": "UPI",
            "created_at": rfc3339(order.created_at),
            "processed_at": order.processed_at.map(rfc3339),
        }),
    )
}
