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
//! `query_refund` for what could and could not be read of it).

use std::time::Duration;

use serde_json::{json, Map, Value};

use super::{
    check_length, send, truncate, CodeMeaning, CodeWord, CreateRequest, Created, Lookup, Report,
    Reversal, StatusWord,
};
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::Money;
use paydesk_domain::order::{Method, MethodKind, OrderStatus};
use paydesk_secrets::signing::{iotpay_sign, iotpay_verify};
use paydesk_secrets::vault::Sensitive;

const GATEWAY: &str = "iotpay";
pub const DEFAULT_V1_BASE: &str = "https://api.iotpaycloud.com/v1";

/// The Query Refund endpoint under the v1 base (guide page "query_refund").
pub const QUERY_REFUND_PATH: &str = "query_refund";

/// The values guide page "order" allows for `osType`.
pub const OS_TYPES: &[&str] = &["IOS", "ANDROID"];

#[derive(Debug, Clone)]
pub struct IotpayConfig {
    pub v1_base: String,
    pub mch_id: String,
    pub login_name: String,
    pub key: Sensitive<String>,
    pub notify_url: String,
    /// IOTPay wants the paying client's IP; a counter reports its own.
    pub client_ip: String,
    /// The merchant's WeChat app id, for WX_APP orders.
    pub wechat_app_id: Option<String>,
    /// Where the customer's browser goes after paying on a web page: guide page
    /// "online_secure_pay" says ALIPAY_PC and ALIPAY_WAP need it (String(200)). Empty = not
    /// set; only those two channels are refused without it.
    pub return_url: String,
    /// The customer's phone system, `IOS` or `ANDROID`: guide page "order" says ALIPAY_MOBILE
    /// and ALIPAY_WAP require `osType` (String(10)). Only those channels need it.
    pub os_type: Option<String>,
    /// How long to wait for an answer before the outcome is "unknown".
    pub timeout: Duration,
}

pub struct Iotpay {
    http: reqwest::Client,
    config: IotpayConfig,
}

// ---------------------------------------------------------------------------------------
// The documented words: one table of order statuses, one of refund statuses, one of error
// codes. Everything that reads a status or a code reads these.
// ---------------------------------------------------------------------------------------

/// v1 order `status` (guide page "order_query", "Order Status"): 0 created but not paid, 1
/// the customer is paying (typing a password), 2 paid, 3 paid and the merchant notified, 4
/// cancelled by the system, 9 cancelled by the user. Paid = 2 or 3.
pub const STATUS_WORDS: &[StatusWord] = &[
    StatusWord {
        word: "0",
        status: OrderStatus::Pending,
        label: "waiting for the customer",
    },
    StatusWord {
        word: "1",
        status: OrderStatus::Pending,
        label: "the customer is paying on their phone",
    },
    StatusWord {
        word: "2",
        status: OrderStatus::Paid,
        label: "paid",
    },
    StatusWord {
        word: "3",
        status: OrderStatus::Paid,
        label: "paid (IOTPay has told the shop)",
    },
    StatusWord {
        word: "4",
        status: OrderStatus::Cancelled,
        label: "closed by the wallet",
    },
    StatusWord {
        word: "9",
        status: OrderStatus::Cancelled,
        label: "cancelled by the customer",
    },
];

/// A refund's `status` in a Query Refund answer. The stored copy of guide page
/// "query_refund" could not be read past its menu, so these are the refund statuses the
/// vendor documents on its refund page (guide page "creditCard/v3/refund": 0 pending, 1
/// unknown, 2 success, 9 fail). Only 2 is done and only 9 is failed; 0, 1 and any other
/// word are unknown (query again), so a different reading of the v1 page can never turn
/// into a wrong "refunded".
pub const REFUND_STATUS_WORDS: &[StatusWord] = &[
    StatusWord {
        word: "0",
        status: OrderStatus::Pending,
        label: "refund waiting at the wallet",
    },
    StatusWord {
        word: "1",
        status: OrderStatus::Pending,
        label: "refund being processed by the wallet",
    },
    StatusWord {
        word: "2",
        status: OrderStatus::Refunded,
        label: "refunded to the customer",
    },
    StatusWord {
        word: "9",
        status: OrderStatus::Failed,
        label: "refund declined by the wallet",
    },
];

/// The documented v1 error codes (reference §1.9, read as §6 says): 0011-0015 refuse the
/// request as sent; 0010, 0110, 0111, 0118 say nothing certain about the payment; 0113 says
/// the order number is already paid (query it); 0112 says there is no such order. A code not
/// in this table is unknown.
pub const ERROR_CODES: &[CodeWord] = &[
    CodeWord {
        code: "0010",
        meaning: CodeMeaning::Unknown,
        label: "IOTPay had a system error: the payment may still go through",
    },
    CodeWord {
        code: "0011",
        meaning: CodeMeaning::Refused,
        label: "IOTPay refused the request (it must be a POST)",
    },
    CodeWord {
        code: "0012",
        meaning: CodeMeaning::Refused,
        label: "IOTPay received an empty request",
    },
    CodeWord {
        code: "0013",
        meaning: CodeMeaning::Refused,
        label: "IOTPay refused the signature: check the merchant key",
    },
    CodeWord {
        code: "0014",
        meaning: CodeMeaning::Refused,
        label: "IOTPay refused a value of the request",
    },
    CodeWord {
        code: "0015",
        meaning: CodeMeaning::Refused,
        label: "IOTPay does not know this merchant: check the merchant ID",
    },
    CodeWord {
        code: "0110",
        meaning: CodeMeaning::Unknown,
        label: "the wallet did not answer IOTPay in time: the customer may still confirm",
    },
    CodeWord {
        code: "0111",
        meaning: CodeMeaning::Unknown,
        label: "the wallet reported a problem to IOTPay: the outcome is not known yet",
    },
    CodeWord {
        code: "0112",
        meaning: CodeMeaning::NoSuchOrder,
        label: "IOTPay has no order under this number",
    },
    CodeWord {
        code: "0113",
        meaning: CodeMeaning::AlreadyPaid,
        label: "IOTPay says this order number is already paid",
    },
    CodeWord {
        code: "0118",
        meaning: CodeMeaning::Unknown,
        label: "IOTPay had a database error: the payment may still go through",
    },
];

/// The table row of a documented error code.
pub fn code_word(code: &str) -> Option<&'static CodeWord> {
    ERROR_CODES.iter().find(|c| c.code == code.trim())
}

/// How a code is to be read: an undocumented one is unknown, never a refusal.
pub fn code_meaning(code: &str) -> CodeMeaning {
    code_word(code).map_or(CodeMeaning::Unknown, |c| c.meaning)
}

/// The table row of an order status word.
pub fn status_word(word: &str) -> Option<&'static StatusWord> {
    STATUS_WORDS.iter().find(|s| s.word == word.trim())
}

/// v1 `status` into the unified model, from `STATUS_WORDS`; anything else is Pending.
pub fn map_status(code: i64) -> OrderStatus {
    map_status_word(&code.to_string())
}

/// `map_status` for the word as it arrived (a number or its text).
pub fn map_status_word(word: &str) -> OrderStatus {
    status_word(word).map_or(OrderStatus::Pending, |s| s.status)
}

/// What the counter shows for a status word.
pub fn status_label(word: &str) -> Option<&'static str> {
    status_word(word).map(|s| s.label)
}

/// Status 4 of an order whose customer's code was scanned (a `*_MICROPAY` channel): the
/// wallet declined the payment. The order ended without money: Failed, not cancelled (a QR
/// order's 4 is the system closing an unpaid order: cancelled).
pub const MICROPAY_DECLINED: StatusWord = StatusWord {
    word: "4",
    status: OrderStatus::Failed,
    label: "declined by the customer's wallet",
};

/// Whether a v1 channel is one where the shop scans the customer's code.
pub fn is_micropay(channel: &str) -> bool {
    channel.ends_with("_MICROPAY")
}

/// The table row of a status word on a channel: `MICROPAY_DECLINED` for 4 on a scanned code,
/// else `STATUS_WORDS`.
pub fn channel_status_word(word: &str, channel: &str) -> Option<&'static StatusWord> {
    if is_micropay(channel) && word.trim() == MICROPAY_DECLINED.word {
        return Some(&MICROPAY_DECLINED);
    }
    status_word(word)
}

/// The table row of a refund status word.
pub fn refund_status_word(word: &str) -> Option<&'static StatusWord> {
    REFUND_STATUS_WORDS.iter().find(|s| s.word == word.trim())
}

// ---------------------------------------------------------------------------------------
// Channels
// ---------------------------------------------------------------------------------------

/// The v1 channel for a method; a scanned payment code tells its own wallet.
pub fn channel_id(method: Method, payment_code: Option<&str>) -> Result<&'static str> {
    Ok(match method {
        Method::WechatQr => "WX_NATIVE",
        Method::AlipayQr => "ALIPAY_QR",
        Method::UnionpayQr => "UPI_QR",
        Method::Barcode => micropay_channel(payment_code.unwrap_or_default())?,
        Method::AlipayWeb => "ALIPAY_WAP",
        Method::UnionpayWeb => "UPI_SEQ",
        Method::WechatApp => "WX_APP",
        Method::AlipayApp => "ALIPAY_MOBILE",
        Method::UnionpayApp => "UPI_APP",
        Method::CardLink | Method::Card | Method::CardToken => {
            return Err(Error::UnsupportedMethod(format!(
                "{} goes through IOTPay's card API, not v1",
                method.as_str()
            )))
        }
        other => {
            return Err(Error::UnsupportedMethod(format!(
                "{} is not an IOTPay method",
                other.as_str()
            )))
        }
    })
}

/// Channels whose create needs `returnUrl` (guide page "online_secure_pay": "ALIPAY_PC,
/// ALIPAY_WAP need this").
pub fn needs_return_url(channel: &str) -> bool {
    matches!(channel, "ALIPAY_PC" | "ALIPAY_WAP")
}

/// Channels whose create needs `osType` (guide page "order": "ALIPAY_MOBILE and ALIPAY_WAP
/// are required! Possible values: IOS, ANDROID").
pub fn needs_os_type(channel: &str) -> bool {
    matches!(channel, "ALIPAY_MOBILE" | "ALIPAY_WAP")
}

/// The wallet a customer's payment code belongs to, by the wallets' published code ranges:
/// WeChat 18 digits starting 10-15, Alipay 16-24 digits starting 25-30, UnionPay 19 digits
/// starting 62.
pub fn micropay_channel(code: &str) -> Result<&'static str> {
    let code = code.trim();
    if code.is_empty() {
        return Err(Error::invalid(
            "code",
            "scan the customer's payment code first",
        ));
    }
    if !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::invalid(
            "code",
            format!("{code:?} is not a payment code: payment codes are digits only"),
        ));
    }
    let prefix: u32 = code[..2.min(code.len())].parse().unwrap_or(0);
    match (prefix, code.len()) {
        (10..=15, 18) => Ok("WX_MICROPAY"),
        (25..=30, 16..=24) => Ok("ALIPAY_MICROPAY"),
        (62, 19) => Ok("UPI_MICROPAY"),
        _ => Err(Error::invalid(
            "code",
            format!("{code} is not a WeChat, Alipay or UnionPay payment code (ask the customer to refresh it)"),
        )),
    }
}

// ---------------------------------------------------------------------------------------
// Reading answers
// ---------------------------------------------------------------------------------------

/// What a v1 answer says, before it is read as an outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// Both codes SUCCESS and a `sign` that verifies over every field that arrived.
    Answer(Map<String, Value>),
    /// `retCode` FAIL: the request was not taken in ("communication status", guide pages
    /// "order_query" and "refund"); `retMsg` says why (e.g. "signature error").
    NotTaken {
        code: Option<String>,
        message: String,
    },
    /// `retCode` SUCCESS, `resCode` FAIL: `errCode` and `errCodeDes`.
    Failed { code: String, message: String },
}

fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Reads a v1 answer's envelope and signature. `Err` is `GatewayProtocol`: not JSON, no
/// envelope, or a success that is unsigned or whose sign does not verify (not an answer).
pub fn read_reply(endpoint: &str, text: &str, key: &str) -> Result<Reply> {
    let protocol = |message: String| Error::GatewayProtocol {
        gateway: GATEWAY,
        message: format!("{endpoint}: {message}"),
    };
    let value: Value =
        serde_json::from_str(text).map_err(|e| protocol(format!("not JSON ({e})")))?;
    let Value::Object(fields) = value else {
        return Err(protocol("not a JSON object".into()));
    };
    let Some(ret_code) = text_of(fields.get("retCode")) else {
        return Err(protocol("no envelope (retCode is missing)".into()));
    };
    let err_code = text_of(fields.get("errCode")).filter(|c| !c.trim().is_empty());
    let described = |fallback: &str| {
        text_of(fields.get("errCodeDes"))
            .filter(|d| !d.is_empty())
            .or_else(|| text_of(fields.get("retMsg")).filter(|d| !d.is_empty()))
            .unwrap_or_else(|| fallback.to_string())
    };
    if ret_code != "SUCCESS" {
        return Ok(Reply::NotTaken {
            code: err_code,
            message: described("communication failed"),
        });
    }
    if text_of(fields.get("resCode")).as_deref() != Some("SUCCESS") {
        return Ok(Reply::Failed {
            code: err_code.unwrap_or_default(),
            message: described("business failure"),
        });
    }
    // §6: an answer with both codes SUCCESS carries `sign`; one without it is not an answer.
    if !fields.contains_key("sign") {
        return Err(protocol(
            "the answer says SUCCESS but is unsigned: not an answer, the outcome is unknown".into(),
        ));
    }
    if !iotpay_verify(&fields, key) {
        return Err(protocol(
            "the answer's signature does not verify: the outcome is unknown".into(),
        ));
    }
    Ok(Reply::Answer(fields))
}

/// The outcome a failed answer (`code`, the gateway's words) stands for at `endpoint`,
/// from `ERROR_CODES`: only a documented refusal is `GatewayRejected`.
pub fn failure(endpoint: &str, code: &str, message: &str) -> Error {
    let label = code_word(code).map(|c| c.label);
    let words = match (label, message.is_empty()) {
        (Some(label), true) => label.to_string(),
        (Some(label), false) if label != message => format!("{label} ({message})"),
        (Some(label), false) => label.to_string(),
        (None, _) => message.to_string(),
    };
    let meaning = code_meaning(code);
    let pending = |words: String| Error::GatewayPending {
        gateway: GATEWAY,
        status: if code.is_empty() {
            "FAIL".to_string()
        } else {
            code.to_string()
        },
        message: format!("{endpoint}: {words}"),
    };
    match meaning {
        CodeMeaning::Refused => Error::GatewayRejected {
            gateway: GATEWAY,
            code: code.to_string(),
            message: words,
        },
        // "No such order" is definite where an order is named (a query, a refund of a
        // payOrderId); on a create it makes no sense and proves nothing.
        CodeMeaning::NoSuchOrder if endpoint != "create_order" => Error::GatewayRejected {
            gateway: GATEWAY,
            code: code.to_string(),
            message: words,
        },
        CodeMeaning::AlreadyPaid => pending(format!("{words}: query the order")),
        CodeMeaning::NoSuchOrder | CodeMeaning::Unknown => pending(if label.is_none() {
            format!("undocumented answer {code:?}: {words}")
        } else {
            words
        }),
    }
}

/// Reads a v1 answer as an outcome: its fields when both codes say SUCCESS and the sign
/// verifies; a documented refusal as `GatewayRejected`; everything else unknown.
pub fn parse_answer(endpoint: &str, text: &str, key: &str) -> Result<Map<String, Value>> {
    match read_reply(endpoint, text, key)? {
        Reply::Answer(fields) => Ok(fields),
        Reply::Failed { code, message } => Err(failure(endpoint, &code, &message)),
        Reply::NotTaken {
            code: Some(code),
            message,
        } if code_word(&code).is_some() => Err(failure(endpoint, &code, &message)),
        // retCode FAIL with no documented code: the gateway's words, outcome unknown.
        Reply::NotTaken { message, .. } => Err(Error::GatewayProtocol {
            gateway: GATEWAY,
            message: format!("{endpoint}: retCode FAIL ({message}): the outcome is unknown"),
        }),
    }
}

// ---------------------------------------------------------------------------------------
// Identity: an answer is about the order asked
// ---------------------------------------------------------------------------------------

fn cents_of(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Why `fields` (a query answer or a notification) are not about `merchant_order_no` for
/// `expected`: `number_field` must equal the order number; `amount_field` and `currency`,
/// where present, the amount and currency. `None` when they match.
fn identity_mismatch(
    fields: &Map<String, Value>,
    number_field: &str,
    merchant_order_no: &str,
    amount_field: &str,
    expected: Money,
) -> Option<String> {
    match text_of(fields.get(number_field)) {
        Some(no) if no == merchant_order_no => {}
        Some(no) => {
            return Some(format!(
                "{number_field} {no:?}, asked {merchant_order_no:?}"
            ))
        }
        None => return Some(format!("no {number_field} (asked {merchant_order_no:?})")),
    }
    if let Some(value) = fields.get(amount_field).filter(|v| !v.is_null()) {
        match cents_of(value) {
            Some(cents) if cents == expected.minor() => {}
            _ => {
                return Some(format!(
                    "{amount_field} {value} for {merchant_order_no}, whose amount is {} cents",
                    expected.minor()
                ))
            }
        }
    }
    if let Some(currency) = text_of(fields.get("currency")).filter(|c| !c.is_empty()) {
        if !currency.eq_ignore_ascii_case(expected.currency().code()) {
            return Some(format!(
                "currency {currency} for {merchant_order_no}, whose currency is {}",
                expected.currency().code()
            ));
        }
    }
    None
}

fn suspicious(endpoint: &str, merchant_order_no: &str, why: String) -> Error {
    tracing::warn!(
        gateway = GATEWAY,
        endpoint,
        order = merchant_order_no,
        "suspicious answer, not applied: {why}"
    );
    Error::GatewayProtocol {
        gateway: GATEWAY,
        message: format!(
            "{endpoint}: suspicious answer, not about the order asked ({why}): the outcome is unknown"
        ),
    }
}

/// Whether a verified notification (§1.6: form fields, values as strings) is about this
/// order: its `mchOrderNo` equals the order's, its `amount` (required) equals the order's
/// cents and its `currency`, when present, the order's. The receiver calls it after
/// `verify` and before anything else: a genuine notification of another order (a replay)
/// must not even trigger the re-query as if it were this order's.
pub fn notification_matches(
    fields: &Map<String, Value>,
    merchant_order_no: &str,
    amount: Money,
) -> bool {
    if fields.get("amount").is_none_or(Value::is_null) {
        return false;
    }
    match identity_mismatch(fields, "mchOrderNo", merchant_order_no, "amount", amount) {
        None => true,
        Some(why) => {
            tracing::warn!(
                gateway = GATEWAY,
                order = merchant_order_no,
                "suspicious notification, not about this order: {why}"
            );
            false
        }
    }
}

// ---------------------------------------------------------------------------------------
// The adapter
// ---------------------------------------------------------------------------------------

impl Iotpay {
    /// Builds the client. No API limit is checked here (a login name of any length is fine):
    /// each call's limits are checked when it is prepared.
    pub fn new(config: IotpayConfig) -> Result<Iotpay> {
        Ok(Iotpay {
            http: super::http_client(config.timeout)?,
            config,
        })
    }

    /// The signed `create_order` body for `request`, with every check that can be made
    /// before sending (currency, channel, payment code, WeChat app id, returnUrl, osType,
    /// field lengths). No I/O: the payment service calls it before it writes the order, so
    /// a bad setting is an error with nothing written. Returns the exact `params` object
    /// that `create_order` sends.
    pub fn prepare_create(&self, request: &CreateRequest<'_>) -> Result<Value> {
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

    /// `create_order`: `prepare_create`, then send. A documented refusal is
    /// `GatewayRejected`; 0110/0010/0111/0118/0113 or an undocumented code is
    /// `GatewayPending` (the order may still be paid: query it).
    pub async fn create_order(&self, request: &CreateRequest<'_>) -> Result<Created> {
        let Value::Object(fields) = self.prepare_create(request)? else {
            unreachable!("prepare_create builds an object")
        };
        let channel = fields
            .get("channelId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
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
            MethodKind::Barcode | MethodKind::Widget | MethodKind::Token => {}
        }
        Ok(created)
    }

    /// `query_order` by our order number, checked against the order: the answer's
    /// `mchOrderNo` must be `merchant_order_no` and its `amount` and `currency` those of
    /// `expected`; a mismatch is `GatewayProtocol` ("suspicious"), never a status.
    pub async fn query_order(&self, merchant_order_no: &str, expected: Money) -> Result<Lookup> {
        let Some(payload) = self.query_fields(merchant_order_no).await? else {
            return Ok(Lookup::Missing);
        };
        if let Some(why) = identity_mismatch(
            &payload,
            "mchOrderNo",
            merchant_order_no,
            "amount",
            expected,
        ) {
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

/// The string to show as a QR or link. The field names come from public client code, not a
/// vendor table, so every known form is accepted: `codeUrl` (WX_NATIVE), `qr_code`
/// (ALIPAY_QR, UPI_QR), and `retParams.*Url` (web channels), where retParams may be an
/// object or JSON text.
pub fn payment_link(payload: &Map<String, Value>) -> Option<String> {
    let direct = ["codeUrl", "qr_code", "qrCode", "codeImgUrl"]
        .iter()
        .find_map(|k| {
            payload
                .get(*k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        });
    if let Some(link) = direct {
        return Some(link.to_string());
    }
    let ret_params = match payload.get("retParams")? {
        Value::String(text) => serde_json::from_str::<Value>(text).ok()?,
        other => other.clone(),
    };
    let ret_params = ret_params.as_object()?;
    ["alipayUrl", "unionpayUrl", "codeUrl", "qr_code", "payUrl"]
        .iter()
        .find_map(|k| {
            ret_params
                .get(*k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        })
        .map(str::to_string)
}

/// What a merchant's app hands the wallet SDK: `payParams`, an object (WX_APP, UPI_APP) or a
/// string (ALIPAY_MOBILE's order info); JSON text is unwrapped so the app gets an object.
pub fn app_params(payload: &Map<String, Value>) -> Option<Value> {
    match payload.get("payParams")? {
        Value::Null => None,
        Value::String(text) if text.is_empty() => None,
        Value::String(text) => Some(match serde_json::from_str::<Value>(text) {
            Ok(object @ Value::Object(_)) => object,
            _ => Value::String(text.clone()),
        }),
        other => Some(other.clone()),
    }
}

/// The v1 create_order field limits (§1.4; guide pages "order" and "online_secure_pay"),
/// checked before anything is sent.
fn check_v1_lengths(fields: &Value) -> Result<()> {
    const LIMITS: &[(&str, usize)] = &[
        ("mchId", 30),
        ("mchOrderNo", 30),
        ("channelId", 24),
        ("clientIp", 32),
        ("notifyUrl", 200),
        ("returnUrl", 200),
        ("osType", 10),
        ("subject", 64),
        ("body", 255),
        ("extra", 512),
        ("jobNo", 50),
        ("identityCode", 64),
    ];
    for (name, max) in LIMITS {
        if let Some(value) = fields.get(*name).and_then(Value::as_str) {
            check_length(name, value, *max)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use paydesk_domain::money::Currency;

    fn cad(text: &str) -> Money {
        Money::parse(text, Currency::parse("CAD").unwrap()).unwrap()
    }

    fn adapter(config: impl FnOnce(&mut IotpayConfig)) -> Iotpay {
        let mut c = IotpayConfig {
            v1_base: "http://127.0.0.1:9/v1".into(),
            mch_id: "10000701".into(),
            login_name: "cashier1".into(),
            key: Sensitive::new("k".into()),
            notify_url: "https://example.com/notify".into(),
            client_ip: "127.0.0.1".into(),
            wechat_app_id: None,
            return_url: String::new(),
            os_type: None,
            timeout: Duration::from_secs(5),
        };
        config(&mut c);
        Iotpay::new(c).unwrap()
    }

    fn request(method: Method, code: Option<&'static str>) -> CreateRequest<'static> {
        CreateRequest {
            merchant_order_no: "PD20260101000001",
            method,
            amount: cad("12.50"),
            description: "two coffees",
            payment_code: code,
            card_id: None,
        }
    }

    #[test]
    fn status_codes_map_into_the_unified_model() {
        assert_eq!(map_status(0), OrderStatus::Pending);
        assert_eq!(map_status(1), OrderStatus::Pending);
        assert_eq!(map_status(2), OrderStatus::Paid);
        assert_eq!(map_status(3), OrderStatus::Paid);
        assert_eq!(map_status(4), OrderStatus::Cancelled);
        assert_eq!(map_status(9), OrderStatus::Cancelled);
        assert_eq!(map_status(7), OrderStatus::Pending, "unknown is pending");
        assert_eq!(map_status_word(" 2"), OrderStatus::Paid);
        assert_eq!(status_label("4"), Some("closed by the wallet"));
        assert_eq!(status_label("9"), Some("cancelled by the customer"));
        // On a scanned code, 4 is the wallet's decline: failed, not cancelled.
        let declined = channel_status_word("4", "WX_MICROPAY").unwrap();
        assert_eq!(declined.status, OrderStatus::Failed);
        assert_eq!(declined.label, "declined by the customer's wallet");
        assert_eq!(
            channel_status_word("4", "UPI_MICROPAY").map(|w| w.status),
            Some(OrderStatus::Failed)
        );
        assert_eq!(
            channel_status_word("4", "WX_NATIVE").map(|w| w.status),
            Some(OrderStatus::Cancelled)
        );
        assert_eq!(
            channel_status_word("2", "ALIPAY_MICROPAY").map(|w| w.status),
            Some(OrderStatus::Paid)
        );
    }

    #[test]
    fn every_documented_word_and_code_has_a_label_for_people() {
        for table in [STATUS_WORDS, REFUND_STATUS_WORDS] {
            for word in table {
                assert!(!word.label.trim().is_empty(), "{word:?}");
                assert!(
                    !word.label.chars().any(|c| c.is_ascii_digit()),
                    "the label is words, not the gateway's code: {word:?}"
                );
            }
        }
        for code in ERROR_CODES {
            assert!(!code.label.trim().is_empty(), "{code:?}");
            assert!(
                !code.label.chars().any(|c| c.is_ascii_digit()),
                "the label is words, not the gateway's code: {code:?}"
            );
        }
        let words: Vec<&str> = STATUS_WORDS.iter().map(|w| w.word).collect();
        assert_eq!(words, ["0", "1", "2", "3", "4", "9"]);
        let codes: Vec<&str> = ERROR_CODES.iter().map(|c| c.code).collect();
        assert_eq!(
            codes,
            [
                "0010", "0011", "0012", "0013", "0014", "0015", "0110", "0111", "0112", "0113",
                "0118"
            ]
        );
    }

    #[test]
    fn error_codes_are_classified_by_the_table() {
        for code in ["0011", "0012", "0013", "0014", "0015"] {
            assert_eq!(code_meaning(code), CodeMeaning::Refused, "{code}");
        }
        for code in ["0010", "0110", "0111", "0118"] {
            assert_eq!(code_meaning(code), CodeMeaning::Unknown, "{code}");
        }
        assert_eq!(code_meaning("0113"), CodeMeaning::AlreadyPaid);
        assert_eq!(code_meaning("0112"), CodeMeaning::NoSuchOrder);
        for undocumented in ["", "0999", "SYSTEMERROR", "FAIL"] {
            assert_eq!(code_meaning(undocumented), CodeMeaning::Unknown);
        }
    }

    fn fail_answer(code: &str) -> String {
        json!({"retCode": "SUCCESS", "resCode": "FAIL", "errCode": code, "errCodeDes": "x"})
            .to_string()
    }

    #[test]
    fn only_documented_refusals_are_refusals_and_the_rest_is_unknown() {
        for endpoint in ["create_order", "refund_order", "query_order"] {
            for code in ["0011", "0012", "0013", "0014", "0015"] {
                let e = parse_answer(endpoint, &fail_answer(code), "k").unwrap_err();
                assert!(
                    matches!(&e, Error::GatewayRejected { code: c, .. } if c == code),
                    "{endpoint} {code}: {e:?}"
                );
            }
            for code in ["0010", "0110", "0111", "0118", "0113", "0777", ""] {
                let e = parse_answer(endpoint, &fail_answer(code), "k").unwrap_err();
                assert!(
                    matches!(&e, Error::GatewayPending { .. }),
                    "{endpoint} {code:?}: {e:?}"
                );
                assert!(e.is_outcome_unknown());
            }
        }
        // "No such order" is definite for a query or refund, meaningless on a create.
        assert!(matches!(
            parse_answer("query_order", &fail_answer("0112"), "k"),
            Err(Error::GatewayRejected { .. })
        ));
        assert!(matches!(
            parse_answer("create_order", &fail_answer("0112"), "k"),
            Err(Error::GatewayPending { .. })
        ));
        match parse_answer("create_order", &fail_answer("0013"), "k") {
            Err(Error::GatewayRejected { message, .. }) => {
                assert!(message.contains("signature"), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }

    /// Pinned here before: retCode FAIL was a refusal, and a SUCCESS answer without `sign`
    /// was taken as valid. Both are unknown now (§6).
    #[test]
    fn answers_need_both_codes_and_a_sign_that_verifies() {
        let key = "k";
        let not_taken = parse_answer("x", r#"{"retCode":"FAIL","retMsg":"bad"}"#, key);
        assert!(
            matches!(&not_taken, Err(Error::GatewayProtocol { message, .. }) if message.contains("bad")),
            "{not_taken:?}"
        );
        let with_code = parse_answer(
            "x",
            r#"{"retCode":"FAIL","retMsg":"sign","errCode":"0013"}"#,
            key,
        );
        assert!(matches!(with_code, Err(Error::GatewayRejected { .. })));
        assert!(matches!(
            parse_answer("x", "<html>", key),
            Err(Error::GatewayProtocol { .. })
        ));
        assert!(matches!(
            parse_answer("x", r#"{"resCode":"SUCCESS"}"#, key),
            Err(Error::GatewayProtocol { .. })
        ));
        let mut good =
            json!({"retCode":"SUCCESS","resCode":"SUCCESS","payOrderId":"P1","status":2})
                .as_object()
                .unwrap()
                .clone();
        let unsigned = Value::Object(good.clone()).to_string();
        match parse_answer("query_order", &unsigned, key) {
            Err(Error::GatewayProtocol { message, .. }) => {
                assert!(message.contains("unsigned"), "{message}")
            }
            other => panic!("an unsigned SUCCESS is not an answer: {other:?}"),
        }
        let sign = iotpay_sign(&good, key);
        good.insert("sign".into(), json!(sign));
        let text = Value::Object(good.clone()).to_string();
        assert!(parse_answer("x", &text, key).is_ok());
        assert!(matches!(
            parse_answer("x", &text, "other"),
            Err(Error::GatewayProtocol { .. })
        ));
    }

    #[test]
    fn an_answer_or_notification_about_another_order_does_not_match() {
        let fields = |v: Value| v.as_object().unwrap().clone();
        let ours = fields(json!({"mchOrderNo": "PD1", "amount": 1250, "currency": "CAD"}));
        assert_eq!(
            identity_mismatch(&ours, "mchOrderNo", "PD1", "amount", cad("12.50")),
            None
        );
        for other in [
            json!({"mchOrderNo": "PD2", "amount": 1250, "currency": "CAD"}),
            json!({"mchOrderNo": "PD1", "amount": 1, "currency": "CAD"}),
            json!({"mchOrderNo": "PD1", "amount": "1249", "currency": "CAD"}),
            json!({"mchOrderNo": "PD1", "amount": 1250, "currency": "USD"}),
            json!({"mchOrderNo": "PD1", "amount": "12.50"}),
            json!({"amount": 1250}),
        ] {
            assert!(
                identity_mismatch(
                    &fields(other.clone()),
                    "mchOrderNo",
                    "PD1",
                    "amount",
                    cad("12.50")
                )
                .is_some(),
                "{other}"
            );
        }
        // Notifications carry strings; the amount is required there.
        let notify = fields(
            json!({"mchOrderNo": "PD1", "amount": "1250", "currency": "CAD", "status": "2"}),
        );
        assert!(notification_matches(&notify, "PD1", cad("12.50")));
        assert!(!notification_matches(&notify, "PD1", cad("12.51")));
        assert!(!notification_matches(&notify, "PD9", cad("12.50")));
        let no_amount = fields(json!({"mchOrderNo": "PD1", "status": "2"}));
        assert!(!notification_matches(&no_amount, "PD1", cad("12.50")));
    }

    #[test]
    fn prepare_create_builds_the_signed_body_without_sending() {
        let iotpay = adapter(|_| {});
        let body = iotpay
            .prepare_create(&request(Method::WechatQr, None))
            .unwrap();
        assert_eq!(body["channelId"], "WX_NATIVE");
        assert_eq!(body["amount"], 1250);
        assert_eq!(body["extra"], r#"{"productId":"PD20260101000001"}"#);
        assert!(body.get("returnUrl").is_none() && body.get("osType").is_none());
        assert!(iotpay_verify(body.as_object().unwrap(), "k"), "signed");

        let scan = iotpay
            .prepare_create(&request(Method::Barcode, Some(" 134567890123456780 ")))
            .unwrap();
        assert_eq!(
            (scan["channelId"].as_str(), scan["identityCode"].as_str()),
            (Some("WX_MICROPAY"), Some("134567890123456780"))
        );
        assert!(matches!(
            iotpay.prepare_create(&request(Method::Barcode, Some("12ab"))),
            Err(Error::InvalidInput { field: "code", .. })
        ));
        let euros = CreateRequest {
            amount: Money::parse("1.00", Currency::parse("EUR").unwrap()).unwrap(),
            ..request(Method::AlipayQr, None)
        };
        assert!(matches!(
            iotpay.prepare_create(&euros),
            Err(Error::InvalidInput {
                field: "currency",
                ..
            })
        ));
    }

    #[test]
    fn prepare_create_refuses_a_missing_setting_by_name() {
        let bare = adapter(|_| {});
        for (method, field) in [
            (Method::WechatApp, "appId"),
            (Method::AlipayWeb, "returnUrl"),
            (Method::AlipayApp, "osType"),
        ] {
            match bare.prepare_create(&request(method, None)) {
                Err(Error::InvalidInput { field: f, message }) => {
                    assert_eq!(f, field, "{method:?}: {message}");
                    assert!(message.contains("settings"), "{message}");
                }
                other => panic!("{method:?}: {other:?}"),
            }
        }
        let set = adapter(|c| {
            c.wechat_app_id = Some("wx123".into());
            c.return_url = "https://shop.example/paid".into();
            c.os_type = Some("android".into());
        });
        let wap = set
            .prepare_create(&request(Method::AlipayWeb, None))
            .unwrap();
        assert_eq!(
            (wap["returnUrl"].as_str(), wap["osType"].as_str()),
            (Some("https://shop.example/paid"), Some("ANDROID"))
        );
        let app = set
            .prepare_create(&request(Method::AlipayApp, None))
            .unwrap();
        assert_eq!(app["osType"], "ANDROID");
        assert!(
            app.get("returnUrl").is_none(),
            "ALIPAY_MOBILE takes no returnUrl"
        );
        let wx = set
            .prepare_create(&request(Method::WechatApp, None))
            .unwrap();
        assert!(wx["extra"].as_str().unwrap().contains("wx123"));
        // UPI_SEQ is a web link too, but the vendor asks returnUrl of Alipay's pages only.
        assert!(bare
            .prepare_create(&request(Method::UnionpayWeb, None))
            .is_ok());

        let windows = adapter(|c| {
            c.return_url = "https://shop.example/paid".into();
            c.os_type = Some("WINDOWS".into());
        });
        assert!(matches!(
            windows.prepare_create(&request(Method::AlipayWeb, None)),
            Err(Error::InvalidInput {
                field: "osType",
                ..
            })
        ));
        let long_url = adapter(|c| {
            c.return_url = format!("https://shop.example/{}", "p".repeat(200));
            c.os_type = Some("IOS".into());
        });
        assert!(matches!(
            long_url.prepare_create(&request(Method::AlipayWeb, None)),
            Err(Error::InvalidInput {
                field: "returnUrl",
                ..
            })
        ));
    }

    /// v1's jobNo is String(50): a login name too long for the card API (String(12)) builds
    /// the adapter and prepares every v1 call; only refund_order's loginName (String(32))
    /// limits a refund.
    #[test]
    fn a_long_login_name_never_stops_v1() {
        let twenty = adapter(|c| c.login_name = "front-counter-cashier".into());
        assert!(twenty
            .prepare_create(&request(Method::AlipayQr, None))
            .is_ok());
        assert!(twenty.prepare_refund("RF1", cad("1.00")).is_ok());
        let forty = adapter(|c| c.login_name = "x".repeat(40));
        assert!(forty
            .prepare_create(&request(Method::AlipayQr, None))
            .is_ok());
        assert!(matches!(
            forty.prepare_refund("RF1", cad("1.00")),
            Err(Error::InvalidInput {
                field: "loginName",
                ..
            })
        ));
        let fifty_one = adapter(|c| c.login_name = "x".repeat(51));
        assert!(matches!(
            fifty_one.prepare_create(&request(Method::AlipayQr, None)),
            Err(Error::InvalidInput { field: "jobNo", .. })
        ));
    }

    #[test]
    fn prepare_refund_checks_the_number_and_the_amount() {
        let iotpay = adapter(|_| {});
        assert!(iotpay
            .prepare_refund("RF20260101000001", cad("0.01"))
            .is_ok());
        assert!(matches!(
            iotpay.prepare_refund(&"R".repeat(31), cad("1.00")),
            Err(Error::InvalidInput {
                field: "mchRefundNo",
                ..
            })
        ));
        assert!(matches!(
            iotpay.prepare_refund(" ", cad("1.00")),
            Err(Error::InvalidInput {
                field: "mchRefundNo",
                ..
            })
        ));
    }

    #[test]
    fn refund_statuses_are_definite_only_for_success_and_failure() {
        assert_eq!(
            refund_status_word("2").unwrap().status,
            OrderStatus::Refunded
        );
        assert_eq!(refund_status_word("9").unwrap().status, OrderStatus::Failed);
        for pending in ["0", "1"] {
            assert_eq!(
                refund_status_word(pending).unwrap().status,
                OrderStatus::Pending
            );
        }
        assert!(refund_status_word("3").is_none(), "undocumented: unknown");
    }

    #[test]
    fn payment_codes_tell_their_wallet() {
        assert_eq!(
            micropay_channel("134567890123456789").unwrap(),
            "WX_MICROPAY"
        );
        assert_eq!(
            micropay_channel("281234567890123456").unwrap(),
            "ALIPAY_MICROPAY"
        );
        assert_eq!(
            micropay_channel("6212345678901234567").unwrap(),
            "UPI_MICROPAY"
        );
        for bad in ["", "12ab", "991234567890123456", "1345"] {
            assert!(
                matches!(
                    micropay_channel(bad),
                    Err(Error::InvalidInput { field: "code", .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn v1_field_limits_name_the_field() {
        let too_long = json!({ "subject": "x".repeat(65) });
        match check_v1_lengths(&too_long) {
            Err(Error::InvalidInput { field, message }) => {
                assert_eq!(field, "subject");
                assert!(message.contains("64"));
            }
            other => panic!("{other:?}"),
        }
        assert!(check_v1_lengths(&json!({ "subject": "x".repeat(64) })).is_ok());
    }

    #[test]
    fn app_parameters_are_read_from_recorded_bodies() {
        let obj = |v: Value| v.as_object().unwrap().clone();
        let wechat = obj(
            json!({"payOrderId": "P1", "payParams": {"appid": "wx1", "prepayid": "wx201", "package": "Sign=WXPay"}}),
        );
        assert_eq!(app_params(&wechat).unwrap()["prepayid"], "wx201");
        let as_text = obj(json!({"payParams": "{\"tn\":\"785\"}"}));
        assert_eq!(app_params(&as_text).unwrap()["tn"], "785");
        let alipay = obj(json!({"payParams": "app_id=2021&biz_content=x&sign=y"}));
        assert_eq!(
            app_params(&alipay).unwrap(),
            json!("app_id=2021&biz_content=x&sign=y")
        );
        assert_eq!(app_params(&obj(json!({"payParams": ""}))), None);
        assert_eq!(app_params(&obj(json!({"codeUrl": "x"}))), None);
    }

    #[test]
    fn payment_link_accepts_every_known_form() {
        let obj = |v: Value| v.as_object().unwrap().clone();
        assert_eq!(
            payment_link(&obj(json!({"codeUrl": "weixin://wxpay/x"}))).as_deref(),
            Some("weixin://wxpay/x")
        );
        assert_eq!(
            payment_link(&obj(json!({"qr_code": "https://qr.alipay.com/x"}))).as_deref(),
            Some("https://qr.alipay.com/x")
        );
        assert_eq!(
            payment_link(&obj(json!({"retParams": {"alipayUrl": "https://a/x"}}))).as_deref(),
            Some("https://a/x")
        );
        assert_eq!(
            payment_link(&obj(
                json!({"retParams": "{\"unionpayUrl\":\"https://u/x\"}"})
            ))
            .as_deref(),
            Some("https://u/x")
        );
        assert_eq!(payment_link(&obj(json!({"codeUrl": ""}))), None);
    }
}
