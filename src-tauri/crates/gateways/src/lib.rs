//! Gateway adapters: one folder per gateway API, its wire types beside it, mapping the
//! gateway's statuses into `OrderStatus` (anything not plainly success or failure is
//! Pending, and the gateway's own word is kept verbatim).
//!
//! Bottom to top: what every gateway shares (`words`, `request`, `card`, `outcome`,
//! `capabilities`, the `adapter` trait, and `fields`, `http`, `token` for building and
//! sending calls); one folder per gateway API (`config`, `mapping` of its words, `wire` types and answers, the
//! client in `mod.rs`, its `adapter`); on top, what knows every gateway: `registry` (an
//! adapter and capabilities per gateway), `method_input` and `word_lookup`.

mod adapter;
mod capabilities;
mod card;
mod fields;
mod http;
mod method_input;
mod outcome;
mod registry;
mod request;
mod token;
mod word_lookup;
mod words;

pub mod iotpay;
pub mod iotpay_card;
pub mod settings;
pub mod smartexpay;
pub mod smartpay;
pub mod smepay;

pub use adapter::Adapter;
pub use capabilities::{Capabilities, PollSchedule};
pub use card::{masked_card_number, CardFacts};
pub use fields::{check_length, json_with_decimal};
pub use http::http_client;
pub use method_input::{check_card_id, check_method_input, confirm_by_query};
pub use outcome::{
    ConnectionCheck, ConnectionOutcome, Created, GatewayCancel, Lookup, Outcome, Report, Reversal,
};
pub use registry::{build, capabilities, connect, declared, Built};
pub use request::{CreateRequest, Notification, ReversalKind, ReversalRequest};
pub use word_lookup::{
    describe_word, describe_word_for, described_word_for, word_entry, word_entry_for, word_label,
    word_label_for, word_status, word_tables, TableWord, WordTable,
};
pub use words::{CodeMeaning, CodeWord, DescribedWord, StatusWord, UNKNOWN_WORD_KEY};

pub(crate) use fields::truncate;
pub(crate) use http::send;
pub(crate) use token::{Token, TokenAnswer};
