//! SmartExPay, an exchanger (reference/gateways.md §4; seed 001, the vendor's "Merchant docs"
//! page, smartexpay.com/en/merchant-docs). The API host and the API key's header are given to
//! merchants privately, so both are settings. An order is created on a route (`routeId`) with
//! the amount as a float in the route's "from" currency; the customer pays on
//! `{page}/{lang}/payment/{uid}/{secret}`, the link Paydesk shows as a QR. Status by
//! `order/get` (the IPN is sent once and may never come); for manual payment methods the
//! merchant moves the order from waitPayment to inProgress (`update-status`). The IPN's secret
//! is derived per order from the API key and our order number, so it is never stored or shown,
//! and the receiver can recompute it.
//!
//! Outcomes (the adapter boundary, wave 11):
//! - `prepare_create` is pure: it builds the wire body and runs every check that can be made
//!   before sending (route id, requisites, the route's "from" currency, language, URLs).
//! - A create whose answer is lost (cut, or after the client's timeout) is unknown, never
//!   refused. SmartExPay can only be asked about an order by its uid and secret, which come in
//!   that lost answer: the seed documents no lookup by the merchant's own reference ("You can
//!   save the UID of the request and secret and manually go to the request"; `orderId` in the
//!   IPN is SmartExPay's ObjectId, not ours; `partner` is the partner link, one per merchant).
//!   Such an order's lookup is therefore `GatewayPending` (unknown), never `Missing`: the
//!   gateway may have it open and payable, and the owner has to find it in the personal cabinet.
//! - Every `order/get` answer is tied to the order asked: its uid, `_id`, `inAmount` and
//!   `route.from` (where it carries them) must equal ours, else it is a suspicious
//!   `GatewayProtocol`. `check_ipn_order` does the same for an IPN.
//! - Nothing here knows Paydesk's local expiry: a lookup reports the gateway's own word.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{
    check_length, json_with_decimal, CodeWord, CreateRequest, Created, Lookup, Report, StatusWord,
};
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::{Currency, Money};
use paydesk_domain::order::{Order, OrderStatus};
use paydesk_secrets::signing::{constant_time_eq_ignore_ascii_case, smartexpay_ipn_hash};
use paydesk_secrets::vault::Sensitive;

const GATEWAY: &str = "smartexpay";
pub const DEFAULT_PAGE_BASE: &str = "https://www.smartexpay.com";
pub const DEFAULT_API_KEY_HEADER: &str = "X-Api-Key";
/// The status a manual payment is moved to once the merchant has seen the money.
pub const MANUAL_CONFIRMED: &str = "inProgress";

#[derive(Debug, Clone)]
pub struct SmartexpayConfig {
    /// The API host given to the merchant (`{Base}/public/exchanger/...`).
    pub base: String,
    /// Where the customer's payment page lives (`{page_base}/{lang}/payment/{uid}/{secret}`).
    pub page_base: String,
    pub api_key_header: String,
    pub api_key: Sensitive<String>,
    pub partner: Option<String>,
    pub route_id: String,
    /// Requisites of the route, as `[{key, value}]` (settings, JSON).
    pub from_values: Value,
    pub to_values: Value,
    pub route_values: Value,
    /// ru or en.
    pub lang: String,
    pub ipn_url: String,
    pub client_callback_url: Option<String>,
    pub timeout: Duration,
}

pub struct Smartexpay {
    http: reqwest::Client,
    config: SmartexpayConfig,
    /// The route's "from" currency (ISO 4217): the only currency an amount may be in, since
    /// SmartExPay reads `amount` in it (seed 001: "amount | amount in | FLOAT"). Setting
    /// `smartexpay.<env>.from_currency` through `with_from_currency`; the sandbox's routes
    /// know their own.
    from_currency: Option<String>,
}

// ---- wire types (§4; the engine's shape, parsed tolerantly) ----

#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(default)]
    success: Option<Value>,
    #[serde(default)]
    data: Option<Value>,
    #[serde(default)]
    error: Option<Value>,
}

/// SmartExPay's order statuses, as seed 001's "Statuses list" gives them, in the unified
/// model. Money received: inProgress, inProgressPayout, done. Failed: errorPayment, deleted.
/// returned: refunded (it was paid, then given back). new, waitPayment, hold and errorPayout
/// are Pending (hold and errorPayout need the owner: see `attention`). A word not here is
/// Pending and kept verbatim.
pub const STATUS_WORDS: &[StatusWord] = &[
    StatusWord {
        word: "new",
        status: OrderStatus::Pending,
        label: "created, not yet open for payment",
    },
    StatusWord {
        word: "waitPayment",
        status: OrderStatus::Pending,
        label: "waiting for the customer",
    },
    StatusWord {
        word: "errorPayment",
        status: OrderStatus::Failed,
        label: "the customer's payment failed",
    },
    StatusWord {
        word: "inProgress",
        status: OrderStatus::Paid,
        label: "paid: the exchange is being processed",
    },
    StatusWord {
        word: "inProgressPayout",
        status: OrderStatus::Paid,
        label: "paid: the payout is queued",
    },
    StatusWord {
        word: "errorPayout",
        status: OrderStatus::Pending,
        label: "the exchange's payout failed: needs the owner's attention",
    },
    StatusWord {
        word: "hold",
        status: OrderStatus::Pending,
        label: "frozen by SmartExPay: needs the owner's attention",
    },
    StatusWord {
        word: "done",
        status: OrderStatus::Paid,
        label: "paid: the exchange is complete",
    },
    StatusWord {
        word: "returned",
        status: OrderStatus::Refunded,
        label: "the exchange failed, money returned to the customer",
    },
    StatusWord {
        word: "deleted",
        status: OrderStatus::Failed,
        label: "cancelled at SmartExPay",
    },
];

/// SmartExPay documents no error codes: seed 001 and the vendor's merchant docs list none
/// (the engine's `error.errorCode` is kept verbatim as the refusal's code).
pub const ERROR_CODES: &[CodeWord] = &[];

/// The table entry of a status word (exact, as the seed spells it).
pub fn status_word(status: &str) -> Option<&'static StatusWord> {
    let status = status.trim();
    STATUS_WORDS.iter().find(|w| w.word == status)
}

/// SmartExPay's order status in the unified model, read from `STATUS_WORDS`: anything not in
/// the table is Pending (and kept verbatim by the caller).
pub fn map_status(status: &str) -> OrderStatus {
    status_word(status)
        .map(|w| w.status)
        .unwrap_or(OrderStatus::Pending)
}

/// What the cashier reads for a status word ("waiting for the customer").
pub fn label(status: &str) -> &'static str {
    status_word(status)
        .map(|w| w.label)
        .unwrap_or("SmartExPay gave a status Paydesk does not know: still open")
}

/// A note for the owner on statuses that need someone to act.
pub fn attention(status: &str) -> Option<String> {
    match status.trim() {
        "hold" => Some("SmartExPay put the order on hold (frozen): it needs the owner's attention with SmartExPay support".into()),
        "errorPayout" => Some("SmartExPay could not pay out: it needs the owner's attention".into()),
        _ => None,
    }
}

/// The per-order IPN secret: derived from the API key and our order number (hex sha256),
/// so nothing secret is written anywhere and the receiver recomputes it.
pub fn ipn_secret(api_key: &str, merchant_order_no: &str) -> String {
    let digest = Sha256::digest(format!("paydesk-ipn:{api_key}:{merchant_order_no}").as_bytes());
    hex::encode(digest)[..32].to_string()
}

/// The payment page link.
pub fn payment_page(page_base: &str, lang: &str, uid: &str, secret: &str) -> String {
    format!(
        "{}/{lang}/payment/{uid}/{secret}",
        page_base.trim_end_matches('/')
    )
}

/// What a create or an `order/get` answered about an order (the engine's shape:
/// `data{_id, uid, secret, status, inAmount, outAmount, route{from, to}}`, or the same under
/// `data.order`). Numbers are kept as the text serde prints them ("12.5").
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderAnswer {
    pub uid: Option<String>,
    pub secret: Option<String>,
    pub object_id: Option<String>,
    pub status: Option<String>,
    pub in_amount: Option<String>,
    pub route_from: Option<String>,
}

fn order_answer(call: &str, text: &str) -> Result<OrderAnswer> {
    let data = parse_envelope(call, text)?;
    let order = data.get("order").filter(|o| o.is_object()).unwrap_or(&data);
    Ok(OrderAnswer {
        uid: text_of(order.get("uid")),
        secret: text_of(order.get("secret")),
        object_id: text_of(order.get("_id")),
        status: text_of(order.get("status")),
        in_amount: text_of(order.get("inAmount")),
        route_from: order
            .get("route")
            .and_then(|r| text_of(r.get("from")))
            .or_else(|| text_of(order.get("xml_from"))),
    })
}

/// What a create answered: (uid, secret, _id).
pub fn parse_create(text: &str) -> Result<(String, String, Option<String>)> {
    let answer = parse_create_answer(text)?;
    Ok((
        answer.uid.unwrap_or_default(),
        answer.secret.unwrap_or_default(),
        answer.object_id,
    ))
}

/// A create answer, with its uid and secret required.
pub fn parse_create_answer(text: &str) -> Result<OrderAnswer> {
    let answer = order_answer("order/create", text)?;
    if answer.uid.is_none() {
        return Err(protocol("order/create answered without uid".into()));
    }
    if answer.secret.is_none() {
        return Err(protocol("order/create answered without secret".into()));
    }
    Ok(answer)
}

/// The order status an `order/get` answer carries, verbatim.
pub fn parse_status(text: &str) -> Result<String> {
    parse_order(text)?
        .status
        .ok_or_else(|| protocol("order/get answered without status".into()))
}

/// An `order/get` answer, with its status required.
pub fn parse_order(text: &str) -> Result<OrderAnswer> {
    let answer = order_answer("order/get", text)?;
    if answer.status.is_none() {
        return Err(protocol("order/get answered without status".into()));
    }
    Ok(answer)
}

/// The order an answer must be about: what Paydesk kept from the create.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected<'a> {
    pub uid: &'a str,
    /// SmartExPay's `_id`, when the create answer carried it.
    pub object_id: Option<&'a str>,
    pub amount: Money,
    /// The route's `from` as the create answer named it ("CARDEUR"), when it did.
    pub route_from: Option<&'a str>,
}

/// Ties an answer to the order asked: its uid must be there and equal ours, and its `_id`,
/// `inAmount` and `route.from`, where it carries them, must equal what the create gave. A
/// mismatch is a suspicious `GatewayProtocol` (a replayed answer about another order), logged.
pub fn check_identity(call: &str, answer: &OrderAnswer, expected: &Expected<'_>) -> Result<()> {
    let Some(uid) = answer.uid.as_deref() else {
        return Err(protocol(format!(
            "{call} answered without the order's uid: it cannot be tied to order {}",
            expected.uid
        )));
    };
    let mut wrong = Vec::new();
    if uid.trim() != expected.uid.trim() {
        wrong.push(format!("uid {uid} (asked {})", expected.uid));
    }
    if let (Some(got), Some(want)) = (answer.object_id.as_deref(), expected.object_id) {
        if got != want {
            wrong.push(format!("_id {got} (asked {want})"));
        }
    }
    if let Some(got) = answer.in_amount.as_deref() {
        if !same_decimal(got, &expected.amount.decimal_string()) {
            wrong.push(format!(
                "inAmount {got} (the order is {})",
                expected.amount.decimal_string()
            ));
        }
    }
    if let (Some(got), Some(want)) = (answer.route_from.as_deref(), expected.route_from) {
        if got != want {
            wrong.push(format!("route from {got} (the order's is {want})"));
        }
    }
    suspicious_if(call, expected.uid, wrong)
}

fn suspicious_if(call: &str, uid: &str, wrong: Vec<String>) -> Result<()> {
    if wrong.is_empty() {
        return Ok(());
    }
    let what = wrong.join(", ");
    tracing::warn!(
        gateway = GATEWAY,
        call,
        uid,
        "suspicious answer about another order: {what}"
    );
    Err(protocol(format!(
        "suspicious {call} answer about another order: {what}; nothing applied"
    )))
}

/// Two decimal texts for the same amount ("12.5" and "12.50", "2" and "2.00").
pub fn same_decimal(a: &str, b: &str) -> bool {
    match (normal_decimal(a), normal_decimal(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

fn normal_decimal(text: &str) -> Option<String> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return None;
    }
    let whole = whole.trim_start_matches('0');
    let fraction = fraction.trim_end_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    Some(if fraction.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{fraction}")
    })
}

fn parse_envelope(call: &str, text: &str) -> Result<Value> {
    let envelope: Envelope =
        serde_json::from_str(text).map_err(|e| protocol(format!("{call}: not JSON ({e})")))?;
    let failed = matches!(envelope.success, Some(Value::Bool(false)));
    if failed || envelope.error.as_ref().is_some_and(|e| !e.is_null()) {
        let error = envelope.error.unwrap_or(Value::Null);
        let message = text_of(error.get("message"))
            .or_else(|| error.as_str().map(str::to_string))
            .unwrap_or_else(|| "refused".into());
        let code = text_of(error.get("errorCode")).unwrap_or_else(|| call.to_string());
        return Err(Error::GatewayRejected {
            gateway: GATEWAY,
            code,
            message,
        });
    }
    envelope
        .data
        .filter(|d| d.is_object())
        .ok_or_else(|| protocol(format!("{call}: no data in the answer")))
}

fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn protocol(message: String) -> Error {
    Error::GatewayProtocol {
        gateway: GATEWAY,
        message,
    }
}

/// The IPN fields the hash covers, in order (§4).
pub const IPN_HASHED: [&str; 7] = [
    "orderId",
    "newStatus",
    "inAmount",
    "outAmount",
    "xml_from",
    "xml_to",
    "timestamp",
];

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Checks an IPN's hash (field `hash`, `sign` or `signature`) in constant time.
pub fn verify_ipn(fields: &[(String, String)], secret: &str) -> bool {
    let Some(given) = ["hash", "sign", "signature"]
        .iter()
        .find_map(|name| field(fields, name))
    else {
        return false;
    };
    let mut values = [""; 7];
    for (slot, name) in values.iter_mut().zip(IPN_HASHED) {
        match field(fields, name) {
            Some(v) => *slot = v,
            None => return false,
        }
    }
    constant_time_eq_ignore_ascii_case(given, &smartexpay_ipn_hash(values, secret))
}

/// Ties a (hash-verified) IPN to the order the receiver found for it, before it acts on it:
/// `orderUID` must equal the order's uid, `inAmount` its amount, and `orderId` and `xml_from`
/// what the create answered (where Paydesk kept them). A mismatch is a suspicious
/// `GatewayProtocol`, logged. Pure: the receiver calls it after `verify_ipn`.
pub fn check_ipn_order(fields: &[(String, String)], order: &Order) -> Result<()> {
    let kept = Kept::of(order);
    let Some(uid) = kept.uid.as_deref() else {
        return Err(protocol(format!(
            "order {} has no SmartExPay uid: an IPN cannot be tied to it",
            order.merchant_order_no
        )));
    };
    let answer = OrderAnswer {
        uid: field(fields, "orderUID").map(str::to_string),
        secret: None,
        object_id: field(fields, "orderId").map(str::to_string),
        status: field(fields, "newStatus").map(str::to_string),
        in_amount: field(fields, "inAmount").map(str::to_string),
        route_from: field(fields, "xml_from").map(str::to_string),
    };
    if answer.in_amount.is_none() {
        return Err(protocol("IPN without inAmount".into()));
    }
    check_identity(
        "IPN",
        &answer,
        &Expected {
            uid,
            object_id: kept.object_id.as_deref(),
            amount: order.amount,
            route_from: kept.route_from.as_deref(),
        },
    )
}

/// What Paydesk kept from a create (`gateway_order_id` and the payload).
struct Kept {
    uid: Option<String>,
    secret: Option<String>,
    object_id: Option<String>,
    route_from: Option<String>,
}

impl Kept {
    fn of(order: &Order) -> Kept {
        let payload = order.payment_payload.as_ref();
        let get = |name: &str| payload.and_then(|p| text_of(p.get(name)));
        Kept {
            uid: order.gateway_order_id.clone().or_else(|| get("uid")),
            secret: get("secret"),
            object_id: get("orderId"),
            route_from: get("routeFrom"),
        }
    }
}

/// Requisites as the seed gives them: a list of `{key, value}` with string values; `key` is an
/// ObjectId for fromValues and routeValues, a string for toValues.
fn check_requisites(name: &'static str, value: &Value, object_id_keys: bool) -> Result<()> {
    let bad = |why: String| {
        Err(Error::invalid(
            "requisites",
            format!("SmartExPay {name}: {why} (settings: a JSON array of {{\"key\", \"value\"}})"),
        ))
    };
    let Value::Array(items) = value else {
        return bad("not a list".into());
    };
    for (i, item) in items.iter().enumerate() {
        let key = item.get("key").and_then(Value::as_str).unwrap_or_default();
        if key.is_empty() {
            return bad(format!("item {i} has no key"));
        }
        if object_id_keys && !is_object_id(key) {
            return bad(format!(
                "item {i}'s key {key:?} is not an ObjectId (24 hex digits)"
            ));
        }
        if !item.get("value").is_some_and(Value::is_string) {
            return bad(format!("item {i} ({key}) has no text value"));
        }
    }
    Ok(())
}

/// A MongoDB ObjectId as text: exactly 24 hex digits (seed 001: routeId "ObjectID").
pub fn is_object_id(text: &str) -> bool {
    text.len() == 24 && text.chars().all(|c| c.is_ascii_hexdigit())
}

impl Smartexpay {
    pub fn new(config: SmartexpayConfig) -> Result<Smartexpay> {
        Ok(Smartexpay {
            http: super::http_client(config.timeout)?,
            config,
            // A route's "from" currency is a setting (`with_from_currency`): the API does not
            // say it (the sandbox's routes are given theirs by the core).
            from_currency: None,
        })
    }

    /// The route's "from" currency (setting `smartexpay.<env>.from_currency`, ISO 4217).
    /// `None` or blank keeps what `new` found (the sandbox route's own).
    pub fn with_from_currency(mut self, from_currency: Option<&str>) -> Smartexpay {
        if let Some(code) = from_currency.map(str::trim).filter(|c| !c.is_empty()) {
            self.from_currency = Some(code.to_ascii_uppercase());
        }
        self
    }

    pub fn from_currency(&self) -> Option<&str> {
        self.from_currency.as_deref()
    }

    pub fn config(&self) -> &SmartexpayConfig {
        &self.config
    }

    pub fn ipn_secret_for(&self, merchant_order_no: &str) -> String {
        ipn_secret(self.config.api_key.expose(), merchant_order_no)
    }

    fn url(&self, path: &str) -> String {
        format!(
            "{}/public/exchanger/{path}",
            self.config.base.trim_end_matches('/')
        )
    }

    async fn send(&self, call: &str, request: reqwest::RequestBuilder) -> Result<String> {
        let request = request.header(
            self.config.api_key_header.as_str(),
            self.config.api_key.expose(),
        );
        let (status, text) = super::send(GATEWAY, call, request).await?;
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            return Err(Error::GatewayRejected {
                gateway: GATEWAY,
                code: status.as_u16().to_string(),
                message: format!(
                    "{call}: the API key was refused: check it and the header name ({})",
                    self.config.api_key_header
                ),
            });
        }
        Ok(text)
    }

    /// The cheapest authenticated call, for Settings' "Test connection": `order/get` of an
    /// order no one created. A 401/403 is a refused key (`send` says so); "not found", or any
    /// other answer of the API, means the key was taken.
    pub async fn check_credentials(&self) -> Result<String> {
        let request = self.http.get(self.url("order/get")).query(&[
            ("orderUID", "000000000000000000000000"),
            ("orderSecret", "paydesk-connection-check"),
        ]);
        let text = self.send("order/get", request).await?;
        match parse_status(&text) {
            Ok(status) => Ok(format!("order/get: {status}")),
            Err(Error::GatewayRejected { code, message, .. }) => {
                Ok(format!("order/get: {code} {message}"))
            }
            Err(e) => Err(e),
        }
    }

    /// The exact `order/create` body for `request`, after every check that can be made before
    /// sending: the route id (an ObjectId), the requisites' shape, the amount's currency (the
    /// route's "from" currency: SmartExPay reads `amount` in it and takes no currency field),
    /// the page language and the URLs' lengths. Pure: no I/O. `amount` is a JSON number here;
    /// `create` writes it from the decimal text ("12.50"), never through a float. The body
    /// holds the order's ipnSecret: keep it out of logs and the ledger.
    pub fn prepare_create(&self, request: &CreateRequest<'_>) -> Result<Value> {
        let route_id = self.config.route_id.trim();
        if !is_object_id(route_id) {
            return Err(Error::invalid(
                "routeId",
                format!(
                    "the SmartExPay route {route_id:?} is not an ObjectId (24 hex digits): set smartexpay.<env>.route_id"
                ),
            ));
        }
        let Some(from) = self.from_currency.as_deref() else {
            return Err(Error::invalid(
                "from_currency",
                "set the SmartExPay route's \"from\" currency (smartexpay.<env>.from_currency, e.g. EUR): the amount is taken in it",
            ));
        };
        let from = Currency::parse(from).map_err(|_| {
            Error::invalid(
                "from_currency",
                format!("smartexpay from_currency {from:?} is not an ISO 4217 currency"),
            )
        })?;
        let currency = request.amount.currency();
        if currency != from {
            return Err(Error::invalid(
                "currency",
                format!(
                    "this SmartExPay route takes {} (its \"from\" currency), not {currency}: ring the sale in {}",
                    from.code(),
                    from.code()
                ),
            ));
        }
        if request.amount.minor() <= 0 {
            return Err(Error::invalid("amount", "the amount must be above zero"));
        }
        check_requisites("fromValues", &self.config.from_values, true)?;
        check_requisites("toValues", &self.config.to_values, false)?;
        check_requisites("routeValues", &self.config.route_values, true)?;
        if !matches!(self.config.lang.as_str(), "ru" | "en") {
            return Err(Error::invalid(
                "lang",
                "SmartExPay's page language is ru or en",
            ));
        }
        check_length("ipnUrl", &self.config.ipn_url, 512)?;
        if let Some(url) = &self.config.client_callback_url {
            check_length("clientCallbackUrl", url, 512)?;
        }
        let amount: serde_json::Number = wire_amount(request.amount)
            .parse()
            .map_err(|e| Error::Internal(format!("the amount is not a number: {e}")))?;
        let mut body = json!({
            "routeId": route_id,
            "amount": amount,
            "fromValues": self.config.from_values,
            "toValues": self.config.to_values,
            "routeValues": self.config.route_values,
            "lang": self.config.lang,
            "agreement": true,
            "hideOutData": true,
            "ipnUrl": self.config.ipn_url,
            "ipnSecret": self.ipn_secret_for(request.merchant_order_no),
        });
        if let Some(partner) = &self.config.partner {
            body["partner"] = json!(partner);
        }
        if let Some(url) = &self.config.client_callback_url {
            body["clientCallbackUrl"] = json!(url);
        }
        Ok(body)
    }

    /// `prepare_create`, then sends. An answer that is cut or comes after the client's timeout
    /// is unknown (`GatewayProtocol` / `GatewayUnreachable`), never a refusal: SmartExPay may
    /// have the order open (see the module's notes on finding it again).
    pub async fn create(&self, request: &CreateRequest<'_>) -> Result<Created> {
        const MARKER: &str = "\u{1}paydesk-amount\u{1}";
        let mut body = self.prepare_create(request)?;
        // The amount is a JSON number in the "from" currency, written from the decimal text.
        body["amount"] = json!(MARKER);
        let text = json_with_decimal(&body, MARKER, &wire_amount(request.amount))?;
        let request_builder = self
            .http
            .post(self.url("order/create"))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(text);
        let answer = self.send("order/create", request_builder).await?;
        let answer = parse_create_answer(&answer)?;
        let uid = answer.uid.clone().unwrap_or_default();
        let secret = answer.secret.clone().unwrap_or_default();
        // A create answer for another amount is not about this sale.
        if let Some(got) = answer.in_amount.as_deref() {
            if !same_decimal(got, &request.amount.decimal_string()) {
                suspicious_if(
                    "order/create",
                    &uid,
                    vec![format!(
                        "inAmount {got} (the sale is {})",
                        request.amount.decimal_string()
                    )],
                )?;
            }
        }
        let mut created = Created::pending(Some(uid.clone()));
        created.gateway_status = answer.status.clone();
        created.payment_url = Some(payment_page(
            &self.config.page_base,
            &self.config.lang,
            &uid,
            &secret,
        ));
        created.payload = Some(json!({
            "uid": uid,
            "secret": secret,
            "orderId": answer.object_id,
            "routeFrom": answer.route_from,
            "orderPage": format!("{}/{}/order/{uid}/{secret}", self.config.page_base.trim_end_matches('/'), self.config.lang),
        }));
        Ok(created)
    }

    /// (uid, secret) of an order, from what create kept.
    fn handle(order: &Order) -> Result<(String, String)> {
        match Kept::of(order) {
            Kept {
                uid: Some(uid),
                secret: Some(secret),
                ..
            } => Ok((uid, secret)),
            _ => Err(Error::invalid(
                "order",
                format!("order {} has no SmartExPay uid and secret yet", order.id),
            )),
        }
    }

    /// `order/get` by the uid and secret the create answered, tied to the order (uid, `_id`,
    /// inAmount, route from). An order whose create answer was lost has neither: SmartExPay
    /// documents no other way to find it, so the outcome stays unknown (`GatewayPending`),
    /// never `Missing` (the gateway may well have it, open and payable).
    pub async fn lookup(&self, order: &Order) -> Result<Lookup> {
        let kept = Kept::of(order);
        let (Some(uid), Some(secret)) = (kept.uid.as_deref(), kept.secret.as_deref()) else {
            return Ok(Lookup::CannotAsk(lost_create_answer(order)));
        };
        let request = self
            .http
            .get(self.url("order/get"))
            .query(&[("orderUID", uid), ("orderSecret", secret)]);
        let text = self.send("order/get", request).await?;
        let answer = match parse_order(&text) {
            Ok(answer) => answer,
            Err(Error::GatewayRejected { message, .. })
                if message.to_ascii_lowercase().contains("not found") =>
            {
                return Ok(Lookup::Missing)
            }
            Err(e) => return Err(e),
        };
        check_identity(
            "order/get",
            &answer,
            &Expected {
                uid,
                object_id: kept.object_id.as_deref(),
                amount: order.amount,
                route_from: kept.route_from.as_deref(),
            },
        )?;
        let raw = answer.status.unwrap_or_default();
        Ok(Lookup::Found(Report {
            status: map_status(&raw),
            note: attention(&raw),
            gateway_status: raw,
            gateway_order_id: Some(uid.to_string()),
        }))
    }

    /// The merchant saw a manual payment arrive: waitPayment -> inProgress.
    pub async fn confirm_manual_payment(&self, order: &Order) -> Result<()> {
        let (uid, secret) = Self::handle(order)?;
        let body = json!({ "orderUID": uid, "orderSecret": secret, "status": MANUAL_CONFIRMED });
        let request = self.http.put(self.url("order/update-status")).json(&body);
        let text = self.send("order/update-status", request).await?;
        let envelope: Envelope = serde_json::from_str(&text)
            .map_err(|e| protocol(format!("order/update-status: not JSON ({e})")))?;
        if matches!(envelope.success, Some(Value::Bool(false)))
            || envelope.error.as_ref().is_some_and(|e| !e.is_null())
        {
            let error = envelope.error.unwrap_or(Value::Null);
            let message = text_of(error.get("message")).unwrap_or_else(|| "refused".into());
            return Err(Error::GatewayRejected {
                gateway: GATEWAY,
                code: "update-status".into(),
                message,
            });
        }
        Ok(())
    }
}

/// The gateway status word of a lookup that cannot be made (see `lost_create_answer`).
pub const LOST_CREATE_ANSWER: &str = "create answer lost";

/// Why an order whose create answer was lost cannot be asked about, for the owner: SmartExPay
/// finds an order only by the uid and secret that answer carried.
pub fn lost_create_answer(order: &Order) -> String {
    format!(
        "the answer to order {}'s create never arrived whole, and SmartExPay finds an order only by the uid and secret that answer carried (it has no lookup by our order number): SmartExPay may have it open; look in the personal cabinet for an order of {} {}",
        order.merchant_order_no,
        order.amount.decimal_string(),
        order.amount.currency()
    )
}

/// The amount as decimal text in the "from" currency: "12.50".
pub fn wire_amount(amount: Money) -> String {
    amount.decimal_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use paydesk_domain::order::Method;

    fn adapter(route_id: &str) -> Smartexpay {
        Smartexpay::new(SmartexpayConfig {
            base: "http://127.0.0.1:9".into(),
            page_base: DEFAULT_PAGE_BASE.into(),
            api_key_header: DEFAULT_API_KEY_HEADER.into(),
            api_key: Sensitive::new("k".into()),
            partner: Some("p".into()),
            route_id: route_id.into(),
            from_values: json!([]),
            to_values: json!([]),
            route_values: json!([]),
            lang: "en".into(),
            ipn_url: "http://127.0.0.1:9/notify/smartexpay".into(),
            client_callback_url: None,
            timeout: Duration::from_secs(1),
        })
        .unwrap()
    }

    fn money(amount: &str, currency: &str) -> Money {
        Money::parse(amount, Currency::parse(currency).unwrap()).unwrap()
    }

    fn sale(amount: Money) -> CreateRequest<'static> {
        CreateRequest {
            merchant_order_no: "PD1",
            method: Method::Exchange,
            amount,
            description: "Sale PD1",
            payment_code: None,
            card_id: None,
        }
    }

    #[test]
    fn every_status_word_has_a_label_and_map_status_reads_the_table() {
        let words: Vec<&str> = STATUS_WORDS.iter().map(|w| w.word).collect();
        assert_eq!(
            words,
            [
                "new",
                "waitPayment",
                "errorPayment",
                "inProgress",
                "inProgressPayout",
                "errorPayout",
                "hold",
                "done",
                "returned",
                "deleted"
            ],
            "seed 001's statuses list, in its order"
        );
        for word in STATUS_WORDS {
            assert!(!word.label.trim().is_empty(), "{}", word.word);
            assert_ne!(word.label, word.word, "a label is not the gateway's code");
            assert_eq!(map_status(word.word), word.status);
            assert_eq!(label(word.word), word.label);
        }
        assert_eq!(label("waitPayment"), "waiting for the customer");
        assert!(label("returned").contains("money returned"));
        assert!(
            ERROR_CODES.is_empty(),
            "SmartExPay documents no error codes"
        );
    }

    #[test]
    fn prepare_builds_the_body_and_refuses_what_cannot_be_sent() {
        let route = "5d8e6002b80b7b4cd75a6424";
        let exchange = adapter(route).with_from_currency(Some("eur"));
        assert_eq!(exchange.from_currency(), Some("EUR"));
        let body = exchange
            .prepare_create(&sale(money("12.50", "EUR")))
            .unwrap();
        assert_eq!(body["routeId"], route);
        assert_eq!(body["amount"].as_f64(), Some(12.5));
        assert_eq!(body["partner"], "p");
        assert_eq!(body["agreement"], true);
        assert_eq!(body["ipnSecret"], ipn_secret("k", "PD1"));

        // Not the route's "from" currency: a clear field error, nothing sent.
        let usd = exchange
            .prepare_create(&sale(money("12.50", "USD")))
            .unwrap_err();
        assert_eq!(usd.field(), Some("currency"), "{usd}");
        assert!(usd.to_string().contains("EUR"), "{usd}");
        // No from currency known: refused, naming the setting.
        let unset = adapter(route)
            .prepare_create(&sale(money("12.50", "EUR")))
            .unwrap_err();
        assert_eq!(unset.field(), Some("from_currency"), "{unset}");

        for bad in [
            "",
            "5d8e6002b80b7b4cd75a642",
            "5d8e6002b80b7b4cd75a6424f",
            "zz8e6002b80b7b4cd75a6424",
        ] {
            let e = adapter(bad)
                .with_from_currency(Some("EUR"))
                .prepare_create(&sale(money("1", "EUR")))
                .unwrap_err();
            assert_eq!(e.field(), Some("routeId"), "{bad:?}");
        }
        let mut bad_values = adapter(route).with_from_currency(Some("EUR"));
        bad_values.config.from_values = json!([{ "key": "card", "value": "4111" }]);
        let e = bad_values
            .prepare_create(&sale(money("1", "EUR")))
            .unwrap_err();
        assert_eq!(
            e.field(),
            Some("requisites"),
            "fromValues keys are ObjectIds: {e}"
        );
        bad_values.config.from_values =
            json!([{ "key": "5d8e6002b80b7b4cd75a6425", "value": "4111" }]);
        bad_values.config.to_values = json!({ "key": "wallet" });
        assert_eq!(
            bad_values
                .prepare_create(&sale(money("1", "EUR")))
                .unwrap_err()
                .field(),
            Some("requisites")
        );
        bad_values.config.to_values = json!([{ "key": "wallet", "value": "T9yD" }]);
        assert!(bad_values.prepare_create(&sale(money("1", "EUR"))).is_ok());
        let mut bad_lang = adapter(route).with_from_currency(Some("EUR"));
        bad_lang.config.lang = "de".into();
        assert_eq!(
            bad_lang
                .prepare_create(&sale(money("1", "EUR")))
                .unwrap_err()
                .field(),
            Some("lang")
        );
        let bad_code = adapter(route).with_from_currency(Some("XXX"));
        assert_eq!(
            bad_code
                .prepare_create(&sale(money("1", "EUR")))
                .unwrap_err()
                .field(),
            Some("from_currency")
        );
    }

    #[test]
    fn an_answer_about_another_order_is_suspicious() {
        let expected = Expected {
            uid: "1409",
            object_id: Some("5d8e6002b80b7b4cd75a6424"),
            amount: money("2.00", "EUR"),
            route_from: Some("ETH"),
        };
        let answer = |body: &str| parse_order(body).unwrap();
        let same = answer(
            r#"{"success":true,"data":{"_id":"5d8e6002b80b7b4cd75a6424","uid":1409,"status":"done","inAmount":2,"route":{"from":"ETH","to":"WMZ"}}}"#,
        );
        assert!(check_identity("order/get", &same, &expected).is_ok());
        let sparse = answer(r#"{"success":true,"data":{"uid":"1409","status":"waitPayment"}}"#);
        assert!(check_identity("order/get", &sparse, &expected).is_ok());
        for other in [
            r#"{"success":true,"data":{"uid":1410,"status":"done"}}"#,
            r#"{"success":true,"data":{"uid":1409,"_id":"5d8e6002b80b7b4cd75a0000","status":"done"}}"#,
            r#"{"success":true,"data":{"uid":1409,"inAmount":1,"status":"done"}}"#,
            r#"{"success":true,"data":{"uid":1409,"route":{"from":"BTC"},"status":"done"}}"#,
        ] {
            match check_identity("order/get", &answer(other), &expected) {
                Err(Error::GatewayProtocol { message, .. }) => {
                    assert!(message.contains("suspicious"), "{message}")
                }
                got => panic!("{other}: {got:?}"),
            }
        }
        let no_uid = answer(r#"{"success":true,"data":{"status":"done"}}"#);
        assert!(matches!(
            check_identity("order/get", &no_uid, &expected),
            Err(Error::GatewayProtocol { .. })
        ));
        assert!(same_decimal("12.5", "12.50") && same_decimal("2", "2.00"));
        assert!(same_decimal("002.10", "2.1") && !same_decimal("2.1", "2.01"));
        assert!(!same_decimal("1e3", "1000") && !same_decimal("", "0"));
    }

    #[test]
    fn an_ipn_is_tied_to_the_order_found_for_it() {
        let mut order = paydesk_domain::order::Order {
            id: 1,
            merchant_order_no: "PD1".into(),
            gateway: paydesk_domain::order::Gateway::Smartexpay,
            method: Method::Exchange,
            environment: "sandbox".into(),
            amount: money("2", "EUR"),
            status: OrderStatus::Pending,
            gateway_status: None,
            gateway_order_id: Some("1409".into()),
            payment_url: None,
            payment_payload: Some(json!({
                "uid": "1409", "secret": "s", "orderId": "5d8e6002b80b7b4cd75a6424", "routeFrom": "ETH"
            })),
            refunded_minor: 0,
            created_at_ms: 0,
            updated_at_ms: 0,
            expires_at_ms: None,
            customer: None,
        };
        let ipn = |uid: &str, amount: &str, from: &str| -> Vec<(String, String)> {
            [
                ("orderUID", uid),
                ("orderId", "5d8e6002b80b7b4cd75a6424"),
                ("newStatus", "inProgress"),
                ("inAmount", amount),
                ("outAmount", "317.42"),
                ("xml_from", from),
                ("xml_to", "WMZ"),
                ("timestamp", "1571328406072"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
        };
        assert!(check_ipn_order(&ipn("1409", "2", "ETH"), &order).is_ok());
        for (uid, amount, from) in [
            ("1410", "2", "ETH"),
            ("1409", "1", "ETH"),
            ("1409", "2", "BTC"),
        ] {
            let e = check_ipn_order(&ipn(uid, amount, from), &order).unwrap_err();
            assert!(e.to_string().contains("suspicious"), "{e}");
        }
        let unamounted: Vec<_> = ipn("1409", "2", "ETH")
            .into_iter()
            .filter(|(k, _)| k != "inAmount")
            .collect();
        assert!(check_ipn_order(&unamounted, &order).is_err());
        order.gateway_order_id = None;
        order.payment_payload = None;
        assert!(check_ipn_order(&ipn("1409", "2", "ETH"), &order).is_err());
    }

    #[test]
    fn statuses_map_into_the_unified_model() {
        for paid in ["inProgress", "inProgressPayout", "done"] {
            assert_eq!(map_status(paid), OrderStatus::Paid, "{paid}");
        }
        assert_eq!(map_status("errorPayment"), OrderStatus::Failed);
        assert_eq!(map_status("deleted"), OrderStatus::Failed);
        assert_eq!(map_status("returned"), OrderStatus::Refunded);
        for pending in ["new", "waitPayment", "hold", "errorPayout", "somethingNew"] {
            assert_eq!(map_status(pending), OrderStatus::Pending, "{pending}");
        }
        assert!(attention("hold").unwrap().contains("attention"));
    }

    #[test]
    fn answers_are_read_tolerantly() {
        let engine = r#"{"success":true,"data":{"_id":"5d8e6002b80b7b4cd75a6424","uid":1409,"secret":"dGqwF2M2eBPaSN1G5ljMS1cb","inAmount":2,"outAmount":317.42,"route":{"from":"ETH","to":"WMZ"}}}"#;
        let (uid, secret, id) = parse_create(engine).unwrap();
        assert_eq!(
            (uid.as_str(), secret.as_str(), id.as_deref()),
            (
                "1409",
                "dGqwF2M2eBPaSN1G5ljMS1cb",
                Some("5d8e6002b80b7b4cd75a6424")
            )
        );
        let nested = r#"{"success":true,"data":{"order":{"uid":"77","secret":"s3","status":"waitPayment"}}}"#;
        assert_eq!(parse_create(nested).unwrap().0, "77");
        assert_eq!(parse_status(nested).unwrap(), "waitPayment");
        let refused = r#"{"success":false,"error":{"message":"Route not found","errorCode":"ROUTE_NOT_FOUND"}}"#;
        match parse_create(refused) {
            Err(Error::GatewayRejected { code, message, .. }) => {
                assert_eq!(
                    (code.as_str(), message.as_str()),
                    ("ROUTE_NOT_FOUND", "Route not found")
                )
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_create("<html>"),
            Err(Error::GatewayProtocol { .. })
        ));
        let unknown = r#"{"success":true,"data":{"status":"underReview"}}"#;
        assert_eq!(
            parse_status(unknown).unwrap(),
            "underReview",
            "kept verbatim"
        );
    }

    #[test]
    fn payment_page_links() {
        assert_eq!(
            payment_page(
                "https://www.smartexpay.com/",
                "en",
                "1409",
                "dGqwF2M2eBPaSN1G5ljMS1cb"
            ),
            "https://www.smartexpay.com/en/payment/1409/dGqwF2M2eBPaSN1G5ljMS1cb"
        );
    }

    /// The seed's vector (reference §4), through the receiver's check; any field changed fails.
    #[test]
    fn ipn_hash_verifies_and_tampering_is_refused() {
        let fields: Vec<(String, String)> = [
            ("orderUID", "1409"),
            ("orderId", "5d8e6002b80b7b4cd75a6424"),
            ("newStatus", "inProgress"),
            ("inAmount", "2"),
            ("outAmount", "317.42"),
            ("xml_from", "ETH"),
            ("xml_to", "WMZ"),
            ("timestamp", "1571328406072"),
            (
                "hash",
                "af3acf947e6f0e0f2c267e300b8582e504dba12d1f2d058652b7414163c09f48",
            ),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert!(verify_ipn(&fields, "SECRET123"));
        assert!(!verify_ipn(&fields, "SECRET124"));
        for name in IPN_HASHED {
            let mut tampered = fields.clone();
            tampered
                .iter_mut()
                .find(|(k, _)| k == name)
                .unwrap()
                .1
                .push('0');
            assert!(!verify_ipn(&tampered, "SECRET123"), "{name} changed");
        }
        for alias in ["sign", "signature"] {
            let renamed: Vec<_> = fields
                .iter()
                .map(|(k, v)| {
                    (
                        if k == "hash" {
                            alias.to_string()
                        } else {
                            k.clone()
                        },
                        v.clone(),
                    )
                })
                .collect();
            assert!(verify_ipn(&renamed, "SECRET123"), "{alias}");
        }
        let unsigned: Vec<_> = fields
            .iter()
            .filter(|(k, _)| k != "hash")
            .cloned()
            .collect();
        assert!(!verify_ipn(&unsigned, "SECRET123"));
    }

    #[test]
    fn the_amount_is_a_json_number_written_from_its_decimal_text() {
        let marker = "\u{1}amount\u{1}";
        let body = json!({ "routeId": "r", "amount": marker, "lang": "en" });
        let text = json_with_decimal(&body, marker, "12.50").unwrap();
        assert!(text.contains(r#""amount":12.50"#), "{text}");
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["routeId"], "r");
        assert!(json_with_decimal(&body, marker, "1e3").is_err());
        assert!(
            json_with_decimal(&json!({ "a": 1 }), marker, "1.00").is_err(),
            "no marker"
        );
    }

    #[test]
    fn ipn_secrets_differ_per_order_and_key() {
        assert_ne!(ipn_secret("k", "PD1"), ipn_secret("k", "PD2"));
        assert_ne!(ipn_secret("k1", "PD1"), ipn_secret("k2", "PD1"));
        assert_eq!(ipn_secret("k", "PD1").len(), 32);
    }
}
