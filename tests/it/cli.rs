//! The CLI against its own embedded sandbox: the foundation issue's acceptance. Every test
//! runs the real `paydesk` binary in a fresh data directory; one invocation per process, so
//! everything that must carry over (ledger, sandbox state) goes through the files.

use serde_json::Value;

use crate::support::{
    create_sandbox_order, event_statuses, json, ledger_path, order_count, order_create, paydesk,
    run, run_ok, stderr, stdout,
};

fn id_of(order: &Value) -> String {
    order["id"]
        .as_i64()
        .expect("the order has a numeric ledger id")
        .to_string()
}

fn mno_of(order: &Value) -> String {
    order["merchantOrderNo"]
        .as_str()
        .expect("the order has a merchant order number")
        .to_string()
}

#[test]
fn create_pay_sync_and_list_a_sandbox_wechat_order() {
    let dir = tempfile::tempdir().unwrap();

    let created = json(&run_ok(&mut paydesk(
        dir.path(),
        &order_create(
            "iotpay",
            "wechat-qr",
            "12.50",
            &["--currency", "CAD", "--json"],
        ),
    )));
    let order = &created["order"];
    assert_eq!(order["status"], "pending");
    assert_eq!(order["amountMinor"], 1250);
    assert_eq!(order["currency"], "CAD");
    assert_eq!(order["gateway"], "iotpay");
    assert_eq!(order["method"], "wechat-qr");
    assert_eq!(order["environment"], "sandbox");
    let gateway_order_id = order["gatewayOrderId"]
        .as_str()
        .expect("the sandbox gave a payOrderId");
    let payment_url = order["paymentUrl"].as_str().expect("a payment URL");
    assert!(
        payment_url.starts_with("http://127.0.0.1:"),
        "{payment_url}"
    );
    assert!(
        payment_url.ends_with(&format!("/pay/iotpay/{gateway_order_id}")),
        "{payment_url}"
    );
    assert_eq!(event_statuses(&created), ["created", "pending"]);
    let id = id_of(order);

    let paid = run_ok(&mut paydesk(dir.path(), &["sandbox", "pay", &id]));
    assert!(stdout(&paid).contains("is paid"), "{}", stdout(&paid));

    let synced = json(&run_ok(&mut paydesk(
        dir.path(),
        &["order", "sync", &id, "--json"],
    )));
    assert_eq!(synced["order"]["status"], "paid");
    assert_eq!(synced["order"]["gatewayStatus"], "2");
    assert_eq!(event_statuses(&synced), ["created", "pending", "paid"]);
    let last = synced["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (
            &last["fromStatus"],
            &last["toStatus"],
            &last["gatewayStatus"]
        ),
        (&"pending".into(), &"paid".into(), &"2".into())
    );

    let listed = json(&run_ok(&mut paydesk(dir.path(), &["orders", "--json"])));
    let listed = listed.as_array().expect("orders --json is an array");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["order"]["id"], order["id"]);
    assert_eq!(listed[0]["order"]["status"], "paid");
    assert_eq!(
        listed[0]["order"]["merchantOrderNo"],
        order["merchantOrderNo"]
    );
    assert_eq!(event_statuses(&listed[0]), ["created", "pending", "paid"]);

    // The ledger file itself agrees.
    let conn = rusqlite::Connection::open(ledger_path(dir.path())).unwrap();
    let (status, amount, currency): (String, i64, String) = conn
        .query_row(
            "SELECT status, amount_minor, currency FROM orders WHERE id = ?1",
            [&id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (status.as_str(), amount, currency.as_str()),
        ("paid", 1250, "CAD")
    );
    let paid_events: i64 = conn
        .query_row("SELECT count(*) FROM order_events WHERE order_id = ?1 AND to_status = 'paid' AND gateway_status = '2'", [&id], |r| r.get(0))
        .unwrap();
    assert_eq!(paid_events, 1);
}

#[test]
fn bad_input_exits_2_names_the_problem_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            order_create("iotpay", "wechat-qr", "abc", &["--currency", "CAD"]),
            "abc",
        ),
        (
            order_create("iotpay", "wechat-qr", "-1", &["--currency", "CAD"]),
            "-1",
        ),
        (
            order_create("iotpay", "wechat-qr", "0", &["--currency", "CAD"]),
            "zero",
        ),
        (
            order_create("iotpay", "wechat-qr", "12.345", &["--currency", "CAD"]),
            "too many decimals",
        ),
        (
            order_create("iotpay", "wechat-qr", "12.50", &["--currency", "XYZ"]),
            "XYZ",
        ),
        (
            order_create("paypal", "wechat-qr", "12.50", &["--currency", "CAD"]),
            "paypal",
        ),
        (
            order_create("iotpay", "cash", "12.50", &["--currency", "CAD"]),
            "cash",
        ),
    ];
    for (args, named) in &cases {
        let output = run(&mut paydesk(dir.path(), args));
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: stderr {}",
            stderr(&output)
        );
        let message = stderr(&output);
        assert!(
            message.contains(named),
            "{args:?}: stderr should name {named:?}: {message}"
        );
        assert!(
            stdout(&output).is_empty(),
            "{args:?}: printed {}",
            stdout(&output)
        );
        assert_eq!(order_count(dir.path()), 0, "{args:?} wrote an order");
    }
}

#[test]
fn a_declined_sandbox_payment_syncs_as_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let order = create_sandbox_order(dir.path(), "alipay-qr", "7.25");
    let id = id_of(&order);

    let declined = run_ok(&mut paydesk(
        dir.path(),
        &["sandbox", "pay", &id, "--decline"],
    ));
    assert!(
        stdout(&declined).contains("declined"),
        "{}",
        stdout(&declined)
    );

    let synced = json(&run_ok(&mut paydesk(
        dir.path(),
        &["order", "sync", &id, "--json"],
    )));
    assert_eq!(synced["order"]["status"], "cancelled");
    assert_eq!(synced["order"]["gatewayStatus"], "9");
    assert_eq!(event_statuses(&synced), ["created", "pending", "cancelled"]);
}

#[test]
fn another_process_sees_the_same_order_and_can_pay_it_by_merchant_order_number() {
    let dir = tempfile::tempdir().unwrap();
    let order = create_sandbox_order(dir.path(), "unionpay-qr", "3.00");
    let id = id_of(&order);
    let mno = mno_of(&order);

    let shown = run_ok(&mut paydesk(dir.path(), &["order", "show", &id]));
    assert!(
        stdout(&shown).contains(&format!("Order {id}  {mno}")),
        "{}",
        stdout(&shown)
    );
    assert!(
        stdout(&shown).contains("status: pending"),
        "{}",
        stdout(&shown)
    );

    // The gateway's order id resolves to the same order too.
    let gateway_order_id = order["gatewayOrderId"].as_str().unwrap();
    let by_gateway_id = json(&run_ok(&mut paydesk(
        dir.path(),
        &["order", "show", gateway_order_id, "--json"],
    )));
    assert_eq!(by_gateway_id["order"]["merchantOrderNo"], mno.as_str());

    let paid = run_ok(&mut paydesk(dir.path(), &["sandbox", "pay", &mno]));
    assert!(
        stdout(&paid).contains(&mno) && stdout(&paid).contains("is paid"),
        "{}",
        stdout(&paid)
    );

    let synced = json(&run_ok(&mut paydesk(
        dir.path(),
        &["order", "sync", &mno, "--json"],
    )));
    assert_eq!(synced["order"]["id"], order["id"]);
    assert_eq!(synced["order"]["status"], "paid");
}

#[test]
fn orders_filter_by_status_and_search_and_export_csv_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let waiting = create_sandbox_order(dir.path(), "wechat-qr", "4.00");
    let sold = create_sandbox_order(dir.path(), "wechat-qr", "12.50");
    run_ok(&mut paydesk(dir.path(), &["sandbox", "pay", &id_of(&sold)]));
    run_ok(&mut paydesk(dir.path(), &["order", "sync", &id_of(&sold)]));

    let ids = |args: &[&str]| -> Vec<Value> {
        let mut full = vec!["orders", "--json"];
        full.extend_from_slice(args);
        json(&run_ok(&mut paydesk(dir.path(), &full)))
            .as_array()
            .expect("an array")
            .iter()
            .map(|d| d["order"]["id"].clone())
            .collect()
    };
    assert_eq!(
        ids(&[]),
        vec![sold["id"].clone(), waiting["id"].clone()],
        "newest first"
    );
    assert_eq!(ids(&["--status", "paid"]), vec![sold["id"].clone()]);
    assert_eq!(ids(&["--status", "pending"]), vec![waiting["id"].clone()]);

    // The tail of a merchant order number is its random part: it finds that order only.
    let sold_mno = mno_of(&sold);
    let fragment = &sold_mno[sold_mno.len() - 7..];
    assert!(
        !mno_of(&waiting).contains(fragment),
        "the fragment must tell the two orders apart"
    );
    assert_eq!(ids(&["--search", fragment]), vec![sold["id"].clone()]);

    // Never onto the ledger: the data folder is refused, and the ledger is untouched.
    let ledger_file = dir.path().join("paydesk.db");
    let refused = run(&mut paydesk(
        dir.path(),
        &["export", "csv", "--output", ledger_file.to_str().unwrap()],
    ));
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("data folder"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(ids(&[]).len(), 2, "the ledger still holds both orders");

    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("orders.csv");
    let exported = run_ok(&mut paydesk(
        dir.path(),
        &["export", "csv", "--output", file.to_str().unwrap()],
    ));
    assert!(
        stdout(&exported).is_empty(),
        "the CSV goes to the file, not stdout"
    );
    let text = std::fs::read_to_string(&file).expect("the export file exists");
    let header = text.lines().next().expect("a header line");
    assert_eq!(
        header,
        "created_at,merchant_order_no,gateway,method,environment,status,amount,currency,refunded,tip,gateway_order_id,gateway_status,updated_at,counter,staff"
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let columns = reader.headers().unwrap().clone();
    let col = |name: &str| columns.iter().position(|c| c == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    let row = rows
        .iter()
        .find(|r| r[col("merchant_order_no")] == sold_mno)
        .expect("the paid order is exported");
    assert_eq!(&row[col("status")], "Paid", "the status in plain words");
    assert_eq!(&row[col("amount")], "12.50");
    assert_eq!(&row[col("currency")], "CAD");
    assert_eq!(&row[col("gateway")], "iotpay");
    // IOTPay's "2", as a cashier reads it.
    assert_eq!(&row[col("gateway_status")], "paid");
    assert_eq!(
        &row[col("gateway_order_id")],
        sold["gatewayOrderId"].as_str().unwrap()
    );

    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("partial"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "a finished export leaves no partial file: {leftovers:?}"
    );
}

#[test]
fn an_unknown_order_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(&mut paydesk(dir.path(), &["order", "show", "999"]));
    assert_eq!(output.status.code(), Some(2), "stderr: {}", stderr(&output));
    assert!(stderr(&output).contains("999"), "{}", stderr(&output));
    assert!(stdout(&output).is_empty());
}

/// The Orders screen and the CLI read a filter with one parser: the same mistake is refused
/// with the same code and message, the window naming its field and the CLI the flag typed.
#[test]
fn a_bad_filter_is_refused_in_the_window_s_words() {
    use paydesk_core::filters::FilterInput;
    use paydesk_domain::error::Error;
    use paydesk_domain::zone::Zone;
    use serde_json::json;

    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(101);
    // The CLI's flags, the window's request (as the Orders screen sends it), the field at fault
    // and its flag.
    let cases: Vec<(Vec<&str>, Value, &str, &str)> = vec![
        (
            vec!["--status", "done"],
            json!({"status": "done"}),
            "status",
            "--status",
        ),
        (
            vec!["--gateway", "paypal"],
            json!({"gateway": "paypal"}),
            "gateway",
            "--gateway",
        ),
        (
            vec!["--method", "cash"],
            json!({"method": "cash"}),
            "method",
            "--method",
        ),
        (
            vec!["--gateway", "smepay", "--method", "wechat-qr"],
            json!({"gateway": "smepay", "method": "wechat-qr"}),
            "method",
            "--method",
        ),
        (
            vec!["--currency", "XXX"],
            json!({"currency": "XXX"}),
            "currency",
            "--currency",
        ),
        (
            vec!["--min-amount", "5"],
            json!({"minAmount": "5"}),
            "currency",
            "--currency",
        ),
        (
            vec!["--currency", "CAD", "--min-amount", "abc"],
            json!({"currency": "CAD", "minAmount": "abc"}),
            "minAmount",
            "--min-amount",
        ),
        (
            vec![
                "--currency",
                "CAD",
                "--min-amount",
                "30",
                "--max-amount",
                "20",
            ],
            json!({"currency": "CAD", "minAmount": "30", "maxAmount": "20"}),
            "maxAmount",
            "--max-amount",
        ),
        (
            vec!["--from", "01/02/2026"],
            json!({"from": "01/02/2026"}),
            "from",
            "--from",
        ),
        (
            vec!["--from", "2026-02-01", "--to", "2026-01-31"],
            json!({"from": "2026-02-01", "to": "2026-01-31"}),
            "to",
            "--to",
        ),
        (
            vec!["--search", &long],
            json!({"search": long}),
            "search",
            "--search",
        ),
    ];
    for (flags, request, field, flag) in cases {
        // What the window's list_orders and order_totals answer (days in the local zone).
        let window: FilterInput = serde_json::from_value(request).unwrap();
        let refused = window.parse(&Zone::Local).unwrap_err();
        let Error::InvalidInput { message, .. } = &refused else {
            panic!("{flags:?}: {refused:?}")
        };
        assert_eq!(refused.field(), Some(field), "{flags:?}");
        let said = format!("error[{}]: {flag}: {message}", refused.code());
        for command in ["orders", "totals"] {
            let args = [&[command][..], &flags].concat();
            let output = run(&mut paydesk(dir.path(), &args));
            assert_eq!(output.status.code(), Some(2), "{args:?}");
            assert_eq!(stderr(&output).trim_end(), said, "{args:?}");
        }
    }
}

/// What the CLI's flags have always taken still works through the one parser: an exact time
/// (RFC 3339) for --from and --to, a status with a hyphen, and a zero lower bound.
#[test]
fn exact_times_and_spellings_the_cli_documents_still_filter() {
    let dir = tempfile::tempdir().unwrap();
    let order = create_sandbox_order(dir.path(), "wechat-qr", "4.00");
    let ids = |args: &[&str]| -> Vec<Value> {
        let mut full = vec!["orders", "--json"];
        full.extend_from_slice(args);
        json(&run_ok(&mut paydesk(dir.path(), &full)))
            .as_array()
            .expect("an array")
            .iter()
            .map(|d| d["order"]["id"].clone())
            .collect()
    };
    let now = chrono::Utc::now();
    let at = |minutes: i64| (now + chrono::Duration::minutes(minutes)).to_rfc3339();
    assert_eq!(
        ids(&["--from", &at(-60), "--to", &at(60)]),
        vec![order["id"].clone()]
    );
    assert!(
        ids(&["--to", &at(-60)]).is_empty(),
        "an exact end is exclusive"
    );
    assert!(ids(&["--status", "partially-refunded"]).is_empty());
    assert_eq!(
        ids(&[
            "--currency",
            "CAD",
            "--min-amount",
            "0",
            "--max-amount",
            "4"
        ]),
        vec![order["id"].clone()]
    );
}

/// `report --tz` counts the range's days in that zone too, as the window's Reports screen does:
/// an order made now is on today's line in +14:00, whatever the machine's own zone.
#[test]
fn a_report_counts_its_range_in_its_own_time_zone() {
    let dir = tempfile::tempdir().unwrap();
    create_sandbox_order(dir.path(), "wechat-qr", "4.00");
    let far_east = chrono::FixedOffset::east_opt(14 * 3600).unwrap();
    let today = chrono::Utc::now()
        .with_timezone(&far_east)
        .format("%Y-%m-%d")
        .to_string();
    let report = json(&run_ok(&mut paydesk(
        dir.path(),
        &[
            "report", "--by", "day", "--tz", "+14:00", "--from", &today, "--to", &today, "--json",
        ],
    )));
    assert_eq!(report["totals"]["count"], 1, "{report}");
    assert_eq!(report["rows"][0]["period"], today.as_str(), "{report}");
}
