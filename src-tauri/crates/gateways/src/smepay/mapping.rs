//! SMEPay's documented words: its payment statuses (and its error table, empty: it documents
//! none). Everything that reads a payment_status reads these.

use crate::{CodeWord, StatusWord};
use paydesk_domain::order::OrderStatus;

/// SMEPay's payment statuses (smepay.io/docs, "Payment Status Flow": CREATED -> INITIATED ->
/// PENDING -> SUCCESS/FAILED, or EXPIRED; TEST_SUCCESS is what validate answers for a test-mode
/// payment, seed 000 and the vendor's WooCommerce plugin). SUCCESS and TEST_SUCCESS are paid
/// only once validate agrees (see `lookup`); a word not here is Pending and kept verbatim.
pub const STATUS_WORDS: &[StatusWord] = &[
    StatusWord {
        word: "CREATED",
        status: OrderStatus::Pending,
        label: "created, the QR is being prepared",
        key: "gateway_word.smepay.created",
    },
    StatusWord {
        word: "INITIATED",
        status: OrderStatus::Pending,
        label: "waiting for the customer",
        key: "gateway_word.smepay.initiated",
    },
    StatusWord {
        word: "PENDING",
        status: OrderStatus::Pending,
        label: "the customer is paying",
        key: "gateway_word.smepay.pending",
    },
    StatusWord {
        word: "SUCCESS",
        status: OrderStatus::Paid,
        label: "paid",
        key: "gateway_word.smepay.success",
    },
    StatusWord {
        word: "TEST_SUCCESS",
        status: OrderStatus::Paid,
        label: "paid (test mode)",
        key: "gateway_word.smepay.test_success",
    },
    StatusWord {
        word: "FAILED",
        status: OrderStatus::Failed,
        label: "the customer's payment failed or was declined",
        key: "gateway_word.smepay.failed",
    },
    StatusWord {
        word: "EXPIRED",
        status: OrderStatus::Expired,
        label: "the payment request expired unpaid",
        key: "gateway_word.smepay.expired",
    },
];

/// SMEPay documents no error codes: a refusal is `{status: false, message}` (smepay.io/docs,
/// seed 000), so the call's name is the refusal's code and the message is kept verbatim.
pub const ERROR_CODES: &[CodeWord] = &[];

/// The table entry of a payment_status word (case does not matter).
pub fn status_word(payment_status: &str) -> Option<&'static StatusWord> {
    let word = payment_status.trim();
    STATUS_WORDS
        .iter()
        .find(|w| w.word.eq_ignore_ascii_case(word))
}

/// SMEPay's payment_status in the unified model, read from `STATUS_WORDS`: anything not in
/// the table is Pending.
pub fn map_status(payment_status: &str) -> OrderStatus {
    status_word(payment_status)
        .map(|w| w.status)
        .unwrap_or(OrderStatus::Pending)
}

/// What the cashier reads for a payment_status word ("waiting for the customer").
pub fn label(payment_status: &str) -> &'static str {
    status_word(payment_status)
        .map(|w| w.label)
        .unwrap_or("SMEPay gave a status Paydesk does not know: still open")
}
