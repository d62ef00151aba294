//! The ledger's handle: one connection to the ledger file, opened (and migrated, backed up
//! first when older) by `Ledger::open`, and the write transactions every table family goes
//! through: `write` (synchronous=NORMAL), `write_durable` (synchronous=FULL, for intents) and
//! `write_one` (one autocommit statement), all IMMEDIATE and retried while the file is busy.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, Transaction};

use paydesk_domain::error::Result;

use crate::migrations::migrations;

pub const LEDGER_FILE: &str = "paydesk.db";

pub struct Ledger {
    conn: Mutex<Connection>,
    path: PathBuf,
}

thread_local! {
    static LAST_COMMIT_SYNC: std::cell::Cell<Option<&'static str>> = const { std::cell::Cell::new(None) };
}

/// The `synchronous` level the last ledger write of this thread committed with: "FULL" for
/// intents (`insert_order`, `begin_refund`), "NORMAL" for the rest. What the durability
/// tests check; None before any write.
pub fn last_commit_sync() -> Option<&'static str> {
    LAST_COMMIT_SYNC.with(|c| c.get())
}

/// Notes the level in force for the commit about to happen (read inside the transaction).
fn note_commit_sync(tx: &Transaction<'_>) -> Result<()> {
    let level: i64 = tx.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
    let level = ["OFF", "NORMAL", "FULL", "EXTRA"]
        .get(level as usize)
        .copied()
        .unwrap_or("?");
    LAST_COMMIT_SYNC.with(|c| c.set(Some(level)));
    Ok(())
}

impl Ledger {
    pub fn open_in(data_dir: &Path) -> Result<Ledger> {
        Ledger::open(&data_dir.join(LEDGER_FILE))
    }

    pub fn open(path: &Path) -> Result<Ledger> {
        Ledger::open_with_migrations(path, migrations())
    }

    /// `open` with another list of migrations: the tests' way to make one fail midway. A
    /// ledger of an older schema is backed up first (`snapshot::before_migration`); when a
    /// migration fails, that backup is put back and the error says so.
    #[doc(hidden)]
    pub fn open_with_migrations(path: &Path, migrations: &[&str]) -> Result<Ledger> {
        let backup = crate::snapshot::before_migration(path, migrations.len())?;
        let conn = match (crate::db::open(path, migrations), backup) {
            (Ok(conn), _) => conn,
            (Err(e), Some(backup)) => {
                return Err(crate::snapshot::undo_failed_migration(
                    path,
                    &backup,
                    migrations.len(),
                    e,
                ))
            }
            (Err(e), None) => return Err(e),
        };
        Ok(Ledger {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll
        // back), so a poisoned lock is still safe to use.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One write transaction: IMMEDIATE (the write lock first, so another process's write is
    /// waited for by SQLite's busy handler and a read-then-write never fails to upgrade), and
    /// retried while the file is busy, within the bound stated in `db.rs` (10 s, then one last
    /// 5 s busy timeout). Commits with `synchronous=NORMAL`: it survives a crash of Paydesk; a
    /// power cut may lose it (the gateway is then re-queried). For intents see `write_durable`.
    pub(super) fn write<T>(
        &self,
        mut work: impl FnMut(&Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        crate::db::write(&mut self.conn(), |tx| {
            let out = work(tx)?;
            note_commit_sync(tx)?;
            Ok(out)
        })
    }

    /// `write` for an intent, a row written before a gateway is called (an order, a refund
    /// reservation): committed with `synchronous=FULL`, so a power cut right after the
    /// gateway was called cannot lose the ledger's record of it (WAL + FULL syncs the log on
    /// every commit). Only these commits pay for the sync. Measured with `durable_write_cost`
    /// in `ledger/tests.rs` (300 inserts, debug build, the 2-core development machine, ext4 on
    /// a virtual disk, 2026-12-02): insert_order took 0.3-0.5 ms with NORMAL and 4.1-4.4 ms
    /// with FULL.
    /// A sale can wait 4 ms; every write paying it (each poll's status move, notifications,
    /// settings) would not be cheap, for nothing the gateway cannot tell again, so FULL is
    /// for intents only.
    pub(super) fn write_durable<T>(
        &self,
        mut work: impl FnMut(&Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut conn = self.conn();
        conn.pragma_update(None, "synchronous", "FULL")?;
        let written = crate::db::write(&mut conn, |tx| {
            let out = work(tx)?;
            note_commit_sync(tx)?;
            Ok(out)
        });
        let restored = conn.pragma_update(None, "synchronous", "NORMAL");
        let written = written?;
        restored?;
        Ok(written)
    }

    /// One statement on its own (autocommit), retried while the file is busy (see `write`).
    pub(super) fn write_one(
        &self,
        sql: &str,
        args: impl rusqlite::Params + Clone,
    ) -> Result<usize> {
        let conn = self.conn();
        crate::db::retry_busy(|| Ok(conn.execute(sql, args.clone())?))
    }

    /// The connection's journal mode and synchronous level (what a commit waits for).
    pub fn durability(&self) -> Result<(String, String)> {
        let conn = self.conn();
        let journal: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        let level: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
        let level = ["OFF", "NORMAL", "FULL", "EXTRA"]
            .get(level as usize)
            .copied()
            .unwrap_or("?");
        Ok((journal.to_uppercase(), level.to_string()))
    }
}
