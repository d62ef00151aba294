//! Paydesk's core: the payment service (validate, write, call, follow), settings, the order
//! filter, views and reports, CSV export, the notification receiver, the first start, staff
//! (roles, PINs, who may do what), shifts and their X/Z reports, and the shop (joining the shop ledger, replication, refunds reserved there). It knows nothing of Tauri: the window and the CLI are thin layers over it.

pub mod config;
pub mod export;
pub mod filters;
pub mod language;
pub mod notify;
pub mod payments;
pub mod pdf;
pub mod qr;
pub mod receipts;
pub mod reports;
pub mod settings;
pub mod setup;
pub mod shifts;
pub mod shop;
pub mod staff;
pub mod tips;
pub mod views;
pub mod words;
