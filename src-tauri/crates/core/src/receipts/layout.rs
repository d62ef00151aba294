//! The receipt as the lines of a thermal roll: every line already wrapped to the paper's
//! columns (a Chinese, Japanese or Korean character takes two, as the printers draw them), so
//! the ESC/POS encoder, the PDF and the terminal all print the same slip. Its words and
//! amounts are in the receipt's language (`Receipt::language`, from the catalogues: `words`).

use super::{Receipt, ReceiptKind, ReceiptRefund};
use crate::words::Words;
use paydesk_domain::money::Currency;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Align {
    Left,
    Center,
    Right,
}

/// One printed line: its text fits the paper (half the columns when `double`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
pub struct Row {
    pub text: String,
    pub align: Align,
    pub bold: bool,
    /// Double width and height (the shop's name).
    pub double: bool,
}

impl Row {
    fn new(text: impl Into<String>, align: Align) -> Row {
        Row {
            text: text.into(),
            align,
            bold: false,
            double: false,
        }
    }

    fn bold(mut self) -> Row {
        self.bold = true;
        self
    }
}

/// The columns a character takes on a receipt printer in font A: 2 for East Asian wide
/// characters (CJK ideographs, kana, Hangul, full-width forms), 0 for combining marks, else 1.
pub fn char_columns(c: char) -> usize {
    let u = c as u32;
    let combining = matches!(u,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x0610..=0x061A | 0x064B..=0x065F
        | 0x0900..=0x0903 | 0x093A..=0x093C | 0x093E..=0x094F | 0x0951..=0x0957 | 0x0962..=0x0963
        | 0x200B..=0x200F | 0x20D0..=0x20FF | 0xFE00..=0xFE0F | 0xFE20..=0xFE2F);
    if combining {
        return 0;
    }
    let wide = matches!(u,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x2FFFD | 0x30000..=0x3FFFD);
    if wide {
        2
    } else {
        1
    }
}

/// The columns `text` takes.
pub fn columns(text: &str) -> usize {
    text.chars().map(char_columns).sum()
}

/// `text` cut into pieces of at most `width` columns, at spaces (or after commas) where it
/// can, mid-word where a word is longer than a line. Never empty: "" gives one empty piece.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_cols = 0;
    // Words keep the space or comma that ends them, so a line breaks after it.
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        word.push(c);
        if c == ' ' || c == ',' {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    for word in words {
        let cols = columns(&word);
        let trimmed_cols = columns(word.trim_end());
        if line_cols + trimmed_cols <= width {
            line.push_str(&word);
            line_cols += cols;
            continue;
        }
        if !line.trim().is_empty() {
            lines.push(line.trim_end().to_string());
        }
        line = String::new();
        line_cols = 0;
        // A word longer than a line is cut where the line is full.
        for c in word.chars() {
            let w = char_columns(c);
            if line_cols + w > width && !(c == ' ' && line_cols == width) {
                lines.push(line.trim_end().to_string());
                line = String::new();
                line_cols = 0;
            }
            line.push(c);
            line_cols += w;
        }
    }
    if !line.trim().is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// A label and its value on one line, the value flush right; when both do not fit, the label
/// on its line and the value (wrapped) right-aligned below it.
fn pair(rows: &mut Vec<Row>, width: usize, label: &str, value: &str, bold: bool) {
    let label_cols = columns(label);
    let value_cols = columns(value);
    let style = |row: Row| if bold { row.bold() } else { row };
    if label_cols + 1 + value_cols <= width {
        let gap = width - label_cols - value_cols;
        rows.push(style(Row::new(
            format!("{label}{}{value}", " ".repeat(gap)),
            Align::Left,
        )));
        return;
    }
    for piece in wrap(label, width) {
        rows.push(style(Row::new(piece, Align::Left)));
    }
    for piece in wrap(value, width) {
        let pad = width.saturating_sub(columns(&piece));
        rows.push(style(Row::new(
            format!("{}{piece}", " ".repeat(pad)),
            Align::Left,
        )));
    }
}

fn centered(rows: &mut Vec<Row>, width: usize, text: &str, bold: bool) {
    for piece in wrap(text, width) {
        let row = Row::new(piece, Align::Center);
        rows.push(if bold { row.bold() } else { row });
    }
}

fn rule(rows: &mut Vec<Row>, width: usize) {
    rows.push(Row::new("-".repeat(width), Align::Left));
}

/// An amount as the receipt prints it: in English as receipts always printed it, the code
/// first ("CAD 1,234.50", `shown` being the receipt's own figure); in another language as
/// that language writes it, the code after ("1 234,50 CAD", `words::amount`).
fn money(words: &Words, receipt: &Receipt, shown: &str, minor: i64) -> String {
    match Currency::parse(&receipt.currency) {
        Ok(currency) if !words.is_english() => words.amount(minor, currency),
        _ => format!("{} {shown}", receipt.currency),
    }
}

/// A refund's figure in the sale's list of refunds: minus, without the code.
fn minus(words: &Words, receipt: &Receipt, refund: &ReceiptRefund) -> String {
    match Currency::parse(&receipt.currency) {
        Ok(currency) if !words.is_english() => words.number(-refund.amount_minor, currency),
        _ => format!("-{}", refund.amount),
    }
}

fn who(words: &Words, refund: &ReceiptRefund) -> Option<String> {
    match (&refund.staff, &refund.approver) {
        (Some(staff), Some(approver)) if staff != approver => Some(words.fill(
            "print.receipt.approved_by",
            &[("staff", staff), ("approver", approver)],
        )),
        (Some(staff), _) => Some(staff.clone()),
        (None, Some(approver)) => {
            Some(words.fill("print.receipt.approved_by_alone", &[("approver", approver)]))
        }
        (None, None) => None,
    }
}

/// The receipt's lines for paper `width` columns wide (32 or 48), in the receipt's language.
pub fn rows(receipt: &Receipt, width: usize) -> Vec<Row> {
    let words = Words::new(receipt.language);
    let w = |key: &'static str| words.get(key);
    let mut rows = Vec::new();
    // The shop's name in double size: half the columns.
    for piece in wrap(&receipt.shop.name, (width / 2).max(1)) {
        rows.push(Row {
            text: piece,
            align: Align::Center,
            bold: true,
            double: true,
        });
    }
    for line in &receipt.shop.address {
        centered(&mut rows, width, line, false);
    }
    if let Some(tax) = &receipt.shop.tax_number {
        let line = words.fill("print.receipt.tax_no", &[("number", tax)]);
        centered(&mut rows, width, &line, false);
    }
    rule(&mut rows, width);
    let title = match receipt.kind {
        ReceiptKind::Sale => w("print.receipt.sale"),
        ReceiptKind::Refund => w("print.receipt.refund"),
        ReceiptKind::Void => w("print.receipt.void"),
    };
    centered(&mut rows, width, title, true);
    pair(
        &mut rows,
        width,
        w("print.receipt.date"),
        &receipt.at,
        false,
    );
    pair(
        &mut rows,
        width,
        w("print.receipt.order"),
        &receipt.order_no,
        false,
    );
    pair(
        &mut rows,
        width,
        w("print.receipt.paid_with"),
        words.method_label(&receipt.method),
        false,
    );
    pair(
        &mut rows,
        width,
        w("print.receipt.gateway"),
        &receipt.gateway,
        false,
    );
    if let Some(reference) = &receipt.gateway_reference {
        pair(
            &mut rows,
            width,
            w("print.receipt.reference"),
            reference,
            false,
        );
    }
    if let Some(card) = &receipt.card_number {
        pair(&mut rows, width, w("print.receipt.card"), card, false);
    }
    if let Some(auth) = &receipt.auth_code {
        pair(&mut rows, width, w("print.receipt.auth_code"), auth, false);
    }
    if let Some(staff) = &receipt.staff {
        pair(&mut rows, width, w("print.receipt.served_by"), staff, false);
    }
    if let Some(counter) = &receipt.counter {
        pair(&mut rows, width, w("print.receipt.counter"), counter, false);
    }
    if let Some(customer) = &receipt.customer {
        pair(
            &mut rows,
            width,
            w("print.receipt.customer"),
            customer,
            false,
        );
    }
    rule(&mut rows, width);
    let refunded_minor: i64 = receipt.refunds.iter().map(|r| r.amount_minor).sum();
    let net_minor = receipt.amount_minor - refunded_minor;
    match &receipt.refund {
        None => {
            // A tipped sale: the sale, the tip, then the total charged.
            if let Some(tip) = &receipt.tip {
                let sale = receipt.sale.as_deref().unwrap_or(&receipt.amount);
                let sale = money(
                    &words,
                    receipt,
                    sale,
                    receipt.amount_minor - receipt.tip_minor,
                );
                pair(&mut rows, width, w("print.receipt.amount"), &sale, false);
                let tip = money(&words, receipt, tip, receipt.tip_minor);
                pair(&mut rows, width, w("print.receipt.tip"), &tip, false);
            }
            let total = money(&words, receipt, &receipt.amount, receipt.amount_minor);
            pair(&mut rows, width, w("print.receipt.total"), &total, true);
            if !receipt.refunds.is_empty() {
                for r in &receipt.refunds {
                    let key = match r.kind {
                        paydesk_ledger::ledger::RefundKind::Refund => "print.receipt.refunded_at",
                        paydesk_ledger::ledger::RefundKind::Void => "print.receipt.voided_at",
                    };
                    let label = words.fill(key, &[("at", &r.at)]);
                    pair(&mut rows, width, &label, &minus(&words, receipt, r), false);
                }
                let net = money(&words, receipt, &receipt.net, net_minor);
                pair(&mut rows, width, w("print.receipt.net"), &net, true);
            }
        }
        Some(refund) => {
            let label = match refund.kind {
                paydesk_ledger::ledger::RefundKind::Refund => w("print.receipt.refunded"),
                paydesk_ledger::ledger::RefundKind::Void => w("print.receipt.voided"),
            };
            let amount = money(&words, receipt, &refund.amount, refund.amount_minor);
            pair(&mut rows, width, label, &amount, true);
            pair(
                &mut rows,
                width,
                w("print.receipt.refund_no"),
                &refund.refund_no,
                false,
            );
            if let Some(reference) = &refund.gateway_reference {
                pair(
                    &mut rows,
                    width,
                    w("print.receipt.refund_ref"),
                    reference,
                    false,
                );
            }
            if let Some(by) = who(&words, refund) {
                pair(&mut rows, width, w("print.receipt.by"), &by, false);
            }
            if let Some(reason) = &refund.reason {
                pair(&mut rows, width, w("print.receipt.reason"), reason, false);
            }
            // A tipped sale's refund says whether it gave the tip back.
            if let Some(included) = refund.tip_included {
                let said = if included {
                    w("print.receipt.tip_included")
                } else {
                    w("print.receipt.tip_not_refunded")
                };
                pair(&mut rows, width, w("print.receipt.tip"), said, false);
            }
            let sale = money(&words, receipt, &receipt.amount, receipt.amount_minor);
            pair(
                &mut rows,
                width,
                w("print.receipt.sale_amount"),
                &sale,
                false,
            );
            let so_far = money(&words, receipt, &receipt.refunded, refunded_minor);
            pair(
                &mut rows,
                width,
                w("print.receipt.refunded_so_far"),
                &so_far,
                false,
            );
            let net = money(&words, receipt, &receipt.net, net_minor);
            pair(&mut rows, width, w("print.receipt.net"), &net, true);
        }
    }
    rule(&mut rows, width);
    centered(&mut rows, width, w("print.receipt.thank_you"), false);
    rows
}

/// The receipt as plain text `width` columns wide (`paydesk receipt text`): centred lines
/// padded with spaces, the shop's name in capitals of normal size.
pub fn text(receipt: &Receipt, width: usize) -> String {
    let mut out = String::new();
    for row in rows(receipt, width) {
        let cols = columns(&row.text);
        let pad = match row.align {
            Align::Left => 0,
            Align::Center => width.saturating_sub(cols) / 2,
            Align::Right => width.saturating_sub(cols),
        };
        out.push_str(&" ".repeat(pad));
        out.push_str(&row.text);
        out.push('\n');
    }
    out
}
