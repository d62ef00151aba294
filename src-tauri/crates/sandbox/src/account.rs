//! The merchant accounts the sandbox opens for Paydesk: what a real merchant keeps in the
//! keychain (credentials) and enters in Paydesk's settings (hosts, routes, widget scripts),
//! with this sandbox's values. The core builds a sandbox adapter exactly as it builds a live
//! one, from an account like this: nothing outside the sandbox knows its constants.

use std::collections::BTreeMap;

use paydesk_domain::order::Gateway;
use paydesk_secrets::vault::Sensitive;

use crate::*;

/// One gateway's account on the sandbox.
pub struct SandboxAccount {
    /// Credential fields by the names the keychain uses (`mchId`, `clientSecret`, ...).
    pub credentials: BTreeMap<String, Sensitive<String>>,
    /// The gateway's settings by short name (`v1_base`, `route_id`, ...); a value the shop
    /// stored for the sandbox environment still wins (tests move a route or a timeout).
    pub settings: BTreeMap<&'static str, String>,
}

impl SandboxServer {
    /// `gateway`'s account on this sandbox.
    pub fn account(&self, gateway: Gateway) -> SandboxAccount {
        let base = self.base_url();
        let (credentials, settings): (Vec<(&str, &str)>, Vec<(&'static str, String)>) =
            match gateway {
                Gateway::Iotpay => (
                    vec![
                        ("mchId", SANDBOX_MCH_ID),
                        ("loginName", SANDBOX_LOGIN_NAME),
                        ("key", SANDBOX_MERCHANT_KEY),
                    ],
                    vec![
                        ("v1_base", self.iotpay_v1_base()),
                        ("v3_base", self.iotpay_v3_base()),
                        ("wechat_app_id", "wx-sandbox-app".into()),
                        ("return_url", format!("{base}/done")),
                        // The counter cannot know the customer's phone: the sandbox answers
                        // either.
                        ("os_type", "ANDROID".into()),
                        // The sandbox merchant's card terminal (CC_PAX sales wait on it).
                        ("pax_device", crate::terminal::SANDBOX_TERMINAL.into()),
                        ("script_url", format!("{base}/iotpay/cc/iotpaycc.js")),
                    ],
                ),
                Gateway::Smepay => (
                    vec![
                        ("clientId", SANDBOX_SMEPAY_CLIENT_ID),
                        ("clientSecret", SANDBOX_SMEPAY_CLIENT_SECRET),
                    ],
                    vec![
                        ("base", self.smepay_base()),
                        (
                            "script_url",
                            format!("{base}/smepay/sdk/smepay-checkout.js"),
                        ),
                    ],
                ),
                Gateway::Smartexpay => (
                    vec![
                        ("apiKey", SANDBOX_SMARTEXPAY_API_KEY),
                        ("partner", SANDBOX_SMARTEXPAY_PARTNER),
                    ],
                    vec![
                        ("base", self.smartexpay_base()),
                        ("page_base", self.smartexpay_base()),
                        ("route_id", SANDBOX_SMARTEXPAY_ROUTE.into()),
                        // The route's "from" currency, which SmartExPay's API does not say:
                        // the merchant knows it, and so does the sandbox of its own routes.
                        (
                            "from_currency",
                            smartexpay::route_from_currency(SANDBOX_SMARTEXPAY_ROUTE)
                                .unwrap_or("EUR")
                                .into(),
                        ),
                    ],
                ),
                Gateway::Smartpay => (
                    vec![
                        ("merchantKey", SANDBOX_SMARTPAY_MERCHANT_KEY),
                        ("authenticationKey", SANDBOX_SMARTPAY_AUTH_KEY),
                        ("clientId", SANDBOX_SMARTPAY_CLIENT_ID),
                        ("clientSecret", SANDBOX_SMARTPAY_CLIENT_SECRET),
                    ],
                    vec![
                        ("base", self.smartpay_base()),
                        (
                            "token_url",
                            format!("{}/oauth2/token", self.smartpay_base()),
                        ),
                        (
                            "script_url",
                            format!("{}/smp-bundle.js", self.smartpay_base()),
                        ),
                    ],
                ),
            };
        SandboxAccount {
            credentials: credentials
                .into_iter()
                .map(|(name, value)| (name.to_string(), Sensitive::new(value.to_string())))
                .collect(),
            settings: settings.into_iter().collect(),
        }
    }

    /// Registers where the sandbox posts `gateway`'s notifications, as a merchant does in
    /// the gateway's dashboard (SmartPay's webhooks); the others carry the URL per order.
    pub fn register_webhook(&self, gateway: Gateway, url: &str) -> paydesk_domain::Result<()> {
        match gateway {
            Gateway::Smartpay => self
                .store()
                .set_sandbox_setting("smartpay.webhook_url", url),
            _ => Ok(()),
        }
    }
}
