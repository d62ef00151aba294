//! The ledger at scale: CSV exports read back through a CSV parser, exports against the
//! filtered list, empty exports, the totals and report commands, and a ledger of an older
//! schema version migrating forward. (Timings are `make bench`'s, never a test's.)

use std::path::Path;

use paydesk_core::export::raw_value;
use paydesk_domain::money::{Currency, Money};
use paydesk_domain::order::{EventSource, Method, OrderStatus};
use paydesk_ledger::ledger::{Ledger, NewOrder, Observation, OrderFilter};

use crate::support::{json, paydesk, run, run_ok, stderr};

/// Text a cashier might type, and every cell a spreadsheet would run as a formula.
const TRICKY: &[&str] = &[
    "Smith, John",
    "say \"hi\", then \"bye\"",
    "two\nlines",
    "windows\r\nline",
    "王芳 (常客)",
    "Иван Петров",
    "محمد علي",
    "山田太郎 🍣",
    "=1+1",
    "+15551234567",
    "-42",
    "@SUM(A1:A9)",
    "\tindented",
    "\rreturn",
    "'already quoted",
    "'=looks neutralised",
    "",
    " padded ",
    // A formula behind what a spreadsheet skips: spaces, zero-width, line breaks, bidi.
    "  =1+1",
    "\u{200b}=HYPERLINK(\"http://x\")",
    "\u{feff}+1",
    "\n-2",
    "\u{202e}@SUM(A1)",
    "\u{2066}\u{200f}=cmd",
    "\u{200b}plain",
];

fn write_orders(dir: &Path) -> Vec<(i64, String, &'static str)> {
    let ledger = Ledger::open_in(dir).unwrap();
    TRICKY
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let order = ledger
                .insert_order(&NewOrder {
                    merchant_order_no: format!("PDTRICKY{i:03}"),
                    method: Method::ALL[i % Method::ALL.len()],
                    environment: "sandbox".into(),
                    amount: Money::parse(&format!("{}.{:02}", i + 1, i), Currency::CAD).unwrap(),
                    expires_at_ms: None,
                    by: Default::default(),
                })
                .unwrap();
            ledger
                .set_order_text(order.id, Some(text), Some(text))
                .unwrap();
            (order.id, order.merchant_order_no, *text)
        })
        .collect()
}

/// Exports into a folder below the data directory (never the data directory itself: Paydesk
/// refuses it, as a file there could replace the ledger).
fn export(dir: &Path, args: &[&str]) -> Vec<u8> {
    let exports = dir.join("exports");
    std::fs::create_dir_all(&exports).unwrap();
    let file = exports.join(format!("export-{}.csv", args.len()));
    let mut all = vec!["export", "csv", "--output", file.to_str().unwrap()];
    all.extend_from_slice(args);
    run_ok(&mut paydesk(dir, &all));
    std::fs::read(&file).unwrap()
}

fn records(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn an_export_reads_back_through_a_csv_parser_to_the_same_values() {
    let dir = tempfile::tempdir().unwrap();
    let written = write_orders(dir.path());
    for bom in [false, true] {
        let mut args = vec![
            "--columns",
            "id,merchant_order_no,customer,description,amount,currency",
            "--tz",
            "UTC",
        ];
        if bom {
            args.push("--bom");
        }
        let bytes = export(dir.path(), &args);
        let body = if bom {
            assert!(
                bytes.starts_with(b"\xEF\xBB\xBF"),
                "--bom starts the file with the UTF-8 byte order mark"
            );
            &bytes[3..]
        } else {
            assert!(!bytes.starts_with(b"\xEF\xBB\xBF"));
            &bytes[..]
        };
        assert!(std::str::from_utf8(body).is_ok(), "UTF-8");
        assert!(
            body.windows(2).any(|w| w == b"\r\n"),
            "RFC 4180 rows end in CRLF"
        );
        let (header, rows) = records(body);
        assert_eq!(
            header,
            [
                "id",
                "merchant_order_no",
                "customer",
                "description",
                "amount",
                "currency"
            ]
        );
        assert_eq!(rows.len(), written.len());
        for (id, no, text) in &written {
            let row = rows
                .iter()
                .find(|r| r[0] == id.to_string())
                .unwrap_or_else(|| panic!("order {id} exported"));
            assert_eq!(&row[1], no);
            assert_eq!(raw_value(&row[2]), *text, "customer of {no}");
            assert_eq!(raw_value(&row[3]), *text, "description of {no}");
            let visible = text.trim_start_matches(|c: char| {
                c == ' '
                    || c == '\n'
                    || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}')
                    || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
            });
            let risky = text.starts_with('\'')
                || text.starts_with(['\t', '\r'])
                || visible.starts_with(['=', '+', '-', '@', '\t', '\r']);
            assert_eq!(
                row[2].starts_with('\''),
                risky,
                "{text:?} gets an apostrophe only if risky"
            );
            assert_eq!(row[5], "CAD");
        }
        // Amounts are decimals in the order's currency.
        let first = rows.iter().find(|r| r[1] == "PDTRICKY000").unwrap();
        assert_eq!(first[4], "1.00");
    }
}

#[test]
fn an_export_matches_the_filtered_list_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open_in(dir.path()).unwrap();
    paydesk_ledger::seed::seed(&ledger, 3_000, 11).unwrap();
    let from = chrono::Utc::now() - chrono::Duration::days(400);
    let from_day = from.format("%Y-%m-%d").to_string();
    let args = [
        "--status",
        "paid",
        "--currency",
        "CAD",
        "--min-amount",
        "10",
        "--max-amount",
        "250.50",
        "--from",
        &from_day,
    ];
    let mut export_args = vec![
        "--columns",
        "id,created_at,merchant_order_no,method,status,amount,currency,refunded",
        "--tz",
        "UTC",
    ];
    export_args.extend_from_slice(&args);
    let (_, rows) = records(&export(dir.path(), &export_args));

    // The same filter through the CLI's list, and through the ledger (the date bound as the CLI reads it).
    let mut list_args = vec!["orders", "--json", "--limit", "10000"];
    list_args.extend_from_slice(&args);
    let listed = json(&run_ok(&mut paydesk(dir.path(), &list_args)));
    let listed: Vec<&serde_json::Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["order"])
        .collect();
    assert!(
        listed.len() > 100,
        "the filter keeps a fair share of the seeded orders: {}",
        listed.len()
    );
    assert_eq!(
        rows.len(),
        listed.len(),
        "the export has exactly the listed orders"
    );
    for (row, order) in rows.iter().zip(&listed) {
        assert_eq!(row[0], order["id"].to_string());
        let created =
            chrono::DateTime::parse_from_rfc3339(order["createdAt"].as_str().unwrap()).unwrap();
        assert_eq!(row[1], created.format("%Y-%m-%d %H:%M:%S").to_string());
        assert_eq!(row[2], order["merchantOrderNo"].as_str().unwrap());
        assert_eq!(row[3], order["method"].as_str().unwrap());
        assert_eq!(row[4], "Paid", "the status in plain words");
        let minor = order["amountMinor"].as_i64().unwrap();
        assert_eq!(row[5], Currency::CAD.decimal_string(minor));
        assert!((1_000..=25_050).contains(&minor));
        assert_eq!(
            row[7],
            Currency::CAD.decimal_string(order["refundedMinor"].as_i64().unwrap())
        );
    }
    // Totals of the same filter agree with the export.
    let totals = json(&run_ok(&mut paydesk(
        dir.path(),
        &[&["totals", "--json"][..], &args[..]].concat(),
    )));
    assert_eq!(totals["count"].as_u64().unwrap() as usize, rows.len());
    let cad = &totals["byCurrency"][0];
    assert_eq!(cad["currency"], "CAD");
    let sum: i64 = listed
        .iter()
        .map(|o| o["amountMinor"].as_i64().unwrap())
        .sum();
    assert_eq!(
        cad["takenMinor"].as_i64().unwrap(),
        sum,
        "paid orders only: all taken"
    );
    let refunded: i64 = listed
        .iter()
        .map(|o| o["refundedMinor"].as_i64().unwrap())
        .sum();
    assert_eq!(cad["takingsMinor"].as_i64().unwrap(), sum - refunded);
    assert_eq!(cad["paidCount"].as_u64().unwrap() as usize, rows.len());
    assert_eq!(
        totals["byCurrency"].as_array().unwrap().len(),
        1,
        "one currency, never mixed"
    );

    // The monthly report adds up to the same.
    let report = json(&run_ok(&mut paydesk(
        dir.path(),
        &[&["report", "--by", "month", "--json"][..], &args[..]].concat(),
    )));
    let report_sum: i64 = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["amountMinor"].as_i64().unwrap())
        .sum();
    assert_eq!(report_sum, sum);
}

#[test]
fn an_empty_export_still_has_its_header() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = export(dir.path(), &["--status", "refunded"]);
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        "created_at,merchant_order_no,gateway,method,environment,status,amount,currency,refunded,tip,gateway_order_id,gateway_status,updated_at,counter,staff\r\n"
    );
    let bytes = export(dir.path(), &["--columns", "customer,amount", "--bom"]);
    assert_eq!(bytes, b"\xEF\xBB\xBFcustomer,amount\r\n");
}

#[test]
fn bad_columns_zones_and_amounts_exit_2_naming_the_fault() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["export", "csv", "--columns", "id,amout"], "\"amout\""),
        (&["export", "csv", "--tz", "Mars/Olympus"], "Mars/Olympus"),
        (&["orders", "--min-amount", "5"], "--currency"),
        (
            &["totals", "--currency", "CAD", "--max-amount", "1.234"],
            "decimals",
        ),
        (&["report", "--by", "week"], "week"),
        (&["orders", "--method", "telepathy"], "telepathy"),
    ];
    for (args, needle) in cases {
        let out = run(&mut paydesk(dir.path(), args));
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn a_ledger_of_schema_version_1_migrates_forward_and_keeps_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(paydesk_ledger::ledger::LEDGER_FILE);
    {
        let v1 =
            paydesk_ledger::db::open(&path, &paydesk_ledger::ledger::migrations()[..1]).unwrap();
        let version: i64 = v1
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, 1);
        for (i, (status, gateway_id)) in [
            ("paid", Some("P0100001")),
            ("pending", None),
            ("paid", Some("P0100003")),
        ]
        .iter()
        .enumerate()
        {
            let at = 1_767_225_600_000i64 + i as i64 * 60_000;
            v1.execute(
                "INSERT INTO orders (merchant_order_no, gateway, method, environment, amount_minor, currency, status,
                                     gateway_order_id, created_at, updated_at)
                 VALUES (?1, 'iotpay', 'wechat-qr', 'sandbox', ?2, 'CAD', ?3, ?4, ?5, ?5)",
                rusqlite::params![format!("PDOLD{i}"), 1000 + i as i64, status, gateway_id, at],
            )
            .unwrap();
            v1.execute(
                "INSERT INTO order_events (order_id, at, to_status, source) VALUES (last_insert_rowid(), ?1, 'created', 'create')",
                [at],
            )
            .unwrap();
        }
    }
    // The CLI opens it: every migration runs, the rows stay, and search indexes them.
    let listed = json(&run_ok(&mut paydesk(dir.path(), &["orders", "--json"])));
    let numbers: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["order"]["merchantOrderNo"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["PDOLD2", "PDOLD1", "PDOLD0"]);
    let found = json(&run_ok(&mut paydesk(
        dir.path(),
        &["orders", "--json", "--search", "100003"],
    )));
    assert_eq!(
        found.as_array().unwrap().len(),
        1,
        "the old gateway reference is searchable"
    );
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version as usize, paydesk_ledger::ledger::schema_version());
    let events: i64 = conn
        .query_row("SELECT count(*) FROM order_events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(events, 3);
    drop(conn);

    // And the migrated ledger takes new orders and free text like a new one.
    let ledger = Ledger::open(&path).unwrap();
    let new = ledger
        .insert_order(&NewOrder {
            merchant_order_no: "PDNEW1".into(),
            method: Method::WechatQr,
            environment: "sandbox".into(),
            amount: Money::parse("3.00", Currency::CAD).unwrap(),
            expires_at_ms: None,
            by: Default::default(),
        })
        .unwrap();
    ledger
        .set_order_text(new.id, Some("Zoë Müller"), None)
        .unwrap();
    let obs = Observation {
        status: OrderStatus::Pending,
        gateway_status: None,
        source: EventSource::Poll,
        note: None,
    };
    ledger.apply(new.id, &obs).unwrap();
    let hits = ledger
        .list(&OrderFilter {
            search: Some("zoë".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(hits.iter().map(|o| o.id).collect::<Vec<_>>(), vec![new.id]);
    let (_, rows) = records(&export(
        dir.path(),
        &["--columns", "merchant_order_no,status,amount"],
    ));
    assert_eq!(rows.len(), 4);
    assert!(rows.contains(&vec![
        "PDOLD1".to_string(),
        "Waiting for payment".into(),
        "10.01".into()
    ]));
}
