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
//! Faults handed to the handlers (faults/; the generic ones act in the middleware):
//! - `wrong-order` on `get`: a genuine answer about another order of the sandbox (a paid one
//!   when there is one), as a replay would give; `value` unused.

mod api;
mod exchange;
mod ipn;
mod page;
mod store;
mod wire;

pub use exchange::route_from_currency;
pub use ipn::{ipn_fields, send_ipn};
pub use store::{SmartexpayOrder, DEFAULT_ORDER_TTL_MS};

use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;

use self::exchange::is_manual;
use crate::{SandboxState, SandboxStore};
use paydesk_domain::error::Result;

pub(super) fn routes() -> Router<SandboxState> {
    Router::new()
        .route(
            "/smartexpay/public/exchanger/order/create",
            post(api::create),
        )
        .route(
            "/smartexpay/public/exchanger/order/get",
            get(api::get_order),
        )
        .route(
            "/smartexpay/public/exchanger/order/update-status",
            axum::routing::put(api::update_status),
        )
        .route("/smartexpay/{lang}/payment/{uid}/{secret}", get(page::show))
        .route("/smartexpay/{lang}/order/{uid}/{secret}", get(page::show))
        .route(
            "/smartexpay/{lang}/payment/{uid}/{secret}/pay",
            post(page::pay),
        )
        .route(
            "/smartexpay/{lang}/payment/{uid}/{secret}/pay-late",
            post(page::pay_late_page),
        )
        .route(
            "/smartexpay/{lang}/payment/{uid}/{secret}/decline",
            post(page::decline),
        )
}

/// The order `uid`, when `secret` is its own (the API and the customer's page ask with both).
fn find(state: &SandboxState, uid: &str, secret: &str) -> Option<SmartexpayOrder> {
    state
        .store
        .smartexpay_order(uid)
        .ok()
        .flatten()
        .filter(|o| o.secret == secret)
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
