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

use std::collections::{HashMap, HashSet};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;

use crate::config::Mode;
use paydesk_domain::error::{Error, Result};
use paydesk_gateways::iotpay::{Iotpay, IotpayConfig, DEFAULT_V1_BASE};
use paydesk_gateways::iotpay_card::{
    IotpayCard, IotpayCardConfig, DEFAULT_LIVE_BASE, DEFAULT_SCRIPT_URL, DEFAULT_TEST_BASE,
};
use paydesk_gateways::smartexpay::{Smartexpay, SmartexpayConfig};
use paydesk_gateways::smartpay::{Smartpay, SmartpayAuth, SmartpayConfig};
use paydesk_gateways::smepay::{PathFamily, Smepay, SmepayConfig};
use paydesk_gateways::{
    check_card_id, check_method_input, confirm_by_query, Adapter, Built, ConnectionCheck,
    ConnectionOutcome, CreateRequest, GatewayCancel, Lookup, Notification, Outcome, ReversalKind,
    ReversalRequest,
};
use paydesk_ledger::ledger::{
    now_ms, Applied, Ledger, NewOrder, Observation, OrderFilter, Refund, RefundKind, RefundOutcome,
};
use paydesk_domain::money::{Currency, Money};
use paydesk_domain::order::{
    new_merchant_order_no, EventSource, Gateway, Method, MethodKind, Order, OrderStatus,
};
use paydesk_sandbox::{
    SandboxServer, SANDBOX_LOGIN_NAME, SANDBOX_MCH_ID, SANDBOX_MERCHANT_KEY,
    SANDBOX_SMEPAY_CLIENT_ID, SANDBOX_SMEPAY_CLIENT_SECRET,
};
use paydesk_secrets::vault::{Environment, Sensitive, Vault};

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
/// Where the notification receiver listens by default (loopback only; see notify.rs).
pub const DEFAULT_NOTIFY_PORT: u16 = 47390;
const DEFAULT_NOTIFY_BASE: &str = "http://127.0.0.1:47390";

/// A cashier's request, as typed: validated here, at the boundary.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
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
    sandbox: OnceCell<SandboxServer>,
    connectors: Mutex<HashMap<(Gateway, String), Arc<dyn Adapter>>>,
    observer: RwLock<Option<Observer>>,
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
            sandbox: OnceCell::new(),
            connectors: Mutex::new(HashMap::new()),
            observer: RwLock::new(None),
            watching: Mutex::new(HashSet::new()),
            poll_ceiling,
            notify_base: RwLock::new(DEFAULT_NOTIFY_BASE.to_string()),
        }))
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
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

    fn notify_url(&self, path: &str) -> String {
        format!(
            "{}{path}",
            self.notify_base.read().unwrap_or_else(|p| p.into_inner())
        )
    }

    pub fn set_observer(&self, observer: Observer) {
        *self.observer.write().unwrap_or_else(|p| p.into_inner()) = Some(observer);
    }

    /// The embedded sandbox, started on a free loopback port the first time it is needed.
    pub async fn sandbox(&self) -> Result<&SandboxServer> {
        self.sandbox
            .get_or_try_init(|| {
                SandboxServer::start(&self.data_dir, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            })
            .await
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

    /// Validates, writes the intent, then asks the gateway.
    ///
    /// Everything that can be checked before the call is checked before the ledger is
    /// touched (the input, then the adapter's `prepare_create`: settings, field lengths,
    /// currency rules): bad input is an error with nothing written. Then the order is written
    /// durably with its merchant order number (a resend carries the same number), then sent.
    /// A definite refusal makes it Failed and is the caller's error; any other answer, or
    /// none, leaves it open and the caller gets the order (it is watched and reconciled): a
    /// caller is told failure only when the gateway cannot have taken the order.
    pub async fn create_order(self: &Arc<Self>, input: &CreateOrderInput) -> Result<Order> {
        let gateway = Gateway::parse(&input.gateway)?;
        let method = Method::parse(gateway, &input.method)?;
        let currency = Currency::parse(&input.currency)?;
        let amount = Money::parse(&input.amount, currency)?;
        method.check_currency(currency)?;
        check_method_input(method, input.code.as_deref(), input.card_id.as_deref())?;
        let environment = self.mode.as_str().to_string();
        let adapter = self.connector(gateway, &environment).await?;

        let now = chrono::Utc::now();
        let merchant_order_no = new_merchant_order_no(now);
        let description = format!("Sale {merchant_order_no}");
        let request = CreateRequest {
            merchant_order_no: &merchant_order_no,
            method,
            amount,
            description: &description,
            payment_code: input.code.as_deref().map(str::trim),
            card_id: input.card_id.as_deref(),
        };
        adapter.prepare_create(&request)?;

        let order = self.ledger.insert_order(&NewOrder {
            merchant_order_no: merchant_order_no.clone(),
            method,
            environment,
            amount,
            expires_at_ms: Some(now.timestamp_millis() + self.order_ttl()?.as_millis() as i64),
        })?;
        self.watch(order.id);
        match Outcome::from(adapter.create(&request).await) {
            Outcome::Succeeded(created) => {
                let order = match self.record_created(&order, &created) {
                    Ok(order) => order,
                    // The gateway has the order: the caller must see it, not an error. The
                    // watcher's next query records what the ledger could not keep now.
                    Err(e) => {
                        tracing::error!(order = order.id, "create answer not recorded: {e}");
                        let mut shown = order.clone();
                        shown.status = OrderStatus::Pending;
                        shown.gateway_order_id = created.gateway_order_id.clone();
                        shown.payment_url = created.payment_url.clone();
                        shown.payment_payload = created.payload.clone();
                        return Ok(shown);
                    }
                };
                if confirm_by_query(method) {
                    // A scanned code or stored card may be paid (or declined) already: ask.
                    return match self.sync(order.id).await {
                        Ok(order) => Ok(order),
                        Err(e) => {
                            tracing::warn!(
                                order = order.id,
                                "first query failed, the watcher retries: {e}"
                            );
                            Ok(order)
                        }
                    };
                }
                Ok(order)
            }
            Outcome::Refused(refusal) => {
                let code = match &refusal {
                    Error::GatewayRejected { code, .. } => Some(code.clone()),
                    _ => None,
                };
                let failed = Observation {
                    status: OrderStatus::Failed,
                    gateway_status: code,
                    source: EventSource::Create,
                    note: Some(refusal.to_string()),
                };
                self.ledger.apply(order.id, &failed)?;
                Err(refusal)
            }
            Outcome::Unknown(e) => {
                tracing::warn!(
                    order = order.id,
                    "create outcome unknown, the order is queried until the gateway tells: {e}"
                );
                self.ledger.get(order.id)
            }
        }
    }

    /// Keeps what a create answer carried. A create answer is never a payment status (only a
    /// query marks paid), so the order becomes Pending whatever it claims.
    fn record_created(&self, order: &Order, created: &paydesk_gateways::Created) -> Result<Order> {
        self.ledger.record_gateway_reference(
            order.id,
            created.gateway_order_id.as_deref(),
            created.payment_url.as_deref(),
        )?;
        if let Some(payload) = &created.payload {
            self.ledger.record_payload(order.id, payload)?;
        }
        let (_, order) = self.ledger.apply(
            order.id,
            &Observation {
                status: OrderStatus::Pending,
                gateway_status: created.gateway_status.clone(),
                source: EventSource::Create,
                note: Some("accepted by the gateway".into()),
            },
        )?;
        Ok(order)
    }

    /// Cancels a waiting sale (created, pending or authorized): the counter's "Cancel sale".
    /// The gateway is asked first (a sale paid a moment ago is not cancelled: that is an error
    /// and the paid order stands). Where the gateway documents a call that closes an order
    /// (`Capabilities::cancel_call`: SmartPay's cancelOrRefund) it is made, under a number of
    /// ours that a resend repeats; elsewhere, or when the gateway does not confirm, the sale is
    /// cancelled in Paydesk and the order stays watched while the gateway can still take the
    /// payment: a late payment makes it Paid with the note `PAID_AFTER_CANCEL`. A gateway's
    /// definite refusal changes nothing and is the caller's error. Anything not waiting is
    /// refused (code `not_waiting`) with nothing changed.
    pub async fn cancel(self: &Arc<Self>, id: i64) -> Result<Order> {
        let order = self.ledger.get(id)?;
        check_cancellable(&order)?;
        let adapter = self.connector(order.gateway, &order.environment).await?;
        if order.status == OrderStatus::Authorized && !adapter.capabilities().cancel_call {
            return Err(not_waiting(format!(
                "order {} is authorised: the customer's money is held, so void it instead of cancelling",
                order.merchant_order_no
            )));
        }
        let order = match self.sync(id).await {
            Ok(order) => order,
            Err(e) => {
                tracing::warn!(order = id, "cannot ask the gateway before cancelling: {e}");
                self.ledger.get(id)?
            }
        };
        check_cancellable(&order)?;
        let cancel_no = format!("CN{}", order.merchant_order_no.trim_start_matches("PD"));
        let (gateway_status, note, keep_asking) =
            match Outcome::from(adapter.cancel(&order, &cancel_no).await) {
                Outcome::Succeeded(GatewayCancel::Closed(reversal)) => (
                    reversal.gateway_status,
                    format!("cancelled at the counter; the gateway closed it (cancel {cancel_no})"),
                    false,
                ),
                Outcome::Succeeded(GatewayCancel::NoCall(reason)) => (
                    None,
                    format!("cancelled in Paydesk only ({reason}); {KEPT_ASKING}"),
                    true,
                ),
                Outcome::Refused(refusal) => {
                    // The gateway said no: the order may have moved on (paid, authorised).
                    if let Err(e) = self.sync(id).await {
                        tracing::warn!(order = id, "query after a refused cancel: {e}");
                    }
                    return Err(refusal);
                }
                Outcome::Unknown(e) => (
                    None,
                    format!(
                        "cancelled in Paydesk; the gateway did not confirm the cancel {cancel_no} ({e}); {KEPT_ASKING}"
                    ),
                    true,
                ),
            };
        let (_, order) = self.ledger.apply(
            id,
            &Observation {
                status: OrderStatus::Cancelled,
                gateway_status,
                source: EventSource::User,
                note: Some(note),
            },
        )?;
        if order.status != OrderStatus::Cancelled {
            // It moved on between the query and now (a notification, the watcher).
            return Err(not_waiting(format!(
                "order {} is {} now: it was not cancelled",
                order.merchant_order_no,
                order.status.label().to_lowercase()
            )));
        }
        if keep_asking {
            self.watch(id);
        }
        self.notify_observer(&order);
        Ok(order)
    }

    /// Whether Paydesk still asks the gateway about an order: open, expired or cancelled in
    /// Paydesk only, while the gateway can still take its payment.
    pub fn still_followed(&self, order: &Order) -> bool {
        match order.status {
            OrderStatus::Created | OrderStatus::Pending | OrderStatus::Authorized => true,
            OrderStatus::Expired => self.still_payable(order),
            OrderStatus::Cancelled => self.still_payable(order) && self.cancelled_here(order),
            _ => false,
        }
    }

    /// A sale cancelled in Paydesk that the gateway did not close (its cancelling event says so).
    fn cancelled_here(&self, order: &Order) -> bool {
        let Ok(events) = self.ledger.events(order.id) else {
            return false;
        };
        events
            .iter()
            .rev()
            .find(|e| {
                e.to_status == OrderStatus::Cancelled
                    && e.from_status != Some(OrderStatus::Cancelled)
            })
            .is_some_and(|e| {
                e.source == EventSource::User
                    && e.note.as_deref().is_some_and(|n| n.ends_with(KEPT_ASKING))
            })
    }

    /// Asks the gateway what became of an order and applies the answer.
    pub async fn sync(&self, id: i64) -> Result<Order> {
        self.sync_from(id, EventSource::Poll).await
    }

    async fn sync_from(&self, id: i64, source: EventSource) -> Result<Order> {
        self.sync_with(id, source, false).await
    }

    /// The window's widget called back (a hint only): the order is queried with the
    /// gateway's patience for pending answers (SmartPay: three re-queries within three
    /// minutes, then an error logged and the order left Pending).
    pub async fn confirm_widget(&self, id: i64) -> Result<Order> {
        self.sync_with(id, EventSource::Poll, true).await
    }

    async fn sync_with(&self, id: i64, source: EventSource, patient: bool) -> Result<Order> {
        let order = self.ledger.get(id)?;
        let connector = self.connector(order.gateway, &order.environment).await?;
        let lookup = if patient {
            connector.lookup_patiently(&order).await?
        } else {
            connector.lookup(&order).await?
        };
        if let Some(support) = connector.support_fields(&order) {
            // Kept with the order for its detail view (SmartPay's support fields).
            let mut payload = order
                .payment_payload
                .clone()
                .unwrap_or_else(|| serde_json::json!({}));
            if payload.get("support") != Some(&support) {
                payload["support"] = support;
                self.ledger.record_payload(id, &payload)?;
            }
        }
        let mut order = match lookup {
            Lookup::Found(report) => {
                if order.gateway_order_id.is_none() && report.gateway_order_id.is_some() {
                    self.ledger.record_gateway_reference(
                        id,
                        report.gateway_order_id.as_deref(),
                        None,
                    )?;
                }
                if report.status == OrderStatus::Refunded {
                    self.gateway_returned(&order, &report, source)?;
                }
                let money = matches!(report.status, OrderStatus::Paid | OrderStatus::Authorized);
                let late = match order.status {
                    OrderStatus::Expired if money => Some(LATE_PAYMENT),
                    OrderStatus::Cancelled if report.status == OrderStatus::Paid => {
                        Some(PAID_AFTER_CANCEL)
                    }
                    OrderStatus::Cancelled if report.status == OrderStatus::Authorized => {
                        Some(AUTHORISED_AFTER_CANCEL)
                    }
                    _ => None,
                };
                if let Some(late) = late {
                    tracing::warn!(order = id, "{late}");
                }
                let note = match (late, report.note) {
                    (Some(late), Some(note)) => Some(format!("{late}; {note}")),
                    (Some(late), None) => Some(late.to_string()),
                    (None, note) => note,
                };
                let observation = Observation {
                    status: report.status,
                    gateway_status: Some(report.gateway_status),
                    source,
                    note,
                };
                self.ledger.apply(id, &observation)?.1
            }
            Lookup::Missing
                if order.status == OrderStatus::Created
                    && now_ms() - order.created_at_ms > CREATE_GRACE.as_millis() as i64 =>
            {
                let observation = Observation {
                    status: OrderStatus::Failed,
                    gateway_status: None,
                    source,
                    note: Some("the gateway has no such order: the create never reached it".into()),
                };
                self.ledger.apply(id, &observation)?.1
            }
            Lookup::Missing => order,
            Lookup::CannotAsk(reason) => {
                tracing::warn!(order = id, "cannot ask the gateway: {reason}");
                order
            }
        };
        // The counter stops waiting at the order's expiry (an authorisation, which holds the
        // customer's money, waits for a capture or a void instead). The gateway may still take
        // the payment: the order keeps being asked about for as long as it can (see `watch`
        // and `reconcile`), and a late payment moves it to Paid.
        if !order.status.is_settled()
            && order.status != OrderStatus::Authorized
            && order.expires_at_ms.is_some_and(|at| now_ms() > at)
        {
            let observation = Observation {
                status: OrderStatus::Expired,
                gateway_status: None,
                source,
                note: Some("no payment before the order expired; Paydesk keeps asking the gateway while it can still take it".into()),
            };
            order = self.ledger.apply(id, &observation)?.1;
        }
        Ok(order)
    }

    /// The gateway gave the money back by itself (SmartExPay `returned`): the order was paid,
    /// then refunded in full. Recorded as a paid event and a refund the gateway made, so the
    /// refunded total is right in the ledger and exports.
    fn gateway_returned(
        &self,
        order: &Order,
        report: &paydesk_gateways::Report,
        source: EventSource,
    ) -> Result<()> {
        if matches!(
            order.status,
            OrderStatus::Created
                | OrderStatus::Pending
                | OrderStatus::Authorized
                | OrderStatus::Expired
                | OrderStatus::Cancelled
        ) {
            let paid = Observation {
                status: OrderStatus::Paid,
                gateway_status: Some(report.gateway_status.clone()),
                source,
                note: Some("the gateway returned the money: it had been received".into()),
            };
            self.ledger.apply(order.id, &paid)?;
        }
        let order = self.ledger.get(order.id)?;
        let remaining = order.amount.minor() - order.refunded_minor;
        if matches!(
            order.status,
            OrderStatus::Paid | OrderStatus::PartiallyRefunded
        ) && remaining > 0
        {
            let refund_no = format!("RT{}", order.merchant_order_no.trim_start_matches("PD"));
            let refund = self.ledger.begin_refund(
                order.id,
                &refund_no,
                remaining,
                RefundKind::Refund,
                Some("returned by the gateway"),
            )?;
            self.ledger.finish_refund(
                refund.id,
                RefundOutcome::Succeeded {
                    gateway_refund_id: order.gateway_order_id.clone(),
                    gateway_status: Some(report.gateway_status.clone()),
                },
            )?;
        }
        Ok(())
    }

    /// Startup, and `paydesk reconcile` for a headless counter: every order left open
    /// (mid-creation, or waiting when the app stopped), and every expired one the gateway can
    /// still take a payment for, is queried; every refund whose outcome is unknown is asked
    /// about where the gateway can say (and resent where a resend is documented as the same
    /// refund). Returns each order as it was, with what it became (or why it could not be
    /// asked: it stays as it was and is tried again next time).
    pub async fn reconcile(&self) -> Result<Vec<(Order, Result<Order>)>> {
        let longest = [
            Gateway::Iotpay,
            Gateway::Smepay,
            Gateway::Smartpay,
            Gateway::Smartexpay,
        ]
        .into_iter()
        .map(|g| paydesk_gateways::capabilities(g).poll.payable_for)
        .max()
        .unwrap_or(ORDER_TTL);
        let since = now_ms() - longest.as_millis() as i64;
        let mut open = self.ledger.orders_to_reconcile(since)?;
        // Sales cancelled in Paydesk only, while their gateway can still take the payment.
        let recent_cancels = OrderFilter {
            status: Some(OrderStatus::Cancelled),
            from_ms: Some(since),
            ..Default::default()
        };
        let mut cancelled = Vec::new();
        self.ledger.for_each(&recent_cancels, |o| {
            cancelled.push(o.clone());
            Ok(())
        })?;
        open.extend(cancelled.into_iter().filter(|o| self.still_followed(o)));
        open.sort_by_key(|o| o.id);
        let mut out = Vec::with_capacity(open.len());
        for order in open {
            if order.status == OrderStatus::Expired && !self.still_payable(&order) {
                continue;
            }
            let result = self.sync_from(order.id, EventSource::Reconcile).await;
            if let Err(e) = &result {
                tracing::warn!(order = order.id, "reconcile: {e}");
            }
            out.push((order, result));
        }
        match self.ledger.pending_refunds() {
            Ok(unanswered) => {
                for refund in unanswered {
                    if let Err(e) = self.settle_by_query(&refund).await {
                        tracing::warn!(refund = %refund.refund_no, "reconcile: {e}");
                    }
                }
            }
            Err(e) => tracing::warn!("reconcile: {e}"),
        }
        Ok(out)
    }

    /// Whether the gateway may still take a payment for this order (its documented window).
    fn still_payable(&self, order: &Order) -> bool {
        let window = paydesk_gateways::capabilities(order.gateway)
            .poll
            .payable_for;
        now_ms() - order.created_at_ms < window.as_millis() as i64
    }

    /// Follows an order until it settles, telling the observer of every change: fast while
    /// the customer is at the counter, then backing off (each gateway's `PollSchedule`), and
    /// past the counter's expiry for as long as the gateway can still take the payment. One
    /// watcher per order, however often this is called.
    pub fn watch(self: &Arc<Self>, id: i64) {
        if !self
            .watching
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id)
        {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            let mut last: Option<(OrderStatus, Option<String>)> = None;
            let mut pending_requeries = 0u32;
            loop {
                let Ok(order) = this.ledger.get(id) else {
                    break;
                };
                let poll = paydesk_gateways::capabilities(order.gateway).poll;
                let age = Duration::from_millis((now_ms() - order.created_at_ms).max(0) as u64);
                if age >= poll.payable_for {
                    break;
                }
                let mut delay = poll.delay(age).min(this.poll_ceiling);
                if let Some((times, gap)) = poll.pending_requeries {
                    // The gateway's documented patience: after the customer's time at the
                    // counter, this many re-queries of a pending order, then it is left
                    // pending for the gateway to resolve (reconcile asks again later).
                    if age >= poll.fast_for {
                        if pending_requeries >= times {
                            tracing::error!(
                                order = id,
                                "still pending after {times} re-queries: left pending for the gateway to resolve"
                            );
                            break;
                        }
                        pending_requeries += 1;
                        delay = gap.min(this.poll_ceiling);
                    }
                }
                tokio::time::sleep(delay).await;
                match this.sync(id).await {
                    Ok(order) => {
                        let now = (order.status, order.gateway_status.clone());
                        if last.as_ref() != Some(&now) {
                            this.notify_observer(&order);
                            last = Some(now);
                        }
                        // An authorisation waits for the owner (capture or void), not the
                        // gateway; an expired order is still asked about while payable.
                        // A sale cancelled in Paydesk only is asked about like an expired one.
                        let done = order.status == OrderStatus::Authorized
                            || (order.status.is_settled()
                                && order.status != OrderStatus::Expired
                                && !this.still_followed(&order));
                        if done {
                            break;
                        }
                    }
                    Err(Error::NotFound(_)) => break,
                    Err(e) => tracing::warn!(order = id, "poll: {e}"),
                }
            }
            this.watching
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&id);
        });
    }

    /// Follows a refund or void whose outcome is unknown until the gateway tells (where it
    /// can be asked), on the gateway's schedule.
    fn watch_reversal(self: &Arc<Self>, refund: Refund) {
        let this = self.clone();
        tokio::spawn(async move {
            let Ok(order) = this.ledger.get(refund.order_id) else {
                return;
            };
            let capabilities = paydesk_gateways::capabilities(order.gateway);
            if !capabilities.refund_lookup {
                return;
            }
            // A refund is not a customer waiting at the counter: the first question waits a
            // little (the gateway finishes most pending refunds within seconds), then backs off.
            let started = std::time::Instant::now();
            loop {
                let age = started.elapsed();
                if age >= capabilities.poll.payable_for {
                    return;
                }
                let delay = capabilities.poll.delay(age).max(REFUND_FIRST_QUERY);
                tokio::time::sleep(delay.min(this.poll_ceiling)).await;
                match this.settle_by_query(&refund).await {
                    Ok(Some(_)) => return,
                    Ok(None) => {}
                    Err(Error::NotFound(_)) => return,
                    Err(e) => tracing::warn!(refund = %refund.refund_no, "refund query: {e}"),
                }
            }
        });
    }

    /// Asks the gateway what became of a refund whose outcome is unknown, and records a
    /// definite answer. `None` while it is still unknown.
    async fn settle_by_query(&self, refund: &Refund) -> Result<Option<(Refund, Order)>> {
        let current = self.ledger.refund_by_no(&refund.refund_no)?;
        if current.status != paydesk_ledger::ledger::RefundStatus::Pending {
            return Ok(Some((current, self.ledger.get(refund.order_id)?)));
        }
        let order = self.ledger.get(refund.order_id)?;
        let adapter = self.connector(order.gateway, &order.environment).await?;
        if !adapter.capabilities().refund_lookup {
            return Ok(None);
        }
        let request = reversal_request(refund, order.amount.currency())?;
        match Outcome::from(adapter.lookup_reversal(&order, &request).await) {
            Outcome::Succeeded(reversal) => Ok(Some(self.ledger.finish_refund(
                refund.id,
                RefundOutcome::Succeeded {
                    gateway_refund_id: reversal.gateway_refund_id,
                    gateway_status: reversal.gateway_status,
                },
            )?)),
            Outcome::Refused(e) => Ok(Some(self.ledger.finish_refund(
                refund.id,
                RefundOutcome::Failed {
                    reason: e.to_string(),
                },
            )?)),
            Outcome::Unknown(e) => {
                tracing::info!(refund = %refund.refund_no, "refund still unknown: {e}");
                Ok(None)
            }
        }
    }

    fn notify_observer(&self, order: &Order) {
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

    /// How long the counter waits for a payment: 15 minutes, unless the `order.ttl_ms`
    /// setting says otherwise (tests of late payments).
    fn order_ttl(&self) -> Result<Duration> {
        match self.ledger.setting("order.ttl_ms")? {
            Some(ms) => ms
                .trim()
                .parse::<u64>()
                .map(Duration::from_millis)
                .map_err(|_| {
                    Error::invalid(
                        "order.ttl_ms",
                        format!("{ms:?} is not a number of milliseconds"),
                    )
                }),
            None => Ok(ORDER_TTL),
        }
    }

    /// Orders paid (or authorised) after the counter stopped waiting or the sale was cancelled,
    /// newest first, with what the owner should do: money arrived for a sale the counter had
    /// let go, so the customer may have paid twice (expired) or is owed it back (cancelled).
    /// Only those still holding the money (paid or authorised: not refunded or voided since).
    pub fn late_payments(&self) -> Result<Vec<LatePayment>> {
        let mut late = Vec::new();
        for (from, to, note) in [
            (OrderStatus::Expired, OrderStatus::Paid, LATE_PAYMENT),
            (OrderStatus::Expired, OrderStatus::Authorized, LATE_PAYMENT),
            (OrderStatus::Cancelled, OrderStatus::Paid, PAID_AFTER_CANCEL),
            (
                OrderStatus::Cancelled,
                OrderStatus::Authorized,
                AUTHORISED_AFTER_CANCEL,
            ),
        ] {
            for order in self.ledger.orders_moved(from, to)? {
                late.push(LatePayment { order, note });
            }
        }
        late.retain(|l| matches!(l.order.status, OrderStatus::Paid | OrderStatus::Authorized));
        late.sort_by_key(|l| std::cmp::Reverse(l.order.id));
        late.dedup_by_key(|l| l.order.id);
        Ok(late)
    }

    /// How long adapters wait for a gateway: the gateway's own default, unless the
    /// `http.timeout_ms` setting says otherwise (tests and slow links).
    pub fn http_timeout(&self, default: Duration) -> Result<Duration> {
        match self.ledger.setting("http.timeout_ms")? {
            Some(ms) => ms
                .trim()
                .parse::<u64>()
                .map(Duration::from_millis)
                .map_err(|_| {
                    Error::invalid(
                        "http.timeout_ms",
                        format!("{ms:?} is not a number of milliseconds"),
                    )
                }),
            None => Ok(default),
        }
    }

    /// Puts `adapter` in place of the one Paydesk would build for `gateway` in `environment`:
    /// tests of the service's own bookkeeping against a scripted gateway.
    #[doc(hidden)]
    pub fn install_adapter(&self, gateway: Gateway, environment: &str, adapter: Arc<dyn Adapter>) {
        self.connectors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert((gateway, environment.to_string()), adapter);
    }

    /// The adapter for a gateway in an environment, built once and reused.
    async fn connector(&self, gateway: Gateway, environment: &str) -> Result<Arc<dyn Adapter>> {
        let key = (gateway, environment.to_string());
        if let Some(c) = self
            .connectors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return Ok(c.clone());
        }
        let connector: Arc<dyn Adapter> =
            Arc::from(self.build_connector(gateway, environment).await?);
        self.connectors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, connector.clone());
        Ok(connector)
    }

    async fn build_connector(
        &self,
        gateway: Gateway,
        environment: &str,
    ) -> Result<Box<dyn Adapter>> {
        match gateway {
            Gateway::Iotpay => {
                let timeout = self.http_timeout(Duration::from_secs(30))?;
                let notify_url = self.notify_url("/notify/iotpay");
                let card_notify_url = self.notify_url("/notify/iotpay-card");
                let (v1, card) = if environment == Mode::Sandbox.as_str() {
                    let sandbox = self.sandbox().await?;
                    let v1 = IotpayConfig {
                        v1_base: sandbox.iotpay_v1_base(),
                        mch_id: SANDBOX_MCH_ID.into(),
                        login_name: SANDBOX_LOGIN_NAME.into(),
                        key: Sensitive::new(SANDBOX_MERCHANT_KEY.into()),
                        notify_url,
                        client_ip: "127.0.0.1".into(),
                        wechat_app_id: Some("wx-sandbox-app".into()),
                        return_url: format!("{}/done", sandbox.base_url()),
                        // The counter cannot know the customer's phone: the sandbox answers either.
                        os_type: Some("ANDROID".into()),
                        timeout,
                    };
                    let card = IotpayCardConfig {
                        base: sandbox.iotpay_v3_base(),
                        mch_id: SANDBOX_MCH_ID.into(),
                        login_name: SANDBOX_LOGIN_NAME.into(),
                        key: Sensitive::new(SANDBOX_MERCHANT_KEY.into()),
                        notify_url: card_notify_url,
                        return_url: format!("{}/done", sandbox.base_url()),
                        script_url: format!("{}/iotpay/cc/iotpaycc.js", sandbox.base_url()),
                        timeout,
                    };
                    (v1, card)
                } else {
                    let env = Environment::parse(environment)?;
                    let creds = Vault::keychain().load(gateway, env)?.ok_or_else(|| {
                        Error::Vault(format!("no iotpay {environment} credentials: run `paydesk credentials set iotpay --env {environment}`"))
                    })?;
                    let setting =
                        |name: &str| self.ledger.setting(&format!("iotpay.{environment}.{name}"));
                    let client_ip = setting("client_ip")?.unwrap_or_else(|| "127.0.0.1".into());
                    let v1 = IotpayConfig {
                        v1_base: setting("v1_base")?.unwrap_or_else(|| DEFAULT_V1_BASE.into()),
                        mch_id: creds.require("mchId")?.expose().clone(),
                        login_name: creds.require("loginName")?.expose().clone(),
                        key: creds.require("key")?.clone(),
                        notify_url: setting("notify_url")?.unwrap_or(notify_url),
                        client_ip,
                        wechat_app_id: setting("wechat_app_id")?,
                        return_url: setting("return_url")?
                            .unwrap_or_else(|| "https://paydesk.app/card-done".into()),
                        os_type: setting("os_type")?,
                        timeout,
                    };
                    let default_card_base = if env == Environment::Live {
                        DEFAULT_LIVE_BASE
                    } else {
                        DEFAULT_TEST_BASE
                    };
                    let card = IotpayCardConfig {
                        base: setting("v3_base")?.unwrap_or_else(|| default_card_base.into()),
                        mch_id: v1.mch_id.clone(),
                        login_name: v1.login_name.clone(),
                        key: v1.key.clone(),
                        notify_url: setting("card_notify_url")?.unwrap_or(card_notify_url),
                        return_url: setting("return_url")?
                            .unwrap_or_else(|| "https://paydesk.app/card-done".into()),
                        script_url: setting("script_url")?
                            .unwrap_or_else(|| DEFAULT_SCRIPT_URL.into()),
                        timeout,
                    };
                    (v1, card)
                };
                Ok(paydesk_gateways::build(Built::Iotpay {
                    v1: Iotpay::new(v1)?,
                    card: IotpayCard::new(card)?,
                }))
            }
            Gateway::Smepay => Ok(paydesk_gateways::build(Built::Smepay(Smepay::new(
                self.smepay_config(environment).await?,
            )?))),
            Gateway::Smartexpay => {
                let from_currency = self
                    .ledger
                    .setting(&format!("smartexpay.{environment}.from_currency"))?;
                Ok(paydesk_gateways::build(Built::Smartexpay(
                    Smartexpay::new(self.smartexpay_config(environment).await?)?
                        .with_from_currency(from_currency.as_deref()),
                )))
            }
            Gateway::Smartpay => Ok(paydesk_gateways::build(Built::Smartpay(Smartpay::new(
                self.smartpay_config(environment).await?,
            )?))),
        }
    }

    /// SMEPay's settings: `smepay.<env>.{base, path_family, callback_url, script_url,
    /// customer_name, customer_email, customer_mobile, timeout_ms}`; the sandbox's own host
    /// and client in sandbox mode.
    async fn smepay_config(&self, environment: &str) -> Result<SmepayConfig> {
        let setting = |name: &str| self.ledger.setting(&format!("smepay.{environment}.{name}"));
        let (base, client_id, client_secret, default_script) = if environment
            == Mode::Sandbox.as_str()
        {
            let sandbox = self.sandbox().await?;
            (
                sandbox.smepay_base(),
                SANDBOX_SMEPAY_CLIENT_ID.to_string(),
                Sensitive::new(SANDBOX_SMEPAY_CLIENT_SECRET.to_string()),
                format!("{}/smepay/sdk/smepay-checkout.js", sandbox.base_url()),
            )
        } else {
            let env = Environment::parse(environment)?;
            let creds = Vault::keychain().load(Gateway::Smepay, env)?.ok_or_else(|| {
                Error::Vault(format!("no smepay {environment} credentials: run `paydesk credentials set smepay --env {environment}`"))
            })?;
            let default_base = if env == Environment::Live {
                paydesk_gateways::smepay::DEFAULT_LIVE_BASE
            } else {
                paydesk_gateways::smepay::DEFAULT_TEST_BASE
            };
            (
                setting("base")?.unwrap_or_else(|| default_base.into()),
                creds.require("clientId")?.expose().clone(),
                creds.require("clientSecret")?.clone(),
                paydesk_gateways::smepay::DEFAULT_SCRIPT_URL.to_string(),
            )
        };
        let timeout = match setting("timeout_ms")?.and_then(|t| t.trim().parse::<u64>().ok()) {
            Some(ms) => Duration::from_millis(ms),
            None => self.http_timeout(Duration::from_secs(30))?,
        };
        Ok(SmepayConfig {
            base,
            paths: PathFamily::parse(&setting("path_family")?.unwrap_or_default())?,
            client_id,
            client_secret,
            callback_url: setting("callback_url")?
                .unwrap_or_else(|| self.notify_url("/notify/smepay")),
            script_url: setting("script_url")?.unwrap_or(default_script),
            customer_name: setting("customer_name")?.unwrap_or_else(|| "Counter customer".into()),
            customer_email: setting("customer_email")?
                .unwrap_or_else(|| "customer@example.com".into()),
            customer_mobile: setting("customer_mobile")?.unwrap_or_else(|| "9999999999".into()),
            timeout,
        })
    }

    /// SmartExPay's settings: `smartexpay.<env>.{base (required: the host is given to the
    /// merchant privately), page_base, api_key_header, route_id (required), from_values,
    /// to_values, route_values (JSON arrays of {key, value}), lang, client_callback_url,
    /// ipn_url, timeout_ms}`; the sandbox's host, key and automatic route in sandbox mode.
    async fn smartexpay_config(&self, environment: &str) -> Result<SmartexpayConfig> {
        use paydesk_gateways::smartexpay::{DEFAULT_API_KEY_HEADER, DEFAULT_PAGE_BASE};
        let setting = |name: &str| {
            self.ledger
                .setting(&format!("smartexpay.{environment}.{name}"))
        };
        let (base, page_base, api_key, partner, default_route) = if environment
            == Mode::Sandbox.as_str()
        {
            let sandbox = self.sandbox().await?;
            (
                sandbox.smartexpay_base(),
                sandbox.smartexpay_base(),
                Sensitive::new(paydesk_sandbox::SANDBOX_SMARTEXPAY_API_KEY.to_string()),
                Some(paydesk_sandbox::SANDBOX_SMARTEXPAY_PARTNER.to_string()),
                Some(paydesk_sandbox::SANDBOX_SMARTEXPAY_ROUTE.to_string()),
            )
        } else {
            let env = Environment::parse(environment)?;
            let base = setting("base")?.filter(|b| !b.trim().is_empty()).ok_or_else(|| {
                Error::invalid(
                    "smartexpay.base",
                    format!("SmartExPay's API host is given to each merchant: set it with `paydesk settings set smartexpay.{environment}.base <URL>`"),
                )
            })?;
            let creds = Vault::keychain().load(Gateway::Smartexpay, env)?.ok_or_else(|| {
                Error::Vault(format!("no smartexpay {environment} credentials: run `paydesk credentials set smartexpay --env {environment}`"))
            })?;
            let partner = creds
                .get("partner")
                .map(|p| p.expose().clone())
                .filter(|p| !p.is_empty());
            (
                base,
                setting("page_base")?.unwrap_or_else(|| DEFAULT_PAGE_BASE.into()),
                creds.require("apiKey")?.clone(),
                partner,
                None,
            )
        };
        let route_id = setting("route_id")?.or(default_route).ok_or_else(|| {
            Error::invalid("routeId", format!("set the SmartExPay route with `paydesk settings set smartexpay.{environment}.route_id <ObjectId>`"))
        })?;
        let values = |name: &str| -> Result<serde_json::Value> {
            match setting(name)? {
                None => Ok(serde_json::json!([])),
                Some(text) => match serde_json::from_str::<serde_json::Value>(&text) {
                    Ok(v @ serde_json::Value::Array(_)) => Ok(v),
                    _ => Err(Error::invalid("requisites", format!("smartexpay.{environment}.{name} must be a JSON array of {{key, value}}"))),
                },
            }
        };
        let timeout = match setting("timeout_ms")?.and_then(|t| t.trim().parse::<u64>().ok()) {
            Some(ms) => Duration::from_millis(ms),
            None => self.http_timeout(Duration::from_secs(30))?,
        };
        Ok(SmartexpayConfig {
            base,
            page_base: setting("page_base")?.unwrap_or(page_base),
            api_key_header: setting("api_key_header")?
                .unwrap_or_else(|| DEFAULT_API_KEY_HEADER.into()),
            api_key,
            partner,
            route_id,
            from_values: values("from_values")?,
            to_values: values("to_values")?,
            route_values: values("route_values")?,
            lang: setting("lang")?.unwrap_or_else(|| "en".into()),
            ipn_url: setting("ipn_url")?.unwrap_or_else(|| self.notify_url("/notify/smartexpay")),
            client_callback_url: setting("client_callback_url")?,
            timeout,
        })
    }

    /// SmartPay's settings: `smartpay.<env>.{base (required: not public), token_url,
    /// script_url (required: the vendor's smp-bundle.js), origin, consumer_first_name,
    /// consumer_last_name, consumer_email, timeout_ms (default 90 s), pending_retry_ms}`.
    /// OAuth when the credentials hold clientId and clientSecret, else Basic with the
    /// authenticationKey. In sandbox mode: the sandbox's host and OAuth client, and the
    /// webhook registered with the sandbox.
    async fn smartpay_config(&self, environment: &str) -> Result<SmartpayConfig> {
        use paydesk_gateways::smartpay::{DEFAULT_TIMEOUT, DEFAULT_TOKEN_URL};
        let setting = |name: &str| {
            self.ledger
                .setting(&format!("smartpay.{environment}.{name}"))
        };
        let (base, merchant_key, auth, script_url) = if environment == Mode::Sandbox.as_str() {
            let sandbox = self.sandbox().await?;
            sandbox.store().set_sandbox_setting(
                "smartpay.webhook_url",
                &self.notify_url("/notify/smartpay"),
            )?;
            let auth = if setting("auth")?.as_deref() == Some("basic") {
                SmartpayAuth::Basic {
                    authentication_key: Sensitive::new(
                        paydesk_sandbox::SANDBOX_SMARTPAY_AUTH_KEY.to_string(),
                    ),
                }
            } else {
                SmartpayAuth::OAuth {
                    token_url: format!("{}/oauth2/token", sandbox.smartpay_base()),
                    client_id: paydesk_sandbox::SANDBOX_SMARTPAY_CLIENT_ID.to_string(),
                    client_secret: Sensitive::new(
                        paydesk_sandbox::SANDBOX_SMARTPAY_CLIENT_SECRET.to_string(),
                    ),
                }
            };
            (
                sandbox.smartpay_base(),
                paydesk_sandbox::SANDBOX_SMARTPAY_MERCHANT_KEY.to_string(),
                auth,
                Some(format!("{}/smp-bundle.js", sandbox.smartpay_base())),
            )
        } else {
            let env = Environment::parse(environment)?;
            let base = setting("base")?.filter(|b| !b.trim().is_empty()).ok_or_else(|| {
                Error::invalid(
                    "smartpay.base",
                    format!("SmartPay's base URL is not public: set the one you were given with `paydesk settings set smartpay.{environment}.base <URL>`"),
                )
            })?;
            let creds = Vault::keychain().load(Gateway::Smartpay, env)?.ok_or_else(|| {
                Error::Vault(format!("no smartpay {environment} credentials: run `paydesk credentials set smartpay --env {environment}`"))
            })?;
            let auth = match (creds.get("clientId"), creds.get("clientSecret"), creds.get("authenticationKey")) {
                (Some(id), Some(secret), _) => SmartpayAuth::OAuth {
                    token_url: setting("token_url")?.unwrap_or_else(|| DEFAULT_TOKEN_URL.into()),
                    client_id: id.expose().clone(),
                    client_secret: secret.clone(),
                },
                (_, _, Some(key)) => SmartpayAuth::Basic { authentication_key: key.clone() },
                _ => return Err(Error::Vault("smartpay credentials need an authenticationKey (Basic) or clientId and clientSecret (OAuth)".into())),
            };
            (
                base,
                creds.require("merchantKey")?.expose().clone(),
                auth,
                setting("script_url")?,
            )
        };
        let timeout = match setting("timeout_ms")?.and_then(|t| t.trim().parse::<u64>().ok()) {
            Some(ms) => Duration::from_millis(ms),
            None => self.http_timeout(DEFAULT_TIMEOUT)?,
        };
        let retry_ms: u64 = setting("pending_retry_ms")?
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(60_000);
        Ok(SmartpayConfig {
            base,
            merchant_key,
            auth,
            script_url: setting("script_url")?.or(script_url),
            origin: setting("origin")?.unwrap_or_else(|| "tauri://localhost".into()),
            consumer_first_name: setting("consumer_first_name")?
                .unwrap_or_else(|| "Counter".into()),
            consumer_last_name: setting("consumer_last_name")?.unwrap_or_else(|| "Customer".into()),
            consumer_email: setting("consumer_email")?
                .unwrap_or_else(|| "customer@example.com".into()),
            timeout,
            pending_retries: 3,
            pending_retry_interval: Duration::from_millis(retry_ms),
        })
    }

    /// Settings' "Test connection": builds this gateway's adapter for `environment` from the
    /// settings and keychain as they are now (not the cached one: a URL may have just been
    /// saved) and makes its cheapest authenticated call. Never an error: what went wrong is
    /// the outcome, in the gateway's words.
    pub async fn test_connection(&self, gateway: Gateway, environment: &str) -> ConnectionCheck {
        let started = std::time::Instant::now();
        let (outcome, message) = match Mode::parse(environment) {
            Err(e) => (ConnectionOutcome::Error, e.to_string()),
            Ok(mode) => match self.build_connector(gateway, mode.as_str()).await {
                Ok(connector) => connector.check_connection().await,
                Err(e) => (ConnectionOutcome::Error, format!("not configured: {e}")),
            },
        };
        ConnectionCheck {
            gateway: gateway.as_str(),
            environment: environment.trim().to_ascii_lowercase(),
            outcome,
            message,
            elapsed_ms: started.elapsed().as_millis() as u64,
        }
    }

    /// Settings changed: adapters are built again from them on next use (the mode itself
    /// applies on restart).
    pub fn settings_changed(&self) {
        self.connectors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// Captures a SmartPay authorisation (in full, or `amount` as typed). The capture's
    /// modificationId is written to the order before the call and resent unchanged when the
    /// capture is tried again after an unknown outcome.
    pub async fn capture(&self, id: i64, amount: Option<&str>) -> Result<Order> {
        let order = self.ledger.get(id)?;
        if !paydesk_gateways::capabilities(order.gateway).capture {
            return Err(Error::invalid(
                "order",
                format!(
                    "order {id} is a {} order: only SmartPay authorisations are captured",
                    order.gateway.as_str()
                ),
            ));
        }
        let adapter = self.connector(order.gateway, &order.environment).await?;
        if order.status != OrderStatus::Authorized {
            return Err(Error::invalid(
                "order",
                format!(
                    "order {id} is {}: only an authorised payment can be captured",
                    order.status
                ),
            ));
        }
        let amount = amount
            .map(|a| Money::parse(a, order.amount.currency()))
            .transpose()?;
        if amount.is_some_and(|a| a.minor() > order.amount.minor()) {
            return Err(Error::invalid(
                "amount",
                format!("at most {} can be captured", order.amount),
            ));
        }
        if order.gateway_order_id.is_none() {
            return Err(Error::invalid(
                "order",
                format!("order {id} has no transactionId"),
            ));
        }
        let mut payload = order
            .payment_payload
            .clone()
            .unwrap_or_else(|| serde_json::json!({}));
        let modification_id = match payload
            .get("captureModificationId")
            .and_then(|v| v.as_str())
        {
            Some(existing) => existing.to_string(),
            None => {
                let fresh = new_merchant_order_no(chrono::Utc::now()).replacen("PD", "CP", 1);
                payload["captureModificationId"] = serde_json::json!(fresh);
                self.ledger.record_payload(id, &payload)?;
                fresh
            }
        };
        match Outcome::from(adapter.capture(&order, &modification_id, amount).await) {
            Outcome::Refused(e) => Err(e),
            // Done, or not decided yet: the payment's status says which (the capture's id is
            // kept, so trying again resends the same capture).
            Outcome::Succeeded(_) => self.sync_from(id, EventSource::User).await,
            Outcome::Unknown(e) => {
                tracing::warn!(
                    order = id,
                    "capture outcome unknown, the status query tells: {e}"
                );
                self.sync_from(id, EventSource::User).await
            }
        }
    }

    /// Resends the refunds and voids of an order whose outcome is unknown (still pending in
    /// the ledger), each with the refund number (SmartPay's modificationId) it was reserved
    /// under, so the gateway recognises a repeat. A refusal of a resend leaves the refund
    /// pending, its text noted on it, and is returned: the first send may have gone through
    /// (the gateway may then refuse the repeated number, or an order now refunded), so only
    /// the owner, having looked at the gateway's records, settles it ([`Self::settle_reversal`]).
    pub async fn retry_reversals(&self, id: i64) -> Result<Order> {
        let order = self.ledger.get(id)?;
        let adapter = self.connector(order.gateway, &order.environment).await?;
        let mut refused = None;
        for refund in self
            .ledger
            .refunds(id)?
            .into_iter()
            .filter(|r| r.status == paydesk_ledger::ledger::RefundStatus::Pending)
        {
            // First ask, where the gateway can say: a resend of a refund that went through
            // would be refused and tell nothing.
            if self.settle_by_query(&refund).await?.is_some() {
                continue;
            }
            // Pending refunds are not in refunded_minor yet: the order reads as it did when this
            // one was reserved, so a full refund is resent as a full one.
            let order = self.ledger.get(id)?;
            let request = reversal_request(&refund, order.amount.currency())?;
            match Outcome::from(adapter.reverse(&order, &request).await) {
                Outcome::Succeeded(reversal) => {
                    self.ledger.finish_refund(
                        refund.id,
                        RefundOutcome::Succeeded {
                            gateway_refund_id: reversal.gateway_refund_id,
                            gateway_status: reversal.gateway_status,
                        },
                    )?;
                }
                Outcome::Refused(e) => {
                    self.ledger
                        .note_refund(refund.id, &format!("resend refused: {e}"))?;
                    refused.get_or_insert(e);
                }
                Outcome::Unknown(e) => return Err(e),
            }
        }
        match refused {
            Some(e) => Err(e),
            None => self.ledger.get(id),
        }
    }

    /// The owner's word on a refund or void whose outcome is unknown, after looking at the
    /// gateway's records: it went through (counted as refunded) or it did not (its amount is
    /// refundable again). Only a pending refund can be settled.
    pub fn settle_reversal(&self, refund_no: &str, went_through: bool) -> Result<(Refund, Order)> {
        let refund = self.ledger.refund_by_no(refund_no)?;
        if refund.status != paydesk_ledger::ledger::RefundStatus::Pending {
            return Err(Error::invalid(
                "refund",
                format!(
                    "{} is already {}: only a refund whose outcome is unknown can be settled",
                    refund.refund_no,
                    refund.status.as_str()
                ),
            ));
        }
        let outcome = if went_through {
            RefundOutcome::Succeeded {
                gateway_refund_id: None,
                gateway_status: None,
            }
        } else {
            RefundOutcome::Failed {
                reason: "the owner found at the gateway that it did not go through".into(),
            }
        };
        let (settled, order) = self.ledger.finish_refund(refund.id, outcome)?;
        // A resend that finished meanwhile wins: the owner hears how it ended.
        let wanted = if went_through {
            paydesk_ledger::ledger::RefundStatus::Succeeded
        } else {
            paydesk_ledger::ledger::RefundStatus::Failed
        };
        if settled.status != wanted {
            return Err(Error::invalid(
                "refund",
                format!(
                    "{} was settled meanwhile as {}",
                    settled.refund_no,
                    settled.status.as_str()
                ),
            ));
        }
        Ok((settled, order))
    }

    /// SmartExPay's manual payment methods: the owner saw the customer's money arrive, so the
    /// order moves from waitPayment to inProgress at SmartExPay; then it is re-queried.
    pub async fn confirm_manual_payment(&self, id: i64) -> Result<Order> {
        let order = self.ledger.get(id)?;
        if !paydesk_gateways::capabilities(order.gateway).manual_payment {
            return Err(Error::invalid(
                "order",
                format!(
                    "order {id} is a {} order: only SmartExPay has a manual payment step",
                    order.gateway.as_str()
                ),
            ));
        }
        let adapter = self.connector(order.gateway, &order.environment).await?;
        let order = self.sync(id).await?;
        if order.gateway_status.as_deref() != Some("waitPayment") {
            return Err(Error::invalid(
                "order",
                format!("order {id} is {} at SmartExPay: only an order waiting for payment can be confirmed", order.gateway_status.as_deref().unwrap_or("unknown")),
            ));
        }
        adapter.confirm_manual_payment(&order).await?;
        self.sync_from(id, EventSource::User).await
    }

    /// Checks a SmartExPay IPN's hash with the order's derived secret (constant time).
    pub async fn verify_smartexpay_ipn(
        &self,
        order: &Order,
        fields: &[(String, String)],
    ) -> Result<bool> {
        let adapter = self.connector(order.gateway, &order.environment).await?;
        Ok(adapter.verify_notification(order, &Notification::Pairs(fields)))
    }

    /// The order of `gateway` that the gateway knows by `gateway_order_id`, if it is ours.
    pub fn order_by_gateway_id(
        &self,
        gateway: Gateway,
        gateway_order_id: &str,
    ) -> Result<Option<Order>> {
        let filter = paydesk_ledger::ledger::OrderFilter {
            gateway: Some(gateway),
            search: Some(gateway_order_id.to_string()),
            ..Default::default()
        };
        Ok(self
            .ledger
            .list(&filter)?
            .into_iter()
            .find(|o| o.gateway_order_id.as_deref() == Some(gateway_order_id)))
    }

    /// Gives back `amount` (cashier text; the whole remainder when `None`) on a paid order.
    /// Checked first (the gateway's capabilities and the adapter's `prepare_reversal`), then
    /// reserved in the ledger with its own refund number before the gateway is called, so
    /// concurrent refunds cannot exceed what was paid and a resend is recognisable. A refund
    /// whose outcome is unknown is returned pending (its amount held back) and asked about
    /// until the gateway tells.
    pub async fn refund(
        self: &Arc<Self>,
        id: i64,
        amount: Option<&str>,
        reason: Option<&str>,
    ) -> Result<(Refund, Order)> {
        let order = self.ledger.get(id)?;
        let currency = order.amount.currency();
        let minor = match amount {
            Some(text) => Money::parse(text, currency)?.minor(),
            None => order.amount.minor() - order.refunded_minor,
        };
        if let Some(why) = paydesk_gateways::capabilities(order.gateway).no_refunds {
            return Err(Error::invalid(
                "order",
                format!("order {}: {why}", order.merchant_order_no),
            ));
        }
        let adapter = self.connector(order.gateway, &order.environment).await?;
        let refund_no = new_merchant_order_no(chrono::Utc::now()).replacen("PD", "RF", 1);
        let amount = Money::from_minor(minor, currency)?;
        let request = ReversalRequest {
            kind: ReversalKind::Refund,
            refund_no: &refund_no,
            amount,
        };
        if minor > 0 {
            adapter.prepare_reversal(&order, &request)?;
        }
        let refund = self
            .ledger
            .begin_refund(id, &refund_no, minor, RefundKind::Refund, reason)?;
        let answer = adapter.reverse(&order, &request).await;
        self.finish_reversal(refund, answer)
    }

    /// Cancels an unsettled card payment in full.
    pub async fn void(self: &Arc<Self>, id: i64, reason: Option<&str>) -> Result<(Refund, Order)> {
        let order = self.ledger.get(id)?;
        // Refused before anything is reserved when the gateway cannot void this kind of order.
        if !paydesk_gateways::capabilities(order.gateway)
            .voidable
            .contains(&order.method)
        {
            return Err(Error::invalid(
                "order",
                format!(
                    "{} payments cannot be voided: refund them instead",
                    order.method.label()
                ),
            ));
        }
        let adapter = self.connector(order.gateway, &order.environment).await?;
        let refund_no = new_merchant_order_no(chrono::Utc::now()).replacen("PD", "VD", 1);
        let request = ReversalRequest {
            kind: ReversalKind::Void,
            refund_no: &refund_no,
            amount: order.amount,
        };
        adapter.prepare_reversal(&order, &request)?;
        let refund = self.ledger.begin_refund(
            id,
            &refund_no,
            order.amount.minor(),
            RefundKind::Void,
            reason,
        )?;
        let answer = adapter.reverse(&order, &request).await;
        self.finish_reversal(refund, answer)
    }

    fn finish_reversal(
        self: &Arc<Self>,
        refund: Refund,
        answer: Result<paydesk_gateways::Reversal>,
    ) -> Result<(Refund, Order)> {
        match Outcome::from(answer) {
            Outcome::Succeeded(reversal) => self.ledger.finish_refund(
                refund.id,
                RefundOutcome::Succeeded {
                    gateway_refund_id: reversal.gateway_refund_id,
                    gateway_status: reversal.gateway_status,
                },
            ),
            Outcome::Refused(e) => {
                self.ledger.finish_refund(
                    refund.id,
                    RefundOutcome::Failed {
                        reason: e.to_string(),
                    },
                )?;
                Err(e)
            }
            // Unknown outcome: the refund stays pending (its amount held back) and is asked
            // about until the gateway tells; the caller is told so, not that it failed.
            Outcome::Unknown(e) => {
                tracing::warn!(refund = %refund.refund_no, "refund outcome unknown: {e}");
                self.ledger
                    .note_refund(refund.id, &format!("no clear answer yet: {e}"))?;
                self.watch_reversal(refund.clone());
                let refund = self.ledger.refund_by_no(&refund.refund_no)?;
                let order = self.ledger.get(refund.order_id)?;
                Ok((refund, order))
            }
        }
    }

    /// Starts keeping a customer's card with IOTPay under `card_id` (ours, unique per card):
    /// returns the link and secureId of the form where the customer enters it.
    pub async fn add_card(&self, card_id: &str) -> Result<serde_json::Value> {
        check_card_id(card_id)?;
        let adapter = self.connector(Gateway::Iotpay, self.mode.as_str()).await?;
        adapter.add_card(card_id).await
    }

    /// What IOTPay keeps of a stored card (masked number).
    pub async fn query_card(&self, card_id: &str) -> Result<serde_json::Value> {
        check_card_id(card_id)?;
        let adapter = self.connector(Gateway::Iotpay, self.mode.as_str()).await?;
        adapter.query_card(card_id).await
    }

    /// Verifies a notification's signature with the keys of the order's environment.
    pub async fn verify_iotpay_notify(
        &self,
        order: &Order,
        fields: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<bool> {
        let adapter = self.connector(order.gateway, &order.environment).await?;
        Ok(adapter.verify_notification(order, &Notification::Fields(fields)))
    }

    /// The order a notification names, if it is ours.
    pub fn order_by_merchant_no(&self, merchant_order_no: &str) -> Result<Option<Order>> {
        self.ledger.find_by_merchant_no(merchant_order_no)
    }

    /// Re-queries after a verified notification (the notification itself is only a hint).
    /// The window is told at once when the query moved the order: Paid shows the moment the
    /// gateway confirms, not at the watcher's next poll (which then sees nothing new to tell,
    /// or tells the same state once more, harmlessly).
    pub async fn sync_after_notify(&self, id: i64) -> Result<Order> {
        let before = self
            .ledger
            .get(id)
            .ok()
            .map(|o| (o.status, o.gateway_status));
        let order = self.sync_from(id, EventSource::Notify).await?;
        if before.as_ref() != Some(&(order.status, order.gateway_status.clone())) {
            self.notify_observer(&order);
        }
        Ok(order)
    }
}

/// The gateway request of a refund or void the ledger holds.
/// Only a waiting sale (created, pending, authorized) can be cancelled.
fn check_cancellable(order: &Order) -> Result<()> {
    match order.status {
        OrderStatus::Created | OrderStatus::Pending | OrderStatus::Authorized => Ok(()),
        status => Err(not_waiting(format!(
            "order {} is {}: only a sale still waiting for its payment can be cancelled",
            order.merchant_order_no,
            status.label().to_lowercase()
        ))),
    }
}

/// A request refused because the order is no longer waiting (code `not_waiting`).
fn not_waiting(message: String) -> Error {
    Error::Refused {
        code: "not_waiting",
        field: Some("order"),
        message,
    }
}

fn reversal_request(refund: &Refund, currency: Currency) -> Result<ReversalRequest<'_>> {
    Ok(ReversalRequest {
        kind: match refund.kind {
            RefundKind::Refund => ReversalKind::Refund,
            RefundKind::Void => ReversalKind::Void,
        },
        refund_no: &refund.refund_no,
        amount: Money::from_minor(refund.amount_minor, currency)?,
    })
}
