//! The customer display: an optional second window (label `customer`) facing the customer,
//! showing only the shop's name, or the current sale's amount, QR and outcome. The counter
//! says which order to show; the view is built here from the ledger (`CustomerView`), so the
//! customer window never receives more than it shows. Its capability (capabilities/
//! customer.json) allows only `customer_display_state` and listening to events.

use super::{fail, Answer, Desk};
use std::sync::Mutex;

use paydesk::error::Error;
use paydesk::payments::Paydesk;
use paydesk::views::{CustomerSale, CustomerView};
use tauri::{AppHandle, Emitter, Manager, State, WebviewUrl, WebviewWindowBuilder};

pub const CUSTOMER_LABEL: &str = "customer";
pub const CUSTOMER_DISPLAY: &str = "customer-display";

/// The order on the customer display (none: idle, the shop's name).
#[derive(Default)]
pub struct CustomerDisplay {
    order: Mutex<Option<i64>>,
}

fn current(desk: &Paydesk, display: &CustomerDisplay) -> Result<CustomerView, Error> {
    let id = *display.order.lock().unwrap_or_else(|p| p.into_inner());
    let sale = match id {
        Some(id) => Some(CustomerSale::of(&desk.ledger().get(id)?)),
        None => None,
    };
    Ok(CustomerView {
        shop_name: paydesk::settings::shop_name(desk.ledger())?,
        sale,
    })
}

/// Opens the customer window, or brings it forward when it is open. Async: building a
/// window from a synchronous command deadlocks on some platforms.
#[tauri::command]
pub async fn open_customer_display(app: AppHandle) -> Answer<()> {
    if let Some(window) = app.get_webview_window(CUSTOMER_LABEL) {
        let _ = window.unminimize();
        return window
            .set_focus()
            .map_err(|e| fail(Error::Internal(format!("customer display: {e}"))));
    }
    let customer = WebviewWindowBuilder::new(
        &app,
        CUSTOMER_LABEL,
        WebviewUrl::App("index.html?view=customer".into()),
    )
    .title("Paydesk — customer display")
    .inner_size(800.0, 600.0)
    .min_inner_size(480.0, 400.0)
    .build()
    .map_err(|e| {
        fail(Error::Internal(format!(
            "cannot open the customer display: {e}"
        )))
    })?;
    // Closing the counter closes Paydesk: the customer window must not keep it running.
    if let Some(main) = app.get_webview_window("main") {
        main.on_window_event(move |event| {
            if matches!(event, tauri::WindowEvent::Destroyed) {
                let _ = customer.close();
            }
        });
    }
    Ok(())
}

/// The counter shows `order_id` (or nothing): remembered, and pushed to the customer window.
#[tauri::command]
pub fn customer_display_show(
    app: AppHandle,
    desk: Desk<'_>,
    display: State<'_, CustomerDisplay>,
    order_id: Option<i64>,
) -> Answer<()> {
    *display.order.lock().unwrap_or_else(|p| p.into_inner()) = order_id;
    if app.get_webview_window(CUSTOMER_LABEL).is_none() {
        return Ok(());
    }
    let view = current(&desk, &display).map_err(fail)?;
    app.emit_to(CUSTOMER_LABEL, CUSTOMER_DISPLAY, view)
        .map_err(|e| fail(Error::Internal(format!("customer display: {e}"))))
}

/// What the customer window shows now (it asks once when it opens, then follows events).
#[tauri::command]
pub fn customer_display_state(
    desk: Desk<'_>,
    display: State<'_, CustomerDisplay>,
) -> Answer<CustomerView> {
    current(&desk, &display).map_err(fail)
}
