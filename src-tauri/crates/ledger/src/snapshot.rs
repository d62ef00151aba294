//! Copies of the ledger file, the one file that holds the shop's money history: taken, checked,
//! kept (the newest few) and written back. What `Ledger::open` uses to back a ledger of an
//! older schema up before migrating it (and to put it back when a migration fails), and what
//! the owner's backups (`backup`) are made of.
//!
//! Every copy is taken with SQLite's online backup API (`sqlite3_backup_*`), in one step under
//! a read transaction: a consistent snapshot of the ledger as of one commit, taken while the
//! window, the CLI and the sandbox keep writing (WAL readers do not block writers). A file copy
//! of a live WAL database could miss commits still in the `-wal` file or tear a page; this never
//! does. A backup is written beside its final name as a hidden `.partial` file, checked
//! (`PRAGMA integrity_check`), made a single self-contained file (rollback journal, no `-wal`)
//! and renamed, so a backup folder only ever holds complete backups.

use std::fs::File;
use std::path::{Path, PathBuf};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use paydesk_domain::error::{Error, Result};

/// The data directory's folder for automatic backups (before a migration, before a restore).
pub const BACKUPS_DIR: &str = "backups";

/// How many of its backups Paydesk keeps in each folder (the newest; older ones are deleted).
pub const KEEP: usize = 10;
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

/// An existing SQLite file (else an error naming it), opened in `mode`, waiting on locks.
fn open_file(path: &Path, mode: OpenFlags) -> Result<Connection> {
    if !path.is_file() {
        return Err(Error::invalid(
            "file",
            format!("{} is not a file", path.display()),
        ));
    }
    let conn = Connection::open_with_flags(path, mode | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(crate::db::BUSY_TIMEOUT)?;
    Ok(conn)
}

fn open_read_only(path: &Path) -> Result<Connection> {
    open_file(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
}

/// The live ledger, opened to read without creating it. Read-write, not read-only: a WAL
/// database another process is creating or migrating may need its shared-memory file set up
/// or recovered, which a read-only connection cannot do ("attempt to write a readonly
/// database", "disk I/O error": seen with several processes opening a new data dir at once).
fn open_ledger(path: &Path) -> Result<Connection> {
    open_file(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
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
    let mut header = [0u8; 64];
    read_header(path, &mut header)?;
    if &header[..16] != b"SQLite format 3\0" {
        return None;
    }
    Some(u32::from_be_bytes([header[60], header[61], header[62], header[63]]) as usize)
}

/// Reads the first bytes of the ledger file without ever closing a descriptor of it.
///
/// SQLite locks its files with POSIX advisory locks, which belong to the process: closing ANY
/// descriptor of the file releases every lock the process holds on it, those of its open
/// SQLite connections included (SQLite guards its own closes, not ours; sqlite.org,
/// "How To Corrupt An SQLite Database File", 2.2). The window keeps its ledger open while its
/// daily-backup thread opens the ledger again every hour: a plain open-read-close of the header
/// here dropped the window's shared lock, so the next CLI process to close the ledger believed
/// itself the last connection, checkpointed and deleted the WAL, and the window's later
/// writes went into a deleted file (lost at the next start; reads failed "disk I/O error").
/// So each (device, inode) gets one descriptor for the life of the process, read with pread
/// and never closed; a replaced file is a new inode and gets its own.
#[cfg(unix)]
fn read_header(path: &Path, header: &mut [u8]) -> Option<()> {
    use std::collections::HashMap;
    use std::os::unix::fs::{FileExt, MetadataExt};
    use std::sync::{Mutex, OnceLock};
    static KEPT: OnceLock<Mutex<HashMap<(u64, u64), File>>> = OnceLock::new();
    let meta = std::fs::metadata(path).ok()?;
    let mut kept = KEPT
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let file = match kept.entry((meta.dev(), meta.ino())) {
        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
        std::collections::hash_map::Entry::Vacant(e) => e.insert(File::open(path).ok()?),
    };
    file.read_exact_at(header, 0).ok()
}

/// Elsewhere a lock belongs to its handle (Windows' LockFileEx): another handle's close
/// releases nothing.
#[cfg(not(unix))]
fn read_header(path: &Path, header: &mut [u8]) -> Option<()> {
    use std::io::Read;
    File::open(path).ok()?.read_exact(header).ok()
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
pub(crate) fn write_back(backup: &Path, ledger_path: &Path) -> Result<()> {
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
    let known = crate::migrations::schema_version();
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
}
