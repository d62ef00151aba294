//! SMEPay fitted to the `Adapter` trait, and what it declares it can do (no refunds).

use std::time::Duration;

use super::Smepay;
use crate::adapter::no_refunds;
use crate::capabilities::HOUR;
use crate::{
    Adapter, Capabilities, CreateRequest, Created, Lookup, PollSchedule, Reversal, ReversalRequest,
};
use paydesk_domain::error::Result;
use paydesk_domain::order::{Gateway, Order};

/// SMEPay publishes no polling policy; its initiate answer carries the QR's `expires_at`.
/// An order is reconciled for an hour, past any expiry seen.
pub(crate) static SMEPAY: Capabilities = Capabilities {
    gateway: Gateway::Smepay,
    no_refunds: Some("SMEPay has no refund API: refund the customer outside Paydesk (SMEPay dashboard or UPI transfer)"),
    voidable: &[],
    capture: false,
    refund_lookup: false,
    resend_is_idempotent: false,
    manual_payment: false,
    cancel_call: false,
    // 1 query/s per order at the counter (no published rate limit; the webhook is an unsigned
    // hint answered by one re-query): see PollSchedule.
    poll: PollSchedule {
        fast: Duration::from_secs(1),
        fast_for: Duration::from_secs(180),
        slowest: Duration::from_secs(300),
        payable_for: HOUR,
        pending_requeries: None,
    },
};

#[async_trait::async_trait]
impl Adapter for Smepay {
    fn capabilities(&self) -> &'static Capabilities {
        &SMEPAY
    }

    fn prepare_create(&self, request: &CreateRequest<'_>) -> Result<()> {
        Smepay::prepare_create(self, request).map(|_| ())
    }

    async fn create(&self, request: &CreateRequest<'_>) -> Result<Created> {
        Smepay::create(self, request).await
    }

    async fn lookup(&self, order: &Order) -> Result<Lookup> {
        Smepay::lookup(
            self,
            &order.merchant_order_no,
            order.gateway_order_id.as_deref(),
            order.amount,
        )
        .await
    }

    fn prepare_reversal(&self, order: &Order, _reversal: &ReversalRequest<'_>) -> Result<()> {
        Err(no_refunds(&SMEPAY, order))
    }

    async fn reverse(&self, order: &Order, _reversal: &ReversalRequest<'_>) -> Result<Reversal> {
        Err(no_refunds(&SMEPAY, order))
    }

    async fn check_credentials(&self) -> Result<String> {
        Smepay::check_credentials(self).await
    }
}
