//! What each gateway declares it can do, and how often its open orders are asked about.

use std::time::Duration;

use paydesk_domain::order::{Gateway, Method};

/// The units the gateways' poll schedules are written in.
pub(crate) const MINUTE: Duration = Duration::from_secs(60);
pub(crate) const HOUR: Duration = Duration::from_secs(3600);

/// How often an open order is asked about, per gateway, and for how long. Fast while the
/// customer stands at the counter, then backing off; kept up past Paydesk's own expiry for as
/// long as the gateway can still take the payment (a late payment is still money).
///
/// Rate limits. None of the four gateways publishes a request-rate limit for its status query
/// in the documents Paydesk is written from (`../shared/reference/gateways.md` and the seeds);
/// the one documented bound is SmartPay's "re-query a PENDING state up to three times within
/// three minutes", which `pending_requeries` keeps. So each schedule stays inside what a
/// gateway can reasonably expect of one merchant by construction:
/// - one watcher per order (`Paydesk::watch` ignores a second), one query in flight per
///   order (the next waits for the answer and then the whole interval), so an order is
///   never asked about faster than `fast`: 1 request/s for IOTPay and SMEPay, one per 2 s for
///   SmartExPay, one per 3 s for SmartPay;
/// - `fast` lasts only `fast_for` (3 minutes, the customer at the counter; a till has one
///   such sale at a time), then the interval doubles every 8 polls up to `slowest` (5 or
///   10 minutes): an order never paid costs 230 IOTPay queries over its 2 payable hours, 218
///   SMEPay ones over 1 hour, 260 SmartExPay ones over 24 hours, and SmartPay stops after its
///   60 + 3 (`delay` with these values; the `poll.ceiling_ms` setting can only shorten a wait
///   in tests);
/// - a notification adds one re-query of its order (the notification is a hint, the query
///   the truth), and a poll-only gateway (or a lost notification) is found paid within
///   `fast` of the payment while the customer is at the counter.
///
/// A gateway that answers "too many requests" is an error like any other: the watcher logs it
/// and asks again one interval later, never sooner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollSchedule {
    /// The interval while the customer is at the counter.
    pub fast: Duration,
    /// How long the fast interval lasts after the order is created.
    pub fast_for: Duration,
    /// Then the interval doubles up to this.
    pub slowest: Duration,
    /// How long after creation the gateway may still take the payment: the order is
    /// reconciled until then, even past Paydesk's expiry.
    pub payable_for: Duration,
    /// A documented limit on re-queries of a gateway "pending" state: this many, this far
    /// apart, then the order is left pending for the gateway to resolve and the owner told.
    pub pending_requeries: Option<(u32, Duration)>,
}

impl PollSchedule {
    /// The wait before the next query of an order created `age` ago.
    pub fn delay(&self, age: Duration) -> Duration {
        if age < self.fast_for {
            return self.fast;
        }
        let mut delay = self.fast;
        let mut at = self.fast_for;
        while delay < self.slowest && at < age {
            at += delay * 8;
            delay *= 2;
        }
        delay.min(self.slowest)
    }
}

/// What a gateway can do, declared once per gateway instead of checked in scattered places.
#[derive(Debug, Clone, Copy)]
pub struct Capabilities {
    pub gateway: Gateway,
    /// Why money cannot be given back through Paydesk, when it cannot.
    pub no_refunds: Option<&'static str>,
    /// The methods whose unsettled payments can be voided.
    pub voidable: &'static [Method],
    /// Authorisations are captured by the owner (SmartPay).
    pub capture: bool,
    /// A refund whose answer was lost can be asked about (IOTPay Query Refund, V3 cc_query,
    /// SmartPay's modifications[]), so it settles without the owner.
    pub refund_lookup: bool,
    /// The gateway documents a resent refund number as the same refund (SmartPay's
    /// modificationId), so a refund with no answer may be resent on its own.
    pub resend_is_idempotent: bool,
    /// A manual payment step the owner confirms (SmartExPay's waitPayment -> inProgress).
    pub manual_payment: bool,
    /// The gateway documents a call that closes a waiting order so it can no longer be paid
    /// (SmartPay's cancelOrRefund). Without one a cancelled sale is cancelled in Paydesk only
    /// and kept watched while the gateway can still take the payment.
    pub cancel_call: bool,
    pub poll: PollSchedule,
}
