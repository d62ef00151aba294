//! Opening a SQLite file the way every Paydesk database wants it: WAL (readers never block
//! the writer), foreign keys on, a busy timeout so the window, the CLI and the sandbox can
//! share a file across processes, and embedded migrations ordered by `user_version`.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

use crate::error::{Error, Result};

/// Opens `path` and applies every migration it has not seen, each in its own transaction.
/// Migrations are append-only: never edit a released one.
pub fn open(path: &Path, migrations: &[&str]) -> Result<Connection> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Checkpoint the WAL every 8,192 pages (32 MiB) rather than SQLite's 1,000: a checkpoint
    // fsyncs, and small commits (one sale each) mostly rewrite the same few pages.
    conn.pragma_update(None, "wal_autocheckpoint", 8192)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    migrate(&mut conn, migrations)?;
    Ok(conn)
}

fn migrate(conn: &mut Connection, migrations: &[&str]) -> Result<()> {
    let current = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    if current > migrations.len() {
        return Err(Error::Internal(format!(
            "{} has schema version {current}, newer than this Paydesk knows ({}): update Paydesk",
            conn.path().unwrap_or("the database"),
            migrations.len()
        )));
    }
    for (index, sql) in migrations.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (index + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
