//! The commands over the filtered orders: `paydesk orders` (a page of them), `totals` (what
//! they add up to), `report` (per day or month) and `export csv`. Each takes the order
//! filter's flags (see `filter`).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use paydesk_core::export::ExportOptions;
use paydesk_core::filters::TotalsView;
use paydesk_core::views::OrderDetail;
use paydesk_domain::error::Result;
use paydesk_domain::money::Currency;
use paydesk_domain::zone::Zone;
use paydesk_ledger::ledger::{Ledger, OrderFilter};
use paydesk_ledger::queries::Period;

use super::filter::{FilterArgs, LOCAL_DAYS};
use super::{to_json, Cli};

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

pub fn list(data_dir: &Path, args: ListArgs) -> Result<()> {
    let ledger = Ledger::open_in(data_dir)?;
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
        ..args.filter.parse(&LOCAL_DAYS)?
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
            // In a shop, the counter that made the sale ends the line.
            let counter = o
                .counter
                .as_deref()
                .map(|c| format!("  [{c}]"))
                .unwrap_or_default();
            // A tipped sale says its tip after the status (the amount is the total charged).
            let tip = match o.tip_minor {
                0 => String::new(),
                tip => format!("  tip {}", o.amount.currency().display(tip)),
            };
            println!(
                "{:>6}  {}  {:<24}  {:<10} {:<12} {:>12} {}  {}{tip}{counter}",
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
    Ok(())
}

pub fn export(cli: &Cli, data_dir: &Path, command: ExportCommand) -> Result<()> {
    let ExportCommand::Csv {
        filter,
        output,
        columns,
        tz,
        bom,
        peak_memory,
    } = command;
    let filter = filter.parse(&LOCAL_DAYS)?;
    let mut options = ExportOptions {
        zone: Zone::parse(&tz)?,
        bom,
        ..Default::default()
    };
    if let Some(columns) = columns {
        options.columns = ExportOptions::parse_columns(&columns)?;
    }
    let ledger = Ledger::open_in(data_dir)?;
    let (_, stamp) = super::staff::permit(cli, &ledger, paydesk_core::staff::Permission::Export)?;
    match output {
        Some(path) => {
            // As the window's export: never into the data folder, written beside the
            // target and renamed, so a failed export leaves no half file.
            let path =
                paydesk_core::export::outside_data_dir(std::path::absolute(&path)?, data_dir)?;
            let summary = paydesk_core::export::export_to_path(
                &ledger,
                &filter,
                &options,
                &path,
                u64::MAX,
                |_| Ok(()),
            )?;
            ledger.audit(&stamp.entry(
                "export",
                &path.display().to_string(),
                format!("{} orders", summary.rows),
            ))?;
            eprintln!("{} order(s) written to {}", summary.rows, path.display());
            eprint!("{}", totals_text(&summary.totals));
        }
        None => {
            ledger.audit(&stamp.entry("export", "stdout", "to the standard output".into()))?;
            paydesk_core::export::write_csv_with(
                &ledger,
                &filter,
                &options,
                std::io::stdout().lock(),
            )?;
        }
    }
    if peak_memory {
        eprintln!(
            "peak memory: {} KiB",
            crate::bench::peak_memory_kib().unwrap_or(0)
        );
    }
    Ok(())
}

pub fn totals(data_dir: &Path, args: TotalsArgs) -> Result<()> {
    let ledger = Ledger::open_in(data_dir)?;
    let totals = TotalsView::of(&ledger.totals(&args.filter.parse(&LOCAL_DAYS)?)?);
    if args.json {
        println!("{}", to_json(&totals)?);
    } else {
        print!("{}", totals_text(&totals));
    }
    Ok(())
}

pub fn report(data_dir: &Path, args: ReportArgs) -> Result<()> {
    let ledger = Ledger::open_in(data_dir)?;
    let period = Period::parse(&args.by)?;
    let zone = Zone::parse(&args.tz)?;
    // The range's days are the report's days, counted in --tz (as on the window's Reports).
    let filter = args.filter.parse(&zone)?;
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
            let amount = Currency::parse(&r.currency).map(|c| c.decimal_string(r.amount_minor))?;
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
        if t.tips_minor != 0 {
            out.push_str(&format!(
                "  of which tips {} (sales {})",
                t.tips_display, t.sales_display
            ));
        }
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
