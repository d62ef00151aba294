//! Amounts as SmartPay's and SMEPay's bodies write them: a decimal with at most two places,
//! read into minor units (cents, paise) without going through a float. From the vendors'
//! documents as reference/gateways.md gives them: SMEPay "rupees with two decimals as a string
//! on create"; SmartPay `payment.amount` a decimal of the currency's units.

/// "12.5", "12.50" or "12" as minor units (1250); `None` for anything else (a sign, an
/// exponent, a third decimal, no digits before the point).
pub(crate) fn two_decimal_minor(text: &str) -> Option<i64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > 2
        || !fraction.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    Some(whole * 100 + fraction)
}

#[cfg(test)]
mod tests {
    use super::two_decimal_minor;

    #[test]
    fn two_places_at_most_into_minor_units() {
        assert_eq!(two_decimal_minor("12.5"), Some(1250));
        assert_eq!(two_decimal_minor("12.50"), Some(1250));
        assert_eq!(two_decimal_minor("12"), Some(1200));
        assert_eq!(two_decimal_minor("0.07"), Some(7));
        for refused in ["", ".5", "1.234", "-1", "1e3", " 1", "1,00"] {
            assert_eq!(two_decimal_minor(refused), None, "{refused:?}");
        }
    }
}
