//! PINs: kept only as Argon2id hashes (a slow hash: a stolen ledger does not give a PIN away
//! cheaply), and a run of wrong guesses locks for a while, longer each time. The counts live in
//! the ledger, so a lockout holds across restarts and the window and the CLI share it: per
//! person for a sign-in (name + PIN), and one till-wide count for an approval (a PIN alone,
//! tried against every manager and owner, counted in `owner_lockout`).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use paydesk_domain::error::{Error, Result};
use paydesk_ledger::ledger::{now_ms, PinTries};

/// Wrong tries in a row before a wait.
pub const MAX_FAILURES: u32 = 5;
/// The first wait; each lockout in a row doubles it, up to [`MAX_LOCKOUT_MS`].
pub const LOCKOUT_MS: i64 = 60_000;
pub const MAX_LOCKOUT_MS: i64 = 3_600_000;
/// A new PIN's length, in digits. (An owner PIN from before staff accounts may be up to 12
/// digits: it keeps working as it is.)
pub const PIN_DIGITS: std::ops::RangeInclusive<usize> = 4..=8;

/// The rule for a new PIN: 4 to 8 digits.
pub fn check_format(pin: &str) -> Result<()> {
    if !PIN_DIGITS.contains(&pin.len()) || !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::invalid("pin", "a PIN is 4 to 8 digits"));
    }
    Ok(())
}

/// A refusal on the PIN field; `params` are the values `message` is made of (the window's words).
pub(crate) fn refused(
    code: &'static str,
    message: String,
    params: Vec<(&'static str, String)>,
) -> Error {
    Error::Refused {
        params,
        code,
        field: Some("pin"),
        message,
    }
}

/// The Argon2id hash of a PIN, as the ledger keeps it.
pub fn hash_pin(pin: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map_err(|e| Error::Internal(format!("cannot hash the PIN: {e}")))?
        .to_string())
}

/// Whether `pin` is the one `stored` hashes (Argon2's own constant-time compare).
pub fn matches(stored: &str, pin: &str) -> Result<bool> {
    let parsed = PasswordHash::new(stored)
        .map_err(|e| Error::Internal(format!("a stored PIN hash is unreadable: {e}")))?;
    Ok(Argon2::default()
        .verify_password(pin.as_bytes(), &parsed)
        .is_ok())
}

/// `locked_out`, saying how long to wait.
pub(crate) fn locked(until: i64) -> Error {
    let wait = ((until - now_ms()).max(0) + 999) / 1000;
    refused(
        "locked_out",
        format!("too many wrong PINs: try again in {wait} s"),
        vec![("seconds", wait.to_string())],
    )
}

/// The next state after one check: cleared when right, counted when wrong (a wait after
/// [`MAX_FAILURES`]), untouched while locked (another process locked it meanwhile).
pub(crate) fn next_tries((failures, lockouts, until): PinTries, right: bool) -> PinTries {
    let now = now_ms();
    if now < until {
        return (failures, lockouts, until);
    }
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
}

/// The error for a wrong PIN after `tries` were stored: locked, or how many tries are left,
/// after `said` ("wrong PIN for Ann").
pub(crate) fn wrong(tries: PinTries, said: &str) -> Error {
    if tries.2 > now_ms() {
        return locked(tries.2);
    }
    let left = MAX_FAILURES - tries.0;
    refused(
        "pin_wrong",
        format!(
            "{said}: {left} {} left before a wait",
            if left == 1 { "try" } else { "tries" }
        ),
        vec![("tries_left", left.to_string())],
    )
}
