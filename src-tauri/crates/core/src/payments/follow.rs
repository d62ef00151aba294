//! Following an order to its true status: queries on each gateway's schedule, what an answer
//! means for the ledger, reconcile at startup, late payments.
use std::sync::Arc;
use std::time::Duration;

use paydesk_domain::error::{Error, Result};
use paydesk_domain::order::{EventSource, Gateway, Order, OrderStatus};
use paydesk_gateways::Lookup;
use paydesk_ledger::ledger::{
    now_ms, Applied, Observation, OrderFilter, RefundKind, RefundOutcome,
};

use super::{
    LatePayment, Paydesk, AUTHORISED_AFTER_CANCEL, CREATE_GRACE, KEPT_ASKING, LATE_PAYMENT,
    ORDER_TTL, PAID_AFTER_CANCEL,
};

impl Paydesk {
    /// Whether Paydesk still asks the gateway about an order: open, expired or cancelled in
    /// Paydesk only, while the gateway can still take its payment.
    pub fn still_followed(&self, order: &Order) -> bool {
        match order.status {
            OrderStatus::Created | OrderStatus::Pending | OrderStatus::Authorized => true,
            OrderStatus::Expired => self.still_payable(order),
            OrderStatus::Cancelled => self.still_payable(order) && self.cancelled_here(order),
            _ => false,
        }
    }

    /// A sale cancelled in Paydesk that the gateway did not close (its cancelling event says so).
    pub(super) fn cancelled_here(&self, order: &Order) -> bool {
        let Ok(events) = self.ledger.events(order.id) else {
            return false;
        };
        events
            .iter()
            .rev()
            .find(|e| {
                e.to_status == OrderStatus::Cancelled
                    && e.from_status != Some(OrderStatus::Cancelled)
            })
            .is_some_and(|e| {
                e.source == EventSource::User
                    && e.note.as_deref().is_some_and(|n| n.ends_with(KEPT_ASKING))
            })
    }

    /// Asks the gateway what became of an order and applies the answer.
    pub async fn sync(&self, id: i64) -> Result<Order> {
        self.sync_from(id, EventSource::Poll).await
    }

    pub(super) async fn sync_from(&self, id: i64, source: EventSource) -> Result<Order> {
        self.sync_with(id, source, false).await
    }

    /// The window's widget called back (a hint only): the order is queried with the
    /// gateway's patience for pending answers (SmartPay: three re-queries within three
    /// minutes, then an error logged and the order left Pending).
    pub async fn confirm_widget(&self, id: i64) -> Result<Order> {
        self.sync_with(id, EventSource::Poll, true).await
    }

    pub(super) async fn sync_with(
        &self,
        id: i64,
        source: EventSource,
        patient: bool,
    ) -> Result<Order> {
        let order = self.ledger.get(id)?;
        let connector = self.connector(order.gateway, &order.environment).await?;
        let lookup = if patient {
            connector.lookup_patiently(&order).await?
        } else {
            connector.lookup(&order).await?
        };
        if let Some(support) = connector.support_fields(&order) {
            // Kept with the order for its detail view (SmartPay's support fields).
            let mut payload = order
                .payment_payload
                .clone()
                .unwrap_or_else(|| serde_json::json!({}));
            if payload.get("support") != Some(&support) {
                payload["support"] = support;
                self.ledger.record_payload(id, &payload)?;
            }
        }
        let mut order = match lookup {
            Lookup::Found(report) => {
                if order.gateway_order_id.is_none() && report.gateway_order_id.is_some() {
                    self.ledger.record_gateway_reference(
                        id,
                        report.gateway_order_id.as_deref(),
                        None,
                    )?;
                }
                if report.status == OrderStatus::Refunded {
                    self.gateway_returned(&order, &report, source)?;
                }
                let money = matches!(report.status, OrderStatus::Paid | OrderStatus::Authorized);
                let late = match order.status {
                    OrderStatus::Expired if money => Some(LATE_PAYMENT),
                    OrderStatus::Cancelled if report.status == OrderStatus::Paid => {
                        Some(PAID_AFTER_CANCEL)
                    }
                    OrderStatus::Cancelled if report.status == OrderStatus::Authorized => {
                        Some(AUTHORISED_AFTER_CANCEL)
                    }
                    _ => None,
                };
                if let Some(late) = late {
                    tracing::warn!(order = id, "{late}");
                }
                let note = match (late, report.note) {
                    (Some(late), Some(note)) => Some(format!("{late}; {note}")),
                    (Some(late), None) => Some(late.to_string()),
                    (None, note) => note,
                };
                if let Some(card) = report.card.as_ref().filter(|_| money) {
                    // Kept before the status: the automatic print reads the order once Paid.
                    super::keep_card(&self.ledger, id, card)?;
                }
                let observation = Observation {
                    status: report.status,
                    gateway_status: Some(report.gateway_status),
                    source,
                    note,
                };
                let (applied, order) = self.ledger.apply(id, &observation)?;
                if applied == Applied::Moved && order.status == OrderStatus::Paid {
                    self.notify_paid(&order);
                }
                order
            }
            Lookup::Missing
                if order.status == OrderStatus::Created
                    && now_ms() - order.created_at_ms > CREATE_GRACE.as_millis() as i64 =>
            {
                let observation = Observation {
                    status: OrderStatus::Failed,
                    gateway_status: None,
                    source,
                    note: Some("the gateway has no such order: the create never reached it".into()),
                };
                self.ledger.apply(id, &observation)?.1
            }
            Lookup::Missing => order,
            Lookup::CannotAsk(reason) => {
                tracing::warn!(order = id, "cannot ask the gateway: {reason}");
                order
            }
        };
        // The counter stops waiting at the order's expiry (an authorisation, which holds the
        // customer's money, waits for a capture or a void instead). The gateway may still take
        // the payment: the order keeps being asked about for as long as it can (see `watch`
        // and `reconcile`), and a late payment moves it to Paid.
        if !order.status.is_settled()
            && order.status != OrderStatus::Authorized
            && order.expires_at_ms.is_some_and(|at| now_ms() > at)
        {
            let observation = Observation {
                status: OrderStatus::Expired,
                gateway_status: None,
                source,
                note: Some("no payment before the order expired; Paydesk keeps asking the gateway while it can still take it".into()),
            };
            order = self.ledger.apply(id, &observation)?.1;
        }
        Ok(order)
    }

    /// The gateway gave the money back by itself (SmartExPay `returned`): the order was paid,
    /// then refunded in full. Recorded as a paid event and a refund the gateway made, so the
    /// refunded total is right in the ledger and exports.
    pub(super) fn gateway_returned(
        &self,
        order: &Order,
        report: &paydesk_gateways::Report,
        source: EventSource,
    ) -> Result<()> {
        if matches!(
            order.status,
            OrderStatus::Created
                | OrderStatus::Pending
                | OrderStatus::Authorized
                | OrderStatus::Expired
                | OrderStatus::Cancelled
        ) {
            let paid = Observation {
                status: OrderStatus::Paid,
                gateway_status: Some(report.gateway_status.clone()),
                source,
                note: Some("the gateway returned the money: it had been received".into()),
            };
            self.ledger.apply(order.id, &paid)?;
        }
        let order = self.ledger.get(order.id)?;
        let remaining = order.amount.minor() - order.refunded_minor;
        if matches!(
            order.status,
            OrderStatus::Paid | OrderStatus::PartiallyRefunded
        ) && remaining > 0
        {
            let refund_no = format!("RT{}", order.merchant_order_no.trim_start_matches("PD"));
            let refund = self.ledger.begin_refund(
                order.id,
                &refund_no,
                remaining,
                RefundKind::Refund,
                Some("returned by the gateway"),
                // No one at the till did it: the audit entry names no one.
                &paydesk_ledger::ledger::Stamp::default(),
            )?;
            self.ledger.finish_refund(
                refund.id,
                RefundOutcome::Succeeded {
                    gateway_refund_id: order.gateway_order_id.clone(),
                    gateway_status: Some(report.gateway_status.clone()),
                },
            )?;
        }
        Ok(())
    }

    /// `paydesk reconcile` for a headless counter (the window's startup is
    /// [`Paydesk::reconcile_and_follow`]): every order left open (mid-creation, or waiting when
    /// the app stopped), and every expired one the gateway can still take a payment for, is
    /// queried, newest first; every refund whose outcome is unknown is asked about where the
    /// gateway can say (and resent where a resend is documented as the same refund). Returns
    /// each order as it was, with what it became (or why it could not be asked: it stays as it
    /// was and is tried again next time).
    pub async fn reconcile(&self) -> Result<Vec<(Order, Result<Order>)>> {
        self.reconcile_each(Duration::ZERO, |_, _| {}).await
    }

    /// The window's startup: [`Paydesk::reconcile`] at one question per `pace`
    /// ([`super::STARTUP_RECONCILE_PACE`]: a backlog of open orders, after days off or a
    /// restore, is asked about in the background without taking the till's cores from the
    /// cashier or bursting at a gateway), each order still open followed as soon as its answer
    /// is in. Newest first, so the sale a cashier was in when the app stopped is asked about,
    /// and followed, before any backlog.
    pub async fn reconcile_and_follow(self: &Arc<Self>, pace: Duration) -> Result<()> {
        self.reconcile_each(pace, |before, after| {
            let order = after.as_ref().unwrap_or(before);
            if self.still_followed(order) {
                self.watch(order.id);
            }
        })
        .await
        .map(drop)
    }

    async fn reconcile_each(
        &self,
        pace: Duration,
        mut answered: impl FnMut(&Order, &Result<Order>),
    ) -> Result<Vec<(Order, Result<Order>)>> {
        let longest = [
            Gateway::Iotpay,
            Gateway::Smepay,
            Gateway::Smartpay,
            Gateway::Smartexpay,
        ]
        .into_iter()
        .map(|g| paydesk_gateways::capabilities(g).poll.payable_for)
        .max()
        .unwrap_or(ORDER_TTL);
        let since = now_ms() - longest.as_millis() as i64;
        let mut open = self.ledger.orders_to_reconcile(since)?;
        // Sales cancelled in Paydesk only, while their gateway can still take the payment.
        let recent_cancels = OrderFilter {
            status: Some(OrderStatus::Cancelled),
            from_ms: Some(since),
            ..Default::default()
        };
        let mut cancelled = Vec::new();
        self.ledger.for_each(&recent_cancels, |o| {
            cancelled.push(o.clone());
            Ok(())
        })?;
        open.extend(cancelled.into_iter().filter(|o| self.still_followed(o)));
        open.sort_by_key(|o| std::cmp::Reverse(o.id));
        let mut out = Vec::with_capacity(open.len());
        for order in open {
            if order.status == OrderStatus::Expired && !self.still_payable(&order) {
                continue;
            }
            if !out.is_empty() && !pace.is_zero() {
                tokio::time::sleep(pace).await;
            }
            let result = self.sync_from(order.id, EventSource::Reconcile).await;
            if let Err(e) = &result {
                tracing::warn!(order = order.id, "reconcile: {e}");
            }
            answered(&order, &result);
            out.push((order, result));
        }
        match self.ledger.pending_refunds() {
            Ok(unanswered) => {
                for refund in unanswered {
                    if !pace.is_zero() {
                        tokio::time::sleep(pace).await;
                    }
                    if let Err(e) = self.settle_by_query(&refund).await {
                        tracing::warn!(refund = %refund.refund_no, "reconcile: {e}");
                    }
                }
            }
            Err(e) => tracing::warn!("reconcile: {e}"),
        }
        Ok(out)
    }

    /// Whether the gateway may still take a payment for this order (its documented window).
    pub(super) fn still_payable(&self, order: &Order) -> bool {
        let window = paydesk_gateways::capabilities(order.gateway)
            .poll
            .payable_for;
        now_ms() - order.created_at_ms < window.as_millis() as i64
    }

    /// Follows an order until it settles, telling the observer of every change: fast while
    /// the customer is at the counter, then backing off (each gateway's `PollSchedule`), and
    /// past the counter's expiry for as long as the gateway can still take the payment. One
    /// watcher per order, however often this is called.
    pub fn watch(self: &Arc<Self>, id: i64) {
        if !self
            .watching
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id)
        {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            let mut last: Option<(OrderStatus, Option<String>)> = None;
            let mut pending_requeries = 0u32;
            loop {
                let Ok(order) = this.ledger.get(id) else {
                    break;
                };
                let poll = paydesk_gateways::capabilities(order.gateway).poll;
                let age = Duration::from_millis((now_ms() - order.created_at_ms).max(0) as u64);
                if age >= poll.payable_for {
                    break;
                }
                let mut delay = poll.delay(age).min(this.poll_ceiling);
                if let Some((times, gap)) = poll.pending_requeries {
                    // The gateway's documented patience: after the customer's time at the
                    // counter, this many re-queries of a pending order, then it is left
                    // pending for the gateway to resolve (reconcile asks again later).
                    if age >= poll.fast_for {
                        if pending_requeries >= times {
                            tracing::error!(
                                order = id,
                                "still pending after {times} re-queries: left pending for the gateway to resolve"
                            );
                            break;
                        }
                        pending_requeries += 1;
                        delay = gap.min(this.poll_ceiling);
                    }
                }
                tokio::time::sleep(delay).await;
                match this.sync(id).await {
                    Ok(order) => {
                        let now = (order.status, order.gateway_status.clone());
                        if last.as_ref() != Some(&now) {
                            this.notify_observer(&order);
                            last = Some(now);
                        }
                        // An authorisation waits for the owner (capture or void), not the
                        // gateway; an expired order is still asked about while payable.
                        // A sale cancelled in Paydesk only is asked about like an expired one.
                        let done = order.status == OrderStatus::Authorized
                            || (order.status.is_settled()
                                && order.status != OrderStatus::Expired
                                && !this.still_followed(&order));
                        if done {
                            break;
                        }
                    }
                    Err(Error::NotFound(_)) => break,
                    Err(e) => tracing::warn!(order = id, "poll: {e}"),
                }
            }
            this.watching
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&id);
        });
    }

    /// How long the counter waits for a payment: 15 minutes, unless the `order.ttl_ms`
    /// setting says otherwise (tests of late payments).
    pub(super) fn order_ttl(&self) -> Result<Duration> {
        match self.ledger.setting("order.ttl_ms")? {
            Some(ms) => ms
                .trim()
                .parse::<u64>()
                .map(Duration::from_millis)
                .map_err(|_| {
                    Error::invalid(
                        "order.ttl_ms",
                        format!("{ms:?} is not a number of milliseconds"),
                    )
                }),
            None => Ok(ORDER_TTL),
        }
    }

    /// Orders paid (or authorised) after the counter stopped waiting or the sale was cancelled,
    /// newest first, with what the owner should do: money arrived for a sale the counter had
    /// let go, so the customer may have paid twice (expired) or is owed it back (cancelled).
    /// Only those still holding the money (paid or authorised: not refunded or voided since).
    pub fn late_payments(&self) -> Result<Vec<LatePayment>> {
        let mut late = Vec::new();
        for (from, to, note) in [
            (OrderStatus::Expired, OrderStatus::Paid, LATE_PAYMENT),
            (OrderStatus::Expired, OrderStatus::Authorized, LATE_PAYMENT),
            (OrderStatus::Cancelled, OrderStatus::Paid, PAID_AFTER_CANCEL),
            (
                OrderStatus::Cancelled,
                OrderStatus::Authorized,
                AUTHORISED_AFTER_CANCEL,
            ),
        ] {
            for order in self.ledger.orders_moved(from, to)? {
                late.push(LatePayment { order, note });
            }
        }
        late.retain(|l| matches!(l.order.status, OrderStatus::Paid | OrderStatus::Authorized));
        late.sort_by_key(|l| std::cmp::Reverse(l.order.id));
        late.dedup_by_key(|l| l.order.id);
        Ok(late)
    }

    /// The order of `gateway` that the gateway knows by `gateway_order_id`, if it is ours.
    pub fn order_by_gateway_id(
        &self,
        gateway: Gateway,
        gateway_order_id: &str,
    ) -> Result<Option<Order>> {
        let filter = paydesk_ledger::ledger::OrderFilter {
            gateway: Some(gateway),
            search: Some(gateway_order_id.to_string()),
            ..Default::default()
        };
        Ok(self
            .ledger
            .list(&filter)?
            .into_iter()
            .find(|o| o.gateway_order_id.as_deref() == Some(gateway_order_id)))
    }

    /// The order a notification names, if it is ours.
    pub fn order_by_merchant_no(&self, merchant_order_no: &str) -> Result<Option<Order>> {
        self.ledger.find_by_merchant_no(merchant_order_no)
    }

    /// Re-queries after a verified notification (the notification itself is only a hint).
    /// The window is told at once when the query moved the order: Paid shows the moment the
    /// gateway confirms, not at the watcher's next poll (which then sees nothing new to tell,
    /// or tells the same state once more, harmlessly).
    pub async fn sync_after_notify(&self, id: i64) -> Result<Order> {
        let before = self
            .ledger
            .get(id)
            .ok()
            .map(|o| (o.status, o.gateway_status));
        let order = self.sync_from(id, EventSource::Notify).await?;
        if before.as_ref() != Some(&(order.status, order.gateway_status.clone())) {
            self.notify_observer(&order);
        }
        Ok(order)
    }
}
