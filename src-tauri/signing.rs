//! The gateways' signature schemes, used by the adapters to sign and verify and by the
//! sandbox to play the gateway's side. The golden vectors of reference/gateways.md pin both.

use md5::{Digest, Md5};
use serde_json::{Map, Value};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The text a field contributes to an IOTPay signature: strings raw, numbers as decimal
/// text, JSON-valued fields as their JSON text. `None` means the field is left out
/// (empty strings and nulls are dropped; 0 stays).
fn iotpay_field_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// IOTPay's MD5 signature (v1 and V3): every field but `sign`, empty ones dropped, sorted by
/// key in byte order, joined `k=v&...`, then `&key=<merchant key>`, uppercase hex MD5.
pub fn iotpay_sign(fields: &Map<String, Value>, merchant_key: &str) -> String {
    let mut pairs: Vec<(&String, String)> = fields
        .iter()
        .filter(|(k, _)| k.as_str() != "sign")
        .filter_map(|(k, v)| iotpay_field_text(v).map(|t| (k, t)))
        .collect();
    pairs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut text = String::new();
    for (k, v) in pairs {
        text.push_str(k);
        text.push('=');
        text.push_str(&v);
        text.push('&');
    }
    text.push_str("key=");
    text.push_str(merchant_key);
    hex::encode_upper(Md5::digest(text.as_bytes()))
}

/// Checks the `sign` a message arrived with against one recomputed over every field that
/// arrived, in constant time. A missing sign does not verify.
pub fn iotpay_verify(fields: &Map<String, Value>, merchant_key: &str) -> bool {
    let Some(Value::String(given)) = fields.get("sign") else {
        return false;
    };
    let expected = iotpay_sign(fields, merchant_key);
    constant_time_eq_ignore_ascii_case(given, &expected)
}

/// SmartExPay's IPN hash: lowercase hex sha256 of
/// `orderId:newStatus:inAmount:outAmount:xml_from:xml_to:timestamp:ipnSecret`, values exactly
/// as received.
pub fn smartexpay_ipn_hash(values: [&str; 7], ipn_secret: &str) -> String {
    let mut text = values.join(":");
    text.push(':');
    text.push_str(ipn_secret);
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Equality that takes the same time wherever the strings differ. Hex case is not
/// significant (some senders lowercase), so both sides are folded first.
pub fn constant_time_eq_ignore_ascii_case(a: &str, b: &str) -> bool {
    let a = a.to_ascii_uppercase();
    let b = b.to_ascii_uppercase();
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// reference/gateways.md §1.1.
    #[test]
    fn iotpay_golden_vector() {
        let fields = json!({
            "mchId": "10000701",
            "mchOrderNo": "ORD20240101001",
            "channelId": "WX_NATIVE",
            "currency": "CAD",
            "amount": 100,
            "clientIp": "210.73.10.148",
            "device": "",
            "notifyUrl": "https://example.com/notify",
            "subject": "test product",
            "body": "this product is for fun",
            "extra": "{\"productId\":\"120989823\"}",
            "jobNo": "jack123",
        });
        let fields = fields.as_object().unwrap();
        assert_eq!(
            iotpay_sign(fields, "TEST_MERCHANT_KEY_123"),
            "1B60C008072C2D9F0AE86B3D6ECE6E91"
        );
    }

    #[test]
    fn iotpay_verify_accepts_the_right_key_only() {
        let mut fields = json!({"mchId": "1", "amount": 0, "status": "2"})
            .as_object()
            .unwrap()
            .clone();
        let sign = iotpay_sign(&fields, "k1");
        fields.insert("sign".into(), json!(sign));
        assert!(iotpay_verify(&fields, "k1"));
        assert!(!iotpay_verify(&fields, "k2"));
        fields.insert("amount".into(), json!(1));
        assert!(
            !iotpay_verify(&fields, "k1"),
            "an altered field breaks the signature"
        );
        fields.remove("sign");
        assert!(!iotpay_verify(&fields, "k1"));
    }

    #[test]
    fn iotpay_zero_stays_and_sign_is_excluded() {
        let with_zero = json!({"a": 0, "sign": "X"});
        let without = json!({});
        assert_ne!(
            iotpay_sign(with_zero.as_object().unwrap(), "k"),
            iotpay_sign(without.as_object().unwrap(), "k")
        );
        let with_sign = json!({"a": 0, "sign": "Y"});
        assert_eq!(
            iotpay_sign(with_zero.as_object().unwrap(), "k"),
            iotpay_sign(with_sign.as_object().unwrap(), "k")
        );
    }

    /// reference/gateways.md §4 (the seed's vector).
    #[test]
    fn smartexpay_golden_vector() {
        let hash = smartexpay_ipn_hash(
            [
                "5d8e6002b80b7b4cd75a6424",
                "inProgress",
                "2",
                "317.42",
                "ETH",
                "WMZ",
                "1571328406072",
            ],
            "SECRET123",
        );
        assert_eq!(
            hash,
            "af3acf947e6f0e0f2c267e300b8582e504dba12d1f2d058652b7414163c09f48"
        );
    }
}
