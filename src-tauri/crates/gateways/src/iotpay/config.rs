//! IOTPay v1's settings and their defaults.

use std::time::Duration;

use paydesk_secrets::vault::Sensitive;

use paydesk_domain::error::Result;

use crate::iotpay_card::{
    IotpayCardConfig, DEFAULT_LIVE_BASE, DEFAULT_SCRIPT_URL, DEFAULT_TEST_BASE,
};
use crate::settings::{setting, ConfigSource, Rule, SettingDefault, SettingSpec};

pub const DEFAULT_V1_BASE: &str = "https://api.iotpaycloud.com/v1";

/// The values guide page "order" allows for `osType`.
pub const OS_TYPES: &[&str] = &["IOS", "ANDROID"];

/// What a card terminal's `tip` is counted in. Guide page "pos_semi_integration" sends
/// `"tip":"0"` in its sample without a unit: cents, like `amount`, unless the shop says.
pub const TIP_UNITS: &[&str] = &["cents", "dollars"];
/// The `source` of guide page "pos_semi_integration"'s sample request. The page does not say
/// what it is (the POS software and its version, by its look): sent as the sample sends it
/// unless IOTPay gives the shop another (`iotpay.<env>.pax_source`).
pub const DEFAULT_PAX_SOURCE: &str = "pos_2.1.54";

#[derive(Debug, Clone)]
pub struct IotpayConfig {
    pub v1_base: String,
    pub mch_id: String,
    pub login_name: String,
    pub key: Sensitive<String>,
    pub notify_url: String,
    /// IOTPay wants the paying client's IP; a counter reports its own.
    pub client_ip: String,
    /// The merchant's WeChat app id, for WX_APP orders.
    pub wechat_app_id: Option<String>,
    /// Where the customer's browser goes after paying on a web page: guide page
    /// "online_secure_pay" says ALIPAY_PC and ALIPAY_WAP need it (String(200)). Empty = not
    /// set; only those two channels are refused without it.
    pub return_url: String,
    /// The customer's phone system, `IOS` or `ANDROID`: guide page "order" says ALIPAY_MOBILE
    /// and ALIPAY_WAP require `osType` (String(10)). Only those channels need it.
    pub os_type: Option<String>,
    /// How long to wait for an answer before the outcome is "unknown".
    pub timeout: Duration,
}

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
    setting("os_type", SettingDefault::None, Rule::OneOf(OS_TYPES)),
    // The shop's PAX terminal (guide page "pos_semi_integration": `device`): given to each
    // merchant with its terminal, so no default; card-terminal sales are refused without it.
    setting("pax_device", SettingDefault::None, Rule::Text),
    setting(
        "pax_source",
        SettingDefault::Fixed(DEFAULT_PAX_SOURCE),
        Rule::Text,
    ),
    setting(
        "pax_tip_unit",
        SettingDefault::Fixed("cents"),
        Rule::OneOf(TIP_UNITS),
    ),
];

/// The v1 API's config.
pub fn v1_from_settings(source: &ConfigSource) -> Result<IotpayConfig> {
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

/// The card terminal's settings (POS Semi-Integration, guide page "pos_semi_integration"),
/// beside the v1 config they are sent with: `Iotpay::with_terminal`.
#[derive(Debug, Clone, Default)]
pub struct TerminalConfig {
    /// The PAX card terminal a card-terminal sale goes to (`device`, String(64)). Only
    /// card-terminal sales need it: they are refused without, before anything is written.
    pub device: Option<String>,
    /// Where the shop sets `device` (`iotpay.<env>.pax_device`), for the refusal's words.
    pub device_key: String,
    /// The `source` sent ([`DEFAULT_PAX_SOURCE`] unless set).
    pub source: String,
    /// What `tip` is counted in: "cents" (like `amount`) or "dollars" ([`TIP_UNITS`]).
    pub tip_unit: String,
}

/// The card terminal's config.
pub fn terminal_from_settings(source: &ConfigSource) -> Result<TerminalConfig> {
    let source = &source.declaring(SETTINGS);
    Ok(TerminalConfig {
        device: source
            .setting("pax_device")?
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty()),
        device_key: source.key("pax_device"),
        source: source.setting_or_default("pax_source")?,
        tip_unit: source.setting_or_default("pax_tip_unit")?,
    })
}

/// The V3 (card) API's config.
pub fn card_from_settings(source: &ConfigSource) -> Result<IotpayCardConfig> {
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
