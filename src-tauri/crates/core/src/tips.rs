//! Tips at the counter: the shop's tip settings (`tips.*`, off by default), the offer for one
//! sale (the window's tip step and `paydesk order tips` ask the same function), and the check
//! of a tip a sale is created with. The arithmetic is the domain's (`paydesk_domain::tip`).

use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::{Currency, Money};
use paydesk_domain::order::{Method, MethodKind};
use paydesk_domain::tip::{
    parse_fixed, parse_percentages, parse_tip, MajorAmount, TipOffer, TipRules, TIP_NOT_TAKEN,
};
use paydesk_ledger::ledger::{Ledger, RefundStatus};

/// on: the counter offers tips after the amount. Off by default.
pub const TIPS_ENABLED: &str = "tips.enabled";
/// The sale (in major units of its currency) under which fixed amounts are offered; from it
/// up, percentages.
pub const TIPS_THRESHOLD: &str = "tips.threshold";
/// The fixed amounts offered under the threshold, major units, comma-separated.
pub const TIPS_FIXED: &str = "tips.fixed";
/// The percentages offered from the threshold up, comma-separated.
pub const TIPS_PERCENTAGES: &str = "tips.percentages";

/// The tip settings' keys, in the order Settings lists them.
pub const KEYS: [&str; 4] = [TIPS_ENABLED, TIPS_THRESHOLD, TIPS_FIXED, TIPS_PERCENTAGES];

/// Refused when a tip is asked for while the shop has tips off.
pub const TIPS_OFF: &str = "tips_off";

pub fn default_value(key: &str) -> Option<&'static str> {
    match key {
        TIPS_ENABLED => Some("off"),
        TIPS_THRESHOLD => Some("10"),
        TIPS_FIXED => Some("1,2,3"),
        TIPS_PERCENTAGES => Some("15,18,20"),
        _ => None,
    }
}

/// A tip setting's value checked and normalised (Err: the rule, in words naming the setting).
pub fn check(key: &str, value: &str) -> std::result::Result<String, String> {
    match key {
        TIPS_ENABLED => match value.to_ascii_lowercase().as_str() {
            v @ ("on" | "off") => Ok(v.to_string()),
            _ => Err(format!("tips.enabled is on or off, not {value:?}")),
        },
        TIPS_THRESHOLD => MajorAmount::parse(value)
            .map(|_| value.to_string())
            .map_err(|m| {
                format!("tips.threshold is the sale amount under which fixed tips are offered: {m}")
            }),
        TIPS_FIXED => parse_fixed(value).map(|_| normalised_list(value)),
        TIPS_PERCENTAGES => {
            parse_percentages(value).map(|_| normalised_list(&value.replace('%', "")))
        }
        _ => Err(format!("{key} is not a tip setting")),
    }
}

fn normalised_list(value: &str) -> String {
    value
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(",")
}

/// Whether the shop offers tips.
pub fn enabled(ledger: &Ledger) -> Result<bool> {
    Ok(setting(ledger, TIPS_ENABLED)? == "on")
}

/// The shop's rules (its settings, or their defaults).
pub fn rules(ledger: &Ledger) -> Result<TipRules> {
    TipRules::parse(
        &setting(ledger, TIPS_THRESHOLD)?,
        &setting(ledger, TIPS_FIXED)?,
        &setting(ledger, TIPS_PERCENTAGES)?,
    )
}

fn setting(ledger: &Ledger, key: &'static str) -> Result<String> {
    Ok(ledger
        .setting(key)?
        .unwrap_or_else(|| default_value(key).unwrap_or_default().to_string()))
}

/// What the counter offers for a sale of `amount` (as typed) in `currency`: `None` while tips
/// are off. One implementation for the window's tip step and the CLI.
pub fn offer(ledger: &Ledger, amount: &str, currency: &str) -> Result<Option<TipOffer>> {
    if !enabled(ledger)? {
        return Ok(None);
    }
    let sale = Money::parse(amount, Currency::parse(currency)?)?;
    Ok(Some(rules(ledger)?.offer(sale)))
}

/// The tip (minor units) a sale by `method` of `sale` is created with, from what was typed:
/// 0 for none; refused while tips are off, and on a method that charges a stored card
/// without the customer at the till (nobody there to offer a tip to).
pub fn tip_for(ledger: &Ledger, method: Method, sale: Money, text: &str) -> Result<i64> {
    let tip = parse_tip(text, sale)?;
    if tip == 0 {
        return Ok(0);
    }
    if !enabled(ledger)? {
        return Err(Error::Refused {
            params: vec![],
            code: TIPS_OFF,
            field: Some("tip"),
            message: "tips are off at this shop: turn them on in Settings (tips.enabled) first"
                .into(),
        });
    }
    if method.kind() == MethodKind::Token {
        return Err(Error::Refused {
            params: vec![("method", method.as_str().to_string())],
            code: TIP_NOT_TAKEN,
            field: Some("tip"),
            message: format!(
                "{} charges a stored card without the customer at the till: it takes no tip",
                method.label()
            ),
        });
    }
    Ok(tip)
}

/// What of the sale (without its tip) is not yet given back or held by a refund under way: a
/// refund gives back the sale first, so this is what "Refund the sale (without tip)" takes.
pub fn sale_left(ledger: &Ledger, order: &paydesk_domain::order::Order) -> Result<i64> {
    let held: i64 = ledger
        .refunds(order.id)?
        .iter()
        .filter(|r| r.status != RefundStatus::Failed)
        .map(|r| r.amount_minor - r.tip_minor)
        .sum();
    Ok((order.sale_minor() - held).max(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked_and_normalised() {
        assert_eq!(check(TIPS_ENABLED, "ON").unwrap(), "on");
        assert!(check(TIPS_ENABLED, "yes")
            .unwrap_err()
            .contains("on or off"));
        assert_eq!(check(TIPS_FIXED, " 1, 2 ,3 ").unwrap(), "1,2,3");
        assert_eq!(check(TIPS_PERCENTAGES, "15%, 18%").unwrap(), "15,18");
        assert!(check(TIPS_PERCENTAGES, "15,abc")
            .unwrap_err()
            .contains("tips.percentages"));
        assert!(check(TIPS_THRESHOLD, "-5")
            .unwrap_err()
            .contains("tips.threshold"));
        assert_eq!(check(TIPS_THRESHOLD, "12.50").unwrap(), "12.50");
        // The defaults are valid rules.
        assert!(TipRules::parse("10", "1,2,3", "15,18,20").is_ok());
        for key in KEYS {
            assert!(check(key, default_value(key).unwrap()).is_ok(), "{key}");
        }
    }
}
