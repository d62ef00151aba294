//! The read side's tests, on a temporary ledger: the list and search (`list`), the totals,
//! the reports and the summary behind them (`totals`).

mod list;
mod tips;
mod totals;

use paydesk_domain::money::{Currency, Money};
use paydesk_domain::order::{EventSource, Method, Order, OrderStatus};

use crate::ledger::{Ledger, NewOrder};

fn ledger() -> (tempfile::TempDir, Ledger) {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open_in(dir.path()).unwrap();
    (dir, ledger)
}

/// An order with a chosen creation time, amount and status, written through the ledger.
fn order(
    ledger: &Ledger,
    no: &str,
    method: Method,
    amount: &str,
    currency: &str,
    status: OrderStatus,
    at: i64,
) -> i64 {
    let currency = Currency::parse(currency).unwrap();
    let id = ledger
        .insert_order(&NewOrder {
            merchant_order_no: no.into(),
            method,
            environment: "sandbox".into(),
            amount: Money::parse(amount, currency).unwrap(),
            expires_at_ms: None,
            by: Default::default(),
        })
        .unwrap()
        .id;
    if status != OrderStatus::Created {
        let obs = crate::ledger::Observation {
            status,
            gateway_status: None,
            source: EventSource::Poll,
            note: None,
        };
        ledger.apply(id, &obs).unwrap();
    }
    ledger
        .conn()
        .execute(
            "UPDATE orders SET created_at = ?2 WHERE id = ?1",
            rusqlite::params![id, at],
        )
        .unwrap();
    id
}

const DAY: i64 = 86_400_000;

// 2026-01-01T00:00:00Z
const T0: i64 = 1_767_225_600_000;

fn ids(orders: &[Order]) -> Vec<i64> {
    orders.iter().map(|o| o.id).collect()
}
