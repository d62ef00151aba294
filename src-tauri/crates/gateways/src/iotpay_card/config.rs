//! IOTPay V3's settings and their defaults.

use std::time::Duration;

use paydesk_secrets::vault::Sensitive;

pub const DEFAULT_LIVE_BASE: &str = "https://ccapi.iotpaycloud.com/v3";
pub const DEFAULT_TEST_BASE: &str = "https://ccdev.iotpaycloud.com/v3";
/// The card form's script: loaded from the vendor by the window, never bundled (PCI).
pub const DEFAULT_SCRIPT_URL: &str = "https://ccapi.iotpaycloud.com/cc/iotpaycc.js";

#[derive(Debug, Clone)]
pub struct IotpayCardConfig {
    pub base: String,
    pub mch_id: String,
    /// String(12) on V3 (checked when a card call is prepared, not here).
    pub login_name: String,
    pub key: Sensitive<String>,
    pub notify_url: String,
    /// Where the hosted page sends the customer afterwards.
    pub return_url: String,
    /// The iotpaycc.js the window loads for the embedded form.
    pub script_url: String,
    pub timeout: Duration,
}
