//! SmartPay by J.P. Morgan Mobility Payment Solutions (reference/gateways.md §3 and §6; seed
//! 003; vendor pages on documentation.jpmmps.com, cited where used). Basic auth
//! (merchantKey:authenticationKey) or an OAuth client-credentials bearer token, cached and
//! renewed before it expires and once on a 401. Create checkout gives a transactionId and a
//! checkoutToken (both kept with the order; partnerReference is our merchant order number) for
//! the widget; the status is queried by transactionId, and every status answer must be about
//! the order asked (its transactionId, amount and currency). Capture, refund and cancelOrRefund
//! each carry a modificationId the ledger holds before the call, resent unchanged on a retry,
//! and are done only when the answer says so. Client timeout 90 s.
//!
//! Prepare, then send: [`Smartpay::prepare_create`], [`Smartpay::prepare_capture`],
//! [`Smartpay::prepare_refund`] and [`Smartpay::prepare_cancel_or_refund`] run every check that
//! can be made before anything is sent (settings, field lengths, currency rules) and touch
//! nothing; the sending calls run them again and then send.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::Mutex;

use super::{
    check_length, json_with_decimal, CodeMeaning, CodeWord, CreateRequest, Created, Lookup, Report,
    Reversal, StatusWord, Token,
};
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::Money;
use paydesk_domain::order::OrderStatus;
use paydesk_secrets::vault::Sensitive;

const GATEWAY: &str = "smartpay";
pub const DEFAULT_TOKEN_URL: &str =
    "https://smartpay-oauth-cons.auth.eu-central-1.amazoncognito.com/oauth2/token";
/// The vendor recommends at least 90 seconds ("Modification APIs" page).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(90);

/// The vendor's pending policy (seed 003, "Get Payment Transaction Status"): "If you receive a
/// PENDING status retry the get payment status call up to three times within 3 minutes and log
/// an error if the status is not changed." As data, for the payment service's per-gateway poll
/// schedule: the delay before each re-query of a PENDING answer (three, a minute apart, within
/// three minutes). After the last one the order is left Pending and an error is logged; SmartPay
/// resolves PENDING states itself ("SmartPay automatically attempts to retrieve the final
/// confirmation from the payment provider").
pub const POLL_POLICY: [Duration; 3] = [Duration::from_secs(60); 3];
/// How many re-queries [`POLL_POLICY`] makes, and the window they fit in.
pub const PENDING_REQUERIES: u32 = POLL_POLICY.len() as u32;
pub const PENDING_WINDOW: Duration = Duration::from_secs(180);

/// The delays of [`POLL_POLICY`] (the schedule the service follows after a PENDING answer).
pub fn pending_poll_schedule() -> &'static [Duration] {
    &POLL_POLICY
}

#[derive(Debug, Clone)]
pub enum SmartpayAuth {
    /// `Authorization: Basic base64(merchantKey:authenticationKey)`.
    Basic {
        authentication_key: Sensitive<String>,
    },
    /// A bearer token from the OAuth provider (client credentials).
    OAuth {
        token_url: String,
        client_id: String,
        client_secret: Sensitive<String>,
    },
}

#[derive(Debug, Clone)]
pub struct SmartpayConfig {
    /// `{Base URL}`: not public, entered by the merchant.
    pub base: String,
    pub merchant_key: String,
    pub auth: SmartpayAuth,
    /// The vendor's smp-bundle.js (the widget), as the merchant was given it.
    pub script_url: Option<String>,
    /// The `Origin` the vendor asks for.
    pub origin: String,
    pub consumer_first_name: String,
    pub consumer_last_name: String,
    pub consumer_email: String,
    pub timeout: Duration,
    /// Re-queries of a PENDING status (three within three minutes by default).
    pub pending_retries: u32,
    pub pending_retry_interval: Duration,
}

pub struct Smartpay {
    http: reqwest::Client,
    config: SmartpayConfig,
    token: Mutex<Option<Token>>,
    /// The support fields of the last status answer per transaction, for the order's detail.
    support: std::sync::Mutex<std::collections::HashMap<String, Value>>,
}

// ---- the gateway's words (one table each) ----

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
    },
    StatusWord {
        // The vendor's spelling.
        word: "AUTORIZATION_INITIALIZED",
        status: OrderStatus::Pending,
        label: "the customer is entering their card",
    },
    StatusWord {
        word: "AUTHORIZATION_PENDING",
        status: OrderStatus::Pending,
        label: "waiting for the card issuer to answer",
    },
    StatusWord {
        word: "AUTHORIZATION_COMPLETED",
        status: OrderStatus::Authorized,
        label: "card authorised: capture it or cancel it",
    },
    StatusWord {
        word: "CAPTURE_PENDING",
        status: OrderStatus::Pending,
        label: "capture sent, waiting for the card network to confirm it",
    },
    StatusWord {
        word: "CAPTURED",
        status: OrderStatus::Paid,
        label: "paid",
    },
    StatusWord {
        word: "SETTLED",
        status: OrderStatus::Paid,
        label: "paid and settled to your account",
    },
    StatusWord {
        word: "AUTHORIZATION_FAILED",
        status: OrderStatus::Failed,
        label: "declined: the card was not authorised",
    },
    StatusWord {
        word: "CANCELLED",
        status: OrderStatus::Cancelled,
        label: "cancelled: the card's hold was released",
    },
    StatusWord {
        word: "REFUNDED",
        status: OrderStatus::Refunded,
        label: "refunded in full",
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
    },
    ModificationWord {
        word: "SETTLED",
        outcome: ModificationOutcome::Done,
        label: "captured and settled",
    },
    ModificationWord {
        word: "REFUNDED",
        outcome: ModificationOutcome::Done,
        label: "refunded to the customer",
    },
    ModificationWord {
        word: "CANCELLED",
        outcome: ModificationOutcome::Done,
        label: "cancelled: the card's hold was released",
    },
    ModificationWord {
        word: "CAPTURE_PENDING",
        outcome: ModificationOutcome::Pending,
        label: "capture sent, waiting for the card network to confirm it",
    },
    ModificationWord {
        word: "REFUND_PENDING",
        outcome: ModificationOutcome::Pending,
        label: "refund sent, waiting for the card network to confirm it",
    },
    ModificationWord {
        word: "CANCELLATION_PENDING",
        outcome: ModificationOutcome::Pending,
        label: "cancel sent, waiting for the card network to confirm it",
    },
    ModificationWord {
        word: "CAPTURE_FAILED",
        outcome: ModificationOutcome::Failed,
        label: "the capture failed: the money was not taken",
    },
    ModificationWord {
        word: "REFUND_FAILED",
        outcome: ModificationOutcome::Failed,
        label: "the refund failed: nothing was given back",
    },
    ModificationWord {
        word: "CANCELLATION_FAILED",
        outcome: ModificationOutcome::Failed,
        label: "the cancel failed: the card's hold stays",
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
    },
    CodeWord {
        code: "401",
        meaning: CodeMeaning::Refused,
        label: "SmartPay did not accept the keys: check the merchant key and authentication key or OAuth client",
    },
    CodeWord {
        code: "403",
        meaning: CodeMeaning::Refused,
        label: "SmartPay does not allow this merchant to do that",
    },
    CodeWord {
        code: "404",
        meaning: CodeMeaning::NoSuchOrder,
        label: "SmartPay has no such payment",
    },
    CodeWord {
        code: "500",
        meaning: CodeMeaning::Unknown,
        label: "SmartPay had an internal error: the outcome is unknown",
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

// ---- wire types (§3) ----

#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    expires_in: Option<Value>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateAnswer {
    #[serde(default)]
    transaction_id: Option<String>,
    #[serde(default)]
    checkout_token: Option<String>,
    #[serde(default)]
    payment_status: Option<String>,
    #[serde(default)]
    request_time: Option<String>,
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

fn protocol(message: String) -> Error {
    Error::GatewayProtocol {
        gateway: GATEWAY,
        message,
    }
}

/// An answer about something other than what was asked: unknown, and logged as suspicious.
fn suspicious(call: &str, what: String) -> Error {
    tracing::warn!(gateway = GATEWAY, call, "suspicious answer: {what}");
    protocol(format!("{call}: suspicious answer: {what}"))
}

/// A JSON number (or numeric text) in the currency's minor units, read from its decimal text.
fn minor_of(value: &Value, expected: Money) -> Option<i64> {
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
    fn path(self) -> &'static str {
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
fn decimal_value(decimal: &str) -> Result<Value> {
    serde_json::from_str::<Value>(decimal)
        .ok()
        .filter(Value::is_number)
        .ok_or_else(|| Error::Internal(format!("{decimal:?} is not a decimal amount")))
}

const AMOUNT_MARKER: &str = "\u{1}paydesk-amount\u{1}";

enum Answer {
    Unauthorized,
    Body(u16, String),
}

/// A documented refusal for this HTTP status, with the gateway's own words when it gave some;
/// `None` when the status is not a documented refusal (the outcome is unknown).
fn documented_refusal(call: &str, status: u16, text: &str) -> Option<Error> {
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

impl Smartpay {
    pub fn new(config: SmartpayConfig) -> Result<Smartpay> {
        Ok(Smartpay {
            http: super::http_client(config.timeout)?,
            config,
            token: Mutex::new(None),
            support: Default::default(),
        })
    }

    pub fn config(&self) -> &SmartpayConfig {
        &self.config
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.config.base.trim_end_matches('/'))
    }

    async fn authorization(&self, force_new: bool) -> Result<String> {
        let (token_url, client_id, client_secret) = match &self.config.auth {
            SmartpayAuth::Basic { authentication_key } => {
                let pair = format!(
                    "{}:{}",
                    self.config.merchant_key,
                    authentication_key.expose()
                );
                return Ok(format!("Basic {}", base64(pair.as_bytes())));
            }
            SmartpayAuth::OAuth {
                token_url,
                client_id,
                client_secret,
            } => (token_url, client_id, client_secret),
        };
        let mut cached = self.token.lock().await;
        if !force_new {
            if let Some(value) = cached.as_ref().and_then(Token::live) {
                return Ok(format!("Bearer {}", value.expose()));
            }
        }
        let form = [
            ("client_id", client_id.as_str()),
            ("client_secret", client_secret.expose().as_str()),
            ("grant_type", "client_credentials"),
        ];
        let (status, text) = super::send(
            GATEWAY,
            "oauth2/token",
            self.http.post(token_url).form(&form),
        )
        .await?;
        let answer: TokenAnswer = serde_json::from_str(&text)
            .map_err(|e| protocol(format!("oauth2/token: not JSON ({e})")))?;
        let Some(access_token) = answer.access_token.filter(|t| !t.is_empty()) else {
            let why = answer
                .error
                .map(|e| {
                    e.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| e.to_string())
                })
                .unwrap_or_else(|| format!("HTTP {status}"));
            return Err(Error::GatewayRejected {
                gateway: GATEWAY,
                code: "oauth2".into(),
                message: format!("{why}: check the OAuth client id and secret and the token URL"),
            });
        };
        let token = Token::new(access_token, answer.expires_in.as_ref(), 3600);
        let header = format!("Bearer {}", token.value().expose());
        *cached = Some(token);
        Ok(header)
    }

    /// The cheapest authenticated call, for Settings' "Test connection": an OAuth token, or
    /// with Basic auth (no token to fetch) the status of a transaction no one created, where
    /// anything but a 401 means the keys were taken.
    pub async fn check_credentials(&self) -> Result<String> {
        match &self.config.auth {
            SmartpayAuth::OAuth { .. } => {
                self.authorization(true).await?;
                Ok("oauth2/token: token issued".into())
            }
            SmartpayAuth::Basic { .. } => {
                let probe = "00000000-0000-0000-0000-000000000000";
                let (status, _) = self
                    .call(
                        "payment/status",
                        reqwest::Method::GET,
                        &format!("payment/status/{probe}"),
                        None,
                    )
                    .await?;
                Ok(format!("payment/status: HTTP {status}"))
            }
        }
    }

    async fn send(
        &self,
        call: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<&str>,
        authorization: &str,
    ) -> Result<Answer> {
        let mut request = self
            .http
            .request(method, self.url(path))
            .header(reqwest::header::AUTHORIZATION, authorization)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::ACCEPT_LANGUAGE, "en-US")
            .header(reqwest::header::ORIGIN, self.config.origin.as_str());
        if let Some(body) = body {
            request = request.body(body.to_string());
        }
        let (status, text) = super::send(GATEWAY, call, request).await?;
        if status == reqwest::StatusCode::UNAUTHORIZED {
            return Ok(Answer::Unauthorized);
        }
        Ok(Answer::Body(status.as_u16(), text))
    }

    /// One authorised call; a 401 renews an OAuth token once and resends.
    async fn call(
        &self,
        call: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<&str>,
    ) -> Result<(u16, String)> {
        let authorization = self.authorization(false).await?;
        if let Answer::Body(status, text) = self
            .send(call, method.clone(), path, body, &authorization)
            .await?
        {
            return Ok((status, text));
        }
        if matches!(self.config.auth, SmartpayAuth::OAuth { .. }) {
            tracing::info!("smartpay: token refused on {call}, renewing once");
            let authorization = self.authorization(true).await?;
            if let Answer::Body(status, text) =
                self.send(call, method, path, body, &authorization).await?
            {
                return Ok((status, text));
            }
        }
        Err(Error::GatewayRejected {
            gateway: GATEWAY,
            code: "401".into(),
            message: format!("{call}: not authorised: check the merchant key and the authentication key or OAuth client"),
        })
    }

    /// The exact Create Checkout body for `request`, after every check that can be made before
    /// sending: the widget script setting, the merchant key, partnerReference's characters and
    /// length, the amount (two decimals, more than zero), description (<= 127) and the consumer
    /// fields ("Create Checkout API" page; "Data Model" page,
    /// documentation.jpmmps.com/docs/smartpay/data-model: firstName and lastName String 60,
    /// emailAddress String 255, all mandatory). Pure: nothing is sent or written.
    /// `payment.amount` is a JSON number; [`Smartpay::create`] writes it from its decimal text.
    pub fn prepare_create(&self, request: &CreateRequest<'_>) -> Result<Value> {
        let script_ok = self
            .config
            .script_url
            .as_deref()
            .map(str::trim)
            // The window loads it as a script: an http(s) address, nothing else.
            .is_some_and(|u| u.starts_with("https://") || u.starts_with("http://"));
        if !script_ok {
            return Err(Error::invalid(
                "smartpay.script_url",
                "set the SmartPay widget script (smp-bundle.js) URL you were given in the settings (an https:// address)",
            ));
        }
        let merchant_key = self.config.merchant_key.trim();
        if merchant_key.is_empty() {
            return Err(Error::invalid(
                "merchantKey",
                "the SmartPay merchant key is missing from the credentials",
            ));
        }
        check_length("merchantKey", merchant_key, 36)?;
        let amount = wire_amount(request.amount)?;
        check_reference("partnerReference", request.merchant_order_no)?;
        check_length("payment.description", request.description, 127)?;
        for (field, value, max) in [
            ("consumer.firstName", &self.config.consumer_first_name, 60),
            ("consumer.lastName", &self.config.consumer_last_name, 60),
            ("consumer.emailAddress", &self.config.consumer_email, 255),
        ] {
            if value.trim().is_empty() {
                return Err(Error::invalid(
                    field,
                    format!("{field} is required by SmartPay: set it in the settings"),
                ));
            }
            check_length(field, value, max)?;
        }
        if !self.config.consumer_email.contains('@') {
            return Err(Error::invalid(
                "consumer.emailAddress",
                "consumer.emailAddress is not an email address",
            ));
        }
        Ok(json!({
            "merchantKey": merchant_key,
            "partnerReference": request.merchant_order_no,
            "payment": {
                "amount": decimal_value(&amount)?,
                "currencyCode": request.amount.currency().code(),
                "description": request.description,
            },
            "consumer": {
                "firstName": self.config.consumer_first_name,
                "lastName": self.config.consumer_last_name,
                "emailAddress": self.config.consumer_email,
            },
        }))
    }

    /// Creates the checkout. The answer gives the transactionId and checkoutToken; whatever
    /// paymentStatus it names, the order is Pending: a create answer is never a payment status
    /// (§6), only a status query says CAPTURED or SETTLED. An answer cut short or too late is an
    /// unknown outcome (the checkout may be open at SmartPay), never a refusal; only a
    /// documented refusal ([`ERROR_CODES`]) is.
    pub async fn create(&self, request: &CreateRequest<'_>) -> Result<Created> {
        let mut body = self.prepare_create(request)?;
        let amount = wire_amount(request.amount)?;
        body["payment"]["amount"] = json!(AMOUNT_MARKER);
        let text = json_with_decimal(&body, AMOUNT_MARKER, &amount)?;
        let (status, answer) = self
            .call(
                "payment/creation",
                reqwest::Method::POST,
                "payment/creation",
                Some(&text),
            )
            .await?;
        if status >= 400 {
            return Err(
                documented_refusal("payment/creation", status, &answer).unwrap_or_else(|| {
                    protocol(format!(
                        "payment/creation: HTTP {status}, not a documented answer: the checkout may exist ({})",
                        answer.chars().take(200).collect::<String>()
                    ))
                }),
            );
        }
        let created: CreateAnswer = serde_json::from_str(&answer)
            .map_err(|e| protocol(format!("payment/creation: not JSON ({e})")))?;
        let transaction_id = created
            .transaction_id
            .filter(|t| !t.is_empty())
            .ok_or_else(|| protocol("payment/creation answered without transactionId".into()))?;
        let checkout_token = created
            .checkout_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| protocol("payment/creation answered without checkoutToken".into()))?;
        if let Some(claimed) = created
            .payment_status
            .as_deref()
            .filter(|s| !s.trim().eq_ignore_ascii_case("CREATED"))
        {
            tracing::warn!(
                transaction_id,
                claimed,
                "smartpay: a create answer claims {claimed}: ignored, the order is paid only when a status query says so"
            );
        }
        let script_url = self.config.script_url.clone().unwrap_or_default();
        let mut out = Created::pending(Some(transaction_id.clone()));
        out.status = OrderStatus::Pending;
        out.gateway_status = created.payment_status;
        out.payload = Some(json!({
            "checkoutToken": checkout_token,
            "transactionId": transaction_id,
            "scriptUrl": script_url,
            "requestTime": created.request_time,
        }));
        Ok(out)
    }

    // An order whose create answer was lost has no transactionId, and SmartPay cannot be
    // asked about it: Get Payment Status takes only the transactionId ("Get Payment Status
    // API", documentation.jpmmps.com/docs/smartpay/get-payment-status-api, and its OpenAPI
    // page, GET /payment/status/:transactionId), no page read documents a lookup by
    // partnerReference, and partnerReference "if provided must be unique" ("Create Checkout
    // API", documentation.jpmmps.com/docs/smartpay/create-checkout-api), so a second create
    // with it is no lookup either. The outcome stays unknown (the checkout may be open and be
    // paid at SmartPay): the service keeps the order pending and shows it to the owner, who
    // finds it by partnerReference (our order number) in the SmartPay Merchant Panel.

    /// GET payment/status: `None` for a 404 (no such transaction).
    async fn fetch_status(&self, transaction_id: &str) -> Result<Option<(Value, String)>> {
        let path = format!("payment/status/{transaction_id}");
        let (status, text) = self
            .call("payment/status", reqwest::Method::GET, &path, None)
            .await?;
        if status == 404 {
            return Ok(None);
        }
        if status >= 400 {
            return Err(
                documented_refusal("payment/status", status, &text).unwrap_or_else(|| {
                    protocol(format!(
                        "payment/status: HTTP {status}, not a documented answer"
                    ))
                }),
            );
        }
        let answer: Value = serde_json::from_str(&text)
            .map_err(|e| protocol(format!("payment/status: not JSON ({e})")))?;
        Ok(Some((answer, text)))
    }

    async fn status_inner(&self, transaction_id: &str, expected: Option<Money>) -> Result<Lookup> {
        let Some((answer, text)) = self.fetch_status(transaction_id).await? else {
            return Ok(Lookup::Missing);
        };
        check_status_identity("payment/status", &answer, transaction_id, expected)?;
        let mut report = parse_status(&text)?;
        report.gateway_order_id = Some(transaction_id.to_string());
        if let Some(support) = support_fields(&text) {
            self.support
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(transaction_id.to_string(), support);
        }
        Ok(Lookup::Found(report))
    }

    /// The payment's status, tied to the order: the answer's transactionId, and
    /// transactionOverview's amount and currencyCode, must be the order's (`expected`); a
    /// mismatch is a suspicious [`Error::GatewayProtocol`], logged.
    pub async fn verified_status(&self, transaction_id: &str, expected: Money) -> Result<Lookup> {
        self.status_inner(transaction_id, Some(expected)).await
    }

    /// The payment's status with only the transactionId checked (the amount is not known
    /// here). Prefer [`Smartpay::verified_status`]; kept for callers that have no amount.
    pub async fn status(&self, transaction_id: &str) -> Result<Lookup> {
        self.status_inner(transaction_id, None).await
    }

    /// What the vendor's support asks for (transactionId, reconciliationReferenceId,
    /// paymentStatus, creationDate), from the last status answer of a transaction.
    pub fn take_support(&self, transaction_id: &str) -> Option<Value> {
        self.support
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(transaction_id)
    }

    async fn pending_policy(
        &self,
        transaction_id: &str,
        expected: Option<Money>,
    ) -> Result<Lookup> {
        let mut lookup = self.status_inner(transaction_id, expected).await?;
        for _ in 0..self.config.pending_retries {
            match &lookup {
                Lookup::Found(report) if is_pending_state(&report.gateway_status) => {
                    tokio::time::sleep(self.config.pending_retry_interval).await;
                    lookup = self.status_inner(transaction_id, expected).await?;
                }
                _ => return Ok(lookup),
            }
        }
        if let Lookup::Found(report) = &mut lookup {
            if is_pending_state(&report.gateway_status) {
                tracing::error!(
                    transaction_id,
                    status = %report.gateway_status,
                    "smartpay: still pending after {} re-queries: left pending for SmartPay to resolve",
                    self.config.pending_retries
                );
                let support = report.note.take().unwrap_or_default();
                report.note = Some(format!(
                    "still {} after {} re-queries: left pending (SmartPay resolves it; for support: {support})",
                    report.gateway_status, self.config.pending_retries
                ));
            }
        }
        Ok(lookup)
    }

    /// The vendor's pending policy ([`POLL_POLICY`], here with the configured retries and
    /// interval), on [`Smartpay::verified_status`].
    pub async fn verified_status_with_pending_policy(
        &self,
        transaction_id: &str,
        expected: Money,
    ) -> Result<Lookup> {
        self.pending_policy(transaction_id, Some(expected)).await
    }

    /// [`Smartpay::verified_status_with_pending_policy`] without the amount check.
    pub async fn status_with_pending_policy(&self, transaction_id: &str) -> Result<Lookup> {
        self.pending_policy(transaction_id, None).await
    }

    /// The common body of a modification, checked: transactionId (<= 36), modificationId
    /// (<= 64, our characters), `modifiedAmount` `{amount, currencyCode}` (Capture and Refund
    /// pages: an object, amount Decimal 18.2, currencyCode ISO 4217) and description (<= 127).
    fn modification_body(
        &self,
        transaction_id: &str,
        modification_id: &str,
        amount: Option<Money>,
        description: Option<&str>,
    ) -> Result<(Value, Option<String>)> {
        if transaction_id.trim().is_empty() {
            return Err(Error::invalid(
                "transactionId",
                "the order has no SmartPay transactionId",
            ));
        }
        check_length("transactionId", transaction_id, 36)?;
        Self::check_modification(modification_id, amount, description)?;
        let mut body = json!({
            "transactionId": transaction_id,
            "merchantKey": self.config.merchant_key.trim(),
            "modificationId": modification_id,
        });
        if let Some(description) = description {
            body["description"] = json!(description);
        }
        let decimal = match amount {
            Some(amount) => {
                let decimal = wire_amount(amount)?;
                body["modifiedAmount"] = json!({
                    "amount": decimal_value(&decimal)?,
                    "currencyCode": amount.currency().code(),
                });
                Some(decimal)
            }
            None => None,
        };
        Ok((body, decimal))
    }

    /// The checks of a modification that need no transactionId: modificationId (<= 64, our
    /// characters), the amount (two decimals, more than zero) and description (<= 127).
    fn check_modification(
        modification_id: &str,
        amount: Option<Money>,
        description: Option<&str>,
    ) -> Result<()> {
        check_reference("modificationId", modification_id)?;
        if let Some(amount) = amount {
            wire_amount(amount)?;
        }
        if let Some(description) = description {
            check_length("description", description, 127)?;
        }
        Ok(())
    }

    /// Checks a capture before anything is written or sent (the modificationId and, for a
    /// partial capture, the amount).
    pub fn prepare_capture(&self, modification_id: &str, amount: Option<Money>) -> Result<()> {
        Self::check_modification(modification_id, amount, None)
    }

    /// Checks a refund (or a void: cancelOrRefund) before the ledger reserves it: the refund
    /// number that will be its modificationId, and the amount.
    pub fn prepare_refund(&self, modification_id: &str, amount: Money) -> Result<()> {
        Self::check_modification(modification_id, Some(amount), None)
    }

    /// Checks a cancelOrRefund before anything is written or sent.
    pub fn prepare_cancel_or_refund(
        &self,
        modification_id: &str,
        description: Option<&str>,
    ) -> Result<()> {
        Self::check_modification(modification_id, None, description)
    }

    /// Sends a modification and reads its answer ([`read_modification`]): done is `Ok`, a
    /// documented refusal (HTTP 400/403/404, or a failed modification) `GatewayRejected`; any
    /// other answer `GatewayPending` (readable, not done) or `GatewayProtocol` (unreadable),
    /// settled by [`Smartpay::modification_status`] or by resending the same modificationId.
    async fn modify(
        &self,
        kind: ModificationKind,
        transaction_id: &str,
        modification_id: &str,
        amount: Option<Money>,
        description: Option<&str>,
    ) -> Result<Reversal> {
        let call = kind.path();
        let (mut body, decimal) =
            self.modification_body(transaction_id, modification_id, amount, description)?;
        let text = match decimal {
            Some(decimal) => {
                body["modifiedAmount"]["amount"] = json!(AMOUNT_MARKER);
                json_with_decimal(&body, AMOUNT_MARKER, &decimal)?
            }
            None => body.to_string(),
        };
        let (status, answer) = self
            .call(call, reqwest::Method::POST, call, Some(&text))
            .await?;
        if status >= 400 {
            return Err(documented_refusal(call, status, &answer).unwrap_or_else(|| {
                Error::GatewayPending {
                    gateway: GATEWAY,
                    status: format!("HTTP {status}"),
                    message: format!(
                        "{call}: HTTP {status} is not a documented answer: modification {modification_id} may have been made; query the payment status"
                    ),
                }
            }));
        }
        let answer: Value = serde_json::from_str(&answer)
            .map_err(|e| protocol(format!("{call}: not JSON ({e})")))?;
        read_modification(
            call,
            &answer,
            transaction_id,
            modification_id,
            Some(kind),
            amount,
        )
    }

    /// Settles a modification whose outcome was unknown by re-querying the payment status: the
    /// entry of `modifications[]` with this modificationId says done (`Ok`), failed
    /// (`GatewayRejected`) or anything else, or is not there yet (`GatewayPending`). A payment
    /// SmartPay does not know (404) is a refusal: nothing was modified.
    pub async fn modification_status(
        &self,
        transaction_id: &str,
        modification_id: &str,
    ) -> Result<Reversal> {
        let Some((answer, _)) = self.fetch_status(transaction_id).await? else {
            return Err(Error::GatewayRejected {
                gateway: GATEWAY,
                code: "404".into(),
                message: format!("payment/status: SmartPay has no transaction {transaction_id}"),
            });
        };
        read_modification(
            "payment/status",
            &answer,
            transaction_id,
            modification_id,
            None,
            None,
        )
    }

    /// Captures an authorisation (in full when `amount` is None).
    pub async fn capture(
        &self,
        transaction_id: &str,
        modification_id: &str,
        amount: Option<Money>,
    ) -> Result<Reversal> {
        self.modify(
            ModificationKind::Capture,
            transaction_id,
            modification_id,
            amount,
            None,
        )
        .await
    }

    /// Refunds part of a captured payment.
    pub async fn refund(
        &self,
        transaction_id: &str,
        modification_id: &str,
        amount: Money,
    ) -> Result<Reversal> {
        self.modify(
            ModificationKind::Refund,
            transaction_id,
            modification_id,
            Some(amount),
            None,
        )
        .await
    }

    /// Cancels an authorisation, or refunds a captured payment in full.
    pub async fn cancel_or_refund(
        &self,
        transaction_id: &str,
        modification_id: &str,
        description: Option<&str>,
    ) -> Result<Reversal> {
        self.modify(
            ModificationKind::CancelOrRefund,
            transaction_id,
            modification_id,
            None,
            description,
        )
        .await
    }
}

/// Standard base64 with padding (the Basic credentials).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (chunk[0] as u32) << 16
            | (*chunk.get(1).unwrap_or(&0) as u32) << 8
            | *chunk.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use paydesk_domain::money::Currency;
    use paydesk_domain::order::Method;

    fn eur(text: &str) -> Money {
        Money::parse(text, Currency::parse("EUR").unwrap()).unwrap()
    }

    fn adapter(edit: impl FnOnce(&mut SmartpayConfig)) -> Smartpay {
        let mut config = SmartpayConfig {
            base: "http://127.0.0.1:9/smartpay".into(),
            merchant_key: "48c4e923-e88c-464b-a4e7-ccb2c6d3775e".into(),
            auth: SmartpayAuth::Basic {
                authentication_key: Sensitive::new("key".into()),
            },
            script_url: Some("https://example.com/smp-bundle.js".into()),
            origin: "tauri://localhost".into(),
            consumer_first_name: "Counter".into(),
            consumer_last_name: "Customer".into(),
            consumer_email: "customer@example.com".into(),
            timeout: DEFAULT_TIMEOUT,
            pending_retries: 3,
            pending_retry_interval: Duration::from_secs(60),
        };
        edit(&mut config);
        Smartpay::new(config).unwrap()
    }

    fn request<'a>(order_no: &'a str, amount: Money, description: &'a str) -> CreateRequest<'a> {
        CreateRequest {
            merchant_order_no: order_no,
            method: Method::SmartpayCard,
            amount,
            description,
            payment_code: None,
            card_id: None,
        }
    }

    #[test]
    fn every_word_and_code_has_a_label_and_one_entry() {
        for w in STATUS_WORDS {
            assert!(
                !w.label.trim().is_empty() && w.label != w.word,
                "{}",
                w.word
            );
            assert_eq!(STATUS_WORDS.iter().filter(|o| o.word == w.word).count(), 1);
        }
        for w in MODIFICATION_WORDS {
            assert!(
                !w.label.trim().is_empty() && w.label != w.word,
                "{}",
                w.word
            );
            assert_eq!(
                MODIFICATION_WORDS
                    .iter()
                    .filter(|o| o.word == w.word)
                    .count(),
                1
            );
        }
        for c in ERROR_CODES {
            assert!(!c.label.trim().is_empty(), "{}", c.code);
        }
        for word in [
            "CREATED",
            "AUTORIZATION_INITIALIZED",
            "AUTHORIZATION_PENDING",
            "AUTHORIZATION_COMPLETED",
            "CAPTURE_PENDING",
            "CAPTURED",
            "SETTLED",
        ] {
            assert!(status_word(word).is_some(), "{word} is the vendor's");
        }
    }

    #[test]
    fn statuses_map_through_the_table() {
        for w in STATUS_WORDS {
            assert_eq!(map_status(w.word), w.status, "{}", w.word);
        }
        assert_eq!(map_status(" captured "), OrderStatus::Paid);
        assert_eq!(
            map_status("AUTHORIZATION_COMPLETED"),
            OrderStatus::Authorized
        );
        for pending in [
            "CREATED",
            "AUTORIZATION_INITIALIZED",
            "CAPTURE_PENDING",
            "SOMETHING_NEW",
        ] {
            assert_eq!(map_status(pending), OrderStatus::Pending, "{pending}");
        }
        // Only the table's failure words fail an order: an unknown `_FAILED` stays pending.
        assert_eq!(map_status("AUTHORIZATION_FAILED"), OrderStatus::Failed);
        assert_eq!(map_status("CAPTURE_FAILED"), OrderStatus::Pending);
        assert_eq!(map_status("CANCELLED"), OrderStatus::Cancelled);
        assert_eq!(map_status("REFUNDED"), OrderStatus::Refunded);
        assert!(
            is_pending_state("CAPTURE_PENDING") && !is_pending_state("AUTORIZATION_INITIALIZED")
        );
        assert_eq!(error_code(400).unwrap().meaning, CodeMeaning::Refused);
        assert_eq!(error_code(404).unwrap().meaning, CodeMeaning::NoSuchOrder);
        assert!(error_code(409).is_none() && error_code(422).is_none());
    }

    #[test]
    fn the_pending_policy_is_three_requeries_within_three_minutes() {
        assert_eq!(pending_poll_schedule().len(), 3);
        assert_eq!(PENDING_REQUERIES, 3);
        let total: Duration = POLL_POLICY.iter().sum();
        assert!(total <= PENDING_WINDOW, "{total:?}");
    }

    /// The seed's status answer, and the vendor's misspelled status kept verbatim.
    #[test]
    fn recorded_status_bodies() {
        let seed = r#"{"transactionId":"48c4e923-e88c-464b-a4e7-ccb2c6d3775e","reconciliationReferenceId":"zKZhOVjJitCdHdJzicGmI","description":"Purchase 1x product ABC","paymentStatus":"CAPTURED","creationDate":"2020-12-15T13:49:36.556Z","transactionOverview":{"amount":10.99,"currencyCode":"EUR","mit":false,"transactionId":"48c4e923-e88c-464b-a4e7-ccb2c6d3775e","paymentMethod":"CARDS"},"modifications":[]}"#;
        let report = parse_status(seed).unwrap();
        assert_eq!(
            (report.status, report.gateway_status.as_str()),
            (OrderStatus::Paid, "CAPTURED")
        );
        let note = report.note.unwrap();
        assert!(
            note.contains("zKZhOVjJitCdHdJzicGmI") && note.contains("2020-12-15T13:49:36.556Z"),
            "{note}"
        );
        let misspelled = r#"{"transactionId":"fc10f767-12a7-46d0-9da0-4af6b5b67c4d","paymentStatus":"AUTORIZATION_INITIALIZED"}"#;
        let report = parse_status(misspelled).unwrap();
        assert_eq!(
            (report.status, report.gateway_status.as_str()),
            (OrderStatus::Pending, "AUTORIZATION_INITIALIZED")
        );
        let support = support_fields(seed).unwrap();
        assert_eq!(
            support["reconciliationReferenceId"],
            "zKZhOVjJitCdHdJzicGmI"
        );
        assert_eq!(support["creationDate"], "2020-12-15T13:49:36.556Z");
        let unknown = r#"{"transactionId":"x","paymentStatus":"RISK_REVIEW"}"#;
        assert_eq!(parse_status(unknown).unwrap().gateway_status, "RISK_REVIEW");
        assert!(matches!(
            parse_status(r#"{"transactionId":"x"}"#),
            Err(Error::GatewayProtocol { .. })
        ));
        assert!(matches!(
            parse_status("<html>"),
            Err(Error::GatewayProtocol { .. })
        ));

        // The seed's answer is about its own transaction, 10.99 EUR.
        let value: Value = serde_json::from_str(seed).unwrap();
        let id = "48c4e923-e88c-464b-a4e7-ccb2c6d3775e";
        assert!(check_status_identity("s", &value, id, Some(eur("10.99"))).is_ok());
        assert!(check_status_identity("s", &value, &id.to_uppercase(), None).is_ok());
    }

    #[test]
    fn a_status_answer_must_be_about_the_order_asked() {
        let id = "fc10f767-12a7-46d0-9da0-4af6b5b67c4d";
        let body = |top: &str, inner: &str, amount: &str, currency: &str| -> Value {
            serde_json::from_str(&format!(
                r#"{{"transactionId":"{top}","paymentStatus":"CAPTURED","transactionOverview":{{"transactionId":"{inner}","amount":{amount},"currencyCode":"{currency}"}}}}"#
            ))
            .unwrap()
        };
        let suspicious = |r: Result<()>| match r {
            Err(e @ Error::GatewayProtocol { .. }) => {
                assert!(e.to_string().contains("suspicious"), "{e}");
                assert!(e.is_outcome_unknown());
            }
            other => panic!("{other:?}"),
        };
        assert!(
            check_status_identity("s", &body(id, id, "10.00", "EUR"), id, Some(eur("10"))).is_ok()
        );
        assert!(
            check_status_identity("s", &body(id, id, "10.0", "EUR"), id, Some(eur("10.00")))
                .is_ok()
        );
        let other = "00000000-0000-4000-a000-000000000001";
        suspicious(check_status_identity(
            "s",
            &body(other, other, "10.00", "EUR"),
            id,
            None,
        ));
        suspicious(check_status_identity(
            "s",
            &body(id, other, "10.00", "EUR"),
            id,
            None,
        ));
        suspicious(check_status_identity(
            "s",
            &body(id, id, "1.00", "EUR"),
            id,
            Some(eur("10")),
        ));
        suspicious(check_status_identity(
            "s",
            &body(id, id, "10.001", "EUR"),
            id,
            Some(eur("10")),
        ));
        suspicious(check_status_identity(
            "s",
            &body(id, id, "10.00", "USD"),
            id,
            Some(eur("10")),
        ));
        // An answer naming no transaction cannot be tied to the order: unknown, not paid.
        let anonymous: Value = serde_json::from_str(r#"{"paymentStatus":"CAPTURED"}"#).unwrap();
        assert!(matches!(
            check_status_identity("s", &anonymous, id, Some(eur("10"))),
            Err(Error::GatewayProtocol { .. })
        ));
        // Where the answer does not carry the amount, the identity is enough.
        let bare: Value = serde_json::from_str(&format!(
            r#"{{"transactionId":"{id}","paymentStatus":"CREATED"}}"#
        ))
        .unwrap();
        assert!(check_status_identity("s", &bare, id, Some(eur("10"))).is_ok());
    }

    /// The vendor's Cancel page answer, and the refund shapes of the Response Model page.
    #[test]
    fn modification_answers_are_read_for_the_modification_asked() {
        let id = "933a0fab-80a0-42c5-b010-c71174f4ab32";
        let answer = |entry_key: &str,
                      kind: &str,
                      mid: &str,
                      status: &str,
                      amount: &str|
         -> Value {
            let entry = format!(
                r#"{{"modificationData":{{"type":"{kind}","modificationId":"{mid}","reconciliationReferenceId":"RR1"}},"modificationAmount":{{"amount":{amount},"currencyCode":"EUR"}},"status":"{status}"}}"#
            );
            let listed = if entry_key == "modification" {
                format!(r#""modification":{entry},"modifications":[{entry}]"#)
            } else {
                format!(r#""modifications":[{entry}]"#)
            };
            serde_json::from_str(&format!(
                r#"{{"paymentStatus":"CAPTURED","transactionOverview":{{"transactionId":"{id}","amount":10.99,"currencyCode":"EUR"}},{listed}}}"#
            ))
            .unwrap()
        };
        let done = read_modification(
            "c",
            &answer("modification", "CANCELLATION", "M-1", "CANCELLED", "10.99"),
            id,
            "M-1",
            Some(ModificationKind::CancelOrRefund),
            None,
        )
        .unwrap();
        assert_eq!(
            (
                done.gateway_refund_id.as_deref(),
                done.gateway_status.as_deref()
            ),
            (Some("RR1"), Some("CANCELLED"))
        );
        let refund = |status: &str, amount: &str| {
            read_modification(
                "r",
                &answer("modifications", "REFUND", "R-1", status, amount),
                id,
                "R-1",
                Some(ModificationKind::Refund),
                Some(eur("3.00")),
            )
        };
        assert!(refund("REFUNDED", "3.00").is_ok());
        assert!(matches!(
            refund("REFUND_PENDING", "3.00"),
            Err(Error::GatewayPending { .. })
        ));
        assert!(matches!(
            refund("SOMETHING_NEW", "3.00"),
            Err(Error::GatewayPending { .. })
        ));
        assert!(matches!(
            refund("", "3.00"),
            Err(Error::GatewayPending { .. })
        ));
        assert!(
            matches!(
                refund("CAPTURED", "3.00"),
                Err(Error::GatewayPending { .. })
            ),
            "not a refund's done word"
        );
        match refund("REFUND_FAILED", "3.00") {
            Err(Error::GatewayRejected { code, .. }) => assert_eq!(code, "REFUND_FAILED"),
            other => panic!("{other:?}"),
        }
        // The first request's result, for a resend that asked for something else.
        assert!(matches!(
            refund("REFUNDED", "4.00"),
            Err(Error::GatewayProtocol { .. })
        ));
        // Another modification, or none with this id: not done.
        assert!(matches!(
            read_modification(
                "r",
                &answer("modifications", "REFUND", "R-2", "REFUNDED", "3.00"),
                id,
                "R-1",
                None,
                None
            ),
            Err(Error::GatewayPending { .. })
        ));
        // Of another kind than asked, or about another transaction: suspicious.
        assert!(matches!(
            read_modification(
                "c",
                &answer("modification", "CAPTURE", "R-1", "CAPTURED", "3.00"),
                id,
                "R-1",
                Some(ModificationKind::Refund),
                None
            ),
            Err(Error::GatewayProtocol { .. })
        ));
        assert!(matches!(
            read_modification(
                "r",
                &answer("modifications", "REFUND", "R-1", "REFUNDED", "3.00"),
                "00000000-0000-4000-a000-000000000001",
                "R-1",
                None,
                None
            ),
            Err(Error::GatewayProtocol { .. })
        ));
        // The old sandbox's answer (any 2xx) says nothing about the modification: not done.
        let bare: Value = serde_json::from_str(&format!(
            r#"{{"transactionId":"{id}","modificationId":"R-1","modificationStatus":"SUCCEEDED","paymentStatus":"CAPTURED"}}"#
        ))
        .unwrap();
        assert!(matches!(
            read_modification("r", &bare, id, "R-1", Some(ModificationKind::Refund), None),
            Err(Error::GatewayPending { .. })
        ));
    }

    #[test]
    fn prepare_create_builds_the_body_and_checks_everything_first() {
        let smartpay = adapter(|_| {});
        let body = smartpay
            .prepare_create(&request(
                "PD2611221230001234AB",
                eur("10.99"),
                "Sale PD2611221230001234AB",
            ))
            .unwrap();
        assert_eq!(body["partnerReference"], "PD2611221230001234AB");
        assert_eq!(body["payment"]["amount"], json!(10.99));
        assert_eq!(body["payment"]["currencyCode"], "EUR");
        assert_eq!(body["consumer"]["emailAddress"], "customer@example.com");
        assert_eq!(body["merchantKey"], "48c4e923-e88c-464b-a4e7-ccb2c6d3775e");

        let field = |s: &Smartpay, r: CreateRequest<'_>| s.prepare_create(&r).unwrap_err().field();
        let ok = |s: &Smartpay| s.prepare_create(&request("PD-1", eur("1.00"), "x"));
        assert_eq!(
            field(
                &adapter(|c| c.script_url = None),
                request("PD-1", eur("1"), "x")
            ),
            Some("smartpay.script_url")
        );
        assert_eq!(
            field(
                &adapter(|c| c.script_url = Some(" ".into())),
                request("PD-1", eur("1"), "x")
            ),
            Some("smartpay.script_url")
        );
        assert_eq!(
            field(&smartpay, request("has space", eur("1"), "x")),
            Some("partnerReference")
        );
        assert_eq!(
            field(&smartpay, request(&"P".repeat(65), eur("1"), "x")),
            Some("partnerReference")
        );
        assert!(smartpay
            .prepare_create(&request(&"P".repeat(64), eur("1"), "x"))
            .is_ok());
        assert!(smartpay
            .prepare_create(&request("a-Z_0.9:x", eur("1"), "x"))
            .is_ok());
        let long = "d".repeat(128);
        assert_eq!(
            field(&smartpay, request("PD-1", eur("1"), &long)),
            Some("payment.description")
        );
        assert!(smartpay
            .prepare_create(&request("PD-1", eur("1"), &long[..127]))
            .is_ok());
        let jpy = Money::parse("100", Currency::parse("JPY").unwrap()).unwrap();
        assert_eq!(
            field(&smartpay, request("PD-1", jpy, "x")),
            Some("currency")
        );
        assert_eq!(
            adapter(|c| c.consumer_first_name = "F".repeat(61))
                .prepare_create(&request("PD-1", eur("1"), "x"))
                .unwrap_err()
                .field(),
            Some("consumer.firstName")
        );
        assert!(ok(&adapter(|c| c.consumer_first_name = "F".repeat(60))).is_ok());
        assert_eq!(
            adapter(|c| c.consumer_last_name = " ".into())
                .prepare_create(&request("PD-1", eur("1"), "x"))
                .unwrap_err()
                .field(),
            Some("consumer.lastName")
        );
        assert_eq!(
            adapter(|c| c.consumer_email = format!("{}@x.io", "e".repeat(251)))
                .prepare_create(&request("PD-1", eur("1"), "x"))
                .unwrap_err()
                .field(),
            Some("consumer.emailAddress")
        );
        assert_eq!(
            adapter(|c| c.consumer_email = "nobody".into())
                .prepare_create(&request("PD-1", eur("1"), "x"))
                .unwrap_err()
                .field(),
            Some("consumer.emailAddress")
        );
        assert_eq!(
            adapter(|c| c.merchant_key = "k".repeat(37))
                .prepare_create(&request("PD-1", eur("1"), "x"))
                .unwrap_err()
                .field(),
            Some("merchantKey")
        );
        // One API's limits never stop the adapter being built: `new` checks nothing.
        let _ = adapter(|c| {
            c.script_url = None;
            c.consumer_email = String::new();
        });
    }

    #[test]
    fn modifications_are_checked_before_they_are_sent() {
        let smartpay = adapter(|_| {});
        let id = "933a0fab-80a0-42c5-b010-c71174f4ab32";
        assert!(smartpay
            .prepare_refund("RF2611221230001234AB", eur("3.00"))
            .is_ok());
        assert!(smartpay.prepare_capture("CP-1", None).is_ok());
        assert!(smartpay.prepare_capture("CP-1", Some(eur("5"))).is_ok());
        assert!(smartpay
            .prepare_cancel_or_refund("X-1", Some("refund from Paydesk"))
            .is_ok());
        let field = |r: Result<()>| r.unwrap_err().field();
        assert_eq!(
            field(smartpay.prepare_refund(&"m".repeat(65), eur("1"))),
            Some("modificationId")
        );
        assert!(smartpay.prepare_refund(&"m".repeat(64), eur("1")).is_ok());
        assert_eq!(
            field(smartpay.prepare_refund("has space", eur("1"))),
            Some("modificationId")
        );
        assert_eq!(
            field(smartpay.prepare_refund("", eur("1"))),
            Some("modificationId")
        );
        let jpy = Money::parse("100", Currency::parse("JPY").unwrap()).unwrap();
        assert_eq!(field(smartpay.prepare_refund("R-1", jpy)), Some("currency"));
        assert_eq!(
            field(smartpay.prepare_cancel_or_refund("X-1", Some(&"d".repeat(128)))),
            Some("description")
        );
        let body = |t: &str| smartpay.modification_body(t, "C-1", None, None).map(|_| ());
        assert_eq!(field(body("")), Some("transactionId"));
        assert_eq!(field(body(&"t".repeat(37))), Some("transactionId"));
        // The wire form: modifiedAmount is an object (Capture and Refund pages), exact decimals.
        let (body, decimal) = smartpay
            .modification_body(id, "R-1", Some(eur("10")), None)
            .unwrap();
        assert_eq!(body["modifiedAmount"]["currencyCode"], "EUR");
        assert_eq!(decimal.as_deref(), Some("10.00"));
        let mut wire = body.clone();
        wire["modifiedAmount"]["amount"] = json!(AMOUNT_MARKER);
        let text = json_with_decimal(&wire, AMOUNT_MARKER, "10.00").unwrap();
        assert!(
            text.contains(r#""modifiedAmount":{"amount":10.00,"currencyCode":"EUR"}"#),
            "{text}"
        );
    }

    #[test]
    fn references_and_amounts() {
        assert!(check_reference("partnerReference", "PD2611221230001234AB").is_ok());
        assert!(check_reference("modificationId", "RF-1:2.3_4").is_ok());
        assert_eq!(
            check_reference("partnerReference", "has space")
                .unwrap_err()
                .field(),
            Some("partnerReference")
        );
        assert!(check_reference("modificationId", &"x".repeat(65)).is_err());
        assert_eq!(wire_amount(eur("10.99")).unwrap(), "10.99");
        assert_eq!(wire_amount(eur("10")).unwrap(), "10.00");
        assert!(wire_amount(Money::parse("10", Currency::parse("JPY").unwrap()).unwrap()).is_err());
        assert_eq!(minor_of(&json!(10.99), eur("1")), Some(1099));
        assert_eq!(minor_of(&json!(10.0), eur("1")), Some(1000));
        assert_eq!(minor_of(&json!("10.50"), eur("1")), Some(1050));
        assert_eq!(minor_of(&json!(10.999), eur("1")), None);
        assert_eq!(base64(b"48c4e923:secret"), "NDhjNGU5MjM6c2VjcmV0");
        assert_eq!(base64(b"ab"), "YWI=");
    }
}
