//! The customer's side of SMEPay: the payment page (`/pay/smepay/{slug}`), its "pay N
//! minutes late" action, and the stand-in for the vendor's smepay-checkout.js.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::send_webhook;
use crate::pages::{escape, page};
use crate::SandboxState;

pub(super) async fn show(State(state): State<SandboxState>, Path(slug): Path<String>) -> Response {
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

pub(super) async fn pay(State(state): State<SandboxState>, Path(slug): Path<String>) -> Response {
    settle_page(state, slug, true).await
}

pub(super) async fn decline(
    State(state): State<SandboxState>,
    Path(slug): Path<String>,
) -> Response {
    settle_page(state, slug, false).await
}

#[derive(Deserialize)]
pub(super) struct LateQuery {
    minutes: Option<i64>,
}

/// The page's "pay N minutes late" action (default 20): the order is made that old, then the
/// customer pays (if the order's lifetime has not run out).
pub(super) async fn pay_late_page(
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
pub(super) async fn script() -> Response {
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
