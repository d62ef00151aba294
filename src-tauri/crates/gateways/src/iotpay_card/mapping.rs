//! V3's documented words: the status table (the same for payments, refunds and voids) and
//! its error table. Everything that reads a V3 status reads these.

use crate::{CodeMeaning, CodeWord, StatusWord};
use paydesk_domain::order::OrderStatus;

/// V3's `retData.status`, the same words for a payment (cc_query, cc_purchasewithtoken) and
/// for a refund or void (cc_refund, cc_void, and cc_query of the refund's number). Guide pages
/// "creditCard/v3/query_transaction", "creditCard/v3/refund", "creditCard/v3/void": "0 =
/// pending order, 1 = unknown, 2 = success, 9 = fail"; "creditCard/v3/redirect": "2 or 3
/// both mean the transaction is successful". A word not here is Pending, kept verbatim.
pub const STATUS_WORDS: &[StatusWord] = &[
    StatusWord {
        word: "0",
        status: OrderStatus::Pending,
        label: "in progress: the card network has not finished it",
        key: "gateway_word.iotpay_card.status_0",
    },
    StatusWord {
        word: "1",
        status: OrderStatus::Pending,
        label: "not known yet: the card network has not answered, Paydesk asks again",
        key: "gateway_word.iotpay_card.status_1",
    },
    StatusWord {
        word: "2",
        status: OrderStatus::Paid,
        label: "done: approved by the card network",
        key: "gateway_word.iotpay_card.status_2",
    },
    StatusWord {
        word: "3",
        status: OrderStatus::Paid,
        label: "done: approved by the card network",
        key: "gateway_word.iotpay_card.status_3",
    },
    StatusWord {
        word: "9",
        status: OrderStatus::Failed,
        label: "declined by the card network",
        key: "gateway_word.iotpay_card.status_9",
    },
];

/// V3 publishes no error codes: every page answers `retCode` SUCCESS or FAIL with the reason
/// in `retMsg` ("creditCard/v3/query_card": "if failed, message will contain the reason").
/// FAIL is the request refused as sent (nothing was done). The one message Paydesk reads is
/// cc_query's "does not exist" (see `is_not_found`).
pub const ERROR_CODES: &[CodeWord] = &[CodeWord {
    code: "FAIL",
    meaning: CodeMeaning::Refused,
    label: "the card gateway refused the request",
    key: "gateway_word.iotpay_card.code_fail",
}];

/// The table's entry for a status word, if it is a documented one.
pub fn status_word(word: &str) -> Option<&'static StatusWord> {
    let word = word.trim();
    STATUS_WORDS.iter().find(|w| w.word == word)
}

/// V3 `status` into the unified model, read from `STATUS_WORDS`; anything else is Pending.
pub fn map_status(code: i64) -> OrderStatus {
    status_word(&code.to_string())
        .map(|w| w.status)
        .unwrap_or(OrderStatus::Pending)
}

/// What a cashier reads for a V3 status word.
pub fn status_label(word: &str) -> &'static str {
    status_word(word)
        .map(|w| w.label)
        .unwrap_or("an answer Paydesk does not know: it stays pending and is asked again")
}
