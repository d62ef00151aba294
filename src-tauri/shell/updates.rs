//! Signed updates (issue 18): Settings' "Check for updates", "Install" and "Restart", through
//! Tauri's updater plugin, as four thin commands (the plugin's own JavaScript commands are not
//! in any capability: the window can only ask through these).
//!
//! - An update is installed only when its minisign signature verifies against the public key
//!   built into the app (`plugins.updater.pubkey` in tauri.conf.json) and was made for the very
//!   version the update server announces (`requireSignedVersion`: an older, genuinely signed
//!   build cannot be replayed as a newer one). The plugin checks both on download and again on
//!   install.
//! - Never while a sale is open: checking, installing and restarting are refused while any
//!   order still waits for its payment ([`sale_in_the_way`]); installing takes the owner's PIN.
//! - Nothing happens by itself: the owner checks from Settings.
//!
//! Where the update goes is the plugin's: a .deb or .rpm install is replaced through
//! `pkexec dpkg -i` / `rpm -U` (the system asks for an administrator's password), any other
//! (an AppImage, or a binary run from elsewhere) has its executable file replaced. The running
//! app goes on with the old code until it restarts.
//!
//! Tests point the app at their own key and loopback server with [`PUBKEY_ENV`] and
//! [`ENDPOINT_ENV`], which only a debug build running on the sandbox reads ([`source`]): a
//! release build, every package, and any build on a test or live account use the built-in key
//! and server, so nothing in the environment can make a shop's Paydesk accept another key.

use std::sync::Mutex;
use std::time::Duration;

use paydesk_core::config::Mode;
use paydesk_core::staff::{self, Permission, Till};
use paydesk_domain::error::Error;
use paydesk_domain::order::Order;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_updater::{Update, UpdaterExt};

use super::{fail, Answer, Desk};

/// A test's update key (the `.pub` file's text, base64, as `tauri signer generate` writes
/// it). Read only by a debug build on the sandbox.
pub const PUBKEY_ENV: &str = "PAYDESK_UPDATE_PUBKEY";
/// A test's update server (the manifest's URL). Read only by a debug build on the sandbox.
pub const ENDPOINT_ENV: &str = "PAYDESK_UPDATE_ENDPOINT";

/// How long the update server may take to answer a check, and to send the whole update.
const CHECK_TIMEOUT: Duration = Duration::from_secs(30);
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(600);

/// The key updates must be signed with and the servers asked for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub pubkey: String,
    pub endpoints: Vec<String>,
    /// From the environment (a test), not from the build.
    pub overridden: bool,
}

/// The key and servers to use: the built-in ones, or a test's when this is a debug build on
/// the sandbox and the test gave both; `None` when this build has none (a build from source:
/// the release sets them, see README "Updating").
pub fn source(
    built_in: (String, Vec<String>),
    test: (Option<String>, Option<String>),
    debug_build: bool,
    mode: Mode,
) -> Option<Source> {
    if debug_build && mode == Mode::Sandbox {
        if let (Some(pubkey), Some(endpoint)) = test {
            let (pubkey, endpoint) = (pubkey.trim().to_string(), endpoint.trim().to_string());
            if !pubkey.is_empty() && !endpoint.is_empty() {
                return Some(Source {
                    pubkey,
                    endpoints: vec![endpoint],
                    overridden: true,
                });
            }
        }
    }
    let (pubkey, endpoints) = built_in;
    let endpoints: Vec<String> = endpoints
        .into_iter()
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty())
        .collect();
    if pubkey.trim().is_empty() || endpoints.is_empty() {
        return None;
    }
    Some(Source {
        pubkey: pubkey.trim().to_string(),
        endpoints,
        overridden: false,
    })
}

/// Why Paydesk must not update now, if it must not: a sale is open (an order still waiting for
/// its payment or its capture). The owner finishes or cancels it first.
pub fn sale_in_the_way(open: &[Order]) -> Option<String> {
    let first = open.first()?;
    let which = format!(
        "{} for {} ({})",
        first.merchant_order_no,
        first.amount,
        first.status.as_str()
    );
    Some(match open.len() {
        1 => format!("A sale is open: {which}. Finish or cancel it first; Paydesk never updates during a sale."),
        n => format!("{n} sales are open, the first {which}. Finish or cancel them first; Paydesk never updates during a sale."),
    })
}

fn refused(code: &'static str, message: impl Into<String>) -> Error {
    Error::Refused {
        params: vec![],
        code,
        field: None,
        message: message.into(),
    }
}

/// Refuses with `sale_open` while a sale is open.
fn no_sale_open(desk: &paydesk_core::payments::Paydesk) -> Result<(), Error> {
    match sale_in_the_way(&desk.ledger().open_orders()?) {
        Some(reason) => Err(refused("sale_open", reason)),
        None => Ok(()),
    }
}

/// The built-in key and servers, as tauri.conf.json's `plugins.updater` gives them.
fn built_in<R: Runtime>(app: &AppHandle<R>) -> (String, Vec<String>) {
    let config = app.config().plugins.0.get("updater");
    let pubkey = config
        .and_then(|c| c.get("pubkey"))
        .and_then(|k| k.as_str())
        .unwrap_or_default()
        .to_string();
    let endpoints = config
        .and_then(|c| c.get("endpoints"))
        .and_then(|e| e.as_array())
        .map(|list| {
            list.iter()
                .filter_map(|e| e.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    (pubkey, endpoints)
}

fn this_source<R: Runtime>(app: &AppHandle<R>, mode: Mode) -> Option<Source> {
    source(
        built_in(app),
        (
            std::env::var(PUBKEY_ENV).ok(),
            std::env::var(ENDPOINT_ENV).ok(),
        ),
        cfg!(debug_assertions),
        mode,
    )
}

/// What the owner is told about an update the plugin refused or could not fetch.
fn plugin_error(e: tauri_plugin_updater::Error) -> Error {
    use tauri_plugin_updater::Error as E;
    match e {
        E::Minisign(_) | E::Base64(_) | E::SignatureUtf8(_) => refused(
            "update_refused",
            format!(
                "The update was refused: its signature does not match Paydesk's update key ({e}). Nothing was installed."
            ),
        ),
        E::SignedVersionMismatch { signed, announced } => refused(
            "update_refused",
            format!(
                "The update was refused: it is signed as version {signed}, not the {announced} the update server announced. Nothing was installed."
            ),
        ),
        E::MissingSignedVersion => refused(
            "update_refused",
            "The update was refused: its signature does not say which version it is. Nothing was installed.",
        ),
        E::Reqwest(_) | E::Network(_) | E::ReleaseNotFound | E::Serialization(_) => refused(
            "update_unreachable",
            format!("The update server could not be asked: {e}"),
        ),
        other => refused(
            "update_failed",
            format!("The update could not be installed: {other}"),
        ),
    }
}

/// What checking found, and what was installed, since the app started.
#[derive(Default)]
pub struct Updates {
    offered: Mutex<Option<Update>>,
    installed: Mutex<Option<String>>,
    /// One check or install at a time.
    busy: tokio::sync::Mutex<()>,
}

impl Updates {
    fn offered(&self) -> Option<Update> {
        self.offered
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn set_offered(&self, update: Option<Update>) {
        *self.offered.lock().unwrap_or_else(|e| e.into_inner()) = update;
    }

    fn installed(&self) -> Option<String> {
        self.installed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateStatus {
    /// This build's version.
    current: String,
    /// Whether this build has an update key and server.
    configured: bool,
    /// Why checking or installing must wait (a sale is open).
    blocked: Option<String>,
    /// The version installed since the app started: a restart runs it.
    installed: Option<String>,
}

/// Settings' Updates section as it opens, and again when an order moves.
#[tauri::command(async)]
pub fn update_status(
    app: AppHandle,
    desk: Desk<'_>,
    updates: State<'_, Updates>,
) -> Answer<UpdateStatus> {
    let open = desk.ledger().open_orders().map_err(fail)?;
    Ok(UpdateStatus {
        current: app.package_info().version.to_string(),
        configured: this_source(&app, desk.mode()).is_some(),
        blocked: sale_in_the_way(&open),
        installed: updates.installed(),
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Offer {
    version: String,
    notes: Option<String>,
    /// RFC 3339, as the update server gave it.
    date: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateCheck {
    current: String,
    /// A newer version the server offers; none when this one is the newest.
    offered: Option<Offer>,
}

/// Asks the update server whether there is a newer version (no PIN: it changes nothing).
/// Refused while a sale is open.
#[tauri::command]
pub async fn update_check(
    app: AppHandle,
    desk: Desk<'_>,
    updates: State<'_, Updates>,
) -> Answer<UpdateCheck> {
    let _one = updates.busy.lock().await;
    no_sale_open(&desk).map_err(fail)?;
    let Some(source) = this_source(&app, desk.mode()) else {
        return Err(fail(refused(
            "updates_off",
            "This build of Paydesk has no update key: it cannot take updates (install a package from the shop's release instead).",
        )));
    };
    let endpoints = source
        .endpoints
        .iter()
        .map(|e| e.parse())
        .collect::<Result<Vec<tauri::Url>, _>>()
        .map_err(|e| fail(refused("updates_off", format!("bad update server: {e}"))))?;
    let mut builder = app
        .updater_builder()
        .pubkey(source.pubkey.clone())
        .timeout(CHECK_TIMEOUT)
        .endpoints(endpoints)
        .map_err(|e| fail(plugin_error(e)))?;
    if source.overridden {
        // A test's loopback server: no proxy between it and the app.
        builder = builder.no_proxy();
    }
    let updater = builder.build().map_err(|e| fail(plugin_error(e)))?;
    tracing::info!(overridden = source.overridden, "checking for updates");
    let found = updater.check().await.map_err(|e| fail(plugin_error(e)))?;
    let offered = found.as_ref().map(|update| Offer {
        version: update.version.clone(),
        notes: update.body.clone(),
        date: update
            .raw_json
            .get("pub_date")
            .and_then(|d| d.as_str())
            .map(str::to_string),
    });
    if let Some(update) = &found {
        tracing::info!(version = %update.version, "update offered");
    }
    updates.set_offered(found);
    Ok(UpdateCheck {
        current: app.package_info().version.to_string(),
        offered,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstallRequest {
    /// The version the owner saw offered.
    version: String,
    pin: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Installed {
    version: String,
}

/// Owner only: downloads the offered update, verifies its signature and installs it; the app
/// runs it after a restart. Refused while a sale is open, before and after the download.
#[tauri::command]
pub async fn update_install(
    desk: Desk<'_>,
    till: State<'_, Till>,
    updates: State<'_, Updates>,
    request: InstallRequest,
) -> Answer<Installed> {
    let _one = updates.busy.lock().await;
    let by = till
        .acting(desk.ledger(), Some(&request.pin))
        .map_err(fail)?;
    let stamp = staff::authorize(desk.ledger(), &by, Permission::Settings).map_err(fail)?;
    desk.ledger()
        .audit(&stamp.entry("update", &request.version, "install asked".into()))
        .map_err(fail)?;
    no_sale_open(&desk).map_err(fail)?;
    let Some(mut update) = updates.offered().filter(|u| u.version == request.version) else {
        return Err(fail(refused(
            "update_gone",
            format!(
                "Version {} is not on offer any more: check for updates again.",
                request.version
            ),
        )));
    };
    update.timeout = Some(DOWNLOAD_TIMEOUT);
    tracing::info!(version = %update.version, url = %update.download_url, "downloading the update");
    // The plugin verifies the signature (and the signed version) before returning the bytes.
    let bytes = update
        .download(|_, _| {}, || {})
        .await
        .map_err(|e| fail(plugin_error(e)))?;
    // A sale may have opened during the download.
    no_sale_open(&desk).map_err(fail)?;
    let version = update.version.clone();
    // Verified once more, then installed; a package install waits for the administrator's
    // password (pkexec), so it runs off the async workers.
    tauri::async_runtime::spawn_blocking(move || update.install(bytes))
        .await
        .map_err(|e| fail(Error::Internal(format!("the install stopped: {e}"))))?
        .map_err(|e| fail(plugin_error(e)))?;
    tracing::info!(%version, "update installed: it runs after a restart");
    updates.set_offered(None);
    *updates.installed.lock().unwrap_or_else(|e| e.into_inner()) = Some(version.clone());
    Ok(Installed { version })
}

/// Restarts into the installed update. Refused while a sale is open.
#[tauri::command]
pub fn update_restart(app: AppHandle, desk: Desk<'_>) -> Answer<()> {
    no_sale_open(&desk).map_err(fail)?;
    tracing::info!("restarting into the installed update");
    app.restart();
}

/// The updater plugin: the key and servers of tauri.conf.json, used through the commands above.
pub fn plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R, tauri_plugin_updater::Config> {
    tauri_plugin_updater::Builder::new().build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use paydesk_domain::money::{Currency, Money};
    use paydesk_domain::order::{Gateway, Method, OrderStatus};

    fn built_in() -> (String, Vec<String>) {
        (
            "SHOPKEY".into(),
            vec!["https://updates.example/latest.json".into()],
        )
    }

    fn test_env() -> (Option<String>, Option<String>) {
        (
            Some("TESTKEY".into()),
            Some("http://127.0.0.1:9/latest.json".into()),
        )
    }

    #[test]
    fn a_tests_key_applies_only_to_a_debug_build_on_the_sandbox() {
        let test = source(built_in(), test_env(), true, Mode::Sandbox).unwrap();
        assert_eq!(test.pubkey, "TESTKEY");
        assert_eq!(test.endpoints, ["http://127.0.0.1:9/latest.json"]);
        assert!(test.overridden);
        // A release build (every package) never reads it, whatever the mode.
        for mode in [Mode::Sandbox, Mode::Test, Mode::Live] {
            let release = source(built_in(), test_env(), false, mode).unwrap();
            assert_eq!(release.pubkey, "SHOPKEY", "{mode:?}");
            assert!(!release.overridden);
        }
        // A debug build on a test or live account does not either.
        for mode in [Mode::Test, Mode::Live] {
            assert_eq!(
                source(built_in(), test_env(), true, mode).unwrap().pubkey,
                "SHOPKEY"
            );
        }
        // Half an override (a key without a server) is none.
        let half = (Some("TESTKEY".to_string()), None);
        assert_eq!(
            source(built_in(), half, true, Mode::Sandbox)
                .unwrap()
                .pubkey,
            "SHOPKEY"
        );
    }

    #[test]
    fn a_build_without_a_key_or_a_server_takes_no_updates() {
        let no_key = (String::new(), vec!["https://updates.example/x".to_string()]);
        assert_eq!(source(no_key, (None, None), false, Mode::Live), None);
        let no_server = ("SHOPKEY".to_string(), vec![" ".to_string()]);
        assert_eq!(source(no_server, (None, None), false, Mode::Live), None);
    }

    fn order(id: i64, status: OrderStatus) -> Order {
        Order {
            id,
            status,
            ..Order::example(
                &format!("PD{id}"),
                Gateway::Iotpay,
                Method::ALL[0],
                Money::parse("6.40", Currency::CAD).unwrap(),
            )
        }
    }

    #[test]
    fn no_update_while_a_sale_is_open() {
        assert_eq!(sale_in_the_way(&[]), None);
        let one = sale_in_the_way(&[order(7, OrderStatus::Pending)]).unwrap();
        assert!(
            one.starts_with("A sale is open: PD7 for 6.40 CAD (pending)."),
            "{one}"
        );
        let two = sale_in_the_way(&[
            order(7, OrderStatus::Created),
            order(8, OrderStatus::Authorized),
        ])
        .unwrap();
        assert!(two.starts_with("2 sales are open, the first PD7"), "{two}");
    }
}
