//! The receipt built from a ledger, laid out on both papers, refused where no money was taken.

use super::layout::{columns, rows, text, wrap};
use super::*;
use crate::payments::keep_card;
use paydesk_domain::money::{Currency, Money};
use paydesk_domain::order::{EventSource, Method};
use paydesk_ledger::ledger::{NewOrder, Observation, RefundOutcome, Stamp};

fn ledger() -> (tempfile::TempDir, Ledger) {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open_in(dir.path()).unwrap();
    (dir, ledger)
}

fn sale(ledger: &Ledger, no: &str, method: Method, paid_note: Option<&str>) -> Order {
    let order = ledger
        .insert_order(&NewOrder {
            merchant_order_no: no.into(),
            method,
            environment: "sandbox".into(),
            amount: Money::parse("1234.50", Currency::CAD).unwrap(),
            expires_at_ms: None,
            by: Stamp {
                staff: Some("Alice".into()),
                approver: None,
            },
        })
        .unwrap();
    ledger
        .record_gateway_reference(order.id, Some("P0123456789"), None)
        .unwrap();
    ledger
        .apply(
            order.id,
            &Observation {
                status: OrderStatus::Paid,
                gateway_status: Some("2".into()),
                source: EventSource::Poll,
                note: paid_note.map(str::to_string),
            },
        )
        .unwrap()
        .1
}

fn refund(ledger: &Ledger, order: &Order, no: &str, minor: i64) {
    let r = ledger
        .begin_refund(
            order.id,
            no,
            minor,
            RefundKind::Refund,
            Some("returned"),
            &Stamp {
                staff: Some("Bob".into()),
                approver: Some("Max".into()),
            },
        )
        .unwrap();
    ledger
        .finish_refund(
            r.id,
            RefundOutcome::Succeeded {
                gateway_refund_id: Some("R998".into()),
                gateway_status: None,
            },
        )
        .unwrap();
}

#[test]
fn a_paid_card_sale() {
    let (_dir, ledger) = ledger();
    crate::settings::set(&ledger, "shop.name", "Tea House").unwrap();
    crate::settings::set(&ledger, "shop.address", "12 Main St\nToronto ON").unwrap();
    crate::settings::set(&ledger, "shop.tax_number", "GST 123456789").unwrap();
    let order = sale(&ledger, "PD1", Method::Card, Some("card 424242******4242"));
    ledger
        .set_order_text(order.id, Some("王小明"), None)
        .unwrap();
    let receipt = build(&ledger, "PD1", None).unwrap();
    assert_eq!(receipt.kind, ReceiptKind::Sale);
    assert_eq!(receipt.shop.name, "Tea House");
    assert_eq!(receipt.shop.address, ["12 Main St", "Toronto ON"]);
    assert_eq!(receipt.shop.tax_number.as_deref(), Some("GST 123456789"));
    assert_eq!(receipt.amount, "1,234.50");
    assert_eq!(receipt.gateway, "IOTPay");
    assert_eq!(receipt.method, "Card");
    assert_eq!(receipt.gateway_reference.as_deref(), Some("P0123456789"));
    assert_eq!(receipt.card_number.as_deref(), Some("424242******4242"));
    assert_eq!(receipt.auth_code, None);
    assert_eq!(receipt.staff.as_deref(), Some("Alice"));
    assert_eq!(receipt.customer.as_deref(), Some("王小明"));
    assert_eq!(receipt.tip, None, "no tips yet");
    assert_eq!(receipt.refunded, "0.00");

    let wide = text(&receipt, 48);
    for line in wide.lines() {
        assert!(columns(line) <= 48, "{line:?}");
    }
    assert!(wide.contains("Tea House"));
    assert!(wide.contains("Tax no. GST 123456789"));
    assert!(
        wide.lines()
            .any(|l| l.starts_with("TOTAL") && l.ends_with("CAD 1,234.50")),
        "{wide}"
    );
    assert!(wide
        .lines()
        .any(|l| l.starts_with("Card") && l.ends_with("424242******4242")));
    // The Chinese name takes two columns a character: flush right at column 48.
    let customer = wide.lines().find(|l| l.starts_with("Customer")).unwrap();
    assert_eq!(columns(customer), 48);
    assert!(!wide.contains("Refunded"));

    let narrow = text(&receipt, 32);
    for line in narrow.lines() {
        assert!(columns(line) <= 32, "{line:?}");
    }
    assert!(narrow.contains("PD1"));
}

#[test]
fn a_refund_receipt_says_what_and_by_whom() {
    let (_dir, ledger) = ledger();
    let order = sale(&ledger, "PD2", Method::WechatQr, None);
    refund(&ledger, &order, "RF1", 1000);
    refund(&ledger, &order, "RF2", 234);
    let receipt = build(&ledger, "PD2", Some("RF2")).unwrap();
    assert_eq!(receipt.kind, ReceiptKind::Refund);
    let this = receipt.refund.as_ref().unwrap();
    assert_eq!(this.amount, "2.34");
    assert_eq!(this.staff.as_deref(), Some("Bob"));
    assert_eq!(this.approver.as_deref(), Some("Max"));
    assert_eq!(receipt.refunded, "12.34");
    assert_eq!(receipt.net, "1,222.16");
    assert_eq!(receipt.card_number, None, "a QR payment has no card");
    let printed = text(&receipt, 48);
    assert!(printed.contains("REFUND"));
    assert!(printed
        .lines()
        .any(|l| l.starts_with("REFUNDED") && l.ends_with("CAD 2.34")));
    assert!(printed.contains("Bob, approved by Max"));
    assert!(printed
        .lines()
        .any(|l| l.starts_with("Refunded so far") && l.ends_with("CAD 12.34")));
    // The sale's receipt lists both.
    let sale_text = text(&build(&ledger, "PD2", None).unwrap(), 48);
    assert_eq!(
        sale_text.matches("-10.00").count() + sale_text.matches("-2.34").count(),
        2
    );
    assert!(sale_text
        .lines()
        .any(|l| l.starts_with("Net") && l.ends_with("CAD 1,222.16")));
}

#[test]
fn no_receipt_without_money_or_for_a_refund_that_did_not_go_through() {
    let (_dir, ledger) = ledger();
    let waiting = ledger
        .insert_order(&NewOrder {
            merchant_order_no: "PD3".into(),
            method: Method::WechatQr,
            environment: "sandbox".into(),
            amount: Money::parse("5.00", Currency::CAD).unwrap(),
            expires_at_ms: None,
            by: Stamp::default(),
        })
        .unwrap();
    let refused = |e: Error| match e {
        Error::Refused { code, message, .. } => {
            assert_eq!(code, "no_receipt");
            message
        }
        other => panic!("{other:?}"),
    };
    assert!(refused(build_for(&ledger, &waiting, None).unwrap_err()).contains("created"));
    let order = sale(&ledger, "PD4", Method::WechatQr, None);
    assert!(refused(build(&ledger, "PD4", Some("RF9")).unwrap_err()).contains("no refund RF9"));
    ledger
        .begin_refund(
            order.id,
            "RF3",
            100,
            RefundKind::Refund,
            None,
            &Stamp::default(),
        )
        .unwrap();
    assert!(refused(build(&ledger, "PD4", Some("RF3")).unwrap_err()).contains("pending"));
    assert!(matches!(
        build(&ledger, "PD404", None),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn wrapping_counts_wide_characters_twice() {
    assert_eq!(
        wrap("12 Main Street, Toronto, Ontario", 16),
        ["12 Main Street,", "Toronto, Ontario"]
    );
    assert_eq!(
        wrap("王小明王小明王小明", 8),
        ["王小明王", "小明王小", "明"]
    );
    assert_eq!(wrap("", 8), [""]);
    assert_eq!(
        wrap("12 Main Street, Toronto, Ontario", 12),
        ["12 Main", "Street,", "Toronto,", "Ontario"]
    );
    assert_eq!(wrap("ABCDEFGHIJ", 4), ["ABCD", "EFGH", "IJ"]);
}

#[test]
fn a_long_shop_name_and_a_long_value_stay_on_the_paper() {
    let (_dir, ledger) = ledger();
    crate::settings::set(
        &ledger,
        "shop.name",
        "The Very Long Name Of A Little Tea House",
    )
    .unwrap();
    let order = sale(&ledger, "PD5", Method::WechatQr, None);
    ledger
        .set_order_text(
            order.id,
            Some("Maximilian Alexander von Hohenzollern-Sigmaringen"),
            None,
        )
        .unwrap();
    let receipt = build(&ledger, "PD5", None).unwrap();
    for row in rows(&receipt, 32) {
        let max = if row.double { 16 } else { 32 };
        assert!(columns(&row.text) <= max, "{row:?}");
    }
}

#[test]
fn the_pdf_embeds_a_font_and_is_one_roll_page() {
    let (_dir, ledger) = ledger();
    let order = sale(&ledger, "PD6", Method::WechatQr, None);
    ledger
        .set_order_text(order.id, Some("王小明"), None)
        .unwrap();
    let receipt = build(&ledger, "PD6", None).unwrap();
    let pdf = pdf::render(&receipt, Paper::Mm80);
    assert!(pdf.starts_with(b"%PDF-"));
    let narrow = pdf::render(&receipt, Paper::Mm58);
    assert!(narrow.starts_with(b"%PDF-"));
}

#[test]
fn the_card_the_gateway_reported_is_kept_with_the_order_and_printed() {
    let (_dir, ledger) = ledger();
    let order = sale(&ledger, "PD2", Method::Card, None);
    ledger
        .record_payload(order.id, &serde_json::json!({ "secureId": "S1" }))
        .unwrap();
    let first =
        paydesk_gateways::CardFacts::from_gateway(Some("424242******4242"), Some("123456"), None)
            .unwrap();
    keep_card(&ledger, order.id, &first).unwrap();
    // A later answer without the code adds nothing and erases nothing.
    let later =
        paydesk_gateways::CardFacts::from_gateway(Some("424242******4242"), None, Some("Visa"))
            .unwrap();
    keep_card(&ledger, order.id, &later).unwrap();
    let payload = ledger.get(order.id).unwrap().payment_payload.unwrap();
    assert_eq!(
        payload,
        serde_json::json!({ "secureId": "S1", "card": {
            "cardNum": "424242******4242", "authNum": "123456", "brand": "Visa" } })
    );
    let receipt = build(&ledger, "PD2", None).unwrap();
    assert_eq!(receipt.card_number.as_deref(), Some("424242******4242"));
    assert_eq!(receipt.auth_code.as_deref(), Some("123456"));
    let slip = text(&receipt, 32);
    assert!(
        slip.lines()
            .any(|l| l.starts_with("Auth code") && l.ends_with("123456")),
        "{slip}"
    );
}

#[test]
fn a_full_card_number_in_the_ledger_never_reaches_the_receipt() {
    let (_dir, ledger) = ledger();
    let order = sale(&ledger, "PD3", Method::Card, Some("card 4242424242424242"));
    let receipt = build(&ledger, "PD3", None).unwrap();
    assert_eq!(receipt.card_number.as_deref(), Some("424242******4242"));
    ledger
        .record_payload(
            order.id,
            &serde_json::json!({ "card": { "cardNum": "5555555555554444" } }),
        )
        .unwrap();
    let receipt = build(&ledger, "PD3", None).unwrap();
    assert_eq!(receipt.card_number.as_deref(), Some("555555******4444"));
    assert!(!text(&receipt, 48).contains("5555555555554444"));
}

/// A sale of 1,234.50 CAD with a refund of 10.00 and a tax number, in the shop's `language`.
fn receipts_in(language: &str) -> (tempfile::TempDir, Receipt, Receipt) {
    let (dir, ledger) = ledger();
    crate::settings::set(&ledger, "shop.name", "Tea House").unwrap();
    crate::settings::set(&ledger, "shop.tax_number", "GST 123456789").unwrap();
    crate::settings::set(&ledger, "shop.language", language).unwrap();
    let order = sale(&ledger, "PD8", Method::WechatQr, None);
    refund(&ledger, &order, "RF8", 1000);
    let sale = build(&ledger, "PD8", None).unwrap();
    let refund = build(&ledger, "PD8", Some("RF8")).unwrap();
    (dir, sale, refund)
}

#[test]
fn a_french_shop_prints_french_receipts_with_french_amounts() {
    let (_dir, sale, refund) = receipts_in("fr-CA");
    assert_eq!(sale.language, "fr-CA");
    let printed = text(&sale, 48);
    for line in ["VENTE", "N° de taxe GST 123456789", "Merci"] {
        assert!(printed.contains(line), "{line} in\n{printed}");
    }
    let starts_ends = |start: &str, end: &str| {
        printed
            .lines()
            .any(|l| l.starts_with(start) && l.ends_with(end))
    };
    assert!(starts_ends("Payé avec", "WeChat Pay"), "{printed}");
    assert!(starts_ends("TOTAL", "1 234,50 CAD"), "{printed}");
    assert!(starts_ends("Remboursé le ", " -10,00"), "{printed}");
    assert!(starts_ends("Net", "1 224,50 CAD"), "{printed}");
    for english in ["SALE", "Paid with", "Thank you", "CAD 1,234.50"] {
        assert!(!printed.contains(english), "{english} in\n{printed}");
    }
    for line in printed.lines() {
        assert!(columns(line) <= 48, "{line:?}");
    }
    let printed = text(&refund, 32);
    for line in [
        "REMBOURSEMENT",
        "REMBOURSÉ",
        "Bob, approuvé par Max",
        "Motif",
    ] {
        assert!(printed.contains(line), "{line} in\n{printed}");
    }
    // ESC/POS: the accents in WPC1252, no UTF-8, no '?'.
    let bytes = escpos::encode(&rows(&sale, 48), 48).unwrap();
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"Pay\xE9 avec"), "{bytes:?}");
    assert!(has(b"1 234,50 CAD"));
    assert!(!has("é".as_bytes()));
    // The PDF's title is French too.
    assert!(pdf::render(&sale, Paper::Mm80).starts_with(b"%PDF-"));
}

#[test]
fn a_chinese_shop_prints_chinese_receipts() {
    let (_dir, sale, refund) = receipts_in("zh-CN");
    let printed = text(&sale, 48);
    for line in [
        "销售",
        "税号 GST 123456789",
        "支付方式",
        "微信支付二维码",
        "谢谢惠顾",
    ] {
        assert!(printed.contains(line), "{line} in\n{printed}");
    }
    let total = printed.lines().find(|l| l.starts_with("合计")).unwrap();
    assert!(total.ends_with("1,234.50 CAD"), "{total}");
    // Two columns a character: the pair still ends at the paper's edge.
    assert_eq!(columns(total), 48);
    for line in text(&sale, 32).lines().chain(text(&refund, 32).lines()) {
        assert!(columns(line) <= 32, "{line:?}");
    }
    assert!(text(&refund, 48).contains("Bob，Max 批准"));
    // ESC/POS: the words in GB18030 inside Chinese mode.
    let bytes = escpos::encode(&rows(&sale, 48), 48).unwrap();
    let mut words = escpos::CHINESE_ON.to_vec();
    words.extend_from_slice(&encoding_rs::GB18030.encode("合计").0);
    words.extend_from_slice(escpos::CHINESE_OFF);
    assert!(bytes.windows(words.len()).any(|w| w == words), "{bytes:?}");
    assert!(!bytes.windows(3).any(|w| w == "合".as_bytes()), "no UTF-8");
}

#[test]
fn a_hindi_shop_prints_english_receipts() {
    let (_dir, hindi, hindi_refund) = receipts_in("hi");
    assert_eq!(hindi.language, "en");
    let (_dir2, english, english_refund) = receipts_in("en");
    let same = |a: &Receipt, b: &Receipt| {
        // The times differ by when each ledger wrote: compare the rest.
        let mut b = b.clone();
        b.at = a.at.clone();
        for (x, y) in b.refunds.iter_mut().zip(&a.refunds) {
            x.at = y.at.clone();
        }
        if let (Some(x), Some(y)) = (b.refund.as_mut(), a.refund.as_ref()) {
            x.at = y.at.clone();
        }
        assert_eq!(text(a, 48), text(&b, 48));
    };
    same(&hindi, &english);
    same(&hindi_refund, &english_refund);
    let printed = text(&hindi, 48);
    assert!(printed.contains("SALE") && printed.contains("Thank you"));
    assert!(printed
        .lines()
        .any(|l| l.starts_with("TOTAL") && l.ends_with("CAD 1,234.50")));
}
