//! Printing a receipt on the shop's thermal printer, by hand (Print / Reprint, `paydesk
//! receipt print`) or by itself when a sale made here turns Paid (`receipt.auto` on), and
//! what became of the last try of each receipt.
//!
//! The automatic print never holds up or undoes a sale: it runs on a thread of its own after
//! the order is Paid in the ledger, and a printer that is off (refused, or silent for 3 s)
//! only leaves "not printed" here, which the window shows with a Reprint button.
//!
//! Where "not printed" is kept: in this process's memory (`PrintLog`), and in the log
//! (tracing, warn). A restart forgets it; a ledger table would keep it (see the note at
//! `PrintLog`).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use super::printer::{self, PrintResult};
use super::{build_for, escpos, layout, Receipt, ReceiptSettings};
use crate::payments::Paydesk;
use paydesk_domain::error::{Error, Result};
use paydesk_domain::order::{Order, OrderStatus};
use paydesk_ledger::ledger::Ledger;

/// The last print of each receipt (an order's sale receipt: no refund number; a refund's:
/// its number), as this process saw it.
///
/// Kept in memory: a restart forgets "not printed" (the window then offers Print, not
/// Reprint). To keep it across restarts the ledger would need a table such as
/// `receipt_prints (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id),
/// refund_no TEXT, at INTEGER NOT NULL, printer TEXT NOT NULL, printed INTEGER NOT NULL,
/// error TEXT, auto INTEGER NOT NULL)` (ARCHITECTURE's ledger owner adds migrations).
#[derive(Default)]
pub struct PrintLog {
    last: Mutex<HashMap<(i64, Option<String>), PrintResult>>,
    /// Orders whose automatic print was started: never a second one.
    auto_started: Mutex<HashSet<i64>>,
}

impl PrintLog {
    pub fn record(&self, order_id: i64, refund_no: Option<&str>, result: &PrintResult) {
        self.last
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert((order_id, refund_no.map(str::to_string)), result.clone());
    }

    /// The last print of a receipt, if this process tried one.
    pub fn last(&self, order_id: i64, refund_no: Option<&str>) -> Option<PrintResult> {
        self.last
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&(order_id, refund_no.map(str::to_string)))
            .cloned()
    }

    /// Every receipt of an order this process tried to print: (refund number or None, result).
    pub fn of_order(&self, order_id: i64) -> Vec<(Option<String>, PrintResult)> {
        let mut all: Vec<_> = self
            .last
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|((id, _), _)| *id == order_id)
            .map(|((_, refund), result)| (refund.clone(), result.clone()))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    fn start_auto(&self, order_id: i64) -> bool {
        self.auto_started
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(order_id)
    }
}

/// The ESC/POS bytes of a receipt for the shop's paper.
pub fn escpos_bytes(receipt: &Receipt, settings: &ReceiptSettings) -> Result<Vec<u8>> {
    let columns = settings.paper.columns();
    escpos::encode(&layout::rows(receipt, columns), columns)
}

/// Prints a receipt on the shop's printer and notes the outcome. Blocks for at most the
/// printer timeouts (call it off the async workers). Refused (`no_printer`) when the shop
/// has none set; a printer that does not take it is a result with `printed: false`.
pub fn print(ledger: &Ledger, log: &PrintLog, receipt: &Receipt) -> Result<PrintResult> {
    let settings = ReceiptSettings::load(ledger)?;
    let Some(address) = settings.printer.clone() else {
        return Err(Error::Refused {
            code: "no_printer",
            field: Some("receipt.printer"),
            message: "no receipt printer is set: set receipt.printer (host:port or a device such as /dev/usb/lp0), or save the receipt as PDF".into(),
        });
    };
    let bytes = escpos_bytes(receipt, &settings)?;
    let result = printer::send(&address, &bytes);
    let refund_no = receipt.refund.as_ref().map(|r| r.refund_no.as_str());
    log.record(receipt.order_id, refund_no, &result);
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
                    .and_then(|receipt| print(&ledger, &log, &receipt));
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
