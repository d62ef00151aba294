//! A card-terminal sale at the counter (IOTPay's POS Semi-Integration, CC_PAX): the cashier
//! picks Card terminal and presses Enter; no QR, the counter asks for the card on the
//! terminal with the amount and the terminal's name; the customer's card is approved on the
//! sandbox's terminal (`paydesk sandbox terminal`) and the counter turns Paid by its query.

use super::harness::App;
use super::shop::orders;
use super::window::{tid, LONG, START, WAIT};
use crate::support::{paydesk, run_ok};

/// The shop's terminal: on the sandbox, the sandbox merchant's own (its `pax_device`).
const TERMINAL: &str = paydesk_sandbox::terminal::SANDBOX_TERMINAL;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn counter_takes_a_card_terminal_sale_to_paid() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await;
    let counter = app.counter();
    app.find_within(&tid("method-card-terminal"), START).await;
    counter.type_amount("12.50").await;
    counter.pick_method("card-terminal").await;
    counter.press_enter().await;

    // No QR: one big panel asking for the card, with the amount and the terminal.
    app.wait_for(&tid("terminal-panel"), LONG).await;
    assert_eq!(
        app.text(&tid("terminal-prompt")).await,
        "Tap, insert or swipe on the terminal"
    );
    assert_eq!(app.text(&tid("terminal-amount")).await, "12.50 CAD");
    assert_eq!(
        app.text(&tid("terminal-id")).await,
        format!("Terminal {TERMINAL}")
    );
    assert_eq!(app.count(&tid("qr")).await, 0, "no QR for a terminal sale");
    assert_eq!(app.count(&tid("open-link")).await, 0, "no link either");
    counter.wait_for_status("pending", WAIT).await;
    assert_eq!(
        app.count(&tid("cancel-sale-button")).await,
        1,
        "the cashier can cancel it"
    );
    app.screenshot("counter-terminal.png").await;

    // The customer taps an approved card on the terminal.
    let merchant_order_no = counter.order_number().await;
    assert!(merchant_order_no.starts_with("PD"), "{merchant_order_no}");
    run_ok(&mut paydesk(
        dir.path(),
        &[
            "sandbox",
            "terminal",
            "--order",
            &merchant_order_no,
            "approve",
        ],
    ));
    let took = counter.wait_for_status("paid", LONG).await;
    eprintln!("e2e: the window showed Paid {took:?} after the terminal approved");
    assert_eq!(counter.status_words().await.trim(), "Paid");
    app.screenshot("counter-terminal-paid.png").await;

    // The ledger agrees, from another process.
    let orders = orders(dir.path());
    let entry = orders
        .iter()
        .find(|o| o["order"]["merchantOrderNo"] == merchant_order_no.as_str())
        .unwrap_or_else(|| panic!("{merchant_order_no} not in {orders:?}"));
    assert_eq!(entry["order"]["status"], "paid");
    assert_eq!(entry["order"]["method"], "card-terminal");
    assert_eq!(entry["order"]["amountMinor"], 1250);
    app.close().await;
}
