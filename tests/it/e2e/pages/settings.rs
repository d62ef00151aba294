//! Settings (F4's screen): the shop, the methods, the accounts' credentials, the connection
//! details under Advanced, the mode, the theme, the owner's PIN and the last backup.

use std::time::Duration;

use super::super::window::{tid, Window, LONG, SHORT, START, WAIT};

/// The Settings screen of `window`.
pub(crate) struct Settings<'a>(pub(crate) &'a Window);

impl Settings<'_> {
    /// Opens Settings from the bar.
    pub(crate) async fn open(&self) {
        self.0.wait_for(&tid("nav-settings"), START).await;
        self.0.go_to("settings").await;
    }

    /// Opens Settings and checks the owner PIN is set, as the first-start setup left it:
    /// owner actions ask for it from the first start.
    pub(crate) async fn open_with_the_pin_set(&self) {
        self.open().await;
        self.0
            .wait_for_text(
                &tid("settings-pin-state"),
                "The PIN is set. To change it, type the one you use now and the new one twice.",
                WAIT,
            )
            .await;
        // Changing it needs the current one.
        self.0.wait_for(&tid("settings-pin-current"), SHORT).await;
    }

    /// Opens (or closes) Advanced.
    pub(crate) async fn toggle_advanced(&self) {
        self.0.click(&tid("settings-advanced-toggle")).await;
    }

    /// Waits until `testid` says `words`.
    pub(crate) async fn wait_for_words(&self, testid: &str, words: &str, within: Duration) {
        self.0.wait_for_text(&tid(testid), words, within).await;
    }

    /// Waits until a save's note (`testid`) says Saved.
    pub(crate) async fn wait_for_saved(&self, testid: &str) {
        self.wait_for_words(testid, "Saved", LONG).await;
    }

    /// Waits until the account `account` (`iotpay-test` ...) is said to be `words`.
    pub(crate) async fn wait_for_account(&self, account: &str, words: &str, within: Duration) {
        self.wait_for_words(&format!("cred-status-{account}"), words, within)
            .await;
    }

    /// The selector of the credential field `field` of `account` (`cred-iotpay-test-key`).
    pub(crate) fn credential(account: &str, field: &str) -> String {
        tid(&format!("cred-{account}-{field}"))
    }

    /// Types into one of the PIN-change fields (`current`, `new`, `repeat`).
    pub(crate) async fn type_pin(&self, field: &str, text: &str) {
        self.0
            .type_into(&tid(&format!("settings-pin-{field}")), text)
            .await;
    }

    /// Empties one of the PIN-change fields.
    pub(crate) async fn clear_pin(&self, field: &str) {
        self.0.clear(&tid(&format!("settings-pin-{field}"))).await;
    }

    /// The state of the last backup: its `data-stale` once it is `stale`; its words.
    pub(crate) async fn wait_for_backup_state(&self, stale: bool) -> String {
        let state = tid("settings-backup-state");
        self.0
            .wait_for_attr(&state, "data-stale", &stale.to_string(), WAIT)
            .await;
        self.0.text(&state).await
    }
}
