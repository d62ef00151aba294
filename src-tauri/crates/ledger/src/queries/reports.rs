//! Reports: orders per day or month in a zone (with its daylight-saving rules for `local`) x
//! gateway x method x status, summed per currency.

use std::collections::HashMap;

use rusqlite::types::ValueRef;
use rusqlite::{params_from_iter, Connection, Row};
use serde::Serialize;

use paydesk_domain::error::{Error, Result};
use paydesk_domain::zone::{civil_from_days, Zone};

use crate::ledger::fold::fold;
use crate::ledger::{Ledger, OrderFilter};

use super::filter_sql::filter_sql;
use super::search::search_plan;
use super::summary::{partial_days, summary_serves, summary_where, whole_days, DAY_MS};

/// Report granularity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day,
    Month,
}

impl Period {
    pub fn parse(text: &str) -> Result<Period> {
        match text.trim().to_ascii_lowercase().as_str() {
            "day" | "daily" => Ok(Period::Day),
            "month" | "monthly" => Ok(Period::Month),
            _ => Err(Error::invalid(
                "by",
                format!("{text:?} is not a period: use day or month"),
            )),
        }
    }
}

/// One line of a report: a day ("2026-11-22") or month ("2026-11") in the report's zone, a
/// gateway, a status and a currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ReportRow {
    pub period: String,
    pub gateway: String,
    /// The method key (how the customer paid), e.g. `wechat-qr`.
    pub method: String,
    pub status: String,
    pub currency: String,
    pub count: u64,
    pub amount_minor: i64,
    pub refunded_minor: i64,
    /// The tips inside `amount_minor`, and the part of them refunds gave back.
    pub tip_minor: i64,
    pub tip_refunded_minor: i64,
}

impl Ledger {
    /// Orders per day or month (in `zone`, with its daylight-saving rules for `local`) x
    /// gateway x method x status, summed per currency; in period order, then gateway, status,
    /// currency, method.
    /// Like [`Ledger::totals`], whole UTC days that fall inside one period of the zone come
    /// from the summary `order_day_totals`; the days that straddle two periods (a local
    /// midnight or month end inside the UTC day) and the partial days at the ends come from
    /// the orders. The result is the same either way.
    pub fn report(
        &self,
        filter: &OrderFilter,
        period: Period,
        zone: &Zone,
    ) -> Result<Vec<ReportRow>> {
        let filter = OrderFilter {
            limit: None,
            offset: None,
            before: None,
            ..filter.clone()
        };
        let conn = self.conn();
        let mut sums = ReportSums::new(period, zone);
        if summary_serves(&filter) {
            fold(&conn)?;
            summary_report(&conn, &filter, &mut sums)?;
        } else {
            direct_report(&conn, &filter, &mut sums)?;
        }
        Ok(sums.finish())
    }

    /// The report added up from the orders alone, never from the summary (tests compare).
    #[doc(hidden)]
    pub fn report_direct(
        &self,
        filter: &OrderFilter,
        period: Period,
        zone: &Zone,
    ) -> Result<Vec<ReportRow>> {
        let mut sums = ReportSums::new(period, zone);
        direct_report(&self.conn(), filter, &mut sums)?;
        Ok(sums.finish())
    }
}

/// (period, gateway, method, status, currency), the names as indexes into `ReportSums::names`.
type ReportKey = (i64, usize, usize, usize, usize);

/// A report being added up: count, amount and refunded per key, with the names interned (a
/// handful of each) so a row costs no allocation.
struct ReportSums<'z> {
    period: Period,
    zone: &'z Zone,
    names: Vec<String>,
    sums: HashMap<ReportKey, (u64, i64, i64, i64, i64)>,
    /// The zone's offset (ms) in the last hour asked about: offsets change rarely.
    offset_cache: (i64, i64),
}

impl<'z> ReportSums<'z> {
    fn new(period: Period, zone: &'z Zone) -> Self {
        ReportSums {
            period,
            zone,
            names: Vec::new(),
            sums: HashMap::new(),
            offset_cache: (i64::MIN, 0),
        }
    }

    fn offset_ms(&mut self, at: i64) -> i64 {
        let hour = at.div_euclid(3_600_000);
        if self.offset_cache.0 != hour {
            self.offset_cache = (hour, self.zone.offset_secs(at) as i64 * 1000);
        }
        self.offset_cache.1
    }

    /// The period (a day number, or year * 12 + month - 1) of an instant in the zone.
    fn period_of(&mut self, at: i64) -> i64 {
        let day = (at + self.offset_ms(at)).div_euclid(DAY_MS);
        match self.period {
            Period::Day => day,
            Period::Month => {
                let (y, m, _) = civil_from_days(day);
                y * 12 + m as i64 - 1
            }
        }
    }

    /// The one period a whole UTC day falls in, if it does not straddle two (and the zone's
    /// offset does not change within it).
    fn period_of_utc_day(&mut self, day: i64) -> Option<i64> {
        let (start, last) = (day * DAY_MS, day * DAY_MS + DAY_MS - 1);
        if self.zone.offset_secs(start) != self.zone.offset_secs(last) {
            return None;
        }
        let p = self.period_of(start);
        (p == self.period_of(last)).then_some(p)
    }

    fn intern(&mut self, bytes: &[u8]) -> usize {
        match self.names.iter().position(|n| n.as_bytes() == bytes) {
            Some(i) => i,
            None => {
                self.names.push(String::from_utf8_lossy(bytes).into_owned());
                self.names.len() - 1
            }
        }
    }

    /// Adds a row whose columns 1..=9 are gateway, method, status, currency, count, amount,
    /// refunded, tip, tip refunded.
    fn add(&mut self, period: i64, row: &Row<'_>) -> Result<()> {
        fn text(v: ValueRef<'_>) -> &[u8] {
            match v {
                ValueRef::Text(t) => t,
                _ => b"",
            }
        }
        let key = (
            period,
            self.intern(text(row.get_ref(1)?)),
            self.intern(text(row.get_ref(2)?)),
            self.intern(text(row.get_ref(3)?)),
            self.intern(text(row.get_ref(4)?)),
        );
        let entry = self.sums.entry(key).or_insert((0, 0, 0, 0, 0));
        entry.0 += row.get::<_, i64>(5)? as u64;
        entry.1 += row.get::<_, i64>(6)?;
        entry.2 += row.get::<_, i64>(7)?;
        entry.3 += row.get::<_, i64>(8)?;
        entry.4 += row.get::<_, i64>(9)?;
        Ok(())
    }

    fn finish(self) -> Vec<ReportRow> {
        let ReportSums {
            period,
            names,
            sums,
            ..
        } = self;
        let mut keyed: Vec<_> = sums.into_iter().collect();
        let label = |key: i64| match period {
            Period::Day => {
                let (y, m, d) = civil_from_days(key);
                format!("{y:04}-{m:02}-{d:02}")
            }
            Period::Month => format!("{:04}-{:02}", key.div_euclid(12), key.rem_euclid(12) + 1),
        };
        keyed.sort_by(|(a, _), (b, _)| {
            (a.0, &names[a.1], &names[a.3], &names[a.4], &names[a.2]).cmp(&(
                b.0,
                &names[b.1],
                &names[b.3],
                &names[b.4],
                &names[b.2],
            ))
        });
        keyed
            .into_iter()
            .map(
                |((p, g, m, s, c), (count, amount, refunded, tip, tip_refunded))| ReportRow {
                    period: label(p),
                    gateway: names[g].clone(),
                    method: names[m].clone(),
                    status: names[s].clone(),
                    currency: names[c].clone(),
                    count,
                    amount_minor: amount,
                    refunded_minor: refunded,
                    tip_minor: tip,
                    tip_refunded_minor: tip_refunded,
                },
            )
            .collect()
    }
}

/// The report's rows added up from the orders (off the covering index orders_for_totals): the
/// period of each row depends on the zone's offset at that instant, which SQL cannot know for
/// `local`.
fn direct_report(conn: &Connection, filter: &OrderFilter, sums: &mut ReportSums<'_>) -> Result<()> {
    let plan = search_plan(conn, filter)?;
    let (where_sql, args) = filter_sql(filter, plan);
    let sql = format!(
        "SELECT created_at, gateway, method, status, currency, 1, amount_minor, refunded_minor, tip_minor, tip_refunded_minor FROM orders {where_sql}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(args))?;
    while let Some(row) = rows.next()? {
        let period = sums.period_of(row.get(0)?);
        sums.add(period, row)?;
    }
    Ok(())
}

/// The report from the summary for every whole UTC day inside one period, and from the orders
/// for the rest.
fn summary_report(
    conn: &Connection,
    filter: &OrderFilter,
    sums: &mut ReportSums<'_>,
) -> Result<()> {
    let (first, end) = whole_days(filter);
    if let (Some(first), Some(end)) = (first, end) {
        if first >= end {
            return direct_report(conn, filter, sums);
        }
    }
    let (where_sql, args) = summary_where(filter, first, end);
    let sql = format!(
        "SELECT day, gateway, method, status, currency, sum(count), sum(amount_minor), sum(refunded_minor), sum(tip_minor), sum(tip_refunded_minor) \
         FROM order_day_totals {where_sql} GROUP BY day, gateway, method, status, currency \
         HAVING sum(count) != 0"
    );
    // Summary rows emptied by edits stay (count 0); HAVING keeps them out of the report.
    let mut straddling = std::collections::BTreeSet::new();
    {
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params_from_iter(args))?;
        while let Some(row) = rows.next()? {
            let day: i64 = row.get(0)?;
            match sums.period_of_utc_day(day) {
                Some(period) => sums.add(period, row)?,
                None => {
                    straddling.insert(day);
                }
            }
        }
    }
    for day in straddling {
        let part = OrderFilter {
            from_ms: Some(day * DAY_MS),
            to_ms: Some(day * DAY_MS + DAY_MS),
            ..filter.clone()
        };
        direct_report(conn, &part, sums)?;
    }
    for part in partial_days(filter, first, end) {
        direct_report(conn, &part, sums)?;
    }
    Ok(())
}
