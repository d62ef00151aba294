//! The settings table: one value per key, read one at a time, written one at a time or
//! several in one transaction (optionally behind a check made under the write lock).

use rusqlite::{params, OptionalExtension, Transaction};

use paydesk_domain::error::Result;

use super::audit::{append_in, AuditEntry};
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

    /// The first start's one write: the shop's settings and its first owner's account, with
    /// the audit entries, in one transaction. Answers false, writing nothing, when it ran
    /// before (`done_key` is "1") or the shop has an owner (read under the write lock, so two
    /// setups at once cannot both pass).
    pub fn complete_setup(
        &self,
        done_key: &str,
        changes: &[(&str, &str)],
        owner_name: &str,
        owner_pin_hash: &str,
    ) -> Result<bool> {
        let done = self.write(|tx| {
            let done: Option<String> = tx
                .query_row(
                    "SELECT value FROM settings WHERE key = ?1",
                    [done_key],
                    |r| r.get(0),
                )
                .optional()?;
            let owners: i64 = tx.query_row(
                "SELECT COUNT(*) FROM staff WHERE role = 'owner' AND active = 1",
                [],
                |r| r.get(0),
            )?;
            if done.as_deref() == Some("1") || owners > 0 {
                return Ok(false);
            }
            for (key, value) in changes {
                put_setting_in(tx, key, Some(value))?;
            }
            tx.execute(
                "INSERT INTO staff (name, role, pin_hash, created_at, updated_at) VALUES (?1, 'owner', ?2, ?3, ?3)",
                params![owner_name, owner_pin_hash, paydesk_domain::clock::now_ms()],
            )?;
            let owner = Some(owner_name.to_string());
            append_in(
                tx,
                &AuditEntry {
                    staff: owner.clone(),
                    action: "setup",
                    subject: owner_name.into(),
                    detail: "the shop set up; its first owner".into(),
                    ..AuditEntry::default()
                },
            )?;
            Ok(true)
        })?;
        self.advance_audit_head()?;
        Ok(done)
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
