//! SmartExPay fitted to the `Adapter` trait, and what it declares it can do (no refunds, a
//! manual payment step).

use std::time::Duration;

use super::{check_ipn_order, verify_ipn, Smartexpay};
use crate::adapter::no_refunds;
use crate::{
    Adapter, Capabilities, CreateRequest, Created, Lookup, Notification, PollSchedule, Reversal,
    ReversalRequest,
};
use paydesk_domain::error::Result;
use paydesk_domain::order::{Gateway, Order};

/// SmartExPay sends its IPN once and never again, so polling is the only sure way; no order
/// lifetime is published: an exchanger order is reconciled for a day.
pub(crate) static SMARTEXPAY: Capabilities = Capabilities {
    gateway: Gateway::Smartexpay,
    no_refunds: Some("SmartExPay has no refund API: refund outside Paydesk (SmartExPay returns an order itself when its exchange fails: it then shows as refunded)"),
    voidable: &[],
    capture: false,
    refund_lookup: false,
    resend_is_idempotent: false,
    manual_payment: true,
    cancel_call: false,
    // One query per 2 s at the counter (no published rate limit; the IPN is sent once, never
    // retried, so polling is what finds a payment): see PollSchedule.
    poll: PollSchedule {
        fast: Duration::from_secs(2),
        fast_for: Duration::from_secs(180),
        slowest: Duration::from_secs(600),
        payable_for: Duration::from_secs(24 * 3600),
        pending_requeries: None,
    },
};

#[async_trait::async_trait]
impl Adapter for Smartexpay {
    fn capabilities(&self) -> &'static Capabilities {
        &SMARTEXPAY
    }

    fn prepare_create(&self, request: &CreateRequest<'_>) -> Result<()> {
        Smartexpay::prepare_create(self, request).map(|_| ())
    }

    async fn create(&self, request: &CreateRequest<'_>) -> Result<Created> {
        Smartexpay::create(self, request).await
    }

    async fn lookup(&self, order: &Order) -> Result<Lookup> {
        Smartexpay::lookup(self, order).await
    }

    fn prepare_reversal(&self, order: &Order, _reversal: &ReversalRequest<'_>) -> Result<()> {
        Err(no_refunds(&SMARTEXPAY, order))
    }

    async fn reverse(&self, order: &Order, _reversal: &ReversalRequest<'_>) -> Result<Reversal> {
        Err(no_refunds(&SMARTEXPAY, order))
    }

    async fn confirm_manual_payment(&self, order: &Order) -> Result<()> {
        Smartexpay::confirm_manual_payment(self, order).await
    }

    fn verify_notification(&self, order: &Order, notification: &Notification<'_>) -> bool {
        let Notification::Pairs(pairs) = notification else {
            return false;
        };
        verify_ipn(pairs, &self.ipn_secret_for(&order.merchant_order_no))
            && check_ipn_order(pairs, order).is_ok()
    }

    async fn check_credentials(&self) -> Result<String> {
        Smartexpay::check_credentials(self).await
    }
}
