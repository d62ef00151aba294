//! The command line, on the same core as the window. Exit status: 0 done, 2 bad usage or
//! input (the message names the field and the rule; nothing is written), 1 a failure.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{Local, NaiveDate, TimeZone};
use clap::{Args, Parser, Subcommand, ValueEnum};
use paydesk_core::config::{resolve_data_dir, Mode};
use paydesk_core::export::ExportOptions;
use paydesk_core::filters::TotalsView;
use paydesk_core::payments::{CreateOrderInput, Paydesk};
use paydesk_core::views::OrderDetail;
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::{Currency, Money};
use paydesk_domain::order::{Gateway, Method, OrderStatus};
use paydesk_domain::zone::Zone;
use paydesk_ledger::ledger::{Ledger, OrderFilter};
use paydesk_ledger::queries::Period;
use paydesk_sandbox::{SandboxServer, SandboxStore};
use paydesk_secrets::vault::{
    credential_fields, primary_secret_field, Environment, Sensitive, Vault,
};

#[derive(Parser, Debug)]
#[command(
    name = "paydesk",
    version,
    about = "Paydesk: the payment counter. With no command, opens the window."
)]
pub struct Cli {
    /// Where the ledger lives (default: the OS app-data directory).
    #[arg(long, global = true, env = "PAYDESK_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// sandbox (no credentials, no real money), test or live. Default: the saved setting, else sandbox.
    #[arg(long, global = true, env = "PAYDESK_MODE", value_parser = ["sandbox", "test", "live"])]
    pub mode: Option<String>,
    /// Read the owner's PIN as the first line of stdin (for scripts) instead of a hidden
    /// prompt. Owner actions (refund, void, resend-refunds, settle-refund, settings set,
    /// credentials set/delete, export) ask for it once a PIN is set; so does `setup`.
    #[arg(long, global = true)]
    pub pin_stdin: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    pub fn mode(&self) -> Option<Mode> {
        self.mode.as_deref().and_then(|m| Mode::parse(m).ok())
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create, show or re-query one order.
    #[command(subcommand)]
    Order(OrderCommand),
    /// List orders, newest first.
    Orders(ListArgs),
    /// Export the ledger.
    #[command(subcommand)]
    Export(ExportCommand),
    /// The embedded sandbox: serve it, or act as the customer.
    #[command(subcommand)]
    Sandbox(SandboxCommand),
    /// Gateway credentials in the OS keychain.
    #[command(subcommand)]
    Credentials(CredentialsCommand),
    /// Cards kept with IOTPay for later charges (card-token).
    #[command(subcommand)]
    Card(CardCommand),
    /// Settings kept in the ledger: mode, gateway base URLs, notification addresses.
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Set up a new shop once: its name, currency, the methods the counter offers and the
    /// owner's PIN (a hidden prompt typed twice, or one line on stdin with --pin-stdin).
    Setup(SetupArgs),
    /// Back the ledger up (SQLite's online backup API) into --to DIR, else the data
    /// directory's backups folder; `backup status`: the last backup's time.
    Backup(crate::cli_backup::BackupArgs),
    /// Put a backup back as the ledger: the window closed, the owner's PIN, the file checked first.
    Restore(crate::cli_backup::RestoreArgs),
    /// Check the data directory, the ledger, the keychain and the sandbox.
    Doctor,
    /// Re-query every order still open at its gateway and record the answers, as the window
    /// does at startup (for a counter without the window). One line per order: id, number,
    /// status before -> after. Exit status 1 if any order could not be reconciled.
    Reconcile {
        #[arg(long)]
        json: bool,
    },
    /// Takings of the filtered orders per currency (paid minus refunded, never mixed), with
    /// the waiting, failed, cancelled and expired orders counted beside them, never summed in.
    Totals(TotalsArgs),
    /// Orders per day or month x gateway x status, summed per currency.
    Report(ReportArgs),
    /// Development tools: a seeded ledger, the benchmark.
    #[command(subcommand, hide = true)]
    Dev(DevCommand),
}

/// What the owner found at the gateway about a refund whose outcome was unknown.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum SettleOutcome {
    /// It went through.
    Done,
    /// It did not go through.
    Failed,
}

#[derive(Subcommand, Debug)]
pub enum OrderCommand {
    /// Create a payment request and print its link.
    Create {
        #[arg(long)]
        gateway: String,
        /// iotpay: wechat-qr, alipay-qr, unionpay-qr (QR on screen); barcode (with --code: the
        /// customer's payment code); alipay-web, unionpay-web, card-link (payment links);
        /// wechat-app, alipay-app, unionpay-app (payParams for an app); card (embedded card
        /// form); card-token (with --card-id: a saved card).
        #[arg(long, verbatim_doc_comment)]
        method: String,
        /// As a cashier types it: 12.50
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        #[arg(long, default_value = "CAD")]
        currency: String,
        /// The customer's payment code, as a scanner reads it (barcode).
        #[arg(long)]
        code: Option<String>,
        /// A saved card's id (card-token).
        #[arg(long)]
        card_id: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Refund a paid order: all that is left, or --amount.
    Refund {
        id: String,
        /// As typed: 5.00 (default: everything not yet refunded).
        #[arg(long, allow_hyphen_values = true)]
        amount: Option<String>,
        #[arg(long)]
        reason: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Void an unsettled card payment (in full).
    Void {
        id: String,
        #[arg(long)]
        reason: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Cancel a sale still waiting for its payment: at the gateway where it has a call for
    /// it (SmartPay), else in Paydesk only (a payment that still arrives is recorded as paid,
    /// with a note to refund it).
    Cancel {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Resend the order's refunds and voids whose outcome is unknown (the gateway did not
    /// answer), under the same refund numbers so the gateway recognises a repeat.
    ResendRefunds {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Settle a refund or void whose outcome is unknown, once you have looked it up in the
    /// gateway's records: done (it went through) or failed (its amount is refundable again).
    SettleRefund {
        /// The refund number, as `order show` lists it (RF... or VD...).
        refund_no: String,
        #[arg(long, value_enum)]
        outcome: SettleOutcome,
        #[arg(long)]
        json: bool,
    },
    /// Capture a SmartPay authorisation (in full unless --amount).
    Capture {
        id: String,
        /// As typed: 5.00 (default: the whole authorisation).
        #[arg(long)]
        amount: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// SmartExPay manual payment methods: you saw the customer's money arrive, so the order
    /// moves from waitPayment to inProgress at SmartExPay (then it is re-queried).
    ConfirmPayment {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Show an order (by ledger id, merchant order number or gateway order id) with its events.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Ask the gateway for the order's status and record the answer.
    Sync {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug, Clone)]
pub struct FilterArgs {
    #[arg(long)]
    status: Option<String>,
    #[arg(long)]
    gateway: Option<String>,
    /// First day (YYYY-MM-DD, local time) or an RFC 3339 instant.
    #[arg(long)]
    from: Option<String>,
    /// Last day, inclusive (YYYY-MM-DD), or an RFC 3339 instant (exclusive).
    #[arg(long)]
    to: Option<String>,
    /// Part of a merchant order number, gateway order id or customer (any case).
    #[arg(long)]
    search: Option<String>,
    /// A payment method, such as wechat-qr.
    #[arg(long)]
    method: Option<String>,
    /// Only orders in this currency; --min-amount and --max-amount are read in it.
    #[arg(long)]
    currency: Option<String>,
    /// Smallest amount, inclusive, as typed: 20.00 (needs --currency).
    #[arg(long)]
    min_amount: Option<String>,
    /// Largest amount, inclusive, as typed: 150 (needs --currency).
    #[arg(long)]
    max_amount: Option<String>,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    #[command(flatten)]
    filter: FilterArgs,
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// Skip this many orders (offset paging).
    #[arg(long)]
    offset: Option<u32>,
    /// The next page: orders after this one (a ledger id or order number) in list order.
    #[arg(long)]
    before: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// Orders as CSV (to stdout, or --output FILE).
    Csv {
        #[command(flatten)]
        filter: FilterArgs,
        #[arg(long)]
        output: Option<PathBuf>,
        /// Columns, in order, separated by commas (default: the standard twelve). Any of
        /// id, created_at, updated_at, expires_at, merchant_order_no, gateway, method,
        /// environment, status, amount, currency, refunded, gateway_order_id, gateway_status,
        /// customer, description.
        #[arg(long, verbatim_doc_comment)]
        columns: Option<String>,
        /// Time zone of the dates: local (default), UTC, or an offset such as +05:30.
        #[arg(long, default_value = "local", allow_hyphen_values = true)]
        tz: String,
        /// Start with a UTF-8 byte order mark (Excel then reads the file as UTF-8).
        #[arg(long)]
        bom: bool,
        /// Print the process's peak memory (VmHWM) on stderr when done (the benchmark).
        #[arg(long, hide = true)]
        peak_memory: bool,
    },
}

#[derive(Args, Debug)]
pub struct SetupArgs {
    /// The shop's name, shown on the customer display (1 to 60 characters).
    #[arg(long)]
    shop_name: String,
    /// The counter's currency (ISO code: CAD, USD, EUR, INR ...).
    #[arg(long)]
    currency: String,
    /// The methods the counter offers, in order, separated by commas: wechat-qr,alipay-qr.
    #[arg(long)]
    methods: String,
}

#[derive(Args, Debug)]
pub struct TotalsArgs {
    #[command(flatten)]
    filter: FilterArgs,
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    filter: FilterArgs,
    /// day or month.
    #[arg(long, default_value = "day")]
    by: String,
    /// Time zone the days and months are counted in: local (default), UTC, or +05:30.
    #[arg(long, default_value = "local", allow_hyphen_values = true)]
    tz: String,
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand, Debug)]
pub enum DevCommand {
    /// Fill the ledger with realistic orders over the last two years (for trying things out
    /// and the benchmark).
    Seed {
        #[arg(long)]
        orders: u64,
        /// Random seed: the same seed gives the same orders.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// The ledger at scale, timed (run in release: `make bench`).
    Bench(crate::bench::BenchArgs),
}

#[derive(Subcommand, Debug)]
pub enum SettingsCommand {
    /// Set one: `mode` (sandbox|test|live), `shop.name`, `shop.currency` (ISO code),
    /// `notify.bind` (ip:port), `http.timeout_ms`, or `<gateway>.<test|live>.<name>`, e.g.
    /// iotpay.live.v1_base (an unknown key lists them all). An empty value unsets it.
    #[command(verbatim_doc_comment)]
    Set { key: String, value: String },
    /// Unset one: its default applies again (the same as `set KEY ""`).
    Remove { key: String },
    /// Every setting that has a value.
    Show,
}

#[derive(Subcommand, Debug)]
pub enum CardCommand {
    /// Start keeping a customer's card under CARD_ID: prints the form link to enter it.
    Add { card_id: String },
    /// What IOTPay keeps of a stored card (masked number).
    Show { card_id: String },
}

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
    /// Make the sandbox misbehave: latency, timeouts, 5xx, malformed or truncated bodies,
    /// wrong signatures, rejected tokens, duplicate or out-of-order notifications.
    #[command(subcommand)]
    Fault(FaultCommand),
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
        /// duplicate-notify, out-of-order-notify
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

#[derive(Subcommand, Debug)]
pub enum CredentialsCommand {
    /// Store credentials: the secret is read from stdin (or a hidden prompt), never from argv.
    Set {
        gateway: String,
        #[arg(long)]
        env: String,
        /// A non-secret field, such as --field mchId=10000701 --field loginName=jack123.
        #[arg(long = "field", value_name = "NAME=VALUE")]
        fields: Vec<String>,
        /// Which secret field stdin (or the prompt) fills, for a gateway with more than one:
        /// SmartPay's clientSecret (OAuth) rather than its authenticationKey (Basic).
        #[arg(long = "secret", value_name = "NAME")]
        secret: Option<String>,
    },
    /// Which gateways are configured (never the values).
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Remove a gateway's credentials for one environment.
    Delete {
        gateway: String,
        #[arg(long)]
        env: String,
    },
}

pub fn run(cli: Cli, command: Command) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(execute(&cli, command)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error[{}]: {e}", e.code());
            ExitCode::from(if e.is_bad_input() { 2 } else { 1 })
        }
    }
}

async fn execute(cli: &Cli, command: Command) -> Result<ExitCode> {
    let data_dir = resolve_data_dir(cli.data_dir.clone())?;
    match command {
        Command::Order(OrderCommand::Create {
            gateway,
            method,
            amount,
            currency,
            code,
            card_id,
            json,
        }) => {
            let desk = Paydesk::open(&data_dir, cli.mode()).await?;
            let order = desk
                .create_order(&CreateOrderInput {
                    gateway,
                    method,
                    amount,
                    currency,
                    code,
                    card_id,
                })
                .await?;
            print_order(&desk, order.id, json)?;
        }
        Command::Order(OrderCommand::Refund {
            id,
            amount,
            reason,
            json,
        }) => {
            let desk = Paydesk::open(&data_dir, cli.mode()).await?;
            let order = desk.ledger().resolve(&id)?;
            owner_pin(cli, desk.ledger())?;
            let (refund, _) = desk
                .refund(order.id, amount.as_deref(), reason.as_deref())
                .await?;
            warn_if_pending(&refund);
            print_order(&desk, order.id, json)?;
        }
        Command::Order(OrderCommand::Void { id, reason, json }) => {
            let desk = Paydesk::open(&data_dir, cli.mode()).await?;
            let order = desk.ledger().resolve(&id)?;
            owner_pin(cli, desk.ledger())?;
            let (refund, _) = desk.void(order.id, reason.as_deref()).await?;
            warn_if_pending(&refund);
            print_order(&desk, order.id, json)?;
        }
        Command::Order(OrderCommand::Cancel { id, json }) => {
            let desk = Paydesk::open(&data_dir, cli.mode()).await?;
            let order = desk.ledger().resolve(&id)?;
            desk.cancel(order.id).await?;
            print_order(&desk, order.id, json)?;
        }
        Command::Order(OrderCommand::ResendRefunds { id, json }) => {
            let desk = Paydesk::open(&data_dir, cli.mode()).await?;
            let order = desk.ledger().resolve(&id)?;
            owner_pin(cli, desk.ledger())?;
            desk.retry_reversals(order.id).await?;
            print_order(&desk, order.id, json)?;
        }
        Command::Order(OrderCommand::SettleRefund {
            refund_no,
            outcome,
            json,
        }) => {
            let desk = Paydesk::open(&data_dir, cli.mode()).await?;
            owner_pin(cli, desk.ledger())?;
            let (refund, _) =
                desk.settle_reversal(&refund_no, matches!(outcome, SettleOutcome::Done))?;
            print_order(&desk, refund.order_id, json)?;
        }
        Command::Order(OrderCommand::Capture { id, amount, json }) => {
            let desk = Paydesk::open(&data_dir, cli.mode()).await?;
            let order = desk.ledger().resolve(&id)?;
            desk.capture(order.id, amount.as_deref()).await?;
            print_order(&desk, order.id, json)?;
        }
        Command::Order(OrderCommand::ConfirmPayment { id, json }) => {
            let desk = Paydesk::open(&data_dir, cli.mode()).await?;
            let order = desk.ledger().resolve(&id)?;
            desk.confirm_manual_payment(order.id).await?;
            print_order(&desk, order.id, json)?;
        }
        Command::Order(OrderCommand::Show { id, json }) => {
            let desk = Paydesk::open(&data_dir, cli.mode()).await?;
            let order = desk.ledger().resolve(&id)?;
            print_order(&desk, order.id, json)?;
        }
        Command::Order(OrderCommand::Sync { id, json }) => {
            let desk = Paydesk::open(&data_dir, cli.mode()).await?;
            let order = desk.ledger().resolve(&id)?;
            desk.sync(order.id).await?;
            print_order(&desk, order.id, json)?;
        }
        Command::Orders(args) => {
            let ledger = Ledger::open_in(&data_dir)?;
            let before = match &args.before {
                Some(reference) => Some(paydesk_ledger::ledger::Cursor::after(
                    &ledger.resolve(reference)?,
                )),
                None => None,
            };
            let filter = OrderFilter {
                limit: Some(args.limit),
                offset: args.offset,
                before,
                ..args.filter.parse()?
            };
            let orders = ledger.list(&filter)?;
            if args.json {
                let details: Vec<OrderDetail> = orders
                    .iter()
                    .map(|o| OrderDetail::load(&ledger, o.id, false))
                    .collect::<Result<_>>()?;
                println!("{}", to_json(&details)?);
            } else {
                for o in &orders {
                    println!(
                        "{:>6}  {}  {:<24}  {:<10} {:<12} {:>12} {}  {}",
                        o.id,
                        paydesk_core::views::rfc3339(o.created_at_ms),
                        o.merchant_order_no,
                        o.gateway.as_str(),
                        o.method.as_str(),
                        o.amount.display_amount(),
                        o.amount.currency(),
                        o.status
                    );
                }
                eprintln!("{} order(s)", orders.len());
            }
        }
        Command::Export(ExportCommand::Csv {
            filter,
            output,
            columns,
            tz,
            bom,
            peak_memory,
        }) => {
            let filter = filter.parse()?;
            let mut options = ExportOptions {
                zone: Zone::parse(&tz)?,
                bom,
                ..Default::default()
            };
            if let Some(columns) = columns {
                options.columns = ExportOptions::parse_columns(&columns)?;
            }
            let ledger = Ledger::open_in(&data_dir)?;
            owner_pin(cli, &ledger)?;
            let rows = match output {
                Some(path) => {
                    // As the window's export: never into the data folder, written beside the
                    // target and renamed, so a failed export leaves no half file.
                    let path = paydesk_core::export::outside_data_dir(
                        std::path::absolute(&path)?,
                        &data_dir,
                    )?;
                    let summary = paydesk_core::export::export_to_path(
                        &ledger,
                        &filter,
                        &options,
                        &path,
                        u64::MAX,
                        |_| Ok(()),
                    )?;
                    eprintln!("{} order(s) written to {}", summary.rows, path.display());
                    eprint!("{}", totals_text(&summary.totals));
                    summary.rows
                }
                None => paydesk_core::export::write_csv_with(
                    &ledger,
                    &filter,
                    &options,
                    std::io::stdout().lock(),
                )?,
            };
            let _ = rows;
            if peak_memory {
                eprintln!(
                    "peak memory: {} KiB",
                    crate::bench::peak_memory_kib().unwrap_or(0)
                );
            }
        }
        Command::Totals(args) => {
            let ledger = Ledger::open_in(&data_dir)?;
            let totals = TotalsView::of(&ledger.totals(&args.filter.parse()?)?);
            if args.json {
                println!("{}", to_json(&totals)?);
            } else {
                print!("{}", totals_text(&totals));
            }
        }
        Command::Report(args) => {
            let ledger = Ledger::open_in(&data_dir)?;
            let period = Period::parse(&args.by)?;
            let zone = Zone::parse(&args.tz)?;
            let filter = args.filter.parse()?;
            let report = paydesk_core::reports::build(
                &ledger,
                &filter,
                period,
                &zone,
                (
                    args.filter.from.clone().unwrap_or_default(),
                    args.filter.to.clone().unwrap_or_default(),
                ),
                Vec::new(),
            )?;
            if args.json {
                println!("{}", to_json(&report)?);
            } else {
                for r in &report.rows {
                    let amount =
                        Currency::parse(&r.currency).map(|c| c.decimal_string(r.amount_minor))?;
                    println!(
                        "{:<10}  {:<10} {:<13} {:<18} {} {:>8} {:>16}",
                        r.period,
                        r.gateway,
                        r.method,
                        paydesk_domain::order::OrderStatus::parse(&r.status)
                            .map(|s| s.label())
                            .unwrap_or(&r.status),
                        r.currency,
                        r.count,
                        amount
                    );
                }
                eprintln!("{} line(s)", report.rows.len());
                print!("{}", totals_text(&report.totals));
            }
        }
        Command::Dev(DevCommand::Seed { orders, seed }) => {
            let ledger = Ledger::open_in(&data_dir)?;
            let started = std::time::Instant::now();
            let seeded = paydesk_ledger::seed::seed(&ledger, orders, seed)?;
            println!(
                "seeded {} orders, {} events, {} refunds into {} in {:.1} s",
                seeded.orders,
                seeded.events,
                seeded.refunds,
                ledger.path().display(),
                started.elapsed().as_secs_f64()
            );
        }
        Command::Dev(DevCommand::Bench(args)) => return crate::bench::run(&data_dir, &args),
        Command::Sandbox(SandboxCommand::Serve { port, host }) => {
            let server = SandboxServer::start(&data_dir, SocketAddr::new(host, port)).await?;
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
        Command::Sandbox(SandboxCommand::Pay { id, decline }) => {
            // A ledger id or merchant order number is resolved to what the sandbox knows.
            let (reference, gateway_reference) = match Ledger::open_in(&data_dir)?.resolve(&id) {
                Ok(order) => (order.merchant_order_no, order.gateway_order_id),
                Err(Error::NotFound(_)) => (id.clone(), None),
                Err(e) => return Err(e),
            };
            let store = SandboxStore::open_in(&data_dir)?;
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
                let faults = paydesk_sandbox::faults::Faults::open_in(&data_dir)?;
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
        Command::Sandbox(SandboxCommand::Fault(action)) => {
            use paydesk_sandbox::faults::{Fault, FaultKind, Faults};
            let faults = Faults::open_in(&data_dir)?;
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
        Command::Settings(SettingsCommand::Set { key, value }) => {
            let ledger = Ledger::open_in(&data_dir)?;
            // Checked before the PIN: a typo costs no PIN try.
            paydesk_core::settings::check_all(&[(key.clone(), value.clone())])?;
            owner_pin(cli, &ledger)?;
            match paydesk_core::settings::set(&ledger, &key, &value)? {
                Some(checked) => {
                    println!("{key} = {}", checked.value);
                    if let Some(warning) = checked.warning {
                        eprintln!("warning: {warning}");
                    }
                }
                None => println!("{key} unset: the default applies"),
            }
        }
        Command::Settings(SettingsCommand::Remove { key }) => {
            let ledger = Ledger::open_in(&data_dir)?;
            paydesk_core::settings::check_all(&[(key.clone(), String::new())])?;
            owner_pin(cli, &ledger)?;
            paydesk_core::settings::set(&ledger, &key, "")?;
            println!("{key} unset: the default applies");
        }
        Command::Settings(SettingsCommand::Show) => {
            let ledger = Ledger::open_in(&data_dir)?;
            for key in paydesk_core::settings::known_keys() {
                if let Some(value) = ledger.setting(&key)? {
                    println!("{key} = {value}");
                }
            }
        }
        Command::Credentials(CredentialsCommand::Set {
            gateway,
            env,
            fields,
            secret: secret_field,
        }) => {
            let gateway = Gateway::parse(&gateway)?;
            let env = Environment::parse(&env)?;
            let mut values = parse_fields(gateway, &fields)?;
            let secret_name = match secret_field {
                None => primary_secret_field(gateway).to_string(),
                Some(name) => {
                    let secrets: Vec<&str> = credential_fields(gateway)
                        .iter()
                        .filter(|f| f.secret)
                        .map(|f| f.name)
                        .collect();
                    if !secrets.contains(&name.as_str()) {
                        return Err(Error::invalid(
                            "secret",
                            format!(
                                "{} has no secret field {name:?}: use {}",
                                gateway.as_str(),
                                secrets.join(", ")
                            ),
                        ));
                    }
                    name
                }
            };
            // The PIN first: with --pin-stdin it is stdin's first line, the secret the rest.
            owner_pin(cli, &Ledger::open_in(&data_dir)?)?;
            if let Some(secret) = read_secret(gateway)? {
                values.insert(secret_name, secret);
            }
            if values.is_empty() {
                return Err(Error::invalid(
                    "secret",
                    "nothing to store: pipe the secret on stdin or pass --field NAME=VALUE",
                ));
            }
            let status = Vault::keychain().save(gateway, env, values)?;
            println!(
                "{} {}: stored in the OS keychain; set: {}{}",
                gateway.as_str(),
                env.as_str(),
                status.fields_set.join(", "),
                if status.missing.is_empty() {
                    String::new()
                } else {
                    format!("; still missing: {}", status.missing.join(", "))
                }
            );
        }
        Command::Credentials(CredentialsCommand::Status { json }) => {
            let status = Vault::keychain().status()?;
            if json {
                println!("{}", to_json(&status)?);
            } else {
                for s in status {
                    println!(
                        "{:<11} {:<5} {:<14} {}",
                        s.gateway.as_str(),
                        s.environment.as_str(),
                        if s.configured {
                            "configured"
                        } else if s.fields_set.is_empty() {
                            "not set"
                        } else {
                            "incomplete"
                        },
                        s.fields_set.join(", ")
                    );
                }
            }
        }
        Command::Credentials(CredentialsCommand::Delete { gateway, env }) => {
            let gateway = Gateway::parse(&gateway)?;
            let env = Environment::parse(&env)?;
            owner_pin(cli, &Ledger::open_in(&data_dir)?)?;
            let removed = Vault::keychain().delete(gateway, env)?;
            println!(
                "{} {}: {}",
                gateway.as_str(),
                env.as_str(),
                if removed {
                    "deleted"
                } else {
                    "there was nothing to delete"
                }
            );
        }
        Command::Card(CardCommand::Add { card_id }) => {
            let desk = Paydesk::open(&data_dir, cli.mode()).await?;
            println!("{}", to_json(&desk.add_card(&card_id).await?)?);
        }
        Command::Card(CardCommand::Show { card_id }) => {
            let desk = Paydesk::open(&data_dir, cli.mode()).await?;
            println!("{}", to_json(&desk.query_card(&card_id).await?)?);
        }
        Command::Setup(args) => {
            let ledger = Ledger::open_in(&data_dir)?;
            if !paydesk_core::setup::needed(&ledger)? {
                // Refused before any PIN is asked for.
                paydesk_core::setup::complete(&ledger, &Default::default())?;
            }
            let (pin, pin_repeat) = if cli.pin_stdin {
                let pin = read_stdin_line()?;
                (pin.clone(), pin)
            } else if std::io::stdin().is_terminal() {
                (
                    rpassword::prompt_password("Owner PIN, 4 to 12 digits (hidden): ")?,
                    rpassword::prompt_password("The same PIN again: ")?,
                )
            } else {
                return Err(Error::Refused {
                    code: "pin_required",
                    field: Some("pin"),
                    message: "setup sets the owner's PIN: type it at the prompt on a terminal, or pipe it with --pin-stdin".into(),
                });
            };
            paydesk_core::setup::complete(
                &ledger,
                &paydesk_core::setup::SetupInput {
                    shop_name: args.shop_name,
                    currency: args.currency,
                    pin,
                    pin_repeat,
                    methods: args
                        .methods
                        .split(',')
                        .map(str::trim)
                        .filter(|m| !m.is_empty())
                        .map(str::to_string)
                        .collect(),
                },
            )?;
            let state = paydesk_core::setup::state(&ledger)?;
            println!(
                "{} is set up: {}, offering {}; owner actions now need the PIN",
                state.shop_name,
                state.currency,
                state.methods.join(", ")
            );
        }
        Command::Backup(args) => return crate::cli_backup::backup(&data_dir, args),
        Command::Restore(args) => {
            if data_dir.join(paydesk_ledger::ledger::LEDGER_FILE).is_file() {
                owner_pin(cli, &Ledger::open_in(&data_dir)?)?;
            }
            return crate::cli_backup::restore(&data_dir, args);
        }
        Command::Doctor => return doctor(&data_dir, cli.mode()).await,
        Command::Reconcile { json } => return reconcile(&data_dir, cli.mode(), json).await,
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

fn print_order(desk: &Arc<Paydesk>, id: i64, json: bool) -> Result<()> {
    let detail = OrderDetail::load(desk.ledger(), id, false)?;
    let order = desk.ledger().get(id)?;
    if json {
        println!("{}", to_json(&detail)?);
        return Ok(());
    }
    println!("Order {}  {}", order.id, order.merchant_order_no);
    println!(
        "  {} {} via {} {} ({})",
        order.amount.display_amount(),
        order.amount.currency(),
        order.gateway.as_str(),
        order.method.as_str(),
        order.environment
    );
    println!(
        "  status: {}{}{}",
        order.status,
        Some(order.status.label())
            .filter(|l| !l.eq_ignore_ascii_case(&order.status.as_str().replace('_', " ")))
            .map(|l| format!(" ({l})"))
            .unwrap_or_default(),
        detail
            .order
            .gateway_status_label
            .as_deref()
            .map(|label| format!("; the gateway says: {label}"))
            .unwrap_or_default()
    );
    if let Some(reason) = &detail.order.reason {
        println!("  why: {reason}");
    }
    if let Some(id) = &order.gateway_order_id {
        println!("  gateway order: {id}");
    }
    if let Some(url) = &order.payment_url {
        println!("  pay at: {url}");
    }
    for r in &detail.refunds {
        let currency = order.amount.currency();
        println!(
            "  {:?} {} {} {currency} ({}){}",
            r.kind,
            r.refund_no,
            currency.decimal_string(r.amount_minor),
            r.status.as_str(),
            r.reason
                .as_deref()
                .map(|why| format!(": {why}"))
                .unwrap_or_default()
        );
    }
    for e in detail.events.iter().filter(|e| e.changed) {
        println!(
            "  {}  {:<9} {}{}{}",
            e.at,
            e.source,
            e.label,
            e.gateway_status
                .as_deref()
                .map(|g| format!(" [{g}]"))
                .unwrap_or_default(),
            e.note
                .as_deref()
                .map(|n| format!("  {n}"))
                .unwrap_or_default()
        );
    }
    Ok(())
}

/// `paydesk totals` for people: the takings per currency as the headline, and beside them the
/// orders that brought no money, counted and never summed in.
fn totals_text(totals: &TotalsView) -> String {
    let mut out = String::new();
    if totals.by_currency.is_empty() {
        out.push_str("takings: none\n");
    }
    for t in &totals.by_currency {
        out.push_str(&format!(
            "takings {} {:>16}  ({} paid, {} taken, {} refunded)",
            t.currency, t.takings_display, t.paid_count, t.taken_display, t.refunded_display
        ));
        if t.waiting_count > 0 {
            out.push_str(&format!(
                "  waiting: {} order(s), {} {} not counted",
                t.waiting_count, t.waiting_display, t.currency
            ));
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "{} order(s): {} waiting, {} failed, {} cancelled, {} expired (not in takings)\n",
        totals.count, totals.waiting, totals.failed, totals.cancelled, totals.expired
    ));
    out
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string_pretty(value).map_err(|e| Error::Internal(e.to_string()))
}

impl FilterArgs {
    fn parse(&self) -> Result<OrderFilter> {
        let currency = self.currency.as_deref().map(Currency::parse).transpose()?;
        let amount = |field: &'static str, text: Option<&str>| -> Result<Option<i64>> {
            let Some(text) = text else { return Ok(None) };
            let currency = currency.ok_or_else(|| {
                Error::invalid(
                    field,
                    "give --currency too: an amount is read in one currency",
                )
            })?;
            Ok(Some(Money::parse(text, currency)?.minor()))
        };
        Ok(OrderFilter {
            status: self.status.as_deref().map(OrderStatus::parse).transpose()?,
            gateway: self.gateway.as_deref().map(Gateway::parse).transpose()?,
            from_ms: self
                .from
                .as_deref()
                .map(|d| parse_instant("from", d, false))
                .transpose()?,
            to_ms: self
                .to
                .as_deref()
                .map(|d| parse_instant("to", d, true))
                .transpose()?,
            search: self.search.clone(),
            method: self
                .method
                .as_deref()
                .map(|m| parse_method(m, self.gateway.as_deref()))
                .transpose()?,
            currency,
            min_amount_minor: amount("min-amount", self.min_amount.as_deref())?,
            max_amount_minor: amount("max-amount", self.max_amount.as_deref())?,
            ..Default::default()
        })
    }
}

/// A method by its name alone, or checked against the gateway when one is given.
fn parse_method(text: &str, gateway: Option<&str>) -> Result<Method> {
    match gateway {
        Some(g) => Method::parse(Gateway::parse(g)?, text),
        None => Method::ALL
            .into_iter()
            .find(|m| m.as_str() == text.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                let names: Vec<&str> = Method::ALL.iter().map(|m| m.as_str()).collect();
                Error::invalid(
                    "method",
                    format!("unknown method {text:?}: use one of {}", names.join(", ")),
                )
            }),
    }
}

/// A day (local midnight; the day after for an inclusive end) or an RFC 3339 instant.
fn parse_instant(field: &'static str, text: &str, end_of_day: bool) -> Result<i64> {
    if let Ok(instant) = chrono::DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(instant.timestamp_millis());
    }
    let day = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        Error::invalid(
            field,
            format!("{text:?} is not a date: use YYYY-MM-DD or an RFC 3339 time"),
        )
    })?;
    let day = if end_of_day {
        day.succ_opt().unwrap_or(day)
    } else {
        day
    };
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    Local
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.timestamp_millis())
        .ok_or_else(|| {
            Error::invalid(
                field,
                format!("{text:?} does not exist in the local time zone"),
            )
        })
}

fn parse_fields(
    gateway: Gateway,
    fields: &[String],
) -> Result<BTreeMap<String, Sensitive<String>>> {
    let specs = credential_fields(gateway);
    let mut out = BTreeMap::new();
    for pair in fields {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| Error::invalid("field", format!("{pair:?} is not NAME=VALUE")))?;
        match specs.iter().find(|f| f.name == name) {
            Some(spec) if spec.secret => {
                return Err(Error::invalid(
                    "field",
                    format!("{name} is a secret: pipe it on stdin, never on the command line"),
                ))
            }
            Some(_) => {
                out.insert(name.to_string(), Sensitive::new(value.to_string()));
            }
            None => {
                let names: Vec<&str> = specs.iter().filter(|f| !f.secret).map(|f| f.name).collect();
                return Err(Error::invalid(
                    "field",
                    format!(
                        "{} has no field {name:?}: use {}",
                        gateway.as_str(),
                        names.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// The owner's PIN for an owner action, once one is set (before, nothing is asked): the first
/// line of stdin with --pin-stdin, else a hidden prompt on a terminal. Missing, wrong or locked
/// out is an error (exit 2) before anything is changed; wrong tries count toward the lockout
/// the window shares (kept in the ledger).
fn owner_pin(cli: &Cli, ledger: &Ledger) -> Result<()> {
    let owner = paydesk_core::owner::OwnerLock;
    if !owner.is_set(ledger)? {
        return Ok(());
    }
    let pin = if cli.pin_stdin {
        read_stdin_line()?
    } else if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Owner PIN (hidden): ")?
    } else {
        return Err(Error::Refused {
            code: "pin_required",
            field: Some("pin"),
            message: "this needs the owner's PIN: type it at the prompt on a terminal, or pipe it with --pin-stdin".into(),
        });
    };
    owner.authorize(ledger, pin.trim())
}

/// One line of stdin, without its line ending (the rest stays for later reads).
fn read_stdin_line() -> Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// The secret from a hidden prompt on a terminal, or stdin when piped. Only a trailing line
/// ending is removed.
fn read_secret(gateway: Gateway) -> Result<Option<Sensitive<String>>> {
    let label = credential_fields(gateway)
        .iter()
        .find(|f| f.secret)
        .map(|f| f.label)
        .unwrap_or("Secret");
    let text = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("{label} (hidden; Enter to keep the current one): "))?
    } else {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        text
    };
    let text = text
        .strip_suffix('\n')
        .map(|t| t.strip_suffix('\r').unwrap_or(t))
        .unwrap_or(&text)
        .to_string();
    Ok((!text.is_empty()).then(|| Sensitive::new(text)))
}

/// One order's line of `paydesk reconcile`.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Reconciled {
    /// None when the failure could not be tied to an order (see `reconcile`).
    id: Option<i64>,
    merchant_order_no: Option<String>,
    before: Option<OrderStatus>,
    after: Option<OrderStatus>,
    gateway_status: Option<String>,
    moved: bool,
    /// Why it could not be reconciled (it stays as it was, and is tried again next time).
    error: Option<String>,
}

#[derive(serde::Serialize)]
struct ReconcileSummary {
    orders: usize,
    moved: usize,
    unchanged: usize,
    failed: usize,
}

/// `paydesk reconcile`: `Paydesk::reconcile` (the window's startup), then what it did.
async fn reconcile(data_dir: &std::path::Path, mode: Option<Mode>, json: bool) -> Result<ExitCode> {
    let desk = Paydesk::open(data_dir, mode).await?;
    let results = desk.reconcile().await?;
    let mut lines = Vec::with_capacity(results.len());
    for (before, result) in results {
        let (after, error) = match result {
            Ok(after) => (after, None),
            Err(e) => (desk.ledger().get(before.id)?, Some(e.to_string())),
        };
        lines.push(Reconciled {
            id: Some(after.id),
            merchant_order_no: Some(after.merchant_order_no.clone()),
            before: Some(before.status),
            after: Some(after.status),
            gateway_status: after.gateway_status.clone(),
            moved: before.status != after.status,
            error,
        });
    }
    let failed = lines.iter().filter(|l| l.error.is_some()).count();
    let moved = lines.iter().filter(|l| l.moved).count();
    let summary = ReconcileSummary {
        orders: lines.len(),
        moved,
        unchanged: lines.len() - moved - failed,
        failed,
    };
    if json {
        println!(
            "{}",
            to_json(&serde_json::json!({ "orders": lines, "summary": summary }))?
        );
    } else {
        let word = |s: Option<OrderStatus>| s.map(|s| s.as_str()).unwrap_or("?");
        for l in &lines {
            let id = l.id.map(|id| id.to_string()).unwrap_or_else(|| "?".into());
            let number = l.merchant_order_no.as_deref().unwrap_or("?");
            match &l.error {
                None => println!(
                    "{id:>6}  {number:<24}  {} -> {}",
                    word(l.before),
                    word(l.after)
                ),
                Some(e) => println!(
                    "{id:>6}  {number:<24}  {} -> {} (not reconciled: {e})",
                    word(l.before),
                    word(l.after)
                ),
            }
        }
        println!(
            "{} order(s) reconciled: {} moved, {} unchanged, {} could not be reconciled",
            summary.orders, summary.moved, summary.unchanged, summary.failed
        );
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

async fn doctor(data_dir: &std::path::Path, mode: Option<Mode>) -> Result<ExitCode> {
    let mut healthy = true;
    println!("data directory: {}", data_dir.display());
    let desk = Paydesk::open(data_dir, mode).await?;
    let open = desk.ledger().open_orders()?.len();
    println!(
        "ledger: {} (schema v{}), {open} open order(s)",
        desk.ledger().path().display(),
        paydesk_ledger::ledger::schema_version()
    );
    println!("mode: {}", desk.mode().as_str());
    let unanswered = desk.ledger().pending_refunds()?;
    if !unanswered.is_empty() {
        let refunds: Vec<String> = unanswered
            .iter()
            .map(|r| format!("{} (order {})", r.refund_no, r.order_id))
            .collect();
        println!(
            "refunds with no answer: {}: resend them (order resend-refunds ID) or settle them from the gateway's records (order settle-refund NO --outcome done|failed)",
            refunds.join(", ")
        );
    }
    for late in desk.late_payments()? {
        println!(
            "late payment: order {} ({} {}): {}",
            late.order.merchant_order_no,
            late.order.amount.display_amount(),
            late.order.amount.currency().code(),
            late.note
        );
    }
    match Vault::keychain().status() {
        Ok(status) => {
            let configured: Vec<String> = status
                .iter()
                .filter(|s| s.configured)
                .map(|s| format!("{} {}", s.gateway.as_str(), s.environment.as_str()))
                .collect();
            println!(
                "keychain: available; configured: {}",
                if configured.is_empty() {
                    "none".into()
                } else {
                    configured.join(", ")
                }
            );
        }
        Err(e) => {
            println!("keychain: {e}");
            healthy &= desk.mode() == Mode::Sandbox;
        }
    }
    match desk.sandbox().await {
        Ok(server) => println!("sandbox: answers on {}", server.base_url()),
        Err(e) => {
            println!("sandbox: {e}");
            healthy = false;
        }
    }
    let display = std::env::var_os("DISPLAY").or_else(|| std::env::var_os("WAYLAND_DISPLAY"));
    println!(
        "display: {}",
        if display.is_some() {
            "present"
        } else {
            "none (the window needs one: run under Xvfb, see README)"
        }
    );
    Ok(if healthy {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// A refund or void the gateway has not answered clearly is not a failure: it is held back,
/// asked about again, and the owner is told how it settles.
fn warn_if_pending(refund: &paydesk_ledger::ledger::Refund) {
    if refund.status == paydesk_ledger::ledger::RefundStatus::Pending {
        eprintln!(
            "{} {} is pending: the gateway has not answered clearly, so its amount is held back. \
             `paydesk reconcile` asks again; `paydesk order resend-refunds` or `order settle-refund` settle it.",
            refund.kind.as_str(),
            refund.refund_no
        );
    }
}
