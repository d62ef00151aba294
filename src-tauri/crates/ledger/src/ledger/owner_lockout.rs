//! The owner PIN's wrong tries (migration 8): one row, so a lockout holds across restarts and
//! is shared by the window and the CLI.

use rusqlite::{params, OptionalExtension};

use paydesk_domain::error::Result;

use super::handle::Ledger;

impl Ledger {
    /// The owner PIN's lockout state: (wrong tries in a row, lockouts in a row, locked until ms).
    pub fn owner_lockout(&self) -> Result<(u32, u32, i64)> {
        Ok(self
            .conn()
            .query_row(
                "SELECT failures, lockouts, locked_until FROM owner_lockout WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .unwrap_or((0, 0, 0)))
    }

    /// Records one PIN check in one write: `update` gets the state as stored now (another
    /// process may have written since it was read) and returns the state to store.
    pub fn update_owner_lockout(
        &self,
        mut update: impl FnMut((u32, u32, i64)) -> (u32, u32, i64),
    ) -> Result<(u32, u32, i64)> {
        self.write(|tx| {
            let now: (u32, u32, i64) = tx
                .query_row(
                    "SELECT failures, lockouts, locked_until FROM owner_lockout WHERE id = 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?
                .unwrap_or((0, 0, 0));
            let next = update(now);
            tx.execute(
                "INSERT INTO owner_lockout (id, failures, lockouts, locked_until) VALUES (1, ?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET failures = excluded.failures,
                     lockouts = excluded.lockouts, locked_until = excluded.locked_until",
                params![next.0, next.1, next.2],
            )?;
            Ok(next)
        })
    }
}
