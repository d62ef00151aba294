//! Words people read: every gateway's own word (an order status, a refund or modification
//! status, an error code) looked up in that gateway's tables, for the API that serves the
//! method. Views, the CLI and the export call this and nothing else about gateways' words.

use crate::{iotpay, iotpay_card, smartexpay, smartpay, smepay, CodeWord, StatusWord};
use paydesk_domain::order::{Gateway, Method, OrderStatus};

/// One table of a gateway's words with their labels: (word, label) pairs.
pub struct WordTable {
    pub name: &'static str,
    pub words: Vec<(&'static str, &'static str)>,
}

fn status_table(name: &'static str, words: &[StatusWord]) -> WordTable {
    WordTable {
        name,
        words: words.iter().map(|w| (w.word, w.label)).collect(),
    }
}

fn code_table(name: &'static str, codes: &[CodeWord]) -> WordTable {
    WordTable {
        name,
        words: codes.iter().map(|c| (c.code, c.label)).collect(),
    }
}

/// Whether IOTPay serves `method` through its card API (V3), which has its own words.
fn iotpay_card_api(method: Method) -> bool {
    matches!(method, Method::CardLink | Method::Card | Method::CardToken)
}

/// The tables of words the API serving `method` at `gateway` uses, most specific first:
/// order statuses, then refund / modification statuses, then error codes.
pub fn word_tables(gateway: Gateway, method: Method) -> Vec<WordTable> {
    match gateway {
        Gateway::Iotpay if iotpay_card_api(method) => vec![
            status_table("iotpay card STATUS_WORDS", iotpay_card::STATUS_WORDS),
            code_table("iotpay card ERROR_CODES", iotpay_card::ERROR_CODES),
        ],
        Gateway::Iotpay => {
            let mut tables = Vec::new();
            if method == Method::Barcode {
                // A scanned code's status 4 is the wallet declining, not a closed order.
                tables.push(status_table(
                    "iotpay MICROPAY_DECLINED",
                    std::slice::from_ref(&iotpay::MICROPAY_DECLINED),
                ));
            }
            if method == Method::CardTerminal {
                // The card terminal's words (CC_PAX): a 4 or 9 is a card declined there.
                tables.push(status_table(
                    "iotpay TERMINAL_WORDS",
                    iotpay::TERMINAL_WORDS,
                ));
            }
            tables.push(status_table("iotpay STATUS_WORDS", iotpay::STATUS_WORDS));
            tables.push(status_table(
                "iotpay REFUND_STATUS_WORDS",
                iotpay::REFUND_STATUS_WORDS,
            ));
            tables.push(code_table("iotpay ERROR_CODES", iotpay::ERROR_CODES));
            tables
        }
        Gateway::Smepay => vec![
            status_table("smepay STATUS_WORDS", smepay::STATUS_WORDS),
            code_table("smepay ERROR_CODES", smepay::ERROR_CODES),
        ],
        Gateway::Smartpay => vec![
            status_table("smartpay STATUS_WORDS", &smartpay::STATUS_WORDS),
            WordTable {
                name: "smartpay MODIFICATION_WORDS",
                words: smartpay::MODIFICATION_WORDS
                    .iter()
                    .map(|w| (w.word, w.label))
                    .collect(),
            },
            code_table("smartpay ERROR_CODES", &smartpay::ERROR_CODES),
        ],
        Gateway::Smartexpay => vec![
            status_table("smartexpay STATUS_WORDS", smartexpay::STATUS_WORDS),
            code_table("smartexpay ERROR_CODES", smartexpay::ERROR_CODES),
        ],
    }
}

/// The plain words for a gateway's own word (status or code) on the API serving `method`;
/// `None` when its tables do not know it. Case is ignored (some gateways vary it).
pub fn word_label(gateway: Gateway, method: Method, word: &str) -> Option<&'static str> {
    let word = word.trim();
    // The common case without building the tables: the order status table.
    let first: Option<&'static str> = match gateway {
        Gateway::Iotpay if iotpay_card_api(method) => {
            iotpay_card::status_word(word).map(|w| w.label)
        }
        Gateway::Iotpay if method == Method::Barcode => {
            iotpay::channel_status_word(word, "WX_MICROPAY").map(|w| w.label)
        }
        Gateway::Iotpay if method == Method::CardTerminal => {
            iotpay::channel_status_word(word, iotpay::TERMINAL_CHANNEL).map(|w| w.label)
        }
        Gateway::Iotpay => iotpay::status_word(word).map(|w| w.label),
        Gateway::Smepay => smepay::status_word(word).map(|w| w.label),
        Gateway::Smartpay => smartpay::status_word(word).map(|w| w.label),
        Gateway::Smartexpay => smartexpay::status_word(word).map(|w| w.label),
    };
    first.or_else(|| {
        word_tables(gateway, method).into_iter().find_map(|t| {
            t.words
                .iter()
                .find(|(w, _)| w.eq_ignore_ascii_case(word))
                .map(|(_, label)| *label)
        })
    })
}

/// What an order status word of the API serving `method` means in Paydesk's model; `None` for
/// a word that is not an order status (an error code, an unknown word).
pub fn word_status(gateway: Gateway, method: Method, word: &str) -> Option<OrderStatus> {
    let word = word.trim();
    match gateway {
        Gateway::Iotpay if iotpay_card_api(method) => {
            iotpay_card::status_word(word).map(|w| w.status)
        }
        Gateway::Iotpay if method == Method::Barcode => {
            iotpay::channel_status_word(word, "WX_MICROPAY").map(|w| w.status)
        }
        Gateway::Iotpay if method == Method::CardTerminal => {
            iotpay::channel_status_word(word, iotpay::TERMINAL_CHANNEL).map(|w| w.status)
        }
        Gateway::Iotpay => iotpay::status_word(word).map(|w| w.status),
        Gateway::Smepay => smepay::status_word(word).map(|w| w.status),
        Gateway::Smartpay => smartpay::status_word(word).map(|w| w.status),
        Gateway::Smartexpay => smartexpay::status_word(word).map(|w| w.status),
    }
}

/// The plain words for a gateway's word said of an order now in `status`: after a refund or
/// a void the word is the refund's (or the modification's), read in those tables first (IOTPay's
/// refund "2" is "refunded to the customer", not the order's "paid").
pub fn word_label_for(
    gateway: Gateway,
    method: Method,
    status: OrderStatus,
    word: &str,
) -> Option<&'static str> {
    if matches!(
        status,
        OrderStatus::PartiallyRefunded | OrderStatus::Refunded | OrderStatus::Voided
    ) {
        let trimmed = word.trim();
        let reversal = match gateway {
            Gateway::Iotpay if !iotpay_card_api(method) => {
                iotpay::refund_status_word(trimmed).map(|w| w.label)
            }
            Gateway::Smartpay => smartpay::MODIFICATION_WORDS
                .iter()
                .find(|w| w.word.eq_ignore_ascii_case(trimmed))
                .map(|w| w.label),
            _ => None,
        };
        if reversal.is_some() {
            return reversal;
        }
    }
    word_label(gateway, method, word)
}

/// [`word_label_for`], or "an answer Paydesk does not know (<word>)" for a word no table has.
pub fn describe_word_for(
    gateway: Gateway,
    method: Method,
    status: OrderStatus,
    word: &str,
) -> std::borrow::Cow<'static, str> {
    match word_label_for(gateway, method, status, word) {
        Some(label) => label.into(),
        None => format!("an answer Paydesk does not know ({})", word.trim()).into(),
    }
}

/// [`word_label`], or "an answer Paydesk does not know (<word>)" for a word no table has.
pub fn describe_word(
    gateway: Gateway,
    method: Method,
    word: &str,
) -> std::borrow::Cow<'static, str> {
    match word_label(gateway, method, word) {
        Some(label) => label.into(),
        None => format!("an answer Paydesk does not know ({})", word.trim()).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every word of every gateway's tables reads as plain words: a label that is there and
    /// is not the word itself, found by the one lookup the views use.
    #[test]
    fn every_gateway_word_of_every_table_has_a_human_label() {
        let mut checked = 0;
        for method in Method::ALL {
            let gateway = method.gateway();
            for table in word_tables(gateway, method) {
                for (word, label) in &table.words {
                    assert!(!label.trim().is_empty(), "{}: {word}", table.name);
                    assert!(
                        !label.trim().eq_ignore_ascii_case(word),
                        "{}: the label of {word} is the word itself",
                        table.name
                    );
                    let found = word_label(gateway, method, word)
                        .unwrap_or_else(|| panic!("{}: {word} not found", table.name));
                    assert!(!found.eq_ignore_ascii_case(word), "{}: {word}", table.name);
                    checked += 1;
                }
            }
        }
        assert!(checked > 50, "{checked} words checked");
        assert_eq!(
            word_label(Gateway::Iotpay, Method::Barcode, "4"),
            Some("declined by the customer's wallet")
        );
        assert_eq!(
            word_label(Gateway::Iotpay, Method::WechatQr, "4"),
            Some("closed by the wallet")
        );
        assert_eq!(
            word_label(Gateway::Iotpay, Method::Card, "9"),
            Some("declined by the card network")
        );
        assert_eq!(
            word_label(Gateway::Iotpay, Method::WechatQr, "0111"),
            iotpay::code_word("0111").map(|c| c.label)
        );
        assert_eq!(
            word_label_for(
                Gateway::Iotpay,
                Method::WechatQr,
                OrderStatus::Refunded,
                "2"
            ),
            Some("refunded to the customer"),
            "a refund's word after a refund"
        );
        assert_eq!(
            word_label_for(Gateway::Iotpay, Method::WechatQr, OrderStatus::Paid, "2"),
            Some("paid")
        );
        assert_eq!(
            describe_word(Gateway::Smartexpay, Method::Exchange, "weird"),
            "an answer Paydesk does not know (weird)"
        );
    }
}
