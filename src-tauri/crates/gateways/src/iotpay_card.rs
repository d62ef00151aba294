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

use std::time::Duration;

use serde_json::{json, Map, Value};

use super::{
    check_length, send, truncate, CodeMeaning, CodeWord, CreateRequest, Created, Lookup, Report,
    Reversal, StatusWord,
};
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::{Currency, Money, MoneyError};
use paydesk_domain::order::{Method, OrderStatus};
use paydesk_secrets::signing::{iotpay_sign, iotpay_verify};
use paydesk_secrets::vault::Sensitive;

const GATEWAY: &str = "iotpay";
pub const DEFAULT_LIVE_BASE: &str = "https://ccapi.iotpaycloud.com/v3";
pub const DEFAULT_TEST_BASE: &str = "https://ccdev.iotpaycloud.com/v3";
/// The card form's script: loaded from the vendor by the window, never bundled (PCI).
pub const DEFAULT_SCRIPT_URL: &str = "https://ccapi.iotpaycloud.com/cc/iotpaycc.js";

/// V3's field sizes, from the request tables of the guide pages named above.
const MAX_MCH_ID: usize = 30;
const MAX_ORDER_NO: usize = 30;
/// `loginName` is String(12) on every V3 page (v1's `jobNo` takes 50): a longer login name
/// only stops the card calls, in `prepare_*`, never the building of the adapter.
const MAX_LOGIN_NAME: usize = 12;
const MAX_URL: usize = 200;
const MAX_CARD_ID: usize = 30;
const MAX_SUBJECT: usize = 64;
const MAX_BODY: usize = 250;

/// V3's `retData.status`, the same words for a payment (cc_query, cc_purchasewithtoken) and
/// for a refund or void (cc_refund, cc_void, and cc_query of the refund's number). Guide pages
/// "creditCard/v3/query_transaction", "creditCard/v3/refund", "creditCard/v3/void": "0 =
/// pending order, 1 = unknown, 2 = success, 9 = fail"; "creditCard/v3/redirect": "2 or 3
/// both mean the transaction is successful". A word not here is Pending, kept verbatim.
pub const STATUS_WORDS: &[StatusWord] = &[
    StatusWord {
        word: "0",
        status: OrderStatus::Pending,
        label: "in progress: the card network has not finished it",
    },
    StatusWord {
        word: "1",
        status: OrderStatus::Pending,
        label: "not known yet: the card network has not answered, Paydesk asks again",
    },
    StatusWord {
        word: "2",
        status: OrderStatus::Paid,
        label: "done: approved by the card network",
    },
    StatusWord {
        word: "3",
        status: OrderStatus::Paid,
        label: "done: approved by the card network",
    },
    StatusWord {
        word: "9",
        status: OrderStatus::Failed,
        label: "declined by the card network",
    },
];

/// V3 publishes no error codes: every page answers `retCode` SUCCESS or FAIL with the reason
/// in `retMsg` ("creditCard/v3/query_card": "if failed, message will contain the reason").
/// FAIL is the request refused as sent (nothing was done). The one message Paydesk reads is
/// cc_query's "does not exist" (see `is_not_found`).
pub const ERROR_CODES: &[CodeWord] = &[CodeWord {
    code: "FAIL",
    meaning: CodeMeaning::Refused,
    label: "the card gateway refused the request",
}];

#[derive(Debug, Clone)]
pub struct IotpayCardConfig {
    pub base: String,
    pub mch_id: String,
    /// String(12) on V3 (checked when a card call is prepared, not here).
    pub login_name: String,
    pub key: Sensitive<String>,
    pub notify_url: String,
    /// Where the hosted page sends the customer afterwards.
    pub return_url: String,
    /// The iotpaycc.js the window loads for the embedded form.
    pub script_url: String,
    pub timeout: Duration,
}

pub struct IotpayCard {
    http: reqwest::Client,
    config: IotpayCardConfig,
}

/// The table's entry for a status word, if it is a documented one.
pub fn status_word(word: &str) -> Option<&'static StatusWord> {
    let word = word.trim();
    STATUS_WORDS.iter().find(|w| w.word == word)
}

/// V3 `status` into the unified model, read from `STATUS_WORDS`; anything else is Pending.
pub fn map_status(code: i64) -> OrderStatus {
    status_word(&code.to_string())
        .map(|w| w.status)
        .unwrap_or(OrderStatus::Pending)
}

/// What a cashier reads for a V3 status word.
pub fn status_label(word: &str) -> &'static str {
    status_word(word)
        .map(|w| w.label)
        .unwrap_or("an answer Paydesk does not know: it stays pending and is asked again")
}

fn status_text(data: &Map<String, Value>) -> Option<String> {
    data.get("status").and_then(|s| match s {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn text_field<'a>(data: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    data.get(name).and_then(Value::as_str)
}

/// An integer field sent as a number or as its text.
fn int_field(data: &Map<String, Value>, name: &str) -> Option<i64> {
    match data.get(name)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A card id as `card add` takes it: letters, digits, '-' or '_', at most 30 (V3 `cardId`
/// String(30)). Anything else (spaces, newlines, escapes, `../`, bidi controls) is refused
/// before anything is written or sent.
pub fn check_card_id(card_id: &str) -> Result<()> {
    if card_id.is_empty() {
        return Err(Error::invalid(
            "cardId",
            "a saved-card payment needs the card's id",
        ));
    }
    if !card_id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Error::invalid(
            "cardId",
            "a card id is letters, digits, '-' or '_'",
        ));
    }
    check_length("cardId", card_id, MAX_CARD_ID)
}

fn check_required(field: &'static str, value: &str, max: usize) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(field, format!("{field} is required")));
    }
    check_length(field, value, max)
}

/// V3 takes CAD only ("for now only CAD supported", guide page "creditCard/v3/embedded"), in
/// cents.
fn wire_amount(amount: Money) -> Result<i64> {
    if amount.currency() != Currency::CAD {
        return Err(Error::Money(MoneyError::CurrencyNotAccepted {
            gateway: GATEWAY,
            currency: amount.currency(),
        }));
    }
    Ok(amount.cents(GATEWAY)?)
}

fn create_endpoint(method: Method) -> &'static str {
    if method == Method::CardToken {
        "cc_purchasewithtoken"
    } else {
        "cc_purchase"
    }
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
        let note = text_field(&data, "cardNum").map(|card| format!("card {card}"));
        Ok(Lookup::Found(Report {
            status,
            gateway_status: raw,
            gateway_order_id: text_field(&data, "payOrderId").map(str::to_string),
            note,
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

fn protocol(message: &str) -> Error {
    Error::GatewayProtocol {
        gateway: GATEWAY,
        message: message.to_string(),
    }
}

/// An answer about something other than what was asked: logged, and never applied.
fn suspicious(endpoint: &str, detail: String) -> Error {
    tracing::warn!(
        gateway = GATEWAY,
        endpoint,
        "suspicious answer, ignored: {detail}"
    );
    Error::GatewayProtocol {
        gateway: GATEWAY,
        message: format!("{endpoint}: suspicious answer, ignored: {detail}"),
    }
}

fn is_not_found(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    lower.contains("not exist") || lower.contains("not found")
}

/// Checks that an answer is about the order asked: `mchOrderNo`, and when `expected` is
/// given, `amount` (cents) and `currency`. `required` says the fields must be there (cc_query
/// documents them all as always present); otherwise only those present are compared.
pub fn check_identity(
    endpoint: &str,
    data: &Map<String, Value>,
    merchant_order_no: &str,
    expected: Option<Money>,
    required: bool,
) -> Result<()> {
    match text_field(data, "mchOrderNo") {
        Some(no) if no == merchant_order_no => {}
        Some(no) => {
            return Err(suspicious(
                endpoint,
                format!("asked about order {merchant_order_no}, answered about {no}"),
            ))
        }
        None if required => {
            return Err(protocol(&format!(
                "{endpoint}: the answer names no mchOrderNo"
            )))
        }
        None => {}
    }
    let Some(expected) = expected else {
        return Ok(());
    };
    match int_field(data, "amount") {
        Some(cents) if cents == expected.minor() => {}
        Some(cents) => {
            return Err(suspicious(
                endpoint,
                format!(
                    "order {merchant_order_no} is {} cents, the answer says {cents}",
                    expected.minor()
                ),
            ))
        }
        None if required => {
            return Err(protocol(&format!(
                "{endpoint}: the answer carries no amount"
            )))
        }
        None => {}
    }
    match text_field(data, "currency") {
        Some(code) if code.trim().eq_ignore_ascii_case(expected.currency().code()) => {}
        Some(code) => {
            return Err(suspicious(
                endpoint,
                format!(
                    "order {merchant_order_no} is in {}, the answer says {code}",
                    expected.currency().code()
                ),
            ))
        }
        None if required => {
            return Err(protocol(&format!(
                "{endpoint}: the answer carries no currency"
            )))
        }
        None => {}
    }
    Ok(())
}

/// Reads a refund or void answer (cc_refund, cc_void, or cc_query of the refund's number),
/// guide page "creditCard/v3/refund": `retData.mchOrderNo` is the mchRefundNo sent,
/// `payOrderId` the refund's own id, `originalOrderId` the original payment. Status 2 or 3 is
/// done, 9 failed (the only refusal), 0 / 1 / anything else pending.
pub fn reversal_outcome(
    endpoint: &str,
    data: &Map<String, Value>,
    refund_no: &str,
    pay_order_id: &str,
    amount: Option<Money>,
) -> Result<Reversal> {
    match text_field(data, "mchOrderNo") {
        Some(no) if no == refund_no => {}
        Some(no) => {
            return Err(suspicious(
                endpoint,
                format!("refund {refund_no} was answered about {no}"),
            ))
        }
        None => {
            return Err(protocol(&format!(
                "{endpoint}: the answer names no mchOrderNo (the refund number)"
            )))
        }
    }
    if let Some(original) = text_field(data, "originalOrderId") {
        if original != pay_order_id {
            return Err(suspicious(
                endpoint,
                format!(
                    "refund {refund_no} of payment {pay_order_id} was answered for payment {original}"
                ),
            ));
        }
    }
    if let (Some(amount), Some(cents)) = (amount, int_field(data, "amount")) {
        if cents != amount.minor() {
            return Err(suspicious(
                endpoint,
                format!(
                    "refund {refund_no} is {} cents, the answer says {cents}",
                    amount.minor()
                ),
            ));
        }
    }
    let raw = status_text(data)
        .ok_or_else(|| protocol(&format!("{endpoint}: the answer carries no status")))?;
    match status_word(&raw).map(|w| w.status) {
        Some(OrderStatus::Paid) => Ok(Reversal {
            gateway_refund_id: text_field(data, "payOrderId").map(str::to_string),
            gateway_status: Some(raw),
        }),
        Some(OrderStatus::Failed) => Err(Error::GatewayRejected {
            gateway: GATEWAY,
            code: raw.clone(),
            message: format!(
                "{endpoint}: refund {refund_no} failed (status {raw}: {})",
                status_label(&raw)
            ),
        }),
        _ => Err(Error::GatewayPending {
            gateway: GATEWAY,
            message: format!(
                "{endpoint}: refund {refund_no} is not settled yet ({}); it stays pending and is settled by a query",
                status_label(&raw)
            ),
            status: raw,
        }),
    }
}

/// Reads a V3 answer: `retCode`, then `retData` and its signature. A SUCCESS answer must be
/// signed: the sign is looked for in `retData` (where the sandbox and reference §1.8 place
/// it: it signs the order fields there), then at the top level, and is verified over the
/// `retData` fields. No sign, or one that does not verify, is `GatewayProtocol` (outcome
/// unknown), never a result.
pub fn parse_answer(endpoint: &str, text: &str, key: &str) -> Result<Map<String, Value>> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| protocol(&format!("{endpoint}: not JSON ({e})")))?;
    let ret_code = value
        .get("retCode")
        .and_then(Value::as_str)
        .ok_or_else(|| protocol(&format!("{endpoint}: no retCode")))?;
    if ret_code != "SUCCESS" {
        return Err(Error::GatewayRejected {
            gateway: GATEWAY,
            code: ret_code.to_string(),
            message: value
                .get("retMsg")
                .and_then(Value::as_str)
                .unwrap_or("refused")
                .to_string(),
        });
    }
    let mut data = match value.get("retData") {
        Some(Value::Object(data)) => data.clone(),
        Some(Value::String(text)) => match serde_json::from_str(text) {
            Ok(Value::Object(data)) => data,
            _ => return Err(protocol(&format!("{endpoint}: retData is not an object"))),
        },
        _ => return Err(protocol(&format!("{endpoint}: no retData"))),
    };
    if !data.contains_key("sign") {
        match value.get("sign") {
            Some(sign @ Value::String(_)) => {
                data.insert("sign".into(), sign.clone());
            }
            _ => {
                tracing::warn!(gateway = GATEWAY, endpoint, "unsigned answer, not trusted");
                return Err(protocol(&format!(
                    "{endpoint}: the answer is not signed: not trusted"
                )));
            }
        }
    }
    if !iotpay_verify(&data, key) {
        return Err(protocol(&format!(
            "{endpoint}: the answer's signature does not verify"
        )));
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "k";

    fn signed(mut data: Map<String, Value>) -> String {
        let sign = iotpay_sign(&data, KEY);
        data.insert("sign".into(), json!(sign));
        json!({ "retCode": "SUCCESS", "retMsg": "", "retData": data }).to_string()
    }

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    fn cad(text: &str) -> Money {
        Money::parse(text, Currency::CAD).unwrap()
    }

    fn adapter(login_name: &str) -> IotpayCard {
        IotpayCard::new(IotpayCardConfig {
            base: "http://127.0.0.1:9/iotpay/v3".into(),
            mch_id: "10000701".into(),
            login_name: login_name.into(),
            key: Sensitive::new(KEY.into()),
            notify_url: "https://shop.example/notify/iotpay-card".into(),
            return_url: "https://shop.example/done".into(),
            script_url: DEFAULT_SCRIPT_URL.into(),
            timeout: Duration::from_secs(5),
        })
        .expect("new never checks the settings")
    }

    fn request<'a>(method: Method, card_id: Option<&'a str>) -> CreateRequest<'a> {
        CreateRequest {
            merchant_order_no: "PD20240101000001",
            method,
            amount: cad("15.00"),
            description: "Coffee",
            payment_code: None,
            card_id,
        }
    }

    #[test]
    fn v3_statuses_map_into_the_unified_model_from_the_table() {
        assert_eq!(map_status(0), OrderStatus::Pending);
        assert_eq!(map_status(1), OrderStatus::Pending, "unknown stays pending");
        assert_eq!(map_status(2), OrderStatus::Paid);
        assert_eq!(map_status(3), OrderStatus::Paid);
        assert_eq!(map_status(9), OrderStatus::Failed);
        assert_eq!(map_status(42), OrderStatus::Pending);
        let words: Vec<&str> = STATUS_WORDS.iter().map(|w| w.word).collect();
        assert_eq!(words, ["0", "1", "2", "3", "9"]);
        for w in STATUS_WORDS {
            assert_eq!(map_status(w.word.parse().unwrap()), w.status);
        }
    }

    #[test]
    fn every_status_word_and_code_has_a_plain_label() {
        for w in STATUS_WORDS {
            assert!(!w.label.trim().is_empty(), "{}", w.word);
            assert!(
                !w.label.contains(w.word),
                "{}: a label is words, not the code",
                w.word
            );
        }
        for c in ERROR_CODES {
            assert!(!c.label.trim().is_empty(), "{}", c.code);
        }
        assert!(!status_label("77").is_empty());
    }

    #[test]
    fn answers_are_read_from_ret_data_and_fail_envelopes_are_refusals() {
        let ok = parse_answer(
            "cc_query",
            &signed(object(json!({"status": 2, "payOrderId": "C1"}))),
            KEY,
        )
        .unwrap();
        assert_eq!(ok["payOrderId"], "C1");
        match parse_answer(
            "cc_purchase",
            r#"{"retCode":"FAIL","retMsg":"amount invalid"}"#,
            KEY,
        ) {
            Err(Error::GatewayRejected { code, message, .. }) => assert_eq!(
                (code.as_str(), message.as_str()),
                ("FAIL", "amount invalid")
            ),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_answer("x", r#"{"retCode":"SUCCESS"}"#, KEY),
            Err(Error::GatewayProtocol { .. })
        ));
        assert!(matches!(
            parse_answer("x", "{truncated", KEY),
            Err(Error::GatewayProtocol { .. })
        ));
        let forged = r#"{"retCode":"SUCCESS","retData":{"status":2,"sign":"00000000000000000000000000000000"}}"#;
        assert!(matches!(
            parse_answer("x", forged, KEY),
            Err(Error::GatewayProtocol { .. })
        ));
    }

    /// Issue 11 item 4: this used to be pinned as valid ("a sign is checked when present").
    #[test]
    fn an_unsigned_success_answer_is_not_an_answer() {
        for unsigned in [
            r#"{"retCode":"SUCCESS","retMsg":"","retData":{"status":2,"payOrderId":"C1","mchOrderNo":"PD1"}}"#,
            r#"{"retCode":"SUCCESS","retData":"{\"status\":2}"}"#,
        ] {
            match parse_answer("cc_query", unsigned, KEY) {
                Err(e @ Error::GatewayProtocol { .. }) => {
                    assert!(e.is_outcome_unknown());
                    assert!(e.to_string().contains("not signed"), "{e}");
                }
                other => panic!("an unsigned answer was taken: {other:?}"),
            }
        }
        // A sign at the top level, over the retData fields, is accepted.
        let data = object(json!({"status": 2, "mchOrderNo": "PD1"}));
        let sign = iotpay_sign(&data, KEY);
        let top = json!({"retCode": "SUCCESS", "retData": data, "sign": sign}).to_string();
        assert_eq!(parse_answer("cc_query", &top, KEY).unwrap()["status"], 2);
    }

    #[test]
    fn a_query_answer_must_be_about_the_order_asked() {
        let data =
            object(json!({"mchOrderNo": "PD1", "amount": 1500, "currency": "CAD", "status": 2}));
        assert!(check_identity("cc_query", &data, "PD1", Some(cad("15.00")), true).is_ok());
        for (no, amount) in [("PD2", "15.00"), ("PD1", "14.99")] {
            match check_identity("cc_query", &data, no, Some(cad(amount)), true) {
                Err(e @ Error::GatewayProtocol { .. }) => {
                    assert!(e.to_string().contains("suspicious"), "{e}")
                }
                other => panic!("{no} {amount}: {other:?}"),
            }
        }
        let usd = object(json!({"mchOrderNo": "PD1", "amount": 1500, "currency": "USD"}));
        assert!(
            check_identity("cc_query", &usd, "PD1", Some(cad("15.00")), true)
                .unwrap_err()
                .to_string()
                .contains("suspicious")
        );
        let bare = object(json!({"status": 2}));
        assert!(matches!(
            check_identity("cc_query", &bare, "PD1", Some(cad("15.00")), true),
            Err(Error::GatewayProtocol { .. })
        ));
        assert!(check_identity(
            "cc_purchasewithtoken",
            &bare,
            "PD1",
            Some(cad("15.00")),
            false
        )
        .is_ok());
    }

    #[test]
    fn refund_answers_have_three_outcomes() {
        let answer = |status: Value| {
            object(json!({
                "payOrderId": "RP1", "mchOrderNo": "RF1", "originalOrderId": "PC1",
                "amount": 500, "currency": "CAD", "payType": "refund", "status": status,
            }))
        };
        let done = reversal_outcome(
            "cc_refund",
            &answer(json!(2)),
            "RF1",
            "PC1",
            Some(cad("5.00")),
        )
        .unwrap();
        assert_eq!(
            done.gateway_refund_id.as_deref(),
            Some("RP1"),
            "the refund's own id"
        );
        assert!(reversal_outcome("cc_refund", &answer(json!("3")), "RF1", "PC1", None).is_ok());
        for pending in [json!(0), json!(1), json!("1"), json!(5)] {
            match reversal_outcome("cc_void", &answer(pending.clone()), "RF1", "PC1", None) {
                Err(e @ Error::GatewayPending { .. }) => assert!(e.is_outcome_unknown()),
                other => panic!("{pending}: {other:?}"),
            }
        }
        assert!(matches!(
            reversal_outcome("cc_refund", &answer(json!(9)), "RF1", "PC1", None),
            Err(Error::GatewayRejected { ref code, .. }) if code == "9"
        ));
        // About another refund, another payment, another amount: suspicious, not done.
        for (no, original, amount) in [
            ("RF2", "PC1", "5.00"),
            ("RF1", "PC2", "5.00"),
            ("RF1", "PC1", "4.00"),
        ] {
            let e = reversal_outcome(
                "cc_refund",
                &answer(json!(2)),
                no,
                original,
                Some(cad(amount)),
            )
            .unwrap_err();
            assert!(e.to_string().contains("suspicious"), "{e}");
        }
        // The original order's own answer (main's sandbox gave it) is not the refund's.
        let original = object(json!({"payOrderId": "PC1", "mchOrderNo": "PD1", "status": 2}));
        assert!(matches!(
            reversal_outcome("cc_refund", &original, "RF1", "PC1", None),
            Err(Error::GatewayProtocol { .. })
        ));
        assert!(matches!(
            reversal_outcome(
                "cc_refund",
                &object(json!({"mchOrderNo": "RF1"})),
                "RF1",
                "PC1",
                None
            ),
            Err(Error::GatewayProtocol { .. })
        ));
    }

    #[test]
    fn a_long_login_name_builds_the_adapter_and_stops_only_the_card_calls() {
        let card = adapter("cashier-at-the-front");
        for method in [Method::CardLink, Method::Card] {
            match card.prepare_create(&request(method, None)) {
                Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "loginName"),
                other => panic!("{other:?}"),
            }
        }
        assert!(matches!(
            card.prepare_refund("PC1", "RF1", Some(cad("1.00"))),
            Err(Error::InvalidInput {
                field: "loginName",
                ..
            })
        ));
        assert!(matches!(
            adapter("").prepare_create(&request(Method::Card, None)),
            Err(Error::InvalidInput {
                field: "loginName",
                ..
            })
        ));
    }

    #[test]
    fn prepare_create_builds_the_exact_bodies() {
        let card = adapter("jack123");
        assert_eq!(
            card.prepare_create(&request(Method::CardLink, None))
                .unwrap(),
            json!({
                "mchId": "10000701", "mchOrderNo": "PD20240101000001", "amount": 1500,
                "currency": "CAD", "loginName": "jack123", "subject": "Coffee", "body": "Coffee",
                "channel": "PF_CC", "notifyUrl": "https://shop.example/notify/iotpay-card",
                "returnUrl": "https://shop.example/done",
            })
        );
        assert_eq!(
            card.prepare_create(&request(Method::CardToken, Some("customer-42")))
                .unwrap(),
            json!({
                "mchId": "10000701", "loginName": "jack123", "currency": "CAD",
                "mchOrderNo": "PD20240101000001", "cardId": "customer-42", "amount": 1500,
                "subject": "Coffee", "notifyUrl": "https://shop.example/notify/iotpay-card",
            })
        );
        let long = "x".repeat(300);
        let described = CreateRequest {
            description: &long,
            ..request(Method::Card, None)
        };
        let body = card.prepare_create(&described).unwrap();
        assert_eq!(body["subject"].as_str().unwrap().len(), 64);
        assert_eq!(body["body"].as_str().unwrap().len(), 250);
    }

    #[test]
    fn prepare_create_refuses_what_v3_would() {
        let card = adapter("jack123");
        for bad in [
            "",
            "a b",
            "line\nbreak",
            "../etc",
            "esc\u{1b}[0m",
            "bidi\u{202e}x",
            "ü",
            &"9".repeat(31),
        ] {
            match card.prepare_create(&request(Method::CardToken, Some(bad))) {
                Err(Error::InvalidInput {
                    field: "cardId", ..
                }) => {}
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        assert!(matches!(
            card.prepare_create(&request(Method::CardToken, None)),
            Err(Error::InvalidInput {
                field: "cardId",
                ..
            })
        ));
        let usd = CreateRequest {
            amount: Money::parse("15.00", Currency::parse("USD").unwrap()).unwrap(),
            ..request(Method::Card, None)
        };
        assert!(matches!(card.prepare_create(&usd), Err(Error::Money(e)) if e.is_currency()));
        let long_no = "P".repeat(31);
        let numbered = CreateRequest {
            merchant_order_no: &long_no,
            ..request(Method::Card, None)
        };
        assert!(matches!(
            card.prepare_create(&numbered),
            Err(Error::InvalidInput {
                field: "mchOrderNo",
                ..
            })
        ));
        let mut config = card.config.clone();
        config.return_url = format!("https://shop.example/{}", "r".repeat(200));
        let long_return = IotpayCard::new(config).unwrap();
        assert!(matches!(
            long_return.prepare_create(&request(Method::CardLink, None)),
            Err(Error::InvalidInput {
                field: "returnUrl",
                ..
            })
        ));
        // A saved card does not send returnUrl: its size does not matter there.
        assert!(long_return
            .prepare_create(&request(Method::CardToken, Some("customer-42")))
            .is_ok());
    }

    #[test]
    fn prepare_refund_checks_numbers_and_amounts() {
        let card = adapter("jack123");
        assert!(card.prepare_refund("PC1", "RF1", Some(cad("1.00"))).is_ok());
        assert!(card.prepare_refund("PC1", "RF1", None).is_ok());
        assert!(matches!(
            card.prepare_refund("PC1", &"R".repeat(31), None),
            Err(Error::InvalidInput {
                field: "mchRefundNo",
                ..
            })
        ));
        assert!(matches!(
            card.prepare_refund("", "RF1", None),
            Err(Error::InvalidInput {
                field: "payOrderId",
                ..
            })
        ));
        let usd = Money::parse("1.00", Currency::parse("USD").unwrap()).unwrap();
        assert!(card.prepare_refund("PC1", "RF1", Some(usd)).is_err());
    }
}
