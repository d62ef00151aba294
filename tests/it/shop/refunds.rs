//! Refunds and voids across counters: reserved in the shop ledger in one transaction that
//! locks the order, so two desks refunding the same sale at once make one refund; refused
//! while the shop ledger cannot be reached (the rule for every order, a counter's own
//! included); and statuses merging forward only, whichever desk saw a change first.

use std::process::{Child, Stdio};
use std::time::Duration;

use super::cluster::{rung, wait_until, Cluster, Member, ShopDb};
use crate::support::{credentials_set, paydesk, stderr, stdout};

/// One sandbox for the whole shop (as one gateway account is): `sandbox serve` on its own data
/// directory, every member in test mode with IOTPay's hosts pointed at it.
struct SharedSandbox {
    server: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl SharedSandbox {
    fn start() -> SharedSandbox {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let server = paydesk(
            dir.path(),
            &["sandbox", "serve", "--port", &port.to_string()],
        )
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
        wait_until(Duration::from_secs(60), "the shared sandbox", || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        SharedSandbox {
            server,
            base: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        }
    }

    /// `m` in test mode with the sandbox merchant's credentials, its IOTPay hosts this
    /// sandbox's (which accepts them).
    fn serve(&self, m: &Member) {
        m.run(&["settings", "set", "mode", "test"]);
        let out = crate::support::run_with_stdin(
            &mut m.cmd(&credentials_set(
                "iotpay",
                "test",
                &[
                    &format!("mchId={}", paydesk_sandbox::SANDBOX_MCH_ID),
                    &format!("loginName={}", paydesk_sandbox::SANDBOX_LOGIN_NAME),
                ],
            )),
            format!("{}\n", paydesk_sandbox::SANDBOX_MERCHANT_KEY).as_bytes(),
        );
        assert!(out.status.success(), "{}", stderr(&out));
        m.run(&[
            "settings",
            "set",
            "iotpay.test.v1_base",
            &format!("{}/iotpay/v1", self.base),
        ]);
        m.run(&[
            "settings",
            "set",
            "iotpay.test.v3_base",
            &format!("{}/iotpay/v3", self.base),
        ]);
    }
}

impl Drop for SharedSandbox {
    fn drop(&mut self) {
        self.server.kill().ok();
        self.server.wait().ok();
    }
}

fn refund(m: &Member, order: &str) -> Child {
    m.cmd(&["order", "refund", order, "--json"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn sync(m: &Member) {
    m.run(&["shop", "sync"]);
}

/// A shop `name` on its own cluster whose `members` join it and sell through one sandbox.
fn shop_on_one_sandbox(
    name: &str,
    members: &[&str],
) -> (Cluster, ShopDb, SharedSandbox, Vec<Member>) {
    let cluster = Cluster::start();
    let shop = cluster.shop(name);
    let sandbox = SharedSandbox::start();
    let joined: Vec<Member> = members.iter().map(|m| Member::join(&shop, m)).collect();
    for m in &joined {
        sandbox.serve(m);
    }
    (cluster, shop, sandbox, joined)
}

#[test]
#[ignore = "needs a Secret Service session (make test's shop suite)"]
fn two_desks_refunding_the_same_sale_at_the_same_instant_make_one_refund_and_one_clear_refusal() {
    let (_cluster, shop, _sandbox, mut members) =
        shop_on_one_sandbox("shop_race", &["Till 1", "Back office", "Owner at home"]);
    let desks = members.split_off(1);
    let till = members.remove(0);
    let sale = rung(till.ring(1, 0)).remove(0);
    sync(&till);
    for d in &desks {
        sync(d);
    }
    for round in 0..3 {
        // The same sale, refunded in full from both desks at once (three rounds: a new sale each).
        let sale = if round == 0 {
            sale.clone()
        } else {
            let next = rung(till.ring(1, 0)).remove(0);
            sync(&till);
            for d in &desks {
                sync(d);
            }
            next
        };
        let racing: Vec<Child> = desks.iter().map(|d| refund(d, &sale)).collect();
        let outcomes: Vec<_> = racing
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        let won: Vec<_> = outcomes.iter().filter(|o| o.status.success()).collect();
        let lost: Vec<_> = outcomes.iter().filter(|o| !o.status.success()).collect();
        assert_eq!(
            (won.len(), lost.len()),
            (1, 1),
            "one refund and one refusal: {:?}",
            outcomes
                .iter()
                .map(|o| format!("{} {} {}", o.status, stdout(o), stderr(o)))
                .collect::<Vec<_>>()
        );
        let refused = stderr(lost[0]);
        assert_eq!(lost[0].status.code(), Some(2), "{refused}");
        assert!(
            refused.contains("0.00 CAD of 1.00 CAD is left"),
            "the refusal says what is left: {refused}"
        );
        assert_eq!(
            shop.scalar(&format!(
                "SELECT count(*) FROM shop_refunds WHERE merchant_order_no = '{sale}' AND status <> 'failed'"
            )),
            1
        );
        // The winning desk pushes its refund; the till sees it refunded once.
        for d in &desks {
            sync(d);
        }
        sync(&till);
        let refunded = till.scalar(&format!(
            "SELECT refunded_minor FROM orders WHERE merchant_order_no = '{sale}'"
        ));
        assert_eq!(refunded, 100, "refunded once, in full");
        assert_eq!(
            till.scalar(&format!(
                "SELECT count(*) FROM orders WHERE merchant_order_no = '{sale}' AND status = 'refunded'"
            )),
            1
        );
    }
}

#[test]
#[ignore = "needs a Secret Service session (make test's shop suite)"]
fn while_the_shop_ledger_is_down_no_refund_is_made_and_sales_go_on() {
    let cluster = Cluster::start();
    let shop = cluster.shop("shop_down");
    let till = Member::join(&shop, "Till 1");
    let sale = rung(till.ring(1, 0)).remove(0);
    sync(&till);
    cluster.stop();

    let out = refund(&till, &sale).wait_with_output().unwrap();
    assert!(!out.status.success());
    let said = stderr(&out);
    assert!(
        said.contains("error[shop_unreachable]") && said.contains("refunds and voids wait"),
        "{said}"
    );
    assert_eq!(
        till.scalar("SELECT count(*) FROM refunds"),
        0,
        "nothing reserved here"
    );
    let doctor = crate::support::run(&mut till.cmd(&["doctor"]));
    let said = stdout(&doctor);
    assert!(
        said.contains("shop ledger:") && said.contains("NOT reachable"),
        "{said}"
    );
    assert!(!doctor.status.success(), "doctor says something is wrong");
    // Selling does not need the shop ledger.
    let offline = rung(till.ring(2, 0));
    assert_eq!(offline.len(), 2);
    assert_eq!(
        till.scalar("SELECT count(*) FROM orders WHERE status = 'paid'"),
        3
    );

    cluster.restart();
    let said = stdout(&crate::support::run(&mut till.cmd(&["doctor"])));
    assert!(said.contains("; reachable;"), "{said}");
    let out = refund(&till, &sale).wait_with_output().unwrap();
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    sync(&till);
    assert_eq!(shop.scalar("SELECT count(*) FROM shop_orders"), 3);
    assert_eq!(
        shop.scalar(&format!(
            "SELECT refunded_minor FROM shop_orders WHERE merchant_order_no = '{sale}'"
        )),
        100
    );
}

#[test]
#[ignore = "needs a Secret Service session (make test's shop suite)"]
fn statuses_merge_forward_only_whichever_desk_saw_the_change_first() {
    let (_cluster, shop, _sandbox, mut members) =
        shop_on_one_sandbox("shop_merge", &["Till 1", "Back office"]);
    let desk = members.remove(1);
    let till = members.remove(0);
    // A sale the customer has not paid yet, known to the whole shop as pending.
    let created = crate::support::json(&till.run(&[
        "order",
        "create",
        "--gateway",
        "iotpay",
        "--method",
        "wechat-qr",
        "--amount",
        "4.20",
        "--currency",
        "CAD",
        "--json",
    ]));
    let no = created["order"]["merchantOrderNo"]
        .as_str()
        .unwrap()
        .to_string();
    let page = created["order"]["paymentUrl"].as_str().unwrap().to_string();
    sync(&till);
    sync(&desk);
    // The customer pays; the desk re-queries first and tells the shop.
    let paid = std::process::Command::new("curl")
        .args(["-fsS", "-X", "POST", &format!("{page}/pay")])
        .output()
        .unwrap();
    assert!(paid.status.success(), "{}", stderr(&paid));
    desk.run(&["order", "sync", &no]);
    sync(&desk);
    let status = |sql_where: &str| {
        shop.scalar(&format!(
            "SELECT count(*) FROM shop_orders WHERE {sql_where}"
        ))
    };
    assert_eq!(
        status(&format!("merchant_order_no = '{no}' AND status = 'paid'")),
        1
    );
    // The till, which still says pending, changes the order (the customer's name) and pushes
    // its row: the shop keeps paid (and takes the name), and the till moves forward to paid.
    till.sqlite()
        .execute(
            "UPDATE orders SET customer = 'Ann' WHERE merchant_order_no = ?1",
            [&no],
        )
        .unwrap();
    assert_eq!(
        till.scalar(&format!(
            "SELECT count(*) FROM orders WHERE merchant_order_no = '{no}' AND status = 'pending'"
        )),
        1
    );
    sync(&till);
    assert_eq!(
        status(&format!(
            "merchant_order_no = '{no}' AND status = 'paid' AND customer = 'Ann'"
        )),
        1,
        "a stale pending never takes a paid order back"
    );
    assert_eq!(
        till.scalar(&format!(
            "SELECT count(*) FROM orders WHERE merchant_order_no = '{no}' AND status = 'paid'"
        )),
        1,
        "the till moved forward to what the desk saw"
    );
    // The till's own follow-up of the order is still its own: it is not followed by the desk.
    assert_eq!(
        desk.scalar(&format!(
            "SELECT count(*) FROM order_events e JOIN orders o ON o.id = e.order_id
             WHERE o.merchant_order_no = '{no}' AND e.to_status = 'paid'"
        )),
        1,
        "one paid event in the desk's history (its own)"
    );
}

#[test]
#[ignore = "needs a Secret Service session (make test's shop suite)"]
fn a_reservation_let_go_no_longer_holds_its_amount() {
    // What a desk does when its own ledger refuses a refund it has just reserved in the shop:
    // nothing went to the gateway, so the reservation is let go, not left holding the amount.
    use paydesk_ledger::shop::{connect, Reservation, ShopAddress};
    let cluster = Cluster::start();
    let shop = cluster.shop("shop_release");
    let till = Member::join(&shop, "Till 1");
    let sale = rung(till.ring(1, 0)).remove(0);
    sync(&till);
    let (address, _) = ShopAddress::parse(&shop.url).unwrap();
    let mut ledger = connect(&address, Some(&shop.password)).unwrap();
    let whole = |refund_no| Reservation {
        merchant_order_no: &sale,
        refund_no,
        counter: "Till 1",
        amount_minor: 100,
        kind: "refund",
        reason: None,
    };
    ledger.reserve_refund(&whole("RFHELD")).unwrap();
    let refused = ledger.reserve_refund(&whole("RFNEXT")).unwrap_err();
    assert!(
        refused.to_string().contains("0.00 CAD of 1.00 CAD is left"),
        "{refused}"
    );
    ledger.reserve_refund(&whole("RFHELD")).unwrap(); // the same one again: still one
    ledger
        .release_refund("RFHELD", "the desk's ledger refused it")
        .unwrap();
    ledger.reserve_refund(&whole("RFNEXT")).unwrap();
    assert_eq!(
        shop.scalar("SELECT count(*) FROM shop_refunds WHERE status = 'failed' AND reason LIKE 'not made: %'"),
        1
    );
    assert_eq!(
        shop.scalar("SELECT count(*) FROM shop_refunds WHERE status = 'pending'"),
        1
    );
}

#[test]
#[ignore = "needs a Secret Service session (make test's shop suite)"]
fn a_tip_travels_with_its_sale_and_a_refund_without_it_is_seen_at_every_desk() {
    let (_cluster, shop, _sandbox, mut members) =
        shop_on_one_sandbox("shop_tips", &["Till 1", "Back office"]);
    let desk = members.remove(1);
    let till = members.remove(0);
    till.run(&["settings", "set", "tips.enabled", "on"]);
    let created = crate::support::json(&till.run(&[
        "order",
        "create",
        "--gateway",
        "iotpay",
        "--method",
        "wechat-qr",
        "--amount",
        "20.00",
        "--currency",
        "CAD",
        "--tip",
        "15%",
        "--json",
    ]));
    let no = created["order"]["merchantOrderNo"]
        .as_str()
        .unwrap()
        .to_string();
    let page = created["order"]["paymentUrl"].as_str().unwrap().to_string();
    let paid = std::process::Command::new("curl")
        .args(["-fsS", "-X", "POST", &format!("{page}/pay")])
        .output()
        .unwrap();
    assert!(paid.status.success(), "{}", stderr(&paid));
    till.run(&["order", "sync", &no]);
    sync(&till);
    assert_eq!(
        shop.scalar(&format!(
            "SELECT tip_minor FROM shop_orders WHERE merchant_order_no = '{no}'"
        )),
        300
    );
    // The back office pulls the sale with its tip, and refunds the sale without it.
    sync(&desk);
    assert_eq!(
        desk.scalar(&format!(
            "SELECT tip_minor FROM orders WHERE merchant_order_no = '{no}'"
        )),
        300
    );
    desk.run(&["order", "refund", &no, "--sale-only"]);
    sync(&desk);
    assert_eq!(
        shop.scalar(&format!(
            "SELECT amount_minor * 10000 + tip_minor FROM shop_refunds WHERE merchant_order_no = '{no}'"
        )),
        2000 * 10000,
        "the shop holds the refund of the sale, no tip in it"
    );
    // Then the tip, from the till: both desks see the tip given back.
    sync(&till);
    till.run(&["order", "refund", &no]);
    sync(&till);
    sync(&desk);
    for (who, db) in [("till", &till), ("desk", &desk)] {
        assert_eq!(
            db.scalar(&format!(
                "SELECT refunded_minor * 10000 + tip_refunded_minor FROM orders WHERE merchant_order_no = '{no}'"
            )),
            2300 * 10000 + 300,
            "{who}"
        );
    }
    assert_eq!(
        shop.scalar(&format!(
            "SELECT tip_refunded_minor FROM shop_orders WHERE merchant_order_no = '{no}'"
        )),
        300
    );
}
