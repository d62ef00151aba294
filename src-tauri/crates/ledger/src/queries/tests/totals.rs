//! Totals and reports: per currency and money class, from the summary and from the orders
//! alike (against a brute-force sum), in zones, and across a migration from an older schema.

use paydesk_domain::money::Currency;
use paydesk_domain::order::{Method, MoneyClass, OrderStatus};
use paydesk_domain::zone::Zone;

use crate::ledger::fold::{day_sql, fold, FOLD_BATCH};
use crate::ledger::{Ledger, OrderFilter};
use crate::queries::reports::{Period, ReportRow};
use crate::queries::totals::{add_sums, finish_totals, Sums, Totals};

use super::{ledger, order, DAY, T0};

#[test]
fn totals_are_per_currency_and_follow_the_filter() {
    use {Method::*, OrderStatus::*};
    let (_dir, l) = ledger();
    for (no, method, amount, currency, status, at) in [
        ("PD1", WechatQr, "10.00", "CAD", Paid, T0),
        ("PD2", WechatQr, "2.50", "CAD", Paid, T0 + DAY),
        ("PD3", AlipayQr, "7.00", "USD", Paid, T0),
        ("PD4", AlipayQr, "100.00", "CAD", Failed, T0),
    ] {
        order(&l, no, method, amount, currency, status, at);
    }
    let paid = l
        .totals(&OrderFilter {
            status: Some(OrderStatus::Paid),
            limit: Some(1),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(paid.count, 3, "limit does not apply to totals");
    assert_eq!(
        paid.by_currency
            .iter()
            .map(|t| (t.currency.as_str(), t.count(), t.takings_minor()))
            .collect::<Vec<_>>(),
        vec![("CAD", 2, 1250), ("USD", 1, 700)]
    );
    let all = l.totals(&OrderFilter::default()).unwrap();
    assert_eq!(all.count, 4);
    assert_eq!(all.class_count(MoneyClass::Failed), 1);
    assert_eq!(
        all.by_currency[0].takings_minor(),
        1250,
        "the failed 100.00 is not takings"
    );
    let none = l
        .totals(&OrderFilter {
            search: Some("nothing".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        none,
        Totals {
            count: 0,
            by_currency: vec![]
        }
    );
}

/// Takings are paid money net of refunds; waiting, failed, cancelled and expired orders
/// are counted apart and never summed in, from the summary and from the orders alike.
#[test]
fn takings_count_only_money_that_arrived_net_of_refunds() {
    let (_dir, l) = ledger();
    let statuses = [
        (OrderStatus::Paid, "10.00", 0),
        (OrderStatus::PartiallyRefunded, "20.00", 500),
        (OrderStatus::Refunded, "3.00", 300),
        (OrderStatus::Created, "1000.00", 0),
        (OrderStatus::Pending, "12.50", 0),
        (OrderStatus::Authorized, "40.00", 0),
        (OrderStatus::Failed, "100.00", 0),
        (OrderStatus::Cancelled, "200.00", 0),
        (OrderStatus::Voided, "300.00", 0),
        (OrderStatus::Expired, "400.00", 0),
    ];
    for (i, (status, amount, refunded)) in statuses.iter().enumerate() {
        let id = order(
            &l,
            &format!("PDT{i}"),
            Method::WechatQr,
            amount,
            "CAD",
            OrderStatus::Created,
            T0 + i as i64,
        );
        l.conn()
            .execute(
                "UPDATE orders SET status = ?2, refunded_minor = ?3 WHERE id = ?1",
                rusqlite::params![id, status.as_str(), refunded],
            )
            .unwrap();
    }
    // Two whole days: the summary serves them; then the same from the orders.
    let f = OrderFilter {
        from_ms: Some(T0 - DAY),
        to_ms: Some(T0 + DAY),
        ..Default::default()
    };
    for totals in [
        l.totals(&f).unwrap(),
        l.totals_direct(&f).unwrap(),
        l.totals(&OrderFilter::default()).unwrap(),
    ] {
        assert_eq!(totals.count, 10);
        let cad = &totals.by_currency[0];
        let taken = cad.class(MoneyClass::Taken);
        assert_eq!(
            (taken.count, taken.amount_minor, taken.refunded_minor),
            (3, 3300, 800)
        );
        assert_eq!(cad.takings_minor(), 2500, "33.00 taken - 8.00 refunded");
        let waiting = cad.class(MoneyClass::Waiting);
        assert_eq!((waiting.count, waiting.amount_minor), (3, 105_250));
        assert_eq!(totals.class_count(MoneyClass::Failed), 1);
        assert_eq!(
            totals.class_count(MoneyClass::Cancelled),
            2,
            "cancelled and voided"
        );
        assert_eq!(totals.class_count(MoneyClass::Expired), 1);
    }
    assert_eq!(l.totals(&f).unwrap(), l.totals_direct(&f).unwrap());
}

#[test]
fn reports_group_by_day_or_month_in_the_zone() {
    use {Method::*, OrderStatus::*};
    let (_dir, l) = ledger();
    // 2026-01-01 23:30 UTC is 2026-01-02 05:00 at +05:30.
    for (no, method, amount, currency, status, at) in [
        ("PD1", WechatQr, "10.00", "CAD", Paid, T0 + DAY - 1_800_000),
        ("PD2", WechatQr, "1.00", "CAD", Paid, T0 + 3_600_000),
        ("PD3", WechatQr, "3.00", "USD", Paid, T0 + 3_600_000),
        ("PD4", WechatQr, "4.00", "CAD", Failed, T0 + 40 * DAY),
    ] {
        order(&l, no, method, amount, currency, status, at);
    }
    let utc = l
        .report(&OrderFilter::default(), Period::Day, &Zone::Utc)
        .unwrap();
    let line = |r: &ReportRow| {
        (
            r.period.clone(),
            r.status.clone(),
            r.currency.clone(),
            r.count,
            r.amount_minor,
        )
    };
    assert_eq!(
        utc.iter().map(line).collect::<Vec<_>>(),
        vec![
            ("2026-01-01".into(), "paid".into(), "CAD".into(), 2, 1100),
            ("2026-01-01".into(), "paid".into(), "USD".into(), 1, 300),
            ("2026-02-10".into(), "failed".into(), "CAD".into(), 1, 400),
        ]
    );
    let india = l
        .report(&OrderFilter::default(), Period::Day, &Zone::Fixed(19_800))
        .unwrap();
    assert_eq!(
        india.iter().map(|r| r.period.as_str()).collect::<Vec<_>>(),
        vec!["2026-01-01", "2026-01-01", "2026-01-02", "2026-02-10"]
    );
    let months = l
        .report(
            &OrderFilter {
                status: Some(OrderStatus::Paid),
                ..Default::default()
            },
            Period::Month,
            &Zone::Utc,
        )
        .unwrap();
    assert_eq!(
        months.iter().map(line).collect::<Vec<_>>(),
        vec![
            ("2026-01".into(), "paid".into(), "CAD".into(), 2, 1100),
            ("2026-01".into(), "paid".into(), "USD".into(), 1, 300),
        ]
    );
    assert!(Period::parse("week").is_err());
}

/// Every order's (created_at, status, gateway, method, currency, amount, refunded), read
/// straight from the table: the brute-force side of the totals comparisons.
fn all_rows(l: &Ledger) -> Vec<(i64, String, String, String, String, i64, i64)> {
    let conn = l.conn();
    let mut stmt = conn
        .prepare("SELECT created_at, status, gateway, method, currency, amount_minor, refunded_minor FROM orders")
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .unwrap();
    rows.map(|r| r.unwrap()).collect()
}

fn brute_totals(
    rows: &[(i64, String, String, String, String, i64, i64)],
    f: &OrderFilter,
) -> Totals {
    let mut sums: Sums = Vec::new();
    for (at, status, gateway, method, currency, amount, refunded) in rows {
        let keep = f.status.is_none_or(|s| s.as_str() == status)
            && f.gateway.is_none_or(|g| g.as_str() == gateway)
            && f.method.is_none_or(|m| m.as_str() == method)
            && f.currency.is_none_or(|c| c.code() == currency)
            && f.from_ms.is_none_or(|from| *at >= from)
            && f.to_ms.is_none_or(|to| *at < to);
        if keep {
            add_sums(
                &mut sums,
                currency.as_bytes(),
                status.as_bytes(),
                1,
                *amount,
                *refunded,
            );
        }
    }
    finish_totals(sums)
}

#[test]
fn summary_totals_equal_a_brute_force_sum_for_random_filters_and_edits() {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    let (_dir, l) = ledger();
    let mut rng = StdRng::seed_from_u64(7);
    let statuses = [
        OrderStatus::Created,
        OrderStatus::Pending,
        OrderStatus::Paid,
        OrderStatus::Failed,
        OrderStatus::Refunded,
    ];
    // Around the epoch's 20,000th day, with times on and near midnights.
    let base = 20_000 * DAY;
    let random_at = |rng: &mut StdRng| match rng.random_range(0..4) {
        0 => base + rng.random_range(0..12) * DAY,
        1 => base + rng.random_range(0..12) * DAY - 1,
        _ => base + rng.random_range(-DAY..12 * DAY),
    };
    let filter = |rng: &mut StdRng| {
        let bound = |rng: &mut StdRng| match rng.random_range(0..5) {
            0 => None,
            1 => Some(base + rng.random_range(-2..14) * DAY),
            _ => Some(base + rng.random_range(-2 * DAY..14 * DAY)),
        };
        let method = Method::ALL[rng.random_range(0..4)];
        OrderFilter {
            status: rng
                .random_bool(0.5)
                .then(|| statuses[rng.random_range(0..statuses.len())]),
            gateway: rng.random_bool(0.3).then_some(method.gateway()),
            method: rng.random_bool(0.3).then_some(method),
            currency: rng.random_bool(0.3).then(|| {
                Currency::parse(if rng.random_bool(0.5) { "CAD" } else { "USD" }).unwrap()
            }),
            from_ms: bound(rng),
            to_ms: bound(rng),
            ..Default::default()
        }
    };
    for round in 0..6 {
        for i in 0..(FOLD_BATCH / 2 + 40) {
            let method = Method::ALL[rng.random_range(0..4)];
            let currency = Currency::parse(
                method.currencies()[rng.random_range(0..method.currencies().len())],
            )
            .unwrap();
            let cents = rng.random_range(1..100_000);
            let amount = format!("{}.{:02}", cents / 100, cents % 100);
            let at = random_at(&mut rng);
            order(
                &l,
                &format!("PD{round}X{i}"),
                method,
                &amount,
                currency.code(),
                statuses[rng.random_range(0..4)],
                at,
            );
        }
        // Edits of folded and unfolded orders alike: statuses, refunds, times, deletes, and an
        // id reused below the mark.
        let conn = l.conn();
        let max: i64 = conn
            .query_row("SELECT max(id) FROM orders", [], |r| r.get(0))
            .unwrap();
        for _ in 0..60 {
            let id = rng.random_range(1..=max);
            match rng.random_range(0..5) {
                0 => conn.execute("UPDATE orders SET status = 'refunded', refunded_minor = amount_minor WHERE id = ?1", [id]),
                1 => conn.execute("UPDATE orders SET refunded_minor = refunded_minor + 1 WHERE id = ?1", [id]),
                2 => conn.execute("UPDATE orders SET created_at = ?2 WHERE id = ?1", [id, random_at(&mut rng)]),
                3 => conn.execute("UPDATE orders SET status = status, amount_minor = amount_minor + 5 WHERE id = ?1", [id]),
                _ => conn.execute_batch(&format!(
                    "PRAGMA foreign_keys = OFF; DELETE FROM orders WHERE id = {id}; PRAGMA foreign_keys = ON;"
                )).map(|_| 0),
            }
            .unwrap();
        }
        conn.execute_batch(&format!(
            "PRAGMA foreign_keys = OFF; DELETE FROM orders WHERE id = {max}; PRAGMA foreign_keys = ON;"
        ))
        .unwrap();
        drop(conn);
        order(
            &l,
            &format!("PD{round}REUSED"),
            Method::WechatQr,
            "3.33",
            "CAD",
            OrderStatus::Paid,
            base + 3 * DAY,
        );
        if round % 2 == 1 {
            fold(&l.conn()).unwrap();
        }
        let rows = all_rows(&l);
        for _ in 0..150 {
            let f = filter(&mut rng);
            let expected = brute_totals(&rows, &f);
            assert_eq!(l.totals(&f).unwrap(), expected, "round {round}: {f:?}");
            assert_eq!(
                l.totals_direct(&f).unwrap(),
                expected,
                "round {round}: {f:?}"
            );
        }
        // Reports from the summary equal reports from the orders, in zones whose days
        // align with UTC's and zones where every day (or only a month's end) straddles two.
        for _ in 0..20 {
            let f = filter(&mut rng);
            for zone in [
                Zone::Utc,
                Zone::Fixed(-18_000),
                Zone::Fixed(19_800),
                Zone::Local,
            ] {
                for period in [Period::Day, Period::Month] {
                    assert_eq!(
                        l.report(&f, period, &zone).unwrap(),
                        l.report_direct(&f, period, &zone).unwrap(),
                        "round {round}: {f:?} {zone:?} {period:?}"
                    );
                }
            }
        }
    }
    // The summary holds exactly what a fresh aggregate of the table holds.
    let conn = l.conn();
    let differ: i64 = conn
        .query_row(
            concat!(
                "SELECT count(*) FROM (SELECT ", day_sql!("created_at"),
                " AS day, status, gateway, method, currency, count(*) AS count, sum(amount_minor) AS amount_minor,
                  sum(refunded_minor) AS refunded_minor FROM orders GROUP BY 1, 2, 3, 4, 5
                 EXCEPT SELECT day, status, gateway, method, currency, count, amount_minor, refunded_minor
                 FROM order_day_totals WHERE count != 0)"
            ),
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(differ, 0);
}

#[test]
fn a_ledger_of_an_older_schema_migrates_forward_keeping_rows_totals_and_search() {
    for version in [4, 5, 6] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(crate::ledger::LEDGER_FILE);
        {
            let old = crate::db::open(&path, &crate::ledger::migrations()[..version]).unwrap();
            for i in 0..300i64 {
                old.execute(
                    "INSERT INTO orders (merchant_order_no, gateway, method, environment, amount_minor, currency, status,
                                         gateway_order_id, customer, refunded_minor, created_at, updated_at)
                     VALUES (?1, 'iotpay', 'wechat-qr', 'sandbox', ?2, 'CAD', ?3, ?4, ?5, ?6, ?7, ?7)",
                    rusqlite::params![
                        format!("PDOLD{i:04}"),
                        100 + i,
                        if i % 3 == 0 { "paid" } else { "failed" },
                        format!("P9{i:06}"),
                        if i % 7 == 0 { "Ольга Смирнова" } else { "Kenji" },
                        i % 5,
                        T0 + i * DAY / 10,
                    ],
                )
                .unwrap();
            }
        }
        let l = Ledger::open(&path).unwrap();
        let count: i64 = l
            .conn()
            .query_row("SELECT count(*) FROM orders", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, 300, "from version {version}");
        let rows = all_rows(&l);
        for f in [
            OrderFilter::default(),
            OrderFilter {
                status: Some(OrderStatus::Paid),
                from_ms: Some(T0 + DAY / 2),
                to_ms: Some(T0 + 20 * DAY),
                ..Default::default()
            },
        ] {
            assert_eq!(
                l.totals(&f).unwrap(),
                brute_totals(&rows, &f),
                "from version {version}"
            );
        }
        let found = l
            .list(&OrderFilter {
                search: Some("ольга".into()),
                limit: Some(1000),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(found.len(), 43, "from version {version}");
        assert_eq!(
            l.list(&OrderFilter {
                search: Some("PDOLD0299".into()),
                ..Default::default()
            })
            .unwrap()
            .len(),
            1
        );
        assert_eq!(
            l.list(&OrderFilter {
                search: Some("9000123".into()),
                ..Default::default()
            })
            .unwrap()
            .len(),
            1
        );
        l.conn()
            .execute_batch(
                "INSERT INTO orders_search (orders_search, rank) VALUES ('integrity-check', 1)",
            )
            .unwrap();
    }
}
