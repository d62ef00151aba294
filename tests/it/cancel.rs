//! Cancelling a waiting sale (the counter's "Cancel sale", `paydesk order cancel`): at the
//! gateway where it documents a call for it (SmartPay cancelOrRefund), in Paydesk only
//! elsewhere, with a payment that still arrives recorded as paid and flagged for a refund;
//! anything not waiting is refused with nothing changed.

use paydesk_core::payments::{CreateOrderInput, PAID_AFTER_CANCEL};
use paydesk_core::staff::Acting;
use paydesk_domain::error::Error;
use paydesk_domain::order::{EventSource, OrderStatus};
use paydesk_sandbox::faults::FaultKind;
use paydesk_sandbox::SandboxStore;

use crate::support::{
    create_sandbox_order, json, last_event, paydesk, run, run_ok, sale_input, sandbox_desk as desk,
    set_next_call_fault, settle_at_iotpay, stderr,
};

fn smartpay(amount: &str) -> CreateOrderInput {
    sale_input("smartpay", "smartpay-card", amount, "EUR")
}

fn iotpay_qr(amount: &str) -> CreateOrderInput {
    sale_input("iotpay", "wechat-qr", amount, "CAD")
}

fn not_waiting(result: paydesk_domain::error::Result<paydesk_domain::order::Order>) {
    match result {
        Err(e) => assert_eq!((e.code(), e.field()), ("not_waiting", Some("order")), "{e}"),
        Ok(order) => panic!("cancelled {order:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_waiting_smartpay_sale_is_cancelled_in_the_ledger_and_at_smartpay() {
    let (dir, desk) = desk().await;
    let order = desk
        .create_order(&Acting::nobody(), &smartpay("12.00"))
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Pending);

    let cancelled = desk.cancel(&Acting::nobody(), order.id).await.unwrap();
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    let events = desk.ledger().events(order.id).unwrap();
    let last = events.last().unwrap();
    assert_eq!(
        (last.to_status, last.source),
        (OrderStatus::Cancelled, EventSource::User)
    );
    assert!(
        last.note
            .as_deref()
            .unwrap_or_default()
            .contains("the gateway closed it"),
        "{last:?}"
    );

    // SmartPay has it cancelled: the customer can no longer pay it.
    let store = SandboxStore::open_in(dir.path()).unwrap();
    let at_smartpay = store
        .smartpay_payment(&order.merchant_order_no)
        .unwrap()
        .unwrap();
    assert_eq!(at_smartpay.status, "CANCELLED");
    let modifications = store
        .smartpay_modifications(&at_smartpay.transaction_id)
        .unwrap();
    assert_eq!(modifications.len(), 1, "{modifications:?}");
    let tried = store
        .smartpay_settle(&order.merchant_order_no, true)
        .unwrap()
        .unwrap();
    assert_eq!(
        tried.status, "CANCELLED",
        "a cancelled checkout cannot be paid"
    );
    let asked = desk.sync(order.id).await.unwrap();
    assert_eq!(asked.status, OrderStatus::Cancelled);
    assert!(!desk.still_followed(&asked), "nothing left to watch");

    // A second cancel is refused and changes nothing.
    let before = desk.ledger().events(order.id).unwrap().len();
    not_waiting(desk.cancel(&Acting::nobody(), order.id).await);
    assert_eq!(desk.ledger().events(order.id).unwrap().len(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn smartpay_refusing_the_cancel_leaves_the_sale_waiting() {
    let (dir, desk) = desk().await;
    let order = desk
        .create_order(&Acting::nobody(), &smartpay("7.00"))
        .await
        .unwrap();
    set_next_call_fault(
        dir.path(),
        "smartpay",
        "cancelOrRefund",
        FaultKind::Refuse,
        None,
    );
    let refused = desk.cancel(&Acting::nobody(), order.id).await;
    assert!(
        matches!(refused, Err(Error::GatewayRejected { .. })),
        "{refused:?}"
    );
    assert_eq!(
        desk.ledger().get(order.id).unwrap().status,
        OrderStatus::Pending,
        "still waiting: the cashier sees why and decides"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_iotpay_qr_sale_cancelled_in_paydesk_and_paid_later_is_paid_with_a_note_to_refund_it() {
    let (dir, desk) = desk().await;
    let order = desk
        .create_order(&Acting::nobody(), &iotpay_qr("9.50"))
        .await
        .unwrap();
    let cancelled = desk.cancel(&Acting::nobody(), order.id).await.unwrap();
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    let note = last_event(&desk, order.id).note;
    assert!(
        note.as_deref()
            .unwrap_or_default()
            .contains("cancelled in Paydesk only"),
        "{note:?}"
    );
    // IOTPay v1 has no call to close it: it stays followed while WeChat can take the payment.
    assert!(desk.still_followed(&cancelled));

    // The customer had the QR on their phone and pays anyway.
    settle_at_iotpay(dir.path(), &order.merchant_order_no, true);
    let paid = desk.sync(order.id).await.unwrap();
    assert_eq!(paid.status, OrderStatus::Paid);
    let last = last_event(&desk, order.id);
    assert_eq!(
        (last.from_status, last.to_status),
        (Some(OrderStatus::Cancelled), OrderStatus::Paid)
    );
    assert!(
        last.note
            .as_deref()
            .unwrap_or_default()
            .starts_with(PAID_AFTER_CANCEL),
        "{last:?}"
    );
    // The owner's notice of money that arrived for a sale the counter let go.
    assert!(desk
        .late_payments()
        .unwrap()
        .iter()
        .any(|l| l.order.id == order.id && l.note == PAID_AFTER_CANCEL));
}

#[test]
fn paydesk_order_cancel_then_a_payment_is_found_by_reconcile() {
    let dir = tempfile::tempdir().unwrap();
    let order = create_sandbox_order(dir.path(), "alipay-qr", "4.25");
    let no = order["merchantOrderNo"].as_str().unwrap().to_string();
    let cancelled = json(&run_ok(&mut paydesk(
        dir.path(),
        &["order", "cancel", &no, "--json"],
    )));
    assert_eq!(cancelled["order"]["status"], "cancelled", "{cancelled}");

    run_ok(&mut paydesk(dir.path(), &["sandbox", "pay", &no]));
    let report = json(&run_ok(&mut paydesk(dir.path(), &["reconcile", "--json"])));
    let line = report["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["merchantOrderNo"] == no.as_str())
        .unwrap_or_else(|| panic!("reconcile did not ask about the cancelled sale: {report}"))
        .clone();
    assert_eq!(
        (&line["before"], &line["after"]),
        (&"cancelled".into(), &"paid".into()),
        "{line}"
    );

    let shown = json(&run_ok(&mut paydesk(
        dir.path(),
        &["order", "show", &no, "--json"],
    )));
    assert_eq!(shown["order"]["status"], "paid");
    let last = shown["events"].as_array().unwrap().last().unwrap().clone();
    assert!(
        last["note"]
            .as_str()
            .unwrap_or_default()
            .starts_with(PAID_AFTER_CANCEL),
        "{last}"
    );
}

#[test]
fn cancelling_a_paid_order_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let order = create_sandbox_order(dir.path(), "wechat-qr", "3.00");
    let no = order["merchantOrderNo"].as_str().unwrap().to_string();
    run_ok(&mut paydesk(dir.path(), &["sandbox", "pay", &no]));
    let before = json(&run_ok(&mut paydesk(
        dir.path(),
        &["order", "sync", &no, "--json"],
    )));
    assert_eq!(before["order"]["status"], "paid");

    let output = run(&mut paydesk(
        dir.path(),
        &["order", "cancel", &no, "--json"],
    ));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("not_waiting"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("only a sale still waiting for its payment can be cancelled"),
        "{}",
        stderr(&output)
    );
    let after = json(&run_ok(&mut paydesk(
        dir.path(),
        &["order", "show", &no, "--json"],
    )));
    assert_eq!(after["order"]["status"], "paid");
    assert_eq!(after["events"], before["events"], "nothing written");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_or_failed_order_is_not_cancelled() {
    let (dir, desk) = desk().await;
    let order = desk
        .create_order(&Acting::nobody(), &iotpay_qr("2.00"))
        .await
        .unwrap();
    settle_at_iotpay(dir.path(), &order.merchant_order_no, false);
    let ended = desk.sync(order.id).await.unwrap();
    assert!(ended.status.is_settled(), "{ended:?}");
    not_waiting(desk.cancel(&Acting::nobody(), order.id).await);
    assert_eq!(desk.ledger().get(order.id).unwrap().status, ended.status);
}
