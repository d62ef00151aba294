//! Joining and leaving: the password only in the keychain, a counter name once per shop, a
//! role with no superuser rights, and a counter that leaves keeping its whole ledger.

use super::cluster::{assert_nowhere_under, rung, try_join, Cluster, Member};
use crate::support::stderr;

#[test]
#[ignore = "needs a Secret Service session (make test's shop suite)"]
fn joining_keeps_the_password_in_the_keychain_and_each_name_once_in_the_shop() {
    let cluster = Cluster::start();
    let shop = cluster.shop("shop_join");
    assert_eq!(
        cluster.psql(
            "postgres",
            "SELECT rolsuper FROM pg_roles WHERE rolname = 'shop_join'"
        ),
        "f",
        "the shop's role is no superuser"
    );
    let till = Member::join(&shop, "Till 1");
    // The password is nowhere in the data directory; the address without it is.
    assert_nowhere_under(till.path(), &shop.password);
    let status = crate::support::json(&till.run(&["shop", "status", "--json"]));
    assert_eq!(status["url"], shop.url.as_str());
    assert_eq!(status["reachable"], true, "{status}");
    assert_eq!(status["counter"], "Till 1");
    assert_eq!(status["counterNumber"], 1);
    assert_eq!(
        shop.scalar("SELECT version FROM paydesk_schema"),
        paydesk_ledger::shop::schema_version() as i64
    );

    // The name is taken while Till 1 is in the shop.
    let other = tempfile::tempdir().unwrap();
    let out = try_join(other.path(), &shop, "Till 1", &shop.password);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error[counter_taken]"),
        "{}",
        stderr(&out)
    );
    // A wrong password is a clear failure, and nothing is joined.
    let out = try_join(other.path(), &shop, "Till 2", "not-the-password");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("password authentication failed"),
        "{}",
        stderr(&out)
    );
    let out = crate::support::run(&mut crate::support::paydesk(
        other.path(),
        &["shop", "status", "--json"],
    ));
    assert!(crate::support::stdout(&out).contains("\"member\": false"));
    // A bad address is refused where it is typed.
    let out = crate::support::run(&mut crate::support::paydesk(
        other.path(),
        &[
            "shop",
            "join",
            "mysql://till:secret@host/shop",
            "--counter",
            "Till 2",
        ],
    ));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("url:"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("secret"), "{}", stderr(&out));
}

#[test]
#[ignore = "needs a Secret Service session (make test's shop suite)"]
fn a_counter_that_leaves_keeps_its_whole_ledger_and_its_name_can_be_taken_again() {
    let cluster = Cluster::start();
    let shop = cluster.shop("shop_leave");
    let till = Member::join(&shop, "Till 1");
    let desk = Member::join(&shop, "Back office");
    let sold = rung(till.ring(2, 0));
    till.run(&["shop", "sync"]);
    desk.run(&["shop", "sync"]);
    assert_eq!(desk.orders(), 2);
    // Order numbers carry the counter's number (1: "01").
    assert!(sold.iter().all(|n| &n[17..19] == "01"), "{sold:?}");

    desk.run(&["shop", "leave"]);
    assert_eq!(desk.orders(), 2, "what the desk had pulled stays");
    let status = crate::support::json(&desk.run(&["shop", "status", "--json"]));
    assert_eq!(status["member"], false);
    assert_eq!(desk.scalar("SELECT count(*) FROM shop_outbox"), 0);
    // A new sale at the till no longer reaches the desk; the name is free again.
    rung(till.ring(1, 0));
    till.run(&["shop", "sync"]);
    assert_eq!(desk.orders(), 2);
    let again = Member::join(&shop, "Back office");
    assert_eq!(again.name, "Back office");
    assert_eq!(shop.scalar("SELECT count(*) FROM shop_orders"), 3);
}
