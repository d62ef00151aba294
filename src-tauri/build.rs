// The app manifest makes every Paydesk command opt-in: a window can only call the commands
// its capability file (capabilities/) names.
const COMMANDS: &[&str] = &[
    "app_info",
    "payment_methods",
    "create_order",
    "tip_offer",
    "get_order",
    "cancel_sale",
    "sync_order",
    "list_orders",
    "unanswered_refunds",
    "late_payments",
    "order_counters",
    "order_totals",
    "export_columns",
    "export_orders",
    "owner_status",
    "set_owner_pin",
    "refund_order",
    "void_order",
    "resend_refunds",
    "settle_refund",
    "credentials_status",
    "save_credentials",
    "settings_get",
    "save_settings",
    "test_connection",
    "restart_app",
    "daily_report",
    "backup_status",
    "open_customer_display",
    "customer_display_show",
    "customer_display_state",
    "setup_state",
    "complete_setup",
    "shop_status",
    "shop_join",
    "shop_leave",
    "update_status",
    "update_check",
    "update_install",
    "update_restart",
    "till_status",
    "sign_in",
    "sign_out",
    "staff_list",
    "staff_save",
    "staff_set_cap",
    "shift_open",
    "shift_report",
    "shift_close",
    "shift_list",
    "shift_save",
    "audit_list",
    "shift_day",
    "till_touch",
    "receipt_get",
    "receipt_print",
    "receipt_save_pdf",
];

fn main() {
    // The window embeds ui/dist at compile time (`generate_context!`): a rebuilt UI must
    // rebuild the app, or a test would drive yesterday's screens.
    println!("cargo:rerun-if-changed=ui/dist");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script failed");
}
