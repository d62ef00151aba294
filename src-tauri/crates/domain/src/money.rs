//! Money is an integer count of minor units plus an ISO-4217 currency. Parsing from what a
//! cashier types and formatting for people happen here; each gateway's wire form is a
//! conversion method, so no float ever holds an amount.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The largest amount a counter accepts, in major units (exclusive). A typo such as an extra
/// run of zeros is refused rather than sent to a gateway.
pub const MAX_MAJOR_UNITS: i64 = 10_000_000;

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    exponent: u8,
}

/// The currencies the four gateways settle in, plus common neighbours. Exponents from ISO 4217.
const CURRENCIES: &[Currency] = &[
    Currency {
        code: "CAD",
        exponent: 2,
    },
    Currency {
        code: "USD",
        exponent: 2,
    },
    Currency {
        code: "CNY",
        exponent: 2,
    },
    Currency {
        code: "INR",
        exponent: 2,
    },
    Currency {
        code: "EUR",
        exponent: 2,
    },
    Currency {
        code: "GBP",
        exponent: 2,
    },
    Currency {
        code: "AUD",
        exponent: 2,
    },
    Currency {
        code: "HKD",
        exponent: 2,
    },
    Currency {
        code: "SGD",
        exponent: 2,
    },
    Currency {
        code: "CHF",
        exponent: 2,
    },
    Currency {
        code: "PLN",
        exponent: 2,
    },
    Currency {
        code: "RUB",
        exponent: 2,
    },
    Currency {
        code: "UAH",
        exponent: 2,
    },
    Currency {
        code: "JPY",
        exponent: 0,
    },
    Currency {
        code: "KRW",
        exponent: 0,
    },
    Currency {
        code: "KWD",
        exponent: 3,
    },
    Currency {
        code: "BHD",
        exponent: 3,
    },
];

impl Currency {
    pub const CAD: Currency = Currency {
        code: "CAD",
        exponent: 2,
    };

    pub fn parse(text: &str) -> Result<Currency, MoneyError> {
        let upper = text.trim().to_ascii_uppercase();
        CURRENCIES
            .iter()
            .copied()
            .find(|c| c.code == upper)
            .ok_or_else(|| MoneyError::UnknownCurrency(text.trim().to_string()))
    }

    /// Every currency Paydesk knows: the window's list (ui/src/lib/bindings/currencies.ts) is
    /// generated from it, so the UI holds no currency table of its own.
    pub fn all() -> &'static [Currency] {
        CURRENCIES
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Digits after the decimal point (2 for CAD, 0 for JPY, 3 for KWD).
    pub fn exponent(&self) -> u8 {
        self.exponent
    }

    /// Any non-negative count of minor units as plain decimal text (totals, refunded sums).
    pub fn decimal_string(&self, minor: i64) -> String {
        let exp = self.exponent as usize;
        if exp == 0 {
            return minor.to_string();
        }
        let scale = self.scale();
        let sign = if minor < 0 { "-" } else { "" };
        let abs = minor.unsigned_abs();
        format!(
            "{sign}{}.{:0width$}",
            abs / scale as u64,
            abs % scale as u64,
            width = exp
        )
    }

    /// Minor units for people: the currency's decimals, thousands grouped ("1,234.50",
    /// "-12.00", "1,500" JPY). The UI, totals and reports all show amounts this way.
    pub fn display(&self, minor: i64) -> String {
        let plain = self.decimal_string(minor);
        let (sign, plain) = match plain.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", plain.as_str()),
        };
        let (whole, fraction) = match plain.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (plain, None),
        };
        let mut grouped = String::with_capacity(whole.len() + whole.len() / 3 + 4);
        grouped.push_str(sign);
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        if let Some(f) = fraction {
            grouped.push('.');
            grouped.push_str(f);
        }
        grouped
    }

    fn scale(&self) -> i64 {
        10i64.pow(self.exponent as u32)
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code)
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Currency::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount is empty: type an amount such as 12.50")]
    Empty,
    #[error("amount {0:?} is not a number: use digits and one '.' (such as 12.50)")]
    NotANumber(String),
    #[error("amount must be positive, not {0:?}")]
    Negative(String),
    #[error("amount must be more than zero")]
    Zero,
    #[error("amount {text:?} has too many decimals: {currency} takes at most {max}")]
    TooManyDecimals {
        text: String,
        currency: Currency,
        max: u8,
    },
    #[error("amount {text:?} is too large: the counter takes less than {max} {currency}")]
    TooLarge {
        text: String,
        currency: Currency,
        max: i64,
    },
    #[error("unknown currency {0:?}: use an ISO-4217 code such as CAD, USD, INR or EUR")]
    UnknownCurrency(String),
    #[error("{gateway} does not take {currency}")]
    CurrencyNotAccepted {
        gateway: &'static str,
        currency: Currency,
    },
}

impl MoneyError {
    pub fn is_currency(&self) -> bool {
        matches!(
            self,
            MoneyError::UnknownCurrency(_) | MoneyError::CurrencyNotAccepted { .. }
        )
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// A positive amount below the counter's ceiling.
    pub fn from_minor(minor: i64, currency: Currency) -> Result<Money, MoneyError> {
        if minor <= 0 {
            return Err(if minor == 0 {
                MoneyError::Zero
            } else {
                MoneyError::Negative(minor.to_string())
            });
        }
        if minor >= MAX_MAJOR_UNITS * currency.scale() {
            return Err(MoneyError::TooLarge {
                text: minor.to_string(),
                currency,
                max: MAX_MAJOR_UNITS,
            });
        }
        Ok(Money { minor, currency })
    }

    /// Parses what a cashier or a CLI user typed: digits with at most one '.', no sign, no
    /// grouping, at most the currency's number of decimals.
    pub fn parse(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(MoneyError::Empty);
        }
        if let Some(rest) = trimmed.strip_prefix('-') {
            if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit() || c == '.') {
                return Err(MoneyError::Negative(trimmed.to_string()));
            }
        }
        let (whole, fraction) = match trimmed.split_once('.') {
            Some((w, f)) => (w, f),
            None => (trimmed, ""),
        };
        let digits_only = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty())
            || !digits_only(whole)
            || !digits_only(fraction)
        {
            return Err(MoneyError::NotANumber(trimmed.to_string()));
        }
        if fraction.len() > currency.exponent as usize {
            return Err(MoneyError::TooManyDecimals {
                text: trimmed.to_string(),
                currency,
                max: currency.exponent,
            });
        }
        let whole = whole.trim_start_matches('0');
        let too_large = || MoneyError::TooLarge {
            text: trimmed.to_string(),
            currency,
            max: MAX_MAJOR_UNITS,
        };
        // MAX_MAJOR_UNITS has 8 digits: anything longer is refused before it can overflow.
        if whole.len() > 8 {
            return Err(too_large());
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| too_large())?
        };
        let mut fraction_minor: i64 = if fraction.is_empty() {
            0
        } else {
            fraction.parse().map_err(|_| too_large())?
        };
        for _ in fraction.len()..currency.exponent as usize {
            fraction_minor *= 10;
        }
        let minor = whole * currency.scale() + fraction_minor;
        if minor == 0 {
            return Err(MoneyError::Zero);
        }
        if whole >= MAX_MAJOR_UNITS {
            return Err(too_large());
        }
        Ok(Money { minor, currency })
    }

    pub fn minor(&self) -> i64 {
        self.minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Plain decimal text with exactly the currency's decimals: "1234.50", "1500" (JPY).
    /// This is also the wire form of SMEPay ("100.00") and SmartPay, and the CSV form.
    pub fn decimal_string(&self) -> String {
        self.currency.decimal_string(self.minor)
    }

    /// For people: thousands grouped, currency decimals: "1,234.50".
    pub fn display_amount(&self) -> String {
        self.currency.display(self.minor)
    }

    /// The integer count of cents that IOTPay's `amount` and `refundAmount` carry. Only
    /// currencies with two decimals have cents; anything else is refused at this edge.
    pub fn cents(&self, gateway: &'static str) -> Result<i64, MoneyError> {
        if self.currency.exponent != 2 {
            return Err(MoneyError::CurrencyNotAccepted {
                gateway,
                currency: self.currency,
            });
        }
        Ok(self.minor)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.decimal_string(), self.currency)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.display_amount(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cad(text: &str) -> Result<Money, MoneyError> {
        Money::parse(text, Currency::CAD)
    }

    #[test]
    fn parses_cashier_text_into_minor_units() {
        assert_eq!(cad("12.50").unwrap().minor(), 1250);
        assert_eq!(cad("12.5").unwrap().minor(), 1250);
        assert_eq!(cad("12").unwrap().minor(), 1200);
        assert_eq!(cad(" 0.01 ").unwrap().minor(), 1);
        assert_eq!(cad(".75").unwrap().minor(), 75);
        assert_eq!(cad("007.00").unwrap().minor(), 700);
        let jpy = Currency::parse("jpy").unwrap();
        assert_eq!(Money::parse("1500", jpy).unwrap().minor(), 1500);
        let kwd = Currency::parse("KWD").unwrap();
        assert_eq!(Money::parse("1.234", kwd).unwrap().minor(), 1234);
    }

    #[test]
    fn refuses_bad_text_with_a_specific_error() {
        assert!(matches!(
            cad("12.345"),
            Err(MoneyError::TooManyDecimals { max: 2, .. })
        ));
        assert!(matches!(cad("-1"), Err(MoneyError::Negative(_))));
        assert!(matches!(cad("0"), Err(MoneyError::Zero)));
        assert!(matches!(cad("0.00"), Err(MoneyError::Zero)));
        assert!(matches!(cad("abc"), Err(MoneyError::NotANumber(_))));
        assert!(matches!(cad("NaN"), Err(MoneyError::NotANumber(_))));
        assert!(matches!(cad("inf"), Err(MoneyError::NotANumber(_))));
        assert!(matches!(cad("1e3"), Err(MoneyError::NotANumber(_))));
        assert!(matches!(cad("1,000.00"), Err(MoneyError::NotANumber(_))));
        assert!(matches!(cad("1.2.3"), Err(MoneyError::NotANumber(_))));
        assert!(matches!(cad("."), Err(MoneyError::NotANumber(_))));
        assert!(matches!(cad(""), Err(MoneyError::Empty)));
        assert!(matches!(cad("10000000"), Err(MoneyError::TooLarge { .. })));
        assert!(matches!(
            cad("99999999999999999999999"),
            Err(MoneyError::TooLarge { .. })
        ));
        assert_eq!(cad("9999999.99").unwrap().minor(), 999_999_999);
        let jpy = Currency::parse("JPY").unwrap();
        assert!(matches!(
            Money::parse("10.5", jpy),
            Err(MoneyError::TooManyDecimals { max: 0, .. })
        ));
    }

    #[test]
    fn unknown_currency_is_a_currency_error() {
        let err = Currency::parse("XYZ").unwrap_err();
        assert!(err.is_currency());
        assert!(err.to_string().contains("XYZ"));
    }

    #[test]
    fn formats_per_currency() {
        assert_eq!(cad("1234.5").unwrap().decimal_string(), "1234.50");
        assert_eq!(cad("1234567.8").unwrap().display_amount(), "1,234,567.80");
        assert_eq!(cad("0.05").unwrap().to_string(), "0.05 CAD");
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(Money::parse("1500", jpy).unwrap().display_amount(), "1,500");
        let kwd = Currency::parse("KWD").unwrap();
        assert_eq!(Money::parse("2.5", kwd).unwrap().decimal_string(), "2.500");
    }

    #[test]
    fn wire_conversions() {
        assert_eq!(cad("12.50").unwrap().cents("iotpay").unwrap(), 1250);
        let jpy = Currency::parse("JPY").unwrap();
        assert!(Money::parse("100", jpy).unwrap().cents("iotpay").is_err());
    }

    #[test]
    fn from_minor_keeps_the_same_bounds() {
        assert!(Money::from_minor(0, Currency::CAD).is_err());
        assert!(Money::from_minor(-5, Currency::CAD).is_err());
        assert!(Money::from_minor(1_000_000_000, Currency::CAD).is_err());
        assert_eq!(
            Money::from_minor(999_999_999, Currency::CAD)
                .unwrap()
                .minor(),
            999_999_999
        );
    }

    #[test]
    fn serialises_as_code_and_minor() {
        let m = cad("3.10").unwrap();
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"minor":310,"currency":"CAD"}"#);
        let back: Money = serde_json::from_str(&json).unwrap();
        assert_eq!(back, m);
    }
}
