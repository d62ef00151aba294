//! CSV export of the ledger: streamed row by row (constant memory), RFC 4180 quoting,
//! amounts as decimals in the order's currency, and formula-looking cells neutralised.

use std::io::Write;

use chrono::{DateTime, Local, TimeZone};

use crate::error::{Error, Result};
use crate::ledger::{Ledger, OrderFilter};

pub const COLUMNS: &[&str] = &[
    "created_at",
    "merchant_order_no",
    "gateway",
    "method",
    "environment",
    "status",
    "amount",
    "currency",
    "refunded",
    "gateway_order_id",
    "gateway_status",
    "updated_at",
];

/// A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, tab or carriage return as a
/// formula. Such a cell is written with a leading apostrophe, which spreadsheets hide and
/// treat as "text"; the raw value is the cell without that first apostrophe.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// Spreadsheet-friendly local time: "2026-11-22 14:05:09".
fn local_time(ms: i64) -> String {
    match Local.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        None => DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339()).unwrap_or_default(),
    }
}

/// Writes the filtered orders as CSV; returns how many rows were written.
pub fn write_csv<W: Write>(ledger: &Ledger, filter: &OrderFilter, out: W) -> Result<u64> {
    let csv_error = |e: csv::Error| Error::Io(std::io::Error::other(e));
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out);
    writer.write_record(COLUMNS).map_err(csv_error)?;
    let mut rows = 0u64;
    ledger.for_each(filter, |o| {
        let refunded = o.amount.currency().decimal_string(o.refunded_minor);
        let record = [
            local_time(o.created_at_ms),
            o.merchant_order_no.clone(),
            o.gateway.as_str().into(),
            o.method.as_str().into(),
            o.environment.clone(),
            o.status.as_str().into(),
            o.amount.decimal_string(),
            o.amount.currency().code().into(),
            refunded,
            o.gateway_order_id.clone().unwrap_or_default(),
            o.gateway_status.clone().unwrap_or_default(),
            local_time(o.updated_at_ms),
        ];
        writer.write_record(record.iter().map(|c| neutralise(c).into_owned())).map_err(csv_error)?;
        rows += 1;
        Ok(())
    })?;
    writer.flush()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formula_cells_are_neutralised_and_others_kept() {
        for risky in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(risky), format!("'{risky}"));
        }
        for safe in ["PD123", "12.50", "", "a=b"] {
            assert_eq!(neutralise(safe), safe);
        }
    }
}
