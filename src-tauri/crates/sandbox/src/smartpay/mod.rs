//! The sandbox's SmartPay (reference/gateways.md §3 and §6; seed 003), written from the
//! vendor's pages with its own wire types: the OAuth token endpoint (client credentials), Basic
//! or Bearer auth on every call, `payment/creation`, `payment/status/{transactionId}`, and the
//! modifications capture, refund and cancelOrRefund, each idempotent by its modificationId. The
//! customer pays on `/pay/smartpay/{checkoutToken}`, which the `smp-bundle.js` stand-in renders
//! inside `window.SmpLibrary.SmartPayAppInstance.renderWidget({...})`; every status change
//! POSTs the unsigned webhook once to the registered URL.
//!
//! Vendor pages (documentation.jpmmps.com, SmartPay):
//! - "Response Model and Error Handling" (/docs/smartpay/response-model-and-error-handling): the
//!   modification APIs and Get Payment Status answer the same model: `paymentStatus`,
//!   `transactionOverview{transactionId, amount, currencyCode, paymentMethod}` and
//!   `modifications[]`, each `{modificationData{type (CAPTURE, CANCELLATION, CHARGEBACK,
//!   SETTLEMENT, REFUND), modificationId, reconciliationReferenceId}, creationDate,
//!   modificationAmount, status, lastStatusDate}`; "to check the status of modifications
//!   initiated by you ... evaluate the respective modification inside the modifications object".
//! - "Cancel" (/docs/smartpay/modification-apis/cancel): the modification answer also carries the
//!   one just asked for as `modification`.
//! - "Capture" and "Refund" (/docs/smartpay/modification-apis/capture, .../refund):
//!   `modifiedAmount` is an object `{amount, currencyCode, description?}`, not a number; a retry
//!   with the same modificationId is given "the same result as in the initial request".
//! - "Cancel or Refund" (/docs/smartpay-openapi/cancel-or-refund-transaction): answers 200,
//!   400, 401, 403, 404, 500. A refusal here is HTTP 400 with `{errorCode, message}` (the
//!   error body's fields are not on the pages read; they are the sandbox's).
//!   "Cancels or fully refunds a transaction depending on the transaction status": an open
//!   checkout (CREATED, AUTORIZATION_INITIALIZED) or an authorisation is cancelled (CANCELLED,
//!   the widget can no longer be paid), a captured payment refunded in full.
//! - "Payment Status Model" (/docs/smartpay/payment-status-model): CREATED,
//!   AUTORIZATION_INITIALIZED, AUTHORIZATION_COMPLETED, CAPTURE_PENDING, CAPTURED, SETTLED.
//!
//! A modification's own `status` reads as the payment status model: CAPTURED, REFUNDED,
//! CANCELLED when done, `CAPTURE_PENDING` (and `REFUND_PENDING`, `CANCELLATION_PENDING`) while
//! the provider has not confirmed it, `CAPTURE_FAILED` / `REFUND_FAILED` /
//! `CANCELLATION_FAILED` when it failed. Only CAPTURE_PENDING is on the pages read; the other
//! pending and failed words are the sandbox's (and the adapter's table names them the same).
//!
//! Faults this file answers (switched on with `/sandbox/faults`, `paydesk sandbox fault`):
//! - `creation` + `claim-success`: the create answer says `paymentStatus: CAPTURED` while the
//!   payment is only CREATED (a create answer is never a payment status, §6).
//! - status (`call` is the path's last segment, i.e. the transactionId, or `*`) + `wrong-order`:
//!   the answer is another paid payment's status (the newest CAPTURED one; a made-up one when
//!   there is none), as a replay would be.
//! - `capture` / `refund` / `cancelOrRefund` + `refuse`: HTTP 400 `MODIFICATION_REFUSED`,
//!   nothing is done; the same modificationId resent is refused again.
//! - `capture` / `refund` / `cancelOrRefund` + `pending`: the modification is taken but answers
//!   `<TYPE>_PENDING`; it shows pending in the next status answer's `modifications[]` and
//!   settles on the one after (`value` 1 or none: it is done; 0: it failed).
//! - `truncated`, `late-answer`, `timeout`, `http-500`, `malformed` work on every call (the
//!   middleware's). A cut or late create still leaves the checkout open and payable.
//!
//! Get Payment Status takes only the transactionId (/docs/smartpay/get-payment-status-api):
//! there is no lookup by partnerReference. The sandbox answering a repeated partnerReference
//! with the same checkout is its own kindness, not the vendor's documented behaviour ("If
//! provided must be unique", Create Checkout API): nothing should rely on it.
//!
//! Sandbox settings: `smartpay.pending_answers` (how many status queries answer a PENDING
//! state after the customer paid, default 0), `smartpay.pending_status` (which one, default
//! AUTHORIZATION_PENDING), `smartpay.auto_capture` (`false`: a payment stops at
//! AUTHORIZATION_COMPLETED until captured), `smartpay.token_ttl_ms`, `smartpay.webhook_url`.
//! A declined payment ends AUTHORIZATION_FAILED (the status model pages read list no failure
//! status; this is the sandbox's choice, named in the adapter's table).

mod api;
mod modifications;
mod page;
mod store;
mod wire;

pub use store::{SmartpayModification, SmartpayPayment};

use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use self::wire::{iso, uuid};
use crate::{SandboxState, SandboxStore, SANDBOX_SMARTPAY_MERCHANT_KEY};
use paydesk_domain::clock::now_ms;
use paydesk_domain::error::Result;

pub(super) fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/smartpay/oauth2/token", post(api::token))
        .route("/smartpay/payment/creation", post(api::creation))
        .route(
            "/smartpay/payment/status/{transaction_id}",
            get(api::status),
        )
        .route("/smartpay/payment/capture", post(modifications::capture))
        .route("/smartpay/payment/refund", post(modifications::refund))
        .route(
            "/smartpay/payment/cancelOrRefund",
            post(modifications::cancel_or_refund),
        )
        .route("/smartpay/smp-bundle.js", get(page::script))
        .route("/pay/smartpay/{token}", get(page::show))
        .route("/pay/smartpay/{token}/pay", post(page::pay))
        .route("/pay/smartpay/{token}/decline", post(page::decline))
}

/// The unsigned webhook, POSTed once to `smartpay.webhook_url` when one is registered.
pub async fn send_webhook(store: &SandboxStore, transaction_id: &str) -> bool {
    let Some(url) = store.sandbox_setting("smartpay.webhook_url").ok().flatten() else {
        return false;
    };
    let body = json!({
        "id": uuid(),
        "merchantKey": SANDBOX_SMARTPAY_MERCHANT_KEY,
        "createdAt": iso(now_ms()),
        "eventType": "PAYMENT_STATUS_CHANGED",
        "objectId": transaction_id,
        "objectType": "payment",
    });
    crate::webhook::post_once(
        &url,
        &body,
        &format!("sandbox smartpay webhook for {transaction_id}"),
    )
    .await
}

/// `paydesk sandbox pay` for a SmartPay payment (by partnerReference = our order number, or
/// transactionId); sends the webhook. `None` when no such payment.
pub async fn settle(
    store: &SandboxStore,
    reference: &str,
    approve: bool,
) -> Result<Option<String>> {
    let Some(before) = store.smartpay_payment(reference)? else {
        return Ok(None);
    };
    let Some(after) = store.smartpay_settle(reference, approve)? else {
        return Ok(None);
    };
    if after.status != before.status {
        send_webhook(store, &after.transaction_id).await;
    }
    let word = match after
        .final_status
        .as_deref()
        .unwrap_or(after.status.as_str())
    {
        "CAPTURED" => "paid",
        "AUTHORIZATION_COMPLETED" => "authorised",
        "AUTHORIZATION_FAILED" => "declined",
        "CANCELLED" => "cancelled (the merchant cancelled it: it can no longer be paid)",
        other => other,
    }
    .to_string();
    Ok(Some(format!(
        "sandbox smartpay payment {} ({}) is {word}",
        after.transaction_id, after.partner_reference
    )))
}
