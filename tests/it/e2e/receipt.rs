//! Receipts in the window (issue 16): a paid order's detail shows its receipt; Print to a
//! printer that is off says "Not printed — Reprint", still after the app restarts, and Reprint
//! to one that is on prints it (a fake ESC/POS printer on loopback); the slip (ReceiptView) is
//! kept as receipt.png.

use std::io::Read;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::harness::App;
use super::shop::settled_order;
use super::window::{tid, Window, LONG};

/// Sets a setting in the ledger behind the open window (read again at each print).
fn set(data_dir: &std::path::Path, key: &str, value: &str) {
    let ledger = paydesk_ledger::ledger::Ledger::open_in(data_dir).unwrap();
    paydesk_core::settings::set(&ledger, key, value).unwrap();
}

/// Waits until `css`'s text holds `part`; its text.
async fn wait_for_words(app: &Window, css: &str, part: &str) -> String {
    let started = Instant::now();
    loop {
        let shown = app.text(css).await;
        if shown.contains(part) {
            return shown;
        }
        assert!(
            started.elapsed() < LONG,
            "{css} never said {part:?}: {shown:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn a_paid_order_prints_its_receipt_and_reprints_it_when_the_printer_was_off() {
    let dir = tempfile::tempdir().unwrap();
    let id = settled_order(dir.path(), "wechat-qr", "12.50", true);
    // A printer that is off: a loopback port nothing listens on.
    let off = TcpListener::bind("127.0.0.1:0").unwrap();
    let off_address = off.local_addr().unwrap().to_string();
    drop(off);
    set(dir.path(), "receipt.printer", &off_address);
    set(dir.path(), "shop.address", "12 Main St\nToronto ON M5V 1A1");
    set(dir.path(), "shop.tax_number", "GST 123456789 RT0001");
    {
        let ledger = paydesk_ledger::ledger::Ledger::open_in(dir.path()).unwrap();
        ledger
            .set_order_text(id.parse().unwrap(), Some("王小明"), None)
            .unwrap();
    }

    let app = App::open(dir.path()).await;
    app.orders().open().await;
    app.orders().open_order(&id).await;
    app.wait_for(&tid("receipt-view"), LONG).await;
    let slip = app.text(&tid("receipt-view")).await;
    assert!(slip.contains("12.50") && slip.contains("王小明"), "{slip}");

    app.click(&tid("receipt-print")).await;
    wait_for_words(&app, &tid("receipt-print-state"), "Not printed — Reprint").await;
    assert_eq!(app.text(&tid("receipt-print")).await.trim(), "Reprint");
    let order_status = app
        .attr(
            "[data-testid=order-detail] .summary [data-status]",
            "data-status",
        )
        .await;
    assert_eq!(order_status.as_deref(), Some("paid"), "still paid");

    // After a restart the detail still says so: the outcome is kept in the ledger.
    app.close().await;
    let app = App::open(dir.path()).await;
    app.orders().open().await;
    app.orders().open_order(&id).await;
    app.wait_for(&tid("receipt-view"), LONG).await;
    wait_for_words(&app, &tid("receipt-print-state"), "Not printed — Reprint").await;
    assert_eq!(app.text(&tid("receipt-print")).await.trim(), "Reprint");

    // The printer is on now: Reprint prints.
    let printer = TcpListener::bind("127.0.0.1:0").unwrap();
    set(
        dir.path(),
        "receipt.printer",
        &printer.local_addr().unwrap().to_string(),
    );
    let jobs = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
    let kept = Arc::clone(&jobs);
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = printer.accept() {
            let mut job = Vec::new();
            let _ = stream.read_to_end(&mut job);
            kept.lock().unwrap().push(job);
        }
    });
    app.click(&tid("receipt-print")).await;
    wait_for_words(&app, &tid("receipt-print-state"), "Printed on").await;
    let started = Instant::now();
    while jobs.lock().unwrap().is_empty() && started.elapsed() < LONG {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let job = jobs
        .lock()
        .unwrap()
        .first()
        .cloned()
        .expect("the printer took a job");
    assert!(job.starts_with(&[0x1B, b'@']));
    assert!(job.windows(5).any(|w| w == b"12.50"));

    // The slip as the system dialog prints it, in the order's detail (WebKitWebDriver's
    // screenshot of an element inside a scrolled drawer comes out black: the window it is).
    app.scroll_into_view(&tid("receipt-section")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.screenshot("receipt.png").await;
    app.close().await;
}
