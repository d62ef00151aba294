//! What the payment service asks of a gateway: a sale to create, a refund or void to make, a
//! notification to check.

use serde_json::Value;

use paydesk_domain::money::Money;
use paydesk_domain::order::Method;

/// What the core asks a gateway to create.
#[derive(Debug, Clone)]
pub struct CreateRequest<'a> {
    pub merchant_order_no: &'a str,
    pub method: Method,
    pub amount: Money,
    pub description: &'a str,
    /// The customer's payment code a scanner read (barcode methods).
    pub payment_code: Option<&'a str>,
    /// The merchant's id of a stored card (card-token).
    pub card_id: Option<&'a str>,
}

/// A refund or void as the gateway is asked to make it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReversalRequest<'a> {
    pub kind: ReversalKind,
    /// Ours, written to the ledger before the call (IOTPay mchRefundNo, SmartPay
    /// modificationId): a resend carries the same one.
    pub refund_no: &'a str,
    pub amount: Money,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReversalKind {
    Refund,
    Void,
}

/// A notification as it arrived: JSON fields (IOTPay) or form pairs (SmartExPay).
#[derive(Debug, Clone, Copy)]
pub enum Notification<'a> {
    Fields(&'a serde_json::Map<String, Value>),
    Pairs(&'a [(String, String)]),
}
