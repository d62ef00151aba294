//! The counter's sales end to end, each method the way the customer pays with it: a WeChat
//! QR paid on the sandbox's page, a bad amount refused beside its field, a scanned payment
//! code, a card through the embedded form, SMEPay's UPI widget, a declined QR and a declined
//! scan; and the customer display beside the counter.

use std::time::Duration;

use serde_json::json;

use super::harness::App;
use super::shop::{orders, paid_sources, setup_shop};
use super::window::{tid, LONG, SHORT, START, WAIT};

/// The customer pays (`/pay`) or declines (`/decline`) on the sandbox's payment page, the link
/// the QR encodes; the page's answer.
async fn customer_answers(link: &str, action: &str) -> String {
    let answer = reqwest::Client::new()
        .post(format!("{link}/{action}"))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{action} on {link}");
    answer.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn counter_takes_a_wechat_qr_payment_to_paid() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await;
    let counter = app.counter();

    let banner = app.find_within(&tid("mode-banner"), START).await;
    assert!(app.text_of(&banner).await.contains("Sandbox"));

    counter.type_amount("12.50").await;
    counter.pick_method("wechat-qr").await;
    app.screenshot("counter-entry.png").await;
    counter.create().await;

    counter.wait_for_qr().await;
    assert_eq!(counter.amount_shown().await, "12.50 CAD");
    // Shown short ("…" and its last characters), whole in the title.
    let merchant_order_no = counter.order_number().await;
    assert!(merchant_order_no.starts_with("PD"), "{merchant_order_no}");
    counter.wait_for_status("pending", WAIT).await;
    app.screenshot("counter-waiting.png").await;

    // The customer pays on the sandbox's payment page: the link the QR encodes.
    let href = counter.payment_link().await;
    assert!(href.contains("/pay/iotpay/"), "{href}");
    let page = reqwest::get(&href).await.unwrap();
    assert!(page.status().is_success());
    assert!(page.text().await.unwrap().contains("12.50"));
    customer_answers(&href, "pay").await;

    let took = counter.wait_for_status("paid", SHORT).await;
    eprintln!("e2e: the window showed Paid {took:?} after the customer paid");
    assert_eq!(counter.status_words().await.trim(), "Paid");
    app.screenshot("counter-paid.png").await;

    // The same order, paid, with its history, from the command line in another process.
    let orders = orders(dir.path());
    let entry = orders
        .iter()
        .find(|o| o["order"]["merchantOrderNo"] == merchant_order_no.as_str())
        .unwrap_or_else(|| panic!("{merchant_order_no} not in {orders:?}"));
    assert_eq!(entry["order"]["status"], "paid");
    assert_eq!(entry["order"]["amountMinor"], 1250);
    let path: Vec<&str> = entry["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["toStatus"].as_str().unwrap())
        .collect();
    assert_eq!(path.first(), Some(&"created"));
    assert!(path.contains(&"pending"));
    assert_eq!(path.last(), Some(&"paid"));

    // New sale resets the counter.
    counter.new_sale().await;
    assert_eq!(counter.amount_value().await, "");
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn counter_shows_a_bad_amount_next_to_the_field_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await;
    let counter = app.counter();

    counter.ready().await;
    counter.type_amount("12.345").await;
    counter.pick_method("wechat-qr").await;
    counter.create().await;
    assert!(app
        .text(&tid("field-error-amount"))
        .await
        .contains("too many decimals"));
    app.close().await;

    assert_eq!(
        orders(dir.path()).len(),
        0,
        "a refused amount writes no order"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn counter_takes_a_scanned_payment_code_paid_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await;
    let counter = app.counter();

    // App and saved-card methods are not offered at the counter.
    app.wait_for(&tid("method-barcode"), START).await;
    for hidden in ["wechat-app", "alipay-app", "unionpay-app", "card-token"] {
        assert!(
            !counter.offers(hidden).await,
            "{hidden} is not a counter method"
        );
    }

    counter.type_amount("8.80").await;
    counter.pick_method("barcode").await;
    // Enter in the amount field moves on to the scanner field rather than submitting.
    counter.press_enter().await;
    assert!(
        app.has_focus(&tid("barcode-input")).await,
        "Enter in the amount field focuses the scanner field"
    );
    app.screenshot("counter-barcode.png").await;

    // The scanner types the code fast, then Enter.
    counter.scan("134567890123456780").await;
    let took = counter.wait_for_status("paid", WAIT).await;
    eprintln!("e2e: a scanned code showed Paid {took:?} after Enter");
    counter.wait_for_status_words("Paid").await;
    assert_eq!(counter.amount_shown().await, "8.80 CAD");
    app.close().await;

    let orders = orders(dir.path());
    assert_eq!(orders.len(), 1, "{orders:?}");
    assert_eq!(orders[0]["order"]["method"], "barcode");
    assert_eq!(orders[0]["order"]["status"], "paid");
    assert_eq!(orders[0]["order"]["amountMinor"], 880);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn counter_takes_a_card_through_the_embedded_form() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await;
    let counter = app.counter();

    counter.ready().await;
    counter.type_amount("21.00").await;
    counter.pick_method("card").await;
    counter.create().await;

    // iotpaycc.js (the sandbox's stand-in) mounts its form in an iframe inside the container.
    let frame = "[data-testid=card-widget] iframe";
    app.wait_for(frame, LONG).await;
    counter.wait_for_status("pending", SHORT).await;
    app.enter_frame(frame).await;
    // Wait for the form inside the frame before the screenshot.
    app.wait_for(&tid("card-number"), WAIT).await;
    app.leave_frame().await;
    app.screenshot("counter-card.png").await;

    app.enter_frame(frame).await;
    // A field in the frame takes keys once it has been clicked into (WebKitWebDriver finds
    // it "not focusable" before).
    let number = tid("card-number");
    app.click(&number).await;
    app.type_into(&number, "4242424242424242").await;
    assert_eq!(app.value(&number).await, "4242424242424242");
    app.click(&tid("card-submit")).await;
    app.leave_frame().await;

    let took = counter.wait_for_status("paid", WAIT).await;
    eprintln!("e2e: the card sale showed Paid {took:?} after the form was submitted");
    counter.wait_for_status_words("Paid").await;
    app.screenshot("counter-card-paid.png").await;
    app.close().await;

    let orders = orders(dir.path());
    let entry = &orders[0];
    assert_eq!(entry["order"]["method"], "card");
    assert_eq!(entry["order"]["status"], "paid");
    // Paid came from a gateway query (poll or notification), never from the form's callback.
    let sources = paid_sources(entry);
    assert!(
        sources.iter().all(|s| s != "user" && s != "create"),
        "{sources:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn counter_takes_an_smepay_upi_widget_payment_to_paid() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await;
    let counter = app.counter();

    counter.ready().await;
    counter.pick_method("upi-widget").await;
    // SMEPay takes INR only: choosing the method switches the counter's currency to it.
    app.wait_for_text(".amount-row [aria-label=Currency]", "INR", SHORT)
        .await;
    counter.type_amount("100.00").await;
    counter.create().await;

    app.wait_for_attr(&tid("card-widget"), "data-vendor", "smepay", LONG)
        .await;
    assert_eq!(counter.amount_shown().await, "100.00 INR");
    counter.wait_for_status("pending", SHORT).await;
    // smepay-checkout.js (the sandbox's stand-in) opens its checkout in an overlay iframe.
    let frame = "[data-smepay-checkout] iframe";
    app.wait_for(frame, LONG).await;
    app.enter_frame(frame).await;
    app.wait_for(&tid("amount"), WAIT).await;
    app.leave_frame().await;
    app.screenshot("counter-upi-widget.png").await;

    app.enter_frame(frame).await;
    app.click("button.pay").await;
    app.leave_frame().await;

    let took = counter.wait_for_status("paid", WAIT).await;
    eprintln!("e2e: the SMEPay widget sale showed Paid {took:?} after the customer paid");
    counter.wait_for_status_words("Paid").await;
    // The checkout's overlay is gone with the sale.
    assert_eq!(app.count("[data-smepay-checkout]").await, 0);
    app.screenshot("counter-upi-widget-paid.png").await;
    app.close().await;

    let orders = orders(dir.path());
    let entry = &orders[0];
    assert_eq!(entry["order"]["gateway"], "smepay");
    assert_eq!(entry["order"]["method"], "upi-widget");
    assert_eq!(entry["order"]["currency"], "INR");
    assert_eq!(entry["order"]["amountMinor"], 10000);
    assert_eq!(entry["order"]["status"], "paid");
    // Paid came from the core (query or webhook), never from the checkout's callback.
    let sources = paid_sources(entry);
    assert!(
        !sources.is_empty() && sources.iter().all(|s| s != "user" && s != "create"),
        "{sources:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn counter_shows_a_declined_qr_payment() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await;
    let counter = app.counter();

    counter.ready().await;
    counter.type_amount("5.00").await;
    counter.pick_method("wechat-qr").await;
    counter.create().await;
    counter.wait_for_qr().await;

    let href = counter.payment_link().await;
    assert!(customer_answers(&href, "decline")
        .await
        .contains("Declined"));

    counter.wait_for_status("cancelled", WAIT).await;
    counter.wait_for_status_words("Cancelled").await;
    assert_eq!(app.count(&tid("qr")).await, 0, "a settled sale shows no QR");
    app.screenshot("counter-declined.png").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn counter_shows_a_declined_scan_and_is_ready_for_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await;
    let counter = app.counter();

    counter.ready().await;
    counter.type_amount("3.00").await;
    counter.pick_method("barcode").await;
    // The sandbox declines a code ending in 9.
    counter.scan("134567890123456789").await;
    assert!(!app.text(&tid("error-message")).await.trim().is_empty());
    // Still on the entry form, the scanner field focused with the old code selected, so the
    // next scan replaces it.
    let field = tid("barcode-input");
    assert!(app.has_focus(&field).await);
    let selection = app
        .script(
            "const e = document.activeElement; return [e.value, e.selectionStart, e.selectionEnd];",
        )
        .await;
    assert_eq!(selection, json!(["134567890123456789", 0, 18]));
    app.type_into(&field, "6212345678901234560").await;
    assert_eq!(app.value(&field).await, "6212345678901234560");
    app.screenshot("counter-barcode-declined.png").await;
    app.close().await;

    let orders = orders(dir.path());
    assert_eq!(orders[0]["order"]["status"], "failed", "{orders:?}");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn the_customer_display_shows_the_counters_amount_and_qr_then_paid() {
    let dir = tempfile::tempdir().unwrap();
    // The shop's name comes from its setup; the customer sees it, never "Paydesk".
    setup_shop(dir.path(), "Corner Tea House");
    let app = App::open(dir.path()).await;
    let counter = app.counter();
    let main = app.handle().await;

    counter.ready().await;
    counter.type_amount("12.50").await;
    counter.pick_method("wechat-qr").await;
    counter.create().await;
    counter.wait_for_qr().await;
    // Shown short ("…" and its last characters), whole in the title.
    let merchant_order_no = counter.order_number().await;
    let href = counter.payment_link().await;

    app.click(&tid("customer-display-button")).await;
    let customer = app
        .wait_for_other_window(&main, Duration::from_secs(20))
        .await;
    app.switch_to(&customer).await;

    app.wait_for_text(&tid("customer-amount"), "12.50 CAD", LONG)
        .await;
    app.wait_for("[data-testid=customer-qr] svg", SHORT).await;
    // A WeChat Pay customer reads Chinese by default (the counter's L changes it per sale).
    app.wait_for_text(&tid("customer-status"), "扫码支付", WAIT)
        .await;
    // Its title is the shop's, not the program's.
    assert_eq!(app.title().await, "Corner Tea House");
    // Only the amount, the QR and the outcome: no order number, link, menu or ledger.
    let source = app.source().await;
    assert!(!source.contains(&merchant_order_no), "order number shown");
    assert!(!source.contains(&href), "payment link shown");
    assert_eq!(app.count(&tid("nav-orders")).await, 0);
    // And its capability refuses the counter's commands.
    let refused = app
        .script_async(
            "const done = arguments[arguments.length - 1]; window.__TAURI_INTERNALS__.invoke('list_orders', { filter: {} }).then(() => done('allowed'), (e) => done('refused: ' + e));",
        )
        .await;
    assert!(
        refused.as_str().unwrap_or_default().starts_with("refused"),
        "the customer window listed orders: {refused}"
    );
    app.screenshot("customer-waiting.png").await;

    // The customer pays: the display turns Paid.
    customer_answers(&href, "pay").await;
    app.wait_for_attr(&tid("customer-status"), "data-status", "paid", LONG)
        .await;
    assert!(app.text(&tid("customer-status")).await.contains("支付成功"));
    app.screenshot("customer-paid.png").await;

    // New sale on the counter: the display goes back to the shop's name.
    app.switch_to(&main).await;
    counter.wait_for_status("paid", WAIT).await;
    counter.new_sale().await;
    app.switch_to(&customer).await;
    app.wait_for_text(&tid("customer-idle"), "Corner Tea House", WAIT)
        .await;
    app.close().await;
}
