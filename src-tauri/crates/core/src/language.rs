//! The languages Paydesk speaks, as BCP 47 tags: the shop's (`shop.language`) and each staff
//! member's own are one of these. The window's words live in its catalogues
//! (ui/src/lib/i18n/catalogues/<tag>.json); this list is exported to the window with the
//! bindings (`languages.ts`), and a vitest checks that the catalogue files are exactly these,
//! so a language cannot be chosen here that the window cannot show, nor the reverse.

use paydesk_domain::error::{Error, Result};
use paydesk_ledger::ledger::Ledger;

/// Every language, English (the default) first.
pub const LANGUAGES: [&str; 4] = ["en", "fr-CA", "zh-CN", "hi"];

/// The shop's language until the owner chooses one, and the window's fallback.
pub const DEFAULT_LANGUAGE: &str = "en";

/// The setting that holds the shop's language (declared with the shop's settings; here so
/// that reading it needs nothing above this module: staff asks it for the window's language).
pub const SHOP_LANGUAGE: &str = "shop.language";

/// The shop's language (`shop.language`; English when unset, or when a value from elsewhere
/// is not one Paydesk speaks: the window must open in some language).
pub fn shop_language(ledger: &Ledger) -> Result<&'static str> {
    Ok(ledger
        .setting(SHOP_LANGUAGE)?
        .and_then(|tag| check_language(SHOP_LANGUAGE, &tag).ok())
        .unwrap_or(DEFAULT_LANGUAGE))
}

/// `text` as one of [`LANGUAGES`] (any case, `_` for `-`, as people type tags), or an
/// `invalid_input` error on `field` that names the field and the languages there are.
pub fn check_language(field: &'static str, text: &str) -> Result<&'static str> {
    let wanted = text.trim().replace('_', "-");
    LANGUAGES
        .into_iter()
        .find(|tag| tag.eq_ignore_ascii_case(&wanted))
        .ok_or_else(|| {
            Error::invalid(
                field,
                format!(
                    "{field} is one of {}, not {:?}",
                    LANGUAGES.join(", "),
                    text.trim()
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_language_is_one_of_the_list_in_its_own_spelling() {
        assert_eq!(check_language("language", "fr-CA").unwrap(), "fr-CA");
        assert_eq!(check_language("language", " zh_cn ").unwrap(), "zh-CN");
        assert_eq!(check_language("language", "HI").unwrap(), "hi");
        assert_eq!(LANGUAGES[0], DEFAULT_LANGUAGE);
    }

    #[test]
    fn an_unknown_language_is_refused_naming_the_field() {
        match check_language("language", "de") {
            Err(Error::InvalidInput { field, message }) => {
                assert_eq!(field, "language");
                assert!(
                    message.contains("language is one of en, fr-CA, zh-CN, hi"),
                    "{message}"
                );
                assert!(message.contains("\"de\""), "{message}");
            }
            other => panic!("de was accepted: {other:?}"),
        }
        assert!(check_language("language", "").is_err());
        assert!(check_language("language", "fr").is_err());
    }
}
