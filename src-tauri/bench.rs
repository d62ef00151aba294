//! `paydesk dev bench` (`make bench`): the ledger at scale, timed. Seeds a ledger of N orders
//! (default 1,000,000) in its own data directory, then times the order list's first page with
//! and without filters, the next page, search, filtered totals, a month report (p50 / p95 over
//! repeated runs), the full CSV export beside `sqlite3 -csv` exporting the same columns from
//! the same file, the export's peak memory, and order inserts with their first event. Every
//! figure is printed with its target and PASS or MISS. Run it in release.
//!
//! Past 600 lines: one benchmark run, figure by figure, each beside the target it prints;
//! split, a figure would sit apart from its target.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::{Currency, Money};
use paydesk_domain::order::{Gateway, Method, OrderStatus};
use paydesk_domain::zone::Zone;
use paydesk_ledger::ledger::{Cursor, Ledger, NewOrder, OrderFilter, LEDGER_FILE};
use paydesk_ledger::queries::Period;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Marks a data directory the benchmark made, so it never replaces anyone's real ledger.
const MARKER: &str = "bench-ledger.txt";

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// How many orders the ledger holds.
    #[arg(long, default_value_t = 1_000_000)]
    orders: u64,
    /// Keep a ledger this benchmark seeded before, if it has at least --orders orders.
    #[arg(long)]
    reuse: bool,
    /// Timed runs of each query (after warm-up).
    #[arg(long, default_value_t = 200)]
    runs: usize,
    /// Orders inserted (each with its first event, one transaction each) for the insert rate.
    #[arg(long, default_value_t = 5_000)]
    inserts: u64,
}

/// The process's peak resident memory (VmHWM), in KiB; Linux only.
pub fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

struct Figure {
    name: String,
    value: String,
    target: String,
    pass: Option<bool>,
}

struct Report {
    figures: Vec<Figure>,
}

impl Report {
    fn add(&mut self, name: &str, value: String, target: &str, pass: Option<bool>) {
        let figure = Figure {
            name: name.into(),
            value,
            target: target.into(),
            pass,
        };
        println!("  {}", line(&figure));
        self.figures.push(figure);
    }

    /// A latency figure: p95 against a limit in milliseconds.
    fn timing(&mut self, name: &str, samples: &mut [Duration], limit_ms: f64) {
        samples.sort();
        let p = |q: f64| {
            samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1]
        };
        let p95 = ms(p(0.95));
        let value = format!(
            "p95 {p95:.2} ms (p50 {:.2}, max {:.2}; {} runs)",
            ms(p(0.5)),
            ms(p(1.0)),
            samples.len()
        );
        self.add(
            name,
            value,
            &format!("p95 < {limit_ms} ms"),
            Some(p95 < limit_ms),
        );
    }
}

fn line(f: &Figure) -> String {
    let result = match f.pass {
        Some(true) => "PASS",
        Some(false) => "MISS",
        None => "-",
    };
    format!("{:<40} {:<48} {:<22} {}", f.name, f.value, f.target, result)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `query` over `inputs` in turn: a few warm-up rounds, then `runs` timed ones.
fn time_runs<T>(
    runs: usize,
    inputs: &[T],
    mut query: impl FnMut(&T) -> Result<usize>,
) -> Result<(Vec<Duration>, usize)> {
    let mut rows = 0;
    for input in inputs.iter().take(5) {
        query(input)?;
    }
    let mut samples = Vec::with_capacity(runs);
    for i in 0..runs {
        let input = &inputs[i % inputs.len()];
        let started = Instant::now();
        rows += query(input)?;
        samples.push(started.elapsed());
    }
    Ok((samples, rows / runs.max(1)))
}

pub fn run(data_dir: &Path, args: &BenchArgs) -> Result<ExitCode> {
    let db = data_dir.join(LEDGER_FILE);
    let marker = data_dir.join(MARKER);
    if db.exists() && !marker.exists() {
        return Err(Error::invalid(
            "data-dir",
            format!("{} holds a ledger the benchmark did not make: pass --data-dir DIR (a new directory)", data_dir.display()),
        ));
    }
    println!(
        "Paydesk ledger benchmark: {} orders in {}",
        args.orders,
        db.display()
    );
    println!("machine: {}", machine());
    let mut report = Report {
        figures: Vec::new(),
    };

    let existing = if args.reuse && db.exists() {
        Ledger::open(&db)?.totals(&OrderFilter::default())?.count
    } else {
        0
    };
    if existing >= args.orders {
        println!("reusing the seeded ledger ({existing} orders)");
    } else {
        for suffix in ["", "-wal", "-shm"] {
            let mut name = db.clone().into_os_string();
            name.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(name));
        }
        std::fs::create_dir_all(data_dir)?;
        std::fs::write(
            &marker,
            "A ledger seeded by `paydesk dev bench`: safe to delete.\n",
        )?;
        let ledger = Ledger::open(&db)?;
        let started = Instant::now();
        let seeded = paydesk_ledger::seed::seed(&ledger, args.orders, 1)?;
        let secs = started.elapsed().as_secs_f64();
        report.add(
            "seed (dev seed --orders N)",
            format!(
                "{:.1} s: {} orders, {} events, {} refunds",
                secs, seeded.orders, seeded.events, seeded.refunds
            ),
            "-",
            None,
        );
    }

    let ledger = Ledger::open(&db)?;
    let (journal, synchronous) = ledger.durability()?;
    let size = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    println!(
        "ledger file: {:.0} MiB; journal_mode={journal}, synchronous={synchronous}",
        size as f64 / 1048576.0
    );
    let now = paydesk_domain::clock::now_ms();
    let day = 86_400_000i64;
    let cad = Currency::CAD;
    let runs = args.runs;

    println!("\nqueries ({runs} timed runs each, after warm-up):");
    let (mut s, _) = time_runs(runs, &[()], |_| {
        Ok(ledger
            .list(&OrderFilter {
                limit: Some(50),
                ..Default::default()
            })?
            .len())
    })?;
    report.timing("list: first page (50), no filter", &mut s, 10.0);

    // A method that takes CAD (the last such one), so the filter below keeps some orders.
    let cad_method = Method::ALL
        .iter()
        .rev()
        .copied()
        .find(|m| m.currencies().contains(&"CAD"))
        .unwrap_or(Method::WechatQr);
    let filters = vec![
        OrderFilter {
            status: Some(OrderStatus::Paid),
            method: Some(Method::ALL[1 % Method::ALL.len()]),
            currency: Some(cad),
            min_amount_minor: Some(2_000),
            max_amount_minor: Some(20_000),
            from_ms: Some(now - 90 * day),
            ..Default::default()
        },
        OrderFilter {
            gateway: Some(Gateway::Iotpay),
            status: Some(OrderStatus::Refunded),
            ..Default::default()
        },
        OrderFilter {
            status: Some(OrderStatus::Failed),
            from_ms: Some(now - 400 * day),
            to_ms: Some(now - 370 * day),
            ..Default::default()
        },
        OrderFilter {
            method: Some(cad_method),
            currency: Some(cad),
            min_amount_minor: Some(10_000),
            ..Default::default()
        },
    ];
    let (mut s, rows) = time_runs(runs, &filters, |f| {
        Ok(ledger
            .list(&OrderFilter {
                limit: Some(50),
                ..f.clone()
            })?
            .len())
    })?;
    report.timing("list: first page, filtered (4 filters)", &mut s, 10.0);
    if rows == 0 {
        println!("  (the filtered pages were empty: check the seed)");
    }

    let first = ledger.list(&OrderFilter {
        limit: Some(50),
        ..Default::default()
    })?;
    let cursors: Vec<Cursor> = first.iter().map(Cursor::after).collect();
    let (mut s, _) = time_runs(runs, &cursors, |c| {
        Ok(ledger
            .list(&OrderFilter {
                limit: Some(50),
                before: Some(*c),
                ..Default::default()
            })?
            .len())
    })?;
    report.timing("list: next page (keyset cursor)", &mut s, 10.0);

    let terms = search_terms(&ledger)?;
    let (mut s, rows) = time_runs(runs, &terms, |t| {
        Ok(ledger
            .list(&OrderFilter {
                limit: Some(50),
                search: Some(t.clone()),
                ..Default::default()
            })?
            .len())
    })?;
    report.timing(
        &format!("search: first page ({} terms)", terms.len()),
        &mut s,
        30.0,
    );
    println!(
        "    terms such as {:?}; {rows} rows per page on average",
        &terms[..terms.len().min(5)]
    );
    // The slowest terms (one more timed run each), to show where the time goes.
    let mut per_term = Vec::new();
    for t in &terms {
        let filter = OrderFilter {
            limit: Some(50),
            search: Some(t.clone()),
            ..Default::default()
        };
        let started = Instant::now();
        let found = ledger.list(&filter)?.len();
        per_term.push((started.elapsed(), t.clone(), found));
    }
    per_term.sort_by_key(|t| std::cmp::Reverse(t.0));
    let slowest: Vec<String> = per_term
        .iter()
        .take(5)
        .map(|(d, t, n)| format!("{t:?} {:.1} ms ({n} rows)", ms(*d)))
        .collect();
    println!("    slowest terms: {}", slowest.join(", "));

    let months = last_months(12);
    let totals_filters: Vec<OrderFilter> = months
        .iter()
        .map(|(from, to)| OrderFilter {
            status: Some(OrderStatus::Paid),
            from_ms: Some(*from),
            to_ms: Some(*to),
            ..Default::default()
        })
        .collect();
    let (mut s, _) = time_runs(runs, &totals_filters, |f| {
        Ok(ledger.totals(f)?.by_currency.len())
    })?;
    report.timing("totals: paid in a month, per currency", &mut s, 10.0);

    let month_filters: Vec<OrderFilter> = months
        .iter()
        .map(|(from, to)| OrderFilter {
            from_ms: Some(*from),
            to_ms: Some(*to),
            ..Default::default()
        })
        .collect();
    let (mut s, rows) = time_runs(runs, &month_filters, |f| {
        Ok(ledger.report(f, Period::Day, &Zone::Local)?.len())
    })?;
    report.timing("report: a month, day x gateway x status", &mut s, 50.0);
    println!("    {rows} report lines per month on average");
    // In a zone off UTC every day straddles two UTC days, so the summary cannot serve a day
    // report and the orders are read: the same report at UTC-05:00, for comparison.
    let toronto = Zone::Fixed(-5 * 3600);
    let (mut s, _) = time_runs(runs.min(50), &month_filters, |f| {
        Ok(ledger.report(f, Period::Day, &toronto)?.len())
    })?;
    s.sort();
    let p95 = s[(s.len() * 95 / 100).min(s.len() - 1)];
    report.add(
        "report: the same at UTC-05:00 (no target)",
        format!("p95 {:.2} ms, days read from the orders", ms(p95)),
        "-",
        None,
    );

    let all_time = Instant::now();
    let totals = ledger.totals(&OrderFilter::default())?;
    report.add(
        "totals: all orders (no target)",
        format!("{:.1} ms, {} orders", ms(all_time.elapsed()), totals.count),
        "-",
        None,
    );
    drop(ledger);

    println!("\nexport of every order, default columns, times in UTC:");
    export_figures(data_dir, &db, &mut report)?;

    println!("\ninserts:");
    let ledger = Ledger::open(&db)?;
    let tag = format!("BENCH{}", now);
    let started = Instant::now();
    for n in 0..args.inserts {
        ledger.insert_order(&NewOrder {
            merchant_order_no: format!("{tag}{n}"),
            method: Method::WechatQr,
            environment: "sandbox".into(),
            amount: Money::parse("12.50", cad)?,
            expires_at_ms: None,
            by: Default::default(),
        })?;
    }
    let rate = args.inserts as f64 / started.elapsed().as_secs_f64();
    report.add(
        "order insert + first event",
        format!(
            "{rate:.0} / s ({} inserts, one transaction each)",
            args.inserts
        ),
        // Each insert is an intent written to survive a power cut (synchronous=FULL for that
        // commit): the disk's flush sets the pace. A busy till rings a sale every few
        // seconds; a hundred durable inserts a second leaves room for many counters.
        ">= 100 / s, each flushed to disk",
        Some(rate >= 100.0),
    );
    println!("    durability: journal_mode={journal}, synchronous={synchronous}, foreign_keys=on (db::open)");

    let misses = report
        .figures
        .iter()
        .filter(|f| f.pass == Some(false))
        .count();
    let checked = report.figures.iter().filter(|f| f.pass.is_some()).count();
    println!("\nsummary ({}):", machine());
    for f in &report.figures {
        println!("  {}", line(f));
    }
    println!("{} of {checked} targets met", checked - misses);
    Ok(ExitCode::SUCCESS)
}

/// The export timed in a child process (for its own peak memory) beside sqlite3's.
fn export_figures(data_dir: &Path, db: &Path, report: &mut Report) -> Result<()> {
    // Beside the data folder, not in it: Paydesk refuses to export into its own data folder.
    let exports = data_dir.with_extension("exports");
    std::fs::create_dir_all(&exports)?;
    let ours = exports.join("bench-export.csv");
    let theirs = exports.join("bench-sqlite3.csv");
    let exe = std::env::current_exe()?;
    let columns = paydesk_core::export::COLUMNS;
    let time_expr =
        |c: &str| format!("strftime('%Y-%m-%d %H:%M:%S', {c} / 1000, 'unixepoch') AS {c}");
    let amount_expr = |c: &str, a: &str| format!("printf('%d.%02d', {c} / 100, {c} % 100) AS {a}");
    let select: Vec<String> = columns
        .iter()
        .map(|c| match *c {
            "created_at" | "updated_at" => time_expr(c),
            "amount" => amount_expr("amount_minor", "amount"),
            "refunded" => amount_expr("refunded_minor", "refunded"),
            "tip" => amount_expr("tip_minor", "tip"),
            "tip_refunded" => amount_expr("tip_refunded_minor", "tip_refunded"),
            // The CSV says the status in words (issue 12): sqlite3 is given the same words.
            "status" => {
                let words: Vec<String> = OrderStatus::ALL
                    .iter()
                    .map(|st| format!("WHEN '{}' THEN '{}'", st.as_str(), st.label()))
                    .collect();
                format!("CASE status {} ELSE status END AS status", words.join(" "))
            }
            other => other.to_string(),
        })
        .collect();
    // The gateway's own word is written in plain English from each gateway's tables, which
    // SQL cannot do: that column is left out of the comparison (its timing is still in).
    let gateway_words = columns.iter().position(|c| *c == "gateway_status");
    // The table's own columns: a bare `created_at` here would be the formatted one (to the
    // second), and orders of one second would come out in id order.
    let sql = format!(
        "SELECT {} FROM orders ORDER BY orders.created_at DESC, orders.id DESC;",
        select.join(", ")
    );
    let sqlite3 = Command::new("sqlite3").arg("-version").output().is_ok();
    let (mut best_ours, mut best_theirs, mut peak) = (Duration::MAX, Duration::MAX, 0u64);
    for round in 0..2 {
        let started = Instant::now();
        let out = Command::new(&exe)
            .arg("--data-dir")
            .arg(data_dir)
            .args(["export", "csv", "--tz", "UTC", "--peak-memory", "--output"])
            .arg(&ours)
            .stdout(Stdio::null())
            .output()?;
        let took = started.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            return Err(Error::Internal(format!("the export failed: {stderr}")));
        }
        best_ours = best_ours.min(took);
        if let Some(kib) = stderr.lines().find_map(|l| {
            l.strip_prefix("peak memory: ")?
                .strip_suffix(" KiB")?
                .parse::<u64>()
                .ok()
        }) {
            peak = peak.max(kib);
        }
        if sqlite3 {
            let file = std::fs::File::create(&theirs)?;
            let started = Instant::now();
            let status = Command::new("sqlite3")
                .args(["-csv", "-header"])
                .arg(db)
                .arg(&sql)
                .stdout(file)
                .status()?;
            let took = started.elapsed();
            if !status.success() {
                return Err(Error::Internal("sqlite3 failed".into()));
            }
            best_theirs = best_theirs.min(took);
        }
        println!(
            "    round {}: paydesk {:.2} s{}",
            round + 1,
            took.as_secs_f64(),
            if sqlite3 {
                format!(", sqlite3 {:.2} s", best_theirs.as_secs_f64())
            } else {
                String::new()
            }
        );
    }
    let rows = csv::Reader::from_path(&ours)
        .map_err(|e| Error::Internal(e.to_string()))?
        .byte_records()
        .count();
    if sqlite3 {
        let same = same_records(&ours, &theirs, gateway_words)?;
        let ratio = best_ours.as_secs_f64() / best_theirs.as_secs_f64();
        report.add(
            "export: full CSV vs sqlite3 -csv",
            format!(
                "{:.2} s vs {:.2} s = {ratio:.2}x ({rows} rows)",
                best_ours.as_secs_f64(),
                best_theirs.as_secs_f64()
            ),
            "<= 1.5x sqlite3",
            Some(ratio <= 1.5),
        );
        println!(
            "    the two files hold the same records: {}",
            if same { "yes" } else { "NO" }
        );
    } else {
        report.add(
            "export: full CSV vs sqlite3 -csv",
            "sqlite3 is not installed (scripts/setup.sh installs it)".into(),
            "<= 1.5x sqlite3",
            Some(false),
        );
    }
    report.add(
        "export: peak memory (VmHWM)",
        format!("{:.1} MiB", peak as f64 / 1024.0),
        "< 64 MiB",
        Some(peak > 0 && peak < 64 * 1024),
    );
    let _ = std::fs::remove_file(&ours);
    let _ = std::fs::remove_file(&theirs);
    Ok(())
}

/// Whether two CSV files hold the same records (read side by side: constant memory).
fn same_records(a: &Path, b: &Path, skip: Option<usize>) -> Result<bool> {
    let open = |p: &Path| -> Result<csv::Reader<std::fs::File>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(p)
            .map_err(|e| Error::Internal(e.to_string()))
    };
    let (mut a, mut b) = (open(a)?, open(b)?);
    let (mut ra, mut rb) = (csv::ByteRecord::new(), csv::ByteRecord::new());
    loop {
        let more_a = a
            .read_byte_record(&mut ra)
            .map_err(|e| Error::Internal(e.to_string()))?;
        let more_b = b
            .read_byte_record(&mut rb)
            .map_err(|e| Error::Internal(e.to_string()))?;
        let cells = |r: &csv::ByteRecord| -> Vec<Vec<u8>> {
            r.iter()
                .enumerate()
                .filter(|(i, _)| Some(*i) != skip)
                .map(|(_, c)| c.to_vec())
                .collect()
        };
        if more_a != more_b || cells(&ra) != cells(&rb) {
            return Ok(false);
        }
        if !more_a {
            return Ok(true);
        }
    }
}

/// Search terms as people type them, taken from the seeded orders: the tail of an order
/// number, part of a gateway reference, part of a customer's name, an order-number prefix.
fn search_terms(ledger: &Ledger) -> Result<Vec<String>> {
    let mut rng = StdRng::seed_from_u64(42);
    let sample = ledger.list(&OrderFilter {
        limit: Some(10_000),
        offset: Some(rng.random_range(0..100_000)),
        ..Default::default()
    })?;
    let mut terms = Vec::new();
    for _ in 0..16 {
        if sample.is_empty() {
            break;
        }
        let o = &sample[rng.random_range(0..sample.len())];
        let no = &o.merchant_order_no;
        terms.push(no[no.len() - 8..].to_string());
        if let Some(g) = &o.gateway_order_id {
            terms.push(g[g.len() - 9..].to_string());
        }
        terms.push(no[..no.len().min(8)].to_string());
    }
    terms.extend(["Nakamura", "Ольга", "王芳", "o'brien", "PD2"].map(String::from));
    Ok(terms)
}

/// The last `n` whole months in local time, newest first, as [from, to) instants.
fn last_months(n: usize) -> Vec<(i64, i64)> {
    use chrono::{Datelike, NaiveDate};
    let today = chrono::Local::now().date_naive();
    let mut first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    let mut months = Vec::new();
    for _ in 0..n {
        let previous = first
            .pred_opt()
            .map(|d| NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d))
            .unwrap_or(first);
        if let (Some(from), Some(to)) = (
            Zone::Local.midnight_ms(previous),
            Zone::Local.midnight_ms(first),
        ) {
            months.push((from, to));
        }
        first = previous;
    }
    months
}

fn machine() -> String {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|c| {
            c.lines().find_map(|l| {
                l.strip_prefix("PRETTY_NAME=")
                    .map(|s| s.trim_matches('"').to_string())
            })
        })
        .unwrap_or_else(|| std::env::consts::OS.into());
    format!("{cores} cores, {cpu}, {os}, SQLite {}", rusqlite::version())
}
