//! IOTPay V3 credit cards (reference/gateways.md §1.8 and §6): purchase as a hosted-page link
//! or the embedded iframe (secureId), stored cards (cc_addcard / cc_querycard /
//! cc_purchasewithtoken), query, void (unsettled) and refund (settled). JSON bodies signed
//! with the same MD5 scheme as v1; answers are `{retCode, retMsg, retData}`.
//!
//! Vendor pages (develop.iotpay.ca, guide pages): "creditCard/v3/embedded" and
//! "creditCard/v3/redirect" (cc_purchase), "creditCard/v3/query_transaction" (cc_query),
//! "creditCard/v3/void" (cc_void), "creditCard/v3/refund" (cc_refund),
//! "creditCard/v3/query_card" (cc_querycard).
//!
//! The outcome model (brief wave 11): an answer is only trusted when it is signed and about
//! what was asked; a refund or void answered 0 (pending) or 1 (unknown) is
//! `Error::GatewayPending` and is settled later with [`IotpayCard::query_refund`].
//!
//! This folder: `config` (settings and their defaults), `mapping` (the status words),
//! `wire` (field sizes, reading answers and tying them to the order or refund asked), and
//! the client here. It has no adapter of its own: IOTPay's (`iotpay/adapter.rs`) sends card
//! methods here.

mod config;
mod mapping;
#[cfg(test)]
mod tests;
mod wire;

pub use config::{IotpayCardConfig, DEFAULT_LIVE_BASE, DEFAULT_SCRIPT_URL, DEFAULT_TEST_BASE};
pub use mapping::{map_status, status_label, status_word, ERROR_CODES, STATUS_WORDS};
pub use wire::{check_card_id, check_identity, parse_answer, reversal_outcome};

use serde_json::{json, Map, Value};

use crate::{send, truncate, CardFacts, CreateRequest, Created, Lookup, Report, Reversal};
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::Money;
use paydesk_domain::order::{Method, OrderStatus};
use paydesk_secrets::signing::iotpay_sign;
use wire::{
    check_required, create_endpoint, is_not_found, protocol, status_text, suspicious, text_field,
    wire_amount, MAX_BODY, MAX_LOGIN_NAME, MAX_MCH_ID, MAX_ORDER_NO, MAX_SUBJECT, MAX_URL,
};

const GATEWAY: &str = "iotpay";

pub struct IotpayCard {
    http: reqwest::Client,
    config: IotpayCardConfig,
}

impl IotpayCard {
    /// Builds the adapter. Nothing about the settings is checked here: a setting only V3
    /// refuses (a login name over 12 characters) must not stop IOTPay's wallets; the card
    /// calls check it in `prepare_create` / `prepare_refund`.
    pub fn new(config: IotpayCardConfig) -> Result<IotpayCard> {
        Ok(IotpayCard {
            http: super::http_client(config.timeout)?,
            config,
        })
    }

    fn check_merchant(&self) -> Result<()> {
        check_required("mchId", &self.config.mch_id, MAX_MCH_ID)?;
        check_required("loginName", &self.config.login_name, MAX_LOGIN_NAME)
    }

    /// The exact body `create` signs and sends (cc_purchase, or cc_purchasewithtoken for a
    /// saved card), after every check that can be made before sending: merchant settings
    /// (loginName String(12)), field sizes, the card id, CAD in cents. Pure: no I/O.
    pub fn prepare_create(&self, request: &CreateRequest<'_>) -> Result<Value> {
        self.check_merchant()?;
        check_required("mchOrderNo", request.merchant_order_no, MAX_ORDER_NO)?;
        let amount = wire_amount(request.amount)?;
        check_required("notifyUrl", &self.config.notify_url, MAX_URL)?;
        if request.method == Method::CardToken {
            // Guide page "creditCard/v3/purchase_with_token".
            let card_id = request.card_id.ok_or_else(|| {
                Error::invalid("cardId", "a saved-card payment needs the card's id")
            })?;
            check_card_id(card_id)?;
            return Ok(json!({
                "mchId": self.config.mch_id,
                "loginName": self.config.login_name,
                "currency": request.amount.currency().code(),
                "mchOrderNo": request.merchant_order_no,
                "cardId": card_id,
                "amount": amount,
                "subject": truncate(request.description, MAX_SUBJECT),
                "notifyUrl": self.config.notify_url,
            }));
        }
        check_required("returnUrl", &self.config.return_url, MAX_URL)?;
        Ok(json!({
            "mchId": self.config.mch_id,
            "mchOrderNo": request.merchant_order_no,
            "amount": amount,
            "currency": request.amount.currency().code(),
            "loginName": self.config.login_name,
            "subject": truncate(request.description, MAX_SUBJECT),
            "body": truncate(request.description, MAX_BODY),
            "channel": "PF_CC",
            "notifyUrl": self.config.notify_url,
            "returnUrl": self.config.return_url,
        }))
    }

    pub async fn create(&self, request: &CreateRequest<'_>) -> Result<Created> {
        let fields = self.prepare_create(request)?;
        let data = self.call(create_endpoint(request.method), fields).await?;
        if request.method == Method::CardToken {
            // The token purchase answers the order itself: it must be about this order.
            check_identity(
                "cc_purchasewithtoken",
                &data,
                request.merchant_order_no,
                Some(request.amount),
                false,
            )?;
            let mut created = Created::pending(text_field(&data, "payOrderId").map(str::to_string));
            created.gateway_status = status_text(&data);
            created.payload = Some(json!({ "cardId": request.card_id }));
            return Ok(created);
        }
        let redirect_url = text_field(&data, "redirectUrl").map(str::to_string);
        let secure_id = text_field(&data, "secureId").map(str::to_string);
        let mut created = Created::pending(text_field(&data, "payOrderId").map(str::to_string));
        match request.method {
            Method::CardLink => {
                created.payment_url = Some(
                    redirect_url.ok_or_else(|| protocol("cc_purchase carried no redirectUrl"))?,
                );
            }
            _ => {
                let secure_id =
                    secure_id.ok_or_else(|| protocol("cc_purchase carried no secureId"))?;
                created.payload = Some(
                    json!({ "secureId": secure_id, "scriptUrl": self.config.script_url, "mode": "Pay" }),
                );
            }
        }
        Ok(created)
    }

    /// What became of an order, checked against it: the answer's `mchOrderNo`, `amount` and
    /// `currency` must be the order's (guide page "creditCard/v3/query_transaction" lists all
    /// three as always present); anything else is suspicious and never moves the order.
    pub async fn query_order(&self, merchant_order_no: &str, expected: Money) -> Result<Lookup> {
        self.lookup(merchant_order_no, Some(expected)).await
    }

    /// `query_order` without the amount check, for callers that do not pass the order's
    /// amount yet: the order number is still checked. `Connector::lookup` should call
    /// `query_order(&order.merchant_order_no, order.amount)`.
    pub async fn query(&self, merchant_order_no: &str) -> Result<Lookup> {
        self.lookup(merchant_order_no, None).await
    }

    async fn lookup(&self, merchant_order_no: &str, expected: Option<Money>) -> Result<Lookup> {
        check_required("mchOrderNo", merchant_order_no, MAX_ORDER_NO)?;
        let fields = json!({ "mchId": self.config.mch_id, "mchOrderNo": merchant_order_no });
        let data = match self.call("cc_query", fields).await {
            // V3 does not publish a "no such order" code; its message says so.
            Err(Error::GatewayRejected { message, .. }) if is_not_found(&message) => {
                return Ok(Lookup::Missing)
            }
            other => other?,
        };
        check_identity("cc_query", &data, merchant_order_no, expected, true)?;
        let raw = status_text(&data).ok_or_else(|| protocol("cc_query carried no status"))?;
        let status = status_word(&raw)
            .map(|w| w.status)
            .unwrap_or(OrderStatus::Pending);
        // Guide page "creditCard/v3/query_transaction"
        // (https://develop.iotpay.ca/guide/creditCard/v3/query_transaction.html): retData
        // carries `cardNum` ("432567******2266", the card used for the purchase) and
        // `authNum`; it names no brand. Masked again here whatever came (`CardFacts`), so a
        // full number never reaches the event note, the ledger or a receipt.
        let card = CardFacts::from_gateway(
            text_field(&data, "cardNum"),
            text_field(&data, "authNum"),
            None,
        );
        let note = card
            .as_ref()
            .and_then(|c| c.masked_number.as_deref())
            .map(|number| format!("card {number}"));
        Ok(Lookup::Found(Report {
            status,
            gateway_status: raw,
            gateway_order_id: text_field(&data, "payOrderId").map(str::to_string),
            note,
            card,
        }))
    }

    /// Every check of a refund or void that can be made before sending (guide pages
    /// "creditCard/v3/refund" and "creditCard/v3/void": mchRefundNo String(30), loginName
    /// String(12), payOrderId String(30), refundAmount in cents). Pure: no I/O.
    pub fn prepare_refund(
        &self,
        pay_order_id: &str,
        refund_no: &str,
        amount: Option<Money>,
    ) -> Result<()> {
        self.check_merchant()?;
        check_required("mchRefundNo", refund_no, MAX_ORDER_NO)?;
        check_required("payOrderId", pay_order_id, MAX_ORDER_NO)?;
        if let Some(amount) = amount {
            wire_amount(amount)?;
        }
        Ok(())
    }

    /// Gives back part or all of a settled payment (cc_refund). `Ok` only for status 2 or 3,
    /// `GatewayRejected` only for 9, `GatewayPending` for 0 and 1 (settle it later with
    /// `query_refund`).
    pub async fn refund(
        &self,
        pay_order_id: &str,
        refund_no: &str,
        amount: Money,
    ) -> Result<Reversal> {
        self.prepare_refund(pay_order_id, refund_no, Some(amount))?;
        let fields = json!({
            "mchId": self.config.mch_id,
            "mchRefundNo": refund_no,
            "loginName": self.config.login_name,
            "refundAmount": wire_amount(amount)?,
            "payOrderId": pay_order_id,
        });
        let data = self.call("cc_refund", fields).await?;
        reversal_outcome("cc_refund", &data, refund_no, pay_order_id, Some(amount))
    }

    /// Cancels an unsettled payment in full (cc_void); the same three outcomes as `refund`.
    pub async fn void(&self, pay_order_id: &str, refund_no: &str) -> Result<Reversal> {
        self.prepare_refund(pay_order_id, refund_no, None)?;
        let fields = json!({
            "mchId": self.config.mch_id,
            "mchRefundNo": refund_no,
            "loginName": self.config.login_name,
            "payOrderId": pay_order_id,
        });
        let data = self.call("cc_void", fields).await?;
        reversal_outcome("cc_void", &data, refund_no, pay_order_id, None)
    }

    /// Settles a refund or void whose answer was pending, unknown or lost: a cc_query of the
    /// refund's own number (reference §6, after guide page "creditCard/v3/refund": pending
    /// ones are queried with cc_query; the refund is an order of its own whose `mchOrderNo`
    /// is the mchRefundNo). `pay_order_id` is the original payment's IOTPay id, `amount` the
    /// refund's when known (a void's is the remainder). Same outcomes as `refund`; a refund
    /// number IOTPay does not know stays pending (`GatewayPending`, status "not found"): it
    /// is never concluded failed from an absence.
    pub async fn query_refund(
        &self,
        refund_no: &str,
        pay_order_id: &str,
        amount: Option<Money>,
    ) -> Result<Reversal> {
        self.prepare_refund(pay_order_id, refund_no, amount)?;
        let fields = json!({ "mchId": self.config.mch_id, "mchOrderNo": refund_no });
        let data = match self.call("cc_query", fields).await {
            Err(Error::GatewayRejected { message, .. }) if is_not_found(&message) => {
                return Err(Error::GatewayPending {
                    gateway: GATEWAY,
                    status: "not found".into(),
                    message: format!(
                        "IOTPay does not know refund {refund_no} ({message}): it stays pending until the owner checks it"
                    ),
                })
            }
            other => other?,
        };
        if let Some(kind) = text_field(&data, "payType") {
            if !kind.eq_ignore_ascii_case("refund") {
                return Err(suspicious(
                    "cc_query",
                    format!("refund {refund_no} was answered with a {kind:?} order"),
                ));
            }
        }
        reversal_outcome("cc_query", &data, refund_no, pay_order_id, amount)
    }

    /// Starts keeping a customer's card under our `card_id`: a link and a secureId for the form.
    pub async fn add_card(&self, card_id: &str) -> Result<Value> {
        self.check_merchant()?;
        check_card_id(card_id)?;
        check_required("returnUrl", &self.config.return_url, MAX_URL)?;
        let fields = json!({
            "mchId": self.config.mch_id,
            "cardId": card_id,
            "loginName": self.config.login_name,
            "channel": "PF_CC",
            "returnUrl": self.config.return_url,
        });
        let data = self.call("cc_addcard", fields).await?;
        Ok(json!({
            "cardId": card_id,
            "redirectUrl": data.get("redirectUrl"),
            "secureId": data.get("secureId"),
            "scriptUrl": self.config.script_url,
            "mode": "Add",
        }))
    }

    /// What IOTPay keeps of a stored card (masked number, expiry), never the number itself.
    pub async fn query_card(&self, card_id: &str) -> Result<Value> {
        check_card_id(card_id)?;
        let mut data = self
            .call(
                "cc_querycard",
                json!({ "mchId": self.config.mch_id, "cardId": card_id }),
            )
            .await?;
        if let Some(other) = text_field(&data, "cardId") {
            if other != card_id {
                return Err(suspicious(
                    "cc_querycard",
                    format!("asked about card {card_id}, answered about {other}"),
                ));
            }
        }
        data.remove("sign");
        Ok(Value::Object(data))
    }

    /// Signs and posts one V3 call; returns `retData` once `retCode` is SUCCESS and the
    /// answer's signature verifies (an unsigned answer is not an answer).
    async fn call(&self, endpoint: &str, fields: Value) -> Result<Map<String, Value>> {
        let Value::Object(mut fields) = fields else {
            unreachable!("V3 requests are JSON objects")
        };
        let sign = iotpay_sign(&fields, self.config.key.expose());
        fields.insert("sign".into(), Value::String(sign));
        let url = format!("{}/{endpoint}", self.config.base.trim_end_matches('/'));
        let request = self
            .http
            .post(&url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/json;charset=UTF-8",
            )
            .body(Value::Object(fields).to_string());
        let (_, text) = send(GATEWAY, endpoint, request).await?;
        parse_answer(endpoint, &text, self.config.key.expose())
    }
}
