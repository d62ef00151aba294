//! SmartPay through the adapter's real HTTP client against the sandbox: the widget's
//! checkout, status with the pending policy, capture, refunds and cancelOrRefund reserved in
//! the ledger under their modificationId (and resent unchanged), auth, failures, the CLI.
//!
//! Past 600 lines: SmartPay's contract end to end (widget, capture, refunds, modifications,
//! webhooks, pending re-queries), each test a documented outcome; split by size, one outcome's
//! setup would sit apart from the others it is read against.

use paydesk_core::staff::Acting;
use std::sync::Arc;
use std::time::{Duration, Instant};

use paydesk_core::config::Mode;
use paydesk_core::notify::NotifyReceiver;
use paydesk_core::payments::{CreateOrderInput, Paydesk};
use paydesk_domain::error::Error;
use paydesk_domain::order::{EventSource, Order, OrderStatus};
use paydesk_ledger::ledger::RefundStatus;
use paydesk_sandbox::faults::FaultKind;
use paydesk_sandbox::SandboxStore;

use crate::support::{
    event_statuses, json, last_event, order_create, paid_event, paydesk as paydesk_cmd, run_ok,
    sale_input, sandbox_desk as desk, set_next_call_fault, statuses, stdout,
};

fn input(amount: &str) -> CreateOrderInput {
    sale_input("smartpay", "smartpay-card", amount, "EUR")
}

fn store(dir: &tempfile::TempDir) -> SandboxStore {
    SandboxStore::open_in(dir.path()).unwrap()
}

async fn paid(desk: &Arc<Paydesk>, dir: &tempfile::TempDir, amount: &str) -> Order {
    let order = desk
        .create_order(&Acting::nobody(), &input(amount))
        .await
        .unwrap();
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
    let order = desk
        .create_order(&Acting::nobody(), &input("10.99"))
        .await
        .unwrap();
    assert_eq!(statuses(&order), (OrderStatus::Pending, Some("CREATED")));
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
        statuses(&opened),
        (OrderStatus::Pending, Some("AUTORIZATION_INITIALIZED"))
    );

    store(&dir).smartpay_settle(transaction_id, true).unwrap();
    let paid = desk.sync(order.id).await.unwrap();
    assert_eq!(statuses(&paid), (OrderStatus::Paid, Some("CAPTURED")));
    let note = last_event(&desk, order.id).note.unwrap();
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
        // The gateway's CAPTURED as plain words (its code stays in the order's events).
        row.contains(&kept.reconciliation_id)
            && row.contains(
                paydesk_gateways::word_label(
                    paydesk_domain::order::Gateway::Smartpay,
                    paydesk_domain::order::Method::SmartpayCard,
                    "CAPTURED"
                )
                .unwrap()
            )
            && !row.contains("CAPTURED"),
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
    let order = desk
        .create_order(&Acting::nobody(), &input("3.00"))
        .await
        .unwrap();
    paydesk_sandbox::settle_other(&store(&dir), &order.merchant_order_no, false)
        .await
        .unwrap();
    let failed = desk.sync(order.id).await.unwrap();
    assert_eq!(
        statuses(&failed),
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
    let order = desk
        .create_order(&Acting::nobody(), &input("20.00"))
        .await
        .unwrap();
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
    let slow = desk
        .create_order(&Acting::nobody(), &input("21.00"))
        .await
        .unwrap();
    store(&dir)
        .smartpay_settle(&slow.merchant_order_no, true)
        .unwrap();
    let started = Instant::now();
    let left = desk.confirm_widget(slow.id).await.unwrap();
    assert_eq!(
        statuses(&left),
        (OrderStatus::Pending, Some("CAPTURE_PENDING"))
    );
    assert!(
        started.elapsed() >= Duration::from_millis(90),
        "three pauses"
    );
    let note = last_event(&desk, slow.id).note.unwrap();
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
    let order = desk
        .create_order(&Acting::nobody(), &input("15.00"))
        .await
        .unwrap();
    store(&dir)
        .smartpay_settle(&order.merchant_order_no, true)
        .unwrap();
    let authorised = desk.sync(order.id).await.unwrap();
    assert_eq!(
        statuses(&authorised),
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
    set_next_call_fault(
        dir.path(),
        "smartpay",
        "capture",
        FaultKind::Truncated,
        None,
    );
    // The answer was lost: not an error, the status query tells (the capture's id is kept).
    desk.capture(&Acting::nobody(), order.id, None)
        .await
        .expect("an unknown capture outcome is not a failure");
    let modification_id = desk
        .ledger()
        .get(order.id)
        .unwrap()
        .payment_payload
        .unwrap()["captureModificationId"]
        .as_str()
        .unwrap()
        .to_string();
    let captured = desk.capture(&Acting::nobody(), order.id, None).await;
    // The first capture went through: the order may already read CAPTURED.
    let captured = match captured {
        Ok(order) => order,
        Err(Error::InvalidInput { .. }) => desk.sync(order.id).await.unwrap(),
        Err(e) => panic!("{e}"),
    };
    assert_eq!(statuses(&captured), (OrderStatus::Paid, Some("CAPTURED")));
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
        .refund(
            &Acting::nobody(),
            order.id,
            Some("3.00"),
            Some("one item back"),
        )
        .await
        .unwrap();
    assert_eq!(
        (refund.status, after.status, after.refunded_minor),
        (RefundStatus::Succeeded, OrderStatus::PartiallyRefunded, 300)
    );
    let (rest, after) = desk
        .refund(&Acting::nobody(), order.id, None, None)
        .await
        .unwrap();
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
        desk.refund(&Acting::nobody(), order.id, Some("0.01"), None)
            .await
            .is_err(),
        "nothing left"
    );

    // A full refund at once is cancelOrRefund.
    let whole = paid(&desk, &dir, "8.00").await;
    let (full, after) = desk
        .refund(&Acting::nobody(), whole.id, None, None)
        .await
        .unwrap();
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
    set_next_call_fault(
        dir.path(),
        "smartpay",
        "cancelOrRefund",
        FaultKind::Truncated,
        None,
    );
    let (told, _) = desk
        .refund(&Acting::nobody(), order.id, None, None)
        .await
        .unwrap();
    assert_eq!(
        told.status,
        RefundStatus::Pending,
        "a lost answer is not a failure"
    );
    let pending = desk.ledger().refunds(order.id).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        pending[0].status,
        RefundStatus::Pending,
        "written before the call, outcome unknown"
    );
    assert!(
        desk.refund(&Acting::nobody(), order.id, Some("1.00"), None)
            .await
            .is_err(),
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
    let order = desk
        .create_order(&Acting::nobody(), &input("9.00"))
        .await
        .unwrap();
    store(&dir)
        .smartpay_settle(&order.merchant_order_no, true)
        .unwrap();
    assert_eq!(
        desk.sync(order.id).await.unwrap().status,
        OrderStatus::Authorized
    );
    let (void, after) = desk
        .void(&Acting::nobody(), order.id, Some("customer left"))
        .await
        .unwrap();
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
    let order = desk
        .create_order(&Acting::nobody(), &input("4.00"))
        .await
        .unwrap();
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
    set_next_call_fault(dir.path(), "smartpay", "*", FaultKind::RejectToken, None);
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
    let order = basic
        .create_order(&Acting::nobody(), &input("4.50"))
        .await
        .unwrap();
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
    let order = desk
        .create_order(&Acting::nobody(), &input("6.00"))
        .await
        .unwrap();
    paydesk_sandbox::settle_other(&store(&dir), &order.merchant_order_no, true)
        .await
        .unwrap();
    let paid = paid_event(&desk, order.id).await;
    assert!(matches!(
        paid.source,
        EventSource::Notify | EventSource::Poll
    ));
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
    let order = desk
        .create_order(&Acting::nobody(), &input("7.00"))
        .await
        .unwrap();
    set_next_call_fault(dir.path(), "smartpay", "*", FaultKind::Malformed, None);
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
    set_next_call_fault(
        dir.path(),
        "smartpay",
        "creation",
        FaultKind::Timeout,
        Some(3000),
    );
    assert_eq!(
        slow.create_order(&Acting::nobody(), &input("7.50"))
            .await
            .unwrap()
            .status,
        OrderStatus::Created,
        "a timed-out create is open, not failed"
    );
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
        .create_order(
            &Acting::nobody(),
            &CreateOrderInput {
                currency: "JPY".into(),
                ..input("100")
            },
        )
        .await
        .unwrap_err();
    assert_eq!(small.field(), Some("currency"));

    let test = Paydesk::open(dir.path(), Some(Mode::Test)).await.unwrap();
    let unset = test
        .create_order(&Acting::nobody(), &input("5.00"))
        .await
        .unwrap_err();
    assert!(unset.to_string().contains("smartpay.test.base"), "{unset}");
}

#[test]
fn the_cli_creates_pays_syncs_and_refunds() {
    let dir = tempfile::tempdir().unwrap();
    let created = json(&run_ok(&mut paydesk_cmd(
        dir.path(),
        &order_create(
            "smartpay",
            "smartpay-card",
            "10.99",
            &["--currency", "EUR", "--json"],
        ),
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

// ---- Issue 11, over the adapter itself (real HTTP on loopback to the sandbox) ----

mod outcomes {
    use std::time::Duration;

    use paydesk_domain::error::Error;
    use paydesk_domain::money::{Currency, Money};
    use paydesk_domain::order::{Method, OrderStatus};
    use paydesk_gateways::smartpay::{Smartpay, SmartpayAuth, SmartpayConfig};
    use paydesk_gateways::{CreateRequest, Lookup};
    use paydesk_sandbox::faults::FaultKind;
    use paydesk_sandbox::{
        SandboxServer, SandboxStore, SANDBOX_SMARTPAY_AUTH_KEY, SANDBOX_SMARTPAY_MERCHANT_KEY,
    };
    use paydesk_secrets::vault::Sensitive;

    use crate::support::{sandbox_server, set_next_call_fault};

    pub struct Rig {
        pub dir: tempfile::TempDir,
        _server: SandboxServer,
        pub smartpay: Smartpay,
    }

    impl Rig {
        pub fn store(&self) -> SandboxStore {
            SandboxStore::open_in(self.dir.path()).unwrap()
        }

        pub fn fault(&self, call: &str, kind: FaultKind, value: Option<i64>) {
            set_next_call_fault(self.dir.path(), "smartpay", call, kind, value);
        }
    }

    pub fn config(base: &str, timeout: Duration) -> SmartpayConfig {
        SmartpayConfig {
            base: base.to_string(),
            merchant_key: SANDBOX_SMARTPAY_MERCHANT_KEY.into(),
            // Basic: no token call for a `*` fault to land on.
            auth: SmartpayAuth::Basic {
                authentication_key: Sensitive::new(SANDBOX_SMARTPAY_AUTH_KEY.into()),
            },
            script_url: Some(format!("{base}/smp-bundle.js")),
            origin: "tauri://localhost".into(),
            consumer_first_name: "Counter".into(),
            consumer_last_name: "Customer".into(),
            consumer_email: "customer@example.com".into(),
            timeout,
            pending_retries: 3,
            pending_retry_interval: Duration::from_millis(10),
        }
    }

    pub async fn rig() -> Rig {
        rig_with_timeout(Duration::from_secs(10)).await
    }

    pub async fn rig_with_timeout(timeout: Duration) -> Rig {
        let (dir, server) = sandbox_server().await;
        let base = format!("{}/smartpay", server.base_url());
        let smartpay = Smartpay::new(config(&base, timeout)).unwrap();
        Rig {
            dir,
            _server: server,
            smartpay,
        }
    }

    pub fn eur(text: &str) -> Money {
        Money::parse(text, Currency::parse("EUR").unwrap()).unwrap()
    }

    pub fn request<'a>(order_no: &'a str, amount: Money) -> CreateRequest<'a> {
        CreateRequest {
            merchant_order_no: order_no,
            method: Method::SmartpayCard,
            amount,
            description: "Sale at the counter",
            payment_code: None,
            card_id: None,
        }
    }

    /// A checkout the customer has paid (or, without auto-capture, authorised).
    pub async fn settled(rig: &Rig, order_no: &str, amount: Money) -> String {
        let created = rig
            .smartpay
            .create(&request(order_no, amount))
            .await
            .unwrap();
        let transaction_id = created.gateway_order_id.unwrap();
        rig.store().smartpay_settle(&transaction_id, true).unwrap();
        transaction_id
    }

    fn is_pending(e: &Error) -> bool {
        matches!(e, Error::GatewayPending { .. })
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_create_answer_claiming_capture_does_not_make_the_order_paid() {
        let rig = rig().await;
        rig.fault("creation", FaultKind::ClaimSuccess, None);
        let created = rig
            .smartpay
            .create(&request("PD-CLAIM-1", eur("10.00")))
            .await
            .unwrap();
        assert_eq!(
            created.status,
            OrderStatus::Pending,
            "a create answer is never a payment status ({:?})",
            created.gateway_status
        );
        let transaction_id = created.gateway_order_id.unwrap();
        let Lookup::Found(report) = rig
            .smartpay
            .verified_status(&transaction_id, eur("10.00"))
            .await
            .unwrap()
        else {
            panic!("missing")
        };
        assert_eq!(
            (report.status, report.gateway_status.as_str()),
            (OrderStatus::Pending, "CREATED"),
            "the status query says what it is"
        );
        rig.store().smartpay_settle(&transaction_id, true).unwrap();
        let Lookup::Found(report) = rig
            .smartpay
            .verified_status(&transaction_id, eur("10.00"))
            .await
            .unwrap()
        else {
            panic!("missing")
        };
        assert_eq!(
            report.status,
            OrderStatus::Paid,
            "paid once the status query says so"
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_status_answer_about_another_payment_is_suspicious() {
        let rig = rig().await;
        let _other = settled(&rig, "PD-OTHER-1", eur("1.00")).await;
        let created = rig
            .smartpay
            .create(&request("PD-ASKED-1", eur("50.00")))
            .await
            .unwrap();
        let asked = created.gateway_order_id.unwrap();
        let suspicious = |answer: Result<Lookup, Error>| match answer {
            Err(e @ Error::GatewayProtocol { .. }) => {
                assert!(e.to_string().contains("suspicious"), "{e}");
                assert!(e.is_outcome_unknown());
            }
            other => panic!("an answer about something else was taken: {other:?}"),
        };
        rig.fault(&asked, FaultKind::WrongOrder, None);
        suspicious(rig.smartpay.verified_status(&asked, eur("50.00")).await);
        rig.fault(&asked, FaultKind::WrongOrder, None);
        suspicious(rig.smartpay.status(&asked).await);
        // The genuine answer, checked against an order of another amount or currency.
        suspicious(rig.smartpay.verified_status(&asked, eur("5.00")).await);
        let usd = Money::parse("50.00", Currency::parse("USD").unwrap()).unwrap();
        suspicious(rig.smartpay.verified_status(&asked, usd).await);
        assert!(matches!(
            rig.smartpay.verified_status(&asked, eur("50.00")).await,
            Ok(Lookup::Found(_))
        ));
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_pending_refund_is_not_a_refund() {
        let rig = rig().await;
        let transaction_id = settled(&rig, "PD-PEND-1", eur("12.00")).await;
        rig.fault("cancelOrRefund", FaultKind::Pending, None);
        let answer = rig
            .smartpay
            .cancel_or_refund(&transaction_id, "RF-PEND-1", Some("refund from Paydesk"))
            .await;
        assert!(
            matches!(&answer, Err(e) if is_pending(e)),
            "a modification still pending is not done: {answer:?}"
        );
        // Settled by the payment's status: its modifications[] shows it pending, then done.
        let first = rig
            .smartpay
            .modification_status(&transaction_id, "RF-PEND-1")
            .await;
        assert!(matches!(&first, Err(e) if is_pending(e)), "{first:?}");
        let done = rig
            .smartpay
            .modification_status(&transaction_id, "RF-PEND-1")
            .await
            .unwrap();
        assert_eq!(done.gateway_status.as_deref(), Some("REFUNDED"));
        let Lookup::Found(report) = rig
            .smartpay
            .verified_status(&transaction_id, eur("12.00"))
            .await
            .unwrap()
        else {
            panic!("missing")
        };
        assert_eq!(report.status, OrderStatus::Refunded);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_refund_whose_answer_was_cut_is_settled_by_the_status_query() {
        let rig = rig().await;
        let transaction_id = settled(&rig, "PD-CUTR-1", eur("20.00")).await;
        rig.fault("refund", FaultKind::Truncated, None);
        let cut = rig
            .smartpay
            .refund(&transaction_id, "RF-CUTR-1", eur("5.00"))
            .await
            .unwrap_err();
        assert!(cut.is_outcome_unknown(), "{cut:?}");
        let done = rig
            .smartpay
            .modification_status(&transaction_id, "RF-CUTR-1")
            .await
            .unwrap();
        assert_eq!(done.gateway_status.as_deref(), Some("REFUNDED"));
        // Resent unchanged, it is the same refund: done once.
        let again = rig
            .smartpay
            .refund(&transaction_id, "RF-CUTR-1", eur("5.00"))
            .await
            .unwrap();
        assert_eq!(again.gateway_status.as_deref(), Some("REFUNDED"));
        // The same number for another amount: SmartPay answers the first one: not this refund.
        let other = rig
            .smartpay
            .refund(&transaction_id, "RF-CUTR-1", eur("6.00"))
            .await;
        assert!(
            matches!(other, Err(Error::GatewayProtocol { .. })),
            "{other:?}"
        );
        assert_eq!(
            rig.store().smartpay_modifications(&transaction_id).unwrap(),
            vec![("RF-CUTR-1".to_string(), "refund".to_string(), Some(500))]
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_pending_capture_that_fails_is_not_a_capture() {
        let rig = rig().await;
        rig.store()
            .set_sandbox_setting("smartpay.auto_capture", "false")
            .unwrap();
        let transaction_id = settled(&rig, "PD-PCAP-1", eur("15.00")).await;
        rig.fault("capture", FaultKind::Pending, Some(0));
        let answer = rig
            .smartpay
            .capture(&transaction_id, "CP-PCAP-1", None)
            .await;
        assert!(
            matches!(&answer, Err(e) if is_pending(e)),
            "pending, not captured: {answer:?}"
        );
        let first = rig
            .smartpay
            .modification_status(&transaction_id, "CP-PCAP-1")
            .await;
        assert!(matches!(&first, Err(e) if is_pending(e)), "{first:?}");
        match rig
            .smartpay
            .modification_status(&transaction_id, "CP-PCAP-1")
            .await
        {
            Err(Error::GatewayRejected { code, .. }) => assert_eq!(code, "CAPTURE_FAILED"),
            other => panic!("a failed capture is a refusal: {other:?}"),
        }
        let Lookup::Found(report) = rig
            .smartpay
            .verified_status(&transaction_id, eur("15.00"))
            .await
            .unwrap()
        else {
            panic!("missing")
        };
        assert_eq!(
            (report.status, report.gateway_status.as_str()),
            (OrderStatus::Authorized, "AUTHORIZATION_COMPLETED"),
            "still authorised"
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_refused_modification_is_a_refusal_and_stays_one() {
        let rig = rig().await;
        rig.store()
            .set_sandbox_setting("smartpay.auto_capture", "false")
            .unwrap();
        let transaction_id = settled(&rig, "PD-REF-1", eur("9.00")).await;
        rig.fault("capture", FaultKind::Refuse, None);
        let answer = rig
            .smartpay
            .capture(&transaction_id, "CP-REF-1", None)
            .await;
        assert!(
            matches!(answer, Err(Error::GatewayRejected { .. })),
            "{answer:?}"
        );
        // Resent unchanged: SmartPay gives the first answer again.
        let again = rig
            .smartpay
            .capture(&transaction_id, "CP-REF-1", None)
            .await;
        assert!(
            matches!(again, Err(Error::GatewayRejected { .. })),
            "{again:?}"
        );
        assert!(rig
            .store()
            .smartpay_modifications(&transaction_id)
            .unwrap()
            .is_empty());
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_cut_or_late_create_answer_is_unknown_not_refused() {
        let rig = rig_with_timeout(Duration::from_millis(600)).await;
        rig.fault("creation", FaultKind::Truncated, None);
        let cut = rig
            .smartpay
            .create(&request("PD-CUT-1", eur("5.00")))
            .await
            .unwrap_err();
        assert!(
            cut.is_outcome_unknown() && !matches!(cut, Error::GatewayRejected { .. }),
            "{cut:?}"
        );
        rig.fault("creation", FaultKind::LateAnswer, Some(1500));
        let late = rig
            .smartpay
            .create(&request("PD-LATE-1", eur("6.00")))
            .await
            .unwrap_err();
        assert!(
            late.is_outcome_unknown() && !matches!(late, Error::GatewayRejected { .. }),
            "{late:?}"
        );
        // The gateway has both checkouts open.
        for reference in ["PD-CUT-1", "PD-LATE-1"] {
            let open = rig.store().smartpay_payment(reference).unwrap().unwrap();
            assert_eq!(open.status, "CREATED", "{reference}");
        }
    }
}
