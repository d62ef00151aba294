//! The local SQLite ledger: orders, their append-only status events, refunds and settings,
//! in one file of the data directory (opened by `db::open`: WAL, migrations).
//!
//! One module per table family, each adding its methods to the one [`Ledger`] handle. Each
//! uses only those above it in this list, and none uses the read side (`queries`), which
//! builds on them:
//! - `handle`: the connection and the write transactions every family goes through;
//! - `filter`: what a list, a total or a report asks for (`OrderFilter`, `Cursor`);
//! - `fold`: the write that takes new orders into the search index and the day summary;
//! - `orders`: orders, their events and the status machine;
//! - `refunds`: refunds and voids, reserved before the gateway is called;
//! - `notifications`, `settings`, `owner_lockout`, `receipt_prints`: a table each;
//! - `audit`: the hash-chained audit log every act below writes in its own transaction;
//! - `staff`: people, their PINs' hashes and wrong tries, managers' refund caps;
//! - `shifts`: a counter's shifts, sealed with their Z report;
//! - `replica`: this ledger in a shop (its state, the outbox to push, applying pulled rows).

pub mod audit;
mod filter;
pub(crate) mod fold;
mod handle;
mod notifications;
mod orders;
mod owner_lockout;
mod receipt_prints;
mod refunds;
mod replica;
mod settings;
mod shifts;
mod staff;
#[cfg(test)]
mod tests;

pub use crate::migrations::{migrations, schema_version};
pub use audit::{AuditEntry, AuditQuery, AuditRecord, AuditVerdict};
pub use filter::{Cursor, OrderFilter};
pub use handle::{last_commit_sync, Ledger, LEDGER_FILE};
pub use notifications::{NotificationRecord, NOTIFICATION_KEPT};
pub(crate) use orders::order_from_row;
pub use orders::{Applied, NewOrder, Observation};
pub use paydesk_domain::clock::now_ms;
pub use receipt_prints::ReceiptPrint;
pub use refunds::{Refund, RefundKind, RefundOutcome, RefundStatus};
pub use replica::{
    Outbox, Pulled, ReplicaBatch, ReplicaCap, ReplicaEvent, ReplicaNotification, ReplicaOrder,
    ReplicaRefund, ReplicaShift, ReplicaStaff, ShopState, PULLED_IDS_KEPT,
};
pub use shifts::{ShiftReversal, ShiftRow};
pub use staff::{PinTries, StaffRow, Stamp};
