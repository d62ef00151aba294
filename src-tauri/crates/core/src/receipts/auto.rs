//! Printing a receipt on the shop's thermal printer, by hand (Print / Reprint, `paydesk
//! receipt print`) or by itself when a sale made here turns Paid (`receipt.auto` on), and
//! what became of the last try of each receipt.
//!
//! The automatic print never holds up or undoes a sale: it runs on a thread of its own after
//! the order is Paid in the ledger, and a printer that is off (refused, or silent for 3 s)
//! only leaves "not printed" here, which the window shows with a Reprint button.
//!
//! Where "not printed" is kept: in the ledger (`receipt_prints`, one row a try, migration 12),
//! so the window's "Not printed — Reprint" outlives a restart and the CLI (`paydesk receipt
//! status`) reads what the window tried; and in the log (tracing, warn). Those rows never go
//! to the shop ledger: a print is this counter's affair.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use super::printer::{self, PrintResult};
use super::{build_for, escpos, layout, Receipt, ReceiptSettings};
use crate::payments::Paydesk;
use paydesk_domain::clock::now_ms;
use paydesk_domain::error::{Error, Result};
use paydesk_domain::order::{Order, OrderStatus};
use paydesk_ledger::ledger::{Ledger, ReceiptPrint};

/// Who asked for a print: kept with its outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintTrigger {
    /// A person: Print, Reprint, `paydesk receipt print`.
    ByHand,
    /// The automatic print when a sale made here turns Paid (`receipt.auto`).
    Automatic,
}

/// What this process remembers of printing besides the ledger's rows: which orders' automatic
/// print it started.
///
/// That guard stays in memory, not in `receipt_prints`: the paid hook runs only in the process
/// whose write moved the order to Paid, which happens once per order in the whole ledger, so a
/// second start can only come from within this process; and it must hold from the moment the
/// print starts, while the ledger's row is written only once the printer has answered (up to
/// seconds later).
#[derive(Default)]
pub struct PrintLog {
    /// Orders whose automatic print was started: never a second one.
    auto_started: Mutex<HashSet<i64>>,
}

impl PrintLog {
    /// Keeps a print's outcome in the ledger. A failure to keep it is logged, not returned:
    /// the receipt printed (or not) all the same, and the caller reports that.
    pub fn record(
        &self,
        ledger: &Ledger,
        order_id: i64,
        refund_no: Option<&str>,
        result: &PrintResult,
        trigger: PrintTrigger,
    ) {
        let row = ReceiptPrint {
            order_id,
            refund_no: refund_no.map(str::to_string),
            at_ms: at_ms(&result.at),
            printer: result.printer.clone(),
            printed: result.printed,
            error: result.error.clone(),
            auto: trigger == PrintTrigger::Automatic,
        };
        if let Err(e) = ledger.record_receipt_print(&row) {
            tracing::warn!(
                order = order_id,
                "cannot keep the receipt's print outcome: {e}"
            );
        }
    }

    /// The last print of a receipt (an order's sale receipt: no refund number; a refund's:
    /// its number), by this or any process on this ledger, before or after a restart.
    pub fn last(
        &self,
        ledger: &Ledger,
        order_id: i64,
        refund_no: Option<&str>,
    ) -> Result<Option<PrintResult>> {
        Ok(ledger
            .last_receipt_print(order_id, refund_no)?
            .map(result_of))
    }

    /// Every receipt of an order ever tried: (refund number or None, its last print), the
    /// sale's first.
    pub fn of_order(
        &self,
        ledger: &Ledger,
        order_id: i64,
    ) -> Result<Vec<(Option<String>, PrintResult)>> {
        Ok(ledger
            .receipt_prints_of_order(order_id)?
            .into_iter()
            .map(|row| (row.refund_no.clone(), result_of(row)))
            .collect())
    }

    fn start_auto(&self, order_id: i64) -> bool {
        self.auto_started
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(order_id)
    }
}

/// A result's time as stored: `PrintResult::at` is `views::rfc3339` of a millisecond clock,
/// read back exactly (now, should it not read).
fn at_ms(at: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| t.timestamp_millis())
        .unwrap_or_else(|_| now_ms())
}

fn result_of(row: ReceiptPrint) -> PrintResult {
    PrintResult {
        printed: row.printed,
        printer: row.printer,
        error: row.error,
        at: crate::views::rfc3339(row.at_ms),
    }
}

/// The ESC/POS bytes of a receipt for the shop's paper.
pub fn escpos_bytes(receipt: &Receipt, settings: &ReceiptSettings) -> Result<Vec<u8>> {
    let columns = settings.paper.columns();
    escpos::encode(&layout::rows(receipt, columns), columns)
}

/// Prints a receipt on the shop's printer, a person having asked (Print, Reprint, the CLI),
/// and keeps the outcome in the ledger. Blocks for at most the printer timeouts (call it off
/// the async workers). Refused (`no_printer`) when the shop has none set; a printer that does
/// not take it is a result with `printed: false`.
pub fn print(ledger: &Ledger, log: &PrintLog, receipt: &Receipt) -> Result<PrintResult> {
    print_as(ledger, log, receipt, PrintTrigger::ByHand)
}

/// `print`, saying who asked.
pub fn print_as(
    ledger: &Ledger,
    log: &PrintLog,
    receipt: &Receipt,
    trigger: PrintTrigger,
) -> Result<PrintResult> {
    let settings = ReceiptSettings::load(ledger)?;
    let Some(address) = settings.printer.clone() else {
        return Err(Error::Refused {
            params: vec![],
            code: "no_printer",
            field: Some("receipt.printer"),
            message: "no receipt printer is set: set receipt.printer (host:port or a device such as /dev/usb/lp0), or save the receipt as PDF".into(),
        });
    };
    let bytes = escpos_bytes(receipt, &settings)?;
    let result = printer::send(&address, &bytes);
    let refund_no = receipt.refund.as_ref().map(|r| r.refund_no.as_str());
    log.record(ledger, receipt.order_id, refund_no, &result, trigger);
    Ok(result)
}

/// Builds then prints the receipt of an order (or of one of its refunds).
pub fn print_order(
    ledger: &Ledger,
    log: &PrintLog,
    reference: &str,
    refund_no: Option<&str>,
) -> Result<PrintResult> {
    let receipt = super::build(ledger, reference, refund_no)?;
    print(ledger, log, &receipt)
}

/// Called with the order and the outcome once an automatic print is done.
pub type Printed = Arc<dyn Fn(&Order, &PrintResult) + Send + Sync>;

/// Prints each sale this process sees turn Paid, when the shop turned `receipt.auto` on and
/// set a printer: on a thread of its own, once per order; `printed` hears the outcome (the
/// window's "Not printed — Reprint").
pub fn install(desk: &Arc<Paydesk>, log: Arc<PrintLog>, printed: Printed) {
    let ledger = desk.ledger_arc();
    desk.set_paid_hook(Arc::new(move |order: &Order| {
        if order.status != OrderStatus::Paid {
            return;
        }
        let settings = match ReceiptSettings::load(&ledger) {
            Ok(settings) => settings,
            Err(e) => {
                tracing::warn!(order = order.id, "receipt settings: {e}");
                return;
            }
        };
        if !settings.auto || settings.printer.is_none() || !log.start_auto(order.id) {
            return;
        }
        let ledger = Arc::clone(&ledger);
        let log = Arc::clone(&log);
        let printed = Arc::clone(&printed);
        let order = order.clone();
        let spawned = std::thread::Builder::new()
            .name("paydesk-receipt".into())
            .spawn(move || {
                let result = build_for(&ledger, &order, None)
                    .and_then(|receipt| print_as(&ledger, &log, &receipt, PrintTrigger::Automatic));
                match result {
                    Ok(result) => printed(&order, &result),
                    Err(e) => tracing::warn!(order = order.id, "automatic receipt: {e}"),
                }
            });
        if let Err(e) = spawned {
            tracing::warn!("cannot start the receipt printer's thread: {e}");
        }
    }));
}
