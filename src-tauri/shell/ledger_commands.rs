//! The owner's desk over the ledger: the Orders screen's pages and totals, and the CSV export
//! to a file with its progress events. Thin: the filter is checked by `paydesk_core::filters`, the
//! export is `paydesk_core::export::export_to_path`; this layer only carries them over IPC.

use super::{fail, Answer, Desk};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use paydesk_core::export::{ExportOptions, ExportProgress, ExportSummary, ALL_COLUMNS, COLUMNS};
use paydesk_core::filters::{FilterInput, TotalsView};
use paydesk_core::staff::{self, Permission, Till};
use paydesk_core::views::{LatePaymentView, OrderView, UnansweredRefund};
use paydesk_domain::error::Error;
use paydesk_domain::zone::Zone;
use paydesk_ledger::ledger::{Cursor, Ledger};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, State};

pub const EXPORT_PROGRESS: &str = "export-progress";
/// Rows between two progress events: often enough for a smooth bar, rare enough to cost
/// nothing next to the writing.
const PROGRESS_EVERY: u64 = 5_000;
const PAGE_DEFAULT: u32 = 100;
const PAGE_MAX: u32 = 500;

/// The Orders screen counts days in the machine's zone, as the owner reads the calendar.
const LIST_ZONE: Zone = Zone::Local;

#[derive(Deserialize, Default, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(optional_fields)]
pub struct ListRequest {
    #[serde(flatten)]
    filter: FilterInput,
    limit: Option<u32>,
    /// The page after this order (the previous answer's `nextCursor`).
    cursor: Option<Cursor>,
}

#[derive(Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct OrderPage {
    orders: Vec<OrderView>,
    /// Where the next page starts; none when this page is the last.
    next_cursor: Option<Cursor>,
}

/// Refunds and voids whose outcome is unknown, oldest first: the Orders screen points the
/// owner at them.
#[tauri::command(async)]
pub fn unanswered_refunds(desk: Desk<'_>) -> Answer<Vec<UnansweredRefund>> {
    let ledger = desk.ledger();
    let refunds = ledger.pending_refunds().map_err(fail)?;
    refunds
        .iter()
        .map(|refund| Ok(UnansweredRefund::of(refund, &ledger.get(refund.order_id)?)))
        .collect::<Result<_, Error>>()
        .map_err(fail)
}

/// Payments that arrived after the counter let their sale go (expired or cancelled) and still
/// hold the customer's money: the Orders screen points the owner at them.
#[tauri::command(async)]
pub fn late_payments(desk: Desk<'_>) -> Answer<Vec<LatePaymentView>> {
    let late = desk.late_payments().map_err(fail)?;
    Ok(late.iter().map(LatePaymentView::from).collect())
}

/// The shop's counters whose orders this ledger holds (the Orders screen's counter filter and
/// column; empty for a counter on its own).
#[tauri::command(async)]
pub fn order_counters(desk: Desk<'_>) -> Answer<Vec<String>> {
    desk.ledger().counters_seen().map_err(fail)
}

/// One page of the filtered list, newest first, keyset-paged.
#[tauri::command]
pub async fn list_orders(
    desk: Desk<'_>,
    till: State<'_, Till>,
    filter: ListRequest,
) -> Answer<OrderPage> {
    let limit = filter.limit.unwrap_or(PAGE_DEFAULT).clamp(1, PAGE_MAX);
    let mut query = paydesk_ledger::ledger::OrderFilter {
        limit: Some(limit),
        before: filter.cursor,
        ..filter.filter.parse(&LIST_ZONE).map_err(fail)?
    };
    // A cashier sees today's sales at this counter (the core narrows the filter).
    let by = till.acting(desk.ledger(), None).map_err(fail)?;
    paydesk_core::filters::restrict_for(desk.ledger(), &by, &mut query, &LIST_ZONE)
        .map_err(fail)?;
    let orders = desk.ledger().list(&query).map_err(fail)?;
    let next_cursor = match orders.last() {
        Some(last) if orders.len() == limit as usize => Some(Cursor::after(last)),
        _ => None,
    };
    Ok(OrderPage {
        orders: orders.iter().map(|o| OrderView::of(o, false)).collect(),
        next_cursor,
    })
}

/// Count and sums per currency of everything the filter matches (not just the loaded pages).
#[tauri::command]
pub async fn order_totals(
    desk: Desk<'_>,
    till: State<'_, Till>,
    filter: FilterInput,
) -> Answer<TotalsView> {
    let mut query = filter.parse(&LIST_ZONE).map_err(fail)?;
    let by = till.acting(desk.ledger(), None).map_err(fail)?;
    paydesk_core::filters::restrict_for(desk.ledger(), &by, &mut query, &LIST_ZONE)
        .map_err(fail)?;
    let totals = desk.ledger().totals(&query).map_err(fail)?;
    Ok(TotalsView::of(&totals))
}

#[derive(Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportColumns {
    all: &'static [&'static str],
    default: &'static [&'static str],
}

#[tauri::command]
pub fn export_columns() -> ExportColumns {
    ExportColumns {
        all: ALL_COLUMNS,
        default: COLUMNS,
    }
}

#[derive(Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportRequest {
    filter: FilterInput,
    columns: Vec<String>,
    /// UTC, local, or an offset such as +05:30 (the times in the file; the filter's days are
    /// always local, as on the screen).
    zone: String,
    bom: bool,
    path: String,
    pin: String,
}

/// One export at a time: a second would race the first for the same file and the disk.
#[derive(Default)]
pub struct ExportRunning(AtomicBool);

/// Exports the filtered orders to a file, with the owner's PIN (an export carries the whole
/// ledger). Input is checked before the PIN, so a typo costs no PIN try. Runs off the
/// window's threads on its own ledger connection (WAL: the counter keeps writing meanwhile),
/// telling the window `export-progress` as it goes.
#[tauri::command]
pub async fn export_orders(
    app: AppHandle,
    desk: Desk<'_>,
    till: State<'_, Till>,
    running: State<'_, ExportRunning>,
    request: ExportRequest,
) -> Answer<ExportSummary> {
    let filter = request.filter.parse(&LIST_ZONE).map_err(fail)?;
    if request.columns.is_empty() {
        return Err(fail(Error::invalid(
            "columns",
            "choose at least one column",
        )));
    }
    let options = ExportOptions {
        columns: ExportOptions::parse_columns(&request.columns.join(",")).map_err(fail)?,
        // Refused on the field "tz", as the CLI's --tz.
        zone: Zone::parse(&request.zone).map_err(fail)?,
        bom: request.bom,
    };
    let path =
        paydesk_core::export::check_output_path(&request.path, desk.data_dir()).map_err(fail)?;
    let by = till
        .acting(desk.ledger(), Some(&request.pin))
        .map_err(fail)?;
    let stamp = staff::authorize(desk.ledger(), &by, Permission::Export).map_err(fail)?;
    if running.0.swap(true, Ordering::SeqCst) {
        return Err(fail(Error::invalid(
            "path",
            "an export is already running: wait for it to finish",
        )));
    }
    let data_dir = desk.data_dir().to_path_buf();
    let result = tauri::async_runtime::spawn_blocking(move || {
        export_file(&app, &data_dir, &filter, &options, &path)
    })
    .await
    .map_err(|e| Error::Internal(format!("the export stopped: {e}")));
    running.0.store(false, Ordering::SeqCst);
    let summary = result.and_then(|r| r).map_err(fail)?;
    desk.ledger()
        .audit(&stamp.entry("export", &request.path, format!("{} orders", summary.rows)))
        .map_err(fail)?;
    Ok(summary)
}

fn export_file(
    app: &AppHandle,
    data_dir: &Path,
    filter: &paydesk_ledger::ledger::OrderFilter,
    options: &ExportOptions,
    path: &Path,
) -> Result<ExportSummary, Error> {
    let ledger = Ledger::open_in(data_dir)?;
    paydesk_core::export::export_to_path(
        &ledger,
        filter,
        options,
        path,
        PROGRESS_EVERY,
        |progress: ExportProgress| {
            // To the counter's window only (not the customer display). A window that misses
            // one event still gets the next and the answer.
            if let Err(e) = app.emit_to("main", EXPORT_PROGRESS, progress) {
                tracing::warn!("cannot tell the window the export's progress: {e}");
            }
            Ok(())
        },
    )
}
