//! Opening a SQLite file the way every Paydesk database wants it: WAL (readers never block
//! the writer), foreign keys on, a busy timeout so the window, the CLI and the sandbox can
//! share a file across processes, and embedded migrations ordered by `user_version`, run once
//! under the write lock by whichever process opens the file first.
//!
//! Waiting for the lock, and its bound: every statement waits up to [`BUSY_TIMEOUT`] (5 s) for
//! another connection's lock (SQLite's busy handler). Where SQLite answers BUSY without
//! invoking that handler (a deferred read-then-write transaction whose snapshot went stale, a
//! journal-mode change, WAL recovery by another process), [`retry_busy`] tries again, pausing
//! between tries, until [`WRITE_WAIT_BOUND`] (10 s) has passed since the first try. So a write
//! waits at most 10 s plus one last busy timeout (15 s in all) and then fails with "database is
//! locked"; it never fails at once because another process is writing. Read-then-write
//! transactions begin IMMEDIATE (take the write lock first), so the busy handler applies to
//! them and no lock upgrade can fail.

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::{Connection, ErrorCode, TransactionBehavior};

use paydesk_domain::error::{Error, Result};

/// How long one statement waits for another connection's lock.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long [`retry_busy`] keeps trying again (see the module's note for the full bound).
pub const WRITE_WAIT_BOUND: Duration = Duration::from_secs(10);
/// The pause before the first retry; it doubles up to [`MAX_RETRY_PAUSE`].
const FIRST_RETRY_PAUSE: Duration = Duration::from_millis(5);
const MAX_RETRY_PAUSE: Duration = Duration::from_millis(200);

/// Opens `path` and applies every migration it has not seen, each in its own transaction.
/// Migrations are append-only: never edit a released one.
pub fn open(path: &Path, migrations: &[&str]) -> Result<Connection> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        // Created owner-only from the start (no moment at 0755).
        let mut folder = std::fs::DirBuilder::new();
        folder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut folder, 0o700);
        folder.create(parent)?;
    }
    make_private(path)?;
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // journal_mode is kept in the file: only the first opener changes it, and a change needs
    // the file to itself (SQLite may answer BUSY at once then: retried).
    retry_busy(|| {
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            conn.pragma_update(None, "journal_mode", "WAL")?;
        }
        Ok(())
    })?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Checkpoint the WAL every 8,192 pages (32 MiB) rather than SQLite's 1,000: a checkpoint
    // fsyncs, and small commits (one sale each) mostly rewrite the same few pages.
    conn.pragma_update(None, "wal_autocheckpoint", 8192)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    migrate(&mut conn, migrations)?;
    Ok(conn)
}

/// Owner-only: the database file (created 0600 when new; SQLite gives its WAL and shared
/// memory files the same mode) and its folder (0700), tightened if an older Paydesk left them
/// open to others. The folder is changed only when it is the user's own (the same owner as the
/// database file) and not a shared one with the sticky bit, such as /tmp.
#[cfg(unix)]
fn make_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
    let private = |p: &Path, mode: u32| -> Result<()> {
        let meta = std::fs::metadata(p)?;
        if meta.permissions().mode() & 0o7777 != mode {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode))?;
        }
        Ok(())
    };
    if !path.exists() {
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)?;
    }
    private(path, 0o600)?;
    let name = path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    for suffix in ["-wal", "-shm", "-journal"] {
        let side = path.with_file_name(format!("{name}{suffix}"));
        // Another process's last connection may delete it between the look and the change.
        match private(&side, 0o600) {
            Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {}
            other => other?,
        }
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let mine = std::fs::metadata(path)?.uid();
        let meta = std::fs::metadata(dir)?;
        let shared = meta.mode() & 0o1000 != 0;
        if meta.uid() == mine && !shared && meta.mode() & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn make_private(_path: &Path) -> Result<()> {
    Ok(())
}

/// Whether an error is SQLite's "the file is locked by another connection".
pub fn is_busy(error: &Error) -> bool {
    matches!(
        error,
        Error::Storage(rusqlite::Error::SqliteFailure(e, _))
            if matches!(e.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

/// Runs `attempt` again while it fails because the file is locked, within
/// [`WRITE_WAIT_BOUND`] of the first try. `attempt` must be a whole transaction (or one
/// statement): a failed try has rolled back and changed nothing.
pub fn retry_busy<T>(mut attempt: impl FnMut() -> Result<T>) -> Result<T> {
    let started = Instant::now();
    let mut pause = FIRST_RETRY_PAUSE;
    loop {
        match attempt() {
            Err(e) if is_busy(&e) && started.elapsed() < WRITE_WAIT_BOUND => {
                tracing::debug!("database busy, trying again in {pause:?}: {e}");
                std::thread::sleep(pause);
                pause = (pause * 2).min(MAX_RETRY_PAUSE);
            }
            other => return other,
        }
    }
}

/// Runs `work` in one IMMEDIATE transaction (the write lock is taken first, waiting for it
/// within the bound above) and commits; retried whole while the file is busy.
pub fn write<T>(
    conn: &mut Connection,
    mut work: impl FnMut(&rusqlite::Transaction<'_>) -> Result<T>,
) -> Result<T> {
    retry_busy(|| {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = work(&tx)?;
        tx.commit()?;
        Ok(out)
    })
}

fn user_version(conn: &Connection) -> Result<usize> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize)
}

/// Brings the schema to `migrations.len()`. Several processes may open a new file at once:
/// each migration runs in an IMMEDIATE transaction that re-reads `user_version` once it holds
/// the write lock, so whoever comes second finds the work done and applies nothing twice.
fn migrate(conn: &mut Connection, migrations: &[&str]) -> Result<()> {
    let too_new = |conn: &Connection, current: usize| {
        Error::Internal(format!(
            "{} has schema version {current}, newer than this Paydesk knows ({}): update Paydesk",
            conn.path().unwrap_or("the database"),
            migrations.len()
        ))
    };
    let current = retry_busy(|| user_version(conn))?;
    if current > migrations.len() {
        return Err(too_new(conn, current));
    }
    if current == migrations.len() {
        return Ok(());
    }
    loop {
        let applied = write(conn, |tx| {
            let current = user_version(tx)?;
            if current >= migrations.len() {
                return Ok(current);
            }
            tx.execute_batch(migrations[current])?;
            tx.pragma_update(None, "user_version", (current + 1) as i64)?;
            Ok(current + 1)
        })?;
        if applied > migrations.len() {
            return Err(too_new(conn, applied));
        }
        if applied == migrations.len() {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEPS: &[&str] = &[
        "CREATE TABLE t (a INTEGER);",
        "ALTER TABLE t ADD COLUMN b TEXT;",
        "ALTER TABLE t ADD COLUMN c TEXT;",
    ];

    #[test]
    fn many_connections_opening_a_new_file_at_once_migrate_it_once() {
        for _ in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("x.db");
            let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
            let threads: Vec<_> = (0..8)
                .map(|_| {
                    let (path, barrier) = (path.clone(), barrier.clone());
                    std::thread::spawn(move || {
                        barrier.wait();
                        open(&path, STEPS).map(|_| ())
                    })
                })
                .collect();
            for t in threads {
                t.join().unwrap().unwrap();
            }
            let conn = open(&path, STEPS).unwrap();
            assert_eq!(user_version(&conn).unwrap(), 3);
        }
    }

    #[cfg(unix)]
    #[test]
    fn the_folder_and_files_are_the_owners_only_and_an_open_folder_is_tightened() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data");
        let path = dir.join("x.db");
        let conn = open(&path, STEPS).unwrap();
        conn.execute("INSERT INTO t (a) VALUES (1)", []).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir.join("x.db-wal")), 0o600);
        drop(conn);
        // An older Paydesk's folder and file, open to everyone: tightened on open.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        open(&path, STEPS).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&path), 0o600);
    }

    #[test]
    fn a_file_newer_than_this_build_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        open(&path, STEPS).unwrap();
        let err = open(&path, &STEPS[..2]).unwrap_err();
        assert!(err.to_string().contains("newer"), "{err}");
    }

    #[test]
    fn busy_is_retried_within_the_bound_and_other_errors_are_not() {
        let mut tries = 0;
        let out = retry_busy(|| {
            tries += 1;
            if tries < 3 {
                Err(Error::Storage(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                    None,
                )))
            } else {
                Ok(tries)
            }
        })
        .unwrap();
        assert_eq!(out, 3);
        let mut tries = 0;
        let err = retry_busy(|| -> Result<()> {
            tries += 1;
            Err(Error::Internal("no".into()))
        })
        .unwrap_err();
        assert_eq!(tries, 1);
        assert!(!is_busy(&err));
    }
}
