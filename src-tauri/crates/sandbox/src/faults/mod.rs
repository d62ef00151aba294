//! Fault injection: the sandbox misbehaving the way real gateways do, switchable per gateway
//! and per call, from the control endpoint (`/sandbox/faults`) or the CLI
//! (`paydesk sandbox fault ...`). Faults live in `sandbox-faults.db` in the data directory, so
//! every sandbox process on it sees them; each can apply to the next N calls or until cleared.

mod control;
mod inject;

pub(crate) use control::control_routes;
pub(crate) use inject::inject;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

use paydesk_domain::error::{Error, Result};

pub const FAULTS_FILE: &str = "sandbox-faults.db";

/// What a fault does to a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// Answer normally, `value` ms late.
    Latency,
    /// Answer nothing for `value` ms (default 60 s): the client times out first.
    Timeout,
    /// HTTP 500 with no usable body.
    Http500,
    /// HTTP 200 with a body that is not the gateway's format.
    Malformed,
    /// The real answer cut in half.
    Truncated,
    /// The real answer with its signature replaced.
    BadSignature,
    /// HTTP 401 as if the bearer token had expired early.
    RejectToken,
    /// Notifications for this gateway are sent twice.
    DuplicateNotify,
    /// After the real notification, an older one arrives.
    OutOfOrderNotify,
    /// The notification is never sent: the merchant learns of the payment only by asking
    /// (a lost notification, or a gateway that only answers polls).
    DropNotify,
    /// The real answer with its `sign` removed (top level and `retData`).
    Unsigned,
    /// The call is carried out, but its answer is held `value` ms (default 60 s): the client
    /// times out while the gateway has done the work (an order created, a refund made).
    LateAnswer,
    // The kinds below are a gateway's own documented outcomes: the middleware hands them to
    // the gateway's handler (a request extension, `Fault`), which answers as the vendor's
    // page says. Each handler documents which of them it gives and what `value` means.
    /// A documented error code (`value`, e.g. IOTPay 110 for 0110), with the gateway's own
    /// side effects (an IOTPay 0110 create still leaves the order payable).
    Code,
    /// A documented "not decided yet" answer (a V3 refund status 0 or 1, a SmartPay
    /// modification still pending); the operation settles later (`value`: 1 = it succeeds,
    /// 0 = it fails; default succeeds).
    Pending,
    /// A documented definite refusal of a modification (SmartPay capture / refund / cancel).
    Refuse,
    /// A create answer that claims more than a create can (SmartPay CAPTURED on creation).
    ClaimSuccess,
    /// A genuine, correctly signed answer about another order (a replay).
    WrongOrder,
}

impl FaultKind {
    pub const ALL: [FaultKind; 17] = [
        FaultKind::Latency,
        FaultKind::Timeout,
        FaultKind::Http500,
        FaultKind::Malformed,
        FaultKind::Truncated,
        FaultKind::BadSignature,
        FaultKind::RejectToken,
        FaultKind::DuplicateNotify,
        FaultKind::OutOfOrderNotify,
        FaultKind::DropNotify,
        FaultKind::Unsigned,
        FaultKind::LateAnswer,
        FaultKind::Code,
        FaultKind::Pending,
        FaultKind::Refuse,
        FaultKind::ClaimSuccess,
        FaultKind::WrongOrder,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::Latency => "latency",
            FaultKind::Timeout => "timeout",
            FaultKind::Http500 => "http-500",
            FaultKind::Malformed => "malformed",
            FaultKind::Truncated => "truncated",
            FaultKind::BadSignature => "bad-signature",
            FaultKind::RejectToken => "reject-token",
            FaultKind::DuplicateNotify => "duplicate-notify",
            FaultKind::OutOfOrderNotify => "out-of-order-notify",
            FaultKind::DropNotify => "drop-notify",
            FaultKind::Unsigned => "unsigned",
            FaultKind::LateAnswer => "late-answer",
            FaultKind::Code => "code",
            FaultKind::Pending => "pending",
            FaultKind::Refuse => "refuse",
            FaultKind::ClaimSuccess => "claim-success",
            FaultKind::WrongOrder => "wrong-order",
        }
    }

    pub fn parse(text: &str) -> Result<FaultKind> {
        FaultKind::ALL
            .into_iter()
            .find(|k| k.as_str() == text.trim())
            .ok_or_else(|| {
                let names: Vec<&str> = FaultKind::ALL.iter().map(|k| k.as_str()).collect();
                Error::invalid(
                    "kind",
                    format!("unknown fault {text:?}: use one of {}", names.join(", ")),
                )
            })
    }
}

/// One switched-on fault. `call` is the last segment of the API path (`create_order`,
/// `cc_query`, `status`...) or `*` for every call of the gateway; for notification faults it
/// is `notify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    pub gateway: String,
    #[serde(default = "any_call")]
    pub call: String,
    pub kind: FaultKind,
    #[serde(default)]
    pub value: Option<i64>,
    /// How many calls it applies to; none = until cleared.
    #[serde(default)]
    pub times: Option<i64>,
}

fn any_call() -> String {
    "*".into()
}

pub struct Faults {
    conn: Mutex<Connection>,
}

impl Faults {
    pub fn open_in(data_dir: &Path) -> Result<Faults> {
        Ok(Faults {
            conn: Mutex::new(paydesk_ledger::db::open(
                &data_dir.join(FAULTS_FILE),
                crate::migrations::FAULTS,
            )?),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set(&self, fault: &Fault) -> Result<()> {
        if fault.times.is_some_and(|t| t <= 0) {
            return Err(Error::invalid("times", "times must be at least 1"));
        }
        self.conn().execute(
            "INSERT INTO faults (gateway, call, kind, value, remaining) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![fault.gateway, fault.call, fault.kind.as_str(), fault.value, fault.times],
        )?;
        Ok(())
    }

    /// Clears every fault of `gateway` (all gateways when `None`); returns how many.
    pub fn clear(&self, gateway: Option<&str>) -> Result<usize> {
        Ok(match gateway {
            Some(g) => self
                .conn()
                .execute("DELETE FROM faults WHERE gateway = ?1", [g])?,
            None => self.conn().execute("DELETE FROM faults", [])?,
        })
    }

    pub fn list(&self) -> Result<Vec<Fault>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT gateway, call, kind, value, remaining FROM faults ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get(3)?,
                r.get(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (gateway, call, kind, value, times) = row?;
            out.push(Fault {
                gateway,
                call,
                kind: FaultKind::parse(&kind)?,
                value,
                times,
            });
        }
        Ok(out)
    }

    /// Takes the first fault that applies to this call, using up one of its times.
    pub fn take(&self, gateway: &str, call: &str) -> Result<Option<Fault>> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let found: Option<(i64, String, String, Option<i64>, Option<i64>)> = {
            let mut stmt = tx.prepare(
                "SELECT id, call, kind, value, remaining FROM faults
                 WHERE gateway = ?1 AND (call = ?2 OR call = '*') ORDER BY id LIMIT 1",
            )?;
            let mut rows = stmt.query(params![gateway, call])?;
            match rows.next()? {
                Some(r) => Some((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                None => None,
            }
        };
        let Some((id, call, kind, value, remaining)) = found else {
            return Ok(None);
        };
        match remaining {
            Some(1) => tx.execute("DELETE FROM faults WHERE id = ?1", [id])?,
            Some(_) => tx.execute(
                "UPDATE faults SET remaining = remaining - 1 WHERE id = ?1",
                [id],
            )?,
            None => 0,
        };
        tx.commit()?;
        Ok(Some(Fault {
            gateway: gateway.to_string(),
            call,
            kind: FaultKind::parse(&kind)?,
            value,
            times: remaining,
        }))
    }
}

/// The gateway-specific fault switched on for this call, if any (see `FaultKind::Code` and
/// the kinds after it). Handlers take it as `Option<axum::Extension<Fault>>`.
pub type HandlerFault = Option<axum::Extension<Fault>>;
