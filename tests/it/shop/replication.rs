//! Replication over real processes: counters selling while the shop ledger goes down and comes
//! back, and a replicator killed (`kill -9`) in the middle of its work.

use std::time::Duration;

use super::cluster::{kill_all, rung, wait_until, Cluster, Member};

fn totals(m: &Member) -> serde_json::Value {
    crate::support::json(&m.run(&["totals", "--json"]))
}

fn numbers(m: &Member) -> Vec<String> {
    let conn = m.sqlite();
    let mut stmt = conn
        .prepare("SELECT merchant_order_no FROM orders ORDER BY merchant_order_no")
        .unwrap();
    let rows = stmt.query_map([], |r| r.get(0)).unwrap();
    rows.collect::<rusqlite::Result<_>>().unwrap()
}

#[test]
#[ignore = "needs a Secret Service session (make test's shop suite)"]
fn three_counters_and_a_desk_agree_to_the_cent_after_the_shop_ledger_went_down_mid_run() {
    let cluster = Cluster::start();
    let shop = cluster.shop("shop_outage");
    let tills: Vec<Member> = (1..=3)
        .map(|i| Member::join(&shop, &format!("Till {i}")))
        .collect();
    let desk = Member::join(&shop, "Back office");
    let everyone: Vec<&Member> = tills.iter().chain([&desk]).collect();
    let mut replicators: Vec<_> = everyone.iter().map(|m| m.follow()).collect();
    let rings: Vec<_> = tills.iter().map(|t| t.ring(300, 0)).collect();

    // The outage: PostgreSQL stopped while every till is selling, started again seconds later.
    wait_until(
        Duration::from_secs(300),
        "a third of the sales at every till",
        || tills.iter().all(|t| t.orders() >= 100),
    );
    cluster.stop();
    let sold_before = tills.iter().map(Member::orders).sum::<i64>();
    std::thread::sleep(Duration::from_secs(3));
    let sold_during = tills.iter().map(Member::orders).sum::<i64>() - sold_before;
    cluster.restart();
    assert!(
        sold_during > 0,
        "the tills kept selling while the shop ledger was down"
    );

    let mut all: Vec<String> = rings.into_iter().flat_map(rung).collect();
    assert_eq!(all.len(), 900);
    all.sort();
    all.dedup();
    assert_eq!(
        all.len(),
        900,
        "order numbers are unique across the counters"
    );

    for m in &everyone {
        wait_until(
            Duration::from_secs(180),
            &format!("{} to hold all 900 paid sales", m.name),
            || m.scalar("SELECT count(*) FROM orders WHERE status = 'paid'") == 900,
        );
    }
    // Nothing lost, nothing twice: the same 900 numbers everywhere, in the shop ledger too.
    for m in &everyone {
        assert_eq!(numbers(m), all, "{}", m.name);
    }
    assert_eq!(shop.scalar("SELECT count(*) FROM shop_orders"), 900);
    assert_eq!(
        shop.scalar(
            "SELECT count(DISTINCT merchant_order_no) FROM shop_orders WHERE status = 'paid'"
        ),
        900
    );
    // Every event once, everywhere (each machine holds its own and the others').
    let events = shop.scalar("SELECT count(*) FROM shop_order_events");
    assert!(events >= 2700, "{events}");
    for m in &everyone {
        wait_until(Duration::from_secs(60), "every event pulled", || {
            m.scalar("SELECT count(*) FROM order_events") == events
        });
    }
    // Totals agree to the cent on every desk: 900 x 1.00 CAD taken.
    let expected = totals(&desk);
    assert!(
        expected.to_string().contains("900.00"),
        "the desk's totals: {expected}"
    );
    for m in &tills {
        assert_eq!(totals(m), expected, "{}'s totals", m.name);
    }
    // Each counter's own sales, by the counter filter.
    for t in &tills {
        let mine = crate::support::json(&desk.run(&["totals", "--counter", &t.name, "--json"]));
        assert!(mine.to_string().contains("300.00"), "{}: {mine}", t.name);
    }
    kill_all(&mut replicators);
}

#[test]
#[ignore = "needs a Secret Service session (make test's shop suite)"]
fn a_replicator_killed_mid_push_or_mid_pull_resumes_without_a_gap_or_a_duplicate() {
    let cluster = Cluster::start();
    let shop = cluster.shop("shop_kill");
    let till = Member::join(&shop, "Till 1");
    // A day's worth of sales queued at once (seeded while in the shop: every row in the outbox).
    till.run(&["dev", "seed", "--orders", "20000"]);
    let queued = till.scalar("SELECT count(*) FROM shop_outbox");
    assert!(queued > 20_000, "{queued}");

    let mut pushing = till.follow();
    wait_until(Duration::from_secs(120), "the push under way", || {
        till.scalar("SELECT count(*) FROM shop_outbox") < queued
    });
    pushing.kill().unwrap(); // SIGKILL: no goodbye
    pushing.wait().unwrap();
    let left = till.scalar("SELECT count(*) FROM shop_outbox");
    assert!(
        left > 0,
        "killed in the middle of the push ({left} of {queued} left)"
    );

    let pushing = till.follow();
    wait_until(Duration::from_secs(300), "the rest pushed", || {
        till.scalar("SELECT count(*) FROM shop_outbox") == 0
    });
    for (local, shop_table) in [
        ("orders", "shop_orders"),
        ("order_events", "shop_order_events"),
        ("refunds", "shop_refunds"),
    ] {
        assert_eq!(
            shop.scalar(&format!("SELECT count(*) FROM {shop_table}")),
            till.scalar(&format!("SELECT count(*) FROM {local}")),
            "{shop_table} holds every {local} row once"
        );
    }

    // A desk joining now pulls it all; killed mid-pull, it resumes from its change number.
    let desk = Member::join(&shop, "Back office");
    let mut pulling = desk.follow();
    wait_until(Duration::from_secs(120), "the pull under way", || {
        desk.orders() > 0
    });
    pulling.kill().unwrap();
    pulling.wait().unwrap();
    let pulled = desk.orders();
    assert!(
        pulled < till.orders(),
        "killed in the middle of the pull ({pulled} of {})",
        till.orders()
    );
    let pulling = desk.follow();
    wait_until(Duration::from_secs(300), "the desk caught up", || {
        desk.orders() == till.orders()
    });
    assert_eq!(
        desk.scalar("SELECT count(DISTINCT merchant_order_no) FROM orders"),
        till.orders()
    );
    wait_until(Duration::from_secs(120), "every event at the desk", || {
        desk.scalar("SELECT count(*) FROM order_events")
            == till.scalar("SELECT count(*) FROM order_events")
    });
    assert_eq!(
        desk.scalar("SELECT count(*) FROM refunds"),
        till.scalar("SELECT count(*) FROM refunds")
    );
    assert_eq!(
        crate::support::json(&desk.run(&["totals", "--json"])),
        crate::support::json(&till.run(&["totals", "--json"])),
        "the desk's totals are the till's"
    );
    kill_all(&mut [pushing, pulling]);
}
