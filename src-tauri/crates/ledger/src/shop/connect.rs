//! A connection to the shop ledger: PostgreSQL's own synchronous client, TLS through rustls
//! when the address asks for it (certificates checked against the public CAs' roots).

use std::sync::Arc;

use paydesk_domain::error::{Error, Result};

use super::address::ShopAddress;
use super::pg_error;

/// The LISTEN/NOTIFY channel every push notifies on (with the pushing counter's name).
pub const CHANNEL: &str = "paydesk_shop";

/// One open connection to the shop ledger.
pub struct Shop {
    pub(crate) client: postgres::Client,
}

/// Connects (3 s at most), without running migrations (`Shop::migrate` does).
pub fn connect(address: &ShopAddress, password: Option<&str>) -> Result<Shop> {
    let config = address.config(password)?;
    let client = if config.get_ssl_mode() == postgres::config::SslMode::Disable {
        config.connect(postgres::NoTls)
    } else {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let roots =
            rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Internal(format!("TLS: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls))
    }
    .map_err(pg_error)?;
    Ok(Shop { client })
}

impl Shop {
    /// Whether the connection was lost (the next use would fail).
    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    /// Starts listening for other counters' pushes (see `wait_for_change`).
    pub fn listen(&mut self) -> Result<()> {
        self.client
            .batch_execute(&format!("LISTEN {CHANNEL}"))
            .map_err(pg_error)
    }

    /// Waits up to `timeout` for a push by any counter; true if one came (every notification
    /// already waiting is taken at once: one pull answers them all).
    pub fn wait_for_change(&mut self, timeout: std::time::Duration) -> Result<bool> {
        use postgres::fallible_iterator::FallibleIterator;
        let mut notifications = self.client.notifications();
        let first = notifications
            .timeout_iter(timeout)
            .next()
            .map_err(pg_error)?;
        if first.is_none() {
            return Ok(false);
        }
        let mut more = notifications.iter();
        while more.next().map_err(pg_error)?.is_some() {}
        Ok(true)
    }
}
