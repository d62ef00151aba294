//! Backups of the ledger, the one file that holds the shop's money history.
//!
//! Every copy is a consistent snapshot of the ledger as of one commit, taken while Paydesk
//! keeps writing, and a backup folder only ever holds complete backups (how: `snapshot`).
//!
//! When they are taken:
//! - before any migration: `Ledger::open` backs a ledger of an older schema up into
//!   `<data dir>/backups/` first; a migration that fails puts that backup back (restore) and
//!   says so, so the ledger is never left half migrated;
//! - `paydesk backup [--to DIR]` (the owner, any time);
//! - daily, into the folder the owner chose (`backup.dir`: a USB stick, a network share): the
//!   window checks at startup and every hour, and backs up when the newest backup there is more
//!   than a day old ([`daily`]);
//! - before a restore, the ledger being replaced is itself backed up.
//!
//! In each folder Paydesk keeps the newest [`KEEP`] of its own backups (`paydesk-*.db`) and
//! deletes older ones; other files are never touched.
//!
//! `paydesk restore FILE` ([`restore`]) checks the file first (`PRAGMA integrity_check`, a
//! Paydesk ledger, a schema version this Paydesk knows), refuses while the window is open on
//! the data directory ([`WindowLock`]), and writes it into the ledger through the same backup
//! API (never by replacing the file under an open connection).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::Serialize;

use paydesk_domain::error::{Error, Result};

use crate::ledger::{Ledger, LEDGER_FILE};
use crate::snapshot::write_back;
pub use crate::snapshot::{
    backup_file, backups_dir, before_migration, check_backup, list, undo_failed_migration,
    BackupFile, Checked, Reason, BACKUPS_DIR, KEEP,
};

/// The setting naming the folder of the daily backup (absolute path; unset = no daily backup).
pub const BACKUP_DIR_SETTING: &str = "backup.dir";
/// A backup older than this is stale: the daily backup is due and Settings warns.
pub const DAILY: Duration = Duration::from_secs(24 * 60 * 60);
/// The lock file the window holds (shared) while it is open; a restore needs it exclusively.
pub const WINDOW_LOCK_FILE: &str = "paydesk.lock";

/// Backs up the ledger of `ledger` (`paydesk backup`): into `to`, else `<data dir>/backups`.
pub fn backup(ledger: &Ledger, to: Option<&Path>) -> Result<BackupFile> {
    let dir = match to {
        Some(dir) => dir.to_path_buf(),
        None => backups_dir(ledger.path().parent().unwrap_or(Path::new("."))),
    };
    backup_file(ledger.path(), &dir, Reason::Manual)
}

/// What a restore did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Restored {
    pub from: PathBuf,
    pub schema_version: usize,
    pub orders: i64,
    /// The ledger that was replaced, backed up first (None when there was none).
    pub previous: Option<PathBuf>,
}

/// Puts `file` back as the ledger of `data_dir` (`paydesk restore FILE`): checks it first,
/// refuses while the window is open on that directory, backs the current ledger up, writes the
/// backup in, and opens the result (which migrates it when it is older).
pub fn restore(data_dir: &Path, file: &Path) -> Result<Restored> {
    let checked = check_backup(file)?;
    let _closed = WindowLock::exclusive(data_dir)?;
    let ledger_path = data_dir.join(LEDGER_FILE);
    let previous = if ledger_path.is_file() && std::fs::metadata(&ledger_path)?.len() > 0 {
        Some(backup_file(&ledger_path, &backups_dir(data_dir), Reason::BeforeRestore)?.path)
    } else {
        std::fs::create_dir_all(data_dir)?;
        None
    };
    write_back(file, &ledger_path)?;
    // Brings it to this Paydesk's schema (backing the restored one up first if older) and
    // leaves it in WAL mode, as every Paydesk database is.
    Ledger::open(&ledger_path)?;
    Ok(Restored {
        from: file.to_path_buf(),
        schema_version: checked.schema_version,
        orders: checked.orders,
        previous,
    })
}

/// A lock file in the data directory: the window holds it shared while open; a restore takes
/// it exclusively, so it refuses while any window is open on that ledger (the CLI's short
/// commands do not take it: the backup API writes under SQLite's own locks).
pub struct WindowLock {
    _file: File,
}

impl WindowLock {
    fn file(data_dir: &Path) -> Result<File> {
        std::fs::create_dir_all(data_dir)?;
        Ok(std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(data_dir.join(WINDOW_LOCK_FILE))?)
    }

    /// Held by the window for as long as it runs.
    pub fn shared(data_dir: &Path) -> Result<WindowLock> {
        let file = Self::file(data_dir)?;
        file.try_lock_shared().map_err(|e| {
            Error::Internal(format!(
                "the data directory is being restored ({e}): try again"
            ))
        })?;
        Ok(WindowLock { _file: file })
    }

    /// Refused while a window holds the lock.
    pub fn exclusive(data_dir: &Path) -> Result<WindowLock> {
        let file = Self::file(data_dir)?;
        file.try_lock().map_err(|_| Error::Refused {
            params: vec![],
            code: "app_open",
            field: None,
            message: format!(
                "Paydesk is open on {}: close its window first, then restore",
                data_dir.display()
            ),
        })?;
        Ok(WindowLock { _file: file })
    }
}

/// The owner's `backup.dir`, checked: an absolute path to an existing, writable folder, not
/// the data directory itself.
pub fn check_dir(value: &str) -> Result<PathBuf> {
    let bad = |rule: String| Err(Error::invalid("value", rule));
    let path = PathBuf::from(value);
    if !path.is_absolute() {
        return bad(format!(
            "{BACKUP_DIR_SETTING} is an absolute path to a folder (a USB stick, a network share), not {value:?}"
        ));
    }
    if !path.is_dir() {
        return bad(format!(
            "{BACKUP_DIR_SETTING}: {value} is not a folder that exists (is the drive plugged in?)"
        ));
    }
    let probe = path.join(format!(".paydesk-write-test-{}", std::process::id()));
    match std::fs::write(&probe, b"") {
        Ok(()) => {
            let _ = std::fs::remove_file(&probe);
        }
        Err(e) => {
            return bad(format!(
                "{BACKUP_DIR_SETTING}: cannot write into {value}: {e}"
            ))
        }
    }
    if path.join(LEDGER_FILE).exists() {
        return bad(format!(
            "{BACKUP_DIR_SETTING}: {value} holds a Paydesk ledger (a data folder): choose another folder"
        ));
    }
    Ok(path)
}

/// Where the backups are and how old the newest is: what `paydesk backup status` prints and
/// Settings shows (warning when `stale`).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
// The window names it apart from the other statuses it receives.
#[ts(rename = "BackupStatus")]
pub struct Status {
    /// The owner's daily backup folder (`backup.dir`), if chosen.
    pub folder: Option<PathBuf>,
    /// The newest backup in that folder or in `<data dir>/backups`.
    pub last: Option<PathBuf>,
    /// Its time (RFC 3339, UTC).
    pub last_at: Option<String>,
    /// No backup, or the newest is older than a day.
    pub stale: bool,
    /// A sentence for the owner (English; the window says it from the fields above).
    pub message: String,
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn newest_in(dirs: &[&Path]) -> Option<(PathBuf, SystemTime)> {
    dirs.iter()
        .filter_map(|d| list(d).ok())
        .flatten()
        .filter_map(|p| modified(&p).map(|t| (p, t)))
        .max_by_key(|(_, t)| *t)
}

/// The last backup's time, and whether it is older than a day.
pub fn status(ledger: &Ledger) -> Result<Status> {
    let folder = ledger.setting(BACKUP_DIR_SETTING)?.map(PathBuf::from);
    let own = backups_dir(ledger.path().parent().unwrap_or(Path::new(".")));
    let mut dirs: Vec<&Path> = vec![&own];
    if let Some(f) = &folder {
        dirs.push(f);
    }
    let newest = newest_in(&dirs);
    let age = newest
        .as_ref()
        .map(|(_, t)| SystemTime::now().duration_since(*t).unwrap_or_default());
    let stale = age.is_none_or(|a| a > DAILY);
    let last_at = newest.as_ref().map(|(_, t)| {
        chrono::DateTime::<chrono::Utc>::from(*t).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    });
    let message = match (&newest, &folder, stale) {
        (None, None, _) => "No backup yet, and no backup folder chosen: set backup.dir (Settings) or run `paydesk backup`.".to_string(),
        (None, Some(f), _) => format!("No backup yet in {}.", f.display()),
        (Some((p, _)), _, true) => format!(
            "The last backup is more than a day old ({}): {}.",
            last_at.clone().unwrap_or_default(),
            p.display()
        ),
        (Some((p, _)), _, false) => format!(
            "Last backup {}: {}.",
            last_at.clone().unwrap_or_default(),
            p.display()
        ),
    };
    Ok(Status {
        folder,
        last: newest.map(|(p, _)| p),
        last_at,
        stale,
        message,
    })
}

/// The daily backup: when the owner chose a folder (`backup.dir`) and its newest backup is
/// more than a day old (or there is none), backs up into it. Returns the backup taken, if any.
pub fn daily(ledger: &Ledger) -> Result<Option<BackupFile>> {
    let Some(folder) = ledger.setting(BACKUP_DIR_SETTING)? else {
        return Ok(None);
    };
    let folder = check_dir(&folder)?;
    let due = match newest_in(&[&folder]) {
        None => true,
        Some((_, t)) => SystemTime::now().duration_since(t).unwrap_or_default() > DAILY,
    };
    if !due {
        return Ok(None);
    }
    backup_file(ledger.path(), &folder, Reason::Daily).map(Some)
}

/// The window's daily backup: checked now and then every hour, on a thread of its own (a
/// backup never holds the ledger's write lock: the counter keeps selling meanwhile). A failure
/// (the stick unplugged) is logged and tried again the next hour; Settings shows the age.
pub fn spawn_daily(data_dir: PathBuf) {
    let spawned = std::thread::Builder::new()
        .name("paydesk-daily-backup".into())
        .spawn(move || loop {
            match Ledger::open_in(&data_dir).and_then(|ledger| daily(&ledger)) {
                Ok(Some(taken)) => {
                    tracing::info!(path = %taken.path.display(), "daily backup taken")
                }
                Ok(None) => {}
                Err(e) => tracing::warn!("daily backup: {e}"),
            }
            std::thread::sleep(Duration::from_secs(60 * 60));
        });
    if let Err(e) = spawned {
        tracing::warn!("daily backup not started: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relative_or_missing_backup_folder_is_refused() {
        assert!(check_dir("backups").is_err());
        assert!(check_dir("/no/such/folder/paydesk").is_err());
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(check_dir(dir.path().to_str().unwrap()).unwrap(), dir.path());
    }

    #[test]
    fn a_restore_is_refused_while_the_window_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let window = WindowLock::shared(dir.path()).unwrap();
        let err = WindowLock::exclusive(dir.path()).err().unwrap();
        assert_eq!(err.code(), "app_open");
        drop(window);
        WindowLock::exclusive(dir.path()).unwrap();
    }
}
