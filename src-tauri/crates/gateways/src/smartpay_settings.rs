//! SmartPay's settings (`smartpay.<env>.<name>`) and its config read from them. Its base URL
//! and widget script are not public: the merchant enters the ones they were given.

use std::time::Duration;

use paydesk_domain::error::{Error, Result};

use crate::settings::{setting, ConfigSource, Rule, SettingDefault, SettingSpec};
use crate::smartpay::{SmartpayAuth, SmartpayConfig, DEFAULT_TIMEOUT, DEFAULT_TOKEN_URL};

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

pub fn config(source: &ConfigSource) -> Result<SmartpayConfig> {
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
