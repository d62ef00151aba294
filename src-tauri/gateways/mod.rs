//! Gateway adapters: one file per gateway, its wire types beside it, mapping the gateway's
//! statuses into `OrderStatus` (anything not plainly success or failure is Pending, and the
//! gateway's own word is kept verbatim).

pub mod iotpay;

use std::time::Duration;

use crate::error::{Error, Result};
use crate::money::Money;
use crate::order::{Method, OrderStatus};

/// What the core asks a gateway to create.
#[derive(Debug, Clone)]
pub struct CreateRequest<'a> {
    pub merchant_order_no: &'a str,
    pub method: Method,
    pub amount: Money,
    pub description: &'a str,
}

/// What a gateway gave back on create.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    pub gateway_order_id: Option<String>,
    /// The string to show as a QR code or link.
    pub payment_url: Option<String>,
    pub status: OrderStatus,
    pub gateway_status: Option<String>,
}

/// A gateway's answer to "what became of this order?".
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    Found(Report),
    /// The gateway does not know the merchant order number: the create never reached it.
    Missing,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub status: OrderStatus,
    pub gateway_status: String,
    pub gateway_order_id: Option<String>,
    pub note: Option<String>,
}

/// The adapters, dispatched by gateway.
pub enum Connector {
    Iotpay(iotpay::Iotpay),
}

impl Connector {
    pub async fn create(&self, request: &CreateRequest<'_>) -> Result<Created> {
        match self {
            Connector::Iotpay(c) => c.create_order(request).await,
        }
    }

    pub async fn lookup(&self, merchant_order_no: &str) -> Result<Lookup> {
        match self {
            Connector::Iotpay(c) => c.query_order(merchant_order_no).await,
        }
    }
}

/// An HTTP client with the timeouts a counter can live with.
pub fn http_client(timeout: Duration) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(timeout)
        .user_agent(concat!("Paydesk/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Internal(format!("cannot build the HTTP client: {e}")))
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
