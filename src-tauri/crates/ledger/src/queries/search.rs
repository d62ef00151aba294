//! How a search term is matched: through the trigram index `orders_search` (each match looked
//! up by id, or the matches as a set that orders read newest first are checked against) or by
//! LIKE as rows are scanned, and which of those a filter gets.

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};

use paydesk_domain::error::Result;

use crate::ledger::fold::fold;
use crate::ledger::OrderFilter;

/// A search with more index matches than this is "broad": the list then scans newest first
/// with LIKE (a page fills within a few thousand rows) instead of collecting every match,
/// when the term is ASCII (LIKE folds the case of ASCII letters only).
pub(super) const BROAD_SEARCH: i64 = 5_000;

/// How a search term is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SearchPlan {
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
pub(super) fn search_term(filter: &OrderFilter) -> Option<&str> {
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
pub(super) fn index_select(term: &str, first: usize) -> (String, Vec<Value>) {
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
pub(super) fn search_plan(conn: &Connection, filter: &OrderFilter) -> Result<SearchPlan> {
    let Some(term) = search_term(filter) else {
        return Ok(SearchPlan::Index);
    };
    if term.chars().count() < 3 {
        return Ok(SearchPlan::Scan);
    }
    fold(conn)?;
    Ok(SearchPlan::Index)
}

/// The ids of every order the trigram index matches for the filter's search term, read in one
/// pass; `None` when the list should scan instead: no term of three characters, or a broad one
/// (at least [`BROAD_SEARCH`] matches, where reading stops).
pub(super) fn index_hits(conn: &Connection, filter: &OrderFilter) -> Result<Option<Vec<i64>>> {
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
