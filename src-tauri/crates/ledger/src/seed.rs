//! A realistic ledger for development and the benchmark (`paydesk dev seed --orders N`):
//! orders over the last two years with every method this build has (its gateway and
//! currencies), a spread of statuses with the events that led there, customers and notes in
//! several scripts, and refund rows. One transaction, prepared statements, deterministic for a
//! given seed.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::params;

use paydesk_domain::error::Result;
use paydesk_domain::money::Currency;
use paydesk_domain::order::{Method, OrderStatus};

use crate::ledger::{now_ms, Ledger};

const TWO_YEARS_MS: i64 = 2 * 365 * 86_400_000;

const FIRST_NAMES: &[&str] = &[
    "Olivia", "Liam", "Emma", "Noah", "Chloé", "José", "Zoë", "Łukasz", "Søren", "Mei", "Wei",
    "Ahmed", "Fatima", "Priya", "Arjun", "Kenji", "Yuki", "Min-jun", "Olga", "Dmitri", "Aisha",
    "Mateo", "Sven", "Amélie",
];
const LAST_NAMES: &[&str] = &[
    "Martin",
    "Tremblay",
    "Gagnon",
    "Roy",
    "García",
    "Müller",
    "O'Brien",
    "Nakamura",
    "Kowalski",
    "Nguyễn",
    "Singh",
    "Patel",
    "Smith",
    "Johansson",
    "Dubois",
    "Rossi",
    "Haddad",
    "Kim",
    "Ivanova",
    "Okafor",
    "Silva",
    "Chen",
];
/// Whole names in their own scripts, as a cashier might type them.
const NATIVE_NAMES: &[&str] = &[
    "王芳",
    "李伟",
    "张敏",
    "陈静",
    "山田太郎",
    "佐藤花子",
    "김민준",
    "이서연",
    "Иван Петров",
    "Ольга Смирнова",
    "محمد علي",
    "فاطمة الزهراء",
    "Γιώργος Παπαδόπουλος",
    "דוד כהן",
    "अर्जुन शर्मा",
    "Nguyễn Văn An",
];
const DESCRIPTIONS: &[&str] = &[
    "2x espresso, 1 croissant",
    "Table 4",
    "Gift card top-up",
    "Repair: screen \"as is\"",
    "Deposit, balance on pickup",
    "Catering order\nDelivery Friday",
    "外卖 2 份",
    "Скидка 10%",
    "=SUM(A1:A9)",
    "-5% staff discount",
];

/// What `seed` wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seeded {
    pub orders: u64,
    pub events: u64,
    pub refunds: u64,
}

/// A status and the path of statuses that led to it, with weights out of 1000.
const OUTCOMES: &[(u32, &[OrderStatus])] = {
    use OrderStatus::*;
    &[
        (700, &[Created, Pending, Paid]),
        (60, &[Created, Pending, Failed]),
        (90, &[Created, Pending, Expired]),
        (20, &[Created, Cancelled]),
        (10, &[Created, Pending]),
        (10, &[Created]),
        (40, &[Created, Pending, Paid, PartiallyRefunded]),
        (60, &[Created, Pending, Paid, Refunded]),
        (10, &[Created, Pending, Expired, Paid]),
    ]
};

fn gateway_word(status: OrderStatus) -> Option<&'static str> {
    match status {
        OrderStatus::Created => None,
        OrderStatus::Pending => Some("0"),
        OrderStatus::Paid | OrderStatus::PartiallyRefunded | OrderStatus::Refunded => Some("2"),
        OrderStatus::Failed => Some("3"),
        OrderStatus::Expired | OrderStatus::Cancelled => Some("1"),
        _ => None,
    }
}

/// Adds `count` orders to the ledger, created over the two years before now (oldest first,
/// so ids grow with time as they do at a counter). `seed` makes the content repeatable.
pub fn seed(ledger: &Ledger, count: u64, seed: u64) -> Result<Seeded> {
    let mut rng = StdRng::seed_from_u64(seed);
    let methods: Vec<(Method, Vec<Currency>)> = Method::ALL
        .iter()
        .map(|m| {
            (
                *m,
                m.currencies()
                    .iter()
                    .filter_map(|c| Currency::parse(c).ok())
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, c)| !c.is_empty())
        .collect();
    let now = now_ms();
    let start = now - TWO_YEARS_MS;
    let step = (TWO_YEARS_MS / count.max(1) as i64).max(1);
    let mut conn = ledger.conn();
    let tx = conn.transaction()?;
    let mut seeded = Seeded {
        orders: 0,
        events: 0,
        refunds: 0,
    };
    {
        let mut insert_order = tx.prepare(
            "INSERT INTO orders (merchant_order_no, gateway, method, environment, amount_minor, currency, status,
                                 gateway_status, gateway_order_id, payment_url, refunded_minor, created_at, updated_at,
                                 expires_at, customer, description, counter)
             VALUES (?1, ?2, ?3, 'sandbox', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                     (SELECT counter FROM shop_state))",
        )?;
        let mut insert_event = tx.prepare(
            "INSERT INTO order_events (order_id, at, from_status, to_status, source, gateway_status, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut insert_refund = tx.prepare(
            "INSERT INTO refunds (order_id, refund_no, amount_minor, status, gateway_refund_id, reason, created_at, updated_at)
             VALUES (?1, ?2, ?3, 'succeeded', ?4, ?5, ?6, ?6)",
        )?;
        let mut at = start;
        for n in 0..count {
            at += step / 2 + rng.random_range(0..step.max(2));
            let created = at.min(now);
            let (method, currencies) = &methods[rng.random_range(0..methods.len())];
            let currency = currencies[rng.random_range(0..currencies.len())];
            // Mostly small tickets, some large ones; whole units for currencies without decimals.
            let major: i64 = match rng.random_range(0..100) {
                0..=59 => rng.random_range(1..40),
                60..=94 => rng.random_range(40..300),
                _ => rng.random_range(300..5_000),
            };
            let scale = 10i64.pow(currency.exponent() as u32);
            let amount = major * scale
                + if scale > 1 {
                    rng.random_range(0..scale)
                } else {
                    0
                };
            let roll = rng.random_range(0..1000u32);
            let mut acc = 0;
            let path = OUTCOMES
                .iter()
                .find(|(w, _)| {
                    acc += w;
                    roll < acc
                })
                .map(|(_, p)| *p)
                .unwrap_or(OUTCOMES[0].1);
            let status = *path.last().unwrap_or(&OrderStatus::Created);
            let stamp = chrono::DateTime::from_timestamp_millis(created).unwrap_or_default();
            let merchant_no = format!(
                "PD{}{:06X}",
                stamp.format("%y%m%d%H%M%S%3f"),
                rng.random_range(0..0x100_0000u32)
            );
            let reached_gateway = path.len() > 1 && path[1] != OrderStatus::Cancelled;
            let gateway_id = reached_gateway
                .then(|| format!("P01{}{:08}", stamp.format("%Y%m%d%H%M%S"), n % 100_000_000));
            let payment_url = gateway_id
                .as_ref()
                .map(|id| format!("https://pay.example/q/{id}"));
            let refunded = match status {
                OrderStatus::Refunded => amount,
                OrderStatus::PartiallyRefunded => (amount / 2).max(1).min(amount - 1).max(0),
                _ => 0,
            };
            let customer = match rng.random_range(0..10) {
                0..=3 => None,
                4..=5 => Some(NATIVE_NAMES[rng.random_range(0..NATIVE_NAMES.len())].to_string()),
                _ => Some(format!(
                    "{} {}",
                    FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())],
                    LAST_NAMES[rng.random_range(0..LAST_NAMES.len())]
                )),
            };
            let description = (rng.random_range(0..7) == 0)
                .then(|| DESCRIPTIONS[rng.random_range(0..DESCRIPTIONS.len())]);
            let mut event_at = created;
            let mut times = Vec::with_capacity(path.len());
            for _ in path {
                times.push(event_at);
                event_at += rng.random_range(500..90_000);
            }
            if path.ends_with(&[OrderStatus::PartiallyRefunded])
                || path.ends_with(&[OrderStatus::Refunded])
            {
                // A refund comes hours or days later.
                if let Some(last) = times.last_mut() {
                    *last += rng.random_range(3_600_000..10 * 86_400_000);
                }
            }
            let updated = times.last().copied().unwrap_or(created).min(now);
            insert_order.execute(params![
                merchant_no,
                method.gateway().as_str(),
                method.as_str(),
                amount,
                currency.code(),
                status.as_str(),
                gateway_word(status),
                gateway_id,
                payment_url,
                refunded,
                created,
                updated,
                created + 15 * 60_000,
                customer,
                description,
            ])?;
            let id = tx.last_insert_rowid();
            let mut from: Option<OrderStatus> = None;
            for (to, when) in path.iter().zip(&times) {
                let (source, note) = match (from, to) {
                    (None, _) => ("create", Some("order written before calling the gateway")),
                    (Some(OrderStatus::Expired), OrderStatus::Paid) => {
                        ("reconcile", Some("paid after the countdown"))
                    }
                    (_, OrderStatus::Expired) => {
                        ("poll", Some("no payment before the order expired"))
                    }
                    (_, OrderStatus::Refunded | OrderStatus::PartiallyRefunded) => ("user", None),
                    (_, OrderStatus::Cancelled) => ("user", Some("cancelled at the counter")),
                    _ => ("poll", None),
                };
                insert_event.execute(params![
                    id,
                    (*when).min(now),
                    from.map(|s| s.as_str()),
                    to.as_str(),
                    source,
                    gateway_word(*to),
                    note
                ])?;
                seeded.events += 1;
                from = Some(*to);
            }
            if refunded > 0 {
                insert_refund.execute(params![
                    id,
                    format!("RF{id:012}"),
                    refunded,
                    gateway_id.as_ref().map(|g| format!("R{g}")),
                    (rng.random_range(0..3) == 0).then_some("customer returned the goods"),
                    updated,
                ])?;
                seeded.refunds += 1;
            }
            seeded.orders += 1;
        }
    }
    // The search index and the totals summary take the whole batch as one.
    crate::ledger::fold::fold(&tx)?;
    tx.commit()?;
    // Statistics for the query planner, as `PRAGMA optimize` would gather them over time.
    conn.execute_batch("ANALYZE")?;
    Ok(seeded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::OrderFilter;

    #[test]
    fn seeds_decodable_orders_with_events_and_refunds() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open_in(dir.path()).unwrap();
        let seeded = seed(&ledger, 2_000, 7).unwrap();
        assert_eq!(seeded.orders, 2_000);
        assert!(seeded.events > 4_000, "{seeded:?}");
        assert!(seeded.refunds > 0, "{seeded:?}");
        let all = ledger
            .list(&OrderFilter {
                limit: Some(10_000),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(all.len(), 2_000, "every seeded order decodes");
        let oldest = all.last().unwrap().created_at_ms;
        assert!(
            now_ms() - oldest > TWO_YEARS_MS * 9 / 10,
            "two years of dates"
        );
        let methods: std::collections::HashSet<_> = all.iter().map(|o| o.method).collect();
        assert_eq!(methods.len(), Method::ALL.len(), "every method");
        for o in &all {
            assert!(
                o.method.check_currency(o.amount.currency()).is_ok(),
                "{o:?}"
            );
            assert!(o.refunded_minor <= o.amount.minor());
            // Refund rows decode too (the order detail and `orders --json` read them).
            let refunds = ledger.refunds(o.id).unwrap();
            assert_eq!(
                refunds.iter().map(|r| r.amount_minor).sum::<i64>(),
                o.refunded_minor,
                "{o:?}"
            );
        }
        let events = ledger.events(all[0].id).unwrap();
        assert_eq!(events.first().unwrap().to_status, OrderStatus::Created);
        assert_eq!(events.last().unwrap().to_status, all[0].status);
    }
}
