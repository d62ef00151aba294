//! V3 notifications: a JSON POST of the paid order's fields with `sign` at the top level, as
//! the vendor's SDK reads them, retried with growing pauses until the merchant answers
//! `SUCCESS`; and the notification faults (`duplicate-notify`, `out-of-order-notify`,
//! `drop-notify`).

use std::time::Duration;

use serde_json::{json, Map, Value};

use super::wire::{order_data, STATUS_PENDING};
use crate::faults::FaultKind;
use crate::iotpay::notifier::{post, post_until_acknowledged, signed};
use crate::iotpay::store::{SandboxOrder, STATUS_PAID};
use crate::{SandboxState, SandboxStore};

/// The merchant's acknowledgement of a V3 notification: the vendor's PHP SDK
/// (creditcardv3.php, `receiveNotification`) echoes `SUCCESS`; anything else is retried.
pub(crate) const V3_NOTIFY_ACK: &str = "SUCCESS";

/// A V3 notification: the order's fields as cc_query gives them, status 2 (or `status`),
/// signed at the top level.
fn v3_notify_fields(store: &SandboxStore, order: &SandboxOrder, status: i64) -> Map<String, Value> {
    let mut fields: Map<String, Value> = order_data(order)
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .collect();
    fields.insert("mchId".into(), json!(order.mch_id));
    fields.insert("status".into(), json!(status));
    fields.insert("channel".into(), json!(order.channel_id));
    signed(store, &order.mch_id, fields)
}

/// Posts a V3 notification up to `attempts` times, doubling the pause from `first_wait`,
/// until the merchant answers `SUCCESS`. Returns whether it did.
async fn deliver_v3(
    store: &SandboxStore,
    order: &SandboxOrder,
    attempts: u32,
    first_wait: Duration,
) -> bool {
    if order.notify_url.is_empty() {
        return false;
    }
    let fields = v3_notify_fields(store, order, STATUS_PAID);
    post_until_acknowledged(
        order,
        &fields,
        V3_NOTIFY_ACK,
        attempts,
        first_wait,
        "sandbox V3 notify",
    )
    .await
}

/// Notifies the merchant of a paid card order in the background, with the notification
/// faults (`duplicate-notify`, `out-of-order-notify`, `drop-notify`) switched on for
/// `iotpay` / `notify`.
pub(super) fn spawn_v3_delivery(state: SandboxState, order: SandboxOrder) {
    tokio::spawn(async move {
        let fault = state.faults.take("iotpay", "notify").ok().flatten();
        if fault
            .as_ref()
            .is_some_and(|f| f.kind == FaultKind::DropNotify)
        {
            return;
        }
        deliver_v3(&state.store, &order, 5, Duration::from_secs(1)).await;
        match fault.map(|f| f.kind) {
            Some(FaultKind::DuplicateNotify) => {
                deliver_v3(&state.store, &order, 1, Duration::ZERO).await;
            }
            Some(FaultKind::OutOfOrderNotify) => {
                let older = v3_notify_fields(&state.store, &order, STATUS_PENDING);
                let _ = post(&order, &older).await;
            }
            _ => {}
        }
    });
}
