//! Who is at the till: the one person signed in at this counter's window, signed out after
//! the idle time the owner sets (`staff.idle_minutes`; 0: never). The window holds one `Till`;
//! every guarded command asks it for the [`Acting`] to pass to the service, which re-reads the
//! person from the ledger (a role changed or an account closed meanwhile counts at once).

use std::sync::Mutex;

use paydesk_domain::error::Result;
use paydesk_ledger::ledger::{now_ms, Ledger};

use super::{acting, sign_in, sign_out, Acting, Person};

/// The setting: minutes without a command before the till signs its person out.
pub const IDLE_MINUTES: &str = "staff.idle_minutes";
pub const DEFAULT_IDLE_MINUTES: u32 = 5;

#[derive(Default)]
pub struct Till {
    seat: Mutex<Option<Seat>>,
}

struct Seat {
    person: Person,
    last_active_ms: i64,
}

/// The idle time in force, in minutes (0: never).
pub fn idle_minutes(ledger: &Ledger) -> Result<u32> {
    Ok(ledger
        .setting(IDLE_MINUTES)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_IDLE_MINUTES))
}

impl Till {
    fn seat(&self) -> std::sync::MutexGuard<'_, Option<Seat>> {
        self.seat.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Signs `name` in (whoever was signed in is signed out: a switch of person).
    pub fn sign_in(&self, ledger: &Ledger, name: &str, pin: &str) -> Result<Person> {
        let person = sign_in(ledger, name, pin)?;
        let before = self.seat().replace(Seat {
            person: person.clone(),
            last_active_ms: now_ms(),
        });
        if let Some(before) = before.filter(|b| b.person.name != person.name) {
            sign_out(
                ledger,
                &before.person,
                &format!("{} signed in", person.name),
            )?;
        }
        Ok(person)
    }

    pub fn sign_out(&self, ledger: &Ledger, why: &str) -> Result<()> {
        if let Some(seat) = self.seat().take() {
            sign_out(ledger, &seat.person, why)?;
        }
        Ok(())
    }

    /// The person signed in now, after the idle rule (an idle one is signed out here).
    pub fn signed_in(&self, ledger: &Ledger) -> Result<Option<Person>> {
        let idle = idle_minutes(ledger)? as i64 * 60_000;
        let expired = {
            let mut seat = self.seat();
            match seat.as_ref() {
                Some(s) if idle > 0 && now_ms() - s.last_active_ms > idle => seat.take(),
                _ => None,
            }
        };
        if let Some(seat) = expired {
            sign_out(ledger, &seat.person, "idle")?;
        }
        Ok(self.seat().as_ref().map(|s| s.person.clone()))
    }

    /// The person at the till is using the window (keys, the mouse) without a command: the idle
    /// clock starts again, unless it had already run out.
    pub fn touch(&self, ledger: &Ledger) -> Result<()> {
        self.signed_in(ledger)?;
        if let Some(seat) = self.seat().as_mut() {
            seat.last_active_ms = now_ms();
        }
        Ok(())
    }

    /// Who acts for a command now (the idle clock starts again), with an approval's PIN.
    pub fn acting(&self, ledger: &Ledger, approver_pin: Option<&str>) -> Result<Acting> {
        let person = self.signed_in(ledger)?;
        if let Some(seat) = self.seat().as_mut() {
            seat.last_active_ms = now_ms();
        }
        acting(
            ledger,
            person.as_ref().map(|p| p.name.as_str()),
            approver_pin,
        )
    }
}
