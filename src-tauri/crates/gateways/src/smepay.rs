//! SMEPay V2 (reference/gateways.md §2; seed 000): UPI in INR. A bearer token from
//! `auth`, cached and renewed before `expires_in` runs out and once on a 401; `order/create`
//! (amount "100.00", at least 1.00) then `order/initiate` for the payment link, the QR image
//! and the UPI intents; `order/status` to follow the order and `order/validate` before
//! anything is called paid. The webhook is unsigned: notify.rs only takes it as a hint.
//! SMEPay has no public refund API: refunds are refused here, before anything is reserved.
//!
//! Outcomes (the adapter boundary, wave 11):
//! - `prepare_create` is pure: the create body after every check (amount in INR of at least
//!   1.00, order_id, callback_url, the customer details SMEPay requires).
//! - `lookup` asks `order/status` by our order_id, which needs nothing from the create or
//!   initiate answers (seed 000 §5: the request is `{order_id}`; smepay.io/docs: "Poll
//!   Status"), so an order whose initiate answer was cut still reaches the gateway's state.
//! - Every status answer is tied to the order asked: its `order_id` must equal ours and its
//!   `amount` (where it carries one) the order's, else it is a suspicious `GatewayProtocol`.
//! - Nothing here knows Paydesk's local expiry: a lookup reports the gateway's own word.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::sync::Mutex;

use super::{check_length, CodeWord, CreateRequest, Created, Lookup, Report, StatusWord, Token};
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::Money;
use paydesk_domain::order::{Method, OrderStatus};
use paydesk_secrets::vault::Sensitive;

const GATEWAY: &str = "smepay";
pub const DEFAULT_LIVE_BASE: &str = "https://extranet.smepay.in";
pub const DEFAULT_TEST_BASE: &str = "https://staging.smepay.in";
pub const DEFAULT_SCRIPT_URL: &str = "https://extranet.smepay.in/sdk/smepay-checkout.js";
/// The smallest total SMEPay takes, in paise.
pub const MIN_AMOUNT_MINOR: i64 = 100;

/// Which paths the calls go to. The seed uses `/api/wiz/external/...` for auth, create and
/// validate and `/api/external/...` for initiate and status; the vendor's plugin puts
/// every call under `wiz/`. Setting `smepay.<env>.path_family` = `seed` (default) or `wiz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathFamily {
    Seed,
    Wiz,
}

impl PathFamily {
    pub fn parse(text: &str) -> Result<PathFamily> {
        match text.trim() {
            "" | "seed" => Ok(PathFamily::Seed),
            "wiz" => Ok(PathFamily::Wiz),
            other => Err(Error::invalid(
                "path_family",
                format!("unknown SMEPay path family {other:?}: use seed or wiz"),
            )),
        }
    }

    fn path(self, call: &str) -> String {
        let wiz = match call {
            "auth" | "order/create" | "order/validate" => true,
            _ => self == PathFamily::Wiz,
        };
        if wiz {
            format!("/api/wiz/external/{call}")
        } else {
            format!("/api/external/{call}")
        }
    }
}

#[derive(Debug, Clone)]
pub struct SmepayConfig {
    /// Host (and any prefix), without the `/api/...` path.
    pub base: String,
    pub paths: PathFamily,
    pub client_id: String,
    pub client_secret: Sensitive<String>,
    pub callback_url: String,
    pub script_url: String,
    /// SMEPay wants customer details; a counter sale has none, so the shop's defaults go.
    pub customer_name: String,
    pub customer_email: String,
    pub customer_mobile: String,
    pub timeout: Duration,
}

pub struct Smepay {
    http: reqwest::Client,
    config: SmepayConfig,
    token: Mutex<Option<Token>>,
}

// ---- wire types (§2) ----

#[derive(Serialize)]
struct AuthRequest<'a> {
    client_id: &'a str,
    client_secret: &'a str,
}

#[derive(Deserialize)]
struct AuthAnswer {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    expires_in: Option<Value>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Serialize)]
struct CustomerDetails<'a> {
    email: &'a str,
    mobile: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct CreateOrder<'a> {
    client_id: &'a str,
    amount: String,
    order_id: &'a str,
    callback_url: &'a str,
    customer_details: CustomerDetails<'a>,
}

/// `{status: true, order_slug, message}`; some clients see `slug` instead.
#[derive(Debug, Deserialize)]
pub struct CreateAnswer {
    #[serde(default)]
    pub status: Option<Value>,
    #[serde(default)]
    pub order_slug: Option<String>,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

impl CreateAnswer {
    pub fn the_slug(&self) -> Option<&str> {
        self.order_slug
            .as_deref()
            .or(self.slug.as_deref())
            .filter(|s| !s.is_empty())
    }
}

#[derive(Serialize)]
struct Initiate<'a> {
    slug: &'a str,
    client_id: &'a str,
}

#[derive(Debug, Deserialize)]
struct InitiateAnswer {
    #[serde(default)]
    payment_link: Option<String>,
    #[serde(default)]
    qr_code: Option<String>,
    #[serde(default)]
    intents: Option<Value>,
    #[serde(default)]
    payment_status: Option<String>,
    #[serde(default)]
    expires_at: Option<Value>,
    #[serde(default)]
    transaction_id: Option<Value>,
}

#[derive(Serialize)]
struct Validate<'a> {
    client_id: &'a str,
    amount: String,
    slug: &'a str,
}

#[derive(Serialize)]
struct StatusRequest<'a> {
    client_id: &'a str,
    order_id: &'a str,
}

/// The answer of `order/status` (`{status, order_id, payment_status, amount, provider,
/// created_at, processed_at}`, reference §2) and of `order/validate` (`{status,
/// payment_status}`).
#[derive(Debug, Deserialize)]
pub struct StatusAnswer {
    #[serde(default)]
    pub status: Option<Value>,
    #[serde(default)]
    pub payment_status: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub order_id: Option<Value>,
    /// "100.00" or a number (100.5): both are seen.
    #[serde(default)]
    pub amount: Option<Value>,
}

/// SMEPay's payment statuses (smepay.io/docs, "Payment Status Flow": CREATED -> INITIATED ->
/// PENDING -> SUCCESS/FAILED, or EXPIRED; TEST_SUCCESS is what validate answers for a test-mode
/// payment, seed 000 and the vendor's WooCommerce plugin). SUCCESS and TEST_SUCCESS are paid
/// only once validate agrees (see `lookup`); a word not here is Pending and kept verbatim.
pub const STATUS_WORDS: &[StatusWord] = &[
    StatusWord {
        word: "CREATED",
        status: OrderStatus::Pending,
        label: "created, the QR is being prepared",
    },
    StatusWord {
        word: "INITIATED",
        status: OrderStatus::Pending,
        label: "waiting for the customer",
    },
    StatusWord {
        word: "PENDING",
        status: OrderStatus::Pending,
        label: "the customer is paying",
    },
    StatusWord {
        word: "SUCCESS",
        status: OrderStatus::Paid,
        label: "paid",
    },
    StatusWord {
        word: "TEST_SUCCESS",
        status: OrderStatus::Paid,
        label: "paid (test mode)",
    },
    StatusWord {
        word: "FAILED",
        status: OrderStatus::Failed,
        label: "the customer's payment failed or was declined",
    },
    StatusWord {
        word: "EXPIRED",
        status: OrderStatus::Expired,
        label: "the payment request expired unpaid",
    },
];

/// SMEPay documents no error codes: a refusal is `{status: false, message}` (smepay.io/docs,
/// seed 000), so the call's name is the refusal's code and the message is kept verbatim.
pub const ERROR_CODES: &[CodeWord] = &[];

/// The table entry of a payment_status word (case does not matter).
pub fn status_word(payment_status: &str) -> Option<&'static StatusWord> {
    let word = payment_status.trim();
    STATUS_WORDS
        .iter()
        .find(|w| w.word.eq_ignore_ascii_case(word))
}

/// SMEPay's payment_status in the unified model, read from `STATUS_WORDS`: anything not in
/// the table is Pending.
pub fn map_status(payment_status: &str) -> OrderStatus {
    status_word(payment_status)
        .map(|w| w.status)
        .unwrap_or(OrderStatus::Pending)
}

/// What the cashier reads for a payment_status word ("waiting for the customer").
pub fn label(payment_status: &str) -> &'static str {
    status_word(payment_status)
        .map(|w| w.label)
        .unwrap_or("SMEPay gave a status Paydesk does not know: still open")
}

/// Ties an `order/status` answer to the order asked: its `order_id` must be there and equal
/// ours, and its `amount`, where it carries one, the order's. A mismatch is a suspicious
/// `GatewayProtocol` (a replayed answer about another order), logged.
pub fn check_identity(answer: &StatusAnswer, merchant_order_no: &str, amount: Money) -> Result<()> {
    let order_id = match &answer.order_id {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => {
            return Err(protocol(format!(
                "order/status answered without order_id: it cannot be tied to order {merchant_order_no}"
            )))
        }
    };
    let mut wrong = Vec::new();
    if order_id != merchant_order_no {
        wrong.push(format!("order_id {order_id} (asked {merchant_order_no})"));
    }
    if let Some(given) = answer.amount.as_ref().filter(|v| !v.is_null()) {
        if paise(given) != Some(amount.minor()) {
            wrong.push(format!(
                "amount {given} (the order is {})",
                amount.decimal_string()
            ));
        }
    }
    if wrong.is_empty() {
        return Ok(());
    }
    let what = wrong.join(", ");
    tracing::warn!(
        gateway = GATEWAY,
        order = merchant_order_no,
        "suspicious order/status answer about another order: {what}"
    );
    Err(protocol(format!(
        "suspicious order/status answer about another order: {what}; nothing applied"
    )))
}

/// An amount as SMEPay writes it ("100.00", "100", 100.5) in paise; `None` if it is not one.
pub fn paise(amount: &Value) -> Option<i64> {
    let text = match amount {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let fraction = fraction.trim_end_matches('0');
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > 2
        || !fraction.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(fraction)
}

/// Reads a create answer; the slug may come as `order_slug` or `slug`.
pub fn parse_create(text: &str) -> Result<String> {
    let answer: CreateAnswer = serde_json::from_str(text)
        .map_err(|e| protocol(format!("order/create: not JSON ({e})")))?;
    if is_false(&answer.status) {
        return Err(rejected(
            "order/create",
            answer.message.as_deref().unwrap_or("refused"),
        ));
    }
    answer
        .the_slug()
        .map(str::to_string)
        .ok_or_else(|| protocol("order/create answered without order_slug or slug".into()))
}

/// Reads a status or validate answer into its payment_status, verbatim.
pub fn parse_status(call: &str, text: &str) -> Result<String> {
    parse_status_answer(call, text)?
        .payment_status
        .ok_or_else(|| protocol(format!("{call} answered without payment_status")))
}

/// A status or validate answer, with its payment_status required.
pub fn parse_status_answer(call: &str, text: &str) -> Result<StatusAnswer> {
    let answer: StatusAnswer =
        serde_json::from_str(text).map_err(|e| protocol(format!("{call}: not JSON ({e})")))?;
    match &answer.payment_status {
        Some(s) if !s.trim().is_empty() => Ok(answer),
        _ if is_false(&answer.status) => Err(rejected(
            call,
            answer.message.as_deref().unwrap_or("refused"),
        )),
        _ => Err(protocol(format!("{call} answered without payment_status"))),
    }
}

fn is_false(status: &Option<Value>) -> bool {
    matches!(status, Some(Value::Bool(false)))
        || matches!(status, Some(Value::String(s)) if s == "false")
}

fn protocol(message: String) -> Error {
    Error::GatewayProtocol {
        gateway: GATEWAY,
        message,
    }
}

fn rejected(call: &str, message: &str) -> Error {
    Error::GatewayRejected {
        gateway: GATEWAY,
        code: call.to_string(),
        message: message.to_string(),
    }
}

/// The wire amount: rupees with two decimals, at least 1.00.
pub fn wire_amount(amount: Money) -> Result<String> {
    if amount.currency().code() != "INR" {
        return Err(Error::invalid(
            "currency",
            format!("SMEPay takes INR, not {}", amount.currency()),
        ));
    }
    if amount.minor() < MIN_AMOUNT_MINOR {
        return Err(Error::invalid(
            "amount",
            format!(
                "SMEPay takes at least 1.00 INR, not {}",
                amount.decimal_string()
            ),
        ));
    }
    Ok(amount.decimal_string())
}

enum Answer {
    Unauthorized,
    Body(u16, String),
}

impl Smepay {
    pub fn new(config: SmepayConfig) -> Result<Smepay> {
        Ok(Smepay {
            http: super::http_client(config.timeout)?,
            config,
            token: Mutex::new(None),
        })
    }

    pub fn config(&self) -> &SmepayConfig {
        &self.config
    }

    fn url(&self, call: &str) -> String {
        format!(
            "{}{}",
            self.config.base.trim_end_matches('/'),
            self.config.paths.path(call)
        )
    }

    /// A token that still has a while to live: the cached one, or a new one.
    async fn token(&self, force_new: bool) -> Result<Sensitive<String>> {
        let mut cached = self.token.lock().await;
        if !force_new {
            if let Some(value) = cached.as_ref().and_then(Token::live) {
                return Ok(value.clone());
            }
        }
        let body = AuthRequest {
            client_id: &self.config.client_id,
            client_secret: self.config.client_secret.expose(),
        };
        let (status, text) = super::send(
            GATEWAY,
            "auth",
            self.http.post(self.url("auth")).json(&body),
        )
        .await?;
        let answer: AuthAnswer =
            serde_json::from_str(&text).map_err(|e| protocol(format!("auth: not JSON ({e})")))?;
        let Some(access_token) = answer.access_token.filter(|t| !t.is_empty()) else {
            let why = answer.error.map(|e| {
                e.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| e.to_string())
            });
            return Err(Error::GatewayRejected {
                gateway: GATEWAY,
                code: "auth".into(),
                message: format!(
                    "{}: check the client id and secret, and that they belong to this environment's host",
                    why.unwrap_or_else(|| format!("HTTP {status}"))
                ),
            });
        };
        let token = Token::new(access_token, answer.expires_in.as_ref(), 600);
        let value = token.value().clone();
        *cached = Some(token);
        Ok(value)
    }

    /// The cheapest authenticated call, for Settings' "Test connection": a fresh token.
    pub async fn check_credentials(&self) -> Result<String> {
        self.token(true).await?;
        Ok("auth: token issued".into())
    }

    async fn send(&self, call: &str, body: &Value, token: &Sensitive<String>) -> Result<Answer> {
        let request = self
            .http
            .post(self.url(call))
            .bearer_auth(token.expose())
            .json(body);
        let (status, text) = super::send(GATEWAY, call, request).await?;
        if status == reqwest::StatusCode::UNAUTHORIZED {
            return Ok(Answer::Unauthorized);
        }
        Ok(Answer::Body(status.as_u16(), text))
    }

    /// One authorised call; on a 401 the token is renewed once and the call resent.
    async fn call(&self, call: &str, body: Value) -> Result<(u16, String)> {
        let token = self.token(false).await?;
        if let Answer::Body(status, text) = self.send(call, &body, &token).await? {
            return Ok((status, text));
        }
        tracing::info!("smepay: token refused on {call}, renewing once");
        let token = self.token(true).await?;
        match self.send(call, &body, &token).await? {
            Answer::Body(status, text) => Ok((status, text)),
            Answer::Unauthorized => Err(Error::GatewayRejected {
                gateway: GATEWAY,
                code: "401".into(),
                message: format!(
                    "{call}: a fresh token was refused too: check the credentials' environment"
                ),
            }),
        }
    }

    /// The exact `order/create` body for `request`, after every check that can be made before
    /// sending: the amount (INR, at least 1.00, "100.00"), our order_id, the callback URL and
    /// the customer details SMEPay requires (name, email, mobile). Pure: no I/O.
    pub fn prepare_create(&self, request: &CreateRequest<'_>) -> Result<Value> {
        let amount = wire_amount(request.amount)?;
        let order_id = request.merchant_order_no;
        if order_id.trim().is_empty()
            || order_id
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(Error::invalid(
                "order_id",
                format!("{order_id:?} cannot be an SMEPay order_id"),
            ));
        }
        check_length("order_id", order_id, 64)?;
        let callback = self.config.callback_url.trim();
        if !(callback.starts_with("https://") || callback.starts_with("http://")) {
            return Err(Error::invalid(
                "callback_url",
                format!("SMEPay's callback_url must be an http(s) URL, not {callback:?}"),
            ));
        }
        check_length("callback_url", callback, 255)?;
        let name = self.config.customer_name.trim();
        let email = self.config.customer_email.trim();
        let mobile = self.config.customer_mobile.trim();
        if name.is_empty() {
            return Err(Error::invalid(
                "customer_details.name",
                "SMEPay needs the customer's name: set smepay.<env>.customer_name",
            ));
        }
        check_length("customer_details.name", name, 100)?;
        let email_ok = email.split_once('@').is_some_and(|(user, host)| {
            !user.is_empty() && host.contains('.') && !host.ends_with('.')
        }) && !email.chars().any(char::is_whitespace);
        if !email_ok {
            return Err(Error::invalid(
                "customer_details.email",
                format!("SMEPay needs the customer's email: {email:?} is not one (smepay.<env>.customer_email)"),
            ));
        }
        check_length("customer_details.email", email, 100)?;
        let digits = mobile.strip_prefix('+').unwrap_or(mobile);
        if digits.len() < 10 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(Error::invalid(
                "customer_details.mobile",
                format!("SMEPay needs the customer's mobile number (10 digits or more): {mobile:?} is not one (smepay.<env>.customer_mobile)"),
            ));
        }
        check_length("customer_details.mobile", mobile, 15)?;
        Ok(json!(CreateOrder {
            client_id: &self.config.client_id,
            amount,
            order_id,
            callback_url: callback,
            customer_details: CustomerDetails {
                email,
                mobile,
                name,
            },
        }))
    }

    /// `prepare_create`, then `order/create` and (for the QR link) `order/initiate`. A cut or
    /// late answer to either is unknown, never a refusal; the order is then followed by
    /// `lookup`, which needs neither answer.
    pub async fn create(&self, request: &CreateRequest<'_>) -> Result<Created> {
        let body = self.prepare_create(request)?;
        let (_, text) = self.call("order/create", body).await?;
        let slug = parse_create(&text)?;
        let mut created = Created::pending(Some(slug.clone()));
        if request.method == Method::UpiWidget {
            created.payload = Some(json!({ "slug": slug, "scriptUrl": self.config.script_url }));
            return Ok(created);
        }
        let (_, text) = self
            .call(
                "order/initiate",
                json!(Initiate {
                    slug: &slug,
                    client_id: &self.config.client_id
                }),
            )
            .await?;
        let answer: InitiateAnswer = serde_json::from_str(&text)
            .map_err(|e| protocol(format!("order/initiate: not JSON ({e})")))?;
        let link = answer
            .payment_link
            .filter(|l| !l.is_empty())
            .ok_or_else(|| protocol("order/initiate carried no payment_link".into()))?;
        created.payment_url = Some(link);
        created.gateway_status = answer.payment_status.clone();
        created.payload = Some(json!({
            "slug": slug,
            "qrCode": answer.qr_code,
            "intents": answer.intents,
            "expiresAt": answer.expires_at,
            "transactionId": answer.transaction_id,
        }));
        Ok(created)
    }

    /// `order/status` by our order number (it needs nothing the create or initiate answered),
    /// tied to the order (order_id, amount). A SUCCESS is believed only once `order/validate`
    /// (by slug and amount) says SUCCESS or TEST_SUCCESS too. Without a slug (the answer that
    /// carried it was lost) validate cannot be asked: the status answer, about this order_id
    /// and this amount, on the same authenticated channel, is then the gateway's word, and the
    /// event says so.
    pub async fn lookup(
        &self,
        merchant_order_no: &str,
        slug: Option<&str>,
        amount: Money,
    ) -> Result<Lookup> {
        let request = StatusRequest {
            client_id: &self.config.client_id,
            order_id: merchant_order_no,
        };
        let (http_status, text) = self.call("order/status", json!(request)).await?;
        let answer = match parse_status_answer("order/status", &text) {
            Ok(answer) => answer,
            Err(Error::GatewayRejected { message, .. })
                if http_status == 404 || message.to_ascii_lowercase().contains("not found") =>
            {
                return Ok(Lookup::Missing)
            }
            Err(e) => return Err(e),
        };
        check_identity(&answer, merchant_order_no, amount)?;
        let raw = answer.payment_status.unwrap_or_default();
        let mut status = map_status(&raw);
        let mut note = None;
        if status == OrderStatus::Paid {
            match slug {
                Some(slug) => {
                    let body = Validate {
                        client_id: &self.config.client_id,
                        amount: amount.decimal_string(),
                        slug,
                    };
                    let (_, text) = self.call("order/validate", json!(body)).await?;
                    let validated = parse_status("order/validate", &text)?;
                    if map_status(&validated) != OrderStatus::Paid {
                        status = OrderStatus::Pending;
                        note = Some(format!(
                            "order/status said {raw} but order/validate said {validated}: not paid yet"
                        ));
                    } else {
                        note = Some(format!("validated: {validated}"));
                    }
                }
                None => {
                    note = Some(format!(
                        "order/status said {raw} for this order_id and amount; not validated by slug (the answer that carried it was lost)"
                    ));
                }
            }
        }
        Ok(Lookup::Found(Report {
            status,
            gateway_status: raw,
            gateway_order_id: slug.map(str::to_string),
            note,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use paydesk_domain::money::Currency;

    fn adapter() -> Smepay {
        Smepay::new(SmepayConfig {
            base: "http://127.0.0.1:9".into(),
            paths: PathFamily::Seed,
            client_id: "client".into(),
            client_secret: Sensitive::new("secret".into()),
            callback_url: "https://shop.example/notify/smepay".into(),
            script_url: DEFAULT_SCRIPT_URL.into(),
            customer_name: "Counter customer".into(),
            customer_email: "customer@example.com".into(),
            customer_mobile: "9999999999".into(),
            timeout: Duration::from_secs(1),
        })
        .unwrap()
    }

    fn rupees(amount: &str) -> Money {
        Money::parse(amount, Currency::parse("INR").unwrap()).unwrap()
    }

    fn sale(order_no: &str, amount: Money) -> CreateRequest<'_> {
        CreateRequest {
            merchant_order_no: order_no,
            method: Method::Upi,
            amount,
            description: "Sale",
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
                "CREATED",
                "INITIATED",
                "PENDING",
                "SUCCESS",
                "TEST_SUCCESS",
                "FAILED",
                "EXPIRED"
            ]
        );
        for word in STATUS_WORDS {
            assert!(!word.label.trim().is_empty(), "{}", word.word);
            assert_ne!(word.label, word.word);
            assert_eq!(map_status(word.word), word.status);
            assert_eq!(map_status(&word.word.to_ascii_lowercase()), word.status);
            assert_eq!(label(word.word), word.label);
        }
        assert_eq!(label("INITIATED"), "waiting for the customer");
        assert_eq!(label("SUCCESS"), "paid");
        assert_eq!(
            map_status("FAILURE"),
            OrderStatus::Pending,
            "not a documented word"
        );
        assert!(ERROR_CODES.is_empty(), "SMEPay documents no error codes");
    }

    #[test]
    fn prepare_builds_the_create_body_and_refuses_what_cannot_be_sent() {
        let smepay = adapter();
        let body = smepay.prepare_create(&sale("PD1", rupees("100"))).unwrap();
        assert_eq!(
            body,
            json!({
                "client_id": "client",
                "amount": "100.00",
                "order_id": "PD1",
                "callback_url": "https://shop.example/notify/smepay",
                "customer_details": {
                    "email": "customer@example.com",
                    "mobile": "9999999999",
                    "name": "Counter customer"
                }
            })
        );
        let small = smepay
            .prepare_create(&sale("PD1", rupees("0.99")))
            .unwrap_err();
        assert_eq!(small.field(), Some("amount"));
        let cad = Money::parse("5", Currency::CAD).unwrap();
        assert_eq!(
            smepay
                .prepare_create(&sale("PD1", cad))
                .unwrap_err()
                .field(),
            Some("currency")
        );
        for bad in ["", "PD 1", &"P".repeat(65)] {
            assert_eq!(
                smepay
                    .prepare_create(&sale(bad, rupees("1")))
                    .unwrap_err()
                    .field(),
                Some("order_id"),
                "{bad:?}"
            );
        }
        let refused = |edit: fn(&mut SmepayConfig)| {
            let mut smepay = adapter();
            edit(&mut smepay.config);
            smepay
                .prepare_create(&sale("PD1", rupees("1")))
                .unwrap_err()
                .field()
        };
        assert_eq!(
            refused(|c| c.customer_name = " ".into()),
            Some("customer_details.name")
        );
        assert_eq!(
            refused(|c| c.customer_email = "nobody".into()),
            Some("customer_details.email")
        );
        assert_eq!(
            refused(|c| c.customer_email = "a@b".into()),
            Some("customer_details.email")
        );
        assert_eq!(
            refused(|c| c.customer_mobile = "12345".into()),
            Some("customer_details.mobile")
        );
        assert_eq!(
            refused(|c| c.customer_mobile = "99999x9999".into()),
            Some("customer_details.mobile")
        );
        assert_eq!(
            refused(|c| c.callback_url = "ftp://x".into()),
            Some("callback_url")
        );
    }

    #[test]
    fn a_status_answer_about_another_order_is_suspicious() {
        let answer = |text: &str| parse_status_answer("order/status", text).unwrap();
        let ours = answer(
            r#"{"status":true,"order_id":"PD1","payment_status":"SUCCESS","amount":"100.00"}"#,
        );
        assert!(check_identity(&ours, "PD1", rupees("100")).is_ok());
        let number =
            answer(r#"{"status":true,"order_id":"PD1","payment_status":"SUCCESS","amount":100.5}"#);
        assert!(check_identity(&number, "PD1", rupees("100.50")).is_ok());
        let no_amount = answer(r#"{"status":true,"order_id":"PD1","payment_status":"PENDING"}"#);
        assert!(check_identity(&no_amount, "PD1", rupees("100")).is_ok());
        for other in [
            r#"{"status":true,"order_id":"PD2","payment_status":"SUCCESS","amount":"100.00"}"#,
            r#"{"status":true,"order_id":"PD1","payment_status":"SUCCESS","amount":"1.00"}"#,
            r#"{"status":true,"order_id":"PD1","payment_status":"SUCCESS","amount":"abc"}"#,
        ] {
            match check_identity(&answer(other), "PD1", rupees("100")) {
                Err(Error::GatewayProtocol { message, .. }) => {
                    assert!(message.contains("suspicious"), "{message}")
                }
                got => panic!("{other}: {got:?}"),
            }
        }
        let untied = answer(r#"{"status":true,"payment_status":"SUCCESS"}"#);
        assert!(matches!(
            check_identity(&untied, "PD1", rupees("100")),
            Err(Error::GatewayProtocol { .. })
        ));
        assert_eq!(paise(&json!("100")), Some(10000));
        assert_eq!(paise(&json!(100.5)), Some(10050));
        assert_eq!(paise(&json!("1.005")), None);
    }

    #[test]
    fn statuses_map_into_the_unified_model() {
        assert_eq!(map_status("SUCCESS"), OrderStatus::Paid);
        assert_eq!(map_status("TEST_SUCCESS"), OrderStatus::Paid);
        assert_eq!(map_status("FAILED"), OrderStatus::Failed);
        assert_eq!(map_status("EXPIRED"), OrderStatus::Expired);
        for pending in ["CREATED", "INITIATED", "PENDING", "ON_HOLD_FOR_REVIEW"] {
            assert_eq!(map_status(pending), OrderStatus::Pending, "{pending}");
        }
    }

    #[test]
    fn the_slug_comes_as_order_slug_or_slug() {
        let seed =
            r#"{"status":true,"order_slug":"AbC123xyz","message":"Order created successfully"}"#;
        assert_eq!(parse_create(seed).unwrap(), "AbC123xyz");
        let plugin = r#"{"status":true,"slug":"QwE789","message":"ok"}"#;
        assert_eq!(parse_create(plugin).unwrap(), "QwE789");
        let neither = r#"{"status":true,"message":"ok"}"#;
        assert!(matches!(
            parse_create(neither),
            Err(Error::GatewayProtocol { .. })
        ));
        let refused = r#"{"status":false,"message":"Invalid amount"}"#;
        assert!(matches!(
            parse_create(refused),
            Err(Error::GatewayRejected { .. })
        ));
        assert!(matches!(
            parse_create("<html>502</html>"),
            Err(Error::GatewayProtocol { .. })
        ));
    }

    #[test]
    fn an_unknown_status_is_kept_verbatim_as_pending() {
        let raw = parse_status(
            "order/status",
            r#"{"status":true,"order_id":"PD1","payment_status":"UNDER_REVIEW"}"#,
        )
        .unwrap();
        assert_eq!(raw, "UNDER_REVIEW");
        assert_eq!(map_status(&raw), OrderStatus::Pending);
        let validated = parse_status(
            "order/validate",
            r#"{"status":true,"payment_status":"TEST_SUCCESS"}"#,
        )
        .unwrap();
        assert_eq!(map_status(&validated), OrderStatus::Paid);
        assert!(parse_status("order/status", r#"{"status":true}"#).is_err());
    }

    #[test]
    fn amounts_are_two_decimal_rupees_of_at_least_one() {
        let inr = Currency::parse("INR").unwrap();
        assert_eq!(
            wire_amount(Money::parse("100", inr).unwrap()).unwrap(),
            "100.00"
        );
        assert_eq!(
            wire_amount(Money::parse("1", inr).unwrap()).unwrap(),
            "1.00"
        );
        let small = wire_amount(Money::parse("0.99", inr).unwrap()).unwrap_err();
        assert_eq!(small.field(), Some("amount"));
        assert!(wire_amount(Money::parse("5", Currency::CAD).unwrap()).is_err());
    }

    #[test]
    fn path_families() {
        assert_eq!(PathFamily::Seed.path("auth"), "/api/wiz/external/auth");
        assert_eq!(
            PathFamily::Seed.path("order/status"),
            "/api/external/order/status"
        );
        assert_eq!(
            PathFamily::Seed.path("order/initiate"),
            "/api/external/order/initiate"
        );
        assert_eq!(
            PathFamily::Wiz.path("order/status"),
            "/api/wiz/external/order/status"
        );
        assert!(PathFamily::parse("other").is_err());
    }
}
