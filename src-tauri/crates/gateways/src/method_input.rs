//! What a payment method needs from the counter besides the amount (a scanned code, a saved
//! card), checked before anything is written.

use crate::{check_length, iotpay};
use paydesk_domain::error::{Error, Result};
use paydesk_domain::order::{Method, MethodKind};

/// Checks what a method needs besides the amount, before anything is written.
pub fn check_method_input(
    method: Method,
    payment_code: Option<&str>,
    card_id: Option<&str>,
) -> Result<()> {
    match method {
        Method::Barcode => iotpay::micropay_channel(payment_code.unwrap_or_default()).map(|_| ()),
        Method::CardToken => match card_id {
            Some(id) => check_card_id(id),
            None => Err(Error::invalid(
                "cardId",
                "a saved-card payment needs the card's id (--card-id)",
            )),
        },
        _ => Ok(()),
    }
}

/// A card id is ours (IOTPay V3 `cardId`, one per card): letters, digits, '-' or '_', at
/// most 30, so it never carries a newline, an escape, a path or a bidi control into a
/// request or the ledger. The same rule for `card add` and a saved-card payment.
pub fn check_card_id(card_id: &str) -> Result<()> {
    if card_id.is_empty()
        || !card_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Error::invalid(
            "cardId",
            "a card id is letters, digits, '-' or '_' (no spaces)",
        ));
    }
    check_length("cardId", card_id, 30)
}

/// Methods whose result is known only after asking (the customer confirms on their phone).
pub fn confirm_by_query(method: Method) -> bool {
    method.kind() == MethodKind::Barcode || method == Method::CardToken
}
