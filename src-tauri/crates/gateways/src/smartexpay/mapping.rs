//! SmartExPay's documented words: its order statuses (and its error table, empty: it
//! documents none), the status a manual payment is moved to, and what the owner is told of
//! an order that needs them or cannot be asked about.

use crate::{CodeWord, StatusWord};
use paydesk_domain::order::{Order, OrderStatus};

/// The status a manual payment is moved to once the merchant has seen the money.
pub const MANUAL_CONFIRMED: &str = "inProgress";

/// SmartExPay's order statuses, as seed 001's "Statuses list" gives them, in the unified
/// model. Money received: inProgress, inProgressPayout, done. Failed: errorPayment, deleted.
/// returned: refunded (it was paid, then given back). new, waitPayment, hold and errorPayout
/// are Pending (hold and errorPayout need the owner: see `attention`). A word not here is
/// Pending and kept verbatim.
pub const STATUS_WORDS: &[StatusWord] = &[
    StatusWord {
        word: "new",
        status: OrderStatus::Pending,
        label: "created, not yet open for payment",
        key: "gateway_word.smartexpay.new",
    },
    StatusWord {
        word: "waitPayment",
        status: OrderStatus::Pending,
        label: "waiting for the customer",
        key: "gateway_word.smartexpay.wait_payment",
    },
    StatusWord {
        word: "errorPayment",
        status: OrderStatus::Failed,
        label: "the customer's payment failed",
        key: "gateway_word.smartexpay.error_payment",
    },
    StatusWord {
        word: "inProgress",
        status: OrderStatus::Paid,
        label: "paid: the exchange is being processed",
        key: "gateway_word.smartexpay.in_progress",
    },
    StatusWord {
        word: "inProgressPayout",
        status: OrderStatus::Paid,
        label: "paid: the payout is queued",
        key: "gateway_word.smartexpay.in_progress_payout",
    },
    StatusWord {
        word: "errorPayout",
        status: OrderStatus::Pending,
        label: "the exchange's payout failed: needs the owner's attention",
        key: "gateway_word.smartexpay.error_payout",
    },
    StatusWord {
        word: "hold",
        status: OrderStatus::Pending,
        label: "frozen by SmartExPay: needs the owner's attention",
        key: "gateway_word.smartexpay.hold",
    },
    StatusWord {
        word: "done",
        status: OrderStatus::Paid,
        label: "paid: the exchange is complete",
        key: "gateway_word.smartexpay.done",
    },
    StatusWord {
        word: "returned",
        status: OrderStatus::Refunded,
        label: "the exchange failed, money returned to the customer",
        key: "gateway_word.smartexpay.returned",
    },
    StatusWord {
        word: "deleted",
        status: OrderStatus::Failed,
        label: "cancelled at SmartExPay",
        key: "gateway_word.smartexpay.deleted",
    },
];

/// SmartExPay documents no error codes: seed 001 and the vendor's merchant docs list none
/// (the engine's `error.errorCode` is kept verbatim as the refusal's code).
pub const ERROR_CODES: &[CodeWord] = &[];

/// The table entry of a status word (exact, as the seed spells it).
pub fn status_word(status: &str) -> Option<&'static StatusWord> {
    let status = status.trim();
    STATUS_WORDS.iter().find(|w| w.word == status)
}

/// SmartExPay's order status in the unified model, read from `STATUS_WORDS`: anything not in
/// the table is Pending (and kept verbatim by the caller).
pub fn map_status(status: &str) -> OrderStatus {
    status_word(status)
        .map(|w| w.status)
        .unwrap_or(OrderStatus::Pending)
}

/// What the cashier reads for a status word ("waiting for the customer").
pub fn label(status: &str) -> &'static str {
    status_word(status)
        .map(|w| w.label)
        .unwrap_or("SmartExPay gave a status Paydesk does not know: still open")
}

/// A note for the owner on statuses that need someone to act.
pub fn attention(status: &str) -> Option<String> {
    match status.trim() {
        "hold" => Some("SmartExPay put the order on hold (frozen): it needs the owner's attention with SmartExPay support".into()),
        "errorPayout" => Some("SmartExPay could not pay out: it needs the owner's attention".into()),
        _ => None,
    }
}

/// The gateway status word of a lookup that cannot be made (see `lost_create_answer`).
pub const LOST_CREATE_ANSWER: &str = "create answer lost";

/// Why an order whose create answer was lost cannot be asked about, for the owner: SmartExPay
/// finds an order only by the uid and secret that answer carried.
pub fn lost_create_answer(order: &Order) -> String {
    format!(
        "the answer to order {}'s create never arrived whole, and SmartExPay finds an order only by the uid and secret that answer carried (it has no lookup by our order number): SmartExPay may have it open; look in the personal cabinet for an order of {} {}",
        order.merchant_order_no,
        order.amount.decimal_string(),
        order.amount.currency()
    )
}
