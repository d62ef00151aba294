//! Staff on the command line: acting as a named staff member (`--staff NAME`, their PIN on a
//! hidden prompt or a line of stdin with `--pin-stdin`), an approval by a manager's or the
//! owner's PIN when the action needs one, and the `staff`, `shift` and `audit` commands. What
//! a command may do follows the same roles as the window: the core decides.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use clap::Subcommand;
use paydesk_core::language::check_language;
use paydesk_core::payments::Paydesk;
use paydesk_core::shifts::{self, ShiftReport};
use paydesk_core::staff::{self, Acting, Permission, Role, StaffChange};
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::Currency;
use paydesk_domain::zone::Zone;
use paydesk_ledger::ledger::{AuditQuery, AuditVerdict, Ledger, Stamp};

use super::{to_json, Cli};

/// One line of stdin, without its line ending (the rest stays for later reads).
pub fn read_stdin_line() -> Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// A PIN: the next line of stdin with --pin-stdin, else a hidden prompt on a terminal; without
/// either, refused saying what `needed_for` (whose PIN).
fn read_pin(cli: &Cli, prompt: &str, needed_for: &str) -> Result<String> {
    if cli.pin_stdin {
        return Ok(read_stdin_line()?.trim().to_string());
    }
    if std::io::stdin().is_terminal() {
        return Ok(rpassword::prompt_password(prompt)?.trim().to_string());
    }
    Err(Error::Refused {
        params: vec![],
        code: "pin_required",
        field: Some("pin"),
        message: format!(
            "{needed_for}: type it at the prompt on a terminal, or pipe it with --pin-stdin"
        ),
    })
}

/// Who this command acts as: the `--staff` member, signed in with their PIN; no one without it.
pub fn acting(cli: &Cli, ledger: &Ledger) -> Result<Acting> {
    match &cli.staff {
        Some(name) => {
            let pin = read_pin(
                cli,
                &format!("{name}'s PIN (hidden): "),
                &format!("this needs {name}'s PIN"),
            )?;
            let person = staff::sign_in(ledger, name, &pin)?;
            staff::acting(ledger, Some(&person.name), None)
        }
        None => Ok(Acting::nobody()),
    }
}

/// The person acting, allowed `what`: when they may not (or no one is named), the PIN of a
/// manager or the owner approves (asked once, after the staff member's own PIN).
pub fn permit(cli: &Cli, ledger: &Ledger, what: Permission) -> Result<(Acting, Stamp)> {
    let by = acting(cli, ledger)?;
    match staff::authorize(ledger, &by, what) {
        Ok(stamp) => Ok((by, stamp)),
        Err(e)
            if matches!(
                e.code(),
                "pin_required" | "needs_approval" | "sign_in_required"
            ) =>
        {
            let pin = read_pin(
                cli,
                "PIN of a manager or the owner, to approve (hidden): ",
                &e.to_string(),
            )?;
            let by = by.approved_by(staff::approval(ledger, &pin)?);
            let stamp = staff::authorize(ledger, &by, what)?;
            Ok((by, stamp))
        }
        Err(e) => Err(e),
    }
}

#[derive(Subcommand, Debug)]
pub enum StaffCommand {
    /// Everyone on the staff list, active first.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add a staff member (the owner's PIN); their new PIN is asked twice (hidden), or is the
    /// next line of stdin with --pin-stdin.
    Add {
        name: String,
        #[arg(long, value_parser = ["cashier", "manager", "owner"])]
        role: String,
        /// The window's language when they are signed in: en, fr-CA, zh-CN or hi (default:
        /// the shop's, `shop.language`).
        #[arg(long)]
        language: Option<String>,
    },
    /// Change a staff member's role, PIN (--new-pin: asked as for `add`), whether they may
    /// sign in (--active true|false) or their language (--language TAG, or `shop` for the
    /// shop's).
    Change {
        name: String,
        #[arg(long, value_parser = ["cashier", "manager", "owner"])]
        role: Option<String>,
        #[arg(long)]
        new_pin: bool,
        #[arg(long)]
        active: Option<bool>,
        #[arg(long)]
        language: Option<String>,
    },
    /// A manager's daily refund cap in CURRENCY (AMOUNT as typed; --remove: none, so every
    /// refund in it needs the owner).
    Cap {
        currency: String,
        amount: Option<String>,
        #[arg(long, conflicts_with = "amount")]
        remove: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ShiftCommand {
    /// Open a shift at this counter.
    Open,
    /// The X report of the open shift (or of shift --id; a closed one shows its Z).
    X(ReportArgs),
    /// Close the open shift and print its Z report (sealed). Sales still waiting refuse the
    /// close unless --carry (they go to the next shift).
    Close {
        #[arg(long)]
        carry: bool,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Every counter's shifts opened on one day (in a shop: all the counters this desk has
    /// pulled), each with its Z (or X while open), and their figures added up per currency.
    Day {
        /// YYYY-MM-DD (default: today).
        #[arg(long)]
        date: Option<String>,
        #[arg(long, default_value = "local")]
        tz: String,
        #[arg(long)]
        json: bool,
    },
    /// The shifts, newest first.
    List {
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    #[arg(long)]
    id: Option<i64>,
    #[arg(long)]
    json: bool,
    /// Also write the report as CSV to this file.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// Also write the report as PDF to this file.
    #[arg(long, value_name = "FILE")]
    pdf: Option<PathBuf>,
    /// The times' zone: UTC, local or an offset such as +05:30.
    #[arg(long, default_value = "local")]
    tz: String,
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Prove the audit chain whole, or name the first entry that is not as it was written.
    /// Exit status 1 when broken.
    Verify {
        #[arg(long)]
        json: bool,
    },
    /// The newest entries first.
    List {
        #[arg(long)]
        staff: Option<String>,
        #[arg(long)]
        action: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
}

/// Reads a new PIN: the next stdin line with --pin-stdin, else a hidden prompt twice.
fn new_pin(cli: &Cli, name: &str) -> Result<String> {
    if cli.pin_stdin {
        return Ok(read_stdin_line()?.trim().to_string());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::invalid(
            "pin",
            "the new PIN is typed at a prompt on a terminal, or piped with --pin-stdin",
        ));
    }
    let pin = rpassword::prompt_password(format!("New PIN for {name}, 4 to 8 digits (hidden): "))?;
    let again = rpassword::prompt_password("The same PIN again: ")?;
    if pin != again {
        return Err(Error::invalid("pinRepeat", "the two PINs differ"));
    }
    Ok(pin.trim().to_string())
}

pub fn run_staff(cli: &Cli, data_dir: &Path, command: StaffCommand) -> Result<()> {
    let ledger = Ledger::open_in(data_dir)?;
    match command {
        StaffCommand::List { json } => {
            let list = staff::list(&ledger)?;
            if json {
                println!("{}", to_json(&list)?);
            } else {
                for s in list {
                    println!(
                        "{:<24} {:<8} {:<8} {}",
                        s.name,
                        s.role.as_str(),
                        if s.active { "active" } else { "inactive" },
                        s.language.as_deref().unwrap_or("shop's language")
                    );
                }
            }
        }
        StaffCommand::Add {
            name,
            role,
            language,
        } => {
            let role = Role::parse(&role)?;
            // Checked before the PIN is asked for: a typo costs no PIN typed twice.
            let language = language
                .as_deref()
                .map(|l| check_language("language", l))
                .transpose()?;
            let (by, _) = permit(cli, &ledger, Permission::Staff)?;
            let pin = new_pin(cli, &name)?;
            let added = staff::add(&ledger, &by, &name, role, &pin, language)?;
            match &added.language {
                Some(language) => println!(
                    "{} added as {}, speaking {language}",
                    added.name,
                    added.role.as_str()
                ),
                None => println!("{} added as {}", added.name, added.role.as_str()),
            }
        }
        StaffCommand::Change {
            name,
            role,
            new_pin: wants_pin,
            active,
            language,
        } => {
            let role = role.as_deref().map(Role::parse).transpose()?;
            // `shop`: back to the shop's language; anything else must be one Paydesk speaks.
            let language = match language.as_deref().map(str::trim) {
                None => None,
                Some(l) if l.eq_ignore_ascii_case("shop") => Some(None),
                Some(l) => Some(Some(check_language("language", l)?.to_string())),
            };
            let (by, _) = permit(cli, &ledger, Permission::Staff)?;
            let pin = if wants_pin {
                Some(new_pin(cli, &name)?)
            } else {
                None
            };
            let changed = staff::change(
                &ledger,
                &by,
                &name,
                &StaffChange {
                    role,
                    new_pin: pin,
                    active,
                    language,
                },
            )?;
            println!(
                "{}: {}, {}, {}",
                changed.name,
                changed.role.as_str(),
                if changed.active { "active" } else { "inactive" },
                changed.language.as_deref().unwrap_or("shop's language")
            );
        }
        StaffCommand::Cap {
            currency,
            amount,
            remove,
        } => {
            let currency = Currency::parse(&currency)?;
            if amount.is_none() && !remove {
                return Err(Error::invalid("amount", "give the day's cap, or --remove"));
            }
            let (by, _) = permit(cli, &ledger, Permission::Staff)?;
            staff::set_refund_cap(&ledger, &by, currency, amount.as_deref())?;
            match amount {
                Some(amount) => println!(
                    "managers may refund {amount} {} a day on their own",
                    currency.code()
                ),
                None => println!(
                    "no cap in {}: refunds in it need the owner",
                    currency.code()
                ),
            }
        }
    }
    Ok(())
}

pub async fn run_shift(cli: &Cli, data_dir: &Path, command: ShiftCommand) -> Result<()> {
    match command {
        ShiftCommand::Open => {
            let ledger = Ledger::open_in(data_dir)?;
            let (by, _) = permit(cli, &ledger, Permission::Shift)?;
            let shift = shifts::open(&ledger, &by)?;
            println!("shift {} open, by {}", shift.id, shift.opened_by);
        }
        ShiftCommand::X(args) => {
            let ledger = Ledger::open_in(data_dir)?;
            let (by, _) = permit(cli, &ledger, Permission::Shift)?;
            let report = shifts::x_report(&ledger, &by, args.id)?;
            show(&ledger, &report, &args)?;
        }
        ShiftCommand::Close {
            carry,
            report: args,
        } => {
            let desk = Paydesk::open(data_dir, cli.mode()).await?;
            let (by, _) = permit(cli, desk.ledger(), Permission::Shift)?;
            let report = desk.close_shift(&by, carry).await?;
            show(desk.ledger(), &report, &args)?;
        }
        ShiftCommand::Day { date, tz, json } => {
            let ledger = Ledger::open_in(data_dir)?;
            let zone = Zone::parse(&tz)?;
            let day = shifts::day_asked("date", date.as_deref(), &zone)?;
            let (by, _) = permit(cli, &ledger, Permission::SeeAllOrders)?;
            let report = shifts::day_report(&ledger, &by, day, &zone)?;
            if json {
                println!("{}", to_json(&report)?);
            } else {
                println!("{}: {} shift(s)", report.day, report.shifts.len());
                for s in &report.shifts {
                    println!(
                        "  shift {} {} {:?} opened by {}",
                        s.shift_id,
                        if s.counter.is_empty() {
                            "-"
                        } else {
                            &s.counter
                        },
                        s.kind,
                        s.opened_by
                    );
                }
                for c in &report.totals {
                    let currency = Currency::parse(&c.currency)?;
                    println!(
                        "{}: sales {} ({}), refunds {}, voids {}, net {}",
                        c.currency,
                        currency.decimal_string(c.sales_minor),
                        c.sales_count,
                        currency.decimal_string(c.refunds_minor),
                        currency.decimal_string(c.voids_minor),
                        currency.decimal_string(c.net_minor)
                    );
                }
            }
        }
        ShiftCommand::List { limit, json } => {
            let ledger = Ledger::open_in(data_dir)?;
            let list = ledger.shifts(limit)?;
            if json {
                println!("{}", to_json(&list)?);
            } else {
                for s in list {
                    println!(
                        "{:>5} {:<12} opened by {} at {}{}",
                        s.id,
                        if s.counter.is_empty() {
                            "-"
                        } else {
                            &s.counter
                        },
                        s.opened_by,
                        s.opened_at_ms,
                        match (&s.closed_by, s.closed_at_ms) {
                            (Some(by), Some(at)) => format!(", closed by {by} at {at} (sealed)"),
                            _ => ", open".into(),
                        }
                    );
                }
            }
        }
    }
    Ok(())
}

/// Prints a report (and writes its CSV and PDF where asked).
fn show(ledger: &Ledger, report: &ShiftReport, args: &ReportArgs) -> Result<()> {
    let zone = Zone::parse(&args.tz)?;
    if let Some(path) = &args.csv {
        std::fs::write(path, shifts::report_csv(report, &zone))?;
    }
    if let Some(path) = &args.pdf {
        let shop = paydesk_core::settings::shop_name(ledger)?;
        std::fs::write(path, shifts::report_pdf(report, &shop, &zone))?;
    }
    if args.json {
        println!("{}", to_json(report)?);
        return Ok(());
    }
    print!("{}", shifts::report_text(report, &zone));
    Ok(())
}

pub async fn run_audit(
    cli: &Cli,
    data_dir: &Path,
    command: AuditCommand,
) -> Result<std::process::ExitCode> {
    let ledger = Ledger::open_in(data_dir)?;
    match command {
        AuditCommand::Verify { json } => {
            // Anyone may check the chains: it shows no entry, only whether they are whole.
            let mut verdict = ledger.verify_audit()?;
            // In a shop: this chain against the shop ledger's copy of it, and the other
            // counters' chains as pulled.
            if matches!(verdict, AuditVerdict::Whole { .. }) && ledger.membership()?.is_some() {
                let desk = Paydesk::open(data_dir, cli.mode()).await?;
                match desk.audit_against_shop().await {
                    Ok(Some(broken)) => verdict = broken,
                    Ok(None) => {}
                    Err(e) => eprintln!("note: not compared with the shop ledger's copy: {e}"),
                }
                for (counter, theirs) in desk.ledger().verify_pulled_chains()? {
                    match theirs {
                        AuditVerdict::Whole { entries, .. } => {
                            if !json {
                                println!("{counter}: whole, {entries} entries (as pulled)");
                            }
                        }
                        AuditVerdict::Broken { seq, why } => {
                            verdict = AuditVerdict::Broken {
                                seq,
                                why: format!("counter {counter}: {why}"),
                            };
                        }
                    }
                }
            }
            if json {
                println!("{}", to_json(&verdict)?);
            }
            match verdict {
                AuditVerdict::Whole { entries, lag } => {
                    if !json {
                        println!("the audit log is whole: {entries} entries, the head kept apart names the newest{}",
                            if lag > 0 { format!(" but {lag} (written just before a stop; the next entry moves it)") } else { String::new() });
                    }
                    Ok(std::process::ExitCode::SUCCESS)
                }
                AuditVerdict::Broken { seq, why } => {
                    if !json {
                        println!("BROKEN at entry {seq}: {why}");
                    }
                    Ok(std::process::ExitCode::from(1))
                }
            }
        }
        AuditCommand::List {
            staff: who,
            action,
            limit,
            json,
        } => {
            let (_, _) = permit(cli, &ledger, Permission::Audit)?;
            let entries = ledger.audit_entries(&AuditQuery {
                staff: who,
                action,
                limit,
                ..AuditQuery::default()
            })?;
            if json {
                println!("{}", to_json(&entries)?);
            } else {
                for e in entries {
                    println!(
                        "{:>6} {} {:<18} {:<22} {}{} {}",
                        e.seq,
                        e.at_ms,
                        e.action,
                        e.subject,
                        e.staff.as_deref().unwrap_or("-"),
                        e.approver
                            .map(|a| format!(" (approved by {a})"))
                            .unwrap_or_default(),
                        e.detail
                    );
                }
            }
            Ok(std::process::ExitCode::SUCCESS)
        }
    }
}
