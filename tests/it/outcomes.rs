//! The payment service under every interleaving of gateway answers (a property test).
//!
//! A scripted gateway keeps the truth (which orders it has, which are paid, which refunds it
//! made) and answers each call at random: succeeded, refused, unknown (no answer), lost (done,
//! but the answer never arrives), pending (a refund decided later), duplicated notifications,
//! payments after the counter's expiry. The service runs on a real ledger file. After every
//! step: nothing is paid in the ledger that the gateway has not been paid, and nothing is
//! refunded beyond what was paid. Once the gateway answers truthfully, reconciliation brings
//! every order and refund to the gateway's state.
//!
//! The gateway is a stand-in on purpose (the one place this suite mocks): it isolates the
//! service's bookkeeping from any adapter; the adapters meet the sandbox in their own tests.

use paydesk_core::staff::Acting;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use paydesk_core::payments::{CreateOrderInput, Paydesk};
use paydesk_domain::error::{Error, Result};
use paydesk_domain::order::{Gateway, Order, OrderStatus};
use paydesk_gateways::{
    capabilities, Adapter, Capabilities, CreateRequest, Created, Lookup, Report, Reversal,
    ReversalRequest,
};
use paydesk_ledger::ledger::RefundStatus;

const GATEWAY: &str = "iotpay";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refund {
    /// Decided later (a V3 status 0 / SmartPay pending modification): it will succeed or fail.
    Undecided {
        will_succeed: bool,
    },
    Done,
    Failed,
}

#[derive(Debug, Default)]
struct Truth {
    /// Orders the gateway has: (amount, paid, refunded so far).
    orders: HashMap<String, (i64, bool, i64)>,
    refunds: HashMap<String, (String, i64, Refund)>,
}

struct Scripted {
    truth: Mutex<Truth>,
    rng: Mutex<StdRng>,
    /// Once set, every answer is the truth (the faults have cleared).
    honest: AtomicBool,
}

impl Scripted {
    fn roll(&self) -> u32 {
        if self.honest.load(Ordering::SeqCst) {
            return 0;
        }
        self.rng.lock().unwrap().random_range(0..100)
    }

    fn unknown() -> Error {
        Error::GatewayUnreachable {
            gateway: GATEWAY,
            message: "timed out waiting for an answer".into(),
        }
    }

    fn refused(message: &str) -> Error {
        Error::GatewayRejected {
            gateway: GATEWAY,
            code: "0014".into(),
            message: message.into(),
        }
    }

    /// The customer pays an open order (perhaps long after the counter gave up).
    fn customer_pays(&self, merchant_order_no: &str) {
        if let Some(order) = self.truth.lock().unwrap().orders.get_mut(merchant_order_no) {
            order.1 = true;
        }
    }

    /// A refund the gateway has not decided yet is decided.
    fn decide_refunds(&self) {
        let mut truth = self.truth.lock().unwrap();
        let decided: Vec<(String, String, i64, bool)> = truth
            .refunds
            .iter()
            .filter_map(|(no, (order, amount, state))| match state {
                Refund::Undecided { will_succeed } => {
                    Some((no.clone(), order.clone(), *amount, *will_succeed))
                }
                _ => None,
            })
            .collect();
        for (no, order, amount, ok) in decided {
            truth.refunds.get_mut(&no).unwrap().2 = if ok { Refund::Done } else { Refund::Failed };
            if !ok {
                truth.orders.get_mut(&order).unwrap().2 -= amount;
            }
        }
    }

    fn reversal(&self, no: &str) -> Result<Reversal> {
        let truth = self.truth.lock().unwrap();
        match truth.refunds.get(no).map(|r| r.2) {
            Some(Refund::Done) => Ok(Reversal {
                gateway_refund_id: Some(format!("G{no}")),
                gateway_status: Some("2".into()),
            }),
            Some(Refund::Failed) => Err(Self::refused("refund failed")),
            Some(Refund::Undecided { .. }) => Err(Error::GatewayPending {
                gateway: GATEWAY,
                status: "0".into(),
                message: "refund pending".into(),
            }),
            None => Err(Self::refused("no such refund")),
        }
    }
}

#[async_trait::async_trait]
impl Adapter for Scripted {
    fn capabilities(&self) -> &'static Capabilities {
        capabilities(Gateway::Iotpay)
    }

    fn prepare_create(&self, _request: &CreateRequest<'_>) -> Result<()> {
        Ok(())
    }

    async fn create(&self, request: &CreateRequest<'_>) -> Result<Created> {
        let roll = self.roll();
        let reaches = roll < 70 || (80..90).contains(&roll);
        if reaches {
            self.truth.lock().unwrap().orders.insert(
                request.merchant_order_no.to_string(),
                (request.amount.minor(), false, 0),
            );
        }
        match roll {
            // Accepted; a create answer may claim more than it can (never a payment status).
            0..=59 => Ok(Created::pending(Some(format!(
                "G{}",
                request.merchant_order_no
            )))),
            60..=69 => {
                let mut created = Created::pending(Some("G".into()));
                created.status = OrderStatus::Paid;
                Ok(created)
            }
            // Never reached the gateway, or refused as sent.
            70..=74 => Err(Self::unknown()),
            75..=79 => Err(Self::refused("parameter error")),
            // Done, answer lost.
            _ => Err(Self::unknown()),
        }
    }

    async fn lookup(&self, order: &Order) -> Result<Lookup> {
        if self.roll() >= 70 {
            return Err(Self::unknown());
        }
        let truth = self.truth.lock().unwrap();
        Ok(match truth.orders.get(&order.merchant_order_no) {
            None => Lookup::Missing,
            Some((_, paid, _)) => Lookup::Found(Report {
                status: if *paid {
                    OrderStatus::Paid
                } else {
                    OrderStatus::Pending
                },
                gateway_status: if *paid { "2" } else { "1" }.into(),
                gateway_order_id: Some(format!("G{}", order.merchant_order_no)),
                note: None,
                card: None,
            }),
        })
    }

    fn prepare_reversal(&self, _order: &Order, _reversal: &ReversalRequest<'_>) -> Result<()> {
        Ok(())
    }

    async fn reverse(&self, order: &Order, reversal: &ReversalRequest<'_>) -> Result<Reversal> {
        let roll = self.roll();
        let mut truth = self.truth.lock().unwrap();
        if truth.refunds.contains_key(reversal.refund_no) {
            drop(truth);
            return self.reversal(reversal.refund_no);
        }
        let Some(gateway_order) = truth.orders.get_mut(&order.merchant_order_no) else {
            return Err(Self::refused("no such order"));
        };
        let (amount, paid, refunded) = *gateway_order;
        if roll >= 90 {
            return Err(Self::unknown()); // never reached
        }
        if !paid || refunded + reversal.amount.minor() > amount {
            return Err(Self::refused("refund exceeds what was paid"));
        }
        gateway_order.2 += reversal.amount.minor();
        let state = match roll {
            0..=59 | 70..=79 => Refund::Done,
            _ => Refund::Undecided {
                will_succeed: roll % 2 == 0,
            },
        };
        truth.refunds.insert(
            reversal.refund_no.to_string(),
            (
                order.merchant_order_no.clone(),
                reversal.amount.minor(),
                state,
            ),
        );
        drop(truth);
        match roll {
            0..=59 => self.reversal(reversal.refund_no),
            60..=69 => self.reversal(reversal.refund_no), // pending
            _ => Err(Self::unknown()),                    // done, answer lost
        }
    }

    async fn lookup_reversal(
        &self,
        _order: &Order,
        reversal: &ReversalRequest<'_>,
    ) -> Result<Reversal> {
        if self.roll() >= 70 {
            return Err(Self::unknown());
        }
        self.reversal(reversal.refund_no)
    }

    async fn check_credentials(&self) -> Result<String> {
        Ok("scripted".into())
    }
}

fn paid_like(status: OrderStatus) -> bool {
    matches!(
        status,
        OrderStatus::Paid | OrderStatus::PartiallyRefunded | OrderStatus::Refunded
    )
}

/// Checks what must hold after every step.
fn check_invariants(desk: &Paydesk, gateway: &Scripted, seed: u64) {
    let truth = gateway.truth.lock().unwrap();
    let every = paydesk_ledger::ledger::OrderFilter {
        limit: Some(10_000),
        ..Default::default()
    };
    for order in desk.ledger().list(&every).unwrap() {
        let gw = truth.orders.get(&order.merchant_order_no);
        if paid_like(order.status) {
            assert!(
                gw.is_some_and(|g| g.1),
                "seed {seed}: order {} is {} but the gateway was never paid",
                order.merchant_order_no,
                order.status
            );
        }
        let refunds = desk.ledger().refunds(order.id).unwrap();
        let held: i64 = refunds
            .iter()
            .filter(|r| r.status != RefundStatus::Failed)
            .map(|r| r.amount_minor)
            .sum();
        assert!(
            held <= order.amount.minor(),
            "seed {seed}: {} refunded or held {held} of {}",
            order.merchant_order_no,
            order.amount.minor()
        );
        let refunded: i64 = refunds
            .iter()
            .filter(|r| r.status == RefundStatus::Succeeded)
            .map(|r| r.amount_minor)
            .sum();
        assert_eq!(refunded, order.refunded_minor, "seed {seed}");
        // A refund the ledger counts as made, the gateway made.
        for r in refunds
            .iter()
            .filter(|r| r.status == RefundStatus::Succeeded)
        {
            assert!(
                matches!(truth.refunds.get(&r.refund_no), Some((_, _, Refund::Done))),
                "seed {seed}: refund {} counted but not made at the gateway",
                r.refund_no
            );
        }
    }
}

async fn one_run(seed: u64) {
    let (_dir, desk) = crate::support::sandbox_desk().await;
    let mut rng = StdRng::seed_from_u64(seed);
    // Some runs give up on the customer at once, so every payment in them is late.
    if rng.random_bool(0.3) {
        desk.ledger().set_setting("order.ttl_ms", "1").unwrap();
    }
    let gateway = Arc::new(Scripted {
        truth: Mutex::new(Truth::default()),
        rng: Mutex::new(StdRng::seed_from_u64(seed ^ 0x5eed)),
        honest: AtomicBool::new(false),
    });
    desk.install_adapter(Gateway::Iotpay, "sandbox", gateway.clone());

    let mut ids = Vec::new();
    for _ in 0..rng.random_range(8..20) {
        match rng.random_range(0..6) {
            0 | 1 => {
                let input = CreateOrderInput {
                    gateway: "iotpay".into(),
                    method: "wechat-qr".into(),
                    amount: format!(
                        "{}.{:02}",
                        rng.random_range(1..50),
                        rng.random_range(0..100)
                    ),
                    currency: "CAD".into(),
                    code: None,
                    card_id: None,
                };
                match desk.create_order(&Acting::nobody(), &input).await {
                    Ok(order) => ids.push(order.id),
                    Err(Error::GatewayRejected { .. }) => {}
                    Err(e) => panic!("seed {seed}: create told failure although sent: {e}"),
                }
            }
            2 => {
                if let Some(&id) = pick(&mut rng, &ids) {
                    let order = desk.ledger().get(id).unwrap();
                    gateway.customer_pays(&order.merchant_order_no);
                }
            }
            3 => {
                if let Some(&id) = pick(&mut rng, &ids) {
                    // A query, or a notification (perhaps twice): a hint that triggers one.
                    let _ = desk.sync(id).await;
                    if rng.random_bool(0.3) {
                        let _ = desk.sync_after_notify(id).await;
                    }
                }
            }
            4 => {
                if let Some(&id) = pick(&mut rng, &ids) {
                    let order = desk.ledger().get(id).unwrap();
                    let left = order.amount.minor() - order.refunded_minor;
                    if left > 0 && paid_like(order.status) {
                        let minor = rng.random_range(1..=left);
                        let text = format!("{}.{:02}", minor / 100, minor % 100);
                        let _ = desk.refund(&Acting::nobody(), id, Some(&text), None).await;
                    }
                }
            }
            _ => {
                gateway.decide_refunds();
                if let Some(&id) = pick(&mut rng, &ids) {
                    let _ = desk.retry_reversals(id).await;
                }
            }
        }
        check_invariants(&desk, &gateway, seed);
    }

    // The faults clear: the gateway answers every question truthfully.
    gateway.decide_refunds();
    gateway.honest.store(true, Ordering::SeqCst);
    desk.reconcile().await.unwrap();
    check_invariants(&desk, &gateway, seed);
    let truth = gateway.truth.lock().unwrap();
    for &id in &ids {
        let order = desk.ledger().get(id).unwrap();
        match truth.orders.get(&order.merchant_order_no) {
            Some((_, true, refunded)) => {
                assert!(
                    paid_like(order.status),
                    "seed {seed}: {} was paid at the gateway but is {}",
                    order.merchant_order_no,
                    order.status
                );
                assert_eq!(order.refunded_minor, *refunded, "seed {seed}: refunds");
            }
            _ => assert!(!paid_like(order.status), "seed {seed}"),
        }
        for refund in desk.ledger().refunds(id).unwrap() {
            let expected = match truth.refunds.get(&refund.refund_no).map(|r| r.2) {
                Some(Refund::Done) => RefundStatus::Succeeded,
                _ => RefundStatus::Failed,
            };
            assert_eq!(refund.status, expected, "seed {seed}: {}", refund.refund_no);
        }
    }
}

fn pick<'a>(rng: &mut StdRng, ids: &'a [i64]) -> Option<&'a i64> {
    (!ids.is_empty()).then(|| &ids[rng.random_range(0..ids.len())])
}

#[tokio::test(flavor = "multi_thread")]
async fn random_interleavings_never_pay_or_refund_without_the_gateway() {
    let runs: u64 = std::env::var("PAYDESK_PROPERTY_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(60);
    for seed in 0..runs {
        one_run(seed).await;
    }
}
