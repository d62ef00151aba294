//! Startup reconciliation: orders left open by a crash are re-queried and settled from the
//! gateway's answer, never guessed.

use paydesk::config::Mode;
use paydesk::gateways::CreateRequest;
use paydesk::ledger::NewOrder;
use paydesk::money::{Currency, Money};
use paydesk::order::{Method, OrderStatus};
use paydesk::payments::Paydesk;
use paydesk::sandbox::SandboxStore;

fn intent(no: &str) -> NewOrder {
    NewOrder {
        merchant_order_no: no.into(),
        method: Method::WechatQr,
        environment: "sandbox".into(),
        amount: Money::parse("12.50", Currency::CAD).unwrap(),
        expires_at_ms: Some(paydesk::ledger::now_ms() + 600_000),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn orders_left_mid_creation_are_settled_by_query_at_startup() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Paydesk::open(dir.path(), Some(Mode::Sandbox))
        .await
        .unwrap();

    // Crash after the gateway accepted the order but before Paydesk recorded its answer.
    let reached = desk.ledger().insert_order(&intent("PDRECONCILE1")).unwrap();
    let adapter = crate::support::sandbox_iotpay(&desk).await;
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
    SandboxStore::open_in(dir.path())
        .unwrap()
        .settle("PDRECONCILE1", true)
        .unwrap();

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
    let results = desk.reconcile().await;
    assert_eq!(results.len(), 3);
    assert!(results.iter().all(Result::is_ok), "{results:?}");

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
        paydesk::order::EventSource::Reconcile
    );

    let never_sent = desk.ledger().get(never_sent.id).unwrap();
    assert_eq!(never_sent.status, OrderStatus::Failed);
    let note = desk
        .ledger()
        .events(never_sent.id)
        .unwrap()
        .last()
        .unwrap()
        .note
        .clone()
        .unwrap_or_default();
    assert!(note.contains("never reached"), "{note}");

    assert_eq!(
        desk.ledger().get(in_flight.id).unwrap().status,
        OrderStatus::Created
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_order_past_its_expiry_without_payment_is_expired_and_a_late_payment_still_counts() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Paydesk::open(dir.path(), Some(Mode::Sandbox))
        .await
        .unwrap();
    let input = paydesk::payments::CreateOrderInput {
        gateway: "iotpay".into(),
        method: "alipay-qr".into(),
        amount: "3.00".into(),
        currency: "USD".into(),
        code: None,
        card_id: None,
    };
    let order = desk.create_order(&input).await.unwrap();
    assert_eq!(order.status, OrderStatus::Pending);
    let conn = rusqlite::Connection::open(dir.path().join("paydesk.db")).unwrap();
    conn.execute("UPDATE orders SET expires_at = 1 WHERE id = ?1", [order.id])
        .unwrap();
    assert_eq!(
        desk.sync(order.id).await.unwrap().status,
        OrderStatus::Expired
    );

    // The customer's payment lands after the countdown: the gateway's answer wins.
    SandboxStore::open_in(dir.path())
        .unwrap()
        .settle(&order.merchant_order_no, true)
        .unwrap();
    assert_eq!(desk.sync(order.id).await.unwrap().status, OrderStatus::Paid);
}
