//! Settings' "Shop ledger" (issue 14): the owner joins a real PostgreSQL shop ledger from the
//! window with the PIN (a missing name and a wrong password refused with their own words, no
//! PIN asked for the first), sees where this counter stands, and leaves with the PIN, every
//! order staying on the machine. The password is in the keychain only: nowhere in the data
//! directory, nor on the page once joined.

use super::harness::App;
use super::shop::OWNER_PIN;
use super::window::{keys, tid, LONG, SHORT, WAIT};
use crate::shop::cluster::{assert_nowhere_under, Cluster};
use crate::support::{json, paydesk, run_ok};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window over a PostgreSQL cluster: make test runs it under Xvfb with a keychain"]
async fn the_owner_joins_and_leaves_the_shop_ledger_from_settings_with_the_pin() {
    let cluster = Cluster::start();
    let shop = cluster.shop("shop_settings");
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await;
    let (settings, pin) = (app.settings(), app.pin());
    settings.open_with_the_pin_set().await;

    // On its own: the explanation and the form.
    let status = tid("shop-status");
    app.scroll_into_view(&tid("settings-shop-ledger")).await;
    app.wait_for_text(&status, "Not in a shop", WAIT).await;
    assert_eq!(
        app.attr(&tid("shop-password"), "type").await.as_deref(),
        Some("password")
    );

    // A counter's name is required: said at once, no PIN asked.
    app.type_into(&tid("shop-url"), &shop.url).await;
    app.click(&tid("shop-join")).await;
    app.wait_for_text(
        &tid("shop-error"),
        "Give this counter its name in the shop, e.g. “Till 2”",
        SHORT,
    )
    .await;
    assert!(!pin.is_open().await, "no PIN for a form not filled");
    assert!(app.has_focus(&tid("shop-counter")).await);
    app.screenshot("settings-shop-ledger-join.png").await;

    // A wrong password: the PIN is taken, the shop ledger refuses, and nothing is joined.
    app.type_into(&tid("shop-counter"), "Till 9").await;
    app.type_into(&tid("shop-password"), "not-the-password")
        .await;
    app.click(&tid("shop-join")).await;
    pin.wait_for_question(
        "This counter’s orders go to the shop ledger, and the other counters’ come here.",
    )
    .await;
    pin.enter(OWNER_PIN).await;
    pin.wait_until_closed().await;
    app.wait_for_attr(&tid("shop-error"), "data-code", "shop", LONG)
        .await;
    let said = app.text(&tid("shop-error")).await;
    assert!(
        said.starts_with(
            "The shop ledger refused the user or the password (password authentication failed"
        ),
        "{said}"
    );
    assert_eq!(app.text(&status).await, "Not in a shop");

    // The right one (Enter in the form joins): in the shop as Till 9, number 1, reachable.
    app.replace_text(
        &tid("shop-password"),
        &format!("{}{}", shop.password, keys::ENTER),
    )
    .await;
    pin.wait_for_dialog().await;
    pin.enter(OWNER_PIN).await;
    pin.wait_until_closed().await;
    app.wait_for_text(&status, "In a shop as Till 9 (number 1)", LONG)
        .await;
    assert_eq!(
        app.attr(&status, "data-reachable").await.as_deref(),
        Some("true")
    );
    assert_eq!(app.text(&tid("shop-status-reachable")).await, "Reachable");
    assert_eq!(app.text(&tid("shop-status-url")).await, shop.url);
    assert_eq!(
        app.text(&tid("shop-status-counter")).await,
        "Till 9 (number 1)"
    );
    assert_eq!(app.count(&tid("shop-error")).await, 0);
    let counters = app.text(&tid("shop-counters")).await;
    assert!(counters.contains("Till 9 (this counter)"), "{counters}");
    assert_eq!(app.count("[data-testid=shop-counter-row]").await, 1);
    // The password went to the keychain: not on the page, not in the form any more.
    assert_eq!(app.count(&tid("shop-password")).await, 0);
    assert!(!app.source().await.contains(&shop.password));
    app.screenshot("settings-shop-ledger.png").await;
    // The shop knows this counter; the command line sees the same.
    assert_eq!(
        shop.scalar("SELECT count(*) FROM shop_counters WHERE name = 'Till 9' AND left_at IS NULL"),
        1
    );
    let cli = json(&run_ok(&mut paydesk(
        dir.path(),
        &["shop", "status", "--json"],
    )));
    assert_eq!(cli["member"], true, "{cli}");
    assert_eq!(cli["url"], shop.url.as_str());

    // Refresh asks again.
    app.click(&tid("shop-refresh")).await;
    app.wait_for_text(&status, "In a shop as Till 9 (number 1)", LONG)
        .await;

    // Leave, with the PIN: every order stays here.
    app.click(&tid("shop-leave")).await;
    pin.wait_for_question(
        "Every order stays on this machine: this counter only stops sharing with the shop.",
    )
    .await;
    pin.enter(OWNER_PIN).await;
    pin.wait_until_closed().await;
    app.wait_for_text(&status, "Not in a shop", LONG).await;
    app.wait_for_text(
        &tid("shop-notice"),
        "Left the shop: every order stays on this machine",
        SHORT,
    )
    .await;
    assert_eq!(
        shop.scalar(
            "SELECT count(*) FROM shop_counters WHERE name = 'Till 9' AND left_at IS NOT NULL"
        ),
        1
    );
    app.close().await;

    let cli = json(&run_ok(&mut paydesk(
        dir.path(),
        &["shop", "status", "--json"],
    )));
    assert_eq!(cli["member"], false, "{cli}");
    // The password is nowhere in the data directory.
    assert_nowhere_under(dir.path(), &shop.password);
}
