//! Everything that holds or uses a secret: `Sensitive<T>` (redacted, never serialised), the
//! OS keychain vault of gateway credentials, and the gateways' signature schemes with their
//! constant-time comparison (used by the adapters and, from the other side, the sandbox).

pub mod signing;
pub mod vault;
