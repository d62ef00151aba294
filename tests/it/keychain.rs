//! Credentials in the REAL OS keychain (Secret Service on Linux). These need a session bus
//! with an unlocked keyring, so they are ignored in a plain `cargo test`; `make test` runs
//! them under `dbus-run-session` with gnome-keyring. Each test uses its own keychain service
//! name, so runs never see each other's entries (nor a real shop's).

use std::path::Path;
use std::process::{Command, Output};

use paydesk_domain::order::Gateway;
use paydesk_secrets::vault::{Environment, KeyringStore, Vault};
use serde_json::Value;

use crate::support::{
    credentials_set, json, order_create, paydesk, run, run_ok, run_with_stdin, stderr, stdout,
};

/// A keychain service name and a secret value no other run uses.
fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}{}x{nanos}", std::process::id())
}

/// `paydesk` pointed at this test's own keychain service.
fn paydesk_in(service: &str, data_dir: &Path, args: &[&str]) -> Command {
    let mut cmd = paydesk(data_dir, args);
    cmd.env("PAYDESK_KEYRING_SERVICE", service);
    cmd
}

/// The same keychain, read directly through the library (not through the CLI).
fn vault(service: &str) -> Vault {
    Vault::new(Box::new(KeyringStore::new(service)))
}

fn iotpay_test_status(output: &Output) -> Value {
    json(output)
        .as_array()
        .expect("credentials status --json is an array")
        .iter()
        .find(|s| s["gateway"] == "iotpay" && s["environment"] == "test")
        .cloned()
        .expect("an iotpay test entry")
}

/// Every file under `dir` (recursively) that contains `needle`.
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                pending.push(entry.unwrap().path());
            }
        } else if let Ok(bytes) = std::fs::read(&path) {
            if bytes.windows(needle.len()).any(|w| w == needle) {
                found.push(path);
            }
        }
    }
    found
}

#[test]
#[ignore = "needs a Secret Service session: make test runs it under dbus-run-session"]
fn a_secret_set_from_stdin_lives_in_the_keychain_only() {
    let service = unique("app.paydesk.console.tests.");
    let secret = unique("SECRETVALUE");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let mut outputs: Vec<(String, Output)> = Vec::new();

    let set = run_with_stdin(
        &mut paydesk_in(
            &service,
            data,
            &credentials_set("iotpay", "test", &["mchId=10000701", "loginName=jack123"]),
        ),
        secret.as_bytes(),
    );
    assert!(
        set.status.success(),
        "credentials set failed: {}",
        stderr(&set)
    );
    assert!(
        stdout(&set).contains("key"),
        "it says which fields are set: {}",
        stdout(&set)
    );
    outputs.push(("credentials set".into(), set));

    let status = run_ok(&mut paydesk_in(&service, data, &["credentials", "status"]));
    let line = stdout(&status)
        .lines()
        .find(|l| l.starts_with("iotpay") && l.contains("test"))
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no iotpay test line: {}", stdout(&status)));
    assert!(line.contains("configured"), "{line}");
    outputs.push(("credentials status".into(), status));

    let status_json = run_ok(&mut paydesk_in(
        &service,
        data,
        &["credentials", "status", "--json"],
    ));
    let entry = iotpay_test_status(&status_json);
    assert_eq!(entry["configured"], true, "{entry}");
    let fields_set: Vec<&str> = entry["fieldsSet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        fields_set.contains(&"key")
            && fields_set.contains(&"mchId")
            && fields_set.contains(&"loginName"),
        "{fields_set:?}"
    );
    outputs.push(("credentials status --json".into(), status_json));

    // Really in the keychain: read back through the library, in this process.
    let stored = vault(&service)
        .load(Gateway::Iotpay, Environment::Test)
        .unwrap()
        .expect("the keychain has the entry");
    assert_eq!(stored.require("key").unwrap().expose(), &secret);
    assert_eq!(stored.require("mchId").unwrap().expose(), "10000701");
    assert_eq!(stored.require("loginName").unwrap().expose(), "jack123");

    // A day at the counter in this data directory.
    // Below the data directory, so the walk over its files reads the export too.
    std::fs::create_dir_all(data.join("exports")).unwrap();
    let export = data.join("exports").join("export.csv");
    for args in [
        &order_create("iotpay", "wechat-qr", "12.50", &["--json"])[..],
        &["orders", "--json"][..],
        &["export", "csv", "--output", export.to_str().unwrap()][..],
    ] {
        let output = run_ok(&mut paydesk_in(&service, data, args));
        outputs.push((args.join(" "), output));
    }
    let doctor = run(&mut paydesk_in(&service, data, &["doctor"]));
    assert!(
        stdout(&doctor).contains("keychain: available; configured: iotpay test"),
        "{}",
        stdout(&doctor)
    );
    outputs.push(("doctor".into(), doctor));

    // Test mode uses the stored key to sign: against a gateway (the sandbox, which does not know
    // merchant 10000701) the order is refused, and the secret still goes nowhere.
    let gateway_dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let gateway = runtime
        .block_on(paydesk_sandbox::SandboxServer::start(
            gateway_dir.path(),
            "127.0.0.1:0".parse().unwrap(),
        ))
        .unwrap();
    paydesk_ledger::ledger::Ledger::open_in(data)
        .unwrap()
        .set_setting("iotpay.test.v1_base", &gateway.iotpay_v1_base())
        .unwrap();
    let test_mode = run(&mut paydesk_in(
        &service,
        data,
        &order_create("iotpay", "alipay-qr", "1.00", &["--mode", "test"]),
    ));
    assert_eq!(
        test_mode.status.code(),
        Some(1),
        "stdout {} stderr {}",
        stdout(&test_mode),
        stderr(&test_mode)
    );
    assert!(
        stderr(&test_mode).contains("0015"),
        "the sandbox refused the unknown merchant: {}",
        stderr(&test_mode)
    );
    outputs.push(("--mode test order create".into(), test_mode));
    drop(gateway);

    // `sandbox serve` accepts the credentials set in the keychain, and checks the signature
    // with the stored key: the same test-mode order now goes through.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut serve = paydesk_in(
        &service,
        gateway_dir.path(),
        &["sandbox", "serve", "--port", &port.to_string()],
    )
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "sandbox serve did not listen"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let base = format!("http://127.0.0.1:{port}/iotpay/v1");
    paydesk_ledger::ledger::Ledger::open_in(data)
        .unwrap()
        .set_setting("iotpay.test.v1_base", &base)
        .unwrap();
    let accepted = run(&mut paydesk_in(
        &service,
        data,
        &order_create("iotpay", "alipay-qr", "1.00", &["--json", "--mode", "test"]),
    ));
    let _ = serve.kill();
    let served = serve.wait_with_output().unwrap();
    assert!(
        stdout(&served).contains("10000701 (test)"),
        "{}",
        stdout(&served)
    );
    assert!(
        accepted.status.success(),
        "stdout {} stderr {}",
        stdout(&accepted),
        stderr(&accepted)
    );
    assert!(
        stdout(&accepted).contains("\"status\": \"pending\""),
        "{}",
        stdout(&accepted)
    );
    outputs.push(("--mode test order create (accepted)".into(), accepted));
    outputs.push(("sandbox serve".into(), served));

    assert!(export.exists());
    let leaks = files_containing(data, secret.as_bytes());
    assert!(leaks.is_empty(), "the secret was written to {leaks:?}");
    for (what, output) in &outputs {
        assert!(
            !stdout(output).contains(&secret) && !stderr(output).contains(&secret),
            "`{what}` printed the secret"
        );
    }

    let deleted = run_ok(&mut paydesk_in(
        &service,
        data,
        &["credentials", "delete", "iotpay", "--env", "test"],
    ));
    assert!(stdout(&deleted).contains("deleted"), "{}", stdout(&deleted));
    let after = iotpay_test_status(&run_ok(&mut paydesk_in(
        &service,
        data,
        &["credentials", "status", "--json"],
    )));
    assert_eq!(after["configured"], false, "{after}");
    assert_eq!(after["fieldsSet"], serde_json::json!([]), "{after}");
    assert!(vault(&service)
        .load(Gateway::Iotpay, Environment::Test)
        .unwrap()
        .is_none());
}

#[test]
#[ignore = "needs a Secret Service session: make test runs it under dbus-run-session"]
fn a_secret_on_the_command_line_is_refused_and_nothing_is_stored() {
    let service = unique("app.paydesk.console.tests.");
    let secret = unique("ARGVSECRET");
    let dir = tempfile::tempdir().unwrap();
    let field = format!("key={secret}");

    let output = run_with_stdin(
        &mut paydesk_in(
            &service,
            dir.path(),
            &credentials_set("iotpay", "test", &["mchId=10000701", &field]),
        ),
        b"",
    );
    assert_eq!(
        output.status.code(),
        Some(2),
        "stdout {} stderr {}",
        stdout(&output),
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("key is a secret"),
        "{}",
        stderr(&output)
    );
    assert!(
        !stderr(&output).contains(&secret) && !stdout(&output).contains(&secret),
        "the refusal does not echo the secret"
    );

    assert!(
        vault(&service)
            .load(Gateway::Iotpay, Environment::Test)
            .unwrap()
            .is_none(),
        "nothing was stored, not even mchId"
    );
    let status = iotpay_test_status(&run_ok(&mut paydesk_in(
        &service,
        dir.path(),
        &["credentials", "status", "--json"],
    )));
    assert_eq!(status["configured"], false, "{status}");
    assert_eq!(status["fieldsSet"], serde_json::json!([]), "{status}");
}
