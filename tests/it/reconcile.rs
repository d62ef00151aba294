//! Startup reconciliation: orders left open by a crash are re-queried and settled from the
//! gateway's answer, never guessed.

use paydesk_core::staff::Acting;
use std::time::Duration;

use paydesk_core::payments::Paydesk;
use paydesk_domain::money::{Currency, Money};
use paydesk_domain::order::{Method, OrderStatus};
use paydesk_gateways::CreateRequest;
use paydesk_ledger::ledger::NewOrder;

use crate::support::{
    fault_set, last_event, sale_input, sandbox_desk, sandbox_iotpay, settle_at_iotpay,
};

fn intent(no: &str) -> NewOrder {
    NewOrder {
        merchant_order_no: no.into(),
        method: Method::WechatQr,
        environment: "sandbox".into(),
        amount: Money::parse("12.50", Currency::CAD).unwrap(),
        expires_at_ms: Some(paydesk_domain::clock::now_ms() + 600_000),
        by: Default::default(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn orders_left_mid_creation_are_settled_by_query_at_startup() {
    let (dir, desk) = sandbox_desk().await;

    // Crash after the gateway accepted the order but before Paydesk recorded its answer.
    let reached = desk.ledger().insert_order(&intent("PDRECONCILE1")).unwrap();
    let adapter = sandbox_iotpay(&desk, Duration::from_secs(30)).await;
    let request = CreateRequest {
        merchant_order_no: "PDRECONCILE1",
        method: Method::WechatQr,
        amount: reached.amount,
        description: "Sale",
        payment_code: None,
        card_id: None,
    };
    adapter.create_order(&request).await.unwrap();
    // ... and the customer paid while Paydesk was down.
    settle_at_iotpay(dir.path(), "PDRECONCILE1", true);

    // Crash before the create call ever left, long enough ago that it cannot be in flight.
    let never_sent = desk.ledger().insert_order(&intent("PDRECONCILE2")).unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("paydesk.db")).unwrap();
    conn.execute(
        "UPDATE orders SET created_at = created_at - 600000 WHERE id = ?1",
        [never_sent.id],
    )
    .unwrap();

    // A young Created order the gateway has not seen yet may still be in flight: left alone.
    let in_flight = desk.ledger().insert_order(&intent("PDRECONCILE3")).unwrap();
    drop(desk);

    let desk = Paydesk::open(dir.path(), None).await.unwrap();
    let results = desk.reconcile().await.unwrap();
    assert_eq!(results.len(), 3);
    assert!(results.iter().all(|(_, r)| r.is_ok()), "{results:?}");

    let reached = desk.ledger().get(reached.id).unwrap();
    assert_eq!(
        reached.status,
        OrderStatus::Paid,
        "paid at the gateway while we were down"
    );
    assert!(
        reached.gateway_order_id.is_some(),
        "the gateway's id is recovered from the query"
    );
    let events = desk.ledger().events(reached.id).unwrap();
    assert_eq!(
        events.last().unwrap().source,
        paydesk_domain::order::EventSource::Reconcile
    );

    let never_sent = desk.ledger().get(never_sent.id).unwrap();
    assert_eq!(never_sent.status, OrderStatus::Failed);
    let note = last_event(&desk, never_sent.id).note.unwrap_or_default();
    assert!(note.contains("never reached"), "{note}");

    assert_eq!(
        desk.ledger().get(in_flight.id).unwrap().status,
        OrderStatus::Created
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_order_past_its_expiry_without_payment_is_expired_and_a_late_payment_still_counts() {
    let (dir, desk) = sandbox_desk().await;
    let input = sale_input("iotpay", "alipay-qr", "3.00", "USD");
    let order = desk.create_order(&Acting::nobody(), &input).await.unwrap();
    assert_eq!(order.status, OrderStatus::Pending);
    let conn = rusqlite::Connection::open(dir.path().join("paydesk.db")).unwrap();
    conn.execute("UPDATE orders SET expires_at = 1 WHERE id = ?1", [order.id])
        .unwrap();
    assert_eq!(
        desk.sync(order.id).await.unwrap().status,
        OrderStatus::Expired
    );

    // The customer's payment lands after the countdown: the gateway's answer wins.
    settle_at_iotpay(dir.path(), &order.merchant_order_no, true);
    assert_eq!(desk.sync(order.id).await.unwrap().status, OrderStatus::Paid);
}

/// The window's startup: the newest open order is asked about first, each is followed as soon
/// as its answer is in (not after the whole backlog), and a payment made after the startup
/// question is found by that order's watcher.
#[tokio::test(flavor = "multi_thread")]
async fn the_windows_startup_reconcile_asks_newest_first_and_follows_each_order_it_leaves_open() {
    let (dir, desk) = sandbox_desk().await;
    let adapter = sandbox_iotpay(&desk, Duration::from_secs(30)).await;
    // Two sales the gateway took while Paydesk never recorded its answers (a crash).
    let mut orders = Vec::new();
    for no in ["PDSTARTUP1", "PDSTARTUP2"] {
        let order = desk.ledger().insert_order(&intent(no)).unwrap();
        let request = CreateRequest {
            merchant_order_no: no,
            method: Method::WechatQr,
            amount: order.amount,
            description: "Sale",
            payment_code: None,
            card_id: None,
        };
        adapter.create_order(&request).await.unwrap();
        orders.push(order);
    }
    let (older, newer) = (&orders[0], &orders[1]);

    desk.reconcile_and_follow(Duration::from_millis(200))
        .await
        .unwrap();
    let asked = |id: i64| {
        desk.ledger()
            .events(id)
            .unwrap()
            .into_iter()
            .find(|e| e.source == paydesk_domain::order::EventSource::Reconcile)
            .unwrap_or_else(|| panic!("order {id} was not asked about at startup"))
    };
    let (first, second) = (asked(newer.id), asked(older.id));
    assert!(
        first.id < second.id,
        "the newest order is asked about first"
    );
    assert!(
        second.at_ms - first.at_ms >= 200,
        "one question per pace: {} ms apart",
        second.at_ms - first.at_ms
    );
    for order in [older, newer] {
        assert_eq!(
            desk.ledger().get(order.id).unwrap().status,
            OrderStatus::Pending
        );
    }

    // The customer pays the older one now: its watcher, started at startup, finds it.
    settle_at_iotpay(dir.path(), "PDSTARTUP1", true);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let now = desk.ledger().get(older.id).unwrap();
        if now.status == OrderStatus::Paid {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the startup watcher never found the payment: {:?}",
            now.status
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        last_event(&desk, older.id).source,
        paydesk_domain::order::EventSource::Poll
    );
    assert_eq!(
        desk.ledger().get(newer.id).unwrap().status,
        OrderStatus::Pending
    );
}

/// `paydesk reconcile --json`: (status code, the JSON it printed).
fn reconcile_json(dir: &std::path::Path) -> (i32, serde_json::Value) {
    let output = crate::support::run(&mut crate::support::paydesk(dir, &["reconcile", "--json"]));
    (
        output.status.code().unwrap_or(-1),
        crate::support::json(&output),
    )
}

fn line_of<'a>(report: &'a serde_json::Value, id: &serde_json::Value) -> &'a serde_json::Value {
    report["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| &l["id"] == id)
        .unwrap_or_else(|| panic!("no line for order {id}: {report}"))
}

#[test]
fn paydesk_reconcile_settles_a_headless_counter_s_open_orders_from_the_gateway() {
    use crate::support::{create_sandbox_order, paydesk, run, run_ok, stdout};
    let dir = tempfile::tempdir().unwrap();
    // Three sales rung from the CLI (no window: nothing follows them once the command ends).
    let paid = create_sandbox_order(dir.path(), "wechat-qr", "4.00");
    let declined = create_sandbox_order(dir.path(), "alipay-qr", "5.00");
    let waiting = create_sandbox_order(dir.path(), "wechat-qr", "6.00");
    for order in [&paid, &declined, &waiting] {
        assert_eq!(order["status"], "pending", "{order}");
    }
    // The customers answer at the gateway while no Paydesk is running.
    let no = |o: &serde_json::Value| o["merchantOrderNo"].as_str().unwrap().to_string();
    run_ok(&mut paydesk(dir.path(), &["sandbox", "pay", &no(&paid)]));
    run_ok(&mut paydesk(
        dir.path(),
        &["sandbox", "pay", &no(&declined), "--decline"],
    ));

    let (code, report) = reconcile_json(dir.path());
    assert_eq!(code, 0, "{report}");
    let expect = [
        (&paid, "paid", true),
        (&declined, "cancelled", true),
        (&waiting, "pending", false),
    ];
    for (order, after, moved) in expect {
        let line = line_of(&report, &order["id"]);
        assert_eq!(
            line["merchantOrderNo"].as_str(),
            Some(no(order).as_str()),
            "{line}"
        );
        assert_eq!(line["before"], "pending", "{line}");
        assert_eq!(line["after"], after, "{line}");
        assert_eq!(line["moved"], moved, "{line}");
        assert!(line["error"].is_null(), "{line}");
    }
    assert_eq!(
        report["summary"],
        serde_json::json!({ "orders": 3, "moved": 2, "unchanged": 1, "failed": 0 })
    );
    // The ledger agrees, and says who moved them.
    let shown = crate::support::json(&run_ok(&mut paydesk(
        dir.path(),
        &["order", "show", &no(&paid), "--json"],
    )));
    assert_eq!(shown["order"]["status"], "paid");
    assert_eq!(
        shown["events"].as_array().unwrap().last().unwrap()["source"],
        "reconcile"
    );

    // In words: one line per order left open, then the summary.
    let text = run_ok(&mut paydesk(dir.path(), &["reconcile"]));
    let text = stdout(&text);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].contains(&no(&waiting)), "{text}");
    assert!(lines[0].contains("pending -> pending"), "{text}");
    assert!(
        lines[1].contains("1 order(s) reconciled: 0 moved, 1 unchanged, 0 could not"),
        "{text}"
    );

    // The gateway failing: the order stays as it was, the line says why, exit status 1.
    run_ok(&mut paydesk(
        dir.path(),
        &fault_set("iotpay", &["--call", "query_order", "--kind", "http-500"]),
    ));
    let (code, report) = reconcile_json(dir.path());
    assert_eq!(code, 1, "{report}");
    let line = line_of(&report, &waiting["id"]);
    assert_eq!(
        (&line["before"], &line["after"]),
        (&"pending".into(), &"pending".into())
    );
    assert!(
        line["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{line}"
    );
    assert_eq!(report["summary"]["failed"], 1, "{report}");
    let text = run(&mut paydesk(dir.path(), &["reconcile"]));
    assert_eq!(text.status.code(), Some(1));
    assert!(
        stdout(&text).contains("not reconciled"),
        "{}",
        stdout(&text)
    );
}

/// Issue 11 items 6 and 12: a payment after the counter's expiry is found by a headless
/// counter's `paydesk reconcile` and recorded as paid (noted "paid after it expired").
#[test]
fn paydesk_reconcile_records_a_payment_made_after_the_local_expiry() {
    use crate::support::{create_sandbox_order, paydesk, run_ok};
    let dir = tempfile::tempdir().unwrap();
    let order = create_sandbox_order(dir.path(), "wechat-qr", "8.00");
    let no = order["merchantOrderNo"].as_str().unwrap().to_string();
    let conn = rusqlite::Connection::open(crate::support::ledger_path(dir.path())).unwrap();
    conn.execute(
        "UPDATE orders SET expires_at = 1 WHERE merchant_order_no = ?1",
        [&no],
    )
    .unwrap();
    run_ok(&mut paydesk(dir.path(), &["order", "sync", &no]));
    run_ok(&mut paydesk(dir.path(), &["sandbox", "pay", &no]));
    let (code, report) = reconcile_json(dir.path());
    assert_eq!(code, 0, "{report}");
    let line = line_of(&report, &order["id"]);
    assert_eq!(
        (&line["before"], &line["after"]),
        (&"expired".into(), &"paid".into()),
        "{line}"
    );
    let shown = crate::support::stdout(&run_ok(&mut paydesk(
        dir.path(),
        &["order", "show", &no, "--json"],
    )));
    assert!(shown.contains("paid after it expired"), "{shown}");
}
