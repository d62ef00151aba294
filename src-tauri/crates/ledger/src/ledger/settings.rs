//! The settings table: one value per key, read one at a time, written one at a time or
//! several in one transaction (optionally behind a check made under the write lock).

use rusqlite::{params, OptionalExtension, Transaction};

use paydesk_domain::error::Result;

use super::handle::Ledger;

impl Ledger {
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.write_one(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Stores several settings in one transaction, so a form with one bad field (checked
    /// before) never lands half: `Some` sets a value, `None` forgets it (its default applies).
    pub fn put_settings(&self, changes: &[(String, Option<String>)]) -> Result<()> {
        self.write(|tx| {
            for (key, value) in changes {
                put_setting_in(tx, key, value.as_deref())?;
            }
            Ok(())
        })
    }

    /// Writes `changes` when `allowed` (reading the settings under the write lock, so two
    /// processes cannot both pass it) says so; its error is returned and nothing is written.
    pub fn put_settings_if(
        &self,
        allowed: impl Fn(&dyn Fn(&str) -> Result<Option<String>>) -> Result<()>,
        changes: &[(&str, &str)],
    ) -> Result<()> {
        self.write(|tx| {
            let read = |key: &str| -> Result<Option<String>> {
                Ok(tx
                    .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                        r.get(0)
                    })
                    .optional()?)
            };
            allowed(&read)?;
            for (key, value) in changes {
                put_setting_in(tx, key, Some(value))?;
            }
            Ok(())
        })
    }
}

fn put_setting_in(tx: &Transaction<'_>, key: &str, value: Option<&str>) -> Result<()> {
    match value {
        Some(value) => tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?,
        None => tx.execute("DELETE FROM settings WHERE key = ?1", [key])?,
    };
    Ok(())
}
