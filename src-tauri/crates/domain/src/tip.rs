//! Tips: what the counter offers after the sale's amount (fixed amounts under the owner's
//! threshold, percentages from it up, a custom amount, or none), and the arithmetic behind it,
//! in the sale's currency's minor units. The window and the CLI both ask here, so a 15% tip is
//! the same number of cents (or yen) wherever it is chosen.
//!
//! Rules kept here:
//! - a percentage is of the sale, rounded half-up to the currency's minor unit (15% of
//!   ¥1,234 is ¥185; 15% of 10.05 CAD is 1.51);
//! - fixed amounts and the threshold are the owner's major units, read in the sale's currency
//!   (a fixed 1.50 on a yen sale rounds half-up to ¥2: yen have no fraction to keep);
//! - a tip is never negative, and never more than the sale itself: a larger one is refused
//!   (`tip_too_large`), not confirmed, because it is almost always a slip of the keypad (50 for
//!   5.0) and, once charged at a card terminal, only a refund undoes it. A tip equal to the
//!   sale (100%) is allowed;
//! - sale plus tip stays below the counter's ceiling (`Money::from_minor`).

use serde::Serialize;

use crate::error::{Error, Result};
use crate::money::{Currency, Money};

/// What is refused when a tip would exceed the sale (see the module's rules).
pub const TIP_TOO_LARGE: &str = "tip_too_large";
/// What is refused when the method cannot carry a tip (a stored card charged without the
/// customer at the till).
pub const TIP_NOT_TAKEN: &str = "tip_not_taken";

/// The owner's amounts are read with at most this many decimals (the most any known currency
/// has: KWD, BHD), so one stored value works for every currency.
const MAJOR_DECIMALS: u32 = 3;
/// Hundredths of a percent in a whole: 100% = 10_000.
const BASIS: i128 = 10_000;
/// A counter offers at most this many fixed amounts or percentages (keys 1..9).
pub const MAX_CHOICES: usize = 9;

/// An amount the owner gave in major units ("2", "1.50"), kept in thousandths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct MajorAmount(i64);

impl MajorAmount {
    /// Digits with at most one '.' and 3 decimals, at least zero, below 10,000,000.
    pub fn parse(text: &str) -> std::result::Result<MajorAmount, String> {
        let text = text.trim();
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
            return Err(format!("{text:?} is not an amount (such as 2 or 1.50)"));
        }
        if fraction.len() > MAJOR_DECIMALS as usize {
            return Err(format!("{text:?} has more than {MAJOR_DECIMALS} decimals"));
        }
        let whole = whole.trim_start_matches('0');
        if whole.len() > 7 {
            return Err(format!("{text:?} is too large"));
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole
                .parse()
                .map_err(|_| format!("{text:?} is too large"))?
        };
        let mut thousandths: i64 = if fraction.is_empty() {
            0
        } else {
            fraction.parse().unwrap_or(0)
        };
        for _ in fraction.len()..MAJOR_DECIMALS as usize {
            thousandths *= 10;
        }
        Ok(MajorAmount(whole * 1000 + thousandths))
    }

    /// In `currency`'s minor units, rounded half-up where the currency has fewer decimals.
    pub fn minor_in(self, currency: Currency) -> i64 {
        let drop = MAJOR_DECIMALS - u32::from(currency.exponent()).min(MAJOR_DECIMALS);
        let divisor = 10i64.pow(drop);
        (self.0 + divisor / 2) / divisor
    }
}

/// A percentage the owner offers ("15", "12.5"), in hundredths of a percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Percent(u32);

impl Percent {
    /// Above zero, at most 100, at most two decimals.
    pub fn parse(text: &str) -> std::result::Result<Percent, String> {
        let text = text.trim().trim_end_matches('%').trim();
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty()
            || !digits(whole)
            || !digits(fraction)
            || fraction.len() > 2
            || whole.len() > 3
        {
            return Err(format!("{text:?} is not a percentage (such as 15 or 12.5)"));
        }
        let mut hundredths: u32 = if fraction.is_empty() {
            0
        } else {
            fraction.parse().unwrap_or(0)
        };
        if fraction.len() == 1 {
            hundredths *= 10;
        }
        let basis = whole
            .parse::<u32>()
            .unwrap_or(u32::MAX)
            .saturating_mul(100)
            .saturating_add(hundredths);
        if basis == 0 || basis > 10_000 {
            return Err(format!("{text}% is not between 0 and 100"));
        }
        Ok(Percent(basis))
    }

    pub fn basis_points(self) -> u32 {
        self.0
    }

    /// This percentage of `sale`, rounded half-up to the currency's minor unit.
    pub fn of(self, sale: Money) -> i64 {
        let exact = i128::from(sale.minor()) * i128::from(self.0);
        ((exact + BASIS / 2) / BASIS) as i64
    }

    /// "15%", "12.5%".
    pub fn label(self) -> String {
        let (whole, hundredths) = (self.0 / 100, self.0 % 100);
        match hundredths {
            0 => format!("{whole}%"),
            h if h % 10 == 0 => format!("{whole}.{}%", h / 10),
            h => format!("{whole}.{h:02}%"),
        }
    }
}

/// The owner's tip settings, read and checked (`tips.*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipRules {
    /// Sales below this (in major units of the sale's currency) are offered fixed amounts;
    /// from it up, percentages.
    pub threshold: MajorAmount,
    pub fixed: Vec<MajorAmount>,
    pub percentages: Vec<Percent>,
}

impl TipRules {
    /// The rules from the settings' text; an error names the setting at fault.
    pub fn parse(threshold: &str, fixed: &str, percentages: &str) -> Result<TipRules> {
        Ok(TipRules {
            threshold: MajorAmount::parse(threshold)
                .map_err(|m| Error::invalid("tips.threshold", format!("tips.threshold: {m}")))?,
            fixed: parse_fixed(fixed).map_err(|m| Error::invalid("tips.fixed", m))?,
            percentages: parse_percentages(percentages)
                .map_err(|m| Error::invalid("tips.percentages", m))?,
        })
    }

    /// What the counter offers for `sale`: fixed amounts below the threshold, percentages
    /// from it up; each with the key that picks it (1..n). Custom and none are always there
    /// too (the window's C and 0).
    pub fn offer(&self, sale: Money) -> TipOffer {
        let currency = sale.currency();
        let fixed = sale.minor() < self.threshold.minor_in(currency);
        let choices = if fixed {
            self.fixed
                .iter()
                .map(|amount| {
                    let tip = amount.minor_in(currency);
                    TipChoice {
                        label: currency.display(tip),
                        tip_minor: tip,
                        tip_display: currency.display(tip),
                        percent: None,
                    }
                })
                .collect()
        } else {
            self.percentages
                .iter()
                .map(|percent| {
                    let tip = percent.of(sale);
                    TipChoice {
                        label: percent.label(),
                        tip_minor: tip,
                        tip_display: currency.display(tip),
                        percent: Some(percent.label()),
                    }
                })
                .collect()
        };
        TipOffer {
            currency: currency.code(),
            sale_minor: sale.minor(),
            kind: if fixed {
                TipOfferKind::Fixed
            } else {
                TipOfferKind::Percentages
            },
            choices,
        }
    }
}

/// `tips.fixed`: comma-separated amounts in major units, each above zero, at most nine.
pub fn parse_fixed(text: &str) -> std::result::Result<Vec<MajorAmount>, String> {
    let amounts = list(text, "tips.fixed", |part| {
        let amount = MajorAmount::parse(part)?;
        if amount.0 == 0 {
            return Err(format!("{part:?} is zero: leave a choice out instead"));
        }
        Ok(amount)
    })?;
    Ok(amounts)
}

/// `tips.percentages`: comma-separated percentages (15 or 12.5), each above 0 and at most 100.
pub fn parse_percentages(text: &str) -> std::result::Result<Vec<Percent>, String> {
    list(text, "tips.percentages", Percent::parse)
}

fn list<T>(
    text: &str,
    key: &str,
    one: impl Fn(&str) -> std::result::Result<T, String>,
) -> std::result::Result<Vec<T>, String> {
    let parts: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return Err(format!("{key} needs at least one value, such as 1,2,3"));
    }
    if parts.len() > MAX_CHOICES {
        return Err(format!(
            "{key} takes at most {MAX_CHOICES} values (keys 1 to 9)"
        ));
    }
    parts
        .iter()
        .map(|part| one(part).map_err(|m| format!("{key}: {m}")))
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum TipOfferKind {
    Fixed,
    Percentages,
}

/// One tip the counter offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TipChoice {
    /// What the key shows: "2.00" or "15%".
    pub label: String,
    pub tip_minor: i64,
    /// The tip for people, in the sale's currency ("1.85", "185").
    pub tip_display: String,
    /// "15%" when the choice is a percentage.
    pub percent: Option<String>,
}

/// What the counter offers for one sale (the window's tip step, `paydesk order tips`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TipOffer {
    pub currency: &'static str,
    pub sale_minor: i64,
    pub kind: TipOfferKind,
    pub choices: Vec<TipChoice>,
}

/// A tip as typed: "2.00" (an amount in the sale's currency), "15%" (of the sale), or "0" /
/// "" (none). Returns the tip in minor units, checked by [`check_tip`].
pub fn parse_tip(text: &str, sale: Money) -> Result<i64> {
    let text = text.trim();
    let tip = if text.is_empty() {
        0
    } else if let Some(percent) = text.strip_suffix('%') {
        Percent::parse(percent)
            .map_err(|m| Error::invalid("tip", format!("tip: {m}")))?
            .of(sale)
    } else if text.starts_with('-') {
        return Err(Error::invalid(
            "tip",
            format!("a tip cannot be below zero, not {text:?}"),
        ));
    } else {
        match Money::parse(text, sale.currency()) {
            Ok(money) => money.minor(),
            Err(crate::money::MoneyError::Zero) => 0,
            Err(e) => return Err(Error::invalid("tip", format!("tip: {e}"))),
        }
    };
    check_tip(tip, sale)?;
    Ok(tip)
}

/// A tip is at least zero, at most the sale, and sale plus tip stays below the counter's
/// ceiling. Returns the total to charge.
pub fn check_tip(tip_minor: i64, sale: Money) -> Result<Money> {
    let currency = sale.currency();
    if tip_minor < 0 {
        return Err(Error::invalid("tip", "a tip cannot be below zero"));
    }
    if tip_minor > sale.minor() {
        return Err(Error::Refused {
            params: vec![
                ("tip_minor", tip_minor.to_string()),
                ("sale_minor", sale.minor().to_string()),
                ("currency", currency.code().to_string()),
            ],
            code: TIP_TOO_LARGE,
            field: Some("tip"),
            message: format!(
                "a tip of {} {currency} is more than the sale ({} {currency}): ask the customer again",
                currency.display(tip_minor),
                sale.display_amount()
            ),
        });
    }
    Ok(Money::from_minor(sale.minor() + tip_minor, currency)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(text: &str, code: &str) -> Money {
        Money::parse(text, Currency::parse(code).unwrap()).unwrap()
    }

    fn rules() -> TipRules {
        TipRules::parse("10", "1,2,3", "15,18,20").unwrap()
    }

    #[test]
    fn percentages_round_half_up_in_each_currency() {
        let p15 = Percent::parse("15").unwrap();
        assert_eq!(p15.of(money("1234", "JPY")), 185, "15% of ¥1,234 = ¥185.1");
        assert_eq!(p15.of(money("1230", "JPY")), 185, "¥184.5 rounds up");
        assert_eq!(p15.of(money("1000", "KRW")), 150);
        assert_eq!(p15.of(money("10.05", "CAD")), 151, "1.5075 -> 1.51");
        assert_eq!(
            p15.of(money("10.10", "CAD")),
            152,
            "1.515 -> 1.52 (half up)"
        );
        assert_eq!(p15.of(money("1.234", "KWD")), 185, "0.1851 KWD -> 0.185");
        let p125 = Percent::parse("12.5").unwrap();
        assert_eq!(p125.of(money("0.04", "CAD")), 1, "0.005 -> 0.01");
        assert_eq!(p125.label(), "12.5%");
        assert_eq!(Percent::parse("18%").unwrap().label(), "18%");
        assert_eq!(Percent::parse("7.25").unwrap().label(), "7.25%");
    }

    #[test]
    fn fixed_amounts_are_major_units_of_the_sale_currency() {
        let one_fifty = MajorAmount::parse("1.50").unwrap();
        assert_eq!(one_fifty.minor_in(Currency::CAD), 150);
        assert_eq!(
            one_fifty.minor_in(Currency::parse("JPY").unwrap()),
            2,
            "¥1.5 rounds up"
        );
        assert_eq!(one_fifty.minor_in(Currency::parse("KWD").unwrap()), 1500);
        assert_eq!(
            MajorAmount::parse("2")
                .unwrap()
                .minor_in(Currency::parse("KRW").unwrap()),
            2
        );
    }

    #[test]
    fn the_threshold_chooses_fixed_or_percentages() {
        let below = rules().offer(money("9.99", "CAD"));
        assert_eq!(below.kind, TipOfferKind::Fixed);
        let tips: Vec<i64> = below.choices.iter().map(|c| c.tip_minor).collect();
        assert_eq!(tips, [100, 200, 300]);
        assert_eq!(below.choices[0].label, "1.00");
        let at = rules().offer(money("10", "CAD"));
        assert_eq!(
            at.kind,
            TipOfferKind::Percentages,
            "the threshold itself takes percentages"
        );
        let tips: Vec<i64> = at.choices.iter().map(|c| c.tip_minor).collect();
        assert_eq!(tips, [150, 180, 200]);
        assert_eq!(at.choices[1].percent.as_deref(), Some("18%"));
        // In yen the threshold is ¥10: a ¥1,234 sale gets percentages.
        let yen = rules().offer(money("1234", "JPY"));
        assert_eq!(yen.kind, TipOfferKind::Percentages);
        assert_eq!(yen.choices[0].tip_minor, 185);
        assert_eq!(yen.choices[0].tip_display, "185");
    }

    #[test]
    fn typed_tips_amount_percent_or_none() {
        let sale = money("20.00", "CAD");
        assert_eq!(parse_tip("2.00", sale).unwrap(), 200);
        assert_eq!(parse_tip("2.5", sale).unwrap(), 250);
        assert_eq!(parse_tip("15%", sale).unwrap(), 300);
        assert_eq!(parse_tip(" 0 ", sale).unwrap(), 0);
        assert_eq!(parse_tip("", sale).unwrap(), 0);
        assert_eq!(parse_tip("0.00", sale).unwrap(), 0);
        let yen = money("1234", "JPY");
        assert_eq!(parse_tip("15%", yen).unwrap(), 185);
        assert_eq!(parse_tip("100", yen).unwrap(), 100);
        let err = parse_tip("1.5", yen).unwrap_err();
        assert_eq!(err.field(), Some("tip"));
        assert!(err.to_string().contains("decimals"), "{err}");
        assert_eq!(parse_tip("-1", sale).unwrap_err().field(), Some("tip"));
        assert_eq!(parse_tip("2.345", sale).unwrap_err().field(), Some("tip"));
        assert_eq!(parse_tip("abc", sale).unwrap_err().code(), "invalid_input");
        assert_eq!(parse_tip("150%", sale).unwrap_err().field(), Some("tip"));
    }

    #[test]
    fn a_tip_above_the_sale_is_refused_and_the_total_is_bounded() {
        let sale = money("10.00", "CAD");
        assert_eq!(
            check_tip(1000, sale).unwrap().minor(),
            2000,
            "100% is allowed"
        );
        let err = check_tip(1001, sale).unwrap_err();
        assert_eq!(err.code(), TIP_TOO_LARGE);
        assert_eq!(err.field(), Some("tip"));
        assert_eq!(parse_tip("50", sale).unwrap_err().code(), TIP_TOO_LARGE);
        assert!(check_tip(-1, sale).is_err());
        let big = money("9999999.00", "CAD");
        assert_eq!(check_tip(100, big).unwrap_err().code(), "invalid_amount");
    }

    #[test]
    fn settings_text_is_checked_with_the_setting_named() {
        let err = TipRules::parse("ten", "1,2", "15").unwrap_err();
        assert_eq!(err.field(), Some("tips.threshold"));
        let err = TipRules::parse("10", "1,0", "15").unwrap_err();
        assert_eq!(err.field(), Some("tips.fixed"));
        assert!(err.to_string().contains("zero"));
        let err = TipRules::parse("10", "1", "15,101").unwrap_err();
        assert_eq!(err.field(), Some("tips.percentages"));
        assert!(TipRules::parse("10", "1,2,3,4,5,6,7,8,9,10", "15").is_err());
        assert!(TipRules::parse("10", "", "15").is_err());
        assert_eq!(
            TipRules::parse("0", "1", "15").unwrap().threshold,
            MajorAmount(0)
        );
    }
}
