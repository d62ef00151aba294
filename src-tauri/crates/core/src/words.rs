//! The core's printed words: what receipts and shift reports put on paper (and in their PDFs
//! and plain text), taken from the window's own ICU catalogues
//! (ui/src/lib/i18n/catalogues/<tag>.json), embedded at build and parsed once. The core's keys
//! are the `print.*` ones (and `method.*` for how a customer paid); their messages use simple
//! `{name}` arguments only (no plural or select: a unit test holds every catalogue to that),
//! so `fill` is all the ICU this side needs. A key missing in a language falls back to English.
//!
//! Which language prints is decided here too: `print_language` (the shop's, except where paper
//! cannot carry it), and amounts are written as that language writes them (`amount`).

use std::collections::HashMap;
use std::sync::OnceLock;

use paydesk_domain::money::Currency;
use paydesk_domain::order::Method;

use crate::language::{DEFAULT_LANGUAGE, LANGUAGES};

/// One language's messages: key -> ICU message.
type Catalogue = HashMap<String, String>;

/// The catalogue files, as the window reads them, in `LANGUAGES`' order.
const SOURCES: [(&str, &str); 4] = [
    (
        "en",
        include_str!("../../../../ui/src/lib/i18n/catalogues/en.json"),
    ),
    (
        "fr-CA",
        include_str!("../../../../ui/src/lib/i18n/catalogues/fr-CA.json"),
    ),
    (
        "zh-CN",
        include_str!("../../../../ui/src/lib/i18n/catalogues/zh-CN.json"),
    ),
    (
        "hi",
        include_str!("../../../../ui/src/lib/i18n/catalogues/hi.json"),
    ),
];

/// Every catalogue, parsed on first use. A file that does not parse is empty (its words fall
/// back to English) and logged; the unit tests make sure none is.
fn catalogues() -> &'static HashMap<&'static str, Catalogue> {
    static ALL: OnceLock<HashMap<&'static str, Catalogue>> = OnceLock::new();
    ALL.get_or_init(|| {
        SOURCES
            .iter()
            .map(|(tag, json)| {
                let catalogue = serde_json::from_str(json).unwrap_or_else(|e| {
                    tracing::error!("the {tag} catalogue does not read: {e}");
                    Catalogue::new()
                });
                (*tag, catalogue)
            })
            .collect()
    })
}

/// The language printed receipts and reports are written in when the shop speaks `tag`: the
/// shop's own, except Hindi, which prints English. A receipt printer's code pages have no
/// Devanagari (the ESC/POS path would print a row of '?'), and neither PDF writer shapes it
/// (printpdf draws it letter by letter, the report writer's standard fonts have no Devanagari
/// at all): matras would sit on the wrong letter and conjuncts come apart. English is what
/// Indian receipts are commonly printed in. A tag Paydesk does not speak prints English.
pub fn print_language(tag: &str) -> &'static str {
    match LANGUAGES.into_iter().find(|l| *l == tag) {
        Some("hi") | None => DEFAULT_LANGUAGE,
        Some(tag) => tag,
    }
}

/// The words of one language.
#[derive(Clone, Copy)]
pub struct Words {
    language: &'static str,
    messages: &'static Catalogue,
    english: &'static Catalogue,
}

impl std::fmt::Debug for Words {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Words({})", self.language)
    }
}

impl Words {
    /// The words of `tag` (one of `LANGUAGES`); English for any other tag.
    pub fn new(tag: &str) -> Words {
        let all = catalogues();
        let language = LANGUAGES
            .into_iter()
            .find(|l| *l == tag)
            .unwrap_or(DEFAULT_LANGUAGE);
        Words {
            language,
            messages: &all[language],
            english: &all[DEFAULT_LANGUAGE],
        }
    }

    /// The words paper is printed in for a shop speaking `shop_language` (`print_language`).
    pub fn for_print(shop_language: &str) -> Words {
        Words::new(print_language(shop_language))
    }

    pub fn english() -> Words {
        Words::new(DEFAULT_LANGUAGE)
    }

    /// The language's tag ("fr-CA").
    pub fn language(&self) -> &'static str {
        self.language
    }

    pub fn is_english(&self) -> bool {
        self.language == DEFAULT_LANGUAGE
    }

    /// The message of `key` as written (arguments unfilled): this language's, else English's,
    /// else the key itself (a word missing from every catalogue shows as its key, not blank).
    pub fn get<'k>(&self, key: &'k str) -> &'k str {
        message(self.messages, self.english, key)
    }

    /// The message of `key` with its `{name}` arguments replaced by `args`' values.
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(self.get(key), args)
    }

    /// `minor` units of `currency` as a figure of this language, without the code
    /// ("1 234,50" in French, "1,234.50" in English and Chinese).
    pub fn number(&self, minor: i64, currency: Currency) -> String {
        number(self.language, minor, currency)
    }

    /// `minor` units of `currency` with its ISO code after ("1 234,50 CAD").
    pub fn amount(&self, minor: i64, currency: Currency) -> String {
        amount(self.language, minor, currency)
    }

    /// How a customer paid, in this language (the window's `method.*` words).
    pub fn method(&self, method: Method) -> &'static str {
        self.get(method_key(method))
    }

    /// A method named by its English label (as receipts and reports carry it), in this
    /// language; a label no method has stays as it is.
    pub fn method_label<'a>(&self, label: &'a str) -> &'a str {
        match Method::ALL.into_iter().find(|m| m.label() == label) {
            Some(method) => self.method(method),
            None => label,
        }
    }
}

fn message<'k>(messages: &'static Catalogue, english: &'static Catalogue, key: &'k str) -> &'k str {
    match messages.get(key).or_else(|| english.get(key)) {
        Some(text) => text.as_str(),
        None => {
            tracing::warn!("no catalogue has {key}");
            key
        }
    }
}

/// The English catalogue's keys (the tests of what prints check theirs against it).
#[cfg(test)]
pub(crate) fn english_keys() -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = catalogues()[DEFAULT_LANGUAGE]
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

/// The catalogue key of a method's name (written out in full: the catalogue test finds the
/// keys the code uses by searching for them).
pub fn method_key(method: Method) -> &'static str {
    match method {
        Method::WechatQr => "method.wechat_qr",
        Method::AlipayQr => "method.alipay_qr",
        Method::UnionpayQr => "method.unionpay_qr",
        Method::Barcode => "method.barcode",
        Method::AlipayWeb => "method.alipay_web",
        Method::UnionpayWeb => "method.unionpay_web",
        Method::WechatApp => "method.wechat_app",
        Method::AlipayApp => "method.alipay_app",
        Method::UnionpayApp => "method.unionpay_app",
        Method::CardLink => "method.card_link",
        Method::Card => "method.card",
        Method::CardToken => "method.card_token",
        Method::Upi => "method.upi",
        Method::UpiWidget => "method.upi_widget",
        Method::Exchange => "method.exchange",
        Method::SmartpayCard => "method.smartpay_card",
        Method::CardTerminal => "method.card_terminal",
    }
}

/// An ICU message with simple arguments filled: `{name}` becomes its value (an argument not
/// given stays as written), and ICU's quoting is undone: `''` is one apostrophe, and text
/// between a `'` and the next `'` when it starts with `{` or `}` is literal.
pub fn fill(message: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(message.len() + 16);
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => match chars.peek() {
                Some('\'') => {
                    chars.next();
                    out.push('\'');
                }
                Some('{') | Some('}') => {
                    // Quoted literal up to the next lone apostrophe.
                    while let Some(q) = chars.next() {
                        if q == '\'' {
                            if chars.peek() == Some(&'\'') {
                                chars.next();
                                out.push('\'');
                            } else {
                                break;
                            }
                        } else {
                            out.push(q);
                        }
                    }
                }
                _ => out.push('\''),
            },
            '{' => {
                let mut name = String::new();
                let mut closed = false;
                for n in chars.by_ref() {
                    if n == '}' {
                        closed = true;
                        break;
                    }
                    name.push(n);
                }
                match args.iter().find(|(k, _)| *k == name.trim()) {
                    Some((_, value)) if closed => out.push_str(value),
                    _ => {
                        out.push('{');
                        out.push_str(&name);
                        if closed {
                            out.push('}');
                        }
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// `minor` units of `currency` as `language` writes a figure on paper: the currency's
/// decimals (none for JPY), thousands grouped. French (Canada): a plain space between groups
/// and a decimal comma ("1 234,50"; a plain space, not U+202F, which receipt code pages lack);
/// English and Chinese: "1,234.50". A negative amount starts with '-'.
pub fn number(language: &str, minor: i64, currency: Currency) -> String {
    let (group, decimal) = match language {
        "fr-CA" => (' ', ','),
        _ => (',', '.'),
    };
    let exponent = u32::from(currency.exponent());
    let scale = 10u64.pow(exponent);
    let abs = minor.unsigned_abs();
    let whole = (abs / scale).to_string();
    let mut out = String::with_capacity(whole.len() * 2 + 8);
    if minor < 0 {
        out.push('-');
    }
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(c);
    }
    if exponent > 0 {
        out.push(decimal);
        out.push_str(&format!(
            "{:0width$}",
            abs % scale,
            width = exponent as usize
        ));
    }
    out
}

/// An amount on printed paper: the figure as `language` writes it, then the ISO code, in
/// every language (unambiguous on paper): "1,234.50 CAD", "1 234,50 CAD", "1,500 JPY".
pub fn amount(language: &str, minor: i64, currency: Currency) -> String {
    format!("{} {}", number(language, minor, currency), currency.code())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpy() -> Currency {
        Currency::parse("JPY").unwrap()
    }

    #[test]
    fn every_catalogue_reads_and_has_every_english_key() {
        let all = catalogues();
        for (tag, json) in SOURCES {
            assert!(
                serde_json::from_str::<Catalogue>(json).is_ok(),
                "{tag}.json does not read"
            );
            assert!(!all[tag].is_empty(), "{tag}");
        }
        assert_eq!(
            SOURCES.map(|(tag, _)| tag),
            LANGUAGES,
            "one catalogue per language"
        );
    }

    /// The argument names of a message, or why it is not simple: only `{name}` arguments.
    fn simple_arguments(message: &str) -> Result<Vec<String>, String> {
        let mut names = Vec::new();
        let mut rest = message;
        while let Some(open) = rest.find(['{', '}']) {
            if rest[open..].starts_with('}') {
                return Err(format!("a lone }} in {message:?}"));
            }
            let after = &rest[open + 1..];
            let close = after
                .find('}')
                .ok_or_else(|| format!("an unclosed {{ in {message:?}"))?;
            let name = &after[..close];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!(
                    "{{{name}}} in {message:?} is not a simple argument"
                ));
            }
            names.push(name.to_string());
            rest = &after[close + 1..];
        }
        if message.contains('\'') && (message.contains("'{") || message.contains("''")) {
            return Err(format!("ICU quoting in {message:?}"));
        }
        names.sort();
        Ok(names)
    }

    #[test]
    fn every_print_key_is_in_every_catalogue_with_simple_arguments_only() {
        let all = catalogues();
        let english = &all["en"];
        let mut keys: Vec<&String> = english.keys().filter(|k| k.starts_with("print.")).collect();
        keys.sort();
        assert!(keys.len() > 40, "the print keys: {keys:?}");
        let method_keys: Vec<String> = Method::ALL
            .iter()
            .map(|m| method_key(*m).to_string())
            .collect();
        let mut problems = Vec::new();
        for key in keys.into_iter().chain(method_keys.iter()) {
            let theirs = match english.get(key).map(|m| simple_arguments(m)) {
                Some(Ok(names)) => names,
                Some(Err(e)) => {
                    problems.push(format!("en {key}: {e}"));
                    continue;
                }
                None => {
                    problems.push(format!("en has no {key}"));
                    continue;
                }
            };
            for tag in LANGUAGES {
                match all[tag].get(key).map(|m| simple_arguments(m)) {
                    None => problems.push(format!("{tag} has no {key}")),
                    Some(Err(e)) => problems.push(format!("{tag} {key}: {e}")),
                    Some(Ok(names)) if names != theirs => {
                        problems.push(format!("{tag} {key}: {names:?}, English {theirs:?}"))
                    }
                    Some(Ok(_)) => {}
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn the_keys_the_core_prints_are_in_the_catalogues() {
        // Every "print.…" written in the core's source is a key of the English catalogue (a
        // typo would otherwise print the key itself).
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut stack = vec![dir];
        let mut missing = Vec::new();
        let english = &catalogues()["en"];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    for piece in text.split("\"print.").skip(1) {
                        let Some(end) = piece.find('"') else { continue };
                        let rest = &piece[..end];
                        // A key, not a prefix ("print.report." in a test).
                        let is_key = !rest.is_empty()
                            && !rest.ends_with('.')
                            && rest
                                .chars()
                                .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.');
                        let key = format!("print.{rest}");
                        if is_key && !english.contains_key(&key) {
                            missing.push(format!("{}: {key}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn hindi_prints_english_and_the_others_their_own() {
        assert_eq!(print_language("hi"), "en");
        assert_eq!(print_language("en"), "en");
        assert_eq!(print_language("fr-CA"), "fr-CA");
        assert_eq!(print_language("zh-CN"), "zh-CN");
        assert_eq!(print_language("de"), "en");
        assert_eq!(Words::for_print("hi").language(), "en");
        assert_eq!(Words::for_print("hi").get("print.receipt.total"), "TOTAL");
        assert_eq!(Words::for_print("zh-CN").get("print.receipt.total"), "合计");
    }

    #[test]
    fn get_and_fill() {
        let fr = Words::new("fr-CA");
        assert_eq!(fr.get("print.receipt.paid_with"), "Payé avec");
        assert_eq!(
            fr.fill("print.report.opened_by", &[("name", "Zoë")]),
            "Ouvert par Zoë"
        );
        assert_eq!(
            fr.method(Method::WechatQr),
            Words::new("fr-CA").get("method.wechat_qr")
        );
        assert_eq!(
            Words::english().method_label("WeChat Pay QR"),
            "WeChat Pay QR"
        );
        assert_eq!(fr.method_label("Not a method"), "Not a method");
        // A key no catalogue has shows as itself.
        assert_eq!(fr.get("nothing.here"), "nothing.here");
        assert_eq!(Words::new("xx").language(), "en");
    }

    #[test]
    fn a_missing_word_falls_back_to_english() {
        static MINE: OnceLock<Catalogue> = OnceLock::new();
        static ENGLISH: OnceLock<Catalogue> = OnceLock::new();
        let mine = MINE.get_or_init(|| Catalogue::from([("a".to_string(), "un".to_string())]));
        let english = ENGLISH.get_or_init(|| {
            Catalogue::from([
                ("a".to_string(), "one".to_string()),
                ("b".to_string(), "two".to_string()),
            ])
        });
        let words = Words {
            language: "fr-CA",
            messages: mine,
            english,
        };
        assert_eq!(words.get("a"), "un");
        assert_eq!(words.get("b"), "two");
        assert_eq!(words.get("c"), "c");
    }

    #[test]
    fn fill_replaces_simple_arguments_and_undoes_icu_quotes() {
        assert_eq!(
            fill(
                "{staff}, approved by {approver}",
                &[("staff", "Bob"), ("approver", "Max")]
            ),
            "Bob, approved by Max"
        );
        assert_eq!(fill("{a}{a} {b}", &[("a", "x")]), "xx {b}");
        assert_eq!(fill("customer's code", &[]), "customer's code");
        assert_eq!(
            fill("it''s '{literal}' {n}", &[("n", "1")]),
            "it's {literal} 1"
        );
        assert_eq!(fill("open {brace", &[]), "open {brace");
        assert_eq!(fill("jusqu’au {x}", &[("x", "5")]), "jusqu’au 5");
    }

    #[test]
    fn amounts_as_each_print_language_writes_them() {
        let cad = Currency::CAD;
        assert_eq!(amount("en", 123_450, cad), "1,234.50 CAD");
        assert_eq!(amount("fr-CA", 123_450, cad), "1 234,50 CAD");
        assert_eq!(amount("zh-CN", 123_450, cad), "1,234.50 CAD");
        assert_eq!(amount("fr-CA", 123_456_789, cad), "1 234 567,89 CAD");
        assert_eq!(amount("fr-CA", 5, cad), "0,05 CAD");
        assert_eq!(amount("en", 0, cad), "0.00 CAD");
        assert_eq!(amount("en", 100_000, cad), "1,000.00 CAD");
        assert_eq!(amount("en", 99_999, cad), "999.99 CAD");
        // No decimals: JPY.
        assert_eq!(amount("en", 1_500, jpy()), "1,500 JPY");
        assert_eq!(amount("fr-CA", 1_234_567, jpy()), "1 234 567 JPY");
        assert_eq!(amount("zh-CN", 7, jpy()), "7 JPY");
        // Three: KWD.
        let kwd = Currency::parse("KWD").unwrap();
        assert_eq!(amount("fr-CA", 1_234_567, kwd), "1 234,567 KWD");
        // Negative amounts.
        assert_eq!(amount("en", -123_450, cad), "-1,234.50 CAD");
        assert_eq!(amount("fr-CA", -123_450, cad), "-1 234,50 CAD");
        assert_eq!(amount("fr-CA", -5, cad), "-0,05 CAD");
        assert_eq!(amount("en", -1_500, jpy()), "-1,500 JPY");
        assert_eq!(
            amount("en", i64::MIN, jpy()),
            "-9,223,372,036,854,775,808 JPY"
        );
        // The figure alone, and the words' own.
        assert_eq!(number("fr-CA", 250, cad), "2,50");
        assert_eq!(Words::new("fr-CA").amount(123_450, cad), "1 234,50 CAD");
        // Nothing a receipt code page lacks: plain spaces only.
        assert!(!amount("fr-CA", 123_456_789, cad).contains(['\u{202F}', '\u{A0}']));
    }
}
