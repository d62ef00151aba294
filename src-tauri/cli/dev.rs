//! The hidden `paydesk dev ...`: a seeded ledger and the benchmarks (`make bench`).

use std::path::Path;
use std::process::ExitCode;

use clap::Subcommand;
use paydesk_domain::error::Result;
use paydesk_ledger::ledger::Ledger;

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
    /// On a desk in a shop: how long sales paid at the counters take to arrive here
    /// (scripts/bench-shop.sh).
    ShopLag {
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Stop once this many sales have arrived.
        #[arg(long, default_value_t = 200)]
        sales: usize,
    },
}

pub fn dev(data_dir: &Path, command: DevCommand) -> Result<ExitCode> {
    match command {
        DevCommand::Seed { orders, seed } => {
            let ledger = Ledger::open_in(data_dir)?;
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
        DevCommand::Bench(args) => return crate::bench::run(data_dir, &args),
        DevCommand::ShopLag { seconds, sales } => {
            return crate::bench_shop::shop_lag(data_dir, seconds, sales)
        }
    }
    Ok(ExitCode::SUCCESS)
}
