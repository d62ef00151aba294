//! SmartPay's settings, their defaults, and the vendor's pending policy they default to.

use std::time::Duration;

use paydesk_secrets::vault::Sensitive;

use paydesk_domain::error::{Error, Result};

use crate::settings::{setting, ConfigSource, Rule, SettingDefault, SettingSpec};

pub const DEFAULT_TOKEN_URL: &str =
    "https://smartpay-oauth-cons.auth.eu-central-1.amazoncognito.com/oauth2/token";
/// The vendor recommends at least 90 seconds ("Modification APIs" page).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(90);

/// The vendor's pending policy (seed 003, "Get Payment Transaction Status"): "If you receive a
/// PENDING status retry the get payment status call up to three times within 3 minutes and log
/// an error if the status is not changed." As data, for the payment service's per-gateway poll
/// schedule: the delay before each re-query of a PENDING answer (three, a minute apart, within
/// three minutes). After the last one the order is left Pending and an error is logged; SmartPay
/// resolves PENDING states itself ("SmartPay automatically attempts to retrieve the final
/// confirmation from the payment provider").
pub const POLL_POLICY: [Duration; 3] = [Duration::from_secs(60); 3];
/// How many re-queries [`POLL_POLICY`] makes, and the window they fit in.
pub const PENDING_REQUERIES: u32 = POLL_POLICY.len() as u32;
pub const PENDING_WINDOW: Duration = Duration::from_secs(180);

/// The delays of [`POLL_POLICY`] (the schedule the service follows after a PENDING answer).
pub fn pending_poll_schedule() -> &'static [Duration] {
    &POLL_POLICY
}

#[derive(Debug, Clone)]
pub enum SmartpayAuth {
    /// `Authorization: Basic base64(merchantKey:authenticationKey)`.
    Basic {
        authentication_key: Sensitive<String>,
    },
    /// A bearer token from the OAuth provider (client credentials).
    OAuth {
        token_url: String,
        client_id: String,
        client_secret: Sensitive<String>,
    },
}

#[derive(Debug, Clone)]
pub struct SmartpayConfig {
    /// `{Base URL}`: not public, entered by the merchant.
    pub base: String,
    pub merchant_key: String,
    pub auth: SmartpayAuth,
    /// The vendor's smp-bundle.js (the widget), as the merchant was given it.
    pub script_url: Option<String>,
    /// The `Origin` the vendor asks for.
    pub origin: String,
    pub consumer_first_name: String,
    pub consumer_last_name: String,
    pub consumer_email: String,
    pub timeout: Duration,
    /// Re-queries of a PENDING status (three within three minutes by default).
    pub pending_retries: u32,
    pub pending_retry_interval: Duration,
}

/// Re-queries of a PENDING status: three, a minute apart, unless `pending_retry_ms` says.
const PENDING_RETRIES: u32 = 3;

pub const SETTINGS: &[SettingSpec] = &[
    setting("base", SettingDefault::None, Rule::Url),
    setting(
        "token_url",
        SettingDefault::Fixed(DEFAULT_TOKEN_URL),
        Rule::Url,
    ),
    // OAuth when the credentials hold a client id and secret, else Basic; `basic` forces it.
    setting(
        "auth",
        SettingDefault::Derived("oauth with clientId and clientSecret, else basic"),
        Rule::OneOf(&["oauth", "basic"]),
    ),
    setting("script_url", SettingDefault::None, Rule::Url),
    setting(
        "origin",
        SettingDefault::Fixed("tauri://localhost"),
        Rule::Text,
    ),
    setting(
        "consumer_first_name",
        SettingDefault::Fixed("Counter"),
        Rule::Text,
    ),
    setting(
        "consumer_last_name",
        SettingDefault::Fixed("Customer"),
        Rule::Text,
    ),
    setting(
        "consumer_email",
        SettingDefault::Fixed("customer@example.com"),
        Rule::Email,
    ),
    setting(
        "timeout_ms",
        SettingDefault::Derived("http.timeout_ms, else 90000"),
        Rule::Millis,
    ),
    setting(
        "pending_retry_ms",
        SettingDefault::Fixed("60000"),
        Rule::Millis,
    ),
];

pub fn from_settings(source: &ConfigSource) -> Result<SmartpayConfig> {
    let source = &source.declaring(SETTINGS);
    let base = source.required(
        "base",
        "smartpay.base",
        "SmartPay's base URL is not public: enter the one you were given",
    )?;
    let oauth = match (
        source.optional_secret("clientId"),
        source.optional_secret("clientSecret"),
    ) {
        (Some(id), Some(secret)) if source.setting("auth")?.as_deref() != Some("basic") => {
            Some(SmartpayAuth::OAuth {
                token_url: source.setting_or_default("token_url")?,
                client_id: id.expose().clone(),
                client_secret: secret,
            })
        }
        _ => None,
    };
    let auth = match (oauth, source.optional_secret("authenticationKey")) {
        (Some(oauth), _) => oauth,
        (None, Some(key)) => SmartpayAuth::Basic {
            authentication_key: key,
        },
        (None, None) => {
            return Err(Error::Vault(
                "smartpay credentials need an authenticationKey (Basic) or clientId and clientSecret (OAuth)".into(),
            ))
        }
    };
    let retry_ms: u64 = source
        .setting_or_default("pending_retry_ms")?
        .trim()
        .parse()
        .map_err(|_| Error::invalid("pending_retry_ms", "a number of milliseconds"))?;
    Ok(SmartpayConfig {
        base,
        merchant_key: source.identifier("merchantKey")?,
        auth,
        script_url: source.setting("script_url")?,
        origin: source.setting_or_default("origin")?,
        consumer_first_name: source.setting_or_default("consumer_first_name")?,
        consumer_last_name: source.setting_or_default("consumer_last_name")?,
        consumer_email: source.setting_or_default("consumer_email")?,
        timeout: source.timeout(DEFAULT_TIMEOUT)?,
        pending_retries: PENDING_RETRIES,
        pending_retry_interval: Duration::from_millis(retry_ms),
    })
}
