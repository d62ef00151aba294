//! `paydesk backup [--to DIR]`, `paydesk backup status` and `paydesk restore FILE`: the
//! command line over `paydesk_ledger::backup`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use paydesk_domain::error::Result;
use paydesk_ledger::backup;
use paydesk_ledger::ledger::Ledger;

use super::to_json;

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BackupArgs {
    /// The folder to write the backup into (default: the data directory's backups folder).
    #[arg(long, value_name = "DIR")]
    pub to: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
    #[command(subcommand)]
    pub action: Option<BackupAction>,
}

#[derive(Subcommand, Debug)]
pub enum BackupAction {
    /// The last backup's time and place, and whether it is more than a day old (exit 1 then).
    Status {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// A backup file (paydesk-....db), checked before anything is changed.
    pub file: PathBuf,
    #[arg(long)]
    pub json: bool,
}

pub fn backup(data_dir: &Path, args: BackupArgs) -> Result<ExitCode> {
    let ledger = Ledger::open_in(data_dir)?;
    match args.action {
        Some(BackupAction::Status { json: as_json }) => {
            let status = backup::status(&ledger)?;
            if as_json {
                println!("{}", to_json(&status)?);
            } else {
                println!("{}", status.message);
            }
            Ok(if status.stale {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        None => {
            let written = backup::backup(&ledger, args.to.as_deref())?;
            if args.json {
                println!("{}", to_json(&written)?);
            } else {
                println!(
                    "backed up {} orders (schema {}, {} bytes) to {}",
                    written.orders,
                    written.schema_version,
                    written.bytes,
                    written.path.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub fn restore(data_dir: &Path, args: RestoreArgs) -> Result<ExitCode> {
    let restored = backup::restore(data_dir, &args.file)?;
    if args.json {
        println!("{}", to_json(&restored)?);
    } else {
        println!(
            "restored {} orders (schema {}) from {}",
            restored.orders,
            restored.schema_version,
            restored.from.display()
        );
        if let Some(previous) = &restored.previous {
            println!("the ledger it replaced is kept in {}", previous.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
