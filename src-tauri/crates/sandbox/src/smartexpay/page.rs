//! The customer's side of SmartExPay: the payment page at
//! `/smartexpay/{lang}/payment/{uid}/{secret}` and its actions (pay, decline, pay N minutes
//! late).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{customer_acts, find, send_ipn};
use crate::pages::{escape, page};
use crate::SandboxState;

#[derive(Deserialize)]
pub(super) struct PagePath {
    lang: String,
    uid: String,
    secret: String,
}

pub(super) async fn show(State(state): State<SandboxState>, Path(p): Path<PagePath>) -> Response {
    let Some(order) = find(&state, &p.uid, &p.secret) else {
        return (
            StatusCode::NOT_FOUND,
            page("Not found", "<h1>No such exchange order</h1>"),
        )
            .into_response();
    };
    let base = format!(
        "/smartexpay/{}/payment/{}/{}",
        escape(&p.lang),
        order.uid,
        escape(&order.secret)
    );
    let body = match order.status.as_str() {
        "waitPayment" | "new" if order.customer_paid => {
            "<h1 data-testid=result>Payment sent</h1><p>Waiting for the merchant to confirm it.</p>".to_string()
        }
        "waitPayment" | "new" => format!(
            "<h1>SmartExPay exchange</h1><p class=amount data-testid=amount>{amount} {from}</p><p>to {out} {to} · order {uid}</p>\
             <form method=post action='{base}/pay'><button class=pay type=submit>Pay</button></form>\
             <form method=post action='{base}/decline'><button class=decline type=submit>Decline</button></form>",
            amount = escape(&order.in_amount),
            from = escape(&order.xml_from),
            out = escape(&order.out_amount),
            to = escape(&order.xml_to),
            uid = order.uid,
        ),
        other => format!("<h1 data-testid=result>Order {}: {}</h1>", order.uid, escape(other)),
    };
    page("Exchange", &body).into_response()
}

async fn page_settle(state: SandboxState, p: PagePath, approve: bool) -> Response {
    let Some(order) = find(&state, &p.uid, &p.secret) else {
        return (
            StatusCode::NOT_FOUND,
            page("Not found", "<h1>No such exchange order</h1>"),
        )
            .into_response();
    };
    match customer_acts(&state.store, order.uid, approve) {
        Ok(Some((order, changed))) => {
            if changed {
                let sent = order.clone();
                tokio::spawn(async move {
                    send_ipn(&state.store, &sent).await;
                });
            }
            let heading = match order.status.as_str() {
                "inProgress" => "Paid",
                "waitPayment" => "Payment sent",
                _ => "Declined",
            };
            page(heading, &format!("<h1 data-testid=result>{heading}</h1>")).into_response()
        }
        _ => (
            StatusCode::NOT_FOUND,
            page("Not found", "<h1>No such exchange order</h1>"),
        )
            .into_response(),
    }
}

pub(super) async fn pay(State(state): State<SandboxState>, Path(p): Path<PagePath>) -> Response {
    page_settle(state, p, true).await
}

pub(super) async fn decline(
    State(state): State<SandboxState>,
    Path(p): Path<PagePath>,
) -> Response {
    page_settle(state, p, false).await
}

#[derive(Deserialize)]
pub(super) struct LateQuery {
    minutes: Option<i64>,
}

/// The page's "pay N minutes late" action (default 20): the order is made that old, then the
/// customer pays (if SmartExPay's lifetime has not run out).
pub(super) async fn pay_late_page(
    State(state): State<SandboxState>,
    Path(p): Path<PagePath>,
    Query(late): Query<LateQuery>,
) -> Response {
    if let Some(order) = find(&state, &p.uid, &p.secret) {
        let minutes = late.minutes.unwrap_or(20).max(0);
        let _ = state
            .store
            .smartexpay_backdate(order.uid, minutes * 60 * 1000);
    }
    page_settle(state, p, true).await
}
