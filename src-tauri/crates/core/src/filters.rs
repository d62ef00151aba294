//! The order filter as people type it, checked here into an [`OrderFilter`]: the one parser
//! for the Orders screen and the CLI's `--status`, `--from`, `--min-amount`... (which fill a
//! [`FilterInput`]), so both follow the same rules and answer a mistake with the same code,
//! field and message. Days in a time zone, amounts read in the chosen currency with the
//! counter's own parsing, names checked against the enums. Every mistake is bad input naming
//! the field at fault (the request's own key, so the window shows it beside that input). Also
//! what a filter adds up to, formatted per currency for the window.

use chrono::{DateTime, NaiveDate};
use serde::{Deserialize, Serialize};

use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::{Currency, Money, MoneyError};
use paydesk_domain::order::{Gateway, Method, MoneyClass, OrderStatus};
use paydesk_domain::zone::Zone;
use paydesk_ledger::ledger::OrderFilter;
use paydesk_ledger::queries::{CurrencyTotal, Totals};

/// Longer search terms are refused rather than sent to the index (nothing is that long).
const SEARCH_MAX_CHARS: usize = 100;

/// The filter fields as typed; blank means "any". The field names are the ones errors carry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(optional_fields)]
pub struct FilterInput {
    /// An order status, such as paid or partially_refunded (a hyphen for the underscore too).
    pub status: Option<String>,
    pub gateway: Option<String>,
    /// A payment method, such as wechat-qr; one of the gateway's when a gateway is given.
    pub method: Option<String>,
    /// Only orders in this currency; the amount range is read in it.
    pub currency: Option<String>,
    /// Smallest amount, inclusive, as typed ("20", "20.00").
    pub min_amount: Option<String>,
    /// Largest amount, inclusive.
    pub max_amount: Option<String>,
    /// First day, YYYY-MM-DD, from its midnight in the zone given to [`FilterInput::parse`];
    /// or an exact time in RFC 3339 (2026-11-01T09:30:00+01:00), from that instant.
    pub from: Option<String>,
    /// Last day, inclusive: up to the next day's midnight; or an exact time, exclusive.
    pub to: Option<String>,
    /// Part of an order number, gateway order id or customer.
    pub search: Option<String>,
    /// A counter of the shop, by its name (see `paydesk shop status`).
    pub counter: Option<String>,
    /// The staff member who made the sale, by name (any case).
    pub staff: Option<String>,
}

fn given(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

impl FilterInput {
    /// The filter for the ledger, with days counted in `zone` (the Orders screen and the CLI's
    /// `orders`, `totals` and `export` use the machine's local zone; `report` its `--tz`).
    pub fn parse(&self, zone: &Zone) -> Result<OrderFilter> {
        let status = given(&self.status).map(OrderStatus::parse).transpose()?;
        let gateway = given(&self.gateway).map(Gateway::parse).transpose()?;
        let method = given(&self.method)
            .map(|text| Method::parse_key_within("method", text, gateway))
            .transpose()?;
        let currency = given(&self.currency)
            .map(|text| {
                Currency::parse(text).map_err(|e| Error::invalid("currency", e.to_string()))
            })
            .transpose()?;
        let min = self.amount("minAmount", given(&self.min_amount), currency)?;
        let max = self.amount("maxAmount", given(&self.max_amount), currency)?;
        if let (Some(min), Some(max)) = (min, max) {
            if min > max {
                return Err(Error::invalid(
                    "maxAmount",
                    "the largest amount is below the smallest",
                ));
            }
        }
        let from = given(&self.from)
            .map(|t| Bound::parse("from", t))
            .transpose()?;
        let to = given(&self.to).map(|t| Bound::parse("to", t)).transpose()?;
        let from_ms = from.map(|b| b.start_ms("from", zone)).transpose()?;
        let to_ms = to.map(|b| b.end_ms("to", zone)).transpose()?;
        if let (Some(from), Some(to), Some(from_ms), Some(to_ms)) = (from, to, from_ms, to_ms) {
            if to_ms <= from_ms {
                return Err(Error::invalid("to", Bound::backwards(from, to)));
            }
        }
        let search = given(&self.search).map(str::to_string);
        if search
            .as_deref()
            .is_some_and(|s| s.chars().count() > SEARCH_MAX_CHARS)
        {
            return Err(Error::invalid(
                "search",
                format!("search for at most {SEARCH_MAX_CHARS} characters"),
            ));
        }
        let counter = given(&self.counter).map(str::to_string);
        if counter.as_deref().is_some_and(|c| c.chars().count() > 40) {
            return Err(Error::invalid(
                "counter",
                "a counter's name is at most 40 characters",
            ));
        }
        let staff = given(&self.staff).map(str::to_string);
        if staff.as_deref().is_some_and(|s| s.chars().count() > 40) {
            return Err(Error::invalid("staff", "a name is at most 40 characters"));
        }
        Ok(OrderFilter {
            staff,
            status,
            gateway,
            method,
            currency,
            min_amount_minor: min,
            max_amount_minor: max,
            from_ms,
            to_ms,
            search,
            counter,
            ..Default::default()
        })
    }

    fn amount(
        &self,
        field: &'static str,
        text: Option<&str>,
        currency: Option<Currency>,
    ) -> Result<Option<i64>> {
        let Some(text) = text else { return Ok(None) };
        let currency = currency.ok_or_else(|| {
            Error::invalid(
                "currency",
                "choose a currency to filter by amount: an amount is read in one currency",
            )
        })?;
        match Money::parse(text, currency) {
            Ok(money) => Ok(Some(money.minor())),
            // "From 0" is a fair bound for a filter, though no sale is ever zero.
            Err(MoneyError::Zero) => Ok(Some(0)),
            Err(e) => Err(Error::invalid(field, e.to_string())),
        }
    }
}

/// One end of the date range as typed: a day (the window's date inputs, and the CLI's as its
/// help shows them), or an exact time for a script that needs one (`--from
/// 2026-11-01T09:30:00+01:00`, which the CLI has always taken).
#[derive(Debug, Clone, Copy)]
enum Bound {
    Day(NaiveDate),
    Instant(DateTime<chrono::FixedOffset>),
}

impl Bound {
    fn parse(field: &'static str, text: &str) -> Result<Bound> {
        if let Ok(instant) = DateTime::parse_from_rfc3339(text.trim()) {
            return Ok(Bound::Instant(instant));
        }
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map(Bound::Day)
            .map_err(|_| {
                Error::invalid(
                    field,
                    format!(
                        "{text:?} is not a date: use YYYY-MM-DD, such as 2026-11-01 \
                         (or an exact time, such as 2026-11-01T09:30:00+01:00)"
                    ),
                )
            })
    }

    /// Where a range from this bound starts: the day's midnight, or the instant itself.
    fn start_ms(self, field: &'static str, zone: &Zone) -> Result<i64> {
        match self {
            Bound::Day(day) => midnight(field, zone, day),
            Bound::Instant(instant) => Ok(instant.timestamp_millis()),
        }
    }

    /// Where a range up to this bound stops (exclusive): a day is included whole, up to the
    /// next midnight; an instant is where it stops.
    fn end_ms(self, field: &'static str, zone: &Zone) -> Result<i64> {
        match self {
            Bound::Day(day) => midnight(field, zone, day.succ_opt().unwrap_or(day)),
            Bound::Instant(instant) => Ok(instant.timestamp_millis()),
        }
    }

    /// What is wrong with a range that holds no time at all.
    fn backwards(from: Bound, to: Bound) -> String {
        match (from, to) {
            (Bound::Day(from), Bound::Day(to)) => {
                format!("the last day ({to}) is before the first day ({from})")
            }
            _ => format!(
                "the end ({}) must come after the start ({})",
                to.text(),
                from.text()
            ),
        }
    }

    fn text(self) -> String {
        match self {
            Bound::Day(day) => day.to_string(),
            Bound::Instant(instant) => instant.to_rfc3339(),
        }
    }
}

/// A day as typed (YYYY-MM-DD); the error names `field`.
pub(crate) fn parse_day(field: &'static str, text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        Error::invalid(
            field,
            format!("{text:?} is not a date: use YYYY-MM-DD, such as 2026-11-01"),
        )
    })
}

/// The instant `day` starts in `zone`; the error names `field`.
pub(crate) fn midnight(field: &'static str, zone: &Zone, day: NaiveDate) -> Result<i64> {
    zone.midnight_ms(day).ok_or_else(|| {
        Error::invalid(
            field,
            format!("{day} has no midnight in the {} time zone", zone.label()),
        )
    })
}

/// One currency's takings in [`TotalsView`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyTakings {
    pub currency: String,
    /// Orders that took money (paid, partially refunded, refunded).
    pub paid_count: u64,
    pub taken_minor: i64,
    /// For people: thousands grouped, the currency's decimals ("12,345.60").
    pub taken_display: String,
    pub refunded_minor: i64,
    pub refunded_display: String,
    /// Taken minus refunded: the headline figure.
    pub takings_minor: i64,
    pub takings_display: String,
    /// The part of the takings that is tips (tips taken, net of tips refunded), shown apart:
    /// sales = takings - tips.
    pub tips_minor: i64,
    pub tips_display: String,
    /// The takings without the tips.
    pub sales_minor: i64,
    pub sales_display: String,
    /// Orders that could still be paid: shown apart, never summed into takings.
    pub waiting_count: u64,
    pub waiting_minor: i64,
    pub waiting_display: String,
}

/// What a filter adds up to, as the window, `paydesk totals --json` and the export show it:
/// takings per currency as the headline, with the orders that brought no money counted apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TotalsView {
    /// Every order the filter matched.
    pub count: u64,
    /// Counts over every currency.
    pub waiting: u64,
    pub failed: u64,
    pub cancelled: u64,
    pub expired: u64,
    /// Currencies with any taken or waiting order, by code.
    pub by_currency: Vec<CurrencyTakings>,
}

impl CurrencyTakings {
    pub fn of(total: &CurrencyTotal) -> CurrencyTakings {
        let taken = total.class(MoneyClass::Taken);
        let waiting = total.class(MoneyClass::Waiting);
        let currency = total.currency.as_str();
        CurrencyTakings {
            currency: total.currency.clone(),
            paid_count: taken.count,
            taken_minor: taken.amount_minor,
            taken_display: display(taken.amount_minor, currency),
            refunded_minor: taken.refunded_minor,
            refunded_display: display(taken.refunded_minor, currency),
            takings_minor: total.takings_minor(),
            takings_display: display(total.takings_minor(), currency),
            tips_minor: total.tips_minor(),
            tips_display: display(total.tips_minor(), currency),
            sales_minor: total.takings_minor() - total.tips_minor(),
            sales_display: display(total.takings_minor() - total.tips_minor(), currency),
            waiting_count: waiting.count,
            waiting_minor: waiting.amount_minor,
            waiting_display: display(waiting.amount_minor, currency),
        }
    }
}

impl TotalsView {
    pub fn of(totals: &Totals) -> TotalsView {
        TotalsView {
            count: totals.count,
            waiting: totals.class_count(MoneyClass::Waiting),
            failed: totals.class_count(MoneyClass::Failed),
            cancelled: totals.class_count(MoneyClass::Cancelled),
            expired: totals.class_count(MoneyClass::Expired),
            // Totals come sorted by code.
            by_currency: totals
                .by_currency
                .iter()
                .filter(|t| {
                    t.class(MoneyClass::Taken).count > 0 || t.class(MoneyClass::Waiting).count > 0
                })
                .map(CurrencyTakings::of)
                .collect(),
        }
    }
}

/// Minor units for people in the currency's decimals, thousands grouped; an unknown code
/// (never written by Paydesk) shows its minor units as they are.
pub fn display(minor: i64, currency: &str) -> String {
    match Currency::parse(currency) {
        Ok(currency) => currency.display(minor),
        Err(_) => minor.to_string(),
    }
}

/// What `by` may see of the orders: everything, for a manager or the owner (or anyone in a
/// shop run by its owner alone); otherwise, a cashier's view, today's sales at this counter:
/// the filter is narrowed to them (answers true). The day is `zone`'s.
pub fn restrict_for(
    ledger: &paydesk_ledger::ledger::Ledger,
    by: &crate::staff::Acting,
    filter: &mut OrderFilter,
    zone: &Zone,
) -> Result<bool> {
    if crate::staff::authorize(ledger, by, crate::staff::Permission::SeeAllOrders).is_ok() {
        return Ok(false);
    }
    let midnight = zone.start_of_today_ms();
    filter.from_ms = Some(filter.from_ms.map_or(midnight, |from| from.max(midnight)));
    filter.counter = ledger.membership()?.map(|m| m.counter);
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> FilterInput {
        FilterInput::default()
    }

    fn field_of(result: Result<OrderFilter>) -> &'static str {
        let e = result.expect_err("bad input is refused");
        assert!(e.is_bad_input(), "{e}");
        e.field().expect("the error names its field")
    }

    #[test]
    fn blank_fields_mean_any() {
        let f = FilterInput {
            status: Some(" ".into()),
            search: Some("".into()),
            ..input()
        }
        .parse(&Zone::Utc)
        .unwrap();
        // OrderFilter has no PartialEq (ledger.rs): compare what it prints.
        assert_eq!(format!("{f:?}"), format!("{:?}", OrderFilter::default()));
    }

    #[test]
    fn every_field_maps_onto_the_ledger_filter() {
        let f = FilterInput {
            status: Some("paid".into()),
            gateway: Some("iotpay".into()),
            method: Some("wechat-qr".into()),
            currency: Some("cad".into()),
            min_amount: Some("10".into()),
            max_amount: Some("20.5".into()),
            from: Some("2026-01-01".into()),
            to: Some("2026-01-31".into()),
            search: Some("  PD26 ".into()),
            counter: Some(" Till 2 ".into()),
            staff: None,
        }
        .parse(&Zone::Fixed(3600))
        .unwrap();
        assert_eq!(f.counter.as_deref(), Some("Till 2"));
        assert_eq!(f.status, Some(OrderStatus::Paid));
        assert_eq!(f.gateway, Some(Gateway::Iotpay));
        assert_eq!(f.method, Some(Method::WechatQr));
        assert_eq!(f.currency.map(|c| c.code()), Some("CAD"));
        assert_eq!(f.min_amount_minor, Some(1000));
        assert_eq!(f.max_amount_minor, Some(2050));
        // Midnight of the first day in +01:00, and of the day after the last (exclusive).
        assert_eq!(f.from_ms, Some(1_767_225_600_000 - 3_600_000));
        assert_eq!(
            f.to_ms,
            Some(1_767_225_600_000 + 31 * 86_400_000 - 3_600_000)
        );
        assert_eq!(f.search.as_deref(), Some("PD26"));
    }

    #[test]
    fn one_day_is_from_its_midnight_to_the_next() {
        let f = FilterInput {
            from: Some("2026-01-01".into()),
            to: Some("2026-01-01".into()),
            ..input()
        }
        .parse(&Zone::Utc)
        .unwrap();
        assert_eq!(f.to_ms.unwrap() - f.from_ms.unwrap(), 86_400_000);
    }

    #[test]
    fn an_exact_time_is_taken_as_it_is_and_ends_the_range_before_it() {
        let f = FilterInput {
            from: Some("2026-01-01T09:30:00+01:00".into()),
            to: Some("2026-01-01T10:00:00Z".into()),
            ..input()
        }
        .parse(&Zone::Fixed(-5 * 3600))
        .unwrap();
        assert_eq!(
            f.from_ms,
            Some(1_767_225_600_000 + 8 * 3_600_000 + 1_800_000)
        );
        assert_eq!(f.to_ms, Some(1_767_225_600_000 + 10 * 3_600_000));
        // A day and an exact time mix: the day still starts at its midnight in the zone.
        let f = FilterInput {
            from: Some("2026-01-01".into()),
            to: Some("2026-01-01T10:00:00Z".into()),
            ..input()
        }
        .parse(&Zone::Utc)
        .unwrap();
        assert_eq!(f.from_ms, Some(1_767_225_600_000));
    }

    #[test]
    fn a_range_that_holds_no_time_is_refused_on_its_end() {
        let refused = |from: &str, to: &str| {
            FilterInput {
                from: Some(from.into()),
                to: Some(to.into()),
                ..input()
            }
            .parse(&Zone::Utc)
            .unwrap_err()
            .to_string()
        };
        assert_eq!(
            refused("2026-02-01", "2026-01-31"),
            "to: the last day (2026-01-31) is before the first day (2026-02-01)"
        );
        assert_eq!(
            refused("2026-01-01T10:00:00Z", "2026-01-01T10:00:00+00:00"),
            "to: the end (2026-01-01T10:00:00+00:00) must come after the start (2026-01-01T10:00:00+00:00)"
        );
        assert!(refused("2026-01-02", "2026-01-01T23:59:59Z").starts_with("to: the end"));
    }

    #[test]
    fn amounts_follow_the_currency_and_zero_is_a_fair_lower_bound() {
        let f = FilterInput {
            currency: Some("JPY".into()),
            min_amount: Some("0".into()),
            max_amount: Some("1500".into()),
            ..input()
        }
        .parse(&Zone::Utc)
        .unwrap();
        assert_eq!(
            (f.min_amount_minor, f.max_amount_minor),
            (Some(0), Some(1500))
        );
        assert_eq!(
            field_of(
                FilterInput {
                    currency: Some("JPY".into()),
                    min_amount: Some("1.5".into()),
                    ..input()
                }
                .parse(&Zone::Utc)
            ),
            "minAmount"
        );
    }

    #[test]
    fn bad_input_names_its_field() {
        let cases: Vec<(FilterInput, &str)> = vec![
            (
                FilterInput {
                    currency: Some("CAD".into()),
                    min_amount: Some("abc".into()),
                    ..input()
                },
                "minAmount",
            ),
            (
                FilterInput {
                    currency: Some("CAD".into()),
                    max_amount: Some("-3".into()),
                    ..input()
                },
                "maxAmount",
            ),
            (
                FilterInput {
                    currency: Some("CAD".into()),
                    min_amount: Some("30".into()),
                    max_amount: Some("20".into()),
                    ..input()
                },
                "maxAmount",
            ),
            (
                FilterInput {
                    min_amount: Some("30".into()),
                    ..input()
                },
                "currency",
            ),
            (
                FilterInput {
                    currency: Some("XXX".into()),
                    ..input()
                },
                "currency",
            ),
            (
                FilterInput {
                    from: Some("2026-02-01".into()),
                    to: Some("2026-01-31".into()),
                    ..input()
                },
                "to",
            ),
            (
                FilterInput {
                    from: Some("01/02/2026".into()),
                    ..input()
                },
                "from",
            ),
            (
                FilterInput {
                    to: Some("2026-02-30".into()),
                    ..input()
                },
                "to",
            ),
            (
                FilterInput {
                    status: Some("done".into()),
                    ..input()
                },
                "status",
            ),
            (
                FilterInput {
                    gateway: Some("paypal".into()),
                    ..input()
                },
                "gateway",
            ),
            (
                FilterInput {
                    method: Some("cash".into()),
                    ..input()
                },
                "method",
            ),
            (
                FilterInput {
                    gateway: Some("smepay".into()),
                    method: Some("wechat-qr".into()),
                    ..input()
                },
                "method",
            ),
            (
                FilterInput {
                    search: Some("x".repeat(101)),
                    ..input()
                },
                "search",
            ),
        ];
        for (case, field) in cases {
            assert_eq!(field_of(case.parse(&Zone::Utc)), field, "{case:?}");
        }
    }

    #[test]
    fn totals_are_shown_per_currency_decimals() {
        assert_eq!(display(123_456_789, "CAD"), "1,234,567.89");
        assert_eq!(display(5, "CAD"), "0.05");
        assert_eq!(display(1_500_000, "JPY"), "1,500,000");
        assert_eq!(display(-100_000, "USD"), "-1,000.00");
        assert_eq!(display(42, "???"), "42");
    }
}
