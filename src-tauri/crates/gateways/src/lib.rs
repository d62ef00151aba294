//! Gateway adapters: one file per gateway API, its wire types beside it, mapping the
//! gateway's statuses into `OrderStatus` (anything not plainly success or failure is
//! Pending, and the gateway's own word is kept verbatim).

mod adapters;
pub mod iotpay;
pub mod iotpay_card;
pub mod smartexpay;
pub mod smartpay;
pub mod smepay;

pub use adapters::{build, capabilities, Built};

use std::time::Duration;

use serde_json::Value;

use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::Money;
use paydesk_domain::order::{Gateway, Method, MethodKind, Order, OrderStatus};

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

/// How often an open order is asked about, per gateway, and for how long. Fast while the
/// customer stands at the counter, then backing off; kept up past Paydesk's own expiry for as
/// long as the gateway can still take the payment (a late payment is still money).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollSchedule {
    /// The interval while the customer is at the counter.
    pub fast: Duration,
    /// How long the fast interval lasts after the order is created.
    pub fast_for: Duration,
    /// Then the interval doubles up to this.
    pub slowest: Duration,
    /// How long after creation the gateway may still take the payment: the order is
    /// reconciled until then, even past Paydesk's expiry.
    pub payable_for: Duration,
    /// A documented limit on re-queries of a gateway "pending" state: this many, this far
    /// apart, then the order is left pending for the gateway to resolve and the owner told.
    pub pending_requeries: Option<(u32, Duration)>,
}

impl PollSchedule {
    /// The wait before the next query of an order created `age` ago.
    pub fn delay(&self, age: Duration) -> Duration {
        if age < self.fast_for {
            return self.fast;
        }
        let mut delay = self.fast;
        let mut at = self.fast_for;
        while delay < self.slowest && at < age {
            at += delay * 8;
            delay *= 2;
        }
        delay.min(self.slowest)
    }
}

/// What a gateway can do, declared once per gateway instead of checked in scattered places.
#[derive(Debug, Clone, Copy)]
pub struct Capabilities {
    pub gateway: Gateway,
    /// Why money cannot be given back through Paydesk, when it cannot.
    pub no_refunds: Option<&'static str>,
    /// The methods whose unsettled payments can be voided.
    pub voidable: &'static [Method],
    /// Authorisations are captured by the owner (SmartPay).
    pub capture: bool,
    /// A refund whose answer was lost can be asked about (IOTPay Query Refund, V3 cc_query,
    /// SmartPay's modifications[]), so it settles without the owner.
    pub refund_lookup: bool,
    /// The gateway documents a resent refund number as the same refund (SmartPay's
    /// modificationId), so a refund with no answer may be resent on its own.
    pub resend_is_idempotent: bool,
    /// A manual payment step the owner confirms (SmartExPay's waitPayment -> inProgress).
    pub manual_payment: bool,
    /// The gateway documents a call that closes a waiting order so it can no longer be paid
    /// (SmartPay's cancelOrRefund). Without one a cancelled sale is cancelled in Paydesk only
    /// and kept watched while the gateway can still take the payment.
    pub cancel_call: bool,
    pub poll: PollSchedule,
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

/// The same verbs for every gateway. The payment service knows nothing else of a gateway:
/// which API of it serves a method, what it can do (`capabilities`), how it signs and what
/// its words mean stay behind this trait. `prepare_*` are pure: they build and check what
/// would be sent, so a bad setting or field is refused before the ledger is touched.
#[async_trait::async_trait]
pub trait Adapter: Send + Sync {
    fn capabilities(&self) -> &'static Capabilities;

    /// Builds and checks the create call without sending it.
    fn prepare_create(&self, request: &CreateRequest<'_>) -> Result<()>;
    async fn create(&self, request: &CreateRequest<'_>) -> Result<Created>;

    /// What became of an order: checked against the order asked about.
    async fn lookup(&self, order: &Order) -> Result<Lookup>;
    /// A lookup with the gateway's documented patience for pending answers.
    async fn lookup_patiently(&self, order: &Order) -> Result<Lookup> {
        self.lookup(order).await
    }
    /// Fields the gateway's support asks for, from the last lookup, to keep with the order.
    fn support_fields(&self, _order: &Order) -> Option<Value> {
        None
    }

    /// Builds and checks a refund or void without sending it.
    fn prepare_reversal(&self, order: &Order, reversal: &ReversalRequest<'_>) -> Result<()>;
    async fn reverse(&self, order: &Order, reversal: &ReversalRequest<'_>) -> Result<Reversal>;
    /// What became of a refund or void whose answer was lost or undecided.
    async fn lookup_reversal(
        &self,
        _order: &Order,
        _reversal: &ReversalRequest<'_>,
    ) -> Result<Reversal> {
        Err(Error::GatewayPending {
            gateway: self.capabilities().gateway.as_str(),
            status: "unknown".into(),
            message: "this gateway has no refund query: the owner settles it from its records"
                .into(),
        })
    }

    /// Closes a waiting order at the gateway, where the gateway documents a call for it
    /// (`Capabilities::cancel_call`). `cancel_no` is ours, the same on every resend (SmartPay's
    /// modificationId). The default: no such call (`GatewayCancel::NoCall`), nothing sent.
    async fn cancel(&self, order: &Order, _cancel_no: &str) -> Result<GatewayCancel> {
        let name = match order.gateway {
            Gateway::Iotpay => "IOTPay",
            Gateway::Smepay => "SMEPay",
            Gateway::Smartpay => "SmartPay",
            Gateway::Smartexpay => "SmartExPay",
        };
        Ok(GatewayCancel::NoCall(format!(
            "{name} has no documented call to close an order"
        )))
    }

    /// Captures an authorisation (SmartPay); `modification_id` is written before the call.
    async fn capture(
        &self,
        order: &Order,
        _modification_id: &str,
        _amount: Option<Money>,
    ) -> Result<Reversal> {
        Err(Error::invalid(
            "order",
            format!(
                "order {} is a {} order: only SmartPay authorisations are captured",
                order.id,
                order.gateway.as_str()
            ),
        ))
    }

    /// The owner saw the money arrive (SmartExPay's manual payment methods).
    async fn confirm_manual_payment(&self, order: &Order) -> Result<()> {
        Err(Error::invalid(
            "order",
            format!(
                "order {} is a {} order: only SmartExPay has a manual payment step",
                order.id,
                order.gateway.as_str()
            ),
        ))
    }

    /// Whether a notification about `order` is genuine (signed where the gateway signs) and
    /// about this order. Even then it is only a hint: the order is queried.
    fn verify_notification(&self, _order: &Order, _notification: &Notification<'_>) -> bool {
        false
    }

    /// The cheapest authenticated call (Settings' "Test connection"): the gateway's words.
    async fn check_credentials(&self) -> Result<String>;

    /// Keeps a customer's card (IOTPay V3): the form's link and secureId.
    async fn add_card(&self, _card_id: &str) -> Result<Value> {
        Err(Error::UnsupportedMethod("saved cards are IOTPay's".into()))
    }
    async fn query_card(&self, _card_id: &str) -> Result<Value> {
        Err(Error::UnsupportedMethod("saved cards are IOTPay's".into()))
    }

    /// The cheapest authenticated call, sorted into what the owner needs to know.
    async fn check_connection(&self) -> (ConnectionOutcome, String) {
        match self.check_credentials().await {
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
}

/// A notification as it arrived: JSON fields (IOTPay) or form pairs (SmartExPay).
#[derive(Debug, Clone, Copy)]
pub enum Notification<'a> {
    Fields(&'a serde_json::Map<String, Value>),
    Pairs(&'a [(String, String)]),
}

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
        Method::CardToken => match card_id {
            Some(id) => check_card_id(id),
            None => Err(Error::invalid(
                "cardId",
                "a saved-card payment needs the card's id (--card-id)",
            )),
        },
        _ => Ok(()),
    }
}

/// A card id is ours (IOTPay V3 `cardId`, one per card): letters, digits, '-' or '_', at
/// most 30, so it never carries a newline, an escape, a path or a bidi control into a
/// request or the ledger. The same rule for `card add` and a saved-card payment.
pub fn check_card_id(card_id: &str) -> Result<()> {
    if card_id.is_empty()
        || !card_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Error::invalid(
            "cardId",
            "a card id is letters, digits, '-' or '_' (no spaces)",
        ));
    }
    check_length("cardId", card_id, 30)
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
    value: paydesk_secrets::vault::Sensitive<String>,
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
            value: paydesk_secrets::vault::Sensitive::new(value),
            renew_at: std::time::Instant::now() + lifetime - margin,
        }
    }

    /// The token while it has a while to live.
    pub(crate) fn live(&self) -> Option<&paydesk_secrets::vault::Sensitive<String>> {
        (std::time::Instant::now() < self.renew_at).then_some(&self.value)
    }

    pub(crate) fn value(&self) -> &paydesk_secrets::vault::Sensitive<String> {
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

// ---------------------------------------------------------------------------------------
// Words people read: every gateway's own word (an order status, a refund or modification
// status, an error code) looked up in that gateway's tables, for the API that serves the
// method. Views, the CLI and the export call this and nothing else about gateways' words.
// ---------------------------------------------------------------------------------------

/// One table of a gateway's words with their labels: (word, label) pairs.
pub struct WordTable {
    pub name: &'static str,
    pub words: Vec<(&'static str, &'static str)>,
}

fn status_table(name: &'static str, words: &[StatusWord]) -> WordTable {
    WordTable {
        name,
        words: words.iter().map(|w| (w.word, w.label)).collect(),
    }
}

fn code_table(name: &'static str, codes: &[CodeWord]) -> WordTable {
    WordTable {
        name,
        words: codes.iter().map(|c| (c.code, c.label)).collect(),
    }
}

/// Whether IOTPay serves `method` through its card API (V3), which has its own words.
fn iotpay_card_api(method: Method) -> bool {
    matches!(method, Method::CardLink | Method::Card | Method::CardToken)
}

/// The tables of words the API serving `method` at `gateway` uses, most specific first:
/// order statuses, then refund / modification statuses, then error codes.
pub fn word_tables(gateway: Gateway, method: Method) -> Vec<WordTable> {
    match gateway {
        Gateway::Iotpay if iotpay_card_api(method) => vec![
            status_table("iotpay card STATUS_WORDS", iotpay_card::STATUS_WORDS),
            code_table("iotpay card ERROR_CODES", iotpay_card::ERROR_CODES),
        ],
        Gateway::Iotpay => {
            let mut tables = Vec::new();
            if method == Method::Barcode {
                // A scanned code's status 4 is the wallet declining, not a closed order.
                tables.push(status_table(
                    "iotpay MICROPAY_DECLINED",
                    std::slice::from_ref(&iotpay::MICROPAY_DECLINED),
                ));
            }
            tables.push(status_table("iotpay STATUS_WORDS", iotpay::STATUS_WORDS));
            tables.push(status_table(
                "iotpay REFUND_STATUS_WORDS",
                iotpay::REFUND_STATUS_WORDS,
            ));
            tables.push(code_table("iotpay ERROR_CODES", iotpay::ERROR_CODES));
            tables
        }
        Gateway::Smepay => vec![
            status_table("smepay STATUS_WORDS", smepay::STATUS_WORDS),
            code_table("smepay ERROR_CODES", smepay::ERROR_CODES),
        ],
        Gateway::Smartpay => vec![
            status_table("smartpay STATUS_WORDS", &smartpay::STATUS_WORDS),
            WordTable {
                name: "smartpay MODIFICATION_WORDS",
                words: smartpay::MODIFICATION_WORDS
                    .iter()
                    .map(|w| (w.word, w.label))
                    .collect(),
            },
            code_table("smartpay ERROR_CODES", &smartpay::ERROR_CODES),
        ],
        Gateway::Smartexpay => vec![
            status_table("smartexpay STATUS_WORDS", smartexpay::STATUS_WORDS),
            code_table("smartexpay ERROR_CODES", smartexpay::ERROR_CODES),
        ],
    }
}

/// The plain words for a gateway's own word (status or code) on the API serving `method`;
/// `None` when its tables do not know it. Case is ignored (some gateways vary it).
pub fn word_label(gateway: Gateway, method: Method, word: &str) -> Option<&'static str> {
    let word = word.trim();
    // The common case without building the tables: the order status table.
    let first: Option<&'static str> = match gateway {
        Gateway::Iotpay if iotpay_card_api(method) => {
            iotpay_card::status_word(word).map(|w| w.label)
        }
        Gateway::Iotpay if method == Method::Barcode => {
            iotpay::channel_status_word(word, "WX_MICROPAY").map(|w| w.label)
        }
        Gateway::Iotpay => iotpay::status_word(word).map(|w| w.label),
        Gateway::Smepay => smepay::status_word(word).map(|w| w.label),
        Gateway::Smartpay => smartpay::status_word(word).map(|w| w.label),
        Gateway::Smartexpay => smartexpay::status_word(word).map(|w| w.label),
    };
    first.or_else(|| {
        word_tables(gateway, method).into_iter().find_map(|t| {
            t.words
                .iter()
                .find(|(w, _)| w.eq_ignore_ascii_case(word))
                .map(|(_, label)| *label)
        })
    })
}

/// What an order status word of the API serving `method` means in Paydesk's model; `None` for
/// a word that is not an order status (an error code, an unknown word).
pub fn word_status(gateway: Gateway, method: Method, word: &str) -> Option<OrderStatus> {
    let word = word.trim();
    match gateway {
        Gateway::Iotpay if iotpay_card_api(method) => {
            iotpay_card::status_word(word).map(|w| w.status)
        }
        Gateway::Iotpay if method == Method::Barcode => {
            iotpay::channel_status_word(word, "WX_MICROPAY").map(|w| w.status)
        }
        Gateway::Iotpay => iotpay::status_word(word).map(|w| w.status),
        Gateway::Smepay => smepay::status_word(word).map(|w| w.status),
        Gateway::Smartpay => smartpay::status_word(word).map(|w| w.status),
        Gateway::Smartexpay => smartexpay::status_word(word).map(|w| w.status),
    }
}

/// The plain words for a gateway's word said of an order now in `status`: after a refund or
/// a void the word is the refund's (or the modification's), read in those tables first (IOTPay's
/// refund "2" is "refunded to the customer", not the order's "paid").
pub fn word_label_for(
    gateway: Gateway,
    method: Method,
    status: OrderStatus,
    word: &str,
) -> Option<&'static str> {
    if matches!(
        status,
        OrderStatus::PartiallyRefunded | OrderStatus::Refunded | OrderStatus::Voided
    ) {
        let trimmed = word.trim();
        let reversal = match gateway {
            Gateway::Iotpay if !iotpay_card_api(method) => {
                iotpay::refund_status_word(trimmed).map(|w| w.label)
            }
            Gateway::Smartpay => smartpay::MODIFICATION_WORDS
                .iter()
                .find(|w| w.word.eq_ignore_ascii_case(trimmed))
                .map(|w| w.label),
            _ => None,
        };
        if reversal.is_some() {
            return reversal;
        }
    }
    word_label(gateway, method, word)
}

/// [`word_label_for`], or "an answer Paydesk does not know (<word>)" for a word no table has.
pub fn describe_word_for(
    gateway: Gateway,
    method: Method,
    status: OrderStatus,
    word: &str,
) -> std::borrow::Cow<'static, str> {
    match word_label_for(gateway, method, status, word) {
        Some(label) => label.into(),
        None => format!("an answer Paydesk does not know ({})", word.trim()).into(),
    }
}

/// [`word_label`], or "an answer Paydesk does not know (<word>)" for a word no table has.
pub fn describe_word(
    gateway: Gateway,
    method: Method,
    word: &str,
) -> std::borrow::Cow<'static, str> {
    match word_label(gateway, method, word) {
        Some(label) => label.into(),
        None => format!("an answer Paydesk does not know ({})", word.trim()).into(),
    }
}

#[cfg(test)]
mod word_tests {
    use super::*;

    /// Every word of every gateway's tables reads as plain words: a label that is there and
    /// is not the word itself, found by the one lookup the views use.
    #[test]
    fn every_gateway_word_of_every_table_has_a_human_label() {
        let mut checked = 0;
        for method in Method::ALL {
            let gateway = method.gateway();
            for table in word_tables(gateway, method) {
                for (word, label) in &table.words {
                    assert!(!label.trim().is_empty(), "{}: {word}", table.name);
                    assert!(
                        !label.trim().eq_ignore_ascii_case(word),
                        "{}: the label of {word} is the word itself",
                        table.name
                    );
                    let found = word_label(gateway, method, word)
                        .unwrap_or_else(|| panic!("{}: {word} not found", table.name));
                    assert!(!found.eq_ignore_ascii_case(word), "{}: {word}", table.name);
                    checked += 1;
                }
            }
        }
        assert!(checked > 50, "{checked} words checked");
        assert_eq!(
            word_label(Gateway::Iotpay, Method::Barcode, "4"),
            Some("declined by the customer's wallet")
        );
        assert_eq!(
            word_label(Gateway::Iotpay, Method::WechatQr, "4"),
            Some("closed by the wallet")
        );
        assert_eq!(
            word_label(Gateway::Iotpay, Method::Card, "9"),
            Some("declined by the card network")
        );
        assert_eq!(
            word_label(Gateway::Iotpay, Method::WechatQr, "0111"),
            iotpay::code_word("0111").map(|c| c.label)
        );
        assert_eq!(
            word_label_for(
                Gateway::Iotpay,
                Method::WechatQr,
                OrderStatus::Refunded,
                "2"
            ),
            Some("refunded to the customer"),
            "a refund's word after a refund"
        );
        assert_eq!(
            word_label_for(Gateway::Iotpay, Method::WechatQr, OrderStatus::Paid, "2"),
            Some("paid")
        );
        assert_eq!(
            describe_word(Gateway::Smartexpay, Method::Exchange, "weird"),
            "an answer Paydesk does not know (weird)"
        );
    }
}
