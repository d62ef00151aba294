//! The customer display: an optional second window (label `customer`) facing the customer,
//! showing only the shop's name, or the current sale's amount, QR and outcome. The counter
//! says which order to show; the view is built here from the ledger (`CustomerView`), so the
//! customer window never receives more than it shows. Updates reach it over an IPC channel it
//! hands to `customer_display_state`, not as events: a webview that may listen to events can
//! listen to all of them (`order-updated` carries the whole order), so its capability
//! (capabilities/customer.json) grants that one command and nothing else.

use super::{fail, Answer, Desk};
use std::sync::Mutex;

use paydesk_core::payments::Paydesk;
use paydesk_core::views::{CustomerSale, CustomerTip, CustomerView};
use paydesk_domain::error::Error;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, State, WebviewUrl, WebviewWindowBuilder};

pub const CUSTOMER_LABEL: &str = "customer";

/// The order on the customer display (none: idle, the shop's name), the language the
/// customer reads it in, and the channel to the customer window while one is open.
#[derive(Default)]
pub struct CustomerDisplay {
    order: Mutex<Option<i64>>,
    language: Mutex<String>,
    /// The counter's tip step while it is shown (before its sale exists).
    tip: Mutex<Option<CustomerTip>>,
    updates: Mutex<Option<Channel<CustomerView>>>,
}

fn current(desk: &Paydesk, display: &CustomerDisplay) -> Result<CustomerView, Error> {
    let id = *display.order.lock().unwrap_or_else(|p| p.into_inner());
    let sale = match id {
        Some(id) => Some(CustomerSale::of(&desk.ledger().get(id)?)),
        None => None,
    };
    Ok(CustomerView {
        shop_name: paydesk_core::settings::shop_name(desk.ledger())?,
        sale,
        language: display
            .language
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone(),
        tip: display
            .tip
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone(),
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
    WebviewWindowBuilder::new(
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
    Ok(())
}

/// Closing the counter closes Paydesk: the customer window must not keep it running. Called
/// once, when the app starts.
pub fn close_with_the_counter(app: &AppHandle) {
    let Some(main) = app.get_webview_window("main") else {
        return;
    };
    let app = app.clone();
    main.on_window_event(move |event| {
        if matches!(event, tauri::WindowEvent::Destroyed) {
            if let Some(customer) = app.get_webview_window(CUSTOMER_LABEL) {
                let _ = customer.close();
            }
        }
    });
}

/// The counter shows `order_id` (or nothing) in `language` (none: the one it had): remembered,
/// and pushed to the customer window.
#[tauri::command(async)]
pub fn customer_display_show(
    app: AppHandle,
    desk: Desk<'_>,
    display: State<'_, CustomerDisplay>,
    order_id: Option<i64>,
    language: Option<String>,
    tip: Option<CustomerTip>,
) -> Answer<()> {
    *display.order.lock().unwrap_or_else(|p| p.into_inner()) = order_id;
    // The tip step shows only while the counter says so: any other call clears it.
    *display.tip.lock().unwrap_or_else(|p| p.into_inner()) = tip;
    if let Some(language) = language {
        *display.language.lock().unwrap_or_else(|p| p.into_inner()) = language;
    }
    let mut updates = display.updates.lock().unwrap_or_else(|p| p.into_inner());
    if app.get_webview_window(CUSTOMER_LABEL).is_none() {
        *updates = None;
        return Ok(());
    }
    let Some(channel) = updates.as_ref() else {
        return Ok(());
    };
    let view = current(&desk, &display).map_err(fail)?;
    channel
        .send(view)
        .map_err(|e| fail(Error::Internal(format!("customer display: {e}"))))
}

/// What the customer window shows now; later changes come over `updates` (the window calls
/// this once when it opens).
#[tauri::command(async)]
pub fn customer_display_state(
    desk: Desk<'_>,
    display: State<'_, CustomerDisplay>,
    updates: Channel<CustomerView>,
) -> Answer<CustomerView> {
    *display.updates.lock().unwrap_or_else(|p| p.into_inner()) = Some(updates);
    current(&desk, &display).map_err(fail)
}
