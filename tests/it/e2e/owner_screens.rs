//! The owner's screens end to end (issue 12): totals that mean money (the Orders header's
//! takings leave waiting and failed orders out and count them beside; Reports' chart, table and
//! headline agree with it and with `paydesk totals`), a waiting order cancelled from Orders,
//! a declined order said in words, and the Orders screen whole at 1024 x 768.

use std::path::Path;
use std::time::Duration;

use serde_json::json;

use super::{
    layout_faults, open_app, order_detail, set_viewport, settled_order, shot, Session, TILL,
};
use crate::support::{create_sandbox_order, json as parse_json, paydesk, run_ok};

/// A scanned payment code the sandbox declines (its last digit is 9): the order ends failed.
fn declined_scan(dir: &Path, amount: &str) -> String {
    let output = run_ok(&mut paydesk(
        dir,
        &[
            "order",
            "create",
            "--gateway",
            "iotpay",
            "--method",
            "barcode",
            "--code",
            "134567890123456789",
            "--amount",
            amount,
            "--currency",
            "CAD",
            "--json",
        ],
    ));
    let order = parse_json(&output)["order"].clone();
    assert_eq!(order["status"], "failed", "a declined scan fails: {order}");
    order["id"].as_i64().unwrap().to_string()
}

async fn open_screen(session: &Session, screen: &str, ready: &str) {
    let nav = session
        .find(
            &format!("[data-testid=nav-{screen}]"),
            Duration::from_secs(30),
        )
        .await;
    session.click(&nav).await;
    session.find(ready, Duration::from_secs(15)).await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn totals_count_only_money_that_arrived_and_reports_agree() {
    let dir = tempfile::tempdir().unwrap();
    // One paid (12.50), one waiting (4.10: created, never paid), one failed (a declined scan).
    settled_order(dir.path(), "wechat-qr", "12.50", true);
    let waiting = create_sandbox_order(dir.path(), "wechat-qr", "4.10");
    declined_scan(dir.path(), "30.00");
    let cli = parse_json(&run_ok(&mut paydesk(dir.path(), &["totals", "--json"])));
    assert_eq!(cli["count"], 3, "{cli}");

    let (_driver, session) = open_app(dir.path()).await;
    set_viewport(&session, TILL.0, TILL.1).await;
    open_screen(&session, "orders", "[data-testid=orders-table]").await;
    session
        .wait_for_attribute(
            "[data-testid=orders-totals]",
            "data-count",
            "3",
            Duration::from_secs(15),
        )
        .await;
    // The waiting order is still waiting when the window counts it (nobody paid it).
    let status = order_detail(dir.path(), &waiting["id"].to_string())["order"]["status"].clone();
    assert!(
        status == "created" || status == "pending",
        "the waiting order is waiting: {status}"
    );

    // The headline is the takings of the paid order alone.
    let cad = session
        .find("[data-testid=total-CAD]", Duration::from_secs(5))
        .await;
    assert_eq!(
        session
            .attribute(&cad, "data-takings-minor")
            .await
            .as_deref(),
        Some("1250")
    );
    assert_eq!(
        session.attribute(&cad, "data-paid-count").await.as_deref(),
        Some("1")
    );
    assert_eq!(session.text(&cad).await.trim(), "12.50 CAD");
    // The others are counted beside it, never summed in.
    let totals = session
        .find("[data-testid=orders-totals]", Duration::from_secs(5))
        .await;
    for (class, want) in [
        ("waiting", "1"),
        ("failed", "1"),
        ("cancelled", "0"),
        ("expired", "0"),
    ] {
        assert_eq!(
            session
                .attribute(&totals, &format!("data-{class}"))
                .await
                .as_deref(),
            Some(want),
            "{class}"
        );
    }
    session
        .wait_for_text(
            "[data-testid=count-waiting]",
            "1 waiting",
            Duration::from_secs(2),
        )
        .await;
    session
        .wait_for_text(
            "[data-testid=count-failed]",
            "1 failed",
            Duration::from_secs(2),
        )
        .await;
    session
        .wait_for_text("[data-testid=count-paid]", "1 paid", Duration::from_secs(2))
        .await;
    // The same figures as the command line's.
    let cli_cad = cli["byCurrency"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["currency"] == "CAD")
        .unwrap_or_else(|| panic!("CAD in {cli}"));
    assert_eq!(cli_cad["takingsMinor"], 1250, "{cli}");
    assert_eq!(cli["waiting"], 1, "{cli}");
    assert_eq!(cli["failed"], 1, "{cli}");

    // At 1024 wide: the header is one line, and no column header is cut.
    let geometry = session.script("const t = document.querySelector('[data-testid=orders-totals]');\
         const heads = Array.from(document.querySelectorAll('[data-testid=orders-head]'));\
         return {\
           totalsOneLine: t.scrollWidth <= t.clientWidth + 1 && t.getBoundingClientRect().height < 48,\
           cut: heads.filter((h) => h.scrollWidth > h.clientWidth + 1).map((h) => h.textContent.trim()),\
           badgesCut: Array.from(document.querySelectorAll('[data-testid=order-row] .badge'))\
             .filter((b) => b.getBoundingClientRect().right > b.closest('td').getBoundingClientRect().right + 1)\
             .map((b) => b.textContent.trim()),\
           buttonsCut: Array.from(document.querySelectorAll('.orders button'))\
             .filter((b) => b.offsetParent !== null && b.scrollWidth > b.clientWidth + 1)\
             .map((b) => b.textContent.trim()),\
           heads: heads.map((h) => h.textContent.trim()),\
           tableFits: document.querySelector('[data-testid=orders-scroller]').scrollWidth <=\
             document.querySelector('[data-testid=orders-scroller]').clientWidth + 1,\
         };",
        json!([]),
    )
    .await;
    assert_eq!(geometry["totalsOneLine"], true, "{geometry}");
    assert_eq!(geometry["cut"], json!([]), "{geometry}");
    assert_eq!(geometry["badgesCut"], json!([]), "{geometry}");
    assert_eq!(geometry["buttonsCut"], json!([]), "{geometry}");
    assert_eq!(geometry["tableFits"], true, "{geometry}");
    // Rows say the status in words; the list has no raw gateway column.
    assert!(
        !geometry["heads"].to_string().contains("Gateway ref"),
        "{geometry}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    session.screenshot(&shot("orders-1024.png")).await;

    // Reports over today: the headline, the chart and the table are the same takings.
    open_screen(&session, "reports", "[data-testid=report-table]").await;
    let total = session
        .find("[data-testid=report-total]", Duration::from_secs(15))
        .await;
    for name in ["data-takings-minor", "data-chart-minor", "data-table-minor"] {
        assert_eq!(
            session.attribute(&total, name).await.as_deref(),
            Some("1250"),
            "{name}"
        );
    }
    assert_eq!(
        session.attribute(&total, "data-count").await.as_deref(),
        Some("1")
    );
    let chart = session
        .find("[data-testid=report-chart]", Duration::from_secs(5))
        .await;
    assert_eq!(
        session
            .attribute(&chart, "data-total-minor")
            .await
            .as_deref(),
        Some("1250")
    );
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    let bar = session
        .find(
            &format!("[data-testid=chart-bar][data-day='{today}']"),
            Duration::from_secs(5),
        )
        .await;
    assert_eq!(
        session.attribute(&bar, "data-total-minor").await.as_deref(),
        Some("1250")
    );
    // Grouped by how the customer paid: one row, WeChat Pay QR.
    assert_eq!(session.count("[data-testid=report-row]").await, 1);
    let row = session
        .find(
            "[data-testid=report-row][data-method=wechat-qr]",
            Duration::from_secs(5),
        )
        .await;
    assert!(
        session.text(&row).await.contains("WeChat Pay"),
        "{}",
        session.text(&row).await
    );
    assert_eq!(session.count("[data-testid=report-disagree]").await, 0);
    let headline = session
        .find("[data-testid=report-headline]", Duration::from_secs(5))
        .await;
    assert_eq!(
        session
            .attribute(&headline, "data-waiting")
            .await
            .as_deref(),
        Some("1")
    );
    assert_eq!(
        session.attribute(&headline, "data-failed").await.as_deref(),
        Some("1")
    );
    // The range pickers are date pickers, not typed text.
    let kinds = session.script("return ['report-from', 'report-to'].map((id) => document.querySelector(`[data-testid=${id}]`).type);",
        json!([]),
    )
    .await;
    assert_eq!(kinds, json!(["date", "date"]));
    tokio::time::sleep(Duration::from_millis(300)).await;
    session.screenshot(&shot("report-1024.png")).await;
    session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn a_waiting_order_is_cancelled_from_orders_with_a_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    let order = create_sandbox_order(dir.path(), "wechat-qr", "6.00");
    let id = order["id"].as_i64().unwrap().to_string();

    let (_driver, session) = open_app(dir.path()).await;
    open_screen(&session, "orders", "[data-testid=orders-table]").await;
    let row = session
        .find(
            &format!("[data-testid=order-row][data-order-id='{id}'] td.mono"),
            Duration::from_secs(10),
        )
        .await;
    session.click(&row).await;
    session
        .find("[data-testid=waiting-actions]", Duration::from_secs(10))
        .await;
    // At the till's size, the waiting order's actions are in view and whole.
    set_viewport(&session, TILL.0, TILL.1).await;
    let faults = layout_faults(
        &session,
        "waiting-detail",
        &[
            "[data-testid=check-now]",
            "[data-testid=cancel-sale]",
            "[data-testid=reopen-on-counter]",
        ],
    )
    .await;
    assert!(faults.is_empty(), "{}", faults.join("\n"));
    session
        .screenshot(&shot("orders-waiting-detail-1024.png"))
        .await;
    // Check now asks the gateway and says what it found, in words.
    let check = session
        .find("[data-testid=check-now]", Duration::from_secs(5))
        .await;
    session.click(&check).await;
    let done = session
        .find("[data-testid=owner-action-done]", Duration::from_secs(15))
        .await;
    let said = session.text(&done).await;
    assert!(said.starts_with("Checked"), "{said}");
    let cancel = session
        .find("[data-testid=cancel-sale]", Duration::from_secs(5))
        .await;
    session.click(&cancel).await;
    // Asked once more, with the amount; nothing is cancelled until confirmed.
    let question = session
        .find("[data-testid=cancel-confirm]", Duration::from_secs(5))
        .await;
    assert!(
        session.text(&question).await.contains("6.00 CAD"),
        "{}",
        session.text(&question).await
    );
    let status = order_detail(dir.path(), &id)["order"]["status"].clone();
    assert!(status == "created" || status == "pending", "{status}");
    let confirm = session
        .find(
            "[data-testid=cancel-confirm-button]",
            Duration::from_secs(5),
        )
        .await;
    session.click(&confirm).await;
    session
        .wait_for_attribute(
            "[data-testid=order-detail] .summary [data-status]",
            "data-status",
            "cancelled",
            Duration::from_secs(15),
        )
        .await;
    assert_eq!(session.count("[data-testid=waiting-actions]").await, 0);
    // The list row follows, and the header counts it as cancelled.
    session
        .wait_for_attribute(
            &format!("[data-testid=order-row][data-order-id='{id}'] [data-status]"),
            "data-status",
            "cancelled",
            Duration::from_secs(10),
        )
        .await;
    session
        .wait_for_attribute(
            "[data-testid=orders-totals]",
            "data-cancelled",
            "1",
            Duration::from_secs(10),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    session.screenshot(&shot("orders-cancelled.png")).await;
    session.close().await;

    assert_eq!(
        order_detail(dir.path(), &id)["order"]["status"],
        "cancelled"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn a_declined_order_says_why_and_keeps_codes_in_technical_details() {
    let dir = tempfile::tempdir().unwrap();
    // The customer's wallet declines a scanned code; another customer cancels a QR sale in
    // their wallet.
    let id = declined_scan(dir.path(), "5.00");
    let qr = settled_order(dir.path(), "wechat-qr", "7.00", false);
    let detail = order_detail(dir.path(), &id);
    let raw = detail["order"]["gatewayStatus"]
        .as_str()
        .unwrap_or_default()
        .to_string();

    let (_driver, session) = open_app(dir.path()).await;
    open_screen(&session, "orders", "[data-testid=orders-table]").await;
    // Both say Declined, in red, never a grey Cancelled.
    for order in [&id, &qr] {
        let badge = session
            .find(
                &format!("[data-testid=order-row][data-order-id='{order}'] [data-status]"),
                Duration::from_secs(10),
            )
            .await;
        assert_eq!(
            session.text(&badge).await.trim(),
            "Declined",
            "order {order}"
        );
        assert_eq!(
            session.attribute(&badge, "data-tone").await.as_deref(),
            Some("danger"),
            "order {order}"
        );
    }
    let row = session
        .find(
            &format!("[data-testid=order-row][data-order-id='{id}'] td.mono"),
            Duration::from_secs(5),
        )
        .await;
    session.click(&row).await;
    session
        .wait_for_text(
            "[data-testid=order-meaning]",
            "Declined by the customer's wallet",
            Duration::from_secs(10),
        )
        .await;
    // The main part of the detail has no raw code, no POLL or NOTIFY tag; the technical
    // details (closed) have the gateway's own word.
    let main = session
        .script(
            "const d = document.querySelector('[data-testid=order-detail]').cloneNode(true);\
         d.querySelector('[data-testid=technical-details]').remove();\
         return d.innerText;",
            json!([]),
        )
        .await;
    let main = main.as_str().unwrap_or_default();
    for tag in ["POLL", "NOTIFY", "poll", "notify", "gateway:"] {
        assert!(!main.contains(tag), "{tag} in {main}");
    }
    let technical = session
        .find("[data-testid=technical-details]", Duration::from_secs(5))
        .await;
    assert_eq!(session.attribute(&technical, "open").await, None);
    // Opened, the technical details have the gateway's own word beside its meaning.
    let summary = session
        .find(
            "[data-testid=technical-details] summary",
            Duration::from_secs(5),
        )
        .await;
    session.click(&summary).await;
    assert!(
        !raw.is_empty(),
        "the declined order has a gateway status: {detail}"
    );
    session
        .wait_for_attribute(
            "[data-testid=technical-details]",
            "open",
            "true",
            Duration::from_secs(5),
        )
        .await;
    let word = session
        .find("[data-testid=tech-gateway-status]", Duration::from_secs(5))
        .await;
    let word = session.text(&word).await;
    assert!(
        word.starts_with(&raw) && word.contains("declined"),
        "{word:?} for {raw}"
    );
    // Repeated polls are not in the timeline: each entry is a change.
    let events = detail["events"].as_array().unwrap();
    let changes = events
        .iter()
        .filter(|e| e["fromStatus"] != e["toStatus"])
        .count();
    assert_eq!(
        session.count("[data-testid=order-event]").await,
        changes,
        "{events:?}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    session.screenshot(&shot("orders-declined.png")).await;
    session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn reports_show_todays_takings_by_method_as_the_cli_reports_them() {
    let dir = tempfile::tempdir().unwrap();
    settled_order(dir.path(), "wechat-qr", "12.50", true);
    settled_order(dir.path(), "alipay-qr", "7.25", true);
    settled_order(dir.path(), "wechat-qr", "30.00", false);
    create_sandbox_order(dir.path(), "unionpay-qr", "4.10");
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    let cli = parse_json(&run_ok(&mut paydesk(
        dir.path(),
        &[
            "report", "--by", "day", "--from", &today, "--to", &today, "--tz", "local", "--json",
        ],
    )));
    let by_method = cli["byMethod"]
        .as_array()
        .unwrap_or_else(|| panic!("{cli}"));
    assert_eq!(by_method.len(), 2, "the two paid methods: {cli}");

    let (_driver, session) = open_app(dir.path()).await;
    open_screen(&session, "reports", "[data-testid=report-table]").await;
    session
        .find("[data-testid=report-chart] svg", Duration::from_secs(5))
        .await;
    // Every method of `paydesk report` is a row, with the same paid count and takings.
    for m in by_method {
        assert_eq!(m["currency"], "CAD");
        let css = format!(
            "[data-testid=report-row][data-gateway='{}'][data-method='{}']",
            m["gateway"].as_str().unwrap(),
            m["method"].as_str().unwrap()
        );
        let minor = m["takingsMinor"].as_i64().unwrap();
        let cell = session
            .find(
                &format!("{css} td[data-takings-minor]"),
                Duration::from_secs(5),
            )
            .await;
        assert_eq!(
            session.attribute(&cell, "data-takings-minor").await,
            Some(minor.to_string()),
            "{css}"
        );
        assert_eq!(
            session.text(&cell).await.trim(),
            format!("{}.{:02}", minor / 100, minor % 100),
            "{css}: formatted in CAD"
        );
        let count = session
            .find(&format!("{css} td:nth-child(2)"), Duration::from_secs(5))
            .await;
        assert_eq!(
            session.text(&count).await.trim(),
            m["paidCount"].to_string(),
            "{css}"
        );
    }
    assert_eq!(session.count("[data-testid=report-row]").await, 2);
    // The total is the CLI's takings: the two paid sales, not the declined or the waiting one.
    let total = session
        .find("[data-testid=report-total]", Duration::from_secs(5))
        .await;
    let cad = cli["totals"]["byCurrency"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["currency"] == "CAD")
        .unwrap_or_else(|| panic!("{cli}"));
    assert_eq!(cad["takingsMinor"], 1250 + 725, "{cli}");
    assert_eq!(
        session.attribute(&total, "data-takings-minor").await,
        Some(cad["takingsMinor"].to_string())
    );
    assert_eq!(
        session.attribute(&total, "data-count").await,
        Some(cad["paidCount"].to_string())
    );
    let bar = session
        .find(
            &format!("[data-testid=chart-bar][data-day='{today}']"),
            Duration::from_secs(5),
        )
        .await;
    assert_eq!(
        session.attribute(&bar, "data-total-minor").await.as_deref(),
        Some("1975")
    );
    session.screenshot(&shot("report-today.png")).await;
    session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn the_export_starts_with_a_dated_file_in_the_owners_folder_and_asks_the_pin() {
    let dir = tempfile::tempdir().unwrap();
    settled_order(dir.path(), "wechat-qr", "12.50", true);
    let out = dir.path().join("exports");
    std::fs::create_dir(&out).unwrap();
    let (_driver, session) = open_app(dir.path()).await;
    set_viewport(&session, TILL.0, TILL.1).await;
    open_screen(&session, "orders", "[data-testid=order-row]").await;
    let open = session
        .find("[data-testid=export-open]", Duration::from_secs(5))
        .await;
    session.click(&open).await;
    session
        .find("[data-testid=export-col-id]", Duration::from_secs(5))
        .await;
    // The panel fits the till: the path and Export in view, nothing cut.
    let faults = layout_faults(
        &session,
        "export",
        &["[data-testid=export-path]", "[data-testid=export-submit]"],
    )
    .await;
    assert!(faults.is_empty(), "{}", faults.join("\n"));
    // A whole path at once: the Documents (or home) folder and today's name, never empty.
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    let want_end = format!("/paydesk-orders-{today}.csv");
    let field = session
        .find("[data-testid=export-path]", Duration::from_secs(5))
        .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let path = loop {
        let value = session.attribute(&field, "value").await.unwrap_or_default();
        let value = if value.is_empty() {
            session
                .script(
                    "return document.querySelector('[data-testid=export-path]').value;",
                    json!([]),
                )
                .await
                .as_str()
                .unwrap_or_default()
                .to_string()
        } else {
            value
        };
        if !value.is_empty() || std::time::Instant::now() > deadline {
            break value;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        path.starts_with('/') && path.ends_with(&want_end),
        "the export starts at a whole, dated path: {path:?}"
    );
    // Exported elsewhere (not into the tester's home): the PIN is asked, then the file is written.
    let target = out.join("orders.csv");
    session.clear(&field).await;
    session
        .type_into(&field, &target.display().to_string())
        .await;
    let submit = session
        .find("[data-testid=export-submit]", Duration::from_secs(5))
        .await;
    session.click(&submit).await;
    session
        .find("[data-testid=pin-dialog]", Duration::from_secs(10))
        .await;
    assert!(!target.exists(), "nothing is written before the PIN");
    session.enter_pin(super::OWNER_PIN).await;
    session
        .wait_for_attribute(
            "[data-testid=export-done]",
            "data-rows",
            "1",
            Duration::from_secs(15),
        )
        .await;
    assert!(target.exists());
    session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn many_currencies_keep_the_takings_on_one_line_at_1024() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(&mut paydesk(
        dir.path(),
        &["dev", "seed", "--orders", "300", "--seed", "5"],
    ));
    let cli = parse_json(&run_ok(&mut paydesk(dir.path(), &["totals", "--json"])));
    let currencies = cli["byCurrency"].as_array().unwrap();
    assert!(
        currencies.len() >= 6,
        "a seeded ledger has many currencies: {cli}"
    );

    let (_driver, session) = open_app(dir.path()).await;
    set_viewport(&session, TILL.0, TILL.1).await;
    open_screen(&session, "orders", "[data-testid=order-row]").await;
    session
        .wait_for_attribute(
            "[data-testid=orders-totals]",
            "data-count",
            &cli["count"].to_string(),
            Duration::from_secs(15),
        )
        .await;
    // Every currency is there with the CLI's takings (the ones past the first few behind
    // "+N more"), and the line does not wrap or overflow.
    for t in currencies {
        let code = t["currency"].as_str().unwrap();
        let shown = session
            .find(
                &format!("[data-testid=total-{code}]"),
                Duration::from_secs(5),
            )
            .await;
        assert_eq!(
            session.attribute(&shown, "data-takings-minor").await,
            Some(t["takingsMinor"].to_string()),
            "{code}"
        );
    }
    let more = session
        .find("[data-testid=totals-more]", Duration::from_secs(5))
        .await;
    let shown = session
        .count("[data-testid=orders-takings] > [data-currency]")
        .await;
    assert!(shown >= 1, "the shop's currency at least");
    assert_eq!(
        session.text(&more).await.trim(),
        format!("+{} more", currencies.len() - shown)
    );
    let line = session
        .script(
            "const t = document.querySelector('[data-testid=orders-totals]');\
         const r = t.getBoundingClientRect();\
         return [t.scrollWidth <= t.clientWidth + 1, r.height, r.right <= window.innerWidth];",
            json!([]),
        )
        .await;
    assert_eq!(line[0], true, "{line}");
    assert!(line[1].as_f64().unwrap() < 48.0, "one line: {line}");
    assert_eq!(line[2], true, "{line}");
    // "+N more" lists the rest over the list, and Escape closes it.
    session.click(&more).await;
    session
        .wait_for_attribute(
            "[data-testid=totals-more]",
            "aria-expanded",
            "true",
            Duration::from_secs(5),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    session
        .screenshot(&shot("orders-currencies-1024.png"))
        .await;
    session.type_into(&more, "\u{E00C}").await;
    session
        .wait_for_attribute(
            "[data-testid=totals-more]",
            "aria-expanded",
            "false",
            Duration::from_secs(5),
        )
        .await;
    session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn a_waiting_order_is_reopened_on_the_counter_from_orders() {
    let dir = tempfile::tempdir().unwrap();
    let order = create_sandbox_order(dir.path(), "wechat-qr", "8.40");
    let id = order["id"].as_i64().unwrap().to_string();
    let number = order["merchantOrderNo"].as_str().unwrap().to_string();

    let (_driver, session) = open_app(dir.path()).await;
    open_screen(&session, "orders", "[data-testid=orders-table]").await;
    let row = session
        .find(
            &format!("[data-testid=order-row][data-order-id='{id}'] td.mono"),
            Duration::from_secs(10),
        )
        .await;
    session.click(&row).await;
    let reopen = session
        .find("[data-testid=reopen-on-counter]", Duration::from_secs(10))
        .await;
    session.click(&reopen).await;
    // The counter, showing that sale (its number's end, as the counter shows it), still
    // waiting for the customer.
    let shown = session
        .find("[data-testid=order-number]", Duration::from_secs(10))
        .await;
    let shown = session.text(&shown).await;
    let tail = shown.trim().trim_start_matches('…');
    assert!(
        tail.len() >= 4 && number.ends_with(tail),
        "the counter shows {shown:?} for {number}"
    );
    session
        .wait_for_attribute(
            "[data-testid=order-status]",
            "data-status",
            "pending",
            Duration::from_secs(10),
        )
        .await;
    let amount = session
        .find("[data-testid=order-amount]", Duration::from_secs(5))
        .await;
    assert_eq!(session.text(&amount).await.trim(), "8.40 CAD");
    session.close().await;
}
