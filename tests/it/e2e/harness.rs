//! Starting the app for a test: tauri-driver (which starts WebKitWebDriver, which starts the
//! app), a WebDriver session on it through fantoccini, and the [`App`] a test drives.

use std::net::TcpListener;
use std::ops::Deref;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::ClientBuilder;
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use super::shop::{is_set_up, setup_shop, SHOP_NAME};
use super::window::Window;
use crate::support::paydesk_bin;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn tauri_driver() -> PathBuf {
    std::env::var_os("TAURI_DRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("tauri-driver"))
}

/// What a test adds to how the app starts: variables in its environment, and another binary
/// than the build's own (a copy the test may see replaced). `Launch::default()` is the app as
/// every test starts it.
#[derive(Clone, Default)]
pub(crate) struct Launch {
    env: Vec<(String, String)>,
    application: Option<PathBuf>,
}

impl Launch {
    /// The app starts with `name` set to `value` in its environment.
    pub(crate) fn env(mut self, name: &str, value: &str) -> Launch {
        self.env.push((name.to_string(), value.to_string()));
        self
    }

    /// The app started is the binary at `path`, not the build's own.
    pub(crate) fn application(mut self, path: &Path) -> Launch {
        self.application = Some(path.to_path_buf());
        self
    }
}

/// tauri-driver, which starts WebKitWebDriver, which starts the app. Killed on drop.
pub(crate) struct Driver {
    child: Child,
    url: String,
    application: PathBuf,
}

impl Driver {
    pub(crate) fn start(data_dir: &Path) -> Driver {
        Driver::start_with(data_dir, &Launch::default())
    }

    /// tauri-driver for the app as `launch` says (its environment reaches the app).
    pub(crate) fn start_with(data_dir: &Path, launch: &Launch) -> Driver {
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "the end-to-end tests need a display (make test runs them under Xvfb)"
        );
        let port = free_port();
        let native_port = free_port();
        let child = Command::new(tauri_driver())
            // Its own process group: on drop the whole tree goes (tauri-driver, WebKitWebDriver
            // and the app). Killing tauri-driver alone orphans the others, which keep the test
            // runner's output pipe open and hang `make test` after a failed session.
            .process_group(0)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            // The app inherits this through WebKitWebDriver: its ledger goes to the test's directory.
            .env("PAYDESK_DATA_DIR", data_dir)
            .env("PAYDESK_KEYRING_SERVICE", "app.paydesk.console.tests")
            .envs(launch.env.iter().map(|(name, value)| (name, value)))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {}: {e} (make test installs it into .tools/bin)",
                    tauri_driver().display()
                )
            });
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "tauri-driver did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            application: launch.application.clone().unwrap_or_else(paydesk_bin),
        }
    }

    /// tauri-driver's process id (the app runs under it).
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A WebDriver session on the app: launches it (`tauri:options` names the binary).
    pub(crate) async fn connect(&self) -> Result<Window, String> {
        let capabilities = json!({
            "browserName": "wry",
            "tauri:options": { "application": self.application }
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!("an object")
        };
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(capabilities);
        match tokio::time::timeout(Duration::from_secs(90), builder.connect(&self.url)).await {
            Ok(Ok(client)) => Ok(Window::new(client)),
            Ok(Err(error)) => Err(format!("new session: {error}")),
            Err(_) => Err("new session: no answer within 90 s".into()),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The app in its window for one test: the driver and the session. Derefs to its [`Window`];
/// the driver (and so the app) is killed when it is dropped.
pub(crate) struct App {
    window: Window,
    // Dropped after the window: the session's last requests still reach the driver.
    _driver: Driver,
}

impl Deref for App {
    type Target = Window;

    fn deref(&self) -> &Window {
        &self.window
    }
}

impl App {
    /// The app on a shop that is set up (named [`SHOP_NAME`] with the owner's PIN, unless the
    /// test set it up itself before): the counter opens, not the first-start setup.
    pub(crate) async fn open(data_dir: &Path) -> App {
        App::open_with(data_dir, &Launch::default()).await
    }

    /// [`App::open`], the app started as `launch` says.
    pub(crate) async fn open_with(data_dir: &Path, launch: &Launch) -> App {
        if !is_set_up(data_dir) {
            setup_shop(data_dir, SHOP_NAME);
        }
        App::start(data_dir, launch).await
    }

    /// The app, as the data directory is (a new one shows the first-start setup).
    pub(crate) async fn open_fresh(data_dir: &Path) -> App {
        App::start(data_dir, &Launch::default()).await
    }

    /// The app started as `launch` says. Starting the app is the flakiest step on a loaded
    /// machine (WebKitWebDriver has been seen to drop the connection of the new-session
    /// request), so a failed start is retried on a fresh driver, up to three times.
    async fn start(data_dir: &Path, launch: &Launch) -> App {
        let mut last_error = String::new();
        for attempt in 1..=3 {
            let driver = Driver::start_with(data_dir, launch);
            match driver.connect().await {
                Ok(window) => {
                    return App {
                        window,
                        _driver: driver,
                    }
                }
                Err(error) => {
                    eprintln!("e2e: starting the app failed (attempt {attempt}): {error}");
                    last_error = error;
                }
            }
        }
        panic!("the app did not start in three attempts: {last_error}");
    }

    /// Ends the session and the driver: the app is gone when this returns.
    pub(crate) async fn close(self) {
        self.window.close().await;
    }
}
