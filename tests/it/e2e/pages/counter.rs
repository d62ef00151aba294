//! The counter: the amount, the method, Create (or Enter), then the sale on screen until it is
//! paid, declined or cancelled; the strip of sales left waiting and the notices of payments.

use std::time::Duration;

use super::super::window::{keys, tid, Window, LONG, SHORT, START, WAIT};

const AMOUNT: &str = "[data-testid=amount-input]";
const STATUS: &str = "[data-testid=order-status]";

/// The counter screen of `window`.
pub(crate) struct Counter<'a>(pub(crate) &'a Window);

impl Counter<'_> {
    /// Waits for the counter to be ready for a sale (the app just started): the amount field.
    pub(crate) async fn ready(&self) {
        self.0.wait_for(AMOUNT, START).await;
    }

    /// Waits for the entry form (back from a sale): the amount field.
    pub(crate) async fn wait_for_entry(&self) {
        self.0.wait_for(AMOUNT, SHORT).await;
    }

    /// Types `amount` into the amount field (after whatever it holds).
    pub(crate) async fn type_amount(&self, amount: &str) {
        self.0.type_into(AMOUNT, amount).await;
    }

    /// Empties the amount field and types `amount`.
    pub(crate) async fn set_amount(&self, amount: &str) {
        self.0.replace_text(AMOUNT, amount).await;
    }

    /// What the amount field holds.
    pub(crate) async fn amount_value(&self) -> String {
        self.0.value(AMOUNT).await
    }

    /// Clicks into the amount field.
    pub(crate) async fn click_amount(&self) {
        self.0.click(AMOUNT).await;
    }

    /// Presses Enter in the amount field, as a cashier (or a scanner) ends the amount.
    pub(crate) async fn press_enter(&self) {
        self.0.type_into(AMOUNT, &keys::ENTER.to_string()).await;
    }

    /// Picks how the customer pays: the method's button (`method-<key>`).
    pub(crate) async fn pick_method(&self, method: &str) {
        self.0.click(&tid(&format!("method-{method}"))).await;
    }

    /// Whether the counter offers `method` at all.
    pub(crate) async fn offers(&self, method: &str) -> bool {
        self.0.count(&tid(&format!("method-{method}"))).await > 0
    }

    /// The methods the counter shows, in its order (their keys).
    pub(crate) async fn methods(&self) -> Vec<String> {
        let shown = self
            .0
            .script(
                "return Array.from(document.querySelectorAll('[data-testid^=method-]'))\
                 .filter((e) => e.offsetParent !== null)\
                 .map((e) => e.getAttribute('data-testid').slice('method-'.length));",
            )
            .await;
        shown
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|m| m.as_str().map(str::to_string))
            .collect()
    }

    /// Waits until the counter offers exactly `methods` (in any order).
    pub(crate) async fn wait_for_methods(&self, methods: &[&str]) {
        let mut want: Vec<&str> = methods.to_vec();
        want.sort();
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let mut shown = self.methods().await;
            shown.sort();
            if shown == want {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the counter offers only the shop's methods {want:?}: {shown:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks Create.
    pub(crate) async fn create(&self) {
        self.0.click(&tid("create-button")).await;
    }

    /// A whole sale started the way a cashier does: the method, the amount, Create.
    pub(crate) async fn start_sale(&self, method: &str, amount: &str) {
        self.0
            .find_within(&tid(&format!("method-{method}")), START)
            .await;
        self.pick_method(method).await;
        self.set_amount(amount).await;
        self.create().await;
    }

    /// Types a scanned payment code into the scanner field, then Enter, as a scanner does.
    pub(crate) async fn scan(&self, code: &str) {
        self.0
            .type_into(&tid("barcode-input"), &format!("{code}{}", keys::ENTER))
            .await;
    }

    /// Waits for the sale's QR.
    pub(crate) async fn wait_for_qr(&self) {
        self.0.wait_for("[data-testid=qr] svg", LONG).await;
    }

    /// Waits until the sale on screen is `status` (its `data-status`); how long it took.
    pub(crate) async fn wait_for_status(&self, status: &str, within: Duration) -> Duration {
        self.0
            .wait_for_attr(STATUS, "data-status", status, within)
            .await
    }

    /// Waits until the sale's status says `words` (as the cashier reads it).
    pub(crate) async fn wait_for_status_words(&self, words: &str) {
        self.0
            .wait_for_text(STATUS, words, Duration::from_secs(2))
            .await;
    }

    /// The sale's status as the cashier reads it.
    pub(crate) async fn status_words(&self) -> String {
        self.0.text(STATUS).await
    }

    /// The sale's amount as shown ("12.50 CAD").
    pub(crate) async fn amount_shown(&self) -> String {
        self.0.text(&tid("order-amount")).await
    }

    /// The sale's number as shown: short, "…" and its last characters.
    pub(crate) async fn number_shown(&self) -> String {
        self.0.text(&tid("order-number")).await
    }

    /// The sale's whole number (the shown number's title).
    pub(crate) async fn order_number(&self) -> String {
        self.0
            .attr(&tid("order-number"), "title")
            .await
            .unwrap_or_default()
    }

    /// The payment link the QR encodes: the waiting screen offers it (Copy link / Open) and
    /// keeps it in the title.
    pub(crate) async fn payment_link(&self) -> String {
        self.0
            .attr(&tid("open-link"), "title")
            .await
            .expect("the payment link is offered")
    }

    /// The sale on screen: its ledger id and status.
    pub(crate) async fn sale_on_screen(&self) -> (String, String) {
        let sale = self.0.find_within(&tid("sale"), LONG).await;
        let id = self
            .0
            .attr_of(&sale, "data-order-id")
            .await
            .unwrap_or_default();
        let status = self.0.attr(STATUS, "data-status").await.unwrap_or_default();
        (id, status)
    }

    /// Clicks New sale (once the sale is over).
    pub(crate) async fn new_sale(&self) {
        self.0.click(&tid("new-sale-button")).await;
    }

    /// Waits for New sale to be offered (the sale is over).
    pub(crate) async fn wait_for_new_sale(&self) {
        self.0.wait_for(&tid("new-sale-button"), SHORT).await;
    }

    /// "Keep waiting in the background": the sale goes to the strip.
    pub(crate) async fn keep_waiting(&self) {
        self.0.click(&tid("keep-waiting-button")).await;
    }

    /// The selector of sale `id` in the strip of waiting sales.
    pub(crate) fn waiting_sale(id: &str) -> String {
        format!("[data-testid=waiting-sale][data-order-id='{id}']")
    }

    /// The selector of the notice that sale `id` was paid, or of one of its parts (`part`
    /// a testid inside it).
    pub(crate) fn paid_notice(id: &str, part: &str) -> String {
        format!("[data-testid=paid-notice][data-order-id='{id}'] [data-testid={part}]")
    }

    /// Clicks Cancel sale; the counter asks first.
    pub(crate) async fn cancel_sale(&self) {
        self.0.click(&tid("cancel-sale-button")).await;
    }

    /// Answers the question Cancel sale asks: yes cancels, no keeps the sale.
    pub(crate) async fn confirm_cancel(&self, yes: bool) {
        let answer = if yes {
            "cancel-confirm-yes"
        } else {
            "cancel-confirm-no"
        };
        self.0.click(&tid(answer)).await;
    }
}
