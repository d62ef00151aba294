//! IOTPay V3 cards against the sandbox, for issue 11 ("never wrong about money"): refunds and
//! voids answered pending or unknown stay pending and settle by a query of the refund number
//! (item 2), unsigned answers are not answers (item 4), a login name V3 cannot take stops only
//! the card calls (item 7), the V3 notifier wants `SUCCESS` (item 8), and a query answer must
//! be about the order asked (item 11).

use paydesk_core::staff::Acting;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use paydesk_core::payments::{CreateOrderInput, Paydesk};
use paydesk_domain::error::Error;
use paydesk_domain::money::{Currency, Money};
use paydesk_domain::order::{Method, Order, OrderStatus};
use paydesk_gateways::iotpay::{Iotpay, IotpayConfig};
use paydesk_gateways::iotpay_card::{IotpayCard, IotpayCardConfig};
use paydesk_gateways::{CreateRequest, Lookup};
use paydesk_ledger::ledger::{RefundKind, RefundStatus};
use paydesk_sandbox::{
    SandboxStore, CARD_APPROVE, SANDBOX_LOGIN_NAME, SANDBOX_MCH_ID, SANDBOX_MERCHANT_KEY,
};
use paydesk_secrets::vault::Sensitive;
use serde_json::{json, Value};

use crate::support::{answer_text, sale_input, sandbox_desk as desk, sandbox_refunded};

fn input(method: &str, amount: &str) -> CreateOrderInput {
    sale_input("iotpay", method, amount, "CAD")
}

fn cad(text: &str) -> Money {
    Money::parse(text, Currency::CAD).unwrap()
}

async fn sandbox_base(desk: &Paydesk) -> String {
    desk.sandbox().await.unwrap().base_url().to_string()
}

/// Submits the sandbox's card form, as a customer would.
async fn submit_card(link: &str, number: &str) -> String {
    let page = reqwest::get(link).await.unwrap();
    assert!(page.status().is_success(), "{link}");
    answer_text(
        reqwest::Client::new()
            .post(link)
            .form(&[("cardNumber", number)]),
    )
    .await
}

/// A card-link order the customer paid, synced to Paid.
async fn paid_card_order(desk: &Arc<Paydesk>, amount: &str) -> Order {
    let order = desk
        .create_order(&Acting::nobody(), &input("card-link", amount))
        .await
        .unwrap();
    assert!(
        submit_card(order.payment_url.as_deref().unwrap(), CARD_APPROVE)
            .await
            .contains("Approved")
    );
    let order = desk.sync(order.id).await.unwrap();
    assert_eq!(order.status, OrderStatus::Paid);
    order
}

/// Switches a sandbox fault on through the control endpoint, for the next `times` calls.
async fn fault(desk: &Paydesk, call: &str, kind: &str, value: Option<i64>, times: i64) {
    let base = sandbox_base(desk).await;
    let answer = reqwest::Client::new()
        .post(format!("{base}/sandbox/faults"))
        .json(&json!({"gateway": "iotpay", "call": call, "kind": kind, "value": value, "times": times}))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{kind} on {call}");
}

/// A V3 client of its own on the desk's sandbox, as the sandbox merchant.
async fn card_client(desk: &Paydesk, notify_url: &str) -> IotpayCard {
    IotpayCard::new(IotpayCardConfig {
        base: desk.sandbox().await.unwrap().iotpay_v3_base(),
        mch_id: SANDBOX_MCH_ID.into(),
        login_name: SANDBOX_LOGIN_NAME.into(),
        key: Sensitive::new(SANDBOX_MERCHANT_KEY.into()),
        notify_url: notify_url.into(),
        return_url: "http://127.0.0.1:9/done".into(),
        script_url: "http://127.0.0.1:9/iotpaycc.js".into(),
        timeout: Duration::from_secs(10),
    })
    .unwrap()
}

fn is_suspicious(e: &Error) -> bool {
    matches!(e, Error::GatewayProtocol { message, .. } if message.contains("suspicious"))
}

/// Item 2: a refund answered status 0 (pending) is not failed: the ledger keeps it pending,
/// its amount is not refundable again, and a query of the refund number settles it as done.
#[tokio::test(flavor = "multi_thread")]
async fn a_pending_refund_stays_pending_and_settles_as_done_by_a_query() {
    let (dir, desk) = desk().await;
    let order = paid_card_order(&desk, "20.00").await;
    fault(&desk, "cc_refund", "pending", Some(1), 1).await;

    // The caller is told about the pending refund (status 0 kept in its note), not a failure.
    let (told, _) = desk
        .refund(&Acting::nobody(), order.id, Some("20.00"), None)
        .await
        .unwrap();
    assert_eq!(told.status, RefundStatus::Pending);
    assert!(
        told.reason
            .as_deref()
            .unwrap_or_default()
            .contains("(status 0)"),
        "{told:?}"
    );
    let refunds = desk.ledger().refunds(order.id).unwrap();
    assert_eq!(refunds.len(), 1);
    assert_eq!(
        refunds[0].status,
        RefundStatus::Pending,
        "pending is not failed"
    );
    assert_eq!(sandbox_refunded(dir.path(), &order.merchant_order_no), 2000);
    // The pending refund still counts: nothing more can be refunded, so no double refund.
    assert!(desk
        .refund(&Acting::nobody(), order.id, Some("0.01"), None)
        .await
        .is_err());
    assert_eq!(desk.ledger().refunds(order.id).unwrap().len(), 1);

    let card = card_client(&desk, "http://127.0.0.1:9/notify").await;
    let pay_order_id = order.gateway_order_id.as_deref().unwrap();
    let settled = card
        .query_refund(&refunds[0].refund_no, pay_order_id, Some(cad("20.00")))
        .await
        .expect("the pending refund settles as done");
    assert_eq!(settled.gateway_status.as_deref(), Some("2"));
    let own_id = settled.gateway_refund_id.unwrap();
    assert!(
        own_id != pay_order_id,
        "the refund's own id, not the payment's: {own_id}"
    );
    assert_eq!(sandbox_refunded(dir.path(), &order.merchant_order_no), 2000);
}

/// Item 2: a pending refund that the gateway later fails settles as a refusal (status 9), and
/// the gateway gives the amount back.
#[tokio::test(flavor = "multi_thread")]
async fn a_pending_refund_can_settle_as_failed() {
    let (dir, desk) = desk().await;
    let order = paid_card_order(&desk, "12.00").await;
    fault(&desk, "cc_refund", "pending", Some(0), 1).await;
    let (told, _) = desk
        .refund(&Acting::nobody(), order.id, Some("5.00"), None)
        .await
        .unwrap();
    assert_eq!(told.status, RefundStatus::Pending);
    let refund = desk.ledger().refunds(order.id).unwrap().pop().unwrap();
    assert_eq!(refund.status, RefundStatus::Pending);
    assert_eq!(sandbox_refunded(dir.path(), &order.merchant_order_no), 500);

    let card = card_client(&desk, "http://127.0.0.1:9/notify").await;
    let pay_order_id = order.gateway_order_id.as_deref().unwrap();
    match card
        .query_refund(&refund.refund_no, pay_order_id, Some(cad("5.00")))
        .await
    {
        Err(Error::GatewayRejected { code, .. }) => assert_eq!(code, "9"),
        other => panic!("{other:?}"),
    }
    assert_eq!(sandbox_refunded(dir.path(), &order.merchant_order_no), 0);
    // Settled: asking again gives the same answer.
    assert!(matches!(
        card.query_refund(&refund.refund_no, pay_order_id, Some(cad("5.00")))
            .await,
        Err(Error::GatewayRejected { .. })
    ));
}

/// Item 2: a void answered status 1 (unknown) is not failed either; it settles by query.
#[tokio::test(flavor = "multi_thread")]
async fn a_void_of_unknown_outcome_stays_pending_and_settles_by_a_query() {
    let (_dir, desk) = desk().await;
    let order = paid_card_order(&desk, "15.00").await;
    fault(&desk, "cc_void", "code", Some(1), 1).await;
    let (told, _) = desk.void(&Acting::nobody(), order.id, None).await.unwrap();
    assert_eq!(
        told.status,
        RefundStatus::Pending,
        "an unknown void is not failed"
    );
    assert!(
        told.reason
            .as_deref()
            .unwrap_or_default()
            .contains("(status 1)"),
        "{told:?}"
    );
    let void = desk.ledger().refunds(order.id).unwrap().pop().unwrap();
    assert_eq!(void.kind, RefundKind::Void);
    assert_eq!(void.status, RefundStatus::Pending);
    assert_ne!(
        desk.ledger().get(order.id).unwrap().status,
        OrderStatus::Failed
    );

    let card = card_client(&desk, "http://127.0.0.1:9/notify").await;
    let done = card
        .query_refund(
            &void.refund_no,
            order.gateway_order_id.as_deref().unwrap(),
            None,
        )
        .await
        .expect("the void settles as done");
    assert_eq!(done.gateway_status.as_deref(), Some("2"));
}

/// Item 2: a definite failure (status 9) is the only refusal; the amount stays refundable.
#[tokio::test(flavor = "multi_thread")]
async fn a_refund_answered_failed_is_a_refusal() {
    let (dir, desk) = desk().await;
    let order = paid_card_order(&desk, "9.00").await;
    fault(&desk, "cc_refund", "refuse", None, 1).await;
    assert!(matches!(
        desk.refund(&Acting::nobody(), order.id, Some("9.00"), None)
            .await,
        Err(Error::GatewayRejected { .. })
    ));
    assert_eq!(
        desk.ledger().refunds(order.id).unwrap()[0].status,
        RefundStatus::Failed
    );
    assert_eq!(sandbox_refunded(dir.path(), &order.merchant_order_no), 0);
    let (refund, _) = desk
        .refund(&Acting::nobody(), order.id, Some("9.00"), None)
        .await
        .unwrap();
    assert_eq!(refund.status, RefundStatus::Succeeded);
}

/// Item 4: a status-2 cc_query answer without its `sign` does not make the order paid.
#[tokio::test(flavor = "multi_thread")]
async fn an_unsigned_paid_answer_does_not_pay_the_order() {
    let (_dir, desk) = desk().await;
    let order = desk
        .create_order(&Acting::nobody(), &input("card-link", "11.00"))
        .await
        .unwrap();
    assert!(
        submit_card(order.payment_url.as_deref().unwrap(), CARD_APPROVE)
            .await
            .contains("Approved")
    );
    fault(&desk, "cc_query", "unsigned", None, 1).await;
    match desk.sync(order.id).await {
        Err(e @ Error::GatewayProtocol { .. }) => assert!(e.is_outcome_unknown()),
        other => panic!("an unsigned answer was taken: {other:?}"),
    }
    assert_ne!(
        desk.ledger().get(order.id).unwrap().status,
        OrderStatus::Paid
    );
    // The signed answer, once the fault is spent, is taken.
    assert_eq!(desk.sync(order.id).await.unwrap().status, OrderStatus::Paid);
}

/// Item 11: a genuine, signed cc_query answer about another (paid) order is suspicious and
/// does not pay the order asked about.
#[tokio::test(flavor = "multi_thread")]
async fn a_query_answer_about_another_order_is_suspicious() {
    let (_dir, desk) = desk().await;
    let _other = paid_card_order(&desk, "3.00").await;
    let order = desk
        .create_order(&Acting::nobody(), &input("card-link", "40.00"))
        .await
        .unwrap();
    fault(&desk, "cc_query", "wrong-order", None, 1).await;
    match desk.sync(order.id).await {
        Err(e) => assert!(is_suspicious(&e), "{e}"),
        Ok(order) => panic!("an answer about another order was applied: {order:?}"),
    }
    let order = desk.ledger().get(order.id).unwrap();
    assert!(
        !matches!(order.status, OrderStatus::Paid | OrderStatus::Failed),
        "{:?}",
        order.status
    );

    // Amount and currency too: the adapter's checked query compares them with the order's.
    let card = card_client(&desk, "http://127.0.0.1:9/notify").await;
    fault(&desk, "cc_query", "wrong-order", None, 1).await;
    let e = card
        .query_order(&order.merchant_order_no, cad("40.00"))
        .await
        .unwrap_err();
    assert!(is_suspicious(&e), "{e}");
    let e = card
        .query_order(&order.merchant_order_no, cad("4.00"))
        .await
        .unwrap_err();
    assert!(is_suspicious(&e), "the amount is compared: {e}");
    assert!(matches!(
        card.query_order(&order.merchant_order_no, cad("40.00"))
            .await,
        Ok(Lookup::Found(_))
    ));
}

/// Item 7: a login name over 12 characters (v1's jobNo takes 50) builds the adapters: the
/// wallets work, and only the card calls are refused, before anything is sent.
#[tokio::test(flavor = "multi_thread")]
async fn a_long_login_name_stops_only_the_card_calls() {
    let (_dir, desk) = desk().await;
    let sandbox = desk.sandbox().await.unwrap();
    let login_name = "front-counter-cashier";
    let card = IotpayCard::new(IotpayCardConfig {
        base: sandbox.iotpay_v3_base(),
        mch_id: SANDBOX_MCH_ID.into(),
        login_name: login_name.into(),
        key: Sensitive::new(SANDBOX_MERCHANT_KEY.into()),
        notify_url: "http://127.0.0.1:9/notify".into(),
        return_url: "http://127.0.0.1:9/done".into(),
        script_url: "http://127.0.0.1:9/iotpaycc.js".into(),
        timeout: Duration::from_secs(10),
    })
    .expect("the card adapter builds whatever the login name");
    let v1 = Iotpay::new(IotpayConfig {
        v1_base: sandbox.iotpay_v1_base(),
        mch_id: SANDBOX_MCH_ID.into(),
        login_name: login_name.into(),
        key: Sensitive::new(SANDBOX_MERCHANT_KEY.into()),
        notify_url: "http://127.0.0.1:9/notify".into(),
        client_ip: "127.0.0.1".into(),
        wechat_app_id: None,
        return_url: String::new(),
        os_type: None,
        timeout: Duration::from_secs(10),
    })
    .unwrap();
    let request = |method| CreateRequest {
        merchant_order_no: "PD-LONG-LOGIN-1",
        method,
        amount: cad("5.00"),
        description: "Tea",
        payment_code: None,
        card_id: None,
    };
    let wallet = v1.create_order(&request(Method::WechatQr)).await;
    assert!(wallet.is_ok(), "the wallets still work: {wallet:?}");
    for method in [Method::CardLink, Method::Card] {
        assert!(matches!(
            card.prepare_create(&request(method)),
            Err(Error::InvalidInput {
                field: "loginName",
                ..
            })
        ));
        assert!(matches!(
            card.create(&CreateRequest {
                merchant_order_no: "PD-LONG-LOGIN-2",
                ..request(method)
            })
            .await,
            Err(Error::InvalidInput {
                field: "loginName",
                ..
            })
        ));
    }
    assert!(
        SandboxStore::open_in(desk.data_dir())
            .unwrap()
            .find("PD-LONG-LOGIN-2")
            .unwrap()
            .is_none(),
        "nothing was sent"
    );
}

/// A loopback merchant endpoint counting the notifications it gets and answering `reply`.
async fn notify_sink(
    reply: &'static str,
) -> (String, Arc<AtomicUsize>, Arc<std::sync::Mutex<Vec<Value>>>) {
    let count = Arc::new(AtomicUsize::new(0));
    let bodies = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (c, b) = (count.clone(), bodies.clone());
    let app = axum::Router::new().route(
        "/notify",
        axum::routing::post(move |body: axum::body::Bytes| {
            let (c, b) = (c.clone(), b.clone());
            async move {
                c.fetch_add(1, Ordering::SeqCst);
                b.lock()
                    .unwrap()
                    .push(serde_json::from_slice(&body).unwrap_or(Value::Null));
                reply
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/notify", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, count, bodies)
}

/// Item 8: the V3 notifier stops at `SUCCESS` (the vendor's PHP SDK's answer) and keeps
/// trying on anything else.
#[tokio::test(flavor = "multi_thread")]
async fn the_v3_notifier_is_acknowledged_by_success_in_capitals() {
    let (_dir, desk) = desk().await;
    for (reply, acknowledged) in [("SUCCESS", true), ("fail", false)] {
        let (url, count, bodies) = notify_sink(reply).await;
        let card = card_client(&desk, &url).await;
        let no = format!("PD-NOTIFY-{reply}");
        let created = card
            .create(&CreateRequest {
                merchant_order_no: &no,
                method: Method::CardLink,
                amount: cad("6.00"),
                description: "Scone",
                payment_code: None,
                card_id: None,
            })
            .await
            .unwrap();
        assert!(
            submit_card(created.payment_url.as_deref().unwrap(), CARD_APPROVE)
                .await
                .contains("Approved")
        );
        // The first retry comes a second after the first attempt.
        tokio::time::sleep(Duration::from_millis(2500)).await;
        let sent = count.load(Ordering::SeqCst);
        if acknowledged {
            assert_eq!(sent, 1, "SUCCESS stops the retries");
        } else {
            assert!(
                sent >= 2,
                "{reply:?} is not an acknowledgement: sent {sent}"
            );
        }
        let body = bodies.lock().unwrap()[0].clone();
        assert_eq!(body["mchOrderNo"], no.as_str());
        assert_eq!(body["amount"], 600);
        assert_eq!(body["currency"], "CAD");
        let Value::Object(fields) = body else {
            panic!()
        };
        assert!(paydesk_secrets::signing::iotpay_verify(
            &fields,
            SANDBOX_MERCHANT_KEY
        ));
    }
}
