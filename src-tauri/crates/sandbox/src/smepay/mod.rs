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
//! (timeouts, 5xx, malformed or cut bodies, late answers, refused tokens) come from faults/.
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

mod api;
mod page;
mod store;
mod wire;

pub use store::{SmepayOrder, DEFAULT_ORDER_TTL_MS};
pub use wire::webhook_body;

use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;

use crate::{SandboxState, SandboxStore};
use paydesk_domain::error::Result;

pub(super) fn routes() -> Router<SandboxState> {
    let mut router = Router::new();
    for family in ["/smepay/api/external", "/smepay/api/wiz/external"] {
        router = router
            .route(&format!("{family}/auth"), post(api::auth))
            .route(&format!("{family}/order/create"), post(api::create))
            .route(&format!("{family}/order/initiate"), post(api::initiate))
            .route(&format!("{family}/order/validate"), post(api::validate))
            .route(&format!("{family}/order/status"), post(api::status));
    }
    router
        .route("/smepay/sdk/smepay-checkout.js", get(page::script))
        .route("/pay/smepay/{slug}", get(page::show))
        .route("/pay/smepay/{slug}/pay", post(page::pay))
        .route("/pay/smepay/{slug}/pay-late", post(page::pay_late_page))
        .route("/pay/smepay/{slug}/decline", post(page::decline))
}

/// Posts the webhook once; returns whether the merchant answered 2xx.
pub async fn send_webhook(order: &SmepayOrder) -> bool {
    crate::webhook::post_once(
        &order.callback_url,
        &webhook_body(order),
        &format!("sandbox smepay webhook for {}", order.slug),
    )
    .await
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
