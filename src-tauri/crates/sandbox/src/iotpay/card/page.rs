//! The customer's side of V3: the stand-in for the vendor's iotpaycc.js and the card form a
//! `secureId` opens, to pay an order or to save a card.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::notify::spawn_v3_delivery;
use super::wire::order_data;
use crate::iotpay::store::{STATUS_CREATED, STATUS_PAID};
use crate::pages;
use crate::SandboxState;

/// The customer's side: the widget script and the card form (no fault injection here).
pub(crate) fn page_routes() -> Router<SandboxState> {
    Router::new()
        .route("/iotpay/cc/iotpaycc.js", get(script))
        .route("/card/iotpay/{secure_id}", get(card_page).post(card_submit))
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
        pages::escape(secure_id),
        if embedded { "?embedded=1" } else { "" }
    );
    pages::page(
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
            pages::escape(&order.currency)
        );
        return card_form(&secure_id, &title, embedded).into_response();
    }
    if let Ok(Some(_)) = state.store.card_by_secure_id(&secure_id) {
        return card_form(&secure_id, "Save a card", embedded).into_response();
    }
    (
        axum::http::StatusCode::NOT_FOUND,
        pages::page("Not found", "<h1>No such card session</h1>"),
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
                spawn_v3_delivery(state.clone(), order.clone());
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
    pages::page(
        message,
        &format!(
            "<h1 data-testid=result>{}</h1>{relay}",
            pages::escape(message)
        ),
    )
    .into_response()
}
