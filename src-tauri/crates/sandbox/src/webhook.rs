//! The unsigned JSON webhooks the sandbox sends on its own (SmartPay's, SMEPay's): one POST,
//! bounded at 10 s, never resent.

use std::time::Duration;

use serde_json::Value;

/// POSTs `body` as JSON to `url` once; whether the merchant answered 2xx. A failure to send
/// is logged with `what` (which webhook, about which payment).
pub(crate) async fn post_once(url: &str, body: &Value, what: &str) -> bool {
    let sent = async {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()?
            .post(url)
            .json(body)
            .send()
            .await
    };
    match sent.await {
        Ok(r) => r.status().is_success(),
        Err(e) => {
            tracing::info!("{what} not delivered: {e}");
            false
        }
    }
}
