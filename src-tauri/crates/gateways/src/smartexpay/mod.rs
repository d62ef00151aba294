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
//!
//! This folder: `config` (settings and their defaults), `mapping` (the status words and what
//! the owner is told), `wire` (answers, requisites and amounts, and tying an answer to the
//! order asked), `ipn` (the per-order IPN secret, its hash and tying an IPN to its order),
//! the client here (`prepare_create` and the calls), and `adapter` (SmartExPay behind the
//! `Adapter` trait).

mod adapter;
mod config;
mod ipn;
mod mapping;
#[cfg(test)]
mod tests;
mod wire;

pub(crate) use adapter::SMARTEXPAY;
pub use config::{from_settings, SETTINGS};
pub use config::{SmartexpayConfig, DEFAULT_API_KEY_HEADER, DEFAULT_PAGE_BASE};
pub use ipn::{check_ipn_order, ipn_secret, verify_ipn, IPN_HASHED};
pub use mapping::{
    attention, label, lost_create_answer, map_status, status_word, ERROR_CODES, LOST_CREATE_ANSWER,
    MANUAL_CONFIRMED, STATUS_WORDS,
};
pub use wire::{
    check_identity, is_object_id, parse_create, parse_create_answer, parse_order, parse_status,
    payment_page, same_decimal, wire_amount, Expected, OrderAnswer,
};

use serde_json::{json, Value};

use crate::{check_length, json_with_decimal, CreateRequest, Created, Lookup, Report};
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::Currency;
use paydesk_domain::order::Order;
use wire::{check_requisites, protocol, suspicious_if, text_of, Envelope, Kept};

const GATEWAY: &str = "smartexpay";

pub struct Smartexpay {
    http: reqwest::Client,
    config: SmartexpayConfig,
    /// The route's "from" currency (ISO 4217): the only currency an amount may be in, since
    /// SmartExPay reads `amount` in it (seed 001: "amount | amount in | FLOAT"). Setting
    /// `smartexpay.<env>.from_currency` through `with_from_currency`; the sandbox's routes
    /// know their own.
    from_currency: Option<String>,
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
        check_identity("order/get", &answer, &kept.expected(uid, order.amount))?;
        let raw = answer.status.unwrap_or_default();
        Ok(Lookup::Found(Report {
            status: map_status(&raw),
            note: attention(&raw),
            gateway_status: raw,
            gateway_order_id: Some(uid.to_string()),
            card: None,
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
