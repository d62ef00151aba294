//! The payment service: the one place that turns a cashier's request into a ledger entry and
//! a gateway order, and follows it to a final status. The window and the CLI both call it.
//!
//! Order of work, so that a crash at any point loses nothing and never charges twice:
//! 1. validate the input (nothing is written for bad input);
//! 2. write the order (Created) with a fresh merchant order number;
//! 3. call the gateway with that number (a retry resends the same number);
//! 4. record what came back as an event.
//!
//! Orders still open are re-queried: by the watcher while the counter waits, and at
//! startup by `reconcile`. Nothing becomes Paid except through a gateway query.

mod card_facts;
mod connectors;
mod follow;
mod reversals;
mod sale;

pub use card_facts::keep_card;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};
#[cfg(feature = "sandbox")]
use tokio::sync::OnceCell;

use crate::config::Mode;
use paydesk_domain::error::{Error, Result};
use paydesk_domain::order::{Gateway, Method, MethodKind, Order};
use paydesk_gateways::Adapter;
use paydesk_ledger::ledger::{Applied, Ledger, Observation};
#[cfg(feature = "sandbox")]
use paydesk_sandbox::SandboxServer;

/// How long the counter waits for a payment before it calls the order expired. The gateway
/// may take it later: each gateway's `PollSchedule::payable_for` says how long it is asked.
const ORDER_TTL: Duration = Duration::from_secs(15 * 60);
/// The event note of a payment that arrived after the counter stopped waiting: the owner is
/// told (`Paydesk::late_payments`).
pub const LATE_PAYMENT: &str = "paid after it expired";
/// The event note of a payment that arrived for a sale cancelled in Paydesk (the gateway could
/// not close it): money the customer should get back.
pub const PAID_AFTER_CANCEL: &str = "paid after it was cancelled: refund it";
/// The same for an authorisation (it holds the customer's money until voided).
pub const AUTHORISED_AFTER_CANCEL: &str = "authorised after it was cancelled: void it";

/// A payment that arrived after the counter let its sale go, and what the owner should do.
#[derive(Debug, Clone)]
pub struct LatePayment {
    pub order: Order,
    /// `LATE_PAYMENT`, `PAID_AFTER_CANCEL` or `AUTHORISED_AFTER_CANCEL`.
    pub note: &'static str,
}
/// How the note of a sale cancelled in Paydesk only ends: such an order is still asked about
/// while its gateway can take a payment (`Paydesk::still_followed`).
const KEPT_ASKING: &str = "Paydesk keeps asking while the gateway can still take a payment";
/// The least wait before a refund whose outcome is unknown is asked about.
const REFUND_FIRST_QUERY: Duration = Duration::from_secs(5);
/// A Created order younger than this may still have its create call in flight (in this or
/// another process), so "the gateway has no such order" does not yet mean it never will.
const CREATE_GRACE: Duration = Duration::from_secs(120);
/// The pause between two questions of the window's startup reconcile
/// (`Paydesk::reconcile_and_follow`): at most 50 a second. Asked back to back, 2,000 open
/// orders on the embedded sandbox took both cores of a till for about 3 s and the window's
/// frames waited behind them (README, "The window, measured"); a backlog is old orders, and
/// the newest are asked about first anyway.
pub const STARTUP_RECONCILE_PACE: Duration = Duration::from_millis(20);
/// Where the notification receiver listens by default (loopback only; see notify.rs).
pub const DEFAULT_NOTIFY_PORT: u16 = 47390;
const DEFAULT_NOTIFY_BASE: &str = "http://127.0.0.1:47390";

/// A cashier's request, as typed: validated here, at the boundary.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[ts(optional_fields)]
#[serde(rename_all = "camelCase")]
pub struct CreateOrderInput {
    pub gateway: String,
    pub method: String,
    pub amount: String,
    pub currency: String,
    /// The customer's payment code, as the scanner typed it (barcode).
    #[serde(default)]
    pub code: Option<String>,
    /// A stored card's id (card-token).
    #[serde(default)]
    pub card_id: Option<String>,
}

/// A method the counter can offer now.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MethodInfo {
    pub gateway: &'static str,
    pub method: &'static str,
    pub label: &'static str,
    pub kind: MethodKind,
    pub currencies: &'static [&'static str],
}

/// Called with the order whenever a watched order changes (the window pushes it to the UI).
pub type Observer = Arc<dyn Fn(&Order) + Send + Sync>;

pub struct Paydesk {
    ledger: Arc<Ledger>,
    data_dir: PathBuf,
    mode: Mode,
    /// The embedded sandbox, started the first time a sandbox adapter is built.
    #[cfg(feature = "sandbox")]
    sandbox: OnceCell<SandboxServer>,
    connectors: Mutex<HashMap<(Gateway, String), Arc<dyn Adapter>>>,
    observer: RwLock<Option<Observer>>,
    /// Called once with an order that this process's query moved to Paid (receipts'
    /// automatic printing); never for an order pulled from another counter.
    paid_hook: RwLock<Option<Observer>>,
    watching: Mutex<HashSet<i64>>,
    /// The longest a watcher sleeps between queries (tests shorten it: `poll.ceiling_ms`).
    poll_ceiling: Duration,
    /// The base URL gateways post notifications to (the receiver's, once it runs).
    notify_base: RwLock<String>,
}

impl Paydesk {
    /// Opens the ledger in `data_dir`. The mode is `mode` if given, else the ledger's saved
    /// setting, else the sandbox.
    pub async fn open(data_dir: &Path, mode: Option<Mode>) -> Result<Arc<Paydesk>> {
        let ledger = Arc::new(Ledger::open_in(data_dir)?);
        let mode = match mode {
            Some(m) => m,
            None => ledger
                .setting("mode")?
                .map(|m| Mode::parse(&m))
                .transpose()?
                .unwrap_or(Mode::Sandbox),
        };
        let poll_ceiling = match ledger.setting("poll.ceiling_ms")? {
            Some(ms) => Duration::from_millis(ms.trim().parse().map_err(|_| {
                Error::invalid(
                    "poll.ceiling_ms",
                    format!("{ms:?} is not a number of milliseconds"),
                )
            })?),
            None => Duration::MAX,
        };
        Ok(Arc::new(Paydesk {
            ledger,
            data_dir: data_dir.to_path_buf(),
            mode,
            #[cfg(feature = "sandbox")]
            sandbox: OnceCell::new(),
            connectors: Mutex::new(HashMap::new()),
            observer: RwLock::new(None),
            paid_hook: RwLock::new(None),
            watching: Mutex::new(HashSet::new()),
            poll_ceiling,
            notify_base: RwLock::new(DEFAULT_NOTIFY_BASE.to_string()),
        }))
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// The ledger, shared (for work on a thread of its own: the shop replicator).
    pub fn ledger_arc(&self) -> Arc<Ledger> {
        Arc::clone(&self.ledger)
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Where gateways should post notifications: set by the receiver once it listens, before
    /// the first order is created (connectors are built with it).
    pub fn set_notify_base(&self, base: &str) {
        *self.notify_base.write().unwrap_or_else(|p| p.into_inner()) =
            base.trim_end_matches('/').to_string();
        self.connectors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// Where gateways post notifications now (the receiver's base URL).
    pub(super) fn notify_base(&self) -> String {
        self.notify_base
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn set_observer(&self, observer: Observer) {
        *self.observer.write().unwrap_or_else(|p| p.into_inner()) = Some(observer);
    }

    /// Sets what runs when a query made here moves an order to Paid: once per order, since the
    /// ledger moves an order forward only once (`Applied::Moved`).
    pub fn set_paid_hook(&self, hook: Observer) {
        *self.paid_hook.write().unwrap_or_else(|p| p.into_inner()) = Some(hook);
    }

    pub(super) fn notify_paid(&self, order: &Order) {
        let hook = self
            .paid_hook
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(hook) = hook {
            hook(order);
        }
    }

    pub fn methods(&self) -> Vec<MethodInfo> {
        Method::ALL
            .iter()
            .map(|m| MethodInfo {
                gateway: m.gateway().as_str(),
                method: m.as_str(),
                label: m.label(),
                kind: m.kind(),
                currencies: m.currencies(),
            })
            .collect()
    }

    pub(super) fn notify_observer(&self, order: &Order) {
        let observer = self
            .observer
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(observer) = observer {
            observer(order);
        }
    }

    /// Applies an observation made outside a poll (kept for the notification receiver).
    pub fn apply(&self, id: i64, observation: &Observation) -> Result<(Applied, Order)> {
        self.ledger.apply(id, observation)
    }

    /// `http.timeout_ms`, when the shop set it: every gateway's calls wait this long unless its
    /// own `timeout_ms` says otherwise (tests and slow links); `None` keeps each gateway's own.
    pub fn http_timeout(&self) -> Result<Option<Duration>> {
        let Some(ms) = self.ledger.setting("http.timeout_ms")? else {
            return Ok(None);
        };
        ms.trim()
            .parse::<u64>()
            .map(|ms| Some(Duration::from_millis(ms)))
            .map_err(|_| {
                Error::invalid(
                    "http.timeout_ms",
                    format!("{ms:?} is not a number of milliseconds"),
                )
            })
    }
}
