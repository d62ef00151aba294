//! SmartPay fitted to the `Adapter` trait, and what it declares it can do (captures,
//! idempotent refunds, a call that closes a waiting order).

use std::time::Duration;

use serde_json::Value;

use super::Smartpay;
use crate::adapter::no_gateway_id;
use crate::capabilities::{HOUR, MINUTE};
use crate::{
    Adapter, Capabilities, CreateRequest, Created, GatewayCancel, Lookup, PollSchedule, Reversal,
    ReversalKind, ReversalRequest,
};
use paydesk_domain::error::Result;
use paydesk_domain::money::Money;
use paydesk_domain::order::{Gateway, Method, Order};

/// SmartPay's documented policy: a PENDING state is re-queried up to three times within three
/// minutes, then an error is logged and the order left pending (reference §3). While the
/// customer is in the widget the order is asked about every three seconds (the widget's own
/// callback triggers a query at once).
pub(crate) static SMARTPAY: Capabilities = Capabilities {
    gateway: Gateway::Smartpay,
    no_refunds: None,
    voidable: &[Method::SmartpayCard],
    capture: true,
    refund_lookup: true,
    resend_is_idempotent: true,
    manual_payment: false,
    cancel_call: true,
    // One query per 3 s at the counter, then the documented three PENDING re-queries a
    // minute apart ("up to three times within three minutes"): see PollSchedule.
    poll: PollSchedule {
        fast: Duration::from_secs(3),
        fast_for: Duration::from_secs(180),
        slowest: Duration::from_secs(300),
        payable_for: HOUR,
        pending_requeries: Some((3, MINUTE)),
    },
};

/// The description SmartPay keeps with a sale cancelled from the counter.
const CANCEL_DESCRIPTION: &str = "sale cancelled at the counter";

/// SmartPay's status query takes only the transactionId its create answer carried.
const LOST_TRANSACTION_ID: &str = "the create answer (with SmartPay's transactionId) was lost: look the payment up in SmartPay's portal by its partnerReference, our order number";

#[async_trait::async_trait]
impl Adapter for Smartpay {
    fn capabilities(&self) -> &'static Capabilities {
        &SMARTPAY
    }

    fn prepare_create(&self, request: &CreateRequest<'_>) -> Result<()> {
        Smartpay::prepare_create(self, request).map(|_| ())
    }

    async fn create(&self, request: &CreateRequest<'_>) -> Result<Created> {
        Smartpay::create(self, request).await
    }

    async fn lookup(&self, order: &Order) -> Result<Lookup> {
        match order.gateway_order_id.as_deref() {
            Some(transaction_id) => self.verified_status(transaction_id, order.amount).await,
            None => Ok(Lookup::CannotAsk(LOST_TRANSACTION_ID.into())),
        }
    }

    async fn lookup_patiently(&self, order: &Order) -> Result<Lookup> {
        match order.gateway_order_id.as_deref() {
            Some(transaction_id) => {
                self.verified_status_with_pending_policy(transaction_id, order.amount)
                    .await
            }
            None => Ok(Lookup::CannotAsk(LOST_TRANSACTION_ID.into())),
        }
    }

    fn support_fields(&self, order: &Order) -> Option<Value> {
        self.take_support(order.gateway_order_id.as_deref()?)
    }

    fn prepare_reversal(&self, order: &Order, reversal: &ReversalRequest<'_>) -> Result<()> {
        order
            .gateway_order_id
            .as_deref()
            .ok_or_else(|| no_gateway_id(order))?;
        match reversal.kind {
            ReversalKind::Refund => self.prepare_refund(reversal.refund_no, reversal.amount),
            ReversalKind::Void => self.prepare_cancel_or_refund(reversal.refund_no, None),
        }
    }

    async fn reverse(&self, order: &Order, reversal: &ReversalRequest<'_>) -> Result<Reversal> {
        let transaction_id = order
            .gateway_order_id
            .as_deref()
            .ok_or_else(|| no_gateway_id(order))?;
        match reversal.kind {
            ReversalKind::Void => {
                self.cancel_or_refund(
                    transaction_id,
                    reversal.refund_no,
                    Some("cancelled from Paydesk"),
                )
                .await
            }
            // The whole payment at once is cancelOrRefund; anything partial is refund.
            ReversalKind::Refund
                if order.refunded_minor == 0 && reversal.amount.minor() == order.amount.minor() =>
            {
                self.cancel_or_refund(
                    transaction_id,
                    reversal.refund_no,
                    Some("refund from Paydesk"),
                )
                .await
            }
            ReversalKind::Refund => {
                self.refund(transaction_id, reversal.refund_no, reversal.amount)
                    .await
            }
        }
    }

    async fn lookup_reversal(
        &self,
        order: &Order,
        reversal: &ReversalRequest<'_>,
    ) -> Result<Reversal> {
        let transaction_id = order
            .gateway_order_id
            .as_deref()
            .ok_or_else(|| no_gateway_id(order))?;
        self.modification_status(transaction_id, reversal.refund_no)
            .await
    }

    /// "Cancel or Refund" (documentation.jpmmps.com/docs/smartpay-openapi/cancel-or-refund-transaction):
    /// "Cancels or fully refunds a transaction depending on the transaction status". Only a
    /// waiting payment is sent here, so it is a cancel; `cancel_no` is its modificationId.
    async fn cancel(&self, order: &Order, cancel_no: &str) -> Result<GatewayCancel> {
        let Some(transaction_id) = order.gateway_order_id.as_deref() else {
            return Ok(GatewayCancel::NoCall(LOST_TRANSACTION_ID.into()));
        };
        self.prepare_cancel_or_refund(cancel_no, Some(CANCEL_DESCRIPTION))?;
        self.cancel_or_refund(transaction_id, cancel_no, Some(CANCEL_DESCRIPTION))
            .await
            .map(GatewayCancel::Closed)
    }

    async fn capture(
        &self,
        order: &Order,
        modification_id: &str,
        amount: Option<Money>,
    ) -> Result<Reversal> {
        let transaction_id = order
            .gateway_order_id
            .as_deref()
            .ok_or_else(|| no_gateway_id(order))?;
        Smartpay::capture(self, transaction_id, modification_id, amount).await
    }

    async fn check_credentials(&self) -> Result<String> {
        Smartpay::check_credentials(self).await
    }
}
