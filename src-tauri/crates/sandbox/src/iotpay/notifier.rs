//! The sandbox telling the merchant an order was paid, as IOTPay does (§1.6): a signed form
//! POST to the order's notifyUrl (JSON for V3 cards), retried with growing pauses until the
//! merchant answers `success`.

use std::time::Duration;

use serde_json::{json, Map, Value};

use super::store::SandboxOrder;
use crate::faults::{FaultKind, Faults};
use crate::{SandboxState, SandboxStore};
use paydesk_secrets::signing::iotpay_sign;

/// Delivers in the background (the customer's page does not wait for the merchant).
pub(super) fn spawn_delivery(state: SandboxState, order: SandboxOrder) {
    tokio::spawn(async move {
        deliver_with_faults(
            &state.store,
            Some(&state.faults),
            &order,
            5,
            Duration::from_secs(1),
        )
        .await;
    });
}

/// `deliver`, then whatever notification fault is switched on for the gateway: the same
/// notification again, or an older one ("paying") after it; or, for `drop-notify`, nothing at
/// all (false: not delivered), so the merchant finds the payment only by polling.
pub async fn deliver_with_faults(
    store: &SandboxStore,
    faults: Option<&Faults>,
    order: &SandboxOrder,
    attempts: u32,
    first_wait: Duration,
) -> bool {
    let fault = faults.and_then(|f| f.take("iotpay", "notify").ok().flatten());
    if fault
        .as_ref()
        .is_some_and(|f| f.kind == FaultKind::DropNotify)
    {
        return false;
    }
    let delivered = deliver(store, order, attempts, first_wait).await;
    match fault.map(|f| f.kind) {
        Some(FaultKind::DuplicateNotify) => {
            deliver(store, order, 1, Duration::ZERO).await;
        }
        Some(FaultKind::OutOfOrderNotify) => {
            let mut older = order.clone();
            older.status = super::store::STATUS_PAYING;
            // Whatever the merchant answers, the older notification has been sent: that is the fault.
            let _ = post(&older, &notify_fields_with_status(store, &older, "1")).await;
        }
        _ => {}
    }
    delivered
}

/// The notify body IOTPay sends for a paid order, signed with the merchant's key.
pub fn notify_fields(store: &SandboxStore, order: &SandboxOrder) -> Map<String, Value> {
    notify_fields_with_status(store, order, "2")
}

fn notify_fields_with_status(
    store: &SandboxStore,
    order: &SandboxOrder,
    status: &str,
) -> Map<String, Value> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut fields = Map::new();
    for (k, v) in [
        ("payOrderId", order.pay_order_id.clone()),
        ("mchId", order.mch_id.clone()),
        ("mchOrderNo", order.mch_order_no.clone()),
        ("channelId", order.channel_id.clone()),
        ("currency", order.currency.clone()),
        ("amount", order.amount.to_string()),
        ("status", status.to_string()),
        ("clientIp", order.client_ip.clone()),
        ("device", text(&order.device)),
        ("subject", order.subject.clone()),
        ("body", order.body.clone()),
        ("channelOrderNo", text(&order.channel_order_no)),
        ("param1", text(&order.param1)),
        ("param2", text(&order.param2)),
        (
            "paySuccTime",
            order
                .pay_succ_time
                .map(|t| t.to_string())
                .unwrap_or_default(),
        ),
        ("backType", "2".to_string()),
    ] {
        fields.insert(k.into(), json!(v));
    }
    signed(store, &order.mch_id, fields)
}

/// `fields` with the `sign` IOTPay computes over them with the merchant's key (v1 and V3
/// notifications alike).
pub(crate) fn signed(
    store: &SandboxStore,
    mch_id: &str,
    mut fields: Map<String, Value>,
) -> Map<String, Value> {
    let key = store
        .iotpay_key(mch_id)
        .map(|k| k.expose().clone())
        .unwrap_or_default();
    let sign = iotpay_sign(&fields, &key);
    fields.insert("sign".into(), json!(sign));
    fields
}

/// Posts the notify up to `attempts` times, doubling the pause from `first_wait`. Returns
/// whether the merchant acknowledged it.
pub async fn deliver(
    store: &SandboxStore,
    order: &SandboxOrder,
    attempts: u32,
    first_wait: Duration,
) -> bool {
    if order.notify_url.is_empty() {
        return false;
    }
    let fields = notify_fields(store, order);
    let acknowledged = post_until_acknowledged(
        order,
        &fields,
        "success",
        attempts,
        first_wait,
        "sandbox notify",
    )
    .await;
    if acknowledged {
        if let Err(e) = store.mark_notified(&order.pay_order_id) {
            tracing::warn!("sandbox: {e}");
        }
    }
    acknowledged
}

/// Posts a notify up to `attempts` times, doubling the pause from `first_wait`, until the
/// merchant answers `ack` (v1 and V3 want different words). Returns whether it did.
pub(crate) async fn post_until_acknowledged(
    order: &SandboxOrder,
    fields: &Map<String, Value>,
    ack: &str,
    attempts: u32,
    first_wait: Duration,
    what: &str,
) -> bool {
    let mut wait = first_wait;
    for attempt in 1..=attempts {
        match post(order, fields).await {
            Ok(body) if body.trim() == ack => return true,
            Ok(body) => {
                tracing::info!(attempt, order = %order.pay_order_id, "{what} answered {body:?}")
            }
            Err(e) => {
                tracing::info!(attempt, order = %order.pay_order_id, "{what} not delivered: {e}")
            }
        }
        if attempt < attempts {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
    false
}

/// One POST of a notify body: a form for v1, JSON for V3. Returns the merchant's answer.
pub(crate) async fn post(
    order: &SandboxOrder,
    fields: &Map<String, Value>,
) -> Result<String, reqwest::Error> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()?;
    let request = if order.api == "v3" {
        http.post(&order.notify_url)
            .header("Content-Type", "application/json;charset=UTF-8")
            .body(Value::Object(fields.clone()).to_string())
    } else {
        let form: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect();
        http.post(&order.notify_url).form(&form)
    };
    request.send().await?.text().await
}
