//! The one trait every gateway is fitted to, and the refusals its implementations share.

use serde_json::Value;

use crate::{
    Capabilities, ConnectionOutcome, CreateRequest, Created, GatewayCancel, Lookup, Notification,
    Reversal, ReversalRequest,
};
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::Money;
use paydesk_domain::order::{Gateway, Order};

/// The same verbs for every gateway. The payment service knows nothing else of a gateway:
/// which API of it serves a method, what it can do (`capabilities`), how it signs and what
/// its words mean stay behind this trait. `prepare_*` are pure: they build and check what
/// would be sent, so a bad setting or field is refused before the ledger is touched.
#[async_trait::async_trait]
pub trait Adapter: Send + Sync {
    fn capabilities(&self) -> &'static Capabilities;

    /// Builds and checks the create call without sending it.
    fn prepare_create(&self, request: &CreateRequest<'_>) -> Result<()>;
    async fn create(&self, request: &CreateRequest<'_>) -> Result<Created>;
    /// `prepare_create` for a tipped sale: `request.amount` is the total to charge (sale +
    /// tip), `tip_minor` the part of it that is tip. A gateway with no tip field of its own
    /// charges the total as one amount (this default); one with a field (IOTPay's CC_PAX
    /// `tip`) overrides both verbs and sends the tip there.
    fn prepare_tipped_create(&self, request: &CreateRequest<'_>, _tip_minor: i64) -> Result<()> {
        self.prepare_create(request)
    }
    async fn create_tipped(&self, request: &CreateRequest<'_>, _tip_minor: i64) -> Result<Created> {
        self.create(request).await
    }

    /// What became of an order: checked against the order asked about.
    async fn lookup(&self, order: &Order) -> Result<Lookup>;
    /// A lookup with the gateway's documented patience for pending answers.
    async fn lookup_patiently(&self, order: &Order) -> Result<Lookup> {
        self.lookup(order).await
    }
    /// Fields the gateway's support asks for, from the last lookup, to keep with the order.
    fn support_fields(&self, _order: &Order) -> Option<Value> {
        None
    }

    /// Builds and checks a refund or void without sending it.
    fn prepare_reversal(&self, order: &Order, reversal: &ReversalRequest<'_>) -> Result<()>;
    async fn reverse(&self, order: &Order, reversal: &ReversalRequest<'_>) -> Result<Reversal>;
    /// What became of a refund or void whose answer was lost or undecided.
    async fn lookup_reversal(
        &self,
        _order: &Order,
        _reversal: &ReversalRequest<'_>,
    ) -> Result<Reversal> {
        Err(Error::GatewayPending {
            gateway: self.capabilities().gateway.as_str(),
            status: "unknown".into(),
            message: "this gateway has no refund query: the owner settles it from its records"
                .into(),
        })
    }

    /// Closes a waiting order at the gateway, where the gateway documents a call for it
    /// (`Capabilities::cancel_call`). `cancel_no` is ours, the same on every resend (SmartPay's
    /// modificationId). The default: no such call (`GatewayCancel::NoCall`), nothing sent.
    async fn cancel(&self, order: &Order, _cancel_no: &str) -> Result<GatewayCancel> {
        let name = match order.gateway {
            Gateway::Iotpay => "IOTPay",
            Gateway::Smepay => "SMEPay",
            Gateway::Smartpay => "SmartPay",
            Gateway::Smartexpay => "SmartExPay",
        };
        Ok(GatewayCancel::NoCall(format!(
            "{name} has no documented call to close an order"
        )))
    }

    /// Captures an authorisation (SmartPay); `modification_id` is written before the call.
    async fn capture(
        &self,
        order: &Order,
        _modification_id: &str,
        _amount: Option<Money>,
    ) -> Result<Reversal> {
        Err(Error::invalid(
            "order",
            format!(
                "order {} is a {} order: only SmartPay authorisations are captured",
                order.id,
                order.gateway.as_str()
            ),
        ))
    }

    /// The owner saw the money arrive (SmartExPay's manual payment methods).
    async fn confirm_manual_payment(&self, order: &Order) -> Result<()> {
        Err(Error::invalid(
            "order",
            format!(
                "order {} is a {} order: only SmartExPay has a manual payment step",
                order.id,
                order.gateway.as_str()
            ),
        ))
    }

    /// Whether a notification about `order` is genuine (signed where the gateway signs) and
    /// about this order. Even then it is only a hint: the order is queried.
    fn verify_notification(&self, _order: &Order, _notification: &Notification<'_>) -> bool {
        false
    }

    /// The cheapest authenticated call (Settings' "Test connection"): the gateway's words.
    async fn check_credentials(&self) -> Result<String>;

    /// Keeps a customer's card (IOTPay V3): the form's link and secureId.
    async fn add_card(&self, _card_id: &str) -> Result<Value> {
        Err(Error::UnsupportedMethod("saved cards are IOTPay's".into()))
    }
    async fn query_card(&self, _card_id: &str) -> Result<Value> {
        Err(Error::UnsupportedMethod("saved cards are IOTPay's".into()))
    }

    /// The cheapest authenticated call, sorted into what the owner needs to know.
    async fn check_connection(&self) -> (ConnectionOutcome, String) {
        match self.check_credentials().await {
            Ok(words) => (ConnectionOutcome::Ok, words),
            Err(e @ Error::GatewayRejected { .. }) => {
                (ConnectionOutcome::CredentialsRejected, e.to_string())
            }
            Err(e @ Error::GatewayUnreachable { .. }) => {
                (ConnectionOutcome::Unreachable, e.to_string())
            }
            Err(e) => (ConnectionOutcome::Error, e.to_string()),
        }
    }
}

/// A call that needs the gateway's id of the order, before the gateway gave one.
pub(crate) fn no_gateway_id(order: &Order) -> Error {
    Error::invalid(
        "order",
        format!(
            "order {} has no gateway order id yet: sync it first",
            order.id
        ),
    )
}

/// A refund or void asked of a gateway that declares it takes none (`no_refunds`).
pub(crate) fn no_refunds(capabilities: &Capabilities, order: &Order) -> Error {
    Error::invalid(
        "order",
        format!(
            "order {}: {}",
            order.merchant_order_no,
            capabilities
                .no_refunds
                .unwrap_or("no refunds through Paydesk")
        ),
    )
}
