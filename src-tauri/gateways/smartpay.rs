//! SmartPay by J.P. Morgan Mobility Payment Solutions (reference/gateways.md §3; seed 003).
//! Basic auth (merchantKey:authenticationKey) or an OAuth client-credentials bearer token,
//! cached and renewed before it expires and once on a 401. Create checkout gives a
//! transactionId and a checkoutToken (both kept with the order; partnerReference is our
//! merchant order number) for the widget; the status is queried by transactionId, with the
//! vendor's pending policy (three re-queries within three minutes, then an error logged and
//! the order left Pending). Capture, refund and cancelOrRefund each carry a modificationId
//! the ledger holds before the call, resent unchanged on a retry. Client timeout 90 s.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::Mutex;

use super::{
    check_length, json_with_decimal, CreateRequest, Created, Lookup, Report, Reversal, Token,
};
use crate::error::{Error, Result};
use crate::money::Money;
use crate::order::OrderStatus;
use crate::vault::Sensitive;

const GATEWAY: &str = "smartpay";
pub const DEFAULT_TOKEN_URL: &str =
    "https://smartpay-oauth-cons.auth.eu-central-1.amazoncognito.com/oauth2/token";
/// The vendor recommends at least 90 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(90);

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

/// SmartPay's paymentStatus in the unified model. CAPTURED and SETTLED are paid;
/// AUTHORIZATION_COMPLETED is authorised (capture pending on our side); CREATED,
/// AUTORIZATION_INITIALIZED (the vendor's spelling), AUTHORIZATION_PENDING, CAPTURE_PENDING
/// and anything unknown are pending. Plain failures (…_FAILED, …_DECLINED, REJECTED),
/// cancellations, expiry and a full refund map to their own status.
pub fn map_status(status: &str) -> OrderStatus {
    let s = status.trim().to_ascii_uppercase();
    match s.as_str() {
        "CAPTURED" | "SETTLED" => OrderStatus::Paid,
        "AUTHORIZATION_COMPLETED" => OrderStatus::Authorized,
        "CANCELLED" | "CANCELED" => OrderStatus::Cancelled,
        "EXPIRED" => OrderStatus::Expired,
        "REFUNDED" => OrderStatus::Refunded,
        "REJECTED" | "DECLINED" | "FAILED" => OrderStatus::Failed,
        _ if s.ends_with("_FAILED") || s.ends_with("_DECLINED") || s.ends_with("_REJECTED") => {
            OrderStatus::Failed
        }
        _ => OrderStatus::Pending,
    }
}

/// A status the vendor resolves by itself later ("PENDING" states).
pub fn is_pending_state(status: &str) -> bool {
    status.trim().to_ascii_uppercase().ends_with("_PENDING")
}

/// Reads a status answer into a report with the support fields in its note.
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

/// `[A-Za-z0-9-_.:]`, at most 64: partnerReference and modificationId.
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

/// The amount as SmartPay's decimal with two places.
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
    Ok(amount.decimal_string())
}

enum Answer {
    Unauthorized,
    Body(u16, String),
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

    /// A 4xx answer as the gateway's refusal, with its own words when it gave some.
    fn refusal(call: &str, status: u16, text: &str) -> Error {
        let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        let message = ["message", "errorMessage", "error", "description"]
            .iter()
            .find_map(|k| body.get(*k).and_then(Value::as_str).map(str::to_string))
            .unwrap_or_else(|| format!("HTTP {status}"));
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
        Error::GatewayRejected {
            gateway: GATEWAY,
            code,
            message: format!("{call}: {message}"),
        }
    }

    pub async fn create(&self, request: &CreateRequest<'_>) -> Result<Created> {
        let amount = wire_amount(request.amount)?;
        check_reference("partnerReference", request.merchant_order_no)?;
        check_length("payment.description", request.description, 127)?;
        check_length("consumer.firstName", &self.config.consumer_first_name, 50)?;
        check_length("consumer.lastName", &self.config.consumer_last_name, 50)?;
        check_length("consumer.emailAddress", &self.config.consumer_email, 100)?;
        let script_url = self.config.script_url.clone().ok_or_else(|| {
            Error::invalid(
                "smartpay.script_url",
                "set the SmartPay widget script (smp-bundle.js) URL you were given in the settings",
            )
        })?;
        const MARKER: &str = "\u{1}paydesk-amount\u{1}";
        let body = json!({
            "merchantKey": self.config.merchant_key,
            "partnerReference": request.merchant_order_no,
            "payment": { "amount": MARKER, "currencyCode": request.amount.currency().code(), "description": request.description },
            "consumer": {
                "firstName": self.config.consumer_first_name,
                "lastName": self.config.consumer_last_name,
                "emailAddress": self.config.consumer_email,
            },
        });
        let text = json_with_decimal(&body, MARKER, &amount)?;
        let (status, answer) = self
            .call(
                "payment/creation",
                reqwest::Method::POST,
                "payment/creation",
                Some(&text),
            )
            .await?;
        if status >= 400 {
            return Err(Self::refusal("payment/creation", status, &answer));
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
        let mut out = Created::pending(Some(transaction_id.clone()));
        out.status = created
            .payment_status
            .as_deref()
            .map(map_status)
            .unwrap_or(OrderStatus::Pending);
        out.gateway_status = created.payment_status;
        out.payload = Some(json!({
            "checkoutToken": checkout_token,
            "transactionId": transaction_id,
            "scriptUrl": script_url,
            "requestTime": created.request_time,
        }));
        Ok(out)
    }

    pub async fn status(&self, transaction_id: &str) -> Result<Lookup> {
        let path = format!("payment/status/{transaction_id}");
        let (status, text) = self
            .call("payment/status", reqwest::Method::GET, &path, None)
            .await?;
        if status == 404 {
            return Ok(Lookup::Missing);
        }
        if status >= 400 {
            return Err(Self::refusal("payment/status", status, &text));
        }
        let report = parse_status(&text)?;
        if let Some(support) = support_fields(&text) {
            self.support
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(transaction_id.to_string(), support);
        }
        Ok(Lookup::Found(report))
    }

    /// What the vendor's support asks for (transactionId, reconciliationReferenceId,
    /// paymentStatus, creationDate), from the last status answer of a transaction.
    pub fn take_support(&self, transaction_id: &str) -> Option<Value> {
        self.support
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(transaction_id)
    }

    /// The vendor's pending policy: a PENDING answer is re-queried up to `pending_retries`
    /// times, `pending_retry_interval` apart; if it is still pending an error is logged and
    /// the answer (Pending) stands.
    pub async fn status_with_pending_policy(&self, transaction_id: &str) -> Result<Lookup> {
        let mut lookup = self.status(transaction_id).await?;
        for _ in 0..self.config.pending_retries {
            match &lookup {
                Lookup::Found(report) if is_pending_state(&report.gateway_status) => {
                    tokio::time::sleep(self.config.pending_retry_interval).await;
                    lookup = self.status(transaction_id).await?;
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

    async fn modify(&self, call: &'static str, body: String) -> Result<Reversal> {
        let (status, text) = self
            .call(call, reqwest::Method::POST, call, Some(&body))
            .await?;
        if status >= 400 {
            return Err(Self::refusal(call, status, &text));
        }
        let answer: Value =
            serde_json::from_str(&text).map_err(|e| protocol(format!("{call}: not JSON ({e})")))?;
        let text_of = |k: &str| answer.get(k).and_then(Value::as_str).map(str::to_string);
        Ok(Reversal {
            gateway_refund_id: text_of("modificationId"),
            gateway_status: text_of("paymentStatus").or_else(|| text_of("modificationStatus")),
        })
    }

    fn modification(&self, transaction_id: &str, modification_id: &str) -> Result<Value> {
        check_reference("modificationId", modification_id)?;
        Ok(
            json!({ "transactionId": transaction_id, "merchantKey": self.config.merchant_key, "modificationId": modification_id }),
        )
    }

    /// Captures an authorisation (in full when `amount` is None).
    pub async fn capture(
        &self,
        transaction_id: &str,
        modification_id: &str,
        amount: Option<Money>,
    ) -> Result<Reversal> {
        let body = self.modification(transaction_id, modification_id)?;
        let body = match amount {
            None => body.to_string(),
            Some(amount) => with_amount(body, amount)?,
        };
        self.modify("payment/capture", body).await
    }

    /// Refunds part of a captured payment.
    pub async fn refund(
        &self,
        transaction_id: &str,
        modification_id: &str,
        amount: Money,
    ) -> Result<Reversal> {
        let body = with_amount(self.modification(transaction_id, modification_id)?, amount)?;
        self.modify("payment/refund", body).await
    }

    /// Cancels an authorisation, or refunds a captured payment in full.
    pub async fn cancel_or_refund(
        &self,
        transaction_id: &str,
        modification_id: &str,
        description: Option<&str>,
    ) -> Result<Reversal> {
        let mut body = self.modification(transaction_id, modification_id)?;
        if let Some(description) = description {
            check_length("description", description, 127)?;
            body["description"] = json!(description);
        }
        self.modify("payment/cancelOrRefund", body.to_string())
            .await
    }
}

/// A modification body's text with `modifiedAmount` written as a decimal number.
fn with_amount(mut body: Value, amount: Money) -> Result<String> {
    const MARKER: &str = "\u{1}paydesk-amount\u{1}";
    body["modifiedAmount"] = json!(MARKER);
    json_with_decimal(&body, MARKER, &wire_amount(amount)?)
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
    use crate::money::Currency;

    #[test]
    fn statuses_map_into_the_unified_model() {
        assert_eq!(map_status("CAPTURED"), OrderStatus::Paid);
        assert_eq!(map_status("SETTLED"), OrderStatus::Paid);
        assert_eq!(
            map_status("AUTHORIZATION_COMPLETED"),
            OrderStatus::Authorized
        );
        for pending in [
            "CREATED",
            "AUTORIZATION_INITIALIZED",
            "AUTHORIZATION_PENDING",
            "CAPTURE_PENDING",
            "SOMETHING_NEW",
        ] {
            assert_eq!(map_status(pending), OrderStatus::Pending, "{pending}");
        }
        assert_eq!(map_status("AUTHORIZATION_FAILED"), OrderStatus::Failed);
        assert_eq!(map_status("CANCELLED"), OrderStatus::Cancelled);
        assert_eq!(map_status("REFUNDED"), OrderStatus::Refunded);
        assert!(
            is_pending_state("CAPTURE_PENDING") && !is_pending_state("AUTORIZATION_INITIALIZED")
        );
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
        let eur = Currency::parse("EUR").unwrap();
        assert_eq!(
            wire_amount(Money::parse("10.99", eur).unwrap()).unwrap(),
            "10.99"
        );
        assert_eq!(
            wire_amount(Money::parse("10", eur).unwrap()).unwrap(),
            "10.00"
        );
        assert!(wire_amount(Money::parse("10", Currency::parse("JPY").unwrap()).unwrap()).is_err());
        let body = with_amount(
            json!({ "modificationId": "M1" }),
            Money::parse("10", eur).unwrap(),
        )
        .unwrap();
        assert!(body.contains(r#""modifiedAmount":10.00"#), "{body}");
        assert_eq!(base64(b"48c4e923:secret"), "NDhjNGU5MjM6c2VjcmV0");
        assert_eq!(base64(b"ab"), "YWI=");
    }
}
