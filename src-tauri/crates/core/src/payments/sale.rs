//! A sale: checked, written as an intent, then sent; a cancel that asks the gateway first.
use std::sync::Arc;

use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::{Currency, Money};
use paydesk_domain::order::{
    new_merchant_order_no, EventSource, Gateway, Method, Order, OrderStatus,
};
use paydesk_gateways::{
    check_method_input, confirm_by_query, CreateRequest, GatewayCancel, Outcome,
};
use paydesk_ledger::ledger::{NewOrder, Observation};

use super::{CreateOrderInput, Paydesk, KEPT_ASKING};
use crate::staff::{self, Acting, Permission};

impl Paydesk {
    /// Validates, writes the intent, then asks the gateway.
    ///
    /// Everything that can be checked before the call is checked before the ledger is
    /// touched (the input, then the adapter's `prepare_create`: settings, field lengths,
    /// currency rules): bad input is an error with nothing written. Then the order is written
    /// durably with its merchant order number (a resend carries the same number), then sent.
    /// A definite refusal makes it Failed and is the caller's error; any other answer, or
    /// none, leaves it open and the caller gets the order (it is watched and reconciled): a
    /// caller is told failure only when the gateway cannot have taken the order.
    pub async fn create_order(
        self: &Arc<Self>,
        by: &Acting,
        input: &CreateOrderInput,
    ) -> Result<Order> {
        self.create_tipped_order(by, input, None).await
    }

    /// `create_order` with the customer's tip as typed (`tip`: "2.00", "15%", "0"; `None` or
    /// "0": no tip; see `paydesk_domain::tip::parse_tip`). The tip is checked with the rest,
    /// before the ledger is touched: refused while tips are off (`tips_off`), on a stored
    /// card charged without the customer (`tip_not_taken`), above the sale (`tip_too_large`).
    /// The order's amount is the total charged (sale + tip) and its tip is kept apart; the
    /// gateway is asked for the total, or for the sale with the tip in its own field where it
    /// has one (IOTPay CC_PAX).
    pub async fn create_tipped_order(
        self: &Arc<Self>,
        by: &Acting,
        input: &CreateOrderInput,
        tip: Option<&str>,
    ) -> Result<Order> {
        let stamp = staff::authorize(&self.ledger, by, Permission::Sell)?;
        let gateway = Gateway::parse(&input.gateway)?;
        let method = Method::parse(gateway, &input.method)?;
        let currency = Currency::parse(&input.currency)?;
        let sale = Money::parse(&input.amount, currency)?;
        method.check_currency(currency)?;
        let tip_minor = match tip {
            Some(text) => crate::tips::tip_for(&self.ledger, method, sale, text)?,
            None => 0,
        };
        let amount = paydesk_domain::tip::check_tip(tip_minor, sale)?;
        check_method_input(method, input.code.as_deref(), input.card_id.as_deref())?;
        let environment = self.mode.as_str().to_string();
        let adapter = self.connector(gateway, &environment).await?;

        let now = chrono::Utc::now();
        let merchant_order_no = new_merchant_order_no(now, self.ledger.counter_number()?);
        let description = format!("Sale {merchant_order_no}");
        let request = CreateRequest {
            merchant_order_no: &merchant_order_no,
            method,
            amount,
            description: &description,
            payment_code: input.code.as_deref().map(str::trim),
            card_id: input.card_id.as_deref(),
        };
        adapter.prepare_tipped_create(&request, tip_minor)?;

        let order = self.ledger.insert_tipped_order(
            &NewOrder {
                merchant_order_no: merchant_order_no.clone(),
                method,
                environment,
                amount,
                expires_at_ms: Some(now.timestamp_millis() + self.order_ttl()?.as_millis() as i64),
                by: stamp,
            },
            tip_minor,
        )?;
        self.watch(order.id);
        match Outcome::from(adapter.create_tipped(&request, tip_minor).await) {
            Outcome::Succeeded(created) => {
                let order = match self.record_created(&order, &created) {
                    Ok(order) => order,
                    // The gateway has the order: the caller must see it, not an error. The
                    // watcher's next query records what the ledger could not keep now.
                    Err(e) => {
                        tracing::error!(order = order.id, "create answer not recorded: {e}");
                        let mut shown = order.clone();
                        shown.status = OrderStatus::Pending;
                        shown.gateway_order_id = created.gateway_order_id.clone();
                        shown.payment_url = created.payment_url.clone();
                        shown.payment_payload = created.payload.clone();
                        return Ok(shown);
                    }
                };
                if confirm_by_query(method) {
                    // A scanned code or stored card may be paid (or declined) already: ask.
                    return match self.sync(order.id).await {
                        Ok(order) => Ok(order),
                        Err(e) => {
                            tracing::warn!(
                                order = order.id,
                                "first query failed, the watcher retries: {e}"
                            );
                            Ok(order)
                        }
                    };
                }
                Ok(order)
            }
            Outcome::Refused(refusal) => {
                let code = match &refusal {
                    Error::GatewayRejected { code, .. } => Some(code.clone()),
                    _ => None,
                };
                let failed = Observation {
                    status: OrderStatus::Failed,
                    gateway_status: code,
                    source: EventSource::Create,
                    note: Some(refusal.to_string()),
                };
                self.ledger.apply(order.id, &failed)?;
                Err(refusal)
            }
            Outcome::Unknown(e) => {
                tracing::warn!(
                    order = order.id,
                    "create outcome unknown, the order is queried until the gateway tells: {e}"
                );
                self.ledger.get(order.id)
            }
        }
    }

    /// Keeps what a create answer carried. A create answer is never a payment status (only a
    /// query marks paid), so the order becomes Pending whatever it claims.
    pub(super) fn record_created(
        &self,
        order: &Order,
        created: &paydesk_gateways::Created,
    ) -> Result<Order> {
        self.ledger.record_gateway_reference(
            order.id,
            created.gateway_order_id.as_deref(),
            created.payment_url.as_deref(),
        )?;
        if let Some(payload) = &created.payload {
            self.ledger.record_payload(order.id, payload)?;
        }
        let (_, order) = self.ledger.apply(
            order.id,
            &Observation {
                status: OrderStatus::Pending,
                gateway_status: created.gateway_status.clone(),
                source: EventSource::Create,
                note: Some("accepted by the gateway".into()),
            },
        )?;
        Ok(order)
    }

    /// Cancels a waiting sale (created, pending or authorized): the counter's "Cancel sale".
    /// The gateway is asked first (a sale paid a moment ago is not cancelled: that is an error
    /// and the paid order stands). Where the gateway documents a call that closes an order
    /// (`Capabilities::cancel_call`: SmartPay's cancelOrRefund) it is made, under a number of
    /// ours that a resend repeats; elsewhere, or when the gateway does not confirm, the sale is
    /// cancelled in Paydesk and the order stays watched while the gateway can still take the
    /// payment: a late payment makes it Paid with the note `PAID_AFTER_CANCEL`. A gateway's
    /// definite refusal changes nothing and is the caller's error. Anything not waiting is
    /// refused (code `not_waiting`) with nothing changed.
    pub async fn cancel(self: &Arc<Self>, by: &Acting, id: i64) -> Result<Order> {
        let stamp = staff::authorize(&self.ledger, by, Permission::Sell)?;
        let order = self.ledger.get(id)?;
        check_cancellable(&order)?;
        let adapter = self.connector(order.gateway, &order.environment).await?;
        if order.status == OrderStatus::Authorized && !adapter.capabilities().cancel_call {
            return Err(not_waiting(format!(
                "order {} is authorised: the customer's money is held, so void it instead of cancelling",
                order.merchant_order_no
            )));
        }
        let order = match self.sync(id).await {
            Ok(order) => order,
            Err(e) => {
                tracing::warn!(order = id, "cannot ask the gateway before cancelling: {e}");
                self.ledger.get(id)?
            }
        };
        check_cancellable(&order)?;
        let cancel_no = format!("CN{}", order.merchant_order_no.trim_start_matches("PD"));
        let (gateway_status, note, keep_asking) =
            match Outcome::from(adapter.cancel(&order, &cancel_no).await) {
                Outcome::Succeeded(GatewayCancel::Closed(reversal)) => (
                    reversal.gateway_status,
                    format!("cancelled at the counter; the gateway closed it (cancel {cancel_no})"),
                    false,
                ),
                Outcome::Succeeded(GatewayCancel::NoCall(reason)) => (
                    None,
                    format!("cancelled in Paydesk only ({reason}); {KEPT_ASKING}"),
                    true,
                ),
                Outcome::Refused(refusal) => {
                    // The gateway said no: the order may have moved on (paid, authorised).
                    if let Err(e) = self.sync(id).await {
                        tracing::warn!(order = id, "query after a refused cancel: {e}");
                    }
                    return Err(refusal);
                }
                Outcome::Unknown(e) => (
                    None,
                    format!(
                        "cancelled in Paydesk; the gateway did not confirm the cancel {cancel_no} ({e}); {KEPT_ASKING}"
                    ),
                    true,
                ),
            };
        let (_, order) = self.ledger.apply(
            id,
            &Observation {
                status: OrderStatus::Cancelled,
                gateway_status,
                source: EventSource::User,
                note: Some(note),
            },
        )?;
        if order.status != OrderStatus::Cancelled {
            // It moved on between the query and now (a notification, the watcher).
            return Err(not_waiting(format!(
                "order {} is {} now: it was not cancelled",
                order.merchant_order_no,
                order.status.label().to_lowercase()
            )));
        }
        self.ledger
            .audit(&stamp.entry("cancel", &order.merchant_order_no, String::new()))?;
        if keep_asking {
            self.watch(id);
        }
        self.notify_observer(&order);
        Ok(order)
    }

    /// SmartExPay's manual payment methods: the owner saw the customer's money arrive, so the
    /// order moves from waitPayment to inProgress at SmartExPay; then it is re-queried.
    pub async fn confirm_manual_payment(&self, by: &Acting, id: i64) -> Result<Order> {
        let stamp = staff::authorize(&self.ledger, by, Permission::Settle)?;
        let order = self.ledger.get(id)?;
        if !paydesk_gateways::capabilities(order.gateway).manual_payment {
            return Err(Error::invalid(
                "order",
                format!(
                    "order {id} is a {} order: only SmartExPay has a manual payment step",
                    order.gateway.as_str()
                ),
            ));
        }
        let adapter = self.connector(order.gateway, &order.environment).await?;
        let order = self.sync(id).await?;
        if order.gateway_status.as_deref() != Some("waitPayment") {
            return Err(Error::invalid(
                "order",
                format!("order {id} is {} at SmartExPay: only an order waiting for payment can be confirmed", order.gateway_status.as_deref().unwrap_or("unknown")),
            ));
        }
        adapter.confirm_manual_payment(&order).await?;
        self.ledger.audit(&stamp.entry(
            "confirm_payment",
            &order.merchant_order_no,
            "the customer's money arrived (SmartExPay manual payment)".into(),
        ))?;
        self.sync_from(id, EventSource::User).await
    }
}

/// The gateway request of a refund or void the ledger holds.
/// Only a waiting sale (created, pending, authorized) can be cancelled.
pub(super) fn check_cancellable(order: &Order) -> Result<()> {
    match order.status {
        OrderStatus::Created | OrderStatus::Pending | OrderStatus::Authorized => Ok(()),
        status => Err(not_waiting(format!(
            "order {} is {}: only a sale still waiting for its payment can be cancelled",
            order.merchant_order_no,
            status.label().to_lowercase()
        ))),
    }
}

/// A request refused because the order is no longer waiting (code `not_waiting`).
pub(super) fn not_waiting(message: String) -> Error {
    Error::Refused {
        params: vec![],
        code: "not_waiting",
        field: Some("order"),
        message,
    }
}
