//! The owner's Orders list: its filters, its totals per currency, the rows the list renders
//! (only those in view), an order's detail opened from its row, and the CSV export panel.

use std::collections::BTreeMap;
use std::time::Duration;

use super::super::window::{tid, Window, LONG, SHORT, START, WAIT};

const TOTALS: &str = "[data-testid=orders-totals]";

/// Per currency: (orders that took money, takings = taken minus refunded, refunded), minor units.
pub(crate) type Sums = BTreeMap<String, (u64, i64, i64)>;

/// The Orders screen of `window`.
pub(crate) struct Orders<'a>(pub(crate) &'a Window);

impl Orders<'_> {
    /// Opens Orders from the bar and waits for its table.
    pub(crate) async fn open(&self) {
        self.0.wait_for(&tid("nav-orders"), START).await;
        self.0.go_to("orders").await;
        self.0.wait_for(&tid("orders-table"), LONG).await;
    }

    /// Waits for the first row.
    pub(crate) async fn wait_for_rows(&self, within: Duration) {
        self.0.wait_for(&tid("order-row"), within).await;
    }

    /// The selector of order `id`'s row, or of `inner` (a selector) inside it.
    pub(crate) fn row(id: &str, inner: &str) -> String {
        format!("[data-testid=order-row][data-order-id='{id}'] {inner}")
            .trim_end()
            .to_string()
    }

    /// Opens order `id`'s detail by a click on its row.
    pub(crate) async fn open_order(&self, id: &str) {
        self.0.click(&Orders::row(id, "td.mono")).await;
    }

    /// Waits until order `id`'s row shows `status`.
    pub(crate) async fn wait_for_row_status(&self, id: &str, status: &str) {
        self.0
            .wait_for_attr(
                &Orders::row(id, "[data-status]"),
                "data-status",
                status,
                WAIT,
            )
            .await;
    }

    /// Waits until the header's `name` attribute (`data-count`, `data-cancelled` ...) is `value`.
    pub(crate) async fn wait_for_totals(&self, name: &str, value: &str, within: Duration) {
        self.0.wait_for_attr(TOTALS, name, value, within).await;
    }

    /// Waits until the header counts `count` orders.
    pub(crate) async fn wait_for_count(&self, count: usize, within: Duration) {
        self.wait_for_totals("data-count", &count.to_string(), within)
            .await;
    }

    /// The header's `name` attribute.
    pub(crate) async fn totals_attr(&self, name: &str) -> Option<String> {
        self.0.attr(TOTALS, name).await
    }

    /// The takings the header shows for `currency` (minor units, its `data-takings-minor`).
    pub(crate) async fn takings(&self, currency: &str) -> Option<String> {
        self.0
            .attr(&tid(&format!("total-{currency}")), "data-takings-minor")
            .await
    }

    /// The header's figures per currency, as its `data-` attributes hold them.
    pub(crate) async fn sums(&self) -> Sums {
        let shown = self
            .0
            .script(
                "return Array.from(document.querySelectorAll('[data-testid=orders-totals] [data-currency]'))\
                 .map((t) => [t.dataset.currency, Number(t.dataset.paidCount), Number(t.dataset.takingsMinor), Number(t.dataset.refundedMinor)]);",
            )
            .await;
        shown
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t[0].as_str().unwrap().to_string(),
                    (
                        t[1].as_u64().unwrap(),
                        t[2].as_i64().unwrap(),
                        t[3].as_i64().unwrap(),
                    ),
                )
            })
            .collect()
    }

    /// The rows in the DOM right now: (index in the list, order id), in order.
    pub(crate) async fn rendered_rows(&self) -> Vec<(usize, i64)> {
        let rows = self
            .0
            .script(
                "return Array.from(document.querySelectorAll('[data-testid=order-row]'))\
                 .map((r) => [Number(r.dataset.index), Number(r.dataset.orderId)]);",
            )
            .await;
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| (r[0].as_u64().unwrap() as usize, r[1].as_i64().unwrap()))
            .collect()
    }

    /// Replaces the text of a filter field (`filter-min`, `order-search` ...).
    pub(crate) async fn type_filter(&self, testid: &str, text: &str) {
        self.0.replace_text(&tid(testid), text).await;
    }

    /// Waits for the problem named beside a filter (`filter-error-<field>`); its words.
    pub(crate) async fn filter_error(&self, field: &str) -> String {
        let error = self
            .0
            .find_within(&tid(&format!("filter-error-{field}")), WAIT)
            .await;
        self.0.text_of(&error).await
    }

    /// Clicks Clear filters.
    pub(crate) async fn clear_filters(&self) {
        self.0.click(&tid("filters-clear")).await;
    }

    /// Opens the export panel and waits for its columns.
    pub(crate) async fn open_export(&self) {
        self.0.click(&tid("export-open")).await;
        self.0.wait_for(&tid("export-col-id"), SHORT).await;
    }

    /// Replaces the export's path.
    pub(crate) async fn export_to(&self, path: &std::path::Path) {
        self.type_filter("export-path", &path.display().to_string())
            .await;
    }

    /// Clicks Export (the PIN is asked next).
    pub(crate) async fn submit_export(&self) {
        self.0.click(&tid("export-submit")).await;
    }

    /// Waits until the export says it wrote `rows` rows.
    pub(crate) async fn wait_for_export(&self, rows: usize, within: Duration) {
        self.0
            .wait_for_attr(&tid("export-done"), "data-rows", &rows.to_string(), within)
            .await;
    }
}
