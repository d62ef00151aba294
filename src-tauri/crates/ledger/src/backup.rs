//! Backups of the ledger, the one file that holds the shop's money history.
//!
//! Every copy is taken with SQLite's online backup API (`sqlite3_backup_*`), in one step under
//! a read transaction: a consistent snapshot of the ledger as of one commit, taken while the
//! window, the CLI and the sandbox keep writing (WAL readers do not block writers). A file copy
//! of a live WAL database could miss commits still in the `-wal` file or tear a page; this never
//! does. A backup is written beside its final name as a hidden `.partial` file, checked
//! (`PRAGMA integrity_check`), made a single self-contained file (rollback journal, no `-wal`)
//! and renamed, so a backup folder only ever holds complete backups.
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

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use paydesk_domain::error::{Error, Result};
use crate::ledger::{Ledger, LEDGER_FILE};

/// The data directory's folder for automatic backups (before a migration, before a restore).
pub const BACKUPS_DIR: &str = "backups";
/// How many of its backups Paydesk keeps in each folder (the newest; older ones are deleted).
pub const KEEP: usize = 10;
/// The setting naming the folder of the daily backup (absolute path; unset = no daily backup).
pub const BACKUP_DIR_SETTING: &str = "backup.dir";
/// A backup older than this is stale: the daily backup is due and Settings warns.
pub const DAILY: Duration = Duration::from_secs(24 * 60 * 60);
/// The lock file the window holds (shared) while it is open; a restore needs it exclusively.
pub const WINDOW_LOCK_FILE: &str = "paydesk.lock";
const PREFIX: &str = "paydesk-";
const SUFFIX: &str = ".db";

/// Why a backup was taken: part of its file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// `paydesk backup`.
    Manual,
    /// The daily backup into `backup.dir`.
    Daily,
    /// Before migrating a ledger of schema version `from`.
    BeforeMigration { from: usize },
    /// The ledger as it was before a restore replaced it.
    BeforeRestore,
}

impl Reason {
    fn tag(self) -> String {
        match self {
            Reason::Manual => "manual".into(),
            Reason::Daily => "daily".into(),
            Reason::BeforeMigration { from } => format!("before-migration-v{from}"),
            Reason::BeforeRestore => "before-restore".into(),
        }
    }
}

/// A backup as it was written.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupFile {
    pub path: PathBuf,
    pub bytes: u64,
    pub schema_version: usize,
    pub orders: i64,
}

/// The default folder: `<data dir>/backups`.
pub fn backups_dir(data_dir: &Path) -> PathBuf {
    data_dir.join(BACKUPS_DIR)
}

fn open_read_only(path: &Path) -> Result<Connection> {
    if !path.is_file() {
        return Err(Error::invalid(
            "file",
            format!("{} is not a file", path.display()),
        ));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(crate::db::BUSY_TIMEOUT)?;
    Ok(conn)
}

/// The live ledger, opened to read without creating it. Read-write, not read-only: a WAL
/// database another process is creating or migrating may need its shared-memory file set up
/// or recovered, which a read-only connection cannot do ("attempt to write a readonly
/// database", "disk I/O error": seen with several processes opening a new data dir at once).
fn open_ledger(path: &Path) -> Result<Connection> {
    if !path.is_file() {
        return Err(Error::invalid(
            "file",
            format!("{} is not a file", path.display()),
        ));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(crate::db::BUSY_TIMEOUT)?;
    Ok(conn)
}

/// Copies every page of `from` into `to` in one step (one read transaction on `from`: a
/// snapshot as of one commit), waiting while either side is locked, within the write bound.
fn copy(from: &Connection, to: &mut Connection) -> Result<()> {
    crate::db::retry_busy(|| {
        let backup = Backup::new(from, to)?;
        loop {
            match backup.step(-1)? {
                StepResult::Done => return Ok(()),
                StepResult::More => continue,
                StepResult::Busy | StepResult::Locked => {
                    return Err(Error::Storage(rusqlite::Error::SqliteFailure(
                        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                        Some("the ledger is locked: backup step".into()),
                    )))
                }
                _ => continue,
            }
        }
    })
}

/// `PRAGMA integrity_check` of an open database: Ok, or the first problems it names.
fn integrity(conn: &Connection) -> Result<()> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if rows.len() == 1 && rows[0] == "ok" {
        Ok(())
    } else {
        Err(Error::invalid(
            "file",
            format!(
                "the database fails SQLite's integrity check: {}",
                rows.into_iter().take(5).collect::<Vec<_>>().join("; ")
            ),
        ))
    }
}

fn schema_version(conn: &Connection) -> Result<usize> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize)
}

fn order_count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM orders", [], |r| r.get(0))?)
}

fn stamp() -> String {
    chrono::Utc::now()
        .format("%Y%m%d-%H%M%S%.3f")
        .to_string()
        .replace('.', "-")
}

/// Backs the ledger at `ledger_path` up into `dir` (created if missing) as
/// `paydesk-<UTC time>-<reason>.db`, then keeps the newest [`KEEP`] there.
pub fn backup_file(ledger_path: &Path, dir: &Path, reason: Reason) -> Result<BackupFile> {
    std::fs::create_dir_all(dir)?;
    let name = format!("{PREFIX}{}-{}{SUFFIX}", stamp(), reason.tag());
    let target = dir.join(&name);
    let partial = dir.join(format!(".{name}.partial"));
    let written = (|| -> Result<BackupFile> {
        let from = open_ledger(ledger_path)?;
        let _ = std::fs::remove_file(&partial);
        private_file(&partial)?;
        let mut to = Connection::open(&partial)?;
        copy(&from, &mut to)?;
        drop(from);
        // One self-contained file: no -wal beside it once closed.
        to.pragma_update(None, "journal_mode", "DELETE")?;
        integrity(&to)?;
        let schema_version = schema_version(&to)?;
        let orders = order_count(&to)?;
        drop(to);
        File::open(&partial)?.sync_all()?;
        std::fs::rename(&partial, &target)?;
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(BackupFile {
            bytes: std::fs::metadata(&target)?.len(),
            path: target.clone(),
            schema_version,
            orders,
        })
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    let written = written?;
    prune(dir, KEEP)?;
    tracing::info!(path = %written.path.display(), orders = written.orders, "ledger backed up");
    Ok(written)
}

/// Backs up the ledger of `ledger` (`paydesk backup`): into `to`, else `<data dir>/backups`.
pub fn backup(ledger: &Ledger, to: Option<&Path>) -> Result<BackupFile> {
    let dir = match to {
        Some(dir) => dir.to_path_buf(),
        None => backups_dir(ledger.path().parent().unwrap_or(Path::new("."))),
    };
    backup_file(ledger.path(), &dir, Reason::Manual)
}

#[cfg(unix)]
fn private_file(path: &Path) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    Ok(())
}

#[cfg(not(unix))]
fn private_file(_path: &Path) -> Result<()> {
    Ok(())
}

/// Paydesk's backups in `dir`, newest first (by name: the UTC time comes first).
pub fn list(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
        Err(e) => return Err(e.into()),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(PREFIX) && name.ends_with(SUFFIX) && entry.path().is_file() {
            found.push(entry.path());
        }
    }
    found.sort();
    found.reverse();
    Ok(found)
}

/// Deletes all but the newest `keep` of Paydesk's backups in `dir`.
fn prune(dir: &Path, keep: usize) -> Result<()> {
    for old in list(dir)?.into_iter().skip(keep) {
        if let Err(e) = std::fs::remove_file(&old) {
            tracing::warn!("cannot delete the old backup {}: {e}", old.display());
        }
    }
    Ok(())
}

/// The schema version in the database file's header (`PRAGMA user_version` is the 4-byte
/// big-endian integer at offset 60), as last checkpointed; None when it cannot be read.
fn header_user_version(path: &Path) -> Option<usize> {
    use std::io::Read;
    let mut header = [0u8; 64];
    std::fs::File::open(path)
        .ok()?
        .read_exact(&mut header)
        .ok()?;
    if &header[..16] != b"SQLite format 3\0" {
        return None;
    }
    Some(u32::from_be_bytes([header[60], header[61], header[62], header[63]]) as usize)
}

/// Called by `Ledger::open` before the migrations: when the ledger exists with an older
/// schema than `target_version` (and is not new), backs it up into `<its folder>/backups` and
/// returns the backup. Nothing for a new or current ledger.
pub fn before_migration(ledger_path: &Path, target_version: usize) -> Result<Option<BackupFile>> {
    if !ledger_path.is_file() || std::fs::metadata(ledger_path)?.len() == 0 {
        return Ok(None);
    }
    // First the file's header, without opening a connection: a new ledger that other
    // processes are creating and migrating at this moment (header 0), or a current one, needs
    // nothing. A connection opened and closed here during that burst made the other processes'
    // opens fail now and then ("attempt to write a readonly database", "disk I/O error").
    match header_user_version(ledger_path) {
        Some(v) if v == 0 || v >= target_version => return Ok(None),
        _ => {}
    }
    let version = {
        let conn = open_ledger(ledger_path)?;
        crate::db::retry_busy(|| schema_version(&conn))?
    };
    if version == 0 || version >= target_version {
        return Ok(None);
    }
    let dir = backups_dir(ledger_path.parent().unwrap_or(Path::new(".")));
    backup_file(ledger_path, &dir, Reason::BeforeMigration { from: version }).map(Some)
}

/// Writes `backup` into the database at `ledger_path` through the backup API (after the
/// checks of [`check_backup`]); the caller has made sure nothing else needs the ledger.
fn write_back(backup: &Path, ledger_path: &Path) -> Result<()> {
    let from = open_read_only(backup)?;
    let mut to = Connection::open(ledger_path)?;
    to.busy_timeout(crate::db::BUSY_TIMEOUT)?;
    copy(&from, &mut to)?;
    integrity(&to)?;
    Ok(())
}

/// After a migration failed: the backup taken before it is written back, so the ledger is as
/// it was (the old schema), and the error says what happened and where the backup is.
/// Only a ledger left midway (a schema version between the backup's and `target`) is put
/// back: one that did not move, or that another process brought up to date, is left alone.
pub fn undo_failed_migration(
    ledger_path: &Path,
    backup: &BackupFile,
    target: usize,
    error: Error,
) -> Error {
    let now = open_ledger(ledger_path).and_then(|c| schema_version(&c));
    match now {
        Ok(v) if v > backup.schema_version && v < target => {}
        _ => {
            return Error::Internal(format!(
                "{error} (the ledger was backed up first, to {})",
                backup.path.display()
            ))
        }
    }
    let restored = write_back(&backup.path, ledger_path);
    let kept = backup.path.display();
    match restored {
        Ok(()) => Error::Internal(format!(
            "the ledger could not be brought up to date ({error}). It has been put back as it \
             was before (schema version {}, {} orders, from the backup {kept}); nothing was lost. \
             Run the previous Paydesk, or report this error; the backup stays where it is.",
            backup.schema_version, backup.orders
        )),
        Err(e) => Error::Internal(format!(
            "the ledger could not be brought up to date ({error}), and putting the backup back \
             failed too ({e}). The ledger as it was before is kept in {kept}: restore it with \
             `paydesk restore {kept}` before using Paydesk again."
        )),
    }
}

/// What a backup file holds, once it passed the checks.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Checked {
    pub schema_version: usize,
    pub orders: i64,
}

/// The checks before a restore: SQLite's integrity check, a Paydesk ledger (an `orders` table
/// and a schema version), and a schema version this Paydesk knows (not newer).
pub fn check_backup(file: &Path) -> Result<Checked> {
    let conn = open_read_only(file)
        .map_err(|e| Error::invalid("file", format!("{} cannot be read: {e}", file.display())))?;
    integrity(&conn).map_err(|e| match e {
        Error::InvalidInput { .. } => e,
        other => Error::invalid(
            "file",
            format!("{} is not a SQLite database ({other})", file.display()),
        ),
    })?;
    let version = schema_version(&conn)?;
    let known = crate::ledger::schema_version();
    if version == 0 {
        return Err(Error::invalid(
            "file",
            format!(
                "{} is not a Paydesk ledger (no schema version)",
                file.display()
            ),
        ));
    }
    if version > known {
        return Err(Error::invalid(
            "file",
            format!(
                "{} has schema version {version}, newer than this Paydesk knows ({known}): \
                 update Paydesk first",
                file.display()
            ),
        ));
    }
    let orders = order_count(&conn).map_err(|_| {
        Error::invalid(
            "file",
            format!(
                "{} is not a Paydesk ledger (no orders table)",
                file.display()
            ),
        )
    })?;
    Ok(Checked {
        schema_version: version,
        orders,
    })
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
    /// A sentence for the owner.
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
    fn the_newest_ten_are_kept_and_other_files_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..13 {
            std::fs::write(
                dir.path()
                    .join(format!("paydesk-2026010{}-0000{i:02}-manual.db", i % 10)),
                b"x",
            )
            .unwrap();
        }
        std::fs::write(dir.path().join("notes.txt"), b"mine").unwrap();
        prune(dir.path(), KEEP).unwrap();
        assert_eq!(list(dir.path()).unwrap().len(), KEEP);
        assert!(dir.path().join("notes.txt").exists());
    }

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
