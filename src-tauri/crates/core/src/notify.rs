//! The notification receiver: where gateways post "this order was paid". It listens on
//! loopback by default. A notification is only a hint: its signature is checked (constant
//! time) with the order's merchant key, it is kept verbatim, acknowledged once it is safely in
//! the ledger, and the order is then re-queried: the query, not the notification, moves it.
//! A forged, altered or unknown notification changes no order and is not acknowledged.
//!
//! Bodies are capped at [`BODY_LIMIT`] (64 KiB, answered 413 Payload Too Large): the largest
//! documented notification (IOTPay's) is under 1 KiB, and the receiver must not be a way to
//! fill the ledger. The ledger caps what it keeps again (`ledger::NOTIFICATION_KEPT`).
//!
//! Past 600 lines: about 480 of the receiver (five gateways' routes, one verify-keep-ack-
//! requery path), the rest its tests over real HTTP, kept beside it.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;

use crate::payments::Paydesk;
use paydesk_domain::error::{Error, Result};
use paydesk_domain::order::Order;
use paydesk_ledger::ledger::NotificationRecord;

/// What IOTPay v1 is told: `success` stops its retries ("When merchant backend get notify,
/// just return string success", develop.iotpay.ca guide page "payresult").
pub const ACK: &str = "success";
pub const NACK: &str = "fail";
/// What IOTPay's V3 card API is told: `SUCCESS`, as the vendor's PHP SDK answers its notify
/// (gateways.md section 6; develop.iotpay.ca "credit_card_v3"). Anything else is not an
/// acknowledgement and IOTPay notifies again.
pub const ACK_V3: &str = "SUCCESS";
pub const NACK_V3: &str = "FAIL";

/// The largest notification body the receiver reads (64 KiB); a longer one is answered
/// 413 Payload Too Large and nothing of it is kept.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Which IOTPay API a notification comes from: each is answered in its own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IotpayApi {
    /// The general API (`/notify/iotpay`, a form).
    V1,
    /// The V3 card API (`/notify/iotpay-card`, JSON).
    V3,
}

impl IotpayApi {
    pub fn ack(self) -> &'static str {
        match self {
            IotpayApi::V1 => ACK,
            IotpayApi::V3 => ACK_V3,
        }
    }

    pub fn nack(self) -> &'static str {
        match self {
            IotpayApi::V1 => NACK,
            IotpayApi::V3 => NACK_V3,
        }
    }
}

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
            .route("/notify/iotpay-card", post(iotpay_card))
            .route("/notify/smepay", post(smepay))
            .route("/notify/smartexpay", post(smartexpay))
            .route("/notify/smartpay", post(smartpay))
            // Every body extractor below reads at most this much; more is a 413.
            .layer(DefaultBodyLimit::max(BODY_LIMIT))
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
    answer_iotpay(&desk, IotpayApi::V1, &headers, &body).await
}

async fn iotpay_card(
    State(desk): State<Arc<Paydesk>>,
    headers: HeaderMap,
    body: Bytes,
) -> &'static str {
    answer_iotpay(&desk, IotpayApi::V3, &headers, &body).await
}

async fn answer_iotpay(
    desk: &Arc<Paydesk>,
    api: IotpayApi,
    headers: &HeaderMap,
    body: &[u8],
) -> &'static str {
    let is_json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    match receive_iotpay_from(desk, api, body, is_json).await {
        Ok(answer) => answer,
        Err(e) => {
            // Not acknowledged: IOTPay will try again, and polling covers the order meanwhile.
            tracing::error!("notification not recorded: {e}");
            api.nack()
        }
    }
}

/// Handles one IOTPay notification, v1 (a form) or V3 (JSON, answered as V3); returns the
/// answer for IOTPay. The receiver tells the APIs apart by route (`receive_iotpay_from`).
pub async fn receive_iotpay(
    desk: &Arc<Paydesk>,
    body: &[u8],
    is_json: bool,
) -> Result<&'static str> {
    let api = if is_json {
        IotpayApi::V3
    } else {
        IotpayApi::V1
    };
    receive_iotpay_from(desk, api, body, is_json).await
}

/// Handles one IOTPay notification from `api`, parsed as JSON or a form.
pub async fn receive_iotpay_from(
    desk: &Arc<Paydesk>,
    api: IotpayApi,
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
        return Ok(api.nack());
    };
    record.order_id = Some(order.id);
    // Is it about this order? A genuine notification of another order (replayed by anything
    // between the gateway and us) must not be taken for this one's. Asked first so the owner
    // reads why; the adapter's verification below checks the identity again with the sign.
    if let Err(mismatch) = iotpay_identity(&order, &fields) {
        let outcome = format!("suspicious: {mismatch}");
        record.outcome = &outcome;
        tracing::warn!(
            order = order.id,
            "suspicious notification, not about this order: {mismatch}"
        );
        desk.ledger().record_notification(&record)?;
        return Ok(api.nack());
    }
    if !desk.verify_iotpay_notify(&order, &fields).await? {
        record.outcome = "bad signature";
        tracing::warn!(
            order = order.id,
            "notification with a bad signature: ignored"
        );
        desk.ledger().record_notification(&record)?;
        return Ok(api.nack());
    }
    record.verified = true;
    record.outcome = "accepted";
    let replay = desk.ledger().record_notification(&record)?;
    if replay {
        return Ok(api.ack());
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
    Ok(api.ack())
}

/// THE PLACE FOR IDENTITY CHECKS of a signed IOTPay notification (v1 and V3): whether it is
/// about `order`. Err names the first field that differs. Checked here: `mchOrderNo`, and
/// `amount` (cents) and `currency` where the body carries them. When the adapters' own pure
/// checks land (gateways/iotpay.rs: answer vs order), call them from here instead, so one rule
/// decides for queries and notifications alike.
pub fn iotpay_identity(
    order: &Order,
    fields: &Map<String, Value>,
) -> std::result::Result<(), String> {
    let text = |name: &str| {
        fields.get(name).and_then(|v| match v {
            Value::String(s) => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    };
    if let Some(no) = text("mchOrderNo") {
        if no != order.merchant_order_no {
            return Err(format!(
                "mchOrderNo {no:?} is not {:?}",
                order.merchant_order_no
            ));
        }
    }
    if let Some(amount) = text("amount") {
        if amount.parse::<i64>().ok() != Some(order.amount.minor()) {
            return Err(format!(
                "amount {amount:?} is not {} (cents)",
                order.amount.minor()
            ));
        }
    }
    if let Some(currency) = text("currency") {
        if !currency.eq_ignore_ascii_case(order.amount.currency().code()) {
            return Err(format!(
                "currency {currency:?} is not {}",
                order.amount.currency().code()
            ));
        }
    }
    Ok(())
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
        Some(uid) => desk.order_by_gateway_id(paydesk_domain::order::Gateway::Smartexpay, uid)?,
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
    // THE PLACE FOR IDENTITY CHECKS of a SmartExPay IPN (its orderUID found the order; its
    // amounts are in the route's currencies): the adapter's pure check goes here, answered as
    // a bad one (refused, recorded "suspicious: ...") when it fails.
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

#[cfg(test)]
mod tests {
    //! The receiver over real HTTP on loopback, with notifications the sandbox signs.
    use super::*;
    use crate::config::Mode;
    use crate::payments::CreateOrderInput;
    use paydesk_sandbox::{notifier, SandboxStore};

    async fn desk_and_receiver() -> (tempfile::TempDir, Arc<Paydesk>, NotifyReceiver) {
        let dir = tempfile::tempdir().unwrap();
        let desk = Paydesk::open(dir.path(), Some(Mode::Sandbox))
            .await
            .unwrap();
        let receiver = NotifyReceiver::start(desk.clone(), "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        (dir, desk, receiver)
    }

    async fn sale(desk: &Arc<Paydesk>, method: &str, amount: &str) -> Order {
        desk.create_order(
            &crate::staff::Acting::nobody(),
            &CreateOrderInput {
                gateway: "iotpay".into(),
                method: method.into(),
                amount: amount.into(),
                currency: "CAD".into(),
                code: None,
                card_id: None,
            },
        )
        .await
        .unwrap()
    }

    async fn post(url: String, content_type: &str, body: Vec<u8>) -> (u16, String) {
        let answer = reqwest::Client::new()
            .post(url)
            .header(CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        (answer.status().as_u16(), answer.text().await.unwrap())
    }

    fn form(fields: &Map<String, Value>) -> Vec<u8> {
        let pairs: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect();
        serde_urlencoded::to_string(pairs).unwrap().into_bytes()
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn v3_card_notifications_are_answered_success_in_capitals_and_v1_in_lower_case() {
        let (dir, desk, receiver) = desk_and_receiver().await;
        let store = SandboxStore::open_in(dir.path()).unwrap();

        let card = sale(&desk, "card", "20.00").await;
        let v3 = store.find(&card.merchant_order_no).unwrap().unwrap();
        assert_eq!(v3.api, "v3");
        let body = Value::Object(notifier::notify_fields(&store, &v3)).to_string();
        let url = format!("{}/notify/iotpay-card", receiver.base_url());
        let (status, text) = post(url.clone(), "application/json;charset=UTF-8", body.into()).await;
        assert_eq!(
            (status, text.as_str()),
            (200, ACK_V3),
            "the V3 notify is answered SUCCESS"
        );
        // A V3 notification that does not verify is not acknowledged, in V3's words.
        let mut forged = notifier::notify_fields(&store, &v3);
        forged.insert("amount".into(), Value::String("1".into()));
        let (_, text) = post(
            url,
            "application/json",
            Value::Object(forged).to_string().into(),
        )
        .await;
        assert_eq!(text, NACK_V3);

        let wallet = sale(&desk, "wechat-qr", "3.00").await;
        let v1 = store.find(&wallet.merchant_order_no).unwrap().unwrap();
        let url = format!("{}/notify/iotpay", receiver.base_url());
        let (status, text) = post(
            url,
            "application/x-www-form-urlencoded",
            form(&notifier::notify_fields(&store, &v1)),
        )
        .await;
        assert_eq!(
            (status, text.as_str()),
            (200, ACK),
            "the v1 notify is answered success"
        );
        // The direct entry point keeps its answers: a form is v1, JSON is V3.
        let again = form(&notifier::notify_fields(&store, &v1));
        assert_eq!(receive_iotpay(&desk, &again, false).await.unwrap(), ACK);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_signed_notification_about_another_amount_is_suspicious_and_not_acknowledged() {
        let (dir, desk, receiver) = desk_and_receiver().await;
        let store = SandboxStore::open_in(dir.path()).unwrap();
        let big = sale(&desk, "wechat-qr", "250.00").await;
        let small = sale(&desk, "wechat-qr", "1.00").await;
        // A genuine, signed notification of the 1.00 sale, presented under the 250.00 sale's
        // number (the sandbox signs it: only the identity is wrong).
        let mut replayed = store.find(&small.merchant_order_no).unwrap().unwrap();
        replayed.mch_order_no = big.merchant_order_no.clone();
        let url = format!("{}/notify/iotpay", receiver.base_url());
        let (_, text) = post(
            url,
            "application/x-www-form-urlencoded",
            form(&notifier::notify_fields(&store, &replayed)),
        )
        .await;
        assert_eq!(text, NACK);
        let kept = desk.ledger().notifications().unwrap();
        assert_eq!(kept.len(), 1);
        assert!(kept[0].1.starts_with("suspicious: amount"), "{kept:?}");
        assert_eq!(kept[0].2, Some(big.id));
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert_eq!(
            desk.ledger().get(big.id).unwrap().status,
            paydesk_domain::order::OrderStatus::Pending
        );
    }

    #[test]
    fn identity_compares_number_amount_and_currency_when_present() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = paydesk_ledger::ledger::Ledger::open_in(dir.path()).unwrap();
        let order = ledger
            .insert_order(&paydesk_ledger::ledger::NewOrder {
                merchant_order_no: "PDID1".into(),
                method: paydesk_domain::order::Method::WechatQr,
                environment: "sandbox".into(),
                amount: paydesk_domain::money::Money::parse(
                    "12.50",
                    paydesk_domain::money::Currency::CAD,
                )
                .unwrap(),
                expires_at_ms: None,
                by: Default::default(),
            })
            .unwrap();
        let fields = |pairs: &[(&str, Value)]| -> Map<String, Value> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect()
        };
        let ok = fields(&[
            ("mchOrderNo", "PDID1".into()),
            ("amount", "1250".into()),
            ("currency", "cad".into()),
        ]);
        assert_eq!(iotpay_identity(&order, &ok), Ok(()));
        assert_eq!(
            iotpay_identity(&order, &fields(&[("amount", 1250.into())])),
            Ok(())
        );
        assert_eq!(
            iotpay_identity(&order, &Map::new()),
            Ok(()),
            "absent fields are not compared"
        );
        for bad in [
            fields(&[("mchOrderNo", "PDID2".into())]),
            fields(&[("amount", "125".into())]),
            fields(&[("amount", "12.50".into())]),
            fields(&[("currency", "USD".into())]),
        ] {
            assert!(iotpay_identity(&order, &bad).is_err(), "{bad:?}");
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn bodies_over_the_limit_are_refused_and_what_is_kept_is_capped() {
        let (_dir, desk, receiver) = desk_and_receiver().await;
        let kept_bytes = |desk: &Arc<Paydesk>| -> (i64, i64) {
            // Read as another process would: the ledger's own connection is its business.
            rusqlite::Connection::open(desk.ledger().path())
                .unwrap()
                .query_row(
                    "SELECT count(*), coalesce(sum(length(CAST(body AS BLOB))), 0) FROM notifications",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap()
        };
        // Ten bodies of 1 MB on every route: refused whole (413), nothing kept.
        let megabyte = format!("mchOrderNo=PDX&filler={}", "a".repeat(1 << 20));
        for route in ["iotpay", "iotpay-card", "smepay", "smartexpay", "smartpay"] {
            for _ in 0..2 {
                let (status, _) = post(
                    format!("{}/notify/{route}", receiver.base_url()),
                    "application/x-www-form-urlencoded",
                    megabyte.clone().into_bytes(),
                )
                .await;
                assert_eq!(status, 413, "{route}");
            }
        }
        assert_eq!(kept_bytes(&desk), (0, 0));

        // Under the limit (60 KiB) is read and recorded, but the ledger keeps at most 16 KiB.
        let filler = "é".repeat(30 * 1024);
        for _ in 0..10 {
            let body = serde_json::json!({ "ref_id": "PDNOTOURS", "filler": filler }).to_string();
            assert!(body.len() > 60 * 1024 && body.len() < BODY_LIMIT);
            let (status, _) = post(
                format!("{}/notify/smepay", receiver.base_url()),
                "application/json",
                body.into_bytes(),
            )
            .await;
            assert_eq!(status, 404, "recorded as an unknown order");
        }
        let (count, bytes) = kept_bytes(&desk);
        assert_eq!(count, 10);
        assert!(
            bytes <= 10 * (paydesk_ledger::ledger::NOTIFICATION_KEPT as i64 + 100),
            "{bytes} bytes kept for 10 notifications"
        );
        let body: String = rusqlite::Connection::open(desk.ledger().path())
            .unwrap()
            .query_row("SELECT body FROM notifications LIMIT 1", [], |r| r.get(0))
            .unwrap();
        assert!(body.ends_with("bytes in all; the rest was not kept]"));
    }
}
