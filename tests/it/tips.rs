//! Tips (issue 16) over the real sandbox: a tipped sale charged in full at the gateway and kept
//! apart in the ledger, a refund of the sale without the tip, then the tip; a card-terminal
//! sale whose tip travels in CC_PAX's own `tip` field; the refusals (tips off, a tip above the
//! sale, a stored card) with nothing written; and the same from the command line, with the
//! export's `tip` column.

use std::path::Path;
use std::sync::Arc;

use paydesk_core::payments::Paydesk;
use paydesk_core::staff::Acting;
use paydesk_domain::order::{MoneyClass, OrderStatus};
use paydesk_ledger::ledger::OrderFilter;
use paydesk_sandbox::terminal::{answer_terminal, terminal_tip, TerminalAnswer};
use paydesk_sandbox::SandboxStore;

use crate::support::{
    json, order_count, order_create, paydesk, run, run_ok, sale_input, sandbox_desk,
    sandbox_refunded, settle_at_iotpay, stderr, stdout,
};

async fn desk_with_tips() -> (tempfile::TempDir, Arc<Paydesk>) {
    let (dir, desk) = sandbox_desk().await;
    desk.ledger().set_setting("tips.enabled", "on").unwrap();
    (dir, desk)
}

fn at_gateway(dir: &Path, merchant_order_no: &str) -> paydesk_sandbox::SandboxOrder {
    SandboxStore::open_in(dir)
        .unwrap()
        .find(merchant_order_no)
        .unwrap()
        .expect("the sandbox has the sale")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tipped_sale_is_charged_in_full_and_its_sale_refunded_without_the_tip_then_the_tip() {
    let (dir, desk) = desk_with_tips().await;
    let order = desk
        .create_tipped_order(
            &Acting::nobody(),
            &sale_input("iotpay", "wechat-qr", "20.00", "CAD"),
            Some("15%"),
        )
        .await
        .unwrap();
    assert_eq!(
        (order.amount.minor(), order.tip_minor, order.sale_minor()),
        (2300, 300, 2000)
    );
    // The gateway has no tip field for a QR sale: it is asked for the total.
    assert_eq!(
        at_gateway(dir.path(), &order.merchant_order_no).amount,
        2300
    );
    settle_at_iotpay(dir.path(), &order.merchant_order_no, true);
    let paid = desk.sync(order.id).await.unwrap();
    assert_eq!(paid.status, OrderStatus::Paid);

    let totals = desk.ledger().totals(&OrderFilter::default()).unwrap();
    let cad = &totals.by_currency[0];
    assert_eq!((cad.takings_minor(), cad.tips_minor()), (2300, 300));

    // "Refund the sale (without tip)": 20.00 back, the refund row says no tip, the order
    // keeps its tip, and the gateway gave back exactly the sale.
    let (refund, order) = desk
        .refund_sale(&Acting::nobody(), order.id, Some("returned goods"))
        .await
        .unwrap();
    assert_eq!((refund.amount_minor, refund.tip_minor), (2000, 0));
    assert_eq!(order.status, OrderStatus::PartiallyRefunded);
    assert_eq!((order.tip_minor, order.tip_refunded_minor), (300, 0));
    assert_eq!(sandbox_refunded(dir.path(), &order.merchant_order_no), 2000);
    let totals = desk.ledger().totals(&OrderFilter::default()).unwrap();
    let cad = &totals.by_currency[0];
    assert_eq!(
        (cad.takings_minor(), cad.tips_minor()),
        (300, 300),
        "what stayed is the tip"
    );
    // The receipts: the sale's shows Amount, Tip and the TOTAL charged; the refund's says the
    // tip was not refunded.
    let text = |refund_no: Option<&str>| -> String {
        let receipt =
            paydesk_core::receipts::build(desk.ledger(), &order.merchant_order_no, refund_no)
                .unwrap();
        paydesk_core::receipts::layout::rows(&receipt, 48)
            .into_iter()
            .map(|r| r.text)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let sale_receipt = text(None);
    for line in ["Amount", "20.00", "Tip", "3.00", "TOTAL", "23.00"] {
        assert!(sale_receipt.contains(line), "{line} in\n{sale_receipt}");
    }
    let refund_receipt = text(Some(&refund.refund_no));
    assert!(
        refund_receipt.contains("not refunded"),
        "the refund says the tip stayed:\n{refund_receipt}"
    );
    // Nothing of the sale is left to refund without the tip.
    let again = desk
        .refund_sale(&Acting::nobody(), order.id, None)
        .await
        .unwrap_err();
    assert_eq!(again.field(), Some("amount"), "{again}");

    // Then the tip: everything left.
    let (refund, order) = desk
        .refund(&Acting::nobody(), order.id, None, None)
        .await
        .unwrap();
    assert_eq!((refund.amount_minor, refund.tip_minor), (300, 300));
    assert_eq!(order.status, OrderStatus::Refunded);
    assert_eq!(order.tip_refunded_minor, 300);
    assert_eq!(sandbox_refunded(dir.path(), &order.merchant_order_no), 2300);
    let totals = desk.ledger().totals(&OrderFilter::default()).unwrap();
    let cad = &totals.by_currency[0];
    assert_eq!((cad.takings_minor(), cad.tips_minor()), (0, 0));
    assert_eq!(cad.class(MoneyClass::Taken).tip_minor, 300);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_card_terminal_tip_travels_in_the_tip_field_and_the_terminal_shows_it_apart() {
    let (dir, desk) = desk_with_tips().await;
    let order = desk
        .create_tipped_order(
            &Acting::nobody(),
            &sale_input("iotpay", "card-terminal", "12.50", "CAD"),
            Some("1.50"),
        )
        .await
        .unwrap();
    assert_eq!((order.amount.minor(), order.tip_minor), (1400, 150));
    // CC_PAX's `amount` is the sale without the tip; the tip went in `tip`, as sent.
    let sale = at_gateway(dir.path(), &order.merchant_order_no);
    assert_eq!((sale.channel_id.as_str(), sale.amount), ("CC_PAX", 1250));
    let store = SandboxStore::open_in(dir.path()).unwrap();
    assert_eq!(
        terminal_tip(&store, &sale.pay_order_id).unwrap().as_deref(),
        Some("150")
    );
    answer_terminal(&store, &order.merchant_order_no, TerminalAnswer::Approve).unwrap();
    // The query's amount (the sale) is checked against the order's sale part: it is paid,
    // not taken for another order's answer.
    let paid = desk.sync(order.id).await.unwrap();
    assert_eq!(paid.status, OrderStatus::Paid);
    assert_eq!((paid.amount.minor(), paid.tip_minor), (1400, 150));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tip_refused_leaves_nothing_written() {
    let (_dir, desk) = sandbox_desk().await;
    let sale = sale_input("iotpay", "wechat-qr", "10.00", "CAD");
    // Tips are off by default.
    let off = desk
        .create_tipped_order(&Acting::nobody(), &sale, Some("2"))
        .await
        .unwrap_err();
    assert_eq!((off.code(), off.field()), ("tips_off", Some("tip")));
    // "0" is no tip, whether tips are on or not.
    desk.create_tipped_order(&Acting::nobody(), &sale, Some("0"))
        .await
        .unwrap();
    desk.ledger().set_setting("tips.enabled", "on").unwrap();
    let large = desk
        .create_tipped_order(&Acting::nobody(), &sale, Some("10.01"))
        .await
        .unwrap_err();
    assert_eq!(large.code(), "tip_too_large", "{large}");
    let bad = desk
        .create_tipped_order(&Acting::nobody(), &sale, Some("1.234"))
        .await
        .unwrap_err();
    assert_eq!((bad.code(), bad.field()), ("invalid_input", Some("tip")));
    let token = desk
        .create_tipped_order(
            &Acting::nobody(),
            &paydesk_core::payments::CreateOrderInput {
                card_id: Some("card-1".into()),
                ..sale_input("iotpay", "card-token", "10.00", "CAD")
            },
            Some("1"),
        )
        .await
        .unwrap_err();
    assert_eq!(token.code(), "tip_not_taken", "{token}");
    assert_eq!(
        desk.ledger().list(&Default::default()).unwrap().len(),
        1,
        "only the untipped sale"
    );
}

#[test]
fn the_cli_offers_tips_sells_with_one_refunds_the_sale_only_and_exports_the_tip_apart() {
    let dir = tempfile::tempdir().unwrap();
    let offered = run(&mut paydesk(
        dir.path(),
        &["order", "tips", "--amount", "20"],
    ));
    assert!(
        stdout(&offered).contains("Tips are off"),
        "{}",
        stdout(&offered)
    );
    run_ok(&mut paydesk(
        dir.path(),
        &["settings", "set", "tips.enabled", "on"],
    ));
    let offer = json(&run_ok(&mut paydesk(
        dir.path(),
        &["order", "tips", "--amount", "20", "--json"],
    )));
    assert_eq!(offer["kind"], "percentages");
    assert_eq!(offer["choices"][0]["label"], "15%");
    assert_eq!(offer["choices"][0]["tipMinor"], 300);
    let offer = json(&run_ok(&mut paydesk(
        dir.path(),
        &["order", "tips", "--amount", "5", "--json"],
    )));
    assert_eq!(offer["kind"], "fixed", "under the threshold of 10");
    assert_eq!(offer["choices"][2]["tipMinor"], 300);

    let args = order_create("iotpay", "wechat-qr", "20.00", &["--tip", "15%", "--json"]);
    let created = json(&run_ok(&mut paydesk(dir.path(), &args)));
    assert_eq!(created["order"]["amountMinor"], 2300);
    assert_eq!(created["order"]["tipMinor"], 300);
    let no = created["order"]["merchantOrderNo"]
        .as_str()
        .unwrap()
        .to_string();
    settle_at_iotpay(dir.path(), &no, true);
    run_ok(&mut paydesk(dir.path(), &["order", "sync", &no]));

    let refunded = run_ok(&mut paydesk(
        dir.path(),
        &["order", "refund", &no, "--sale-only"],
    ));
    let shown = stdout(&refunded);
    assert!(shown.contains("sale 20.00 + tip 3.00 CAD"), "{shown}");
    assert!(shown.contains("20.00 CAD without the tip"), "{shown}");

    // The list and the totals say the tip apart.
    let listed = stdout(&run_ok(&mut paydesk(dir.path(), &["orders"])));
    assert!(listed.contains("tip 3.00"), "{listed}");
    let totals = stdout(&run_ok(&mut paydesk(dir.path(), &["totals"])));
    assert!(
        totals.contains("of which tips 3.00 (sales 0.00)"),
        "{totals}"
    );

    // A tip on a sale refused before anything is written: exit 2, the field named.
    let args = order_create("iotpay", "wechat-qr", "5.00", &["--tip", "6"]);
    let refused = run(&mut paydesk(dir.path(), &args));
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("more than the sale"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(order_count(dir.path()), 1);

    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("orders.csv");
    run_ok(&mut paydesk(
        dir.path(),
        &["export", "csv", "--output", file.to_str().unwrap()],
    ));
    let text = std::fs::read_to_string(&file).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|c| c == name).unwrap();
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(
        (&row[col("amount")], &row[col("refunded")], &row[col("tip")]),
        ("23.00", "20.00", "3.00")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shifts_x_and_z_reports_show_the_tips_apart() {
    use paydesk_core::shifts;
    use paydesk_domain::zone::Zone;
    let (dir, desk) = desk_with_tips().await;
    shifts::open(desk.ledger(), &Acting::nobody()).unwrap();
    let order = desk
        .create_tipped_order(
            &Acting::nobody(),
            &sale_input("iotpay", "wechat-qr", "20.00", "CAD"),
            Some("3.00"),
        )
        .await
        .unwrap();
    settle_at_iotpay(dir.path(), &order.merchant_order_no, true);
    desk.sync(order.id).await.unwrap();
    desk.refund_sale(&Acting::nobody(), order.id, None)
        .await
        .unwrap();

    let x = shifts::x_report(desk.ledger(), &Acting::nobody(), None).unwrap();
    let cad = &x.currencies[0];
    assert_eq!(
        (cad.sales_minor, cad.refunds_minor, cad.net_minor),
        (2300, 2000, 300),
        "the sales are what was charged, tips inside"
    );
    assert_eq!(
        (cad.tips_minor, cad.tips_refunded_minor),
        (Some(300), Some(0))
    );
    let text = shifts::report_text(&x, &Zone::Utc);
    assert!(text.contains("of which tips"), "{text}");
    let csv = shifts::report_csv(&x, &Zone::Utc);
    assert!(csv.contains("tips,in sales,1,3.00"), "{csv}");

    let z = desk.close_shift(&Acting::nobody(), true).await.unwrap();
    assert_eq!(z.currencies[0].tips_minor, Some(300));
    // The sealed Z reads back with its tips.
    let sealed = shifts::z_report(desk.ledger(), x.shift_id).unwrap();
    assert_eq!(sealed.currencies[0].tips_minor, Some(300));
}
