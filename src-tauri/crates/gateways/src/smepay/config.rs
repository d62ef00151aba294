//! SMEPay's settings, their defaults, and the path family they choose.

use std::time::Duration;

use paydesk_domain::error::{Error, Result};
use paydesk_secrets::vault::Sensitive;

use crate::settings::{setting, ConfigSource, Rule, SettingDefault, SettingSpec};

pub const DEFAULT_LIVE_BASE: &str = "https://extranet.smepay.in";
pub const DEFAULT_TEST_BASE: &str = "https://staging.smepay.in";
pub const DEFAULT_SCRIPT_URL: &str = "https://extranet.smepay.in/sdk/smepay-checkout.js";

/// Which paths the calls go to. The seed uses `/api/wiz/external/...` for auth, create and
/// validate and `/api/external/...` for initiate and status; the vendor's plugin puts
/// every call under `wiz/`. Setting `smepay.<env>.path_family` = `seed` (default) or `wiz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathFamily {
    Seed,
    Wiz,
}

impl PathFamily {
    pub fn parse(text: &str) -> Result<PathFamily> {
        match text.trim() {
            "" | "seed" => Ok(PathFamily::Seed),
            "wiz" => Ok(PathFamily::Wiz),
            other => Err(Error::invalid(
                "path_family",
                format!("unknown SMEPay path family {other:?}: use seed or wiz"),
            )),
        }
    }

    pub(super) fn path(self, call: &str) -> String {
        let wiz = match call {
            "auth" | "order/create" | "order/validate" => true,
            _ => self == PathFamily::Wiz,
        };
        if wiz {
            format!("/api/wiz/external/{call}")
        } else {
            format!("/api/external/{call}")
        }
    }
}

#[derive(Debug, Clone)]
pub struct SmepayConfig {
    /// Host (and any prefix), without the `/api/...` path.
    pub base: String,
    pub paths: PathFamily,
    pub client_id: String,
    pub client_secret: Sensitive<String>,
    pub callback_url: String,
    pub script_url: String,
    /// SMEPay wants customer details; a counter sale has none, so the shop's defaults go.
    pub customer_name: String,
    pub customer_email: String,
    pub customer_mobile: String,
    pub timeout: Duration,
}

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

pub fn from_settings(source: &ConfigSource) -> Result<SmepayConfig> {
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
