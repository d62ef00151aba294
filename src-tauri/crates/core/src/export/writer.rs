//! The CSV itself: the filtered orders streamed row by row from SQLite into a buffered writer
//! (constant memory: nothing is collected), RFC 4180 quoting (CRLF rows; a cell with a comma,
//! quote or line break is quoted, quotes doubled), UTF-8 with an optional BOM, times in the
//! chosen zone, amounts as decimals in the order's currency.

use std::io::Write;

use rusqlite::types::ValueRef;

use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::Currency;
use paydesk_domain::order::{Gateway, Method, OrderStatus};
use paydesk_domain::zone::write_datetime;
use paydesk_gateways::describe_word_for;
use paydesk_ledger::ledger::{Ledger, OrderFilter};

use super::columns::{Column, CURRENCY_INDEX, GATEWAY_INDEX, METHOD_INDEX, SELECT, STATUS_INDEX};
use super::neutralise::push_neutralised;
use super::ExportOptions;

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
    out: W,
) -> Result<u64> {
    write_csv_observed(ledger, filter, options, out, |_| Ok(()))
}

/// [`write_csv_with`], calling `on_row` with the count so far after each row (progress); an
/// error from it stops the export with that error.
pub fn write_csv_observed<W: Write>(
    ledger: &Ledger,
    filter: &OrderFilter,
    options: &ExportOptions,
    mut out: W,
    mut on_row: impl FnMut(u64) -> Result<()>,
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
                    ValueRef::Text(t) | ValueRef::Blob(t) => push_neutralised(&mut cell, t),
                    ValueRef::Integer(n) => {
                        let _ = write!(cell, "{n}");
                    }
                    ValueRef::Real(x) => {
                        let _ = write!(cell, "{x}");
                    }
                    ValueRef::Null => {}
                },
                Column::Status(i) => {
                    let word = text_of(row.get_ref(i)?);
                    match OrderStatus::ALL
                        .into_iter()
                        .find(|s| s.as_str().as_bytes() == word)
                    {
                        Some(status) => cell.extend_from_slice(status.label().as_bytes()),
                        None => push_neutralised(&mut cell, word),
                    }
                }
                Column::GatewayStatus(i) => {
                    let word = text_of(row.get_ref(i)?);
                    if !word.is_empty() {
                        // Allocation-free: the export streams a million rows.
                        let gateway_word = text_of(row.get_ref(GATEWAY_INDEX)?);
                        let method_word = text_of(row.get_ref(METHOD_INDEX)?);
                        let gateway = Gateway::ALL
                            .into_iter()
                            .find(|g| g.as_str().as_bytes() == gateway_word);
                        let method = Method::ALL
                            .into_iter()
                            .find(|m| m.as_str().as_bytes() == method_word);
                        let status_word = text_of(row.get_ref(STATUS_INDEX)?);
                        let status = OrderStatus::ALL
                            .into_iter()
                            .find(|s| s.as_str().as_bytes() == status_word)
                            .unwrap_or(OrderStatus::Pending);
                        match (gateway, method, std::str::from_utf8(word)) {
                            (Some(g), Some(m), Ok(w)) => push_neutralised(
                                &mut cell,
                                describe_word_for(g, m, status, w).as_bytes(),
                            ),
                            _ => push_neutralised(&mut cell, word),
                        }
                    }
                }
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
        on_row(rows)
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

fn text_of<'a>(value: ValueRef<'a>) -> &'a [u8] {
    match value {
        ValueRef::Text(t) | ValueRef::Blob(t) => t,
        _ => b"",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
