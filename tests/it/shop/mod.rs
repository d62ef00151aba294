//! One shop, many counters (issue 14), over real processes and a real PostgreSQL: each test
//! starts its own throwaway cluster (`scripts/pg-cluster.sh`; as root the server runs as the
//! `postgres` user), a database and a role with no superuser rights, and counters that are
//! real `paydesk` processes on their own data directories, selling through the sandbox.
//!
//! `#[ignore]`d in a plain `cargo test`: the shop ledger's password is kept in the OS keychain,
//! so `make test` runs them in the `shop` suite under `dbus-run-session` with a throwaway
//! gnome-keyring (`cargo test --test it -- --ignored shop::`).

pub(crate) mod cluster;
mod membership;
mod refunds;
mod replication;
mod staff;
