//! One ledger, many processes: the window, the CLI and a second counter's export open the same
//! data directory. A new directory opened by several processes at once is migrated once, and
//! writes from several connections wait for each other instead of failing "database is
//! locked". Real files, real processes (the built `paydesk`), real threads.

use std::path::Path;
use std::process::{Child, Output, Stdio};
use std::sync::{Arc, Barrier};

use paydesk_domain::money::{Currency, Money};
use paydesk_domain::order::{EventSource, Method, OrderStatus};
use paydesk_ledger::ledger::{
    Ledger, NewOrder, NotificationRecord, Observation, RefundKind, RefundOutcome, RefundStatus,
};

use crate::support::{ledger_path, order_create, paydesk, stderr, stdout};

/// Starts every command before waiting for any, so they open the data directory together.
fn run_together(data_dir: &Path, commands: &[&[&str]]) -> Vec<Output> {
    let children: Vec<Child> = commands
        .iter()
        .map(|args| {
            paydesk(data_dir, args)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("the paydesk binary starts")
        })
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().expect("the paydesk binary runs"))
        .collect()
}

fn failures(commands: &[&[&str]], outputs: &[Output]) -> Vec<String> {
    commands
        .iter()
        .zip(outputs)
        .filter(|(_, o)| !o.status.success())
        .map(|(args, o)| format!("{args:?}: {} {}", o.status, stderr(o).trim()))
        .collect()
}

fn user_version(path: &Path) -> usize {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
        .unwrap() as usize
}

#[test]
fn a_new_data_dir_opened_by_several_processes_at_once_is_migrated_once() {
    let commands: &[&[&str]] = &[
        &["orders", "--json"],
        &["totals", "--json"],
        &["orders"],
        &["settings", "show"],
        &["orders", "--json"],
        &["totals"],
        &["report", "--json"],
        &["orders", "--search", "PD1"],
    ];
    let mut failed = Vec::new();
    for _round in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let outputs = run_together(dir.path(), commands);
        failed.extend(failures(commands, &outputs));
        assert_eq!(
            user_version(&ledger_path(dir.path())),
            paydesk_ledger::ledger::schema_version()
        );
    }
    assert!(
        failed.is_empty(),
        "processes opening a new ledger at once failed:\n{}",
        failed.join("\n")
    );
}

#[test]
fn sales_rung_from_several_processes_at_once_are_all_written() {
    // Each `order create` opens the ledger and starts its own embedded sandbox on the same
    // data directory (sandbox and faults files too): all new, all opened at once.
    let dir = tempfile::tempdir().unwrap();
    let sale = order_create(
        "iotpay",
        "wechat-qr",
        "1.25",
        &["--currency", "CAD", "--json"],
    );
    let commands: Vec<&[&str]> = vec![sale.as_slice(); 6];
    let outputs = run_together(dir.path(), &commands);
    let failed = failures(&commands, &outputs);
    assert!(
        failed.is_empty(),
        "sales rung at once failed:\n{}",
        failed.join("\n")
    );
    for o in &outputs {
        let detail: serde_json::Value =
            serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)));
        assert_eq!(detail["order"]["status"], "pending", "{detail}");
    }
    assert_eq!(crate::support::order_count(dir.path()), 6);
}

fn sale(no: String) -> NewOrder {
    NewOrder {
        merchant_order_no: no,
        method: Method::WechatQr,
        environment: "sandbox".into(),
        amount: Money::parse("10.00", Currency::CAD).unwrap(),
        expires_at_ms: None,
        by: Default::default(),
    }
}

fn seen(status: OrderStatus, word: &str) -> Observation {
    Observation {
        status,
        gateway_status: Some(word.into()),
        source: EventSource::Poll,
        note: None,
    }
}

#[test]
fn writes_from_several_ledger_handles_at_once_wait_for_each_other() {
    // Four connections (as four processes would have), each ringing, paying, refunding and
    // noting sales as fast as it can: every write must wait for the others, never fail.
    const HANDLES: usize = 4;
    const SALES: usize = 40;
    let dir = tempfile::tempdir().unwrap();
    drop(Ledger::open_in(dir.path()).unwrap());
    let start = Arc::new(Barrier::new(HANDLES));
    let workers: Vec<_> = (0..HANDLES)
        .map(|h| {
            let (path, start) = (dir.path().to_path_buf(), start.clone());
            std::thread::spawn(move || -> Result<(), String> {
                let ledger = Ledger::open_in(&path).map_err(|e| e.to_string())?;
                start.wait();
                for n in 0..SALES {
                    let step = |what: &str, e: paydesk_domain::error::Error| {
                        format!("{what} {h}/{n}: {e}")
                    };
                    let order = ledger
                        .insert_order(&sale(format!("PDH{h}N{n}")))
                        .map_err(|e| step("insert", e))?;
                    ledger
                        .record_gateway_reference(order.id, Some(&format!("P{h}{n}")), None)
                        .map_err(|e| step("reference", e))?;
                    ledger
                        .apply(order.id, &seen(OrderStatus::Pending, "0"))
                        .map_err(|e| step("pending", e))?;
                    ledger
                        .apply(order.id, &seen(OrderStatus::Paid, "2"))
                        .map_err(|e| step("paid", e))?;
                    let fingerprint = format!("fp{h}-{n}");
                    ledger
                        .record_notification(&NotificationRecord {
                            gateway: "iotpay",
                            verified: true,
                            merchant_order_no: Some(&order.merchant_order_no),
                            order_id: Some(order.id),
                            fingerprint: &fingerprint,
                            body: "status=2",
                            outcome: "accepted",
                        })
                        .map_err(|e| step("notification", e))?;
                    let refund = ledger
                        .begin_refund(
                            order.id,
                            &format!("RFH{h}N{n}"),
                            400,
                            RefundKind::Refund,
                            None,
                            &Default::default(),
                        )
                        .map_err(|e| step("begin refund", e))?;
                    ledger
                        .finish_refund(
                            refund.id,
                            RefundOutcome::Succeeded {
                                gateway_refund_id: None,
                                gateway_status: Some("2".into()),
                            },
                        )
                        .map_err(|e| step("finish refund", e))?;
                    // A read between writes, as the window's list does.
                    ledger
                        .list(&Default::default())
                        .map_err(|e| step("list", e))?;
                }
                Ok(())
            })
        })
        .collect();
    let errors: Vec<String> = workers
        .into_iter()
        .filter_map(|w| w.join().unwrap().err())
        .collect();
    assert!(errors.is_empty(), "writes failed:\n{}", errors.join("\n"));

    let ledger = Ledger::open_in(dir.path()).unwrap();
    let all = ledger
        .list(&paydesk_ledger::ledger::OrderFilter {
            limit: Some(10_000),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(all.len(), HANDLES * SALES);
    for order in &all {
        assert_eq!(order.status, OrderStatus::PartiallyRefunded, "{order:?}");
        assert_eq!(order.refunded_minor, 400);
        let refunds = ledger.refunds(order.id).unwrap();
        assert_eq!(refunds.len(), 1);
        assert_eq!(refunds[0].status, RefundStatus::Succeeded);
    }
    assert_eq!(ledger.notifications().unwrap().len(), HANDLES * SALES);
}

#[test]
fn refunds_racing_from_several_handles_never_exceed_what_was_paid() {
    // Eight connections try to refund 3.00 each of the same 10.00 sale at once: exactly three
    // reservations fit; the others are refused for the amount, none for a lock.
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open_in(dir.path()).unwrap();
    let order = ledger.insert_order(&sale("PDRACE".into())).unwrap();
    ledger
        .apply(order.id, &seen(OrderStatus::Paid, "2"))
        .unwrap();
    drop(ledger);
    let start = Arc::new(Barrier::new(8));
    let racers: Vec<_> = (0..8)
        .map(|n| {
            let (path, start) = (dir.path().to_path_buf(), start.clone());
            std::thread::spawn(move || {
                let ledger = Ledger::open_in(&path).unwrap();
                start.wait();
                ledger
                    .begin_refund(
                        order.id,
                        &format!("RFRACE{n}"),
                        300,
                        RefundKind::Refund,
                        None,
                        &Default::default(),
                    )
                    .map(|_| ())
            })
        })
        .collect();
    let mut reserved = 0;
    for r in racers {
        match r.join().unwrap() {
            Ok(()) => reserved += 1,
            Err(e) => assert!(
                e.to_string().contains("more than can be refunded"),
                "refused for the wrong reason: {e}"
            ),
        }
    }
    assert_eq!(reserved, 3);
}

#[test]
fn an_intent_is_committed_with_a_full_sync_and_everything_else_as_before() {
    // Durability: an order or refund reservation is written before the gateway is called, and
    // must survive a power cut after it: its commit syncs the WAL (synchronous=FULL). The
    // connection is back to NORMAL once it is written (other writes can be told again by the
    // gateway), which `durability()` shows between writes.
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open_in(dir.path()).unwrap();
    let order = ledger.insert_order(&sale("PDDURABLE".into())).unwrap();
    assert_eq!(
        paydesk_ledger::ledger::last_commit_sync(),
        Some("FULL"),
        "insert_order commits with a full sync"
    );
    ledger
        .apply(order.id, &seen(OrderStatus::Paid, "2"))
        .unwrap();
    assert_eq!(paydesk_ledger::ledger::last_commit_sync(), Some("NORMAL"));
    ledger
        .begin_refund(
            order.id,
            "RFDURABLE",
            100,
            RefundKind::Refund,
            None,
            &Default::default(),
        )
        .unwrap();
    assert_eq!(
        paydesk_ledger::ledger::last_commit_sync(),
        Some("FULL"),
        "begin_refund commits with a full sync"
    );
    assert_eq!(
        ledger.durability().unwrap(),
        ("WAL".into(), "NORMAL".into())
    );
}

/// The window keeps its ledger open while its daily-backup thread opens it again (every hour,
/// and at start): that second open must not cost the first its locks. It once did (the
/// header read closed a descriptor of the file, which releases all of the process's POSIX
/// locks on it): the next CLI process to close the ledger then took itself for the last
/// connection, checkpointed and deleted the WAL, and the window's later writes went into a
/// deleted file, unseen by every other process and lost at the next start.
#[test]
fn a_second_handle_in_the_window_process_leaves_its_writes_seen_by_other_processes() {
    let dir = tempfile::tempdir().unwrap();
    let window = Ledger::open_in(dir.path()).unwrap();
    window.set_setting("shop.name", "Tea House").unwrap();
    // The daily backup's handle, opened and dropped while the window's stays open.
    drop(Ledger::open_in(dir.path()).unwrap());
    // Another process opens and closes the ledger (as `paydesk` does for any command).
    let out = paydesk(dir.path(), &["settings", "show"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        dir.path().join("paydesk.db-wal").exists(),
        "the WAL was deleted under the window's open ledger"
    );
    // The window writes on; another process and a new handle both see it.
    window.set_setting("shop.name", "Coffee Place").unwrap();
    let out = paydesk(dir.path(), &["settings", "show"]).output().unwrap();
    assert!(
        stdout(&out).contains("Coffee Place"),
        "another process did not see the window's write: {}{}",
        stdout(&out),
        stderr(&out)
    );
    let again = Ledger::open_in(dir.path()).unwrap();
    assert_eq!(
        again.setting("shop.name").unwrap().as_deref(),
        Some("Coffee Place")
    );
}
