//! The customer's side of the sandbox: the page behind every QR and link it issues, where a
//! trainee (or a test) pays or declines.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use super::store::{SandboxOrder, STATUS_CANCELLED_BY_USER, STATUS_PAID};
use super::SandboxState;

pub(super) fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/pay/iotpay/{id}", get(show))
        .route("/pay/iotpay/{id}/pay", post(pay))
        .route("/pay/iotpay/{id}/decline", post(decline))
}

pub(super) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn amount_text(order: &SandboxOrder) -> String {
    format!(
        "{}.{:02} {}",
        order.amount / 100,
        order.amount % 100,
        escape(&order.currency)
    )
}

pub(super) fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content='width=device-width'>\
         <title>{title} · Paydesk sandbox</title><style>body{{font:18px system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#123}}\
         .amount{{font-size:2.5rem;font-weight:700}}button{{font-size:1.2rem;padding:.8rem 1.6rem;margin:.4rem .4rem 0 0;border-radius:.5rem;border:0;cursor:pointer}}\
         .pay{{background:#0a7d55;color:#fff}}.decline{{background:#e5e7eb}}.note{{color:#667;font-size:.9rem}}</style></head>\
         <body><p class=note>Paydesk sandbox: no real money moves.</p>{body}</body></html>"
    ))
}

fn not_found(id: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        page(
            "Not found",
            &format!("<h1>No sandbox order {}</h1>", escape(id)),
        ),
    )
        .into_response()
}

async fn show(State(state): State<SandboxState>, Path(id): Path<String>) -> Response {
    let Ok(Some(order)) = state.store.find(&id) else {
        return not_found(&id);
    };
    if let Err(e) = state.store.mark_paying(&order.pay_order_id) {
        tracing::warn!("sandbox: {e}");
    }
    let id = escape(&order.pay_order_id);
    let body = match order.status {
        STATUS_PAID | 3 => format!("<h1>Paid</h1><p class=amount>{}</p>", amount_text(&order)),
        STATUS_CANCELLED_BY_USER | 4 => "<h1>This payment was cancelled</h1>".to_string(),
        _ => format!(
            "<h1>{subject}</h1><p class=amount data-testid=amount>{amount}</p><p>{channel} · order {id}</p>\
             <form method=post action='/pay/iotpay/{id}/pay'><button class=pay type=submit>Pay</button></form>\
             <form method=post action='/pay/iotpay/{id}/decline'><button class=decline type=submit>Decline</button></form>",
            subject = escape(&order.subject),
            amount = amount_text(&order),
            channel = escape(&order.channel_id),
        ),
    };
    page("Pay", &body).into_response()
}

async fn settle(state: SandboxState, id: String, approve: bool) -> Response {
    match state.store.settle(&id, approve) {
        Ok(order) if order.status == STATUS_PAID || order.status == 3 => {
            super::notifier::spawn_delivery(state.clone(), order.clone());
            page(
                "Paid",
                &format!(
                    "<h1 data-testid=result>Paid</h1><p class=amount>{}</p>",
                    amount_text(&order)
                ),
            )
            .into_response()
        }
        Ok(_) => page("Declined", "<h1 data-testid=result>Declined</h1>").into_response(),
        Err(_) => not_found(&id),
    }
}

async fn pay(State(state): State<SandboxState>, Path(id): Path<String>) -> Response {
    settle(state, id, true).await
}

async fn decline(State(state): State<SandboxState>, Path(id): Path<String>) -> Response {
    settle(state, id, false).await
}
