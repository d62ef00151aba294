//! The ledger: one SQLite file per counter (WAL, foreign keys, append-only events, refunds
//! reserved before the gateway is called), its migrations, the read side (filters as SQL,
//! keyset pages, search, totals, reports), backups, and the `dev seed` generator.

pub mod backup;
pub mod db;
pub mod ledger;
pub mod migrations;
pub mod queries;
pub mod seed;
