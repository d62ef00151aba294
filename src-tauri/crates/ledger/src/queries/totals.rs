//! Filtered totals: the number of orders and, per currency (never mixed), the count and sums
//! of each money class, from the summary for whole days and from the orders for the rest.

use rusqlite::types::ValueRef;
use rusqlite::{params_from_iter, Connection};
use serde::Serialize;

use paydesk_domain::error::Result;
use paydesk_domain::order::{MoneyClass, OrderStatus};

use crate::ledger::fold::fold;
use crate::ledger::{Ledger, OrderFilter};

use super::filter_sql::filter_sql;
use super::search::search_plan;
use super::summary::{partial_days, summary_serves, summary_where, whole_days};

/// Count and sums of the orders of one money class in one currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClassSum {
    pub count: u64,
    pub amount_minor: i64,
    pub refunded_minor: i64,
    /// The tips inside `amount_minor`, and the part of them refunds gave back (inside
    /// `refunded_minor`): tips are part of the money that arrived, shown apart.
    pub tip_minor: i64,
    pub tip_refunded_minor: i64,
}

impl ClassSum {
    fn add(&mut self, count: u64, amount: i64, refunded: i64, tips: (i64, i64)) {
        self.count += count;
        self.amount_minor += amount;
        self.refunded_minor += refunded;
        self.tip_minor += tips.0;
        self.tip_refunded_minor += tips.1;
    }
}

/// One currency's orders, summed per money class (`OrderStatus::money_class`): takings are
/// only ever the `Taken` class, net of its refunds; the other classes are counted apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyTotal {
    pub currency: String,
    /// Indexed by `MoneyClass::index` (taken, waiting, failed, cancelled, expired).
    pub classes: [ClassSum; 5],
}

impl CurrencyTotal {
    pub fn class(&self, class: MoneyClass) -> &ClassSum {
        &self.classes[class.index()]
    }

    /// Every order of this currency, whatever its class.
    pub fn count(&self) -> u64 {
        self.classes.iter().map(|c| c.count).sum()
    }

    /// Money that arrived and stayed: taken minus refunded. THE headline figure.
    pub fn takings_minor(&self) -> i64 {
        let taken = self.class(MoneyClass::Taken);
        taken.amount_minor - taken.refunded_minor
    }

    /// The part of the takings that is tips (tips of taken orders, net of tips refunded).
    pub fn tips_minor(&self) -> i64 {
        let taken = self.class(MoneyClass::Taken);
        taken.tip_minor - taken.tip_refunded_minor
    }
}

/// What a filter adds up to: the number of orders, and per currency (never mixed) the sums
/// of each money class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    pub count: u64,
    pub by_currency: Vec<CurrencyTotal>,
}

impl Totals {
    /// Orders of one class, in every currency.
    pub fn class_count(&self, class: MoneyClass) -> u64 {
        self.by_currency.iter().map(|t| t.class(class).count).sum()
    }
}

impl Ledger {
    /// Count and sums per currency of every order the filter matches (its limit, offset and
    /// cursor are ignored). Without a search or an amount range the whole UTC days of the range
    /// come from the summary `order_day_totals` (kept by triggers, migration 6) and only the
    /// partial days at its ends from the orders; the result is the same either way.
    pub fn totals(&self, filter: &OrderFilter) -> Result<Totals> {
        let filter = OrderFilter {
            limit: None,
            offset: None,
            before: None,
            ..filter.clone()
        };
        let conn = self.conn();
        let mut sums = Vec::new();
        if summary_serves(&filter) {
            fold(&conn)?;
            summary_totals(&conn, &filter, &mut sums)?;
        } else {
            direct_totals(&conn, &filter, &mut sums)?;
        }
        Ok(finish_totals(sums))
    }

    /// The totals added up from the orders alone, never from the summary (tests compare).
    #[doc(hidden)]
    pub fn totals_direct(&self, filter: &OrderFilter) -> Result<Totals> {
        let filter = OrderFilter {
            limit: None,
            offset: None,
            before: None,
            ..filter.clone()
        };
        let mut sums = Vec::new();
        direct_totals(&self.conn(), &filter, &mut sums)?;
        Ok(finish_totals(sums))
    }
}

/// The money class of a status as the ledger stores it; a word this build does not know
/// (never written by it) is counted as waiting, never as money taken.
pub fn class_of_bytes(status: &[u8]) -> MoneyClass {
    OrderStatus::ALL
        .into_iter()
        .find(|s| s.as_str().as_bytes() == status)
        .map(OrderStatus::money_class)
        .unwrap_or(MoneyClass::Waiting)
}

/// Per currency: (code, sums per class), in the order first seen.
pub(super) type Sums = Vec<(Vec<u8>, [ClassSum; 5])>;

#[cfg(test)]
pub(super) fn add_sums(
    sums: &mut Sums,
    code: &[u8],
    status: &[u8],
    count: u64,
    amount: i64,
    refunded: i64,
) {
    add_tipped_sums(sums, code, status, count, amount, refunded, (0, 0))
}

/// `add_sums` with the tips inside those sums: (tips, tips refunded).
pub(super) fn add_tipped_sums(
    sums: &mut Sums,
    code: &[u8],
    status: &[u8],
    count: u64,
    amount: i64,
    refunded: i64,
    tips: (i64, i64),
) {
    let class = class_of_bytes(status).index();
    match sums.iter_mut().find(|s| s.0 == code) {
        Some(entry) => entry.1[class].add(count, amount, refunded, tips),
        None => {
            let mut classes = [ClassSum::default(); 5];
            classes[class].add(count, amount, refunded, tips);
            sums.push((code.to_vec(), classes));
        }
    }
}

pub(super) fn finish_totals(mut sums: Sums) -> Totals {
    sums.retain(|s| s.1.iter().any(|c| c.count > 0));
    sums.sort_by(|a, b| a.0.cmp(&b.0));
    let by_currency: Vec<CurrencyTotal> = sums
        .into_iter()
        .map(|(code, classes)| CurrencyTotal {
            currency: String::from_utf8_lossy(&code).into_owned(),
            classes,
        })
        .collect();
    Totals {
        count: by_currency.iter().map(CurrencyTotal::count).sum(),
        by_currency,
    }
}

/// Whole days of [from, to) from the summary, the partial days at either end from the orders.
fn summary_totals(conn: &Connection, filter: &OrderFilter, sums: &mut Sums) -> Result<()> {
    let (first, end) = whole_days(filter);
    if let (Some(first), Some(end)) = (first, end) {
        if first >= end {
            return direct_totals(conn, filter, sums);
        }
    }
    let (where_sql, args) = summary_where(filter, first, end);
    let sql = format!(
        "SELECT currency, status, sum(count), sum(amount_minor), sum(refunded_minor), sum(tip_minor), sum(tip_refunded_minor)
         FROM order_day_totals {where_sql} GROUP BY currency, status"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(args))?;
    while let Some(row) = rows.next()? {
        let code = text_bytes(row.get_ref(0)?);
        let status = text_bytes(row.get_ref(1)?);
        add_tipped_sums(
            sums,
            code,
            status,
            row.get::<_, i64>(2)? as u64,
            row.get(3)?,
            row.get(4)?,
            (row.get(5)?, row.get(6)?),
        );
    }
    for part in partial_days(filter, first, end) {
        direct_totals(conn, &part, sums)?;
    }
    Ok(())
}

/// Totals added up from the orders (off the covering indexes).
fn direct_totals(conn: &Connection, filter: &OrderFilter, sums: &mut Sums) -> Result<()> {
    let plan = search_plan(conn, filter)?;
    let (where_sql, args) = filter_sql(filter, plan);
    // Added up here rather than with GROUP BY: the rows come straight off a covering
    // index, and a handful of currencies needs no sorter.
    let sql =
        format!("SELECT currency, status, amount_minor, refunded_minor, tip_minor, tip_refunded_minor FROM orders {where_sql}");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(args))?;
    while let Some(row) = rows.next()? {
        let code = text_bytes(row.get_ref(0)?);
        let status = text_bytes(row.get_ref(1)?);
        add_tipped_sums(
            sums,
            code,
            status,
            1,
            row.get(2)?,
            row.get(3)?,
            (row.get(4)?, row.get(5)?),
        );
    }
    Ok(())
}

fn text_bytes(value: ValueRef<'_>) -> &[u8] {
    match value {
        ValueRef::Text(t) => t,
        _ => b"",
    }
}
