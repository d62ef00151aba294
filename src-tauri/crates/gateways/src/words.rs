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
    /// The label's message in the window's catalogues (ui/src/lib/i18n/catalogues), whose
    /// English is `label`: "gateway_word.smepay.initiated". One per table entry, written out.
    pub key: &'static str,
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
    /// The label's message in the window's catalogues, as [`StatusWord::key`].
    pub key: &'static str,
}

/// The catalogue message for a word no table knows: "an answer Paydesk does not know
/// ({word})", the word filled in.
pub const UNKNOWN_WORD_KEY: &str = "gateway_word.unknown";

/// A gateway's word as a person reads it: the English label (the CLI's, the export's) and
/// what the window needs to say it in its own language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribedWord {
    /// "waiting for the customer", or "an answer Paydesk does not know (X)".
    pub label: std::borrow::Cow<'static, str>,
    /// The label's catalogue key; [`UNKNOWN_WORD_KEY`] for a word no table knows.
    pub key: &'static str,
    /// The word, trimmed, when no table knows it (the unknown message's `{word}`).
    pub unknown: Option<String>,
}
