//! Signed updates (issue 18), in the real window against a loopback update server this test
//! starts. The keys are made by the test (`tauri signer generate`, the npm @tauri-apps/cli's
//! own binary, the tool a release signs with) and live in its temporary directory: none is
//! committed. The app takes the test's key and server from PAYDESK_UPDATE_PUBKEY and
//! PAYDESK_UPDATE_ENDPOINT, which only a debug build on the sandbox reads (shell/updates.rs).
//!
//! What "installed" means here: the app under test is a copy of the debug binary in the test's
//! directory, and a binary that no package installed is updated the way an AppImage is: the
//! plugin replaces the executable file itself (a .deb or .rpm install runs `pkexec dpkg -i`
//! instead, which needs an administrator: the package suite covers installing packages). So the
//! test serves a small executable as the newer "build" and checks that the app's file became
//! exactly that, still executable, and that it was left alone whenever the update was refused.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::harness::{App, Launch};
use super::shop::OWNER_PIN;
use crate::support::paydesk_bin;

/// The npm @tauri-apps/cli that `make setup` installs into ui/node_modules.
fn tauri_cli() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ui/node_modules/.bin/tauri")
}

fn signer(args: &[&str]) {
    let output = Command::new(tauri_cli())
        .arg("signer")
        .args(args)
        // Only the key this test names signs.
        .env_remove("TAURI_SIGNING_PRIVATE_KEY")
        .env_remove("TAURI_SIGNING_PRIVATE_KEY_PATH")
        .env_remove("TAURI_SIGNING_PRIVATE_KEY_PASSWORD")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {} ({e}): make setup installs it",
                tauri_cli().display()
            )
        });
    assert!(
        output.status.success(),
        "tauri signer {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A minisign key pair made now, with no password: the secret key's file and the public key
/// as the app takes it (the `.pub` file's text).
struct Key {
    secret: PathBuf,
    public: String,
}

fn generate_key(dir: &Path, name: &str) -> Key {
    let secret = dir.join(format!("{name}.key"));
    signer(&["generate", "--ci", "-p", "", "-w", secret.to_str().unwrap()]);
    let public = std::fs::read_to_string(dir.join(format!("{name}.key.pub"))).unwrap();
    Key { secret, public }
}

/// Signs `bytes` for `version` as a release does (`tauri signer sign --app-version`): the
/// signature's text as the update manifest carries it.
fn sign(dir: &Path, key: &Key, name: &str, bytes: &[u8], version: &str) -> String {
    let file = dir.join(name);
    std::fs::write(&file, bytes).unwrap();
    signer(&[
        "sign",
        "-f",
        key.secret.to_str().unwrap(),
        "-p",
        "",
        "--app-version",
        version,
        file.to_str().unwrap(),
    ]);
    std::fs::read_to_string(dir.join(format!("{name}.sig"))).unwrap()
}

/// A small executable standing for a Paydesk build: `true`, with the version it claims after
/// the program (an ELF file runs the same with bytes after it).
fn build(version: &str) -> Vec<u8> {
    let mut bytes = std::fs::read("/usr/bin/true").expect("coreutils' true");
    bytes.extend_from_slice(format!("\nPaydesk {version} (a test build)\n").as_bytes());
    bytes
}

/// What the update server offers: a version, and the artifact with its signature.
#[derive(Clone)]
struct Release {
    version: String,
    bytes: Vec<u8>,
    signature: String,
}

#[derive(Default)]
struct Served {
    release: Mutex<Option<Release>>,
    checks: AtomicUsize,
    downloads: AtomicUsize,
    base: Mutex<String>,
}

async fn manifest(State(served): State<Arc<Served>>) -> Response {
    served.checks.fetch_add(1, Ordering::SeqCst);
    let Some(release) = served.release.lock().unwrap().clone() else {
        return StatusCode::NO_CONTENT.into_response();
    };
    let url = format!(
        "{}/Paydesk_{}_amd64.AppImage",
        served.base.lock().unwrap(),
        release.version
    );
    Json(json!({
        "version": release.version,
        "notes": format!("Paydesk {}: faster receipts.", release.version),
        "pub_date": "2026-11-20T09:00:00Z",
        "platforms": { "linux-x86_64": { "signature": release.signature, "url": url } }
    }))
    .into_response()
}

async fn artifact(State(served): State<Arc<Served>>) -> Response {
    served.downloads.fetch_add(1, Ordering::SeqCst);
    match served.release.lock().unwrap().clone() {
        Some(release) => release.bytes.into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The update server on a free loopback port; its manifest's URL.
async fn start_server(served: Arc<Served>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    *served.base.lock().unwrap() = base.clone();
    let app = Router::new()
        .route("/latest.json", get(manifest))
        .route("/{file}", get(artifact))
        .with_state(served);
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    format!("{base}/latest.json")
}

fn app_len(app: &Path) -> u64 {
    std::fs::metadata(app).unwrap().len()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn only_an_update_signed_with_the_apps_key_is_installed_and_never_during_a_sale() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let keys = dir.path().join("keys");
    let served_dir = dir.path().join("served");
    for d in [&data_dir, &keys, &served_dir] {
        std::fs::create_dir_all(d).unwrap();
    }
    // The installed app: a copy of the build, which the accepted update replaces.
    let app_file = dir.path().join("app/paydesk");
    std::fs::create_dir_all(app_file.parent().unwrap()).unwrap();
    std::fs::copy(paydesk_bin(), &app_file).unwrap();
    let original_len = app_len(&app_file);

    let shop_key = generate_key(&keys, "shop");
    let other_key = generate_key(&keys, "other");
    let newer = build("0.2.0");
    let signed = sign(&served_dir, &shop_key, "good", &newer, "0.2.0");
    let releases = [
        // Signed with another key.
        Release {
            version: "0.2.0".into(),
            bytes: newer.clone(),
            signature: sign(&served_dir, &other_key, "other", &newer, "0.2.0"),
        },
        // Signed with the app's key, then changed.
        Release {
            version: "0.2.0".into(),
            bytes: {
                let mut tampered = newer.clone();
                *tampered.last_mut().unwrap() ^= 0x20;
                tampered.push(b'!');
                tampered
            },
            signature: signed.clone(),
        },
        // An older build, genuinely signed for 0.1.5, announced as 0.2.0.
        Release {
            version: "0.2.0".into(),
            bytes: build("0.1.5"),
            signature: sign(&served_dir, &shop_key, "older", &build("0.1.5"), "0.1.5"),
        },
    ];

    let served = Arc::new(Served::default());
    let endpoint = start_server(served.clone()).await;
    let app = App::open_with(
        &data_dir,
        &Launch::default()
            .application(&app_file)
            .env("PAYDESK_UPDATE_PUBKEY", &shop_key.public)
            .env("PAYDESK_UPDATE_ENDPOINT", &endpoint),
    )
    .await;
    let (counter, settings, updates) = (app.counter(), app.settings(), app.updates());

    // A sale open at the counter: Settings says so and nothing asks the update server, not
    // even a command sent past the disabled button.
    counter.start_sale("wechat-qr", "6.40").await;
    counter
        .wait_for_status("pending", Duration::from_secs(30))
        .await;
    settings.open().await;
    let reason = updates.wait_for_reason("A sale is open").await;
    assert!(reason.contains("6.40 CAD"), "{reason}");
    assert!(updates.check_is_disabled().await);
    updates.screenshot("settings-updates-sale-open.png").await;
    let answer = updates.check_by_command().await;
    assert_eq!(answer["err"]["code"], "sale_open", "{answer}");
    assert_eq!(served.checks.load(Ordering::SeqCst), 0);

    // The sale cancelled, the check may go.
    app.go_to("counter").await;
    counter.cancel_sale().await;
    counter.confirm_cancel(true).await;
    counter
        .wait_for_status("cancelled", Duration::from_secs(30))
        .await;
    settings.open().await;
    updates.wait_for_running("Paydesk 0.1.0 is running.").await;
    assert!(!updates.is_blocked().await);
    assert!(!updates.check_is_disabled().await);

    // Nothing newer: the running version is the newest.
    *served.release.lock().unwrap() = Some(Release {
        version: "0.1.0".into(),
        bytes: build("0.1.0"),
        signature: String::new(),
    });
    updates.check().await;
    updates.wait_for_newest("0.1.0").await;
    assert_eq!(served.checks.load(Ordering::SeqCst), 1);

    // Another key, a tampered build, an older build passed off as newer: each is offered,
    // downloaded, refused; the app's file is as it was.
    let refusals = [
        "its signature does not match Paydesk's update key",
        "its signature does not match Paydesk's update key",
        "it is signed as version 0.1.5, not the 0.2.0 the update server announced",
    ];
    for (release, refusal) in releases.iter().zip(refusals) {
        *served.release.lock().unwrap() = Some(release.clone());
        let downloads = served.downloads.load(Ordering::SeqCst);
        updates.check_and_install("0.2.0", OWNER_PIN).await;
        let error = updates.wait_for_refusal(refusal).await;
        assert!(error.contains("Nothing was installed."), "{error}");
        assert_eq!(served.downloads.load(Ordering::SeqCst), downloads + 1);
        assert_eq!(
            app_len(&app_file),
            original_len,
            "refused, yet the app changed"
        );
        assert!(!updates.offers_restart().await);
    }
    updates.screenshot("settings-updates-refused.png").await;

    // The newer build signed with the app's key: offered, installed, restart offered.
    *served.release.lock().unwrap() = Some(Release {
        version: "0.2.0".into(),
        bytes: newer.clone(),
        signature: signed,
    });
    updates.check_and_install("0.2.0", OWNER_PIN).await;
    updates.wait_for_installed("0.2.0").await;
    assert!(!updates.shows_error().await);
    updates.screenshot("settings-updates-installed.png").await;
    assert_eq!(
        std::fs::read(&app_file).unwrap(),
        newer,
        "the app is the new build"
    );
    let mode = std::fs::metadata(&app_file).unwrap().permissions().mode();
    assert_eq!(mode & 0o111, 0o111, "the new build is executable: {mode:o}");
    assert!(
        Command::new(&app_file).status().unwrap().success(),
        "the new build runs"
    );
    app.close().await;
}
