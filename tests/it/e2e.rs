//! End to end: the real Paydesk window, driven through tauri-driver and WebKitWebDriver
//! (W3C WebDriver over HTTP) under a display. `make test` runs these under Xvfb with
//! tauri-driver from `.tools/bin`.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use paydesk::sandbox::faults::{Fault, FaultKind, Faults};
use paydesk::sandbox::SandboxStore;
use serde_json::{json, Value};

use crate::support::{paydesk, paydesk_bin, run, stdout};

/// The counter never loses a sale: Enter/Esc, the waiting strip, Cancel sale, 1024x768 (e2e/counter_sale.rs).
mod counter_sale;
/// The owner's desk: the Orders list at scale, its CSV export, a card void (e2e/desk.rs).
mod desk;
/// The owner's screens (issue 12): totals that mean money, Cancel from Orders, words (e2e/owner_screens.rs).
mod owner_screens;
/// The first start, and every screen at a till's 1024 x 768 (e2e/setup.rs).
mod setup;
/// Signed updates from Settings: accepted, tampered, another key, never during a sale (e2e/updates.rs).
mod updates;

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// The WebDriver key code for Enter, as a scanner sends after the digits.
pub(crate) const ENTER: &str = "\u{E007}";

fn shot(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/e2e")
        .join(name)
}

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

/// tauri-driver, which starts WebKitWebDriver, which starts the app. Killed on drop.
pub(crate) struct Driver {
    pub(crate) child: Child,
    base: String,
}

impl Driver {
    pub(crate) fn start(data_dir: &Path) -> Driver {
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
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {}: {e} (make test installs it into .tools/bin)",
                    tauri_driver().display()
                )
            });
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "tauri-driver did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver { child, base }
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

/// The owner's PIN every shop of these tests is set up with (`paydesk setup --pin-stdin`).
pub(super) const OWNER_PIN: &str = "2468";
/// The name `open_app` sets a shop up with.
pub(super) const SHOP_NAME: &str = "E2E Shop";

/// Every method Paydesk knows, as `paydesk setup --methods` takes them: the tests' shops offer
/// them all (a test of the shop's choice sets its own up).
fn all_methods() -> String {
    paydesk::order::Method::ALL
        .iter()
        .map(|m| m.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Whether the first-start setup has run on this data directory.
pub(crate) fn is_set_up(data_dir: &Path) -> bool {
    paydesk::ledger::Ledger::open_in(data_dir)
        .and_then(|ledger| ledger.setting("shop.setup_done"))
        .ok()
        .flatten()
        .is_some_and(|done| done == "1")
}

/// Sets a shop up from the command line, as a script would (`paydesk setup`, the PIN on
/// stdin): `name`, CAD, every method, and [`OWNER_PIN`].
pub(super) fn setup_shop(data_dir: &Path, name: &str) {
    let output = crate::support::run_with_stdin(
        &mut paydesk(
            data_dir,
            &[
                "setup",
                "--shop-name",
                name,
                "--currency",
                "CAD",
                "--methods",
                &all_methods(),
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
        crate::support::stderr(&output)
    );
}

/// Runs an owner action of the command line with [`OWNER_PIN`] on stdin (`--pin-stdin`), as
/// every owner action asks for it once a PIN is set.
pub(super) fn paydesk_as_owner(data_dir: &Path, args: &[&str]) -> std::process::Output {
    let mut with_pin: Vec<&str> = args.to_vec();
    with_pin.push("--pin-stdin");
    crate::support::run_with_stdin(
        &mut paydesk(data_dir, &with_pin),
        format!("{OWNER_PIN}\n").as_bytes(),
    )
}

/// The app on a shop that is set up (named [`SHOP_NAME`] with [`OWNER_PIN`], unless the test
/// set it up itself before): the counter opens, not the first-start setup.
async fn open_app(data_dir: &Path) -> (Driver, Session) {
    if !is_set_up(data_dir) {
        setup_shop(data_dir, SHOP_NAME);
    }
    open_fresh_app(data_dir).await
}

/// The driver and a session on the app, as the data directory is (a new one shows the
/// first-start setup). Starting the app is the flakiest step on a loaded machine
/// (WebKitWebDriver has been seen to drop the connection of the new-session request), so a
/// failed start is retried on a fresh driver, up to three times.
async fn open_fresh_app(data_dir: &Path) -> (Driver, Session) {
    let mut last_error = String::new();
    for attempt in 1..=3 {
        let driver = Driver::start(data_dir);
        match Session::try_new(&driver).await {
            Ok(session) => return (driver, session),
            Err(error) => {
                eprintln!("e2e: starting the app failed (attempt {attempt}): {error}");
                last_error = error;
            }
        }
    }
    panic!("the app did not start in three attempts: {last_error}");
}

/// A minimal W3C WebDriver session.
pub(crate) struct Session {
    http: reqwest::Client,
    url: String,
}

impl Session {
    pub(crate) async fn try_new(driver: &Driver) -> Result<Session, String> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(90))
            .build()
            .unwrap();
        let caps = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "wry",
                "tauri:options": { "application": paydesk_bin() }
            }}
        });
        let answer: Value = http
            .post(format!("{}/session", driver.base))
            .json(&caps)
            .send()
            .await
            .map_err(|e| format!("new session: {e}"))?
            .json()
            .await
            .map_err(|e| format!("new session answer: {e}"))?;
        let id = answer["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no session: {answer}"))?
            .to_string();
        Ok(Session {
            http,
            url: format!("{}/session/{id}", driver.base),
        })
    }

    pub(crate) async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.url));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer: Value = request.send().await.unwrap().json().await.unwrap();
        answer["value"].clone()
    }

    /// The first element matching `css`, waiting up to `within` for it to appear.
    pub(crate) async fn find(&self, css: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            let found = self
                .call(
                    reqwest::Method::POST,
                    "/element",
                    Some(json!({"using": "css selector", "value": css})),
                )
                .await;
            if let Some(id) = found.get(ELEMENT_KEY).and_then(Value::as_str) {
                return id.to_string();
            }
            assert!(
                Instant::now() < deadline,
                "no element {css} after {within:?}: {found}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub(crate) async fn click(&self, element: &str) {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/click"),
            Some(json!({})),
        )
        .await;
    }

    pub(crate) async fn type_into(&self, element: &str, text: &str) {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    /// Runs `body` in the page (WebDriver's execute/sync) and gives back what it returns.
    async fn script(&self, body: &str, args: Value) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": body, "args": args})),
        )
        .await
    }

    /// The `data-testid` of the focused element (None when it has none).
    async fn focused_testid(&self) -> Option<String> {
        self.script(
            "const e = document.activeElement; return e ? e.getAttribute('data-testid') : null;",
            json!([]),
        )
        .await
        .as_str()
        .map(str::to_string)
    }

    /// Presses `key` on whatever has the focus, as a keyboard (or a scanner) would.
    async fn press(&self, key: &str) {
        let answer = self
            .call(
                reqwest::Method::POST,
                "/actions",
                Some(json!({"actions": [{
                    "type": "key",
                    "id": "keyboard",
                    "actions": [{"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}],
                }]})),
            )
            .await;
        if answer.get("error").is_some() {
            // A driver without key actions: send the key to the focused element.
            let active = self
                .call(reqwest::Method::GET, "/element/active", None)
                .await;
            let element = active[ELEMENT_KEY].as_str().unwrap_or_default().to_string();
            self.type_into(&element, key).await;
        }
        self.call(reqwest::Method::DELETE, "/actions", None).await;
        tokio::time::sleep(Duration::from_millis(150)).await;
    }

    /// Types the owner PIN into the PIN dialog (once it opens) and confirms it with Enter.
    async fn enter_pin(&self, pin: &str) {
        let field = self
            .find("[data-testid=pin-input]", Duration::from_secs(10))
            .await;
        self.type_into(&field, &format!("{pin}{ENTER}")).await;
    }

    async fn clear(&self, element: &str) {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/clear"),
            Some(json!({})),
        )
        .await;
    }

    /// How many elements match `css` right now.
    async fn count(&self, css: &str) -> usize {
        let found = self
            .call(
                reqwest::Method::POST,
                "/elements",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        found.as_array().map(Vec::len).unwrap_or(0)
    }

    /// The page's current DOM, serialized.
    async fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    async fn text(&self, element: &str) -> String {
        self.call(
            reqwest::Method::GET,
            &format!("/element/{element}/text"),
            None,
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    pub(crate) async fn attribute(&self, element: &str, name: &str) -> Option<String> {
        self.call(
            reqwest::Method::GET,
            &format!("/element/{element}/attribute/{name}"),
            None,
        )
        .await
        .as_str()
        .map(str::to_string)
    }

    /// Waits until `css` has attribute `name` == `value`; returns how long it took.
    async fn wait_for_attribute(
        &self,
        css: &str,
        name: &str,
        value: &str,
        within: Duration,
    ) -> Duration {
        let start = Instant::now();
        loop {
            let element = self.find(css, within).await;
            if self.attribute(&element, name).await.as_deref() == Some(value) {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < within,
                "{css} never had {name}={value} within {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until `css` shows `text` (trimmed); returns how long it took.
    async fn wait_for_text(&self, css: &str, text: &str, within: Duration) -> Duration {
        let start = Instant::now();
        loop {
            let element = self.find(css, within).await;
            let shown = self.text(&element).await;
            if shown.trim() == text {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < within,
                "{css} never showed {text:?} within {within:?}: {shown:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until `css`'s `textContent` (trimmed) is `text`: for text WebDriver's rendered-text
    /// rule does not read (the shop's name in the bar, cut with an ellipsis when long).
    async fn wait_for_content(&self, css: &str, text: &str, within: Duration) {
        let start = Instant::now();
        loop {
            let shown = self
                .call(
                    reqwest::Method::POST,
                    "/execute/sync",
                    Some(json!({"script": "const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null;", "args": [css]})),
                )
                .await;
            if shown.as_str() == Some(text) {
                return;
            }
            assert!(
                start.elapsed() < within,
                "{css} never held {text:?} within {within:?}: {shown}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Moves into the iframe `frame` (an element id); `to_parent_frame` comes back.
    async fn switch_to_frame(&self, frame: &str) {
        let answer = self
            .call(
                reqwest::Method::POST,
                "/frame",
                Some(json!({"id": {ELEMENT_KEY: frame}})),
            )
            .await;
        assert!(answer.is_null(), "cannot switch into the frame: {answer}");
    }

    async fn to_parent_frame(&self) {
        let answer = self
            .call(reqwest::Method::POST, "/frame/parent", Some(json!({})))
            .await;
        assert!(
            answer.is_null(),
            "cannot switch back to the window: {answer}"
        );
    }

    async fn screenshot(&self, path: &Path) {
        use std::io::Write;
        let b64 = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let png = decode_base64(b64.as_str().unwrap_or_default());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::File::create(path)
            .unwrap()
            .write_all(&png)
            .unwrap();
    }

    pub(crate) async fn close(self) {
        let _ = self.http.delete(&self.url).send().await;
    }
}

// ---- Layout at a till's screen size (issue 12 item 7) ----

/// A common till screen.
pub(super) const TILL: (i64, i64) = (1024, 768);

/// Sizes the window so that its viewport (`innerWidth` x `innerHeight`) is `width` x
/// `height`: WebDriver's rect is the outer window, so the difference is measured and added,
/// then checked to have taken.
async fn set_viewport(session: &Session, width: i64, height: i64) {
    let inner = || async {
        let size = session
            .call(
                reqwest::Method::POST,
                "/execute/sync",
                Some(json!({"script": "return [window.innerWidth, window.innerHeight];", "args": []})),
            )
            .await;
        (size[0].as_i64().unwrap_or(0), size[1].as_i64().unwrap_or(0))
    };
    let (mut outer_w, mut outer_h) = (width, height);
    for _ in 0..4 {
        session
            .call(
                reqwest::Method::POST,
                "/window/rect",
                Some(json!({"width": outer_w, "height": outer_h})),
            )
            .await;
        // The webview lays out again after the window manager's answer.
        tokio::time::sleep(Duration::from_millis(400)).await;
        let (w, h) = inner().await;
        if (w, h) == (width, height) {
            return;
        }
        outer_w += width - w;
        outer_h += height - h;
    }
    let (w, h) = inner().await;
    assert_eq!(
        (w, h),
        (width, height),
        "the viewport did not take {width}x{height}"
    );
}

/// What is wrong with the layout of the screen shown now, one line per fault. The rule:
///
/// - every visible control (button, input, select, textarea, link, `[role=button]`) lies
///   wholly inside the viewport, OR inside a scroll container the user can scroll (an element
///   between it and the page with `overflow` auto or scroll whose content is larger than its
///   box) that itself lies wholly inside the viewport. The page itself scrolling does not
///   count: that is "below the fold";
/// - the page (document) does not scroll, in either direction;
/// - no visible table column header is cut: `scrollWidth <= clientWidth` for every `th`;
/// - no visible button's words are cut: `scrollWidth <= clientWidth` ("WeChat Pa…");
/// - each of `must_show` (CSS selectors) that is present lies wholly inside the viewport with
///   no scrolling at all (the counter's amount and Create, for one).
///
/// Hidden elements (display none, visibility hidden, no box) are not judged. One pixel of
/// rounding is allowed.
async fn layout_faults(session: &Session, screen: &str, must_show: &[&str]) -> Vec<String> {
    const SCRIPT: &str = r#"
const [screen, mustShow] = arguments;
const vw = window.innerWidth, vh = window.innerHeight, slack = 1;
const faults = [];
const visible = (e) => {
  // The content of a closed <details> (all but its summary) is not shown.
  const closed = e.closest('details:not([open])');
  if (closed && !(closed.querySelector(':scope > summary') || closed).contains(e)) return false;
  for (let p = e; p; p = p.parentElement) {
    const s = getComputedStyle(p);
    if (s.display === 'none' || s.visibility === 'hidden' || s.visibility === 'collapse') return false;
  }
  const r = e.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
};
const inView = (r) => r.left >= -slack && r.top >= -slack && r.right <= vw + slack && r.bottom <= vh + slack;
const name = (e) => {
  const id = e.getAttribute('data-testid');
  const text = (e.innerText || e.value || e.getAttribute('aria-label') || e.getAttribute('placeholder') || '').trim().replace(/\s+/g, ' ').slice(0, 40);
  return `${e.tagName.toLowerCase()}${id ? `[data-testid=${id}]` : ''}${e.type ? `(${e.type})` : ''}${text ? ` "${text}"` : ''}`;
};
const box = (r) => `at x ${Math.round(r.left)}..${Math.round(r.right)}, y ${Math.round(r.top)}..${Math.round(r.bottom)}`;
const scroller = (e) => {
  for (let p = e.parentElement; p && p !== document.body && p !== document.documentElement; p = p.parentElement) {
    const s = getComputedStyle(p);
    const y = /(auto|scroll)/.test(s.overflowY) && p.scrollHeight > p.clientHeight + slack;
    const x = /(auto|scroll)/.test(s.overflowX) && p.scrollWidth > p.clientWidth + slack;
    if (x || y) return p;
  }
  return null;
};
const doc = document.scrollingElement || document.documentElement;
if (doc.scrollHeight > doc.clientHeight + slack || doc.scrollWidth > doc.clientWidth + slack) {
  faults.push(`${screen}: the page itself scrolls (${doc.scrollWidth}x${doc.scrollHeight} in ${doc.clientWidth}x${doc.clientHeight}): what is below ${doc.clientHeight}px is below the fold`);
}
for (const e of document.querySelectorAll('button, input, select, textarea, a[href], [role=button]')) {
  if (e.type === 'hidden' || !visible(e)) continue;
  const r = e.getBoundingClientRect();
  if (inView(r)) continue;
  const s = scroller(e);
  if (s && inView(s.getBoundingClientRect())) continue;
  faults.push(`${screen}: ${name(e)} is ${box(r)}, outside the ${vw}x${vh} window${s ? ` (its scroll container ${name(s)} is ${box(s.getBoundingClientRect())}, outside too)` : ' and in no scroll container'}`);
}
for (const th of document.querySelectorAll('th')) {
  if (!visible(th)) continue;
  if (th.scrollWidth > th.clientWidth + slack) {
    faults.push(`${screen}: column header "${th.innerText.trim()}" is cut: ${th.scrollWidth}px of words in ${th.clientWidth}px`);
  }
}
for (const b of document.querySelectorAll('button')) {
  if (!visible(b)) continue;
  if (b.scrollWidth > b.clientWidth + slack) {
    faults.push(`${screen}: ${name(b)}'s words are cut: ${b.scrollWidth}px in ${b.clientWidth}px`);
  }
}
for (const css of mustShow) {
  const e = document.querySelector(css);
  if (!e || !visible(e)) continue;
  const r = e.getBoundingClientRect();
  if (!inView(r)) faults.push(`${screen}: ${name(e)} must show without scrolling but is ${box(r)} in a ${vw}x${vh} window`);
}
return faults;
"#;
    let answer = session
        .call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": SCRIPT, "args": [screen, must_show]})),
        )
        .await;
    answer
        .as_array()
        .unwrap_or_else(|| panic!("the layout check did not run on {screen}: {answer}"))
        .iter()
        .map(|f| f.as_str().unwrap_or_default().to_string())
        .collect()
}

fn decode_base64(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in text
        .bytes()
        .filter(|b| !b.is_ascii_whitespace() && *b != b'=')
    {
        let value = ALPHABET.iter().position(|c| *c == byte).expect("base64") as u32;
        buffer = (buffer << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn counter_takes_a_wechat_qr_payment_to_paid() {
    let dir = tempfile::tempdir().unwrap();
    let (_driver, session) = open_app(dir.path()).await;

    let banner = session
        .find("[data-testid=mode-banner]", Duration::from_secs(30))
        .await;
    assert!(session.text(&banner).await.contains("Sandbox"));

    let amount = session
        .find("[data-testid=amount-input]", Duration::from_secs(10))
        .await;
    session.type_into(&amount, "12.50").await;
    let wechat = session
        .find("[data-testid=method-wechat-qr]", Duration::from_secs(10))
        .await;
    session.click(&wechat).await;
    session
        .screenshot(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e/counter-entry.png"))
        .await;
    let create = session
        .find("[data-testid=create-button]", Duration::from_secs(5))
        .await;
    session.click(&create).await;

    session
        .find("[data-testid=qr] svg", Duration::from_secs(15))
        .await;
    let shown_amount = session
        .find("[data-testid=order-amount]", Duration::from_secs(5))
        .await;
    assert_eq!(session.text(&shown_amount).await, "12.50 CAD");
    let number = session
        .find("[data-testid=order-number]", Duration::from_secs(5))
        .await;
    // Shown short ("…" and its last characters), whole in the title.
    let merchant_order_no = session
        .attribute(&number, "title")
        .await
        .unwrap_or_default();
    assert!(merchant_order_no.starts_with("PD"), "{merchant_order_no}");
    session
        .wait_for_attribute(
            "[data-testid=order-status]",
            "data-status",
            "pending",
            Duration::from_secs(10),
        )
        .await;
    session
        .screenshot(
            &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e/counter-waiting.png"),
        )
        .await;

    // The customer pays on the sandbox's payment page: the link the QR encodes.
    let link = session
        .find("[data-testid=open-link]", Duration::from_secs(5))
        .await;
    // The waiting screen offers the link (Copy link / Open) and keeps it in the title.
    let href = session
        .attribute(&link, "title")
        .await
        .expect("the payment link is offered");
    assert!(href.contains("/pay/iotpay/"), "{href}");
    let page = reqwest::get(&href).await.unwrap();
    assert!(page.status().is_success());
    assert!(page.text().await.unwrap().contains("12.50"));
    let paid_page = reqwest::Client::new()
        .post(format!("{href}/pay"))
        .send()
        .await
        .unwrap();
    assert!(paid_page.status().is_success());

    let took = session
        .wait_for_attribute(
            "[data-testid=order-status]",
            "data-status",
            "paid",
            Duration::from_secs(5),
        )
        .await;
    eprintln!("e2e: the window showed Paid {took:?} after the customer paid");
    let status = session
        .find("[data-testid=order-status]", Duration::from_secs(1))
        .await;
    assert_eq!(session.text(&status).await.trim(), "Paid");
    session
        .screenshot(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e/counter-paid.png"))
        .await;

    // The same order, paid, with its history, from the command line in another process.
    let output = run(&mut paydesk(dir.path(), &["orders", "--json"]));
    assert!(output.status.success());
    let orders: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let entry = orders
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["order"]["merchantOrderNo"] == merchant_order_no.as_str())
        .unwrap_or_else(|| panic!("{merchant_order_no} not in {orders}"));
    assert_eq!(entry["order"]["status"], "paid");
    assert_eq!(entry["order"]["amountMinor"], 1250);
    let path: Vec<&str> = entry["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["toStatus"].as_str().unwrap())
        .collect();
    assert_eq!(path.first(), Some(&"created"));
    assert!(path.contains(&"pending"));
    assert_eq!(path.last(), Some(&"paid"));

    // New sale resets the counter.
    let new_sale = session
        .find("[data-testid=new-sale-button]", Duration::from_secs(5))
        .await;
    session.click(&new_sale).await;
    let amount = session
        .find("[data-testid=amount-input]", Duration::from_secs(5))
        .await;
    assert_eq!(
        session
            .attribute(&amount, "value")
            .await
            .unwrap_or_default(),
        ""
    );

    session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn counter_shows_a_bad_amount_next_to_the_field_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (_driver, session) = open_app(dir.path()).await;

    let amount = session
        .find("[data-testid=amount-input]", Duration::from_secs(30))
        .await;
    session.type_into(&amount, "12.345").await;
    let wechat = session
        .find("[data-testid=method-wechat-qr]", Duration::from_secs(10))
        .await;
    session.click(&wechat).await;
    let create = session
        .find("[data-testid=create-button]", Duration::from_secs(5))
        .await;
    session.click(&create).await;
    let error = session
        .find("[data-testid=field-error-amount]", Duration::from_secs(10))
        .await;
    assert!(session.text(&error).await.contains("too many decimals"));
    session.close().await;

    let output = run(&mut paydesk(dir.path(), &["orders", "--json"]));
    let orders: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        orders.as_array().map(Vec::len),
        Some(0),
        "a refused amount writes no order"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn counter_takes_a_scanned_payment_code_paid_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (_driver, session) = open_app(dir.path()).await;

    // App and saved-card methods are not offered at the counter.
    session
        .find("[data-testid=method-barcode]", Duration::from_secs(30))
        .await;
    for hidden in ["wechat-app", "alipay-app", "unionpay-app", "card-token"] {
        let found = session
            .call(reqwest::Method::POST, "/elements", Some(json!({"using": "css selector", "value": format!("[data-testid=method-{hidden}]")})))
            .await;
        assert_eq!(
            found.as_array().map(Vec::len),
            Some(0),
            "{hidden} is not a counter method: {found}"
        );
    }

    let amount = session
        .find("[data-testid=amount-input]", Duration::from_secs(10))
        .await;
    session.type_into(&amount, "8.80").await;
    let barcode = session
        .find("[data-testid=method-barcode]", Duration::from_secs(5))
        .await;
    session.click(&barcode).await;
    // Enter in the amount field moves on to the scanner field rather than submitting.
    let amount = session
        .find("[data-testid=amount-input]", Duration::from_secs(5))
        .await;
    session.type_into(&amount, ENTER).await;
    let field = session
        .find("[data-testid=barcode-input]", Duration::from_secs(5))
        .await;
    let active = session
        .call(reqwest::Method::GET, "/element/active", None)
        .await;
    assert_eq!(
        active[ELEMENT_KEY].as_str(),
        Some(field.as_str()),
        "Enter in the amount field focuses the scanner field"
    );
    session.screenshot(&shot("counter-barcode.png")).await;

    // The scanner types the code fast, then Enter.
    session
        .type_into(&field, &format!("134567890123456780{ENTER}"))
        .await;
    let took = session
        .wait_for_attribute(
            "[data-testid=order-status]",
            "data-status",
            "paid",
            Duration::from_secs(10),
        )
        .await;
    eprintln!("e2e: a scanned code showed Paid {took:?} after Enter");
    session
        .wait_for_text("[data-testid=order-status]", "Paid", Duration::from_secs(2))
        .await;
    let shown_amount = session
        .find("[data-testid=order-amount]", Duration::from_secs(5))
        .await;
    assert_eq!(session.text(&shown_amount).await, "8.80 CAD");
    session.close().await;

    let output = run(&mut paydesk(dir.path(), &["orders", "--json"]));
    let orders: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let orders = orders.as_array().unwrap();
    assert_eq!(orders.len(), 1, "{orders:?}");
    assert_eq!(orders[0]["order"]["method"], "barcode");
    assert_eq!(orders[0]["order"]["status"], "paid");
    assert_eq!(orders[0]["order"]["amountMinor"], 880);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn counter_takes_a_card_through_the_embedded_form() {
    let dir = tempfile::tempdir().unwrap();
    let (_driver, session) = open_app(dir.path()).await;

    let amount = session
        .find("[data-testid=amount-input]", Duration::from_secs(30))
        .await;
    session.type_into(&amount, "21.00").await;
    let card = session
        .find("[data-testid=method-card]", Duration::from_secs(10))
        .await;
    session.click(&card).await;
    let create = session
        .find("[data-testid=create-button]", Duration::from_secs(5))
        .await;
    session.click(&create).await;

    // iotpaycc.js (the sandbox's stand-in) mounts its form in an iframe inside the container.
    let frame = session
        .find("[data-testid=card-widget] iframe", Duration::from_secs(15))
        .await;
    session
        .wait_for_attribute(
            "[data-testid=order-status]",
            "data-status",
            "pending",
            Duration::from_secs(5),
        )
        .await;
    session.switch_to_frame(&frame).await;
    // Wait for the form inside the frame before the screenshot.
    session
        .find("[data-testid=card-number]", Duration::from_secs(10))
        .await;
    session.to_parent_frame().await;
    session.screenshot(&shot("counter-card.png")).await;

    // Element references belong to their frame: find the field again once back inside.
    session.switch_to_frame(&frame).await;
    let number = session
        .find("[data-testid=card-number]", Duration::from_secs(5))
        .await;
    session.type_into(&number, "4242424242424242").await;
    let submit = session
        .find("[data-testid=card-submit]", Duration::from_secs(5))
        .await;
    session.click(&submit).await;
    session.to_parent_frame().await;

    let took = session
        .wait_for_attribute(
            "[data-testid=order-status]",
            "data-status",
            "paid",
            Duration::from_secs(10),
        )
        .await;
    eprintln!("e2e: the card sale showed Paid {took:?} after the form was submitted");
    session
        .wait_for_text("[data-testid=order-status]", "Paid", Duration::from_secs(2))
        .await;
    session.screenshot(&shot("counter-card-paid.png")).await;
    session.close().await;

    let output = run(&mut paydesk(dir.path(), &["orders", "--json"]));
    let orders: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let entry = &orders.as_array().unwrap()[0];
    assert_eq!(entry["order"]["method"], "card");
    assert_eq!(entry["order"]["status"], "paid");
    // Paid came from a gateway query (poll or notification), never from the form's callback.
    let sources: Vec<&str> = entry["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["toStatus"] == "paid")
        .map(|e| e["source"].as_str().unwrap())
        .collect();
    assert!(
        sources.iter().all(|s| *s != "user" && *s != "create"),
        "{sources:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn counter_takes_an_smepay_upi_widget_payment_to_paid() {
    let dir = tempfile::tempdir().unwrap();
    let (_driver, session) = open_app(dir.path()).await;

    session
        .find("[data-testid=amount-input]", Duration::from_secs(30))
        .await;
    let upi = session
        .find("[data-testid=method-upi-widget]", Duration::from_secs(10))
        .await;
    session.click(&upi).await;
    // SMEPay takes INR only: choosing the method switches the counter's currency to it.
    session
        .wait_for_text(
            ".amount-row [aria-label=Currency]",
            "INR",
            Duration::from_secs(5),
        )
        .await;
    let amount = session
        .find("[data-testid=amount-input]", Duration::from_secs(5))
        .await;
    session.type_into(&amount, "100.00").await;
    let create = session
        .find("[data-testid=create-button]", Duration::from_secs(5))
        .await;
    session.click(&create).await;

    session
        .wait_for_attribute(
            "[data-testid=card-widget]",
            "data-vendor",
            "smepay",
            Duration::from_secs(15),
        )
        .await;
    let shown_amount = session
        .find("[data-testid=order-amount]", Duration::from_secs(5))
        .await;
    assert_eq!(session.text(&shown_amount).await, "100.00 INR");
    session
        .wait_for_attribute(
            "[data-testid=order-status]",
            "data-status",
            "pending",
            Duration::from_secs(5),
        )
        .await;
    // smepay-checkout.js (the sandbox's stand-in) opens its checkout in an overlay iframe.
    let frame = session
        .find("[data-smepay-checkout] iframe", Duration::from_secs(15))
        .await;
    session.switch_to_frame(&frame).await;
    session
        .find("[data-testid=amount]", Duration::from_secs(10))
        .await;
    session.to_parent_frame().await;
    session.screenshot(&shot("counter-upi-widget.png")).await;

    session.switch_to_frame(&frame).await;
    let pay = session.find("button.pay", Duration::from_secs(5)).await;
    session.click(&pay).await;
    session.to_parent_frame().await;

    let took = session
        .wait_for_attribute(
            "[data-testid=order-status]",
            "data-status",
            "paid",
            Duration::from_secs(10),
        )
        .await;
    eprintln!("e2e: the SMEPay widget sale showed Paid {took:?} after the customer paid");
    session
        .wait_for_text("[data-testid=order-status]", "Paid", Duration::from_secs(2))
        .await;
    // The checkout's overlay is gone with the sale.
    assert_eq!(session.count("[data-smepay-checkout]").await, 0);
    session
        .screenshot(&shot("counter-upi-widget-paid.png"))
        .await;
    session.close().await;

    let output = run(&mut paydesk(dir.path(), &["orders", "--json"]));
    let orders: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let entry = &orders.as_array().unwrap()[0];
    assert_eq!(entry["order"]["gateway"], "smepay");
    assert_eq!(entry["order"]["method"], "upi-widget");
    assert_eq!(entry["order"]["currency"], "INR");
    assert_eq!(entry["order"]["amountMinor"], 10000);
    assert_eq!(entry["order"]["status"], "paid");
    // Paid came from the core (query or webhook), never from the checkout's callback.
    let sources: Vec<&str> = entry["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["toStatus"] == "paid")
        .map(|e| e["source"].as_str().unwrap())
        .collect();
    assert!(
        !sources.is_empty() && sources.iter().all(|s| *s != "user" && *s != "create"),
        "{sources:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn counter_shows_a_declined_qr_payment() {
    let dir = tempfile::tempdir().unwrap();
    let (_driver, session) = open_app(dir.path()).await;

    let amount = session
        .find("[data-testid=amount-input]", Duration::from_secs(30))
        .await;
    session.type_into(&amount, "5.00").await;
    let wechat = session
        .find("[data-testid=method-wechat-qr]", Duration::from_secs(10))
        .await;
    session.click(&wechat).await;
    let create = session
        .find("[data-testid=create-button]", Duration::from_secs(5))
        .await;
    session.click(&create).await;
    session
        .find("[data-testid=qr] svg", Duration::from_secs(15))
        .await;

    let link = session
        .find("[data-testid=open-link]", Duration::from_secs(5))
        .await;
    // The waiting screen offers the link (Copy link / Open) and keeps it in the title.
    let href = session
        .attribute(&link, "title")
        .await
        .expect("the payment link is offered");
    let declined = reqwest::Client::new()
        .post(format!("{href}/decline"))
        .send()
        .await
        .unwrap();
    assert!(declined.status().is_success());
    assert!(declined.text().await.unwrap().contains("Declined"));

    session
        .wait_for_attribute(
            "[data-testid=order-status]",
            "data-status",
            "cancelled",
            Duration::from_secs(10),
        )
        .await;
    session
        .wait_for_text(
            "[data-testid=order-status]",
            "Cancelled",
            Duration::from_secs(2),
        )
        .await;
    let qr = session
        .call(
            reqwest::Method::POST,
            "/elements",
            Some(json!({"using": "css selector", "value": "[data-testid=qr]"})),
        )
        .await;
    assert_eq!(
        qr.as_array().map(Vec::len),
        Some(0),
        "a settled sale shows no QR: {qr}"
    );
    session.screenshot(&shot("counter-declined.png")).await;
    session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn counter_shows_a_declined_scan_and_is_ready_for_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let (_driver, session) = open_app(dir.path()).await;

    let amount = session
        .find("[data-testid=amount-input]", Duration::from_secs(30))
        .await;
    session.type_into(&amount, "3.00").await;
    let barcode = session
        .find("[data-testid=method-barcode]", Duration::from_secs(10))
        .await;
    session.click(&barcode).await;
    let field = session
        .find("[data-testid=barcode-input]", Duration::from_secs(5))
        .await;
    // The sandbox declines a code ending in 9.
    session
        .type_into(&field, &format!("134567890123456789{ENTER}"))
        .await;
    let error = session
        .find("[data-testid=error-message]", Duration::from_secs(10))
        .await;
    assert!(!session.text(&error).await.trim().is_empty());
    // Still on the entry form, the scanner field focused with the old code selected, so the
    // next scan replaces it.
    let field = session
        .find("[data-testid=barcode-input]", Duration::from_secs(5))
        .await;
    let active = session
        .call(reqwest::Method::GET, "/element/active", None)
        .await;
    assert_eq!(active[ELEMENT_KEY].as_str(), Some(field.as_str()));
    let selection = session
        .call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": "const e = document.activeElement; return [e.value, e.selectionStart, e.selectionEnd];", "args": []})),
        )
        .await;
    assert_eq!(selection, json!(["134567890123456789", 0, 18]));
    session.type_into(&field, "6212345678901234560").await;
    assert_eq!(
        session.attribute(&field, "value").await.unwrap_or_default(),
        "6212345678901234560"
    );
    session
        .screenshot(&shot("counter-barcode-declined.png"))
        .await;
    session.close().await;

    let output = run(&mut paydesk(dir.path(), &["orders", "--json"]));
    let orders: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(orders[0]["order"]["status"], "failed", "{orders}");
}

/// Opens Settings (F4's screen) and checks the owner PIN is set, as the first-start setup left
/// it: owner actions ask for it from the first start.
async fn open_settings_with_the_pin_set(session: &Session) {
    let nav = session
        .find("[data-testid=nav-settings]", Duration::from_secs(30))
        .await;
    session.click(&nav).await;
    session
        .wait_for_text(
            "[data-testid=settings-pin-state]",
            "The PIN is set. To change it, type the one you use now and the new one twice.",
            Duration::from_secs(10),
        )
        .await;
    // Changing it needs the current one.
    session
        .find("[data-testid=settings-pin-current]", Duration::from_secs(5))
        .await;
}

fn order_detail(dir: &Path, id: &str) -> Value {
    let output = crate::support::run_ok(&mut paydesk(dir, &["order", "show", id, "--json"]));
    crate::support::json(&output)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn owner_refunds_with_the_pin_a_wrong_pin_is_refused_and_a_lost_answer_is_resent() {
    let dir = tempfile::tempdir().unwrap();
    // A paid WeChat QR sale of 12.50 CAD, made and paid before the window opens.
    let order = crate::support::create_sandbox_order(dir.path(), "wechat-qr", "12.50");
    let id = order["id"].as_i64().unwrap().to_string();
    crate::support::run_ok(&mut paydesk(dir.path(), &["sandbox", "pay", &id]));
    crate::support::run_ok(&mut paydesk(dir.path(), &["order", "sync", &id]));
    assert_eq!(order_detail(dir.path(), &id)["order"]["status"], "paid");

    let (_driver, session) = open_app(dir.path()).await;
    open_settings_with_the_pin_set(&session).await;

    let nav = session
        .find("[data-testid=nav-orders]", Duration::from_secs(5))
        .await;
    session.click(&nav).await;
    let row = session
        .find(
            &format!("[data-testid=order-row][data-order-id='{id}'] td.mono"),
            Duration::from_secs(10),
        )
        .await;
    let clicked = session
        .call(
            reqwest::Method::POST,
            &format!("/element/{row}/click"),
            Some(json!({})),
        )
        .await;
    assert!(clicked.is_null(), "cannot click the order row: {clicked}");
    session
        .wait_for_attribute(
            "[data-testid=order-detail] .summary [data-status]",
            "data-status",
            "paid",
            Duration::from_secs(10),
        )
        .await;
    assert_eq!(
        session.count("[data-testid=void-button]").await,
        0,
        "a wallet order offers no void"
    );
    let refund = session
        .find("[data-testid=refund-button]", Duration::from_secs(5))
        .await;
    session.click(&refund).await;
    let amount = session
        .find("[data-testid=refund-amount]", Duration::from_secs(5))
        .await;
    assert_eq!(
        session.attribute(&amount, "value").await.as_deref(),
        Some("12.50"),
        "prefilled with all that is left"
    );
    session.clear(&amount).await;
    session.type_into(&amount, "5.00").await;
    let submit = session
        .find("[data-testid=refund-submit]", Duration::from_secs(5))
        .await;
    session.click(&submit).await;

    // The PIN dialog says what goes back, in figures and in words.
    session
        .wait_for_text(
            "[data-testid=pin-confirmation]",
            "Refund 5.00 CAD — five dollars — to the customer?",
            Duration::from_secs(10),
        )
        .await;
    // A screen key waits for the dialog: it and the order's detail stay.
    let pin = session
        .find("[data-testid=pin-input]", Duration::from_secs(10))
        .await;
    session.type_into(&pin, "\u{E032}").await; // F2
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(session.count("[data-testid=pin-dialog]").await, 1);
    assert_eq!(session.count("[data-testid=order-detail]").await, 1);

    // A wrong PIN: refused, the dialog stays with the core's message, nothing is refunded.
    let pin = session
        .find("[data-testid=pin-input]", Duration::from_secs(10))
        .await;
    session.type_into(&pin, "1111").await;
    let confirm = session
        .find("[data-testid=pin-submit]", Duration::from_secs(5))
        .await;
    session.click(&confirm).await;
    let error = session
        .find("[data-testid=pin-error]", Duration::from_secs(15))
        .await;
    // The core's words, with the tries left before a wait.
    let message = session.text(&error).await;
    assert_eq!(
        message.trim(),
        "Wrong owner PIN: 4 tries left before a wait"
    );
    assert_eq!(
        session
            .attribute(&error, "data-tries-left")
            .await
            .as_deref(),
        Some("4")
    );
    assert_eq!(session.count("[data-testid=refund-row]").await, 0);
    let detail = order_detail(dir.path(), &id);
    assert_eq!(
        detail["refunds"].as_array().map(Vec::len),
        Some(0),
        "a wrong PIN refunds nothing: {detail}"
    );
    assert_eq!(detail["order"]["status"], "paid");
    assert_eq!(detail["order"]["refundedMinor"], 0);

    // The right PIN, Enter to confirm: a partial refund.
    let pin = session
        .find("[data-testid=pin-input]", Duration::from_secs(5))
        .await;
    assert_eq!(
        session.attribute(&pin, "value").await.unwrap_or_default(),
        "",
        "the wrong PIN is cleared"
    );
    session
        .type_into(&pin, &format!("{OWNER_PIN}{ENTER}"))
        .await;
    session
        .wait_for_attribute(
            "[data-testid=refunds-list] [data-testid=refund-row]",
            "data-status",
            "succeeded",
            Duration::from_secs(15),
        )
        .await;
    session
        .wait_for_attribute(
            "[data-testid=order-detail] .summary [data-status]",
            "data-status",
            "partially_refunded",
            Duration::from_secs(5),
        )
        .await;
    assert_eq!(
        session.count("[data-testid=pin-dialog]").await,
        0,
        "the dialog closes"
    );
    let row = session
        .find("[data-testid=refund-row]", Duration::from_secs(5))
        .await;
    assert!(session.text(&row).await.contains("5.00 CAD"));
    session.screenshot(&shot("orders-detail.png")).await;

    // What is left is offered next time.
    let refund = session
        .find("[data-testid=refund-button]", Duration::from_secs(5))
        .await;
    session.click(&refund).await;
    let amount = session
        .find("[data-testid=refund-amount]", Duration::from_secs(5))
        .await;
    assert_eq!(
        session.attribute(&amount, "value").await.as_deref(),
        Some("7.50")
    );

    // The rest, but IOTPay's answer is lost on the way: the refund is shown pending, its
    // amount held back, and Resend (with the PIN) sends it again under its own number.
    Faults::open_in(dir.path())
        .unwrap()
        .set(&Fault {
            gateway: "iotpay".into(),
            call: "refund_order".into(),
            kind: FaultKind::Truncated,
            value: None,
            times: Some(1),
        })
        .unwrap();
    let submit = session
        .find("[data-testid=refund-submit]", Duration::from_secs(5))
        .await;
    session.click(&submit).await;
    session.enter_pin(OWNER_PIN).await;
    session
        .find("[data-testid=owner-action-error]", Duration::from_secs(15))
        .await;
    session
        .find("[data-testid=refund-unknown]", Duration::from_secs(10))
        .await;
    assert_eq!(
        session
            .count("[data-testid=refund-row][data-status=pending]")
            .await,
        1
    );
    // The Orders screen points at it, above the list, until it is resent or settled.
    let banner = session
        .find("[data-testid=unanswered-refunds]", Duration::from_secs(10))
        .await;
    assert!(
        session.text(&banner).await.contains("7.50 CAD"),
        "{}",
        session.text(&banner).await
    );
    session.screenshot(&shot("orders-refund-unknown.png")).await;
    let resend = session
        .find("[data-testid=refund-resend]", Duration::from_secs(5))
        .await;
    session.click(&resend).await;
    session.enter_pin(OWNER_PIN).await;
    session
        .wait_for_attribute(
            "[data-testid=order-detail] .summary [data-status]",
            "data-status",
            "refunded",
            Duration::from_secs(15),
        )
        .await;
    assert_eq!(session.count("[data-testid=refund-unknown]").await, 0);
    let deadline = Instant::now() + Duration::from_secs(10);
    while session.count("[data-testid=unanswered-refunds]").await > 0 {
        assert!(
            Instant::now() < deadline,
            "the notice goes once it is answered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        session
            .count("[data-testid=refund-row][data-status=succeeded]")
            .await,
        2
    );
    session.close().await;

    let detail = order_detail(dir.path(), &id);
    assert_eq!(detail["order"]["status"], "refunded", "{detail}");
    assert_eq!(detail["order"]["refundedMinor"], 1250);
    let refunds = detail["refunds"].as_array().unwrap();
    assert_eq!(refunds.len(), 2, "{refunds:?}");
    assert_eq!(refunds[0]["amountMinor"], 500);
    assert_eq!(refunds[0]["kind"], "refund");
    assert_eq!(refunds[0]["status"], "succeeded");
    assert_eq!(refunds[1]["amountMinor"], 750);
    assert_eq!(refunds[1]["status"], "succeeded");
    let sandbox = SandboxStore::open_in(dir.path()).unwrap();
    assert_eq!(
        sandbox
            .find(detail["order"]["merchantOrderNo"].as_str().unwrap())
            .unwrap()
            .unwrap()
            .refunded,
        1250,
        "the customer was refunded once"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver (and a session keyring)"]
async fn settings_store_a_credential_with_the_pin_and_show_it_only_as_set() {
    const SECRET: &str = "e2e-secret-key-7f3a9c41";
    const MCH_ID: &str = "10000917";
    const LOGIN: &str = "e2e-cashier-login";
    let dir = tempfile::tempdir().unwrap();
    // A keychain entry left by an earlier run would make this pass without saving anything
    // (before the setup: no PIN asked yet).
    let _ = run(&mut paydesk(
        dir.path(),
        &["credentials", "delete", "iotpay", "--env", "test"],
    ));

    let (_driver, session) = open_app(dir.path()).await;
    open_settings_with_the_pin_set(&session).await;
    session
        .wait_for_text(
            "[data-testid=cred-status-iotpay-test]",
            "Not set up yet",
            Duration::from_secs(10),
        )
        .await;

    // The account's fields, in the owner's words; the login (jobNo) is a connection detail,
    // under Advanced.
    assert_eq!(
        session
            .count("[data-testid=settings-accounts] [data-testid=cred-iotpay-test-loginName]")
            .await,
        0,
        "the login is not with the account's fields"
    );
    for (field, value) in [("mchId", MCH_ID), ("key", SECRET)] {
        let input = session
            .find(
                &format!("[data-testid=cred-iotpay-test-{field}]"),
                Duration::from_secs(5),
            )
            .await;
        let kind = if field == "key" { "password" } else { "text" };
        assert_eq!(
            session.attribute(&input, "type").await.as_deref(),
            Some(kind),
            "{field}"
        );
        session.type_into(&input, value).await;
    }
    let save = session
        .find(
            "[data-testid=cred-save-iotpay-test]",
            Duration::from_secs(5),
        )
        .await;
    session.click(&save).await;
    session.enter_pin(OWNER_PIN).await;
    // Said in words: what is missing, and where it is.
    session
        .wait_for_text(
            "[data-testid=cred-status-iotpay-test]",
            "Missing: Login name (jobNo) (Advanced)",
            Duration::from_secs(15),
        )
        .await;

    let advanced = session
        .find(
            "[data-testid=settings-advanced-toggle]",
            Duration::from_secs(5),
        )
        .await;
    session.click(&advanced).await;
    let login = session
        .find(
            "[data-testid=settings-advanced] [data-testid=cred-iotpay-test-loginName]",
            Duration::from_secs(5),
        )
        .await;
    assert_eq!(
        session.attribute(&login, "type").await.as_deref(),
        Some("text")
    );
    session.type_into(&login, LOGIN).await;
    let save = session
        .find(
            "[data-testid=cred-save-adv-iotpay-test]",
            Duration::from_secs(5),
        )
        .await;
    session.click(&save).await;
    session.enter_pin(OWNER_PIN).await;

    session
        .wait_for_text(
            "[data-testid=cred-status-iotpay-test]",
            "Ready",
            Duration::from_secs(15),
        )
        .await;
    for field in ["mchId", "loginName", "key"] {
        session
            .wait_for_text(
                &format!("[data-testid=cred-field-set-iotpay-test-{field}]"),
                "stored",
                Duration::from_secs(5),
            )
            .await;
        let input = session
            .find(
                &format!("[data-testid=cred-iotpay-test-{field}]"),
                Duration::from_secs(5),
            )
            .await;
        assert_eq!(
            session.attribute(&input, "value").await.unwrap_or_default(),
            "",
            "{field} is not shown back"
        );
    }
    session
        .wait_for_text(
            "[data-testid=cred-status-iotpay-live]",
            "Not set up yet",
            Duration::from_secs(5),
        )
        .await;
    let source = session.source().await;
    assert!(
        source.contains("cred-status-iotpay-test"),
        "the page source was read"
    );
    for value in [SECRET, MCH_ID, LOGIN] {
        assert!(
            !source.contains(value),
            "{value} appears in the page source"
        );
    }
    scroll_to_top(&session).await;
    session.screenshot(&shot("settings-credentials.png")).await;
    session.close().await;

    // In the keychain, as the command line sees it.
    let output = crate::support::run_ok(&mut paydesk(
        dir.path(),
        &["credentials", "status", "--json"],
    ));
    let text = stdout(&output);
    assert!(!text.contains(SECRET));
    let statuses = crate::support::json(&output);
    let iotpay = statuses
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["gateway"] == "iotpay" && s["environment"] == "test")
        .unwrap_or_else(|| panic!("no iotpay test status in {statuses}"));
    assert_eq!(iotpay["configured"], true, "{iotpay}");
    // Deleting is an owner action: with the PIN.
    let deleted = paydesk_as_owner(
        dir.path(),
        &["credentials", "delete", "iotpay", "--env", "test"],
    );
    assert!(
        deleted.status.success(),
        "{}",
        crate::support::stderr(&deleted)
    );
}

// ---- Reports, settings, themes and the customer display ----

/// Scrolls the page back to its top (clicks lower down scroll it), for a screenshot.
async fn scroll_to_top(session: &Session) {
    session
        .call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": "window.scrollTo(0, 0); document.querySelectorAll('.settings, .reports').forEach((e) => e.scrollTo(0, 0));", "args": []})),
        )
        .await;
}

/// Chooses `value` in the select `testid`, as picking it from the list does (value, change).
async fn choose_option(session: &Session, testid: &str, value: &str) {
    let answer = session
        .call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({
                "script": "const e = document.querySelector(`[data-testid=${arguments[0]}]`);\
                           if (![...e.options].some((o) => o.value === arguments[1])) return false;\
                           e.value = arguments[1];\
                           e.dispatchEvent(new Event('change', {bubbles: true}));\
                           return true;",
                "args": [testid, value]
            })),
        )
        .await;
    assert_eq!(
        answer,
        json!(true),
        "{value} is not among {testid}'s choices"
    );
}

/// A sandbox order of `amount` CAD, paid (or declined) by the customer and synced.
fn settled_order(dir: &Path, method: &str, amount: &str, pay: bool) -> String {
    let order = crate::support::create_sandbox_order(dir, method, amount);
    let id = order["id"].as_i64().unwrap().to_string();
    let mut args = vec!["sandbox", "pay", id.as_str()];
    if !pay {
        args.push("--decline");
    }
    crate::support::run_ok(&mut paydesk(dir, &args));
    crate::support::run_ok(&mut paydesk(dir, &["order", "sync", &id]));
    id
}

// Reports: e2e/owner_screens.rs (takings by how the customer paid, as `paydesk report --json`
// has them) replaces the per-gateway-and-status test that stood here.

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn settings_save_the_shop_name_and_a_base_url_with_the_pin_and_the_dark_theme() {
    const BASE: &str = "http://127.0.0.1:18080/iotpay/v1";
    let dir = tempfile::tempdir().unwrap();
    let (_driver, session) = open_app(dir.path()).await;
    open_settings_with_the_pin_set(&session).await;

    // Connection details wait under Advanced, closed until the owner opens it.
    let advanced = session
        .find("[data-testid=settings-advanced]", Duration::from_secs(5))
        .await;
    assert_eq!(session.attribute(&advanced, "open").await, None);
    let shown = session
        .call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": "return document.querySelector(\"[data-testid='setting-iotpay.test.v1_base']\").closest('details:not([open])') === null;", "args": []})),
        )
        .await;
    assert_eq!(shown, json!(false), "base URLs are not on the first screen");
    let toggle = session
        .find(
            "[data-testid=settings-advanced-toggle]",
            Duration::from_secs(5),
        )
        .await;
    session.click(&toggle).await;

    // A bad URL is named at once, and the default shows as the placeholder.
    let url = session
        .find(
            "[data-testid='setting-iotpay.test.v1_base']",
            Duration::from_secs(10),
        )
        .await;
    assert_eq!(
        session.attribute(&url, "placeholder").await.as_deref(),
        Some("https://api.iotpaycloud.com/v1")
    );
    session.type_into(&url, "http://api.example.com/v1").await;
    session
        .wait_for_text(
            "[data-testid='setting-error-iotpay.test.v1_base']",
            "iotpay.test.v1_base must be an https:// URL (or http:// on this machine): api.example.com is not this machine",
            Duration::from_secs(5),
        )
        .await;
    session.clear(&url).await;
    session.type_into(&url, BASE).await;
    assert_eq!(
        session
            .count("[data-testid='setting-error-iotpay.test.v1_base']")
            .await,
        0
    );
    let save = session
        .find(
            "[data-testid=urls-save-iotpay-test]",
            Duration::from_secs(5),
        )
        .await;
    session.click(&save).await;
    session.enter_pin(OWNER_PIN).await;
    session
        .wait_for_text(
            "[data-testid=urls-saved-iotpay-test]",
            "Saved",
            Duration::from_secs(15),
        )
        .await;

    let name = session
        .find("[data-testid=setting-shop-name]", Duration::from_secs(5))
        .await;
    assert_eq!(
        session.attribute(&name, "value").await.as_deref(),
        Some(SHOP_NAME),
        "the name the setup gave"
    );
    session.clear(&name).await;
    session.type_into(&name, "Corner Tea House").await;
    // The currency is chosen from the core's list, not typed.
    let currency = session
        .find(
            "[data-testid=setting-shop-currency]",
            Duration::from_secs(5),
        )
        .await;
    assert_eq!(
        session.attribute(&currency, "value").await.as_deref(),
        Some("CAD")
    );
    choose_option(&session, "setting-shop-currency", "USD").await;
    let save = session
        .find("[data-testid=settings-shop-save]", Duration::from_secs(5))
        .await;
    session.click(&save).await;
    // A wrong PIN stores nothing.
    session.enter_pin("1111").await;
    session
        .find("[data-testid=pin-error]", Duration::from_secs(15))
        .await;
    let shown = crate::support::run_ok(&mut paydesk(dir.path(), &["settings", "show"]));
    assert!(
        !stdout(&shown).contains("Corner Tea House"),
        "{}",
        stdout(&shown)
    );
    session.enter_pin(OWNER_PIN).await;
    session
        .wait_for_text(
            "[data-testid=settings-shop-saved]",
            "Saved",
            Duration::from_secs(15),
        )
        .await;
    // The shell takes the new name at once: the bar and the window's title.
    session
        .wait_for_content(
            "[data-testid=shop-name]",
            "Corner Tea House",
            Duration::from_secs(5),
        )
        .await;
    let title = session
        .call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": "return document.title;", "args": []})),
        )
        .await;
    assert_eq!(title, "Corner Tea House");

    // Test connection answers in the window, whatever the keychain holds for IOTPay test.
    let check = session
        .find(
            "[data-testid=check-button-smartexpay-live]",
            Duration::from_secs(5),
        )
        .await;
    session.click(&check).await;
    let result = session
        .find(
            "[data-testid=check-smartexpay-live]",
            Duration::from_secs(15),
        )
        .await;
    assert_eq!(
        session.attribute(&result, "data-outcome").await.as_deref(),
        Some("error")
    );
    assert!(session.text(&result).await.contains("smartexpay.live.base"));
    session
        .call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": "document.querySelector('[data-testid=settings-mode]').scrollIntoView();", "args": []})),
        )
        .await;
    session.screenshot(&shot("settings-mode.png")).await;
    scroll_to_top(&session).await;
    session.screenshot(&shot("settings.png")).await;

    // In the ledger, as the command line sees it.
    let shown = stdout(&crate::support::run_ok(&mut paydesk(
        dir.path(),
        &["settings", "show"],
    )));
    assert!(shown.contains("shop.name = Corner Tea House"), "{shown}");
    assert!(shown.contains("shop.currency = USD"), "{shown}");
    assert!(
        shown.contains(&format!("iotpay.test.v1_base = {BASE}")),
        "{shown}"
    );

    // A new mode is saved for the next start, and says so with a Restart now button.
    let test_mode = session
        .find("[data-testid=mode-test]", Duration::from_secs(5))
        .await;
    session.click(&test_mode).await;
    let save = session
        .find("[data-testid=settings-mode-save]", Duration::from_secs(5))
        .await;
    session.click(&save).await;
    session.enter_pin(OWNER_PIN).await;
    session
        .wait_for_text(
            "[data-testid=settings-restart-note]",
            "Saved: test applies on restart.",
            Duration::from_secs(15),
        )
        .await;
    session
        .find("[data-testid=settings-restart]", Duration::from_secs(5))
        .await;
    session
        .wait_for_text(
            "[data-testid=settings-running-mode]",
            "sandbox",
            Duration::from_secs(5),
        )
        .await;
    let shown = stdout(&crate::support::run_ok(&mut paydesk(
        dir.path(),
        &["settings", "show"],
    )));
    assert!(shown.contains("mode = test"), "{shown}");

    // The dark theme, chosen in Settings and remembered.
    let dark = session
        .find("[data-testid=theme-dark]", Duration::from_secs(5))
        .await;
    session.click(&dark).await;
    session
        .wait_for_attribute("html", "data-theme", "dark", Duration::from_secs(5))
        .await;
    let nav = session
        .find("[data-testid=nav-counter]", Duration::from_secs(5))
        .await;
    session.click(&nav).await;
    let amount = session
        .find("[data-testid=amount-input]", Duration::from_secs(5))
        .await;
    session.type_into(&amount, "12.50").await;
    let wechat = session
        .find("[data-testid=method-wechat-qr]", Duration::from_secs(5))
        .await;
    session.click(&wechat).await;
    scroll_to_top(&session).await;
    session.screenshot(&shot("counter-dark.png")).await;
    // Every screen in the dark theme, for a look (target/e2e only).
    for screen in ["orders", "reports", "settings"] {
        let nav = session
            .find(
                &format!("[data-testid=nav-{screen}]"),
                Duration::from_secs(5),
            )
            .await;
        session.click(&nav).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        scroll_to_top(&session).await;
        session
            .screenshot(&shot(&format!("{screen}-dark.png")))
            .await;
    }

    // The PIN is changed with the one in use and the new one twice.
    let pin_field = |name: &'static str| {
        let session = &session;
        async move {
            session
                .find(
                    &format!("[data-testid=settings-pin-{name}]"),
                    Duration::from_secs(5),
                )
                .await
        }
    };
    session
        .type_into(&pin_field("current").await, OWNER_PIN)
        .await;
    session.type_into(&pin_field("new").await, "1357").await;
    session
        .type_into(&pin_field("repeat").await, &format!("1375{ENTER}"))
        .await;
    session
        .wait_for_text(
            "[data-testid=settings-pin-error]",
            "The two new PINs are not the same: type them again",
            Duration::from_secs(5),
        )
        .await;
    // A wrong PIN in use is refused by the core, which says so (and how many tries are left).
    session.clear(&pin_field("current").await).await;
    session.type_into(&pin_field("current").await, "0000").await;
    session
        .type_into(&pin_field("repeat").await, &format!("1357{ENTER}"))
        .await;
    session
        .wait_for_attribute(
            "[data-testid=settings-pin-error]",
            "data-field",
            "current",
            Duration::from_secs(15),
        )
        .await;
    let refused = session
        .find("[data-testid=settings-pin-error]", Duration::from_secs(5))
        .await;
    let said = session.text(&refused).await;
    assert!(
        said.starts_with("Wrong owner PIN: ") && said.contains("tries left"),
        "{said}"
    );
    session
        .type_into(&pin_field("current").await, &format!("{OWNER_PIN}{ENTER}"))
        .await;
    session
        .wait_for_text(
            "[data-testid=settings-pin-message]",
            "PIN changed: use the new one from now on",
            Duration::from_secs(15),
        )
        .await;
    // The old PIN no longer opens anything; the new one does.
    let refused = paydesk_as_owner(dir.path(), &["settings", "set", "shop.name", "Old PIN"]);
    assert!(!refused.status.success(), "the old PIN is refused");
    let accepted = crate::support::run_with_stdin(
        &mut paydesk(
            dir.path(),
            &["settings", "set", "shop.name", "New PIN", "--pin-stdin"],
        ),
        b"1357\n",
    );
    assert!(
        accepted.status.success(),
        "{}",
        crate::support::stderr(&accepted)
    );
    session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "drives the real window: make test runs it under Xvfb with tauri-driver"]
async fn the_customer_display_shows_the_counters_amount_and_qr_then_paid() {
    let dir = tempfile::tempdir().unwrap();
    // The shop's name comes from its setup; the customer sees it, never "Paydesk".
    setup_shop(dir.path(), "Corner Tea House");
    let (_driver, session) = open_app(dir.path()).await;
    let main = session
        .call(reqwest::Method::GET, "/window", None)
        .await
        .as_str()
        .unwrap()
        .to_string();

    let amount = session
        .find("[data-testid=amount-input]", Duration::from_secs(30))
        .await;
    session.type_into(&amount, "12.50").await;
    let wechat = session
        .find("[data-testid=method-wechat-qr]", Duration::from_secs(10))
        .await;
    session.click(&wechat).await;
    let create = session
        .find("[data-testid=create-button]", Duration::from_secs(5))
        .await;
    session.click(&create).await;
    session
        .find("[data-testid=qr] svg", Duration::from_secs(15))
        .await;
    let number = session
        .find("[data-testid=order-number]", Duration::from_secs(5))
        .await;
    // Shown short ("…" and its last characters), whole in the title.
    let merchant_order_no = session
        .attribute(&number, "title")
        .await
        .unwrap_or_default();
    let link = session
        .find("[data-testid=open-link]", Duration::from_secs(5))
        .await;
    let href = session.attribute(&link, "title").await.unwrap();

    let open = session
        .find(
            "[data-testid=customer-display-button]",
            Duration::from_secs(5),
        )
        .await;
    session.click(&open).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let customer = loop {
        let handles = session
            .call(reqwest::Method::GET, "/window/handles", None)
            .await;
        if let Some(other) = handles
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .find(|h| *h != main)
        {
            break other.to_string();
        }
        assert!(Instant::now() < deadline, "no customer window: {handles}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let switched = session
        .call(
            reqwest::Method::POST,
            "/window",
            Some(json!({ "handle": customer })),
        )
        .await;
    assert!(switched.is_null(), "cannot switch windows: {switched}");

    session
        .wait_for_text(
            "[data-testid=customer-amount]",
            "12.50 CAD",
            Duration::from_secs(15),
        )
        .await;
    session
        .find("[data-testid=customer-qr] svg", Duration::from_secs(5))
        .await;
    session
        .wait_for_text(
            "[data-testid=customer-status]",
            "Scan to pay",
            Duration::from_secs(10),
        )
        .await;
    // Its title is the shop's, not the program's.
    let title = session
        .call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": "return document.title;", "args": []})),
        )
        .await;
    assert_eq!(title, "Corner Tea House");
    // Only the amount, the QR and the outcome: no order number, link, menu or ledger.
    let source = session.source().await;
    assert!(!source.contains(&merchant_order_no), "order number shown");
    assert!(!source.contains(&href), "payment link shown");
    assert_eq!(session.count("[data-testid=nav-orders]").await, 0);
    // And its capability refuses the counter's commands.
    let refused = session
        .call(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({
                "script": "const done = arguments[arguments.length - 1]; window.__TAURI_INTERNALS__.invoke('list_orders', { filter: {} }).then(() => done('allowed'), (e) => done('refused: ' + e));",
                "args": []
            })),
        )
        .await;
    assert!(
        refused.as_str().unwrap_or_default().starts_with("refused"),
        "the customer window listed orders: {refused}"
    );
    session.screenshot(&shot("customer-waiting.png")).await;

    // The customer pays: the display turns Paid.
    let paid = reqwest::Client::new()
        .post(format!("{href}/pay"))
        .send()
        .await
        .unwrap();
    assert!(paid.status().is_success());
    session
        .wait_for_attribute(
            "[data-testid=customer-status]",
            "data-status",
            "paid",
            Duration::from_secs(15),
        )
        .await;
    let status = session
        .find("[data-testid=customer-status]", Duration::from_secs(1))
        .await;
    assert!(session.text(&status).await.contains("Paid"));
    session.screenshot(&shot("customer-paid.png")).await;

    // New sale on the counter: the display goes back to the shop's name.
    let back = session
        .call(
            reqwest::Method::POST,
            "/window",
            Some(json!({ "handle": main })),
        )
        .await;
    assert!(back.is_null(), "{back}");
    session
        .wait_for_attribute(
            "[data-testid=order-status]",
            "data-status",
            "paid",
            Duration::from_secs(10),
        )
        .await;
    let new_sale = session
        .find("[data-testid=new-sale-button]", Duration::from_secs(5))
        .await;
    session.click(&new_sale).await;
    session
        .call(
            reqwest::Method::POST,
            "/window",
            Some(json!({ "handle": customer })),
        )
        .await;
    session
        .wait_for_text(
            "[data-testid=customer-idle]",
            "Corner Tea House",
            Duration::from_secs(10),
        )
        .await;
    session.close().await;
}
