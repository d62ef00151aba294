//! Shifts and their reports. A counter's shift is opened by a staff member and closed by one;
//! each sale belongs to the shift open at its counter when it was made, each refund and void
//! to the shift open when it was made. The X report reads a shift as it is now; the Z report
//! is the same reading taken at the close, inside the transaction that seals the shift, and
//! kept with it (its SHA-256 in the audit log).
//!
//! The figures, per currency: sales (orders of the shift whose money arrived, or that were
//! voided: a void gives back a sale that was made), per gateway and method; refunds and voids
//! made in the shift that went through; net = sales - refunds - voids; per staff member; and
//! apart, never summed in, reversals whose outcome is unknown and the sales still waiting.
//! A close does not pass silently over waiting sales: they are re-asked about, and whatever
//! still waits is listed and needs the closer's word (`carry`), then goes to the next shift.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::Currency;
use paydesk_domain::order::{Method, MoneyClass, Order, OrderStatus};
use paydesk_domain::zone::Zone;
use paydesk_ledger::ledger::{now_ms, Ledger, RefundKind, RefundStatus, ShiftReversal, ShiftRow};

use crate::language::{shop_language, DEFAULT_LANGUAGE};
use crate::payments::Paydesk;
use crate::staff::{self, Acting, Permission};
use crate::words::{self, Words};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub enum ReportKind {
    /// Mid-shift: the shift as it is now.
    X,
    /// At the close: sealed with the shift.
    Z,
}

/// Sales of one gateway and method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MethodLine {
    pub gateway: String,
    pub method: String,
    pub label: String,
    pub count: i64,
    pub minor: i64,
}

/// One person's part of a shift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StaffLine {
    /// Empty: no one signed in (a shop without staff accounts).
    pub name: String,
    pub sales_count: i64,
    pub sales_minor: i64,
    /// Refunds and voids they made (or, with no one signed in, approved) that went through.
    pub reversals_count: i64,
    pub reversals_minor: i64,
}

/// A shift's figures in one currency (minor units).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyFigures {
    pub currency: String,
    pub sales_count: i64,
    pub sales_minor: i64,
    pub by_method: Vec<MethodLine>,
    pub refunds_count: i64,
    pub refunds_minor: i64,
    pub voids_count: i64,
    pub voids_minor: i64,
    /// sales - refunds - voids.
    pub net_minor: i64,
    /// Refunds and voids whose outcome is not known yet: held back, not in the net.
    pub unknown_reversals_count: i64,
    pub unknown_reversals_minor: i64,
    pub by_staff: Vec<StaffLine>,
    /// The tips inside `sales_minor` (shown apart, never added again), and the tip parts of
    /// the refunds and voids that went through; left out when the shift had none (and in
    /// reports sealed before tips).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tips_minor: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tips_refunded_minor: Option<i64>,
}

/// A sale still waiting for its money when the report was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct WaitingSale {
    pub id: i64,
    pub merchant_order_no: String,
    pub method: String,
    pub currency: String,
    pub minor: i64,
    pub status: String,
    pub staff: Option<String>,
    pub created_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ShiftReport {
    pub kind: ReportKind,
    pub shift_id: i64,
    /// The counter's name in a shop; empty for a counter on its own.
    pub counter: String,
    pub opened_by: String,
    pub opened_at_ms: i64,
    pub closed_by: Option<String>,
    /// The end of the span the report covers: the close (Z) or when it was read (X).
    pub until_ms: i64,
    pub currencies: Vec<CurrencyFigures>,
    pub waiting: Vec<WaitingSale>,
    /// What happens to the waiting sales (a Z report says they were carried).
    pub waiting_note: Option<String>,
    /// The language its PDF and text print in (`words::print_language` of the shop's, set
    /// when it is read): never sealed nor sent to the window, which has its own words.
    #[serde(skip)]
    #[ts(skip)]
    pub language: &'static str,
}

/// Whether an order of a shift counts as a sale: its money arrived, or it was voided (a
/// void gives back a sale that was made, and is counted as a void).
fn is_sale(order: &Order) -> bool {
    order.status.money_class() == MoneyClass::Taken || order.status == OrderStatus::Voided
}

/// The figures of a shift's orders and reversals, as read at `until_ms`.
pub fn figures(
    kind: ReportKind,
    shift: &ShiftRow,
    orders: &[Order],
    reversals: &[ShiftReversal],
    until_ms: i64,
) -> ShiftReport {
    #[derive(Default)]
    struct Acc {
        sales: (i64, i64),
        methods: BTreeMap<(String, String), (String, i64, i64)>,
        refunds: (i64, i64),
        voids: (i64, i64),
        unknown: (i64, i64),
        staff: BTreeMap<String, [i64; 4]>,
        /// Tips inside the sales, and tip parts of the reversals that went through.
        tips: (i64, i64),
    }
    let mut by_currency: BTreeMap<String, Acc> = BTreeMap::new();
    let mut waiting = Vec::new();
    for order in orders {
        let currency = order.amount.currency().code().to_string();
        if is_sale(order) {
            let acc = by_currency.entry(currency).or_default();
            let minor = order.amount.minor();
            acc.sales.0 += 1;
            acc.sales.1 += minor;
            acc.tips.0 += order.tip_minor;
            let line = acc
                .methods
                .entry((order.gateway.as_str().into(), order.method.as_str().into()))
                .or_insert((order.method.label().to_string(), 0, 0));
            line.1 += 1;
            line.2 += minor;
            let person = acc
                .staff
                .entry(order.staff.clone().unwrap_or_default())
                .or_default();
            person[0] += 1;
            person[1] += minor;
        } else if order.status.money_class() == MoneyClass::Waiting {
            waiting.push(WaitingSale {
                id: order.id,
                merchant_order_no: order.merchant_order_no.clone(),
                method: order.method.label().to_string(),
                currency,
                minor: order.amount.minor(),
                status: order.status.label().to_string(),
                staff: order.staff.clone(),
                created_at_ms: order.created_at_ms,
            });
        }
    }
    for reversal in reversals {
        let acc = by_currency.entry(reversal.currency.clone()).or_default();
        let minor = reversal.refund.amount_minor;
        match reversal.refund.status {
            RefundStatus::Failed => continue,
            RefundStatus::Pending => {
                acc.unknown.0 += 1;
                acc.unknown.1 += minor;
                continue;
            }
            RefundStatus::Succeeded => {}
        }
        let bucket = match reversal.refund.kind {
            RefundKind::Refund => &mut acc.refunds,
            RefundKind::Void => &mut acc.voids,
        };
        bucket.0 += 1;
        bucket.1 += minor;
        acc.tips.1 += reversal.refund.tip_minor;
        let person = acc
            .staff
            .entry(reversal.staff.clone().unwrap_or_default())
            .or_default();
        person[2] += 1;
        person[3] += minor;
    }
    let currencies = by_currency
        .into_iter()
        .map(|(currency, acc)| CurrencyFigures {
            currency,
            sales_count: acc.sales.0,
            sales_minor: acc.sales.1,
            by_method: acc
                .methods
                .into_iter()
                .map(|((gateway, method), (label, count, minor))| MethodLine {
                    gateway,
                    method,
                    label,
                    count,
                    minor,
                })
                .collect(),
            refunds_count: acc.refunds.0,
            refunds_minor: acc.refunds.1,
            voids_count: acc.voids.0,
            voids_minor: acc.voids.1,
            net_minor: acc.sales.1 - acc.refunds.1 - acc.voids.1,
            tips_minor: (acc.tips != (0, 0)).then_some(acc.tips.0),
            tips_refunded_minor: (acc.tips != (0, 0)).then_some(acc.tips.1),
            unknown_reversals_count: acc.unknown.0,
            unknown_reversals_minor: acc.unknown.1,
            by_staff: acc
                .staff
                .into_iter()
                .map(|(name, [sc, sm, rc, rm])| StaffLine {
                    name,
                    sales_count: sc,
                    sales_minor: sm,
                    reversals_count: rc,
                    reversals_minor: rm,
                })
                .collect(),
        })
        .collect();
    // Kept in English with the report (a sealed Z's words); printed in the report's language.
    let waiting_note = waiting_note(&Words::english(), kind, waiting.len());
    ShiftReport {
        kind,
        shift_id: shift.id,
        counter: shift.counter.clone(),
        opened_by: shift.opened_by.clone(),
        opened_at_ms: shift.opened_at_ms,
        closed_by: shift.closed_by.clone(),
        until_ms,
        currencies,
        waiting,
        waiting_note,
        language: DEFAULT_LANGUAGE,
    }
}

/// `report`, to be printed in the shop's language.
fn in_shop_language(ledger: &Ledger, mut report: ShiftReport) -> Result<ShiftReport> {
    report.language = words::print_language(shop_language(ledger)?);
    Ok(report)
}

/// The shift open at this counter (None: none).
pub fn current(ledger: &Ledger) -> Result<Option<ShiftRow>> {
    ledger.current_shift()
}

/// Opens a shift at this counter, by the person at the till.
pub fn open(ledger: &Ledger, by: &Acting) -> Result<ShiftRow> {
    let stamp = staff::authorize(ledger, by, Permission::Shift)?;
    ledger.open_shift(&stamp)
}

/// The X report of the shift open at this counter (or of shift `id`; a closed shift's X is
/// its sealed Z).
pub fn x_report(ledger: &Ledger, by: &Acting, id: Option<i64>) -> Result<ShiftReport> {
    staff::authorize(ledger, by, Permission::Shift)?;
    let shift = match id {
        Some(id) => ledger.shift(id)?,
        None => ledger.current_shift()?.ok_or_else(no_open_shift)?,
    };
    if shift.closed_at_ms.is_some() {
        return z_report(ledger, shift.id);
    }
    let (orders, reversals) = ledger.shift_contents(shift.id)?;
    in_shop_language(
        ledger,
        figures(ReportKind::X, &shift, &orders, &reversals, now_ms()),
    )
}

/// A closed shift's Z report, as sealed.
pub fn z_report(ledger: &Ledger, id: i64) -> Result<ShiftReport> {
    let shift = ledger.shift(id)?;
    let json = shift.z_report.as_deref().ok_or_else(|| {
        Error::invalid(
            "shift",
            format!("shift {id} is still open: it has an X report, not a Z"),
        )
    })?;
    let report: ShiftReport = serde_json::from_str(json)
        .map_err(|e| Error::Internal(format!("shift {id}'s sealed Z report is unreadable: {e}")))?;
    let hash = hex::encode(Sha256::digest(json.as_bytes()));
    if shift.z_hash.as_deref() != Some(hash.as_str()) {
        return Err(Error::Refused {
            params: vec![("shift", id.to_string())],
            code: "z_tampered",
            field: None,
            message: format!("shift {id}'s Z report does not match the hash sealed with it"),
        });
    }
    in_shop_language(ledger, report)
}

fn no_open_shift() -> Error {
    Error::Refused {
        params: vec![],
        code: "no_open_shift",
        field: None,
        message: "no shift is open at this counter".into(),
    }
}

impl Paydesk {
    /// Closes the shift open at this counter with its Z report. Sales still waiting are asked
    /// about first; any that still wait are refused over (`waiting_sales`, listing them) unless
    /// `carry` says to carry them to the next shift.
    pub async fn close_shift(self: &Arc<Self>, by: &Acting, carry: bool) -> Result<ShiftReport> {
        let stamp = staff::authorize(self.ledger(), by, Permission::Shift)?;
        let shift = self.ledger().current_shift()?.ok_or_else(no_open_shift)?;
        let (orders, _) = self.ledger().shift_contents(shift.id)?;
        for order in orders
            .iter()
            .filter(|o| o.status.money_class() == MoneyClass::Waiting)
        {
            if let Err(e) = self.sync(order.id).await {
                tracing::warn!(order = order.id, "asking before the close: {e}");
            }
        }
        let mut sealed = None;
        self.ledger().close_shift(&stamp, shift.id, |shift, orders, reversals, now| {
            let mut closed = shift.clone();
            closed.closed_by = stamp.staff.clone().or(Some(String::new()));
            closed.closed_at_ms = Some(now);
            let report = figures(ReportKind::Z, &closed, orders, reversals, now);
            if !report.waiting.is_empty() && !carry {
                return Err(Error::Refused {
                    params: vec![("count", report.waiting.len().to_string())],
                    code: "waiting_sales",
                    field: None,
                    message: format!(
                        "{} sale(s) still wait for payment ({}): re-check or cancel them, or close and carry them to the next shift",
                        report.waiting.len(),
                        report
                            .waiting
                            .iter()
                            .map(|w| format!(
                                "{} {} {}",
                                w.merchant_order_no,
                                Currency::parse(&w.currency)
                                    .map(|c| c.decimal_string(w.minor))
                                    .unwrap_or_default(),
                                w.currency
                            ))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
            let json = serde_json::to_string(&report)
                .map_err(|e| Error::Internal(format!("cannot write the Z report: {e}")))?;
            let hash = hex::encode(Sha256::digest(json.as_bytes()));
            sealed = Some(report);
            Ok((json, hash))
        })?;
        let sealed =
            sealed.ok_or_else(|| Error::Internal("the shift closed without its report".into()))?;
        in_shop_language(self.ledger(), sealed)
    }
}

/// The report as CSV (one section per currency; times in `zone`), formula-safe.
pub fn report_csv(report: &ShiftReport, zone: &Zone) -> String {
    let mut rows: Vec<Vec<String>> = vec![
        vec!["report".into(), format!("{:?}", report.kind)],
        vec!["shift".into(), report.shift_id.to_string()],
        vec!["counter".into(), report.counter.clone()],
        vec![
            "opened".into(),
            time(report.opened_at_ms, zone),
            report.opened_by.clone(),
        ],
        vec![
            match report.kind {
                ReportKind::X => "read".into(),
                ReportKind::Z => "closed".into(),
            },
            time(report.until_ms, zone),
            report.closed_by.clone().unwrap_or_default(),
        ],
        vec![],
        vec![
            "currency".into(),
            "line".into(),
            "what".into(),
            "count".into(),
            "amount".into(),
        ],
    ];
    for c in &report.currencies {
        let money = |minor: i64| amount(minor, &c.currency);
        let mut line = |what: &str, name: &str, count: i64, minor: i64| {
            rows.push(vec![
                c.currency.clone(),
                what.into(),
                name.into(),
                count.to_string(),
                money(minor),
            ]);
        };
        line("sales", "all", c.sales_count, c.sales_minor);
        for m in &c.by_method {
            line(
                "sales",
                &format!("{} {}", m.gateway, m.label),
                m.count,
                m.minor,
            );
        }
        line("refunds", "", c.refunds_count, c.refunds_minor);
        line("voids", "", c.voids_count, c.voids_minor);
        line("net", "", c.sales_count, c.net_minor);
        if let Some(tips) = c.tips_minor {
            let back = c.tips_refunded_minor.unwrap_or(0);
            line("tips", "in sales", c.sales_count, tips);
            line("tips", "refunded", 0, back);
            line("tips", "net", 0, tips - back);
        }
        line(
            "unknown reversals",
            "",
            c.unknown_reversals_count,
            c.unknown_reversals_minor,
        );
        for s in &c.by_staff {
            let who = if s.name.is_empty() {
                "(no one signed in)"
            } else {
                &s.name
            };
            line("staff sales", who, s.sales_count, s.sales_minor);
            line("staff reversals", who, s.reversals_count, s.reversals_minor);
        }
    }
    if !report.waiting.is_empty() {
        rows.push(vec![]);
        rows.push(vec![
            "waiting".into(),
            report.waiting_note.clone().unwrap_or_default(),
        ]);
        for w in &report.waiting {
            rows.push(vec![
                w.currency.clone(),
                w.merchant_order_no.clone(),
                w.method.clone(),
                w.status.clone(),
                amount(w.minor, &w.currency),
            ]);
        }
    }
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The report as a PDF (A4), in the report's language where the PDF writer can draw it.
pub fn report_pdf(report: &ShiftReport, shop: &str, zone: &Zone) -> Vec<u8> {
    let words = Words::new(report.language);
    let title = words.fill(
        "print.report.pdf_title",
        &[("shop", shop), ("shift", &report.shift_id.to_string())],
    );
    if !a4_draws(&words) {
        // A language the A4 writer's standard fonts cannot draw (Chinese) is printed as the
        // receipt printer would, on an 80 mm roll page, in the receipt PDF's embedded
        // TrueType fonts: the report in its own words rather than a page of '?'.
        return crate::receipts::pdf::render_rows(
            &title,
            &roll_rows(report, &words, shop, zone),
            crate::receipts::Paper::Mm80,
        );
    }
    crate::pdf::render_paged(
        &title,
        crate::pdf::PageSize::A4,
        &report_lines(report, &words, shop, zone),
        &|page, pages| {
            words.fill(
                "print.page",
                &[("page", &page.to_string()), ("pages", &pages.to_string())],
            )
        },
    )
}

/// The report as plain text, 48 columns (a terminal, a receipt printer), in the report's
/// language (a Chinese character takes two columns, as a terminal draws it).
pub fn report_text(report: &ShiftReport, zone: &Zone) -> String {
    let mut out = String::new();
    for row in roll_rows(report, &Words::new(report.language), "", zone) {
        out.push_str(&row.text);
        out.push('\n');
    }
    out
}

/// The report's lines laid out on a roll 48 columns wide (`report_text`, and the roll PDF):
/// titles and headings bold, a pair's value pushed to the right edge.
fn roll_rows(
    report: &ShiftReport,
    words: &Words,
    shop: &str,
    zone: &Zone,
) -> Vec<crate::receipts::layout::Row> {
    use crate::pdf::Line;
    use crate::receipts::layout::{columns, Align, Row};
    const WIDTH: usize = 48;
    let row = |text: String, bold: bool| Row {
        text,
        align: Align::Left,
        bold,
        double: false,
    };
    report_lines(report, words, shop, zone)
        .into_iter()
        .map(|line| match line {
            Line::Title(t) | Line::Heading(t) => row(t.trim_start_matches(": ").to_string(), true),
            Line::Text(t) => row(t.trim_start_matches(": ").to_string(), false),
            Line::Pair(left, right) => {
                let pad = WIDTH
                    .saturating_sub(columns(&left) + columns(&right))
                    .max(1);
                row(format!("{left}{}{right}", " ".repeat(pad)), false)
            }
            Line::Rule => row("-".repeat(WIDTH), false),
            Line::Blank => row(String::new(), false),
        })
        .collect()
}

/// What a report says of its waiting sales, in `words`.
fn waiting_note(words: &Words, kind: ReportKind, waiting: usize) -> Option<String> {
    let key = match (kind, waiting) {
        (_, 0) => return None,
        (ReportKind::X, _) => "print.report.waiting_x",
        (ReportKind::Z, _) => "print.report.waiting_z",
    };
    Some(words.fill(key, &[("count", &waiting.to_string())]))
}

/// Whether `pdf` (PDF's standard fonts, Windows-1252 only) draws every word a report prints
/// in `words` (English, French); Chinese it cannot, and goes to the roll PDF.
fn a4_draws(words: &Words) -> bool {
    REPORT_KEYS
        .iter()
        .all(|key| crate::pdf::drawable(words.get(key)))
        && Method::ALL
            .iter()
            .all(|m| crate::pdf::drawable(words.method(*m)))
}

/// Every word a report prints (`a4_draws` checks them all).
const REPORT_KEYS: [&str; 21] = [
    "print.page",
    "print.report.closed_by",
    "print.report.counter",
    "print.report.net",
    "print.report.no_one_signed_in",
    "print.report.of_which_tips",
    "print.report.opened_by",
    "print.report.pdf_title",
    "print.report.read_at",
    "print.report.refunds",
    "print.report.sales",
    "print.report.shift",
    "print.report.shop_title",
    "print.report.staff_line",
    "print.report.still_waiting",
    "print.report.unknown_reversals",
    "print.report.voids",
    "print.report.waiting_x",
    "print.report.waiting_z",
    "print.report.x_title",
    "print.report.z_title",
];

/// The report's lines, as the PDF and the text print them, in `words`.
fn report_lines(
    report: &ShiftReport,
    words: &Words,
    shop: &str,
    zone: &Zone,
) -> Vec<crate::pdf::Line> {
    use crate::pdf::Line;
    let words = *words;
    let w = |key: &'static str| words.get(key).to_string();
    let count = |key: &'static str, n: i64| words.fill(key, &[("count", &n.to_string())]);
    let kind = match report.kind {
        ReportKind::X => w("print.report.x_title"),
        ReportKind::Z => w("print.report.z_title"),
    };
    let mut lines = vec![
        Line::Title(if shop.is_empty() {
            kind
        } else {
            words.fill(
                "print.report.shop_title",
                &[("shop", shop), ("report", &kind)],
            )
        }),
        Line::Pair(w("print.report.shift"), report.shift_id.to_string()),
    ];
    if !report.counter.is_empty() {
        lines.push(Line::Pair(
            w("print.report.counter"),
            report.counter.clone(),
        ));
    }
    lines.push(Line::Pair(
        words.fill("print.report.opened_by", &[("name", &report.opened_by)]),
        time(report.opened_at_ms, zone),
    ));
    lines.push(Line::Pair(
        match (&report.kind, &report.closed_by) {
            (ReportKind::Z, Some(by)) => words.fill("print.report.closed_by", &[("name", by)]),
            _ => w("print.report.read_at"),
        },
        time(report.until_ms, zone),
    ));
    for c in &report.currencies {
        let money = |minor: i64| printed_amount(&words, minor, &c.currency);
        lines.push(Line::Rule);
        lines.push(Line::Heading(c.currency.clone()));
        lines.push(Line::Pair(
            count("print.report.sales", c.sales_count),
            money(c.sales_minor),
        ));
        for m in &c.by_method {
            lines.push(Line::Pair(
                format!("  {} ({})", words.method_label(&m.label), m.count),
                money(m.minor),
            ));
        }
        lines.push(Line::Pair(
            count("print.report.refunds", c.refunds_count),
            money(-c.refunds_minor),
        ));
        lines.push(Line::Pair(
            count("print.report.voids", c.voids_count),
            money(-c.voids_minor),
        ));
        lines.push(Line::Pair(w("print.report.net"), money(c.net_minor)));
        if let Some(tips) = c.tips_minor {
            let back = c.tips_refunded_minor.unwrap_or(0);
            lines.push(Line::Pair(
                format!("  {}", w("print.report.of_which_tips")),
                money(tips - back),
            ));
        }
        if c.unknown_reversals_count > 0 {
            lines.push(Line::Pair(
                count("print.report.unknown_reversals", c.unknown_reversals_count),
                money(c.unknown_reversals_minor),
            ));
        }
        for s in &c.by_staff {
            let who = if s.name.is_empty() {
                w("print.report.no_one_signed_in")
            } else {
                s.name.clone()
            };
            let line = words.fill(
                "print.report.staff_line",
                &[
                    ("name", &who),
                    ("sales", &s.sales_count.to_string()),
                    ("reversals", &s.reversals_count.to_string()),
                ],
            );
            lines.push(Line::Pair(
                format!("  {line}"),
                money(s.sales_minor - s.reversals_minor),
            ));
        }
    }
    if report.waiting_note.is_some() {
        lines.push(Line::Rule);
        lines.push(Line::Heading(w("print.report.still_waiting")));
        // Said again in the report's language (what was sealed is the English of the same).
        let note = waiting_note(&words, report.kind, report.waiting.len())
            .or_else(|| report.waiting_note.clone())
            .unwrap_or_default();
        lines.push(Line::Text(note));
        for w in &report.waiting {
            lines.push(Line::Pair(
                format!("{} {}", w.merchant_order_no, words.method_label(&w.method)),
                printed_amount(&words, w.minor, &w.currency),
            ));
        }
    }
    lines
}

/// An amount on a printed report: in English as reports always printed it ("1234.50 CAD":
/// plain decimals, the code after), in another language as it writes them ("1 234,50 CAD").
fn printed_amount(words: &Words, minor: i64, currency: &str) -> String {
    match Currency::parse(currency) {
        Ok(c) if !words.is_english() => words.amount(minor, c),
        _ => format!("{} {currency}", amount(minor, currency)),
    }
}

fn amount(minor: i64, currency: &str) -> String {
    Currency::parse(currency)
        .map(|c| c.decimal_string(minor))
        .unwrap_or_else(|_| minor.to_string())
}

fn time(ms: i64, zone: &Zone) -> String {
    let mut out = Vec::new();
    paydesk_domain::zone::write_datetime(&mut out, ms, zone);
    String::from_utf8(out).unwrap_or_default()
}

/// A CSV cell: quoted when it must be, and a leading = + - @ (a spreadsheet formula) made
/// text with a quote, as the export does.
fn csv_cell(text: &str) -> String {
    let safe = if text.starts_with(['=', '+', '@', '\t', '\r'])
        || (text.starts_with('-') && text.parse::<f64>().is_err())
    {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if safe.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", safe.replace('"', "\"\""))
    } else {
        safe
    }
}

/// Every counter's shifts opened on one day, and their figures added up per currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DayReport {
    /// YYYY-MM-DD, in the zone asked for.
    pub day: String,
    /// Each shift's sealed Z, or its X while it is open, oldest first.
    pub shifts: Vec<ShiftReport>,
    /// The shifts' figures summed per currency (never across currencies).
    pub totals: Vec<CurrencyFigures>,
}

/// The day a day report asks for: `text` as YYYY-MM-DD (refused on `field`), or today in
/// `zone` when none is given.
pub fn day_asked(
    field: &'static str,
    text: Option<&str>,
    zone: &Zone,
) -> Result<chrono::NaiveDate> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| Error::invalid(field, format!("{text:?} is not a date: use YYYY-MM-DD"))),
        None => Ok(zone.date_of(now_ms())),
    }
}

/// The day report over every counter's shifts opened on `day` (in a shop: every counter this
/// desk has pulled), for a manager or the owner.
pub fn day_report(
    ledger: &Ledger,
    by: &Acting,
    day: chrono::NaiveDate,
    zone: &Zone,
) -> Result<DayReport> {
    staff::authorize(ledger, by, Permission::SeeAllOrders)?;
    let from = zone
        .midnight_ms(day)
        .ok_or_else(|| Error::invalid("date", format!("{day} has no midnight in this zone")))?;
    let next = day
        .succ_opt()
        .and_then(|d| zone.midnight_ms(d))
        .unwrap_or(from + 86_400_000);
    let mut shifts = Vec::new();
    for shift in ledger.shifts_opened_between(from, next)? {
        shifts.push(match shift.closed_at_ms {
            Some(_) => z_report(ledger, shift.id)?,
            None => {
                let (orders, reversals) = ledger.shift_contents(shift.id)?;
                let x = figures(ReportKind::X, &shift, &orders, &reversals, now_ms());
                in_shop_language(ledger, x)?
            }
        });
    }
    Ok(DayReport {
        day: day.to_string(),
        totals: sum_figures(shifts.iter().flat_map(|s| s.currencies.iter())),
        shifts,
    })
}

/// Figures of one currency or more added up per currency: counts and amounts, the method and
/// staff lines merged by their keys.
fn sum_figures<'a>(all: impl Iterator<Item = &'a CurrencyFigures>) -> Vec<CurrencyFigures> {
    let mut out: BTreeMap<String, CurrencyFigures> = BTreeMap::new();
    for c in all {
        let sum = out
            .entry(c.currency.clone())
            .or_insert_with(|| CurrencyFigures {
                currency: c.currency.clone(),
                sales_count: 0,
                sales_minor: 0,
                by_method: Vec::new(),
                refunds_count: 0,
                refunds_minor: 0,
                voids_count: 0,
                voids_minor: 0,
                net_minor: 0,
                unknown_reversals_count: 0,
                unknown_reversals_minor: 0,
                by_staff: Vec::new(),
                tips_minor: None,
                tips_refunded_minor: None,
            });
        sum.sales_count += c.sales_count;
        sum.sales_minor += c.sales_minor;
        sum.refunds_count += c.refunds_count;
        sum.refunds_minor += c.refunds_minor;
        sum.voids_count += c.voids_count;
        sum.voids_minor += c.voids_minor;
        sum.net_minor += c.net_minor;
        sum.unknown_reversals_count += c.unknown_reversals_count;
        sum.unknown_reversals_minor += c.unknown_reversals_minor;
        if c.tips_minor.is_some() {
            *sum.tips_minor.get_or_insert(0) += c.tips_minor.unwrap_or(0);
            *sum.tips_refunded_minor.get_or_insert(0) += c.tips_refunded_minor.unwrap_or(0);
        }
        for m in &c.by_method {
            match sum
                .by_method
                .iter_mut()
                .find(|x| x.gateway == m.gateway && x.method == m.method)
            {
                Some(x) => {
                    x.count += m.count;
                    x.minor += m.minor;
                }
                None => sum.by_method.push(m.clone()),
            }
        }
        for s in &c.by_staff {
            match sum.by_staff.iter_mut().find(|x| x.name == s.name) {
                Some(x) => {
                    x.sales_count += s.sales_count;
                    x.sales_minor += s.sales_minor;
                    x.reversals_count += s.reversals_count;
                    x.reversals_minor += s.reversals_minor;
                }
                None => sum.by_staff.push(s.clone()),
            }
        }
    }
    out.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(language: &'static str) -> ShiftReport {
        ShiftReport {
            kind: ReportKind::Z,
            shift_id: 7,
            counter: "Front".into(),
            opened_by: "Zoë".into(),
            opened_at_ms: 1_700_000_000_000,
            closed_by: Some("Max".into()),
            until_ms: 1_700_003_600_000,
            currencies: vec![CurrencyFigures {
                currency: "CAD".into(),
                sales_count: 2,
                sales_minor: 123_450,
                by_method: vec![MethodLine {
                    gateway: "iotpay".into(),
                    method: "wechat-qr".into(),
                    label: "WeChat Pay QR".into(),
                    count: 2,
                    minor: 123_450,
                }],
                refunds_count: 1,
                refunds_minor: 1_000,
                voids_count: 0,
                voids_minor: 0,
                net_minor: 122_450,
                unknown_reversals_count: 0,
                unknown_reversals_minor: 0,
                by_staff: vec![StaffLine {
                    name: String::new(),
                    sales_count: 2,
                    sales_minor: 123_450,
                    reversals_count: 1,
                    reversals_minor: 1_000,
                }],
                tips_minor: Some(300),
                tips_refunded_minor: Some(0),
            }],
            waiting: vec![WaitingSale {
                id: 3,
                merchant_order_no: "PD3".into(),
                method: "Alipay QR".into(),
                currency: "CAD".into(),
                minor: 500,
                status: "Waiting for payment".into(),
                staff: None,
                created_at_ms: 1_700_000_000_000,
            }],
            waiting_note: waiting_note(&Words::english(), ReportKind::Z, 1),
            language,
        }
    }

    /// The text a PDF of the standard fonts shows (WinAnsi bytes as Latin-1, '’' as 0x92).
    fn pdf_text(pdf: &[u8]) -> String {
        pdf.iter().map(|&b| b as char).collect()
    }

    #[test]
    fn every_report_word_is_checked_for_the_pdf() {
        let english = Words::english();
        for key in crate::words::english_keys() {
            if key.starts_with("print.report.") || key == "print.page" {
                assert!(REPORT_KEYS.contains(&key), "{key}");
            }
        }
        for key in REPORT_KEYS {
            assert_ne!(english.get(key), key, "{key} is in the catalogues");
        }
    }

    #[test]
    fn english_is_as_it_always_was() {
        let text = report_text(&report("en"), &Zone::Utc);
        for line in [
            "Z report (shift closed and sealed)",
            "Opened by Zoë",
            "Closed by Max",
            "Sales (2)",
            "1234.50 CAD",
            "  WeChat Pay QR (2)",
            "Refunds (1)",
            "-10.00 CAD",
            "  of which tips",
            "  No one signed in: 2 sales, 1 reversals",
            "1 sale(s) still waiting at the close: carried to the next shift at this counter, and counted there if paid",
            "PD3 Alipay QR",
        ] {
            assert!(text.contains(line), "{line} in\n{text}");
        }
    }

    #[test]
    fn a_french_shop_prints_its_reports_in_french() {
        let text = report_text(&report("fr-CA"), &Zone::Utc);
        for line in [
            "Rapport Z (quart fermé et scellé)",
            "Ouvert par Zoë",
            "Fermé par Max",
            "Ventes (2)",
            "1 234,50 CAD",
            "Remboursements (1)",
            "-10,00 CAD",
            "  dont pourboires",
            "Personne de connecté : 2 ventes",
            "Toujours en attente",
            "1 vente(s) toujours en attente à la fermeture",
            "5,00 CAD",
        ] {
            assert!(text.contains(line), "{line} in\n{text}");
        }
        assert!(!text.contains("Sales"), "{text}");
        // The PDF draws the accents (WinAnsi é = 0xE9) and pages in French.
        let pdf = pdf_text(&report_pdf(&report("fr-CA"), "Café Zoë", &Zone::Utc));
        assert!(
            pdf.contains(r"(Café Zoë : Rapport Z \(quart fermé et scellé\)) Tj"),
            "{pdf}"
        );
        assert!(pdf.contains("(1 234,50 CAD) Tj"), "{pdf}");
        assert!(!pdf.contains("Sales"));
        // The CSV stays locale-neutral: English words, plain decimals.
        let csv = report_csv(&report("fr-CA"), &Zone::Utc);
        assert!(csv.contains("CAD,sales,all,2,1234.50"), "{csv}");
    }

    #[test]
    fn a_chinese_shop_gets_chinese_text_and_a_chinese_roll_pdf() {
        let zh = report("zh-CN");
        let text = report_text(&zh, &Zone::Utc);
        for line in [
            "Z 报表（已交班并封存）",
            "销售（2）",
            "1,234.50 CAD",
            "微信",
            "仍在等待",
        ] {
            assert!(text.contains(line), "{line} in\n{text}");
        }
        // Chinese takes two columns a character: a pair still ends at column 48.
        let net = text.lines().find(|l| l.starts_with("净额")).unwrap();
        assert_eq!(crate::receipts::layout::columns(net), 48, "{net:?}");
        // The A4 writer's standard fonts have no Chinese: the PDF is the roll's (the receipt
        // PDF's embedded fonts; tests/it/receipts.rs reads its words back), never English.
        let pdf = report_pdf(&zh, "Tea House", &Zone::Utc);
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(!pdf_text(&pdf).contains("Z report"));
        assert_eq!(
            roll_rows(&zh, &Words::new("zh-CN"), "", &Zone::Utc).len(),
            text.lines().count()
        );
    }

    #[test]
    fn a_hindi_shop_prints_its_reports_in_english() {
        let mut hi = report("en");
        hi.language = crate::words::print_language("hi");
        assert_eq!(
            report_text(&hi, &Zone::Utc),
            report_text(&report("en"), &Zone::Utc)
        );
    }
}
