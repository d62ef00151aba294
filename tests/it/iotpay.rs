//! IOTPay through the adapters' real HTTP clients against the sandbox: every channel, cards,
//! refunds and voids, and the notification receiver.
//!
//! Past 600 lines: IOTPay v1 end to end over real HTTP, one test per documented outcome (QR,
//! scanned codes, links, refunds and their queries, notifications); kept as one gateway's book.

use paydesk_core::staff::Acting;
use std::sync::Arc;
use std::time::Duration;

use paydesk_core::notify::{receive_iotpay, NotifyReceiver, ACK, NACK};
use paydesk_core::payments::{CreateOrderInput, Paydesk};
use paydesk_domain::error::Error;
use paydesk_domain::money::{Currency, Money};
use paydesk_domain::order::{EventSource, Order, OrderStatus};
use paydesk_ledger::ledger::{RefundKind, RefundStatus};
use paydesk_sandbox::faults::FaultKind;
use paydesk_sandbox::{notifier, SandboxStore, CARD_APPROVE, CARD_DECLINE, CARD_TIMEOUT};
use serde_json::Value;

use crate::support::{
    answer_text, create_sandbox_order, order_create, paid_at_iotpay, paid_event,
    paydesk as paydesk_cmd, run, run_ok, sale_input, sandbox_desk as desk, sandbox_iotpay,
    sandbox_refunded, set_next_call_fault, stderr, stdout,
};

fn input(method: &str, amount: &str) -> CreateOrderInput {
    sale_input("iotpay", method, amount, "CAD")
}

async fn paid_order(
    desk: &Arc<Paydesk>,
    dir: &std::path::Path,
    method: &str,
    amount: &str,
) -> Order {
    paid_at_iotpay(desk, dir, &input(method, amount)).await
}

/// Submits the sandbox's card form, as a customer would.
async fn submit_card(secure_id_or_link: &str, number: &str, sandbox_base: &str) -> String {
    let url = if secure_id_or_link.starts_with("http") {
        secure_id_or_link.to_string()
    } else {
        format!("{sandbox_base}/card/iotpay/{secure_id_or_link}")
    };
    let page = reqwest::get(&url).await.unwrap();
    assert!(page.status().is_success(), "{url}");
    answer_text(
        reqwest::Client::new()
            .post(&url)
            .form(&[("cardNumber", number)]),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn scanned_payment_codes_pay_at_once_wait_or_are_declined() {
    let (dir, desk) = desk().await;
    let with_code = |code: &str| CreateOrderInput {
        code: Some(code.into()),
        ..input("barcode", "8.80")
    };

    let at_once = desk
        .create_order(&Acting::nobody(), &with_code("134567890123456780"))
        .await
        .unwrap();
    assert_eq!(
        at_once.status,
        OrderStatus::Paid,
        "confirmed by the query right after create"
    );
    let sandbox = SandboxStore::open_in(dir.path()).unwrap();
    assert_eq!(
        sandbox
            .find(&at_once.merchant_order_no)
            .unwrap()
            .unwrap()
            .channel_id,
        "WX_MICROPAY"
    );

    let waits = desk
        .create_order(&Acting::nobody(), &with_code("281234567890123457"))
        .await
        .unwrap();
    assert_eq!(waits.status, OrderStatus::Pending);
    assert_eq!(
        sandbox
            .find(&waits.merchant_order_no)
            .unwrap()
            .unwrap()
            .channel_id,
        "ALIPAY_MICROPAY"
    );
    sandbox.settle(&waits.merchant_order_no, true).unwrap();
    assert_eq!(desk.sync(waits.id).await.unwrap().status, OrderStatus::Paid);

    // The wallet refuses the code: IOTPay closes the order (status 4), a definite answer
    // the first query reads. On a scanned code that is the wallet's decline: the order
    // failed (no money), with the reason in its history, not a cancellation. (0111,
    // "third-party exception", says nothing certain: it is not how a decline is told.)
    let declined = desk
        .create_order(&Acting::nobody(), &with_code("6212345678901234569"))
        .await
        .unwrap();
    assert_eq!(declined.status, OrderStatus::Failed, "{declined:?}");
    assert_eq!(declined.gateway_status.as_deref(), Some("4"));
    let events = desk.ledger().events(declined.id).unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.note.as_deref() == Some("declined by the customer's wallet")),
        "{events:?}"
    );

    let not_a_code = desk
        .create_order(&Acting::nobody(), &with_code("hello"))
        .await;
    assert!(matches!(
        not_a_code,
        Err(Error::InvalidInput { field: "code", .. })
    ));
    assert_eq!(
        desk.ledger().list(&Default::default()).unwrap().len(),
        3,
        "a bad code writes nothing"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn web_links_and_app_parameters_come_from_each_channels_field() {
    let (_dir, desk) = desk().await;
    for method in [
        "alipay-web",
        "unionpay-web",
        "alipay-qr",
        "unionpay-qr",
        "wechat-qr",
    ] {
        let order = desk
            .create_order(&Acting::nobody(), &input(method, "5.00"))
            .await
            .unwrap();
        let url = order.payment_url.clone().unwrap_or_default();
        assert!(url.contains("/pay/iotpay/"), "{method}: {url}");
        assert_eq!(order.status, OrderStatus::Pending);
    }
    for method in ["wechat-app", "alipay-app", "unionpay-app"] {
        let order = desk
            .create_order(&Acting::nobody(), &input(method, "5.00"))
            .await
            .unwrap();
        assert!(order.payment_url.is_none(), "{method}");
        let params = &order.payment_payload.clone().unwrap()["payParams"];
        assert!(!params.is_null(), "{method}: {:?}", order.payment_payload);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn card_payments_through_the_hosted_page_and_the_embedded_form() {
    let (_dir, desk) = desk().await;
    let base = desk.sandbox().await.unwrap().base_url().to_string();

    let link = desk
        .create_order(&Acting::nobody(), &input("card-link", "20.00"))
        .await
        .unwrap();
    let page = link.payment_url.clone().unwrap();
    assert!(page.contains("/card/iotpay/"), "{page}");
    assert!(submit_card(&page, CARD_APPROVE, &base)
        .await
        .contains("Approved"));
    let link = desk.sync(link.id).await.unwrap();
    assert_eq!(link.status, OrderStatus::Paid);
    let last = desk.ledger().events(link.id).unwrap().pop().unwrap();
    assert!(
        last.note.unwrap_or_default().contains("424242******4242"),
        "the masked card is noted"
    );

    let embedded = desk
        .create_order(&Acting::nobody(), &input("card", "21.00"))
        .await
        .unwrap();
    let payload = embedded.payment_payload.clone().unwrap();
    let secure_id = payload["secureId"].as_str().unwrap();
    assert!(payload["scriptUrl"]
        .as_str()
        .unwrap()
        .ends_with("/iotpay/cc/iotpaycc.js"));
    let script = reqwest::get(payload["scriptUrl"].as_str().unwrap())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(script.contains("window.Iotpay") && script.contains("mount"));
    assert!(submit_card(secure_id, CARD_DECLINE, &base)
        .await
        .contains("Declined"));
    assert_eq!(
        desk.sync(embedded.id).await.unwrap().status,
        OrderStatus::Failed
    );

    let slow = desk
        .create_order(&Acting::nobody(), &input("card", "22.00"))
        .await
        .unwrap();
    let secure_id = slow.payment_payload.clone().unwrap()["secureId"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(submit_card(&secure_id, CARD_TIMEOUT, &base)
        .await
        .contains("Timeout"));
    assert_eq!(
        desk.sync(slow.id).await.unwrap().status,
        OrderStatus::Pending,
        "no answer from the bank is not a failure"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_card_is_charged_by_its_id() {
    let (_dir, desk) = desk().await;
    let base = desk.sandbox().await.unwrap().base_url().to_string();
    let form = desk.add_card("customer-42").await.unwrap();
    assert!(
        matches!(
            desk.query_card("customer-42").await,
            Err(Error::GatewayRejected { .. })
        ),
        "no number entered yet"
    );
    assert!(
        submit_card(form["redirectUrl"].as_str().unwrap(), CARD_APPROVE, &base)
            .await
            .contains("Card saved")
    );
    assert_eq!(
        desk.query_card("customer-42").await.unwrap()["cardNum"],
        "424242******4242"
    );

    let charge = CreateOrderInput {
        card_id: Some("customer-42".into()),
        ..input("card-token", "9.99")
    };
    let order = desk.create_order(&Acting::nobody(), &charge).await.unwrap();
    assert_eq!(order.status, OrderStatus::Paid);
    let unknown = CreateOrderInput {
        card_id: Some("nobody".into()),
        ..input("card-token", "9.99")
    };
    assert!(matches!(
        desk.create_order(&Acting::nobody(), &unknown).await,
        Err(Error::GatewayRejected { .. })
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn partial_refunds_add_up_to_the_paid_amount_and_no_further() {
    let (dir, desk) = desk().await;
    let order = paid_order(&desk, dir.path(), "wechat-qr", "10.00").await;

    let (refund, after) = desk
        .refund(
            &Acting::nobody(),
            order.id,
            Some("3.00"),
            Some("one item back"),
        )
        .await
        .unwrap();
    assert_eq!(refund.status, RefundStatus::Succeeded);
    assert_eq!(after.status, OrderStatus::PartiallyRefunded);
    assert_eq!(after.refunded_minor, 300);
    let (_, after) = desk
        .refund(&Acting::nobody(), order.id, Some("4.00"), None)
        .await
        .unwrap();
    assert_eq!(after.status, OrderStatus::PartiallyRefunded);

    // 3.00 is left: more is refused before any call, and nothing is reserved.
    let too_much = desk
        .refund(&Acting::nobody(), order.id, Some("3.01"), None)
        .await;
    match too_much {
        Err(Error::InvalidInput {
            field: "amount",
            message,
        }) => assert!(message.contains("3.00"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(desk.ledger().refunds(order.id).unwrap().len(), 2);
    assert_eq!(
        sandbox_refunded(dir.path(), &order.merchant_order_no),
        700,
        "the gateway saw two refunds only"
    );

    let (_, after) = desk
        .refund(&Acting::nobody(), order.id, None, None)
        .await
        .unwrap();
    assert_eq!(after.status, OrderStatus::Refunded);
    assert_eq!(after.refunded_minor, 1000);
    assert!(desk
        .refund(&Acting::nobody(), order.id, Some("0.01"), None)
        .await
        .is_err());
}

/// Switches on one fault for the next IOTPay v1 `call`.
fn fault_once(dir: &std::path::Path, call: &str, kind: FaultKind) {
    set_next_call_fault(dir, "iotpay", call, kind, None);
}

/// A refund whose answer was lost stays pending (and counts), and is resent under its own
/// mchRefundNo: the gateway recognises it, so the customer is refunded once.
#[tokio::test(flavor = "multi_thread")]
async fn a_refund_whose_answer_was_lost_is_resent_under_the_same_number() {
    let (dir, desk) = desk().await;
    let order = paid_order(&desk, dir.path(), "wechat-qr", "10.00").await;
    fault_once(dir.path(), "refund_order", FaultKind::Truncated);
    let (told, _) = desk
        .refund(&Acting::nobody(), order.id, Some("6.00"), None)
        .await
        .unwrap();
    assert_eq!(
        told.status,
        RefundStatus::Pending,
        "a lost answer is not a failure"
    );
    let pending = desk.ledger().refunds(order.id).unwrap();
    assert_eq!(pending[0].status, RefundStatus::Pending);
    assert!(
        desk.refund(&Acting::nobody(), order.id, Some("4.01"), None)
            .await
            .is_err(),
        "the pending 6.00 counts against the 10.00"
    );

    let after = desk.retry_reversals(order.id).await.unwrap();
    assert_eq!(
        (after.status, after.refunded_minor),
        (OrderStatus::PartiallyRefunded, 600)
    );
    let refunds = desk.ledger().refunds(order.id).unwrap();
    assert_eq!(
        (refunds.len(), refunds[0].status),
        (1, RefundStatus::Succeeded)
    );
    assert_eq!(
        sandbox_refunded(dir.path(), &order.merchant_order_no),
        600,
        "refunded once, not twice"
    );
}

/// A resend the gateway refuses leaves the refund pending with the refusal noted (the first
/// send may have gone through); the owner settles it from the gateway's records, and a
/// settled refund cannot be settled again. Query Refund is down meanwhile (a 500): where it
/// answers, it settles the refund before any resend (see the Query Refund tests).
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_resend_leaves_the_refund_to_the_owner_who_settles_it() {
    let (dir, desk) = desk().await;
    let order = paid_order(&desk, dir.path(), "alipay-qr", "10.00").await;
    fault_once(dir.path(), "refund_order", FaultKind::Http500);
    let (told, _) = desk
        .refund(&Acting::nobody(), order.id, Some("6.00"), None)
        .await
        .unwrap();
    assert_eq!(told.status, RefundStatus::Pending);
    let pending = desk.ledger().refunds(order.id).unwrap().remove(0);
    assert_eq!(pending.status, RefundStatus::Pending);

    // Meanwhile the gateway refunded 5.00 of it another way (its merchant portal), so the
    // resend of 6.00 exceeds what it has left.
    let direct = sandbox_iotpay(&desk, Duration::from_secs(30)).await;
    direct
        .refund_order(
            order.gateway_order_id.as_deref().unwrap(),
            "RFPORTAL1",
            Money::parse("5.00", Currency::parse("CAD").unwrap()).unwrap(),
        )
        .await
        .unwrap();

    fault_once(dir.path(), "query_refund", FaultKind::Http500);
    match desk.retry_reversals(order.id).await {
        Err(Error::GatewayRejected { message, .. }) => {
            assert!(message.contains("exceeds"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    let kept = desk.ledger().refund_by_no(&pending.refund_no).unwrap();
    assert_eq!(kept.status, RefundStatus::Pending, "not failed: unknown");
    assert!(
        kept.reason
            .as_deref()
            .unwrap_or_default()
            .contains("resend refused"),
        "{kept:?}"
    );
    assert_eq!(desk.ledger().get(order.id).unwrap().refunded_minor, 0);

    let (settled, after) = desk
        .settle_reversal(&Acting::nobody(), &pending.refund_no, false)
        .unwrap();
    assert_eq!(settled.status, RefundStatus::Failed);
    assert_eq!((after.status, after.refunded_minor), (OrderStatus::Paid, 0));
    assert!(matches!(
        desk.settle_reversal(&Acting::nobody(), &pending.refund_no, true),
        Err(Error::InvalidInput {
            field: "refund",
            ..
        })
    ));
    assert!(matches!(
        desk.settle_reversal(&Acting::nobody(), "RFNOSUCH", true),
        Err(Error::InvalidInput {
            field: "refund",
            ..
        })
    ));
    // Its 6.00 is refundable again in the ledger (the gateway now has 5.00 left of it).
    let (_, after) = desk
        .refund(&Acting::nobody(), order.id, Some("5.00"), None)
        .await
        .unwrap();
    assert_eq!(after.refunded_minor, 500);
}

/// The owner confirms from the gateway's records that a refund with a lost answer went
/// through: counted as refunded, with an event from the user.
#[tokio::test(flavor = "multi_thread")]
async fn the_owner_settles_a_refund_that_went_through() {
    let (dir, desk) = desk().await;
    let order = paid_order(&desk, dir.path(), "wechat-qr", "10.00").await;
    fault_once(dir.path(), "refund_order", FaultKind::Truncated);
    let (told, _) = desk
        .refund(&Acting::nobody(), order.id, None, None)
        .await
        .unwrap();
    assert_eq!(told.status, RefundStatus::Pending);
    let pending = desk.ledger().refunds(order.id).unwrap().remove(0);
    let (settled, after) = desk
        .settle_reversal(&Acting::nobody(), &pending.refund_no, true)
        .unwrap();
    assert_eq!(settled.status, RefundStatus::Succeeded);
    assert_eq!(
        (after.status, after.refunded_minor),
        (OrderStatus::Refunded, 1000)
    );
    let last = desk.ledger().events(order.id).unwrap().pop().unwrap();
    assert_eq!(
        (last.to_status, last.source),
        (OrderStatus::Refunded, EventSource::User)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn two_refunds_racing_cannot_exceed_what_was_paid() {
    let (dir, desk) = desk().await;
    let order = paid_order(&desk, dir.path(), "alipay-qr", "10.00").await;
    let nobody = Acting::nobody();
    let (a, b) = tokio::join!(
        desk.refund(&nobody, order.id, Some("6.00"), None),
        desk.refund(&nobody, order.id, Some("6.00"), None)
    );
    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{a:?} {b:?}"
    );
    let order = desk.ledger().get(order.id).unwrap();
    assert_eq!(order.refunded_minor, 600);
    assert_eq!(sandbox_refunded(dir.path(), &order.merchant_order_no), 600);
}

#[tokio::test(flavor = "multi_thread")]
async fn card_payments_void_before_settlement_and_wallet_payments_cannot() {
    let (dir, desk) = desk().await;
    let base = desk.sandbox().await.unwrap().base_url().to_string();
    let card = desk
        .create_order(&Acting::nobody(), &input("card-link", "15.00"))
        .await
        .unwrap();
    submit_card(card.payment_url.as_deref().unwrap(), CARD_APPROVE, &base).await;
    desk.sync(card.id).await.unwrap();
    let (void, after) = desk
        .void(
            &Acting::nobody(),
            card.id,
            Some("customer changed their mind"),
        )
        .await
        .unwrap();
    assert_eq!(void.kind, RefundKind::Void);
    assert_eq!(after.status, OrderStatus::Voided);

    let wallet = paid_order(&desk, dir.path(), "wechat-qr", "2.00").await;
    assert!(matches!(
        desk.void(&Acting::nobody(), wallet.id, None).await,
        Err(Error::InvalidInput { .. })
    ));
    assert!(desk.ledger().refunds(wallet.id).unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_verified_notification_is_acknowledged_then_the_order_is_re_queried() {
    let (dir, desk) = desk().await;
    let receiver = NotifyReceiver::start(desk.clone(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let order = desk
        .create_order(&Acting::nobody(), &input("wechat-qr", "12.50"))
        .await
        .unwrap();
    let store = SandboxStore::open_in(dir.path()).unwrap();
    let sandbox_order = store.find(&order.merchant_order_no).unwrap().unwrap();
    assert!(
        sandbox_order.notify_url.starts_with(receiver.base_url()),
        "{}",
        sandbox_order.notify_url
    );

    let paid = store.settle(&order.merchant_order_no, true).unwrap();
    assert!(
        notifier::deliver(&store, &paid, 1, Duration::ZERO).await,
        "the receiver answers success"
    );
    assert_eq!(
        store
            .find(&order.merchant_order_no)
            .unwrap()
            .unwrap()
            .status,
        3,
        "IOTPay: paid and merchant notified"
    );
    let paid = paid_event(&desk, order.id).await;
    assert!(matches!(
        paid.source,
        EventSource::Notify | EventSource::Poll
    ));
    let kept = desk.ledger().notifications().unwrap();
    assert_eq!(kept, vec![(true, "accepted".to_string(), Some(order.id))]);
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_replayed_and_unknown_notifications_change_nothing() {
    let (dir, desk) = desk().await;
    let order = desk
        .create_order(&Acting::nobody(), &input("wechat-qr", "12.50"))
        .await
        .unwrap();
    let store = SandboxStore::open_in(dir.path()).unwrap();
    let sandbox_order = store.find(&order.merchant_order_no).unwrap().unwrap();
    let form = |fields: &serde_json::Map<String, Value>| {
        let pairs: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect();
        serde_urlencoded::to_string(pairs).unwrap().into_bytes()
    };

    // Altered: claims paid for more money than the signature covers. The order is unpaid.
    let mut forged = notifier::notify_fields(&store, &sandbox_order);
    forged.insert("amount".into(), Value::String("999999".into()));
    assert_eq!(
        receive_iotpay(&desk, &form(&forged), false).await.unwrap(),
        NACK
    );
    let mut unsigned = notifier::notify_fields(&store, &sandbox_order);
    unsigned.remove("sign");
    assert_eq!(
        receive_iotpay(&desk, &form(&unsigned), false)
            .await
            .unwrap(),
        NACK
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        desk.ledger().get(order.id).unwrap().status,
        OrderStatus::Pending,
        "a forged notify moves nothing"
    );

    // Unknown order, properly signed: not ours, not acknowledged.
    let mut other = sandbox_order.clone();
    other.mch_order_no = "PDNOTOURS".into();
    assert_eq!(
        receive_iotpay(
            &desk,
            &form(&notifier::notify_fields(&store, &other)),
            false
        )
        .await
        .unwrap(),
        NACK
    );

    // Genuine, then replayed: both acknowledged, recorded as accepted once.
    let genuine = form(&notifier::notify_fields(&store, &sandbox_order));
    assert_eq!(receive_iotpay(&desk, &genuine, false).await.unwrap(), ACK);
    assert_eq!(receive_iotpay(&desk, &genuine, false).await.unwrap(), ACK);
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The sandbox still says unpaid: the notification alone did not make it paid.
    assert_eq!(
        desk.ledger().get(order.id).unwrap().status,
        OrderStatus::Pending
    );

    let outcomes: Vec<(bool, String)> = desk
        .ledger()
        .notifications()
        .unwrap()
        .into_iter()
        .map(|(v, o, _)| (v, o))
        .collect();
    assert_eq!(
        outcomes,
        vec![
            // The altered amount is caught before the signature is checked: not this order's.
            (
                false,
                "suspicious: amount \"999999\" is not 1250 (cents)".to_string()
            ),
            (false, "bad signature".to_string()),
            (false, "unknown order".to_string()),
            (true, "accepted".to_string()),
            (true, "accepted".to_string()),
        ]
    );
    let moved_by_notify = desk
        .ledger()
        .events(order.id)
        .unwrap()
        .into_iter()
        .filter(|e| e.source == EventSource::Notify && e.from_status != Some(e.to_status))
        .count();
    assert_eq!(
        moved_by_notify, 0,
        "the re-query after the notification found the order still unpaid"
    );
}

#[test]
fn the_cli_refunds_voids_and_lists_every_iotpay_method() {
    let dir = tempfile::tempdir().unwrap();
    let help = run(&mut paydesk_cmd(dir.path(), &["order", "create", "--help"]));
    let text = stdout(&help);
    for method in [
        "wechat-qr",
        "alipay-qr",
        "unionpay-qr",
        "barcode",
        "alipay-web",
        "unionpay-web",
        "card-link",
        "card-token",
        "card",
    ] {
        assert!(text.contains(method), "--help lists {method}");
    }
    let created = run(&mut paydesk_cmd(
        dir.path(),
        &order_create(
            "iotpay",
            "barcode",
            "4.00",
            &["--code", "134567890123456780", "--json"],
        ),
    ));
    assert!(created.status.success(), "{}", stderr(&created));
    let order: Value = serde_json::from_str(&stdout(&created)).unwrap();
    assert_eq!(order["order"]["status"], "paid");
    let id = order["order"]["id"].to_string();

    let refunded = run(&mut paydesk_cmd(
        dir.path(),
        &["order", "refund", &id, "--amount", "1.50", "--json"],
    ));
    assert!(refunded.status.success(), "{}", stderr(&refunded));
    let detail: Value = serde_json::from_str(&stdout(&refunded)).unwrap();
    assert_eq!(detail["order"]["status"], "partially_refunded");
    assert_eq!(detail["refunds"][0]["amountMinor"], 150);

    let too_much = run(&mut paydesk_cmd(
        dir.path(),
        &["order", "refund", &id, "--amount", "9.00"],
    ));
    assert_eq!(too_much.status.code(), Some(2), "{}", stderr(&too_much));
    assert!(stderr(&too_much).contains("more than can be refunded"));

    let void = run(&mut paydesk_cmd(dir.path(), &["order", "void", &id]));
    assert_eq!(
        void.status.code(),
        Some(2),
        "a wallet payment cannot be voided: {}",
        stderr(&void)
    );
}

/// From the CLI: a refund whose answer was lost is resent, and one still unknown is settled
/// by the owner; a wrong refund number or outcome is bad input (exit 2).
#[test]
fn the_cli_resends_and_settles_refunds_whose_outcome_is_unknown() {
    let dir = tempfile::tempdir().unwrap();
    // A paid WeChat QR order: created, paid by the sandbox's customer, synced.
    let create = |amount: &str| -> String {
        let id = create_sandbox_order(dir.path(), "wechat-qr", amount)["id"].to_string();
        run_ok(&mut paydesk_cmd(dir.path(), &["sandbox", "pay", &id]));
        run_ok(&mut paydesk_cmd(dir.path(), &["order", "sync", &id]));
        id
    };
    let lost_refund = |id: &str| -> String {
        fault_once(dir.path(), "refund_order", FaultKind::Truncated);
        let refund = run(&mut paydesk_cmd(dir.path(), &["order", "refund", id]));
        // Told about the pending refund, not a failure.
        assert_eq!(refund.status.code(), Some(0), "{}", stderr(&refund));
        let shown = run(&mut paydesk_cmd(
            dir.path(),
            &["order", "show", id, "--json"],
        ));
        let detail: Value = serde_json::from_str(&stdout(&shown)).unwrap();
        assert_eq!(detail["refunds"][0]["status"], "pending");
        detail["refunds"][0]["refundNo"]
            .as_str()
            .unwrap()
            .to_string()
    };

    let first = create("4.00");
    lost_refund(&first);
    let resent = run(&mut paydesk_cmd(
        dir.path(),
        &["order", "resend-refunds", &first, "--json"],
    ));
    assert!(resent.status.success(), "{}", stderr(&resent));
    let detail: Value = serde_json::from_str(&stdout(&resent)).unwrap();
    assert_eq!(detail["refunds"][0]["status"], "succeeded");
    assert_eq!(detail["order"]["status"], "refunded");

    let second = create("3.00");
    let refund_no = lost_refund(&second);
    let doctor = |dir: &std::path::Path| stdout(&run(&mut paydesk_cmd(dir, &["doctor"])));
    assert!(
        doctor(dir.path()).contains(&format!("refunds with no answer: {refund_no}")),
        "{}",
        doctor(dir.path())
    );
    for (args, problem) in [
        (vec!["RFNOSUCH", "--outcome", "done"], "RFNOSUCH"),
        (vec![refund_no.as_str(), "--outcome", "maybe"], "maybe"),
    ] {
        let bad = run(&mut paydesk_cmd(
            dir.path(),
            &[&["order", "settle-refund"][..], &args].concat(),
        ));
        assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
        assert!(stderr(&bad).contains(problem), "{}", stderr(&bad));
    }
    let settled = run(&mut paydesk_cmd(
        dir.path(),
        &[
            "order",
            "settle-refund",
            &refund_no,
            "--outcome",
            "done",
            "--json",
        ],
    ));
    assert!(settled.status.success(), "{}", stderr(&settled));
    let detail: Value = serde_json::from_str(&stdout(&settled)).unwrap();
    assert_eq!(detail["refunds"][0]["status"], "succeeded");
    assert_eq!(detail["order"]["refundedMinor"], 300);
    assert!(!doctor(dir.path()).contains("refunds with no answer"));
}

fn cad(text: &str) -> Money {
    Money::parse(text, Currency::parse("CAD").unwrap()).unwrap()
}

fn fault_with(dir: &std::path::Path, call: &str, kind: FaultKind, value: Option<i64>) {
    set_next_call_fault(dir, "iotpay", call, kind, value);
}

/// Item 8 (Query Refund): a refund whose answer was lost (the work was done, the answer came
/// after the client gave up) is settled by Query Refund under our mchRefundNo, not by hand.
#[tokio::test(flavor = "multi_thread")]
async fn a_refund_whose_answer_was_lost_is_settled_by_query_refund() {
    let (dir, desk) = desk().await;
    let order = paid_order(&desk, dir.path(), "alipay-qr", "10.00").await;
    let pay_order_id = order.gateway_order_id.clone().unwrap();
    let client = sandbox_iotpay(&desk, Duration::from_millis(400)).await;
    fault_with(
        dir.path(),
        "refund_order",
        FaultKind::LateAnswer,
        Some(1500),
    );
    let lost = client
        .refund_order(&pay_order_id, "RFLOST1", cad("4.00"))
        .await;
    assert!(
        matches!(lost, Err(Error::GatewayUnreachable { .. })),
        "{lost:?}"
    );
    assert_eq!(sandbox_refunded(dir.path(), &order.merchant_order_no), 400);

    let settled = client.query_refund("RFLOST1", cad("4.00")).await.unwrap();
    assert_eq!(settled.gateway_status.as_deref(), Some("2"));
    assert!(settled.gateway_refund_id.is_some());
    // About another amount than ours: not this refund's answer.
    match client.query_refund("RFLOST1", cad("3.00")).await {
        Err(Error::GatewayProtocol { message, .. }) => {
            assert!(message.contains("suspicious"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    // A number IOTPay never took: definitely not refunded.
    assert!(matches!(
        client.query_refund("RFNEVER1", cad("1.00")).await,
        Err(Error::GatewayRejected { code, .. }) if code == "0112"
    ));
    // An unsigned answer is no answer.
    fault_with(dir.path(), "query_refund", FaultKind::Unsigned, None);
    assert!(matches!(
        client.query_refund("RFLOST1", cad("4.00")).await,
        Err(Error::GatewayProtocol { .. })
    ));
}

/// Query Refund of a refund the wallet has not decided: pending (unknown) until it is, then
/// refunded or definitely failed; never a guess.
#[tokio::test(flavor = "multi_thread")]
async fn a_pending_refund_is_settled_by_query_refund_as_it_ends() {
    let (dir, desk) = desk().await;
    let order = paid_order(&desk, dir.path(), "wechat-qr", "10.00").await;
    let pay_order_id = order.gateway_order_id.clone().unwrap();
    let client = sandbox_iotpay(&desk, Duration::from_secs(10)).await;
    for (no, ends_well) in [("RFPEND1", 1), ("RFPEND0", 0)] {
        fault_with(
            dir.path(),
            "refund_order",
            FaultKind::Pending,
            Some(ends_well),
        );
        match client.refund_order(&pay_order_id, no, cad("2.00")).await {
            Err(Error::GatewayPending { status, .. }) => assert_eq!(status, "0110"),
            other => panic!("{no}: {other:?}"),
        }
        match client.query_refund(no, cad("2.00")).await {
            Err(Error::GatewayPending { status, .. }) => assert_eq!(status, "1"),
            other => panic!("{no}: {other:?}"),
        }
        let ended = client.query_refund(no, cad("2.00")).await;
        if ends_well == 1 {
            assert_eq!(ended.unwrap().gateway_status.as_deref(), Some("2"));
        } else {
            assert!(
                matches!(&ended, Err(Error::GatewayRejected { code, .. }) if code == "9"),
                "{ended:?}"
            );
        }
    }
    assert_eq!(
        sandbox_refunded(dir.path(), &order.merchant_order_no),
        200,
        "the declined refund's 2.00 went back"
    );
}

/// Item 11, at the adapter: the query answer must be about the order asked, amount and
/// currency included.
#[tokio::test(flavor = "multi_thread")]
async fn a_query_answer_must_name_the_order_and_its_amount() {
    let (dir, desk) = desk().await;
    let order = desk
        .create_order(&Acting::nobody(), &input("alipay-qr", "10.00"))
        .await
        .unwrap();
    let client = sandbox_iotpay(&desk, Duration::from_secs(10)).await;
    let ours = client
        .query_order(&order.merchant_order_no, &[cad("10.00")])
        .await
        .unwrap();
    assert!(matches!(ours, paydesk_gateways::Lookup::Found(_)));
    for (amount, kind) in [("9.99", None), ("10.00", Some(FaultKind::WrongOrder))] {
        if let Some(kind) = kind {
            fault_with(dir.path(), "query_order", kind, None);
        }
        match client
            .query_order(&order.merchant_order_no, &[cad(amount)])
            .await
        {
            Err(Error::GatewayProtocol { message, .. }) => {
                assert!(message.contains("suspicious"), "{message}")
            }
            other => panic!("{amount} {kind:?}: {other:?}"),
        }
    }
    assert_eq!(
        client
            .query_order("PDNEVERMADE", &[cad("1.00")])
            .await
            .unwrap(),
        paydesk_gateways::Lookup::Missing
    );
}

/// Item 8: without the setting ALIPAY_WAP needs, the create is refused before anything is
/// sent, naming the field (prepare, then send).
#[tokio::test(flavor = "multi_thread")]
async fn an_alipay_web_create_without_return_url_is_refused_before_sending() {
    let (dir, desk) = desk().await;
    let client = sandbox_iotpay(&desk, Duration::from_secs(10)).await;
    let request = paydesk_gateways::CreateRequest {
        merchant_order_no: "PDNORETURN1",
        method: paydesk_domain::order::Method::AlipayWeb,
        amount: cad("5.00"),
        description: "no return page",
        payment_code: None,
        card_id: None,
    };
    assert!(matches!(
        client.create_order(&request).await,
        Err(Error::InvalidInput {
            field: "returnUrl",
            ..
        })
    ));
    assert!(SandboxStore::open_in(dir.path())
        .unwrap()
        .find("PDNORETURN1")
        .unwrap()
        .is_none());
}
