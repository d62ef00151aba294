//! The Shift screen (F7): the shift open at this counter or "Open shift", its X report, Close
//! shift (the Z report, sealed), the sales still waiting at a close, the shifts before.

use super::super::window::{tid, Window, LONG, SHORT, START};

const REPORT: &str = "[data-testid=shift-report]";

impl Window {
    pub(crate) fn shift(&self) -> Shift<'_> {
        Shift(self)
    }
}

/// The Shift screen of `window`.
pub(crate) struct Shift<'a>(pub(crate) &'a Window);

impl Shift<'_> {
    /// Opens the Shift screen from the bar.
    pub(crate) async fn open(&self) {
        self.0.wait_for(&tid("nav-shift"), START).await;
        self.0.go_to("shift").await;
        self.0.wait_for(&tid("shift-now"), LONG).await;
    }

    /// Whether a shift is open, as the screen says.
    pub(crate) async fn is_open(&self) -> bool {
        self.0.attr(&tid("shift-now"), "data-open").await.as_deref() == Some("true")
    }

    /// The screen's heading ("Shift 1 is open").
    pub(crate) async fn title(&self) -> String {
        self.0.text(&tid("shift-title")).await
    }

    /// Clicks Open shift and waits for the shift to be open.
    pub(crate) async fn open_shift(&self) {
        self.0.click(&tid("shift-open")).await;
        self.0
            .wait_for_attr(&tid("shift-now"), "data-open", "true", LONG)
            .await;
    }

    /// Reads the X report (the open shift as it is now).
    pub(crate) async fn read_x(&self) {
        self.0.click(&tid("shift-x")).await;
        self.wait_for_report("X").await;
    }

    /// Close shift, then its confirmation: the Z report comes back (or the waiting sales).
    pub(crate) async fn close(&self) {
        self.0.click(&tid("shift-close")).await;
        self.0.wait_for(&tid("shift-close-confirm"), SHORT).await;
        self.0.click(&tid("shift-close-confirm-button")).await;
    }

    /// Waits for the report of `kind` ("X" or "Z").
    pub(crate) async fn wait_for_report(&self, kind: &str) {
        self.0.wait_for_attr(REPORT, "data-kind", kind, LONG).await;
    }

    /// The net the report shows for `currency`, in minor units (its `data-net-minor`).
    pub(crate) async fn net_minor(&self, currency: &str) -> i64 {
        self.0
            .attr(
                &format!("[data-testid=shift-net][data-currency={currency}]"),
                "data-net-minor",
            )
            .await
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no net in {currency}"))
    }

    /// The net as the report words it ("15.00 CAD").
    pub(crate) async fn net_words(&self, currency: &str) -> String {
        self.0
            .text(&format!(
                "[data-testid=shift-net][data-currency={currency}]"
            ))
            .await
            .trim()
            .to_string()
    }

    /// The words of the line `key` of a currency's figures (`sales`, `refunds` ...).
    pub(crate) async fn line(&self, key: &str) -> String {
        self.0
            .text(&tid(&format!("shift-line-{key}")))
            .await
            .trim()
            .to_string()
    }

    /// Whether the report is marked Sealed.
    pub(crate) async fn sealed(&self) -> bool {
        self.0.count(&tid("shift-sealed")).await > 0
    }

    /// The report's span (who opened and closed it, and when).
    pub(crate) async fn span(&self) -> String {
        self.0.text(&tid("shift-span")).await
    }
}
