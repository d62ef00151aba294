//! Gateway adapters: one file per gateway API, its wire types beside it, mapping the
//! gateway's statuses into `OrderStatus` (anything not plainly success or failure is
//! Pending, and the gateway's own word is kept verbatim).

pub mod iotpay;
pub mod iotpay_card;
pub mod smartexpay;
pub mod smartpay;
pub mod smepay;

use std::time::Duration;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::money::Money;
use crate::order::{Method, MethodKind, Order, OrderStatus};

/// One status word a gateway uses for an order (or a refund): what it means in Paydesk's
/// model, and what a cashier reads for it. Each gateway keeps its table (`STATUS_WORDS`)
/// beside its wire types; a word not in the table maps to Pending and is kept verbatim.
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

/// One documented error code of a gateway (`ERROR_CODES` beside its wire types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeWord {
    pub code: &'static str,
    pub meaning: CodeMeaning,
    /// Plain words for the owner ("the wallet's system timed out").
    pub label: &'static str,
}

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
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub status: OrderStatus,
    pub gateway_status: String,
    pub gateway_order_id: Option<String>,
    pub note: Option<String>,
}

/// The outcome of a refund or void the gateway accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct Reversal {
    pub gateway_refund_id: Option<String>,
    pub gateway_status: Option<String>,
}

/// The adapters, dispatched by gateway (IOTPay has two APIs: v1 for wallets, V3 for cards).
pub enum Connector {
    Iotpay {
        v1: iotpay::Iotpay,
        card: iotpay_card::IotpayCard,
    },
    Smepay(smepay::Smepay),
    Smartexpay(smartexpay::Smartexpay),
    Smartpay(smartpay::Smartpay),
}

/// What Settings' "Test connection" found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
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

#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionCheck {
    pub gateway: &'static str,
    pub environment: String,
    pub outcome: ConnectionOutcome,
    /// The gateway's own words (or why the check could not run).
    pub message: String,
    pub elapsed_ms: u64,
}

fn is_card(method: Method) -> bool {
    matches!(method, Method::CardLink | Method::Card | Method::CardToken)
}

impl Connector {
    /// The cheapest authenticated call of this gateway (see each adapter's
    /// `check_credentials`), sorted into what the owner needs to know.
    pub async fn check_connection(&self) -> (ConnectionOutcome, String) {
        let answer = match self {
            Connector::Iotpay { v1, .. } => v1.check_credentials().await,
            Connector::Smepay(c) => c.check_credentials().await,
            Connector::Smartexpay(c) => c.check_credentials().await,
            Connector::Smartpay(c) => c.check_credentials().await,
        };
        match answer {
            Ok(words) => (ConnectionOutcome::Ok, words),
            Err(e @ Error::GatewayRejected { .. }) => {
                (ConnectionOutcome::CredentialsRejected, e.to_string())
            }
            Err(e @ Error::GatewayUnreachable { .. }) => {
                (ConnectionOutcome::Unreachable, e.to_string())
            }
            Err(e) => (ConnectionOutcome::Error, e.to_string()),
        }
    }

    pub async fn create(&self, request: &CreateRequest<'_>) -> Result<Created> {
        match self {
            Connector::Iotpay { card, .. } if is_card(request.method) => card.create(request).await,
            Connector::Iotpay { v1, .. } => v1.create_order(request).await,
            Connector::Smepay(smepay) => smepay.create(request).await,
            Connector::Smartexpay(smartexpay) => smartexpay.create(request).await,
            Connector::Smartpay(smartpay) => smartpay.create(request).await,
        }
    }

    pub async fn lookup(&self, order: &Order) -> Result<Lookup> {
        match self {
            Connector::Iotpay { card, .. } if is_card(order.method) => {
                card.query(&order.merchant_order_no).await
            }
            Connector::Iotpay { v1, .. } => v1.query_order(&order.merchant_order_no).await,
            Connector::Smepay(smepay) => {
                smepay
                    .lookup(
                        &order.merchant_order_no,
                        order.gateway_order_id.as_deref(),
                        order.amount,
                    )
                    .await
            }
            Connector::Smartexpay(smartexpay) => smartexpay.lookup(order).await,
            Connector::Smartpay(smartpay) => match order.gateway_order_id.as_deref() {
                Some(transaction_id) => smartpay.status(transaction_id).await,
                None => Ok(Lookup::Missing),
            },
        }
    }

    /// Fields the gateway's support asks for, from the last lookup (SmartPay), to keep with
    /// the order.
    pub fn support_fields(&self, order: &Order) -> Option<serde_json::Value> {
        match (self, order.gateway_order_id.as_deref()) {
            (Connector::Smartpay(smartpay), Some(transaction_id)) => {
                smartpay.take_support(transaction_id)
            }
            _ => None,
        }
    }

    /// A lookup with the gateway's patience for PENDING answers (SmartPay's policy).
    pub async fn lookup_patiently(&self, order: &Order) -> Result<Lookup> {
        match (self, order.gateway_order_id.as_deref()) {
            (Connector::Smartpay(smartpay), Some(transaction_id)) => {
                smartpay.status_with_pending_policy(transaction_id).await
            }
            _ => self.lookup(order).await,
        }
    }

    /// Refuses, before anything is reserved in the ledger, a refund this gateway cannot make.
    pub fn check_refund(&self, order: &Order) -> Result<()> {
        match self {
            Connector::Smepay(_) => Err(Error::invalid(
                "order",
                format!(
                    "SMEPay has no refund API: refund order {} to the customer outside Paydesk (SMEPay dashboard or UPI transfer)",
                    order.merchant_order_no
                ),
            )),
            Connector::Smartexpay(_) => Err(Error::invalid(
                "order",
                format!(
                    "SmartExPay has no refund API: refund order {} outside Paydesk (SmartExPay returns an order itself when its exchange fails: it then shows as refunded)",
                    order.merchant_order_no
                ),
            )),
            _ => Ok(()),
        }
    }

    /// Gives money back on a paid order. `refund_no` is ours, written to the ledger first.
    pub async fn refund(&self, order: &Order, refund_no: &str, amount: Money) -> Result<Reversal> {
        let pay_order_id = order.gateway_order_id.as_deref().ok_or_else(|| {
            Error::invalid(
                "order",
                format!(
                    "order {} has no gateway order id yet: sync it first",
                    order.id
                ),
            )
        })?;
        match self {
            Connector::Iotpay { card, .. } if is_card(order.method) => {
                card.refund(pay_order_id, refund_no, amount).await
            }
            Connector::Iotpay { v1, .. } => v1.refund_order(pay_order_id, refund_no, amount).await,
            Connector::Smepay(_) | Connector::Smartexpay(_) => self
                .check_refund(order)
                .map(|_| unreachable!("refunds are refused")),
            // The whole payment at once is cancelOrRefund; anything partial is refund.
            Connector::Smartpay(smartpay)
                if order.refunded_minor == 0 && amount.minor() == order.amount.minor() =>
            {
                smartpay
                    .cancel_or_refund(pay_order_id, refund_no, Some("refund from Paydesk"))
                    .await
            }
            Connector::Smartpay(smartpay) => smartpay.refund(pay_order_id, refund_no, amount).await,
        }
    }

    /// Cancels an unsettled card payment in full.
    pub async fn void(&self, order: &Order, refund_no: &str) -> Result<Reversal> {
        let pay_order_id = order.gateway_order_id.as_deref().ok_or_else(|| {
            Error::invalid(
                "order",
                format!(
                    "order {} has no gateway order id yet: sync it first",
                    order.id
                ),
            )
        })?;
        match self {
            Connector::Iotpay { card, .. } if is_card(order.method) => {
                card.void(pay_order_id, refund_no).await
            }
            Connector::Iotpay { .. } => Err(Error::invalid(
                "order",
                format!(
                    "{} payments cannot be voided: refund them instead",
                    order.method.label()
                ),
            )),
            Connector::Smepay(_) => {
                Err(Error::invalid("order", "SMEPay payments cannot be voided"))
            }
            Connector::Smartexpay(_) => Err(Error::invalid(
                "order",
                "SmartExPay payments cannot be voided",
            )),
            Connector::Smartpay(smartpay) => {
                smartpay
                    .cancel_or_refund(pay_order_id, refund_no, Some("cancelled from Paydesk"))
                    .await
            }
        }
    }
}

/// Refuses a value longer than the gateway allows, naming the field, before anything is sent.
pub fn check_length(field: &'static str, value: &str, max: usize) -> Result<()> {
    let length = value.chars().count();
    if length > max {
        return Err(Error::invalid(
            field,
            format!("{field} is {length} characters; the gateway takes at most {max}"),
        ));
    }
    Ok(())
}

/// The JSON text of `body` with the string `marker` replaced by `decimal` as a bare JSON
/// number: amounts that a gateway wants as a number are written from their decimal text,
/// never through a float.
pub fn json_with_decimal(body: &serde_json::Value, marker: &str, decimal: &str) -> Result<String> {
    let (whole, fraction) = decimal.split_once('.').unwrap_or((decimal, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return Err(Error::Internal(format!(
            "{decimal:?} is not a decimal amount"
        )));
    }
    let text = body.to_string();
    let quoted = serde_json::to_string(marker).map_err(|e| Error::Internal(e.to_string()))?;
    if text.matches(&quoted).count() != 1 {
        return Err(Error::Internal("the amount marker must appear once".into()));
    }
    Ok(text.replacen(&quoted, decimal, 1))
}

/// Checks what a method needs besides the amount, before anything is written.
pub fn check_method_input(
    method: Method,
    payment_code: Option<&str>,
    card_id: Option<&str>,
) -> Result<()> {
    match method {
        Method::Barcode => iotpay::micropay_channel(payment_code.unwrap_or_default()).map(|_| ()),
        Method::CardToken => match card_id.map(str::trim) {
            Some(id) if !id.is_empty() => check_length("cardId", id, 30),
            _ => Err(Error::invalid(
                "cardId",
                "a saved-card payment needs the card's id (--card-id)",
            )),
        },
        _ => Ok(()),
    }
}

/// The gateway's own bounds on an amount, checked before anything is written.
pub fn check_amount(method: Method, amount: Money) -> Result<()> {
    match method.gateway() {
        crate::order::Gateway::Smepay => smepay::wire_amount(amount).map(|_| ()),
        _ => Ok(()),
    }
}

/// Methods whose result is known only after asking (the customer confirms on their phone).
pub fn confirm_by_query(method: Method) -> bool {
    method.kind() == MethodKind::Barcode || method == Method::CardToken
}

/// An HTTP client with the timeouts a counter can live with.
pub fn http_client(timeout: Duration) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(timeout)
        .user_agent(concat!("Paydesk/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Internal(format!("cannot build the HTTP client: {e}")))
}

/// Sends a request and returns the answer's status and body. No answer at all, or a 5xx, is
/// "unreachable": the outcome is unknown, so nothing may be concluded from it.
pub(crate) async fn send(
    gateway: &'static str,
    endpoint: &str,
    request: reqwest::RequestBuilder,
) -> Result<(reqwest::StatusCode, String)> {
    let response = request
        .send()
        .await
        .map_err(|e| transport_error(gateway, e))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| transport_error(gateway, e))?;
    if status.is_server_error() {
        return Err(Error::GatewayUnreachable {
            gateway,
            message: format!("{endpoint}: HTTP {status}"),
        });
    }
    Ok((status, text))
}

/// A bearer token kept between calls and renewed a little early: a fifth of its lifetime, at
/// most a minute, before it runs out.
pub(crate) struct Token {
    value: crate::vault::Sensitive<String>,
    renew_at: std::time::Instant,
}

impl Token {
    /// `expires_in` as the gateway sent it (seconds, as a number or as text); `default_secs`
    /// when it is missing or unreadable.
    pub(crate) fn new(value: String, expires_in: Option<&Value>, default_secs: u64) -> Token {
        let seconds = expires_in
            .and_then(|v| {
                v.as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            })
            .unwrap_or(default_secs);
        let lifetime = Duration::from_secs(seconds);
        let margin = (lifetime / 5).min(Duration::from_secs(60));
        Token {
            value: crate::vault::Sensitive::new(value),
            renew_at: std::time::Instant::now() + lifetime - margin,
        }
    }

    /// The token while it has a while to live.
    pub(crate) fn live(&self) -> Option<&crate::vault::Sensitive<String>> {
        (std::time::Instant::now() < self.renew_at).then_some(&self.value)
    }

    pub(crate) fn value(&self) -> &crate::vault::Sensitive<String> {
        &self.value
    }
}

/// Cuts free text to a gateway's field size, on a character boundary.
pub(crate) fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}

/// Sorts a transport failure: no answer at all is "unreachable" (outcome unknown).
pub(crate) fn transport_error(gateway: &'static str, e: reqwest::Error) -> Error {
    let message = if e.is_timeout() {
        "timed out waiting for an answer".to_string()
    } else if e.is_connect() {
        "connection failed".to_string()
    } else {
        e.to_string()
    };
    Error::GatewayUnreachable { gateway, message }
}
