//! `paydesk dev shop-lag` (`make bench`'s shop figures, scripts/bench-shop.sh): on an owner's
//! desk in a shop, how long each sale paid at a counter takes to arrive here. Polls this ledger
//! every 5 ms for orders of other counters that became Paid since it started; an order's lag is
//! the moment it is first seen Paid here minus the moment its counter wrote Paid (its
//! `updated_at`, replicated with it; one machine's clock, as the benchmark runs every counter on
//! this machine). Prints min / median / p95 / max against the target (p95 under 1 s).

use std::collections::HashSet;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use paydesk_domain::error::Result;
use paydesk_ledger::ledger::{now_ms, Ledger};

pub fn shop_lag(data_dir: &Path, seconds: u64, expect: usize) -> Result<ExitCode> {
    let ledger = Ledger::open_in(data_dir)?;
    let conn = rusqlite::Connection::open(ledger.path())?;
    let me: Option<String> = conn.query_row("SELECT counter FROM shop_state", [], |r| r.get(0))?;
    let start_id: i64 =
        conn.query_row("SELECT coalesce(max(id), 0) FROM orders", [], |r| r.get(0))?;
    let mut seen = HashSet::new();
    let mut lags: Vec<i64> = Vec::new();
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut stmt = conn.prepare(
        "SELECT merchant_order_no, updated_at FROM orders
         WHERE id > ?1 AND status = 'paid' AND counter IS NOT ?2",
    )?;
    while Instant::now() < until && lags.len() < expect {
        let now = now_ms();
        let rows = stmt.query_map(rusqlite::params![start_id, me], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        for row in rows {
            let (no, paid_at) = row?;
            if seen.insert(no) {
                lags.push(now - paid_at);
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    lags.sort_unstable();
    if lags.is_empty() {
        println!("  replication lag: no sale arrived in {seconds} s   MISS");
        return Ok(ExitCode::from(1));
    }
    let q = |p: f64| lags[((lags.len() as f64 * p).ceil() as usize).clamp(1, lags.len()) - 1];
    let p95 = q(0.95);
    println!(
        "  {:<40} {:<48} {:<22} {}",
        "replication lag, counter Paid -> desk",
        format!(
            "min {} / median {} / p95 {} / max {} ms ({} sales)",
            lags[0],
            q(0.5),
            p95,
            lags[lags.len() - 1],
            lags.len()
        ),
        "p95 < 1000 ms",
        if p95 < 1000 { "PASS" } else { "MISS" }
    );
    Ok(ExitCode::SUCCESS)
}
