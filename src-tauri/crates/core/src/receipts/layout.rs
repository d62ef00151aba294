//! The receipt as the lines of a thermal roll: every line already wrapped to the paper's
//! columns (a Chinese, Japanese or Korean character takes two, as the printers draw them), so
//! the ESC/POS encoder, the PDF and the terminal all print the same slip.

use super::{Receipt, ReceiptKind, ReceiptRefund};

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

fn money(receipt: &Receipt, amount: &str) -> String {
    format!("{} {amount}", receipt.currency)
}

fn who(refund: &ReceiptRefund) -> Option<String> {
    match (&refund.staff, &refund.approver) {
        (Some(staff), Some(approver)) if staff != approver => {
            Some(format!("{staff}, approved by {approver}"))
        }
        (Some(staff), _) => Some(staff.clone()),
        (None, Some(approver)) => Some(format!("approved by {approver}")),
        (None, None) => None,
    }
}

/// The receipt's lines for paper `width` columns wide (32 or 48).
pub fn rows(receipt: &Receipt, width: usize) -> Vec<Row> {
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
        centered(&mut rows, width, &format!("Tax no. {tax}"), false);
    }
    rule(&mut rows, width);
    let title = match receipt.kind {
        ReceiptKind::Sale => "SALE",
        ReceiptKind::Refund => "REFUND",
        ReceiptKind::Void => "VOID",
    };
    centered(&mut rows, width, title, true);
    pair(&mut rows, width, "Date", &receipt.at, false);
    pair(&mut rows, width, "Order", &receipt.order_no, false);
    pair(&mut rows, width, "Paid with", &receipt.method, false);
    pair(&mut rows, width, "Gateway", &receipt.gateway, false);
    if let Some(reference) = &receipt.gateway_reference {
        pair(&mut rows, width, "Reference", reference, false);
    }
    if let Some(card) = &receipt.card_number {
        pair(&mut rows, width, "Card", card, false);
    }
    if let Some(auth) = &receipt.auth_code {
        pair(&mut rows, width, "Auth code", auth, false);
    }
    if let Some(staff) = &receipt.staff {
        pair(&mut rows, width, "Served by", staff, false);
    }
    if let Some(counter) = &receipt.counter {
        pair(&mut rows, width, "Counter", counter, false);
    }
    if let Some(customer) = &receipt.customer {
        pair(&mut rows, width, "Customer", customer, false);
    }
    rule(&mut rows, width);
    match &receipt.refund {
        None => {
            // A tipped sale: the sale, the tip, then the total charged.
            if let Some(tip) = &receipt.tip {
                pair(
                    &mut rows,
                    width,
                    "Amount",
                    &money(receipt, receipt.sale.as_deref().unwrap_or(&receipt.amount)),
                    false,
                );
                pair(&mut rows, width, "Tip", &money(receipt, tip), false);
            }
            pair(
                &mut rows,
                width,
                "TOTAL",
                &money(receipt, &receipt.amount),
                true,
            );
            if !receipt.refunds.is_empty() {
                for r in &receipt.refunds {
                    let label = match r.kind {
                        paydesk_ledger::ledger::RefundKind::Refund => "Refunded",
                        paydesk_ledger::ledger::RefundKind::Void => "Voided",
                    };
                    pair(
                        &mut rows,
                        width,
                        &format!("{label} {}", r.at),
                        &format!("-{}", r.amount),
                        false,
                    );
                }
                pair(&mut rows, width, "Net", &money(receipt, &receipt.net), true);
            }
        }
        Some(refund) => {
            let label = match refund.kind {
                paydesk_ledger::ledger::RefundKind::Refund => "REFUNDED",
                paydesk_ledger::ledger::RefundKind::Void => "VOIDED",
            };
            pair(
                &mut rows,
                width,
                label,
                &money(receipt, &refund.amount),
                true,
            );
            pair(&mut rows, width, "Refund no.", &refund.refund_no, false);
            if let Some(reference) = &refund.gateway_reference {
                pair(&mut rows, width, "Refund ref.", reference, false);
            }
            if let Some(by) = who(refund) {
                pair(&mut rows, width, "By", &by, false);
            }
            if let Some(reason) = &refund.reason {
                pair(&mut rows, width, "Reason", reason, false);
            }
            // A tipped sale's refund says whether it gave the tip back.
            if let Some(included) = refund.tip_included {
                let words = if included { "included" } else { "not refunded" };
                pair(&mut rows, width, "Tip", words, false);
            }
            pair(
                &mut rows,
                width,
                "Sale amount",
                &money(receipt, &receipt.amount),
                false,
            );
            pair(
                &mut rows,
                width,
                "Refunded so far",
                &money(receipt, &receipt.refunded),
                false,
            );
            pair(&mut rows, width, "Net", &money(receipt, &receipt.net), true);
        }
    }
    rule(&mut rows, width);
    centered(&mut rows, width, "Thank you", false);
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
