//! IOTPay's settings (`iotpay.<env>.<name>`), and its two configs read from them: v1 (QR,
//! scanned codes, links, refunds) and V3 (cards), which share the merchant's credentials.

use std::time::Duration;

use paydesk_domain::error::Result;

use crate::iotpay::{IotpayConfig, DEFAULT_V1_BASE};
use crate::iotpay_card::{
    IotpayCardConfig, DEFAULT_LIVE_BASE, DEFAULT_SCRIPT_URL, DEFAULT_TEST_BASE,
};
use crate::settings::{setting, ConfigSource, Rule, SettingDefault, SettingSpec};

/// Where the customer's browser goes after a hosted card page, unless the shop says.
pub const DEFAULT_RETURN_URL: &str = "https://paydesk.app/card-done";
/// IOTPay's calls wait this long unless `http.timeout_ms` says otherwise.
const TIMEOUT: Duration = Duration::from_secs(30);

pub const SETTINGS: &[SettingSpec] = &[
    setting("v1_base", SettingDefault::Fixed(DEFAULT_V1_BASE), Rule::Url),
    setting(
        "v3_base",
        SettingDefault::PerEnvironment {
            test: DEFAULT_TEST_BASE,
            live: DEFAULT_LIVE_BASE,
        },
        Rule::Url,
    ),
    setting(
        "notify_url",
        SettingDefault::Derived("the notification receiver's /notify/iotpay"),
        Rule::Url,
    ),
    setting(
        "card_notify_url",
        SettingDefault::Derived("the notification receiver's /notify/iotpay-card"),
        Rule::Url,
    ),
    setting(
        "return_url",
        SettingDefault::Fixed(DEFAULT_RETURN_URL),
        Rule::Url,
    ),
    setting(
        "script_url",
        SettingDefault::Fixed(DEFAULT_SCRIPT_URL),
        Rule::Url,
    ),
    // IOTPay wants the paying client's IP; a counter reports its own.
    setting(
        "client_ip",
        SettingDefault::Fixed("127.0.0.1"),
        Rule::IpAddress,
    ),
    setting("wechat_app_id", SettingDefault::None, Rule::Text),
    setting(
        "os_type",
        SettingDefault::None,
        Rule::OneOf(&["IOS", "ANDROID"]),
    ),
];

/// The v1 API's config.
pub fn v1_config(source: &ConfigSource) -> Result<IotpayConfig> {
    let source = &source.declaring(SETTINGS);
    Ok(IotpayConfig {
        v1_base: source.setting_or_default("v1_base")?,
        mch_id: source.identifier("mchId")?,
        login_name: source.identifier("loginName")?,
        key: source.secret("key")?,
        notify_url: source.notify_url("notify_url", "/notify/iotpay")?,
        client_ip: source.setting_or_default("client_ip")?,
        wechat_app_id: source.setting("wechat_app_id")?,
        return_url: source.setting_or_default("return_url")?,
        os_type: source.setting("os_type")?,
        timeout: source.timeout(TIMEOUT)?,
    })
}

/// The V3 (card) API's config.
pub fn card_config(source: &ConfigSource) -> Result<IotpayCardConfig> {
    let source = &source.declaring(SETTINGS);
    Ok(IotpayCardConfig {
        base: source.setting_or_default("v3_base")?,
        mch_id: source.identifier("mchId")?,
        login_name: source.identifier("loginName")?,
        key: source.secret("key")?,
        notify_url: source.notify_url("card_notify_url", "/notify/iotpay-card")?,
        return_url: source.setting_or_default("return_url")?,
        script_url: source.setting_or_default("script_url")?,
        timeout: source.timeout(TIMEOUT)?,
    })
}
