//! SmartExPay's settings and their defaults.

use std::time::Duration;

use serde_json::Value;

use paydesk_secrets::vault::Sensitive;

use paydesk_domain::error::{Error, Result};

use crate::settings::{setting, ConfigSource, Rule, SettingDefault, SettingSpec};

pub const DEFAULT_PAGE_BASE: &str = "https://www.smartexpay.com";
pub const DEFAULT_API_KEY_HEADER: &str = "X-Api-Key";

#[derive(Debug, Clone)]
pub struct SmartexpayConfig {
    /// The API host given to the merchant (`{Base}/public/exchanger/...`).
    pub base: String,
    /// Where the customer's payment page lives (`{page_base}/{lang}/payment/{uid}/{secret}`).
    pub page_base: String,
    pub api_key_header: String,
    pub api_key: Sensitive<String>,
    pub partner: Option<String>,
    pub route_id: String,
    /// Requisites of the route, as `[{key, value}]` (settings, JSON).
    pub from_values: Value,
    pub to_values: Value,
    pub route_values: Value,
    /// ru or en.
    pub lang: String,
    pub ipn_url: String,
    pub client_callback_url: Option<String>,
    pub timeout: Duration,
}

const TIMEOUT: Duration = Duration::from_secs(30);

pub const SETTINGS: &[SettingSpec] = &[
    setting("base", SettingDefault::None, Rule::Url),
    setting(
        "page_base",
        SettingDefault::Fixed(DEFAULT_PAGE_BASE),
        Rule::Url,
    ),
    setting(
        "api_key_header",
        SettingDefault::Fixed(DEFAULT_API_KEY_HEADER),
        Rule::HeaderName,
    ),
    setting("route_id", SettingDefault::None, Rule::ObjectId),
    setting("from_values", SettingDefault::Fixed("[]"), Rule::JsonPairs),
    setting("to_values", SettingDefault::Fixed("[]"), Rule::JsonPairs),
    setting("route_values", SettingDefault::Fixed("[]"), Rule::JsonPairs),
    // The route's "from" currency (ISO 4217): the API does not say it.
    setting("from_currency", SettingDefault::None, Rule::Text),
    setting(
        "lang",
        SettingDefault::Fixed("en"),
        Rule::OneOf(&["en", "ru"]),
    ),
    setting(
        "ipn_url",
        SettingDefault::Derived("the notification receiver's /notify/smartexpay"),
        Rule::Url,
    ),
    setting("client_callback_url", SettingDefault::None, Rule::Url),
    setting(
        "timeout_ms",
        SettingDefault::Derived("http.timeout_ms, else 30000"),
        Rule::Millis,
    ),
];

pub fn from_settings(source: &ConfigSource) -> Result<SmartexpayConfig> {
    let source = &source.declaring(SETTINGS);
    let base = source.required(
        "base",
        "smartexpay.base",
        "SmartExPay's API host is given to each merchant",
    )?;
    let route_id = source.required("route_id", "routeId", "the SmartExPay route (its ObjectId)")?;
    let values = |name: &str| -> Result<Value> {
        match serde_json::from_str::<Value>(&source.setting_or_default(name)?) {
            Ok(v @ Value::Array(_)) => Ok(v),
            _ => Err(Error::invalid(
                "requisites",
                format!(
                    "{} must be a JSON array of {{key, value}}",
                    source.key(name)
                ),
            )),
        }
    };
    Ok(SmartexpayConfig {
        base,
        page_base: source.setting_or_default("page_base")?,
        api_key_header: source.setting_or_default("api_key_header")?,
        api_key: source.secret("apiKey")?,
        partner: source
            .optional_secret("partner")
            .map(|p| p.expose().clone()),
        route_id,
        from_values: values("from_values")?,
        to_values: values("to_values")?,
        route_values: values("route_values")?,
        lang: source.setting_or_default("lang")?,
        ipn_url: source.notify_url("ipn_url", "/notify/smartexpay")?,
        client_callback_url: source.setting("client_callback_url")?,
        timeout: source.timeout(TIMEOUT)?,
    })
}
