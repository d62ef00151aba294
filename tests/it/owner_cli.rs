//! The owner's PIN on the command line (issue 12, item 10): once a shop is set up, every owner
//! action without the PIN exits 2 with a clear error and changes nothing; the right PIN on
//! stdin works; wrong tries lock the PIN for every process (the lockout is in the ledger); the
//! data folder and its files are the owner's only; setup runs once.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use crate::support::{
    create_sandbox_order, credentials_set, json, ledger_path, paydesk, run_ok, run_with_stdin,
    stderr, stdout,
};

const PIN: &str = "2468";

/// Runs with stdin closed (never a terminal, whatever runs the tests).
fn run_no_stdin(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null())
        .output()
        .expect("the paydesk binary runs")
}

fn set_up(dir: &Path) -> Output {
    run_with_stdin(
        &mut paydesk(
            dir,
            &[
                "setup",
                "--shop-name",
                "Corner Café",
                "--currency",
                "CAD",
                "--methods",
                "wechat-qr,alipay-qr",
                "--pin-stdin",
            ],
        ),
        format!("{PIN}\n").as_bytes(),
    )
}

fn setting(dir: &Path, key: &str) -> Option<String> {
    let conn = rusqlite::Connection::open(ledger_path(dir)).unwrap();
    conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
        r.get(0)
    })
    .ok()
}

/// The owner's PIN hash, as the staff list keeps it (None: no owner yet).
fn owner_hash(dir: &Path) -> Option<String> {
    let conn = rusqlite::Connection::open(ledger_path(dir)).ok()?;
    conn.query_row("SELECT pin_hash FROM staff WHERE role = 'owner'", [], |r| {
        r.get(0)
    })
    .ok()
}

fn count(dir: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(ledger_path(dir)).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// A paid sandbox order (id as text).
fn paid_order(dir: &Path) -> String {
    let order = create_sandbox_order(dir, "wechat-qr", "12.50");
    let id = order["id"].as_i64().unwrap().to_string();
    run_ok(&mut paydesk(dir, &["sandbox", "pay", &id]));
    run_ok(&mut paydesk(dir, &["order", "sync", &id]));
    id
}

fn order_json(dir: &Path, id: &str) -> Value {
    json(&run_ok(&mut paydesk(dir, &["order", "show", id, "--json"])))
}

#[test]
fn setup_runs_once_and_a_second_run_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let first = set_up(dir.path());
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("Corner Café"), "{}", stdout(&first));
    assert_eq!(
        setting(dir.path(), "shop.name").as_deref(),
        Some("Corner Café")
    );
    assert_eq!(setting(dir.path(), "shop.currency").as_deref(), Some("CAD"));
    assert_eq!(
        setting(dir.path(), "shop.methods").as_deref(),
        Some("wechat-qr,alipay-qr")
    );
    assert_eq!(setting(dir.path(), "shop.setup_done").as_deref(), Some("1"));
    let hash = owner_hash(dir.path()).unwrap();
    assert!(hash.starts_with("$argon2id$") && !hash.contains(PIN));

    // Again, with another PIN: refused before anything is read or written.
    let again = run_with_stdin(
        &mut paydesk(
            dir.path(),
            &[
                "setup",
                "--shop-name",
                "Taken Over",
                "--currency",
                "USD",
                "--methods",
                "upi",
                "--pin-stdin",
            ],
        ),
        b"1111\n",
    );
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("already_set_up"),
        "{}",
        stderr(&again)
    );
    assert!(
        stderr(&again).contains("already set up"),
        "{}",
        stderr(&again)
    );
    assert_eq!(
        setting(dir.path(), "shop.name").as_deref(),
        Some("Corner Café")
    );
    assert_eq!(owner_hash(dir.path()), Some(hash));

    // Bad input is refused whole on a fresh shop: nothing is written.
    let fresh = tempfile::tempdir().unwrap();
    for (args, stdin, needle) in [
        (
            vec![
                "--currency",
                "CAD",
                "--methods",
                "wechat-qr",
                "--shop-name",
                "Shop",
            ],
            "12\n",
            "4 to 8 digits",
        ),
        (
            vec![
                "--currency",
                "XXX",
                "--methods",
                "wechat-qr",
                "--shop-name",
                "Shop",
            ],
            "2468\n",
            "currency",
        ),
        (
            vec![
                "--currency",
                "CAD",
                "--methods",
                "cash",
                "--shop-name",
                "Shop",
            ],
            "2468\n",
            "cash",
        ),
    ] {
        let mut all = vec!["setup"];
        all.extend(args);
        all.push("--pin-stdin");
        let out = run_with_stdin(&mut paydesk(fresh.path(), &all), stdin.as_bytes());
        assert_eq!(out.status.code(), Some(2), "{all:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{all:?}: {}", stderr(&out));
        assert_eq!(setting(fresh.path(), "shop.setup_done"), None);
        assert_eq!(owner_hash(fresh.path()), None);
    }
    // Without --pin-stdin and no terminal, setup says how to give the PIN.
    let out = run_no_stdin(&mut paydesk(
        fresh.path(),
        &[
            "setup",
            "--shop-name",
            "Shop",
            "--currency",
            "CAD",
            "--methods",
            "wechat-qr",
        ],
    ));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--pin-stdin"), "{}", stderr(&out));
}

#[test]
fn every_owner_action_needs_the_pin_once_one_is_set_and_nothing_changes_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let id = paid_order(dir.path());
    // Before setup (no PIN) an owner action runs without one, as before.
    run_ok(&mut paydesk(
        dir.path(),
        &["settings", "set", "shop.name", "Before"],
    ));
    assert!(set_up(dir.path()).status.success());
    let out_file = tempfile::tempdir().unwrap();
    let export_path = out_file.path().join("orders.csv");
    let export_path = export_path.to_str().unwrap();

    let actions: Vec<Vec<&str>> = vec![
        vec!["order", "refund", &id, "--amount", "1.00"],
        vec!["order", "void", &id],
        vec!["order", "resend-refunds", &id],
        vec!["order", "settle-refund", "RFNOSUCH", "--outcome", "done"],
        vec!["settings", "set", "shop.name", "Hijacked"],
        vec!["settings", "set", "shop.name", ""],
        vec!["settings", "remove", "shop.name"],
        vec![
            "settings",
            "set",
            "iotpay.live.v1_base",
            "https://evil.example/api",
        ],
        credentials_set("iotpay", "test", &["mchId=1"]),
        vec!["credentials", "delete", "iotpay", "--env", "test"],
        vec!["export", "csv"],
        vec!["export", "csv", "--output", export_path],
    ];
    let refunds = || count(dir.path(), "SELECT count(*) FROM refunds");
    let events = || count(dir.path(), "SELECT count(*) FROM order_events");
    let (refunds_before, events_before) = (refunds(), events());
    for action in &actions {
        let out = run_no_stdin(&mut paydesk(dir.path(), action));
        assert_eq!(out.status.code(), Some(2), "{action:?}: {}", stderr(&out));
        let said = stderr(&out);
        assert!(said.contains("pin_required"), "{action:?}: {said}");
        assert!(said.contains("owner's PIN"), "{action:?}: {said}");
        assert!(
            stdout(&out).is_empty(),
            "{action:?} printed: {}",
            stdout(&out)
        );
    }
    // A wrong PIN on stdin: refused the same way, saying it is wrong.
    for action in &actions[..2] {
        let mut args = action.clone();
        args.push("--pin-stdin");
        let out = run_with_stdin(&mut paydesk(dir.path(), &args), b"0000\n");
        assert_eq!(out.status.code(), Some(2), "{action:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("pin_wrong"),
            "{action:?}: {}",
            stderr(&out)
        );
        assert!(stderr(&out).contains("tries left"), "{}", stderr(&out));
    }
    // Nothing changed: no refund or void, the order still paid, settings as they were, no file.
    assert_eq!(refunds(), refunds_before);
    assert_eq!(events(), events_before);
    assert_eq!(order_json(dir.path(), &id)["order"]["status"], "paid");
    assert_eq!(
        setting(dir.path(), "shop.name").as_deref(),
        Some("Corner Café")
    );
    assert_eq!(setting(dir.path(), "iotpay.live.v1_base"), None);
    assert!(!Path::new(export_path).exists());

    // The right PIN on stdin: each works.
    let with_pin = |args: &[&str]| {
        let mut all = args.to_vec();
        all.push("--pin-stdin");
        let out = run_with_stdin(
            &mut paydesk(dir.path(), &all),
            format!("{PIN}\n").as_bytes(),
        );
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        out
    };
    with_pin(&["settings", "set", "shop.name", "Corner Shop"]);
    assert_eq!(
        setting(dir.path(), "shop.name").as_deref(),
        Some("Corner Shop")
    );
    let csv = with_pin(&["export", "csv", "--columns", "id,status"]);
    assert!(
        stdout(&csv).contains(&format!("{id},Paid")),
        "{}",
        stdout(&csv)
    );
    let written = with_pin(&["export", "csv", "--output", export_path]);
    assert!(Path::new(export_path).exists());
    assert!(
        stderr(&written).contains("takings CAD"),
        "{}",
        stderr(&written)
    );
    let refunded = with_pin(&["order", "refund", &id, "--amount", "1.00", "--json"]);
    assert_eq!(json(&refunded)["order"]["status"], "partially_refunded");
    assert_eq!(refunds(), refunds_before + 1);
}

#[test]
fn the_lockout_holds_across_processes_and_restarts() {
    let dir = tempfile::tempdir().unwrap();
    assert!(set_up(dir.path()).status.success());
    let try_pin = |pin: &str| {
        run_with_stdin(
            &mut paydesk(
                dir.path(),
                &["settings", "set", "shop.name", "Changed", "--pin-stdin"],
            ),
            format!("{pin}\n").as_bytes(),
        )
    };
    // Five wrong PINs, each from its own process.
    for n in 1..=5 {
        let out = try_pin("9999");
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        if n < 5 {
            assert!(
                stderr(&out).contains("pin_wrong"),
                "try {n}: {}",
                stderr(&out)
            );
        } else {
            assert!(
                stderr(&out).contains("locked_out"),
                "try {n}: {}",
                stderr(&out)
            );
        }
    }
    // A new process with the right PIN is still refused while locked.
    let out = try_pin(PIN);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("locked_out"), "{}", stderr(&out));
    assert!(stderr(&out).contains("try again in"), "{}", stderr(&out));
    assert_eq!(
        setting(dir.path(), "shop.name").as_deref(),
        Some("Corner Café")
    );
    let until = count(
        dir.path(),
        "SELECT locked_until FROM owner_lockout WHERE id = 1",
    );
    assert!(
        until > chrono::Utc::now().timestamp_millis(),
        "locked in the ledger"
    );

    // The wait over (moved into the past in the ledger), the right PIN works again.
    rusqlite::Connection::open(ledger_path(dir.path()))
        .unwrap()
        .execute("UPDATE owner_lockout SET locked_until = 0", [])
        .unwrap();
    let out = try_pin(PIN);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(setting(dir.path(), "shop.name").as_deref(), Some("Changed"));
}

#[cfg(unix)]
#[test]
fn the_data_folder_and_its_files_are_the_owners_only() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("paydesk-data");
    assert!(set_up(&dir).status.success());
    create_sandbox_order(&dir, "wechat-qr", "3.00");
    assert_eq!(mode(&dir), 0o700);
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_file() {
            assert_eq!(mode(&path), 0o600, "{name}");
            files += name.ends_with(".db") as usize;
        }
    }
    assert!(files >= 2, "the ledger and the sandbox: {files}");

    // A folder an older Paydesk left open is tightened when the CLI opens it.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(ledger_path(&dir), std::fs::Permissions::from_mode(0o644)).unwrap();
    run_ok(&mut paydesk(&dir, &["orders"]));
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&ledger_path(&dir)), 0o600);
}
