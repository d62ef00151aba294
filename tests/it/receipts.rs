//! Receipts (issue 16) over real sandbox sales: printed to a fake ESC/POS printer on loopback
//! (a TcpListener that keeps every byte), a printer that is off (the sale stays Paid, "not
//! printed", kept in the ledger for the next process, a reprint works), the automatic print on
//! Paid (once), the card's masked number and authorisation code from the V3 query, the PDF read
//! back with pdftotext, and the CLI's `receipt print | pdf | text | status`.

use std::io::Read;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use paydesk_core::payments::Paydesk;
use paydesk_core::receipts::auto::{self, PrintLog};
use paydesk_core::receipts::escpos::{CHINESE_OFF, CHINESE_ON, CODE_PAGE_1252, CUT, INIT};
use paydesk_core::staff::Acting;
use paydesk_domain::order::{Order, OrderStatus};
use paydesk_sandbox::CARD_APPROVE;

use crate::support::{
    answer_text, paid_at_iotpay, paydesk, run, run_ok, sale_input, sandbox_desk, settle_at_iotpay,
    stderr, stdout,
};

/// A thermal printer on loopback: every connection is one job, every byte kept.
struct FakePrinter {
    addr: SocketAddr,
    jobs: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl FakePrinter {
    fn start() -> FakePrinter {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let jobs = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&jobs);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { break };
                let mut job = Vec::new();
                stream
                    .set_read_timeout(Some(Duration::from_secs(10)))
                    .unwrap();
                // The sender closes its side when the job is whole.
                let _ = stream.read_to_end(&mut job);
                kept.lock().unwrap().push(job);
            }
        });
        FakePrinter { addr, jobs }
    }

    fn address(&self) -> String {
        self.addr.to_string()
    }

    fn jobs(&self) -> Vec<Vec<u8>> {
        self.jobs.lock().unwrap().clone()
    }

    /// The jobs once there are at least `count` (or after 10 s).
    fn wait_for(&self, count: usize) -> Vec<Vec<u8>> {
        let started = Instant::now();
        while self.jobs().len() < count && started.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(20));
        }
        self.jobs()
    }
}

/// A loopback port nothing listens on: a printer that is off.
fn closed_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr.to_string()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn set(desk: &Paydesk, key: &str, value: &str) {
    paydesk_core::settings::set(desk.ledger(), key, value).unwrap();
}

async fn paid_sale(desk: &Arc<Paydesk>, dir: &std::path::Path, amount: &str) -> Order {
    paid_at_iotpay(desk, dir, &sale_input("iotpay", "wechat-qr", amount, "CAD")).await
}

#[tokio::test]
async fn a_paid_sale_prints_with_chinese_and_latin_names_in_their_encodings() {
    let (dir, desk) = sandbox_desk().await;
    let printer = FakePrinter::start();
    set(&desk, "shop.name", "Tea House");
    set(&desk, "shop.address", "12 Main St\nToronto ON");
    set(&desk, "shop.tax_number", "GST 123456789");
    set(&desk, "receipt.printer", &printer.address());
    let order = paid_sale(&desk, dir.path(), "1234.50").await;
    desk.ledger()
        .set_order_text(order.id, Some("王小明"), None)
        .unwrap();
    let log = PrintLog::default();
    let result = auto::print_order(desk.ledger(), &log, &order.merchant_order_no, None).unwrap();
    assert!(result.printed, "{result:?}");
    assert_eq!(result.printer, printer.address());
    let jobs = printer.wait_for(1);
    assert_eq!(jobs.len(), 1);
    let bytes = &jobs[0];
    assert!(bytes.starts_with(INIT), "ESC @ first");
    assert!(contains(bytes, CODE_PAGE_1252), "ESC t 16");
    assert!(contains(bytes, b"Tea House"));
    assert!(contains(bytes, b"12 Main St") && contains(bytes, b"GST 123456789"));
    assert!(contains(bytes, b"CAD 1,234.50"));
    assert!(contains(bytes, order.merchant_order_no.as_bytes()));
    let cut = bytes.windows(2).rposition(|w| w == CUT).expect("GS V");
    assert!(cut > bytes.len() - 8, "the cut comes last");
    // 王小明 in GB18030, inside Chinese mode.
    let mut chinese = CHINESE_ON.to_vec();
    chinese.extend_from_slice(&[0xCD, 0xF5, 0xD0, 0xA1, 0xC3, 0xF7]);
    chinese.extend_from_slice(CHINESE_OFF);
    assert!(contains(bytes, &chinese), "{bytes:?}");
    assert!(!contains(bytes, "王".as_bytes()), "no UTF-8");
    assert_eq!(
        log.last(desk.ledger(), order.id, None).unwrap(),
        Some(result)
    );

    // A Latin name with é: WPC1252's 0xE9.
    desk.ledger()
        .set_order_text(order.id, Some("José Núñez"), None)
        .unwrap();
    auto::print_order(desk.ledger(), &log, &order.id.to_string(), None).unwrap();
    let jobs = printer.wait_for(2);
    assert!(contains(&jobs[1], b"Jos\xE9 N\xFA\xF1ez"), "{:?}", jobs[1]);
    assert!(!contains(&jobs[1], CHINESE_ON));
}

#[tokio::test]
async fn a_refund_receipt_and_a_card_sale_carry_what_the_gateway_gave() {
    let (dir, desk) = sandbox_desk().await;
    let printer = FakePrinter::start();
    set(&desk, "receipt.printer", &printer.address());
    set(&desk, "receipt.paper", "58");
    let order = desk
        .create_order(
            &Acting::nobody(),
            &sale_input("iotpay", "card-link", "20.00", "CAD"),
        )
        .await
        .unwrap();
    let link = order.payment_url.clone().unwrap();
    assert!(answer_text(
        reqwest::Client::new()
            .post(&link)
            .form(&[("cardNumber", CARD_APPROVE)])
    )
    .await
    .contains("Approved"));
    let order = desk.sync(order.id).await.unwrap();
    assert_eq!(order.status, OrderStatus::Paid);
    let refund = desk
        .refund(
            &Acting::nobody(),
            order.id,
            Some("5.00"),
            Some("a cup broke"),
        )
        .await;
    let log = PrintLog::default();
    let sale =
        paydesk_core::receipts::build(desk.ledger(), &order.merchant_order_no, None).unwrap();
    // The sandbox masks the card as IOTPay does: its first six and last four digits.
    let card = sale.card_number.clone().expect("the V3 query's cardNum");
    assert!(card.contains('*') && card.ends_with(&CARD_APPROVE[CARD_APPROVE.len() - 4..]));
    // The authorisation code the sandbox's V3 query answered (`authNum`), kept in the order's
    // payment_payload when it was recorded Paid, then printed.
    let at_iotpay = paydesk_sandbox::SandboxStore::open_in(dir.path())
        .unwrap()
        .find(&order.merchant_order_no)
        .unwrap()
        .expect("the sandbox's order");
    let auth = at_iotpay
        .channel_order_no
        .clone()
        .expect("the sandbox's authNum");
    assert_eq!(sale.auth_code.as_deref(), Some(auth.as_str()));
    let kept = desk
        .ledger()
        .get(order.id)
        .unwrap()
        .payment_payload
        .unwrap();
    assert_eq!(kept["card"]["authNum"], auth.as_str());
    assert_eq!(kept["card"]["cardNum"], card.as_str());
    let text = paydesk_core::receipts::layout::text(&sale, 32);
    assert!(text.lines().all(|l| l.chars().count() <= 32), "{text}");
    assert!(text.contains(&card));
    assert!(
        text.lines()
            .any(|l| l.starts_with("Auth code") && l.trim_end().ends_with(&auth)),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("Card") && l.trim_end().ends_with(&card)),
        "{text}"
    );
    match refund {
        Ok((refund, _)) => {
            let result = auto::print_order(
                desk.ledger(),
                &log,
                &order.merchant_order_no,
                Some(&refund.refund_no),
            )
            .unwrap();
            assert!(result.printed);
            let jobs = printer.wait_for(1);
            assert!(contains(&jobs[0], b"REFUND"));
            assert!(contains(&jobs[0], b"CAD 5.00"));
            assert!(contains(&jobs[0], b"a cup broke"));
            assert_eq!(
                log.last(desk.ledger(), order.id, Some(&refund.refund_no))
                    .unwrap(),
                Some(result)
            );
        }
        Err(e) => panic!("refund: {e}"),
    }
}

#[tokio::test]
async fn a_printer_that_is_off_leaves_the_sale_paid_and_a_reprint_prints_it() {
    let (dir, desk) = sandbox_desk().await;
    set(&desk, "receipt.printer", &closed_port());
    let order = paid_sale(&desk, dir.path(), "8.00").await;
    let log = PrintLog::default();
    let started = Instant::now();
    let result = auto::print_order(desk.ledger(), &log, &order.merchant_order_no, None).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "within the 3 s bound"
    );
    assert!(!result.printed);
    assert!(
        result
            .error
            .as_deref()
            .unwrap()
            .contains("connection refused"),
        "{result:?}"
    );
    assert_eq!(
        desk.ledger().get(order.id).unwrap().status,
        OrderStatus::Paid
    );
    assert_eq!(
        log.last(desk.ledger(), order.id, None)
            .unwrap()
            .map(|r| r.printed),
        Some(false)
    );

    // Kept in the ledger: another process (the CLI, as after a restart) reads "not printed".
    let status = stdout(&run_ok(&mut paydesk(
        dir.path(),
        &["receipt", "status", &order.merchant_order_no],
    )));
    assert!(
        status.contains(&format!("sale {}: not printed", order.merchant_order_no))
            && status.contains("connection refused"),
        "{status}"
    );
    // So does a desk opened afresh on the same data dir (the window after a restart).
    let reopened = paydesk_ledger::ledger::Ledger::open_in(dir.path()).unwrap();
    let kept = PrintLog::default()
        .last(&reopened, order.id, None)
        .unwrap()
        .unwrap();
    assert!(!kept.printed && kept.error == result.error && kept.at == result.at);

    // Reprint once the printer is on.
    let printer = FakePrinter::start();
    set(&desk, "receipt.printer", &printer.address());
    let again = auto::print_order(desk.ledger(), &log, &order.id.to_string(), None).unwrap();
    assert!(again.printed);
    assert_eq!(printer.wait_for(1).len(), 1);
    assert_eq!(
        log.last(desk.ledger(), order.id, None)
            .unwrap()
            .map(|r| r.printed),
        Some(true)
    );
    let status = stdout(&run_ok(&mut paydesk(
        dir.path(),
        &["receipt", "status", &order.merchant_order_no, "--json"],
    )));
    let rows: serde_json::Value = serde_json::from_str(&status).unwrap();
    assert_eq!(rows[0]["refundNo"], serde_json::Value::Null);
    assert_eq!(rows[0]["printed"], true, "{status}");

    // No printer at all: refused with its own code, nothing noted.
    paydesk_core::settings::remove(desk.ledger(), "receipt.printer").unwrap();
    match auto::print_order(desk.ledger(), &log, &order.id.to_string(), None) {
        Err(paydesk_domain::Error::Refused { code, .. }) => assert_eq!(code, "no_printer"),
        other => panic!("{other:?}"),
    }
}

/// Installs the automatic print; returns how many outcomes it reported and the last one.
fn auto_print(desk: &Arc<Paydesk>) -> (Arc<PrintLog>, Arc<AtomicUsize>, Arc<Mutex<Vec<bool>>>) {
    let log = Arc::new(PrintLog::default());
    let told = Arc::new(AtomicUsize::new(0));
    let outcomes = Arc::new(Mutex::new(Vec::new()));
    let (count, seen) = (Arc::clone(&told), Arc::clone(&outcomes));
    auto::install(
        desk,
        Arc::clone(&log),
        Arc::new(move |_order, result| {
            count.fetch_add(1, Ordering::SeqCst);
            seen.lock().unwrap().push(result.printed);
        }),
    );
    (log, told, outcomes)
}

fn wait_until(what: impl Fn() -> bool) {
    let started = Instant::now();
    while !what() && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn the_automatic_print_on_paid_prints_once() {
    let (dir, desk) = sandbox_desk().await;
    let printer = FakePrinter::start();
    set(&desk, "receipt.printer", &printer.address());
    set(&desk, "receipt.auto", "on");
    let (log, told, _) = auto_print(&desk);
    let order = desk
        .create_order(
            &Acting::nobody(),
            &sale_input("iotpay", "wechat-qr", "3.50", "CAD"),
        )
        .await
        .unwrap();
    // Not paid yet: nothing printed.
    desk.sync(order.id).await.unwrap();
    settle_at_iotpay(dir.path(), &order.merchant_order_no, true);
    // Paid through a query, then asked again, and again after a notification.
    assert_eq!(desk.sync(order.id).await.unwrap().status, OrderStatus::Paid);
    desk.sync(order.id).await.unwrap();
    desk.sync_after_notify(order.id).await.unwrap();
    wait_until(|| told.load(Ordering::SeqCst) >= 1);
    // Give a second print, were there one, the time to arrive.
    std::thread::sleep(Duration::from_millis(300));
    let jobs = printer.jobs();
    assert_eq!(jobs.len(), 1, "printed exactly once");
    assert!(contains(&jobs[0], order.merchant_order_no.as_bytes()));
    assert_eq!(told.load(Ordering::SeqCst), 1);
    assert_eq!(
        log.last(desk.ledger(), order.id, None)
            .unwrap()
            .map(|r| r.printed),
        Some(true)
    );

    // With receipt.auto off, a paid sale prints nothing by itself.
    set(&desk, "receipt.auto", "off");
    paid_sale(&desk, dir.path(), "4.00").await;
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(printer.jobs().len(), 1);
}

#[tokio::test]
async fn an_automatic_print_to_a_printer_that_is_off_never_holds_up_the_sale() {
    let (dir, desk) = sandbox_desk().await;
    set(&desk, "receipt.printer", &closed_port());
    set(&desk, "receipt.auto", "on");
    let (log, told, outcomes) = auto_print(&desk);
    let order = desk
        .create_order(
            &Acting::nobody(),
            &sale_input("iotpay", "wechat-qr", "6.00", "CAD"),
        )
        .await
        .unwrap();
    settle_at_iotpay(dir.path(), &order.merchant_order_no, true);
    let paid = desk.sync(order.id).await.unwrap();
    assert_eq!(paid.status, OrderStatus::Paid);
    wait_until(|| told.load(Ordering::SeqCst) >= 1);
    assert_eq!(*outcomes.lock().unwrap(), [false], "told: not printed");
    let last = log.last(desk.ledger(), order.id, None).unwrap().unwrap();
    assert!(!last.printed && last.error.is_some());
    assert_eq!(
        desk.ledger().get(order.id).unwrap().status,
        OrderStatus::Paid
    );
    // Reprint from the order's detail, the printer on now.
    let printer = FakePrinter::start();
    set(&desk, "receipt.printer", &printer.address());
    assert!(
        auto::print_order(desk.ledger(), &log, &order.id.to_string(), None)
            .unwrap()
            .printed
    );
    assert_eq!(printer.wait_for(1).len(), 1);
}

/// pdftotext's reading of a PDF (poppler-utils, installed by scripts/setup.sh).
fn pdf_text(path: &std::path::Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils: scripts/setup.sh installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn the_pdf_reads_back_with_the_shop_the_amount_the_order_and_a_chinese_name() {
    let (dir, desk) = sandbox_desk().await;
    set(&desk, "shop.name", "Tea House");
    let order = paid_sale(&desk, dir.path(), "1234.50").await;
    desk.ledger()
        .set_order_text(order.id, Some("王小明"), None)
        .unwrap();
    let receipt =
        paydesk_core::receipts::build(desk.ledger(), &order.merchant_order_no, None).unwrap();
    let file = dir.path().join("receipt.pdf");
    std::fs::write(
        &file,
        paydesk_core::receipts::pdf::render(&receipt, paydesk_core::receipts::Paper::Mm80),
    )
    .unwrap();
    let text = pdf_text(&file);
    assert!(text.contains("Tea House"), "{text}");
    assert!(text.contains("1,234.50"), "{text}");
    assert!(
        text.contains(&order.merchant_order_no),
        "{} not in {text}",
        order.merchant_order_no
    );
    // The CJK font setup.sh installs draws it, and the text layer names it.
    if std::path::Path::new("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc").exists() {
        assert!(text.contains("王小明"), "{text}");
    }
}

#[tokio::test]
async fn the_cli_prints_saves_and_shows_a_receipt() {
    let (dir, desk) = sandbox_desk().await;
    let printer = FakePrinter::start();
    set(&desk, "shop.name", "Tea House");
    set(&desk, "receipt.printer", &printer.address());
    let order = paid_sale(&desk, dir.path(), "9.75").await;
    let no = order.merchant_order_no.clone();
    drop(desk);

    let out = run_ok(&mut paydesk(dir.path(), &["receipt", "print", &no]));
    assert!(stdout(&out).contains("printed on"));
    assert!(contains(&printer.wait_for(1)[0], no.as_bytes()));

    let text = stdout(&run_ok(&mut paydesk(dir.path(), &["receipt", "text", &no])));
    assert!(text.lines().all(|l| l.chars().count() <= 48), "{text}");
    assert!(text.contains("Tea House") && text.contains("CAD 9.75") && text.contains(&no));
    let narrow = stdout(&run_ok(&mut paydesk(
        dir.path(),
        &["receipt", "text", &no, "--paper", "58"],
    )));
    assert!(narrow.lines().all(|l| l.chars().count() <= 32), "{narrow}");

    let file = dir.path().join("cli.pdf");
    run_ok(&mut paydesk(
        dir.path(),
        &["receipt", "pdf", &no, "--output", file.to_str().unwrap()],
    ));
    let read = pdf_text(&file);
    assert!(read.contains("Tea House") && read.contains("9.75") && read.contains(&no));

    // A printer that is off: exit 1, "not printed".
    let ledger = paydesk_ledger::ledger::Ledger::open_in(dir.path()).unwrap();
    paydesk_core::settings::set(&ledger, "receipt.printer", &closed_port()).unwrap();
    let off = run(&mut paydesk(dir.path(), &["receipt", "print", &no]));
    assert_eq!(off.status.code(), Some(1));
    assert!(stderr(&off).contains("not printed"), "{}", stderr(&off));
    // No receipt for a refund the order does not have: bad input, exit 2.
    let none = run(&mut paydesk(
        dir.path(),
        &["receipt", "text", &no, "--refund", "RF0"],
    ));
    assert_eq!(none.status.code(), Some(2));
    assert!(stderr(&none).contains("no_receipt"));
}

#[tokio::test]
async fn the_shops_language_prints_french_chinese_and_for_hindi_english() {
    let (dir, desk) = sandbox_desk().await;
    let printer = FakePrinter::start();
    set(&desk, "shop.name", "Café Zoë");
    set(&desk, "receipt.printer", &printer.address());
    let order = paid_sale(&desk, dir.path(), "1234.50").await;
    let no = order.merchant_order_no.clone();
    let text_in = |tag: &str| {
        set(&desk, "shop.language", tag);
        let receipt = paydesk_core::receipts::build(desk.ledger(), &no, None).unwrap();
        paydesk_core::receipts::layout::text(&receipt, 48)
    };

    // Chinese: the words, and the PDF in the CJK font setup.sh installs.
    let text = text_in("zh-CN");
    assert!(
        text.contains("支付方式") && text.contains("谢谢惠顾"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("合计") && l.ends_with("1,234.50 CAD")),
        "{text}"
    );
    if std::path::Path::new("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc").exists() {
        let receipt = paydesk_core::receipts::build(desk.ledger(), &no, None).unwrap();
        let file = dir.path().join("zh.pdf");
        let pdf =
            paydesk_core::receipts::pdf::render(&receipt, paydesk_core::receipts::Paper::Mm80);
        std::fs::write(&file, pdf).unwrap();
        assert!(pdf_text(&file).contains("合计"));
        // A shift report too: the A4 writer has no Chinese, so it prints on a roll page in
        // the receipt PDF's fonts, in Chinese rather than in English or '?'.
        let ledger = desk.ledger();
        paydesk_core::shifts::open(ledger, &Acting::nobody()).unwrap();
        let x = paydesk_core::shifts::x_report(ledger, &Acting::nobody(), None).unwrap();
        let file = dir.path().join("zh-shift.pdf");
        std::fs::write(
            &file,
            paydesk_core::shifts::report_pdf(&x, "Café Zoë", &paydesk_domain::zone::Zone::Utc),
        )
        .unwrap();
        let said = pdf_text(&file);
        assert!(said.contains("X 报表"), "{said}");
        assert!(!said.contains("X report"), "{said}");
    }
    // Hindi prints English, as English always printed.
    let text = text_in("hi");
    assert!(
        text.contains("Paid with") && text.contains("CAD 1,234.50"),
        "{text}"
    );

    // French, through the CLI: the text, the printer and the PDF.
    set(&desk, "shop.language", "fr-CA");
    drop(desk);
    let text = stdout(&run_ok(&mut paydesk(dir.path(), &["receipt", "text", &no])));
    for words in ["VENTE", "Payé avec", "Passerelle", "Merci"] {
        assert!(text.contains(words), "{words} in\n{text}");
    }
    assert!(
        text.lines()
            .any(|l| l.starts_with("TOTAL") && l.ends_with("1 234,50 CAD")),
        "{text}"
    );
    assert!(
        !text.contains("Paid with") && !text.contains("CAD 1,234.50"),
        "{text}"
    );
    // The printer: the accents in WPC1252.
    run_ok(&mut paydesk(dir.path(), &["receipt", "print", &no]));
    let job = &printer.wait_for(1)[0];
    assert!(contains(job, b"Pay\xE9 avec"), "{job:?}");
    assert!(contains(job, b"1 234,50 CAD"));
    assert!(contains(job, b"Caf\xE9 Zo\xEB"));
    // The PDF reads back in French.
    let file = dir.path().join("fr.pdf");
    run_ok(&mut paydesk(
        dir.path(),
        &["receipt", "pdf", &no, "--output", file.to_str().unwrap()],
    ));
    let read = pdf_text(&file);
    assert!(
        read.contains("Payé avec") && read.contains("1 234,50 CAD"),
        "{read}"
    );
}
