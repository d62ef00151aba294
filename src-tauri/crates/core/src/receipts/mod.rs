//! Receipts (issue 16): what a customer takes away for a paid order and for each refund or
//! void, built from the ledger, and its three outputs:
//! - `layout`: the receipt as lines of a thermal roll (32 columns on 58 mm paper, 48 on
//!   80 mm, a CJK character two columns), also the terminal's text (`paydesk receipt text`);
//! - `escpos` + `printer`: those lines as ESC/POS bytes (the `escpos` crate's encoder; Latin
//!   text in WPC1252, Chinese in GB18030 between FS & and FS .), sent over TCP (`host:port`,
//!   9100) or to a device file (`/dev/usb/lp0`) with short timeouts;
//! - `pdf`: the same lines as a PDF (printpdf, TrueType fonts found on this machine embedded
//!   as subsets, so a Chinese or Devanagari name prints as itself);
//!
//! and `auto`: the automatic print when a sale made here turns Paid (`receipt.auto`), which
//! never holds up or undoes the sale: a printer that is off leaves "not printed" for the
//! window's Reprint.

pub mod auto;
pub mod escpos;
pub mod layout;
pub mod pdf;
pub mod printer;

use serde::Serialize;

use crate::settings;
use paydesk_domain::error::{Error, Result};
use paydesk_domain::order::{Gateway, Order, OrderStatus};
use paydesk_domain::zone::Zone;
use paydesk_gateways::masked_card_number;
use paydesk_ledger::ledger::{Ledger, Refund, RefundKind, RefundStatus};

/// Which slip: the sale itself, or one refund or void of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum ReceiptKind {
    Sale,
    Refund,
    Void,
}

/// The shop as its receipts name it (settings `shop.name`, `shop.address`, `shop.tax_number`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ShopHeader {
    pub name: String,
    /// The address as the shop wrote it, one entry a line (empty when not set).
    pub address: Vec<String>,
    pub tax_number: Option<String>,
}

/// One refund or void of the order, as a receipt lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptRefund {
    pub refund_no: String,
    pub kind: RefundKind,
    /// Formatted in the order's currency ("12.50").
    pub amount: String,
    pub amount_minor: i64,
    /// Local time, "2026-11-22 14:05:09".
    pub at: String,
    /// The gateway's own reference for it, when it gave one.
    pub gateway_reference: Option<String>,
    /// Who made it, and who approved it.
    pub staff: Option<String>,
    pub approver: Option<String>,
    pub reason: Option<String>,
    /// For a tipped sale: whether this refund gave back (part of) the tip. None: no tip.
    pub tip_included: Option<bool>,
}

/// Everything a receipt shows: plain data, amounts formatted, times in the machine's zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    pub kind: ReceiptKind,
    pub shop: ShopHeader,
    pub order_id: i64,
    pub order_no: String,
    /// When the sale was made (a refund receipt: when the refund was), local time.
    pub at: String,
    /// The gateway's name ("IOTPay") and how the customer paid ("WeChat Pay QR").
    pub gateway: String,
    pub method: String,
    /// The gateway's reference for the payment (its order id).
    pub gateway_reference: Option<String>,
    /// The card, masked as the gateway gave it (IOTPay V3 `cardNum`), and the authorisation
    /// code (`authNum`): only where the gateway gives them and the ledger kept them.
    pub card_number: Option<String>,
    pub auth_code: Option<String>,
    pub currency: String,
    /// The sale's amount ("1,234.50").
    pub amount: String,
    pub amount_minor: i64,
    /// The tip inside `amount` (which is then the total charged), None without one; every
    /// output skips it when None.
    pub tip: Option<String>,
    /// The sale without the tip, when there is a tip (the "Amount" line above "Tip").
    pub sale: Option<String>,
    /// The order's status now ("Paid", "Partially refunded").
    pub status: String,
    /// The refunds and voids that went through so far, oldest first.
    pub refunds: Vec<ReceiptRefund>,
    /// Their sum ("0.00" when none) and what the customer paid less it.
    pub refunded: String,
    pub net: String,
    /// A refund or void receipt: the one it is for.
    pub refund: Option<ReceiptRefund>,
    /// Who made the sale.
    pub staff: Option<String>,
    pub customer: Option<String>,
    pub counter: Option<String>,
    /// The language it prints in (`words::print_language` of the shop's): its words and the
    /// way its amounts are written. Not sent to the window, which shows the printed rows.
    #[serde(skip)]
    #[ts(skip)]
    pub language: &'static str,
    /// The tip in minor units (0: none): the printed amounts are written from the minor units.
    #[serde(skip)]
    #[ts(skip)]
    pub tip_minor: i64,
}

/// Statuses an order has a sale receipt in: the money was taken (and perhaps given back).
fn has_sale_receipt(status: OrderStatus) -> bool {
    matches!(
        status,
        OrderStatus::Paid
            | OrderStatus::PartiallyRefunded
            | OrderStatus::Refunded
            | OrderStatus::Voided
    )
}

fn no_receipt(message: String) -> Error {
    Error::Refused {
        params: vec![],
        code: "no_receipt",
        field: Some("order"),
        message,
    }
}

pub fn gateway_name(gateway: Gateway) -> &'static str {
    match gateway {
        Gateway::Iotpay => "IOTPay",
        Gateway::Smepay => "SMEPay",
        Gateway::Smartpay => "SmartPay",
        Gateway::Smartexpay => "SmartExPay",
    }
}

/// The shop's header from its settings.
pub fn shop_header(ledger: &Ledger) -> Result<ShopHeader> {
    let text = |key: &str| -> Result<Option<String>> {
        Ok(ledger
            .setting(key)?
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty()))
    };
    Ok(ShopHeader {
        name: settings::shop_name(ledger)?,
        address: text(settings::SHOP_ADDRESS)?
            .map(|a| address_lines(&a))
            .unwrap_or_default(),
        tax_number: text(settings::SHOP_TAX_NUMBER)?,
    })
}

/// `shop.address` as lines: one per line the shop typed, blank ones left out.
pub fn address_lines(address: &str) -> Vec<String> {
    address
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Local time for a receipt, "2026-11-22 14:05:09".
fn local_time(ms: i64) -> String {
    let mut out = Vec::new();
    paydesk_domain::zone::write_datetime(&mut out, ms, &Zone::Local);
    String::from_utf8(out).unwrap_or_default()
}

/// The masked card number and authorisation code the ledger kept for an order: in
/// `payment_payload.card` (`cardNum`, `authNum`: `payments::keep_card`); for an IOTPay sale recorded
/// before that was kept, the number in the paid event's note ("card 424242******4242").
/// Masked again as read (`masked_card_number`): a receipt never shows more than six and four.
fn card_facts(ledger: &Ledger, order: &Order) -> Result<(Option<String>, Option<String>)> {
    let from_payload = |name: &str| {
        order
            .payment_payload
            .as_ref()
            .and_then(|p| p.get("card"))
            .and_then(|c| c.get(name))
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let mut number = from_payload("cardNum").and_then(|n| masked_card_number(&n));
    let auth = from_payload("authNum");
    if number.is_none() && order.gateway == Gateway::Iotpay {
        number = ledger.events(order.id)?.iter().rev().find_map(|e| {
            e.note.as_deref().and_then(|note| {
                note.split("; ")
                    .find_map(|part| part.strip_prefix("card "))
                    .and_then(masked_card_number)
            })
        });
    }
    Ok((number, auth))
}

fn refund_line(order: &Order, r: &Refund) -> ReceiptRefund {
    let currency = order.amount.currency();
    ReceiptRefund {
        refund_no: r.refund_no.clone(),
        kind: r.kind,
        amount: currency.display(r.amount_minor),
        amount_minor: r.amount_minor,
        at: local_time(r.created_at_ms),
        gateway_reference: r.gateway_refund_id.clone(),
        staff: r.staff.clone(),
        approver: r.approver.clone(),
        reason: r.reason.clone(),
        tip_included: (order.tip_minor > 0).then_some(r.tip_minor > 0),
    }
}

/// The receipt of an order (by ledger id, merchant order number or gateway order id), or of
/// one of its refunds or voids (`refund_no`). Refused with `no_receipt` for an order that
/// took no money (waiting, failed, cancelled, expired) or a refund that did not go through.
pub fn build(ledger: &Ledger, reference: &str, refund_no: Option<&str>) -> Result<Receipt> {
    let order = ledger.resolve(reference)?;
    build_for(ledger, &order, refund_no)
}

pub fn build_for(ledger: &Ledger, order: &Order, refund_no: Option<&str>) -> Result<Receipt> {
    if !has_sale_receipt(order.status) {
        return Err(no_receipt(format!(
            "order {} is {}: only a paid order (and its refunds) has a receipt",
            order.merchant_order_no,
            order.status.label().to_lowercase()
        )));
    }
    let all = ledger.refunds(order.id)?;
    let refund = match refund_no.map(str::trim).filter(|n| !n.is_empty()) {
        None => None,
        Some(no) => {
            let Some(found) = all.iter().find(|r| r.refund_no == no) else {
                return Err(Error::Refused {
                    params: vec![],
                    code: "no_receipt",
                    field: Some("refund"),
                    message: format!("order {} has no refund {no}", order.merchant_order_no),
                });
            };
            if found.status != RefundStatus::Succeeded {
                return Err(Error::Refused {
                    params: vec![],
                    code: "no_receipt",
                    field: Some("refund"),
                    message: format!(
                        "{} {no} is {}: only one that went through has a receipt",
                        found.kind.as_str(),
                        found.status.as_str()
                    ),
                });
            }
            Some(found)
        }
    };
    let done: Vec<&Refund> = all
        .iter()
        .filter(|r| r.status == RefundStatus::Succeeded)
        .collect();
    let currency = order.amount.currency();
    let refunded_minor: i64 = done.iter().map(|r| r.amount_minor).sum();
    let (card_number, auth_code) = card_facts(ledger, order)?;
    let kind = match refund.map(|r| r.kind) {
        None => ReceiptKind::Sale,
        Some(RefundKind::Refund) => ReceiptKind::Refund,
        Some(RefundKind::Void) => ReceiptKind::Void,
    };
    Ok(Receipt {
        kind,
        shop: shop_header(ledger)?,
        order_id: order.id,
        order_no: order.merchant_order_no.clone(),
        at: local_time(refund.map_or(order.created_at_ms, |r| r.created_at_ms)),
        gateway: gateway_name(order.gateway).to_string(),
        method: order.method.label().to_string(),
        gateway_reference: order.gateway_order_id.clone(),
        card_number,
        auth_code,
        currency: currency.code().to_string(),
        amount: order.amount.display_amount(),
        amount_minor: order.amount.minor(),
        tip: (order.tip_minor > 0).then(|| currency.display(order.tip_minor)),
        sale: (order.tip_minor > 0).then(|| currency.display(order.sale_minor())),
        status: order.status.label().to_string(),
        refunds: done.iter().map(|r| refund_line(order, r)).collect(),
        refunded: currency.display(refunded_minor),
        net: currency.display(order.amount.minor() - refunded_minor),
        refund: refund.map(|r| refund_line(order, r)),
        staff: order.staff.clone(),
        customer: order
            .customer
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string),
        counter: order.counter.clone(),
        language: crate::words::print_language(crate::language::shop_language(ledger)?),
        tip_minor: order.tip_minor.max(0),
    })
}

/// Paper width: 58 mm rolls print 32 characters a line in font A, 80 mm rolls 48.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
pub enum Paper {
    #[serde(rename = "58")]
    Mm58,
    #[serde(rename = "80")]
    Mm80,
}

impl Paper {
    pub fn parse(text: &str) -> Option<Paper> {
        match text.trim().trim_end_matches("mm").trim() {
            "58" => Some(Paper::Mm58),
            "80" => Some(Paper::Mm80),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Paper::Mm58 => "58",
            Paper::Mm80 => "80",
        }
    }

    /// Characters a line in font A.
    pub fn columns(self) -> usize {
        match self {
            Paper::Mm58 => 32,
            Paper::Mm80 => 48,
        }
    }
}

/// The shop's receipt settings, as stored (a stored value that no longer reads is the default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptSettings {
    /// `receipt.printer`: where the thermal printer is; None = no printer.
    pub printer: Option<printer::PrinterAddress>,
    pub paper: Paper,
    /// `receipt.auto`: print on Paid without asking.
    pub auto: bool,
}

impl ReceiptSettings {
    pub fn load(ledger: &Ledger) -> Result<ReceiptSettings> {
        let printer = match ledger.setting(settings::RECEIPT_PRINTER)? {
            Some(text) if !text.trim().is_empty() => match printer::PrinterAddress::parse(&text) {
                Ok(address) => Some(address),
                Err(e) => {
                    tracing::warn!("receipt.printer {text:?} is not usable: {e}");
                    None
                }
            },
            _ => None,
        };
        let paper = ledger
            .setting(settings::RECEIPT_PAPER)?
            .and_then(|p| Paper::parse(&p))
            .unwrap_or(Paper::Mm80);
        let auto = ledger
            .setting(settings::RECEIPT_AUTO)?
            .is_some_and(|a| a.trim() == "on");
        Ok(ReceiptSettings {
            printer,
            paper,
            auto,
        })
    }
}

#[cfg(test)]
mod tests;
