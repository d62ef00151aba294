//! One error type for the whole core. Every variant has a stable `code` the UI and the CLI
//! branch on, and names the input `field` at fault where there is one.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::money::MoneyError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Money(#[from] MoneyError),
    #[error("{field}: {message}")]
    InvalidInput {
        field: &'static str,
        message: String,
    },
    #[error("{0}")]
    UnsupportedMethod(String),
    #[error("no order {0} in the ledger")]
    NotFound(String),
    /// The gateway answered and said no (its own code and text are kept).
    #[error("{gateway} refused: {message} (code {code})")]
    GatewayRejected {
        gateway: &'static str,
        code: String,
        message: String,
    },
    /// No answer: connection refused, timeout, 5xx. The outcome is unknown, so the order
    /// stays as it is and is reconciled by a later query.
    #[error("{gateway} could not be reached: {message}")]
    GatewayUnreachable {
        gateway: &'static str,
        message: String,
    },
    /// The gateway answered that the outcome is not decided yet (a refund "pending" or
    /// "unknown", a modification still in progress). Like `GatewayUnreachable`, the outcome is
    /// unknown: it stays pending and is queried again, never taken as a refusal.
    #[error("{gateway} has not decided yet: {message} (status {status})")]
    GatewayPending {
        gateway: &'static str,
        status: String,
        message: String,
    },
    /// An answer we cannot trust or read: malformed body, missing field, bad signature, an
    /// answer about another order than the one asked (suspicious).
    #[error("{gateway} answered something unusable: {message}")]
    GatewayProtocol {
        gateway: &'static str,
        message: String,
    },
    #[error("ledger: {0}")]
    Storage(#[from] rusqlite::Error),
    #[error("keychain: {0}")]
    Vault(String),
    /// An owner action without the owner's PIN.
    #[error("{0}")]
    Forbidden(String),
    /// A request refused for a reason the user can act on, with its own code: the owner's
    /// PIN missing (`pin_required`), wrong (`pin_wrong`) or locked after wrong tries
    /// (`locked_out`); setup run twice (`already_set_up`). Nothing was changed.
    ///
    /// `message` is the English sentence (the CLI and the logs print it); `params` are the
    /// values it is made of, by name, so the window can say the same in its own language
    /// (`error.<code>` in its catalogues takes them as ICU arguments).
    #[error("{message}")]
    Refused {
        code: &'static str,
        field: Option<&'static str>,
        message: String,
        params: Vec<(&'static str, String)>,
    },
    /// The shop's PostgreSQL ledger could not be reached (or answered with a connection
    /// error): the counter keeps selling on its own ledger; what needs the shop waits.
    #[error("shop ledger: {0}")]
    ShopUnreachable(String),
    /// The shop's PostgreSQL ledger refused a statement (a schema or permission problem).
    #[error("shop ledger: {0}")]
    Shop(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Internal(String),
}

impl Error {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidInput {
            field,
            message: message.into(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Error::Money(e) if e.is_currency() => "invalid_currency",
            Error::Money(_) => "invalid_amount",
            Error::InvalidInput { .. } => "invalid_input",
            Error::UnsupportedMethod(_) => "unsupported_method",
            Error::NotFound(_) => "not_found",
            Error::GatewayRejected { .. } => "gateway_rejected",
            Error::GatewayUnreachable { .. } => "gateway_unreachable",
            Error::GatewayPending { .. } => "gateway_pending",
            Error::GatewayProtocol { .. } => "gateway_protocol",
            Error::Storage(_) | Error::Io(_) => "storage",
            Error::Vault(_) => "vault",
            Error::Forbidden(_) => "forbidden",
            Error::ShopUnreachable(_) => "shop_unreachable",
            Error::Shop(_) => "shop",
            Error::Refused { code, .. } => code,
            Error::Internal(_) => "internal",
        }
    }

    pub fn field(&self) -> Option<&'static str> {
        match self {
            Error::Money(e) if e.is_currency() => Some("currency"),
            Error::Money(_) => Some("amount"),
            Error::InvalidInput { field, .. } => Some(field),
            Error::UnsupportedMethod(_) => Some("method"),
            Error::Forbidden(_) => Some("pin"),
            Error::Refused { field, .. } => *field,
            _ => None,
        }
    }

    /// Input the user can correct (CLI exit status 2), as opposed to a failure (exit 1).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            Error::Money(_)
                | Error::InvalidInput { .. }
                | Error::UnsupportedMethod(_)
                | Error::NotFound(_)
                | Error::Refused { .. }
        )
    }

    /// Whether this error leaves a gateway call's outcome unknown (it may have been carried
    /// out): nothing may be concluded from it; the operation stays pending and is re-queried.
    /// Only `GatewayRejected` is a definite refusal, and errors raised before anything was sent
    /// (bad input, settings, keychain) are neither.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(
            self,
            Error::GatewayUnreachable { .. }
                | Error::GatewayPending { .. }
                | Error::GatewayProtocol { .. }
        )
    }

    /// The values the error's message is made of, by name: what the window needs to say it in
    /// another language. A refusal carries its own; the other variants' are their fields (a
    /// gateway's own code and words are passed on as they came: they are the gateway's).
    pub fn params(&self) -> BTreeMap<&'static str, String> {
        let pairs: Vec<(&'static str, String)> = match self {
            Error::Refused { params, .. } => params.clone(),
            Error::InvalidInput { field, .. } => vec![("field", field.to_string())],
            Error::NotFound(reference) => vec![("reference", reference.clone())],
            Error::GatewayRejected {
                gateway,
                code,
                message,
            } => vec![
                ("gateway", gateway.to_string()),
                ("gateway_code", code.clone()),
                ("gateway_message", message.clone()),
            ],
            Error::GatewayUnreachable { gateway, .. } | Error::GatewayProtocol { gateway, .. } => {
                vec![("gateway", gateway.to_string())]
            }
            Error::GatewayPending {
                gateway, status, ..
            } => vec![("gateway", gateway.to_string()), ("status", status.clone())],
            _ => Vec::new(),
        };
        pairs.into_iter().collect()
    }

    pub fn payload(&self) -> ErrorPayload {
        ErrorPayload {
            code: self.code(),
            message: self.to_string(),
            field: self.field(),
            params: self.params(),
        }
    }
}

/// What crosses IPC and `--json` output for an error: the code to branch on, the English
/// sentence, the field at fault, and the values the sentence is made of (`params`, by name)
/// for the window's own words.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ErrorPayload {
    pub code: &'static str,
    pub message: String,
    pub field: Option<&'static str>,
    pub params: BTreeMap<&'static str, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_carries_the_values_its_sentence_is_made_of() {
        let refused = Error::Refused {
            code: "shift_open",
            field: None,
            message: "shift 7 is still open at this counter: close it first".into(),
            params: vec![("shift", "7".into())],
        };
        let payload = refused.payload();
        assert_eq!(payload.code, "shift_open");
        assert_eq!(payload.params.get("shift").map(String::as_str), Some("7"));
        let json = serde_json::to_value(&payload).unwrap();
        assert_eq!(json["params"], serde_json::json!({ "shift": "7" }));
    }

    #[test]
    fn a_gateway_refusal_passes_on_its_own_code_and_words() {
        let rejected = Error::GatewayRejected {
            gateway: "iotpay",
            code: "1002".into(),
            message: "insufficient balance".into(),
        };
        let params = rejected.params();
        assert_eq!(params["gateway"], "iotpay");
        assert_eq!(params["gateway_code"], "1002");
        assert_eq!(params["gateway_message"], "insufficient balance");
        assert!(Error::Internal("x".into()).params().is_empty());
    }
}
