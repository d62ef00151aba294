//! Paydesk's integration tests: one test binary, one module per area. They run the real
//! `paydesk` binary, a real SQLite file, real HTTP on loopback.
//!
//! `keychain::`, `shop::` and `e2e::` tests are `#[ignore]`d in a plain `cargo test`: they need a Secret
//! Service session and a display. `make test` runs them under `dbus-run-session` and Xvfb.

mod backup;
mod cancel;
mod cli;
mod e2e;
mod faults;
mod iotpay;
mod iotpay_card;
mod iotpay_outcomes;
mod iotpay_terminal;
mod keychain;
mod layers;
mod ledger_processes;
mod ledger_scale;
mod outcomes;
mod owner_cli;
mod prepare;
mod receipts;
mod reconcile;
mod sandbox_iotpay;
mod sandbox_smartexpay;
mod sandbox_smartpay;
mod sandbox_smepay;
mod settings;
mod shop;
mod smartexpay;
mod smartpay;
mod smepay;
mod staff;
mod support;
mod tips;
/// The window benchmark (`make bench`; ignored, not part of `make test`).
mod window_bench;
