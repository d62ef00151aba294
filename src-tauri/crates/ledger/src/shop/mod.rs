//! The shop ledger: one PostgreSQL database that every counter of a shop pushes its ledger to
//! and pulls the others' from (ARCHITECTURE.md: each desk reads a local replica, its SQLite).
//!
//! The modules, each using only those above it:
//! - `address`: the shop ledger's URL, its password kept apart, TLS by `sslmode`;
//! - `connect`: a connection (rustls when TLS is asked for; off for loopback);
//! - `schema`: the migrations of `migrations-postgres/`, embedded and versioned like SQLite's;
//! - `counters`: joining and leaving (names unique in the shop, a number for order numbers);
//! - `push`: this ledger's outbox into the shop, idempotent, in order;
//! - `pull`: the others' changes into this ledger, from the change number it has;
//! - `reserve`: a refund or void reserved in one transaction that locks the order.
//!
//! Every write takes `shop_write_lock()` first and stamps its rows with the next change
//! number, so change numbers are committed in order and a pull never skips one (migration 1).

mod address;
mod connect;
mod counters;
mod pull;
mod push;
mod reserve;
mod schema;

pub use address::ShopAddress;
pub use connect::{connect, Shop, CHANNEL};
pub use counters::{check_counter_name, CounterRow};
pub use reserve::Reservation;
pub use schema::schema_version;

use paydesk_domain::error::Error;

/// A PostgreSQL error as the core's: a connection that could not be made or was lost is
/// `ShopUnreachable` (the counter keeps selling; what needs the shop waits); anything the
/// server refused is `Shop`, with its message.
pub(crate) fn pg_error(e: postgres::Error) -> Error {
    match e.as_db_error() {
        Some(db) => Error::Shop(format!("{} ({})", db.message(), db.code().code())),
        None => {
            // "error connecting to server: Connection refused", "invalid configuration:
            // password missing": the client's words and their cause.
            let cause = std::error::Error::source(&e)
                .map(|c| format!(": {c}"))
                .unwrap_or_default();
            Error::ShopUnreachable(format!("{e}{cause}"))
        }
    }
}
