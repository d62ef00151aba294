//! The owner: `paydesk setup` (the shop, once, with the owner's PIN) and the PIN every owner
//! action asks for on the command line.

use std::io::{BufRead, IsTerminal};
use std::path::Path;

use clap::Args;
use paydesk_domain::error::{Error, Result};
use paydesk_ledger::ledger::Ledger;

use super::Cli;

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

pub fn setup(cli: &Cli, data_dir: &Path, args: SetupArgs) -> Result<()> {
    let ledger = Ledger::open_in(data_dir)?;
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
    Ok(())
}

/// The owner's PIN for an owner action, once one is set (before, nothing is asked): the first
/// line of stdin with --pin-stdin, else a hidden prompt on a terminal. Missing, wrong or locked
/// out is an error (exit 2) before anything is changed; wrong tries count toward the lockout
/// the window shares (kept in the ledger).
pub fn pin(cli: &Cli, ledger: &Ledger) -> Result<()> {
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
