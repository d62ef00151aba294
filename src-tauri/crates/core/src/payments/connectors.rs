//! Each gateway's adapter, built from its settings and credentials (the keychain, or the
//! embedded sandbox's account) and kept for reuse; the calls that only pass through to it.
use std::collections::BTreeMap;
#[cfg(feature = "sandbox")]
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use paydesk_domain::error::Result;
use paydesk_domain::order::{Gateway, Order};
use paydesk_gateways::settings::{ConfigSource, Credentials};
use paydesk_gateways::{check_card_id, Adapter, ConnectionCheck, ConnectionOutcome, Notification};
#[cfg(feature = "sandbox")]
use paydesk_sandbox::SandboxServer;
use paydesk_secrets::vault::{Environment, Vault};

use super::Paydesk;
use crate::config::Mode;

impl Paydesk {
    /// The embedded sandbox, started on a free loopback port the first time it is needed.
    #[cfg(feature = "sandbox")]
    pub async fn sandbox(&self) -> Result<&SandboxServer> {
        self.sandbox
            .get_or_try_init(|| {
                SandboxServer::start(&self.data_dir, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            })
            .await
    }

    /// Where the embedded sandbox answers when the shop runs on it (started the first time),
    /// `None` in test or live mode. A build without the sandbox cannot run in sandbox mode.
    pub async fn sandbox_url(&self) -> Result<Option<String>> {
        if self.mode != Mode::Sandbox {
            return Ok(None);
        }
        #[cfg(feature = "sandbox")]
        return Ok(Some(self.sandbox().await?.base_url().to_string()));
        #[cfg(not(feature = "sandbox"))]
        return Err(paydesk_domain::error::Error::invalid(
            "mode",
            "this build of Paydesk has no embedded sandbox: run it in test or live mode",
        ));
    }

    /// Puts `adapter` in place of the one Paydesk would build for `gateway` in `environment`:
    /// tests of the service's own bookkeeping against a scripted gateway.
    #[doc(hidden)]
    pub fn install_adapter(&self, gateway: Gateway, environment: &str, adapter: Arc<dyn Adapter>) {
        self.connectors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert((gateway, environment.to_string()), adapter);
    }

    /// The adapter for a gateway in an environment, built once and reused.
    pub(super) async fn connector(
        &self,
        gateway: Gateway,
        environment: &str,
    ) -> Result<Arc<dyn Adapter>> {
        let key = (gateway, environment.to_string());
        if let Some(c) = self
            .connectors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return Ok(c.clone());
        }
        let connector: Arc<dyn Adapter> =
            Arc::from(self.build_connector(gateway, environment).await?);
        self.connectors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, connector.clone());
        Ok(connector)
    }

    pub(super) async fn build_connector(
        &self,
        gateway: Gateway,
        environment: &str,
    ) -> Result<Box<dyn Adapter>> {
        let (credentials, account_settings) = self.account(gateway, environment).await?;
        let stored = |name: &str| -> Result<Option<String>> {
            let key = format!("{}.{environment}.{name}", gateway.as_str());
            Ok(match self.ledger.setting(&key)? {
                Some(value) if !value.trim().is_empty() => Some(value),
                _ => account_settings.get(name).cloned(),
            })
        };
        let notify_base = self.notify_base();
        let http_timeout = self.http_timeout()?;
        paydesk_gateways::connect(&ConfigSource::new(
            gateway,
            environment,
            &stored,
            &credentials,
            &notify_base,
            http_timeout,
        ))
    }

    /// The merchant account `gateway` is used with in `environment`: the keychain's
    /// credentials (test, live), or the embedded sandbox's account with its hosts as
    /// settings.
    pub(super) async fn account(
        &self,
        gateway: Gateway,
        environment: &str,
    ) -> Result<(Credentials, BTreeMap<&'static str, String>)> {
        if environment == Mode::Sandbox.as_str() {
            return self.sandbox_account(gateway).await;
        }
        let env = Environment::parse(environment)?;
        let credentials = match Vault::keychain().load(gateway, env) {
            Ok(Some(found)) => Credentials::Fields(found.fields().clone()),
            Ok(None) => Credentials::Missing,
            Err(paydesk_domain::error::Error::Vault(why)) => Credentials::Unreadable(why),
            Err(e) => Credentials::Unreadable(e.to_string()),
        };
        Ok((credentials, BTreeMap::new()))
    }

    #[cfg(feature = "sandbox")]
    pub(super) async fn sandbox_account(
        &self,
        gateway: Gateway,
    ) -> Result<(Credentials, BTreeMap<&'static str, String>)> {
        let sandbox = self.sandbox().await?;
        // SmartPay's webhook is registered in the merchant's dashboard, not sent per order.
        sandbox.register_webhook(gateway, &format!("{}/notify/smartpay", self.notify_base()))?;
        let account = sandbox.account(gateway);
        Ok((Credentials::Fields(account.credentials), account.settings))
    }

    #[cfg(not(feature = "sandbox"))]
    pub(super) async fn sandbox_account(
        &self,
        gateway: Gateway,
    ) -> Result<(Credentials, BTreeMap<&'static str, String>)> {
        Err(paydesk_domain::error::Error::invalid(
            "mode",
            format!(
                "this build of Paydesk has no embedded sandbox: {} needs test or live credentials",
                gateway.as_str()
            ),
        ))
    }

    /// Settings' "Test connection": builds this gateway's adapter for `environment` from the
    /// settings and keychain as they are now (not the cached one: a URL may have just been
    /// saved) and makes its cheapest authenticated call. Never an error: what went wrong is
    /// the outcome, in the gateway's words.
    pub async fn test_connection(&self, gateway: Gateway, environment: &str) -> ConnectionCheck {
        let started = std::time::Instant::now();
        let (outcome, message) = match Mode::parse(environment) {
            Err(e) => (ConnectionOutcome::Error, e.to_string()),
            Ok(mode) => match self.build_connector(gateway, mode.as_str()).await {
                Ok(connector) => connector.check_connection().await,
                Err(e) => (ConnectionOutcome::Error, format!("not configured: {e}")),
            },
        };
        ConnectionCheck {
            gateway: gateway.as_str(),
            environment: environment.trim().to_ascii_lowercase(),
            outcome,
            message,
            elapsed_ms: started.elapsed().as_millis() as u64,
        }
    }

    /// Settings changed: adapters are built again from them on next use (the mode itself
    /// applies on restart).
    pub fn settings_changed(&self) {
        self.connectors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// Checks a SmartExPay IPN's hash with the order's derived secret (constant time).
    pub async fn verify_smartexpay_ipn(
        &self,
        order: &Order,
        fields: &[(String, String)],
    ) -> Result<bool> {
        let adapter = self.connector(order.gateway, &order.environment).await?;
        Ok(adapter.verify_notification(order, &Notification::Pairs(fields)))
    }

    /// Starts keeping a customer's card with IOTPay under `card_id` (ours, unique per card):
    /// returns the link and secureId of the form where the customer enters it.
    pub async fn add_card(&self, card_id: &str) -> Result<serde_json::Value> {
        check_card_id(card_id)?;
        let adapter = self.connector(Gateway::Iotpay, self.mode.as_str()).await?;
        adapter.add_card(card_id).await
    }

    /// What IOTPay keeps of a stored card (masked number).
    pub async fn query_card(&self, card_id: &str) -> Result<serde_json::Value> {
        check_card_id(card_id)?;
        let adapter = self.connector(Gateway::Iotpay, self.mode.as_str()).await?;
        adapter.query_card(card_id).await
    }

    /// Verifies a notification's signature with the keys of the order's environment.
    pub async fn verify_iotpay_notify(
        &self,
        order: &Order,
        fields: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<bool> {
        let adapter = self.connector(order.gateway, &order.environment).await?;
        Ok(adapter.verify_notification(order, &Notification::Fields(fields)))
    }
}
