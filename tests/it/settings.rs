//! Settings and reports, as the window and the CLI share them: "Test connection" against the
//! embedded sandbox (the cheapest authenticated call of each gateway, sorted into reachable
//! and accepted / credentials rejected / unreachable), `paydesk settings` with the core's
//! validation, and the window's daily report beside `paydesk report`.

use paydesk_core::staff::Acting;
use std::time::Duration;

use paydesk_domain::order::Gateway;
use paydesk_gateways::iotpay::{Iotpay, IotpayConfig};
use paydesk_gateways::iotpay_card::{IotpayCard, IotpayCardConfig};
use paydesk_gateways::smartexpay::Smartexpay;
use paydesk_gateways::smartpay::{Smartpay, SmartpayAuth, SmartpayConfig};
use paydesk_gateways::smepay::{PathFamily, Smepay, SmepayConfig};
use paydesk_gateways::{build, Adapter, Built, ConnectionOutcome};
use paydesk_sandbox::{
    SandboxServer, SANDBOX_LOGIN_NAME, SANDBOX_MCH_ID, SANDBOX_MERCHANT_KEY,
    SANDBOX_SMARTEXPAY_API_KEY, SANDBOX_SMARTPAY_AUTH_KEY, SANDBOX_SMARTPAY_CLIENT_ID,
    SANDBOX_SMARTPAY_CLIENT_SECRET, SANDBOX_SMARTPAY_MERCHANT_KEY, SANDBOX_SMEPAY_CLIENT_ID,
    SANDBOX_SMEPAY_CLIENT_SECRET,
};
use paydesk_secrets::vault::Sensitive;

use crate::support::{settle_at_iotpay, smartexpay_config};

const TIMEOUT: Duration = Duration::from_secs(10);

fn iotpay(base: &str, v3: &str, mch_id: &str, key: &str) -> Box<dyn Adapter> {
    build(Built::Iotpay {
        v1: Iotpay::new(IotpayConfig {
            v1_base: base.into(),
            mch_id: mch_id.into(),
            login_name: SANDBOX_LOGIN_NAME.into(),
            key: Sensitive::new(key.into()),
            notify_url: "http://127.0.0.1:9/notify/iotpay".into(),
            client_ip: "127.0.0.1".into(),
            wechat_app_id: None,
            return_url: String::new(),
            os_type: None,
            timeout: TIMEOUT,
        })
        .unwrap(),
        card: IotpayCard::new(IotpayCardConfig {
            base: v3.into(),
            mch_id: mch_id.into(),
            login_name: SANDBOX_LOGIN_NAME.into(),
            key: Sensitive::new(key.into()),
            notify_url: "http://127.0.0.1:9/notify/iotpay-card".into(),
            return_url: "http://127.0.0.1:9/done".into(),
            script_url: "http://127.0.0.1:9/iotpaycc.js".into(),
            timeout: TIMEOUT,
        })
        .unwrap(),
    })
}

fn smepay(base: &str, secret: &str) -> Box<dyn Adapter> {
    build(Built::Smepay(
        Smepay::new(SmepayConfig {
            base: base.into(),
            paths: PathFamily::parse("").unwrap(),
            client_id: SANDBOX_SMEPAY_CLIENT_ID.into(),
            client_secret: Sensitive::new(secret.into()),
            callback_url: "http://127.0.0.1:9/notify/smepay".into(),
            script_url: "http://127.0.0.1:9/smepay.js".into(),
            customer_name: "Counter customer".into(),
            customer_email: "customer@example.com".into(),
            customer_mobile: "9999999999".into(),
            timeout: TIMEOUT,
        })
        .unwrap(),
    ))
}

fn smartexpay(base: &str, key: &str) -> Box<dyn Adapter> {
    build(Built::Smartexpay(
        Smartexpay::new(smartexpay_config(base, key, TIMEOUT)).unwrap(),
    ))
}

fn smartpay(base: &str, auth: SmartpayAuth) -> Box<dyn Adapter> {
    build(Built::Smartpay(
        Smartpay::new(SmartpayConfig {
            base: base.into(),
            merchant_key: SANDBOX_SMARTPAY_MERCHANT_KEY.into(),
            auth,
            script_url: None,
            origin: "tauri://localhost".into(),
            consumer_first_name: "Counter".into(),
            consumer_last_name: "Customer".into(),
            consumer_email: "customer@example.com".into(),
            timeout: TIMEOUT,
            pending_retries: 3,
            pending_retry_interval: Duration::from_millis(10),
        })
        .unwrap(),
    ))
}

#[tokio::test(flavor = "multi_thread")]
async fn every_gateway_reaches_the_sandbox_with_its_credentials() {
    let (dir, desk) = crate::support::sandbox_desk().await;
    for gateway in Gateway::ALL {
        let check = desk.test_connection(gateway, "sandbox").await;
        assert_eq!(
            check.outcome,
            ConnectionOutcome::Ok,
            "{}: {}",
            gateway.as_str(),
            check.message
        );
        assert_eq!(check.environment, "sandbox");
        assert!(!check.message.is_empty());
    }
    // The IOTPay probe is a signed query of an order no one made: "no such order" is the
    // gateway's own word for "your signature was good".
    let iotpay = desk.test_connection(Gateway::Iotpay, "sandbox").await;
    assert!(iotpay.message.contains("0112"), "{}", iotpay.message);
    // No order was written for a check.
    assert_eq!(crate::support::order_count(dir.path()), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_credentials_are_told_apart_from_an_unreachable_host() {
    let dir = tempfile::tempdir().unwrap();
    let server = SandboxServer::start(dir.path(), ([127, 0, 0, 1], 0).into())
        .await
        .unwrap();
    let v1 = server.iotpay_v1_base();
    let v3 = server.iotpay_v3_base();

    let good = iotpay(&v1, &v3, SANDBOX_MCH_ID, SANDBOX_MERCHANT_KEY);
    assert_eq!(good.check_connection().await.0, ConnectionOutcome::Ok);
    let (outcome, message) = iotpay(&v1, &v3, SANDBOX_MCH_ID, "not-the-key")
        .check_connection()
        .await;
    assert_eq!(outcome, ConnectionOutcome::CredentialsRejected, "{message}");
    assert!(message.contains("0013"), "the sign error: {message}");
    let (outcome, message) = iotpay(&v1, &v3, "99999999", SANDBOX_MERCHANT_KEY)
        .check_connection()
        .await;
    assert_eq!(outcome, ConnectionOutcome::CredentialsRejected, "{message}");
    assert!(message.contains("0015"), "{message}");

    let smepay_base = server.smepay_base();
    assert_eq!(
        smepay(&smepay_base, SANDBOX_SMEPAY_CLIENT_SECRET)
            .check_connection()
            .await
            .0,
        ConnectionOutcome::Ok
    );
    let (outcome, message) = smepay(&smepay_base, "wrong-secret")
        .check_connection()
        .await;
    assert_eq!(outcome, ConnectionOutcome::CredentialsRejected, "{message}");

    let smartexpay_base = server.smartexpay_base();
    let (outcome, message) = smartexpay(&smartexpay_base, SANDBOX_SMARTEXPAY_API_KEY)
        .check_connection()
        .await;
    assert_eq!(outcome, ConnectionOutcome::Ok, "{message}");
    assert!(
        message.to_ascii_lowercase().contains("not found"),
        "{message}"
    );
    let (outcome, message) = smartexpay(&smartexpay_base, "wrong-key")
        .check_connection()
        .await;
    assert_eq!(outcome, ConnectionOutcome::CredentialsRejected, "{message}");
    assert!(message.contains("API key"), "{message}");

    let smartpay_base = server.smartpay_base();
    let oauth = |secret: &str| SmartpayAuth::OAuth {
        token_url: format!("{smartpay_base}/oauth2/token"),
        client_id: SANDBOX_SMARTPAY_CLIENT_ID.into(),
        client_secret: Sensitive::new(secret.into()),
    };
    let basic = |key: &str| SmartpayAuth::Basic {
        authentication_key: Sensitive::new(key.into()),
    };
    for (auth, expected) in [
        (oauth(SANDBOX_SMARTPAY_CLIENT_SECRET), ConnectionOutcome::Ok),
        (oauth("wrong"), ConnectionOutcome::CredentialsRejected),
        (basic(SANDBOX_SMARTPAY_AUTH_KEY), ConnectionOutcome::Ok),
        (basic("wrong"), ConnectionOutcome::CredentialsRejected),
    ] {
        let (outcome, message) = smartpay(&smartpay_base, auth).check_connection().await;
        assert_eq!(outcome, expected, "{message}");
    }

    // Nothing listens there: unreachable, whatever the credentials.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    for connector in [
        iotpay(&closed, &closed, SANDBOX_MCH_ID, SANDBOX_MERCHANT_KEY),
        smepay(&closed, SANDBOX_SMEPAY_CLIENT_SECRET),
        smartexpay(&closed, SANDBOX_SMARTEXPAY_API_KEY),
        smartpay(&closed, basic(SANDBOX_SMARTPAY_AUTH_KEY)),
    ] {
        let (outcome, message) = connector.check_connection().await;
        assert_eq!(outcome, ConnectionOutcome::Unreachable, "{message}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gateway_without_its_host_is_not_configured() {
    let (_dir, desk) = crate::support::sandbox_desk().await;
    // SmartExPay's live host is given to each merchant: without it there is nothing to call.
    let check = desk.test_connection(Gateway::Smartexpay, "live").await;
    assert_eq!(check.outcome, ConnectionOutcome::Error);
    assert!(
        check.message.contains("smartexpay.live.base"),
        "{}",
        check.message
    );
    let check = desk.test_connection(Gateway::Iotpay, "staging").await;
    assert_eq!(check.outcome, ConnectionOutcome::Error);
    assert!(
        check.message.contains("sandbox, test or live"),
        "{}",
        check.message
    );
}

#[test]
fn the_cli_checks_settings_with_the_cores_rules() {
    use crate::support::{paydesk as paydesk_cmd, run, run_ok, stderr, stdout};
    let dir = tempfile::tempdir().unwrap();
    let bad = run(&mut paydesk_cmd(
        dir.path(),
        &[
            "settings",
            "set",
            "iotpay.live.v1_base",
            "http://api.iotpaycloud.com/v1",
        ],
    ));
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(
        stderr(&bad).contains("api.iotpaycloud.com is not this machine"),
        "{}",
        stderr(&bad)
    );
    let bad = run(&mut paydesk_cmd(
        dir.path(),
        &["settings", "set", "shop.currency", "EURO"],
    ));
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("ISO 4217"), "{}", stderr(&bad));
    let unknown = run(&mut paydesk_cmd(
        dir.path(),
        &["settings", "set", "shop.colour", "red"],
    ));
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("shop.currency"), "lists the keys");

    let set = run_ok(&mut paydesk_cmd(
        dir.path(),
        &["settings", "set", "shop.currency", " eur "],
    ));
    assert_eq!(stdout(&set).trim(), "shop.currency = EUR");
    let open = run_ok(&mut paydesk_cmd(
        dir.path(),
        &["settings", "set", "notify.bind", "0.0.0.0:47390"],
    ));
    assert!(stderr(&open).contains("not loopback"), "{}", stderr(&open));
    let shown = stdout(&run_ok(&mut paydesk_cmd(dir.path(), &["settings", "show"])));
    assert!(shown.contains("shop.currency = EUR"), "{shown}");
    assert!(shown.contains("notify.bind = 0.0.0.0:47390"), "{shown}");
    // An empty value returns the key to its default.
    run_ok(&mut paydesk_cmd(
        dir.path(),
        &["settings", "set", "notify.bind", ""],
    ));
    let shown = stdout(&run_ok(&mut paydesk_cmd(dir.path(), &["settings", "show"])));
    assert!(
        shown
            .lines()
            .any(|l| l == "notify.bind = 127.0.0.1:47390 (default)"),
        "{shown}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_daily_report_is_the_clis_report_for_the_same_days() {
    use crate::support::{json, paydesk as paydesk_cmd, run_ok};
    let (dir, desk) = crate::support::sandbox_desk().await;
    for (amount, pay) in [
        ("12.50", Some(true)),
        ("7.25", Some(true)),
        ("3.00", Some(false)),
        ("4.10", None),
    ] {
        let order = desk
            .create_order(
                &Acting::nobody(),
                &crate::support::sale_input("iotpay", "wechat-qr", amount, "CAD"),
            )
            .await
            .unwrap();
        if let Some(pay) = pay {
            settle_at_iotpay(dir.path(), &order.merchant_order_no, pay);
            desk.sync(order.id).await.unwrap();
        }
    }
    let today = chrono::Local::now().date_naive();
    let from = (today - chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    let to = today.format("%Y-%m-%d").to_string();
    let report = paydesk_core::reports::daily(desk.ledger(), &from, &to, "local").unwrap();
    assert_eq!(report.days.len(), 3);
    assert_eq!(report.days.last(), Some(&to));
    assert_eq!(report.currencies.len(), 1);
    assert_eq!(
        (report.currencies[0].code, report.currencies[0].exponent),
        ("CAD", 2)
    );
    let cli = json(&run_ok(&mut paydesk_cmd(
        dir.path(),
        &[
            "report", "--by", "day", "--from", &from, "--to", &to, "--tz", "local", "--json",
        ],
    )));
    assert_eq!(serde_json::to_value(&report.rows).unwrap(), cli["rows"]);
    assert_eq!(serde_json::to_value(&report.totals).unwrap(), cli["totals"]);
    assert_eq!(
        serde_json::to_value(&report.takings_by_day).unwrap(),
        cli["takingsByDay"]
    );
    assert_eq!(
        serde_json::to_value(&report.by_method).unwrap(),
        cli["byMethod"]
    );
    // Takings are the two paid sales; the waiting and the failed ones are counted apart.
    assert_eq!(report.totals.by_currency[0].takings_minor, 1975);
    assert_eq!(
        report
            .takings_by_day
            .iter()
            .map(|d| d.takings_minor)
            .sum::<i64>(),
        1975,
        "the chart's days add up to the table's takings"
    );
    assert_eq!(report.by_method[0].method, "wechat-qr");
    assert_eq!(report.rows[0].method, "wechat-qr");
    let paid = report.rows.iter().find(|r| r.status == "paid").unwrap();
    assert_eq!((paid.count, paid.amount_minor), (2, 1975));
    assert_eq!(
        report.rows.iter().map(|r| r.count).sum::<u64>(),
        4,
        "{:?}",
        report.rows
    );
}

/// `settings show` prints every value Paydesk uses: the shop's, else the default each gateway
/// declares beside its config (marked), else what it is worked out from.
#[test]
fn settings_show_prints_every_default_in_use() {
    use crate::support::{paydesk as paydesk_cmd, run_ok, stdout};
    let dir = tempfile::tempdir().unwrap();
    let shown = stdout(&run_ok(&mut paydesk_cmd(dir.path(), &["settings", "show"])));
    for line in [
        "iotpay.live.v1_base = https://api.iotpaycloud.com/v1 (default)",
        "iotpay.live.v3_base = https://ccapi.iotpaycloud.com/v3 (default)",
        "iotpay.test.v3_base = https://ccdev.iotpaycloud.com/v3 (default)",
        "iotpay.test.client_ip = 127.0.0.1 (default)",
        "smepay.test.customer_name = Counter customer (default)",
        "smartpay.live.pending_retry_ms = 60000 (default)",
        "smartexpay.live.lang = en (default)",
        "iotpay.live.notify_url: the notification receiver's /notify/iotpay (default)",
    ] {
        assert!(
            shown.lines().any(|l| l == line),
            "{line:?} missing from:\n{shown}"
        );
    }
    // Given to each merchant: no default to show.
    assert!(!shown.contains("smartpay.live.base"), "{shown}");
    let set = run_ok(&mut paydesk_cmd(
        dir.path(),
        &["settings", "set", "smepay.test.customer_name", "Walk-in"],
    ));
    drop(set);
    let shown = stdout(&run_ok(&mut paydesk_cmd(dir.path(), &["settings", "show"])));
    assert!(
        shown
            .lines()
            .any(|l| l == "smepay.test.customer_name = Walk-in"),
        "{shown}"
    );
}
