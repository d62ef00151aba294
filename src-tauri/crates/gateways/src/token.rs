//! A gateway's bearer token (SMEPay, SmartPay's OAuth), kept between calls.

use std::time::Duration;

use serde_json::Value;

/// A bearer token kept between calls and renewed a little early: a fifth of its lifetime, at
/// most a minute, before it runs out.
pub(crate) struct Token {
    value: paydesk_secrets::vault::Sensitive<String>,
    renew_at: std::time::Instant,
}

impl Token {
    /// `expires_in` as the gateway sent it (seconds, as a number or as text); `default_secs`
    /// when it is missing or unreadable.
    pub(crate) fn new(value: String, expires_in: Option<&Value>, default_secs: u64) -> Token {
        let seconds = expires_in
            .and_then(|v| {
                v.as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            })
            .unwrap_or(default_secs);
        let lifetime = Duration::from_secs(seconds);
        let margin = (lifetime / 5).min(Duration::from_secs(60));
        Token {
            value: paydesk_secrets::vault::Sensitive::new(value),
            renew_at: std::time::Instant::now() + lifetime - margin,
        }
    }

    /// The token while it has a while to live.
    pub(crate) fn live(&self) -> Option<&paydesk_secrets::vault::Sensitive<String>> {
        (std::time::Instant::now() < self.renew_at).then_some(&self.value)
    }

    pub(crate) fn value(&self) -> &paydesk_secrets::vault::Sensitive<String> {
        &self.value
    }
}
