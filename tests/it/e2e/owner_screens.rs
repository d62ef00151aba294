//! The owner's screens end to end (issue 12): totals that mean money (the Orders header's
//! takings leave waiting and failed orders out and count them beside; Reports' chart, table and
//! headline agree with it and with `paydesk totals`), a waiting order cancelled from Orders,
//! a declined order said in words, and the Orders screen whole at 1024 x 768.

use std::path::Path;
use std::time::Duration;

use serde_json::json;

use super::harness::App;
use super::layout::TILL;
use super::shop::{order_detail, settled_order, OWNER_PIN};
use super::window::{keys, tid, Window, LONG, SHORT, START, WAIT};
use crate::support::{create_sandbox_order, json as parse_json, order_create, paydesk, run_ok};

/// A scanned payment code the sandbox declines (its last digit is 9): the order ends failed.
fn declined_scan(dir: &Path, amount: &str) -> String {
    let output = run_ok(&mut paydesk(
        dir,
        &order_create(
            "iotpay",
            "barcode",
            amount,
            &[
                "--code",
                "134567890123456789",
                "--currency",
                "CAD",
                "--json",
            ],
        ),
    ));
    let order = parse_json(&output)["order"].clone();
    assert_eq!(order["status"], "failed", "a declined scan fails: {order}");
    order["id"].as_i64().unwrap().to_string()
}

/// Opens Reports from the bar and waits for its table.
async fn open_reports(app: &Window) {
    app.wait_for(&tid("nav-reports"), START).await;
    app.go_to("reports").await;
    app.wait_for(&tid("report-table"), LONG).await;
}

/// Asserts each `(attribute, value)` of what `css` names.
async fn assert_attrs(app: &Window, css: &str, want: &[(&str, &str)]) {
    let element = app.find(css).await;
    for (name, value) in want {
        assert_eq!(
            app.attr_of(&element, name).await.as_deref(),
            Some(*value),
            "{css} {name}"
        );
    }
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

    let app = App::open(dir.path()).await;
    let orders = app.orders();
    app.set_viewport(TILL.0, TILL.1).await;
    orders.open().await;
    orders.wait_for_count(3, LONG).await;
    // The waiting order is still waiting when the window counts it (nobody paid it).
    let status = order_detail(dir.path(), &waiting["id"].to_string())["order"]["status"].clone();
    assert!(
        status == "created" || status == "pending",
        "the waiting order is waiting: {status}"
    );

    // The headline is the takings of the paid order alone.
    let cad = tid("total-CAD");
    assert_attrs(
        &app,
        &cad,
        &[("data-takings-minor", "1250"), ("data-paid-count", "1")],
    )
    .await;
    assert_eq!(app.text(&cad).await.trim(), "12.50 CAD");
    // The others are counted beside it, never summed in.
    for (class, want) in [
        ("waiting", "1"),
        ("failed", "1"),
        ("cancelled", "0"),
        ("expired", "0"),
    ] {
        assert_eq!(
            orders
                .totals_attr(&format!("data-{class}"))
                .await
                .as_deref(),
            Some(want),
            "{class}"
        );
    }
    for (testid, words) in [
        ("count-waiting", "1 waiting"),
        ("count-failed", "1 failed"),
        ("count-paid", "1 paid"),
    ] {
        app.wait_for_text(&tid(testid), words, Duration::from_secs(2))
            .await;
    }
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
    let geometry = app
        .script(
            "const t = document.querySelector('[data-testid=orders-totals]');\
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
    app.screenshot("orders-1024.png").await;

    // Reports over today: the headline, the chart and the table are the same takings.
    open_reports(&app).await;
    app.wait_for(&tid("report-total"), LONG).await;
    assert_attrs(
        &app,
        &tid("report-total"),
        &[
            ("data-takings-minor", "1250"),
            ("data-chart-minor", "1250"),
            ("data-table-minor", "1250"),
            ("data-count", "1"),
        ],
    )
    .await;
    assert_attrs(&app, &tid("report-chart"), &[("data-total-minor", "1250")]).await;
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    let bar = format!("[data-testid=chart-bar][data-day='{today}']");
    assert_attrs(&app, &bar, &[("data-total-minor", "1250")]).await;
    // Grouped by how the customer paid: one row, WeChat Pay QR.
    assert_eq!(app.count(&tid("report-row")).await, 1);
    let row = app
        .text("[data-testid=report-row][data-method=wechat-qr]")
        .await;
    assert!(row.contains("WeChat Pay"), "{row}");
    assert_eq!(app.count(&tid("report-disagree")).await, 0);
    assert_attrs(
        &app,
        &tid("report-headline"),
        &[("data-waiting", "1"), ("data-failed", "1")],
    )
    .await;
    // The range pickers are date pickers, not typed text.
    let kinds = app
        .script("return ['report-from', 'report-to'].map((id) => document.querySelector(`[data-testid=${id}]`).type);")
        .await;
    assert_eq!(kinds, json!(["date", "date"]));
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.screenshot("report-1024.png").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn a_waiting_order_is_cancelled_from_orders_with_a_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    let order = create_sandbox_order(dir.path(), "wechat-qr", "6.00");
    let id = order["id"].as_i64().unwrap().to_string();

    let app = App::open(dir.path()).await;
    let (orders, detail) = (app.orders(), app.detail());
    orders.open().await;
    orders.open_order(&id).await;
    detail.wait_for_waiting_actions().await;
    // At the till's size, the waiting order's actions are in view and whole.
    app.set_viewport(TILL.0, TILL.1).await;
    let faults = app
        .layout_faults(
            "waiting-detail",
            &[
                "[data-testid=check-now]",
                "[data-testid=cancel-sale]",
                "[data-testid=reopen-on-counter]",
            ],
        )
        .await;
    assert!(faults.is_empty(), "{}", faults.join("\n"));
    app.screenshot("orders-waiting-detail-1024.png").await;
    // Check now asks the gateway and says what it found, in words.
    let said = detail.check_now().await;
    assert!(said.starts_with("Checked"), "{said}");
    // Asked once more, with the amount; nothing is cancelled until confirmed.
    let question = detail.cancel_order().await;
    assert!(question.contains("6.00 CAD"), "{question}");
    let status = order_detail(dir.path(), &id)["order"]["status"].clone();
    assert!(status == "created" || status == "pending", "{status}");
    detail.confirm_cancel().await;
    detail.wait_for_status("cancelled", LONG).await;
    assert_eq!(app.count(&tid("waiting-actions")).await, 0);
    // The list row follows, and the header counts it as cancelled.
    orders.wait_for_row_status(&id, "cancelled").await;
    orders.wait_for_totals("data-cancelled", "1", WAIT).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.screenshot("orders-cancelled.png").await;
    app.close().await;

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

    let app = App::open(dir.path()).await;
    let orders = app.orders();
    orders.open().await;
    // Both say Declined, in red, never a grey Cancelled.
    for order in [&id, &qr] {
        let badge = app
            .find(&super::pages::Orders::row(order, "[data-status]"))
            .await;
        assert_eq!(
            app.text_of(&badge).await.trim(),
            "Declined",
            "order {order}"
        );
        assert_eq!(
            app.attr_of(&badge, "data-tone").await.as_deref(),
            Some("danger"),
            "order {order}"
        );
    }
    orders.open_order(&id).await;
    app.wait_for_text(
        &tid("order-meaning"),
        "Declined by the customer's wallet",
        WAIT,
    )
    .await;
    // The main part of the detail has no raw code, no POLL or NOTIFY tag; the technical
    // details (closed) have the gateway's own word.
    let main = app
        .script(
            "const d = document.querySelector('[data-testid=order-detail]').cloneNode(true);\
             d.querySelector('[data-testid=technical-details]').remove();\
             return d.innerText;",
        )
        .await;
    let main = main.as_str().unwrap_or_default();
    for tag in ["POLL", "NOTIFY", "poll", "notify", "gateway:"] {
        assert!(!main.contains(tag), "{tag} in {main}");
    }
    let technical = tid("technical-details");
    assert_eq!(app.attr(&technical, "open").await, None);
    // Opened, the technical details have the gateway's own word beside its meaning.
    app.click(&format!("{technical} summary")).await;
    assert!(
        !raw.is_empty(),
        "the declined order has a gateway status: {detail}"
    );
    app.wait_for_attr(&technical, "open", "true", SHORT).await;
    let word = app.text(&tid("tech-gateway-status")).await;
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
    assert_eq!(app.count(&tid("order-event")).await, changes, "{events:?}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.screenshot("orders-declined.png").await;
    app.close().await;
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

    let app = App::open(dir.path()).await;
    open_reports(&app).await;
    app.wait_for("[data-testid=report-chart] svg", SHORT).await;
    // Every method of `paydesk report` is a row, with the same paid count and takings.
    for m in by_method {
        assert_eq!(m["currency"], "CAD");
        let css = format!(
            "[data-testid=report-row][data-gateway='{}'][data-method='{}']",
            m["gateway"].as_str().unwrap(),
            m["method"].as_str().unwrap()
        );
        let minor = m["takingsMinor"].as_i64().unwrap();
        let cell = app.find(&format!("{css} td[data-takings-minor]")).await;
        assert_eq!(
            app.attr_of(&cell, "data-takings-minor").await,
            Some(minor.to_string()),
            "{css}"
        );
        assert_eq!(
            app.text_of(&cell).await.trim(),
            format!("{}.{:02}", minor / 100, minor % 100),
            "{css}: formatted in CAD"
        );
        assert_eq!(
            app.text(&format!("{css} td:nth-child(2)")).await.trim(),
            m["paidCount"].to_string(),
            "{css}"
        );
    }
    assert_eq!(app.count(&tid("report-row")).await, 2);
    // The total is the CLI's takings: the two paid sales, not the declined or the waiting one.
    let cad = cli["totals"]["byCurrency"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["currency"] == "CAD")
        .unwrap_or_else(|| panic!("{cli}"));
    assert_eq!(cad["takingsMinor"], 1250 + 725, "{cli}");
    assert_attrs(
        &app,
        &tid("report-total"),
        &[
            ("data-takings-minor", &cad["takingsMinor"].to_string()),
            ("data-count", &cad["paidCount"].to_string()),
        ],
    )
    .await;
    let bar = format!("[data-testid=chart-bar][data-day='{today}']");
    assert_attrs(&app, &bar, &[("data-total-minor", "1975")]).await;
    app.screenshot("report-today.png").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn the_export_starts_with_a_dated_file_in_the_owners_folder_and_asks_the_pin() {
    let dir = tempfile::tempdir().unwrap();
    settled_order(dir.path(), "wechat-qr", "12.50", true);
    let out = dir.path().join("exports");
    std::fs::create_dir(&out).unwrap();
    let app = App::open(dir.path()).await;
    let orders = app.orders();
    app.set_viewport(TILL.0, TILL.1).await;
    orders.open().await;
    orders.wait_for_rows(LONG).await;
    orders.open_export().await;
    // The panel fits the till: the path and Export in view, nothing cut.
    let faults = app
        .layout_faults(
            "export",
            &["[data-testid=export-path]", "[data-testid=export-submit]"],
        )
        .await;
    assert!(faults.is_empty(), "{}", faults.join("\n"));
    // A whole path at once: the Documents (or home) folder and today's name, never empty.
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    let want_end = format!("/paydesk-orders-{today}.csv");
    let field = tid("export-path");
    let deadline = std::time::Instant::now() + SHORT;
    let path = loop {
        let value = app.value(&field).await;
        let value = if value.is_empty() {
            app.script("return document.querySelector('[data-testid=export-path]').value;")
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
    orders.export_to(&target).await;
    orders.submit_export().await;
    app.pin().wait_for_dialog().await;
    assert!(!target.exists(), "nothing is written before the PIN");
    app.pin().enter(OWNER_PIN).await;
    orders.wait_for_export(1, LONG).await;
    assert!(target.exists());
    app.close().await;
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

    let app = App::open(dir.path()).await;
    let orders = app.orders();
    app.set_viewport(TILL.0, TILL.1).await;
    orders.open().await;
    orders.wait_for_rows(LONG).await;
    orders
        .wait_for_totals("data-count", &cli["count"].to_string(), LONG)
        .await;
    // Every currency is there with the CLI's takings (the ones past the first few behind
    // "+N more"), and the line does not wrap or overflow.
    for t in currencies {
        let code = t["currency"].as_str().unwrap();
        assert_eq!(
            orders.takings(code).await,
            Some(t["takingsMinor"].to_string()),
            "{code}"
        );
    }
    let more = tid("totals-more");
    let shown = app
        .count("[data-testid=orders-takings] > [data-currency]")
        .await;
    assert!(shown >= 1, "the shop's currency at least");
    assert_eq!(
        app.text(&more).await.trim(),
        format!("+{} more", currencies.len() - shown)
    );
    let line = app
        .script(
            "const t = document.querySelector('[data-testid=orders-totals]');\
             const r = t.getBoundingClientRect();\
             return [t.scrollWidth <= t.clientWidth + 1, r.height, r.right <= window.innerWidth];",
        )
        .await;
    assert_eq!(line[0], true, "{line}");
    assert!(line[1].as_f64().unwrap() < 48.0, "one line: {line}");
    assert_eq!(line[2], true, "{line}");
    // "+N more" lists the rest over the list, and Escape closes it.
    app.click(&more).await;
    app.wait_for_attr(&more, "aria-expanded", "true", SHORT)
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.screenshot("orders-currencies-1024.png").await;
    app.type_into(&more, &keys::ESCAPE.to_string()).await;
    app.wait_for_attr(&more, "aria-expanded", "false", SHORT)
        .await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn a_waiting_order_is_reopened_on_the_counter_from_orders() {
    let dir = tempfile::tempdir().unwrap();
    let order = create_sandbox_order(dir.path(), "wechat-qr", "8.40");
    let id = order["id"].as_i64().unwrap().to_string();
    let number = order["merchantOrderNo"].as_str().unwrap().to_string();

    let app = App::open(dir.path()).await;
    let counter = app.counter();
    app.orders().open().await;
    app.orders().open_order(&id).await;
    app.detail().reopen_on_counter().await;
    // The counter, showing that sale (its number's end, as the counter shows it), still
    // waiting for the customer.
    let shown = counter.number_shown().await;
    let tail = shown.trim().trim_start_matches('…');
    assert!(
        tail.len() >= 4 && number.ends_with(tail),
        "the counter shows {shown:?} for {number}"
    );
    counter.wait_for_status("pending", WAIT).await;
    assert_eq!(counter.amount_shown().await.trim(), "8.40 CAD");
    app.close().await;
}
