//! An order's detail, opened from the Orders list: its status, refunds and voids (with the
//! PIN), what a waiting order offers (Check now, Cancel, Reopen on the counter), and its
//! technical details.

use std::time::Duration;

use super::super::window::{tid, Window, LONG, SHORT};

const STATUS: &str = "[data-testid=order-detail] .summary [data-status]";
const REFUND_ROW: &str = "[data-testid=refunds-list] [data-testid=refund-row]";

/// The order detail of `window`.
pub(crate) struct Detail<'a>(pub(crate) &'a Window);

impl Detail<'_> {
    /// Waits until the order shown is `status` (its `data-status`).
    pub(crate) async fn wait_for_status(&self, status: &str, within: Duration) {
        self.0
            .wait_for_attr(STATUS, "data-status", status, within)
            .await;
    }

    /// Waits for the detail's summary.
    pub(crate) async fn wait_for_summary(&self, within: Duration) {
        self.0
            .wait_for("[data-testid=order-detail] .summary", within)
            .await;
    }

    /// Whether the detail offers a void.
    pub(crate) async fn offers_void(&self) -> bool {
        self.0.count(&tid("void-button")).await > 0
    }

    /// Clicks Refund: the refund form, prefilled with all that is left.
    pub(crate) async fn start_refund(&self) {
        self.0.click(&tid("refund-button")).await;
    }

    /// What the refund form's amount holds.
    pub(crate) async fn refund_amount(&self) -> Option<String> {
        self.0.attr(&tid("refund-amount"), "value").await
    }

    /// Replaces the refund form's amount.
    pub(crate) async fn set_refund_amount(&self, amount: &str) {
        self.0.replace_text(&tid("refund-amount"), amount).await;
    }

    /// Sends the refund form (the PIN is asked next).
    pub(crate) async fn submit_refund(&self) {
        self.0.click(&tid("refund-submit")).await;
    }

    /// Clicks Void, types the reason and sends it (the PIN is asked next).
    pub(crate) async fn void(&self, reason: &str) {
        self.0.click(&tid("void-button")).await;
        self.0.type_into(&tid("refund-reason"), reason).await;
        self.0.click(&tid("void-submit")).await;
    }

    /// Waits until the (first) refund row has `name` == `value`.
    pub(crate) async fn wait_for_refund(&self, name: &str, value: &str) {
        self.0.wait_for_attr(REFUND_ROW, name, value, LONG).await;
    }

    /// How many refund rows match `filter` (attribute selectors, e.g. `[data-status=pending]`).
    pub(crate) async fn refunds(&self, filter: &str) -> usize {
        self.0
            .count(&format!("[data-testid=refund-row]{filter}"))
            .await
    }

    /// The words of the (first) refund row.
    pub(crate) async fn refund_words(&self) -> String {
        self.0.text(&tid("refund-row")).await
    }

    /// Clicks Resend on a refund whose answer was lost (the PIN is asked next).
    pub(crate) async fn resend_refund(&self) {
        self.0.click(&tid("refund-resend")).await;
    }

    /// Closes the detail.
    pub(crate) async fn close(&self) {
        self.0.click("[data-testid=order-detail] .close").await;
    }

    /// Waits for a waiting order's actions (Check now, Cancel, Reopen on the counter).
    pub(crate) async fn wait_for_waiting_actions(&self) {
        self.0
            .wait_for(&tid("waiting-actions"), super::super::window::WAIT)
            .await;
    }

    /// Clicks Check now; the words of what the gateway said.
    pub(crate) async fn check_now(&self) -> String {
        self.0.click(&tid("check-now")).await;
        let done = self.0.find_within(&tid("owner-action-done"), LONG).await;
        self.0.text_of(&done).await
    }

    /// Clicks Cancel on a waiting order; the question asked back.
    pub(crate) async fn cancel_order(&self) -> String {
        self.0.click(&tid("cancel-sale")).await;
        let question = self.0.find_within(&tid("cancel-confirm"), SHORT).await;
        self.0.text_of(&question).await
    }

    /// Confirms the cancel.
    pub(crate) async fn confirm_cancel(&self) {
        self.0.click(&tid("cancel-confirm-button")).await;
    }

    /// Clicks Reopen on the counter.
    pub(crate) async fn reopen_on_counter(&self) {
        self.0.click(&tid("reopen-on-counter")).await;
    }
}
