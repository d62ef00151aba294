//! Talking HTTP to a gateway: one client with a counter's timeouts, and every send sorted so
//! that no answer at all is "unreachable" (outcome unknown), never a refusal.

use std::time::Duration;

use paydesk_domain::error::{Error, Result};

/// An HTTP client with the timeouts a counter can live with.
pub fn http_client(timeout: Duration) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(timeout)
        .user_agent(concat!("Paydesk/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Internal(format!("cannot build the HTTP client: {e}")))
}

/// Sends a request and returns the answer's status and body. No answer at all, or a 5xx, is
/// "unreachable": the outcome is unknown, so nothing may be concluded from it.
pub(crate) async fn send(
    gateway: &'static str,
    endpoint: &str,
    request: reqwest::RequestBuilder,
) -> Result<(reqwest::StatusCode, String)> {
    let response = request
        .send()
        .await
        .map_err(|e| transport_error(gateway, e))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| transport_error(gateway, e))?;
    if status.is_server_error() {
        return Err(Error::GatewayUnreachable {
            gateway,
            message: format!("{endpoint}: HTTP {status}"),
        });
    }
    Ok((status, text))
}

/// Sorts a transport failure: no answer at all is "unreachable" (outcome unknown).
pub(crate) fn transport_error(gateway: &'static str, e: reqwest::Error) -> Error {
    let message = if e.is_timeout() {
        "timed out waiting for an answer".to_string()
    } else if e.is_connect() {
        "connection failed".to_string()
    } else {
        e.to_string()
    };
    Error::GatewayUnreachable { gateway, message }
}
