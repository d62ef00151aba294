//! IOTPay v1 general orders (reference/gateways.md §1.3-1.7, 1.9): customer-scan QR codes,
//! merchant-scanned payment codes, web links and app parameters; order query; refund.
//! Requests are `params=<JSON>` form posts signed with MD5 (signing.rs); answers are checked
//! for both `retCode` and `resCode`, and their `sign` is verified when present.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{check_length, send, truncate, CreateRequest, Created, Lookup, Report, Reversal};
use crate::error::{Error, Result};
use crate::money::Money;
use crate::order::{Method, MethodKind, OrderStatus};
use crate::signing::{iotpay_sign, iotpay_verify};
use crate::vault::Sensitive;

const GATEWAY: &str = "iotpay";
pub const DEFAULT_V1_BASE: &str = "https://api.iotpaycloud.com/v1";

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
    /// How long to wait for an answer before the outcome is "unknown".
    pub timeout: Duration,
}

pub struct Iotpay {
    http: reqwest::Client,
    config: IotpayConfig,
}

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

/// v1 `status`: 0 created, 1 paying, 2 paid, 3 paid and merchant notified, 4 cancelled by
/// the system, 9 cancelled by the user. Anything else is Pending.
pub fn map_status(code: i64) -> OrderStatus {
    match code {
        2 | 3 => OrderStatus::Paid,
        4 | 9 => OrderStatus::Cancelled,
        _ => OrderStatus::Pending,
    }
}

/// The documented v1 error codes (§1.9), for messages a person can act on.
pub fn error_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "0010" => "system error",
        "0011" => "POST required",
        "0012" => "empty post",
        "0013" => "signature error: check the merchant key",
        "0014" => "parameter error",
        "0015" => "merchant does not exist: check the merchant ID",
        "0110" => "third-party timeout",
        "0111" => "third-party exception",
        "0112" => "merchant order id does not exist",
        "0113" => "order already paid",
        "0118" => "database error",
        _ => return None,
    })
}

/// The envelope every v1 answer shares.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    ret_code: String,
    #[serde(default)]
    ret_msg: Option<String>,
    #[serde(default)]
    res_code: Option<String>,
    #[serde(default)]
    err_code: Option<String>,
    #[serde(default)]
    err_code_des: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryPayload {
    #[serde(default)]
    pay_order_id: Option<String>,
    status: Value,
}

impl Iotpay {
    pub fn new(config: IotpayConfig) -> Result<Iotpay> {
        Ok(Iotpay {
            http: super::http_client(config.timeout)?,
            config,
        })
    }

    pub async fn create_order(&self, request: &CreateRequest<'_>) -> Result<Created> {
        let cents = request.amount.cents(GATEWAY)?;
        let channel = channel_id(request.method, request.payment_code)?;
        let subject = truncate(request.description, 64);
        let mut fields = json!({
            "mchId": self.config.mch_id,
            "mchOrderNo": request.merchant_order_no,
            "channelId": channel,
            "currency": request.amount.currency().code(),
            "amount": cents,
            "clientIp": self.config.client_ip,
            "notifyUrl": self.config.notify_url,
            "subject": subject,
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
                let app_id = self.config.wechat_app_id.as_deref().ok_or_else(|| {
                    Error::invalid(
                        "appId",
                        "WeChat in-app payments need the merchant's WeChat app id in the settings",
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
        check_v1_lengths(&fields)?;
        let payload = self.call("create_order", fields).await?;
        let gateway_order_id = payload
            .get("payOrderId")
            .and_then(Value::as_str)
            .map(str::to_string);
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

    pub async fn query_order(&self, merchant_order_no: &str) -> Result<Lookup> {
        let fields = json!({ "mchId": self.config.mch_id, "mchOrderNo": merchant_order_no });
        let payload = match self.call("query_order", fields).await {
            Err(Error::GatewayRejected { code, .. }) if code == "0112" => {
                return Ok(Lookup::Missing)
            }
            other => other?,
        };
        let query: QueryPayload =
            serde_json::from_value(Value::Object(payload)).map_err(|e| Error::GatewayProtocol {
                gateway: GATEWAY,
                message: format!("query_order answer: {e}"),
            })?;
        // Numbers sometimes arrive as strings; keep the verbatim text either way.
        let raw = match &query.status {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let status = raw
            .trim()
            .parse::<i64>()
            .map(map_status)
            .unwrap_or(OrderStatus::Pending);
        Ok(Lookup::Found(Report {
            status,
            gateway_status: raw,
            gateway_order_id: query.pay_order_id,
            note: None,
        }))
    }

    /// The cheapest signed call, for Settings' "Test connection": a query of an order no one
    /// created. IOTPay checks the merchant and the signature before it looks for the order, so
    /// "no such order" (0112), or any other business answer, means the host answered and took
    /// our credentials; 0013 (signature) and 0015 (merchant) mean they are wrong. Returns the
    /// gateway's words.
    pub async fn check_credentials(&self) -> Result<String> {
        let probe = format!("PDCHECK{}", chrono::Utc::now().timestamp_millis());
        match self.query_order(&probe).await {
            Ok(Lookup::Missing) => Ok("query_order: 0112 merchant order id does not exist".into()),
            Ok(_) => Ok("query_order answered".into()),
            Err(Error::GatewayRejected { code, message, .. })
                if code != "0013" && code != "0015" && code.chars().all(|c| c.is_ascii_digit()) =>
            {
                Ok(format!("query_order: {code} {message}"))
            }
            Err(e) => Err(e),
        }
    }

    /// Checks a notification's `sign` with this merchant's key (constant time).
    pub fn verify(&self, fields: &Map<String, Value>) -> bool {
        iotpay_verify(fields, self.config.key.expose())
    }

    /// `refund_order` (§1.7): up to what was paid, tracked by our `mchRefundNo`.
    pub async fn refund_order(
        &self,
        pay_order_id: &str,
        refund_no: &str,
        amount: Money,
    ) -> Result<Reversal> {
        let fields = json!({
            "mchId": self.config.mch_id,
            "mchRefundNo": refund_no,
            "refundAmount": amount.cents(GATEWAY)?,
            "clientIp": self.config.client_ip,
            "loginName": self.config.login_name,
            "payOrderId": pay_order_id,
        });
        check_length("mchRefundNo", refund_no, 30)?;
        check_length("loginName", &self.config.login_name, 32)?;
        let payload = self.call("refund_order", fields).await?;
        Ok(Reversal {
            gateway_refund_id: payload
                .get("refundOrderId")
                .and_then(Value::as_str)
                .map(str::to_string),
            gateway_status: payload
                .get("status")
                .map(|s| s.to_string().trim_matches('"').to_string()),
        })
    }

    /// Signs and posts one v1 call; returns the answer's fields once both codes say SUCCESS
    /// and its signature (when it has one) verifies.
    async fn call(&self, endpoint: &str, fields: Value) -> Result<Map<String, Value>> {
        let Value::Object(mut fields) = fields else {
            unreachable!("v1 requests are JSON objects")
        };
        let sign = iotpay_sign(&fields, self.config.key.expose());
        fields.insert("sign".into(), Value::String(sign));
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
        parse_answer(endpoint, &text, self.config.key.expose())
    }
}

/// Reads a v1 answer: the envelope's two codes, then the signature.
pub fn parse_answer(endpoint: &str, text: &str, key: &str) -> Result<Map<String, Value>> {
    let protocol = |message: String| Error::GatewayProtocol {
        gateway: GATEWAY,
        message: format!("{endpoint}: {message}"),
    };
    let value: Value =
        serde_json::from_str(text).map_err(|e| protocol(format!("not JSON ({e})")))?;
    let Value::Object(fields) = value else {
        return Err(protocol("not a JSON object".into()));
    };
    let envelope: Envelope = serde_json::from_value(Value::Object(fields.clone()))
        .map_err(|e| protocol(format!("no envelope ({e})")))?;
    if envelope.ret_code != "SUCCESS" {
        return Err(Error::GatewayRejected {
            gateway: GATEWAY,
            code: envelope.ret_code,
            message: envelope
                .ret_msg
                .unwrap_or_else(|| "communication failed".into()),
        });
    }
    if envelope.res_code.as_deref() != Some("SUCCESS") {
        let code = envelope.err_code.unwrap_or_default();
        let message = envelope
            .err_code_des
            .filter(|d| !d.is_empty())
            .or_else(|| error_text(&code).map(str::to_string))
            .unwrap_or_else(|| "business failure".into());
        return Err(Error::GatewayRejected {
            gateway: GATEWAY,
            code,
            message,
        });
    }
    if fields.contains_key("sign") && !iotpay_verify(&fields, key) {
        return Err(protocol("the answer's signature does not verify".into()));
    }
    Ok(fields)
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

/// The v1 create_order field limits (§1.4), checked before anything is sent.
fn check_v1_lengths(fields: &Value) -> Result<()> {
    const LIMITS: &[(&str, usize)] = &[
        ("mchId", 30),
        ("mchOrderNo", 30),
        ("channelId", 24),
        ("clientIp", 32),
        ("notifyUrl", 200),
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

    #[test]
    fn status_codes_map_into_the_unified_model() {
        assert_eq!(map_status(0), OrderStatus::Pending);
        assert_eq!(map_status(1), OrderStatus::Pending);
        assert_eq!(map_status(2), OrderStatus::Paid);
        assert_eq!(map_status(3), OrderStatus::Paid);
        assert_eq!(map_status(4), OrderStatus::Cancelled);
        assert_eq!(map_status(9), OrderStatus::Cancelled);
        assert_eq!(map_status(7), OrderStatus::Pending, "unknown is pending");
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

    #[test]
    fn answers_need_both_codes_and_a_good_signature() {
        let key = "k";
        let rejected = parse_answer(
            "create_order",
            r#"{"retCode":"SUCCESS","resCode":"FAIL","errCode":"0013"}"#,
            key,
        );
        match rejected {
            Err(Error::GatewayRejected { code, message, .. }) => {
                assert_eq!(code, "0013");
                assert!(message.contains("signature"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_answer("x", r#"{"retCode":"FAIL","retMsg":"bad"}"#, key),
            Err(Error::GatewayRejected { .. })
        ));
        assert!(matches!(
            parse_answer("x", "<html>", key),
            Err(Error::GatewayProtocol { .. })
        ));
        let mut good = json!({"retCode":"SUCCESS","resCode":"SUCCESS","payOrderId":"P1"})
            .as_object()
            .unwrap()
            .clone();
        let sign = iotpay_sign(&good, key);
        good.insert("sign".into(), json!(sign));
        let text = Value::Object(good.clone()).to_string();
        assert!(parse_answer("x", &text, key).is_ok());
        assert!(matches!(
            parse_answer("x", &text, "other"),
            Err(Error::GatewayProtocol { .. })
        ));
    }
}
