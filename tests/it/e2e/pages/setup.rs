//! The first-start setup: the shop's name, currency, the owner's PIN twice and the methods
//! the counter offers.

use super::super::window::{tid, Window, SHORT, START};

/// The setup screen of `window`.
pub(crate) struct Setup<'a>(pub(crate) &'a Window);

impl Setup<'_> {
    /// Waits for the setup (a new data folder opens on it).
    pub(crate) async fn wait_for_it(&self) {
        self.0.wait_for(&tid("setup"), START).await;
    }

    /// Types into one of the setup's fields (`setup-<field>`).
    pub(crate) async fn type_into(&self, field: &str, text: &str) {
        self.0
            .type_into(&tid(&format!("setup-{field}")), text)
            .await;
    }

    /// Ticks (or unticks) a method.
    pub(crate) async fn tick_method(&self, method: &str) {
        self.0.click(&tid(&format!("setup-method-{method}"))).await;
    }

    /// Clicks Finish.
    pub(crate) async fn finish(&self) {
        self.0.click(&tid("setup-submit")).await;
    }

    /// Waits for the problem named beside `field` (`setup-error-<field>`).
    pub(crate) async fn wait_for_error(&self, field: &str) {
        self.0
            .wait_for(&tid(&format!("setup-error-{field}")), SHORT)
            .await;
    }
}
