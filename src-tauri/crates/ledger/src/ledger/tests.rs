//! The ledger's own tests: the schema, durability, the status machine, append-only events,
//! references, and the list as the window asks for it. The read side's own are in
//! `queries/tests`.

use paydesk_domain::error::Error;
use paydesk_domain::money::{Currency, Money};
use paydesk_domain::order::{EventSource, Method, OrderStatus};

use super::orders::insert_order_in;
use super::*;

fn ledger() -> (tempfile::TempDir, Ledger) {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open_in(dir.path()).unwrap();
    (dir, ledger)
}

fn new_order(no: &str) -> NewOrder {
    NewOrder {
        merchant_order_no: no.into(),
        method: Method::WechatQr,
        environment: "sandbox".into(),
        amount: Money::parse("12.50", Currency::CAD).unwrap(),
        expires_at_ms: None,
        by: Default::default(),
    }
}

fn obs(status: OrderStatus, raw: &str) -> Observation {
    Observation {
        status,
        gateway_status: Some(raw.into()),
        source: EventSource::Poll,
        note: None,
    }
}

/// The figure in `write_durable`'s comment: `cargo test --lib durable_write_cost --
/// --ignored --nocapture` (a measurement, not a check).
#[test]
#[ignore]
fn durable_write_cost() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open_in(dir.path()).unwrap();
    const N: usize = 300;
    let time = |round: usize, label: &str, durable: bool| {
        let started = std::time::Instant::now();
        for n in 0..N {
            let new = new_order(&format!("PD{label}{round}X{n}"));
            if durable {
                ledger.insert_order(&new).unwrap();
            } else {
                ledger
                    .write(|tx| insert_order_in(tx, &new, None, 0))
                    .unwrap();
            }
        }
        let each = started.elapsed().as_secs_f64() * 1000.0 / N as f64;
        println!("insert_order, synchronous={label}: {each:.3} ms each");
        each
    };
    for round in 0..2 {
        time(round, "NORMAL", false);
        time(round, "FULL", true);
    }
}

#[test]
fn migrations_set_the_schema_version_and_reopen_cleanly() {
    let (dir, ledger) = ledger();
    drop(ledger);
    let again = Ledger::open_in(dir.path()).unwrap();
    let version: i64 = again
        .conn()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version as usize, schema_version());
    let mode: String = again
        .conn()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn insert_writes_the_order_and_its_first_event() {
    let (_dir, ledger) = ledger();
    let order = ledger.insert_order(&new_order("PD1")).unwrap();
    assert_eq!(order.status, OrderStatus::Created);
    assert_eq!(order.amount.minor(), 1250);
    let events = ledger.events(order.id).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].to_status, OrderStatus::Created);
    assert!(
        ledger.insert_order(&new_order("PD1")).is_err(),
        "merchant order numbers are unique"
    );
}

#[test]
fn status_moves_forward_only_and_every_move_is_an_event() {
    let (_dir, ledger) = ledger();
    let id = ledger.insert_order(&new_order("PD2")).unwrap().id;
    assert_eq!(
        ledger.apply(id, &obs(OrderStatus::Pending, "0")).unwrap().0,
        Applied::Moved
    );
    assert_eq!(
        ledger.apply(id, &obs(OrderStatus::Pending, "1")).unwrap().0,
        Applied::Unchanged
    );
    assert_eq!(
        ledger.apply(id, &obs(OrderStatus::Paid, "2")).unwrap().0,
        Applied::Moved
    );
    let (applied, order) = ledger.apply(id, &obs(OrderStatus::Pending, "1")).unwrap();
    assert_eq!(applied, Applied::Ignored);
    assert_eq!(order.status, OrderStatus::Paid);
    assert_eq!(order.gateway_status.as_deref(), Some("2"));
    let statuses: Vec<_> = ledger
        .events(id)
        .unwrap()
        .iter()
        .map(|e| (e.to_status, e.gateway_status.clone()))
        .collect();
    assert_eq!(
        statuses,
        vec![
            (OrderStatus::Created, None),
            (OrderStatus::Pending, Some("0".into())),
            (OrderStatus::Pending, Some("1".into())),
            (OrderStatus::Paid, Some("2".into())),
            (OrderStatus::Paid, Some("1".into())),
        ]
    );
    // Repeating the same answer adds nothing.
    ledger.apply(id, &obs(OrderStatus::Paid, "2")).unwrap();
    assert_eq!(ledger.events(id).unwrap().len(), 5);
}

#[test]
fn events_are_append_only() {
    let (_dir, ledger) = ledger();
    let id = ledger.insert_order(&new_order("PD3")).unwrap().id;
    let conn = ledger.conn();
    assert!(conn
        .execute(
            "UPDATE order_events SET note = 'x' WHERE order_id = ?1",
            [id]
        )
        .is_err());
    assert!(conn
        .execute("DELETE FROM order_events WHERE order_id = ?1", [id])
        .is_err());
}

#[test]
fn resolve_finds_by_id_merchant_number_or_gateway_id() {
    let (_dir, ledger) = ledger();
    let order = ledger.insert_order(&new_order("PD4")).unwrap();
    ledger
        .record_gateway_reference(order.id, Some("P0001"), Some("http://x/pay"))
        .unwrap();
    assert_eq!(ledger.resolve(&order.id.to_string()).unwrap().id, order.id);
    assert_eq!(ledger.resolve("PD4").unwrap().id, order.id);
    assert_eq!(
        ledger.resolve("P0001").unwrap().payment_url.as_deref(),
        Some("http://x/pay")
    );
    assert!(matches!(ledger.resolve("nope"), Err(Error::NotFound(_))));
}

#[test]
fn list_filters_and_searches() {
    let (_dir, ledger) = ledger();
    let a = ledger.insert_order(&new_order("PDA100")).unwrap();
    let b = ledger.insert_order(&new_order("PDB200")).unwrap();
    ledger.apply(b.id, &obs(OrderStatus::Pending, "0")).unwrap();
    let all = ledger.list(&OrderFilter::default()).unwrap();
    assert_eq!(
        all.iter().map(|o| o.id).collect::<Vec<_>>(),
        vec![b.id, a.id]
    );
    let pending = ledger
        .list(&OrderFilter {
            status: Some(OrderStatus::Pending),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(pending.len(), 1);
    let found = ledger
        .list(&OrderFilter {
            search: Some("a10".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.iter().map(|o| o.id).collect::<Vec<_>>(), vec![a.id]);
    let none = ledger
        .list(&OrderFilter {
            search: Some("%".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(none.is_empty(), "LIKE wildcards in a search are literal");
    assert_eq!(ledger.open_orders().unwrap().len(), 2);
}
