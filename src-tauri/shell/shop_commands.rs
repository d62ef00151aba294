//! The shop ledger in Settings (each command listed in capabilities/default.json, main window
//! only): where this counter stands, and joining and leaving with the owner's PIN. Thin: the
//! rules are in the core's shop.rs; this layer carries them over IPC.
//!
//! The shop ledger's password arrives once, with the join, and goes to the OS keychain: it is
//! wrapped in `Sensitive` as it is read from the request (nothing here holds it as a plain
//! string, or could log it), and no answer carries it.

use super::{fail, Answer, Desk};

use paydesk_core::shop::ShopStatus;
use paydesk_core::staff::{self, Permission, Till};
use paydesk_ledger::shop::{check_counter_name, CounterRow, ShopAddress};
use paydesk_secrets::vault::Sensitive;
use serde::{Deserialize, Deserializer, Serialize};
use tauri::State;

/// Where this counter stands in its shop (`ShopStatus`, as the window reads it).
#[derive(Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ShopView {
    /// Whether this counter is in a shop now.
    member: bool,
    /// The shop ledger's address without its password (kept in the OS keychain).
    url: Option<String>,
    /// This counter's name in the shop (kept after leaving: its orders carry it).
    counter: Option<String>,
    counter_number: Option<u16>,
    /// Changes of this counter not yet in the shop ledger.
    outbox: i64,
    /// Changes in the shop ledger not pulled here yet (when it answered).
    behind: Option<i64>,
    /// The last push and pull that reached the shop ledger.
    pushed_at_ms: Option<i64>,
    pulled_at_ms: Option<i64>,
    /// Why the last push or pull did not reach the shop ledger.
    last_error: Option<String>,
    /// Whether the shop ledger answered just now; `unreachable` says why not.
    reachable: bool,
    unreachable: Option<String>,
    /// The shop's counters (when it answered).
    counters: Vec<ShopCounter>,
}

/// One counter of the shop, as the shop ledger knows it.
#[derive(Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ShopCounter {
    name: String,
    number: u16,
    joined_at_ms: i64,
    /// When it left the shop (its orders stay in the shop ledger).
    left_at_ms: Option<i64>,
    /// Its last push (when it last reached the shop).
    pushed_at_ms: Option<i64>,
    /// Its orders in the shop ledger.
    orders: i64,
}

impl From<CounterRow> for ShopCounter {
    fn from(row: CounterRow) -> Self {
        ShopCounter {
            name: row.name,
            number: row.number,
            joined_at_ms: row.joined_at_ms,
            left_at_ms: row.left_at_ms,
            pushed_at_ms: row.pushed_at_ms,
            orders: row.orders,
        }
    }
}

impl From<ShopStatus> for ShopView {
    fn from(status: ShopStatus) -> Self {
        let state = status.state;
        ShopView {
            member: state.member,
            url: state.url,
            counter: state.counter,
            counter_number: state.counter_number,
            outbox: state.outbox,
            behind: status.behind,
            pushed_at_ms: state.pushed_at_ms,
            pulled_at_ms: state.pulled_at_ms,
            last_error: state.last_error,
            reachable: status.reachable,
            unreachable: status.unreachable,
            counters: status.counters.into_iter().map(ShopCounter::from).collect(),
        }
    }
}

/// The shop ledger's password as it arrives from the window, wrapped before anything else holds
/// it (no `Debug`, no `Serialize` of its own: `Sensitive` redacts and refuses both).
struct Password(Sensitive<String>);

impl<'de> Deserialize<'de> for Password {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|text| Password(Sensitive::new(text)))
    }
}

/// Joining a shop. No `Debug`: it carries the password.
#[derive(Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ShopJoin {
    /// postgres://user@host/database (a password in it is taken out, like the CLI's).
    url: String,
    /// This counter's name in the shop, unique there.
    counter: String,
    /// The shop ledger's password: to the keychain, never sent back; none when the
    /// database asks for none.
    #[ts(as = "Option<String>")]
    password: Option<Password>,
    pin: String,
}

#[derive(Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ShopLeave {
    /// Leave even though the shop ledger cannot be reached: what this counter has not pushed
    /// stays here only.
    force: bool,
    pin: String,
}

/// Where this counter stands (asking the shop ledger, 3 s at most). No PIN: it shows no secret.
#[tauri::command]
pub async fn shop_status(desk: Desk<'_>) -> Answer<ShopView> {
    desk.shop_status().await.map(ShopView::from).map_err(fail)
}

/// Owner only. The address and the name are checked before the PIN is tried (a typo costs no
/// PIN attempt); the answer is the status just after joining.
#[tauri::command]
pub async fn shop_join(
    desk: Desk<'_>,
    till: State<'_, Till>,
    request: ShopJoin,
) -> Answer<ShopView> {
    ShopAddress::parse(&request.url).map_err(fail)?;
    check_counter_name(&request.counter).map_err(fail)?;
    let by = till
        .acting(desk.ledger(), Some(&request.pin))
        .map_err(fail)?;
    let stamp = staff::authorize(desk.ledger(), &by, Permission::Shop).map_err(fail)?;
    let password = request
        .password
        .map(|Password(password)| password)
        .filter(|password| !password.expose().is_empty());
    let state = desk
        .shop_join(&request.url, &request.counter, password)
        .await
        .map_err(fail)?;
    desk.ledger()
        .audit(&stamp.entry(
            "shop_join",
            state.counter.as_deref().unwrap_or_default(),
            state.url.clone().unwrap_or_default(),
        ))
        .map_err(fail)?;
    tracing::info!(
        url = state.url.as_deref().unwrap_or_default(),
        counter = state.counter.as_deref().unwrap_or_default(),
        "joined the shop ledger from Settings"
    );
    desk.shop_status().await.map(ShopView::from).map_err(fail)
}

/// Owner only. Every order stays in this counter's ledger; refused while the shop ledger
/// cannot be reached and this counter has changes it does not hold, unless `force`.
#[tauri::command]
pub async fn shop_leave(
    desk: Desk<'_>,
    till: State<'_, Till>,
    request: ShopLeave,
) -> Answer<ShopView> {
    let by = till
        .acting(desk.ledger(), Some(&request.pin))
        .map_err(fail)?;
    let stamp = staff::authorize(desk.ledger(), &by, Permission::Shop).map_err(fail)?;
    desk.shop_leave(request.force).await.map_err(fail)?;
    desk.ledger()
        .audit(&stamp.entry("shop_leave", "", format!("force: {}", request.force)))
        .map_err(fail)?;
    tracing::info!(force = request.force, "left the shop ledger from Settings");
    desk.shop_status().await.map(ShopView::from).map_err(fail)
}
