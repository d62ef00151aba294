//! The ledger's read side at scale: the filter as SQL, the order list page (newest first,
//! keyset or offset paging), search through the trigram index, filtered totals per currency,
//! and daily / monthly reports. Amounts are summed per currency and never mixed.
//!
//! It builds on the ledger (`crate::ledger`: the handle, the filter, the row decoder, and
//! `fold`, run before the index or the summary is read); the ledger never calls back here.
//! Each module uses only those above it in this list:
//! - `search`: how a search term is matched (the trigram index, or a scan);
//! - `filter_sql`: the filter as a WHERE clause;
//! - `list`: a page of orders, and every matching row (exports);
//! - `summary`: what the per-day summary can answer, and the partial days it cannot;
//! - `totals`, `reports`: counts and sums per currency, overall or per day or month.

mod filter_sql;
mod list;
mod reports;
mod search;
mod summary;
#[cfg(test)]
mod tests;
mod totals;

pub use reports::{Period, ReportRow};
pub use totals::{class_of_bytes, ClassSum, CurrencyTotal, Totals};
