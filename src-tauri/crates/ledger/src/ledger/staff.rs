//! Staff (migration 10): the people who work the counter, their PIN hashes and wrong-PIN
//! counts, and what a manager may refund a day. Every change is written with its audit entry
//! in one transaction. Which role may do what is the core's (`paydesk_core::staff`).

use rusqlite::{params, OptionalExtension, Transaction};

use paydesk_domain::clock::now_ms;
use paydesk_domain::error::{Error, Result};

use super::audit::{append_in, AuditEntry};
use super::handle::Ledger;

/// Who does a write the audit log records: the person at the till (None: no one signed in,
/// in a shop without staff accounts) and the person who approved it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stamp {
    pub staff: Option<String>,
    pub approver: Option<String>,
}

impl Stamp {
    pub fn entry(&self, action: &'static str, subject: &str, detail: String) -> AuditEntry {
        AuditEntry {
            staff: self.staff.clone(),
            approver: self.approver.clone(),
            action,
            subject: subject.to_string(),
            detail,
        }
    }
}

/// A staff member as stored (the PIN hash stays in the ledger crate and the core's check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRow {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub pin_hash: String,
    pub active: bool,
    pub created_at_ms: i64,
    /// Their own language for the window (migration 14; None: the shop's). The core checks it
    /// is one it speaks before it is written.
    pub language: Option<String>,
}

/// A PIN's wrong tries: (wrong tries in a row, lockouts in a row, locked until ms).
pub type PinTries = (u32, u32, i64);

fn staff_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StaffRow> {
    Ok(StaffRow {
        id: r.get("id")?,
        name: r.get("name")?,
        role: r.get("role")?,
        pin_hash: r.get("pin_hash")?,
        active: r.get::<_, i64>("active")? != 0,
        created_at_ms: r.get("created_at")?,
        language: r.get("language")?,
    })
}

impl Ledger {
    /// Every staff member, active first, by name.
    pub fn staff(&self) -> Result<Vec<StaffRow>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT * FROM staff ORDER BY active DESC, name COLLATE NOCASE")?;
        let rows = stmt.query_map([], staff_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One staff member by name (any case).
    pub fn staff_member(&self, name: &str) -> Result<Option<StaffRow>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT * FROM staff WHERE name = ?1 COLLATE NOCASE",
                [name.trim()],
                staff_from_row,
            )
            .optional()?)
    }

    /// How many active staff have one of `roles`.
    pub fn active_staff_count(&self, roles: &[&str]) -> Result<i64> {
        let conn = self.conn();
        let mut n = 0;
        for role in roles {
            n += conn.query_row(
                "SELECT COUNT(*) FROM staff WHERE active = 1 AND role = ?1",
                [role],
                |r| r.get::<_, i64>(0),
            )?;
        }
        Ok(n)
    }

    /// Adds a staff member (their own language, or None for the shop's), with its audit
    /// entry. A name in use (any case) is refused.
    pub fn add_staff(
        &self,
        by: &Stamp,
        name: &str,
        role: &str,
        pin_hash: &str,
        language: Option<&str>,
    ) -> Result<StaffRow> {
        let name = name.trim();
        let row = self.write(|tx| {
            let taken: Option<String> = tx
                .query_row(
                    "SELECT name FROM staff WHERE name = ?1 COLLATE NOCASE",
                    [name],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(taken) = taken {
                return Err(Error::Refused {
                    params: vec![("name", taken.to_string())],
                    code: "name_taken",
                    field: Some("name"),
                    message: format!("{taken} is already on the staff list"),
                });
            }
            tx.execute(
                "INSERT INTO staff (name, role, pin_hash, created_at, updated_at, language) VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
                params![name, role, pin_hash, now_ms(), language],
            )?;
            let detail = match language {
                Some(language) => format!("role {role}, language {language}"),
                None => format!("role {role}"),
            };
            append_in(tx, &by.entry("staff_add", name, detail))?;
            get_staff(tx, name)
        })?;
        self.advance_audit_head()?;
        Ok(row)
    }

    /// Changes a staff member's role, PIN hash, active flag or language (each `None` is kept;
    /// `Some(None)` sets the language back to the shop's), with its audit entry (`what` says
    /// what changed; never the PIN). A new PIN clears the wrong-PIN count.
    #[allow(clippy::too_many_arguments)]
    pub fn change_staff(
        &self,
        by: &Stamp,
        name: &str,
        role: Option<&str>,
        pin_hash: Option<&str>,
        active: Option<bool>,
        language: Option<Option<&str>>,
        what: &str,
    ) -> Result<StaffRow> {
        let row = self.write(|tx| {
            let current = get_staff(tx, name)?;
            tx.execute(
                "UPDATE staff SET role = COALESCE(?2, role), pin_hash = COALESCE(?3, pin_hash),
                                  active = COALESCE(?4, active), updated_at = ?5,
                                  failures = CASE WHEN ?3 IS NULL THEN failures ELSE 0 END,
                                  lockouts = CASE WHEN ?3 IS NULL THEN lockouts ELSE 0 END,
                                  locked_until = CASE WHEN ?3 IS NULL THEN locked_until ELSE 0 END,
                                  language = CASE WHEN ?6 THEN ?7 ELSE language END
                 WHERE id = ?1",
                params![
                    current.id,
                    role,
                    pin_hash,
                    active.map(i64::from),
                    now_ms(),
                    language.is_some(),
                    language.flatten()
                ],
            )?;
            append_in(
                tx,
                &by.entry("staff_change", &current.name, what.to_string()),
            )?;
            get_staff(tx, &current.name)
        })?;
        self.advance_audit_head()?;
        Ok(row)
    }

    /// A staff member's wrong-PIN state.
    pub fn staff_pin_tries(&self, name: &str) -> Result<PinTries> {
        Ok(self.conn().query_row(
            "SELECT failures, lockouts, locked_until FROM staff WHERE name = ?1 COLLATE NOCASE",
            [name.trim()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?)
    }

    /// Records one PIN check of a staff member in one write (with its audit entry when
    /// `entry` is given): `update` gets the state as stored now (another process may have
    /// written since it was read) and returns the state to store.
    pub fn update_staff_pin_tries(
        &self,
        name: &str,
        mut update: impl FnMut(PinTries) -> PinTries,
        entry: impl Fn(PinTries) -> Option<AuditEntry>,
    ) -> Result<PinTries> {
        let tries = self.write(|tx| {
            let now: PinTries = tx.query_row(
                "SELECT failures, lockouts, locked_until FROM staff WHERE name = ?1 COLLATE NOCASE",
                [name.trim()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            let next = update(now);
            tx.execute(
                "UPDATE staff SET failures = ?2, lockouts = ?3, locked_until = ?4 WHERE name = ?1 COLLATE NOCASE",
                params![name.trim(), next.0, next.1, next.2],
            )?;
            if let Some(entry) = entry(next) {
                append_in(tx, &entry)?;
            }
            Ok(next)
        })?;
        self.advance_audit_head()?;
        Ok(tries)
    }

    /// A manager's daily refund cap per currency (minor units), as the owner set them.
    pub fn refund_caps(&self) -> Result<Vec<(String, i64)>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT currency, cap_minor FROM refund_caps ORDER BY currency")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Sets a currency's cap (None: 0, nothing without the owner, as no cap at all), with its
    /// audit entry. Kept as a row, never deleted, so that a shop's desks all learn of it.
    pub fn set_refund_cap(
        &self,
        by: &Stamp,
        currency: &str,
        cap_minor: Option<i64>,
        detail: &str,
    ) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO refund_caps (currency, cap_minor, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (currency) DO UPDATE SET cap_minor = excluded.cap_minor,
                     updated_at = excluded.updated_at",
                params![currency, cap_minor.unwrap_or(0), now_ms()],
            )?;
            append_in(tx, &by.entry("refund_cap", currency, detail.to_string()))?;
            Ok(())
        })?;
        self.advance_audit_head()
    }

    /// What `name` has refunded and voided in `currency` on their own authority since
    /// `since_ms` (their own reversals no one approved, and those they approved), failed ones
    /// not counted: what a manager's cap is measured against.
    pub fn refunded_under_authority(
        &self,
        name: &str,
        currency: &str,
        since_ms: i64,
    ) -> Result<i64> {
        Ok(self.conn().query_row(
            "SELECT COALESCE(SUM(r.amount_minor), 0) FROM refunds r JOIN orders o ON o.id = r.order_id
             WHERE r.created_at >= ?3 AND r.status != 'failed' AND o.currency = ?2
               AND ((r.staff = ?1 COLLATE NOCASE AND r.approver IS NULL) OR r.approver = ?1 COLLATE NOCASE)",
            params![name, currency, since_ms],
            |r| r.get(0),
        )?)
    }
}

fn get_staff(tx: &Transaction<'_>, name: &str) -> Result<StaffRow> {
    tx.query_row(
        "SELECT * FROM staff WHERE name = ?1 COLLATE NOCASE",
        [name.trim()],
        staff_from_row,
    )
    .optional()?
    .ok_or_else(|| Error::Refused {
        params: vec![("name", name.trim().to_string())],
        code: "no_such_staff",
        field: Some("name"),
        message: format!("no one called {:?} is on the staff list", name.trim()),
    })
}
