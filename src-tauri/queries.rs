//! The ledger's read side at scale: the filter as SQL, the order list page (newest first,
//! keyset or offset paging), search through the trigram index, filtered totals per currency,
//! and daily / monthly reports. Amounts are summed per currency and never mixed.

use std::collections::HashMap;

use rusqlite::types::{Value, ValueRef};
use rusqlite::{params_from_iter, Connection, Row};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::ledger::{order_from_row, Ledger, OrderFilter};
use crate::order::Order;
use crate::zone::{civil_from_days, Zone};

/// A search with more index matches than this is "broad": the list then scans newest first
/// with LIKE (a page fills within a few thousand rows) instead of collecting every match.
const BROAD_SEARCH: i64 = 5_000;

/// Orders queued for the search index (`search_pending`) are folded in once this many wait,
/// by the insert that reaches it: one FTS5 segment per batch instead of one per sale.
pub(crate) const SEARCH_BATCH: i64 = 256;

/// Folds the orders queued in `search_pending` into the search index `orders_search`, in one
/// write (the caller's transaction if it has one). Every search calls it first, so a search
/// sees an order the moment it is written. Returns how many orders were indexed.
pub(crate) fn fold_search_pending(conn: &Connection) -> Result<usize> {
    let pending: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM search_pending)")?
        .query_row([], |r| r.get(0))?;
    if !pending {
        return Ok(0);
    }
    let fold = |c: &Connection| -> Result<usize> {
        let n = c
            .prepare_cached(
                "INSERT INTO orders_search (rowid, merchant_order_no, gateway_order_id, customer)
                 SELECT o.id, o.merchant_order_no, o.gateway_order_id, o.customer
                 FROM search_pending p JOIN orders o ON o.id = p.id",
            )?
            .execute([])?;
        c.prepare_cached("DELETE FROM search_pending")?.execute([])?;
        Ok(n)
    };
    if !conn.is_autocommit() {
        return fold(conn);
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    match fold(conn) {
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
    /// Through the FTS5 trigram index `orders_search` (terms of 3 characters or more).
    Index,
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

/// Picks the search plan for a filter. Trigrams need three characters; a term that matches
/// more than [`BROAD_SEARCH`] orders is cheaper to find by scanning when only a page is wanted.
pub(crate) fn search_plan(
    conn: &Connection,
    filter: &OrderFilter,
    page_only: bool,
) -> Result<SearchPlan> {
    let Some(term) = search_term(filter) else {
        return Ok(SearchPlan::Index);
    };
    if term.chars().count() < 3 {
        return Ok(SearchPlan::Scan);
    }
    fold_search_pending(conn)?;
    if !page_only {
        return Ok(SearchPlan::Index);
    }
    let matches: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM (SELECT 1 FROM orders_search WHERE orders_search MATCH ?1 LIMIT ?2)",
        )?
        .query_row(rusqlite::params![fts_phrase(term), BROAD_SEARCH], |r| r.get(0))?;
    Ok(if matches >= BROAD_SEARCH {
        SearchPlan::Scan
    } else {
        SearchPlan::Index
    })
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
            SearchPlan::Index => {
                push(
                    &mut clauses,
                    &mut args,
                    Value::Text(fts_phrase(term)),
                    |n| {
                        format!("id IN (SELECT rowid FROM orders_search WHERE orders_search MATCH ?{n})")
                    },
                )
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

/// One page of the order list, newest first.
pub(crate) fn list(conn: &Connection, filter: &OrderFilter) -> Result<Vec<Order>> {
    let plan = search_plan(conn, filter, true)?;
    let (where_sql, args) = filter_sql(filter, plan);
    let limit = filter.limit.unwrap_or(100).min(10_000);
    let offset = filter
        .offset
        .map(|o| format!(" OFFSET {o}"))
        .unwrap_or_default();
    let sql = format!(
        "SELECT * FROM orders {where_sql} ORDER BY created_at DESC, id DESC LIMIT {limit}{offset}"
    );
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
    let plan = search_plan(conn, filter, false)?;
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

/// Count and sums of one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyTotal {
    pub currency: String,
    pub count: u64,
    pub amount_minor: i64,
    pub refunded_minor: i64,
}

/// What a filter adds up to: the number of orders, and sums per currency (never mixed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    pub count: u64,
    pub by_currency: Vec<CurrencyTotal>,
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportRow {
    pub period: String,
    pub gateway: String,
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
    /// cursor are ignored).
    pub fn totals(&self, filter: &OrderFilter) -> Result<Totals> {
        let filter = OrderFilter {
            limit: None,
            offset: None,
            before: None,
            ..filter.clone()
        };
        let conn = self.conn();
        let plan = search_plan(&conn, &filter, false)?;
        let (where_sql, args) = filter_sql(&filter, plan);
        // Added up here rather than with GROUP BY: the rows come straight off a covering
        // index, and a handful of currencies needs no sorter.
        let sql = format!("SELECT currency, amount_minor, refunded_minor FROM orders {where_sql}");
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params_from_iter(args))?;
        let mut sums: Vec<(Vec<u8>, u64, i64, i64)> = Vec::new();
        while let Some(row) = rows.next()? {
            let code = match row.get_ref(0)? {
                ValueRef::Text(t) => t,
                _ => b"",
            };
            let i = match sums.iter().position(|s| s.0 == code) {
                Some(i) => i,
                None => {
                    sums.push((code.to_vec(), 0, 0, 0));
                    sums.len() - 1
                }
            };
            let entry = &mut sums[i];
            entry.1 += 1;
            entry.2 += row.get::<_, i64>(1)?;
            entry.3 += row.get::<_, i64>(2)?;
        }
        sums.sort();
        let by_currency: Vec<CurrencyTotal> = sums
            .into_iter()
            .map(|(code, count, amount, refunded)| CurrencyTotal {
                currency: String::from_utf8_lossy(&code).into_owned(),
                count,
                amount_minor: amount,
                refunded_minor: refunded,
            })
            .collect();
        let totals = Totals {
            count: by_currency.iter().map(|t| t.count).sum(),
            by_currency,
        };
        Ok(totals)
    }

    /// Orders per day or month (in `zone`, with its daylight-saving rules for `local`) x
    /// gateway x status, summed per currency; in period order, then gateway, status, currency.
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
        let plan = search_plan(&conn, &filter, false)?;
        let (where_sql, args) = filter_sql(&filter, plan);
        // Read from the covering index orders_for_totals and add up here: the period of each
        // row depends on the zone's offset at that instant, which SQL cannot know for `local`.
        let sql = format!(
            "SELECT created_at, gateway, status, currency, amount_minor, refunded_minor FROM orders {where_sql}"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params_from_iter(args))?;
        let mut names: Vec<String> = Vec::new();
        let mut intern = |bytes: &[u8]| -> usize {
            match names.iter().position(|n| n.as_bytes() == bytes) {
                Some(i) => i,
                None => {
                    names.push(String::from_utf8_lossy(bytes).into_owned());
                    names.len() - 1
                }
            }
        };
        fn text(v: ValueRef<'_>) -> &[u8] {
            match v {
                ValueRef::Text(t) => t,
                _ => b"",
            }
        }
        let mut sums: HashMap<(i64, usize, usize, usize), (u64, i64, i64)> = HashMap::new();
        // Offsets change rarely: remember the last hour's.
        let mut offset_cache: (i64, i64) = (i64::MIN, 0);
        while let Some(row) = rows.next()? {
            let at: i64 = row.get(0)?;
            let hour = at.div_euclid(3_600_000);
            if offset_cache.0 != hour {
                offset_cache = (hour, zone.offset_secs(at) as i64 * 1000);
            }
            let day = (at + offset_cache.1).div_euclid(86_400_000);
            let key_period = match period {
                Period::Day => day,
                Period::Month => {
                    let (y, m, _) = civil_from_days(day);
                    y * 12 + m as i64 - 1
                }
            };
            let key = (
                key_period,
                intern(text(row.get_ref(1)?)),
                intern(text(row.get_ref(2)?)),
                intern(text(row.get_ref(3)?)),
            );
            let entry = sums.entry(key).or_insert((0, 0, 0));
            entry.0 += 1;
            entry.1 += row.get::<_, i64>(4)?;
            entry.2 += row.get::<_, i64>(5)?;
        }
        let mut keyed: Vec<_> = sums.into_iter().collect();
        let label = |key: i64| match period {
            Period::Day => {
                let (y, m, d) = civil_from_days(key);
                format!("{y:04}-{m:02}-{d:02}")
            }
            Period::Month => format!("{:04}-{:02}", key.div_euclid(12), key.rem_euclid(12) + 1),
        };
        keyed.sort_by(|(a, _), (b, _)| {
            (a.0, &names[a.1], &names[a.2], &names[a.3]).cmp(&(
                b.0,
                &names[b.1],
                &names[b.2],
                &names[b.3],
            ))
        });
        Ok(keyed
            .into_iter()
            .map(|((p, g, s, c), (count, amount, refunded))| ReportRow {
                period: label(p),
                gateway: names[g].clone(),
                status: names[s].clone(),
                currency: names[c].clone(),
                count,
                amount_minor: amount,
                refunded_minor: refunded,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{Cursor, NewOrder};
    use crate::money::{Currency, Money};
    use crate::order::{EventSource, Method, OrderStatus};

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
        // Index and scan plans agree.
        let conn = l.conn();
        for term in ["PD26", "1200", "olga", "zzz"] {
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
            paid.by_currency,
            vec![
                CurrencyTotal {
                    currency: "CAD".into(),
                    count: 2,
                    amount_minor: 1250,
                    refunded_minor: 0
                },
                CurrencyTotal {
                    currency: "USD".into(),
                    count: 1,
                    amount_minor: 700,
                    refunded_minor: 0
                },
            ]
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
                .query_row("SELECT count(*) FROM search_pending", [], |r| r.get(0))
                .unwrap()
        };
        // Queued, not yet indexed: found at once (the search folds the queue first).
        let a = order(&l, "PDQUEUE0001", Method::WechatQr, "1.00", "CAD", OrderStatus::Paid, T0);
        assert_eq!(pending(), 1);
        assert_eq!(search("queue0001"), vec![a]);
        assert_eq!(pending(), 0);
        // An edit while queued, and an edit once indexed: only the current values are found.
        let b = order(&l, "PDQUEUE0002", Method::WechatQr, "1.00", "CAD", OrderStatus::Paid, T0 + 1);
        l.record_gateway_reference(b, Some("P77001"), None).unwrap();
        l.set_order_text(a, Some("Zoë Ærø"), None).unwrap();
        assert_eq!(search("77001"), vec![b]);
        assert_eq!(search("zoë"), vec![a]);
        l.set_order_text(a, Some("Olga"), None).unwrap();
        l.set_order_text(b, Some("Olga"), None).unwrap();
        assert!(search("zoë").is_empty());
        assert_eq!(search("olga"), vec![b, a]);
        // Deleting a queued order and an indexed one leaves no trace in the index.
        let c = order(&l, "PDQUEUE0003", Method::WechatQr, "1.00", "CAD", OrderStatus::Created, T0 + 2);
        l.conn().execute_batch(&format!(
            "PRAGMA foreign_keys = OFF;
             DELETE FROM orders WHERE id IN ({a}, {c}); PRAGMA foreign_keys = ON;"
        ))
        .unwrap();
        assert_eq!(search("PDQUEUE"), vec![b]);
        // Past a batch, inserts fold the queue themselves; the index matches the table exactly.
        for i in 0..(SEARCH_BATCH + 10) {
            order(&l, &format!("PDBATCH{i:05}"), Method::WechatQr, "1.00", "CAD", OrderStatus::Created, T0 + 10 + i);
        }
        assert!(pending() < SEARCH_BATCH, "the insert that filled a batch folded it");
        assert_eq!(search("PDBATCH").len() as i64, SEARCH_BATCH + 10);
        assert_eq!(search("BATCH00007"), search("batch00007"));
        l.conn()
            .execute_batch("INSERT INTO orders_search (orders_search, rank) VALUES ('integrity-check', 1)")
            .unwrap();
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
