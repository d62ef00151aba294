//! The command line, on the same core as the window. Exit status: 0 done, 2 bad usage or
//! input (the message names the field and the rule; nothing is written), 1 a failure.
//!
//! Here: the top of the command tree and the dispatch. Each family of subcommands is a module
//! with its own arguments and handlers: `order` (one order, saved cards), `orders` (the
//! filtered orders: list, totals, report, export) with `filter` (their flags), `settings`
//! (settings and credentials), `owner` (setup), `staff` (acting as a staff member, approvals;
//! staff, shifts, the audit log), `shop` (the shop ledger
//! shared by several counters), `sandbox` (the sandbox and the development tools), `checks`
//! (doctor, reconcile), `backup` (backup and restore), `receipt` (print, PDF, text).

mod backup;
mod checks;
mod dev;
mod filter;
mod order;
mod orders;
mod owner;
mod receipt;
#[cfg(feature = "sandbox")]
mod sandbox;
mod settings;
mod shop;
mod staff;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use paydesk_core::config::{resolve_data_dir, Mode};
use paydesk_domain::error::{Error, Result};

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
    /// Read PINs as lines of stdin (for scripts) instead of hidden prompts: the --staff
    /// member's first, then a manager's or the owner's when the action needs their approval
    /// (refund, void, settle, settings, credentials, export, staff ...); `setup`'s too.
    #[arg(long, global = true)]
    pub pin_stdin: bool,
    /// Act as this staff member (their PIN is asked). Without it, actions that need a role
    /// ask for the PIN of a manager or the owner, as the window does with no one signed in.
    #[arg(long, global = true, env = "PAYDESK_STAFF", value_name = "NAME")]
    pub staff: Option<String>,
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
    Order(order::OrderCommand),
    /// List orders, newest first.
    Orders(orders::ListArgs),
    /// Export the ledger.
    #[command(subcommand)]
    Export(orders::ExportCommand),
    /// The embedded sandbox: serve it, or act as the customer.
    #[command(subcommand)]
    #[cfg(feature = "sandbox")]
    Sandbox(sandbox::SandboxCommand),
    /// Gateway credentials in the OS keychain.
    #[command(subcommand)]
    Credentials(settings::CredentialsCommand),
    /// Cards kept with IOTPay for later charges (card-token).
    #[command(subcommand)]
    Card(order::CardCommand),
    /// Settings kept in the ledger: mode, gateway base URLs, notification addresses.
    #[command(subcommand)]
    Settings(settings::SettingsCommand),
    /// Set up a new shop once: its name, currency, the methods the counter offers and the
    /// owner's PIN (a hidden prompt typed twice, or one line on stdin with --pin-stdin).
    Setup(owner::SetupArgs),
    /// Back the ledger up (SQLite's online backup API) into --to DIR, else the data
    /// directory's backups folder; `backup status`: the last backup's time.
    Backup(backup::BackupArgs),
    /// Put a backup back as the ledger: the window closed, the owner's PIN, the file checked first.
    Restore(backup::RestoreArgs),
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
    Totals(orders::TotalsArgs),
    /// Orders per day or month x gateway x status, summed per currency.
    Report(orders::ReportArgs),
    /// One shop, many counters: join, leave, status and sync of the shop ledger (PostgreSQL).
    #[command(subcommand)]
    Shop(shop::ShopCommand),
    /// Staff accounts: list, add, change (role, PIN, active), managers' refund caps.
    #[command(subcommand)]
    Staff(staff::StaffCommand),
    /// This counter's shift: open, X report, close with the Z report (CSV and PDF too).
    #[command(subcommand)]
    Shift(staff::ShiftCommand),
    /// The tamper-evident audit log: verify the chain, list entries.
    #[command(subcommand)]
    Audit(staff::AuditCommand),
    /// An order's receipt (or a refund's): print it on the shop's printer, save it as PDF,
    /// or show it as text.
    #[command(subcommand)]
    Receipt(receipt::ReceiptCommand),
    /// Development tools: a seeded ledger, the benchmark.
    #[command(subcommand, hide = true)]
    Dev(dev::DevCommand),
}

impl Command {
    /// Whether the command takes the order filter's flags (see `filter`).
    fn takes_filter(&self) -> bool {
        matches!(
            self,
            Command::Orders(_) | Command::Totals(_) | Command::Report(_) | Command::Export(_)
        )
    }
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
    let names_filter_flags = command.takes_filter();
    match runtime.block_on(execute(&cli, command)) {
        Ok(code) => code,
        Err(e) => {
            let said = if names_filter_flags {
                filter::said(&e)
            } else {
                e.to_string()
            };
            eprintln!("error[{}]: {said}", e.code());
            ExitCode::from(if e.is_bad_input() { 2 } else { 1 })
        }
    }
}

async fn execute(cli: &Cli, command: Command) -> Result<ExitCode> {
    let data_dir = resolve_data_dir(cli.data_dir.clone())?;
    match command {
        Command::Order(command) => order::run(cli, &data_dir, command).await?,
        Command::Card(command) => order::card(cli, &data_dir, command).await?,
        Command::Orders(args) => orders::list(&data_dir, args)?,
        Command::Export(command) => orders::export(cli, &data_dir, command)?,
        Command::Totals(args) => orders::totals(&data_dir, args)?,
        Command::Report(args) => orders::report(&data_dir, args)?,
        Command::Settings(command) => settings::run(cli, &data_dir, command)?,
        Command::Credentials(command) => settings::credentials(cli, &data_dir, command)?,
        Command::Setup(args) => owner::setup(cli, &data_dir, args)?,
        Command::Shop(command) => return shop::run(cli, &data_dir, command).await,
        Command::Staff(command) => staff::run_staff(cli, &data_dir, command)?,
        Command::Shift(command) => staff::run_shift(cli, &data_dir, command).await?,
        Command::Audit(command) => return staff::run_audit(cli, &data_dir, command).await,
        #[cfg(feature = "sandbox")]
        Command::Sandbox(command) => return sandbox::run(&data_dir, command).await,
        Command::Dev(command) => return dev::dev(&data_dir, command),
        Command::Receipt(command) => return receipt::run(&data_dir, command),
        Command::Backup(args) => return backup::backup(&data_dir, args),
        Command::Restore(args) => {
            if data_dir.join(paydesk_ledger::ledger::LEDGER_FILE).is_file() {
                let ledger = paydesk_ledger::ledger::Ledger::open_in(&data_dir)?;
                let (_, stamp) =
                    staff::permit(cli, &ledger, paydesk_core::staff::Permission::Settings)?;
                ledger.audit(&stamp.entry(
                    "restore",
                    "",
                    "the ledger put back from a backup".into(),
                ))?;
            }
            return backup::restore(&data_dir, args);
        }
        Command::Doctor => return checks::doctor(&data_dir, cli.mode()).await,
        Command::Reconcile { json } => return checks::reconcile(&data_dir, cli.mode(), json).await,
    }
    Ok(ExitCode::SUCCESS)
}

/// What `--json` prints.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string_pretty(value).map_err(|e| Error::Internal(e.to_string()))
}
