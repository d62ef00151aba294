//! SmartExPay's settings and their defaults.

use std::time::Duration;

use serde_json::Value;

use paydesk_secrets::vault::Sensitive;

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
