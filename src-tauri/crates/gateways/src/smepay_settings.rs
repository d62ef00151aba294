//! SMEPay's settings (`smepay.<env>.<name>`) and its config read from them.

use std::time::Duration;

use paydesk_domain::error::Result;

use crate::settings::{setting, ConfigSource, Rule, SettingDefault, SettingSpec};
use crate::smepay::{
    PathFamily, SmepayConfig, DEFAULT_LIVE_BASE, DEFAULT_SCRIPT_URL, DEFAULT_TEST_BASE,
};

const TIMEOUT: Duration = Duration::from_secs(30);

pub const SETTINGS: &[SettingSpec] = &[
    setting(
        "base",
        SettingDefault::PerEnvironment {
            test: DEFAULT_TEST_BASE,
            live: DEFAULT_LIVE_BASE,
        },
        Rule::Url,
    ),
    setting(
        "path_family",
        SettingDefault::Fixed("seed"),
        Rule::OneOf(&["seed", "wiz"]),
    ),
    setting(
        "callback_url",
        SettingDefault::Derived("the notification receiver's /notify/smepay"),
        Rule::Url,
    ),
    setting(
        "script_url",
        SettingDefault::Fixed(DEFAULT_SCRIPT_URL),
        Rule::Url,
    ),
    // SMEPay wants customer details; a counter sale has none, so the shop's defaults go.
    setting(
        "customer_name",
        SettingDefault::Fixed("Counter customer"),
        Rule::Text,
    ),
    setting(
        "customer_email",
        SettingDefault::Fixed("customer@example.com"),
        Rule::Email,
    ),
    setting(
        "customer_mobile",
        SettingDefault::Fixed("9999999999"),
        Rule::Text,
    ),
    setting(
        "timeout_ms",
        SettingDefault::Derived("http.timeout_ms, else 30000"),
        Rule::Millis,
    ),
];

pub fn config(source: &ConfigSource) -> Result<SmepayConfig> {
    let source = &source.declaring(SETTINGS);
    Ok(SmepayConfig {
        base: source.setting_or_default("base")?,
        paths: PathFamily::parse(&source.setting_or_default("path_family")?)?,
        client_id: source.identifier("clientId")?,
        client_secret: source.secret("clientSecret")?,
        callback_url: source.notify_url("callback_url", "/notify/smepay")?,
        script_url: source.setting_or_default("script_url")?,
        customer_name: source.setting_or_default("customer_name")?,
        customer_email: source.setting_or_default("customer_email")?,
        customer_mobile: source.setting_or_default("customer_mobile")?,
        timeout: source.timeout(TIMEOUT)?,
    })
}
