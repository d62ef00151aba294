//! `paydesk receipt ...`: an order's receipt (or one of its refunds' or voids') printed on the
//! shop's thermal printer (`receipt.printer`), saved as PDF, or shown as text.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use paydesk_core::receipts::{self, auto::PrintLog, layout, Paper, ReceiptSettings};
use paydesk_domain::error::{Error, Result};
use paydesk_ledger::ledger::Ledger;

use super::to_json;

#[derive(Subcommand, Debug)]
pub enum ReceiptCommand {
    /// Print the receipt on the shop's printer (receipt.printer: host:port or a device file).
    /// Exit status 1 when the printer did not take it (off, unreachable).
    Print {
        /// The order: ledger id, Paydesk's order number or the gateway's.
        order: String,
        /// A refund's or void's number: its receipt instead of the sale's.
        #[arg(long, value_name = "RFNO")]
        refund: Option<String>,
    },
    /// Save the receipt as a PDF the width of the shop's roll (or --paper).
    Pdf {
        order: String,
        #[arg(long, value_name = "RFNO")]
        refund: Option<String>,
        #[arg(long, short, value_name = "FILE")]
        output: PathBuf,
        /// 58 or 80 (mm); default: the receipt.paper setting.
        #[arg(long, value_parser = ["58", "80"])]
        paper: Option<String>,
    },
    /// How the last print of each of the order's receipts went, here or in the window, before
    /// or after a restart: "printed", or "not printed" and why (Reprint with `receipt print`).
    Status {
        order: String,
        /// As JSON: [{refundNo, printed, printer, error, at}].
        #[arg(long)]
        json: bool,
    },
    /// Show the receipt as text, 48 columns (32 with --paper 58), as the printer lays it out.
    Text {
        order: String,
        #[arg(long, value_name = "RFNO")]
        refund: Option<String>,
        #[arg(long, value_parser = ["58", "80"])]
        paper: Option<String>,
        /// The receipt's fields as JSON instead.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(data_dir: &Path, command: ReceiptCommand) -> Result<ExitCode> {
    let ledger = Ledger::open_in(data_dir)?;
    let paper = |asked: &Option<String>| -> Result<Paper> {
        Ok(match asked.as_deref().and_then(Paper::parse) {
            Some(paper) => paper,
            None => ReceiptSettings::load(&ledger)?.paper,
        })
    };
    match command {
        ReceiptCommand::Print { order, refund } => {
            let receipt = receipts::build(&ledger, &order, refund.as_deref())?;
            let result = receipts::auto::print(&ledger, &PrintLog::default(), &receipt)?;
            if result.printed {
                println!("printed on {}", result.printer);
                return Ok(ExitCode::SUCCESS);
            }
            eprintln!(
                "not printed on {}: {}",
                result.printer,
                result
                    .error
                    .as_deref()
                    .unwrap_or("the printer did not take it")
            );
            Ok(ExitCode::from(1))
        }
        ReceiptCommand::Status { order, json } => {
            let order = ledger.resolve(&order)?;
            let prints = PrintLog::default().of_order(&ledger, order.id)?;
            if json {
                let rows: Vec<_> = prints
                    .iter()
                    .map(|(refund_no, result)| {
                        serde_json::json!({ "refundNo": refund_no, "printed": result.printed,
                            "printer": result.printer, "error": result.error, "at": result.at })
                    })
                    .collect();
                println!("{}", to_json(&rows)?);
                return Ok(ExitCode::SUCCESS);
            }
            if !prints.iter().any(|(refund_no, _)| refund_no.is_none()) {
                println!("sale {}: never printed", order.merchant_order_no);
            }
            for (refund_no, result) in &prints {
                let which = match refund_no {
                    None => format!("sale {}", order.merchant_order_no),
                    Some(no) => format!("refund {no}"),
                };
                match (&result.error, result.printed) {
                    (_, true) => {
                        println!("{which}: printed on {} at {}", result.printer, result.at)
                    }
                    (error, false) => println!(
                        "{which}: not printed on {} at {}: {}",
                        result.printer,
                        result.at,
                        error.as_deref().unwrap_or("the printer did not take it")
                    ),
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ReceiptCommand::Pdf {
            order,
            refund,
            output,
            paper: asked,
        } => {
            let receipt = receipts::build(&ledger, &order, refund.as_deref())?;
            let pdf = receipts::pdf::render(&receipt, paper(&asked)?);
            std::fs::write(&output, pdf).map_err(|e| {
                Error::invalid("output", format!("cannot write {}: {e}", output.display()))
            })?;
            println!("{}", output.display());
            Ok(ExitCode::SUCCESS)
        }
        ReceiptCommand::Text {
            order,
            refund,
            paper: asked,
            json,
        } => {
            let receipt = receipts::build(&ledger, &order, refund.as_deref())?;
            if json {
                println!("{}", to_json(&receipt)?);
            } else {
                // The terminal gets 48 columns unless 58 mm paper is asked for.
                let columns = match asked.as_deref().and_then(Paper::parse) {
                    Some(paper) => paper.columns(),
                    None => Paper::Mm80.columns(),
                };
                print!("{}", layout::text(&receipt, columns));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
