//! SmartExPay's IPN: the per-order secret it is hashed with, checking its hash, and tying a
//! verified IPN to the order it names. It is sent once and may never come: only a hint.

use sha2::{Digest, Sha256};

use super::wire::{check_identity, protocol, Kept, OrderAnswer};
use paydesk_domain::error::Result;
use paydesk_domain::order::Order;
use paydesk_secrets::signing::{constant_time_eq_ignore_ascii_case, smartexpay_ipn_hash};

/// The per-order IPN secret: derived from the API key and our order number (hex sha256),
/// so nothing secret is written anywhere and the receiver recomputes it.
pub fn ipn_secret(api_key: &str, merchant_order_no: &str) -> String {
    let digest = Sha256::digest(format!("paydesk-ipn:{api_key}:{merchant_order_no}").as_bytes());
    hex::encode(digest)[..32].to_string()
}

/// The IPN fields the hash covers, in order (§4).
pub const IPN_HASHED: [&str; 7] = [
    "orderId",
    "newStatus",
    "inAmount",
    "outAmount",
    "xml_from",
    "xml_to",
    "timestamp",
];

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Checks an IPN's hash (field `hash`, `sign` or `signature`) in constant time.
pub fn verify_ipn(fields: &[(String, String)], secret: &str) -> bool {
    let Some(given) = ["hash", "sign", "signature"]
        .iter()
        .find_map(|name| field(fields, name))
    else {
        return false;
    };
    let mut values = [""; 7];
    for (slot, name) in values.iter_mut().zip(IPN_HASHED) {
        match field(fields, name) {
            Some(v) => *slot = v,
            None => return false,
        }
    }
    constant_time_eq_ignore_ascii_case(given, &smartexpay_ipn_hash(values, secret))
}

/// Ties a (hash-verified) IPN to the order the receiver found for it, before it acts on it:
/// `orderUID` must equal the order's uid, `inAmount` its amount, and `orderId` and `xml_from`
/// what the create answered (where Paydesk kept them). A mismatch is a suspicious
/// `GatewayProtocol`, logged. Pure: the receiver calls it after `verify_ipn`.
pub fn check_ipn_order(fields: &[(String, String)], order: &Order) -> Result<()> {
    let kept = Kept::of(order);
    let Some(uid) = kept.uid.as_deref() else {
        return Err(protocol(format!(
            "order {} has no SmartExPay uid: an IPN cannot be tied to it",
            order.merchant_order_no
        )));
    };
    let answer = OrderAnswer {
        uid: field(fields, "orderUID").map(str::to_string),
        secret: None,
        object_id: field(fields, "orderId").map(str::to_string),
        status: field(fields, "newStatus").map(str::to_string),
        in_amount: field(fields, "inAmount").map(str::to_string),
        route_from: field(fields, "xml_from").map(str::to_string),
    };
    if answer.in_amount.is_none() {
        return Err(protocol("IPN without inAmount".into()));
    }
    check_identity("IPN", &answer, &kept.expected(uid, order.amount))
}
