//! Issue 11 on IOTPay v1, through the payment service and over the sandbox (real HTTP on
//! loopback): every documented outcome recorded truly. A code that says nothing certain
//! (0110, 0010, 0118) is not a refusal; an unsigned answer is not an answer; an answer about
//! another order is not this order's; a create the vendor's page says is incomplete is
//! refused by the sandbox as the vendor would.

use paydesk_core::staff::Acting;
use std::sync::Arc;
use std::time::Duration;

use paydesk_core::payments::{CreateOrderInput, Paydesk};
use paydesk_domain::error::Error;
use paydesk_domain::order::{Order, OrderStatus};
use paydesk_ledger::ledger::RefundStatus;
use paydesk_sandbox::faults::{Fault, FaultKind, Faults};
use paydesk_sandbox::SandboxStore;

use crate::support::{paid_at_iotpay, sale_input, sandbox_desk as desk, settle_at_iotpay};

fn input(method: &str, amount: &str, code: Option<&str>) -> CreateOrderInput {
    CreateOrderInput {
        code: code.map(str::to_string),
        ..sale_input("iotpay", method, amount, "CAD")
    }
}

/// Switches on a fault for IOTPay v1's `call`: `times` None = until cleared.
fn fault(
    dir: &std::path::Path,
    call: &str,
    kind: FaultKind,
    value: Option<i64>,
    times: Option<i64>,
) {
    Faults::open_in(dir)
        .unwrap()
        .set(&Fault {
            gateway: "iotpay".into(),
            call: call.into(),
            kind,
            value,
            times,
        })
        .unwrap();
}

fn clear_faults(dir: &std::path::Path) {
    Faults::open_in(dir).unwrap().clear(Some("iotpay")).unwrap();
}

/// A create whose outcome is unknown: the service tells it as an error that is not a
/// refusal, or as the order left open (either contract), never as refused or paid.
fn assert_create_unknown(answer: &paydesk_domain::error::Result<Order>, what: &str) {
    match answer {
        Err(e) => assert!(
            e.is_outcome_unknown() && !matches!(e, Error::GatewayRejected { .. }),
            "{what}: unknown, not a refusal: {e:?}"
        ),
        Ok(order) => assert!(
            matches!(order.status, OrderStatus::Created | OrderStatus::Pending),
            "{what}: the order stays open: {order:?}"
        ),
    }
}

/// The only order in the ledger (the test created one).
fn only_order(desk: &Paydesk) -> Order {
    let mut orders = desk.ledger().list(&Default::default()).unwrap();
    assert_eq!(orders.len(), 1, "{orders:?}");
    orders.remove(0)
}

async fn paid_order(desk: &Arc<Paydesk>, dir: &std::path::Path, amount: &str) -> Order {
    paid_at_iotpay(desk, dir, &input("wechat-qr", amount, None)).await
}

/// Item 1: a scanned payment code whose create is answered 0110 (third-party timeout) is
/// not refused: the order stays open, the customer confirms on their phone, and a later
/// query finds it paid. Fails on main: the sandbox ignored the fault and the adapter read
/// every FAIL as a refusal (a Failed order can never become Paid).
#[tokio::test(flavor = "multi_thread")]
async fn a_scanned_code_answered_0110_is_not_refused_and_a_later_query_finds_it_paid() {
    let (dir, desk) = desk().await;
    fault(
        dir.path(),
        "create_order",
        FaultKind::Code,
        Some(110),
        Some(1),
    );
    let answer = desk
        .create_order(
            &Acting::nobody(),
            &input("barcode", "8.80", Some("134567890123456780")),
        )
        .await;
    assert_create_unknown(&answer, "0110");
    let order = only_order(&desk);
    assert!(
        !matches!(order.status, OrderStatus::Failed | OrderStatus::Paid),
        "{order:?}"
    );
    let store = SandboxStore::open_in(dir.path()).unwrap();
    let at_gateway = store
        .find(&order.merchant_order_no)
        .unwrap()
        .expect("IOTPay created the order in spite of the timeout");
    assert_eq!(
        at_gateway.status, 1,
        "waiting for the customer's confirmation"
    );

    // The customer confirms on their phone; the next query finds it paid.
    store.settle(&order.merchant_order_no, true).unwrap();
    assert_eq!(desk.sync(order.id).await.unwrap().status, OrderStatus::Paid);
}

/// Item 1: 0010 (system error) and 0118 (database error) say nothing certain either: a QR
/// order stays open and payable.
#[tokio::test(flavor = "multi_thread")]
async fn creates_answered_0010_or_0118_stay_open_and_payable() {
    for code in [10, 118] {
        let (dir, desk) = desk().await;
        fault(
            dir.path(),
            "create_order",
            FaultKind::Code,
            Some(code),
            Some(1),
        );
        let answer = desk
            .create_order(&Acting::nobody(), &input("alipay-qr", "3.00", None))
            .await;
        assert_create_unknown(&answer, &code.to_string());
        let order = only_order(&desk);
        assert_ne!(order.status, OrderStatus::Failed, "{code}");
        settle_at_iotpay(dir.path(), &order.merchant_order_no, true);
        assert_eq!(
            desk.sync(order.id).await.unwrap().status,
            OrderStatus::Paid,
            "{code}"
        );
    }
}

/// Item 1, refunds: a refund answered 0110 stays pending (and counts against what can be
/// refunded), never failed: it may have been made. Fails on main: the refund was Failed and
/// its amount refundable again (a second refund of the same money).
#[tokio::test(flavor = "multi_thread")]
async fn a_refund_answered_0110_stays_pending_and_counts() {
    let (dir, desk) = desk().await;
    let order = paid_order(&desk, dir.path(), "10.00").await;
    fault(
        dir.path(),
        "refund_order",
        FaultKind::Code,
        Some(110),
        Some(1),
    );
    // Told as an error that is not a refusal, or as the refund left pending.
    match desk
        .refund(&Acting::nobody(), order.id, Some("6.00"), None)
        .await
    {
        Err(e) => assert!(e.is_outcome_unknown(), "{e:?}"),
        Ok((refund, _)) => assert_eq!(refund.status, RefundStatus::Pending, "{refund:?}"),
    }
    let refund = desk.ledger().refunds(order.id).unwrap().remove(0);
    assert_eq!(refund.status, RefundStatus::Pending, "{refund:?}");
    assert!(
        desk.refund(&Acting::nobody(), order.id, Some("4.01"), None)
            .await
            .is_err(),
        "the pending 6.00 still counts against the 10.00"
    );
}

/// Item 4: an answer with both codes SUCCESS and no `sign` is not an answer: a status-2
/// query answer stripped of its sign does not make the order paid. Fails on main (the sign
/// was checked only when present).
#[tokio::test(flavor = "multi_thread")]
async fn an_unsigned_paid_query_answer_is_not_paid() {
    let (dir, desk) = desk().await;
    let order = desk
        .create_order(&Acting::nobody(), &input("wechat-qr", "12.50", None))
        .await
        .unwrap();
    // Every query answer unsigned until cleared (the background watcher queries too).
    fault(dir.path(), "query_order", FaultKind::Unsigned, None, None);
    settle_at_iotpay(dir.path(), &order.merchant_order_no, true);
    let answer = desk.sync(order.id).await;
    assert!(
        matches!(&answer, Err(Error::GatewayProtocol { .. })),
        "{answer:?}"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        desk.ledger().get(order.id).unwrap().status,
        OrderStatus::Pending,
        "unsigned status 2 is not paid"
    );
    clear_faults(dir.path());
    assert_eq!(desk.sync(order.id).await.unwrap().status, OrderStatus::Paid);
}

/// Item 11: a genuine, correctly signed answer about ANOTHER (paid, smaller) order is not
/// this order's answer: the order is not marked paid. Fails on main (the status was applied
/// whatever order the answer named).
#[tokio::test(flavor = "multi_thread")]
async fn a_signed_answer_about_another_paid_order_does_not_pay_this_one() {
    let (dir, desk) = desk().await;
    let order = desk
        .create_order(&Acting::nobody(), &input("wechat-qr", "10.00", None))
        .await
        .unwrap();
    fault(dir.path(), "query_order", FaultKind::WrongOrder, None, None);
    let answer = desk.sync(order.id).await;
    match &answer {
        Err(Error::GatewayProtocol { message, .. }) => {
            assert!(message.contains("suspicious"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let kept = desk.ledger().get(order.id).unwrap();
    assert_eq!(kept.status, OrderStatus::Pending, "{kept:?}");
    assert_eq!(kept.refunded_minor, 0);
    clear_faults(dir.path());
    assert_eq!(
        desk.sync(order.id).await.unwrap().status,
        OrderStatus::Pending,
        "the order itself is still unpaid at the gateway"
    );
}

/// Item 8: ALIPAY_WAP is sent with the returnUrl (guide page "online_secure_pay") and the
/// osType (guide page "order") the vendor asks for, and the sandbox, like the vendor, takes
/// it only so.
#[tokio::test(flavor = "multi_thread")]
async fn an_alipay_web_order_carries_return_url_and_os_type() {
    let (dir, desk) = desk().await;
    let order = desk
        .create_order(&Acting::nobody(), &input("alipay-web", "5.00", None))
        .await
        .unwrap();
    assert!(order
        .payment_url
        .as_deref()
        .is_some_and(|u| u.contains("/pay/iotpay/")));
    let at_gateway = SandboxStore::open_in(dir.path())
        .unwrap()
        .find(&order.merchant_order_no)
        .unwrap()
        .unwrap();
    assert_eq!(at_gateway.channel_id, "ALIPAY_WAP");
}
