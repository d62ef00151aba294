//! The owner's PIN dialog: every owner action (a refund, a void, an export, a setting saved)
//! asks for the PIN in it first.

use super::super::window::{keys, tid, Window, LONG, WAIT};

const INPUT: &str = "[data-testid=pin-input]";

/// The PIN dialog of `window`.
pub(crate) struct Pin<'a>(pub(crate) &'a Window);

impl Pin<'_> {
    /// Types `pin` into the dialog (once it opens) and confirms it with Enter.
    pub(crate) async fn enter(&self, pin: &str) {
        self.0
            .type_into(INPUT, &format!("{pin}{}", keys::ENTER))
            .await;
    }

    /// Types `text` into the PIN field without confirming (a digit, or a key).
    pub(crate) async fn type_text(&self, text: &str) {
        self.0.type_into(INPUT, text).await;
    }

    /// Clicks Confirm.
    pub(crate) async fn confirm(&self) {
        self.0.click(&tid("pin-submit")).await;
    }

    /// What the PIN field holds.
    pub(crate) async fn value(&self) -> String {
        self.0.value(INPUT).await
    }

    /// Waits for the dialog.
    pub(crate) async fn wait_for_dialog(&self) {
        self.0.wait_for(&tid("pin-dialog"), WAIT).await;
    }

    /// Whether the dialog is open.
    pub(crate) async fn is_open(&self) -> bool {
        self.0.count(&tid("pin-dialog")).await > 0
    }

    /// Waits until the dialog asks `question` (what the action does, in figures and words).
    pub(crate) async fn wait_for_question(&self, question: &str) {
        self.0
            .wait_for_text(&tid("pin-confirmation"), question, WAIT)
            .await;
    }

    /// Waits for the dialog's refusal of a wrong PIN; its words.
    pub(crate) async fn wait_for_refusal(&self) -> String {
        let error = self.0.find_within(&tid("pin-error"), LONG).await;
        self.0.text_of(&error).await
    }

    /// How many tries the refusal says are left (its `data-tries-left`).
    pub(crate) async fn tries_left(&self) -> Option<String> {
        self.0.attr(&tid("pin-error"), "data-tries-left").await
    }

    /// Waits until the dialog is gone.
    pub(crate) async fn wait_until_closed(&self) {
        self.0.wait_until_gone(&tid("pin-dialog")).await;
    }
}
