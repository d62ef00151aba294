//! CSV export of the ledger: the filtered orders, newest first, in chosen columns, times in a
//! chosen zone as "YYYY-MM-DD HH:MM:SS", amounts as decimals in the order's currency, and
//! formula-looking cells neutralised; to any writer (stdout) or to a file.
//!
//! `columns`: what an export can carry; `neutralise`: cells a spreadsheet would run;
//! `writer`: the streamed CSV; `file`: an export to a file, whole or not at all.

mod columns;
mod file;
mod neutralise;
mod writer;

use paydesk_domain::error::{Error, Result};
use paydesk_domain::zone::Zone;

pub use columns::{ALL_COLUMNS, COLUMNS};
pub use file::{
    check_output_path, export_to_path, outside_data_dir, ExportProgress, ExportSummary,
};
pub use neutralise::{neutralise, raw_value};
pub use writer::{write_csv, write_csv_observed, write_csv_with};

use columns::Column;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
