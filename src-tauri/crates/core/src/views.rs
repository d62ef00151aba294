//! What the window (over IPC) and the CLI (`--json`) see of an order: plain data, amounts
//! already formatted per currency, times as RFC 3339. Never a secret.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use paydesk_domain::order::{Gateway, Method, MoneyClass, Order, OrderEvent, OrderStatus};
use paydesk_gateways::{described_word_for, DescribedWord};

pub fn rfc3339(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct OrderView {
    pub id: i64,
    pub merchant_order_no: String,
    pub gateway: &'static str,
    pub method: &'static str,
    pub environment: String,
    pub amount_minor: i64,
    pub currency: &'static str,
    pub amount_display: String,
    pub status: OrderStatus,
    /// The gateway's own word, verbatim (the detail's technical section).
    pub gateway_status: Option<String>,
    /// That word in plain words, from the gateway's tables; null without a gateway status.
    pub gateway_status_label: Option<String>,
    /// The catalogue key of that label, for the window's language: "gateway_word.smepay.initiated",
    /// or "gateway_word.unknown" for a word no table knows; null without a gateway status.
    pub gateway_status_key: Option<String>,
    /// The word itself, trimmed, when no table knows it (the unknown message's `{word}`).
    pub unknown_gateway_word: Option<String>,
    /// Why a failed, cancelled or expired order ended, in plain words; null otherwise.
    pub reason: Option<String>,
    /// The catalogue key of `reason`, for the window's language (a gateway word's key, or
    /// `status.reason.<status>`); null with no reason.
    pub reason_key: Option<String>,
    pub gateway_order_id: Option<String>,
    pub payment_url: Option<String>,
    /// What a widget or app needs beyond the link (secureId and script URL, payParams).
    // Any JSON: the window checks its shape where it reads it (cardWidget.ts).
    #[ts(type = "unknown")]
    pub payment_payload: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    // Left out, never null, when there is no QR.
    #[ts(optional)]
    pub qr_svg: Option<String>,
    pub refunded_minor: i64,
    /// The tip inside `amount_minor` (0: none); the sale is amount - tip.
    pub tip_minor: i64,
    /// "1.85" for people; null without a tip.
    pub tip_display: Option<String>,
    /// The sale without the tip, for people.
    pub sale_display: String,
    /// How much of the tip refunds gave back.
    pub tip_refunded_minor: i64,
    pub created_at: String,
    pub updated_at: String,
    pub expires_at: Option<String>,
    pub customer: Option<String>,
    /// The shop's counter that made the sale; null for a counter on its own.
    pub counter: Option<String>,
    /// The staff member who made the sale (null: no one signed in, or before staff accounts).
    pub staff: Option<String>,
}

impl OrderView {
    /// `with_qr` draws the QR of an order still waiting for its customer (the counter screen);
    /// lists leave it out.
    pub fn of(order: &Order, with_qr: bool) -> OrderView {
        let qr_svg = if with_qr && !order.status.is_settled() {
            order
                .payment_url
                .as_deref()
                .and_then(|url| match crate::qr::svg(url) {
                    Ok(svg) => Some(svg),
                    Err(e) => {
                        tracing::warn!(order = order.id, "no QR: {e}");
                        None
                    }
                })
        } else {
            None
        };
        let said = order
            .gateway_status
            .as_deref()
            .filter(|w| !w.trim().is_empty())
            .map(|w| described_word_for(order.gateway, order.method, order.status, w));
        let (gateway_status_key, unknown_gateway_word) = said_for_window(said.as_ref());
        let ended = reason(
            order.gateway,
            order.method,
            order.status,
            order.gateway_status.as_deref(),
        );
        OrderView {
            id: order.id,
            merchant_order_no: order.merchant_order_no.clone(),
            gateway: order.gateway.as_str(),
            method: order.method.as_str(),
            environment: order.environment.clone(),
            amount_minor: order.amount.minor(),
            currency: order.amount.currency().code(),
            amount_display: order.amount.display_amount(),
            status: order.status,
            gateway_status: order.gateway_status.clone(),
            gateway_status_label: said.map(|d| d.label.into_owned()),
            gateway_status_key,
            unknown_gateway_word,
            reason: ended.as_ref().map(|r| r.label.clone()),
            reason_key: ended.map(|r| r.key.to_string()),
            gateway_order_id: order.gateway_order_id.clone(),
            payment_url: order.payment_url.clone(),
            payment_payload: order.payment_payload.clone(),
            qr_svg,
            refunded_minor: order.refunded_minor,
            tip_minor: order.tip_minor,
            tip_display: (order.tip_minor > 0)
                .then(|| order.amount.currency().display(order.tip_minor)),
            sale_display: order.amount.currency().display(order.sale_minor()),
            tip_refunded_minor: order.tip_refunded_minor,
            created_at: rfc3339(order.created_at_ms),
            updated_at: rfc3339(order.updated_at_ms),
            expires_at: order.expires_at_ms.map(rfc3339),
            customer: order.customer.clone(),
            counter: order.counter.clone(),
            staff: order.staff.clone(),
        }
    }
}

/// Why an order of the failed, cancelled or expired class ended: the English words and the
/// catalogue key the window says them by in its language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub label: String,
    pub key: &'static str,
}

/// Why an order of the failed, cancelled or expired class ended, in plain words (the
/// gateway's word for it when its tables know one, else what Paydesk knows of it) with its
/// catalogue key: the gateway word's own key, or one of Paydesk's.
pub fn reason(
    gateway: Gateway,
    method: Method,
    status: OrderStatus,
    gateway_status: Option<&str>,
) -> Option<Reason> {
    let class = status.money_class();
    if !matches!(
        class,
        MoneyClass::Failed | MoneyClass::Cancelled | MoneyClass::Expired
    ) {
        return None;
    }
    // The gateway's own word, when it says why (a paid or waiting word says nothing of it).
    let said = gateway_status
        .and_then(|w| paydesk_gateways::word_entry(gateway, method, w))
        .filter(|entry| {
            let said_of = |s: OrderStatus| s.money_class();
            // A label about a waiting or paid state does not explain an end.
            let word = gateway_status.unwrap_or_default();
            let paid_or_waiting = paydesk_gateways::word_status(gateway, method, word)
                .is_some_and(|s| matches!(said_of(s), MoneyClass::Taken | MoneyClass::Waiting));
            !paid_or_waiting && !entry.label.is_empty()
        });
    if let Some(entry) = said {
        return Some(Reason {
            label: entry.label.to_string(),
            key: entry.key,
        });
    }
    let (label, key) = match status {
        OrderStatus::Failed => ("the payment was refused", "status.reason.failed"),
        OrderStatus::Voided => (
            "voided: the card payment was reversed before it settled",
            "status.reason.voided",
        ),
        OrderStatus::Cancelled => (
            "cancelled before the customer paid",
            "status.reason.cancelled",
        ),
        OrderStatus::Expired => (
            "no payment came before the sale timed out",
            "status.reason.expired",
        ),
        _ => return None,
    };
    Some(Reason {
        label: label.to_string(),
        key,
    })
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct EventView {
    pub at: String,
    pub from_status: Option<OrderStatus>,
    pub to_status: OrderStatus,
    pub source: &'static str,
    pub gateway_status: Option<String>,
    pub note: Option<String>,
    /// The change in plain words ("Paid", "Cancelled: cancelled by the customer").
    pub label: String,
    /// The catalogue key of the gateway's word as `label` says it after the change (the window
    /// says the change from the statuses, then this); null when the label says no word of
    /// the gateway (it said none, or its word only repeats the status).
    pub gateway_status_key: Option<String>,
    /// The word itself, trimmed, when no table knows it (the unknown message's `{word}`).
    pub unknown_gateway_word: Option<String>,
    /// False when the status did not move (a repeated poll): the timeline hides those.
    pub changed: bool,
}

impl EventView {
    /// One event of an order at `gateway` paid by `method` (whose tables read its words).
    pub fn of(e: &OrderEvent, gateway: Gateway, method: Method) -> EventView {
        let changed = e.from_status != Some(e.to_status);
        let said = e
            .gateway_status
            .as_deref()
            .filter(|w| !w.trim().is_empty())
            .map(|w| described_word_for(gateway, method, e.to_status, w))
            .filter(|d| !d.label.eq_ignore_ascii_case(e.to_status.label()));
        let (gateway_status_key, unknown_gateway_word) = said_for_window(said.as_ref());
        let to = e.to_status.label();
        let mut label = match (e.from_status, e.source) {
            (None, _) if e.to_status == OrderStatus::Created => "Sale started".to_string(),
            (None, _) => format!("Sale started: {}", to.to_lowercase()),
            (Some(_), _) if !changed => format!("Checked again: still {}", to.to_lowercase()),
            (Some(_), _) => to.to_string(),
        };
        if let Some(said) = said {
            label.push_str(": ");
            label.push_str(&said.label);
        }
        EventView {
            at: rfc3339(e.at_ms),
            from_status: e.from_status,
            to_status: e.to_status,
            source: e.source.as_str(),
            gateway_status: e.gateway_status.clone(),
            note: e.note.clone(),
            label,
            gateway_status_key,
            unknown_gateway_word,
            changed,
        }
    }
}

/// What the window needs to say a gateway's word in its own language: the label's catalogue
/// key, and the word itself when no table knows it.
fn said_for_window(said: Option<&DescribedWord>) -> (Option<String>, Option<String>) {
    match said {
        Some(d) => (Some(d.key.to_string()), d.unknown.clone()),
        None => (None, None),
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct OrderDetail {
    pub order: OrderView,
    pub events: Vec<EventView>,
    pub refunds: Vec<paydesk_ledger::ledger::Refund>,
}

impl OrderDetail {
    /// Order `id` as the ledger has it now, with its events and refunds (and its QR when
    /// `with_qr` and it still waits for the customer).
    pub fn load(
        ledger: &paydesk_ledger::ledger::Ledger,
        id: i64,
        with_qr: bool,
    ) -> paydesk_domain::error::Result<OrderDetail> {
        let order = ledger.get(id)?;
        Ok(OrderDetail {
            order: OrderView::of(&order, with_qr),
            events: ledger
                .events(id)?
                .iter()
                .map(|e| EventView::of(e, order.gateway, order.method))
                .collect(),
            refunds: ledger.refunds(id)?,
        })
    }
}

/// What the customer-facing second screen may show: the shop's name and, during a sale, its
/// amount, QR and outcome. Nothing else of the order (no order number, gateway reference,
/// link or ledger data) crosses to that window.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CustomerView {
    pub shop_name: String,
    pub sale: Option<CustomerSale>,
    /// The language the customer reads, as the counter chose it for this sale (its wallet's,
    /// or the one the cashier switched to): a BCP 47 tag such as "zh-CN"; empty until the
    /// counter says. The window falls back to English for a tag it has no catalogue for.
    pub language: String,
    /// The tip step while the counter shows it (before the sale is created): the same choices
    /// and the one picked. Left out otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tip: Option<CustomerTip>,
}

/// The counter's tip step as the customer sees it: amounts only, no ledger data.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CustomerTip {
    pub sale_minor: i64,
    pub currency: String,
    pub choices: Vec<CustomerTipChoice>,
    /// The key picked: "1".."9" a choice, "0" no tip, "C" another amount; null: none yet.
    pub picked: Option<String>,
    /// The tip picked, in minor units; null while none is picked or one is being typed.
    pub tip_minor: Option<i64>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CustomerTipChoice {
    /// "15%", or the amount's own digits for a fixed tip.
    pub label: String,
    pub tip_minor: i64,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CustomerSale {
    pub amount_display: String,
    pub currency: &'static str,
    pub status: OrderStatus,
    /// The same QR the counter shows, while the sale waits for the customer.
    pub qr_svg: Option<String>,
}

impl CustomerSale {
    pub fn of(order: &Order) -> CustomerSale {
        let view = OrderView::of(order, true);
        CustomerSale {
            amount_display: view.amount_display,
            currency: view.currency,
            status: view.status,
            qr_svg: view.qr_svg,
        }
    }
}

/// A refund or void whose outcome is unknown, with what the owner needs to find its order.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct UnansweredRefund {
    pub refund_no: String,
    pub kind: paydesk_ledger::ledger::RefundKind,
    pub amount_display: String,
    pub currency: &'static str,
    pub order_id: i64,
    pub merchant_order_no: String,
}

impl UnansweredRefund {
    pub fn of(refund: &paydesk_ledger::ledger::Refund, order: &Order) -> UnansweredRefund {
        let currency = order.amount.currency();
        UnansweredRefund {
            refund_no: refund.refund_no.clone(),
            kind: refund.kind,
            amount_display: currency.display(refund.amount_minor),
            currency: currency.code(),
            order_id: order.id,
            merchant_order_no: order.merchant_order_no.clone(),
        }
    }
}

/// A payment that arrived after the counter let its sale go, as the Orders screen points
/// it out: the order and what to do.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct LatePaymentView {
    pub order: OrderView,
    pub note: &'static str,
    /// The note's catalogue key, for the window's language.
    pub note_key: &'static str,
}

impl From<&crate::payments::LatePayment> for LatePaymentView {
    fn from(late: &crate::payments::LatePayment) -> Self {
        use crate::payments::{AUTHORISED_AFTER_CANCEL, PAID_AFTER_CANCEL};
        let note_key = match late.note {
            PAID_AFTER_CANCEL => "attention.note.paid_after_cancel",
            AUTHORISED_AFTER_CANCEL => "attention.note.authorised_after_cancel",
            // LATE_PAYMENT, the only other note a late payment carries.
            _ => "attention.note.late",
        };
        LatePaymentView {
            order: OrderView::of(&late.order, false),
            note: late.note,
            note_key,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use paydesk_domain::order::EventSource;

    fn event(from: Option<OrderStatus>, to: OrderStatus, word: Option<&str>) -> OrderEvent {
        OrderEvent {
            id: 1,
            order_id: 1,
            at_ms: 0,
            from_status: from,
            to_status: to,
            source: EventSource::Poll,
            gateway_status: word.map(str::to_string),
            note: None,
        }
    }

    #[test]
    fn events_say_what_changed_in_plain_words_and_repeated_polls_are_marked() {
        use OrderStatus::*;
        let poll = EventView::of(
            &event(Some(Pending), Pending, Some("0")),
            Gateway::Iotpay,
            Method::WechatQr,
        );
        assert!(!poll.changed);
        assert!(
            !poll.label.contains('0') || poll.label.contains("waiting"),
            "{}",
            poll.label
        );
        let declined = EventView::of(
            &event(Some(Pending), Failed, Some("4")),
            Gateway::Iotpay,
            Method::Barcode,
        );
        assert!(declined.changed);
        assert_eq!(declined.label, "Failed: declined by the customer's wallet");
        assert_eq!(
            declined.gateway_status_key.as_deref(),
            Some("gateway_word.iotpay.micropay_declined")
        );
        assert_eq!(declined.unknown_gateway_word, None);
        let paid = EventView::of(
            &event(Some(Pending), Paid, Some("AUTORIZATION_INITIALIZED")),
            Gateway::Smartpay,
            Method::SmartpayCard,
        );
        assert!(!paid.label.contains("AUTORIZATION"), "{}", paid.label);
        let unknown = EventView::of(
            &event(Some(Created), Pending, Some("odd")),
            Gateway::Smepay,
            Method::Upi,
        );
        assert_eq!(
            unknown.label,
            "Waiting for payment: an answer Paydesk does not know (odd)"
        );
        assert_eq!(
            unknown.gateway_status_key.as_deref(),
            Some("gateway_word.unknown")
        );
        assert_eq!(unknown.unknown_gateway_word.as_deref(), Some("odd"));
    }

    /// The window says an event in its own language from the statuses and the word's key; the
    /// key is there exactly when the English label says the gateway's word.
    #[test]
    fn events_carry_the_key_of_the_word_their_label_says() {
        use OrderStatus::*;
        let of =
            |from, to, word| EventView::of(&event(from, to, word), Gateway::Smepay, Method::Upi);
        let started = of(None, Created, None);
        assert_eq!(started.label, "Sale started");
        assert_eq!(started.gateway_status_key, None);
        let waiting = of(Some(Pending), Pending, Some("INITIATED"));
        assert_eq!(
            waiting.label,
            "Checked again: still waiting for payment: waiting for the customer"
        );
        assert_eq!(
            waiting.gateway_status_key.as_deref(),
            Some("gateway_word.smepay.initiated")
        );
        // "Paid: paid" would repeat itself: the label says the status alone, and so does the key.
        let paid = of(Some(Pending), Paid, Some("SUCCESS"));
        assert_eq!(paid.label, "Paid");
        assert_eq!(paid.gateway_status_key, None);
        let test_paid = of(Some(Pending), Paid, Some("TEST_SUCCESS"));
        assert_eq!(test_paid.label, "Paid: paid (test mode)");
        assert_eq!(
            test_paid.gateway_status_key.as_deref(),
            Some("gateway_word.smepay.test_success")
        );
    }

    #[test]
    fn an_order_carries_the_key_of_its_gateway_word() {
        use paydesk_domain::money::{Currency, Money};
        let order = |status, word: Option<&str>| Order {
            status,
            gateway_status: word.map(str::to_string),
            ..Order::example(
                "PD1",
                Gateway::Iotpay,
                Method::WechatQr,
                Money::parse("12.50", Currency::CAD).unwrap(),
            )
        };
        let view = OrderView::of(&order(OrderStatus::Pending, Some("1")), false);
        assert_eq!(
            view.gateway_status_label.as_deref(),
            Some("the customer is paying on their phone")
        );
        assert_eq!(
            view.gateway_status_key.as_deref(),
            Some("gateway_word.iotpay.status_1")
        );
        assert_eq!(view.unknown_gateway_word, None);
        let refunded = OrderView::of(&order(OrderStatus::Refunded, Some("2")), false);
        assert_eq!(
            refunded.gateway_status_key.as_deref(),
            Some("gateway_word.iotpay.refund_2")
        );
        let odd = OrderView::of(&order(OrderStatus::Pending, Some(" 77 ")), false);
        assert_eq!(
            odd.gateway_status_label.as_deref(),
            Some("an answer Paydesk does not know (77)")
        );
        assert_eq!(
            odd.gateway_status_key.as_deref(),
            Some("gateway_word.unknown")
        );
        assert_eq!(odd.unknown_gateway_word.as_deref(), Some("77"));
        let none = OrderView::of(&order(OrderStatus::Created, None), false);
        assert_eq!(none.gateway_status_label, None);
        assert_eq!(none.gateway_status_key, None);
    }

    #[test]
    fn ended_orders_say_why_and_others_do_not() {
        use OrderStatus::*;
        let r =
            |status, word| reason(Gateway::Iotpay, Method::Barcode, status, word).map(|r| r.label);
        assert_eq!(
            r(Failed, Some("4")).as_deref(),
            Some("declined by the customer's wallet")
        );
        assert_eq!(
            reason(Gateway::Iotpay, Method::WechatQr, Cancelled, Some("9"))
                .map(|r| r.label)
                .as_deref(),
            Some("cancelled by the customer")
        );
        assert_eq!(
            reason(Gateway::Iotpay, Method::WechatQr, Failed, Some("0014"))
                .map(|r| r.label)
                .as_deref(),
            Some("IOTPay refused a value of the request")
        );
        // Expired at the counter while the gateway still said "waiting": not the gateway's word.
        assert_eq!(
            r(Expired, Some("0")).as_deref(),
            Some("no payment came before the sale timed out")
        );
        assert!(r(Paid, Some("2")).is_none());
        assert!(r(Pending, Some("0")).is_none());
        assert!(r(Failed, None).is_some_and(|s| !s.is_empty()));
    }

    #[test]
    fn a_reason_carries_the_key_the_window_says_it_by() {
        use OrderStatus::*;
        let key =
            |method, status, word| reason(Gateway::Iotpay, method, status, word).map(|r| r.key);
        // The gateway word's own key when the gateway said why ...
        assert_eq!(
            key(Method::WechatQr, Failed, Some("0014")),
            Some("gateway_word.iotpay.code_0014")
        );
        // ... Paydesk's own per status otherwise.
        assert_eq!(
            key(Method::Barcode, Expired, Some("0")),
            Some("status.reason.expired")
        );
        assert_eq!(
            key(Method::Barcode, Failed, None),
            Some("status.reason.failed")
        );
        assert_eq!(key(Method::Barcode, Paid, Some("2")), None);
    }
}
