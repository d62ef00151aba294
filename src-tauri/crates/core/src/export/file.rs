//! An export to a file, as the window and `export csv --output` make it: where it may go,
//! written beside its target and renamed onto it when complete, with its progress and what it
//! adds up to.

use std::path::{Path, PathBuf};

use paydesk_domain::error::{Error, Result};
use paydesk_ledger::ledger::{Ledger, OrderFilter};

use super::writer::write_csv_observed;
use super::ExportOptions;
use crate::filters::TotalsView;

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
    use paydesk_domain::zone::Zone;

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
