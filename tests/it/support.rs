//! Shared helpers: the binary under test and the arguments the tests give it, throwaway data
//! directories, HTTP answers read whole, and the sandbox's side of a sale (a server of its own,
//! a fault for the next call, an order settled by the customer, a webhook receiver).

use paydesk_core::staff::Acting;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `paydesk` binary Cargo built for these tests.
pub fn paydesk_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_paydesk"))
}

/// `paydesk --data-dir <dir> <args>`, with the keychain service pointed away from a real shop's.
pub fn paydesk(data_dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(paydesk_bin());
    cmd.arg("--data-dir").arg(data_dir).args(args);
    cmd.env("PAYDESK_KEYRING_SERVICE", "app.paydesk.console.tests");
    cmd.env_remove("PAYDESK_MODE");
    cmd
}

/// Runs a command and returns its output, showing stderr on failure to ease debugging.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("the paydesk binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs a command that must succeed; on failure the panic shows its status, stdout and stderr.
pub fn run_ok(cmd: &mut Command) -> Output {
    let output = run(cmd);
    assert!(
        output.status.success(),
        "{cmd:?} failed with {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        stdout(&output),
        stderr(&output)
    );
    output
}

/// Runs a command with `input` piped to its stdin (then closed).
pub fn run_with_stdin(cmd: &mut Command, input: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the paydesk binary starts");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input)
        .expect("stdin takes the input");
    child.wait_with_output().expect("the paydesk binary runs")
}

/// Runs `cmd` with `lines` on stdin (PINs, one a line, for --pin-stdin), which must succeed.
pub fn run_with_lines(cmd: &mut Command, lines: &[&str]) -> Output {
    let input: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let out = run_with_stdin(cmd, input.as_bytes());
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        stdout(&out),
        stderr(&out)
    );
    out
}

/// Parses a command's stdout as JSON; the panic shows what it printed otherwise.
pub fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            stdout(output),
            stderr(output)
        )
    })
}

/// The ledger file of a data directory.
pub fn ledger_path(data_dir: &Path) -> PathBuf {
    data_dir.join("paydesk.db")
}

/// How many rows `orders` holds in the ledger file (0 when there is no ledger file at all).
pub fn order_count(data_dir: &Path) -> i64 {
    let path = ledger_path(data_dir);
    if !path.exists() {
        return 0;
    }
    let conn = rusqlite::Connection::open(&path).expect("the ledger opens");
    conn.query_row("SELECT count(*) FROM orders", [], |r| r.get(0))
        .expect("the orders table is there")
}

/// The arguments of `order create --gateway <gateway> --method <method> --amount <amount>`
/// followed by `more` (`--currency`, `--code`, `--json`, ...): a sale asked of the CLI.
pub fn order_create<'a>(
    gateway: &'a str,
    method: &'a str,
    amount: &'a str,
    more: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec![
        "order",
        "create",
        "--gateway",
        gateway,
        "--method",
        method,
        "--amount",
        amount,
    ];
    args.extend_from_slice(more);
    args
}

/// The arguments of `sandbox fault set --gateway <gateway>` followed by `more` (`--call`,
/// `--kind`, `--times`, ...): a fault switched on from the CLI.
pub fn fault_set<'a>(gateway: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["sandbox", "fault", "set", "--gateway", gateway];
    args.extend_from_slice(more);
    args
}

/// `credentials set <gateway> --env <env>` with a `--field` for each of `fields` (NAME=VALUE);
/// the secret goes on stdin.
pub fn credentials_set<'a>(gateway: &'a str, env: &'a str, fields: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["credentials", "set", gateway, "--env", env];
    for field in fields {
        args.extend_from_slice(&["--field", field]);
    }
    args
}

/// `order create --gateway iotpay --method <method> --amount <amount> --currency CAD --json`
/// in sandbox mode; returns the created order's view (`order` of the JSON detail).
pub fn create_sandbox_order(data_dir: &Path, method: &str, amount: &str) -> serde_json::Value {
    let args = order_create("iotpay", method, amount, &["--currency", "CAD", "--json"]);
    json(&run_ok(&mut paydesk(data_dir, &args)))["order"].clone()
}

/// A sandbox fault on `gateway`'s next `call` (`*`: whichever comes), for that one call.
pub fn next_call_fault(
    gateway: &str,
    call: &str,
    kind: paydesk_sandbox::faults::FaultKind,
    value: Option<i64>,
) -> paydesk_sandbox::faults::Fault {
    paydesk_sandbox::faults::Fault {
        gateway: gateway.into(),
        call: call.into(),
        kind,
        value,
        times: Some(1),
    }
}

/// Switches [`next_call_fault`] on in the sandbox of a data directory.
pub fn set_next_call_fault(
    data_dir: &Path,
    gateway: &str,
    call: &str,
    kind: paydesk_sandbox::faults::FaultKind,
    value: Option<i64>,
) {
    paydesk_sandbox::faults::Faults::open_in(data_dir)
        .unwrap()
        .set(&next_call_fault(gateway, call, kind, value))
        .unwrap();
}

/// The path of statuses an order detail's events went through, in order. A repeated status
/// (a same-status event recording a new gateway word, e.g. IOTPay 0 -> 1) counts once.
pub fn event_statuses(detail: &serde_json::Value) -> Vec<String> {
    let mut path: Vec<String> = detail["events"]
        .as_array()
        .expect("events is an array")
        .iter()
        .map(|e| {
            e["toStatus"]
                .as_str()
                .expect("toStatus is a string")
                .to_string()
        })
        .collect();
    path.dedup();
    path
}

/// Sends an HTTP request and reads its answer as JSON (a transport error or a body that is not
/// JSON fails the test).
pub async fn answer_json(request: reqwest::RequestBuilder) -> serde_json::Value {
    request.send().await.unwrap().json().await.unwrap()
}

/// Sends an HTTP request and reads its answer's body as text, as a browser would show it.
pub async fn answer_text(request: reqwest::RequestBuilder) -> String {
    request.send().await.unwrap().text().await.unwrap()
}

/// An IOTPay v1 client of its own on the desk's sandbox, as the sandbox merchant, waiting
/// `timeout` for answers: another client of the same merchant (its portal), or a call Paydesk
/// never got to record.
pub async fn sandbox_iotpay(
    desk: &paydesk_core::payments::Paydesk,
    timeout: std::time::Duration,
) -> paydesk_gateways::iotpay::Iotpay {
    use paydesk_sandbox::{SANDBOX_LOGIN_NAME, SANDBOX_MCH_ID, SANDBOX_MERCHANT_KEY};
    paydesk_gateways::iotpay::Iotpay::new(paydesk_gateways::iotpay::IotpayConfig {
        v1_base: desk
            .sandbox()
            .await
            .expect("the sandbox runs")
            .iotpay_v1_base(),
        mch_id: SANDBOX_MCH_ID.into(),
        login_name: SANDBOX_LOGIN_NAME.into(),
        key: paydesk_secrets::vault::Sensitive::new(SANDBOX_MERCHANT_KEY.into()),
        notify_url: "http://127.0.0.1:9/notify".into(),
        client_ip: "127.0.0.1".into(),
        wechat_app_id: None,
        return_url: String::new(),
        os_type: None,
        timeout,
    })
    .expect("a valid adapter configuration")
}

/// A sandbox server of its own on a loopback port, over a fresh data directory (kept while the
/// TempDir is).
pub async fn sandbox_server() -> (tempfile::TempDir, paydesk_sandbox::SandboxServer) {
    let dir = tempfile::tempdir().unwrap();
    let server = paydesk_sandbox::SandboxServer::start(dir.path(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    (dir, server)
}

/// Settles an order at its gateway's sandbox from outside Paydesk (the customer pays, or
/// declines, on the gateway's page) and returns what the sandbox said about it.
pub async fn settled_outside(
    store: &paydesk_sandbox::SandboxStore,
    reference: &str,
    approve: bool,
) -> String {
    paydesk_sandbox::settle_other(store, reference, approve)
        .await
        .unwrap()
        .expect("the sandbox knows the order")
}

/// A webhook receiver on a loopback port: the URL of its `path` and the JSON bodies POSTed
/// there so far (each answered "ok").
pub async fn json_webhook(
    path: &str,
) -> (
    String,
    std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
) {
    let heard: std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>> = Default::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}{path}", listener.local_addr().unwrap());
    let sink = heard.clone();
    let app = axum::Router::new().route(
        path,
        axum::routing::post(move |axum::Json(body): axum::Json<serde_json::Value>| {
            let sink = sink.clone();
            async move {
                sink.lock().unwrap().push(body);
                "ok"
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, heard)
}

/// A SmartExPay adapter's settings for the sandbox's automatic route at `base`: no partner,
/// English pages, and an IPN URL where nothing listens (the IPN is lost, as SmartExPay's may be).
pub fn smartexpay_config(
    base: &str,
    api_key: &str,
    timeout: std::time::Duration,
) -> paydesk_gateways::smartexpay::SmartexpayConfig {
    paydesk_gateways::smartexpay::SmartexpayConfig {
        base: base.into(),
        page_base: base.into(),
        api_key_header: "X-Api-Key".into(),
        api_key: paydesk_secrets::vault::Sensitive::new(api_key.into()),
        partner: None,
        route_id: paydesk_sandbox::SANDBOX_SMARTEXPAY_ROUTE.into(),
        from_values: serde_json::json!([]),
        to_values: serde_json::json!([]),
        route_values: serde_json::json!([]),
        lang: "en".into(),
        ipn_url: "http://127.0.0.1:9/notify/smartexpay".into(),
        client_callback_url: None,
        timeout,
    }
}

/// The customer pays (`approve`) or declines an IOTPay order on the sandbox's page: the
/// sandbox's record of it afterwards.
pub fn settle_at_iotpay(
    data_dir: &Path,
    reference: &str,
    approve: bool,
) -> paydesk_sandbox::SandboxOrder {
    paydesk_sandbox::SandboxStore::open_in(data_dir)
        .unwrap()
        .settle(reference, approve)
        .unwrap()
}

/// A sale the customer paid at IOTPay's sandbox, synced: the order, Paid.
pub async fn paid_at_iotpay(
    desk: &std::sync::Arc<paydesk_core::payments::Paydesk>,
    data_dir: &Path,
    sale: &paydesk_core::payments::CreateOrderInput,
) -> paydesk_domain::order::Order {
    let order = desk.create_order(&Acting::nobody(), sale).await.unwrap();
    settle_at_iotpay(data_dir, &order.merchant_order_no, true);
    let order = desk.sync(order.id).await.unwrap();
    assert_eq!(order.status, paydesk_domain::order::OrderStatus::Paid);
    order
}

/// What IOTPay's sandbox (the gateway) holds as refunded of an order, in cents.
pub fn sandbox_refunded(data_dir: &Path, merchant_order_no: &str) -> i64 {
    paydesk_sandbox::SandboxStore::open_in(data_dir)
        .unwrap()
        .find(merchant_order_no)
        .unwrap()
        .expect("the sandbox knows the order")
        .refunded
}

/// A payment service in sandbox mode over a fresh data directory (kept while the TempDir is).
pub async fn sandbox_desk() -> (
    tempfile::TempDir,
    std::sync::Arc<paydesk_core::payments::Paydesk>,
) {
    let dir = tempfile::tempdir().unwrap();
    let desk = paydesk_core::payments::Paydesk::open(
        dir.path(),
        Some(paydesk_core::config::Mode::Sandbox),
    )
    .await
    .unwrap();
    (dir, desk)
}

/// A sale of `amount` `currency` by `method` at `gateway`, without a customer code or card.
pub fn sale_input(
    gateway: &str,
    method: &str,
    amount: &str,
    currency: &str,
) -> paydesk_core::payments::CreateOrderInput {
    paydesk_core::payments::CreateOrderInput {
        gateway: gateway.into(),
        method: method.into(),
        amount: amount.into(),
        currency: currency.into(),
        code: None,
        card_id: None,
    }
}

/// An order's status and its gateway's word for it, to be asserted together.
pub fn statuses(
    order: &paydesk_domain::order::Order,
) -> (paydesk_domain::order::OrderStatus, Option<&str>) {
    (order.status, order.gateway_status.as_deref())
}

/// The last event the ledger holds for an order.
pub fn last_event(
    desk: &paydesk_core::payments::Paydesk,
    order_id: i64,
) -> paydesk_domain::order::OrderEvent {
    desk.ledger()
        .events(order_id)
        .unwrap()
        .pop()
        .expect("the order has events")
}

/// The status each of an order's events moved it to, in order (repeats kept).
pub fn status_path(
    desk: &paydesk_core::payments::Paydesk,
    order_id: i64,
) -> Vec<paydesk_domain::order::OrderStatus> {
    desk.ledger()
        .events(order_id)
        .unwrap()
        .iter()
        .map(|e| e.to_status)
        .collect()
}

/// Waits (10 s at most) for the event that made an order paid, and returns it.
pub async fn paid_event(
    desk: &paydesk_core::payments::Paydesk,
    order_id: i64,
) -> paydesk_domain::order::OrderEvent {
    use paydesk_domain::order::OrderStatus;
    use std::time::{Duration, Instant};
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let events = desk.ledger().events(order_id).unwrap();
        if let Some(paid) = events.iter().find(|e| e.to_status == OrderStatus::Paid) {
            return paid.clone();
        }
        assert!(
            Instant::now() < deadline,
            "the order never became paid: {events:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
