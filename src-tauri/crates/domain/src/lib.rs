//! Paydesk's vocabulary, below every other layer: integer `Money` and its currencies, the
//! order (gateway, method, forward-only status), time zones for people's dates, the clock,
//! and the one error type whose codes the UI and the CLI branch on. No I/O lives here.

pub mod clock;
pub mod error;
pub mod money;
pub mod order;
pub mod tip;
pub mod zone;

pub use error::{Error, Result};
