//! IOTPay V3's wire format as the sandbox reads and answers it: JSON bodies signed like v1's,
//! the `{retCode, retMsg, retData}` envelope with the `sign` in `retData`, the fields of an
//! order in an answer, and the ids the sandbox gives.

use axum::body::Bytes;
use axum::Json;
use serde_json::{json, Map, Value};

use crate::iotpay::store::{SandboxOrder, STATUS_PAID};
use crate::SandboxState;
use paydesk_secrets::signing::{iotpay_sign, iotpay_verify};
use paydesk_secrets::vault::Sensitive;

pub(super) fn refuse(message: impl Into<String>) -> Json<Value> {
    Json(json!({ "retCode": "FAIL", "retMsg": message.into() }))
}

pub(super) fn answer(mut data: Map<String, Value>, key: &str) -> Json<Value> {
    let sign = iotpay_sign(&data, key);
    data.insert("sign".into(), json!(sign));
    Json(json!({ "retCode": "SUCCESS", "retMsg": "", "retData": Value::Object(data) }))
}

/// Parses the JSON body, finds the merchant, checks the signature and the required fields.
pub(super) fn authenticated(
    state: &SandboxState,
    body: &Bytes,
    required: &[(&str, usize)],
) -> Result<(Map<String, Value>, Sensitive<String>), Json<Value>> {
    let fields: Map<String, Value> = match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => map,
        _ => return Err(refuse("request body is not a JSON object")),
    };
    let mch_id = fields
        .get("mchId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Some(key) = state.store.iotpay_key(mch_id) else {
        return Err(refuse(format!("merchant {mch_id:?} does not exist")));
    };
    if !iotpay_verify(&fields, key.expose()) {
        return Err(refuse("sign error"));
    }
    for (name, max) in required {
        let present = match fields.get(*name) {
            Some(Value::String(s)) => {
                if s.chars().count() > *max {
                    return Err(refuse(format!("{name} is longer than {max}")));
                }
                !s.is_empty()
            }
            Some(Value::Number(_)) => true,
            _ => false,
        };
        if !present {
            return Err(refuse(format!("{name} is required")));
        }
    }
    Ok((fields, key))
}

pub(super) fn text(fields: &Map<String, Value>, name: &str) -> String {
    fields
        .get(name)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

pub(super) use crate::iotpay::store::new_id;

pub(super) fn order_data(o: &SandboxOrder) -> Map<String, Value> {
    let mut data = Map::new();
    data.insert("payOrderId".into(), json!(o.pay_order_id));
    data.insert("mchId".into(), json!(o.mch_id));
    data.insert("mchOrderNo".into(), json!(o.mch_order_no));
    data.insert("amount".into(), json!(o.amount));
    data.insert("currency".into(), json!(o.currency));
    data.insert(
        "payType".into(),
        json!(if o.refunded > 0 { "refund" } else { "pay" }),
    );
    data.insert(
        "refundable".into(),
        json!(if o.status == STATUS_PAID {
            o.amount - o.refunded
        } else {
            0
        }),
    );
    data.insert("status".into(), json!(o.status));
    data.insert(
        "paySuccTime".into(),
        o.pay_succ_time.map(Value::from).unwrap_or(Value::Null),
    );
    data.insert(
        "cardNum".into(),
        o.card_num.clone().map(Value::from).unwrap_or(Value::Null),
    );
    data.insert(
        "authNum".into(),
        o.channel_order_no
            .clone()
            .map(Value::from)
            .unwrap_or(Value::Null),
    );
    // The rest of the card's facts the Query Transaction page lists as always answered
    // (https://develop.iotpay.ca/guide/creditCard/v3/query_transaction.html: expiryDate MMYY,
    // invoiceNum, transNum, channel PF_CC or UPI_EX), known once a card has paid. The sandbox's
    // card form asks no expiry: its test cards all expire 12/30.
    let paid_with_card = o.card_num.is_some();
    let tail = |prefix: &str| {
        let digits: String = o.pay_order_id.chars().rev().take(10).collect();
        Value::from(format!(
            "{prefix}{}",
            digits.chars().rev().collect::<String>()
        ))
    };
    data.insert(
        "expiryDate".into(),
        if paid_with_card {
            Value::from("1230")
        } else {
            Value::Null
        },
    );
    data.insert(
        "invoiceNum".into(),
        if paid_with_card {
            tail("INV")
        } else {
            Value::Null
        },
    );
    data.insert(
        "transNum".into(),
        if paid_with_card {
            tail("TRN")
        } else {
            Value::Null
        },
    );
    data.insert("channel".into(), Value::from(o.channel_id.clone()));
    data
}

pub(super) const PURCHASE_FIELDS: &[(&str, usize)] = &[
    ("mchId", 30),
    ("mchOrderNo", 30),
    ("amount", 12),
    ("currency", 3),
    ("loginName", 12),
    ("channel", 10),
    ("notifyUrl", 200),
    ("returnUrl", 200),
];

/// A V3 refund's or void's status while it is not decided (2 success and 9 fail are the
/// order statuses'): 0 pending, 1 unknown.
pub(super) const STATUS_PENDING: i64 = 0;
pub(super) const STATUS_UNKNOWN: i64 = 1;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iotpay::store::SandboxOrder;

    fn order(card_num: Option<&str>) -> SandboxOrder {
        SandboxOrder {
            pay_order_id: "PC20240101231256043886634219".into(),
            mch_id: "10000701".into(),
            mch_order_no: "PD1".into(),
            channel_id: "PF_CC".into(),
            amount: 1500,
            currency: "CAD".into(),
            status: if card_num.is_some() { 2 } else { 0 },
            client_ip: String::new(),
            device: None,
            subject: String::new(),
            body: String::new(),
            param1: None,
            param2: None,
            notify_url: String::new(),
            channel_order_no: card_num.map(|_| "123456".into()),
            pay_succ_time: None,
            created_at: 0,
            api: "v3".into(),
            refunded: 0,
            secure_id: None,
            card_num: card_num.map(String::from),
            card_id: None,
        }
    }

    /// Every field the Query Transaction page lists as answered is there, the card's facts
    /// once a card has paid.
    #[test]
    fn a_v3_query_answers_every_field_the_page_lists() {
        let paid = order_data(&order(Some("424242******4242")));
        for name in [
            "payOrderId",
            "mchId",
            "mchOrderNo",
            "currency",
            "amount",
            "payType",
            "refundable",
            "status",
            "paySuccTime",
            "cardNum",
            "expiryDate",
            "invoiceNum",
            "authNum",
            "transNum",
            "channel",
        ] {
            assert!(paid.contains_key(name), "{name} missing: {paid:?}");
        }
        assert_eq!(paid["expiryDate"], "1230");
        assert_eq!(paid["channel"], "PF_CC");
        assert_eq!(paid["transNum"], "TRN3886634219");
        let waiting = order_data(&order(None));
        assert!(waiting["expiryDate"].is_null() && waiting["transNum"].is_null());
    }
}
