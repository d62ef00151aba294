//! What a list, an export, the totals and the reports ask for: the order filter and the keyset
//! cursor. Plain data; the read side (`queries`) turns it into SQL.

use paydesk_domain::money::Currency;
use paydesk_domain::order::{Gateway, Method, Order, OrderStatus};

#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    pub gateway: Option<Gateway>,
    pub method: Option<Method>,
    /// Only orders in this currency (an amount range is meant in one currency's minor units).
    pub currency: Option<Currency>,
    /// Inclusive amount range, in minor units.
    pub min_amount_minor: Option<i64>,
    pub max_amount_minor: Option<i64>,
    pub from_ms: Option<i64>,
    /// Exclusive.
    pub to_ms: Option<i64>,
    /// Part of a merchant order number, gateway order id or customer (case-insensitive).
    pub search: Option<String>,
    /// Only the orders of this counter of the shop (its name, exactly).
    pub counter: Option<String>,
    /// Only the sales of this staff member (any case).
    pub staff: Option<String>,
    pub limit: Option<u32>,
    /// Skip this many orders of the list (offset paging).
    pub offset: Option<u32>,
    /// Keyset paging: only orders after this one in list order (the next page).
    pub before: Option<Cursor>,
}

/// Where a page of the list ended: the last order's creation time and id.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "camelCase")]
pub struct Cursor {
    pub created_at_ms: i64,
    pub id: i64,
}

impl Cursor {
    pub fn after(order: &Order) -> Cursor {
        Cursor {
            created_at_ms: order.created_at_ms,
            id: order.id,
        }
    }
}
