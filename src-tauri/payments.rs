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
use crate::gateways::iotpay_card::{
    IotpayCard, IotpayCardConfig, DEFAULT_LIVE_BASE, DEFAULT_SCRIPT_URL, DEFAULT_TEST_BASE,
};
use crate::gateways::smartexpay::{Smartexpay, SmartexpayConfig};
use crate::gateways::smartpay::{Smartpay, SmartpayAuth, SmartpayConfig};
use crate::gateways::smepay::{PathFamily, Smepay, SmepayConfig};
use crate::gateways::{
    check_amount, check_method_input, confirm_by_query, ConnectionCheck, ConnectionOutcome,
    Connector, CreateRequest, Lookup,
};
use crate::ledger::{
    now_ms, Applied, Ledger, NewOrder, Observation, Refund, RefundKind, RefundOutcome,
};
use crate::money::{Currency, Money};
use crate::order::{
    new_merchant_order_no, EventSource, Gateway, Method, MethodKind, Order, OrderStatus,
};
use crate::sandbox::{
    SandboxServer, SANDBOX_LOGIN_NAME, SANDBOX_MCH_ID, SANDBOX_MERCHANT_KEY,
    SANDBOX_SMEPAY_CLIENT_ID, SANDBOX_SMEPAY_CLIENT_SECRET,
};
use crate::vault::{Environment, Sensitive, Vault};

/// How long a counter QR stays payable before Paydesk calls it expired.
const ORDER_TTL: Duration = Duration::from_secs(15 * 60);
/// A Created order younger than this may still have its create call in flight (in this or
/// another process), so "the gateway has no such order" does not yet mean it never will.
const CREATE_GRACE: Duration = Duration::from_secs(120);
/// Where the notification receiver listens by default (loopback only; see notify.rs).
pub const DEFAULT_NOTIFY_PORT: u16 = 47390;
const DEFAULT_NOTIFY_BASE: &str = "http://127.0.0.1:47390";

/// A cashier's request, as typed: validated here, at the boundary.
#[derive(Debug, Clone, Deserialize)]
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
        Ok(Arc::new(Paydesk {
            ledger,
            data_dir: data_dir.to_path_buf(),
            mode,
            sandbox: OnceCell::new(),
            connectors: Mutex::new(HashMap::new()),
            observer: RwLock::new(None),
            watching: Mutex::new(HashSet::new()),
            poll_interval: Duration::from_millis(1000),
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
        check_amount(method, amount)?;
        check_method_input(method, input.code.as_deref(), input.card_id.as_deref())?;
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
        let request = CreateRequest {
            merchant_order_no: &order.merchant_order_no,
            method,
            amount,
            description: &description,
            payment_code: input.code.as_deref(),
            card_id: input.card_id.as_deref(),
        };
        match connector.create(&request).await {
            Ok(created) => {
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
                        status: created.status,
                        gateway_status: created.gateway_status,
                        source: EventSource::Create,
                        note: Some("accepted by the gateway".into()),
                    },
                )?;
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
            Err(Error::GatewayRejected {
                gateway,
                code,
                message,
            }) => {
                let refusal = Error::GatewayRejected {
                    gateway,
                    code: code.clone(),
                    message,
                };
                let failed = Observation {
                    status: OrderStatus::Failed,
                    gateway_status: Some(code),
                    source: EventSource::Create,
                    note: Some(refusal.to_string()),
                };
                self.ledger.apply(order.id, &failed)?;
                Err(refusal)
            }
            Err(e) => {
                tracing::warn!(
                    order = order.id,
                    "create outcome unknown, will reconcile: {e}"
                );
                Err(e)
            }
        }
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
                let observation = Observation {
                    status: report.status,
                    gateway_status: Some(report.gateway_status),
                    source,
                    note: report.note,
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
        };
        // An authorisation holds the customer's money: it waits for a capture or a void, not
        // for the counter's countdown.
        if !order.status.is_settled()
            && order.status != OrderStatus::Authorized
            && order.expires_at_ms.is_some_and(|at| now_ms() > at)
        {
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

    /// The gateway gave the money back by itself (SmartExPay `returned`): the order was paid,
    /// then refunded in full. Recorded as a paid event and a refund the gateway made, so the
    /// refunded total is right in the ledger and exports.
    fn gateway_returned(
        &self,
        order: &Order,
        report: &crate::gateways::Report,
        source: EventSource,
    ) -> Result<()> {
        if matches!(
            order.status,
            OrderStatus::Created
                | OrderStatus::Pending
                | OrderStatus::Authorized
                | OrderStatus::Expired
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
        // Refunds are not resent on their own: whether a gateway takes a repeated refund
        // number as the same refund is documented for SmartPay only. The owner decides.
        match self.ledger.pending_refunds() {
            Ok(unanswered) if !unanswered.is_empty() => tracing::warn!(
                count = unanswered.len(),
                "reconcile: refunds with no answer wait for the owner (resend or settle them)"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!("reconcile: {e}"),
        }
        out
    }

    /// Follows an open order until it settles, telling the observer of every change. One
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
            loop {
                tokio::time::sleep(this.poll_interval).await;
                match this.sync(id).await {
                    Ok(order) => {
                        let now = (order.status, order.gateway_status.clone());
                        if last.as_ref() != Some(&now) {
                            this.notify_observer(&order);
                            last = Some(now);
                        }
                        // An authorisation waits for the owner (capture or void), not the gateway.
                        if order.status.is_settled() || order.status == OrderStatus::Authorized {
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

    /// The adapter for a gateway in an environment, built once and reused.
    async fn connector(&self, gateway: Gateway, environment: &str) -> Result<Arc<Connector>> {
        let key = (gateway, environment.to_string());
        if let Some(c) = self
            .connectors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return Ok(c.clone());
        }
        let connector = Arc::new(self.build_connector(gateway, environment).await?);
        self.connectors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, connector.clone());
        Ok(connector)
    }

    async fn build_connector(&self, gateway: Gateway, environment: &str) -> Result<Connector> {
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
                Ok(Connector::Iotpay {
                    v1: Iotpay::new(v1)?,
                    card: IotpayCard::new(card)?,
                })
            }
            Gateway::Smepay => Ok(Connector::Smepay(Smepay::new(
                self.smepay_config(environment).await?,
            )?)),
            Gateway::Smartexpay => Ok(Connector::Smartexpay(Smartexpay::new(
                self.smartexpay_config(environment).await?,
            )?)),
            Gateway::Smartpay => Ok(Connector::Smartpay(Smartpay::new(
                self.smartpay_config(environment).await?,
            )?)),
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
                crate::gateways::smepay::DEFAULT_LIVE_BASE
            } else {
                crate::gateways::smepay::DEFAULT_TEST_BASE
            };
            (
                setting("base")?.unwrap_or_else(|| default_base.into()),
                creds.require("clientId")?.expose().clone(),
                creds.require("clientSecret")?.clone(),
                crate::gateways::smepay::DEFAULT_SCRIPT_URL.to_string(),
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
        use crate::gateways::smartexpay::{DEFAULT_API_KEY_HEADER, DEFAULT_PAGE_BASE};
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
                Sensitive::new(crate::sandbox::SANDBOX_SMARTEXPAY_API_KEY.to_string()),
                Some(crate::sandbox::SANDBOX_SMARTEXPAY_PARTNER.to_string()),
                Some(crate::sandbox::SANDBOX_SMARTEXPAY_ROUTE.to_string()),
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
        use crate::gateways::smartpay::{DEFAULT_TIMEOUT, DEFAULT_TOKEN_URL};
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
                        crate::sandbox::SANDBOX_SMARTPAY_AUTH_KEY.to_string(),
                    ),
                }
            } else {
                SmartpayAuth::OAuth {
                    token_url: format!("{}/oauth2/token", sandbox.smartpay_base()),
                    client_id: crate::sandbox::SANDBOX_SMARTPAY_CLIENT_ID.to_string(),
                    client_secret: Sensitive::new(
                        crate::sandbox::SANDBOX_SMARTPAY_CLIENT_SECRET.to_string(),
                    ),
                }
            };
            (
                sandbox.smartpay_base(),
                crate::sandbox::SANDBOX_SMARTPAY_MERCHANT_KEY.to_string(),
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
        let connector = self.connector(order.gateway, &order.environment).await?;
        let Connector::Smartpay(smartpay) = connector.as_ref() else {
            return Err(Error::invalid(
                "order",
                format!(
                    "order {id} is a {} order: only SmartPay authorisations are captured",
                    order.gateway.as_str()
                ),
            ));
        };
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
        let transaction_id = order
            .gateway_order_id
            .clone()
            .ok_or_else(|| Error::invalid("order", format!("order {id} has no transactionId")))?;
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
        smartpay
            .capture(&transaction_id, &modification_id, amount)
            .await?;
        self.sync_from(id, EventSource::User).await
    }

    /// Resends the refunds and voids of an order whose outcome is unknown (still pending in
    /// the ledger), each with the refund number (SmartPay's modificationId) it was reserved
    /// under, so the gateway recognises a repeat. A refusal of a resend leaves the refund
    /// pending, its text noted on it, and is returned: the first send may have gone through
    /// (the gateway may then refuse the repeated number, or an order now refunded), so only
    /// the owner, having looked at the gateway's records, settles it ([`Self::settle_reversal`]).
    pub async fn retry_reversals(&self, id: i64) -> Result<Order> {
        let order = self.ledger.get(id)?;
        let connector = self.connector(order.gateway, &order.environment).await?;
        let mut refused = None;
        for refund in self
            .ledger
            .refunds(id)?
            .into_iter()
            .filter(|r| r.status == crate::ledger::RefundStatus::Pending)
        {
            // Pending refunds are not in refunded_minor yet: the order reads as it did when this
            // one was reserved, so a full refund is resent as a full one.
            let order = self.ledger.get(id)?;
            let answer = match refund.kind {
                RefundKind::Void => connector.void(&order, &refund.refund_no).await,
                RefundKind::Refund => {
                    connector
                        .refund(
                            &order,
                            &refund.refund_no,
                            Money::from_minor(refund.amount_minor, order.amount.currency())?,
                        )
                        .await
                }
            };
            match answer {
                Ok(reversal) => {
                    self.finish_reversal(refund, Ok(reversal))?;
                }
                Err(e @ Error::GatewayRejected { .. }) => {
                    self.ledger
                        .note_refund(refund.id, &format!("resend refused: {e}"))?;
                    refused.get_or_insert(e);
                }
                Err(e) => return Err(e),
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
        if refund.status != crate::ledger::RefundStatus::Pending {
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
            crate::ledger::RefundStatus::Succeeded
        } else {
            crate::ledger::RefundStatus::Failed
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
        let connector = self.connector(order.gateway, &order.environment).await?;
        let Connector::Smartexpay(smartexpay) = connector.as_ref() else {
            return Err(Error::invalid(
                "order",
                format!(
                    "order {id} is a {} order: only SmartExPay has a manual payment step",
                    order.gateway.as_str()
                ),
            ));
        };
        let order = self.sync(id).await?;
        if order.gateway_status.as_deref() != Some("waitPayment") {
            return Err(Error::invalid(
                "order",
                format!("order {id} is {} at SmartExPay: only an order waiting for payment can be confirmed", order.gateway_status.as_deref().unwrap_or("unknown")),
            ));
        }
        smartexpay.confirm_manual_payment(&order).await?;
        self.sync_from(id, EventSource::User).await
    }

    /// Checks a SmartExPay IPN's hash with the order's derived secret (constant time).
    pub async fn verify_smartexpay_ipn(
        &self,
        order: &Order,
        fields: &[(String, String)],
    ) -> Result<bool> {
        let connector = self.connector(order.gateway, &order.environment).await?;
        Ok(match connector.as_ref() {
            Connector::Smartexpay(smartexpay) => crate::gateways::smartexpay::verify_ipn(
                fields,
                &smartexpay.ipn_secret_for(&order.merchant_order_no),
            ),
            _ => false,
        })
    }

    /// The order of `gateway` that the gateway knows by `gateway_order_id`, if it is ours.
    pub fn order_by_gateway_id(
        &self,
        gateway: Gateway,
        gateway_order_id: &str,
    ) -> Result<Option<Order>> {
        let filter = crate::ledger::OrderFilter {
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
    /// The refund is reserved in the ledger with its own refund number before the gateway is
    /// called, so concurrent refunds cannot exceed what was paid and a resend is recognisable.
    pub async fn refund(
        &self,
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
        let connector = self.connector(order.gateway, &order.environment).await?;
        connector.check_refund(&order)?;
        let refund_no = new_merchant_order_no(chrono::Utc::now()).replacen("PD", "RF", 1);
        let refund = self
            .ledger
            .begin_refund(id, &refund_no, minor, RefundKind::Refund, reason)?;
        let amount = Money::from_minor(minor, currency)?;
        self.finish_reversal(refund, connector.refund(&order, &refund_no, amount).await)
    }

    /// Cancels an unsettled card payment in full.
    pub async fn void(&self, id: i64, reason: Option<&str>) -> Result<(Refund, Order)> {
        let order = self.ledger.get(id)?;
        let connector = self.connector(order.gateway, &order.environment).await?;
        let refund_no = new_merchant_order_no(chrono::Utc::now()).replacen("PD", "VD", 1);
        // Refused before anything is reserved when the gateway cannot void this kind of order.
        if !matches!(
            order.method,
            Method::CardLink | Method::Card | Method::CardToken | Method::SmartpayCard
        ) {
            return Err(Error::invalid(
                "order",
                format!(
                    "{} payments cannot be voided: refund them instead",
                    order.method.label()
                ),
            ));
        }
        let refund = self.ledger.begin_refund(
            id,
            &refund_no,
            order.amount.minor(),
            RefundKind::Void,
            reason,
        )?;
        self.finish_reversal(refund, connector.void(&order, &refund_no).await)
    }

    fn finish_reversal(
        &self,
        refund: Refund,
        answer: Result<crate::gateways::Reversal>,
    ) -> Result<(Refund, Order)> {
        match answer {
            Ok(reversal) => self.ledger.finish_refund(
                refund.id,
                RefundOutcome::Succeeded {
                    gateway_refund_id: reversal.gateway_refund_id,
                    gateway_status: reversal.gateway_status,
                },
            ),
            Err(e @ Error::GatewayRejected { .. }) => {
                self.ledger.finish_refund(
                    refund.id,
                    RefundOutcome::Failed {
                        reason: e.to_string(),
                    },
                )?;
                Err(e)
            }
            // Unknown outcome: the refund stays pending (and keeps counting against the total)
            // until the owner checks it with the gateway.
            Err(e) => Err(e),
        }
    }

    /// Starts keeping a customer's card with IOTPay under `card_id` (ours, unique per card):
    /// returns the link and secureId of the form where the customer enters it.
    pub async fn add_card(&self, card_id: &str) -> Result<serde_json::Value> {
        let card_id = card_id.trim();
        if card_id.is_empty()
            || !card_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(Error::invalid(
                "cardId",
                "a card id is letters, digits, '-' or '_'",
            ));
        }
        let connector = self.connector(Gateway::Iotpay, self.mode.as_str()).await?;
        match connector.as_ref() {
            Connector::Iotpay { card, .. } => card.add_card(card_id).await,
            #[allow(unreachable_patterns)]
            _ => Err(Error::UnsupportedMethod("saved cards are IOTPay's".into())),
        }
    }

    /// What IOTPay keeps of a stored card (masked number).
    pub async fn query_card(&self, card_id: &str) -> Result<serde_json::Value> {
        let connector = self.connector(Gateway::Iotpay, self.mode.as_str()).await?;
        match connector.as_ref() {
            Connector::Iotpay { card, .. } => card.query_card(card_id).await,
            #[allow(unreachable_patterns)]
            _ => Err(Error::UnsupportedMethod("saved cards are IOTPay's".into())),
        }
    }

    /// Verifies a notification's signature with the keys of the order's environment.
    pub async fn verify_iotpay_notify(
        &self,
        order: &Order,
        fields: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<bool> {
        let connector = self.connector(order.gateway, &order.environment).await?;
        Ok(match connector.as_ref() {
            Connector::Iotpay { v1, .. } => v1.verify(fields),
            // Other gateways' notifications are not IOTPay-signed.
            #[allow(unreachable_patterns)]
            _ => false,
        })
    }

    /// The order a notification names, if it is ours.
    pub fn order_by_merchant_no(&self, merchant_order_no: &str) -> Result<Option<Order>> {
        self.ledger.find_by_merchant_no(merchant_order_no)
    }

    /// Re-queries after a verified notification (the notification itself is only a hint).
    pub async fn sync_after_notify(&self, id: i64) -> Result<Order> {
        self.sync_from(id, EventSource::Notify).await
    }
}
