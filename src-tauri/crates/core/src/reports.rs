//! The window's Reports screen: daily totals per gateway and status for a range of days in a
//! time zone, read through `Ledger::report` (queries.rs). This module only turns the owner's
//! dates into instants, bounds the range, and lists the days and currencies the chart needs.

use serde::Serialize;

use crate::filters::{display, midnight, parse_day, TotalsView};
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::Currency;
use paydesk_domain::zone::Zone;
use paydesk_ledger::ledger::{Ledger, OrderFilter};
use paydesk_ledger::queries::{class_of_bytes, Period, ReportRow};

/// A year and a day: a chart of more days than this is unreadable, and the query grows with it.
pub const MAX_DAYS: i64 = 366;

/// A currency the report holds, with its decimals, so the window formats minor units exactly
/// without a currency table of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyInfo {
    pub code: &'static str,
    pub exponent: u8,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
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
    /// The whole range, as `order_totals` adds it up: takings, and what is counted apart.
    pub totals: TotalsView,
    /// Takings per day (or month, for a monthly CLI report) and currency, every one with taken
    /// orders; the chart and the table both read these.
    pub takings_by_day: Vec<DayTakings>,
    /// How the customer paid: takings per gateway x method x currency.
    pub by_method: Vec<MethodTakings>,
}

/// One day's takings in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DayTakings {
    pub day: String,
    pub currency: String,
    pub takings_minor: i64,
    /// The tips inside `takings_minor` (net of the tips refunds gave back): shown apart,
    /// never added again.
    pub tips_minor: i64,
}

/// One payment method's takings in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MethodTakings {
    pub gateway: String,
    pub method: String,
    pub currency: String,
    pub paid_count: u64,
    pub takings_minor: i64,
    pub takings_display: String,
    /// The tips inside `takings_minor` (net of the tips refunds gave back).
    pub tips_minor: i64,
}

/// Takings (the taken class, net of refunds) per period and currency, from the report rows.
pub fn takings_by_day(rows: &[ReportRow]) -> Vec<DayTakings> {
    let mut out: Vec<DayTakings> = Vec::new();
    for row in rows.iter().filter(|r| taken(r)) {
        let takings = row.amount_minor - row.refunded_minor;
        let tips = row.tip_minor - row.tip_refunded_minor;
        match out
            .iter_mut()
            .find(|d| d.day == row.period && d.currency == row.currency)
        {
            Some(day) => {
                day.takings_minor += takings;
                day.tips_minor += tips;
            }
            None => out.push(DayTakings {
                day: row.period.clone(),
                currency: row.currency.clone(),
                takings_minor: takings,
                tips_minor: tips,
            }),
        }
    }
    out.sort_by(|a, b| (&a.day, &a.currency).cmp(&(&b.day, &b.currency)));
    out
}

/// Takings per gateway x method x currency, from the report rows (most taken first).
pub fn by_method(rows: &[ReportRow]) -> Vec<MethodTakings> {
    let mut out: Vec<MethodTakings> = Vec::new();
    for row in rows.iter().filter(|r| taken(r)) {
        let takings = row.amount_minor - row.refunded_minor;
        let tips = row.tip_minor - row.tip_refunded_minor;
        match out.iter_mut().find(|m| {
            m.gateway == row.gateway && m.method == row.method && m.currency == row.currency
        }) {
            Some(m) => {
                m.paid_count += row.count;
                m.takings_minor += takings;
                m.tips_minor += tips;
            }
            None => out.push(MethodTakings {
                gateway: row.gateway.clone(),
                method: row.method.clone(),
                currency: row.currency.clone(),
                paid_count: row.count,
                takings_minor: takings,
                takings_display: String::new(),
                tips_minor: tips,
            }),
        }
    }
    for m in &mut out {
        m.takings_display = display(m.takings_minor, &m.currency);
    }
    out.sort_by(|a, b| {
        (
            &a.currency,
            std::cmp::Reverse(a.takings_minor),
            &a.gateway,
            &a.method,
        )
            .cmp(&(
                &b.currency,
                std::cmp::Reverse(b.takings_minor),
                &b.gateway,
                &b.method,
            ))
    });
    out
}

fn taken(row: &ReportRow) -> bool {
    class_of_bytes(row.status.as_bytes()) == paydesk_domain::order::MoneyClass::Taken
}

/// The currencies the rows hold, by code, with their decimals.
pub fn currencies_of(rows: &[ReportRow]) -> Result<Vec<CurrencyInfo>> {
    let mut currencies: Vec<CurrencyInfo> = Vec::new();
    for row in rows {
        if currencies.iter().all(|c| c.code != row.currency) {
            let currency = Currency::parse(&row.currency)?;
            currencies.push(CurrencyInfo {
                code: currency.code(),
                exponent: currency.exponent(),
            });
        }
    }
    currencies.sort_by_key(|c| c.code);
    Ok(currencies)
}

/// A report over any filter (the CLI's `paydesk report`): rows per period, the filter's
/// totals, takings per period and per method. `days` lists each day when both ends are days.
pub fn build(
    ledger: &Ledger,
    filter: &OrderFilter,
    period: Period,
    zone: &Zone,
    range: (String, String),
    days: Vec<String>,
) -> Result<DailyReport> {
    let rows = ledger.report(filter, period, zone)?;
    let totals = TotalsView::of(&ledger.totals(filter)?);
    Ok(DailyReport {
        from: range.0,
        to: range.1,
        tz: zone.label(),
        days,
        currencies: currencies_of(&rows)?,
        takings_by_day: takings_by_day(&rows),
        by_method: by_method(&rows),
        totals,
        rows,
    })
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
    let days = first
        .iter_days()
        .take(span as usize)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .collect();
    build(
        ledger,
        &filter,
        Period::Day,
        &zone,
        (
            first.format("%Y-%m-%d").to_string(),
            last.format("%Y-%m-%d").to_string(),
        ),
        days,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use paydesk_domain::order::OrderStatus;

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
        assert!(empty.takings_by_day.is_empty() && empty.by_method.is_empty());
        assert_eq!(empty.totals.count, 0);
    }

    fn row(
        period: &str,
        method: &str,
        status: OrderStatus,
        amount: i64,
        refunded: i64,
    ) -> ReportRow {
        ReportRow {
            period: period.into(),
            gateway: "iotpay".into(),
            method: method.into(),
            status: status.as_str().into(),
            currency: "CAD".into(),
            count: 1,
            amount_minor: amount,
            refunded_minor: refunded,
            tip_minor: 0,
            tip_refunded_minor: 0,
        }
    }

    #[test]
    fn takings_by_day_and_method_count_only_money_that_arrived() {
        let rows = vec![
            row("2026-11-01", "wechat-qr", OrderStatus::Paid, 1000, 0),
            row(
                "2026-11-01",
                "alipay-qr",
                OrderStatus::PartiallyRefunded,
                2000,
                500,
            ),
            row("2026-11-01", "wechat-qr", OrderStatus::Pending, 1250, 0),
            row("2026-11-01", "wechat-qr", OrderStatus::Failed, 9999, 0),
            row("2026-11-02", "wechat-qr", OrderStatus::Cancelled, 7777, 0),
            row("2026-11-02", "wechat-qr", OrderStatus::Expired, 5555, 0),
            row("2026-11-02", "wechat-qr", OrderStatus::Refunded, 300, 300),
        ];
        assert_eq!(
            takings_by_day(&rows),
            vec![
                DayTakings {
                    day: "2026-11-01".into(),
                    currency: "CAD".into(),
                    takings_minor: 2500,
                    tips_minor: 0
                },
                DayTakings {
                    day: "2026-11-02".into(),
                    currency: "CAD".into(),
                    takings_minor: 0,
                    tips_minor: 0
                },
            ]
        );
        let methods = by_method(&rows);
        assert_eq!(
            methods
                .iter()
                .map(|m| (m.method.as_str(), m.paid_count, m.takings_minor))
                .collect::<Vec<_>>(),
            vec![("alipay-qr", 1, 1500), ("wechat-qr", 2, 1000)]
        );
        assert_eq!(methods[0].takings_display, "15.00");
    }

    #[test]
    fn the_tips_inside_the_takings_are_counted_apart_net_of_refunded_tips() {
        let tipped = |status, amount, refunded, tip, tip_back| ReportRow {
            tip_minor: tip,
            tip_refunded_minor: tip_back,
            ..row("2026-11-01", "card", status, amount, refunded)
        };
        let rows = vec![
            tipped(OrderStatus::Paid, 1150, 0, 150, 0),
            tipped(OrderStatus::PartiallyRefunded, 2300, 1100, 300, 100),
            // A tip on a sale that never paid is no tip at all.
            tipped(OrderStatus::Failed, 1200, 0, 200, 0),
        ];
        let day = &takings_by_day(&rows)[0];
        assert_eq!((day.takings_minor, day.tips_minor), (2350, 350));
        let method = &by_method(&rows)[0];
        assert_eq!((method.takings_minor, method.tips_minor), (2350, 350));
    }
}
