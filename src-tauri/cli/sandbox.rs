//! `paydesk sandbox ...`: the embedded sandbox, served alone, paid as the customer, made to
//! misbehave. Only in a build with the `sandbox` feature (the default).

use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;

use clap::Subcommand;
use paydesk_domain::error::{Error, Result};
use paydesk_domain::order::Gateway;
use paydesk_ledger::ledger::Ledger;
use paydesk_sandbox::{SandboxServer, SandboxStore};
use paydesk_secrets::vault::{Environment, Vault};

use super::to_json;

#[derive(Subcommand, Debug)]
pub enum SandboxCommand {
    /// Serve the sandbox alone until interrupted.
    Serve {
        #[arg(long, default_value_t = 18080)]
        port: u16,
        /// Loopback by default; another address exposes the sandbox to the network.
        #[arg(long, default_value = "127.0.0.1")]
        host: std::net::IpAddr,
    },
    /// Act as the customer: pay (or --decline) a sandbox order.
    Pay {
        id: String,
        #[arg(long)]
        decline: bool,
    },
    /// Act as the customer at IOTPay's card terminal (a card-terminal sale, CC_PAX): approve,
    /// decline, or no-answer (the card is presented and no answer ever comes back).
    Terminal {
        /// The sale: its merchant order number (or ledger id, or the terminal's device id: its
        /// newest waiting sale).
        #[arg(long)]
        order: String,
        #[arg(value_enum)]
        answer: TerminalAction,
    },
    /// Act as a busy counter: ring SALES sales through the sandbox (IOTPay WeChat Pay QR),
    /// each paid by the customer and followed to Paid by a query; prints their numbers (the
    /// shop ledger's tests and benchmark use it).
    Ring {
        #[arg(long)]
        sales: u32,
        /// Milliseconds from one sale's start to the next (0: one after another).
        #[arg(long, default_value_t = 0)]
        every_ms: u64,
        #[arg(long, default_value = "1.00")]
        amount: String,
    },
    /// Make the sandbox misbehave: latency, timeouts, 5xx, malformed or truncated bodies,
    /// wrong signatures, rejected tokens, duplicate or out-of-order notifications.
    #[command(subcommand)]
    Fault(FaultCommand),
}

/// What the customer's card does at the terminal.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum TerminalAction {
    /// The card is approved: the sale is paid.
    Approve,
    /// The card is declined: the sale fails.
    Decline,
    /// No answer ever comes back: the sale stays waiting (reconciled later).
    NoAnswer,
}

#[derive(Subcommand, Debug)]
pub enum FaultCommand {
    /// Switch a fault on for a gateway's call (or every call: --call '*'; notifications: --call notify).
    Set {
        #[arg(long)]
        gateway: String,
        #[arg(long, default_value = "*")]
        call: String,
        /// latency, timeout, http-500, malformed, truncated, bad-signature, reject-token,
        /// duplicate-notify, out-of-order-notify, drop-notify
        #[arg(long)]
        kind: String,
        /// Milliseconds, for latency and timeout.
        #[arg(long)]
        value: Option<i64>,
        /// Only the next N calls (default: until cleared).
        #[arg(long)]
        times: Option<i64>,
    },
    /// Switch faults off (all, or one gateway's).
    Clear {
        #[arg(long)]
        gateway: Option<String>,
    },
    /// The faults switched on.
    List,
}

pub async fn run(data_dir: &Path, command: SandboxCommand) -> Result<ExitCode> {
    match command {
        SandboxCommand::Serve { port, host } => {
            let server = SandboxServer::start(data_dir, SocketAddr::new(host, port)).await?;
            let mut merchants = vec![format!("{} (built-in)", paydesk_sandbox::SANDBOX_MCH_ID)];
            merchants.extend(accept_keychain_merchants(server.store()));
            println!(
                "Paydesk sandbox on {}  (IOTPay v1: {})",
                server.base_url(),
                server.iotpay_v1_base()
            );
            println!("IOTPay merchants accepted: {}", merchants.join(", "));
            println!("State in {}. Ctrl-C stops it.", data_dir.display());
            std::io::stdout().flush()?;
            tokio::signal::ctrl_c().await?;
        }
        SandboxCommand::Ring {
            sales,
            every_ms,
            amount,
        } => return ring(data_dir, sales, every_ms, &amount).await,
        SandboxCommand::Pay { id, decline } => {
            // A ledger id or merchant order number is resolved to what the sandbox knows.
            let (reference, gateway_reference) = match Ledger::open_in(data_dir)?.resolve(&id) {
                Ok(order) => (order.merchant_order_no, order.gateway_order_id),
                Err(Error::NotFound(_)) => (id.clone(), None),
                Err(e) => return Err(e),
            };
            let store = SandboxStore::open_in(data_dir)?;
            if let Some(sale) = store.find(&reference)?.filter(|o| o.channel_id == "CC_PAX") {
                // Its customer is at the terminal, not on a payment page.
                return Err(Error::invalid(
                    "order",
                    format!(
                        "{} is a card-terminal sale: play the terminal with `paydesk sandbox terminal --order {} approve|decline|no-answer`",
                        sale.mch_order_no, sale.mch_order_no
                    ),
                ));
            }
            if store.find(&reference)?.is_none() {
                // The other gateways' sandboxes know an order by our number or by their own id.
                for r in std::iter::once(reference.as_str()).chain(gateway_reference.as_deref()) {
                    if let Some(said) = paydesk_sandbox::settle_other(&store, r, !decline).await? {
                        println!("{said}");
                        return Ok(ExitCode::SUCCESS);
                    }
                }
            }
            let order = store.settle(&reference, !decline)?;
            if store.iotpay_key(&order.mch_id).is_none() {
                // Signed with the credentials the serving sandbox was given.
                accept_keychain_merchants(&store);
            }
            if matches!(order.status, 2 | 3) {
                // Tell the merchant, as IOTPay would; a Paydesk window running on this data
                // directory hears it at once, and polling covers the rest.
                let faults = paydesk_sandbox::faults::Faults::open_in(data_dir)?;
                let heard = paydesk_sandbox::notifier::deliver_with_faults(
                    &store,
                    Some(&faults),
                    &order,
                    3,
                    std::time::Duration::from_millis(300),
                )
                .await;
                if !heard {
                    eprintln!("(no notification receiver answered at {}: the payment shows on the next poll)", order.notify_url);
                }
            }
            let word = match order.status {
                2 | 3 => "paid",
                9 | 4 => "declined",
                _ => "still waiting",
            };
            println!(
                "sandbox order {} ({}) is {word}",
                order.pay_order_id, order.mch_order_no
            );
        }
        SandboxCommand::Terminal { order, answer } => {
            use paydesk_sandbox::terminal::{answer_terminal, terminal_words, TerminalAnswer};
            // A ledger id or merchant order number is resolved to what the sandbox knows.
            let reference = match Ledger::open_in(data_dir)?.resolve(&order) {
                Ok(found) => found.merchant_order_no,
                Err(Error::NotFound(_)) => order.clone(),
                Err(e) => return Err(e),
            };
            let answer = match answer {
                TerminalAction::Approve => TerminalAnswer::Approve,
                TerminalAction::Decline => TerminalAnswer::Decline,
                TerminalAction::NoAnswer => TerminalAnswer::NoAnswer,
            };
            let store = SandboxStore::open_in(data_dir)?;
            let sale = answer_terminal(&store, &reference, answer)?;
            // No notification: a CC_PAX order's notifyUrl is http://localhost (guide page
            // "pos_semi_integration"); Paydesk's next query sees it.
            println!(
                "sandbox terminal {}: order {} ({}) is {}",
                sale.device.as_deref().unwrap_or("(no device)"),
                sale.pay_order_id,
                sale.mch_order_no,
                terminal_words(&sale)
            );
        }
        SandboxCommand::Fault(action) => {
            use paydesk_sandbox::faults::{Fault, FaultKind, Faults};
            let faults = Faults::open_in(data_dir)?;
            match action {
                FaultCommand::Set {
                    gateway,
                    call,
                    kind,
                    value,
                    times,
                } => {
                    let gateway = Gateway::parse(&gateway)?.as_str().to_string();
                    let fault = Fault {
                        gateway,
                        call,
                        kind: FaultKind::parse(&kind)?,
                        value,
                        times,
                    };
                    faults.set(&fault)?;
                    println!("{}", to_json(&fault)?);
                }
                FaultCommand::Clear { gateway } => {
                    println!("{} fault(s) cleared", faults.clear(gateway.as_deref())?)
                }
                FaultCommand::List => println!("{}", to_json(&faults.list()?)?),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The sandbox accepts any IOTPay credentials set in the keychain (test and live), checking
/// their signatures with the stored key as the gateway would. Returns the merchants it took
/// (ids only). A keychain that cannot be read leaves just the built-in merchant.
fn accept_keychain_merchants(store: &SandboxStore) -> Vec<String> {
    let vault = Vault::keychain();
    let mut accepted = Vec::new();
    for env in [Environment::Test, Environment::Live] {
        match vault.load(Gateway::Iotpay, env) {
            Ok(Some(creds)) => {
                if let (Some(id), Some(key)) = (creds.get("mchId"), creds.get("key")) {
                    store.accept_iotpay_merchant(id.expose(), key.clone());
                    accepted.push(format!("{} ({})", id.expose(), env.as_str()));
                }
            }
            Ok(None) => {}
            Err(e) => {
                tracing::info!("sandbox: no keychain merchants ({e})");
                break;
            }
        }
    }
    accepted
}

/// `sandbox ring`: sales one after another (or one every `every_ms`), each created through the
/// sandbox (this counter's own, or the one its settings point at), paid on the sandbox's
/// payment page as the customer would, and queried until the ledger says Paid.
async fn ring(data_dir: &Path, sales: u32, every_ms: u64, amount: &str) -> Result<ExitCode> {
    use paydesk_core::payments::{CreateOrderInput, Paydesk};
    let desk = Paydesk::open(data_dir, None).await?;
    let http = reqwest::Client::new();
    let mut numbers = Vec::with_capacity(sales as usize);
    let every = std::time::Duration::from_millis(every_ms);
    for _ in 0..sales {
        let started = std::time::Instant::now();
        // A till with no one signed in (a shop without staff accounts), as the tests' counters.
        let order = desk
            .create_order(
                &paydesk_core::staff::Acting::nobody(),
                &CreateOrderInput {
                    gateway: "iotpay".into(),
                    method: "wechat-qr".into(),
                    amount: amount.into(),
                    currency: "CAD".into(),
                    code: None,
                    card_id: None,
                },
            )
            .await?;
        // The customer presses Pay on the sandbox's payment page (wherever that sandbox runs).
        let page = order.payment_url.clone().ok_or_else(|| {
            Error::Internal(format!(
                "sale {} has no payment page",
                order.merchant_order_no
            ))
        })?;
        let pressed = http
            .post(format!("{page}/pay"))
            .send()
            .await
            .map_err(|e| Error::Internal(format!("the sandbox's payment page: {e}")))?;
        if !pressed.status().is_success() {
            return Err(Error::Internal(format!(
                "the sandbox's payment page answered {}",
                pressed.status()
            )));
        }
        let paid = desk.sync(order.id).await?;
        if paid.status != paydesk_domain::order::OrderStatus::Paid {
            return Err(Error::Internal(format!(
                "sale {} is {} after the customer paid",
                paid.merchant_order_no, paid.status
            )));
        }
        numbers.push(paid.merchant_order_no);
        if let Some(rest) = every.checked_sub(started.elapsed()) {
            tokio::time::sleep(rest).await;
        }
    }
    println!(
        "{}",
        to_json(&serde_json::json!({ "sales": numbers.len(), "orders": numbers }))?
    );
    Ok(ExitCode::SUCCESS)
}
