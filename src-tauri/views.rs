//! What the window (over IPC) and the CLI (`--json`) see of an order: plain data, amounts
//! already formatted per currency, times as RFC 3339. Never a secret.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::order::{Order, OrderEvent, OrderStatus};

pub fn rfc3339(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[derive(Debug, Clone, Serialize)]
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
    pub gateway_status: Option<String>,
    pub gateway_order_id: Option<String>,
    pub payment_url: Option<String>,
    /// What a widget or app needs beyond the link (secureId and script URL, payParams).
    pub payment_payload: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qr_svg: Option<String>,
    pub refunded_minor: i64,
    pub created_at: String,
    pub updated_at: String,
    pub expires_at: Option<String>,
    pub customer: Option<String>,
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
            gateway_order_id: order.gateway_order_id.clone(),
            payment_url: order.payment_url.clone(),
            payment_payload: order.payment_payload.clone(),
            qr_svg,
            refunded_minor: order.refunded_minor,
            created_at: rfc3339(order.created_at_ms),
            updated_at: rfc3339(order.updated_at_ms),
            expires_at: order.expires_at_ms.map(rfc3339),
            customer: order.customer.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventView {
    pub at: String,
    pub from_status: Option<OrderStatus>,
    pub to_status: OrderStatus,
    pub source: &'static str,
    pub gateway_status: Option<String>,
    pub note: Option<String>,
}

impl From<&OrderEvent> for EventView {
    fn from(e: &OrderEvent) -> Self {
        EventView {
            at: rfc3339(e.at_ms),
            from_status: e.from_status,
            to_status: e.to_status,
            source: e.source.as_str(),
            gateway_status: e.gateway_status.clone(),
            note: e.note.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderDetail {
    pub order: OrderView,
    pub events: Vec<EventView>,
    pub refunds: Vec<crate::ledger::Refund>,
}

impl OrderDetail {
    /// Order `id` as the ledger has it now, with its events and refunds (and its QR when
    /// `with_qr` and it still waits for the customer).
    pub fn load(
        ledger: &crate::ledger::Ledger,
        id: i64,
        with_qr: bool,
    ) -> crate::error::Result<OrderDetail> {
        let order = ledger.get(id)?;
        Ok(OrderDetail {
            order: OrderView::of(&order, with_qr),
            events: ledger.events(id)?.iter().map(EventView::from).collect(),
            refunds: ledger.refunds(id)?,
        })
    }
}

/// What the customer-facing second screen may show: the shop's name and, during a sale, its
/// amount, QR and outcome. Nothing else of the order (no order number, gateway reference,
/// link or ledger data) crosses to that window.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerView {
    pub shop_name: String,
    pub sale: Option<CustomerSale>,
}

#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnansweredRefund {
    pub refund_no: String,
    pub kind: crate::ledger::RefundKind,
    pub amount_display: String,
    pub currency: &'static str,
    pub order_id: i64,
    pub merchant_order_no: String,
}

impl UnansweredRefund {
    pub fn of(refund: &crate::ledger::Refund, order: &Order) -> UnansweredRefund {
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
