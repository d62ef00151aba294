//! The sandbox's PAX card terminal (IOTPay POS Semi-Integration, guide page
//! "pos_semi_integration"): a CC_PAX order made through v1 `create_order` waits "on the
//! terminal" until the customer taps, inserts or swipes a card there. Written from the vendor's
//! pages, not from the adapter:
//! - the terminal is the order's `device` ("device info", the sample's "V1-B25");
//! - the page documents no notification for it (its notifyUrl is "http://localhost", and
//!   "Asynchronous Notify" says a POS "can get order status by polling"): nothing is sent,
//!   the sale is followed by `query_order`;
//! - the v1 query's statuses (guide page "order_query") are the only ones given: approved is 2
//!   (paid); declined is 9 (v1's "cancelled by user", and IOTPay's card API's "fail"); a card
//!   presented with no answer back leaves it at 1 ("user is paying") for ever. The v1 query
//!   documents no card number or authorisation code, so none is answered.
//!
//! The customer's side is the page `/terminal/iotpay/{reference}` (an order's payOrderId or
//! merchant order number, or a terminal's device id: its newest waiting sale) with Approve,
//! Decline and No answer, and `paydesk sandbox terminal` (`answer_terminal`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use super::store::{SandboxOrder, STATUS_PAID, STATUS_PAYING};
use super::v1::TERMINAL_CHANNEL;
use crate::pages::{escape, page};
use crate::{SandboxState, SandboxStore};
use paydesk_domain::error::{Error, Result};

/// v1 status 9, a card declined at the terminal.
const STATUS_DECLINED: i64 = 9;

/// The sandbox merchant's own PAX terminal: its account's `pax_device` (a real merchant's is
/// the id of the terminal IOTPay gave it, set as `iotpay.<env>.pax_device`).
pub const SANDBOX_TERMINAL: &str = "SBX-PAX-1";

/// What the customer (and the card's bank) did at the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TerminalAnswer {
    /// The card was approved: the order is paid.
    Approve,
    /// The card was declined: the order ends without payment.
    Decline,
    /// The card was presented and no answer ever came back: the order stays waiting.
    NoAnswer,
}

impl TerminalAnswer {
    pub fn as_str(self) -> &'static str {
        match self {
            TerminalAnswer::Approve => "approve",
            TerminalAnswer::Decline => "decline",
            TerminalAnswer::NoAnswer => "no-answer",
        }
    }

    pub fn parse(text: &str) -> Option<TerminalAnswer> {
        [
            TerminalAnswer::Approve,
            TerminalAnswer::Decline,
            TerminalAnswer::NoAnswer,
        ]
        .into_iter()
        .find(|a| a.as_str() == text.trim().to_ascii_lowercase())
    }

    fn status(self) -> i64 {
        match self {
            TerminalAnswer::Approve => STATUS_PAID,
            TerminalAnswer::Decline => STATUS_DECLINED,
            TerminalAnswer::NoAnswer => STATUS_PAYING,
        }
    }
}

/// The sale the terminal shows for `reference`: the order it names (payOrderId or merchant
/// order number), else the newest sale waiting on the terminal of that device id.
fn terminal_sale(store: &SandboxStore, reference: &str) -> Result<Option<SandboxOrder>> {
    match store.find(reference)? {
        Some(order) => Ok(Some(order)),
        None => store.waiting_on_terminal(reference),
    }
}

/// Plays the terminal for the sale `reference` names: `answer` applies to a sale still waiting
/// (one already paid or declined stays as it is). The order as it now stands; an error when no
/// such sale is known or it is not a card-terminal sale.
pub fn answer_terminal(
    store: &SandboxStore,
    reference: &str,
    answer: TerminalAnswer,
) -> Result<SandboxOrder> {
    let order = terminal_sale(store, reference)?
        .ok_or_else(|| Error::NotFound(format!("sandbox card-terminal sale {reference}")))?;
    if order.channel_id != TERMINAL_CHANNEL {
        return Err(Error::invalid(
            "order",
            format!(
                "{} is a {} order, not a card-terminal sale: the customer pays it with `paydesk sandbox pay`",
                order.mch_order_no, order.channel_id
            ),
        ));
    }
    store.terminal_outcome(&order.pay_order_id, answer.status())
}

/// How a terminal sale stands, in the terminal's words.
pub fn terminal_words(order: &SandboxOrder) -> &'static str {
    match order.status {
        2 | 3 => "approved",
        STATUS_DECLINED | 4 => "declined",
        STATUS_PAYING => "waiting for an answer that does not come",
        _ => "waiting for the card",
    }
}

pub(super) fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/terminal/iotpay/{reference}", get(show))
        .route("/terminal/iotpay/{reference}/{answer}", post(answer))
}

fn amount_text(store: &SandboxStore, order: &SandboxOrder) -> String {
    let amount = format!(
        "{}.{:02} {}",
        order.amount / 100,
        order.amount % 100,
        escape(&order.currency)
    );
    // The page gives `tip` no unit and does not say whether `amount` includes it: the terminal
    // shows both as they were sent, apart, and adds nothing up on the adapter's behalf.
    match terminal_tip(store, &order.pay_order_id) {
        Ok(Some(tip)) if tip.trim() != "0" => format!("{amount} · tip {}", escape(&tip)),
        _ => amount,
    }
}

/// Keeps the `tip` a CC_PAX create sent, verbatim.
pub(crate) fn keep_tip(store: &SandboxStore, pay_order_id: &str, tip: &str) -> Result<()> {
    store.conn().execute(
        "INSERT OR REPLACE INTO iotpay_terminal_tips (pay_order_id, tip) VALUES (?1, ?2)",
        [pay_order_id, tip],
    )?;
    Ok(())
}

/// The `tip` a card-terminal sale (its payOrderId) was created with, as sent; None when the
/// create sent none.
pub fn terminal_tip(store: &SandboxStore, pay_order_id: &str) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(store
        .conn()
        .query_row(
            "SELECT tip FROM iotpay_terminal_tips WHERE pay_order_id = ?1",
            [pay_order_id],
            |r| r.get(0),
        )
        .optional()?)
}

async fn show(State(state): State<SandboxState>, Path(reference): Path<String>) -> Response {
    let order = match terminal_sale(&state.store, &reference) {
        Ok(Some(order)) if order.channel_id == TERMINAL_CHANNEL => order,
        _ => {
            return page(
                "Terminal",
                &format!(
                    "<h1 data-testid=terminal-idle>Terminal {}</h1><p>No sale is waiting.</p>",
                    escape(&reference)
                ),
            )
            .into_response()
        }
    };
    let id = escape(&order.pay_order_id);
    let device = escape(order.device.as_deref().unwrap_or("(no device)"));
    let body = match order.status {
        0 | STATUS_PAYING => format!(
            "<h1 data-testid=terminal-prompt>Tap, insert or swipe</h1>\
             <p class=amount data-testid=amount>{amount}</p><p>Terminal {device} · order {no}</p>\
             <form method=post action='/terminal/iotpay/{id}/approve'><button class=pay type=submit>Approve</button></form>\
             <form method=post action='/terminal/iotpay/{id}/decline'><button class=decline type=submit>Decline</button></form>\
             <form method=post action='/terminal/iotpay/{id}/no-answer'><button class=decline type=submit>No answer</button></form>",
            amount = amount_text(&state.store, &order),
            no = escape(&order.mch_order_no),
        ),
        _ => format!(
            "<h1 data-testid=result>{}</h1><p class=amount>{}</p><p>Terminal {device}</p>",
            terminal_words(&order),
            amount_text(&state.store, &order)
        ),
    };
    page("Terminal", &body).into_response()
}

async fn answer(
    State(state): State<SandboxState>,
    Path((reference, answer)): Path<(String, String)>,
) -> Response {
    let Some(answer) = TerminalAnswer::parse(&answer) else {
        return (
            StatusCode::NOT_FOUND,
            page(
                "Not found",
                "<h1>The terminal answers approve, decline or no-answer</h1>",
            ),
        )
            .into_response();
    };
    match answer_terminal(&state.store, &reference, answer) {
        Ok(order) => page(
            "Terminal",
            &format!(
                "<h1 data-testid=result>{}</h1><p class=amount>{}</p>",
                terminal_words(&order),
                amount_text(&state.store, &order)
            ),
        )
        .into_response(),
        Err(e) => (
            StatusCode::NOT_FOUND,
            page("Not found", &format!("<h1>{}</h1>", escape(&e.to_string()))),
        )
            .into_response(),
    }
}
