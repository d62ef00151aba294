//! The owner's PIN: what stands between a cashier and refunds, voids, settings, credentials
//! and exports, in the window and on the command line. Kept only as an Argon2id hash (a slow
//! hash: a stolen ledger does not give the PIN away cheaply); a run of wrong guesses locks it
//! for a while, longer each time. The count and the lock live in the ledger (`owner_lockout`),
//! so they hold across restarts and the window and the CLI share them.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use paydesk_domain::error::{Error, Result};
use paydesk_ledger::ledger::{now_ms, Ledger};

const PIN_SETTING: &str = "owner.pin_hash";
/// Wrong tries in a row before a wait.
pub const MAX_FAILURES: u32 = 5;
/// The first wait; each lockout in a row doubles it, up to [`MAX_LOCKOUT_MS`].
pub const LOCKOUT_MS: i64 = 60_000;
pub const MAX_LOCKOUT_MS: i64 = 3_600_000;
/// The PIN's length, in digits.
pub const PIN_DIGITS: std::ops::RangeInclusive<usize> = 4..=12;

/// Checks PINs against the hash in the ledger's settings, counting failures in the ledger.
#[derive(Default)]
pub struct OwnerLock;

/// The PIN's rule: 4 to 12 digits.
pub fn check_format(pin: &str) -> Result<()> {
    if !PIN_DIGITS.contains(&pin.len()) || !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::invalid("pin", "the owner PIN is 4 to 12 digits"));
    }
    Ok(())
}

fn refused(code: &'static str, message: String) -> Error {
    Error::Refused {
        code,
        field: Some("pin"),
        message,
    }
}

/// The Argon2id hash of a PIN, as the setting keeps it.
pub fn hash_pin(pin: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map_err(|e| Error::Internal(format!("cannot hash the PIN: {e}")))?
        .to_string())
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
        ledger.set_setting(PIN_SETTING, &hash_pin(new_pin)?)
    }

    /// Succeeds when `pin` is the owner's. Before any PIN is set, owner actions are open
    /// (setup sets one). Refused with `pin_required` (none given), `pin_wrong` (saying how
    /// many tries are left) or `locked_out` (saying how long to wait).
    pub fn authorize(&self, ledger: &Ledger, pin: &str) -> Result<()> {
        let Some(stored) = ledger.setting(PIN_SETTING)? else {
            return Ok(());
        };
        let locked = |until: i64| {
            let wait = ((until - now_ms()).max(0) + 999) / 1000;
            refused(
                "locked_out",
                format!("too many wrong PINs: try again in {wait} s"),
            )
        };
        let (_, _, until) = ledger.owner_lockout()?;
        if now_ms() < until {
            return Err(locked(until));
        }
        if pin.is_empty() {
            return Err(refused("pin_required", "this needs the owner's PIN".into()));
        }
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| Error::Internal(format!("the stored PIN hash is unreadable: {e}")))?;
        let right = Argon2::default()
            .verify_password(pin.as_bytes(), &parsed)
            .is_ok();
        let mut locked_meanwhile = None;
        let (failures, _, until) = ledger.update_owner_lockout(|(failures, lockouts, until)| {
            let now = now_ms();
            if now < until {
                // Another process locked it while this PIN was being checked.
                locked_meanwhile = Some(until);
                return (failures, lockouts, until);
            }
            locked_meanwhile = None;
            if right {
                return (0, 0, 0);
            }
            let failures = failures + 1;
            if failures >= MAX_FAILURES {
                let wait = LOCKOUT_MS
                    .saturating_mul(1i64 << lockouts.min(16))
                    .min(MAX_LOCKOUT_MS);
                (0, lockouts + 1, now + wait)
            } else {
                (failures, lockouts, 0)
            }
        })?;
        if let Some(until) = locked_meanwhile {
            return Err(locked(until));
        }
        if right {
            return Ok(());
        }
        if until > now_ms() {
            return Err(locked(until));
        }
        let left = MAX_FAILURES - failures;
        Err(refused(
            "pin_wrong",
            format!(
                "wrong owner PIN: {left} {} left before a wait",
                if left == 1 { "try" } else { "tries" }
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pin_is_hashed_checked_and_locked_after_repeated_failures() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open_in(dir.path()).unwrap();
        let lock = OwnerLock;
        assert!(lock.authorize(&ledger, "").is_ok(), "no PIN yet: open");
        assert!(matches!(
            lock.set_pin(&ledger, None, "12a4"),
            Err(Error::InvalidInput { field: "pin", .. })
        ));
        lock.set_pin(&ledger, None, "4321").unwrap();
        let stored = ledger.setting(PIN_SETTING).unwrap().unwrap();
        assert!(stored.starts_with("$argon2id$") && !stored.contains("4321"));
        assert!(lock.authorize(&ledger, "4321").is_ok());
        assert_eq!(
            lock.authorize(&ledger, "").unwrap_err().code(),
            "pin_required"
        );
        let wrong = lock.authorize(&ledger, "0000").unwrap_err();
        assert_eq!(wrong.code(), "pin_wrong");
        assert_eq!(wrong.field(), Some("pin"));
        assert!(wrong.to_string().contains("4 tries left"), "{wrong}");
        assert!(
            lock.set_pin(&ledger, Some("0000"), "5555").is_err(),
            "changing it needs the current PIN"
        );
        for _ in 0..MAX_FAILURES {
            let _ = lock.authorize(&ledger, "9999");
        }
        let locked = lock.authorize(&ledger, "4321").unwrap_err();
        assert_eq!(locked.code(), "locked_out", "{locked}");
        assert!(locked.to_string().contains("too many"), "{locked}");
        // Another opening of the same ledger (a restart, the CLI) finds it locked too.
        drop(ledger);
        let again = Ledger::open_in(dir.path()).unwrap();
        assert_eq!(
            OwnerLock.authorize(&again, "4321").unwrap_err().code(),
            "locked_out"
        );
        // Once the wait is over the right PIN works and the count starts again.
        again.update_owner_lockout(|(f, l, _)| (f, l, 0)).unwrap();
        OwnerLock.authorize(&again, "4321").unwrap();
        assert_eq!(again.owner_lockout().unwrap(), (0, 0, 0));
    }

    #[test]
    fn each_lockout_in_a_row_waits_longer() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open_in(dir.path()).unwrap();
        OwnerLock.set_pin(&ledger, None, "123456789012").unwrap();
        for round in 0..2 {
            for _ in 0..MAX_FAILURES {
                let _ = OwnerLock.authorize(&ledger, "0000");
            }
            let (_, lockouts, until) = ledger.owner_lockout().unwrap();
            assert_eq!(lockouts, round + 1);
            let wait = until - now_ms();
            assert!(wait > LOCKOUT_MS * (1 << round) - 5_000, "{wait}");
            ledger.update_owner_lockout(|(f, l, _)| (f, l, 0)).unwrap();
        }
    }
}
