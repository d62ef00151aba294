//! The customer's side of SmartPay: the checkout page (`/pay/smartpay/{checkoutToken}`) and
//! the stand-in for the vendor's smp-bundle.js that renders it as the widget.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::send_webhook;
use super::store::OPEN;
use crate::pages::{escape, page};
use crate::SandboxState;

pub(super) async fn show(State(state): State<SandboxState>, Path(token): Path<String>) -> Response {
    let Ok(Some(payment)) = state
        .store
        .smartpay_payment(&token)
        .map(|p| p.filter(|p| p.checkout_token == token))
    else {
        return (
            StatusCode::NOT_FOUND,
            page("Not found", "<h1>No such checkout</h1>"),
        )
            .into_response();
    };
    if payment.status == "CREATED" {
        let _ = state.store.conn().execute(
            "UPDATE smartpay_payments SET status = 'AUTORIZATION_INITIALIZED' WHERE transaction_id = ?1 AND status = 'CREATED'",
            [&payment.transaction_id],
        );
    }
    let body = if OPEN.contains(&payment.status.as_str()) {
        format!(
            "<h1>SmartPay card</h1><p class=amount data-testid=amount>{}.{:02} {}</p><p>{}</p>\
             <form method=post action='/pay/smartpay/{token}/pay'><button class=pay type=submit>Pay</button></form>\
             <form method=post action='/pay/smartpay/{token}/decline'><button class=decline type=submit>Decline</button></form>",
            payment.amount_minor / 100,
            payment.amount_minor % 100,
            escape(&payment.currency),
            escape(payment.description.as_deref().unwrap_or_default()),
            token = escape(&payment.checkout_token),
        )
    } else {
        format!("<h1 data-testid=result>{}</h1>", escape(&payment.status))
    };
    page("Pay", &body).into_response()
}

async fn page_settle(state: SandboxState, token: String, approve: bool) -> Response {
    let Ok(Some(payment)) = state.store.smartpay_settle(&token, approve) else {
        return (
            StatusCode::NOT_FOUND,
            page("Not found", "<h1>No such checkout</h1>"),
        )
            .into_response();
    };
    let store = state.store.clone();
    let id = payment.transaction_id.clone();
    tokio::spawn(async move {
        send_webhook(&store, &id).await;
    });
    // The widget's callback data: transactionStatus is only a hint for the merchant.
    let status = payment.status.clone();
    let relay = format!(
        "<script>if (window.parent !== window) {{ window.parent.postMessage({{ smartpay: {{ checkoutToken: {}, ok: {}, transactionStatus: {} }} }}, '*'); }}</script>",
        serde_json::to_string(&payment.checkout_token).unwrap_or_default(),
        approve,
        serde_json::to_string(&status).unwrap_or_default()
    );
    let heading = match (payment.status.as_str(), approve) {
        // Cancelled by the merchant (cancelOrRefund) before the customer paid.
        ("CANCELLED", _) => "Cancelled",
        (_, true) => "Paid",
        (_, false) => "Declined",
    };
    page(
        heading,
        &format!("<h1 data-testid=result>{heading}</h1>{relay}"),
    )
    .into_response()
}

pub(super) async fn pay(State(state): State<SandboxState>, Path(token): Path<String>) -> Response {
    page_settle(state, token, true).await
}

pub(super) async fn decline(
    State(state): State<SandboxState>,
    Path(token): Path<String>,
) -> Response {
    page_settle(state, token, false).await
}

/// The stand-in for smp-bundle.js: `window.SmpLibrary.SmartPayAppInstance.renderWidget({
/// checkoutToken, containers, successHandler(data), errorHandler(code, message)})`.
pub(super) async fn script() -> Response {
    const SCRIPT: &str = r#"(function () {
  var origin = new URL(document.currentScript.src).origin;
  function renderWidget(options) {
    if (!options || !options.checkoutToken) { throw new Error('renderWidget: checkoutToken is required'); }
    var containers = options.containers || {};
    var selector = containers.paymentContainer || containers.container || containers;
    var host = typeof selector === 'string' ? document.querySelector(selector) : null;
    if (!host) { host = document.createElement('div'); document.body.appendChild(host); }
    var frame = document.createElement('iframe');
    frame.src = origin + '/pay/smartpay/' + encodeURIComponent(options.checkoutToken);
    frame.setAttribute('data-smartpay-widget', options.checkoutToken);
    frame.style.cssText = 'width:100%;min-height:22rem;border:0';
    host.appendChild(frame);
    function done(event) {
      if (event.origin !== origin || !event.data || !event.data.smartpay || event.data.smartpay.checkoutToken !== options.checkoutToken) { return; }
      window.removeEventListener('message', done);
      if (event.data.smartpay.ok) {
        if (options.successHandler) { options.successHandler({ transactionStatus: event.data.smartpay.transactionStatus }); }
      } else if (options.errorHandler) {
        options.errorHandler('PAYMENT_DECLINED', 'The payment was declined');
      }
    }
    window.addEventListener('message', done);
  }
  window.SmpLibrary = window.SmpLibrary || {};
  window.SmpLibrary.SmartPayAppInstance = { renderWidget: renderWidget };
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
