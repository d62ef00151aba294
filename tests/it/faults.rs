//! The sandbox's faults, each switched on, seen by the adapter as the failure it imitates,
//! and switched off again.

use paydesk_core::staff::Acting;
use std::sync::Arc;
use std::time::Duration;

use paydesk_core::notify::NotifyReceiver;
use paydesk_core::payments::Paydesk;
use paydesk_domain::error::Error;
use paydesk_domain::order::{Order, OrderStatus};
use paydesk_sandbox::faults::{Fault, FaultKind, Faults};
use paydesk_sandbox::{notifier, SandboxStore};
use serde_json::json;

use crate::support::{
    answer_json, fault_set, order_create, paydesk as paydesk_cmd, run, sale_input, sandbox_desk,
    stderr,
};

fn fault(call: &str, kind: FaultKind, value: Option<i64>, times: Option<i64>) -> Fault {
    Fault {
        gateway: "iotpay".into(),
        call: call.into(),
        kind,
        value,
        times,
    }
}

async fn desk_with_order() -> (tempfile::TempDir, Arc<Paydesk>, Order, Faults) {
    let (dir, desk) = sandbox_desk().await;
    desk.ledger().set_setting("http.timeout_ms", "400").unwrap();
    let order = desk
        .create_order(
            &Acting::nobody(),
            &sale_input("iotpay", "wechat-qr", "12.50", "CAD"),
        )
        .await
        .unwrap();
    let faults = Faults::open_in(dir.path()).unwrap();
    (dir, desk, order, faults)
}

#[tokio::test(flavor = "multi_thread")]
async fn each_answer_fault_reaches_the_adapter_as_its_failure_and_goes_away() {
    let (_dir, desk, order, faults) = desk_with_order().await;
    let cases: [(FaultKind, Option<i64>, fn(&Error) -> bool); 5] = [
        (
            FaultKind::Http500,
            None,
            |e| matches!(e, Error::GatewayUnreachable { message, .. } if message.contains("500")),
        ),
        (
            FaultKind::Timeout,
            Some(3_000),
            |e| matches!(e, Error::GatewayUnreachable { message, .. } if message.contains("timed out")),
        ),
        (
            FaultKind::Malformed,
            None,
            |e| matches!(e, Error::GatewayProtocol { message, .. } if message.contains("not JSON")),
        ),
        (FaultKind::Truncated, None, |e| {
            matches!(e, Error::GatewayProtocol { .. })
        }),
        (
            FaultKind::BadSignature,
            None,
            |e| matches!(e, Error::GatewayProtocol { message, .. } if message.contains("signature")),
        ),
    ];
    for (kind, value, expected) in cases {
        faults
            .set(&fault("query_order", kind, value, Some(1)))
            .unwrap();
        let error = desk.sync(order.id).await.expect_err(kind.as_str());
        assert!(expected(&error), "{}: {error:?}", kind.as_str());
        assert_eq!(
            desk.ledger().get(order.id).unwrap().status,
            OrderStatus::Pending,
            "{}: nothing recorded",
            kind.as_str()
        );
        // Used up: the next call is answered normally.
        assert_eq!(
            desk.sync(order.id).await.unwrap().status,
            OrderStatus::Pending,
            "{} is off again",
            kind.as_str()
        );
    }
    assert!(faults.list().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn latency_delays_without_failing_and_a_fault_lasts_until_cleared() {
    let (_dir, desk, order, faults) = desk_with_order().await;
    faults
        .set(&fault("query_order", FaultKind::Latency, Some(150), None))
        .unwrap();
    let started = std::time::Instant::now();
    desk.sync(order.id).await.unwrap();
    desk.sync(order.id).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "both calls were delayed"
    );
    assert_eq!(faults.list().unwrap().len(), 1, "no --times: still on");
    assert_eq!(faults.clear(Some("iotpay")).unwrap(), 1);

    // `*` covers every call of the gateway, until cleared.
    faults
        .set(&fault("*", FaultKind::Http500, None, None))
        .unwrap();
    assert!(desk.sync(order.id).await.is_err());
    assert!(desk.sync(order.id).await.is_err());
    assert_eq!(faults.clear(None).unwrap(), 1);
    assert!(desk.sync(order.id).await.is_ok());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_create_that_fails_with_a_5xx_leaves_the_order_for_reconciliation() {
    let (dir, desk, _, faults) = desk_with_order().await;
    faults
        .set(&fault("create_order", FaultKind::Http500, None, Some(1)))
        .unwrap();
    let input = sale_input("iotpay", "alipay-qr", "1.00", "CAD");
    // The gateway may have taken it: the caller is told about the open order, not a failure.
    let told = desk
        .create_order(&Acting::nobody(), &input)
        .await
        .expect("an unknown outcome is not a failure");
    assert_eq!(told.status, OrderStatus::Created);
    let left = desk
        .ledger()
        .open_orders()
        .unwrap()
        .into_iter()
        .find(|o| o.status == OrderStatus::Created);
    let left = left.expect("the intent stays in the ledger, outcome unknown");
    assert!(SandboxStore::open_in(dir.path())
        .unwrap()
        .find(&left.merchant_order_no)
        .unwrap()
        .is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_control_endpoint_switches_faults_on_and_off() {
    let (_dir, desk, order, _) = desk_with_order().await;
    let base = desk.sandbox().await.unwrap().base_url().to_string();
    let http = reqwest::Client::new();
    let created = http
        .post(format!("{base}/sandbox/faults"))
        .json(&json!({"gateway": "iotpay", "call": "query_order", "kind": "malformed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let listed = answer_json(http.get(format!("{base}/sandbox/faults"))).await;
    assert_eq!(listed[0]["kind"], "malformed");
    assert!(matches!(
        desk.sync(order.id).await,
        Err(Error::GatewayProtocol { .. })
    ));
    let cleared = answer_json(http.delete(format!("{base}/sandbox/faults"))).await;
    assert_eq!(cleared["cleared"], 1);
    assert!(desk.sync(order.id).await.is_ok());
    let refused = http
        .post(format!("{base}/sandbox/faults"))
        .json(&json!({"gateway": "iotpay", "kind": "nonsense"}))
        .send()
        .await
        .unwrap();
    assert!(refused.status().is_client_error());
}

/// `drop-notify`: nothing reaches the merchant (the window benchmark's poll-only gateway);
/// the fault is used up all the same, and the next notification goes through.
#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_notification_is_never_sent() {
    let (dir, desk, _, faults) = desk_with_order().await;
    let _receiver = NotifyReceiver::start(desk.clone(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let order = desk
        .create_order(
            &Acting::nobody(),
            &sale_input("iotpay", "wechat-qr", "7.00", "CAD"),
        )
        .await
        .unwrap();
    faults
        .set(&fault("notify", FaultKind::DropNotify, None, Some(1)))
        .unwrap();
    let store = SandboxStore::open_in(dir.path()).unwrap();
    let paid = store.settle(&order.merchant_order_no, true).unwrap();
    assert!(!notifier::deliver_with_faults(&store, Some(&faults), &paid, 1, Duration::ZERO).await);
    assert!(desk.ledger().notifications().unwrap().is_empty());
    assert!(faults.list().unwrap().is_empty(), "used up");
    assert!(notifier::deliver_with_faults(&store, Some(&faults), &paid, 1, Duration::ZERO).await);
    assert_eq!(desk.ledger().notifications().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn duplicate_and_out_of_order_notifications_are_harmless() {
    for kind in [FaultKind::DuplicateNotify, FaultKind::OutOfOrderNotify] {
        let (dir, desk, order, faults) = desk_with_order().await;
        let _receiver = NotifyReceiver::start(desk.clone(), "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        // The order was created before the receiver started: point the sandbox's copy at it.
        let order = {
            let input = sale_input("iotpay", "wechat-qr", "7.00", "CAD");
            let _ = order;
            desk.create_order(&Acting::nobody(), &input).await.unwrap()
        };
        faults.set(&fault("notify", kind, None, Some(1))).unwrap();
        let store = SandboxStore::open_in(dir.path()).unwrap();
        let paid = store.settle(&order.merchant_order_no, true).unwrap();
        assert!(
            notifier::deliver_with_faults(&store, Some(&faults), &paid, 1, Duration::ZERO).await
        );
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while desk.ledger().get(order.id).unwrap().status != OrderStatus::Paid {
            assert!(
                std::time::Instant::now() < deadline,
                "{}: never paid",
                kind.as_str()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let order = desk.ledger().get(order.id).unwrap();
        assert_eq!(
            order.status,
            OrderStatus::Paid,
            "{}: never moves back",
            kind.as_str()
        );
        let paid_events = desk
            .ledger()
            .events(order.id)
            .unwrap()
            .iter()
            .filter(|e| {
                e.to_status == OrderStatus::Paid && e.from_status != Some(OrderStatus::Paid)
            })
            .count();
        assert_eq!(paid_events, 1, "{}: paid once", kind.as_str());
        let kept = desk.ledger().notifications().unwrap();
        assert_eq!(
            kept.len(),
            2,
            "{}: both notifications kept verbatim: {kept:?}",
            kind.as_str()
        );
        assert!(
            kept.iter().all(|(verified, _, _)| *verified),
            "{}: both genuinely signed",
            kind.as_str()
        );
    }
}

#[test]
fn the_cli_switches_a_fault_for_one_call() {
    let dir = tempfile::tempdir().unwrap();
    let created = run(&mut paydesk_cmd(
        dir.path(),
        &order_create("iotpay", "wechat-qr", "3.00", &[]),
    ));
    assert!(created.status.success(), "{}", stderr(&created));
    let set = run(&mut paydesk_cmd(
        dir.path(),
        &fault_set(
            "iotpay",
            &[
                "--call",
                "query_order",
                "--kind",
                "http-500",
                "--times",
                "1",
            ],
        ),
    ));
    assert!(set.status.success(), "{}", stderr(&set));
    let failed = run(&mut paydesk_cmd(dir.path(), &["order", "sync", "1"]));
    assert_eq!(failed.status.code(), Some(1), "a gateway failure is exit 1");
    assert!(
        stderr(&failed).contains("could not be reached"),
        "{}",
        stderr(&failed)
    );
    let again = run(&mut paydesk_cmd(dir.path(), &["order", "sync", "1"]));
    assert!(
        again.status.success(),
        "the fault was for one call: {}",
        stderr(&again)
    );
    let bad = run(&mut paydesk_cmd(
        dir.path(),
        &fault_set("iotpay", &["--kind", "gremlins"]),
    ));
    assert_eq!(bad.status.code(), Some(2));
}
