//! IOTPay fitted to the `Adapter` trait: v1 for wallets, V3 (`iotpay_card`) for cards, and
//! what IOTPay declares it can do.

use std::time::Duration;

use serde_json::Value;

use super::{notification_matches, Iotpay};
use crate::adapter::no_gateway_id;
use crate::iotpay_card::IotpayCard;
use crate::{
    Adapter, Capabilities, CreateRequest, Created, Lookup, Notification, PollSchedule, Reversal,
    ReversalKind, ReversalRequest,
};
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::Money;
use paydesk_domain::order::{Gateway, Method, Order};

/// IOTPay publishes no polling policy. WeChat and Alipay close an unpaid order after two hours
/// by default, so an order is reconciled for two hours; a QR on the counter is asked about
/// every second while the customer is there.
pub(crate) static IOTPAY: Capabilities = Capabilities {
    gateway: Gateway::Iotpay,
    no_refunds: None,
    // Not a card-terminal sale (CC_PAX): nothing IOTPay documents voids one (TERMINAL_NO_REFUNDS).
    voidable: &[Method::CardLink, Method::Card, Method::CardToken],
    capture: false,
    refund_lookup: true,
    resend_is_idempotent: false,
    manual_payment: false,
    // No close-order call, the card terminal's page included: a cancelled sale (a card-terminal
    // one too) is cancelled in Paydesk only and kept asking about.
    cancel_call: false,
    // 1 query/s per order at the counter (IOTPay publishes no query rate limit; its notify
    // comes at once, so the poll only matters when a notification is lost): see PollSchedule.
    poll: PollSchedule {
        fast: Duration::from_secs(1),
        fast_for: Duration::from_secs(180),
        slowest: Duration::from_secs(300),
        payable_for: Duration::from_secs(2 * 3600),
        pending_requeries: None,
    },
};

/// IOTPay's one adapter over its two APIs (put together by `registry::build`).
pub(crate) struct IotpayAdapter {
    pub(crate) v1: Iotpay,
    pub(crate) card: IotpayCard,
}

fn is_card(method: Method) -> bool {
    matches!(method, Method::CardLink | Method::Card | Method::CardToken)
}

/// Why a card-terminal sale is not refunded or voided through Paydesk. A CC_PAX payment is a
/// card payment made on IOTPay's v1 create_order (guide page "pos_semi_integration",
/// https://develop.iotpay.ca/guide/pos_semi_integration.html, which says nothing of refunds).
/// v1's refund_order says "This interface is for WeChatPay, Alipay and UnionPay only" (guide
/// page "refund"), and the card API's cc_refund / cc_void (guide pages "creditCard/v3/refund"
/// and "void") take the V3 card orders it made itself; reference/gateways.md names neither for
/// CC_PAX. So no documented call gives a terminal sale back: refused before anything is
/// written, and the refund is made on the terminal (or in IOTPay's portal). The words say what
/// to do first: the cashier reads them in the window and the CLI alike.
const TERMINAL_NO_REFUNDS: &str = "refund card-terminal sales on the PAX terminal itself (or in \
     IOTPay's portal): IOTPay documents no refund or void through its API for them (CC_PAX)";

/// The code of that refusal, which the window branches on (it offers no Refund or Void for a
/// card-terminal sale, and says where to refund it instead).
pub const REFUND_ON_TERMINAL: &str = "refund_on_terminal";

/// A refund or void of a card-terminal sale, refused before anything is written or sent.
pub fn terminal_refusal(order: &Order) -> Error {
    Error::Refused {
        params: vec![("order", order.merchant_order_no.clone())],
        code: REFUND_ON_TERMINAL,
        field: Some("order"),
        message: format!("order {}: {TERMINAL_NO_REFUNDS}", order.merchant_order_no),
    }
}

#[async_trait::async_trait]
impl Adapter for IotpayAdapter {
    fn capabilities(&self) -> &'static Capabilities {
        &IOTPAY
    }

    fn prepare_create(&self, request: &CreateRequest<'_>) -> Result<()> {
        if is_card(request.method) {
            self.card.prepare_create(request).map(|_| ())
        } else {
            self.v1.prepare_create(request).map(|_| ())
        }
    }

    async fn create(&self, request: &CreateRequest<'_>) -> Result<Created> {
        if is_card(request.method) {
            self.card.create(request).await
        } else {
            self.v1.create_order(request).await
        }
    }

    fn prepare_tipped_create(&self, request: &CreateRequest<'_>, tip_minor: i64) -> Result<()> {
        match terminal_sale(request, tip_minor)? {
            Some(sale) => self.v1.prepare_sale(&sale, tip_minor).map(|_| ()),
            None => self.prepare_create(request),
        }
    }

    async fn create_tipped(&self, request: &CreateRequest<'_>, tip_minor: i64) -> Result<Created> {
        match terminal_sale(request, tip_minor)? {
            Some(sale) => self.v1.create_sale(&sale, tip_minor).await,
            None => self.create(request).await,
        }
    }

    async fn lookup(&self, order: &Order) -> Result<Lookup> {
        if is_card(order.method) {
            self.card
                .query_order(&order.merchant_order_no, order.amount)
                .await
        } else {
            self.v1
                .query_order(&order.merchant_order_no, &gateway_amounts(order)?)
                .await
        }
    }

    fn prepare_reversal(&self, order: &Order, reversal: &ReversalRequest<'_>) -> Result<()> {
        if order.method == Method::CardTerminal {
            return Err(terminal_refusal(order));
        }
        if reversal.kind == ReversalKind::Void && !is_card(order.method) {
            return Err(Error::invalid(
                "order",
                format!(
                    "{} payments cannot be voided: refund them instead",
                    order.method.label()
                ),
            ));
        }
        order
            .gateway_order_id
            .as_deref()
            .ok_or_else(|| no_gateway_id(order))?;
        if is_card(order.method) {
            let pay_order_id = order.gateway_order_id.as_deref().unwrap_or_default();
            let amount = (reversal.kind == ReversalKind::Refund).then_some(reversal.amount);
            self.card
                .prepare_refund(pay_order_id, reversal.refund_no, amount)
        } else {
            self.v1.prepare_refund(reversal.refund_no, reversal.amount)
        }
    }

    async fn reverse(&self, order: &Order, reversal: &ReversalRequest<'_>) -> Result<Reversal> {
        if order.method == Method::CardTerminal {
            // Never sent (prepare_reversal refuses first); kept here so no path sends it.
            return Err(terminal_refusal(order));
        }
        let pay_order_id = order
            .gateway_order_id
            .as_deref()
            .ok_or_else(|| no_gateway_id(order))?;
        match (is_card(order.method), reversal.kind) {
            (true, ReversalKind::Void) => self.card.void(pay_order_id, reversal.refund_no).await,
            (true, ReversalKind::Refund) => {
                self.card
                    .refund(pay_order_id, reversal.refund_no, reversal.amount)
                    .await
            }
            (false, _) => {
                self.v1
                    .refund_order(pay_order_id, reversal.refund_no, reversal.amount)
                    .await
            }
        }
    }

    async fn lookup_reversal(
        &self,
        order: &Order,
        reversal: &ReversalRequest<'_>,
    ) -> Result<Reversal> {
        if is_card(order.method) {
            let pay_order_id = order
                .gateway_order_id
                .as_deref()
                .ok_or_else(|| no_gateway_id(order))?;
            let amount = (reversal.kind == ReversalKind::Refund).then_some(reversal.amount);
            self.card
                .query_refund(reversal.refund_no, pay_order_id, amount)
                .await
        } else {
            self.v1
                .query_refund(reversal.refund_no, reversal.amount)
                .await
        }
    }

    fn verify_notification(&self, order: &Order, notification: &Notification<'_>) -> bool {
        let Notification::Fields(fields) = notification else {
            return false;
        };
        self.v1.verify(fields)
            && notification_matches(fields, &order.merchant_order_no, order.amount)
    }

    async fn check_credentials(&self) -> Result<String> {
        self.v1.check_credentials().await
    }

    async fn add_card(&self, card_id: &str) -> Result<Value> {
        self.card.add_card(card_id).await
    }

    async fn query_card(&self, card_id: &str) -> Result<Value> {
        self.card.query_card(card_id).await
    }
}

/// A tipped card-terminal sale as CC_PAX takes it: `amount` the sale without the tip, which
/// travels in its own `tip` field. `None` for every other sale (its total is one amount).
fn terminal_sale<'a>(
    request: &CreateRequest<'a>,
    tip_minor: i64,
) -> Result<Option<CreateRequest<'a>>> {
    if request.method != Method::CardTerminal || tip_minor == 0 {
        return Ok(None);
    }
    let sale = Money::from_minor(
        request.amount.minor() - tip_minor,
        request.amount.currency(),
    )?;
    Ok(Some(CreateRequest {
        amount: sale,
        ..request.clone()
    }))
}

/// The `amount` IOTPay's answer about an order may carry: its total; for a tipped
/// card-terminal sale, sent as the sale without its tip (the tip went in `tip`:
/// `Iotpay::terminal_fields`), either that or the total, as the page does not say whether
/// the terminal's answer adds the tip. Any other amount is an answer about another sale.
fn gateway_amounts(order: &Order) -> Result<Vec<Money>> {
    if order.method == Method::CardTerminal && order.tip_minor > 0 {
        let sale = Money::from_minor(order.sale_minor(), order.amount.currency())?;
        return Ok(vec![sale, order.amount]);
    }
    Ok(vec![order.amount])
}

#[cfg(test)]
mod tests {
    use super::*;
    use paydesk_domain::money::Currency;
    use paydesk_domain::order::Gateway;

    fn terminal_order(method: Method, amount_minor: i64, tip_minor: i64) -> Order {
        Order {
            tip_minor,
            ..Order::example(
                "PD1",
                Gateway::Iotpay,
                method,
                Money::from_minor(amount_minor, Currency::CAD).unwrap(),
            )
        }
    }

    #[test]
    fn a_tipped_terminal_sale_is_recognised_with_or_without_its_tip_and_nothing_else() {
        let minors = |order: &Order| -> Vec<i64> {
            gateway_amounts(order)
                .unwrap()
                .iter()
                .map(Money::minor)
                .collect()
        };
        // Sent as 20.00 with a 3.00 tip apart: the answer may say 20.00 or 23.00.
        assert_eq!(
            minors(&terminal_order(Method::CardTerminal, 2300, 300)),
            [2000, 2300]
        );
        // Without a tip, and on every other method, the one amount sent.
        assert_eq!(
            minors(&terminal_order(Method::CardTerminal, 2000, 0)),
            [2000]
        );
        assert_eq!(minors(&terminal_order(Method::WechatQr, 2300, 300)), [2300]);
    }
}
