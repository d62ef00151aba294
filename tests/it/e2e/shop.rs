//! The shop behind the window, through the `paydesk` binary as a script or the owner at a
//! terminal would use it (and, for what only the sandbox's side knows, its file): set up,
//! orders made and paid before the window opens, and what the ledger holds after.

use std::path::Path;
use std::process::Output;
use std::sync::OnceLock;

use serde_json::Value;

use crate::support::{
    create_sandbox_order, fault_set, json, paydesk, run, run_ok, run_with_stdin, stderr, stdout,
};

/// The owner's PIN every shop of these tests is set up with (`paydesk setup --pin-stdin`).
pub(crate) const OWNER_PIN: &str = "2468";
/// The name [`super::harness::App::open`] sets a shop up with.
pub(crate) const SHOP_NAME: &str = "E2E Shop";

/// Every method the binary knows, as `paydesk setup --methods` takes them: the tests' shops
/// offer them all (a test of the shop's choice sets its own up). Read from the binary's own
/// refusal of an unknown method, which lists them, on a throwaway data directory.
fn all_methods() -> &'static str {
    static METHODS: OnceLock<String> = OnceLock::new();
    METHODS.get_or_init(|| {
        let scratch = tempfile::tempdir().unwrap();
        let refused = run_with_stdin(
            &mut paydesk(
                scratch.path(),
                &[
                    "setup",
                    "--shop-name",
                    "Methods",
                    "--currency",
                    "CAD",
                    "--methods",
                    "no-such-method",
                    "--pin-stdin",
                ],
            ),
            format!("{OWNER_PIN}\n").as_bytes(),
        );
        let said = stderr(&refused);
        let list = said
            .split("use one of ")
            .nth(1)
            .unwrap_or_else(|| panic!("paydesk setup did not list its methods: {said}"));
        list.trim()
            .split(", ")
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(",")
    })
}

/// `paydesk settings show`: one `key = value` line per setting.
pub(crate) fn settings_show(data_dir: &Path) -> String {
    stdout(&run_ok(&mut paydesk(data_dir, &["settings", "show"])))
}

/// Whether the first-start setup has run on this data directory.
pub(crate) fn is_set_up(data_dir: &Path) -> bool {
    settings_show(data_dir)
        .lines()
        .any(|line| line.trim() == "shop.setup_done = 1")
}

/// Sets a shop up from the command line, as a script would (`paydesk setup`, the PIN on
/// stdin): `name`, CAD, every method, and [`OWNER_PIN`].
pub(crate) fn setup_shop(data_dir: &Path, name: &str) {
    let output = run_with_stdin(
        &mut paydesk(
            data_dir,
            &[
                "setup",
                "--shop-name",
                name,
                "--currency",
                "CAD",
                "--methods",
                all_methods(),
                "--pin-stdin",
            ],
        ),
        format!("{OWNER_PIN}\n").as_bytes(),
    );
    assert!(
        output.status.success(),
        "paydesk setup failed with {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        stdout(&output),
        stderr(&output)
    );
}

/// Runs an owner action of the command line with `pin` on stdin (`--pin-stdin`).
pub(crate) fn paydesk_with_pin(data_dir: &Path, args: &[&str], pin: &str) -> Output {
    let mut with_pin: Vec<&str> = args.to_vec();
    with_pin.push("--pin-stdin");
    run_with_stdin(
        &mut paydesk(data_dir, &with_pin),
        format!("{pin}\n").as_bytes(),
    )
}

/// Runs an owner action of the command line with [`OWNER_PIN`] on stdin, as every owner
/// action asks for it once a PIN is set.
pub(crate) fn paydesk_as_owner(data_dir: &Path, args: &[&str]) -> Output {
    paydesk_with_pin(data_dir, args, OWNER_PIN)
}

/// `paydesk orders --json`: every order with its events.
pub(crate) fn orders(data_dir: &Path) -> Vec<Value> {
    let output = run(&mut paydesk(data_dir, &["orders", "--json"]));
    assert!(output.status.success(), "{}", stderr(&output));
    let orders: Value = serde_json::from_str(&stdout(&output)).unwrap();
    orders.as_array().cloned().unwrap_or_default()
}

/// `paydesk order show <id> --json`: the order, its events and refunds.
pub(crate) fn order_detail(data_dir: &Path, id: &str) -> Value {
    json(&run_ok(&mut paydesk(
        data_dir,
        &["order", "show", id, "--json"],
    )))
}

/// The sources of the events that made an order (an entry of [`orders`]) paid.
pub(crate) fn paid_sources(entry: &Value) -> Vec<String> {
    entry["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["toStatus"] == "paid")
        .map(|e| e["source"].as_str().unwrap().to_string())
        .collect()
}

/// A sandbox order of `amount` CAD, paid (or declined) by the customer and synced; its id.
pub(crate) fn settled_order(data_dir: &Path, method: &str, amount: &str, pay: bool) -> String {
    let order = create_sandbox_order(data_dir, method, amount);
    let id = order["id"].as_i64().unwrap().to_string();
    let mut args = vec!["sandbox", "pay", id.as_str()];
    if !pay {
        args.push("--decline");
    }
    run_ok(&mut paydesk(data_dir, &args));
    run_ok(&mut paydesk(data_dir, &["order", "sync", &id]));
    id
}

/// Makes the sandbox's `gateway` lose (truncate) its answer to the next `call`
/// (`paydesk sandbox fault set`).
pub(crate) fn truncate_next_answer(data_dir: &Path, gateway: &str, call: &str) {
    run_ok(&mut paydesk(
        data_dir,
        &fault_set(
            gateway,
            &["--call", call, "--kind", "truncated", "--times", "1"],
        ),
    ));
}

/// What the sandbox's side holds (its own file, `sandbox.db`, as a gateway's books would):
/// one value of `sql` with `reference` bound as `?1`.
fn sandbox_value<T: rusqlite::types::FromSql>(data_dir: &Path, sql: &str, reference: &str) -> T {
    let conn =
        rusqlite::Connection::open(data_dir.join("sandbox.db")).expect("the sandbox's file opens");
    conn.query_row(sql, [reference], |r| r.get(0))
        .unwrap_or_else(|e| panic!("the sandbox has no {reference}: {e}"))
}

/// How much IOTPay's sandbox refunded the customer of `merchant_order_no`, in minor units.
pub(crate) fn sandbox_iotpay_refunded(data_dir: &Path, merchant_order_no: &str) -> i64 {
    sandbox_value(
        data_dir,
        "SELECT refunded FROM iotpay_orders WHERE pay_order_id = ?1 OR mch_order_no = ?1 \
         ORDER BY created_at DESC LIMIT 1",
        merchant_order_no,
    )
}

/// The status SmartPay's sandbox has for the payment of `merchant_order_no`.
pub(crate) fn sandbox_smartpay_status(data_dir: &Path, merchant_order_no: &str) -> String {
    sandbox_value(
        data_dir,
        "SELECT status FROM smartpay_payments \
         WHERE transaction_id = ?1 OR checkout_token = ?1 OR partner_reference = ?1",
        merchant_order_no,
    )
}
