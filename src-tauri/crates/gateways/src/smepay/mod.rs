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
//!
//! This folder: `config` (settings, their defaults and the path family), `mapping` (the
//! payment status words), `wire` (request and answer types, reading answers and tying them
//! to the order asked), the client here (`prepare_create` and the calls), and `adapter`
//! (SMEPay behind the `Adapter` trait).

mod adapter;
mod config;
mod mapping;
#[cfg(test)]
mod tests;
mod wire;

pub(crate) use adapter::SMEPAY;
pub use config::{from_settings, SETTINGS};
pub use config::{
    PathFamily, SmepayConfig, DEFAULT_LIVE_BASE, DEFAULT_SCRIPT_URL, DEFAULT_TEST_BASE,
};
pub use mapping::{label, map_status, status_word, ERROR_CODES, STATUS_WORDS};
pub use wire::{
    check_identity, paise, parse_create, parse_status, parse_status_answer, wire_amount,
    CreateAnswer, StatusAnswer, MIN_AMOUNT_MINOR,
};

use serde_json::{json, Value};
use tokio::sync::Mutex;

use crate::{check_length, CreateRequest, Created, Lookup, Report, Token, TokenAnswer};
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::Money;
use paydesk_domain::order::{Method, OrderStatus};
use paydesk_secrets::vault::Sensitive;
use wire::{
    protocol, Answer, AuthRequest, CreateOrder, CustomerDetails, Initiate, InitiateAnswer,
    StatusRequest, Validate,
};

const GATEWAY: &str = "smepay";

pub struct Smepay {
    http: reqwest::Client,
    config: SmepayConfig,
    token: Mutex<Option<Token>>,
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
        let answer: TokenAnswer =
            serde_json::from_str(&text).map_err(|e| protocol(format!("auth: not JSON ({e})")))?;
        let token = answer
            .into_token(status, 600)
            .map_err(|why| Error::GatewayRejected {
                gateway: GATEWAY,
                code: "auth".into(),
                message: format!(
                    "{why}: check the client id and secret, and that they belong to this environment's host"
                ),
            })?;
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
            card: None,
        }))
    }
}
