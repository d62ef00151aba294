//! The gateways' signature schemes, used by the adapters to sign and verify and by the
//! sandbox to play the gateway's side. The golden vectors of reference/gateways.md pin both.

use md5::{Digest, Md5};
use serde_json::{Map, Value};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The text a field contributes to an IOTPay signature: strings raw, numbers as decimal
/// text, JSON-valued fields as their JSON text. `None` means the field is left out
/// (empty strings and nulls are dropped; 0 stays).
///
/// Nulls are not in IOTPay's signing page, and the vendor's SDK skips only empty strings
/// (reference §6). Paydesk skips a JSON null as if the field were absent, and a test pins it:
/// - the open-source xxpay `PayDigestUtil.getSign(Map, key)`, whose v1 envelope IOTPay's
///   shares (`params=`, retCode/resCode/errCode, payOrderId, status 0/1/2/3), drops a field
///   when its value is `""` or `null`, and a JSON null read into a map is `null` there;
/// - a null carries no value to sign: signing it as `k=` (or `k=null`) would make every
///   answer with an unset field (`paySuccTime` of an unpaid order) fail verification, and
///   refusing to sign nulls would make such answers unreadable for ever (the order could
///   never be settled by query), where skipping keeps the answer checkable field by field;
/// - Paydesk's own requests never contain a null (prepare builds strings and numbers), so
///   the rule only decides how answers and notifications are verified.
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

    /// The null rule (see `iotpay_field_text`): a null field signs exactly as if it were
    /// absent, and so as an empty string; the text "null" is a value like any other.
    #[test]
    fn iotpay_nulls_are_skipped_like_empty_strings() {
        let absent = json!({"mchOrderNo": "PD1", "status": 0});
        let null = json!({"mchOrderNo": "PD1", "status": 0, "paySuccTime": null});
        let empty = json!({"mchOrderNo": "PD1", "status": 0, "paySuccTime": ""});
        let text = json!({"mchOrderNo": "PD1", "status": 0, "paySuccTime": "null"});
        let sign = |v: &Value| iotpay_sign(v.as_object().unwrap(), "k");
        assert_eq!(sign(&null), sign(&absent));
        assert_eq!(sign(&empty), sign(&absent));
        assert_ne!(sign(&text), sign(&absent));
        // Pinned against the MD5 of the string the rule produces.
        assert_eq!(
            sign(&null),
            hex::encode_upper(Md5::digest(b"mchOrderNo=PD1&status=0&key=k"))
        );
        // A signed answer with a null verifies, and still breaks when a value changes.
        let mut answer = null.as_object().unwrap().clone();
        answer.insert("sign".into(), json!(sign(&null)));
        assert!(iotpay_verify(&answer, "k"));
        answer.insert("paySuccTime".into(), json!(1));
        assert!(!iotpay_verify(&answer, "k"));
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
