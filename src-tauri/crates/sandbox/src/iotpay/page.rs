//! The customer's side of the IOTPay sandbox: the page behind every QR and link it issues,
//! where a trainee (or a test) pays or declines; a payment notifies the merchant.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use super::store::{SandboxOrder, STATUS_CANCELLED_BY_USER, STATUS_PAID};
use crate::pages::{escape, page};
use crate::SandboxState;

pub(super) fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/pay/iotpay/{id}", get(show))
        .route("/pay/iotpay/{id}/pay", post(pay))
        .route("/pay/iotpay/{id}/decline", post(decline))
}

fn amount_text(order: &SandboxOrder) -> String {
    format!(
        "{}.{:02} {}",
        order.amount / 100,
        order.amount % 100,
        escape(&order.currency)
    )
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
