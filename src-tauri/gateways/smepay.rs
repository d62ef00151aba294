//! SMEPay V2 (reference/gateways.md §2; seed 000): UPI in INR. A bearer token from
//! `auth`, cached and renewed before `expires_in` runs out and once on a 401; `order/create`
//! (amount "100.00", at least 1.00) then `order/initiate` for the payment link, the QR image
//! and the UPI intents; `order/status` to follow the order and `order/validate` before
//! anything is called paid. The webhook is unsigned: notify.rs only takes it as a hint.
//! SMEPay has no public refund API: refunds are refused here, before anything is reserved.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::sync::Mutex;

use super::{check_length, CreateRequest, Created, Lookup, Report, Token};
use crate::error::{Error, Result};
use crate::money::Money;
use crate::order::{Method, OrderStatus};
use crate::vault::Sensitive;

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

/// The answer of `order/status` and `order/validate`: only `payment_status` matters.
#[derive(Debug, Deserialize)]
pub struct StatusAnswer {
    #[serde(default)]
    pub status: Option<Value>,
    #[serde(default)]
    pub payment_status: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// SMEPay's payment_status in the unified model: SUCCESS and TEST_SUCCESS paid (after
/// validate), FAILED failed, EXPIRED expired; CREATED, INITIATED, PENDING and anything
/// unknown pending.
pub fn map_status(payment_status: &str) -> OrderStatus {
    match payment_status.trim().to_ascii_uppercase().as_str() {
        "SUCCESS" | "TEST_SUCCESS" => OrderStatus::Paid,
        "FAILED" | "FAILURE" => OrderStatus::Failed,
        "EXPIRED" => OrderStatus::Expired,
        _ => OrderStatus::Pending,
    }
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
    let answer: StatusAnswer =
        serde_json::from_str(text).map_err(|e| protocol(format!("{call}: not JSON ({e})")))?;
    match answer.payment_status {
        Some(s) if !s.trim().is_empty() => Ok(s),
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

    pub async fn create(&self, request: &CreateRequest<'_>) -> Result<Created> {
        let amount = wire_amount(request.amount)?;
        check_length("order_id", request.merchant_order_no, 64)?;
        check_length("callback_url", &self.config.callback_url, 255)?;
        check_length("customer_details.name", &self.config.customer_name, 100)?;
        check_length("customer_details.email", &self.config.customer_email, 100)?;
        check_length("customer_details.mobile", &self.config.customer_mobile, 15)?;
        let body = CreateOrder {
            client_id: &self.config.client_id,
            amount,
            order_id: request.merchant_order_no,
            callback_url: &self.config.callback_url,
            customer_details: CustomerDetails {
                email: &self.config.customer_email,
                mobile: &self.config.customer_mobile,
                name: &self.config.customer_name,
            },
        };
        let (_, text) = self.call("order/create", json!(body)).await?;
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

    /// `order/status` by our order number; a SUCCESS is believed only once `order/validate`
    /// (by slug and amount) says SUCCESS or TEST_SUCCESS too.
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
        let raw = match parse_status("order/status", &text) {
            Ok(raw) => raw,
            Err(Error::GatewayRejected { message, .. })
                if http_status == 404 || message.to_ascii_lowercase().contains("not found") =>
            {
                return Ok(Lookup::Missing)
            }
            Err(e) => return Err(e),
        };
        let mut status = map_status(&raw);
        let mut note = None;
        if status == OrderStatus::Paid {
            let slug = slug.ok_or_else(|| {
                protocol("order/status says paid but the order has no slug to validate".into())
            })?;
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
    use crate::money::Currency;

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
