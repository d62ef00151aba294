//! SmartPay through the adapter's real HTTP client against the sandbox: the widget's
//! checkout, status with the pending policy, capture, refunds and cancelOrRefund reserved in
//! the ledger under their modificationId (and resent unchanged), auth, failures, the CLI.

use std::sync::Arc;
use std::time::{Duration, Instant};

use paydesk::config::Mode;
use paydesk::error::Error;
use paydesk::ledger::RefundStatus;
use paydesk::notify::NotifyReceiver;
use paydesk::order::{EventSource, Order, OrderStatus};
use paydesk::payments::{CreateOrderInput, Paydesk};
use paydesk::sandbox::faults::{Fault, FaultKind, Faults};
use paydesk::sandbox::SandboxStore;

use crate::support::{event_statuses, json, paydesk as paydesk_cmd, run_ok, stdout};

async fn desk() -> (tempfile::TempDir, Arc<Paydesk>) {
    let dir = tempfile::tempdir().unwrap();
    let desk = Paydesk::open(dir.path(), Some(Mode::Sandbox))
        .await
        .unwrap();
    (dir, desk)
}

fn input(amount: &str) -> CreateOrderInput {
    CreateOrderInput {
        gateway: "smartpay".into(),
        method: "smartpay-card".into(),
        amount: amount.into(),
        currency: "EUR".into(),
        code: None,
        card_id: None,
    }
}

fn store(dir: &tempfile::TempDir) -> SandboxStore {
    SandboxStore::open_in(dir.path()).unwrap()
}

async fn paid(desk: &Arc<Paydesk>, dir: &tempfile::TempDir, amount: &str) -> Order {
    let order = desk.create_order(&input(amount)).await.unwrap();
    store(dir)
        .smartpay_settle(&order.merchant_order_no, true)
        .unwrap();
    let order = desk.sync(order.id).await.unwrap();
    assert_eq!(order.status, OrderStatus::Paid);
    order
}

#[tokio::test(flavor = "multi_thread")]
async fn the_widget_checkout_then_pay_then_sync_is_paid() {
    let (dir, desk) = desk().await;
    let order = desk.create_order(&input("10.99")).await.unwrap();
    assert_eq!(
        (order.status, order.gateway_status.as_deref()),
        (OrderStatus::Pending, Some("CREATED"))
    );
    let payload = order.payment_payload.clone().unwrap();
    let transaction_id = payload["transactionId"].as_str().unwrap();
    assert_eq!(order.gateway_order_id.as_deref(), Some(transaction_id));
    assert_eq!(payload["checkoutToken"].as_str().unwrap().len(), 64);
    let script = payload["scriptUrl"].as_str().unwrap();
    assert!(reqwest::get(script)
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .contains("renderWidget"));
    let kept = store(&dir)
        .smartpay_payment(transaction_id)
        .unwrap()
        .unwrap();
    assert_eq!(
        (kept.partner_reference.as_str(), kept.amount_minor),
        (order.merchant_order_no.as_str(), 1099)
    );

    // The customer opens the widget: the vendor's misspelled status, kept verbatim.
    let page = reqwest::get(script.replace(
        "/smartpay/smp-bundle.js",
        &format!(
            "/pay/smartpay/{}",
            payload["checkoutToken"].as_str().unwrap()
        ),
    ))
    .await
    .unwrap();
    assert!(page.status().is_success());
    let opened = desk.sync(order.id).await.unwrap();
    assert_eq!(
        (opened.status, opened.gateway_status.as_deref()),
        (OrderStatus::Pending, Some("AUTORIZATION_INITIALIZED"))
    );

    store(&dir).smartpay_settle(transaction_id, true).unwrap();
    let paid = desk.sync(order.id).await.unwrap();
    assert_eq!(
        (paid.status, paid.gateway_status.as_deref()),
        (OrderStatus::Paid, Some("CAPTURED"))
    );
    let note = desk
        .ledger()
        .events(order.id)
        .unwrap()
        .last()
        .unwrap()
        .note
        .clone()
        .unwrap();
    assert!(
        note.contains(transaction_id)
            && note.contains(&kept.reconciliation_id)
            && note.contains("creationDate"),
        "support fields: {note}"
    );
    let support = desk
        .ledger()
        .get(order.id)
        .unwrap()
        .payment_payload
        .unwrap()["support"]
        .clone();
    assert_eq!(
        support["reconciliationReferenceId"],
        kept.reconciliation_id.as_str()
    );
    assert_eq!(
        (
            support["transactionId"].as_str(),
            support["paymentStatus"].as_str()
        ),
        (Some(transaction_id), Some("CAPTURED"))
    );
    assert!(support["creationDate"].as_str().unwrap().ends_with('Z'));

    // ... and exported, for the vendor's support.
    let output = crate::support::run(&mut paydesk_cmd(
        dir.path(),
        &[
            "export",
            "csv",
            "--columns",
            "gateway_order_id,gateway_status,reconciliation_reference_id,gateway_created_at",
        ],
    ));
    assert!(
        output.status.success(),
        "{}",
        crate::support::stderr(&output)
    );
    let csv = stdout(&output);
    let row = csv
        .lines()
        .find(|l| l.contains(transaction_id))
        .unwrap_or_else(|| panic!("{csv}"));
    assert!(
        row.contains(&kept.reconciliation_id) && row.contains("CAPTURED"),
        "{row}"
    );
    assert!(
        row.contains(support["creationDate"].as_str().unwrap()),
        "{row}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_declined_payment_fails() {
    let (dir, desk) = desk().await;
    let order = desk.create_order(&input("3.00")).await.unwrap();
    paydesk::sandbox::settle_other(&store(&dir), &order.merchant_order_no, false)
        .await
        .unwrap();
    let failed = desk.sync(order.id).await.unwrap();
    assert_eq!(
        (failed.status, failed.gateway_status.as_deref()),
        (OrderStatus::Failed, Some("AUTHORIZATION_FAILED"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn pending_answers_are_re_queried_three_times_then_left_pending() {
    let (dir, desk) = desk().await;
    desk.ledger()
        .set_setting("smartpay.sandbox.pending_retry_ms", "30")
        .unwrap();
    store(&dir)
        .set_sandbox_setting("smartpay.pending_answers", "2")
        .unwrap();
    let order = desk.create_order(&input("20.00")).await.unwrap();
    store(&dir)
        .smartpay_settle(&order.merchant_order_no, true)
        .unwrap();
    let resolved = desk.confirm_widget(order.id).await.unwrap();
    assert_eq!(
        resolved.status,
        OrderStatus::Paid,
        "the third answer was final"
    );

    store(&dir)
        .set_sandbox_setting("smartpay.pending_answers", "10")
        .unwrap();
    store(&dir)
        .set_sandbox_setting("smartpay.pending_status", "CAPTURE_PENDING")
        .unwrap();
    let slow = desk.create_order(&input("21.00")).await.unwrap();
    store(&dir)
        .smartpay_settle(&slow.merchant_order_no, true)
        .unwrap();
    let started = Instant::now();
    let left = desk.confirm_widget(slow.id).await.unwrap();
    assert_eq!(
        (left.status, left.gateway_status.as_deref()),
        (OrderStatus::Pending, Some("CAPTURE_PENDING"))
    );
    assert!(
        started.elapsed() >= Duration::from_millis(90),
        "three pauses"
    );
    let note = desk
        .ledger()
        .events(slow.id)
        .unwrap()
        .last()
        .unwrap()
        .note
        .clone()
        .unwrap();
    assert!(note.contains("after 3 re-queries"), "{note}");
    let remaining = store(&dir)
        .smartpay_payment(&slow.merchant_order_no)
        .unwrap()
        .unwrap()
        .pending_left;
    assert_eq!(remaining, 6, "one query and three re-queries");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_authorisation_is_captured_with_a_modification_id_kept_first() {
    let (dir, desk) = desk().await;
    store(&dir)
        .set_sandbox_setting("smartpay.auto_capture", "false")
        .unwrap();
    let order = desk.create_order(&input("15.00")).await.unwrap();
    store(&dir)
        .smartpay_settle(&order.merchant_order_no, true)
        .unwrap();
    let authorised = desk.sync(order.id).await.unwrap();
    assert_eq!(
        (authorised.status, authorised.gateway_status.as_deref()),
        (OrderStatus::Authorized, Some("AUTHORIZATION_COMPLETED"))
    );

    // The counter's countdown does not expire an authorisation.
    let conn = rusqlite::Connection::open(crate::support::ledger_path(dir.path())).unwrap();
    conn.execute("UPDATE orders SET expires_at = 1 WHERE id = ?1", [order.id])
        .unwrap();
    assert_eq!(
        desk.sync(order.id).await.unwrap().status,
        OrderStatus::Authorized
    );

    // The capture's answer is lost: the modificationId is already on the order, and the
    // second attempt resends it; SmartPay answers the same capture, done once.
    let faults = Faults::open_in(dir.path()).unwrap();
    faults
        .set(&Fault {
            gateway: "smartpay".into(),
            call: "capture".into(),
            kind: FaultKind::Truncated,
            value: None,
            times: Some(1),
        })
        .unwrap();
    assert!(matches!(
        desk.capture(order.id, None).await,
        Err(Error::GatewayProtocol { .. })
    ));
    let modification_id = desk
        .ledger()
        .get(order.id)
        .unwrap()
        .payment_payload
        .unwrap()["captureModificationId"]
        .as_str()
        .unwrap()
        .to_string();
    let captured = desk.capture(order.id, None).await;
    // The first capture went through: the order may already read CAPTURED.
    let captured = match captured {
        Ok(order) => order,
        Err(Error::InvalidInput { .. }) => desk.sync(order.id).await.unwrap(),
        Err(e) => panic!("{e}"),
    };
    assert_eq!(
        (captured.status, captured.gateway_status.as_deref()),
        (OrderStatus::Paid, Some("CAPTURED"))
    );
    let transaction_id = order.gateway_order_id.clone().unwrap();
    assert_eq!(
        store(&dir).smartpay_modifications(&transaction_id).unwrap(),
        vec![(modification_id, "capture".to_string(), Some(1500))]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn refunds_use_the_ledgers_refund_number_as_modification_id() {
    let (dir, desk) = desk().await;
    let order = paid(&desk, &dir, "10.00").await;
    let transaction_id = order.gateway_order_id.clone().unwrap();
    let (refund, after) = desk
        .refund(order.id, Some("3.00"), Some("one item back"))
        .await
        .unwrap();
    assert_eq!(
        (refund.status, after.status, after.refunded_minor),
        (RefundStatus::Succeeded, OrderStatus::PartiallyRefunded, 300)
    );
    let (rest, after) = desk.refund(order.id, None, None).await.unwrap();
    assert_eq!(
        (after.status, after.refunded_minor),
        (OrderStatus::Refunded, 1000)
    );
    let kept = store(&dir).smartpay_modifications(&transaction_id).unwrap();
    assert_eq!(
        kept,
        vec![
            (refund.refund_no.clone(), "refund".into(), Some(300)),
            (rest.refund_no.clone(), "refund".into(), Some(700))
        ]
    );
    assert!(
        desk.refund(order.id, Some("0.01"), None).await.is_err(),
        "nothing left"
    );

    // A full refund at once is cancelOrRefund.
    let whole = paid(&desk, &dir, "8.00").await;
    let (full, after) = desk.refund(whole.id, None, None).await.unwrap();
    assert_eq!(after.status, OrderStatus::Refunded);
    let kept = store(&dir)
        .smartpay_modifications(whole.gateway_order_id.as_deref().unwrap())
        .unwrap();
    assert_eq!(
        kept,
        vec![(full.refund_no, "cancelOrRefund".into(), Some(800))]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refund_with_a_lost_answer_is_resent_with_the_same_modification_id() {
    let (dir, desk) = desk().await;
    let order = paid(&desk, &dir, "12.00").await;
    let faults = Faults::open_in(dir.path()).unwrap();
    faults
        .set(&Fault {
            gateway: "smartpay".into(),
            call: "cancelOrRefund".into(),
            kind: FaultKind::Truncated,
            value: None,
            times: Some(1),
        })
        .unwrap();
    assert!(matches!(
        desk.refund(order.id, None, None).await,
        Err(Error::GatewayProtocol { .. })
    ));
    let pending = desk.ledger().refunds(order.id).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        pending[0].status,
        RefundStatus::Pending,
        "written before the call, outcome unknown"
    );
    assert!(
        desk.refund(order.id, Some("1.00"), None).await.is_err(),
        "the pending refund still counts"
    );

    let after = desk.retry_reversals(order.id).await.unwrap();
    assert_eq!(
        (after.status, after.refunded_minor),
        (OrderStatus::Refunded, 1200)
    );
    let refunds = desk.ledger().refunds(order.id).unwrap();
    assert_eq!(
        (refunds.len(), refunds[0].status),
        (1, RefundStatus::Succeeded)
    );
    let kept = store(&dir)
        .smartpay_modifications(order.gateway_order_id.as_deref().unwrap())
        .unwrap();
    assert_eq!(
        kept,
        vec![(
            refunds[0].refund_no.clone(),
            "cancelOrRefund".into(),
            Some(1200)
        )],
        "applied once"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_authorisation_is_voided_by_cancel_or_refund() {
    let (dir, desk) = desk().await;
    store(&dir)
        .set_sandbox_setting("smartpay.auto_capture", "false")
        .unwrap();
    let order = desk.create_order(&input("9.00")).await.unwrap();
    store(&dir)
        .smartpay_settle(&order.merchant_order_no, true)
        .unwrap();
    assert_eq!(
        desk.sync(order.id).await.unwrap().status,
        OrderStatus::Authorized
    );
    let (void, after) = desk.void(order.id, Some("customer left")).await.unwrap();
    assert_eq!(after.status, OrderStatus::Voided);
    let kept = store(&dir)
        .smartpay_modifications(order.gateway_order_id.as_deref().unwrap())
        .unwrap();
    assert_eq!(
        kept,
        vec![(void.refund_no, "cancelOrRefund".into(), Some(900))]
    );
    assert_eq!(
        store(&dir)
            .smartpay_payment(&order.merchant_order_no)
            .unwrap()
            .unwrap()
            .status,
        "CANCELLED"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn oauth_tokens_are_renewed_before_expiry_and_basic_needs_none() {
    let (dir, desk) = desk().await;
    store(&dir)
        .set_sandbox_setting("smartpay.token_ttl_ms", "1000")
        .unwrap();
    let order = desk.create_order(&input("4.00")).await.unwrap();
    desk.sync(order.id).await.unwrap();
    assert_eq!(store(&dir).smartpay_tokens_issued().unwrap(), 1, "cached");
    tokio::time::sleep(Duration::from_millis(850)).await;
    assert_eq!(
        desk.sync(order.id).await.unwrap().status,
        OrderStatus::Pending
    );
    assert_eq!(
        store(&dir).smartpay_tokens_issued().unwrap(),
        2,
        "renewed before it ran out, no failure"
    );

    // A token refused early (401): renewed once, the query goes through.
    let faults = Faults::open_in(dir.path()).unwrap();
    faults
        .set(&Fault {
            gateway: "smartpay".into(),
            call: "*".into(),
            kind: FaultKind::RejectToken,
            value: None,
            times: Some(1),
        })
        .unwrap();
    assert_eq!(
        desk.sync(order.id).await.unwrap().status,
        OrderStatus::Pending
    );
    assert_eq!(
        store(&dir).smartpay_tokens_issued().unwrap(),
        3,
        "exactly one new token"
    );

    let basic = Paydesk::open(dir.path(), Some(Mode::Sandbox))
        .await
        .unwrap();
    basic
        .ledger()
        .set_setting("smartpay.sandbox.auth", "basic")
        .unwrap();
    let order = basic.create_order(&input("4.50")).await.unwrap();
    assert_eq!(order.status, OrderStatus::Pending);
    assert_eq!(
        store(&dir).smartpay_tokens_issued().unwrap(),
        3,
        "Basic asks for no token"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_webhook_is_a_hint_that_makes_paydesk_re_query() {
    let (dir, desk) = desk().await;
    let _receiver = NotifyReceiver::start(desk.clone(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let order = desk.create_order(&input("6.00")).await.unwrap();
    paydesk::sandbox::settle_other(&store(&dir), &order.merchant_order_no, true)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let events = desk.ledger().events(order.id).unwrap();
        if let Some(paid) = events.iter().find(|e| e.to_status == OrderStatus::Paid) {
            assert!(matches!(
                paid.source,
                EventSource::Notify | EventSource::Poll
            ));
            break;
        }
        assert!(Instant::now() < deadline, "never paid: {events:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let kept = desk.ledger().notifications().unwrap();
    assert!(
        kept.iter().any(|(verified, outcome, id)| !verified
            && outcome.starts_with("hint")
            && *id == Some(order.id)),
        "{kept:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_answers_and_unset_hosts() {
    let (dir, desk) = desk().await;
    let order = desk.create_order(&input("7.00")).await.unwrap();
    let faults = Faults::open_in(dir.path()).unwrap();
    faults
        .set(&Fault {
            gateway: "smartpay".into(),
            call: "*".into(),
            kind: FaultKind::Malformed,
            value: None,
            times: Some(1),
        })
        .unwrap();
    assert!(matches!(
        desk.sync(order.id).await,
        Err(Error::GatewayProtocol {
            gateway: "smartpay",
            ..
        })
    ));
    assert_eq!(
        desk.ledger().get(order.id).unwrap().status,
        OrderStatus::Pending
    );

    // No answer in time: the create's outcome is unknown, the order stays Created for
    // reconciliation (by transactionId, which it never got: it fails after the grace period).
    let slow = Paydesk::open(dir.path(), Some(Mode::Sandbox))
        .await
        .unwrap();
    slow.ledger()
        .set_setting("smartpay.sandbox.timeout_ms", "400")
        .unwrap();
    faults
        .set(&Fault {
            gateway: "smartpay".into(),
            call: "creation".into(),
            kind: FaultKind::Timeout,
            value: Some(3000),
            times: Some(1),
        })
        .unwrap();
    assert!(matches!(
        slow.create_order(&input("7.50")).await,
        Err(Error::GatewayUnreachable {
            gateway: "smartpay",
            ..
        })
    ));
    let stuck = slow
        .ledger()
        .list(&Default::default())
        .unwrap()
        .into_iter()
        .find(|o| o.amount.minor() == 750)
        .unwrap();
    assert_eq!(stuck.status, OrderStatus::Created);
    assert_eq!(
        slow.sync(stuck.id).await.unwrap().status,
        OrderStatus::Created,
        "within the grace period it waits"
    );

    let small = desk
        .create_order(&CreateOrderInput {
            currency: "JPY".into(),
            ..input("100")
        })
        .await
        .unwrap_err();
    assert_eq!(small.field(), Some("currency"));

    let test = Paydesk::open(dir.path(), Some(Mode::Test)).await.unwrap();
    let unset = test.create_order(&input("5.00")).await.unwrap_err();
    assert!(unset.to_string().contains("smartpay.test.base"), "{unset}");
}

#[test]
fn the_cli_creates_pays_syncs_and_refunds() {
    let dir = tempfile::tempdir().unwrap();
    let created = json(&run_ok(&mut paydesk_cmd(
        dir.path(),
        &[
            "order",
            "create",
            "--gateway",
            "smartpay",
            "--method",
            "smartpay-card",
            "--amount",
            "10.99",
            "--currency",
            "EUR",
            "--json",
        ],
    )));
    assert_eq!(created["order"]["status"], "pending");
    assert!(created["order"]["paymentPayload"]["checkoutToken"].is_string());
    let id = created["order"]["id"].as_i64().unwrap().to_string();
    let paid = run_ok(&mut paydesk_cmd(dir.path(), &["sandbox", "pay", &id]));
    assert!(stdout(&paid).contains("is paid"), "{}", stdout(&paid));
    let synced = json(&run_ok(&mut paydesk_cmd(
        dir.path(),
        &["order", "sync", &id, "--json"],
    )));
    assert_eq!(synced["order"]["status"], "paid");
    assert_eq!(event_statuses(&synced), ["created", "pending", "paid"]);
    let partial = json(&run_ok(&mut paydesk_cmd(
        dir.path(),
        &["order", "refund", &id, "--amount", "0.99", "--json"],
    )));
    assert_eq!(partial["order"]["status"], "partially_refunded");
    let full = json(&run_ok(&mut paydesk_cmd(
        dir.path(),
        &["order", "refund", &id, "--json"],
    )));
    assert_eq!(full["order"]["status"], "refunded");
}

#[test]
fn the_cli_names_which_secret_stdin_fills() {
    let dir = tempfile::tempdir().unwrap();
    let wrong = crate::support::run(&mut paydesk_cmd(
        dir.path(),
        &[
            "credentials",
            "set",
            "smartpay",
            "--env",
            "test",
            "--secret",
            "merchantKey",
        ],
    ));
    assert_eq!(wrong.status.code(), Some(2));
    let text = crate::support::stderr(&wrong);
    assert!(
        text.contains("authenticationKey") && text.contains("clientSecret"),
        "{text}"
    );
}
