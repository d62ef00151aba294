//! The window's Reports screen: daily totals per gateway and status for a range of days in a
//! time zone, read through `Ledger::report` (queries.rs). This module only turns the owner's
//! dates into instants, bounds the range, and lists the days and currencies the chart needs.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::filters::{midnight, parse_day};
use crate::ledger::{Ledger, OrderFilter};
use crate::money::Currency;
use crate::queries::{Period, ReportRow};
use crate::zone::Zone;

/// A year and a day: a chart of more days than this is unreadable, and the query grows with it.
pub const MAX_DAYS: i64 = 366;

/// A currency the report holds, with its decimals, so the window formats minor units exactly
/// without a currency table of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyInfo {
    pub code: &'static str,
    pub exponent: u8,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DailyReport {
    pub from: String,
    pub to: String,
    /// The zone's label: "local", "UTC" or "+05:30".
    pub tz: String,
    /// Every day of the range, in order, with or without orders.
    pub days: Vec<String>,
    /// Day x gateway x status x currency; amounts in minor units.
    pub rows: Vec<ReportRow>,
    /// The currencies in `rows`, by code.
    pub currencies: Vec<CurrencyInfo>,
}

/// Orders created from the start of `from` to the end of `to` (both days included, counted in
/// `tz`: `local`, `UTC` or an offset), per day, gateway, status and currency.
pub fn daily(ledger: &Ledger, from: &str, to: &str, tz: &str) -> Result<DailyReport> {
    let zone = Zone::parse(if tz.trim().is_empty() { "local" } else { tz })?;
    let first = parse_day("from", from)?;
    let last = parse_day("to", to)?;
    if last < first {
        return Err(Error::invalid("to", "the last day is before the first"));
    }
    let span = (last - first).num_days() + 1;
    if span > MAX_DAYS {
        return Err(Error::invalid(
            "to",
            format!("a report covers at most {MAX_DAYS} days, not {span}"),
        ));
    }
    let after_last = last
        .succ_opt()
        .ok_or_else(|| Error::invalid("to", "that date is out of range"))?;
    let filter = OrderFilter {
        from_ms: Some(midnight("from", &zone, first)?),
        to_ms: Some(midnight("to", &zone, after_last)?),
        ..Default::default()
    };
    let rows = ledger.report(&filter, Period::Day, &zone)?;
    let days = first
        .iter_days()
        .take(span as usize)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .collect();
    let mut currencies: Vec<CurrencyInfo> = Vec::new();
    for row in &rows {
        if currencies.iter().all(|c| c.code != row.currency) {
            let currency = Currency::parse(&row.currency)?;
            currencies.push(CurrencyInfo {
                code: currency.code(),
                exponent: currency.exponent(),
            });
        }
    }
    currencies.sort_by_key(|c| c.code);
    Ok(DailyReport {
        from: first.format("%Y-%m-%d").to_string(),
        to: last.format("%Y-%m-%d").to_string(),
        tz: zone.label(),
        days,
        rows,
        currencies,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(result: Result<DailyReport>) -> &'static str {
        match result {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("accepted: {other:?}"),
        }
    }

    #[test]
    fn dates_and_ranges_are_checked_at_the_boundary() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open_in(dir.path()).unwrap();
        assert_eq!(
            field_of(daily(&ledger, "22/11/2026", "2026-11-22", "UTC")),
            "from"
        );
        assert_eq!(
            field_of(daily(&ledger, "2026-11-22", "2026-11-21", "UTC")),
            "to"
        );
        assert_eq!(
            field_of(daily(&ledger, "2025-01-01", "2026-11-22", "UTC")),
            "to"
        );
        assert_eq!(
            field_of(daily(&ledger, "2026-11-01", "2026-11-22", "Mars")),
            "tz"
        );
        let empty = daily(&ledger, "2026-11-01", "2026-11-03", "").unwrap();
        assert_eq!(empty.days, ["2026-11-01", "2026-11-02", "2026-11-03"]);
        assert_eq!(empty.tz, "local");
        assert!(empty.rows.is_empty() && empty.currencies.is_empty());
    }
}
