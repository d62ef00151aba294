//! What the per-day summary `order_day_totals` can answer for a filter: the whole UTC days of
//! its range (by day, status, gateway, method and currency), and the partial days at its ends
//! that the orders must answer instead. Used by the totals and the reports alike.

use rusqlite::types::Value;

use crate::ledger::OrderFilter;

use super::search::search_term;

pub(super) const DAY_MS: i64 = 86_400_000;

/// Whether the summary can answer the filter: it knows day, status, gateway, method and
/// currency, not amounts or text.
pub(super) fn summary_serves(filter: &OrderFilter) -> bool {
    // The summary is kept per day, status, gateway, method and currency, not per counter or
    // staff member.
    search_term(filter).is_none()
        && filter.counter.is_none()
        && filter.staff.is_none()
        && filter.min_amount_minor.is_none()
        && filter.max_amount_minor.is_none()
}

/// The first whole UTC day at or after the filter's `from`, and the end (exclusive) of the
/// last whole day before its `to`, in days since 1970; `None` for an open end.
pub(super) fn whole_days(filter: &OrderFilter) -> (Option<i64>, Option<i64>) {
    let first = filter
        .from_ms
        .map(|f| f.div_euclid(DAY_MS) + i64::from(f.rem_euclid(DAY_MS) != 0));
    let end = filter.to_ms.map(|t| t.div_euclid(DAY_MS));
    (first, end)
}

/// The filter as a WHERE clause over the summary `order_day_totals`, for days [first, end).
pub(super) fn summary_where(
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
pub(super) fn partial_days(
    filter: &OrderFilter,
    first: Option<i64>,
    end: Option<i64>,
) -> Vec<OrderFilter> {
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
