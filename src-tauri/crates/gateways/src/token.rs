//! A gateway's bearer token (SMEPay, SmartPay's OAuth): the token endpoint's answer, and the
//! token kept between calls.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

/// A token endpoint's answer (SmartPay's `oauth2/token`, SMEPay's `auth`): the token and its
/// lifetime, or the error said instead.
#[derive(Deserialize)]
pub(crate) struct TokenAnswer {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    expires_in: Option<Value>,
    #[serde(default)]
    error: Option<Value>,
}

impl TokenAnswer {
    /// The token it gives (`default_secs` to live when it does not say), or why there is
    /// none: its `error` as text, else the answer's HTTP `status`.
    pub(crate) fn into_token(
        self,
        status: reqwest::StatusCode,
        default_secs: u64,
    ) -> std::result::Result<Token, String> {
        match self.access_token.filter(|t| !t.is_empty()) {
            Some(value) => Ok(Token::new(value, self.expires_in.as_ref(), default_secs)),
            None => Err(self
                .error
                .map(|e| {
                    e.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| e.to_string())
                })
                .unwrap_or_else(|| format!("HTTP {status}"))),
        }
    }
}

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
