//! The commands the window may call (each listed in capabilities/default.json). Each one
//! parses its input at this boundary, calls the core, and answers a view or an error payload
//! with a code the UI branches on.
//! Commands that read the ledger or the keychain, or hash a PIN, are `async` (or
//! `command(async)`): Tauri runs plain commands on the main thread, which would freeze both
//! windows while they work.

use super::{fail, Answer, Desk};

use std::collections::BTreeMap;

use paydesk_core::payments::{CreateOrderInput, MethodInfo, Paydesk};
use paydesk_core::staff::{self, Permission, Till};
use paydesk_core::views::{OrderDetail, OrderView};
use paydesk_domain::error::Error;
use paydesk_domain::order::Gateway;
use paydesk_secrets::vault::{CredentialStatus, Environment, Sensitive, Vault};
use serde::{Deserialize, Serialize};
use tauri::State;

#[derive(Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    // `Mode::as_str`, which is Mode's serde form.
    #[ts(as = "paydesk_core::config::Mode")]
    mode: &'static str,
    data_dir: String,
    /// The shop's `shop.currency` setting (CAD unless set).
    default_currency: &'static str,
    shop_name: String,
    /// The shop's `shop.language` (en unless set): the window's until someone signs in.
    shop_language: &'static str,
    sandbox_url: Option<String>,
    version: &'static str,
    /// The methods the counter offers, most used first (last 30 days); empty = all.
    shop_methods: Vec<String>,
    /// True until the first-start setup has run.
    setup_needed: bool,
}

#[tauri::command]
pub async fn app_info(desk: Desk<'_>) -> Answer<AppInfo> {
    let sandbox_url = desk.sandbox_url().await.map_err(fail)?;
    Ok(AppInfo {
        mode: desk.mode().as_str(),
        data_dir: desk.data_dir().display().to_string(),
        default_currency: paydesk_core::settings::shop_currency(desk.ledger())
            .map_err(fail)?
            .code(),
        shop_name: paydesk_core::settings::shop_name(desk.ledger()).map_err(fail)?,
        shop_language: paydesk_core::language::shop_language(desk.ledger()).map_err(fail)?,
        sandbox_url,
        version: env!("CARGO_PKG_VERSION"),
        shop_methods: paydesk_core::setup::methods_by_use(
            desk.ledger(),
            paydesk_domain::clock::now_ms(),
        )
        .map_err(fail)?,
        setup_needed: paydesk_core::setup::needed(desk.ledger()).map_err(fail)?,
    })
}

#[tauri::command]
pub fn payment_methods(desk: Desk<'_>) -> Vec<MethodInfo> {
    desk.methods()
}

#[tauri::command]
pub async fn create_order(
    desk: Desk<'_>,
    till: State<'_, Till>,
    request: CreateOrderInput,
    tip: Option<String>,
) -> Answer<OrderView> {
    let by = till.acting(desk.ledger(), None).map_err(fail)?;
    let order = desk
        .create_tipped_order(&by, &request, tip.as_deref())
        .await
        .map_err(fail)?;
    Ok(OrderView::of(&order, true))
}

/// The tip step's choices for a sale of `amount` (as typed) in `currency`; null while the
/// shop has tips off (the counter then goes straight to the payment).
#[tauri::command]
pub fn tip_offer(
    desk: Desk<'_>,
    amount: String,
    currency: String,
) -> Answer<Option<paydesk_domain::tip::TipOffer>> {
    paydesk_core::tips::offer(desk.ledger(), &amount, &currency).map_err(fail)
}

/// The counter's "Cancel sale" (after its confirmation): a waiting sale is cancelled, at the
/// gateway where it can be; anything else is refused with code `not_waiting`.
#[tauri::command]
pub async fn cancel_sale(desk: Desk<'_>, till: State<'_, Till>, id: i64) -> Answer<OrderView> {
    let by = till.acting(desk.ledger(), None).map_err(fail)?;
    let order = desk.cancel(&by, id).await.map_err(fail)?;
    Ok(OrderView::of(&order, true))
}

/// "Check now": asks the gateway about the order at once and answers it as it is then.
#[tauri::command]
pub async fn sync_order(desk: Desk<'_>, id: i64) -> Answer<OrderView> {
    let order = desk.sync(id).await.map_err(fail)?;
    Ok(OrderView::of(&order, true))
}

#[tauri::command(async)]
pub fn get_order(desk: Desk<'_>, id: i64) -> Answer<OrderDetail> {
    OrderDetail::load(desk.ledger(), id, true).map_err(fail)
}

/// The order after an owner action (no QR: it is settled).
fn detail(desk: &Paydesk, id: i64) -> Result<OrderDetail, Error> {
    OrderDetail::load(desk.ledger(), id, false)
}

#[derive(Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct OwnerStatus {
    pin_set: bool,
}

#[tauri::command(async)]
pub fn owner_status(desk: Desk<'_>) -> Answer<OwnerStatus> {
    Ok(OwnerStatus {
        pin_set: !staff::no_owner_yet(desk.ledger()).map_err(fail)?,
    })
}

#[derive(Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct SetPin {
    current: Option<String>,
    new_pin: String,
}

#[tauri::command(async)]
pub fn set_owner_pin(desk: Desk<'_>, request: SetPin) -> Answer<OwnerStatus> {
    staff::change_own_pin(desk.ledger(), request.current.as_deref(), &request.new_pin)
        .map_err(fail)?;
    Ok(OwnerStatus { pin_set: true })
}

#[derive(Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct Reversal {
    id: i64,
    /// As typed; none = everything not yet refunded (refunds only).
    amount: Option<String>,
    /// true: refund the sale without its tip (what is left of it); `amount` is then ignored.
    sale_only: Option<bool>,
    reason: Option<String>,
    pin: String,
}

#[tauri::command]
pub async fn refund_order(
    desk: Desk<'_>,
    till: State<'_, Till>,
    request: Reversal,
) -> Answer<OrderDetail> {
    let by = till
        .acting(desk.ledger(), Some(&request.pin))
        .map_err(fail)?;
    let amount = request
        .amount
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    if request.sale_only == Some(true) {
        desk.refund_sale(&by, request.id, request.reason.as_deref())
            .await
            .map_err(fail)?;
    } else {
        desk.refund(&by, request.id, amount, request.reason.as_deref())
            .await
            .map_err(fail)?;
    }
    detail(&desk, request.id).map_err(fail)
}

#[tauri::command]
pub async fn void_order(
    desk: Desk<'_>,
    till: State<'_, Till>,
    request: Reversal,
) -> Answer<OrderDetail> {
    let by = till
        .acting(desk.ledger(), Some(&request.pin))
        .map_err(fail)?;
    desk.void(&by, request.id, request.reason.as_deref())
        .await
        .map_err(fail)?;
    detail(&desk, request.id).map_err(fail)
}

#[derive(Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ResendRefunds {
    id: i64,
    pin: String,
}

/// Resends the order's refunds and voids whose outcome is unknown, under their own numbers.
#[tauri::command]
pub async fn resend_refunds(
    desk: Desk<'_>,
    till: State<'_, Till>,
    request: ResendRefunds,
) -> Answer<OrderDetail> {
    let by = till
        .acting(desk.ledger(), Some(&request.pin))
        .map_err(fail)?;
    // A resend moves no new money (the same reservation, the same number): whoever could
    // make the reversal may resend it.
    staff::authorize(desk.ledger(), &by, Permission::Refund).map_err(fail)?;
    desk.retry_reversals(request.id).await.map_err(fail)?;
    detail(&desk, request.id).map_err(fail)
}

#[derive(Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SettleRefund {
    refund_no: String,
    /// What the owner found in the gateway's records.
    went_through: bool,
    pin: String,
}

/// The owner's word on a refund or void whose outcome is unknown.
#[tauri::command(async)]
pub fn settle_refund(
    desk: Desk<'_>,
    till: State<'_, Till>,
    request: SettleRefund,
) -> Answer<OrderDetail> {
    let by = till
        .acting(desk.ledger(), Some(&request.pin))
        .map_err(fail)?;
    let (refund, _) = desk
        .settle_reversal(&by, &request.refund_no, request.went_through)
        .map_err(fail)?;
    detail(&desk, refund.order_id).map_err(fail)
}

/// Which credentials are set, never their values.
#[tauri::command(async)]
pub fn credentials_status() -> Answer<Vec<CredentialStatus>> {
    Vault::keychain().status().map_err(fail)
}

#[derive(Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SaveCredentials {
    gateway: String,
    env: String,
    /// Field name to value; the values go to the keychain and are never sent back.
    fields: BTreeMap<String, String>,
    pin: String,
}

#[tauri::command(async)]
pub fn save_credentials(
    desk: Desk<'_>,
    till: State<'_, Till>,
    request: SaveCredentials,
) -> Answer<CredentialStatus> {
    let by = till
        .acting(desk.ledger(), Some(&request.pin))
        .map_err(fail)?;
    let gateway = Gateway::parse(&request.gateway).map_err(fail)?;
    let env = Environment::parse(&request.env).map_err(fail)?;
    let fields: BTreeMap<String, Sensitive<String>> = request
        .fields
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k, Sensitive::new(v)))
        .collect();
    let names: Vec<String> = fields.keys().cloned().collect();
    // The audit entry names the fields changed, never their values.
    staff::guarded(
        desk.ledger(),
        &by,
        Permission::Credentials,
        "credentials",
        &format!("{}.{}", gateway.as_str(), env.as_str()),
        || {
            Ok((
                Vault::keychain().save(gateway, env, fields)?,
                names.join(", "),
            ))
        },
    )
    .map_err(fail)
}
