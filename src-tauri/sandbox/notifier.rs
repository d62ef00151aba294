//! The sandbox telling the merchant an order was paid, as IOTPay does (§1.6): a signed form
//! POST to the order's notifyUrl (JSON for V3 cards), retried with growing pauses until the
//! merchant answers `success`.

use std::time::Duration;

use serde_json::{json, Map, Value};

use super::iotpay::merchant_key;
use super::store::{SandboxOrder, SandboxStore};
use super::SandboxState;
use crate::signing::iotpay_sign;

/// Delivers in the background (the customer's page does not wait for the merchant).
pub(super) fn spawn_delivery(state: SandboxState, order: SandboxOrder) {
    tokio::spawn(async move {
        deliver(&state.store, &order, 5, Duration::from_secs(1)).await;
    });
}

/// The notify body IOTPay sends for a paid order, signed with the merchant's key.
pub fn notify_fields(order: &SandboxOrder) -> Map<String, Value> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut fields = Map::new();
    for (k, v) in [
        ("payOrderId", order.pay_order_id.clone()),
        ("mchId", order.mch_id.clone()),
        ("mchOrderNo", order.mch_order_no.clone()),
        ("channelId", order.channel_id.clone()),
        ("currency", order.currency.clone()),
        ("amount", order.amount.to_string()),
        ("status", "2".to_string()),
        ("clientIp", order.client_ip.clone()),
        ("device", text(&order.device)),
        ("subject", order.subject.clone()),
        ("body", order.body.clone()),
        ("channelOrderNo", text(&order.channel_order_no)),
        ("param1", text(&order.param1)),
        ("param2", text(&order.param2)),
        ("paySuccTime", order.pay_succ_time.map(|t| t.to_string()).unwrap_or_default()),
        ("backType", "2".to_string()),
    ] {
        fields.insert(k.into(), json!(v));
    }
    let key = merchant_key(&order.mch_id).unwrap_or_default();
    let sign = iotpay_sign(&fields, key);
    fields.insert("sign".into(), json!(sign));
    fields
}

/// Posts the notify up to `attempts` times, doubling the pause from `first_wait`. Returns
/// whether the merchant acknowledged it.
pub async fn deliver(store: &SandboxStore, order: &SandboxOrder, attempts: u32, first_wait: Duration) -> bool {
    if order.notify_url.is_empty() {
        return false;
    }
    let Ok(http) = reqwest::Client::builder().timeout(Duration::from_secs(10)).build() else { return false };
    let fields = notify_fields(order);
    let mut wait = first_wait;
    for attempt in 1..=attempts {
        let request = if order.api == "v3" {
            http.post(&order.notify_url).header("Content-Type", "application/json;charset=UTF-8").body(Value::Object(fields.clone()).to_string())
        } else {
            let form: Vec<(String, String)> =
                fields.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect();
            http.post(&order.notify_url).form(&form)
        };
        match request.send().await {
            Ok(response) => match response.text().await {
                Ok(body) if body.trim() == "success" => {
                    if let Err(e) = store.mark_notified(&order.pay_order_id) {
                        tracing::warn!("sandbox: {e}");
                    }
                    return true;
                }
                Ok(body) => tracing::info!(attempt, order = %order.pay_order_id, "sandbox notify answered {body:?}"),
                Err(e) => tracing::info!(attempt, "sandbox notify: {e}"),
            },
            Err(e) => tracing::info!(attempt, order = %order.pay_order_id, "sandbox notify not delivered: {e}"),
        }
        if attempt < attempts {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
    false
}
