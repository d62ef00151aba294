//! Words people read: every gateway's own word (an order status, a refund or modification
//! status, an error code) looked up in that gateway's tables, for the API that serves the
//! method. Views, the CLI and the export call this and nothing else about gateways' words.

use crate::words::{DescribedWord, UNKNOWN_WORD_KEY};
use crate::{iotpay, iotpay_card, smartexpay, smartpay, smepay, CodeWord, StatusWord};
use paydesk_domain::order::{Gateway, Method, OrderStatus};

/// One entry of a gateway's tables: its word, the label people read, and the label's
/// catalogue key (the window's words for it in every language).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableWord {
    pub word: &'static str,
    pub label: &'static str,
    pub key: &'static str,
}

impl From<&StatusWord> for TableWord {
    fn from(w: &StatusWord) -> Self {
        TableWord {
            word: w.word,
            label: w.label,
            key: w.key,
        }
    }
}

impl From<&CodeWord> for TableWord {
    fn from(c: &CodeWord) -> Self {
        TableWord {
            word: c.code,
            label: c.label,
            key: c.key,
        }
    }
}

impl From<&smartpay::ModificationWord> for TableWord {
    fn from(w: &smartpay::ModificationWord) -> Self {
        TableWord {
            word: w.word,
            label: w.label,
            key: w.key,
        }
    }
}

/// One table of a gateway's words with their labels and keys.
pub struct WordTable {
    pub name: &'static str,
    pub words: Vec<TableWord>,
}

fn status_table(name: &'static str, words: &[StatusWord]) -> WordTable {
    WordTable {
        name,
        words: words.iter().map(TableWord::from).collect(),
    }
}

fn code_table(name: &'static str, codes: &[CodeWord]) -> WordTable {
    WordTable {
        name,
        words: codes.iter().map(TableWord::from).collect(),
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
                    .map(TableWord::from)
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
    word_entry(gateway, method, word).map(|w| w.label)
}

/// The table entry [`word_label`] reads: the label with its catalogue key.
pub fn word_entry(gateway: Gateway, method: Method, word: &str) -> Option<TableWord> {
    let word = word.trim();
    // The common case without building the tables: the order status table.
    let first: Option<&'static StatusWord> = match gateway {
        Gateway::Iotpay if iotpay_card_api(method) => iotpay_card::status_word(word),
        Gateway::Iotpay if method == Method::Barcode => {
            iotpay::channel_status_word(word, "WX_MICROPAY")
        }
        Gateway::Iotpay if method == Method::CardTerminal => {
            iotpay::channel_status_word(word, iotpay::TERMINAL_CHANNEL)
        }
        Gateway::Iotpay => iotpay::status_word(word),
        Gateway::Smepay => smepay::status_word(word),
        Gateway::Smartpay => smartpay::status_word(word),
        Gateway::Smartexpay => smartexpay::status_word(word),
    };
    first.map(TableWord::from).or_else(|| {
        word_tables(gateway, method).into_iter().find_map(|t| {
            t.words
                .iter()
                .find(|w| w.word.eq_ignore_ascii_case(word))
                .copied()
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
    word_entry_for(gateway, method, status, word).map(|w| w.label)
}

/// The table entry [`word_label_for`] reads: the label with its catalogue key.
pub fn word_entry_for(
    gateway: Gateway,
    method: Method,
    status: OrderStatus,
    word: &str,
) -> Option<TableWord> {
    if matches!(
        status,
        OrderStatus::PartiallyRefunded | OrderStatus::Refunded | OrderStatus::Voided
    ) {
        let trimmed = word.trim();
        let reversal = match gateway {
            Gateway::Iotpay if !iotpay_card_api(method) => {
                iotpay::refund_status_word(trimmed).map(TableWord::from)
            }
            Gateway::Smartpay => smartpay::modification_word(trimmed).map(TableWord::from),
            _ => None,
        };
        if reversal.is_some() {
            return reversal;
        }
    }
    word_entry(gateway, method, word)
}

/// [`word_label_for`], or "an answer Paydesk does not know (<word>)" for a word no table has.
pub fn describe_word_for(
    gateway: Gateway,
    method: Method,
    status: OrderStatus,
    word: &str,
) -> std::borrow::Cow<'static, str> {
    described_word_for(gateway, method, status, word).label
}

/// [`describe_word_for`] with what the window needs to say it in its own language: the
/// label's catalogue key, and the word itself when no table knows it.
pub fn described_word_for(
    gateway: Gateway,
    method: Method,
    status: OrderStatus,
    word: &str,
) -> DescribedWord {
    match word_entry_for(gateway, method, status, word) {
        Some(entry) => DescribedWord {
            label: entry.label.into(),
            key: entry.key,
            unknown: None,
        },
        None => unknown_word(word),
    }
}

/// A word no table has: "an answer Paydesk does not know (<word>)".
fn unknown_word(word: &str) -> DescribedWord {
    let word = word.trim();
    DescribedWord {
        label: format!("an answer Paydesk does not know ({word})").into(),
        key: UNKNOWN_WORD_KEY,
        unknown: Some(word.to_string()),
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
        None => unknown_word(word).label,
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
                for &TableWord { word, label, .. } in &table.words {
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

    /// Every table entry of every gateway, each table once (the order, refund and modification
    /// statuses, the error codes).
    fn every_table_word() -> Vec<(String, TableWord)> {
        let mut seen = std::collections::BTreeMap::new();
        for method in Method::ALL {
            for table in word_tables(method.gateway(), method) {
                for w in table.words {
                    seen.insert((table.name, w.word), w);
                }
            }
        }
        seen.into_iter()
            .map(|((table, word), w)| (format!("{table} {word}"), w))
            .collect()
    }

    /// The window's catalogue of `lang` (ui/src/lib/i18n/catalogues), read from the repository.
    fn catalogue(lang: &str) -> serde_json::Map<String, serde_json::Value> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../ui/src/lib/i18n/catalogues")
            .join(format!("{lang}.json"));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Each entry's key is its own, and every language of the window has words for it; the
    /// English message is the label itself (the window in English shows the core's label).
    #[test]
    fn every_gateway_word_has_its_own_key_in_every_catalogue() {
        let words = every_table_word();
        assert!(words.len() >= 74, "{} table words", words.len());
        let mut keys = std::collections::BTreeMap::new();
        for (entry, w) in &words {
            assert!(w.key.starts_with("gateway_word."), "{entry}: {}", w.key);
            if let Some(other) = keys.insert(w.key, entry) {
                panic!("{entry} and {other} share the key {}", w.key);
            }
        }
        let english = catalogue("en");
        for (entry, w) in &words {
            assert_eq!(
                english.get(w.key).and_then(|m| m.as_str()),
                Some(w.label),
                "{entry}: the English message of {}",
                w.key
            );
        }
        assert_eq!(
            english.get(UNKNOWN_WORD_KEY).and_then(|m| m.as_str()),
            Some("an answer Paydesk does not know ({word})")
        );
        for lang in ["fr-CA", "zh-CN", "hi"] {
            let messages = catalogue(lang);
            for key in keys.keys().copied().chain([UNKNOWN_WORD_KEY]) {
                let message = messages
                    .get(key)
                    .and_then(|m| m.as_str())
                    .unwrap_or_default();
                assert!(!message.trim().is_empty(), "{lang} has no words for {key}");
                assert_ne!(
                    Some(message),
                    english.get(key).and_then(|m| m.as_str()),
                    "{lang}'s {key} is the English"
                );
            }
            let unknown = messages[UNKNOWN_WORD_KEY].as_str().unwrap_or_default();
            assert!(unknown.contains("{word}"), "{lang}: {unknown}");
        }
    }

    /// A word no table has is described with the unknown key and the word itself.
    #[test]
    fn a_word_no_table_knows_carries_itself_for_the_window() {
        let d = described_word_for(Gateway::Smepay, Method::Upi, OrderStatus::Pending, " odd ");
        assert_eq!(d.label, "an answer Paydesk does not know (odd)");
        assert_eq!(d.key, UNKNOWN_WORD_KEY);
        assert_eq!(d.unknown.as_deref(), Some("odd"));
        let d = described_word_for(
            Gateway::Smepay,
            Method::Upi,
            OrderStatus::Pending,
            "INITIATED",
        );
        assert_eq!(d.label, "waiting for the customer");
        assert_eq!(d.key, "gateway_word.smepay.initiated");
        assert_eq!(d.unknown, None);
        let d = described_word_for(
            Gateway::Iotpay,
            Method::WechatQr,
            OrderStatus::Refunded,
            "2",
        );
        assert_eq!(d.key, "gateway_word.iotpay.refund_2");
    }
}
