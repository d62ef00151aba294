//! The window in each language Paydesk speaks (issue 17). The owner picks the shop's language
//! in Settings (with the PIN): the bar, the counter and Settings follow at once; a sale is made
//! and paid in French; an Alipay sale's customer display reads Chinese, and L at the counter
//! cycles it through every language; back to English at the end. In each language, nothing on
//! the counter or the customer display is cut off (no clipped box narrower than its text), and
//! both are kept as screenshots (counter-<lang>.png, customer-<lang>.png; scripts/screenshots.sh
//! copies them to docs/).
//!
//! The words expected are read from the catalogues themselves, so the test checks that the
//! window shows the catalogue's message, not a translation of its own.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;

use super::harness::App;
use super::shop::{OWNER_PIN, SHOP_NAME};
use super::window::{tid, Window, LONG, START, WAIT};
use crate::support::settle_at_iotpay;

/// Every language, the window's own (English) last: saving the language it already speaks
/// changes nothing and asks for no PIN.
const LANGUAGES: [&str; 4] = ["fr-CA", "zh-CN", "hi", "en"];

/// A catalogue's messages, as the window has them.
fn catalogue(language: &str) -> HashMap<String, String> {
    let path = format!(
        "{}/ui/src/lib/i18n/catalogues/{language}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Elements showing text wider than their box where the box clips it (overflow hidden or
/// clip, or an ellipsis): words a person cannot read whole. Boxes of a pixel or less are the
/// screen-reader-only labels, hidden on purpose.
async fn cut_off(window: &Window) -> Vec<String> {
    let found = window
        .script(
            "const cut = [];
             for (const el of document.querySelectorAll('body *')) {
               const s = getComputedStyle(el);
               if (s.display === 'none' || s.visibility === 'hidden' || el.clientWidth <= 1) continue;
               if (!Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim() !== '')) continue;
               const clips = ['hidden', 'clip'].includes(s.overflowX) || s.textOverflow === 'ellipsis';
               if (clips && el.scrollWidth > el.clientWidth + 1) {
                 cut.push((el.dataset.testid || el.className || el.tagName) + ': ' + el.textContent.trim().slice(0, 40));
               }
             }
             return cut;",
        )
        .await;
    match found {
        Value::Array(items) => items.iter().map(|v| v.to_string()).collect(),
        other => panic!("the cut-off check answered {other}"),
    }
}

/// Settings' shop language set to `language` and saved with the owner's PIN.
async fn choose_shop_language(app: &App, language: &str) {
    app.settings().open().await;
    // Settings has loaded what is stored (a choice made before would be replaced by it).
    app.wait_for_attr(&tid("setting-shop-name"), "value", SHOP_NAME, LONG)
        .await;
    app.choose_by_script("setting-shop-language", language)
        .await;
    app.click(&tid("settings-shop-save")).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    if app.count(&tid("settings-shop-error")).await > 0 {
        let said = app.text(&tid("settings-shop-error")).await;
        assert!(
            said.trim().is_empty(),
            "saving {language} was refused: {said}"
        );
    }
    app.pin().enter(OWNER_PIN).await;
    app.wait_for(&tid("settings-shop-saved"), LONG).await;
    let lang = app.script("return document.documentElement.lang").await;
    assert_eq!(lang, language, "the page's lang after choosing {language}");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn each_language_in_the_window_a_sale_in_french_and_a_chinese_customer_display() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await;
    let counter = app.counter();
    let main = app.handle().await;
    app.find_within(&tid("method-alipay-qr"), START).await;

    // Every language: the bar, Settings and the counter speak it, nothing is cut off.
    for language in LANGUAGES {
        let words = catalogue(language);
        choose_shop_language(&app, language).await;
        app.wait_for_content_holding(&tid("nav-orders"), &words["shell.orders"], WAIT)
            .await;
        app.go_to("counter").await;
        app.wait_for_content_holding(&tid("nav-counter"), &words["shell.counter"], WAIT)
            .await;
        counter.type_amount("1234.50").await;
        counter.pick_method("alipay-qr").await;
        let cut = cut_off(&app).await;
        assert!(
            cut.is_empty(),
            "cut off on the counter in {language}: {cut:?}"
        );
        app.screenshot(&format!("counter-{language}.png")).await;
        counter.set_amount("").await;
    }

    // A sale in French, from the amount to Paid.
    let french = catalogue("fr-CA");
    choose_shop_language(&app, "fr-CA").await;
    app.go_to("counter").await;
    counter.start_sale("alipay-qr", "12.50").await;
    counter.wait_for_qr().await;
    let merchant_order_no = counter.order_number().await;

    // Its customer display reads Chinese (an Alipay customer), whatever the window speaks.
    app.click(&tid("customer-display-button")).await;
    let customer = app
        .wait_for_other_window(&main, Duration::from_secs(20))
        .await;
    app.switch_to(&customer).await;
    let chinese = catalogue("zh-CN");
    app.wait_for_content_holding(
        &tid("customer-status"),
        &chinese["customer.scan_to_pay"],
        LONG,
    )
    .await;

    // L at the counter cycles the display's language through every one (the order of the
    // language list: English first), each screenshotted whole.
    for shown in ["zh-CN", "en", "fr-CA", "hi"] {
        app.switch_to(&customer).await;
        app.wait_for_attr(&tid("customer-display"), "lang", shown, WAIT)
            .await;
        app.wait_for_content_holding(
            &tid("customer-status"),
            &catalogue(shown)["customer.scan_to_pay"],
            WAIT,
        )
        .await;
        let cut = cut_off(&app).await;
        assert!(
            cut.is_empty(),
            "cut off on the customer display in {shown}: {cut:?}"
        );
        app.screenshot(&format!("customer-{shown}.png")).await;
        app.switch_to(&main).await;
        app.press('l').await;
    }

    // The customer pays: the counter says so in French.
    app.switch_to(&main).await;
    settle_at_iotpay(dir.path(), &merchant_order_no, true);
    counter.wait_for_status("paid", LONG).await;
    let status = counter.status_words().await;
    assert!(
        status.contains(&french["status.paid"]) || status.contains(&french["customer.paid"]),
        "the counter's Paid in French: {status}"
    );

    // And back to English.
    let english = catalogue("en");
    choose_shop_language(&app, "en").await;
    app.wait_for_content_holding(&tid("nav-orders"), &english["shell.orders"], WAIT)
        .await;
    app.close().await;
}
