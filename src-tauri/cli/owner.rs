//! `paydesk setup`: the shop, once, with its first owner's account and PIN.

use std::io::IsTerminal;
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
        let pin = super::staff::read_stdin_line()?;
        (pin.clone(), pin)
    } else if std::io::stdin().is_terminal() {
        (
            rpassword::prompt_password("Owner PIN, 4 to 8 digits (hidden): ")?,
            rpassword::prompt_password("The same PIN again: ")?,
        )
    } else {
        return Err(Error::Refused {
            params: vec![],
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
            owner_name: String::new(),
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
