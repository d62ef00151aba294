//! Paydesk's core: the payment service (validate, write, call, follow), settings, the order
//! filter, views and reports, CSV export, the notification receiver, the first start, the
//! owner's PIN, and the shop (joining the shop ledger, replication, refunds reserved there). It knows nothing of Tauri: the window and the CLI are thin layers over it.

pub mod config;
pub mod export;
pub mod filters;
pub mod notify;
pub mod owner;
pub mod payments;
pub mod qr;
pub mod reports;
pub mod settings;
pub mod setup;
pub mod shop;
pub mod views;
