//! The ledger's read side at scale: the filter as SQL, the order list page (newest first,
//! keyset or offset paging), search through the trigram index, filtered totals per currency,
//! and daily / monthly reports. Amounts are summed per currency and never mixed.

use std::collections::HashMap;

use rusqlite::types::{Value, ValueRef};
use rusqlite::{params_from_iter, Connection, Row};
use serde::Serialize;

use paydesk_domain::error::{Error, Result};
use crate::ledger::{order_from_row, search_number, Ledger, OrderFilter};
use paydesk_domain::order::{MoneyClass, Order, OrderStatus};
use paydesk_domain::zone::{civil_from_days, Zone};

/// A search with more index matches than this is "broad": the list then scans newest first
/// with LIKE (a page fills within a few thousand rows) instead of collecting every match,
/// when the term is ASCII (LIKE folds the case of ASCII letters only).
const BROAD_SEARCH: i64 = 5_000;

/// Orders above the fold mark (`ledger_fold`, migration 6) are taken into the search index
/// and the totals summary once this many have piled up, by the insert that reaches it: one
/// FTS5 segment and one pass over the summary per batch instead of per sale.
pub(crate) const FOLD_BATCH: i64 = 256;

/// The UTC day of a `created_at` in ms (days since 1970, floored), as migration 6 computes it.
macro_rules! day_sql {
    ($c:literal) => {
        concat!(
            "((",
            $c,
            " - ((",
            $c,
            " % 86400000) + 86400000) % 86400000) / 86400000)"
        )
    };
}

/// Takes every order above the fold mark into the search index `orders_search` and the totals
/// summary `order_day_totals`, then moves the mark past them, in one write (the caller's
/// transaction if it has one). Searches and summary totals call it first, so they see an
/// order the moment it is written. Returns how many orders were taken in.
pub(crate) fn fold(conn: &Connection) -> Result<usize> {
    let behind: bool = conn
        .prepare_cached(
            "SELECT (SELECT coalesce(max(id), 0) FROM orders) > folded FROM ledger_fold",
        )?
        .query_row([], |r| r.get(0))?;
    if !behind {
        return Ok(0);
    }
    let take = |c: &Connection| -> Result<usize> {
        let mark: i64 = c
            .prepare_cached("SELECT folded FROM ledger_fold")?
            .query_row([], |r| r.get(0))?;
        let n = c
            .prepare_cached(concat!(
                "INSERT INTO orders_search (rowid, merchant_order_no, gateway_order_id, customer)
                 SELECT id, ",
                search_number!("merchant_order_no"),
                ", gateway_order_id, customer FROM orders WHERE id > ?1"
            ))?
            .execute([mark])?;
        c.prepare_cached(concat!(
            "INSERT INTO order_day_totals (day, status, gateway, method, currency, count, amount_minor, refunded_minor)
             SELECT ",
            day_sql!("created_at"),
            ", status, gateway, method, currency, count(*), sum(amount_minor), sum(refunded_minor)
             FROM orders WHERE id > ?1 GROUP BY 1, 2, 3, 4, 5
             ON CONFLICT DO UPDATE SET count = count + excluded.count,
                 amount_minor = amount_minor + excluded.amount_minor,
                 refunded_minor = refunded_minor + excluded.refunded_minor"
        ))?
        .execute([mark])?;
        c.prepare_cached(
            "UPDATE ledger_fold SET folded = max(folded, (SELECT coalesce(max(id), 0) FROM orders))",
        )?
        .execute([])?;
        Ok(n)
    };
    if !conn.is_autocommit() {
        return take(conn);
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    match take(conn) {
        Ok(n) => {
            conn.execute_batch("COMMIT")?;
            Ok(n)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// How a search term is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SearchPlan {
    /// Through the FTS5 trigram index `orders_search` (terms of 3 characters or more): the
    /// matching orders looked up by id.
    Index,
    /// The index's matches as a set that orders read newest first are checked against, so a
    /// page of a broad term fills early without looking up and sorting every match.
    Probe,
    /// LIKE over the three searched columns, as rows are scanned (short or broad terms).
    Scan,
}

/// The search term, trimmed; `None` when there is nothing to search for.
fn search_term(filter: &OrderFilter) -> Option<&str> {
    filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// An FTS5 string literal: the term as one phrase, so its characters are never query syntax.
fn fts_phrase(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// The order-number prefix a term of the index plan also stands for. Paydesk's own numbers are
/// indexed without their leading "PD" (`search_number!`), so a term that reaches into it, one
/// starting "PD" (or "D": the number then starts "P" + term), is matched as a prefix on the
/// number's own index. Those numbers hold only 0-9 and A-Z, so the prefix is upper-cased
/// (search ignores case); any other number is indexed whole and found by the trigrams.
fn number_prefix(term: &str) -> Option<String> {
    let upper = term.to_ascii_uppercase();
    if upper.starts_with("PD") {
        Some(upper)
    } else if upper.starts_with('D') {
        Some(format!("P{upper}"))
    } else {
        None
    }
}

/// The ids the index plan matches for `term` (3 characters or more), as a SELECT whose
/// arguments are numbered from `?{first}`: the trigram matches, and the numbers the term is
/// a prefix of when it reaches into their "PD". UNION ALL, so a LIMIT stops reading early (an
/// id may come twice: callers use it with IN or dedupe).
fn index_select(term: &str, first: usize) -> (String, Vec<Value>) {
    let mut sql = format!("SELECT rowid FROM orders_search WHERE orders_search MATCH ?{first}");
    let mut args = vec![Value::Text(fts_phrase(term))];
    if let Some(prefix) = number_prefix(term) {
        sql.push_str(&format!(
            " UNION ALL SELECT id FROM orders WHERE merchant_order_no >= ?{} AND merchant_order_no < ?{}",
            first + 1,
            first + 2
        ));
        // Past every number with this prefix: they continue in 0-9 and A-Z.
        args.push(Value::Text(format!("{prefix}\u{7f}")));
        args.insert(1, Value::Text(prefix));
    }
    (sql, args)
}

/// Picks the search plan for a filter that wants every match (exports, totals): the index for
/// terms of three characters or more (trigrams need three), else a scan. A page of the list
/// picks through [`index_hits`] instead.
pub(crate) fn search_plan(conn: &Connection, filter: &OrderFilter) -> Result<SearchPlan> {
    let Some(term) = search_term(filter) else {
        return Ok(SearchPlan::Index);
    };
    if term.chars().count() < 3 {
        return Ok(SearchPlan::Scan);
    }
    fold(conn)?;
    Ok(SearchPlan::Index)
}

/// The filter as a WHERE clause (empty or starting with "WHERE") and its arguments. Paging
/// (`before`) is included; `limit` and `offset` are the caller's.
pub(crate) fn filter_sql(filter: &OrderFilter, plan: SearchPlan) -> (String, Vec<Value>) {
    let mut clauses = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    fn push(
        clauses: &mut Vec<String>,
        args: &mut Vec<Value>,
        value: Value,
        clause: impl FnOnce(usize) -> String,
    ) {
        args.push(value);
        clauses.push(clause(args.len()));
    }
    if let Some(status) = filter.status {
        push(
            &mut clauses,
            &mut args,
            Value::Text(status.as_str().into()),
            |n| format!("status = ?{n}"),
        );
    }
    if let Some(gateway) = filter.gateway {
        push(
            &mut clauses,
            &mut args,
            Value::Text(gateway.as_str().into()),
            |n| format!("gateway = ?{n}"),
        );
    }
    if let Some(method) = filter.method {
        push(
            &mut clauses,
            &mut args,
            Value::Text(method.as_str().into()),
            |n| format!("method = ?{n}"),
        );
    }
    if let Some(currency) = filter.currency {
        push(
            &mut clauses,
            &mut args,
            Value::Text(currency.code().into()),
            |n| format!("currency = ?{n}"),
        );
    }
    if let Some(min) = filter.min_amount_minor {
        push(&mut clauses, &mut args, Value::Integer(min), |n| {
            format!("amount_minor >= ?{n}")
        });
    }
    if let Some(max) = filter.max_amount_minor {
        push(&mut clauses, &mut args, Value::Integer(max), |n| {
            format!("amount_minor <= ?{n}")
        });
    }
    if let Some(from) = filter.from_ms {
        push(&mut clauses, &mut args, Value::Integer(from), |n| {
            format!("created_at >= ?{n}")
        });
    }
    if let Some(to) = filter.to_ms {
        push(&mut clauses, &mut args, Value::Integer(to), |n| {
            format!("created_at < ?{n}")
        });
    }
    if let Some(cursor) = filter.before {
        // Keyset paging: strictly after the cursor's order in list order (created_at DESC, id DESC).
        push(
            &mut clauses,
            &mut args,
            Value::Integer(cursor.created_at_ms),
            |n| {
                format!(
                    "(created_at < ?{n} OR (created_at = ?{n} AND id < ?{}))",
                    n + 1
                )
            },
        );
        args.push(Value::Integer(cursor.id));
    }
    if let Some(term) = search_term(filter) {
        match plan {
            SearchPlan::Index | SearchPlan::Probe => {
                let (select, more) = index_select(term, args.len() + 1);
                args.extend(more);
                // "+id" keeps SQLite from driving the query by the matches' ids.
                let id = if plan == SearchPlan::Probe {
                    "+id"
                } else {
                    "id"
                };
                clauses.push(format!("{id} IN ({select})"));
            }
            SearchPlan::Scan => {
                let escaped = term
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                push(
                    &mut clauses,
                    &mut args,
                    Value::Text(format!("%{escaped}%")),
                    |n| {
                        format!(
                        "(merchant_order_no LIKE ?{n} ESCAPE '\\' OR gateway_order_id LIKE ?{n} ESCAPE '\\' \
                         OR customer LIKE ?{n} ESCAPE '\\')"
                    )
                    },
                )
            }
        }
    }
    let where_sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (where_sql, args)
}

/// The ids of every order the trigram index matches for the filter's search term, read in one
/// pass; `None` when the list should scan instead: no term of three characters, or a broad one
/// (at least [`BROAD_SEARCH`] matches, where reading stops).
fn index_hits(conn: &Connection, filter: &OrderFilter) -> Result<Option<Vec<i64>>> {
    let Some(term) = search_term(filter) else {
        return Ok(None);
    };
    if term.chars().count() < 3 {
        return Ok(None);
    }
    fold(conn)?;
    let (select, mut args) = index_select(term, 1);
    args.push(Value::Integer(BROAD_SEARCH));
    let mut stmt = conn.prepare_cached(&format!("{select} LIMIT ?{}", args.len()))?;
    let ids = stmt
        .query_map(params_from_iter(args), |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    let broad = ids.len() >= BROAD_SEARCH as usize;
    let mut ids = ids;
    ids.sort_unstable();
    ids.dedup();
    Ok((!broad).then_some(ids))
}

/// One page of the order list, newest first.
pub(crate) fn list(conn: &Connection, filter: &OrderFilter) -> Result<Vec<Order>> {
    let limit = filter.limit.unwrap_or(100).min(10_000);
    let offset = filter
        .offset
        .map(|o| format!(" OFFSET {o}"))
        .unwrap_or_default();
    // A search the index answers: its matches are read once (not counted first and matched
    // again for the page), and the page is the newest of those orders, looked up by id.
    let (sql, args) = match index_hits(conn, filter)? {
        Some(ids) => {
            let rest = OrderFilter {
                search: None,
                ..filter.clone()
            };
            let (where_sql, mut args) = filter_sql(&rest, SearchPlan::Index);
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            args.push(Value::Text(format!("[{}]", list.join(","))));
            (
                format!(
                    "SELECT orders.* FROM (SELECT value AS hit FROM json_each(?{})) \
                     CROSS JOIN orders ON orders.id = hit {where_sql} \
                     ORDER BY created_at DESC, id DESC LIMIT {limit}{offset}",
                    args.len()
                ),
                args,
            )
        }
        None => {
            // A short or broad term: LIKE while orders are read newest first. LIKE folds the
            // case of ASCII letters only, so a broad term with other letters is checked against
            // the index's matches instead (it folds every script's case, as the totals and the
            // export do).
            let plan = match search_term(filter) {
                None => SearchPlan::Index,
                Some(term) if term.is_ascii() || term.chars().count() < 3 => SearchPlan::Scan,
                Some(_) => SearchPlan::Probe,
            };
            let (where_sql, args) = filter_sql(filter, plan);
            (
                format!(
                    "SELECT * FROM orders {where_sql} ORDER BY created_at DESC, id DESC LIMIT {limit}{offset}"
                ),
                args,
            )
        }
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), order_from_row)?;
    let mut orders = Vec::new();
    for row in rows {
        orders.push(row??);
    }
    Ok(orders)
}

/// Visits the rows of `SELECT {columns} FROM orders` matching the filter, newest first, one at
/// a time (constant memory; exports).
pub(crate) fn for_each_row(
    conn: &Connection,
    filter: &OrderFilter,
    columns: &str,
    mut visit: impl FnMut(&Row<'_>) -> Result<()>,
) -> Result<()> {
    let plan = search_plan(conn, filter)?;
    let (where_sql, args) = filter_sql(filter, plan);
    let limit = match (filter.limit, filter.offset) {
        (Some(l), Some(o)) => format!(" LIMIT {l} OFFSET {o}"),
        (Some(l), None) => format!(" LIMIT {l}"),
        (None, Some(o)) => format!(" LIMIT -1 OFFSET {o}"),
        (None, None) => String::new(),
    };
    let sql = format!(
        "SELECT {columns} FROM orders {where_sql} ORDER BY created_at DESC, id DESC{limit}"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(args))?;
    while let Some(row) = rows.next()? {
        visit(row)?;
    }
    Ok(())
}

/// Count and sums of the orders of one money class in one currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClassSum {
    pub count: u64,
    pub amount_minor: i64,
    pub refunded_minor: i64,
}

impl ClassSum {
    fn add(&mut self, count: u64, amount: i64, refunded: i64) {
        self.count += count;
        self.amount_minor += amount;
        self.refunded_minor += refunded;
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
type Sums = Vec<(Vec<u8>, [ClassSum; 5])>;

fn add_sums(sums: &mut Sums, code: &[u8], status: &[u8], count: u64, amount: i64, refunded: i64) {
    let class = class_of_bytes(status).index();
    match sums.iter_mut().find(|s| s.0 == code) {
        Some(entry) => entry.1[class].add(count, amount, refunded),
        None => {
            let mut classes = [ClassSum::default(); 5];
            classes[class].add(count, amount, refunded);
            sums.push((code.to_vec(), classes));
        }
    }
}

fn finish_totals(mut sums: Sums) -> Totals {
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

const DAY_MS: i64 = 86_400_000;

/// Whether the summary can answer the filter: it knows day, status, gateway, method and
/// currency, not amounts or text.
fn summary_serves(filter: &OrderFilter) -> bool {
    search_term(filter).is_none()
        && filter.min_amount_minor.is_none()
        && filter.max_amount_minor.is_none()
}

/// The first whole UTC day at or after the filter's `from`, and the end (exclusive) of the
/// last whole day before its `to`, in days since 1970; `None` for an open end.
fn whole_days(filter: &OrderFilter) -> (Option<i64>, Option<i64>) {
    let first = filter
        .from_ms
        .map(|f| f.div_euclid(DAY_MS) + i64::from(f.rem_euclid(DAY_MS) != 0));
    let end = filter.to_ms.map(|t| t.div_euclid(DAY_MS));
    (first, end)
}

/// The filter as a WHERE clause over the summary `order_day_totals`, for days [first, end).
fn summary_where(
    filter: &OrderFilter,
    first: Option<i64>,
    end: Option<i64>,
) -> (String, Vec<Value>) {
    let mut clauses: Vec<String> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    let mut push = |clause: &str, value: Value| {
        args.push(value);
        clauses.push(format!("{clause} ?{}", args.len()));
    };
    if let Some(first) = first {
        push("day >=", Value::Integer(first));
    }
    if let Some(end) = end {
        push("day <", Value::Integer(end));
    }
    if let Some(status) = filter.status {
        push("status =", Value::Text(status.as_str().into()));
    }
    if let Some(gateway) = filter.gateway {
        push("gateway =", Value::Text(gateway.as_str().into()));
    }
    if let Some(method) = filter.method {
        push("method =", Value::Text(method.as_str().into()));
    }
    if let Some(currency) = filter.currency {
        push("currency =", Value::Text(currency.code().into()));
    }
    let where_sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (where_sql, args)
}

/// The filter narrowed to the partial days at either end of the whole days [first, end): what
/// the summary cannot answer and the orders must.
fn partial_days(filter: &OrderFilter, first: Option<i64>, end: Option<i64>) -> Vec<OrderFilter> {
    let mut parts = Vec::new();
    if let (Some(from), Some(first)) = (filter.from_ms, first) {
        let edge = first.saturating_mul(DAY_MS);
        if from < edge {
            parts.push(OrderFilter {
                from_ms: Some(from),
                to_ms: Some(edge),
                ..filter.clone()
            });
        }
    }
    if let (Some(to), Some(end)) = (filter.to_ms, end) {
        let edge = end.saturating_mul(DAY_MS);
        if edge < to {
            parts.push(OrderFilter {
                from_ms: Some(edge),
                to_ms: Some(to),
                ..filter.clone()
            });
        }
    }
    parts
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
        "SELECT currency, status, sum(count), sum(amount_minor), sum(refunded_minor) FROM order_day_totals {where_sql} GROUP BY currency, status"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(args))?;
    while let Some(row) = rows.next()? {
        let code = text_bytes(row.get_ref(0)?);
        let status = text_bytes(row.get_ref(1)?);
        add_sums(
            sums,
            code,
            status,
            row.get::<_, i64>(2)? as u64,
            row.get(3)?,
            row.get(4)?,
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
        format!("SELECT currency, status, amount_minor, refunded_minor FROM orders {where_sql}");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(args))?;
    while let Some(row) = rows.next()? {
        let code = text_bytes(row.get_ref(0)?);
        let status = text_bytes(row.get_ref(1)?);
        add_sums(sums, code, status, 1, row.get(2)?, row.get(3)?);
    }
    Ok(())
}

fn text_bytes(value: ValueRef<'_>) -> &[u8] {
    match value {
        ValueRef::Text(t) => t,
        _ => b"",
    }
}

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
}

impl Ledger {
    /// The connection's journal mode and synchronous level (what a commit waits for).
    pub fn durability(&self) -> Result<(String, String)> {
        let conn = self.conn();
        let journal: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        let level: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
        let level = ["OFF", "NORMAL", "FULL", "EXTRA"]
            .get(level as usize)
            .copied()
            .unwrap_or("?");
        Ok((journal.to_uppercase(), level.to_string()))
    }

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
    sums: HashMap<ReportKey, (u64, i64, i64)>,
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

    /// Adds a row whose columns 1..=7 are gateway, method, status, currency, count, amount,
    /// refunded.
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
        let entry = self.sums.entry(key).or_insert((0, 0, 0));
        entry.0 += row.get::<_, i64>(5)? as u64;
        entry.1 += row.get::<_, i64>(6)?;
        entry.2 += row.get::<_, i64>(7)?;
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
            .map(|((p, g, m, s, c), (count, amount, refunded))| ReportRow {
                period: label(p),
                gateway: names[g].clone(),
                method: names[m].clone(),
                status: names[s].clone(),
                currency: names[c].clone(),
                count,
                amount_minor: amount,
                refunded_minor: refunded,
            })
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
        "SELECT created_at, gateway, method, status, currency, 1, amount_minor, refunded_minor FROM orders {where_sql}"
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
        "SELECT day, gateway, method, status, currency, sum(count), sum(amount_minor), sum(refunded_minor) \
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{Cursor, NewOrder};
    use paydesk_domain::money::{Currency, Money};
    use paydesk_domain::order::{EventSource, Method, OrderStatus};

    fn ledger() -> (tempfile::TempDir, Ledger) {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open_in(dir.path()).unwrap();
        (dir, ledger)
    }

    /// An order with a chosen creation time, amount and status, written through the ledger.
    fn order(
        ledger: &Ledger,
        no: &str,
        method: Method,
        amount: &str,
        currency: &str,
        status: OrderStatus,
        at: i64,
    ) -> i64 {
        let currency = Currency::parse(currency).unwrap();
        let id = ledger
            .insert_order(&NewOrder {
                merchant_order_no: no.into(),
                method,
                environment: "sandbox".into(),
                amount: Money::parse(amount, currency).unwrap(),
                expires_at_ms: None,
            })
            .unwrap()
            .id;
        if status != OrderStatus::Created {
            let obs = crate::ledger::Observation {
                status,
                gateway_status: None,
                source: EventSource::Poll,
                note: None,
            };
            ledger.apply(id, &obs).unwrap();
        }
        ledger
            .conn()
            .execute(
                "UPDATE orders SET created_at = ?2 WHERE id = ?1",
                rusqlite::params![id, at],
            )
            .unwrap();
        id
    }

    const DAY: i64 = 86_400_000;
    // 2026-01-01T00:00:00Z
    const T0: i64 = 1_767_225_600_000;

    fn ids(orders: &[Order]) -> Vec<i64> {
        orders.iter().map(|o| o.id).collect()
    }

    #[test]
    fn filters_by_method_currency_and_amount_range() {
        let (_dir, l) = ledger();
        let a = order(
            &l,
            "PDA1",
            Method::WechatQr,
            "10.00",
            "CAD",
            OrderStatus::Paid,
            T0,
        );
        let b = order(
            &l,
            "PDB2",
            Method::AlipayQr,
            "25.00",
            "CAD",
            OrderStatus::Paid,
            T0 + 1,
        );
        let c = order(
            &l,
            "PDC3",
            Method::AlipayQr,
            "25.00",
            "USD",
            OrderStatus::Paid,
            T0 + 2,
        );
        let d = order(
            &l,
            "PDD4",
            Method::AlipayQr,
            "99.99",
            "CAD",
            OrderStatus::Failed,
            T0 + 3,
        );
        let list = |f: OrderFilter| ids(&l.list(&f).unwrap());
        assert_eq!(
            list(OrderFilter {
                method: Some(Method::AlipayQr),
                ..Default::default()
            }),
            vec![d, c, b]
        );
        assert_eq!(
            list(OrderFilter {
                currency: Some(Currency::CAD),
                ..Default::default()
            }),
            vec![d, b, a]
        );
        let cad_range = OrderFilter {
            currency: Some(Currency::CAD),
            min_amount_minor: Some(1_000),
            max_amount_minor: Some(2_500),
            ..Default::default()
        };
        assert_eq!(
            list(cad_range.clone()),
            vec![b, a],
            "the range is inclusive at both ends"
        );
        assert_eq!(
            list(OrderFilter {
                status: Some(OrderStatus::Paid),
                ..cad_range
            }),
            vec![b, a]
        );
        assert_eq!(
            list(OrderFilter {
                from_ms: Some(T0 + 1),
                to_ms: Some(T0 + 3),
                ..Default::default()
            }),
            vec![c, b]
        );
    }

    #[test]
    fn pages_by_cursor_and_offset_without_gaps_or_repeats() {
        let (_dir, l) = ledger();
        let mut all = Vec::new();
        for i in 0..25 {
            // Several orders share a creation time: the id breaks the tie.
            all.push(order(
                &l,
                &format!("PD{i:03}"),
                Method::WechatQr,
                "1.00",
                "CAD",
                OrderStatus::Paid,
                T0 + (i / 4),
            ));
        }
        let expected: Vec<i64> = ids(&l
            .list(&OrderFilter {
                limit: Some(100),
                ..Default::default()
            })
            .unwrap());
        assert_eq!(expected.len(), 25);
        let mut paged = Vec::new();
        let mut before: Option<Cursor> = None;
        loop {
            let page = l
                .list(&OrderFilter {
                    limit: Some(7),
                    before,
                    ..Default::default()
                })
                .unwrap();
            if page.is_empty() {
                break;
            }
            before = page.last().map(Cursor::after);
            paged.extend(ids(&page));
        }
        assert_eq!(paged, expected);
        let by_offset = ids(&l
            .list(&OrderFilter {
                limit: Some(7),
                offset: Some(14),
                ..Default::default()
            })
            .unwrap());
        assert_eq!(by_offset, expected[14..21]);
    }

    /// A page answered from the index's matches (read once, then looked up by id) is exactly
    /// the page the scan gives, with other filters, keyset paging and offsets, and ties of
    /// `created_at`.
    #[test]
    fn a_searched_page_from_the_index_hits_equals_the_scanned_page() {
        let (_dir, l) = ledger();
        let mut cursor_ids = Vec::new();
        for i in 0..60_i64 {
            let method = if i % 3 == 0 {
                Method::AlipayQr
            } else {
                Method::WechatQr
            };
            let status = if i % 4 == 0 {
                OrderStatus::Failed
            } else {
                OrderStatus::Paid
            };
            let no = format!("PD26{:02}{:02}1200{:03}AB", 1 + i % 2, 1 + i % 5, i);
            // Several orders share a created_at, so the id breaks ties.
            let id = order(&l, &no, method, "5.00", "CAD", status, T0 + (i / 3) * DAY);
            if i % 7 == 0 {
                l.set_order_text(id, Some(&format!("pd2601 customer {i}")), None)
                    .unwrap();
            }
            cursor_ids.push(id);
        }
        let scanned = |f: &OrderFilter| -> Vec<i64> {
            let conn = l.conn();
            let (w, args) = filter_sql(f, SearchPlan::Scan);
            let limit = f.limit.unwrap_or(100);
            let offset = f.offset.unwrap_or(0);
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT id FROM orders {w} ORDER BY created_at DESC, id DESC LIMIT {limit} OFFSET {offset}"
                ))
                .unwrap();
            stmt.query_map(params_from_iter(args), |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        let mut checked = 0;
        for term in ["PD2601", "pd26", "1200", "AB", "0101", "customer 1", "zzz"] {
            for status in [None, Some(OrderStatus::Paid)] {
                for (limit, offset) in [(Some(5), None), (Some(50), None), (Some(4), Some(3))] {
                    let f = OrderFilter {
                        search: Some(term.into()),
                        status,
                        limit,
                        offset,
                        ..Default::default()
                    };
                    let page = l.list(&f).unwrap();
                    assert_eq!(ids(&page), scanned(&f), "{f:?}");
                    checked += page.len();
                    // The next page after the last order of this one.
                    if let Some(last) = page.last() {
                        let next = OrderFilter {
                            before: Some(crate::ledger::Cursor {
                                created_at_ms: last.created_at_ms,
                                id: last.id,
                            }),
                            offset: None,
                            ..f.clone()
                        };
                        assert_eq!(ids(&l.list(&next).unwrap()), scanned(&next), "{next:?}");
                    }
                }
            }
        }
        assert!(checked > 100, "the terms match: {checked}");
    }

    /// A broad search (more matches than the list collects) in a script with case lists the
    /// same orders, whatever the case of the term, as the totals and the export count.
    #[test]
    fn a_broad_search_in_any_script_lists_what_the_totals_count() {
        let (_dir, l) = ledger();
        let names = [
            "Ünal Müller",
            "ÜNAL MÜLLER",
            "Иван Петров",
            "иван петров",
            "Olga",
        ];
        // Two names in five match each term: 6,000 matches, past the broad mark.
        let rows = BROAD_SEARCH * 3;
        l.conn()
            .execute(
                "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
                 INSERT INTO orders (merchant_order_no, gateway, method, environment, amount_minor,
                                     currency, status, created_at, updated_at, customer)
                 SELECT printf('PD%06d', i), 'iotpay', 'wechat-qr', 'sandbox', 100 + i, 'CAD',
                        'paid', ?2 + i, ?2 + i, json_extract(?3, '$[' || (i % 5) || ']')
                 FROM n",
                rusqlite::params![rows, T0, serde_json::to_string(&names).unwrap()],
            )
            .unwrap();
        for term in ["ünal müller", "ÜNAL", "ИВАН ПЕТРОВ", "петров", "müller"] {
            let f = OrderFilter {
                search: Some(term.into()),
                limit: Some(10_000),
                ..Default::default()
            };
            let listed = l.list(&f).unwrap();
            let totals = l.totals(&f).unwrap();
            assert!(listed.len() as i64 > BROAD_SEARCH, "{term}: broad");
            assert_eq!(listed.len() as u64, totals.count, "{term}");
            assert_eq!(
                listed.iter().map(|o| o.amount.minor()).sum::<i64>(),
                totals.by_currency[0].class(MoneyClass::Taken).amount_minor,
                "{term}"
            );
            let mut exported = Vec::new();
            for_each_row(&l.conn(), &f, "id", |r| {
                exported.push(r.get::<_, i64>(0)?);
                Ok(())
            })
            .unwrap();
            assert_eq!(ids(&listed), exported, "{term}");
            // Pages as the window reads them: 50 at a time after the last one's cursor.
            let first = l
                .list(&OrderFilter {
                    limit: Some(50),
                    ..f.clone()
                })
                .unwrap();
            let next = l
                .list(&OrderFilter {
                    limit: Some(50),
                    before: first.last().map(Cursor::after),
                    ..f.clone()
                })
                .unwrap();
            assert_eq!(
                [ids(&first), ids(&next)].concat(),
                exported[..100],
                "{term}"
            );
        }
    }

    #[test]
    fn search_finds_prefixes_and_substrings_of_numbers_references_and_customers() {
        let (_dir, l) = ledger();
        let a = order(
            &l,
            "PD2601011200001AB",
            Method::WechatQr,
            "5.00",
            "CAD",
            OrderStatus::Paid,
            T0,
        );
        let b = order(
            &l,
            "PD2602021200002CD",
            Method::WechatQr,
            "5.00",
            "CAD",
            OrderStatus::Paid,
            T0 + 1,
        );
        l.record_gateway_reference(a, Some("P0199887766"), None)
            .unwrap();
        l.set_order_text(b, Some("Иван Петров"), Some("2x кофе"))
            .unwrap();
        let search = |t: &str| {
            ids(&l
                .list(&OrderFilter {
                    search: Some(t.into()),
                    ..Default::default()
                })
                .unwrap())
        };
        assert_eq!(search("PD2601"), vec![a], "prefix of the order number");
        assert_eq!(search("1ab"), vec![a], "substring, any case");
        assert_eq!(
            search("998877"),
            vec![a],
            "the gateway's reference, after it arrived"
        );
        assert_eq!(
            search("петр"),
            vec![b],
            "the customer, in Cyrillic, any case"
        );
        assert_eq!(search("PD"), vec![b, a], "short terms scan");
        assert_eq!(search("D2"), vec![b, a]);
        assert!(
            search("\"").is_empty() && search("a\"b OR c").is_empty(),
            "query syntax is literal"
        );
        assert!(search("%%%").is_empty() && search("_").is_empty());
        // The index follows changes of the searched columns.
        l.set_order_text(b, Some("Olga"), None).unwrap();
        assert!(search("петр").is_empty());
        assert_eq!(search("olg"), vec![b]);
        // Paydesk's numbers are indexed without their "PD": terms reaching into it still find
        // them, as do numbers of another form and references or names holding "PD".
        assert_eq!(search("pd2601"), vec![a], "prefix, any case");
        assert_eq!(
            search("D26010"),
            vec![a],
            "from the number's second character"
        );
        assert_eq!(
            search("d2602021200002cd"),
            vec![b],
            "all but the P, any case"
        );
        let c = order(
            &l,
            "PDq-77",
            Method::WechatQr,
            "5.00",
            "CAD",
            OrderStatus::Paid,
            T0 + 2,
        );
        let d = order(
            &l,
            "XPD2601",
            Method::WechatQr,
            "5.00",
            "CAD",
            OrderStatus::Paid,
            T0 + 3,
        );
        l.set_order_text(b, Some("Mr PD2601 Smith"), None).unwrap();
        assert_eq!(search("PDQ-7"), vec![c], "a number of another form, whole");
        assert_eq!(
            search("PD2601"),
            vec![d, b, a],
            "inside a number, a name, a prefix"
        );
        assert_eq!(search("D260"), vec![d, b, a]);
        // Index and scan plans agree.
        let conn = l.conn();
        for term in [
            "PD26",
            "1200",
            "olga",
            "zzz",
            "pd2601",
            "D2601",
            "d26",
            "PDQ",
            "Q-7",
            "XPD",
            "PD2601 ",
            "2601011200001AB",
            "DQ-",
            "P0199",
        ] {
            let f = OrderFilter {
                search: Some(term.into()),
                ..Default::default()
            };
            let count = |plan| {
                let (w, args) = filter_sql(&f, plan);
                conn.query_row(
                    &format!("SELECT group_concat(id) FROM orders {w}"),
                    params_from_iter(args),
                    |r| r.get::<_, Option<String>>(0),
                )
                .unwrap()
            };
            assert_eq!(count(SearchPlan::Index), count(SearchPlan::Scan), "{term}");
        }
    }

    #[test]
    fn totals_are_per_currency_and_follow_the_filter() {
        let (_dir, l) = ledger();
        order(
            &l,
            "PD1",
            Method::WechatQr,
            "10.00",
            "CAD",
            OrderStatus::Paid,
            T0,
        );
        order(
            &l,
            "PD2",
            Method::WechatQr,
            "2.50",
            "CAD",
            OrderStatus::Paid,
            T0 + DAY,
        );
        order(
            &l,
            "PD3",
            Method::AlipayQr,
            "7.00",
            "USD",
            OrderStatus::Paid,
            T0,
        );
        order(
            &l,
            "PD4",
            Method::AlipayQr,
            "100.00",
            "CAD",
            OrderStatus::Failed,
            T0,
        );
        let paid = l
            .totals(&OrderFilter {
                status: Some(OrderStatus::Paid),
                limit: Some(1),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(paid.count, 3, "limit does not apply to totals");
        assert_eq!(
            paid.by_currency
                .iter()
                .map(|t| (t.currency.as_str(), t.count(), t.takings_minor()))
                .collect::<Vec<_>>(),
            vec![("CAD", 2, 1250), ("USD", 1, 700)]
        );
        let all = l.totals(&OrderFilter::default()).unwrap();
        assert_eq!(all.count, 4);
        assert_eq!(all.class_count(MoneyClass::Failed), 1);
        assert_eq!(
            all.by_currency[0].takings_minor(),
            1250,
            "the failed 100.00 is not takings"
        );
        let none = l
            .totals(&OrderFilter {
                search: Some("nothing".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            none,
            Totals {
                count: 0,
                by_currency: vec![]
            }
        );
    }

    /// Takings are paid money net of refunds; waiting, failed, cancelled and expired orders
    /// are counted apart and never summed in, from the summary and from the orders alike.
    #[test]
    fn takings_count_only_money_that_arrived_net_of_refunds() {
        let (_dir, l) = ledger();
        let statuses = [
            (OrderStatus::Paid, "10.00", 0),
            (OrderStatus::PartiallyRefunded, "20.00", 500),
            (OrderStatus::Refunded, "3.00", 300),
            (OrderStatus::Created, "1000.00", 0),
            (OrderStatus::Pending, "12.50", 0),
            (OrderStatus::Authorized, "40.00", 0),
            (OrderStatus::Failed, "100.00", 0),
            (OrderStatus::Cancelled, "200.00", 0),
            (OrderStatus::Voided, "300.00", 0),
            (OrderStatus::Expired, "400.00", 0),
        ];
        for (i, (status, amount, refunded)) in statuses.iter().enumerate() {
            let id = order(
                &l,
                &format!("PDT{i}"),
                Method::WechatQr,
                amount,
                "CAD",
                OrderStatus::Created,
                T0 + i as i64,
            );
            l.conn()
                .execute(
                    "UPDATE orders SET status = ?2, refunded_minor = ?3 WHERE id = ?1",
                    rusqlite::params![id, status.as_str(), refunded],
                )
                .unwrap();
        }
        // Two whole days: the summary serves them; then the same from the orders.
        let f = OrderFilter {
            from_ms: Some(T0 - DAY),
            to_ms: Some(T0 + DAY),
            ..Default::default()
        };
        for totals in [
            l.totals(&f).unwrap(),
            l.totals_direct(&f).unwrap(),
            l.totals(&OrderFilter::default()).unwrap(),
        ] {
            assert_eq!(totals.count, 10);
            let cad = &totals.by_currency[0];
            let taken = cad.class(MoneyClass::Taken);
            assert_eq!(
                (taken.count, taken.amount_minor, taken.refunded_minor),
                (3, 3300, 800)
            );
            assert_eq!(cad.takings_minor(), 2500, "33.00 taken - 8.00 refunded");
            let waiting = cad.class(MoneyClass::Waiting);
            assert_eq!((waiting.count, waiting.amount_minor), (3, 105_250));
            assert_eq!(totals.class_count(MoneyClass::Failed), 1);
            assert_eq!(
                totals.class_count(MoneyClass::Cancelled),
                2,
                "cancelled and voided"
            );
            assert_eq!(totals.class_count(MoneyClass::Expired), 1);
        }
        assert_eq!(l.totals(&f).unwrap(), l.totals_direct(&f).unwrap());
    }

    #[test]
    fn reports_group_by_day_or_month_in_the_zone() {
        let (_dir, l) = ledger();
        // 2026-01-01 23:30 UTC is 2026-01-02 05:00 at +05:30.
        order(
            &l,
            "PD1",
            Method::WechatQr,
            "10.00",
            "CAD",
            OrderStatus::Paid,
            T0 + DAY - 1_800_000,
        );
        order(
            &l,
            "PD2",
            Method::WechatQr,
            "1.00",
            "CAD",
            OrderStatus::Paid,
            T0 + 3_600_000,
        );
        order(
            &l,
            "PD3",
            Method::WechatQr,
            "3.00",
            "USD",
            OrderStatus::Paid,
            T0 + 3_600_000,
        );
        order(
            &l,
            "PD4",
            Method::WechatQr,
            "4.00",
            "CAD",
            OrderStatus::Failed,
            T0 + 40 * DAY,
        );
        let utc = l
            .report(&OrderFilter::default(), Period::Day, &Zone::Utc)
            .unwrap();
        let line = |r: &ReportRow| {
            (
                r.period.clone(),
                r.status.clone(),
                r.currency.clone(),
                r.count,
                r.amount_minor,
            )
        };
        assert_eq!(
            utc.iter().map(line).collect::<Vec<_>>(),
            vec![
                ("2026-01-01".into(), "paid".into(), "CAD".into(), 2, 1100),
                ("2026-01-01".into(), "paid".into(), "USD".into(), 1, 300),
                ("2026-02-10".into(), "failed".into(), "CAD".into(), 1, 400),
            ]
        );
        let india = l
            .report(&OrderFilter::default(), Period::Day, &Zone::Fixed(19_800))
            .unwrap();
        assert_eq!(
            india.iter().map(|r| r.period.as_str()).collect::<Vec<_>>(),
            vec!["2026-01-01", "2026-01-01", "2026-01-02", "2026-02-10"]
        );
        let months = l
            .report(
                &OrderFilter {
                    status: Some(OrderStatus::Paid),
                    ..Default::default()
                },
                Period::Month,
                &Zone::Utc,
            )
            .unwrap();
        assert_eq!(
            months.iter().map(line).collect::<Vec<_>>(),
            vec![
                ("2026-01".into(), "paid".into(), "CAD".into(), 2, 1100),
                ("2026-01".into(), "paid".into(), "USD".into(), 1, 300),
            ]
        );
        assert!(Period::parse("week").is_err());
    }

    #[test]
    fn search_finds_a_just_written_order_and_every_edit_through_the_queue() {
        let (_dir, l) = ledger();
        let search = |t: &str| {
            ids(&l
                .list(&OrderFilter {
                    search: Some(t.into()),
                    limit: Some(10_000),
                    ..Default::default()
                })
                .unwrap())
        };
        let pending = || -> i64 {
            l.conn()
                .query_row(
                    "SELECT (SELECT max(id) FROM orders) - folded FROM ledger_fold",
                    [],
                    |r| r.get(0),
                )
                .unwrap()
        };
        // Queued, not yet indexed: found at once (the search folds the queue first).
        let a = order(
            &l,
            "PDQUEUE0001",
            Method::WechatQr,
            "1.00",
            "CAD",
            OrderStatus::Paid,
            T0,
        );
        assert_eq!(pending(), 1);
        assert_eq!(search("queue0001"), vec![a]);
        assert_eq!(pending(), 0);
        // An edit while queued, and an edit once indexed: only the current values are found.
        let b = order(
            &l,
            "PDQUEUE0002",
            Method::WechatQr,
            "1.00",
            "CAD",
            OrderStatus::Paid,
            T0 + 1,
        );
        l.record_gateway_reference(b, Some("P77001"), None).unwrap();
        l.set_order_text(a, Some("Zoë Ærø"), None).unwrap();
        assert_eq!(search("77001"), vec![b]);
        assert_eq!(search("zoë"), vec![a]);
        l.set_order_text(a, Some("Olga"), None).unwrap();
        l.set_order_text(b, Some("Olga"), None).unwrap();
        assert!(search("zoë").is_empty());
        assert_eq!(search("olga"), vec![b, a]);
        // Deleting a queued order and an indexed one leaves no trace in the index.
        let c = order(
            &l,
            "PDQUEUE0003",
            Method::WechatQr,
            "1.00",
            "CAD",
            OrderStatus::Created,
            T0 + 2,
        );
        l.conn()
            .execute_batch(&format!(
                "PRAGMA foreign_keys = OFF;
             DELETE FROM orders WHERE id IN ({a}, {c}); PRAGMA foreign_keys = ON;"
            ))
            .unwrap();
        assert_eq!(search("PDQUEUE"), vec![b]);
        // Past a batch, inserts fold the queue themselves; the index matches the table exactly.
        for i in 0..(FOLD_BATCH + 10) {
            order(
                &l,
                &format!("PDBATCH{i:05}"),
                Method::WechatQr,
                "1.00",
                "CAD",
                OrderStatus::Created,
                T0 + 10 + i,
            );
        }
        assert!(
            pending() < FOLD_BATCH,
            "the insert that filled a batch folded it"
        );
        assert_eq!(search("PDBATCH").len() as i64, FOLD_BATCH + 10);
        assert_eq!(search("BATCH00007"), search("batch00007"));
        l.conn()
            .execute_batch(
                "INSERT INTO orders_search (orders_search, rank) VALUES ('integrity-check', 1)",
            )
            .unwrap();
    }

    /// Every order's (created_at, status, gateway, method, currency, amount, refunded), read
    /// straight from the table: the brute-force side of the totals comparisons.
    fn all_rows(l: &Ledger) -> Vec<(i64, String, String, String, String, i64, i64)> {
        let conn = l.conn();
        let mut stmt = conn
            .prepare("SELECT created_at, status, gateway, method, currency, amount_minor, refunded_minor FROM orders")
            .unwrap();
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })
            .unwrap();
        rows.map(|r| r.unwrap()).collect()
    }

    fn brute_totals(
        rows: &[(i64, String, String, String, String, i64, i64)],
        f: &OrderFilter,
    ) -> Totals {
        let mut sums: Sums = Vec::new();
        for (at, status, gateway, method, currency, amount, refunded) in rows {
            let keep = f.status.is_none_or(|s| s.as_str() == status)
                && f.gateway.is_none_or(|g| g.as_str() == gateway)
                && f.method.is_none_or(|m| m.as_str() == method)
                && f.currency.is_none_or(|c| c.code() == currency)
                && f.from_ms.is_none_or(|from| *at >= from)
                && f.to_ms.is_none_or(|to| *at < to);
            if keep {
                add_sums(
                    &mut sums,
                    currency.as_bytes(),
                    status.as_bytes(),
                    1,
                    *amount,
                    *refunded,
                );
            }
        }
        finish_totals(sums)
    }

    #[test]
    fn summary_totals_equal_a_brute_force_sum_for_random_filters_and_edits() {
        use rand::rngs::StdRng;
        use rand::{Rng, SeedableRng};
        let (_dir, l) = ledger();
        let mut rng = StdRng::seed_from_u64(7);
        let statuses = [
            OrderStatus::Created,
            OrderStatus::Pending,
            OrderStatus::Paid,
            OrderStatus::Failed,
            OrderStatus::Refunded,
        ];
        // Around the epoch's 20,000th day, with times on and near midnights.
        let base = 20_000 * DAY;
        let random_at = |rng: &mut StdRng| match rng.random_range(0..4) {
            0 => base + rng.random_range(0..12) * DAY,
            1 => base + rng.random_range(0..12) * DAY - 1,
            _ => base + rng.random_range(-DAY..12 * DAY),
        };
        let filter = |rng: &mut StdRng| {
            let bound = |rng: &mut StdRng| match rng.random_range(0..5) {
                0 => None,
                1 => Some(base + rng.random_range(-2..14) * DAY),
                _ => Some(base + rng.random_range(-2 * DAY..14 * DAY)),
            };
            let method = Method::ALL[rng.random_range(0..4)];
            OrderFilter {
                status: rng
                    .random_bool(0.5)
                    .then(|| statuses[rng.random_range(0..statuses.len())]),
                gateway: rng.random_bool(0.3).then_some(method.gateway()),
                method: rng.random_bool(0.3).then_some(method),
                currency: rng.random_bool(0.3).then(|| {
                    Currency::parse(if rng.random_bool(0.5) { "CAD" } else { "USD" }).unwrap()
                }),
                from_ms: bound(rng),
                to_ms: bound(rng),
                ..Default::default()
            }
        };
        for round in 0..6 {
            for i in 0..(FOLD_BATCH / 2 + 40) {
                let method = Method::ALL[rng.random_range(0..4)];
                let currency = Currency::parse(
                    method.currencies()[rng.random_range(0..method.currencies().len())],
                )
                .unwrap();
                let cents = rng.random_range(1..100_000);
                let amount = format!("{}.{:02}", cents / 100, cents % 100);
                let at = random_at(&mut rng);
                order(
                    &l,
                    &format!("PD{round}X{i}"),
                    method,
                    &amount,
                    currency.code(),
                    statuses[rng.random_range(0..4)],
                    at,
                );
            }
            // Edits of folded and unfolded orders alike: statuses, refunds, times, deletes, and an
            // id reused below the mark.
            let conn = l.conn();
            let max: i64 = conn
                .query_row("SELECT max(id) FROM orders", [], |r| r.get(0))
                .unwrap();
            for _ in 0..60 {
                let id = rng.random_range(1..=max);
                match rng.random_range(0..5) {
                    0 => conn.execute("UPDATE orders SET status = 'refunded', refunded_minor = amount_minor WHERE id = ?1", [id]),
                    1 => conn.execute("UPDATE orders SET refunded_minor = refunded_minor + 1 WHERE id = ?1", [id]),
                    2 => conn.execute("UPDATE orders SET created_at = ?2 WHERE id = ?1", [id, random_at(&mut rng)]),
                    3 => conn.execute("UPDATE orders SET status = status, amount_minor = amount_minor + 5 WHERE id = ?1", [id]),
                    _ => conn.execute_batch(&format!(
                        "PRAGMA foreign_keys = OFF; DELETE FROM orders WHERE id = {id}; PRAGMA foreign_keys = ON;"
                    )).map(|_| 0),
                }
                .unwrap();
            }
            conn.execute_batch(&format!(
                "PRAGMA foreign_keys = OFF; DELETE FROM orders WHERE id = {max}; PRAGMA foreign_keys = ON;"
            ))
            .unwrap();
            drop(conn);
            order(
                &l,
                &format!("PD{round}REUSED"),
                Method::WechatQr,
                "3.33",
                "CAD",
                OrderStatus::Paid,
                base + 3 * DAY,
            );
            if round % 2 == 1 {
                fold(&l.conn()).unwrap();
            }
            let rows = all_rows(&l);
            for _ in 0..150 {
                let f = filter(&mut rng);
                let expected = brute_totals(&rows, &f);
                assert_eq!(l.totals(&f).unwrap(), expected, "round {round}: {f:?}");
                assert_eq!(
                    l.totals_direct(&f).unwrap(),
                    expected,
                    "round {round}: {f:?}"
                );
            }
            // Reports from the summary equal reports from the orders, in zones whose days
            // align with UTC's and zones where every day (or only a month's end) straddles two.
            for _ in 0..20 {
                let f = filter(&mut rng);
                for zone in [
                    Zone::Utc,
                    Zone::Fixed(-18_000),
                    Zone::Fixed(19_800),
                    Zone::Local,
                ] {
                    for period in [Period::Day, Period::Month] {
                        assert_eq!(
                            l.report(&f, period, &zone).unwrap(),
                            l.report_direct(&f, period, &zone).unwrap(),
                            "round {round}: {f:?} {zone:?} {period:?}"
                        );
                    }
                }
            }
        }
        // The summary holds exactly what a fresh aggregate of the table holds.
        let conn = l.conn();
        let differ: i64 = conn
            .query_row(
                concat!(
                    "SELECT count(*) FROM (SELECT ", day_sql!("created_at"),
                    " AS day, status, gateway, method, currency, count(*) AS count, sum(amount_minor) AS amount_minor,
                      sum(refunded_minor) AS refunded_minor FROM orders GROUP BY 1, 2, 3, 4, 5
                     EXCEPT SELECT day, status, gateway, method, currency, count, amount_minor, refunded_minor
                     FROM order_day_totals WHERE count != 0)"
                ),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(differ, 0);
    }

    #[test]
    fn a_ledger_of_an_older_schema_migrates_forward_keeping_rows_totals_and_search() {
        for version in [4, 5, 6] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(crate::ledger::LEDGER_FILE);
            {
                let old = crate::db::open(&path, &crate::ledger::migrations()[..version]).unwrap();
                for i in 0..300i64 {
                    old.execute(
                        "INSERT INTO orders (merchant_order_no, gateway, method, environment, amount_minor, currency, status,
                                             gateway_order_id, customer, refunded_minor, created_at, updated_at)
                         VALUES (?1, 'iotpay', 'wechat-qr', 'sandbox', ?2, 'CAD', ?3, ?4, ?5, ?6, ?7, ?7)",
                        rusqlite::params![
                            format!("PDOLD{i:04}"),
                            100 + i,
                            if i % 3 == 0 { "paid" } else { "failed" },
                            format!("P9{i:06}"),
                            if i % 7 == 0 { "Ольга Смирнова" } else { "Kenji" },
                            i % 5,
                            T0 + i * DAY / 10,
                        ],
                    )
                    .unwrap();
                }
            }
            let l = Ledger::open(&path).unwrap();
            let count: i64 = l
                .conn()
                .query_row("SELECT count(*) FROM orders", [], |r| r.get(0))
                .unwrap();
            assert_eq!(count, 300, "from version {version}");
            let rows = all_rows(&l);
            for f in [
                OrderFilter::default(),
                OrderFilter {
                    status: Some(OrderStatus::Paid),
                    from_ms: Some(T0 + DAY / 2),
                    to_ms: Some(T0 + 20 * DAY),
                    ..Default::default()
                },
            ] {
                assert_eq!(
                    l.totals(&f).unwrap(),
                    brute_totals(&rows, &f),
                    "from version {version}"
                );
            }
            let found = l
                .list(&OrderFilter {
                    search: Some("ольга".into()),
                    limit: Some(1000),
                    ..Default::default()
                })
                .unwrap();
            assert_eq!(found.len(), 43, "from version {version}");
            assert_eq!(
                l.list(&OrderFilter {
                    search: Some("PDOLD0299".into()),
                    ..Default::default()
                })
                .unwrap()
                .len(),
                1
            );
            assert_eq!(
                l.list(&OrderFilter {
                    search: Some("9000123".into()),
                    ..Default::default()
                })
                .unwrap()
                .len(),
                1
            );
            l.conn()
                .execute_batch(
                    "INSERT INTO orders_search (orders_search, rank) VALUES ('integrity-check', 1)",
                )
                .unwrap();
        }
    }

    #[test]
    fn the_trigram_tokenizer_is_available() {
        let (_dir, l) = ledger();
        let sql: String = l
            .conn()
            .query_row(
                "SELECT sql FROM sqlite_master WHERE name = 'orders_search'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(sql.contains("trigram"), "{sql}");
    }
}
