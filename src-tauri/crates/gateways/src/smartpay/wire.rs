//! SmartPay on the wire (reference §3): request and answer types, reading a status or a
//! modification answer, tying it to the payment asked, and references and amounts as
//! SmartPay takes them.

use serde::Deserialize;
use serde_json::{json, Value};

use super::mapping::{map_status, modification_word, ModificationOutcome};
use super::GATEWAY;
use crate::{check_length, Report, Reversal};
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::Money;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CreateAnswer {
    #[serde(default)]
    pub(super) transaction_id: Option<String>,
    #[serde(default)]
    pub(super) checkout_token: Option<String>,
    #[serde(default)]
    pub(super) payment_status: Option<String>,
    #[serde(default)]
    pub(super) request_time: Option<String>,
}

/// The status answer; only these fields are read, the rest is kept nowhere.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusAnswer {
    #[serde(default)]
    pub transaction_id: Option<String>,
    #[serde(default)]
    pub reconciliation_reference_id: Option<String>,
    #[serde(default)]
    pub payment_status: Option<String>,
    #[serde(default)]
    pub creation_date: Option<String>,
}

/// Reads a status answer into a report with the support fields in its note (no identity
/// check: see [`check_status_identity`]).
pub fn parse_status(text: &str) -> Result<Report> {
    let answer: StatusAnswer = serde_json::from_str(text)
        .map_err(|e| protocol(format!("payment/status: not JSON ({e})")))?;
    let raw = answer
        .payment_status
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| protocol("payment/status answered without paymentStatus".into()))?;
    let note = format!(
        "transactionId {}, reconciliationReferenceId {}, creationDate {}",
        answer.transaction_id.as_deref().unwrap_or("-"),
        answer.reconciliation_reference_id.as_deref().unwrap_or("-"),
        answer.creation_date.as_deref().unwrap_or("-"),
    );
    Ok(Report {
        status: map_status(&raw),
        gateway_status: raw,
        gateway_order_id: answer.transaction_id,
        note: Some(note),
        card: None,
    })
}

/// The support fields of a status answer, as JSON.
pub fn support_fields(text: &str) -> Option<Value> {
    let answer: StatusAnswer = serde_json::from_str(text).ok()?;
    Some(json!({
        "transactionId": answer.transaction_id,
        "reconciliationReferenceId": answer.reconciliation_reference_id,
        "paymentStatus": answer.payment_status,
        "creationDate": answer.creation_date,
    }))
}

pub(super) fn protocol(message: String) -> Error {
    Error::GatewayProtocol {
        gateway: GATEWAY,
        message,
    }
}

/// An answer about something other than what was asked: unknown, and logged as suspicious.
pub(super) fn suspicious(call: &str, what: String) -> Error {
    tracing::warn!(gateway = GATEWAY, call, "suspicious answer: {what}");
    protocol(format!("{call}: suspicious answer: {what}"))
}

/// A JSON number (or numeric text) in the currency's minor units, read from its decimal text.
pub(super) fn minor_of(value: &Value, expected: Money) -> Option<i64> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_string(),
        _ => return None,
    };
    // serde_json writes 10.0 for 10.00; Money reads at most the currency's decimals.
    let text = match text.split_once('.') {
        Some((whole, fraction)) => {
            let fraction = fraction.trim_end_matches('0');
            if fraction.is_empty() {
                whole.to_string()
            } else {
                format!("{whole}.{fraction}")
            }
        }
        None => text,
    };
    Money::parse(&text, expected.currency())
        .ok()
        .map(|m| m.minor())
}

/// Ties a status (or modification) answer to the payment asked about: every transactionId it
/// carries (top level, `transactionOverview.transactionId`) must be the one asked, and at least
/// one must be there; with `expected`, `transactionOverview.amount` and `.currencyCode`, where
/// the answer carries them, must be the order's. Get Payment Status API
/// (documentation.jpmmps.com/docs/smartpay/get-payment-status-api): transactionOverview holds
/// transactionId, amount and currencyCode of the initial payment.
pub fn check_status_identity(
    call: &str,
    answer: &Value,
    transaction_id: &str,
    expected: Option<Money>,
) -> Result<()> {
    let overview = answer.get("transactionOverview");
    let ids: Vec<&str> = [
        answer.get("transactionId"),
        overview.and_then(|o| o.get("transactionId")),
    ]
    .into_iter()
    .flatten()
    .filter_map(Value::as_str)
    .collect();
    if ids.is_empty() {
        return Err(protocol(format!(
            "{call}: the answer names no transactionId: it cannot be tied to {transaction_id}"
        )));
    }
    if let Some(other) = ids
        .iter()
        .find(|id| !id.eq_ignore_ascii_case(transaction_id))
    {
        return Err(suspicious(
            call,
            format!("asked about transaction {transaction_id}, answered about {other}"),
        ));
    }
    let (Some(expected), Some(overview)) = (expected, overview) else {
        return Ok(());
    };
    if let Some(code) = overview.get("currencyCode").filter(|v| !v.is_null()) {
        let code = code.as_str().unwrap_or_default();
        if !code.eq_ignore_ascii_case(expected.currency().code()) {
            return Err(suspicious(
                call,
                format!(
                    "transaction {transaction_id} is in {}, the answer says {code:?}",
                    expected.currency()
                ),
            ));
        }
    }
    if let Some(amount) = overview.get("amount").filter(|v| !v.is_null()) {
        if minor_of(amount, expected) != Some(expected.minor()) {
            return Err(suspicious(
                call,
                format!("transaction {transaction_id} is {expected}, the answer says {amount}"),
            ));
        }
    }
    Ok(())
}

/// Which modification API was called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModificationKind {
    Capture,
    Refund,
    CancelOrRefund,
}

impl ModificationKind {
    pub(super) fn path(self) -> &'static str {
        match self {
            ModificationKind::Capture => "payment/capture",
            ModificationKind::Refund => "payment/refund",
            ModificationKind::CancelOrRefund => "payment/cancelOrRefund",
        }
    }

    /// The `modificationData.type` words it may answer with (Response Model page: CAPTURE,
    /// CANCELLATION, CHARGEBACK, SETTLEMENT, REFUND).
    fn types(self) -> &'static [&'static str] {
        match self {
            ModificationKind::Capture => &["CAPTURE"],
            ModificationKind::Refund => &["REFUND"],
            ModificationKind::CancelOrRefund => &["CANCELLATION", "REFUND"],
        }
    }
}

/// The done word that fits a modification type (a REFUND is not done by "CAPTURED").
fn done_fits(kind: &str, word: &str) -> bool {
    match kind.to_ascii_uppercase().as_str() {
        "CAPTURE" => matches!(word, "CAPTURED" | "SETTLED"),
        "REFUND" => word == "REFUNDED",
        "CANCELLATION" => word == "CANCELLED",
        _ => true,
    }
}

/// Reads what an answer (a modification's own, or a status answer) says of the modification
/// `modification_id` of `transaction_id`: done (`Ok`), failed (`GatewayRejected`), or anything
/// else, including not listed, pending (`GatewayPending`). The answer must be about the
/// transaction asked; with `kind` and `amount`, the modification must be of that kind and for
/// that amount (SmartPay gives a resent modificationId the first request's result, whatever
/// the resend carried: "Modification APIs" page).
pub fn read_modification(
    call: &str,
    answer: &Value,
    transaction_id: &str,
    modification_id: &str,
    kind: Option<ModificationKind>,
    amount: Option<Money>,
) -> Result<Reversal> {
    check_status_identity(call, answer, transaction_id, None)?;
    let id_of = |m: &Value| {
        m.get("modificationData")
            .and_then(|d| d.get("modificationId"))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let entry = answer
        .get("modification")
        .filter(|m| id_of(m).as_deref() == Some(modification_id))
        .or_else(|| {
            answer
                .get("modifications")
                .and_then(Value::as_array)
                .and_then(|all| {
                    all.iter()
                        .rev()
                        .find(|m| id_of(m).as_deref() == Some(modification_id))
                })
        });
    let Some(entry) = entry else {
        return Err(Error::GatewayPending {
            gateway: GATEWAY,
            status: "NOT_LISTED".into(),
            message: format!(
                "{call}: modification {modification_id} is not in the answer yet: query the payment status again"
            ),
        });
    };
    let data = entry.get("modificationData");
    let wire_type = data
        .and_then(|d| d.get("type"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if let Some(kind) = kind {
        if !wire_type.is_empty()
            && !kind
                .types()
                .iter()
                .any(|t| t.eq_ignore_ascii_case(&wire_type))
        {
            return Err(suspicious(
                call,
                format!(
                    "modification {modification_id} is a {wire_type}, not a {}",
                    kind.path()
                ),
            ));
        }
    }
    if let Some(amount) = amount {
        let given = entry.get("modificationAmount");
        if let Some(code) = given
            .and_then(|g| g.get("currencyCode"))
            .and_then(Value::as_str)
        {
            if !code.eq_ignore_ascii_case(amount.currency().code()) {
                return Err(suspicious(
                    call,
                    format!(
                        "modification {modification_id} was asked in {}, the answer says {code}",
                        amount.currency()
                    ),
                ));
            }
        }
        if let Some(value) = given.and_then(|g| g.get("amount")).filter(|v| !v.is_null()) {
            if minor_of(value, amount) != Some(amount.minor()) {
                return Err(suspicious(
                    call,
                    format!("modification {modification_id} was asked for {amount}, the answer says {value}"),
                ));
            }
        }
    }
    let word = entry
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_ascii_uppercase();
    let known = modification_word(&word);
    match known.map(|w| w.outcome) {
        Some(ModificationOutcome::Done) if done_fits(&wire_type, &word) => Ok(Reversal {
            gateway_refund_id: data
                .and_then(|d| d.get("reconciliationReferenceId"))
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| Some(modification_id.to_string())),
            gateway_status: Some(word),
        }),
        Some(ModificationOutcome::Failed) => Err(Error::GatewayRejected {
            gateway: GATEWAY,
            code: word.clone(),
            message: format!(
                "{call}: modification {modification_id}: {}",
                known.map(|w| w.label).unwrap_or_default()
            ),
        }),
        _ => Err(Error::GatewayPending {
            gateway: GATEWAY,
            status: if word.is_empty() { "-".into() } else { word.clone() },
            message: format!(
                "{call}: modification {modification_id} is not done yet ({}): query the payment status again",
                known.map(|w| w.label).unwrap_or("SmartPay has not said it is done")
            ),
        }),
    }
}

/// `[A-Za-z0-9-_.:]`, at most 64: partnerReference ("Create Checkout API" page:
/// documentation.jpmmps.com/docs/smartpay/create-checkout-api) and, as we make them,
/// modificationId (String 64 on the Capture and Cancel or Refund pages; the Refund page's table
/// says 36, its OpenAPI page gives no limit: ours are 20 characters).
pub fn check_reference(field: &'static str, value: &str) -> Result<()> {
    check_length(field, value, 64)?;
    if value.is_empty()
        || !value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c))
    {
        return Err(Error::invalid(
            field,
            format!("{field} takes letters, digits and - _ . : only"),
        ));
    }
    Ok(())
}

/// The amount as SmartPay's decimal with two places (Decimal 18.2), more than zero.
pub fn wire_amount(amount: Money) -> Result<String> {
    if amount.currency().exponent() != 2 {
        return Err(Error::invalid(
            "currency",
            format!(
                "SmartPay amounts have two decimals; {} has not",
                amount.currency()
            ),
        ));
    }
    if amount.minor() <= 0 {
        return Err(Error::invalid(
            "amount",
            "a SmartPay amount is more than zero",
        ));
    }
    Ok(amount.decimal_string())
}

/// The decimal text as a JSON number (exact: amounts have at most ten significant digits).
pub(super) fn decimal_value(decimal: &str) -> Result<Value> {
    serde_json::from_str::<Value>(decimal)
        .ok()
        .filter(Value::is_number)
        .ok_or_else(|| Error::Internal(format!("{decimal:?} is not a decimal amount")))
}

pub(super) const AMOUNT_MARKER: &str = "\u{1}paydesk-amount\u{1}";

pub(super) enum Answer {
    Unauthorized,
    Body(u16, String),
}
