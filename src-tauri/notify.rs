//! The notification receiver: where gateways post "this order was paid". It listens on
//! loopback by default. A notification is only a hint: its signature is checked (constant
//! time) with the order's merchant key, it is kept verbatim, acknowledged once it is safely in
//! the ledger, and the order is then re-queried: the query, not the notification, moves it.
//! A forged, altered or unknown notification changes no order and is not acknowledged.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;

use crate::error::{Error, Result};
use crate::ledger::NotificationRecord;
use crate::payments::Paydesk;

/// What IOTPay is told: `success` stops its retries.
pub const ACK: &str = "success";
pub const NACK: &str = "fail";

/// A running receiver; dropping it stops the server.
pub struct NotifyReceiver {
    base_url: String,
    _shutdown: oneshot::Sender<()>,
}

impl NotifyReceiver {
    /// Listens on `addr` and points the service's notify URLs at it.
    pub async fn start(desk: Arc<Paydesk>, addr: SocketAddr) -> Result<NotifyReceiver> {
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
            Error::Internal(format!(
                "the notification receiver cannot listen on {addr}: {e}"
            ))
        })?;
        let base_url = format!("http://{}", listener.local_addr()?);
        desk.set_notify_base(&base_url);
        let router = Router::new()
            .route("/notify/iotpay", post(iotpay))
            .route("/notify/iotpay-card", post(iotpay))
            .route("/notify/smepay", post(smepay))
            .route("/notify/smartexpay", post(smartexpay))
            .route("/notify/smartpay", post(smartpay))
            .with_state(desk);
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let served = axum::serve(listener, router).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = served.await {
                tracing::error!("notification receiver stopped: {e}");
            }
        });
        Ok(NotifyReceiver {
            base_url,
            _shutdown: shutdown,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

async fn iotpay(State(desk): State<Arc<Paydesk>>, headers: HeaderMap, body: Bytes) -> &'static str {
    let is_json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    match receive_iotpay(&desk, &body, is_json).await {
        Ok(answer) => answer,
        Err(e) => {
            // Not acknowledged: IOTPay will try again, and polling covers the order meanwhile.
            tracing::error!("notification not recorded: {e}");
            NACK
        }
    }
}

/// Handles one IOTPay notification (v1 form or V3 JSON); returns the answer for IOTPay.
pub async fn receive_iotpay(
    desk: &Arc<Paydesk>,
    body: &[u8],
    is_json: bool,
) -> Result<&'static str> {
    let fields: Map<String, Value> = if is_json {
        match serde_json::from_slice(body) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        }
    } else {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
            .map(|pairs| {
                pairs
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let text = String::from_utf8_lossy(body);
    let fingerprint = fingerprint(&fields);
    let merchant_order_no = fields.get("mchOrderNo").and_then(Value::as_str);
    let mut record = NotificationRecord {
        gateway: "iotpay",
        verified: false,
        merchant_order_no,
        order_id: None,
        fingerprint: &fingerprint,
        body: &text,
        outcome: "unreadable",
    };
    let Some(order) = (match merchant_order_no {
        Some(no) => desk.order_by_merchant_no(no)?,
        None => None,
    }) else {
        record.outcome = if merchant_order_no.is_some() {
            "unknown order"
        } else {
            "unreadable"
        };
        tracing::warn!(
            merchant_order_no,
            "notification for no order of ours: not acknowledged"
        );
        desk.ledger().record_notification(&record)?;
        return Ok(NACK);
    };
    record.order_id = Some(order.id);
    if !desk.verify_iotpay_notify(&order, &fields).await? {
        record.outcome = "bad signature";
        tracing::warn!(
            order = order.id,
            "notification with a bad signature: ignored"
        );
        desk.ledger().record_notification(&record)?;
        return Ok(NACK);
    }
    record.verified = true;
    record.outcome = "accepted";
    let replay = desk.ledger().record_notification(&record)?;
    if replay {
        return Ok(ACK);
    }
    // Safely recorded: acknowledge, and let a query decide what it means.
    let desk = desk.clone();
    let id = order.id;
    tokio::spawn(async move {
        if let Err(e) = desk.sync_after_notify(id).await {
            tracing::warn!(
                order = id,
                "re-query after a notification failed, polling continues: {e}"
            );
        }
    });
    Ok(ACK)
}

async fn smepay(
    State(desk): State<Arc<Paydesk>>,
    body: Bytes,
) -> (axum::http::StatusCode, &'static str) {
    match receive_hint(&desk, "smepay", &body, "ref_id").await {
        Ok(true) => (axum::http::StatusCode::OK, r#"{"status":true}"#),
        Ok(false) => (
            axum::http::StatusCode::NOT_FOUND,
            r#"{"status":false,"message":"unknown order"}"#,
        ),
        Err(e) => {
            tracing::error!("smepay webhook not recorded: {e}");
            (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                r#"{"status":false}"#,
            )
        }
    }
}

/// Handles an unsigned JSON notification (SMEPay's webhook, SmartPay's): it cannot be
/// verified, so it is kept verbatim as unverified, acknowledged, and only makes Paydesk
/// re-query the gateway. `order_field` names our merchant order number in the body, or, when
/// that is absent, the gateway's id (resolved through the ledger). Returns whether the order
/// is ours.
pub async fn receive_hint(
    desk: &Arc<Paydesk>,
    gateway: &'static str,
    body: &[u8],
    order_field: &str,
) -> Result<bool> {
    let fields: Map<String, Value> = match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let text = String::from_utf8_lossy(body);
    let fingerprint = fingerprint(&fields);
    let reference = fields.get(order_field).and_then(|v| {
        v.as_str()
            .map(str::to_string)
            .or_else(|| v.as_i64().map(|n| n.to_string()))
    });
    let order = match reference.as_deref() {
        Some(r) => match desk.ledger().resolve(r) {
            Ok(order) if order.gateway.as_str() == gateway => Some(order),
            Ok(_) | Err(Error::NotFound(_)) => None,
            Err(e) => return Err(e),
        },
        None => None,
    };
    let record = NotificationRecord {
        gateway,
        verified: false,
        merchant_order_no: order.as_ref().map(|o| o.merchant_order_no.as_str()),
        order_id: order.as_ref().map(|o| o.id),
        fingerprint: &fingerprint,
        body: &text,
        outcome: if order.is_some() {
            "hint: re-querying"
        } else if reference.is_some() {
            "unknown order"
        } else {
            "unreadable"
        },
    };
    desk.ledger().record_notification(&record)?;
    let Some(order) = order else {
        tracing::warn!(
            gateway,
            reference,
            "unsigned notification for no order of ours"
        );
        return Ok(false);
    };
    let desk = desk.clone();
    let id = order.id;
    tokio::spawn(async move {
        if let Err(e) = desk.sync_after_notify(id).await {
            tracing::warn!(
                order = id,
                "re-query after a notification failed, polling continues: {e}"
            );
        }
    });
    Ok(true)
}

/// SmartPay's webhook is unsigned: `objectId` (the transactionId) only makes Paydesk
/// re-query the payment's status.
async fn smartpay(State(desk): State<Arc<Paydesk>>, body: Bytes) -> axum::http::StatusCode {
    match receive_hint(&desk, "smartpay", &body, "objectId").await {
        Ok(true) => axum::http::StatusCode::OK,
        Ok(false) => axum::http::StatusCode::NOT_FOUND,
        Err(e) => {
            tracing::error!("smartpay webhook not recorded: {e}");
            axum::http::StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

async fn smartexpay(
    State(desk): State<Arc<Paydesk>>,
    body: Bytes,
) -> (axum::http::StatusCode, &'static str) {
    match receive_smartexpay(&desk, &body).await {
        Ok(true) => (axum::http::StatusCode::OK, "OK"),
        Ok(false) => (axum::http::StatusCode::FORBIDDEN, "refused"),
        Err(e) => {
            tracing::error!("smartexpay IPN not recorded: {e}");
            (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "error")
        }
    }
}

/// Handles one SmartExPay IPN (form-urlencoded, sent once): the order is found by orderUID,
/// the sha256 hash (field `hash`, `sign` or `signature`) is checked in constant time with the
/// order's derived secret, the IPN is kept verbatim, a repeat is acknowledged without effect,
/// and the order is re-queried with order/get. Returns whether it was accepted.
pub async fn receive_smartexpay(desk: &Arc<Paydesk>, body: &[u8]) -> Result<bool> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let fields: Map<String, Value> = pairs
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let text = String::from_utf8_lossy(body);
    let fingerprint = fingerprint(&fields);
    let uid = fields.get("orderUID").and_then(Value::as_str);
    let order = match uid {
        Some(uid) => desk.order_by_gateway_id(crate::order::Gateway::Smartexpay, uid)?,
        None => None,
    };
    let mut record = NotificationRecord {
        gateway: "smartexpay",
        verified: false,
        merchant_order_no: order.as_ref().map(|o| o.merchant_order_no.as_str()),
        order_id: order.as_ref().map(|o| o.id),
        fingerprint: &fingerprint,
        body: &text,
        outcome: if uid.is_some() {
            "unknown order"
        } else {
            "unreadable"
        },
    };
    let Some(order) = order.clone() else {
        tracing::warn!(uid, "SmartExPay IPN for no order of ours");
        desk.ledger().record_notification(&record)?;
        return Ok(false);
    };
    if !desk.verify_smartexpay_ipn(&order, &pairs).await? {
        record.outcome = "bad signature";
        tracing::warn!(order = order.id, "SmartExPay IPN with a bad hash: ignored");
        desk.ledger().record_notification(&record)?;
        return Ok(false);
    }
    record.verified = true;
    record.outcome = "accepted";
    if desk.ledger().record_notification(&record)? {
        return Ok(true);
    }
    let desk = desk.clone();
    tokio::spawn(async move {
        if let Err(e) = desk.sync_after_notify(order.id).await {
            tracing::warn!(
                order = order.id,
                "re-query after an IPN failed, polling continues: {e}"
            );
        }
    });
    Ok(true)
}

/// Identifies the same notification sent again: a hash of its sorted fields.
fn fingerprint(fields: &Map<String, Value>) -> String {
    let mut pairs: Vec<_> = fields.iter().collect();
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    let mut hasher = Sha256::new();
    for (k, v) in pairs {
        hasher.update(k.as_bytes());
        hasher.update(b"=");
        hasher.update(v.to_string().as_bytes());
        hasher.update(b"\n");
    }
    hex::encode(hasher.finalize())
}
