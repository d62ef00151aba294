//! Receipts in the window: an order's receipt to show (ReceiptView, printed with the system
//! dialog), printed on the shop's thermal printer (Print / Reprint), saved as PDF; the
//! automatic print on Paid (`receipt.auto`), whose outcome reaches the window as
//! `receipt-printed`. Thin: `paydesk_core::receipts` builds, lays out, encodes and sends.

use std::sync::Arc;

use paydesk_core::payments::Paydesk;
use paydesk_core::receipts::auto::{self, PrintLog};
use paydesk_core::receipts::printer::PrintResult;
use paydesk_core::receipts::{self, layout, Paper, Receipt, ReceiptSettings};
use paydesk_domain::error::Error;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, State};

use super::{fail, Answer, Desk};

/// The window hears how an automatic print went (the order's detail shows "Not printed").
pub const RECEIPT_PRINTED: &str = "receipt-printed";

/// The print log the commands and the automatic print share.
pub type Prints = Arc<PrintLog>;

#[derive(Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ReceiptRequest {
    /// The order's ledger id.
    order: i64,
    /// A refund's or void's number: its receipt instead of the sale's.
    refund_no: Option<String>,
}

/// A receipt as the window shows it.
#[derive(Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptShown {
    receipt: Receipt,
    /// The thermal roll's lines (the shop's paper), as printed: the window's ReceiptView
    /// draws these, so the system dialog prints the same slip.
    rows: Vec<layout::Row>,
    /// The shop's paper, 58 or 80 (mm).
    paper: Paper,
    /// Where the thermal printer is; null when the shop has none (Print is then not offered).
    printer: Option<String>,
    /// The last print of this receipt, kept in the ledger across restarts (null: none tried).
    last_print: Option<PrintResult>,
}

/// The outcome of an automatic print, for the window.
#[derive(Serialize, Clone, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptPrinted {
    order_id: i64,
    result: PrintResult,
}

fn shown(
    desk: &Paydesk,
    prints: &PrintLog,
    request: &ReceiptRequest,
) -> Result<ReceiptShown, Error> {
    let ledger = desk.ledger();
    let order = ledger.get(request.order)?;
    let receipt = receipts::build_for(ledger, &order, request.refund_no.as_deref())?;
    let settings = ReceiptSettings::load(ledger)?;
    let rows = layout::rows(&receipt, settings.paper.columns());
    Ok(ReceiptShown {
        last_print: prints.last(ledger, order.id, request.refund_no.as_deref())?,
        receipt,
        rows,
        paper: settings.paper,
        printer: settings.printer.map(|p| p.to_string()),
    })
}

/// An order's receipt (or a refund's), with how its last print went.
#[tauri::command(async)]
pub fn receipt_get(
    desk: Desk<'_>,
    prints: State<'_, Prints>,
    request: ReceiptRequest,
) -> Answer<ReceiptShown> {
    shown(&desk, &prints, &request).map_err(fail)
}

/// Prints the receipt on the shop's thermal printer (Print, Reprint). A printer that does not
/// take it is an answer with `printed: false`, not an error.
#[tauri::command]
pub async fn receipt_print(
    desk: Desk<'_>,
    prints: State<'_, Prints>,
    request: ReceiptRequest,
) -> Answer<PrintResult> {
    let desk = Arc::clone(&desk);
    let prints = Arc::clone(&prints);
    tokio::task::spawn_blocking(move || {
        let order = desk.ledger().get(request.order)?;
        let receipt = receipts::build_for(desk.ledger(), &order, request.refund_no.as_deref())?;
        auto::print(desk.ledger(), &prints, &receipt)
    })
    .await
    .map_err(|e| fail(Error::Internal(e.to_string())))?
    .map_err(fail)
}

#[derive(Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ReceiptSave {
    order: i64,
    refund_no: Option<String>,
    /// Where to write the PDF (the save dialog's choice): a whole path.
    path: String,
}

/// Writes the receipt as a PDF the width of the shop's roll; answers the path written.
#[tauri::command(async)]
pub fn receipt_save_pdf(desk: Desk<'_>, request: ReceiptSave) -> Answer<String> {
    let ledger = desk.ledger();
    let order = ledger.get(request.order).map_err(fail)?;
    let receipt =
        receipts::build_for(ledger, &order, request.refund_no.as_deref()).map_err(fail)?;
    let paper = ReceiptSettings::load(ledger).map_err(fail)?.paper;
    let path =
        paydesk_core::export::check_output_path(&request.path, desk.data_dir()).map_err(fail)?;
    std::fs::write(&path, receipts::pdf::render(&receipt, paper)).map_err(|e| fail(e.into()))?;
    Ok(path.display().to_string())
}

/// The automatic print on Paid, its outcome told to the main window.
pub fn start_auto_print(app: &AppHandle, desk: &Arc<Paydesk>, prints: &Prints) {
    let handle = app.clone();
    auto::install(
        desk,
        Arc::clone(prints),
        Arc::new(move |order, result| {
            let printed = ReceiptPrinted {
                order_id: order.id,
                result: result.clone(),
            };
            if let Err(e) = handle.emit_to("main", RECEIPT_PRINTED, printed) {
                tracing::warn!(
                    "cannot tell the window about order {}'s receipt: {e}",
                    order.id
                );
            }
        }),
    );
}
