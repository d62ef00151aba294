//! The sandbox's SMEPay V2 (reference/gateways.md §2), written from the reference with its
//! own wire types: `auth` (bearer tokens with a configurable, possibly short, lifetime),
//! `order/create`, `order/initiate`, `order/validate` and `order/status`, served under both
//! path families (`/smepay/api/external/...` and `/smepay/api/wiz/external/...`). The
//! customer pays or declines on `/pay/smepay/{slug}`; then the unsigned webhook is POSTed
//! once to the order's callback_url. `smepay-checkout.js` is a stand-in for the vendor's
//! widget script: the same `window.smepayCheckout({slug, onSuccess, onFailure})`.
//!
//! Sandbox settings (`SandboxStore::set_sandbox_setting`): `smepay.token_ttl_ms` (how long a
//! token really lives, default 600 000), `smepay.expires_in` (what the auth answer claims,
//! default the real lifetime), `smepay.order_ttl_ms` (payable window after initiate),
//! `smepay.slug_field` (`slug` to answer create with `slug` instead of `order_slug`). Faults
//! (timeouts, 5xx, malformed or cut bodies, late answers, refused tokens) come from faults.rs.
//!
//! Order lifetime: SMEPay's pages give none (smepay.io/docs only shows EXPIRED in the status
//! flow; the initiate answer carries each order's `expires_at`), so the sandbox gives a long
//! one: an hour after initiate (`DEFAULT_ORDER_TTL_MS`; setting `smepay.order_ttl_ms`), the
//! span Paydesk keeps reconciling an SMEPay order. A customer can pay well after
//! Paydesk's own 15 minutes; `pay_late` (and the page action `/pay/smepay/{slug}/pay-late?minutes=N`)
//! makes an order N minutes old (default 20) and then pays it.
//!
//! Faults handed to the handlers:
//! - `wrong-order` on `status`: a genuine answer about another order (a paid one when there
//!   is one, else a made-up paid order), as a replay would give; `value` unused.

use std::time::Duration;

use axum::extract::{Path, State};
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
use super::{SandboxState, SANDBOX_SMEPAY_CLIENT_ID, SANDBOX_SMEPAY_CLIENT_SECRET};
use paydesk_domain::clock::now_ms;
use paydesk_domain::error::Result;

/// A 1x1 PNG: the sandbox's stand-in for SMEPay's base64 QR image (the link is the QR).
const QR_PNG_BASE64: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

pub(super) fn routes() -> Router<SandboxState> {
    let mut router = Router::new();
    for family in ["/smepay/api/external", "/smepay/api/wiz/external"] {
        router = router
            .route(&format!("{family}/auth"), post(auth))
            .route(&format!("{family}/order/create"), post(create))
            .route(&format!("{family}/order/initiate"), post(initiate))
            .route(&format!("{family}/order/validate"), post(validate))
            .route(&format!("{family}/order/status"), post(status));
    }
    router
        .route("/smepay/sdk/smepay-checkout.js", get(script))
        .route("/pay/smepay/{slug}", get(show))
        .route("/pay/smepay/{slug}/pay", post(pay))
        .route("/pay/smepay/{slug}/pay-late", post(pay_late_page))
        .route("/pay/smepay/{slug}/decline", post(decline))
}

/// An SMEPay order as the sandbox keeps it.
#[derive(Debug, Clone)]
pub struct SmepayOrder {
    pub slug: String,
    pub client_id: String,
    pub order_id: String,
    /// As it arrived: "100.00".
    pub amount: String,
    pub callback_url: String,
    pub status: String,
    pub transaction_id: String,
    pub expires_at: Option<i64>,
    pub created_at: i64,
    pub processed_at: Option<i64>,
}

fn order_from_row(row: &Row<'_>) -> rusqlite::Result<SmepayOrder> {
    Ok(SmepayOrder {
        slug: row.get("slug")?,
        client_id: row.get("client_id")?,
        order_id: row.get("order_id")?,
        amount: row.get("amount")?,
        callback_url: row.get("callback_url")?,
        status: row.get("status")?,
        transaction_id: row.get("transaction_id")?,
        expires_at: row.get("expires_at")?,
        created_at: row.get("created_at")?,
        processed_at: row.get("processed_at")?,
    })
}

const OPEN: [&str; 3] = ["CREATED", "INITIATED", "PENDING"];

/// How long an initiated order stays payable (SMEPay documents no lifetime: a long one, an
/// hour).
pub const DEFAULT_ORDER_TTL_MS: i64 = 60 * 60 * 1000;

impl SandboxStore {
    /// A sandbox behaviour switch (see each gateway's module for the keys).
    pub fn set_sandbox_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn().execute(
            "INSERT INTO sandbox_settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    pub fn sandbox_setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT value FROM sandbox_settings WHERE key = ?1",
                [key],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn sandbox_setting_i64(&self, key: &str, default: i64) -> i64 {
        self.sandbox_setting(key)
            .ok()
            .flatten()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(default)
    }

    /// How many SMEPay tokens the sandbox has issued (tests of token renewal).
    pub fn smepay_tokens_issued(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT count(*) FROM smepay_tokens", [], |r| r.get(0))?)
    }

    /// An SMEPay order by slug or by the merchant's order_id; an order past its window is
    /// EXPIRED from then on.
    pub fn smepay_order(&self, reference: &str) -> Result<Option<SmepayOrder>> {
        let conn = self.conn();
        let found = conn
            .query_row(
                "SELECT * FROM smepay_orders WHERE slug = ?1 OR order_id = ?1 ORDER BY created_at DESC LIMIT 1",
                [reference],
                order_from_row,
            )
            .optional()?;
        let Some(mut order) = found else {
            return Ok(None);
        };
        if OPEN.contains(&order.status.as_str()) && order.expires_at.is_some_and(|at| now_ms() > at)
        {
            conn.execute(
                "UPDATE smepay_orders SET status = 'EXPIRED' WHERE slug = ?1",
                [&order.slug],
            )?;
            order.status = "EXPIRED".into();
        }
        Ok(Some(order))
    }

    /// The customer pays or declines; only an open order changes.
    pub fn smepay_settle(&self, reference: &str, approve: bool) -> Result<Option<SmepayOrder>> {
        let Some(order) = self.smepay_order(reference)? else {
            return Ok(None);
        };
        let status = if approve { "SUCCESS" } else { "FAILED" };
        self.conn().execute(
            "UPDATE smepay_orders SET status = ?2, processed_at = ?3 WHERE slug = ?1 AND status IN ('CREATED', 'INITIATED', 'PENDING')",
            params![order.slug, status, now_ms()],
        )?;
        self.smepay_order(&order.slug)
    }

    /// Makes an order `age_ms` older (the customer comes back later): its creation and expiry
    /// times move back together. Returns whether there was such an order.
    pub fn smepay_backdate(&self, reference: &str, age_ms: i64) -> Result<bool> {
        let Some(order) = self.smepay_order(reference)? else {
            return Ok(false);
        };
        self.conn().execute(
            "UPDATE smepay_orders SET created_at = created_at - ?2, expires_at = expires_at - ?2 WHERE slug = ?1",
            params![order.slug, age_ms],
        )?;
        Ok(true)
    }

    /// Another order than `slug` of the same client, a paid one when there is one: what a
    /// replayed answer is about.
    fn smepay_other_order(&self, slug: &str, client_id: &str) -> Result<Option<SmepayOrder>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT * FROM smepay_orders WHERE slug != ?1 AND client_id = ?2
                 ORDER BY status = 'SUCCESS' DESC, created_at DESC LIMIT 1",
                [slug, client_id],
                order_from_row,
            )
            .optional()?)
    }

    fn smepay_set_status(&self, slug: &str, from: &[&str], to: &str) -> Result<()> {
        let conn = self.conn();
        for f in from {
            conn.execute(
                "UPDATE smepay_orders SET status = ?2 WHERE slug = ?1 AND status = ?3",
                params![slug, to, f],
            )?;
        }
        Ok(())
    }
}

fn random_hex(bytes: usize) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..bytes)
        .map(|_| format!("{:02x}", rng.random::<u8>()))
        .collect()
}

fn answer(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
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

fn parse_body<T: for<'de> Deserialize<'de>>(body: &[u8]) -> std::result::Result<T, Response> {
    serde_json::from_slice(body).map_err(|e| {
        answer(
            StatusCode::BAD_REQUEST,
            json!({ "status": false, "message": format!("invalid request: {e}") }),
        )
    })
}

#[derive(Deserialize)]
struct AuthBody {
    client_id: String,
    client_secret: String,
}

async fn auth(State(state): State<SandboxState>, body: axum::body::Bytes) -> Response {
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

#[derive(Deserialize)]
struct CreateBody {
    client_id: String,
    amount: Value,
    order_id: String,
    callback_url: String,
    customer_details: Option<Value>,
}

/// "100.00" (or "100", or a number) into paise; at least 1.00.
fn paise(amount: &Value) -> Option<i64> {
    let text = match amount {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > 2
        || !fraction.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    Some(whole * 100 + fraction)
}

async fn create(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let client = match bearer(&state, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body: CreateBody = match parse_body(&body) {
        Ok(b) => b,
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

#[derive(Deserialize)]
struct InitiateBody {
    slug: String,
    client_id: String,
}

fn not_found() -> Response {
    answer(
        StatusCode::NOT_FOUND,
        json!({ "status": false, "message": "Order not found" }),
    )
}

async fn initiate(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let client = match bearer(&state, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body: InitiateBody = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let order = match state.store.smepay_order(&body.slug) {
        Ok(Some(o)) if o.slug == body.slug && o.client_id == client && body.client_id == client => {
            o
        }
        _ => return not_found(),
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

#[derive(Deserialize)]
struct ValidateBody {
    client_id: String,
    amount: Value,
    slug: String,
}

async fn validate(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let client = match bearer(&state, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body: ValidateBody = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let order = match state.store.smepay_order(&body.slug) {
        Ok(Some(o)) if o.slug == body.slug && o.client_id == client && body.client_id == client => {
            o
        }
        _ => return not_found(),
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

#[derive(Deserialize)]
struct StatusBody {
    #[serde(default)]
    client_id: Option<String>,
    order_id: String,
}

async fn status(
    State(state): State<SandboxState>,
    fault: HandlerFault,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let client = match bearer(&state, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body: StatusBody = match parse_body(&body) {
        Ok(b) => b,
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

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339()
}

/// The webhook SMEPay posts to callback_url: unsigned JSON, sent once.
pub fn webhook_body(order: &SmepayOrder) -> Value {
    json!({
        "ref_id": order.order_id,
        "transaction_id": order.slug,
        "status": order.status,
        "amount": order.amount,
        "created_at": rfc3339(order.created_at),
        "processed_at": order.processed_at.map(rfc3339),
    })
}

/// Posts the webhook once; returns whether the merchant answered 2xx.
pub async fn send_webhook(order: &SmepayOrder) -> bool {
    let Ok(http) = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
    else {
        return false;
    };
    match http
        .post(&order.callback_url)
        .json(&webhook_body(order))
        .send()
        .await
    {
        Ok(r) => r.status().is_success(),
        Err(e) => {
            tracing::info!(slug = %order.slug, "sandbox smepay webhook not delivered: {e}");
            false
        }
    }
}

/// `paydesk sandbox pay` for an SMEPay order: settles it and sends the webhook. `None`
/// when the reference is no SMEPay order.
pub async fn settle(
    store: &SandboxStore,
    reference: &str,
    approve: bool,
) -> Result<Option<String>> {
    let Some(order) = store.smepay_settle(reference, approve)? else {
        return Ok(None);
    };
    if matches!(order.status.as_str(), "SUCCESS" | "FAILED")
        && order.processed_at.is_some()
        && !send_webhook(&order).await
    {
        eprintln!(
            "(no webhook receiver answered at {}: the payment shows on the next poll)",
            order.callback_url
        );
    }
    Ok(Some(format!(
        "sandbox smepay order {} ({}) is {}",
        order.slug,
        order.order_id,
        word(&order.status)
    )))
}

/// The customer comes back `age` after the order was made (past Paydesk's own 15 minutes,
/// within SMEPay's lifetime) and pays: the order is made that old, then settled as by
/// `settle`. `None` when the reference is no SMEPay order.
pub async fn pay_late(
    store: &SandboxStore,
    reference: &str,
    age: Duration,
) -> Result<Option<String>> {
    if !store.smepay_backdate(reference, age.as_millis() as i64)? {
        return Ok(None);
    }
    settle(store, reference, true).await
}

fn word(status: &str) -> &'static str {
    match status {
        "SUCCESS" => "paid",
        "FAILED" => "declined",
        "EXPIRED" => "expired",
        _ => "still waiting",
    }
}

async fn show(State(state): State<SandboxState>, Path(slug): Path<String>) -> Response {
    let Ok(Some(order)) = state.store.smepay_order(&slug) else {
        return (
            StatusCode::NOT_FOUND,
            page(
                "Not found",
                &format!("<h1>No sandbox order {}</h1>", escape(&slug)),
            ),
        )
            .into_response();
    };
    let _ = state
        .store
        .smepay_set_status(&order.slug, &["CREATED", "INITIATED"], "PENDING");
    let id = escape(&order.slug);
    let body = match order.status.as_str() {
        "SUCCESS" => format!("<h1 data-testid=result>Paid</h1><p class=amount>{} INR</p>", escape(&order.amount)),
        "FAILED" => "<h1 data-testid=result>Declined</h1>".to_string(),
        "EXPIRED" => "<h1 data-testid=result>This payment has expired</h1>".to_string(),
        _ => format!(
            "<h1>SMEPay UPI</h1><p class=amount data-testid=amount>{amount} INR</p><p>order {order_id}</p>\
             <form method=post action='/pay/smepay/{id}/pay'><button class=pay type=submit>Pay</button></form>\
             <form method=post action='/pay/smepay/{id}/decline'><button class=decline type=submit>Decline</button></form>",
            amount = escape(&order.amount),
            order_id = escape(&order.order_id),
        ),
    };
    page("Pay", &body).into_response()
}

async fn settle_page(state: SandboxState, slug: String, approve: bool) -> Response {
    let Ok(Some(order)) = state.store.smepay_settle(&slug, approve) else {
        return (
            StatusCode::NOT_FOUND,
            page("Not found", "<h1>No such order</h1>"),
        )
            .into_response();
    };
    if order.processed_at.is_some() {
        let sent = order.clone();
        tokio::spawn(async move {
            send_webhook(&sent).await;
        });
    }
    let result = if order.status == "SUCCESS" {
        "SUCCESS"
    } else {
        "FAILED"
    };
    // Inside the widget stand-in, the page tells its opener how it went.
    let relay = format!(
        "<script>if (window.parent !== window) {{ window.parent.postMessage({{ smepay: {{ slug: {}, result: '{result}' }} }}, '*'); }}</script>",
        serde_json::to_string(&order.slug).unwrap_or_default()
    );
    let heading = if result == "SUCCESS" {
        "Paid"
    } else {
        "Declined"
    };
    page(
        heading,
        &format!("<h1 data-testid=result>{heading}</h1>{relay}"),
    )
    .into_response()
}

async fn pay(State(state): State<SandboxState>, Path(slug): Path<String>) -> Response {
    settle_page(state, slug, true).await
}

async fn decline(State(state): State<SandboxState>, Path(slug): Path<String>) -> Response {
    settle_page(state, slug, false).await
}

#[derive(Deserialize)]
struct LateQuery {
    minutes: Option<i64>,
}

/// The page's "pay N minutes late" action (default 20): the order is made that old, then the
/// customer pays (if the order's lifetime has not run out).
async fn pay_late_page(
    State(state): State<SandboxState>,
    Path(slug): Path<String>,
    axum::extract::Query(late): axum::extract::Query<LateQuery>,
) -> Response {
    let minutes = late.minutes.unwrap_or(20).max(0);
    let _ = state.store.smepay_backdate(&slug, minutes * 60 * 1000);
    settle_page(state, slug, true).await
}

/// The stand-in for smepay-checkout.js: `window.smepayCheckout({slug, onSuccess, onFailure})`
/// opens the sandbox's payment page in an overlay and calls back with its result.
async fn script() -> Response {
    const SCRIPT: &str = r#"(function () {
  var origin = new URL(document.currentScript.src).origin;
  window.smepayCheckout = function (options) {
    if (!options || !options.slug) { throw new Error('smepayCheckout: slug is required'); }
    var overlay = document.createElement('div');
    overlay.setAttribute('data-smepay-checkout', options.slug);
    overlay.style.cssText = 'position:fixed;inset:0;background:rgba(0,0,0,.5);display:flex;align-items:center;justify-content:center;z-index:9999';
    var frame = document.createElement('iframe');
    frame.src = origin + '/pay/smepay/' + encodeURIComponent(options.slug);
    frame.style.cssText = 'width:28rem;height:32rem;border:0;border-radius:.5rem;background:#fff';
    overlay.appendChild(frame);
    document.body.appendChild(overlay);
    function done(event) {
      if (event.origin !== origin || !event.data || !event.data.smepay || event.data.smepay.slug !== options.slug) { return; }
      window.removeEventListener('message', done);
      overlay.remove();
      if (event.data.smepay.result === 'SUCCESS') {
        if (options.onSuccess) { options.onSuccess({ slug: options.slug, status: 'SUCCESS' }); }
      } else if (options.onFailure) { options.onFailure(); }
    }
    window.addEventListener('message', done);
  };
})();
"#;
    (
        [(
            header::CONTENT_TYPE,
            "application/javascript; charset=utf-8",
        )],
        SCRIPT,
    )
        .into_response()
}
