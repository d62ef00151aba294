//! Settings > Updates (issue 18): the version running, why a check waits (a sale open), Check
//! for updates, Install with the owner's PIN, the refusal of an update that does not verify,
//! Restart once one is installed.

use std::time::Duration;

use serde_json::Value;

use super::super::window::{tid, Window, LONG, SHORT, WAIT};

const CHECK: &str = "[data-testid=updates-check]";
const MESSAGE: &str = "[data-testid=updates-message]";
const ERROR: &str = "[data-testid=updates-error]";
const RESTART: &str = "[data-testid=updates-restart]";

/// Waits for the update server's answer to a check (the version it offers, or none newer).
const ANSWER: Duration = Duration::from_secs(30);
/// Waits for an install: the download, the signature checked, the file replaced (or not).
const INSTALL: Duration = Duration::from_secs(60);

/// The Updates section of Settings in `window`.
pub(crate) struct Updates<'a>(pub(crate) &'a Window);

impl Updates<'_> {
    /// Waits until the section says which version is running, holding `words`.
    pub(crate) async fn wait_for_running(&self, words: &str) {
        self.0
            .wait_for_content_holding(&tid("updates-running"), words, WAIT)
            .await;
    }

    /// Waits until the section says why a check waits, holding `part`; all its words.
    pub(crate) async fn wait_for_reason(&self, part: &str) -> String {
        self.0
            .wait_for_content_holding(&tid("updates-blocked"), part, LONG)
            .await
    }

    /// Whether the section says a check must wait.
    pub(crate) async fn is_blocked(&self) -> bool {
        self.0.count(&tid("updates-blocked")).await > 0
    }

    /// Whether Check for updates is there but disabled.
    pub(crate) async fn check_is_disabled(&self) -> bool {
        self.0.attr(CHECK, "disabled").await.is_some()
    }

    /// Clicks Check for updates.
    pub(crate) async fn check(&self) {
        self.0.click(CHECK).await;
    }

    /// Sends the check command itself, past the button, as a script in the page could:
    /// `{ ok: <answer> }` or `{ err: <the app's error> }`.
    pub(crate) async fn check_by_command(&self) -> Value {
        self.0
            .script(
                "return window.__TAURI_INTERNALS__.invoke('update_check').then((r) => ({ ok: r }), (e) => ({ err: e }));",
            )
            .await
    }

    /// Waits until the section's message holds `part` (the check's or the install's answer);
    /// all its words.
    pub(crate) async fn wait_for_message(&self, part: &str, within: Duration) -> String {
        self.0.wait_for_content_holding(MESSAGE, part, within).await
    }

    /// Waits until a check says the running version is the newest.
    pub(crate) async fn wait_for_newest(&self, version: &str) {
        self.wait_for_message(&format!("Paydesk {version} is the newest version."), ANSWER)
            .await;
    }

    /// Checks, which must offer `version`, then Install with the owner's `pin`.
    pub(crate) async fn check_and_install(&self, version: &str, pin: &str) {
        self.check().await;
        self.wait_for_message(&format!("Paydesk {version} is available."), ANSWER)
            .await;
        self.0.click(&tid("updates-install")).await;
        self.0.pin().enter(pin).await;
    }

    /// Waits until the install says `version` is installed and offers Restart.
    pub(crate) async fn wait_for_installed(&self, version: &str) {
        self.wait_for_message(
            &format!("Paydesk {version} is installed: restart Paydesk to run it."),
            INSTALL,
        )
        .await;
        self.0.wait_for(RESTART, SHORT).await;
    }

    /// Waits until the section's error holds `part` (an install refused); all its words.
    pub(crate) async fn wait_for_refusal(&self, part: &str) -> String {
        self.0.wait_for_content_holding(ERROR, part, INSTALL).await
    }

    /// Whether the section shows an error.
    pub(crate) async fn shows_error(&self) -> bool {
        self.0.count(ERROR).await > 0
    }

    /// Whether Restart is offered.
    pub(crate) async fn offers_restart(&self) -> bool {
        self.0.count(RESTART).await > 0
    }

    /// A screenshot of the section (scrolled to the middle of the window, painted) as
    /// `target/e2e/<name>`.
    pub(crate) async fn screenshot(&self, name: &str) {
        self.0
            .script(
                "document.querySelector('[data-testid=settings-updates]').scrollIntoView({ block: 'center' });",
            )
            .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        self.0.screenshot(name).await;
    }
}
