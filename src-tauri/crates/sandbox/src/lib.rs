//! The embedded sandbox: a loopback imitation of the gateways' wire formats, with a customer
//! payment page per order. Paydesk runs on it when no credentials are set, and the tests use
//! it as the far side of every adapter. It is written from reference/gateways.md with its
//! own wire types (nothing is shared with the adapters but the signature schemes, which the
//! golden vectors pin), and keeps its state in `sandbox.db` in the data directory so that a
//! CLI call in one process and a payment in another see the same orders.

mod account;
mod amount;
pub mod faults;
mod iotpay;
mod migrations;
mod pages;
mod random;
pub mod smartexpay;
pub mod smartpay;
pub mod smepay;
mod store;
mod webhook;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use axum::Router;
use tokio::sync::oneshot;

pub use account::SandboxAccount;
pub use iotpay::{notifier, terminal, SandboxOrder, CARD_APPROVE, CARD_DECLINE, CARD_TIMEOUT};
use paydesk_domain::error::{Error, Result};
pub use store::SandboxStore;

/// The merchant the sandbox knows without any setup. Sandbox mode signs with this key.
pub const SANDBOX_MCH_ID: &str = "20000001";
pub const SANDBOX_LOGIN_NAME: &str = "cashier1";
pub const SANDBOX_MERCHANT_KEY: &str = "sandbox-merchant-key";
/// The SMEPay client the sandbox knows.
pub const SANDBOX_SMEPAY_CLIENT_ID: &str = "sandbox-smepay-client";
pub const SANDBOX_SMEPAY_CLIENT_SECRET: &str = "sandbox-smepay-secret";
/// SmartExPay's sandbox API key (header `X-Api-Key` unless the sandbox setting
/// `smartexpay.api_key_header` says otherwise), partner and routes.
pub const SANDBOX_SMARTEXPAY_API_KEY: &str = "sandbox-smartexpay-key";
pub const SANDBOX_SMARTEXPAY_PARTNER: &str = "paydesk-sandbox";
/// A route whose payment is confirmed automatically (card in, USDT out).
pub const SANDBOX_SMARTEXPAY_ROUTE: &str = "5d8e6002b80b7b4cd75a0001";
/// A manual route (bank transfer): the merchant moves a paid order to inProgress.
pub const SANDBOX_SMARTEXPAY_MANUAL_ROUTE: &str = "5d8e6002b80b7b4cd75a0002";
/// SmartPay's sandbox merchant (the seed's example key), its Basic authentication key and
/// its OAuth client.
pub const SANDBOX_SMARTPAY_MERCHANT_KEY: &str = "48c4e923-e88c-464b-a4e7-ccb2c6d3775e";
pub const SANDBOX_SMARTPAY_AUTH_KEY: &str = "sandbox-smartpay-auth-key";
pub const SANDBOX_SMARTPAY_CLIENT_ID: &str = "sandbox-smartpay-client";
pub const SANDBOX_SMARTPAY_CLIENT_SECRET: &str = "sandbox-smartpay-secret";

#[derive(Clone)]
pub(crate) struct SandboxState {
    store: Arc<SandboxStore>,
    faults: Arc<faults::Faults>,
    /// `http://127.0.0.1:PORT`: the links the sandbox hands out point back at itself.
    public_base: String,
}

/// A running sandbox; dropping it stops the server.
pub struct SandboxServer {
    base_url: String,
    addr: SocketAddr,
    store: Arc<SandboxStore>,
    _shutdown: oneshot::Sender<()>,
}

impl SandboxServer {
    /// Binds `addr` (port 0 picks a free one) and serves the sandbox in the background.
    pub async fn start(data_dir: &Path, addr: SocketAddr) -> Result<SandboxServer> {
        let store = Arc::new(SandboxStore::open_in(data_dir)?);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| Error::Internal(format!("the sandbox cannot listen on {addr}: {e}")))?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let faults = Arc::new(faults::Faults::open_in(data_dir)?);
        let state = SandboxState {
            store: store.clone(),
            faults,
            public_base: base_url.clone(),
        };
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let served = axum::serve(listener, router(state)).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = served.await {
                tracing::error!("sandbox server stopped: {e}");
            }
        });
        tracing::info!(%base_url, "sandbox listening");
        Ok(SandboxServer {
            base_url,
            addr,
            store,
            _shutdown: shutdown,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// IOTPay v1's base URL on this sandbox.
    pub fn iotpay_v1_base(&self) -> String {
        format!("{}/iotpay/v1", self.base_url)
    }

    /// IOTPay V3 (cards) base URL on this sandbox.
    pub fn iotpay_v3_base(&self) -> String {
        format!("{}/iotpay/v3", self.base_url)
    }

    /// SMEPay's host on this sandbox (the `/api/...` paths follow it).
    pub fn smepay_base(&self) -> String {
        format!("{}/smepay", self.base_url)
    }

    /// SmartExPay's API host and payment page host on this sandbox.
    pub fn smartexpay_base(&self) -> String {
        format!("{}/smartexpay", self.base_url)
    }

    /// SmartPay's `{Base URL}` (and its OAuth token endpoint) on this sandbox.
    pub fn smartpay_base(&self) -> String {
        format!("{}/smartpay", self.base_url)
    }

    pub fn store(&self) -> &SandboxStore {
        &self.store
    }
}

/// `paydesk sandbox pay` for the gateways other than IOTPay: settles the order the reference
/// names (sending that gateway's notification) and says how it stands; `None` when no such
/// order is known.
pub async fn settle_other(
    store: &SandboxStore,
    reference: &str,
    approve: bool,
) -> Result<Option<String>> {
    if let Some(said) = smepay::settle(store, reference, approve).await? {
        return Ok(Some(said));
    }
    if let Some(said) = smartexpay::settle(store, reference, approve).await? {
        return Ok(Some(said));
    }
    if let Some(said) = smartpay::settle(store, reference, approve).await? {
        return Ok(Some(said));
    }
    Ok(None)
}

fn router(state: SandboxState) -> Router {
    // Gateway APIs pass through fault injection; the customer pages and controls do not.
    let apis = Router::new()
        .merge(iotpay::routes())
        .merge(smepay::routes())
        .merge(smartexpay::routes())
        .merge(smartpay::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.faults.clone(),
            faults::inject,
        ));
    Router::new()
        .merge(apis)
        .merge(iotpay::page_routes())
        .merge(faults::control_routes())
        .with_state(state)
}
