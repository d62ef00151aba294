//! Settings, reports and restart commands (each listed in capabilities/default.json, main
//! window only). Thin: the rules are in the core's settings.rs and reports.rs.

use super::{fail, Answer, Desk};
use std::collections::BTreeMap;

use paydesk_core::notify::NotifyReceiver;
use paydesk_core::payments::Paydesk;
use paydesk_core::reports::DailyReport;
use paydesk_core::settings::{self, SettingValue};
use paydesk_core::staff::{self, Permission, Till};
use paydesk_domain::error::Error;
use paydesk_domain::order::Gateway;
use paydesk_gateways::ConnectionCheck;
use serde::{Deserialize, Serialize};
use tauri::State;

#[derive(Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    /// Every known setting with its stored value and documented default.
    values: Vec<SettingValue>,
    /// The mode this run uses (a saved `mode` applies on restart).
    // `Mode::as_str`, which is Mode's serde form.
    #[ts(as = "paydesk_core::config::Mode")]
    running_mode: &'static str,
    /// Where the notification receiver listens now, if it runs.
    receiver: Option<String>,
    /// Warnings about the values just saved (e.g. a receiver address that is not loopback).
    warnings: Vec<String>,
}

fn view(
    desk: &Paydesk,
    receiver: &Option<NotifyReceiver>,
    warnings: Vec<String>,
) -> Result<SettingsView, Error> {
    Ok(SettingsView {
        values: settings::all(desk.ledger())?,
        running_mode: desk.mode().as_str(),
        receiver: receiver.as_ref().map(|r| r.base_url().to_string()),
        warnings,
    })
}

#[tauri::command(async)]
pub fn settings_get(
    desk: Desk<'_>,
    receiver: State<'_, Option<NotifyReceiver>>,
) -> Answer<SettingsView> {
    view(&desk, &receiver, Vec::new()).map_err(fail)
}

#[derive(Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SaveSettings {
    /// Key to value as typed; an empty value returns the key to its default.
    changes: BTreeMap<String, String>,
    pin: String,
}

/// Owner only. Every value is checked before any is stored; one bad value stores nothing and
/// the error names the setting.
#[tauri::command(async)]
pub fn save_settings(
    desk: Desk<'_>,
    till: State<'_, Till>,
    receiver: State<'_, Option<NotifyReceiver>>,
    request: SaveSettings,
) -> Answer<SettingsView> {
    let changes: Vec<(String, String)> = request.changes.into_iter().collect();
    // A bad value is refused before the PIN is tried: a typo costs no PIN attempt.
    settings::check_all(&changes).map_err(fail)?;
    let by = till
        .acting(desk.ledger(), Some(&request.pin))
        .map_err(fail)?;
    let keys: Vec<&str> = changes.iter().map(|(k, _)| k.as_str()).collect();
    let warnings = staff::guarded(
        desk.ledger(),
        &by,
        Permission::Settings,
        "settings",
        &keys.join(", "),
        || {
            let warnings = settings::set_all(desk.ledger(), &changes)?;
            let said: Vec<String> = changes.iter().map(|(k, v)| format!("{k}={v}")).collect();
            Ok((warnings, said.join("; ")))
        },
    )
    .map_err(fail)?;
    desk.settings_changed();
    view(&desk, &receiver, warnings).map_err(fail)
}

#[derive(Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TestConnection {
    gateway: String,
    env: String,
}

/// Makes the gateway's cheapest authenticated call; the outcome (not an error) says whether
/// the host answered and took the credentials. No PIN: it changes nothing.
#[tauri::command]
pub async fn test_connection(desk: Desk<'_>, request: TestConnection) -> Answer<ConnectionCheck> {
    let gateway = Gateway::parse(&request.gateway).map_err(fail)?;
    Ok(desk.test_connection(gateway, &request.env).await)
}

/// A saved mode (or receiver address) applies on restart: this is the "Restart now" button.
#[tauri::command]
pub fn restart_app(app: tauri::AppHandle) {
    tracing::info!("restarting at the owner's request");
    app.restart();
}

#[derive(Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ReportRequest {
    from: String,
    to: String,
    #[serde(default)]
    tz: Option<String>,
}

#[tauri::command(async)]
pub fn daily_report(desk: Desk<'_>, request: ReportRequest) -> Answer<DailyReport> {
    paydesk_core::reports::daily(
        desk.ledger(),
        &request.from,
        &request.to,
        request.tz.as_deref().unwrap_or("local"),
    )
    .map_err(fail)
}

/// Where the ledger's backups are and how old the newest is (Settings warns past a day).
#[tauri::command(async)]
pub fn backup_status(desk: Desk<'_>) -> Answer<paydesk_ledger::backup::Status> {
    paydesk_ledger::backup::status(desk.ledger()).map_err(fail)
}
