//! CSV export of the ledger: streamed row by row from SQLite into a buffered writer (constant
//! memory: nothing is collected), RFC 4180 quoting (CRLF rows; a cell with a comma, quote or
//! line break is quoted, quotes doubled), UTF-8 with an optional BOM for Excel, times in a
//! chosen zone as "YYYY-MM-DD HH:MM:SS", amounts as decimals in the order's currency, chosen
//! columns, and formula-looking cells neutralised.

use std::io::Write;

use rusqlite::types::ValueRef;

use crate::error::{Error, Result};
use crate::ledger::{Ledger, OrderFilter};
use crate::money::Currency;
use crate::zone::{write_datetime, Zone};

/// The default columns, in order (the export's header before `--columns` existed).
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

/// Every column an export can carry.
pub const ALL_COLUMNS: &[&str] = &[
    "id",
    "created_at",
    "updated_at",
    "expires_at",
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
    "customer",
    "description",
    "reconciliation_reference_id",
    "gateway_created_at",
];

/// What the export reads from `orders`, by position (see `Column::index`).
const SELECT: &str = "id, created_at, updated_at, expires_at, merchant_order_no, gateway, method, environment, status, \
                      amount_minor, currency, refunded_minor, gateway_order_id, gateway_status, customer, description, \
                      json_extract(payment_payload, '$.support.reconciliationReferenceId'), \
                      json_extract(payment_payload, '$.support.creationDate')";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    /// A column read as it is (text or integer), neutralised.
    Plain(usize),
    /// Milliseconds since the epoch, shown in the export's zone.
    Time(usize),
    /// Minor units shown as a decimal in the row's currency.
    Amount(usize),
}

impl Column {
    fn of(name: &str) -> Option<Column> {
        Some(match name {
            "id" => Column::Plain(0),
            "created_at" => Column::Time(1),
            "updated_at" => Column::Time(2),
            "expires_at" => Column::Time(3),
            "merchant_order_no" => Column::Plain(4),
            "gateway" => Column::Plain(5),
            "method" => Column::Plain(6),
            "environment" => Column::Plain(7),
            "status" => Column::Plain(8),
            "amount" => Column::Amount(9),
            "currency" => Column::Plain(10),
            "refunded" => Column::Amount(11),
            "gateway_order_id" => Column::Plain(12),
            "gateway_status" => Column::Plain(13),
            "customer" => Column::Plain(14),
            "description" => Column::Plain(15),
            // What SmartPay's support asks for, kept with the order from its status answers.
            "reconciliation_reference_id" => Column::Plain(16),
            "gateway_created_at" => Column::Plain(17),
            _ => return None,
        })
    }
}

const CURRENCY_INDEX: usize = 10;

/// How an export looks: which columns, which zone its times are in, and whether it starts
/// with a UTF-8 byte order mark (Excel then reads it as UTF-8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOptions {
    pub columns: Vec<String>,
    pub zone: Zone,
    pub bom: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            columns: COLUMNS.iter().map(|c| c.to_string()).collect(),
            zone: Zone::Local,
            bom: false,
        }
    }
}

impl ExportOptions {
    /// Columns as `--columns` takes them: names separated by commas. An unknown or repeated
    /// name is bad input that names it.
    pub fn parse_columns(text: &str) -> Result<Vec<String>> {
        let mut columns: Vec<String> = Vec::new();
        for name in text.split(',').map(str::trim) {
            if name.is_empty() {
                return Err(Error::invalid(
                    "columns",
                    "an empty column name: separate names with single commas",
                ));
            }
            if Column::of(name).is_none() {
                return Err(Error::invalid(
                    "columns",
                    format!(
                        "unknown column {name:?}: use any of {}",
                        ALL_COLUMNS.join(", ")
                    ),
                ));
            }
            if columns.iter().any(|c| c == name) {
                return Err(Error::invalid(
                    "columns",
                    format!("column {name:?} is named twice"),
                ));
            }
            columns.push(name.to_string());
        }
        Ok(columns)
    }
}

/// A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, tab or carriage return as a
/// formula. Such a cell is written with a leading apostrophe, which spreadsheets hide and
/// treat as "text". A value that itself starts with an apostrophe gets one more, so the rule
/// back is exact: a cell that starts with `'` is the raw value with one apostrophe added.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if is_risky(cell.as_bytes()) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

fn is_risky(cell: &[u8]) -> bool {
    matches!(
        cell.first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\'')
    )
}

/// The raw value of an exported cell: `neutralise` undone (one leading apostrophe removed).
pub fn raw_value(cell: &str) -> &str {
    cell.strip_prefix('\'').unwrap_or(cell)
}

/// Writes the filtered orders as CSV with the default columns in local time; returns how many
/// rows were written.
pub fn write_csv<W: Write>(ledger: &Ledger, filter: &OrderFilter, out: W) -> Result<u64> {
    write_csv_with(ledger, filter, &ExportOptions::default(), out)
}

/// Writes the filtered orders as CSV, newest first; returns how many rows were written.
pub fn write_csv_with<W: Write>(
    ledger: &Ledger,
    filter: &OrderFilter,
    options: &ExportOptions,
    mut out: W,
) -> Result<u64> {
    let csv_error = |e: csv::Error| Error::Io(std::io::Error::other(e));
    let columns: Vec<Column> = options
        .columns
        .iter()
        .map(|name| {
            Column::of(name)
                .ok_or_else(|| Error::invalid("columns", format!("unknown column {name:?}")))
        })
        .collect::<Result<_>>()?;
    if options.bom {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .buffer_capacity(64 * 1024)
        .from_writer(out);
    writer.write_record(&options.columns).map_err(csv_error)?;
    let mut rows = 0u64;
    let mut cell: Vec<u8> = Vec::with_capacity(64);
    let mut currency: Option<(Vec<u8>, Option<Currency>)> = None;
    ledger.for_each_row(filter, SELECT, |row| {
        for column in &columns {
            cell.clear();
            match *column {
                Column::Plain(i) => match row.get_ref(i)? {
                    ValueRef::Text(t) | ValueRef::Blob(t) => {
                        if is_risky(t) {
                            cell.push(b'\'');
                        }
                        cell.extend_from_slice(t);
                    }
                    ValueRef::Integer(n) => {
                        let _ = write!(cell, "{n}");
                    }
                    ValueRef::Real(x) => {
                        let _ = write!(cell, "{x}");
                    }
                    ValueRef::Null => {}
                },
                Column::Time(i) => {
                    if let ValueRef::Integer(ms) = row.get_ref(i)? {
                        write_datetime(&mut cell, ms, &options.zone);
                    }
                }
                Column::Amount(i) => {
                    let minor: i64 = row.get(i)?;
                    let code = match row.get_ref(CURRENCY_INDEX)? {
                        ValueRef::Text(t) => t,
                        _ => b"",
                    };
                    if currency.as_ref().map(|(c, _)| c.as_slice()) != Some(code) {
                        let parsed = std::str::from_utf8(code)
                            .ok()
                            .and_then(|c| Currency::parse(c).ok());
                        currency = Some((code.to_vec(), parsed));
                    }
                    match currency.as_ref().and_then(|(_, c)| *c) {
                        Some(c) => write_decimal(&mut cell, minor, c.exponent()),
                        None => {
                            let _ = write!(cell, "{minor}");
                        }
                    }
                }
            }
            writer.write_field(&cell).map_err(csv_error)?;
        }
        writer.write_record(None::<&[u8]>).map_err(csv_error)?;
        rows += 1;
        Ok(())
    })?;
    writer.flush()?;
    Ok(rows)
}

/// Minor units as plain decimal text with `exponent` decimals: 1250, 2 -> "12.50".
fn write_decimal(out: &mut Vec<u8>, minor: i64, exponent: u8) {
    if minor < 0 {
        out.push(b'-');
    }
    let abs = minor.unsigned_abs();
    if exponent == 0 {
        let _ = write!(out, "{abs}");
        return;
    }
    let scale = 10u64.pow(exponent as u32);
    let _ = write!(
        out,
        "{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = exponent as usize
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_others_kept() {
        for risky in [
            "=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "'quoted", "'=1",
        ] {
            assert_eq!(neutralise(risky), format!("'{risky}"));
            assert_eq!(raw_value(&neutralise(risky)), risky);
        }
        for safe in ["PD123", "12.50", "", "a=b", " =1"] {
            assert_eq!(neutralise(safe), safe);
            assert_eq!(raw_value(&neutralise(safe)), safe);
        }
    }

    #[test]
    fn columns_are_checked_by_name() {
        assert_eq!(
            ExportOptions::parse_columns("id, amount,currency").unwrap(),
            vec!["id", "amount", "currency"]
        );
        let err = ExportOptions::parse_columns("id,amout").unwrap_err();
        assert!(err.is_bad_input());
        assert!(err.to_string().contains("\"amout\""), "{err}");
        assert!(ExportOptions::parse_columns("id,,amount").is_err());
        assert!(ExportOptions::parse_columns("id,id").is_err());
        for name in ALL_COLUMNS {
            assert!(Column::of(name).is_some(), "{name}");
        }
        for name in COLUMNS {
            assert!(ALL_COLUMNS.contains(name), "{name}");
        }
    }

    #[test]
    fn decimals_follow_the_currency() {
        let mut out = Vec::new();
        write_decimal(&mut out, 1250, 2);
        assert_eq!(out, b"12.50");
        out.clear();
        write_decimal(&mut out, 5, 3);
        assert_eq!(out, b"0.005");
        out.clear();
        write_decimal(&mut out, 1500, 0);
        assert_eq!(out, b"1500");
    }
}
