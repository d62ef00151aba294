//! IOTPay v1 general orders (reference/gateways.md §1.3-1.7, 1.9 and §6): customer-scan QR
//! codes, merchant-scanned payment codes, web links and app parameters; order query; refund;
//! refund query. Requests are `params=<JSON>` form posts signed with MD5 (signing.rs).
//!
//! Every call ends in one of the three outcomes of the adapter contract:
//! - `Ok`: both `retCode` and `resCode` SUCCESS, a `sign` that verifies (an answer without
//!   one is not an answer), and, for queries, an answer about the order asked (its
//!   `mchOrderNo`, `amount` and `currency`).
//! - `Error::GatewayRejected`: only a documented refusal (`ERROR_CODES`, `CodeMeaning::Refused`),
//!   or a query's definite "no such order".
//! - anything else is unknown: `GatewayPending` (the gateway answered with a code that says
//!   nothing certain: 0010, 0110, 0111, 0118, 0113, or a code it never documented) or
//!   `GatewayProtocol` (unreadable, unsigned, wrongly signed, about another order).
//!
//! Vendor pages (develop.iotpay.ca guide pages) used here: "order" (General Order API: the
//! create fields, `osType`), "online_secure_pay" (`returnUrl`), "order_query" (query fields
//! and the status list), "refund" (refund_order), "query_refund" (Query Refund; see
//! `query_refund` for what could and could not be read of it), "pos_semi_integration" (a PAX
//! card terminal through the same create_order, channel CC_PAX:
//! https://develop.iotpay.ca/guide/pos_semi_integration.html; see `terminal_fields`).
//!
//! This folder: `config` (settings and their defaults), `mapping` (the documented words and
//! codes, and the channel of each method), `wire` (reading answers and tying them to the order
//! asked), the client here (`prepare_*` and the calls), and `adapter` (IOTPay behind the
//! `Adapter` trait, its cards through `iotpay_card`).

mod adapter;
mod config;
mod mapping;
#[cfg(test)]
mod terminal_tests;
#[cfg(test)]
mod tests;
mod wire;

pub use adapter::{terminal_refusal, REFUND_ON_TERMINAL};
pub(crate) use adapter::{IotpayAdapter, IOTPAY};
pub use config::{card_from_settings, terminal_from_settings, v1_from_settings, SETTINGS};
pub use config::{
    IotpayConfig, TerminalConfig, DEFAULT_PAX_SOURCE, DEFAULT_V1_BASE, OS_TYPES, TIP_UNITS,
};
pub use mapping::{
    channel_id, channel_status_word, code_meaning, code_word, failure, is_micropay, is_terminal,
    map_status, map_status_word, micropay_channel, needs_os_type, needs_return_url,
    refund_status_word, status_label, status_word, ERROR_CODES, MICROPAY_DECLINED,
    REFUND_STATUS_WORDS, STATUS_WORDS, TERMINAL_CHANNEL, TERMINAL_NOTIFY_URL, TERMINAL_WORDS,
};
pub use wire::{
    app_params, notification_matches, parse_answer, pay_order, payment_link, read_reply, Reply,
};

use serde_json::{json, Map, Value};

use crate::{
    check_length, send, truncate, CodeMeaning, CreateRequest, Created, Lookup, Report, Reversal,
};
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::Money;
use paydesk_domain::order::{Method, MethodKind, OrderStatus};
use paydesk_secrets::signing::{iotpay_sign, iotpay_verify};
use wire::{check_v1_lengths, identity_mismatch, suspicious, text_of};

const GATEWAY: &str = "iotpay";

/// The Query Refund endpoint under the v1 base (guide page "query_refund").
pub const QUERY_REFUND_PATH: &str = "query_refund";

/// The tip of a sale without one. A card-terminal sale's tip goes to `prepare_sale` /
/// `create_sale` in CC_PAX's own `tip` field, never added to `amount` (see `terminal_fields`).
pub const NO_TIP: i64 = 0;

/// The `extra` a CC_PAX order sends. Guide page "pos_semi_integration": `extra` is required,
/// "any string you want, not used now, but must have a value"; its sample sends
/// `{"pos_flag":"yes",...}`: the flag alone (its `productId` is the sample merchant's own).
pub const TERMINAL_EXTRA: &str = r#"{"pos_flag":"yes"}"#;

pub struct Iotpay {
    http: reqwest::Client,
    config: IotpayConfig,
    terminal: TerminalConfig,
}

impl Iotpay {
    /// Builds the client. No API limit is checked here (a login name of any length is fine):
    /// each call's limits are checked when it is prepared. It has no card terminal until
    /// `with_terminal` gives it one (a card-terminal sale is refused until then).
    pub fn new(config: IotpayConfig) -> Result<Iotpay> {
        Ok(Iotpay {
            http: super::http_client(config.timeout)?,
            config,
            terminal: TerminalConfig::default(),
        })
    }

    /// The same client with the shop's card terminal settings (`terminal_from_settings`).
    pub fn with_terminal(mut self, terminal: TerminalConfig) -> Iotpay {
        self.terminal = terminal;
        self
    }

    /// The signed `create_order` body for `request`, with every check that can be made
    /// before sending (currency, channel, payment code, WeChat app id, returnUrl, osType,
    /// field lengths). No I/O: the payment service calls it before it writes the order, so
    /// a bad setting is an error with nothing written. Returns the exact `params` object
    /// that `create_order` sends.
    pub fn prepare_create(&self, request: &CreateRequest<'_>) -> Result<Value> {
        self.prepare_sale(request, NO_TIP)
    }

    /// `prepare_create` with the tip a card-terminal sale asks for, in the sale's minor units;
    /// `request.amount` is the sale without the tip. Other methods have no tip field and
    /// refuse one here: their tip is added to `amount` by the payment service instead.
    pub fn prepare_sale(&self, request: &CreateRequest<'_>, tip_minor: i64) -> Result<Value> {
        if tip_minor != NO_TIP && request.method != Method::CardTerminal {
            return Err(Error::invalid(
                "tip",
                format!("{} takes no tip", request.method.label()),
            ));
        }
        request.method.check_currency(request.amount.currency())?;
        let cents = request.amount.cents(GATEWAY)?;
        if cents <= 0 {
            return Err(Error::invalid("amount", "the amount must be above zero"));
        }
        let channel = channel_id(request.method, request.payment_code)?;
        let mut fields = json!({
            "mchId": self.config.mch_id,
            "mchOrderNo": request.merchant_order_no,
            "channelId": channel,
            "currency": request.amount.currency().code(),
            "amount": cents,
            "clientIp": self.config.client_ip,
            "notifyUrl": self.config.notify_url,
            "subject": truncate(request.description, 64),
            "body": truncate(request.description, 255),
            "jobNo": self.config.login_name,
        });
        match request.method {
            // WX_NATIVE needs a productId; the merchant order number is unique and ours.
            Method::WechatQr => {
                fields["extra"] =
                    json!(json!({ "productId": request.merchant_order_no }).to_string())
            }
            Method::WechatApp => {
                let app_id = self
                    .config
                    .wechat_app_id
                    .as_deref()
                    .map(str::trim)
                    .filter(|id| !id.is_empty())
                    .ok_or_else(|| {
                        Error::invalid(
                            "appId",
                            "WeChat in-app payments need the merchant's WeChat app id in the settings (iotpay wechat_app_id)",
                        )
                    })?;
                fields["extra"] = json!(json!({ "type": "apppay", "appId": app_id }).to_string());
            }
            Method::Barcode => {
                fields["codeType"] = json!("barcode");
                fields["identityCode"] = json!(request.payment_code.unwrap_or_default().trim());
            }
            Method::CardTerminal => self.terminal_fields(&mut fields, request, tip_minor)?,
            _ => {}
        }
        if needs_return_url(channel) {
            let url = self.config.return_url.trim();
            if url.is_empty() {
                return Err(Error::invalid(
                    "returnUrl",
                    format!("{channel} needs the page the customer returns to after paying (iotpay return_url in the settings)"),
                ));
            }
            fields["returnUrl"] = json!(url);
        }
        if needs_os_type(channel) {
            let os = self
                .config
                .os_type
                .as_deref()
                .map(|s| s.trim().to_ascii_uppercase())
                .filter(|s| !s.is_empty())
                .ok_or_else(|| {
                    Error::invalid(
                        "osType",
                        format!("{channel} needs the customer's phone system, IOS or ANDROID (iotpay os_type in the settings)"),
                    )
                })?;
            if !OS_TYPES.contains(&os.as_str()) {
                return Err(Error::invalid(
                    "osType",
                    format!("osType is {os:?}; IOTPay takes IOS or ANDROID"),
                ));
            }
            fields["osType"] = json!(os);
        }
        check_v1_lengths(&fields)?;
        let Value::Object(fields) = fields else {
            unreachable!("built as an object")
        };
        Ok(Value::Object(self.signed(fields)))
    }

    /// What a CC_PAX order adds to the v1 create, read on guide page "pos_semi_integration"
    /// (https://develop.iotpay.ca/guide/pos_semi_integration.html):
    /// - `notifyUrl` "http://localhost" ("use 'http://localhost' when channel='CC_PAX'"): no
    ///   notification comes, the order is followed by query;
    /// - `extra` required, "any string you want, not used now, but must have a value":
    ///   [`TERMINAL_EXTRA`], the sample's `pos_flag`;
    /// - `device` ("device info", String(64), the sample's "V1-B25"): the terminal the sale
    ///   goes to, the shop's `pax_device` setting; refused without it;
    /// - `tip` and `source`, in the sample only (`"tip":"0"`, `"source":"pos_2.1.54"`), both
    ///   as text as the sample sends them: the tip in cents like `amount` unless the shop's
    ///   `pax_tip_unit` says dollars (the page gives no unit), the source as the shop's
    ///   `pax_source` (the sample's by default).
    ///
    /// Whether `amount` includes `tip`: the page does not say (its sample's tip is "0", where
    /// both readings agree). Paydesk sends `amount` = the sale WITHOUT the tip and the tip
    /// apart, the one reading that can never charge the tip twice: if the terminal adds the tip
    /// to `amount` the customer pays sale + tip, as asked; if it took `amount` as the total
    /// the tip would go uncharged (a shortfall the owner sees on the terminal's slip), never
    /// a double charge. The order's query answer carries this same `amount` (the sale), which
    /// the adapter checks against the order's sale part.
    fn terminal_fields(
        &self,
        fields: &mut Value,
        request: &CreateRequest<'_>,
        tip_minor: i64,
    ) -> Result<()> {
        let device = self.terminal.device.as_deref().ok_or_else(|| {
            let key = if self.terminal.device_key.is_empty() {
                "iotpay.<environment>.pax_device".to_string()
            } else {
                self.terminal.device_key.clone()
            };
            Error::invalid(
                "device",
                format!(
                    "a card-terminal sale needs the PAX terminal's device id (IOTPay's `device`): \
                     set it with `paydesk settings set {key} <terminal id>`"
                ),
            )
        })?;
        if tip_minor < 0 {
            return Err(Error::invalid("tip", "a tip cannot be below zero"));
        }
        let tip = match self.terminal.tip_unit.as_str() {
            "dollars" => request.amount.currency().decimal_string(tip_minor),
            _ => tip_minor.to_string(),
        };
        let source = if self.terminal.source.trim().is_empty() {
            DEFAULT_PAX_SOURCE
        } else {
            self.terminal.source.trim()
        };
        fields["notifyUrl"] = json!(TERMINAL_NOTIFY_URL);
        fields["extra"] = json!(TERMINAL_EXTRA);
        fields["device"] = json!(device);
        fields["tip"] = json!(tip);
        fields["source"] = json!(source);
        Ok(())
    }

    /// `create_order`: `prepare_create`, then send. A documented refusal is
    /// `GatewayRejected`; 0110/0010/0111/0118/0113 or an undocumented code is
    /// `GatewayPending` (the order may still be paid: query it).
    pub async fn create_order(&self, request: &CreateRequest<'_>) -> Result<Created> {
        self.create_sale(request, NO_TIP).await
    }

    /// `create_order` with a card-terminal sale's tip in CC_PAX's own `tip` field
    /// (`prepare_sale`): `request.amount` is the sale without it.
    pub async fn create_sale(
        &self,
        request: &CreateRequest<'_>,
        tip_minor: i64,
    ) -> Result<Created> {
        let Value::Object(fields) = self.prepare_sale(request, tip_minor)? else {
            unreachable!("prepare_sale builds an object")
        };
        let channel = fields
            .get("channelId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let device = fields.get("device").cloned().unwrap_or(Value::Null);
        let payload = parse_answer(
            "create_order",
            &self.post("create_order", fields).await?,
            self.config.key.expose(),
        )?;
        if let Some(why) = text_of(payload.get("mchOrderNo"))
            .filter(|no| no != request.merchant_order_no)
            .map(|no| format!("mchOrderNo {no:?}"))
        {
            return Err(suspicious("create_order", request.merchant_order_no, why));
        }
        let gateway_order_id = text_of(payload.get("payOrderId"));
        let missing = |what: &str| Error::GatewayProtocol {
            gateway: GATEWAY,
            message: format!("create_order for {channel} succeeded but carried no {what}"),
        };
        let mut created = Created::pending(gateway_order_id);
        if request.method.kind() == MethodKind::Terminal {
            // Guide page "pos_semi_integration": the answer is the envelope with `payOrder`,
            // "all information about this order". It must be this order's; the terminal the
            // window names is the one the sale was sent to.
            let order = pay_order(&payload).ok_or_else(|| missing("payOrder"))?;
            if let Some(why) = identity_mismatch(
                &order,
                "mchOrderNo",
                request.merchant_order_no,
                "amount",
                request.amount,
            ) {
                return Err(suspicious("create_order", request.merchant_order_no, why));
            }
            if created.gateway_order_id.is_none() {
                created.gateway_order_id = text_of(order.get("payOrderId"));
            }
            created.payload = Some(json!({ "terminal": { "device": device } }));
            return Ok(created);
        }
        match request.method.kind() {
            MethodKind::Qr | MethodKind::Link => {
                created.payment_url = Some(
                    payment_link(&payload)
                        .ok_or_else(|| missing("codeUrl, qr_code or retParams link"))?,
                );
            }
            MethodKind::App => {
                let params = app_params(&payload).ok_or_else(|| missing("payParams"))?;
                created.payload = Some(json!({ "payParams": params }));
            }
            // A scanned code's outcome is confirmed by query (payments.rs does it at once).
            MethodKind::Barcode | MethodKind::Widget | MethodKind::Token | MethodKind::Terminal => {
            }
        }
        Ok(created)
    }

    /// `query_order` by our order number, checked against the order: the answer's
    /// `mchOrderNo` must be `merchant_order_no` and its `amount` and `currency` those of one
    /// of `expected` (one amount, but for a tipped card-terminal sale, whose answer may carry
    /// the sale alone or the sale with its tip: the POS Semi-Integration page does not say);
    /// a mismatch is `GatewayProtocol` ("suspicious"), never a status.
    pub async fn query_order(&self, merchant_order_no: &str, expected: &[Money]) -> Result<Lookup> {
        let Some(payload) = self.query_fields(merchant_order_no).await? else {
            return Ok(Lookup::Missing);
        };
        let mismatches: Option<Vec<String>> = expected
            .iter()
            .map(|amount| {
                identity_mismatch(&payload, "mchOrderNo", merchant_order_no, "amount", *amount)
            })
            .collect();
        if let Some(why) = mismatches.and_then(|all| all.into_iter().next()) {
            return Err(suspicious("query_order", merchant_order_no, why));
        }
        // Numbers sometimes arrive as strings; keep the verbatim text either way.
        let Some(raw) = text_of(payload.get("status")) else {
            return Err(Error::GatewayProtocol {
                gateway: GATEWAY,
                message: "query_order answer: no status".into(),
            });
        };
        // The answer's channel tells how the customer paid: a 4 on a scanned code is the
        // wallet's decline (Failed, with its reason noted), elsewhere the order was closed.
        let channel = text_of(payload.get("channelId")).unwrap_or_default();
        let word = channel_status_word(&raw, &channel);
        let status = word.map_or(OrderStatus::Pending, |w| w.status);
        let note = (status == OrderStatus::Failed)
            .then(|| word.map(|w| w.label.to_string()))
            .flatten();
        Ok(Lookup::Found(Report {
            status,
            gateway_status: raw,
            gateway_order_id: text_of(payload.get("payOrderId")),
            note,
            card: None,
        }))
    }

    /// The verified fields of a query answer; `None` for 0112 (no such order).
    async fn query_fields(&self, merchant_order_no: &str) -> Result<Option<Map<String, Value>>> {
        let fields = self.signed(object(
            json!({ "mchId": self.config.mch_id, "mchOrderNo": merchant_order_no }),
        ));
        let text = self.post("query_order", fields).await?;
        match parse_answer("query_order", &text, self.config.key.expose()) {
            Ok(fields) => Ok(Some(fields)),
            Err(Error::GatewayRejected { code, .. })
                if code_meaning(&code) == CodeMeaning::NoSuchOrder =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// The cheapest signed call, for Settings' "Test connection": a query of an order no one
    /// created. IOTPay checks the merchant and the signature before it looks for the order, so
    /// "no such order" (0112), or any other business answer, means the host answered and took
    /// our credentials; 0013 (signature), 0015 (merchant) or a request not taken in
    /// (`retCode` FAIL, e.g. "signature error") mean they are wrong. Returns the gateway's
    /// words. Not about money: its reading of codes is its own.
    pub async fn check_credentials(&self) -> Result<String> {
        let probe = format!("PDCHECK{}", chrono::Utc::now().timestamp_millis());
        let fields = self.signed(object(
            json!({ "mchId": self.config.mch_id, "mchOrderNo": probe }),
        ));
        let text = self.post("query_order", fields).await?;
        match read_reply("query_order", &text, self.config.key.expose())? {
            Reply::Answer(_) => Ok("query_order answered".into()),
            Reply::Failed { code, message } if code == "0013" || code == "0015" => {
                Err(Error::GatewayRejected {
                    gateway: GATEWAY,
                    code,
                    message,
                })
            }
            Reply::Failed { code, message } if code == "0112" => {
                Ok(format!("query_order: 0112 {message}"))
            }
            Reply::Failed { code, message } if code.chars().all(|c| c.is_ascii_digit()) => {
                Ok(format!("query_order: {code} {message}"))
            }
            Reply::Failed { code, message } => Err(Error::GatewayRejected {
                gateway: GATEWAY,
                code,
                message,
            }),
            Reply::NotTaken { code, message } => Err(Error::GatewayRejected {
                gateway: GATEWAY,
                code: code.unwrap_or_else(|| "FAIL".into()),
                message,
            }),
        }
    }

    /// Checks a notification's `sign` with this merchant's key (constant time). A verified
    /// notification must also pass `notification_matches` for the order it names.
    pub fn verify(&self, fields: &Map<String, Value>) -> bool {
        iotpay_verify(fields, self.config.key.expose())
    }

    /// The checks of `refund_order` that need no I/O (guide page "refund"): `mchRefundNo`
    /// String(30), `loginName` String(32), an amount in cents above zero. The payment
    /// service calls it before it reserves the refund in the ledger.
    pub fn prepare_refund(&self, refund_no: &str, amount: Money) -> Result<()> {
        if refund_no.trim().is_empty() {
            return Err(Error::invalid("mchRefundNo", "the refund needs a number"));
        }
        check_length("mchRefundNo", refund_no, 30)?;
        check_length("loginName", &self.config.login_name, 32)?;
        check_length("clientIp", &self.config.client_ip, 32)?;
        if amount.cents(GATEWAY)? <= 0 {
            return Err(Error::invalid("amount", "a refund must be above zero"));
        }
        Ok(())
    }

    /// `refund_order` (§1.7): up to what was paid, tracked by our `mchRefundNo`. Codes are
    /// read as `create_order`'s: only a documented refusal is `GatewayRejected`; a refund
    /// answered 0110/0010/0111/0118 (or not at all) is settled by `query_refund`.
    pub async fn refund_order(
        &self,
        pay_order_id: &str,
        refund_no: &str,
        amount: Money,
    ) -> Result<Reversal> {
        self.prepare_refund(refund_no, amount)?;
        let fields = self.signed(object(json!({
            "mchId": self.config.mch_id,
            "mchRefundNo": refund_no,
            "refundAmount": amount.cents(GATEWAY)?,
            "clientIp": self.config.client_ip,
            "loginName": self.config.login_name,
            "payOrderId": pay_order_id,
        })));
        let text = self.post("refund_order", fields).await?;
        let payload = parse_answer("refund_order", &text, self.config.key.expose())?;
        if let Some(no) = text_of(payload.get("mchRefundNo")).filter(|no| no != refund_no) {
            return Err(suspicious(
                "refund_order",
                refund_no,
                format!("mchRefundNo {no:?}"),
            ));
        }
        Ok(Reversal {
            gateway_refund_id: text_of(payload.get("refundOrderId")),
            gateway_status: text_of(payload.get("status")),
        })
    }

    /// Query Refund (guide page "query_refund"; §6: "use it to settle refunds whose answer
    /// was lost"): what became of our refund `refund_no` of `amount`. `Ok` only for a
    /// definite success (refund status 2), `GatewayRejected` only for a definite failure
    /// (status 9, or 0112: IOTPay has no refund under this number, so it never took it);
    /// anything else (0, 1, an undocumented status, an unknown code) is `GatewayPending`.
    /// The answer must name `refund_no` and, where it carries them, `amount`'s cents and
    /// currency, or it is "suspicious".
    ///
    /// The stored copy of the guide page could not be read past its menu. The request is
    /// the v1 query's shape with the refund's number (`mchId`, `mchRefundNo`, `sign`,
    /// posted to `{v1}/query_refund`); the answer is read tolerantly (`refundOrderId`,
    /// `refundAmount` or `amount`, `status` or `refundStatus`) and only the refund statuses
    /// of `REFUND_STATUS_WORDS` are definite. Check the live page before relying on it.
    pub async fn query_refund(&self, refund_no: &str, amount: Money) -> Result<Reversal> {
        check_length("mchRefundNo", refund_no, 30)?;
        let fields = self.signed(object(json!({
            "mchId": self.config.mch_id,
            "mchRefundNo": refund_no,
        })));
        let text = self.post(QUERY_REFUND_PATH, fields).await?;
        let payload = match parse_answer(QUERY_REFUND_PATH, &text, self.config.key.expose()) {
            Ok(payload) => payload,
            Err(Error::GatewayRejected { code, message, .. })
                if code_meaning(&code) == CodeMeaning::NoSuchOrder =>
            {
                return Err(Error::GatewayRejected {
                    gateway: GATEWAY,
                    code,
                    message: format!(
                        "IOTPay has no refund {refund_no} ({message}): it never reached the gateway"
                    ),
                })
            }
            Err(e) => return Err(e),
        };
        let amount_field = if payload.contains_key("refundAmount") {
            "refundAmount"
        } else {
            "amount"
        };
        if let Some(why) =
            identity_mismatch(&payload, "mchRefundNo", refund_no, amount_field, amount)
        {
            return Err(suspicious(QUERY_REFUND_PATH, refund_no, why));
        }
        let Some(raw) =
            text_of(payload.get("status")).or_else(|| text_of(payload.get("refundStatus")))
        else {
            return Err(Error::GatewayProtocol {
                gateway: GATEWAY,
                message: format!("{QUERY_REFUND_PATH}: the answer carries no refund status"),
            });
        };
        match refund_status_word(&raw) {
            Some(word) if word.status == OrderStatus::Refunded => Ok(Reversal {
                gateway_refund_id: text_of(payload.get("refundOrderId")),
                gateway_status: Some(raw),
            }),
            Some(word) if word.status == OrderStatus::Failed => Err(Error::GatewayRejected {
                gateway: GATEWAY,
                code: raw,
                message: word.label.to_string(),
            }),
            Some(word) => Err(Error::GatewayPending {
                gateway: GATEWAY,
                status: raw,
                message: word.label.to_string(),
            }),
            None => Err(Error::GatewayPending {
                gateway: GATEWAY,
                status: raw.clone(),
                message: format!("refund status {raw:?} is not a documented one: query again"),
            }),
        }
    }

    /// `fields` with their `sign`.
    fn signed(&self, mut fields: Map<String, Value>) -> Map<String, Value> {
        let sign = iotpay_sign(&fields, self.config.key.expose());
        fields.insert("sign".into(), Value::String(sign));
        fields
    }

    /// Posts one signed v1 call (`params=<JSON>`) and returns the answer's text.
    async fn post(&self, endpoint: &str, fields: Map<String, Value>) -> Result<String> {
        let url = format!("{}/{endpoint}", self.config.v1_base.trim_end_matches('/'));
        let body = serde_urlencoded::to_string([("params", Value::Object(fields).to_string())])
            .map_err(|e| Error::Internal(e.to_string()))?;
        let request = self
            .http
            .post(&url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body);
        let (_, text) = send(GATEWAY, endpoint, request).await?;
        Ok(text)
    }
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("v1 requests are JSON objects"),
    }
}
