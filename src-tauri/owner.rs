//! The owner's PIN: what stands between a cashier and refunds, voids, settings, credentials
//! and exports in the window. Kept only as an Argon2id hash (a slow hash: a stolen ledger
//! does not give the PIN away cheaply); a run of wrong guesses locks it for a while.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::error::{Error, Result};
use crate::ledger::Ledger;

const PIN_SETTING: &str = "owner.pin_hash";
const MAX_FAILURES: u32 = 5;
const LOCKOUT: Duration = Duration::from_secs(60);

/// Checks PINs against the hash in the ledger's settings, counting failures.
#[derive(Default)]
pub struct OwnerLock {
    failures: Mutex<(u32, Option<Instant>)>,
}

fn check_format(pin: &str) -> Result<()> {
    if !(4..=8).contains(&pin.len()) || !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::invalid("pin", "the owner PIN is 4 to 8 digits"));
    }
    Ok(())
}

impl OwnerLock {
    pub fn is_set(&self, ledger: &Ledger) -> Result<bool> {
        Ok(ledger.setting(PIN_SETTING)?.is_some())
    }

    /// Sets the PIN. Changing it needs the current one; the first one needs nothing.
    pub fn set_pin(&self, ledger: &Ledger, current: Option<&str>, new_pin: &str) -> Result<()> {
        check_format(new_pin)?;
        if self.is_set(ledger)? {
            self.authorize(ledger, current.unwrap_or_default())?;
        }
        let salt = SaltString::generate(&mut OsRng);
        let hash = Argon2::default()
            .hash_password(new_pin.as_bytes(), &salt)
            .map_err(|e| Error::Internal(format!("cannot hash the PIN: {e}")))?;
        ledger.set_setting(PIN_SETTING, &hash.to_string())
    }

    /// Succeeds when `pin` is the owner's. Before any PIN is set, owner actions are open
    /// (a new shop sets one first in Settings).
    pub fn authorize(&self, ledger: &Ledger, pin: &str) -> Result<()> {
        let Some(stored) = ledger.setting(PIN_SETTING)? else {
            return Ok(());
        };
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(until) = failures.1 {
            if Instant::now() < until {
                let wait = until.saturating_duration_since(Instant::now()).as_secs() + 1;
                return Err(Error::Forbidden(format!(
                    "too many wrong PINs: try again in {wait} s"
                )));
            }
            *failures = (0, None);
        }
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| Error::Internal(format!("the stored PIN hash is unreadable: {e}")))?;
        if Argon2::default()
            .verify_password(pin.as_bytes(), &parsed)
            .is_ok()
        {
            *failures = (0, None);
            return Ok(());
        }
        failures.0 += 1;
        if failures.0 >= MAX_FAILURES {
            failures.1 = Some(Instant::now() + LOCKOUT);
        }
        Err(Error::Forbidden("wrong owner PIN".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pin_is_hashed_checked_and_locked_after_repeated_failures() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open_in(dir.path()).unwrap();
        let lock = OwnerLock::default();
        assert!(lock.authorize(&ledger, "").is_ok(), "no PIN yet: open");
        assert!(matches!(
            lock.set_pin(&ledger, None, "12a4"),
            Err(Error::InvalidInput { field: "pin", .. })
        ));
        lock.set_pin(&ledger, None, "4321").unwrap();
        let stored = ledger.setting(PIN_SETTING).unwrap().unwrap();
        assert!(stored.starts_with("$argon2id$") && !stored.contains("4321"));
        assert!(lock.authorize(&ledger, "4321").is_ok());
        assert!(matches!(
            lock.authorize(&ledger, "0000"),
            Err(Error::Forbidden(_))
        ));
        assert!(
            lock.set_pin(&ledger, Some("0000"), "5555").is_err(),
            "changing it needs the current PIN"
        );
        for _ in 0..MAX_FAILURES {
            let _ = lock.authorize(&ledger, "9999");
        }
        let locked = lock.authorize(&ledger, "4321");
        assert!(
            matches!(locked, Err(Error::Forbidden(ref m)) if m.contains("too many")),
            "{locked:?}"
        );
    }
}
