//! Tips in the ledger: kept apart from the sale inside the total charged, given back after the
//! sale by refunds, and added up apart by the totals (summary and orders alike) and reports.

use paydesk_domain::money::{Currency, Money};
use paydesk_domain::order::{EventSource, Method, OrderStatus};
use paydesk_domain::zone::Zone;

use super::ledger;
use crate::ledger::{Ledger, NewOrder, Observation, OrderFilter, RefundKind, RefundOutcome};
use crate::queries::Period;

/// A paid sale of `sale` + `tip` (minor units) in `currency`.
fn tipped_sale(ledger: &Ledger, no: &str, sale: i64, tip: i64, currency: &str) -> i64 {
    let currency = Currency::parse(currency).unwrap();
    let order = ledger
        .insert_tipped_order(
            &NewOrder {
                merchant_order_no: no.into(),
                method: Method::WechatQr,
                environment: "sandbox".into(),
                amount: Money::from_minor(sale + tip, currency).unwrap(),
                expires_at_ms: None,
                by: Default::default(),
            },
            tip,
        )
        .unwrap();
    ledger
        .apply(
            order.id,
            &Observation {
                status: OrderStatus::Paid,
                gateway_status: None,
                source: EventSource::Poll,
                note: None,
            },
        )
        .unwrap();
    order.id
}

fn refund(ledger: &Ledger, id: i64, no: &str, minor: i64) -> i64 {
    let refund = ledger
        .begin_refund(id, no, minor, RefundKind::Refund, None, &Default::default())
        .unwrap();
    let (refund, _) = ledger
        .finish_refund(
            refund.id,
            RefundOutcome::Succeeded {
                gateway_refund_id: None,
                gateway_status: None,
            },
        )
        .unwrap();
    refund.tip_minor
}

#[test]
fn a_refund_gives_back_the_sale_first_then_the_tip() {
    let (_dir, ledger) = ledger();
    let id = tipped_sale(&ledger, "PD1", 2000, 300, "CAD");
    let order = ledger.get(id).unwrap();
    assert_eq!(
        (order.amount.minor(), order.tip_minor, order.sale_minor()),
        (2300, 300, 2000)
    );

    // The sale without the tip: no tip in the refund, the order keeps its tip.
    assert_eq!(refund(&ledger, id, "RF1", 2000), 0);
    let order = ledger.get(id).unwrap();
    assert_eq!(order.status, OrderStatus::PartiallyRefunded);
    assert_eq!((order.refunded_minor, order.tip_refunded_minor), (2000, 0));
    // Then the tip.
    assert_eq!(refund(&ledger, id, "RF2", 300), 300);
    let order = ledger.get(id).unwrap();
    assert_eq!(order.status, OrderStatus::Refunded);
    assert_eq!(
        (order.refunded_minor, order.tip_refunded_minor),
        (2300, 300)
    );

    // A refund across the line takes the tip part beyond the sale left.
    let id = tipped_sale(&ledger, "PD2", 1000, 200, "CAD");
    assert_eq!(refund(&ledger, id, "RF3", 900), 0);
    assert_eq!(
        refund(&ledger, id, "RF4", 250),
        150,
        "100 of sale, then 150 of tip"
    );
    // The order's history says which refund gave back the tip (a second partial refund moves
    // nothing, so only the first and the last say it).
    let notes = |id: i64| -> Vec<String> {
        ledger
            .events(id)
            .unwrap()
            .into_iter()
            .filter_map(|e| e.note)
            .collect()
    };
    assert!(
        notes(id)
            .iter()
            .any(|n| n.contains("9.00 CAD without the tip")),
        "{:?}",
        notes(id)
    );
    let first = ledger.resolve("PD1").unwrap().id;
    assert!(
        notes(first)
            .iter()
            .any(|n| n.contains("3.00 CAD, tip 3.00 included")),
        "{:?}",
        notes(first)
    );
    // The audit log names the tips of the sales and refunds, and still verifies.
    assert!(
        matches!(
            ledger.verify_audit().unwrap(),
            crate::ledger::AuditVerdict::Whole { .. }
        ),
        "the tipped sale's and refunds' entries read as written"
    );
}

#[test]
fn a_tip_is_never_the_whole_charge_or_negative() {
    let (_dir, ledger) = ledger();
    let new = NewOrder {
        merchant_order_no: "PD9".into(),
        method: Method::WechatQr,
        environment: "sandbox".into(),
        amount: Money::from_minor(500, Currency::CAD).unwrap(),
        expires_at_ms: None,
        by: Default::default(),
    };
    assert!(ledger.insert_tipped_order(&new, 500).is_err());
    assert!(ledger.insert_tipped_order(&new, -1).is_err());
    assert_eq!(
        ledger.insert_tipped_order(&new, 499).unwrap().tip_minor,
        499
    );
}

#[test]
fn totals_and_reports_keep_tips_apart_from_summary_and_orders_alike() {
    let (_dir, ledger) = ledger();
    let a = tipped_sale(&ledger, "PD1", 2000, 300, "CAD");
    tipped_sale(&ledger, "PD2", 1000, 0, "CAD");
    // A zero-decimal currency: 15% of ¥1,234 is ¥185.
    tipped_sale(&ledger, "PD3", 1234, 185, "JPY");
    refund(&ledger, a, "RF1", 2000);
    // Take the orders into the summary, then add a day's more directly.
    let all = OrderFilter::default();
    for totals in [
        ledger.totals(&all).unwrap(),
        ledger.totals_direct(&all).unwrap(),
    ] {
        let cad = totals
            .by_currency
            .iter()
            .find(|t| t.currency == "CAD")
            .unwrap();
        assert_eq!(
            cad.takings_minor(),
            300 + 1000,
            "the tip stayed, the sale went back"
        );
        assert_eq!(cad.tips_minor(), 300);
        let jpy = totals
            .by_currency
            .iter()
            .find(|t| t.currency == "JPY")
            .unwrap();
        assert_eq!((jpy.takings_minor(), jpy.tips_minor()), (1419, 185));
    }
    // The summary's rows carry the tips too (the fold and the triggers).
    let (tips, back): (i64, i64) = ledger
        .conn()
        .query_row(
            "SELECT sum(tip_minor), sum(tip_refunded_minor) FROM order_day_totals WHERE currency = 'CAD'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((tips, back), (300, 0));
    refund(&ledger, a, "RF2", 300);
    let cad = ledger.totals(&all).unwrap().by_currency[0].clone();
    assert_eq!(
        (cad.currency.as_str(), cad.takings_minor(), cad.tips_minor()),
        ("CAD", 1000, 0)
    );

    let rows = ledger.report(&all, Period::Day, &Zone::Utc).unwrap();
    let tips: i64 = rows
        .iter()
        .filter(|r| r.currency == "JPY")
        .map(|r| r.tip_minor)
        .sum();
    assert_eq!(tips, 185);
    let back: i64 = rows.iter().map(|r| r.tip_refunded_minor).sum();
    assert_eq!(back, 300);
}
