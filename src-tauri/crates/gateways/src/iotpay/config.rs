//! IOTPay v1's settings and their defaults.

use std::time::Duration;

use paydesk_secrets::vault::Sensitive;

pub const DEFAULT_V1_BASE: &str = "https://api.iotpaycloud.com/v1";

/// The values guide page "order" allows for `osType`.
pub const OS_TYPES: &[&str] = &["IOS", "ANDROID"];

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
