//! Refunds, voids and captures: reserved in the ledger before the gateway is called, and a
//! reversal whose answer was lost asked about until it settles.
use std::sync::Arc;

use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::{Currency, Money};
use paydesk_domain::order::{new_merchant_order_no, EventSource, Order, OrderStatus};
use paydesk_gateways::{Outcome, ReversalKind, ReversalRequest};
use paydesk_ledger::ledger::{Refund, RefundKind, RefundOutcome};

use super::{Paydesk, REFUND_FIRST_QUERY};
use crate::staff::{self, Acting, Permission};

impl Paydesk {
    /// Follows a refund or void whose outcome is unknown until the gateway tells (where it
    /// can be asked), on the gateway's schedule.
    pub(super) fn watch_reversal(self: &Arc<Self>, refund: Refund) {
        let this = self.clone();
        tokio::spawn(async move {
            let Ok(order) = this.ledger.get(refund.order_id) else {
                return;
            };
            let capabilities = paydesk_gateways::capabilities(order.gateway);
            if !capabilities.refund_lookup {
                return;
            }
            // A refund is not a customer waiting at the counter: the first question waits a
            // little (the gateway finishes most pending refunds within seconds), then backs off.
            let started = std::time::Instant::now();
            loop {
                let age = started.elapsed();
                if age >= capabilities.poll.payable_for {
                    return;
                }
                let delay = capabilities.poll.delay(age).max(REFUND_FIRST_QUERY);
                tokio::time::sleep(delay.min(this.poll_ceiling)).await;
                match this.settle_by_query(&refund).await {
                    Ok(Some(_)) => return,
                    Ok(None) => {}
                    Err(Error::NotFound(_)) => return,
                    Err(e) => tracing::warn!(refund = %refund.refund_no, "refund query: {e}"),
                }
            }
        });
    }

    /// Asks the gateway what became of a refund whose outcome is unknown, and records a
    /// definite answer. `None` while it is still unknown.
    pub(super) async fn settle_by_query(&self, refund: &Refund) -> Result<Option<(Refund, Order)>> {
        let current = self.ledger.refund_by_no(&refund.refund_no)?;
        if current.status != paydesk_ledger::ledger::RefundStatus::Pending {
            return Ok(Some((current, self.ledger.get(refund.order_id)?)));
        }
        let order = self.ledger.get(refund.order_id)?;
        let adapter = self.connector(order.gateway, &order.environment).await?;
        if !adapter.capabilities().refund_lookup {
            return Ok(None);
        }
        let request = reversal_request(refund, order.amount.currency())?;
        match Outcome::from(adapter.lookup_reversal(&order, &request).await) {
            Outcome::Succeeded(reversal) => Ok(Some(self.ledger.finish_refund(
                refund.id,
                RefundOutcome::Succeeded {
                    gateway_refund_id: reversal.gateway_refund_id,
                    gateway_status: reversal.gateway_status,
                },
            )?)),
            Outcome::Refused(e) => Ok(Some(self.ledger.finish_refund(
                refund.id,
                RefundOutcome::Failed {
                    reason: e.to_string(),
                },
            )?)),
            Outcome::Unknown(e) => {
                tracing::info!(refund = %refund.refund_no, "refund still unknown: {e}");
                Ok(None)
            }
        }
    }

    /// Captures a SmartPay authorisation (in full, or `amount` as typed). The capture's
    /// modificationId is written to the order before the call and resent unchanged when the
    /// capture is tried again after an unknown outcome.
    pub async fn capture(&self, by: &Acting, id: i64, amount: Option<&str>) -> Result<Order> {
        let stamp = staff::authorize(&self.ledger, by, Permission::Sell)?;
        let order = self.ledger.get(id)?;
        if !paydesk_gateways::capabilities(order.gateway).capture {
            return Err(Error::invalid(
                "order",
                format!(
                    "order {id} is a {} order: only SmartPay authorisations are captured",
                    order.gateway.as_str()
                ),
            ));
        }
        let adapter = self.connector(order.gateway, &order.environment).await?;
        if order.status != OrderStatus::Authorized {
            return Err(Error::invalid(
                "order",
                format!(
                    "order {id} is {}: only an authorised payment can be captured",
                    order.status
                ),
            ));
        }
        let amount = amount
            .map(|a| Money::parse(a, order.amount.currency()))
            .transpose()?;
        if amount.is_some_and(|a| a.minor() > order.amount.minor()) {
            return Err(Error::invalid(
                "amount",
                format!("at most {} can be captured", order.amount),
            ));
        }
        if order.gateway_order_id.is_none() {
            return Err(Error::invalid(
                "order",
                format!("order {id} has no transactionId"),
            ));
        }
        let mut payload = order
            .payment_payload
            .clone()
            .unwrap_or_else(|| serde_json::json!({}));
        let modification_id = match payload
            .get("captureModificationId")
            .and_then(|v| v.as_str())
        {
            Some(existing) => existing.to_string(),
            None => {
                let fresh =
                    new_merchant_order_no(chrono::Utc::now(), self.ledger.counter_number()?)
                        .replacen("PD", "CP", 1);
                payload["captureModificationId"] = serde_json::json!(fresh);
                self.ledger.record_payload(id, &payload)?;
                fresh
            }
        };
        self.ledger.audit(&stamp.entry(
            "capture",
            &order.merchant_order_no,
            format!(
                "{} {} (capture {modification_id})",
                amount.unwrap_or(order.amount).minor(),
                order.amount.currency().code()
            ),
        ))?;
        match Outcome::from(adapter.capture(&order, &modification_id, amount).await) {
            Outcome::Refused(e) => Err(e),
            // Done, or not decided yet: the payment's status says which (the capture's id is
            // kept, so trying again resends the same capture).
            Outcome::Succeeded(_) => self.sync_from(id, EventSource::User).await,
            Outcome::Unknown(e) => {
                tracing::warn!(
                    order = id,
                    "capture outcome unknown, the status query tells: {e}"
                );
                self.sync_from(id, EventSource::User).await
            }
        }
    }

    /// Resends the refunds and voids of an order whose outcome is unknown (still pending in
    /// the ledger), each with the refund number (SmartPay's modificationId) it was reserved
    /// under, so the gateway recognises a repeat. A refusal of a resend leaves the refund
    /// pending, its text noted on it, and is returned: the first send may have gone through
    /// (the gateway may then refuse the repeated number, or an order now refunded), so only
    /// the owner, having looked at the gateway's records, settles it ([`Self::settle_reversal`]).
    pub async fn retry_reversals(&self, id: i64) -> Result<Order> {
        let order = self.ledger.get(id)?;
        let adapter = self.connector(order.gateway, &order.environment).await?;
        let mut refused = None;
        for refund in self
            .ledger
            .refunds(id)?
            .into_iter()
            .filter(|r| r.status == paydesk_ledger::ledger::RefundStatus::Pending)
        {
            // First ask, where the gateway can say: a resend of a refund that went through
            // would be refused and tell nothing.
            if self.settle_by_query(&refund).await?.is_some() {
                continue;
            }
            // Pending refunds are not in refunded_minor yet: the order reads as it did when this
            // one was reserved, so a full refund is resent as a full one.
            let order = self.ledger.get(id)?;
            let request = reversal_request(&refund, order.amount.currency())?;
            match Outcome::from(adapter.reverse(&order, &request).await) {
                Outcome::Succeeded(reversal) => {
                    self.ledger.finish_refund(
                        refund.id,
                        RefundOutcome::Succeeded {
                            gateway_refund_id: reversal.gateway_refund_id,
                            gateway_status: reversal.gateway_status,
                        },
                    )?;
                }
                Outcome::Refused(e) => {
                    self.ledger
                        .note_refund(refund.id, &format!("resend refused: {e}"))?;
                    refused.get_or_insert(e);
                }
                Outcome::Unknown(e) => return Err(e),
            }
        }
        match refused {
            Some(e) => Err(e),
            None => self.ledger.get(id),
        }
    }

    /// The owner's word on a refund or void whose outcome is unknown, after looking at the
    /// gateway's records: it went through (counted as refunded) or it did not (its amount is
    /// refundable again). Only a pending refund can be settled.
    pub fn settle_reversal(
        &self,
        by: &Acting,
        refund_no: &str,
        went_through: bool,
    ) -> Result<(Refund, Order)> {
        let stamp = staff::authorize(&self.ledger, by, Permission::Settle)?;
        let refund = self.ledger.refund_by_no(refund_no)?;
        if refund.status != paydesk_ledger::ledger::RefundStatus::Pending {
            return Err(Error::invalid(
                "refund",
                format!(
                    "{} is already {}: only a refund whose outcome is unknown can be settled",
                    refund.refund_no,
                    refund.status.as_str()
                ),
            ));
        }
        let outcome = if went_through {
            RefundOutcome::Succeeded {
                gateway_refund_id: None,
                gateway_status: None,
            }
        } else {
            RefundOutcome::Failed {
                reason: "the owner found at the gateway that it did not go through".into(),
            }
        };
        let (settled, order) = self.ledger.finish_refund(refund.id, outcome)?;
        self.ledger.audit(&stamp.entry(
            "settle",
            &settled.refund_no,
            format!(
                "{}: {}",
                if went_through {
                    "went through"
                } else {
                    "did not go through"
                },
                settled.status.as_str()
            ),
        ))?;
        // A resend that finished meanwhile wins: the owner hears how it ended.
        let wanted = if went_through {
            paydesk_ledger::ledger::RefundStatus::Succeeded
        } else {
            paydesk_ledger::ledger::RefundStatus::Failed
        };
        if settled.status != wanted {
            return Err(Error::invalid(
                "refund",
                format!(
                    "{} was settled meanwhile as {}",
                    settled.refund_no,
                    settled.status.as_str()
                ),
            ));
        }
        Ok((settled, order))
    }

    /// Refunds the sale without its tip (what is left of it): the counter's "Refund the sale
    /// (without tip)" and `paydesk order refund --sale-only`. The refund's row records no tip,
    /// and the order keeps its tip. Refused when nothing of the sale is left to give back.
    pub async fn refund_sale(
        self: &Arc<Self>,
        by: &Acting,
        id: i64,
        reason: Option<&str>,
    ) -> Result<(Refund, Order)> {
        let order = self.ledger().get(id)?;
        let left = crate::tips::sale_left(self.ledger(), &order)?;
        if left == 0 {
            return Err(Error::invalid(
                "amount",
                format!(
                    "the sale of order {} is refunded already: only its tip is left",
                    order.merchant_order_no
                ),
            ));
        }
        let amount = order.amount.currency().decimal_string(left);
        self.refund(by, id, Some(&amount), reason).await
    }

    /// Gives back `amount` (cashier text; the whole remainder when `None`) on a paid order.
    /// Checked first (the gateway's capabilities and the adapter's `prepare_reversal`), then
    /// reserved in the ledger with its own refund number before the gateway is called, so
    /// concurrent refunds cannot exceed what was paid and a resend is recognisable. A refund
    /// whose outcome is unknown is returned pending (its amount held back) and asked about
    /// until the gateway tells.
    pub async fn refund(
        self: &Arc<Self>,
        by: &Acting,
        id: i64,
        amount: Option<&str>,
        reason: Option<&str>,
    ) -> Result<(Refund, Order)> {
        let order = self.ledger.get(id)?;
        // A card-terminal sale is given back on the terminal itself, never through Paydesk:
        // refused first (no approval could change it), in words that say where to refund it.
        if order.method == paydesk_domain::order::Method::CardTerminal {
            return Err(paydesk_gateways::iotpay::terminal_refusal(&order));
        }
        let currency = order.amount.currency();
        let minor = match amount {
            Some(text) => Money::parse(text, currency)?.minor(),
            None => order.amount.minor() - order.refunded_minor,
        };
        let stamp = staff::authorize_reversal(&self.ledger, by, minor, currency)?;
        if let Some(why) = paydesk_gateways::capabilities(order.gateway).no_refunds {
            return Err(Error::invalid(
                "order",
                format!("order {}: {why}", order.merchant_order_no),
            ));
        }
        let adapter = self.connector(order.gateway, &order.environment).await?;
        let refund_no = new_merchant_order_no(chrono::Utc::now(), self.ledger.counter_number()?)
            .replacen("PD", "RF", 1);
        let amount = Money::from_minor(minor, currency)?;
        let request = ReversalRequest {
            kind: ReversalKind::Refund,
            refund_no: &refund_no,
            amount,
        };
        if minor > 0 {
            adapter.prepare_reversal(&order, &request)?;
            // In a shop, reserved in the shop ledger first (the rule in `shop.rs`).
            self.reserve_in_shop(&order, &refund_no, minor, RefundKind::Refund, reason)
                .await?;
        }
        let refund = match self.ledger.begin_refund(
            id,
            &refund_no,
            minor,
            RefundKind::Refund,
            reason,
            &stamp,
        ) {
            Ok(refund) => refund,
            Err(e) => {
                self.release_in_shop(&refund_no, &e).await;
                return Err(e);
            }
        };
        let answer = adapter.reverse(&order, &request).await;
        self.finish_reversal(refund, answer)
    }

    /// Cancels an unsettled card payment in full.
    pub async fn void(
        self: &Arc<Self>,
        by: &Acting,
        id: i64,
        reason: Option<&str>,
    ) -> Result<(Refund, Order)> {
        let order = self.ledger.get(id)?;
        // A card-terminal sale is given back on the terminal itself, never through Paydesk:
        // refused first (no approval could change it), in words that say where to refund it.
        if order.method == paydesk_domain::order::Method::CardTerminal {
            return Err(paydesk_gateways::iotpay::terminal_refusal(&order));
        }
        let stamp = staff::authorize_reversal(
            &self.ledger,
            by,
            order.amount.minor(),
            order.amount.currency(),
        )?;
        // Refused before anything is reserved when the gateway cannot void this kind of order.
        if !paydesk_gateways::capabilities(order.gateway)
            .voidable
            .contains(&order.method)
        {
            return Err(Error::invalid(
                "order",
                format!(
                    "{} payments cannot be voided: refund them instead",
                    order.method.label()
                ),
            ));
        }
        let adapter = self.connector(order.gateway, &order.environment).await?;
        let refund_no = new_merchant_order_no(chrono::Utc::now(), self.ledger.counter_number()?)
            .replacen("PD", "VD", 1);
        let request = ReversalRequest {
            kind: ReversalKind::Void,
            refund_no: &refund_no,
            amount: order.amount,
        };
        adapter.prepare_reversal(&order, &request)?;
        self.reserve_in_shop(
            &order,
            &refund_no,
            order.amount.minor(),
            RefundKind::Void,
            reason,
        )
        .await?;
        let refund = match self.ledger.begin_refund(
            id,
            &refund_no,
            order.amount.minor(),
            RefundKind::Void,
            reason,
            &stamp,
        ) {
            Ok(refund) => refund,
            Err(e) => {
                self.release_in_shop(&refund_no, &e).await;
                return Err(e);
            }
        };
        let answer = adapter.reverse(&order, &request).await;
        self.finish_reversal(refund, answer)
    }

    pub(super) fn finish_reversal(
        self: &Arc<Self>,
        refund: Refund,
        answer: Result<paydesk_gateways::Reversal>,
    ) -> Result<(Refund, Order)> {
        match Outcome::from(answer) {
            Outcome::Succeeded(reversal) => self.ledger.finish_refund(
                refund.id,
                RefundOutcome::Succeeded {
                    gateway_refund_id: reversal.gateway_refund_id,
                    gateway_status: reversal.gateway_status,
                },
            ),
            Outcome::Refused(e) => {
                self.ledger.finish_refund(
                    refund.id,
                    RefundOutcome::Failed {
                        reason: e.to_string(),
                    },
                )?;
                Err(e)
            }
            // Unknown outcome: the refund stays pending (its amount held back) and is asked
            // about until the gateway tells; the caller is told so, not that it failed.
            Outcome::Unknown(e) => {
                tracing::warn!(refund = %refund.refund_no, "refund outcome unknown: {e}");
                self.ledger
                    .note_refund(refund.id, &format!("no clear answer yet: {e}"))?;
                self.watch_reversal(refund.clone());
                let refund = self.ledger.refund_by_no(&refund.refund_no)?;
                let order = self.ledger.get(refund.order_id)?;
                Ok((refund, order))
            }
        }
    }
}

pub(super) fn reversal_request(refund: &Refund, currency: Currency) -> Result<ReversalRequest<'_>> {
    Ok(ReversalRequest {
        kind: match refund.kind {
            RefundKind::Refund => ReversalKind::Refund,
            RefundKind::Void => ReversalKind::Void,
        },
        refund_no: &refund.refund_no,
        amount: Money::from_minor(refund.amount_minor, currency)?,
    })
}
