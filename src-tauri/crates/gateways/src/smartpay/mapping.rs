//! SmartPay's documented words, one table each: payment statuses, modification statuses and
//! error answers (HTTP statuses). Everything that reads one of them reads these.

use serde_json::Value;

use super::GATEWAY;
use crate::{CodeMeaning, CodeWord, StatusWord};
use paydesk_domain::error::Error;
use paydesk_domain::order::OrderStatus;

/// SmartPay's `paymentStatus` words ("Payment Status Model",
/// documentation.jpmmps.com/docs/smartpay/payment-status-model, and seed 003), read by
/// [`map_status`]. A word not here is Pending and kept verbatim. CAPTURED and SETTLED are
/// paid; AUTHORIZATION_COMPLETED is authorised (waiting for a capture or a cancel).
/// CANCELLED is the vendor's answer to a cancel ("Cancel" page example). The status model's
/// failure and refund words are past the part of the page that could be read: REFUNDED is
/// what a full refund leaves (public SmartPay clients type it so) and AUTHORIZATION_FAILED is
/// the sandbox's declined payment; both are kept here so that they are read the same way
/// everywhere, and nothing else is taken as a failure.
pub const STATUS_WORDS: [StatusWord; 10] = [
    StatusWord {
        word: "CREATED",
        status: OrderStatus::Pending,
        label: "waiting for the customer to open the card form",
        key: "gateway_word.smartpay.created",
    },
    StatusWord {
        // The vendor's spelling.
        word: "AUTORIZATION_INITIALIZED",
        status: OrderStatus::Pending,
        label: "the customer is entering their card",
        key: "gateway_word.smartpay.autorization_initialized",
    },
    StatusWord {
        word: "AUTHORIZATION_PENDING",
        status: OrderStatus::Pending,
        label: "waiting for the card issuer to answer",
        key: "gateway_word.smartpay.authorization_pending",
    },
    StatusWord {
        word: "AUTHORIZATION_COMPLETED",
        status: OrderStatus::Authorized,
        label: "card authorised: capture it or cancel it",
        key: "gateway_word.smartpay.authorization_completed",
    },
    StatusWord {
        word: "CAPTURE_PENDING",
        status: OrderStatus::Pending,
        label: "capture sent, waiting for the card network to confirm it",
        key: "gateway_word.smartpay.capture_pending",
    },
    StatusWord {
        word: "CAPTURED",
        status: OrderStatus::Paid,
        label: "paid",
        key: "gateway_word.smartpay.captured",
    },
    StatusWord {
        word: "SETTLED",
        status: OrderStatus::Paid,
        label: "paid and settled to your account",
        key: "gateway_word.smartpay.settled",
    },
    StatusWord {
        word: "AUTHORIZATION_FAILED",
        status: OrderStatus::Failed,
        label: "declined: the card was not authorised",
        key: "gateway_word.smartpay.authorization_failed",
    },
    StatusWord {
        word: "CANCELLED",
        status: OrderStatus::Cancelled,
        label: "cancelled: the card's hold was released",
        key: "gateway_word.smartpay.cancelled",
    },
    StatusWord {
        word: "REFUNDED",
        status: OrderStatus::Refunded,
        label: "refunded in full",
        key: "gateway_word.smartpay.refunded",
    },
];

/// What a modification's own `status` says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModificationOutcome {
    Done,
    /// Taken, not confirmed by the payment provider yet: query the payment status again.
    Pending,
    /// Definitely not done.
    Failed,
}

/// A word of a modification's `status` (the entries of `modifications[]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModificationWord {
    pub word: &'static str,
    pub outcome: ModificationOutcome,
    pub label: &'static str,
    /// The label's message in the window's catalogues, as `StatusWord::key`.
    pub key: &'static str,
}

/// The words of a modification's `status`. "Response Model and Error Handling"
/// (documentation.jpmmps.com/docs/smartpay/response-model-and-error-handling): the modification
/// APIs answer the same model as Get Payment Status, and "to check the status of modifications
/// initiated by you via API call, please evaluate the respective modification inside the
/// modifications object". The words read as the payment status model (CAPTURED, REFUNDED,
/// CANCELLED done; CAPTURE_PENDING temporary). REFUND_PENDING, CANCELLATION_PENDING and the
/// `_FAILED` words are not on the pages that could be read: the sandbox uses them, and any
/// word not here is pending (never failed, never done).
pub const MODIFICATION_WORDS: [ModificationWord; 10] = [
    ModificationWord {
        word: "CAPTURED",
        outcome: ModificationOutcome::Done,
        label: "the payment was captured",
        key: "gateway_word.smartpay.modification_captured",
    },
    ModificationWord {
        word: "SETTLED",
        outcome: ModificationOutcome::Done,
        label: "captured and settled",
        key: "gateway_word.smartpay.modification_settled",
    },
    ModificationWord {
        word: "REFUNDED",
        outcome: ModificationOutcome::Done,
        label: "refunded to the customer",
        key: "gateway_word.smartpay.modification_refunded",
    },
    ModificationWord {
        word: "CANCELLED",
        outcome: ModificationOutcome::Done,
        label: "cancelled: the card's hold was released",
        key: "gateway_word.smartpay.modification_cancelled",
    },
    ModificationWord {
        word: "CAPTURE_PENDING",
        outcome: ModificationOutcome::Pending,
        label: "capture sent, waiting for the card network to confirm it",
        key: "gateway_word.smartpay.modification_capture_pending",
    },
    ModificationWord {
        word: "REFUND_PENDING",
        outcome: ModificationOutcome::Pending,
        label: "refund sent, waiting for the card network to confirm it",
        key: "gateway_word.smartpay.modification_refund_pending",
    },
    ModificationWord {
        word: "CANCELLATION_PENDING",
        outcome: ModificationOutcome::Pending,
        label: "cancel sent, waiting for the card network to confirm it",
        key: "gateway_word.smartpay.modification_cancellation_pending",
    },
    ModificationWord {
        word: "CAPTURE_FAILED",
        outcome: ModificationOutcome::Failed,
        label: "the capture failed: the money was not taken",
        key: "gateway_word.smartpay.modification_capture_failed",
    },
    ModificationWord {
        word: "REFUND_FAILED",
        outcome: ModificationOutcome::Failed,
        label: "the refund failed: nothing was given back",
        key: "gateway_word.smartpay.modification_refund_failed",
    },
    ModificationWord {
        word: "CANCELLATION_FAILED",
        outcome: ModificationOutcome::Failed,
        label: "the cancel failed: the card's hold stays",
        key: "gateway_word.smartpay.modification_cancellation_failed",
    },
];

/// SmartPay's documented error answers. The pages give the HTTP statuses of each API ("Cancel
/// or Refund", documentation.jpmmps.com/docs/smartpay-openapi/cancel-or-refund-transaction:
/// 200, 400, 401, 403, 404, 500) but no error-code list on the parts that could be read, so the
/// codes are the HTTP statuses; the answer's own `errorCode`/`message` are kept in the error's
/// text. Any other 4xx is undocumented: the outcome is unknown.
pub const ERROR_CODES: [CodeWord; 5] = [
    CodeWord {
        code: "400",
        meaning: CodeMeaning::Refused,
        label: "SmartPay refused the request as sent",
        key: "gateway_word.smartpay.code_400",
    },
    CodeWord {
        code: "401",
        meaning: CodeMeaning::Refused,
        label: "SmartPay did not accept the keys: check the merchant key and authentication key or OAuth client",
        key: "gateway_word.smartpay.code_401",
    },
    CodeWord {
        code: "403",
        meaning: CodeMeaning::Refused,
        label: "SmartPay does not allow this merchant to do that",
        key: "gateway_word.smartpay.code_403",
    },
    CodeWord {
        code: "404",
        meaning: CodeMeaning::NoSuchOrder,
        label: "SmartPay has no such payment",
        key: "gateway_word.smartpay.code_404",
    },
    CodeWord {
        code: "500",
        meaning: CodeMeaning::Unknown,
        label: "SmartPay had an internal error: the outcome is unknown",
        key: "gateway_word.smartpay.code_500",
    },
];

/// The documented meaning of an HTTP status, if it is documented.
pub fn error_code(status: u16) -> Option<&'static CodeWord> {
    let code = status.to_string();
    ERROR_CODES.iter().find(|c| c.code == code)
}

/// The table entry of a paymentStatus word.
pub fn status_word(status: &str) -> Option<&'static StatusWord> {
    let s = status.trim();
    STATUS_WORDS.iter().find(|w| w.word.eq_ignore_ascii_case(s))
}

/// SmartPay's paymentStatus in the unified model, from [`STATUS_WORDS`]; any other word is
/// Pending (kept verbatim by the caller).
pub fn map_status(status: &str) -> OrderStatus {
    status_word(status)
        .map(|w| w.status)
        .unwrap_or(OrderStatus::Pending)
}

/// A status the vendor resolves by itself later (its "PENDING" states).
pub fn is_pending_state(status: &str) -> bool {
    status.trim().to_ascii_uppercase().ends_with("_PENDING")
}

/// The table entry of a modification's status word.
pub fn modification_word(status: &str) -> Option<&'static ModificationWord> {
    let s = status.trim();
    MODIFICATION_WORDS
        .iter()
        .find(|w| w.word.eq_ignore_ascii_case(s))
}

/// A documented refusal for this HTTP status, with the gateway's own words when it gave some;
/// `None` when the status is not a documented refusal (the outcome is unknown).
pub(super) fn documented_refusal(call: &str, status: u16, text: &str) -> Option<Error> {
    let word = error_code(status)?;
    if word.meaning == CodeMeaning::Unknown {
        return None;
    }
    let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let said = ["message", "errorMessage", "error", "description"]
        .iter()
        .find_map(|k| body.get(*k).and_then(Value::as_str).map(str::to_string));
    let code = ["errorCode", "code"]
        .iter()
        .find_map(|k| {
            body.get(*k).map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string())
            })
        })
        .unwrap_or_else(|| status.to_string());
    Some(Error::GatewayRejected {
        gateway: GATEWAY,
        code,
        message: match said {
            Some(said) => format!("{call}: {said} ({})", word.label),
            None => format!("{call}: HTTP {status} ({})", word.label),
        },
    })
}
