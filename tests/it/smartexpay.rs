//! SmartExPay through the adapter's real HTTP client against the sandbox: the payment page
//! link, status by order/get, the IPN (hash verified, tampering refused, idempotent), the
//! manual waitPayment -> inProgress step, returned and hold, failures, and the CLI.
//!
//! Past 600 lines: SmartExPay end to end (exchanger orders, payment page, IPN, the manual
//! step, late payments), one test per documented outcome; kept as one gateway's book.

use paydesk_core::staff::Acting;
use std::time::{Duration, Instant};

use paydesk_core::config::Mode;
use paydesk_core::notify::{receive_smartexpay, NotifyReceiver};
use paydesk_core::payments::{CreateOrderInput, Paydesk};
use paydesk_domain::error::Error;
use paydesk_domain::order::{EventSource, Order, OrderStatus};
use paydesk_sandbox::faults::{FaultKind, Faults};
use paydesk_sandbox::{SandboxStore, SANDBOX_SMARTEXPAY_MANUAL_ROUTE};

use crate::support::{
    answer_text, event_statuses, json, last_event, next_call_fault, order_create,
    paydesk as paydesk_cmd, run, run_ok, sale_input, sandbox_desk as desk, sandbox_server,
    set_next_call_fault, settled_outside, smartexpay_config, status_path, statuses, stderr, stdout,
};

fn input(amount: &str) -> CreateOrderInput {
    sale_input("smartexpay", "exchange", amount, "EUR")
}

fn uid(order: &Order) -> String {
    order
        .gateway_order_id
        .clone()
        .expect("the uid is the gateway's id")
}

async fn paid_eventually(desk: &Paydesk, id: i64) -> Order {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let order = desk.ledger().get(id).unwrap();
        if order.status == OrderStatus::Paid {
            return order;
        }
        assert!(
            Instant::now() < deadline,
            "never paid: {:?}",
            desk.ledger().events(id).unwrap()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_payment_page_link_then_pay_then_sync_is_paid() {
    let (dir, desk) = desk().await;
    let order = desk
        .create_order(&Acting::nobody(), &input("12.50"))
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Pending);
    let payload = order.payment_payload.clone().unwrap();
    let secret = payload["secret"].as_str().unwrap();
    let link = order.payment_url.clone().unwrap();
    assert!(
        link.ends_with(&format!("/smartexpay/en/payment/{}/{secret}", uid(&order))),
        "{link}"
    );
    assert!(payload["orderPage"]
        .as_str()
        .unwrap()
        .contains("/en/order/"));
    let store = SandboxStore::open_in(dir.path()).unwrap();
    let kept = store.smartexpay_order(&uid(&order)).unwrap().unwrap();
    assert_eq!(kept.in_amount, "12.5", "12.50 went as a JSON number");
    assert_ne!(
        kept.ipn_secret.as_deref(),
        Some(""),
        "a per-order IPN secret"
    );
    assert!(!desk
        .ledger()
        .get(order.id)
        .unwrap()
        .payment_payload
        .unwrap()
        .to_string()
        .contains(kept.ipn_secret.as_deref().unwrap()));

    assert_eq!(
        desk.sync(order.id).await.unwrap().gateway_status.as_deref(),
        Some("waitPayment")
    );
    // The customer pays on the page.
    let paid_page = answer_text(reqwest::Client::new().post(format!("{link}/pay"))).await;
    assert!(paid_page.contains("Paid"));
    let paid = desk.sync(order.id).await.unwrap();
    assert_eq!(statuses(&paid), (OrderStatus::Paid, Some("inProgress")));

    // The exchange goes on: later statuses keep it paid and are recorded verbatim.
    store
        .smartexpay_move(uid(&order).parse().unwrap(), &[], "done")
        .unwrap();
    let done = desk.sync(order.id).await.unwrap();
    assert_eq!(statuses(&done), (OrderStatus::Paid, Some("done")));
}

#[tokio::test(flavor = "multi_thread")]
async fn declined_unknown_hold_and_returned_statuses() {
    let (dir, desk) = desk().await;
    let store = SandboxStore::open_in(dir.path()).unwrap();
    let declined = desk
        .create_order(&Acting::nobody(), &input("5.00"))
        .await
        .unwrap();
    paydesk_sandbox::settle_other(&store, &uid(&declined), false)
        .await
        .unwrap();
    let declined = desk.sync(declined.id).await.unwrap();
    assert_eq!(
        statuses(&declined),
        (OrderStatus::Failed, Some("errorPayment"))
    );

    let odd = desk
        .create_order(&Acting::nobody(), &input("6.00"))
        .await
        .unwrap();
    store
        .smartexpay_move(uid(&odd).parse().unwrap(), &[], "underReview")
        .unwrap();
    let odd = desk.sync(odd.id).await.unwrap();
    assert_eq!(
        statuses(&odd),
        (OrderStatus::Pending, Some("underReview")),
        "unknown: pending, verbatim"
    );

    let held = desk
        .create_order(&Acting::nobody(), &input("7.00"))
        .await
        .unwrap();
    store
        .smartexpay_move(uid(&held).parse().unwrap(), &[], "hold")
        .unwrap();
    let held = desk.sync(held.id).await.unwrap();
    assert_eq!(statuses(&held), (OrderStatus::Pending, Some("hold")));
    let note = last_event(&desk, held.id).note.unwrap();
    assert!(note.contains("attention"), "shown to the owner: {note}");

    let returned = desk
        .create_order(&Acting::nobody(), &input("8.00"))
        .await
        .unwrap();
    store
        .smartexpay_move(uid(&returned).parse().unwrap(), &[], "returned")
        .unwrap();
    let returned = desk.sync(returned.id).await.unwrap();
    assert_eq!(
        statuses(&returned),
        (OrderStatus::Refunded, Some("returned"))
    );
    assert_eq!(returned.refunded_minor, 800);
    let path = status_path(&desk, returned.id);
    assert_eq!(
        path,
        [
            OrderStatus::Created,
            OrderStatus::Pending,
            OrderStatus::Paid,
            OrderStatus::Refunded
        ]
    );
    let refunds = desk.ledger().refunds(returned.id).unwrap();
    assert_eq!(refunds.len(), 1);
    assert_eq!(
        refunds[0].reason.as_deref(),
        Some("returned by the gateway")
    );
    // Seen again: nothing more.
    let again = desk.sync(returned.id).await.unwrap();
    assert_eq!(again.refunded_minor, 800);
    assert_eq!(desk.ledger().refunds(returned.id).unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manual_payment_is_confirmed_by_the_owner() {
    let (dir, desk) = desk().await;
    desk.ledger()
        .set_setting(
            "smartexpay.sandbox.route_id",
            SANDBOX_SMARTEXPAY_MANUAL_ROUTE,
        )
        .unwrap();
    let order = desk
        .create_order(&Acting::nobody(), &input("30.00"))
        .await
        .unwrap();
    let store = SandboxStore::open_in(dir.path()).unwrap();
    let said = settled_outside(&store, &uid(&order), true).await;
    assert!(said.contains("waiting for the merchant"));
    assert_eq!(
        desk.sync(order.id).await.unwrap().status,
        OrderStatus::Pending
    );

    let confirmed = desk
        .confirm_manual_payment(&Acting::nobody(), order.id)
        .await
        .unwrap();
    assert_eq!(
        statuses(&confirmed),
        (OrderStatus::Paid, Some("inProgress"))
    );
    let last = last_event(&desk, order.id);
    assert_eq!(last.source, EventSource::User);
    let twice = desk
        .confirm_manual_payment(&Acting::nobody(), order.id)
        .await
        .unwrap_err();
    assert_eq!(twice.field(), Some("order"), "{twice}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_ipn_is_verified_then_the_order_is_re_queried() {
    let (dir, desk) = desk().await;
    let receiver = NotifyReceiver::start(desk.clone(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let order = desk
        .create_order(&Acting::nobody(), &input("12.50"))
        .await
        .unwrap();
    let store = SandboxStore::open_in(dir.path()).unwrap();
    let kept = store.smartexpay_order(&uid(&order)).unwrap().unwrap();
    assert_eq!(
        kept.ipn_url.as_deref(),
        Some(format!("{}/notify/smartexpay", receiver.base_url()).as_str())
    );

    paydesk_sandbox::settle_other(&store, &uid(&order), true)
        .await
        .unwrap();
    let paid = paid_eventually(&desk, order.id).await;
    assert_eq!(paid.gateway_status.as_deref(), Some("inProgress"));
    assert!(desk
        .ledger()
        .events(order.id)
        .unwrap()
        .iter()
        .any(|e| e.to_status == OrderStatus::Paid && e.source == EventSource::Notify));
    let (_, body, delivered) = store.smartexpay_ipns().unwrap().pop().unwrap();
    assert!(delivered);

    // The same IPN again: acknowledged, nothing more happens.
    let events_before = desk.ledger().events(order.id).unwrap().len();
    assert!(receive_smartexpay(&desk, body.as_bytes()).await.unwrap());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(desk.ledger().events(order.id).unwrap().len(), events_before);

    // Any field changed: refused.
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap();
    for name in [
        "orderId",
        "newStatus",
        "inAmount",
        "outAmount",
        "xml_from",
        "xml_to",
        "timestamp",
        "hash",
    ] {
        let tampered: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    if k == name {
                        format!("{v}1")
                    } else {
                        v.clone()
                    },
                )
            })
            .collect();
        let text = serde_urlencoded::to_string(&tampered).unwrap();
        assert!(
            !receive_smartexpay(&desk, text.as_bytes()).await.unwrap(),
            "{name} changed"
        );
    }
    let answer = reqwest::Client::new()
        .post(format!("{}/notify/smartexpay", receiver.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.replace("inProgress", "done"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 403);
    let kept = desk.ledger().notifications().unwrap();
    assert_eq!(
        kept.iter()
            .filter(|(v, o, _)| *v && o == "accepted")
            .count(),
        2,
        "the original and its repeat"
    );
    assert_eq!(
        kept.iter()
            .filter(|(v, o, _)| !*v && o == "bad signature")
            .count(),
        9
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_hash_field_may_be_called_signature() {
    let (dir, desk) = desk().await;
    let _receiver = NotifyReceiver::start(desk.clone(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let store = SandboxStore::open_in(dir.path()).unwrap();
    store
        .set_sandbox_setting("smartexpay.hash_field", "signature")
        .unwrap();
    let order = desk
        .create_order(&Acting::nobody(), &input("9.99"))
        .await
        .unwrap();
    paydesk_sandbox::settle_other(&store, &uid(&order), true)
        .await
        .unwrap();
    paid_eventually(&desk, order.id).await;
    assert!(store.smartexpay_ipns().unwrap()[0].1.contains("signature="));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_configurable_api_key_header() {
    let (dir, desk) = desk().await;
    SandboxStore::open_in(dir.path())
        .unwrap()
        .set_sandbox_setting("smartexpay.api_key_header", "X-Partner-Key")
        .unwrap();
    let refused = desk
        .create_order(&Acting::nobody(), &input("4.00"))
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, Error::GatewayRejected { code, .. } if code == "401"),
        "{refused}"
    );
    assert!(refused.to_string().contains("header"));
    let desk = Paydesk::open(dir.path(), Some(Mode::Sandbox))
        .await
        .unwrap();
    desk.ledger()
        .set_setting("smartexpay.sandbox.api_key_header", "X-Partner-Key")
        .unwrap();
    assert_eq!(
        desk.create_order(&Acting::nobody(), &input("4.00"))
            .await
            .unwrap()
            .status,
        OrderStatus::Pending
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_and_timed_out_answers_leave_the_order_open() {
    let (dir, desk) = desk().await;
    desk.ledger()
        .set_setting("smartexpay.sandbox.timeout_ms", "500")
        .unwrap();
    let faults = Faults::open_in(dir.path()).unwrap();
    let order = desk
        .create_order(&Acting::nobody(), &input("10.00"))
        .await
        .unwrap();
    let fault = |call: &str, kind, value| next_call_fault("smartexpay", call, kind, value);
    faults
        .set(&fault("get", FaultKind::Malformed, None))
        .unwrap();
    assert!(matches!(
        desk.sync(order.id).await,
        Err(Error::GatewayProtocol {
            gateway: "smartexpay",
            ..
        })
    ));
    faults
        .set(&fault("get", FaultKind::Timeout, Some(3000)))
        .unwrap();
    assert!(matches!(
        desk.sync(order.id).await,
        Err(Error::GatewayUnreachable {
            gateway: "smartexpay",
            ..
        })
    ));
    assert_eq!(
        desk.ledger().get(order.id).unwrap().status,
        OrderStatus::Pending
    );
    faults
        .set(&fault("create", FaultKind::Timeout, Some(3000)))
        .unwrap();
    assert_eq!(
        desk.create_order(&Acting::nobody(), &input("11.00"))
            .await
            .unwrap()
            .status,
        OrderStatus::Created,
        "a timed-out create is open, not failed"
    );
    let stuck = desk
        .ledger()
        .list(&Default::default())
        .unwrap()
        .into_iter()
        .find(|o| o.amount.minor() == 1100)
        .unwrap();
    assert_eq!(
        stuck.status,
        OrderStatus::Created,
        "outcome unknown: left for reconciliation"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn refunds_are_refused_and_test_mode_needs_the_host() {
    let (dir, desk) = desk().await;
    let order = desk
        .create_order(&Acting::nobody(), &input("15.00"))
        .await
        .unwrap();
    paydesk_sandbox::settle_other(
        &SandboxStore::open_in(dir.path()).unwrap(),
        &uid(&order),
        true,
    )
    .await
    .unwrap();
    desk.sync(order.id).await.unwrap();
    let refused = desk
        .refund(&Acting::nobody(), order.id, None, None)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("outside Paydesk"), "{refused}");
    assert!(desk.ledger().refunds(order.id).unwrap().is_empty());

    let test = Paydesk::open(dir.path(), Some(Mode::Test)).await.unwrap();
    let unset = test
        .create_order(&Acting::nobody(), &input("15.00"))
        .await
        .unwrap_err();
    assert!(
        unset.to_string().contains("smartexpay.test.base"),
        "{unset}"
    );
}

#[test]
fn the_cli_creates_pays_syncs_and_refuses_to_refund() {
    let dir = tempfile::tempdir().unwrap();
    let created = json(&run_ok(&mut paydesk_cmd(
        dir.path(),
        &order_create(
            "smartexpay",
            "exchange",
            "25.00",
            &["--currency", "EUR", "--json"],
        ),
    )));
    assert_eq!(created["order"]["status"], "pending");
    assert!(created["order"]["paymentUrl"]
        .as_str()
        .unwrap()
        .contains("/en/payment/"));
    let id = created["order"]["id"].as_i64().unwrap().to_string();
    let paid = run_ok(&mut paydesk_cmd(dir.path(), &["sandbox", "pay", &id]));
    assert!(stdout(&paid).contains("is paid"), "{}", stdout(&paid));
    let synced = json(&run_ok(&mut paydesk_cmd(
        dir.path(),
        &["order", "sync", &id, "--json"],
    )));
    assert_eq!(synced["order"]["status"], "paid");
    assert_eq!(synced["order"]["gatewayStatus"], "inProgress");
    assert_eq!(event_statuses(&synced), ["created", "pending", "paid"]);
    let refund = run(&mut paydesk_cmd(dir.path(), &["order", "refund", &id]));
    assert_eq!(refund.status.code(), Some(2), "{}", stderr(&refund));
}

#[test]
fn the_cli_confirms_a_manual_payment() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(&mut paydesk_cmd(
        dir.path(),
        &[
            "settings",
            "set",
            "smartexpay.test.route_id",
            SANDBOX_SMARTEXPAY_MANUAL_ROUTE,
        ],
    ));
    let ledger = paydesk_ledger::ledger::Ledger::open_in(dir.path()).unwrap();
    ledger
        .set_setting(
            "smartexpay.sandbox.route_id",
            SANDBOX_SMARTEXPAY_MANUAL_ROUTE,
        )
        .unwrap();
    drop(ledger);
    let created = json(&run_ok(&mut paydesk_cmd(
        dir.path(),
        &order_create(
            "smartexpay",
            "exchange",
            "40.00",
            &["--currency", "EUR", "--json"],
        ),
    )));
    let id = created["order"]["id"].as_i64().unwrap().to_string();
    let early = run(&mut paydesk_cmd(
        dir.path(),
        &["order", "confirm-payment", &id],
    ));
    assert_eq!(
        early.status.code(),
        Some(0),
        "waitPayment can be confirmed by the owner: {}",
        stderr(&early)
    );
    let shown = json(&run_ok(&mut paydesk_cmd(
        dir.path(),
        &["order", "show", &id, "--json"],
    )));
    assert_eq!(shown["order"]["status"], "paid");
    assert_eq!(shown["order"]["gatewayStatus"], "inProgress");
    let twice = run(&mut paydesk_cmd(
        dir.path(),
        &["order", "confirm-payment", &id],
    ));
    assert_eq!(twice.status.code(), Some(2), "{}", stderr(&twice));
}

// ---- wave 11: outcomes at the adapter boundary, over the sandbox ----

use paydesk_domain::money::{Currency, Money};
use paydesk_domain::order::{Gateway, Method};
use paydesk_gateways::smartexpay::Smartexpay;
use paydesk_gateways::{CreateRequest, Lookup};
use paydesk_sandbox::{SandboxServer, SANDBOX_SMARTEXPAY_API_KEY, SANDBOX_SMARTEXPAY_ROUTE};

/// The adapter on the sandbox's automatic route, as a counter would set it up.
fn exchanger(server: &SandboxServer, timeout: Duration) -> Smartexpay {
    Smartexpay::new(smartexpay_config(
        &server.smartexpay_base(),
        SANDBOX_SMARTEXPAY_API_KEY,
        timeout,
    ))
    .unwrap()
    // The sandbox route's own currency, as the sandbox's account gives it.
    .with_from_currency(Some("EUR"))
}

fn euros(amount: &str) -> Money {
    Money::parse(amount, Currency::parse("EUR").unwrap()).unwrap()
}

fn sale(order_no: &str, amount: Money) -> CreateRequest<'_> {
    CreateRequest {
        merchant_order_no: order_no,
        method: Method::Exchange,
        amount,
        description: "Sale",
        payment_code: None,
        card_id: None,
    }
}

/// The order as the ledger would hold it after `create` answered `created` (or, with `None`,
/// after a create whose answer was lost).
fn kept_order(order_no: &str, amount: Money, created: Option<&paydesk_gateways::Created>) -> Order {
    Order {
        gateway_order_id: created.and_then(|c| c.gateway_order_id.clone()),
        payment_url: created.and_then(|c| c.payment_url.clone()),
        payment_payload: created.and_then(|c| c.payload.clone()),
        ..Order::example(order_no, Gateway::Smartexpay, Method::Exchange, amount)
    }
}

fn sandbox_orders(dir: &std::path::Path) -> Vec<(i64, String, String)> {
    let conn = rusqlite::Connection::open(dir.join("sandbox.db")).unwrap();
    let mut stmt = conn
        .prepare("SELECT uid, in_amount, status FROM smartexpay_orders ORDER BY uid")
        .unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    rows.map(Result::unwrap).collect()
}

fn one_fault(dir: &std::path::Path, call: &str, kind: FaultKind, value: Option<i64>) {
    set_next_call_fault(dir, "smartexpay", call, kind, value);
}

/// Issue 11 item 9: a create whose answer is cut, or comes after the client's timeout, is an
/// unknown outcome (the order is open and payable at SmartExPay), and a lookup of that order,
/// which has no uid and secret, stays unknown: it is never "the gateway has no such order".
#[tokio::test(flavor = "multi_thread")]
async fn a_cut_or_late_create_answer_is_unknown_and_the_order_is_never_called_missing() {
    let (dir, server) = sandbox_server().await;
    let exchanger = exchanger(&server, Duration::from_millis(700));
    for (n, (kind, value)) in [
        (FaultKind::Truncated, None),
        (FaultKind::LateAnswer, Some(2500)),
    ]
    .into_iter()
    .enumerate()
    {
        one_fault(dir.path(), "create", kind, value);
        let order_no = format!("PDCUT{n}");
        let amount = euros(&format!("{}.00", 20 + n));
        let lost = exchanger
            .create(&sale(&order_no, amount))
            .await
            .unwrap_err();
        assert!(
            lost.is_outcome_unknown() && !matches!(lost, Error::GatewayRejected { .. }),
            "{kind:?}: {lost:?}"
        );
        // SmartExPay has it, waiting for the customer's payment.
        let at_gateway = sandbox_orders(dir.path());
        assert_eq!(at_gateway.len(), n + 1, "{at_gateway:?}");
        assert_eq!(at_gateway[n].2, "waitPayment");

        let lookup = exchanger.lookup(&kept_order(&order_no, amount, None)).await;
        match lookup {
            // Not "missing": Paydesk cannot ask, and says why (for the owner).
            Ok(paydesk_gateways::Lookup::CannotAsk(why)) => {
                assert!(why.contains(&order_no), "{why}")
            }
            other => panic!("{kind:?}: the order may be open at SmartExPay: {other:?}"),
        }
    }
}

/// Item 9 through the service: an order whose create answer was cut is not failed by
/// reconciliation once the create grace has passed.
#[tokio::test(flavor = "multi_thread")]
async fn reconciliation_does_not_fail_an_order_whose_create_answer_was_cut() {
    let (dir, desk) = desk().await;
    desk.ledger()
        .set_setting("smartexpay.sandbox.timeout_ms", "700")
        .unwrap();
    one_fault(dir.path(), "create", FaultKind::Truncated, None);
    // The caller is told about the open order, not a failure.
    let told = desk
        .create_order(&Acting::nobody(), &input("21.00"))
        .await
        .unwrap();
    assert_eq!(told.status, OrderStatus::Created);
    let order = desk
        .ledger()
        .list(&Default::default())
        .unwrap()
        .into_iter()
        .find(|o| o.amount.minor() == 2100)
        .unwrap();
    // Well past the create grace (two minutes).
    let conn = rusqlite::Connection::open(dir.path().join("paydesk.db")).unwrap();
    conn.execute(
        "UPDATE orders SET created_at = created_at - 600000 WHERE id = ?1",
        [order.id],
    )
    .unwrap();
    let _ = desk.sync(order.id).await;
    let after = desk.ledger().get(order.id).unwrap();
    assert_ne!(
        after.status,
        OrderStatus::Failed,
        "SmartExPay has the order open: {:?}",
        desk.ledger().events(order.id).unwrap()
    );
}

/// Issue 11 item 8: the amount is read in the route's "from" currency, so a sale rung in
/// another currency is refused before anything is sent, with a field error.
#[tokio::test(flavor = "multi_thread")]
async fn a_currency_other_than_the_routes_from_currency_is_refused_before_sending() {
    let (dir, server) = sandbox_server().await;
    let exchanger = exchanger(&server, Duration::from_secs(5));
    let usd = Money::parse("12.50", Currency::parse("USD").unwrap()).unwrap();
    let refused = exchanger.create(&sale("PDUSD1", usd)).await.unwrap_err();
    assert_eq!(refused.field(), Some("currency"), "{refused:?}");
    assert!(refused.to_string().contains("EUR"), "{refused}");
    assert!(sandbox_orders(dir.path()).is_empty(), "nothing was sent");
    // The route's own currency goes through.
    exchanger
        .create(&sale("PDEUR1", euros("12.50")))
        .await
        .unwrap();
    assert_eq!(sandbox_orders(dir.path()).len(), 1);
}

/// Issue 11 item 11: an order/get answer about another order (a genuine one, replayed) is
/// suspicious: unknown, never applied.
#[tokio::test(flavor = "multi_thread")]
async fn an_answer_about_another_paid_order_is_suspicious() {
    let (dir, server) = sandbox_server().await;
    let exchanger = exchanger(&server, Duration::from_secs(5));
    let paid = exchanger
        .create(&sale("PDPAID", euros("50.00")))
        .await
        .unwrap();
    paydesk_sandbox::settle_other(
        server.store(),
        paid.gateway_order_id.as_deref().unwrap(),
        true,
    )
    .await
    .unwrap();
    let amount = euros("5.00");
    let open = exchanger.create(&sale("PDOPEN", amount)).await.unwrap();
    let order = kept_order("PDOPEN", amount, Some(&open));
    one_fault(dir.path(), "get", FaultKind::WrongOrder, None);
    match exchanger.lookup(&order).await {
        Err(Error::GatewayProtocol { message, .. }) => {
            assert!(message.contains("suspicious"), "{message}")
        }
        other => panic!("a replayed paid answer: {other:?}"),
    }
    // The real answer, once the replay is gone.
    match exchanger.lookup(&order).await.unwrap() {
        Lookup::Found(report) => assert_eq!(report.status, OrderStatus::Pending),
        other => panic!("{other:?}"),
    }
}

/// Issue 11 item 6: SmartExPay keeps an order payable far longer than Paydesk's 15 minutes
/// (the sandbox: 24 hours, the seed giving no lifetime); a customer who pays 20 minutes late
/// is paid, and the adapter's lookup says so. The gateway's own lifetime, not Paydesk's,
/// ends an unpaid order.
#[tokio::test(flavor = "multi_thread")]
async fn a_late_payment_is_found_by_lookup_and_the_gateways_lifetime_ends_an_unpaid_order() {
    let (_dir, server) = sandbox_server().await;
    let exchanger = exchanger(&server, Duration::from_secs(5));
    let amount = euros("40.00");
    let created = exchanger.create(&sale("PDLATE", amount)).await.unwrap();
    let uid = created.gateway_order_id.clone().unwrap();
    let said =
        paydesk_sandbox::smartexpay::pay_late(server.store(), &uid, Duration::from_secs(20 * 60))
            .await
            .unwrap()
            .unwrap();
    assert!(said.contains("paid"), "{said}");
    match exchanger
        .lookup(&kept_order("PDLATE", amount, Some(&created)))
        .await
        .unwrap()
    {
        Lookup::Found(report) => assert_eq!(
            (report.status, report.gateway_status.as_str()),
            (OrderStatus::Paid, "inProgress")
        ),
        other => panic!("{other:?}"),
    }

    server
        .store()
        .set_sandbox_setting("smartexpay.order_ttl_ms", "60000")
        .unwrap();
    let unpaid = exchanger.create(&sale("PDGONE", amount)).await.unwrap();
    let unpaid_uid: i64 = unpaid.gateway_order_id.clone().unwrap().parse().unwrap();
    server
        .store()
        .smartexpay_backdate(unpaid_uid, 120_000)
        .unwrap();
    match exchanger
        .lookup(&kept_order("PDGONE", amount, Some(&unpaid)))
        .await
        .unwrap()
    {
        Lookup::Found(report) => assert_eq!(
            (report.status, report.gateway_status.as_str()),
            (OrderStatus::Failed, "deleted")
        ),
        other => panic!("{other:?}"),
    }
}

/// Item 7: `prepare_create` is the exact body `create` sends (the sandbox takes it).
#[tokio::test(flavor = "multi_thread")]
async fn prepare_create_is_what_create_sends() {
    let (_dir, server) = sandbox_server().await;
    let exchanger = exchanger(&server, Duration::from_secs(5));
    let body = exchanger
        .prepare_create(&sale("PDPREP", euros("12.50")))
        .unwrap();
    assert_eq!(body["routeId"], SANDBOX_SMARTEXPAY_ROUTE);
    assert_eq!(body["amount"].as_f64(), Some(12.5));
    let created = exchanger
        .create(&sale("PDPREP", euros("12.50")))
        .await
        .unwrap();
    let kept = server
        .store()
        .smartexpay_order(created.gateway_order_id.as_deref().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(kept.ipn_secret.as_deref(), body["ipnSecret"].as_str());
    assert_eq!(kept.in_amount, "12.5", "a JSON number");
    assert_eq!(created.payload.unwrap()["routeFrom"], "CARDEUR");
}
