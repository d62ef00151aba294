//! SmartExPay, an exchanger (reference/gateways.md §4; seed 001). The API host and the API
//! key's header are given to merchants privately, so both are settings. An order is created
//! on a route (`routeId`) with the amount as a float in the route's "from" currency; the
//! customer pays on `{page}/{lang}/payment/{uid}/{secret}`, the link Paydesk shows as a QR.
//! Status by `order/get` (the IPN is sent once and may never come); for manual payment
//! methods the merchant moves the order from waitPayment to inProgress (`update-status`).
//! The IPN's secret is derived per order from the API key and our order number, so it is
//! never stored or shown, and the receiver can recompute it.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{check_length, json_with_decimal, CreateRequest, Created, Lookup, Report};
use crate::error::{Error, Result};
use crate::money::Money;
use crate::order::{Order, OrderStatus};
use crate::signing::{constant_time_eq_ignore_ascii_case, smartexpay_ipn_hash};
use crate::vault::Sensitive;

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

/// SmartExPay's order status in the unified model. Money received: inProgress,
/// inProgressPayout, done. Failed: errorPayment, deleted. returned: refunded (it was paid,
/// then given back). Everything else, hold ("frozen: problems with the order") included,
/// is Pending with the word kept verbatim.
pub fn map_status(status: &str) -> OrderStatus {
    match status.trim() {
        "inProgress" | "inProgressPayout" | "done" => OrderStatus::Paid,
        "errorPayment" | "deleted" => OrderStatus::Failed,
        "returned" => OrderStatus::Refunded,
        _ => OrderStatus::Pending,
    }
}

/// A note for the owner on statuses that need someone to act.
pub fn attention(status: &str) -> Option<String> {
    match status.trim() {
        "hold" => Some("SmartExPay put the order on hold (frozen): it needs the owner's attention with SmartExPay support".into()),
        "errorPayout" => Some("SmartExPay could not pay out: it needs the owner's attention".into()),
        "waitPayment" => None,
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

/// What a create answered: (uid, secret, _id).
pub fn parse_create(text: &str) -> Result<(String, String, Option<String>)> {
    let data = parse_envelope("order/create", text)?;
    let order = data.get("order").filter(|o| o.is_object()).unwrap_or(&data);
    let uid = text_of(order.get("uid"))
        .ok_or_else(|| protocol("order/create answered without uid".into()))?;
    let secret = text_of(order.get("secret"))
        .ok_or_else(|| protocol("order/create answered without secret".into()))?;
    Ok((uid, secret, text_of(order.get("_id"))))
}

/// The order status an `order/get` answer carries, verbatim.
pub fn parse_status(text: &str) -> Result<String> {
    let data = parse_envelope("order/get", text)?;
    let order = data.get("order").filter(|o| o.is_object()).unwrap_or(&data);
    text_of(order.get("status")).ok_or_else(|| protocol("order/get answered without status".into()))
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

/// Checks an IPN's hash (field `hash`, `sign` or `signature`) in constant time.
pub fn verify_ipn(fields: &[(String, String)], secret: &str) -> bool {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let Some(given) = ["hash", "sign", "signature"]
        .iter()
        .find_map(|name| get(name))
    else {
        return false;
    };
    let mut values = [""; 7];
    for (slot, name) in values.iter_mut().zip(IPN_HASHED) {
        match get(name) {
            Some(v) => *slot = v,
            None => return false,
        }
    }
    constant_time_eq_ignore_ascii_case(given, &smartexpay_ipn_hash(values, secret))
}

impl Smartexpay {
    pub fn new(config: SmartexpayConfig) -> Result<Smartexpay> {
        Ok(Smartexpay {
            http: super::http_client(config.timeout)?,
            config,
        })
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

    pub async fn create(&self, request: &CreateRequest<'_>) -> Result<Created> {
        check_length("routeId", &self.config.route_id, 24)?;
        if self.config.route_id.is_empty()
            || !self.config.route_id.chars().all(|c| c.is_ascii_hexdigit())
        {
            return Err(Error::invalid(
                "routeId",
                "set the SmartExPay route (an ObjectId, 24 hex digits) in the settings",
            ));
        }
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
        const MARKER: &str = "\u{1}paydesk-amount\u{1}";
        let mut body = json!({
            "routeId": self.config.route_id,
            "amount": MARKER,
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
        // The amount is a JSON number in the "from" currency, written from the decimal text
        // (never through a float).
        let text = json_with_decimal(&body, MARKER, &wire_amount(request.amount))?;
        let request_builder = self
            .http
            .post(self.url("order/create"))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(text);
        let answer = self.send("order/create", request_builder).await?;
        let (uid, secret, object_id) = parse_create(&answer)?;
        let mut created = Created::pending(Some(uid.clone()));
        created.payment_url = Some(payment_page(
            &self.config.page_base,
            &self.config.lang,
            &uid,
            &secret,
        ));
        created.payload = Some(json!({
            "uid": uid,
            "secret": secret,
            "orderId": object_id,
            "orderPage": format!("{}/{}/order/{uid}/{secret}", self.config.page_base.trim_end_matches('/'), self.config.lang),
        }));
        Ok(created)
    }

    /// (uid, secret) of an order, from what create kept.
    fn handle(order: &Order) -> Result<(String, String)> {
        let payload = order.payment_payload.as_ref();
        let uid = order
            .gateway_order_id
            .clone()
            .or_else(|| payload.and_then(|p| text_of(p.get("uid"))));
        let secret = payload.and_then(|p| text_of(p.get("secret")));
        match (uid, secret) {
            (Some(uid), Some(secret)) => Ok((uid, secret)),
            _ => Err(Error::invalid(
                "order",
                format!("order {} has no SmartExPay uid and secret yet", order.id),
            )),
        }
    }

    pub async fn lookup(&self, order: &Order) -> Result<Lookup> {
        let Ok((uid, secret)) = Self::handle(order) else {
            return Ok(Lookup::Missing);
        };
        let request = self
            .http
            .get(self.url("order/get"))
            .query(&[("orderUID", uid.as_str()), ("orderSecret", secret.as_str())]);
        let text = self.send("order/get", request).await?;
        let raw = match parse_status(&text) {
            Ok(raw) => raw,
            Err(Error::GatewayRejected { message, .. })
                if message.to_ascii_lowercase().contains("not found") =>
            {
                return Ok(Lookup::Missing)
            }
            Err(e) => return Err(e),
        };
        Ok(Lookup::Found(Report {
            status: map_status(&raw),
            note: attention(&raw),
            gateway_status: raw,
            gateway_order_id: Some(uid),
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

/// The amount as decimal text in the "from" currency: "12.50".
pub fn wire_amount(amount: Money) -> String {
    amount.decimal_string()
}

#[cfg(test)]
mod tests {
    use super::*;

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
