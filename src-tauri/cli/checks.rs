//! `paydesk doctor` (is everything this counter needs there?) and `paydesk reconcile` (ask the
//! gateways about every order still open, as the window does at startup).

use std::path::Path;
use std::process::ExitCode;

use paydesk_core::config::Mode;
use paydesk_core::payments::Paydesk;
use paydesk_domain::error::Result;
use paydesk_domain::order::OrderStatus;
use paydesk_secrets::vault::Vault;

use super::to_json;

/// One order's line of `paydesk reconcile`.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Reconciled {
    /// None when the failure could not be tied to an order (see `reconcile`).
    id: Option<i64>,
    merchant_order_no: Option<String>,
    before: Option<OrderStatus>,
    after: Option<OrderStatus>,
    gateway_status: Option<String>,
    moved: bool,
    /// Why it could not be reconciled (it stays as it was, and is tried again next time).
    error: Option<String>,
}

#[derive(serde::Serialize)]
struct ReconcileSummary {
    orders: usize,
    moved: usize,
    unchanged: usize,
    failed: usize,
}

/// `paydesk reconcile`: `Paydesk::reconcile` (the window's startup), then what it did.
pub async fn reconcile(data_dir: &Path, mode: Option<Mode>, json: bool) -> Result<ExitCode> {
    let desk = Paydesk::open(data_dir, mode).await?;
    let results = desk.reconcile().await?;
    let mut lines = Vec::with_capacity(results.len());
    for (before, result) in results {
        let (after, error) = match result {
            Ok(after) => (after, None),
            Err(e) => (desk.ledger().get(before.id)?, Some(e.to_string())),
        };
        lines.push(Reconciled {
            id: Some(after.id),
            merchant_order_no: Some(after.merchant_order_no.clone()),
            before: Some(before.status),
            after: Some(after.status),
            gateway_status: after.gateway_status.clone(),
            moved: before.status != after.status,
            error,
        });
    }
    let failed = lines.iter().filter(|l| l.error.is_some()).count();
    let moved = lines.iter().filter(|l| l.moved).count();
    let summary = ReconcileSummary {
        orders: lines.len(),
        moved,
        unchanged: lines.len() - moved - failed,
        failed,
    };
    if json {
        println!(
            "{}",
            to_json(&serde_json::json!({ "orders": lines, "summary": summary }))?
        );
    } else {
        let word = |s: Option<OrderStatus>| s.map(|s| s.as_str()).unwrap_or("?");
        for l in &lines {
            let id = l.id.map(|id| id.to_string()).unwrap_or_else(|| "?".into());
            let number = l.merchant_order_no.as_deref().unwrap_or("?");
            match &l.error {
                None => println!(
                    "{id:>6}  {number:<24}  {} -> {}",
                    word(l.before),
                    word(l.after)
                ),
                Some(e) => println!(
                    "{id:>6}  {number:<24}  {} -> {} (not reconciled: {e})",
                    word(l.before),
                    word(l.after)
                ),
            }
        }
        println!(
            "{} order(s) reconciled: {} moved, {} unchanged, {} could not be reconciled",
            summary.orders, summary.moved, summary.unchanged, summary.failed
        );
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub async fn doctor(data_dir: &Path, mode: Option<Mode>) -> Result<ExitCode> {
    let mut healthy = true;
    println!("data directory: {}", data_dir.display());
    let desk = Paydesk::open(data_dir, mode).await?;
    let open = desk.ledger().open_orders()?.len();
    println!(
        "ledger: {} (schema v{}), {open} open order(s)",
        desk.ledger().path().display(),
        paydesk_ledger::ledger::schema_version()
    );
    println!("mode: {}", desk.mode().as_str());
    let unanswered = desk.ledger().pending_refunds()?;
    if !unanswered.is_empty() {
        let refunds: Vec<String> = unanswered
            .iter()
            .map(|r| format!("{} (order {})", r.refund_no, r.order_id))
            .collect();
        println!(
            "refunds with no answer: {}: resend them (order resend-refunds ID) or settle them from the gateway's records (order settle-refund NO --outcome done|failed)",
            refunds.join(", ")
        );
    }
    for late in desk.late_payments()? {
        println!(
            "late payment: order {} ({} {}): {}",
            late.order.merchant_order_no,
            late.order.amount.display_amount(),
            late.order.amount.currency().code(),
            late.note
        );
    }
    // In a shop: whether the shop ledger answers, and what waits (a counter cut off keeps
    // selling, but its refunds wait and the others do not see its sales).
    let shop = desk.shop_status().await?;
    if shop.state.member {
        let counter = shop.state.counter.as_deref().unwrap_or_default();
        let url = shop.state.url.as_deref().unwrap_or_default();
        if shop.reachable {
            println!(
                "shop ledger: {url} as {counter:?}; reachable; {} change(s) to push, {} to pull",
                shop.state.outbox,
                shop.behind.unwrap_or_default()
            );
        } else {
            healthy = false;
            println!(
                "shop ledger: {url} as {counter:?}; NOT reachable ({}): sales go on, refunds and voids wait; {} change(s) to push",
                shop.unreachable.as_deref().unwrap_or("unknown"),
                shop.state.outbox
            );
        }
    }
    match Vault::keychain().status() {
        Ok(status) => {
            let configured: Vec<String> = status
                .iter()
                .filter(|s| s.configured)
                .map(|s| format!("{} {}", s.gateway.as_str(), s.environment.as_str()))
                .collect();
            println!(
                "keychain: available; configured: {}",
                if configured.is_empty() {
                    "none".into()
                } else {
                    configured.join(", ")
                }
            );
        }
        Err(e) => {
            println!("keychain: {e}");
            healthy &= desk.mode() == Mode::Sandbox;
        }
    }
    #[cfg(feature = "sandbox")]
    match desk.sandbox().await {
        Ok(server) => println!("sandbox: answers on {}", server.base_url()),
        Err(e) => {
            println!("sandbox: {e}");
            healthy = false;
        }
    }
    #[cfg(not(feature = "sandbox"))]
    println!("sandbox: not in this build");
    let display = std::env::var_os("DISPLAY").or_else(|| std::env::var_os("WAYLAND_DISPLAY"));
    println!(
        "display: {}",
        if display.is_some() {
            "present"
        } else {
            "none (the window needs one: run under Xvfb, see README)"
        }
    );
    Ok(if healthy {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
