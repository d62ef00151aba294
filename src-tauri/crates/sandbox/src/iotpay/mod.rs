//! The sandbox's IOTPay: the v1 API for wallets (WeChat Pay, Alipay, UnionPay QR codes, links
//! and scanned codes; `v1/`) and the V3 card API (`card/`), one merchant key for both; the
//! orders they share (`store.rs`), the customer's payment page behind every QR and link
//! (`page.rs`), the PAX card terminal its CC_PAX orders wait on (`terminal.rs`) and the
//! notifications a paid order sends (`notifier.rs`).

mod card;
pub mod notifier;
mod page;
mod store;
pub mod terminal;
mod v1;

use axum::Router;

use crate::SandboxState;
pub use store::{SandboxOrder, CARD_APPROVE, CARD_DECLINE, CARD_TIMEOUT};

/// The gateway's APIs, v1 and V3 (the fault middleware goes in front of them).
pub(crate) fn routes() -> Router<SandboxState> {
    Router::new().merge(v1::routes()).merge(card::routes())
}

/// The customer's side: the payment page, the card terminal, the card form and its script
/// (no faults).
pub(crate) fn page_routes() -> Router<SandboxState> {
    Router::new()
        .merge(page::routes())
        .merge(terminal::routes())
        .merge(card::page_routes())
}
