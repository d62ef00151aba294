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
//!
//! This folder: `config` (settings, their defaults and the vendor's pending policy), `mapping`
//! (the status, modification and error words), `wire` (request and answer types, reading
//! answers and tying them to the payment asked), the client here (authorisation, create,
//! status), `modifications` (capture, refund, cancelOrRefund), and `adapter` (SmartPay behind
//! the `Adapter` trait).

mod adapter;
mod config;
mod mapping;
mod modifications;
#[cfg(test)]
mod tests;
mod wire;

pub(crate) use adapter::SMARTPAY;
pub use config::{from_settings, SETTINGS};
pub use config::{
    pending_poll_schedule, SmartpayAuth, SmartpayConfig, DEFAULT_TIMEOUT, DEFAULT_TOKEN_URL,
    PENDING_REQUERIES, PENDING_WINDOW, POLL_POLICY,
};
pub use mapping::{
    error_code, is_pending_state, map_status, modification_word, status_word, ModificationOutcome,
    ModificationWord, ERROR_CODES, MODIFICATION_WORDS, STATUS_WORDS,
};
pub use wire::{
    check_reference, check_status_identity, parse_status, read_modification, support_fields,
    wire_amount, ModificationKind, StatusAnswer,
};

use serde_json::{json, Value};
use tokio::sync::Mutex;

use crate::{check_length, json_with_decimal, CreateRequest, Created, Lookup, Token, TokenAnswer};
use mapping::documented_refusal;
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::Money;
use paydesk_domain::order::OrderStatus;
use wire::{decimal_value, protocol, Answer, CreateAnswer, AMOUNT_MARKER};

const GATEWAY: &str = "smartpay";

pub struct Smartpay {
    http: reqwest::Client,
    config: SmartpayConfig,
    token: Mutex<Option<Token>>,
    /// The support fields of the last status answer per transaction, for the order's detail.
    support: std::sync::Mutex<std::collections::HashMap<String, Value>>,
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
        let token = answer
            .into_token(status, 3600)
            .map_err(|why| Error::GatewayRejected {
                gateway: GATEWAY,
                code: "oauth2".into(),
                message: format!("{why}: check the OAuth client id and secret and the token URL"),
            })?;
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
