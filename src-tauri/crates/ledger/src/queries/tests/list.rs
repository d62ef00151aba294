//! The list and search: filters, keyset and offset pages, the index, probe and scan plans
//! agreeing, and the fold before a search.

use rusqlite::params_from_iter;

use paydesk_domain::money::Currency;
use paydesk_domain::order::{Method, MoneyClass, OrderStatus};

use crate::ledger::fold::FOLD_BATCH;
use crate::ledger::{Cursor, OrderFilter};
use crate::queries::filter_sql::filter_sql;
use crate::queries::list::for_each_row;
use crate::queries::search::{SearchPlan, BROAD_SEARCH};

use super::{ids, ledger, order, DAY, T0};

#[test]
fn filters_by_method_currency_and_amount_range() {
    let (_dir, l) = ledger();
    let a = order(
        &l,
        "PDA1",
        Method::WechatQr,
        "10.00",
        "CAD",
        OrderStatus::Paid,
        T0,
    );
    let b = order(
        &l,
        "PDB2",
        Method::AlipayQr,
        "25.00",
        "CAD",
        OrderStatus::Paid,
        T0 + 1,
    );
    let c = order(
        &l,
        "PDC3",
        Method::AlipayQr,
        "25.00",
        "USD",
        OrderStatus::Paid,
        T0 + 2,
    );
    let d = order(
        &l,
        "PDD4",
        Method::AlipayQr,
        "99.99",
        "CAD",
        OrderStatus::Failed,
        T0 + 3,
    );
    let list = |f: OrderFilter| ids(&l.list(&f).unwrap());
    assert_eq!(
        list(OrderFilter {
            method: Some(Method::AlipayQr),
            ..Default::default()
        }),
        vec![d, c, b]
    );
    assert_eq!(
        list(OrderFilter {
            currency: Some(Currency::CAD),
            ..Default::default()
        }),
        vec![d, b, a]
    );
    let cad_range = OrderFilter {
        currency: Some(Currency::CAD),
        min_amount_minor: Some(1_000),
        max_amount_minor: Some(2_500),
        ..Default::default()
    };
    assert_eq!(
        list(cad_range.clone()),
        vec![b, a],
        "the range is inclusive at both ends"
    );
    assert_eq!(
        list(OrderFilter {
            status: Some(OrderStatus::Paid),
            ..cad_range
        }),
        vec![b, a]
    );
    assert_eq!(
        list(OrderFilter {
            from_ms: Some(T0 + 1),
            to_ms: Some(T0 + 3),
            ..Default::default()
        }),
        vec![c, b]
    );
}

#[test]
fn pages_by_cursor_and_offset_without_gaps_or_repeats() {
    let (_dir, l) = ledger();
    let mut all = Vec::new();
    for i in 0..25 {
        // Several orders share a creation time: the id breaks the tie.
        all.push(order(
            &l,
            &format!("PD{i:03}"),
            Method::WechatQr,
            "1.00",
            "CAD",
            OrderStatus::Paid,
            T0 + (i / 4),
        ));
    }
    let expected: Vec<i64> = ids(&l
        .list(&OrderFilter {
            limit: Some(100),
            ..Default::default()
        })
        .unwrap());
    assert_eq!(expected.len(), 25);
    let mut paged = Vec::new();
    let mut before: Option<Cursor> = None;
    loop {
        let page = l
            .list(&OrderFilter {
                limit: Some(7),
                before,
                ..Default::default()
            })
            .unwrap();
        if page.is_empty() {
            break;
        }
        before = page.last().map(Cursor::after);
        paged.extend(ids(&page));
    }
    assert_eq!(paged, expected);
    let by_offset = ids(&l
        .list(&OrderFilter {
            limit: Some(7),
            offset: Some(14),
            ..Default::default()
        })
        .unwrap());
    assert_eq!(by_offset, expected[14..21]);
}

/// A page answered from the index's matches (read once, then looked up by id) is exactly
/// the page the scan gives, with other filters, keyset paging and offsets, and ties of
/// `created_at`.
#[test]
fn a_searched_page_from_the_index_hits_equals_the_scanned_page() {
    let (_dir, l) = ledger();
    let mut cursor_ids = Vec::new();
    for i in 0..60_i64 {
        let method = if i % 3 == 0 {
            Method::AlipayQr
        } else {
            Method::WechatQr
        };
        let status = if i % 4 == 0 {
            OrderStatus::Failed
        } else {
            OrderStatus::Paid
        };
        let no = format!("PD26{:02}{:02}1200{:03}AB", 1 + i % 2, 1 + i % 5, i);
        // Several orders share a created_at, so the id breaks ties.
        let id = order(&l, &no, method, "5.00", "CAD", status, T0 + (i / 3) * DAY);
        if i % 7 == 0 {
            l.set_order_text(id, Some(&format!("pd2601 customer {i}")), None)
                .unwrap();
        }
        cursor_ids.push(id);
    }
    let scanned = |f: &OrderFilter| -> Vec<i64> {
        let conn = l.conn();
        let (w, args) = filter_sql(f, SearchPlan::Scan);
        let limit = f.limit.unwrap_or(100);
        let offset = f.offset.unwrap_or(0);
        let mut stmt = conn
            .prepare(&format!(
                "SELECT id FROM orders {w} ORDER BY created_at DESC, id DESC LIMIT {limit} OFFSET {offset}"
            ))
            .unwrap();
        stmt.query_map(params_from_iter(args), |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let mut checked = 0;
    for term in ["PD2601", "pd26", "1200", "AB", "0101", "customer 1", "zzz"] {
        for status in [None, Some(OrderStatus::Paid)] {
            for (limit, offset) in [(Some(5), None), (Some(50), None), (Some(4), Some(3))] {
                let f = OrderFilter {
                    search: Some(term.into()),
                    status,
                    limit,
                    offset,
                    ..Default::default()
                };
                let page = l.list(&f).unwrap();
                assert_eq!(ids(&page), scanned(&f), "{f:?}");
                checked += page.len();
                // The next page after the last order of this one.
                if let Some(last) = page.last() {
                    let next = OrderFilter {
                        before: Some(crate::ledger::Cursor {
                            created_at_ms: last.created_at_ms,
                            id: last.id,
                        }),
                        offset: None,
                        ..f.clone()
                    };
                    assert_eq!(ids(&l.list(&next).unwrap()), scanned(&next), "{next:?}");
                }
            }
        }
    }
    assert!(checked > 100, "the terms match: {checked}");
}

/// A broad search (more matches than the list collects) in a script with case lists the
/// same orders, whatever the case of the term, as the totals and the export count.
#[test]
fn a_broad_search_in_any_script_lists_what_the_totals_count() {
    let (_dir, l) = ledger();
    let names = [
        "Ünal Müller",
        "ÜNAL MÜLLER",
        "Иван Петров",
        "иван петров",
        "Olga",
    ];
    // Two names in five match each term: 6,000 matches, past the broad mark.
    let rows = BROAD_SEARCH * 3;
    l.conn()
        .execute(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
             INSERT INTO orders (merchant_order_no, gateway, method, environment, amount_minor,
                                 currency, status, created_at, updated_at, customer)
             SELECT printf('PD%06d', i), 'iotpay', 'wechat-qr', 'sandbox', 100 + i, 'CAD',
                    'paid', ?2 + i, ?2 + i, json_extract(?3, '$[' || (i % 5) || ']')
             FROM n",
            rusqlite::params![rows, T0, serde_json::to_string(&names).unwrap()],
        )
        .unwrap();
    for term in ["ünal müller", "ÜNAL", "ИВАН ПЕТРОВ", "петров", "müller"] {
        let f = OrderFilter {
            search: Some(term.into()),
            limit: Some(10_000),
            ..Default::default()
        };
        let listed = l.list(&f).unwrap();
        let totals = l.totals(&f).unwrap();
        assert!(listed.len() as i64 > BROAD_SEARCH, "{term}: broad");
        assert_eq!(listed.len() as u64, totals.count, "{term}");
        assert_eq!(
            listed.iter().map(|o| o.amount.minor()).sum::<i64>(),
            totals.by_currency[0].class(MoneyClass::Taken).amount_minor,
            "{term}"
        );
        let mut exported = Vec::new();
        for_each_row(&l.conn(), &f, "id", |r| {
            exported.push(r.get::<_, i64>(0)?);
            Ok(())
        })
        .unwrap();
        assert_eq!(ids(&listed), exported, "{term}");
        // Pages as the window reads them: 50 at a time after the last one's cursor.
        let first = l
            .list(&OrderFilter {
                limit: Some(50),
                ..f.clone()
            })
            .unwrap();
        let next = l
            .list(&OrderFilter {
                limit: Some(50),
                before: first.last().map(Cursor::after),
                ..f.clone()
            })
            .unwrap();
        assert_eq!(
            [ids(&first), ids(&next)].concat(),
            exported[..100],
            "{term}"
        );
    }
}

#[test]
fn search_finds_prefixes_and_substrings_of_numbers_references_and_customers() {
    let (_dir, l) = ledger();
    let a = order(
        &l,
        "PD2601011200001AB",
        Method::WechatQr,
        "5.00",
        "CAD",
        OrderStatus::Paid,
        T0,
    );
    let b = order(
        &l,
        "PD2602021200002CD",
        Method::WechatQr,
        "5.00",
        "CAD",
        OrderStatus::Paid,
        T0 + 1,
    );
    l.record_gateway_reference(a, Some("P0199887766"), None)
        .unwrap();
    l.set_order_text(b, Some("Иван Петров"), Some("2x кофе"))
        .unwrap();
    let search = |t: &str| {
        ids(&l
            .list(&OrderFilter {
                search: Some(t.into()),
                ..Default::default()
            })
            .unwrap())
    };
    assert_eq!(search("PD2601"), vec![a], "prefix of the order number");
    assert_eq!(search("1ab"), vec![a], "substring, any case");
    assert_eq!(
        search("998877"),
        vec![a],
        "the gateway's reference, after it arrived"
    );
    assert_eq!(
        search("петр"),
        vec![b],
        "the customer, in Cyrillic, any case"
    );
    assert_eq!(search("PD"), vec![b, a], "short terms scan");
    assert_eq!(search("D2"), vec![b, a]);
    assert!(
        search("\"").is_empty() && search("a\"b OR c").is_empty(),
        "query syntax is literal"
    );
    assert!(search("%%%").is_empty() && search("_").is_empty());
    // The index follows changes of the searched columns.
    l.set_order_text(b, Some("Olga"), None).unwrap();
    assert!(search("петр").is_empty());
    assert_eq!(search("olg"), vec![b]);
    // Paydesk's numbers are indexed without their "PD": terms reaching into it still find
    // them, as do numbers of another form and references or names holding "PD".
    assert_eq!(search("pd2601"), vec![a], "prefix, any case");
    assert_eq!(
        search("D26010"),
        vec![a],
        "from the number's second character"
    );
    assert_eq!(
        search("d2602021200002cd"),
        vec![b],
        "all but the P, any case"
    );
    let c = order(
        &l,
        "PDq-77",
        Method::WechatQr,
        "5.00",
        "CAD",
        OrderStatus::Paid,
        T0 + 2,
    );
    let d = order(
        &l,
        "XPD2601",
        Method::WechatQr,
        "5.00",
        "CAD",
        OrderStatus::Paid,
        T0 + 3,
    );
    l.set_order_text(b, Some("Mr PD2601 Smith"), None).unwrap();
    assert_eq!(search("PDQ-7"), vec![c], "a number of another form, whole");
    assert_eq!(
        search("PD2601"),
        vec![d, b, a],
        "inside a number, a name, a prefix"
    );
    assert_eq!(search("D260"), vec![d, b, a]);
    // Index and scan plans agree.
    let conn = l.conn();
    for term in [
        "PD26",
        "1200",
        "olga",
        "zzz",
        "pd2601",
        "D2601",
        "d26",
        "PDQ",
        "Q-7",
        "XPD",
        "PD2601 ",
        "2601011200001AB",
        "DQ-",
        "P0199",
    ] {
        let f = OrderFilter {
            search: Some(term.into()),
            ..Default::default()
        };
        let count = |plan| {
            let (w, args) = filter_sql(&f, plan);
            conn.query_row(
                &format!("SELECT group_concat(id) FROM orders {w}"),
                params_from_iter(args),
                |r| r.get::<_, Option<String>>(0),
            )
            .unwrap()
        };
        assert_eq!(count(SearchPlan::Index), count(SearchPlan::Scan), "{term}");
    }
}

#[test]
fn search_finds_a_just_written_order_and_every_edit_through_the_queue() {
    let (_dir, l) = ledger();
    let search = |t: &str| {
        ids(&l
            .list(&OrderFilter {
                search: Some(t.into()),
                limit: Some(10_000),
                ..Default::default()
            })
            .unwrap())
    };
    let pending = || -> i64 {
        l.conn()
            .query_row(
                "SELECT (SELECT max(id) FROM orders) - folded FROM ledger_fold",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    // Queued, not yet indexed: found at once (the search folds the queue first).
    let a = order(
        &l,
        "PDQUEUE0001",
        Method::WechatQr,
        "1.00",
        "CAD",
        OrderStatus::Paid,
        T0,
    );
    assert_eq!(pending(), 1);
    assert_eq!(search("queue0001"), vec![a]);
    assert_eq!(pending(), 0);
    // An edit while queued, and an edit once indexed: only the current values are found.
    let b = order(
        &l,
        "PDQUEUE0002",
        Method::WechatQr,
        "1.00",
        "CAD",
        OrderStatus::Paid,
        T0 + 1,
    );
    l.record_gateway_reference(b, Some("P77001"), None).unwrap();
    l.set_order_text(a, Some("Zoë Ærø"), None).unwrap();
    assert_eq!(search("77001"), vec![b]);
    assert_eq!(search("zoë"), vec![a]);
    l.set_order_text(a, Some("Olga"), None).unwrap();
    l.set_order_text(b, Some("Olga"), None).unwrap();
    assert!(search("zoë").is_empty());
    assert_eq!(search("olga"), vec![b, a]);
    // Deleting a queued order and an indexed one leaves no trace in the index.
    let c = order(
        &l,
        "PDQUEUE0003",
        Method::WechatQr,
        "1.00",
        "CAD",
        OrderStatus::Created,
        T0 + 2,
    );
    l.conn()
        .execute_batch(&format!(
            "PRAGMA foreign_keys = OFF;
         DELETE FROM orders WHERE id IN ({a}, {c}); PRAGMA foreign_keys = ON;"
        ))
        .unwrap();
    assert_eq!(search("PDQUEUE"), vec![b]);
    // Past a batch, inserts fold the queue themselves; the index matches the table exactly.
    for i in 0..(FOLD_BATCH + 10) {
        order(
            &l,
            &format!("PDBATCH{i:05}"),
            Method::WechatQr,
            "1.00",
            "CAD",
            OrderStatus::Created,
            T0 + 10 + i,
        );
    }
    assert!(
        pending() < FOLD_BATCH,
        "the insert that filled a batch folded it"
    );
    assert_eq!(search("PDBATCH").len() as i64, FOLD_BATCH + 10);
    assert_eq!(search("BATCH00007"), search("batch00007"));
    l.conn()
        .execute_batch(
            "INSERT INTO orders_search (orders_search, rank) VALUES ('integrity-check', 1)",
        )
        .unwrap();
}

#[test]
fn the_trigram_tokenizer_is_available() {
    let (_dir, l) = ledger();
    let sql: String = l
        .conn()
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'orders_search'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(sql.contains("trigram"), "{sql}");
}
