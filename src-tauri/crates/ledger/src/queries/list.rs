//! The order list: one page, newest first (keyset or offset paging), and every matching row
//! one at a time (exports).

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, Row};

use paydesk_domain::error::Result;
use paydesk_domain::order::Order;

use crate::ledger::{order_from_row, Ledger, OrderFilter};

use super::filter_sql::filter_sql;
use super::search::{index_hits, search_plan, search_term, SearchPlan};

impl Ledger {
    /// One page of orders, newest first, filtered (`limit` default 100, at most 10,000; page
    /// on with `before` or `offset`).
    pub fn list(&self, filter: &OrderFilter) -> Result<Vec<Order>> {
        list(&self.conn(), filter)
    }

    /// Visits every order matching the filter, newest first, one row at a time.
    pub fn for_each(
        &self,
        filter: &OrderFilter,
        mut visit: impl FnMut(&Order) -> Result<()>,
    ) -> Result<()> {
        for_each_row(&self.conn(), filter, "*", |row| {
            visit(&order_from_row(row)??)
        })
    }

    /// Visits `SELECT {columns}` of every order matching the filter, newest first (exports).
    pub fn for_each_row(
        &self,
        filter: &OrderFilter,
        columns: &str,
        visit: impl FnMut(&Row<'_>) -> Result<()>,
    ) -> Result<()> {
        for_each_row(&self.conn(), filter, columns, visit)
    }
}

/// One page of the order list, newest first.
fn list(conn: &Connection, filter: &OrderFilter) -> Result<Vec<Order>> {
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
pub(super) fn for_each_row(
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
