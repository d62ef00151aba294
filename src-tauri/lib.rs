//! Paydesk's core: money, orders, the ledger, the vault, the gateway adapters, the embedded
//! sandbox and the payment service that ties them together. Nothing in this crate imports
//! tauri: the window (`shell/`) and the CLI (`cli.rs`) are thin layers in the binary.

pub mod backup;
pub mod config;
pub mod db;
pub mod error;
pub mod export;
pub mod filters;
pub mod gateways;
pub mod ledger;
pub mod money;
pub mod notify;
pub mod order;
pub mod owner;
pub mod payments;
pub mod qr;
pub mod queries;
pub mod reports;
pub mod sandbox;
pub mod seed;
pub mod settings;
pub mod setup;
pub mod signing;
pub mod vault;
pub mod views;
pub mod zone;

pub use error::{Error, Result};
