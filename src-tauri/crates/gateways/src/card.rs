//! The card a payment was taken on, as a gateway's query reports it (IOTPay V3 `cardNum`,
//! `authNum`): what a receipt prints under the amount. Never the card's full number: whatever
//! a gateway sends is masked here to at most the first six and last four digits (PCI DSS's
//! most a merchant may show) before it reaches an event note, the ledger or a receipt.

use serde_json::{json, Map, Value};

/// The longest authorisation code kept: issuers' are six characters; longer text is not one.
const MAX_AUTH_CODE: usize = 20;
/// The longest brand name kept ("American Express").
const MAX_BRAND: usize = 20;

/// What a gateway said of the card that paid: each part only where it said it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardFacts {
    /// Masked, "424242******4242": at most the first six and last four digits.
    pub masked_number: Option<String>,
    /// The issuer's authorisation code.
    pub auth_code: Option<String>,
    /// "Visa", "Mastercard", where the gateway names it.
    pub brand: Option<String>,
}

impl CardFacts {
    /// The facts from a gateway's words, each checked: a number masked (`masked_card_number`),
    /// an authorisation code or brand that is not one left out. None when nothing is left.
    pub fn from_gateway(
        number: Option<&str>,
        auth_code: Option<&str>,
        brand: Option<&str>,
    ) -> Option<CardFacts> {
        let facts = CardFacts {
            masked_number: number.and_then(masked_card_number),
            auth_code: auth_code.and_then(authorisation_code),
            brand: brand
                .map(str::trim)
                .filter(|b| {
                    !b.is_empty()
                        && b.chars().count() <= MAX_BRAND
                        && !b.chars().any(char::is_control)
                })
                .map(str::to_string),
        };
        (facts.masked_number.is_some() || facts.auth_code.is_some() || facts.brand.is_some())
            .then_some(facts)
    }

    /// As kept in the order's `payment_payload.card`, in the gateway's own names (the
    /// receipt reads `cardNum` and `authNum` there).
    pub fn to_payload(&self) -> Value {
        let mut card = Map::new();
        if let Some(number) = &self.masked_number {
            card.insert("cardNum".into(), json!(number));
        }
        if let Some(auth) = &self.auth_code {
            card.insert("authNum".into(), json!(auth));
        }
        if let Some(brand) = &self.brand {
            card.insert("brand".into(), json!(brand));
        }
        Value::Object(card)
    }
}

fn is_mask(c: char) -> bool {
    matches!(c, '*' | 'X' | 'x' | '#' | '•')
}

/// A card number as it may be shown: digits only in the first six and last four places of a
/// number of twelve or more places, in the last four of a shorter one; every other digit
/// becomes `*`. So "432567******2266" stays as it is, and a full number a gateway should never
/// have sent ("4325671234562266") comes out "432567******2266". Spaces and dashes between
/// groups are dropped. None for anything but digits and mask characters, or no digit at all.
pub fn masked_card_number(text: &str) -> Option<String> {
    let places: Vec<char> = text
        .trim()
        .chars()
        .filter(|c| *c != ' ' && *c != '-')
        .collect();
    if places.is_empty()
        || places.len() > 19
        || !places.iter().all(|c| c.is_ascii_digit() || is_mask(*c))
    {
        return None;
    }
    let n = places.len();
    let shown = |i: usize| {
        if n >= 12 {
            i < 6 || i >= n - 4
        } else {
            i + 4 >= n
        }
    };
    let mut hid_digits = false;
    let masked: String = places
        .iter()
        .enumerate()
        .map(|(i, c)| match c {
            d if d.is_ascii_digit() && shown(i) => *d,
            d => {
                hid_digits |= d.is_ascii_digit();
                '*'
            }
        })
        .collect();
    if hid_digits {
        // Never the number itself in the log: only that it came unmasked.
        tracing::warn!(
            "a gateway sent a card number with more digits than a masked one shows: masked"
        );
    }
    masked.chars().any(|c| c.is_ascii_digit()).then_some(masked)
}

/// An authorisation code: letters and digits, at most `MAX_AUTH_CODE`.
fn authorisation_code(text: &str) -> Option<String> {
    let code = text.trim();
    (!code.is_empty()
        && code.len() <= MAX_AUTH_CODE
        && code.chars().all(|c| c.is_ascii_alphanumeric()))
    .then(|| code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_masked_number_is_kept_as_the_gateway_gave_it() {
        assert_eq!(
            masked_card_number("432567******2266").as_deref(),
            Some("432567******2266")
        );
        assert_eq!(
            masked_card_number(" ************4242 ").as_deref(),
            Some("************4242")
        );
        assert_eq!(
            masked_card_number("XXXX-XXXX-XXXX-4242").as_deref(),
            Some("************4242")
        );
        assert_eq!(masked_card_number("****4242").as_deref(), Some("****4242"));
    }

    #[test]
    fn a_full_or_overexposed_number_is_masked_to_six_and_four() {
        assert_eq!(
            masked_card_number("4325671234562266").as_deref(),
            Some("432567******2266")
        );
        assert_eq!(
            masked_card_number("4242 4242 4242 4242").as_deref(),
            Some("424242******4242")
        );
        assert_eq!(
            masked_card_number("43256712****2266").as_deref(),
            Some("432567******2266")
        );
        assert_eq!(
            masked_card_number("371449635398431").as_deref(),
            Some("371449*****8431")
        );
        // A short string of digits shows its last four only.
        assert_eq!(masked_card_number("12345678").as_deref(), Some("****5678"));
    }

    #[test]
    fn what_is_not_a_card_number_is_left_out() {
        for text in [
            "",
            "   ",
            "******",
            "card 4242",
            "4242<script>",
            "42424242424242424242",
        ] {
            assert_eq!(masked_card_number(text), None, "{text:?}");
        }
    }

    #[test]
    fn facts_keep_only_what_is_what_it_says() {
        let facts =
            CardFacts::from_gateway(Some("4242424242424242"), Some(" 123456 "), Some("Visa"))
                .unwrap();
        assert_eq!(facts.masked_number.as_deref(), Some("424242******4242"));
        assert_eq!(facts.auth_code.as_deref(), Some("123456"));
        assert_eq!(
            facts.to_payload(),
            json!({"cardNum": "424242******4242", "authNum": "123456", "brand": "Visa"})
        );
        let auth_only = CardFacts::from_gateway(None, Some("AUTH123456"), None).unwrap();
        assert_eq!(auth_only.to_payload(), json!({"authNum": "AUTH123456"}));
        assert_eq!(
            CardFacts::from_gateway(Some(""), Some("not a code!"), Some("")),
            None
        );
        assert_eq!(
            CardFacts::from_gateway(None, Some("123456789012345678901"), None),
            None
        );
    }
}
