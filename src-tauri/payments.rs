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
use crate::error::{Error, Result};
use crate::gateways::iotpay::{Iotpay, IotpayConfig, DEFAULT_V1_BASE};
use crate::gateways::{Connector, CreateRequest, Lookup};
use crate::ledger::{now_ms, Applied, Ledger, NewOrder, Observation};
use crate::money::{Currency, Money};
use crate::order::{new_merchant_order_no, EventSource, Gateway, Method, MethodKind, Order, OrderStatus};
use crate::sandbox::{SandboxServer, SANDBOX_LOGIN_NAME, SANDBOX_MCH_ID, SANDBOX_MERCHANT_KEY};
use crate::vault::{Environment, Sensitive, Vault};

/// How long a counter QR stays payable before Paydesk calls it expired.
const ORDER_TTL: Duration = Duration::from_secs(15 * 60);
/// A Created order younger than this may still have its create call in flight (in this or
/// another process), so "the gateway has no such order" does not yet mean it never will.
const CREATE_GRACE: Duration = Duration::from_secs(120);
/// Where the notification receiver listens (loopback only).
const DEFAULT_NOTIFY_URL: &str = "http://127.0.0.1:47390/notify";

/// A cashier's request, as typed: validated here, at the boundary.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateOrderInput {
    pub gateway: String,
    pub method: String,
    pub amount: String,
    pub currency: String,
}

/// A method the counter can offer now.
#[derive(Debug, Clone, Serialize)]
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
    connectors: Mutex<HashMap<(Gateway, String), Arc<Connector>>>,
    observer: RwLock<Option<Observer>>,
    watching: Mutex<HashSet<i64>>,
    poll_interval: Duration,
}

impl Paydesk {
    /// Opens the ledger in `data_dir`. The mode is `mode` if given, else the ledger's saved
    /// setting, else the sandbox.
    pub async fn open(data_dir: &Path, mode: Option<Mode>) -> Result<Arc<Paydesk>> {
        let ledger = Arc::new(Ledger::open_in(data_dir)?);
        let mode = match mode {
            Some(m) => m,
            None => ledger.setting("mode")?.map(|m| Mode::parse(&m)).transpose()?.unwrap_or(Mode::Sandbox),
        };
        Ok(Arc::new(Paydesk {
            ledger,
            data_dir: data_dir.to_path_buf(),
            mode,
            sandbox: OnceCell::new(),
            connectors: Mutex::new(HashMap::new()),
            observer: RwLock::new(None),
            watching: Mutex::new(HashSet::new()),
            poll_interval: Duration::from_millis(1000),
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

    pub fn set_observer(&self, observer: Observer) {
        *self.observer.write().unwrap_or_else(|p| p.into_inner()) = Some(observer);
    }

    /// The embedded sandbox, started on a free loopback port the first time it is needed.
    pub async fn sandbox(&self) -> Result<&SandboxServer> {
        self.sandbox
            .get_or_try_init(|| SandboxServer::start(&self.data_dir, SocketAddr::from((Ipv4Addr::LOCALHOST, 0))))
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

    /// Validates, writes the intent, then asks the gateway. On a definite refusal the order
    /// is Failed; when the gateway cannot be reached the order stays Created and is
    /// reconciled by query (its merchant order number makes a resend safe).
    /// Every order left open is watched until it settles.
    pub async fn create_order(self: &Arc<Self>, input: &CreateOrderInput) -> Result<Order> {
        let gateway = Gateway::parse(&input.gateway)?;
        let method = Method::parse(gateway, &input.method)?;
        let currency = Currency::parse(&input.currency)?;
        let amount = Money::parse(&input.amount, currency)?;
        method.check_currency(currency)?;
        let environment = self.mode.as_str().to_string();
        let connector = self.connector(gateway, &environment).await?;

        let now = chrono::Utc::now();
        let order = self.ledger.insert_order(&NewOrder {
            merchant_order_no: new_merchant_order_no(now),
            method,
            environment,
            amount,
            expires_at_ms: Some(now.timestamp_millis() + ORDER_TTL.as_millis() as i64),
        })?;
        self.watch(order.id);
        let description = format!("Sale {}", order.merchant_order_no);
        let request = CreateRequest { merchant_order_no: &order.merchant_order_no, method, amount, description: &description };
        match connector.create(&request).await {
            Ok(created) => {
                self.ledger.record_gateway_reference(order.id, created.gateway_order_id.as_deref(), created.payment_url.as_deref())?;
                let (_, order) = self.ledger.apply(
                    order.id,
                    &Observation {
                        status: created.status,
                        gateway_status: created.gateway_status,
                        source: EventSource::Create,
                        note: Some("accepted by the gateway".into()),
                    },
                )?;
                Ok(order)
            }
            Err(e @ Error::GatewayRejected { .. }) => {
                let code = match &e {
                    Error::GatewayRejected { code, .. } => code.clone(),
                    _ => unreachable!(),
                };
                self.ledger.apply(
                    order.id,
                    &Observation { status: OrderStatus::Failed, gateway_status: Some(code), source: EventSource::Create, note: Some(e.to_string()) },
                )?;
                Err(e)
            }
            Err(e) => {
                tracing::warn!(order = order.id, "create outcome unknown, will reconcile: {e}");
                Err(e)
            }
        }
    }

    /// Asks the gateway what became of an order and applies the answer.
    pub async fn sync(&self, id: i64) -> Result<Order> {
        self.sync_from(id, EventSource::Poll).await
    }

    async fn sync_from(&self, id: i64, source: EventSource) -> Result<Order> {
        let order = self.ledger.get(id)?;
        let connector = self.connector(order.gateway, &order.environment).await?;
        let mut order = match connector.lookup(&order.merchant_order_no).await? {
            Lookup::Found(report) => {
                if order.gateway_order_id.is_none() && report.gateway_order_id.is_some() {
                    self.ledger.record_gateway_reference(id, report.gateway_order_id.as_deref(), None)?;
                }
                let observation = Observation {
                    status: report.status,
                    gateway_status: Some(report.gateway_status),
                    source,
                    note: report.note,
                };
                self.ledger.apply(id, &observation)?.1
            }
            Lookup::Missing if order.status == OrderStatus::Created && now_ms() - order.created_at_ms > CREATE_GRACE.as_millis() as i64 => {
                let observation = Observation {
                    status: OrderStatus::Failed,
                    gateway_status: None,
                    source,
                    note: Some("the gateway has no such order: the create never reached it".into()),
                };
                self.ledger.apply(id, &observation)?.1
            }
            Lookup::Missing => order,
        };
        if !order.status.is_settled() && order.expires_at_ms.is_some_and(|at| now_ms() > at) {
            let observation = Observation {
                status: OrderStatus::Expired,
                gateway_status: None,
                source,
                note: Some("no payment before the order expired".into()),
            };
            order = self.ledger.apply(id, &observation)?.1;
        }
        Ok(order)
    }

    /// Startup: every order left open (mid-creation, or waiting when the app stopped) is
    /// re-queried. Returns the orders after reconciliation.
    pub async fn reconcile(&self) -> Vec<Result<Order>> {
        let open = match self.ledger.open_orders() {
            Ok(open) => open,
            Err(e) => return vec![Err(e)],
        };
        let mut out = Vec::with_capacity(open.len());
        for order in open {
            let result = self.sync_from(order.id, EventSource::Reconcile).await;
            if let Err(e) = &result {
                tracing::warn!(order = order.id, "reconcile: {e}");
            }
            out.push(result);
        }
        out
    }

    /// Follows an open order until it settles, telling the observer of every change. One
    /// watcher per order, however often this is called.
    pub fn watch(self: &Arc<Self>, id: i64) {
        if !self.watching.lock().unwrap_or_else(|p| p.into_inner()).insert(id) {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            let mut last: Option<(OrderStatus, Option<String>)> = None;
            loop {
                tokio::time::sleep(this.poll_interval).await;
                match this.sync(id).await {
                    Ok(order) => {
                        let now = (order.status, order.gateway_status.clone());
                        if last.as_ref() != Some(&now) {
                            this.notify_observer(&order);
                            last = Some(now);
                        }
                        if order.status.is_settled() {
                            break;
                        }
                    }
                    Err(Error::NotFound(_)) => break,
                    Err(e) => tracing::warn!(order = id, "poll: {e}"),
                }
            }
            this.watching.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
        });
    }

    fn notify_observer(&self, order: &Order) {
        let observer = self.observer.read().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(observer) = observer {
            observer(order);
        }
    }

    /// Applies an observation made outside a poll (kept for the notification receiver).
    pub fn apply(&self, id: i64, observation: &Observation) -> Result<(Applied, Order)> {
        self.ledger.apply(id, observation)
    }

    /// The adapter for a gateway in an environment, built once and reused.
    async fn connector(&self, gateway: Gateway, environment: &str) -> Result<Arc<Connector>> {
        let key = (gateway, environment.to_string());
        if let Some(c) = self.connectors.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return Ok(c.clone());
        }
        let connector = Arc::new(self.build_connector(gateway, environment).await?);
        self.connectors.lock().unwrap_or_else(|p| p.into_inner()).insert(key, connector.clone());
        Ok(connector)
    }

    async fn build_connector(&self, gateway: Gateway, environment: &str) -> Result<Connector> {
        match gateway {
            Gateway::Iotpay => {
                let config = if environment == Mode::Sandbox.as_str() {
                    IotpayConfig {
                        v1_base: self.sandbox().await?.iotpay_v1_base(),
                        mch_id: SANDBOX_MCH_ID.into(),
                        login_name: SANDBOX_LOGIN_NAME.into(),
                        key: Sensitive::new(SANDBOX_MERCHANT_KEY.into()),
                        notify_url: DEFAULT_NOTIFY_URL.into(),
                        client_ip: "127.0.0.1".into(),
                    }
                } else {
                    let env = Environment::parse(environment)?;
                    let creds = Vault::keychain().load(gateway, env)?.ok_or_else(|| {
                        Error::Vault(format!("no iotpay {environment} credentials: run `paydesk credentials set iotpay --env {environment}`"))
                    })?;
                    let setting = |name: &str| self.ledger.setting(&format!("iotpay.{environment}.{name}"));
                    IotpayConfig {
                        v1_base: setting("v1_base")?.unwrap_or_else(|| DEFAULT_V1_BASE.into()),
                        mch_id: creds.require("mchId")?.expose().clone(),
                        login_name: creds.require("loginName")?.expose().clone(),
                        key: creds.require("key")?.clone(),
                        notify_url: setting("notify_url")?.unwrap_or_else(|| DEFAULT_NOTIFY_URL.into()),
                        client_ip: setting("client_ip")?.unwrap_or_else(|| "127.0.0.1".into()),
                    }
                };
                Ok(Connector::Iotpay(Iotpay::new(config)?))
            }
            other => Err(Error::UnsupportedMethod(format!("{} is not available in this build yet", other.as_str()))),
        }
    }
}
