//! IOTPay V3 credit cards (reference/gateways.md §1.8): purchase as a hosted-page link or the
//! embedded iframe (secureId), stored cards (cc_addcard / cc_querycard /
//! cc_purchasewithtoken), query, void (unsettled) and refund (settled). JSON bodies signed
//! with the same MD5 scheme as v1; answers are `{retCode, retMsg, retData}`.

use std::time::Duration;

use serde_json::{json, Map, Value};

use super::{check_length, send, truncate, CreateRequest, Created, Lookup, Report, Reversal};
use crate::error::{Error, Result};
use crate::money::Money;
use crate::order::{Method, OrderStatus};
use crate::signing::{iotpay_sign, iotpay_verify};
use crate::vault::Sensitive;

const GATEWAY: &str = "iotpay";
pub const DEFAULT_LIVE_BASE: &str = "https://ccapi.iotpaycloud.com/v3";
pub const DEFAULT_TEST_BASE: &str = "https://ccdev.iotpaycloud.com/v3";
/// The card form's script: loaded from the vendor by the window, never bundled (PCI).
pub const DEFAULT_SCRIPT_URL: &str = "https://ccapi.iotpaycloud.com/cc/iotpaycc.js";

#[derive(Debug, Clone)]
pub struct IotpayCardConfig {
    pub base: String,
    pub mch_id: String,
    /// String(12) on V3.
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

/// V3 `status`: 0 pending, 1 unknown, 2 and 3 success, 9 failed. Anything else is Pending.
pub fn map_status(code: i64) -> OrderStatus {
    match code {
        2 | 3 => OrderStatus::Paid,
        9 => OrderStatus::Failed,
        _ => OrderStatus::Pending,
    }
}

fn status_text(data: &Map<String, Value>) -> Option<String> {
    data.get("status").map(|s| match s {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

impl IotpayCard {
    pub fn new(config: IotpayCardConfig) -> Result<IotpayCard> {
        check_length("loginName", &config.login_name, 12)?;
        Ok(IotpayCard {
            http: super::http_client(config.timeout)?,
            config,
        })
    }

    pub async fn create(&self, request: &CreateRequest<'_>) -> Result<Created> {
        let amount = request.amount.cents(GATEWAY)?;
        if request.method == Method::CardToken {
            let card_id = request.card_id.ok_or_else(|| {
                Error::invalid("cardId", "a saved-card payment needs the card's id")
            })?;
            let fields = json!({
                "mchId": self.config.mch_id,
                "loginName": self.config.login_name,
                "currency": request.amount.currency().code(),
                "mchOrderNo": request.merchant_order_no,
                "cardId": card_id,
                "amount": amount,
                "subject": truncate(request.description, 64),
                "notifyUrl": self.config.notify_url,
            });
            check_length("cardId", card_id, 30)?;
            let data = self.call("cc_purchasewithtoken", fields).await?;
            let mut created = Created::pending(
                data.get("payOrderId")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            );
            created.gateway_status = status_text(&data);
            created.payload = Some(json!({ "cardId": card_id }));
            return Ok(created);
        }
        let fields = json!({
            "mchId": self.config.mch_id,
            "mchOrderNo": request.merchant_order_no,
            "amount": amount,
            "currency": request.amount.currency().code(),
            "loginName": self.config.login_name,
            "subject": truncate(request.description, 64),
            "body": truncate(request.description, 250),
            "channel": "PF_CC",
            "notifyUrl": self.config.notify_url,
            "returnUrl": self.config.return_url,
        });
        check_length("notifyUrl", &self.config.notify_url, 200)?;
        check_length("returnUrl", &self.config.return_url, 200)?;
        let data = self.call("cc_purchase", fields).await?;
        let redirect_url = data
            .get("redirectUrl")
            .and_then(Value::as_str)
            .map(str::to_string);
        let secure_id = data
            .get("secureId")
            .and_then(Value::as_str)
            .map(str::to_string);
        let mut created = Created::pending(
            data.get("payOrderId")
                .and_then(Value::as_str)
                .map(str::to_string),
        );
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

    pub async fn query(&self, merchant_order_no: &str) -> Result<Lookup> {
        let fields = json!({ "mchId": self.config.mch_id, "mchOrderNo": merchant_order_no });
        let data = match self.call("cc_query", fields).await {
            // V3 does not publish a "no such order" code; its message says so.
            Err(Error::GatewayRejected { message, .. }) if is_not_found(&message) => {
                return Ok(Lookup::Missing)
            }
            other => other?,
        };
        let raw = status_text(&data).ok_or_else(|| protocol("cc_query carried no status"))?;
        let status = raw
            .trim()
            .parse::<i64>()
            .map(map_status)
            .unwrap_or(OrderStatus::Pending);
        let note = data
            .get("cardNum")
            .and_then(Value::as_str)
            .map(|card| format!("card {card}"));
        Ok(Lookup::Found(Report {
            status,
            gateway_status: raw,
            gateway_order_id: data
                .get("payOrderId")
                .and_then(Value::as_str)
                .map(str::to_string),
            note,
        }))
    }

    pub async fn refund(
        &self,
        pay_order_id: &str,
        refund_no: &str,
        amount: Money,
    ) -> Result<Reversal> {
        let fields = json!({
            "mchId": self.config.mch_id,
            "mchRefundNo": refund_no,
            "loginName": self.config.login_name,
            "refundAmount": amount.cents(GATEWAY)?,
            "payOrderId": pay_order_id,
        });
        self.reversal("cc_refund", fields, refund_no).await
    }

    pub async fn void(&self, pay_order_id: &str, refund_no: &str) -> Result<Reversal> {
        let fields = json!({
            "mchId": self.config.mch_id,
            "mchRefundNo": refund_no,
            "loginName": self.config.login_name,
            "payOrderId": pay_order_id,
        });
        self.reversal("cc_void", fields, refund_no).await
    }

    async fn reversal(&self, endpoint: &str, fields: Value, refund_no: &str) -> Result<Reversal> {
        check_length("mchRefundNo", refund_no, 30)?;
        let data = self.call(endpoint, fields).await?;
        let raw = status_text(&data);
        match raw.as_deref().map(str::trim) {
            Some("2") | Some("3") => Ok(Reversal {
                gateway_refund_id: data
                    .get("payOrderId")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                gateway_status: raw,
            }),
            other => Err(Error::GatewayRejected {
                gateway: GATEWAY,
                code: other.unwrap_or("none").to_string(),
                message: format!(
                    "{endpoint} did not succeed (status {})",
                    other.unwrap_or("missing")
                ),
            }),
        }
    }

    /// Starts keeping a customer's card under our `card_id`: a link and a secureId for the form.
    pub async fn add_card(&self, card_id: &str) -> Result<Value> {
        check_length("cardId", card_id, 30)?;
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
        let data = self
            .call(
                "cc_querycard",
                json!({ "mchId": self.config.mch_id, "cardId": card_id }),
            )
            .await?;
        Ok(Value::Object(data))
    }

    /// Signs and posts one V3 call; returns `retData` once `retCode` is SUCCESS and its
    /// signature (when it carries one) verifies.
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

fn is_not_found(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    lower.contains("not exist") || lower.contains("not found")
}

/// Reads a V3 answer: `retCode`, then `retData` and its signature.
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
    let data = match value.get("retData") {
        Some(Value::Object(data)) => data.clone(),
        Some(Value::String(text)) => match serde_json::from_str(text) {
            Ok(Value::Object(data)) => data,
            _ => return Err(protocol(&format!("{endpoint}: retData is not an object"))),
        },
        _ => return Err(protocol(&format!("{endpoint}: no retData"))),
    };
    if data.contains_key("sign") && !iotpay_verify(&data, key) {
        return Err(protocol(&format!(
            "{endpoint}: the answer's signature does not verify"
        )));
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_statuses_map_into_the_unified_model() {
        assert_eq!(map_status(0), OrderStatus::Pending);
        assert_eq!(map_status(1), OrderStatus::Pending, "unknown stays pending");
        assert_eq!(map_status(2), OrderStatus::Paid);
        assert_eq!(map_status(3), OrderStatus::Paid);
        assert_eq!(map_status(9), OrderStatus::Failed);
        assert_eq!(map_status(42), OrderStatus::Pending);
    }

    #[test]
    fn answers_are_read_from_ret_data_and_fail_envelopes_are_refusals() {
        let ok = parse_answer(
            "cc_query",
            r#"{"retCode":"SUCCESS","retMsg":"","retData":{"status":2,"payOrderId":"C1"}}"#,
            "k",
        )
        .unwrap();
        assert_eq!(ok["payOrderId"], "C1");
        let text_data = parse_answer(
            "cc_query",
            r#"{"retCode":"SUCCESS","retData":"{\"status\":0}"}"#,
            "k",
        )
        .unwrap();
        assert_eq!(text_data["status"], 0);
        match parse_answer(
            "cc_purchase",
            r#"{"retCode":"FAIL","retMsg":"amount invalid"}"#,
            "k",
        ) {
            Err(Error::GatewayRejected { code, message, .. }) => assert_eq!(
                (code.as_str(), message.as_str()),
                ("FAIL", "amount invalid")
            ),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_answer("x", r#"{"retCode":"SUCCESS"}"#, "k"),
            Err(Error::GatewayProtocol { .. })
        ));
        assert!(matches!(
            parse_answer("x", "{truncated", "k"),
            Err(Error::GatewayProtocol { .. })
        ));
        let forged = r#"{"retCode":"SUCCESS","retData":{"status":2,"sign":"00000000000000000000000000000000"}}"#;
        assert!(matches!(
            parse_answer("x", forged, "k"),
            Err(Error::GatewayProtocol { .. })
        ));
    }
}
