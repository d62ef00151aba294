//! CSV export of the ledger: streamed row by row from SQLite into a buffered writer (constant
//! memory: nothing is collected), RFC 4180 quoting (CRLF rows; a cell with a comma, quote or
//! line break is quoted, quotes doubled), UTF-8 with an optional BOM for Excel, times in a
//! chosen zone as "YYYY-MM-DD HH:MM:SS", amounts as decimals in the order's currency, chosen
//! columns, and formula-looking cells neutralised.

use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::types::ValueRef;

use paydesk_domain::error::{Error, Result};
use crate::filters::TotalsView;
use paydesk_gateways::describe_word_for;
use paydesk_ledger::ledger::{Ledger, OrderFilter};
use paydesk_domain::money::Currency;
use paydesk_domain::order::{Gateway, Method, OrderStatus};
use paydesk_domain::zone::{write_datetime, Zone};

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
    /// The order's status in plain words ("Partially refunded").
    Status(usize),
    /// The gateway's word in plain words, from that gateway's tables.
    GatewayStatus(usize),
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
            "status" => Column::Status(8),
            "amount" => Column::Amount(9),
            "currency" => Column::Plain(10),
            "refunded" => Column::Amount(11),
            "gateway_order_id" => Column::Plain(12),
            "gateway_status" => Column::GatewayStatus(13),
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
const GATEWAY_INDEX: usize = 5;
const METHOD_INDEX: usize = 6;
const STATUS_INDEX: usize = 8;

fn text_of<'a>(value: ValueRef<'a>) -> &'a [u8] {
    match value {
        ValueRef::Text(t) | ValueRef::Blob(t) => t,
        _ => b"",
    }
}

/// Writes `text` into `cell`, neutralised (see [`neutralise`]).
fn push_neutralised(cell: &mut Vec<u8>, text: &[u8]) {
    if is_risky(text) {
        cell.push(b'\'');
    }
    cell.extend_from_slice(text);
}

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
/// formula, and some trim what hides in front of it first: spaces, line breaks, zero-width
/// characters (U+200B..U+200D, U+2060, U+FEFF) and bidi controls (U+200E, U+200F,
/// U+202A..U+202E, U+2066..U+2069). A cell whose first visible character is a formula prefix
/// is written with a leading apostrophe, which spreadsheets hide and treat as "text". A value
/// that itself starts with an apostrophe gets one more, so the rule back is exact: a cell that
/// starts with `'` is the raw value with one apostrophe added.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if is_risky(cell.as_bytes()) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

fn is_risky(cell: &[u8]) -> bool {
    match cell.first() {
        None => false,
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\'') => true,
        // The common case (a number, a name, an order number) decided by its first byte.
        Some(b) if b.is_ascii_alphanumeric() => false,
        Some(_) => risky_behind_invisible(cell),
    }
}

/// Whether a formula prefix follows what a spreadsheet may skip at the start of a cell.
fn risky_behind_invisible(cell: &[u8]) -> bool {
    let text = match std::str::from_utf8(cell) {
        Ok(text) => text,
        Err(e) => match std::str::from_utf8(&cell[..e.valid_up_to()]) {
            Ok(text) => text,
            Err(_) => return false,
        },
    };
    for c in text.chars() {
        match c {
            '=' | '+' | '-' | '@' | '\t' | '\r' => return true,
            ' '
            | '\n'
            | '\u{a0}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2060}'
            | '\u{feff}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}' => continue,
            c if c.is_whitespace() => continue,
            _ => return false,
        }
    }
    false
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

/// How far an export to a file has got: rows written of the total counted before it began
/// (orders written meanwhile may take `rows` past `total`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportProgress {
    pub rows: u64,
    pub total: u64,
    pub done: bool,
}

/// A finished export to a file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportSummary {
    pub rows: u64,
    pub bytes: u64,
    pub path: String,
    /// What the exported orders add up to (as `order_totals`): takings, and the orders that
    /// brought no money counted apart. Counted as the export began.
    pub totals: TotalsView,
}

/// Where an export typed in the window may go: a whole path to a file in a folder that exists,
/// outside the data directory `data_dir` (see [`outside_data_dir`]). A relative path would land
/// wherever the app happened to start, so it is refused.
pub fn check_output_path(text: &str, data_dir: &Path) -> Result<PathBuf> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::invalid("path", "choose where to save the export"));
    }
    let path = PathBuf::from(text);
    if !path.is_absolute() {
        return Err(Error::invalid(
            "path",
            format!(
                "{text:?} is not a whole path: start from the root, such as /home/owner/orders.csv"
            ),
        ));
    }
    if text.ends_with(std::path::MAIN_SEPARATOR) || path.file_name().is_none() {
        return Err(Error::invalid("path", "name the file, not only its folder"));
    }
    if path.is_dir() {
        return Err(Error::invalid(
            "path",
            format!("{text} is a folder: name a file inside it"),
        ));
    }
    match path.parent() {
        Some(parent) if parent.is_dir() => outside_data_dir(path, data_dir),
        Some(parent) => Err(Error::invalid(
            "path",
            format!("the folder {} does not exist", parent.display()),
        )),
        None => Err(Error::invalid("path", "name a file inside a folder")),
    }
}

/// Refuses an export into the data directory itself: renamed onto `paydesk.db` (or its WAL, or
/// the sandbox's files) it would replace the ledger. A folder below it holds none of those and
/// is fine. Folders are compared resolved, so a link or `..` does not get round it.
pub fn outside_data_dir(path: PathBuf, data_dir: &Path) -> Result<PathBuf> {
    let folder = path
        .parent()
        .and_then(|p| p.canonicalize().ok())
        .ok_or_else(|| Error::invalid("path", "name a file inside a folder that exists"))?;
    let data = data_dir
        .canonicalize()
        .unwrap_or_else(|_| data_dir.to_path_buf());
    if folder == data {
        return Err(Error::invalid(
            "path",
            format!(
                "{} is Paydesk's own data folder (the ledger lives there): save the export elsewhere",
                folder.display()
            ),
        ));
    }
    Ok(path)
}

/// Exports the filtered orders to `path` (see [`check_output_path`]): counted first, so
/// `progress` can show a share (at the start, every `every` rows and at the end), written to a
/// hidden file beside the target and renamed onto it only when complete, so a failed or
/// stopped export leaves no half file (and an older file of that name untouched). An error
/// from `progress` stops the export.
pub fn export_to_path(
    ledger: &Ledger,
    filter: &OrderFilter,
    options: &ExportOptions,
    path: &Path,
    every: u64,
    mut progress: impl FnMut(ExportProgress) -> Result<()>,
) -> Result<ExportSummary> {
    let totals = TotalsView::of(&ledger.totals(filter)?);
    let total = totals.count;
    progress(ExportProgress {
        rows: 0,
        total,
        done: false,
    })?;
    let name = path
        .file_name()
        .ok_or_else(|| Error::invalid("path", "name the file, not only its folder"))?;
    let partial = path.with_file_name(format!(
        ".{}.{}.partial",
        name.to_string_lossy(),
        std::process::id()
    ));
    let every = every.max(1);
    let written = (|| -> Result<u64> {
        // Owner-only: the file holds the ledger, customers' names included.
        let mut open = std::fs::OpenOptions::new();
        open.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
        let file = open.open(&partial)?;
        let mut out = std::io::BufWriter::with_capacity(256 * 1024, file);
        let rows = write_csv_observed(ledger, filter, options, &mut out, |rows| {
            if rows % every == 0 {
                progress(ExportProgress {
                    rows,
                    total: total.max(rows),
                    done: false,
                })?;
            }
            Ok(())
        })?;
        let file = out.into_inner().map_err(|e| Error::Io(e.into_error()))?;
        // On disk before it takes the name: a crash after the rename never shows a short file.
        file.sync_all()?;
        std::fs::rename(&partial, path)?;
        Ok(rows)
    })();
    let rows = match written {
        Ok(rows) => rows,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    // The file is in place: a failing last report cannot undo it, so it is not an error.
    let _ = progress(ExportProgress {
        rows,
        total: total.max(rows),
        done: true,
    });
    Ok(ExportSummary {
        rows,
        bytes: std::fs::metadata(path)?.len(),
        path: path.display().to_string(),
        totals,
    })
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
        for safe in [
            "PD123",
            "12.50",
            "",
            "a=b",
            " a=1",
            "\u{200b}PD1",
            "\u{202e}abc",
            " ",
        ] {
            assert_eq!(neutralise(safe), safe);
            assert_eq!(raw_value(&neutralise(safe)), safe);
        }
    }

    #[test]
    fn a_formula_behind_spaces_is_neutralised() {
        for risky in [" =1+1", "   +1", "  -2", " @SUM(A1)", " \tx", "\u{a0}=1"] {
            assert_eq!(neutralise(risky), format!("'{risky}"), "{risky:?}");
            assert_eq!(raw_value(&neutralise(risky)), risky);
        }
    }

    #[test]
    fn a_formula_behind_zero_width_characters_is_neutralised() {
        for zw in ['\u{200b}', '\u{200c}', '\u{200d}', '\u{2060}', '\u{feff}'] {
            for prefix in ['=', '+', '-', '@'] {
                let cell = format!("{zw}{prefix}HYPERLINK(\"x\")");
                assert_eq!(neutralise(&cell), format!("'{cell}"), "{cell:?}");
            }
        }
        assert_eq!(neutralise("\u{200b} \u{feff}=1"), "'\u{200b} \u{feff}=1");
    }

    #[test]
    fn a_formula_behind_line_breaks_is_neutralised() {
        for cell in ["\n=1+1", "\n\n+1", " \n-1", "\n@x", "\n\r=1"] {
            assert_eq!(neutralise(cell), format!("'{cell}"), "{cell:?}");
        }
        assert_eq!(neutralise("\nabc"), "\nabc");
    }

    #[test]
    fn a_formula_behind_bidi_controls_is_neutralised() {
        let controls = [
            '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200e}', '\u{200f}',
        ];
        for control in controls {
            for prefix in ['=', '+', '-', '@', '\t'] {
                let cell = format!("{control}{prefix}1");
                assert_eq!(neutralise(&cell), format!("'{cell}"), "{cell:?}");
            }
        }
        assert_eq!(
            neutralise("\u{202e}\u{2066} =cmd"),
            "'\u{202e}\u{2066} =cmd"
        );
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

    fn seeded(orders: u64) -> (tempfile::TempDir, Ledger) {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open_in(dir.path()).unwrap();
        paydesk_ledger::seed::seed(&ledger, orders, 3).unwrap();
        (dir, ledger)
    }

    #[test]
    fn an_export_to_a_file_reports_progress_and_holds_exactly_the_filtered_orders() {
        let (dir, ledger) = seeded(260);
        let filter = OrderFilter {
            gateway: Some(paydesk_domain::order::Gateway::Iotpay),
            ..Default::default()
        };
        let expected: Vec<i64> = ledger
            .list(&OrderFilter {
                limit: Some(10_000),
                ..filter.clone()
            })
            .unwrap()
            .iter()
            .map(|o| o.id)
            .collect();
        assert!(expected.len() > 100, "{}", expected.len());
        let options = ExportOptions {
            columns: vec!["id".into(), "amount".into()],
            zone: Zone::Utc,
            bom: true,
        };
        let path = dir.path().join("orders.csv");
        let mut seen = Vec::new();
        let summary = export_to_path(&ledger, &filter, &options, &path, 50, |p| {
            seen.push(p);
            Ok(())
        })
        .unwrap();
        let n = expected.len() as u64;
        assert_eq!(summary.rows, n);
        assert_eq!(summary.bytes, std::fs::metadata(&path).unwrap().len());
        let mut want = vec![ExportProgress {
            rows: 0,
            total: n,
            done: false,
        }];
        want.extend((1..=n / 50).map(|k| ExportProgress {
            rows: k * 50,
            total: n,
            done: false,
        }));
        want.push(ExportProgress {
            rows: n,
            total: n,
            done: true,
        });
        assert_eq!(seen, want);
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let mut reader = csv::Reader::from_reader(&bytes[3..]);
        let ids: Vec<i64> = reader
            .records()
            .map(|r| r.unwrap()[0].parse().unwrap())
            .collect();
        assert_eq!(ids, expected);
        // Nothing is left beside it.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("partial"))
            .collect();
        assert!(names.is_empty(), "{names:?}");
    }

    #[test]
    fn a_stopped_export_leaves_no_half_file_and_keeps_the_old_one() {
        let (dir, ledger) = seeded(120);
        let path = dir.path().join("orders.csv");
        std::fs::write(&path, "the old export").unwrap();
        let err = export_to_path(
            &ledger,
            &OrderFilter::default(),
            &ExportOptions::default(),
            &path,
            10,
            |p| {
                if p.rows >= 30 {
                    Err(Error::Internal("stopped".into()))
                } else {
                    Ok(())
                }
            },
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "stopped");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "the old export");
        assert_eq!(
            std::fs::read_dir(dir.path())
                .unwrap()
                .filter(|e| {
                    e.as_ref()
                        .unwrap()
                        .file_name()
                        .to_string_lossy()
                        .contains("partial")
                })
                .count(),
            0
        );
    }

    #[test]
    fn output_paths_are_whole_paths_to_a_file_in_a_folder_that_exists() {
        let dir = tempfile::tempdir().unwrap();
        let data = tempfile::tempdir().unwrap();
        let good = dir.path().join("out.csv");
        assert_eq!(
            check_output_path(&format!(" {} ", good.display()), data.path()).unwrap(),
            good
        );
        for bad in [
            String::new(),
            "orders.csv".into(),
            "./orders.csv".into(),
            dir.path().display().to_string(),
            format!("{}/", dir.path().display()),
            dir.path().join("missing/out.csv").display().to_string(),
            // The ledger itself, directly or by a detour, and anything beside it.
            data.path().join("paydesk.db").display().to_string(),
            data.path().join("paydesk.db-wal").display().to_string(),
            format!(
                "{}/../{}/sandbox.db",
                data.path().display(),
                data.path().file_name().unwrap().to_string_lossy()
            ),
        ] {
            let e = check_output_path(&bad, data.path()).unwrap_err();
            assert_eq!(e.field(), Some("path"), "{bad:?}: {e}");
            assert!(e.is_bad_input());
        }
    }
}
