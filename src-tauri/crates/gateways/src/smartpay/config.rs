//! SmartPay's settings, their defaults, and the vendor's pending policy they default to.

use std::time::Duration;

use paydesk_secrets::vault::Sensitive;

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
