//! The first start and the shell (issue 12): a new shop's setup runs once, refuses two
//! different PINs, and leaves the counter with the shop's name and only its methods; every
//! screen at a till's 1024 x 768, checked by geometry (see `layout_faults` for the rule); a
//! waiting order reopens on the counter from Orders.

use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};

use super::{
    is_set_up, layout_faults, open_app, open_fresh_app, set_viewport, settled_order, shot, Session,
    ENTER, TILL,
};
use crate::support::{paydesk, run_ok, stdout};

/// The testids of the method buttons the counter shows, in its order.
async fn counter_methods(session: &Session) -> Vec<String> {
    let shown = session
        .script(
            "return Array.from(document.querySelectorAll('[data-testid^=method-]'))\
         .filter((e) => e.offsetParent !== null)\
         .map((e) => e.getAttribute('data-testid').slice('method-'.length));",
            json!([]),
        )
        .await;
    shown
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

fn settings_show(dir: &Path) -> String {
    stdout(&run_ok(&mut paydesk(dir, &["settings", "show"])))
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn a_new_shop_is_set_up_once_with_its_name_pin_and_methods() {
    let dir = tempfile::tempdir().unwrap();
    let (_driver, session) = open_fresh_app(dir.path()).await;

    // A new data folder opens on the setup, the shop's name field ready to type in; the
    // screen keys lead nowhere until it is done.
    session
        .find("[data-testid=setup]", Duration::from_secs(30))
        .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while session.focused_testid().await.as_deref() != Some("setup-shop-name") {
        assert!(
            std::time::Instant::now() < deadline,
            "the shop name field has the focus"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let name = session
        .find("[data-testid=setup-shop-name]", Duration::from_secs(5))
        .await;
    session.type_into(&name, "\u{E032}").await; // F2
    assert_eq!(session.count("[data-testid=amount-input]").await, 0);
    assert_eq!(session.count("[data-testid=setup]").await, 1);
    // The currencies are the core's, in a list: nothing to mistype.
    let currency = session
        .find("[data-testid=setup-currency]", Duration::from_secs(5))
        .await;
    assert_eq!(
        session.attribute(&currency, "value").await.as_deref(),
        Some("CAD")
    );
    let options = session.script("return Array.from(document.querySelectorAll('[data-testid=setup-currency] option')).map((o) => o.value);",
        json!([]),
    )
    .await;
    for code in ["CAD", "USD", "EUR", "INR"] {
        assert!(
            options.as_array().unwrap().contains(&Value::from(code)),
            "{code} in {options}"
        );
    }

    // Finishing at once names every missing answer, and writes nothing.
    let submit = session
        .find("[data-testid=setup-submit]", Duration::from_secs(5))
        .await;
    session.click(&submit).await;
    session
        .find("[data-testid=setup-error-shopName]", Duration::from_secs(5))
        .await;
    session
        .find("[data-testid=setup-error-pin]", Duration::from_secs(5))
        .await;
    session
        .find("[data-testid=setup-error-methods]", Duration::from_secs(5))
        .await;
    assert_eq!(
        session.focused_testid().await.as_deref(),
        Some("setup-shop-name"),
        "the first field at fault has the focus"
    );

    // Two different PINs are refused beside the second, which is cleared for another go.
    session.type_into(&name, "Corner Tea House").await;
    let pin = session
        .find("[data-testid=setup-pin]", Duration::from_secs(5))
        .await;
    session.type_into(&pin, "1357").await;
    let repeat = session
        .find("[data-testid=setup-pin-repeat]", Duration::from_secs(5))
        .await;
    session.type_into(&repeat, "1375").await;
    for method in ["wechat-qr", "barcode"] {
        let check = session
            .find(
                &format!("[data-testid=setup-method-{method}]"),
                Duration::from_secs(5),
            )
            .await;
        session.click(&check).await;
    }
    session.screenshot(&shot("setup.png")).await;
    session.click(&submit).await;
    session
        .wait_for_text(
            "[data-testid=setup-error-pinRepeat]",
            "The two PINs are not the same: type them again",
            Duration::from_secs(5),
        )
        .await;
    session.screenshot(&shot("setup-pin-mismatch.png")).await;
    assert_eq!(
        session
            .attribute(&repeat, "value")
            .await
            .unwrap_or_default(),
        ""
    );
    assert_eq!(
        session.focused_testid().await.as_deref(),
        Some("setup-pin-repeat")
    );
    assert!(!is_set_up(dir.path()), "a refused setup writes nothing");
    assert!(!settings_show(dir.path()).contains("Corner Tea House"));

    // The same PIN again, Enter: the counter, under the shop's name, with its two methods.
    session.type_into(&repeat, &format!("1357{ENTER}")).await;
    session
        .find("[data-testid=amount-input]", Duration::from_secs(15))
        .await;
    assert_eq!(session.count("[data-testid=setup]").await, 0);
    session
        .wait_for_content(
            "[data-testid=shop-name]",
            "Corner Tea House",
            Duration::from_secs(5),
        )
        .await;
    let title = session.script("return document.title;", json!([])).await;
    assert_eq!(title, "Corner Tea House");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let shown = counter_methods(&session).await;
        if shown == ["wechat-qr", "barcode"] || shown == ["barcode", "wechat-qr"] {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the counter offers only the shop's methods: {shown:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    session.screenshot(&shot("setup-done-counter.png")).await;
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
    super::open_settings_with_the_pin_set(&session).await;
    session.close().await;
    drop(_driver);

    // Reopened: the counter at once, never the setup again.
    let (_driver, session) = open_fresh_app(dir.path()).await;
    session
        .find("[data-testid=amount-input]", Duration::from_secs(30))
        .await;
    assert_eq!(session.count("[data-testid=setup]").await, 0);
    session
        .wait_for_content(
            "[data-testid=shop-name]",
            "Corner Tea House",
            Duration::from_secs(5),
        )
        .await;
    session.close().await;
}

/// Checks the screen shown now, keeps a screenshot of it, and adds its faults to `faults`.
async fn check_screen(
    session: &Session,
    screen: &str,
    must_show: &[&str],
    faults: &mut Vec<String>,
) {
    // Let the screen settle (fonts, data) before it is measured.
    tokio::time::sleep(Duration::from_millis(600)).await;
    session
        .screenshot(&shot(&format!("{screen}-1024x768.png")))
        .await;
    let found = layout_faults(session, screen, must_show).await;
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

async fn open_screen(session: &Session, nav: &str) {
    let button = session
        .find(&format!("[data-testid=nav-{nav}]"), Duration::from_secs(10))
        .await;
    session.click(&button).await;
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
    let (driver, session) = open_fresh_app(dir.path()).await;
    session
        .find("[data-testid=setup]", Duration::from_secs(30))
        .await;
    set_viewport(&session, TILL.0, TILL.1).await;
    // With every method to choose from and every problem shown: the tallest it gets.
    let submit = session
        .find("[data-testid=setup-submit]", Duration::from_secs(5))
        .await;
    session.click(&submit).await;
    session
        .find("[data-testid=setup-error-methods]", Duration::from_secs(5))
        .await;
    check_screen(
        &session,
        "setup",
        &["[data-testid=setup-submit]"],
        &mut faults,
    )
    .await;
    session.close().await;
    drop(driver);

    // The counter and the rest, on a shop offering every method.
    let (_driver, session) = open_app(dir.path()).await;
    let amount = session
        .find("[data-testid=amount-input]", Duration::from_secs(30))
        .await;
    set_viewport(&session, TILL.0, TILL.1).await;
    session.type_into(&amount, "12.50").await;
    let barcode = session
        .find("[data-testid=method-barcode]", Duration::from_secs(10))
        .await;
    session.click(&barcode).await;
    check_screen(
        &session,
        "counter-scan",
        &[
            "[data-testid=amount-input]",
            "[data-testid=barcode-input]",
            "[data-testid=create-button]",
        ],
        &mut faults,
    )
    .await;
    let wechat = session
        .find("[data-testid=method-wechat-qr]", Duration::from_secs(5))
        .await;
    session.click(&wechat).await;
    check_screen(
        &session,
        "counter",
        &["[data-testid=amount-input]", "[data-testid=create-button]"],
        &mut faults,
    )
    .await;

    open_screen(&session, "orders").await;
    session
        .find("[data-testid=order-row]", Duration::from_secs(15))
        .await;
    check_screen(&session, "orders", &[], &mut faults).await;

    let row = session
        .find(
            &format!("[data-testid=order-row][data-order-id='{paid}'] td"),
            Duration::from_secs(10),
        )
        .await;
    session.click(&row).await;
    session
        .find("[data-testid=order-detail]", Duration::from_secs(10))
        .await;
    check_screen(&session, "order-detail", &[], &mut faults).await;
    // The detail's Escape, then on.
    session.type_into(&row, "\u{E00C}").await;

    open_screen(&session, "reports").await;
    session
        .find("[data-testid=report-chart]", Duration::from_secs(15))
        .await;
    check_screen(&session, "reports", &[], &mut faults).await;

    open_screen(&session, "settings").await;
    let advanced = session
        .find(
            "[data-testid=settings-advanced-toggle]",
            Duration::from_secs(10),
        )
        .await;
    session.click(&advanced).await;
    session
        .wait_for_attribute(
            "[data-testid=settings-advanced]",
            "open",
            "true",
            Duration::from_secs(5),
        )
        .await;
    check_screen(&session, "settings", &[], &mut faults).await;
    session.close().await;

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
    let (_driver, session) = open_app(dir.path()).await;
    super::open_settings_with_the_pin_set(&session).await;

    // Every method offered (the harness's setup): untick them all and the save is refused.
    let boxes = session.script("return Array.from(document.querySelectorAll('[data-testid^=settings-method-]')).map((e) => [e.dataset.testid, e.checked]);",
        json!([]),
    )
    .await;
    let boxes = boxes.as_array().unwrap().clone();
    assert!(boxes.len() >= 12, "{boxes:?}");
    for entry in &boxes {
        assert_eq!(entry[1], true, "{entry}");
        let check = session
            .find(
                &format!("[data-testid={}]", entry[0].as_str().unwrap()),
                Duration::from_secs(5),
            )
            .await;
        session.click(&check).await;
    }
    let save = session
        .find(
            "[data-testid=settings-methods-save]",
            Duration::from_secs(5),
        )
        .await;
    session.click(&save).await;
    session
        .wait_for_text(
            "[data-testid=settings-methods-error]",
            "Choose at least one way for customers to pay",
            Duration::from_secs(5),
        )
        .await;
    assert_eq!(session.count("[data-testid=pin-dialog]").await, 0);

    // Two of them, with the PIN: saved, and the counter offers just those.
    for method in ["upi", "wechat-qr"] {
        let check = session
            .find(
                &format!("[data-testid=settings-method-{method}]"),
                Duration::from_secs(5),
            )
            .await;
        session.click(&check).await;
    }
    session.click(&save).await;
    session.enter_pin(super::OWNER_PIN).await;
    session
        .wait_for_text(
            "[data-testid=settings-methods-saved]",
            "Saved",
            Duration::from_secs(15),
        )
        .await;
    let shown = settings_show(dir.path());
    assert!(shown.contains("shop.methods = wechat-qr,upi"), "{shown}");

    let nav = session
        .find("[data-testid=nav-counter]", Duration::from_secs(5))
        .await;
    session.click(&nav).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let mut shown = counter_methods(&session).await;
        shown.sort();
        if shown == ["upi", "wechat-qr"] {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the counter offers the shop's two methods: {shown:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn settings_say_when_the_ledger_was_last_backed_up() {
    let dir = tempfile::tempdir().unwrap();
    let (driver, session) = open_app(dir.path()).await;
    open_screen(&session, "settings").await;
    // A new shop has no backup yet: Settings warns.
    session
        .wait_for_attribute(
            "[data-testid=settings-backup-state]",
            "data-stale",
            "true",
            Duration::from_secs(10),
        )
        .await;
    session.close().await;
    drop(driver);

    run_ok(&mut paydesk(dir.path(), &["backup"]));
    let (_driver, session) = open_app(dir.path()).await;
    open_screen(&session, "settings").await;
    session
        .wait_for_attribute(
            "[data-testid=settings-backup-state]",
            "data-stale",
            "false",
            Duration::from_secs(10),
        )
        .await;
    let state = session
        .find(
            "[data-testid=settings-backup-state]",
            Duration::from_secs(5),
        )
        .await;
    let said = session.text(&state).await;
    assert!(said.starts_with("Last backup"), "{said}");
    session.close().await;
}
