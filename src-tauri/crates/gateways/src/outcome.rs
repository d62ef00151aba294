//! What comes back from a gateway: how a call ends (`Outcome`), what a create, a lookup, a
//! refund or a cancel gave, and what Settings' "Test connection" found.

use serde_json::Value;

use paydesk_domain::error::{Error, Result};
use paydesk_domain::order::OrderStatus;

/// How every gateway call ends. Only a verified answer is `Succeeded`; only a documented,
/// definite failure is `Refused`; everything else (no answer, 5xx, an unreadable, unsigned or
/// wrongly signed answer, an answer about another order, "pending", an undocumented code) is
/// `Unknown`: the operation stays pending and is asked about again, never taken as failed.
#[derive(Debug)]
pub enum Outcome<T> {
    Succeeded(T),
    Refused(Error),
    Unknown(Error),
}

impl<T> From<Result<T>> for Outcome<T> {
    /// An adapter's answer, sorted. Any error other than `GatewayRejected` after a send may
    /// mean the gateway did the work, so it is `Unknown`.
    fn from(result: Result<T>) -> Outcome<T> {
        match result {
            Ok(value) => Outcome::Succeeded(value),
            Err(e @ Error::GatewayRejected { .. }) => Outcome::Refused(e),
            Err(e) => Outcome::Unknown(e),
        }
    }
}

/// What a gateway did when asked to close a waiting order (`Adapter::cancel`).
#[derive(Debug, Clone, PartialEq)]
pub enum GatewayCancel {
    /// The gateway closed the order: it can no longer be paid.
    Closed(Reversal),
    /// The gateway cannot be asked to close it (no documented call, or not for this order):
    /// the reason, in plain words.
    NoCall(String),
}

/// What a gateway gave back on create.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    pub gateway_order_id: Option<String>,
    /// The string to show as a QR code or link.
    pub payment_url: Option<String>,
    /// What the window or the merchant's app needs beyond a link: payParams, secureId.
    pub payload: Option<Value>,
    pub status: OrderStatus,
    pub gateway_status: Option<String>,
}

impl Created {
    pub fn pending(gateway_order_id: Option<String>) -> Created {
        Created {
            gateway_order_id,
            payment_url: None,
            payload: None,
            status: OrderStatus::Pending,
            gateway_status: None,
        }
    }
}

/// A gateway's answer to "what became of this order?".
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    Found(Report),
    /// The gateway does not know the merchant order number: the create never reached it.
    Missing,
    /// Paydesk cannot ask: the handle the gateway's query needs came in a create answer that
    /// was lost (SmartPay's transactionId, SmartExPay's uid and secret). Not a "no": the order
    /// stays open for the owner to look up at the gateway.
    CannotAsk(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub status: OrderStatus,
    pub gateway_status: String,
    pub gateway_order_id: Option<String>,
    pub note: Option<String>,
    /// The card that paid, where the gateway's query says (IOTPay V3 `cardNum`, `authNum`):
    /// masked, for the receipt; the core keeps it in the order's `payment_payload.card`.
    pub card: Option<crate::CardFacts>,
}

/// The outcome of a refund or void the gateway accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct Reversal {
    pub gateway_refund_id: Option<String>,
    pub gateway_status: Option<String>,
}

/// What Settings' "Test connection" found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionOutcome {
    /// The host answered and accepted the credentials.
    Ok,
    /// The host answered and refused the credentials.
    CredentialsRejected,
    /// No answer (connection refused, timeout, 5xx).
    Unreachable,
    /// An answer Paydesk cannot read, or the gateway is not configured for this environment.
    Error,
}

#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionCheck {
    pub gateway: &'static str,
    pub environment: String,
    pub outcome: ConnectionOutcome,
    /// The gateway's own words (or why the check could not run).
    pub message: String,
    pub elapsed_ms: u64,
}
