//! A gateway's own words (its status words and error codes) and what each means in Paydesk.

use paydesk_domain::order::OrderStatus;

/// One status word a gateway uses for an order (or a refund): what it means in Paydesk's
/// model, and what a cashier reads for it. Each gateway keeps its table (`STATUS_WORDS`)
/// in its `mapping.rs`; a word not in the table maps to Pending and is kept verbatim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusWord {
    pub word: &'static str,
    pub status: OrderStatus,
    /// Plain words for the counter ("waiting for the customer"), never the gateway's code.
    pub label: &'static str,
}

/// How a documented gateway error code is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeMeaning {
    /// The request was refused as sent: nothing happened at the gateway.
    Refused,
    /// Says nothing certain about the payment (system error, third-party timeout): the
    /// outcome is unknown, the order stays pending and is queried.
    Unknown,
    /// The order number is already paid: query it.
    AlreadyPaid,
    /// The gateway has no order under this number.
    NoSuchOrder,
}

/// One documented error code of a gateway (`ERROR_CODES` in its `mapping.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeWord {
    pub code: &'static str,
    pub meaning: CodeMeaning,
    /// Plain words for the owner ("the wallet's system timed out").
    pub label: &'static str,
}
