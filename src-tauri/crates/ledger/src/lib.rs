//! The ledger: one SQLite file per counter (WAL, foreign keys, append-only events, refunds
//! reserved before the gateway is called), its migrations, the read side (filters as SQL,
//! keyset pages, search, totals, reports), backups, the `dev seed` generator, and for a shop
//! of several counters the PostgreSQL shop ledger each counter's file replicates to and from.
//!
//! The modules, each using only those above it:
//! - `db`: opening a SQLite file (WAL, busy timeout, owner-only), write transactions, retries;
//! - `migrations`: the schema, as numbered `.sql` files embedded at build time;
//! - `snapshot`: consistent copies of the ledger file, checked and written back (the backup
//!   taken before a migration);
//! - `ledger`: the `Ledger` handle and one module per table family, writes and reads by key;
//! - `queries`: the read side at scale (lists, search, totals, reports);
//! - `shop`: the shop ledger in PostgreSQL that counters push to and pull from;
//! - `backup`: the owner's backups (manual, daily, restore, status);
//! - `seed`: a realistic ledger for development and the benchmark.

pub mod backup;
pub mod db;
pub mod ledger;
pub mod migrations;
pub mod queries;
pub mod seed;
pub mod shop;
mod snapshot;
