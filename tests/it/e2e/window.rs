//! The WebDriver steps any screen takes, over the fantoccini client: find what a selector
//! names (waiting for it to appear), click it, type into it, press a key, read its text or an
//! attribute, wait for a state, take a screenshot. Every step panics with what it was doing
//! when the driver refuses it, so a test fails at the step a person would have seen fail.
//!
//! The pages (`super::pages`) are built on these; a test uses them directly only for what no
//! page has a word for.

use std::fmt::Display;
use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::wd::WindowHandle;
use fantoccini::{Client, Locator};
use serde_json::Value;

/// How long one WebDriver command may take before the step is failed (a screenshot that
/// hangs, a driver that stopped answering).
const COMMAND_LIMIT: Duration = Duration::from_secs(90);

/// Waits for what is already on its way (a field of the screen shown, a button).
pub(crate) const SHORT: Duration = Duration::from_secs(5);
/// Waits for a screen to change (a click's answer, a list that reloads).
pub(crate) const WAIT: Duration = Duration::from_secs(10);
/// Waits for the core or a gateway (a sale created, a PIN checked, a refund answered).
pub(crate) const LONG: Duration = Duration::from_secs(15);
/// Waits for the app to start and show its first screen.
pub(crate) const START: Duration = Duration::from_secs(30);

/// The key codes WebDriver sends, as a keyboard (or a scanner) types them.
pub(crate) mod keys {
    use fantoccini::key::Key;

    pub(crate) const ENTER: Key = Key::Enter;
    pub(crate) const ESCAPE: Key = Key::Escape;
    pub(crate) const TAB: Key = Key::Tab;
    pub(crate) const DOWN: Key = Key::Down;
    pub(crate) const F2: Key = Key::F2;
    pub(crate) const F3: Key = Key::F3;
}

/// The selector of the element whose `data-testid` is `id`.
pub(crate) fn tid(id: &str) -> String {
    format!("[data-testid={id}]")
}

/// Where a screenshot named `name` goes: `target/e2e/<name>`.
pub(crate) fn shot(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/e2e")
        .join(name)
}

/// Repaints one pixel (top left, one or two hundredths of black over the page) every frame
/// for two seconds, then removes it: see [`Window::screenshot`].
const PAINT_PULSE: &str = "const d = document.createElement('div');\
    d.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;pointer-events:none;z-index:2147483647';\
    document.documentElement.append(d); let n = 0; const end = performance.now() + 2000;\
    const f = () => { d.style.background = n++ % 2 ? 'rgba(0,0,0,0.01)' : 'rgba(0,0,0,0.02)';\
    if (performance.now() < end) requestAnimationFrame(f); else d.remove(); };\
    requestAnimationFrame(f); return true;";

/// Runs one WebDriver command within [`COMMAND_LIMIT`].
async fn attempt<T>(fut: impl Future<Output = Result<T, CmdError>>) -> Result<T, String> {
    match tokio::time::timeout(COMMAND_LIMIT, fut).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err(format!("no answer within {COMMAND_LIMIT:?}")),
    }
}

/// Runs one WebDriver command that must succeed: the panic says which step failed.
async fn step<T>(what: impl Display, fut: impl Future<Output = Result<T, CmdError>>) -> T {
    attempt(fut)
        .await
        .unwrap_or_else(|error| panic!("WebDriver could not {what}: {error}"))
}

/// The app's window (whichever of its windows WebDriver is in), through one session.
#[derive(Clone)]
pub(crate) struct Window {
    client: Client,
}

impl Window {
    pub(crate) fn new(client: Client) -> Window {
        Window { client }
    }

    /// Ends the session (the app closes with it). A session already gone is no failure.
    pub(crate) async fn close(&self) {
        let _ = attempt(self.client.clone().close()).await;
    }

    // ---- Finding ----

    /// The first element matching `css`, waiting up to `within` for it to appear.
    pub(crate) async fn find_within(&self, css: &str, within: Duration) -> Element {
        let deadline = Instant::now() + within;
        loop {
            match attempt(self.client.find(Locator::Css(css))).await {
                Ok(element) => return element,
                Err(error) => assert!(
                    Instant::now() < deadline,
                    "no element {css} after {within:?}: {error}"
                ),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The first element matching `css`, waiting up to [`WAIT`] for it to appear.
    pub(crate) async fn find(&self, css: &str) -> Element {
        self.find_within(css, WAIT).await
    }

    /// Waits up to `within` for `css` to be on screen.
    pub(crate) async fn wait_for(&self, css: &str, within: Duration) {
        self.find_within(css, within).await;
    }

    /// How many elements match `css` right now.
    pub(crate) async fn count(&self, css: &str) -> usize {
        attempt(self.client.find_all(Locator::Css(css)))
            .await
            .map(|found| found.len())
            .unwrap_or(0)
    }

    /// Waits until nothing matches `css` (up to [`WAIT`]).
    pub(crate) async fn wait_until_gone(&self, css: &str) {
        let deadline = Instant::now() + WAIT;
        while self.count(css).await > 0 {
            assert!(Instant::now() < deadline, "{css} is still there");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    // ---- Acting ----

    /// Clicks `element`.
    pub(crate) async fn click_on(&self, element: &Element) {
        step("click an element", element.click()).await;
    }

    /// Clicks what `css` names, once it is there.
    pub(crate) async fn click(&self, css: &str) {
        let element = self.find(css).await;
        step(format_args!("click {css}"), element.click()).await;
    }

    /// Types `text` into what `css` names, once it is there.
    pub(crate) async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        step(format_args!("type into {css}"), element.send_keys(text)).await;
    }

    /// Empties the field `css` names.
    pub(crate) async fn clear(&self, css: &str) {
        let element = self.find(css).await;
        step(format_args!("clear {css}"), element.clear()).await;
    }

    /// Empties the field `css` names, then types `text` (nothing when empty).
    pub(crate) async fn replace_text(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        step(format_args!("clear {css}"), element.clear()).await;
        if !text.is_empty() {
            step(format_args!("type into {css}"), element.send_keys(text)).await;
        }
    }

    /// Sends `key` to whatever has the focus, with no pause after: key actions, or where the
    /// driver has none the key typed into the focused element.
    pub(crate) async fn send_key(&self, key: impl Into<char>) {
        let key: char = key.into();
        let actions = KeyActions::new("keyboard".to_string())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        if attempt(self.client.perform_actions(actions)).await.is_err() {
            let active = step("find the focused element", self.client.active_element()).await;
            step(
                "type a key into the focused element",
                active.send_keys(&key.to_string()),
            )
            .await;
        }
        let _ = attempt(self.client.release_actions()).await;
    }

    /// Presses `key` on whatever has the focus, as a keyboard (or a scanner) would, and gives
    /// the page a moment to answer.
    pub(crate) async fn press(&self, key: impl Into<char>) {
        self.send_key(key).await;
        tokio::time::sleep(Duration::from_millis(150)).await;
    }

    /// Goes to a screen by the bar's button (`nav-<screen>`).
    pub(crate) async fn go_to(&self, screen: &str) {
        self.click(&tid(&format!("nav-{screen}"))).await;
    }

    // ---- Reading ----

    /// The rendered text of `element`.
    pub(crate) async fn text_of(&self, element: &Element) -> String {
        step("read an element's text", element.text()).await
    }

    /// The rendered text of what `css` names, once it is there.
    pub(crate) async fn text(&self, css: &str) -> String {
        let element = self.find(css).await;
        step(format_args!("read the text of {css}"), element.text()).await
    }

    /// An attribute of `element` (None when it has none).
    pub(crate) async fn attr_of(&self, element: &Element, name: &str) -> Option<String> {
        step(format_args!("read an element's {name}"), element.attr(name)).await
    }

    /// An attribute of what `css` names, once it is there (None when it has none).
    pub(crate) async fn attr(&self, css: &str, name: &str) -> Option<String> {
        let element = self.find(css).await;
        step(format_args!("read {name} of {css}"), element.attr(name)).await
    }

    /// The value of the field `css` names, once it is there ("" when it has none).
    pub(crate) async fn value(&self, css: &str) -> String {
        self.attr(css, "value").await.unwrap_or_default()
    }

    /// Runs `body` in the page (WebDriver's Execute Script) with `args` (a JSON array) and
    /// gives back what it returns.
    pub(crate) async fn script_with(&self, body: &str, args: Value) -> Value {
        let args = match args {
            Value::Array(args) => args,
            other => vec![other],
        };
        step("run a script", self.client.execute(body, args)).await
    }

    /// Runs `body` in the page with no arguments and gives back what it returns.
    pub(crate) async fn script(&self, body: &str) -> Value {
        self.script_with(body, Value::Array(Vec::new())).await
    }

    /// Runs `body` in the page asynchronously: it ends by calling its last argument.
    pub(crate) async fn script_async(&self, body: &str) -> Value {
        step(
            "run an asynchronous script",
            self.client.execute_async(body, Vec::new()),
        )
        .await
    }

    /// The `data-testid` of the focused element (None when it has none).
    pub(crate) async fn focused_testid(&self) -> Option<String> {
        self.script(
            "const e = document.activeElement; return e ? e.getAttribute('data-testid') : null;",
        )
        .await
        .as_str()
        .map(str::to_string)
    }

    /// Whether the element `css` names (once there) is the one with the focus.
    pub(crate) async fn has_focus(&self, css: &str) -> bool {
        let element = self.find(css).await;
        let active = step("find the focused element", self.client.active_element()).await;
        active.element_id() == element.element_id()
    }

    /// The page's title.
    pub(crate) async fn title(&self) -> Value {
        self.script("return document.title;").await
    }

    /// The page's current DOM, serialized.
    pub(crate) async fn source(&self) -> String {
        step("read the page source", self.client.source()).await
    }

    // ---- Waiting for a state ----

    /// Waits until `css` has attribute `name` == `value`; returns how long it took.
    pub(crate) async fn wait_for_attr(
        &self,
        css: &str,
        name: &str,
        value: &str,
        within: Duration,
    ) -> Duration {
        let start = Instant::now();
        loop {
            let element = self.find_within(css, within).await;
            if self.attr_of(&element, name).await.as_deref() == Some(value) {
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
    pub(crate) async fn wait_for_text(&self, css: &str, text: &str, within: Duration) -> Duration {
        let start = Instant::now();
        loop {
            let element = self.find_within(css, within).await;
            let shown = self.text_of(&element).await;
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
    pub(crate) async fn wait_for_content(&self, css: &str, text: &str, within: Duration) {
        let start = Instant::now();
        loop {
            let shown = self
                .script_with(
                    "const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null;",
                    serde_json::json!([css]),
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

    /// Waits until `css`'s `textContent` (trimmed) holds `part`; gives back all of it: for a
    /// message a test checks a part of (a sentence, then what follows it).
    pub(crate) async fn wait_for_content_holding(
        &self,
        css: &str,
        part: &str,
        within: Duration,
    ) -> String {
        let start = Instant::now();
        loop {
            let shown = self
                .script_with(
                    "const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null;",
                    serde_json::json!([css]),
                )
                .await;
            if let Some(text) = shown.as_str().filter(|text| text.contains(part)) {
                return text.to_string();
            }
            assert!(
                start.elapsed() < within,
                "{css} never held {part:?} within {within:?}: {shown}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    // ---- Frames and windows ----

    /// Moves into the iframe `css` names; [`Window::leave_frame`] comes back. Element
    /// references belong to their frame: find them again once inside.
    pub(crate) async fn enter_frame(&self, css: &str) {
        let frame = self.find(css).await;
        step(
            format_args!("switch into the frame {css}"),
            frame.enter_frame(),
        )
        .await;
    }

    /// Back from a frame to the window.
    pub(crate) async fn leave_frame(&self) {
        step(
            "switch back to the window",
            self.client.enter_parent_frame(),
        )
        .await;
    }

    /// The handle of the window WebDriver is in.
    pub(crate) async fn handle(&self) -> WindowHandle {
        step("read the window's handle", self.client.window()).await
    }

    /// Waits up to `within` for a window other than `known`; returns its handle.
    pub(crate) async fn wait_for_other_window(
        &self,
        known: &WindowHandle,
        within: Duration,
    ) -> WindowHandle {
        let deadline = Instant::now() + within;
        loop {
            let handles = step("list the windows", self.client.windows()).await;
            if let Some(other) = handles.iter().find(|h| *h != known) {
                return other.clone();
            }
            assert!(Instant::now() < deadline, "no other window: {handles:?}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Moves into the window `handle`.
    pub(crate) async fn switch_to(&self, handle: &WindowHandle) {
        step(
            "switch windows",
            self.client.switch_to_window(handle.clone()),
        )
        .await;
    }

    /// Sizes the outer window (WebDriver's Set Window Rect).
    pub(crate) async fn set_outer_size(&self, width: u32, height: u32) {
        step(
            format_args!("size the window to {width}x{height}"),
            self.client.set_window_size(width, height),
        )
        .await;
    }

    // ---- Screenshots and the page's scrolling ----

    /// Keeps a screenshot of the window as `target/e2e/<name>`.
    pub(crate) async fn screenshot(&self, name: &str) {
        // WebKitGTK without accelerated compositing (the app's default, src-tauri/main.rs)
        // answers WebDriver's screenshot after the page's next paint, and a page that shows a
        // final state (Paid, Declined) paints nothing more: the screenshot would wait for ever.
        // One pixel in the corner changes shade each frame for a moment, so a paint comes.
        self.script(PAINT_PULSE).await;
        let png = step(
            format_args!("take the screenshot {name}"),
            self.client.screenshot(),
        )
        .await;
        let path = shot(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, png).unwrap();
    }

    /// Scrolls the page back to its top (clicks lower down scroll it), for a screenshot.
    pub(crate) async fn scroll_to_top(&self) {
        self.script(
            "window.scrollTo(0, 0); document.querySelectorAll('.settings, .reports').forEach((e) => e.scrollTo(0, 0));",
        )
        .await;
    }

    /// Scrolls `css` into view.
    pub(crate) async fn scroll_into_view(&self, css: &str) {
        self.script_with(
            "document.querySelector(arguments[0]).scrollIntoView();",
            serde_json::json!([css]),
        )
        .await;
    }

    // ---- Form controls set the way a picker sets them ----

    /// Picks `value` in the select `testid` the way a person does: a click on its option. The
    /// value the select then holds is checked (WebKitWebDriver clicks options natively).
    pub(crate) async fn choose(&self, testid: &str, value: &str) {
        self.click(&format!("[data-testid={testid}] option[value='{value}']"))
            .await;
        let deadline = Instant::now() + SHORT;
        loop {
            let now = self
                .script_with(
                    "return document.querySelector(`[data-testid=${arguments[0]}]`).value;",
                    serde_json::json!([testid]),
                )
                .await;
            if now == value {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{testid} did not take {value:?}: {now}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Chooses `value` in the select `testid`, as picking it from the list does (value, then
    /// `change`), refusing a value that is not among its choices.
    pub(crate) async fn choose_by_script(&self, testid: &str, value: &str) {
        let answer = self
            .script_with(
                "const e = document.querySelector(`[data-testid=${arguments[0]}]`);\
                 if (![...e.options].some((o) => o.value === arguments[1])) return false;\
                 e.value = arguments[1];\
                 e.dispatchEvent(new Event('change', {bubbles: true}));\
                 return true;",
                serde_json::json!([testid, value]),
            )
            .await;
        assert_eq!(
            answer,
            Value::Bool(true),
            "{value} is not among {testid}'s choices"
        );
    }

    /// Picks a day in the date picker `testid` (YYYY-MM-DD, as the picker holds it whatever it
    /// shows), as choosing it in the calendar does: the value, then `input` and `change`.
    pub(crate) async fn set_day(&self, testid: &str, day: &str) {
        self.script_with(
            "const e = document.querySelector(`[data-testid=${arguments[0]}]`);\
             e.value = arguments[1];\
             e.dispatchEvent(new Event('input', {bubbles: true}));\
             e.dispatchEvent(new Event('change', {bubbles: true}));",
            serde_json::json!([testid, day]),
        )
        .await;
    }
}
