//! The IPN: a form-urlencoded POST to the order's ipnUrl with the sha256 hash (§4), sent once
//! and never retried, and kept in the sandbox's log.

use std::time::Duration;

use axum::http::header;
use rusqlite::params;

use super::SmartexpayOrder;
use crate::SandboxStore;
use paydesk_domain::clock::now_ms;
use paydesk_secrets::signing::smartexpay_ipn_hash;

/// The IPN's form fields for an order's current status, with the hash (§4).
pub fn ipn_fields(store: &SandboxStore, order: &SmartexpayOrder) -> Vec<(String, String)> {
    let timestamp = now_ms().to_string();
    let uid = order.uid.to_string();
    let values = [
        order.object_id.as_str(),
        order.status.as_str(),
        order.in_amount.as_str(),
        order.out_amount.as_str(),
        order.xml_from.as_str(),
        order.xml_to.as_str(),
        timestamp.as_str(),
    ];
    let hash = smartexpay_ipn_hash(values, order.ipn_secret.as_deref().unwrap_or_default());
    let hash_field = store
        .sandbox_setting("smartexpay.hash_field")
        .ok()
        .flatten()
        .unwrap_or_else(|| "hash".into());
    let mut fields: Vec<(String, String)> = [
        ("orderUID", uid.as_str()),
        ("orderId", values[0]),
        ("newStatus", values[1]),
        ("inAmount", values[2]),
        ("outAmount", values[3]),
        ("xml_from", values[4]),
        ("xml_to", values[5]),
        ("timestamp", values[6]),
        ("toValues", order.to_values.as_str()),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    fields.push((hash_field, hash));
    fields
}

/// Sends the IPN once (never retried, as SmartExPay does) and keeps it in the log.
pub async fn send_ipn(store: &SandboxStore, order: &SmartexpayOrder) -> bool {
    let Some(url) = order.ipn_url.as_deref() else {
        return false;
    };
    let fields = ipn_fields(store, order);
    let body = serde_urlencoded::to_string(&fields).unwrap_or_default();
    let delivered = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
    {
        Ok(http) => match http
            .post(url)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
        {
            Ok(r) => r.status().is_success(),
            Err(e) => {
                tracing::info!(
                    uid = order.uid,
                    "sandbox smartexpay IPN not delivered (it is not resent): {e}"
                );
                false
            }
        },
        Err(_) => false,
    };
    let _ = store.conn().execute(
        "INSERT INTO smartexpay_ipns (uid, body, delivered, sent_at) VALUES (?1, ?2, ?3, ?4)",
        params![order.uid, body, delivered as i64, now_ms()],
    );
    delivered
}
