//! The first start and the shell (issue 12): a new shop's setup runs once, refuses two
//! different PINs, and leaves the counter with the shop's name and only its methods; every
//! screen at a till's 1024 x 768, checked by geometry (see `layout_faults` for the rule); a
//! waiting order reopens on the counter from Orders.

use std::time::Duration;

use serde_json::Value;

use super::harness::App;
use super::layout::TILL;
use super::pages::Orders;
use super::shop::{is_set_up, settings_show, settled_order, OWNER_PIN};
use super::window::{keys, tid, Window, LONG, SHORT, WAIT};
use crate::support::{paydesk, run_ok};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn a_new_shop_is_set_up_once_with_its_name_pin_and_methods() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open_fresh(dir.path()).await;
    let setup = app.setup();

    // A new data folder opens on the setup, the shop's name field ready to type in; the
    // screen keys lead nowhere until it is done.
    setup.wait_for_it().await;
    let deadline = std::time::Instant::now() + SHORT;
    while app.focused_testid().await.as_deref() != Some("setup-shop-name") {
        assert!(
            std::time::Instant::now() < deadline,
            "the shop name field has the focus"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    setup.type_into("shop-name", &keys::F2.to_string()).await;
    assert_eq!(app.count(&tid("amount-input")).await, 0);
    assert_eq!(app.count(&tid("setup")).await, 1);
    // The currencies are the core's, in a list: nothing to mistype.
    assert_eq!(
        app.attr(&tid("setup-currency"), "value").await.as_deref(),
        Some("CAD")
    );
    let options = app
        .script("return Array.from(document.querySelectorAll('[data-testid=setup-currency] option')).map((o) => o.value);")
        .await;
    for code in ["CAD", "USD", "EUR", "INR"] {
        assert!(
            options.as_array().unwrap().contains(&Value::from(code)),
            "{code} in {options}"
        );
    }

    // Finishing at once names every missing answer, and writes nothing.
    setup.finish().await;
    for field in ["shopName", "pin", "methods"] {
        setup.wait_for_error(field).await;
    }
    assert_eq!(
        app.focused_testid().await.as_deref(),
        Some("setup-shop-name"),
        "the first field at fault has the focus"
    );

    // Two different PINs are refused beside the second, which is cleared for another go.
    setup.type_into("shop-name", "Corner Tea House").await;
    setup.type_into("pin", "1357").await;
    setup.type_into("pin-repeat", "1375").await;
    for method in ["wechat-qr", "barcode"] {
        setup.tick_method(method).await;
    }
    app.screenshot("setup.png").await;
    setup.finish().await;
    app.wait_for_text(
        &tid("setup-error-pinRepeat"),
        "The two PINs are not the same: type them again",
        SHORT,
    )
    .await;
    app.screenshot("setup-pin-mismatch.png").await;
    assert_eq!(app.value(&tid("setup-pin-repeat")).await, "");
    assert_eq!(
        app.focused_testid().await.as_deref(),
        Some("setup-pin-repeat")
    );
    assert!(!is_set_up(dir.path()), "a refused setup writes nothing");
    assert!(!settings_show(dir.path()).contains("Corner Tea House"));

    // The same PIN again, Enter: the counter, under the shop's name, with its two methods.
    setup
        .type_into("pin-repeat", &format!("1357{}", keys::ENTER))
        .await;
    app.wait_for(&tid("amount-input"), LONG).await;
    assert_eq!(app.count(&tid("setup")).await, 0);
    app.wait_for_content(&tid("shop-name"), "Corner Tea House", SHORT)
        .await;
    assert_eq!(app.title().await, "Corner Tea House");
    app.counter()
        .wait_for_methods(&["wechat-qr", "barcode"])
        .await;
    app.screenshot("setup-done-counter.png").await;
    assert!(is_set_up(dir.path()));
    let shown = settings_show(dir.path());
    assert!(shown.contains("shop.name = Corner Tea House"), "{shown}");
    assert!(shown.contains("shop.currency = CAD"), "{shown}");
    assert!(
        shown.contains("shop.methods = wechat-qr,barcode"),
        "{shown}"
    );
    assert!(
        !shown.contains("1357"),
        "the PIN is kept only as a hash: {shown}"
    );

    // Owner actions ask for that PIN from now on (Settings says it is set).
    app.settings().open_with_the_pin_set().await;
    app.close().await;

    // Reopened: the counter at once, never the setup again.
    let app = App::open_fresh(dir.path()).await;
    app.counter().ready().await;
    assert_eq!(app.count(&tid("setup")).await, 0);
    app.wait_for_content(&tid("shop-name"), "Corner Tea House", SHORT)
        .await;
    app.close().await;
}

/// Checks the screen shown now, keeps a screenshot of it, and adds its faults to `faults`.
async fn check_screen(app: &Window, screen: &str, must_show: &[&str], faults: &mut Vec<String>) {
    // Let the screen settle (fonts, data) before it is measured.
    tokio::time::sleep(Duration::from_millis(600)).await;
    app.screenshot(&format!("{screen}-1024x768.png")).await;
    let found = app.layout_faults(screen, must_show).await;
    eprintln!(
        "e2e: {screen} at 1024x768: {}",
        if found.is_empty() {
            "fits".to_string()
        } else {
            format!("{} fault(s)", found.len())
        }
    );
    faults.extend(found);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn every_screen_fits_a_1024_by_768_till() {
    let dir = tempfile::tempdir().unwrap();
    // Orders of every kind for the lists: paid, declined, waiting.
    let paid = settled_order(dir.path(), "wechat-qr", "12.50", true);
    settled_order(dir.path(), "alipay-qr", "7.25", true);
    settled_order(dir.path(), "wechat-qr", "30.00", false);
    crate::support::create_sandbox_order(dir.path(), "unionpay-qr", "4.10");

    let mut faults = Vec::new();

    // The first start, on a fresh shop.
    let app = App::open_fresh(dir.path()).await;
    app.setup().wait_for_it().await;
    app.set_viewport(TILL.0, TILL.1).await;
    // With every method to choose from and every problem shown: the tallest it gets.
    app.setup().finish().await;
    app.setup().wait_for_error("methods").await;
    check_screen(&app, "setup", &["[data-testid=setup-submit]"], &mut faults).await;
    app.close().await;

    // The counter and the rest, on a shop offering every method.
    let app = App::open(dir.path()).await;
    let counter = app.counter();
    counter.ready().await;
    app.set_viewport(TILL.0, TILL.1).await;
    counter.type_amount("12.50").await;
    counter.pick_method("barcode").await;
    check_screen(
        &app,
        "counter-scan",
        &[
            "[data-testid=amount-input]",
            "[data-testid=barcode-input]",
            "[data-testid=create-button]",
        ],
        &mut faults,
    )
    .await;
    counter.pick_method("wechat-qr").await;
    check_screen(
        &app,
        "counter",
        &["[data-testid=amount-input]", "[data-testid=create-button]"],
        &mut faults,
    )
    .await;

    app.go_to("orders").await;
    app.orders().wait_for_rows(LONG).await;
    check_screen(&app, "orders", &[], &mut faults).await;

    let row = Orders::row(&paid, "td");
    app.click(&row).await;
    app.wait_for(&tid("order-detail"), WAIT).await;
    check_screen(&app, "order-detail", &[], &mut faults).await;
    // The detail's Escape, then on.
    app.press(keys::ESCAPE).await;

    app.go_to("reports").await;
    app.wait_for(&tid("report-chart"), LONG).await;
    check_screen(&app, "reports", &[], &mut faults).await;

    app.go_to("settings").await;
    app.settings().toggle_advanced().await;
    app.wait_for_attr(&tid("settings-advanced"), "open", "true", SHORT)
        .await;
    check_screen(&app, "settings", &[], &mut faults).await;
    app.close().await;

    assert!(
        faults.is_empty(),
        "{} layout fault(s) at 1024x768:\n{}",
        faults.len(),
        faults.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn settings_change_the_methods_the_counter_offers_with_the_pin() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await;
    app.settings().open_with_the_pin_set().await;

    // Every method offered (the harness's setup): untick them all and the save is refused.
    let boxes = app
        .script("return Array.from(document.querySelectorAll('[data-testid^=settings-method-]')).map((e) => [e.dataset.testid, e.checked]);")
        .await;
    let boxes = boxes.as_array().unwrap().clone();
    assert!(boxes.len() >= 12, "{boxes:?}");
    for entry in &boxes {
        assert_eq!(entry[1], true, "{entry}");
        app.click(&tid(entry[0].as_str().unwrap())).await;
    }
    let save = tid("settings-methods-save");
    app.click(&save).await;
    app.wait_for_text(
        &tid("settings-methods-error"),
        "Choose at least one way for customers to pay",
        SHORT,
    )
    .await;
    assert!(!app.pin().is_open().await);

    // Two of them, with the PIN: saved, and the counter offers just those.
    for method in ["upi", "wechat-qr"] {
        app.click(&tid(&format!("settings-method-{method}"))).await;
    }
    app.click(&save).await;
    app.pin().enter(OWNER_PIN).await;
    app.settings()
        .wait_for_saved("settings-methods-saved")
        .await;
    let shown = settings_show(dir.path());
    assert!(shown.contains("shop.methods = wechat-qr,upi"), "{shown}");

    app.go_to("counter").await;
    app.counter().wait_for_methods(&["upi", "wechat-qr"]).await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn settings_say_when_the_ledger_was_last_backed_up() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await;
    app.settings().open().await;
    // A new shop has no backup yet: Settings warns.
    app.settings().wait_for_backup_state(true).await;
    app.close().await;

    run_ok(&mut paydesk(dir.path(), &["backup"]));
    let app = App::open(dir.path()).await;
    app.settings().open().await;
    let said = app.settings().wait_for_backup_state(false).await;
    assert!(said.starts_with("Last backup"), "{said}");
    app.close().await;
}
