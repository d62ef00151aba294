//! `paydesk shop`: this counter in a shop of several sharing one ledger in PostgreSQL (join,
//! leave, status, sync). Joining and leaving are the owner's (the PIN, once set).

use std::io::{BufRead, IsTerminal};
use std::path::Path;
use std::process::ExitCode;

use clap::Subcommand;
use paydesk_core::payments::Paydesk;
use paydesk_core::shop::{replicate, ShopStatus};
use paydesk_domain::error::Result;
use paydesk_secrets::vault::Sensitive;

use super::{staff, to_json, Cli};
use paydesk_core::staff::Permission;

#[derive(Subcommand, Debug)]
pub enum ShopCommand {
    /// Join the shop whose ledger is the PostgreSQL database at URL
    /// (postgres://user[:password]@host[:port]/database[?sslmode=require]). The password goes
    /// to the OS keychain, never to settings; TLS is off for loopback, required otherwise
    /// unless the URL says. Everything this counter holds is queued for the shop; the window
    /// (or `shop sync`) replicates.
    Join {
        url: String,
        /// This counter's name in the shop, unique there (default: the machine's name).
        #[arg(long)]
        counter: Option<String>,
        /// Read the database password as a line of stdin (after the PIN with --pin-stdin)
        /// instead of a hidden prompt; without either, and none in the URL, none is used.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Leave the shop: what this counter has not pushed is pushed first; every order stays in
    /// this counter's ledger.
    Leave {
        /// Leave even though the shop ledger cannot be reached (unpushed changes stay here only).
        #[arg(long)]
        force: bool,
    },
    /// Which shop, which counter, what is replicated and what waits.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Push and pull now; with --follow, keep replicating until stopped (a counter without
    /// the window).
    Sync {
        #[arg(long)]
        follow: bool,
    },
}

pub async fn run(cli: &Cli, data_dir: &Path, command: ShopCommand) -> Result<ExitCode> {
    let desk = Paydesk::open(data_dir, cli.mode()).await?;
    match command {
        ShopCommand::Join {
            url,
            counter,
            password_stdin,
        } => {
            let (_, stamp) = staff::permit(cli, desk.ledger(), Permission::Shop)?;
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                Some(line.trim_end_matches(['\n', '\r']).to_string())
            } else if !url_has_password(&url) && std::io::stdin().is_terminal() {
                Some(rpassword::prompt_password(
                    "Shop ledger password (hidden; Enter for none): ",
                )?)
            } else {
                None
            };
            let password = password.filter(|p| !p.is_empty()).map(Sensitive::new);
            let counter = counter.unwrap_or_else(machine_name);
            let state = desk.shop_join(&url, &counter, password).await?;
            desk.ledger().audit(&stamp.entry(
                "shop_join",
                state.counter.as_deref().unwrap_or_default(),
                state.url.clone().unwrap_or_default(),
            ))?;
            println!(
                "joined {} as counter {:?} (number {}): {} change(s) to push; the window replicates (or `paydesk shop sync`)",
                state.url.as_deref().unwrap_or_default(),
                state.counter.as_deref().unwrap_or_default(),
                state.counter_number.unwrap_or_default(),
                state.outbox
            );
        }
        ShopCommand::Leave { force } => {
            let (_, stamp) = staff::permit(cli, desk.ledger(), Permission::Shop)?;
            desk.shop_leave(force).await?;
            desk.ledger()
                .audit(&stamp.entry("shop_leave", "", format!("force: {force}")))?;
            println!("left the shop; every order stays in this counter's ledger");
        }
        ShopCommand::Status { json } => {
            let status = desk.shop_status().await?;
            if json {
                println!("{}", to_json(&status)?);
            } else {
                print_status(&status);
            }
        }
        ShopCommand::Sync { follow: false } => {
            let synced = desk.shop_sync().await?;
            println!(
                "pushed {} row(s); pulled {} new order(s), {} moved, {} refund(s)",
                synced.pushed,
                synced.pulled.new_orders,
                synced.pulled.moved_orders,
                synced.pulled.refunds
            );
        }
        ShopCommand::Sync { follow: true } => {
            let ledger = desk.ledger_arc();
            tokio::task::spawn_blocking(move || replicate(&ledger, &|| false, &|_| {}))
                .await
                .map_err(|e| paydesk_domain::error::Error::Internal(e.to_string()))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn url_has_password(url: &str) -> bool {
    url.split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .is_some_and(|(userinfo, _)| userinfo.contains(':'))
}

/// The machine's host name, the default counter name.
fn machine_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "Counter".to_string())
}

fn print_status(status: &ShopStatus) {
    let s = &status.state;
    if !s.member {
        match &s.counter {
            Some(name) => println!("not in a shop (was counter {name:?})"),
            None => println!("not in a shop: this counter keeps its own ledger"),
        }
        return;
    }
    println!("shop ledger: {}", s.url.as_deref().unwrap_or_default());
    println!(
        "this counter: {:?} (number {})",
        s.counter.as_deref().unwrap_or_default(),
        s.counter_number.unwrap_or_default()
    );
    println!("waiting to push: {} change(s)", s.outbox);
    match (status.reachable, status.behind) {
        (true, Some(behind)) => println!("reachable; {behind} shop change(s) not pulled yet"),
        _ => println!(
            "NOT reachable: {} (sales go on here; refunds and voids wait)",
            status.unreachable.as_deref().unwrap_or("unknown")
        ),
    }
    let when = |ms: Option<i64>| {
        ms.and_then(chrono::DateTime::from_timestamp_millis)
            .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_else(|| "never".into())
    };
    println!(
        "last push: {}; last pull: {}",
        when(s.pushed_at_ms),
        when(s.pulled_at_ms)
    );
    if let Some(error) = &s.last_error {
        println!("last error: {error}");
    }
    if !status.counters.is_empty() {
        println!("counters:");
        for c in &status.counters {
            println!(
                "  {:>4}  {:<24} {:>8} order(s)  last push {}{}",
                c.number,
                c.name,
                c.orders,
                when(c.pushed_at_ms),
                if c.left_at_ms.is_some() {
                    "  (left)"
                } else {
                    ""
                }
            );
        }
    }
}
