//! The commands the window may call (each listed in capabilities/default.json). Each one
//! parses its input at this boundary, calls the core, and answers a view or an error payload
//! with a code the UI branches on.

use std::sync::Arc;

use paydesk::error::{Error, ErrorPayload};
use paydesk::ledger::OrderFilter;
use paydesk::order::{Gateway, OrderStatus};
use paydesk::payments::{CreateOrderInput, MethodInfo, Paydesk};
use paydesk::views::{EventView, OrderDetail, OrderView};
use serde::{Deserialize, Serialize};
use tauri::State;

type Desk<'a> = State<'a, Arc<Paydesk>>;
type Answer<T> = Result<T, ErrorPayload>;

fn fail(e: Error) -> ErrorPayload {
    if !e.is_bad_input() {
        tracing::warn!("command failed: {e}");
    }
    e.payload()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    mode: &'static str,
    data_dir: String,
    default_currency: &'static str,
    sandbox_url: Option<String>,
    version: &'static str,
}

#[tauri::command]
pub async fn app_info(desk: Desk<'_>) -> Answer<AppInfo> {
    let sandbox_url = match desk.mode() {
        paydesk::config::Mode::Sandbox => Some(desk.sandbox().await.map_err(fail)?.base_url().to_string()),
        _ => None,
    };
    Ok(AppInfo {
        mode: desk.mode().as_str(),
        data_dir: desk.data_dir().display().to_string(),
        default_currency: "CAD",
        sandbox_url,
        version: env!("CARGO_PKG_VERSION"),
    })
}

#[tauri::command]
pub fn payment_methods(desk: Desk<'_>) -> Vec<MethodInfo> {
    desk.methods()
}

#[tauri::command]
pub async fn create_order(desk: Desk<'_>, request: CreateOrderInput) -> Answer<OrderView> {
    let order = desk.create_order(&request).await.map_err(fail)?;
    Ok(OrderView::of(&order, true))
}

#[tauri::command]
pub fn get_order(desk: Desk<'_>, id: i64) -> Answer<OrderDetail> {
    let order = desk.ledger().get(id).map_err(fail)?;
    let events = desk.ledger().events(id).map_err(fail)?;
    let refunds = desk.ledger().refunds(id).map_err(fail)?;
    Ok(OrderDetail { order: OrderView::of(&order, true), events: events.iter().map(EventView::from).collect(), refunds })
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct ListFilter {
    status: Option<String>,
    gateway: Option<String>,
    search: Option<String>,
    limit: Option<u32>,
}

#[tauri::command]
pub fn list_orders(desk: Desk<'_>, filter: ListFilter) -> Answer<Vec<OrderView>> {
    let filter = OrderFilter {
        status: filter.status.as_deref().filter(|s| !s.is_empty()).map(OrderStatus::parse).transpose().map_err(fail)?,
        gateway: filter.gateway.as_deref().filter(|s| !s.is_empty()).map(Gateway::parse).transpose().map_err(fail)?,
        search: filter.search,
        limit: Some(filter.limit.unwrap_or(200).min(1000)),
        ..Default::default()
    };
    let orders = desk.ledger().list(&filter).map_err(fail)?;
    Ok(orders.iter().map(|o| OrderView::of(o, false)).collect())
}
