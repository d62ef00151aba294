//! The Tauri shell: the window, its commands and the events it receives. Everything here is
//! a thin layer over `paydesk_core::payments::Paydesk`; nothing else in the crate imports tauri.

#[cfg(test)]
mod bindings;
mod commands;
mod display;
mod ledger_commands;
mod receipt_commands;
mod settings_commands;
mod setup_commands;
mod shop_commands;
mod staff_commands;
mod updates;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use paydesk_core::config::{resolve_data_dir, Mode};
use paydesk_core::notify::NotifyReceiver;
use paydesk_core::payments::Paydesk;
use paydesk_core::views::OrderView;
use tauri::{Emitter, Manager};

pub const ORDER_UPDATED: &str = "order-updated";

/// The service, as every command receives it.
type Desk<'a> = tauri::State<'a, Arc<Paydesk>>;
/// A command's answer: its view, or an error payload with a code the UI branches on.
type Answer<T> = Result<T, paydesk_domain::error::ErrorPayload>;

/// A command's error for the window; failures that are not the user's input are logged.
fn fail(e: paydesk_domain::Error) -> paydesk_domain::error::ErrorPayload {
    if !e.is_bad_input() {
        tracing::warn!("command failed: {e}");
    }
    e.payload()
}

/// The notification receiver on its usual loopback port, or on any free one when another
/// Paydesk holds it (notifications are hints; polling works without them).
async fn start_receiver(desk: &Arc<Paydesk>) -> Option<NotifyReceiver> {
    // The owner's `notify.bind` setting (loopback:47390 unless changed in Settings).
    let usual = match paydesk_core::settings::notify_bind(desk.ledger()) {
        Ok(addr) => addr,
        Err(e) => {
            tracing::warn!("{e}");
            ([127, 0, 0, 1], paydesk_core::payments::DEFAULT_NOTIFY_PORT).into()
        }
    };
    for addr in [usual, ([127, 0, 0, 1], 0).into()] {
        match NotifyReceiver::start(desk.clone(), addr).await {
            Ok(receiver) => {
                tracing::info!(url = receiver.base_url(), "notification receiver listening");
                return Some(receiver);
            }
            Err(e) => tracing::warn!("{e}"),
        }
    }
    None
}

/// Adds the widget hosts this shop configured (settings::widget_origins) to the window's
/// content security policy, which tauri.conf.json fixes to the documented hosts and the
/// sandbox. Tauri sends the policy as a header with every page, from this runtime config.
fn allow_widget_hosts(context: &mut tauri::Context, data_dir: &std::path::Path) {
    use tauri::utils::config::{Csp, CspDirectiveSources};
    let origins = match paydesk_ledger::ledger::Ledger::open_in(data_dir)
        .and_then(|ledger| paydesk_core::settings::widget_origins(&ledger))
    {
        Ok(origins) if !origins.is_empty() => origins,
        Ok(_) => return,
        Err(e) => {
            tracing::warn!("widget hosts from the settings not allowed: {e}");
            return;
        }
    };
    let security = &mut context.config_mut().app.security;
    let Some(csp) = security.csp.take() else {
        return;
    };
    let mut directives: std::collections::HashMap<String, CspDirectiveSources> = csp.into();
    for directive in [
        "script-src",
        "frame-src",
        "connect-src",
        "style-src",
        "img-src",
    ] {
        let sources = directives.entry(directive.to_string()).or_default();
        for origin in &origins {
            if !sources.contains(origin) {
                sources.push(origin);
            }
        }
    }
    tracing::info!(
        ?origins,
        "content security policy: configured widget hosts allowed"
    );
    security.csp = Some(Csp::DirectiveMap(directives));
}

pub fn run(data_dir: Option<PathBuf>, mode: Option<Mode>) -> ExitCode {
    #[cfg(target_os = "linux")]
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        eprintln!(
            "Paydesk needs a display to open its window, and there is none (DISPLAY is not set).\n\
             Run it under a virtual display:  xvfb-run -a make run\n\
             or: Xvfb :99 -screen 0 1280x800x24 &  DISPLAY=:99 paydesk\n\
             The command line works without a display: paydesk --help"
        );
        return ExitCode::from(1);
    }
    let data_dir = match resolve_data_dir(data_dir) {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    // The window's async runtime: two workers are plenty for one till (a few HTTP calls and
    // timers at a time), whatever the machine's core count; Tauri's default takes one per core.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("paydesk-rt")
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    tauri::async_runtime::set(runtime.handle().clone());
    // Held while the window is open (`paydesk restore` refuses meanwhile); the daily backup.
    let _window_lock = paydesk_ledger::backup::WindowLock::shared(&data_dir)
        .map_err(|e| tracing::warn!("{e}"))
        .ok();
    paydesk_ledger::backup::spawn_daily(data_dir.clone());
    let mut context = tauri::generate_context!();
    allow_widget_hosts(&mut context, &data_dir);
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_shell::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(updates::plugin())
        .manage(updates::Updates::default())
        .manage(ledger_commands::ExportRunning::default())
        .manage(display::CustomerDisplay::default())
        .manage(receipt_commands::Prints::default())
        .setup(move |app| {
            let (desk, receiver) = tauri::async_runtime::block_on(async {
                let desk = Paydesk::open(&data_dir, mode).await?;
                let receiver = start_receiver(&desk).await;
                desk.sandbox_url().await?;
                Ok::<_, paydesk_domain::Error>((desk, receiver))
            })?;
            app.manage(receiver);
            display::close_with_the_counter(app.handle());
            app.manage(paydesk_core::staff::Till::default());
            let handle = app.handle().clone();
            desk.set_observer(Arc::new(move |order| {
                // To the counter's window only: the customer display gets its own, smaller view.
                if let Err(e) = handle.emit_to("main", ORDER_UPDATED, OrderView::of(order, true)) {
                    tracing::warn!("cannot tell the window about order {}: {e}", order.id);
                }
            }));
            // A sale paid here prints its receipt by itself where the shop asked for it.
            let prints = app.state::<receipt_commands::Prints>().inner().clone();
            receipt_commands::start_auto_print(app.handle(), &desk, &prints);
            // In a shop, the others' sales and changes reach this window as they are pulled
            // (the replicator idles while this counter is on its own, and starts replicating
            // the moment it joins).
            let shown = app.handle().clone();
            let ledger = desk.ledger_arc();
            let replicator = paydesk_core::shop::spawn_replicator(desk.ledger_arc(), move |pulled| {
                for id in &pulled.order_ids {
                    match ledger.get(*id) {
                        Ok(order) => {
                            if let Err(e) =
                                shown.emit_to("main", ORDER_UPDATED, OrderView::of(&order, false))
                            {
                                tracing::warn!("cannot tell the window about order {id}: {e}");
                            }
                        }
                        Err(e) => tracing::warn!("pulled order {id}: {e}"),
                    }
                }
            });
            if let Err(e) = replicator {
                // The counter still sells on its own ledger; the shop waits for a restart.
                tracing::error!("cannot start the shop replicator: {e}");
            }
            // Orders left open by the last run (or a crash mid-creation) are re-queried,
            // newest first and paced (a backlog waits; the cashier's window does not), each
            // then followed like any other.
            let reconciling = desk.clone();
            tauri::async_runtime::spawn(async move {
                let pace = paydesk_core::payments::STARTUP_RECONCILE_PACE;
                if let Err(e) = reconciling.reconcile_and_follow(pace).await {
                    tracing::warn!("startup reconcile: {e}");
                }
            });
            tracing::info!(data_dir = %data_dir.display(), mode = desk.mode().as_str(), "Paydesk window opening");
            app.manage(desk);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::payment_methods,
            commands::create_order,
            commands::tip_offer,
            commands::get_order,
            commands::cancel_sale,
            commands::sync_order,
            ledger_commands::list_orders,
            ledger_commands::unanswered_refunds,
            ledger_commands::late_payments,
            ledger_commands::order_counters,
            ledger_commands::order_totals,
            ledger_commands::export_columns,
            ledger_commands::export_orders,
            commands::owner_status,
            commands::set_owner_pin,
            commands::refund_order,
            commands::void_order,
            commands::resend_refunds,
            commands::settle_refund,
            commands::credentials_status,
            commands::save_credentials,
            settings_commands::settings_get,
            settings_commands::save_settings,
            settings_commands::test_connection,
            settings_commands::restart_app,
            settings_commands::backup_status,
            settings_commands::daily_report,
            display::open_customer_display,
            display::customer_display_show,
            display::customer_display_state,
            setup_commands::setup_state,
            setup_commands::complete_setup,
            shop_commands::shop_status,
            shop_commands::shop_join,
            shop_commands::shop_leave,
            updates::update_status,
            updates::update_check,
            updates::update_install,
            updates::update_restart,
            staff_commands::till_status,
            staff_commands::sign_in,
            staff_commands::sign_out,
            staff_commands::staff_list,
            staff_commands::staff_save,
            staff_commands::staff_set_cap,
            staff_commands::shift_open,
            staff_commands::shift_report,
            staff_commands::shift_close,
            staff_commands::shift_list,
            staff_commands::shift_save,
            staff_commands::audit_list,
            staff_commands::shift_day,
            staff_commands::till_touch,
            receipt_commands::receipt_get,
            receipt_commands::receipt_print,
            receipt_commands::receipt_save_pdf,
        ])
        .run(context);
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: the window failed: {e}");
            ExitCode::from(1)
        }
    }
}
