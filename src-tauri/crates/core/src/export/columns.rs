//! The columns an export can carry: their names, and where each is read from the ledger's
//! `orders` row and how it is written.

/// The default columns, in order (the export's header before `--columns` existed).
pub const COLUMNS: &[&str] = &[
    "created_at",
    "merchant_order_no",
    "gateway",
    "method",
    "environment",
    "status",
    "amount",
    "currency",
    "refunded",
    // The tip inside `amount` (0.00 without one): sales = amount - tip.
    "tip",
    "gateway_order_id",
    "gateway_status",
    "updated_at",
    // The shop's counter that made the sale (empty for a counter on its own).
    "counter",
    // Who made the sale (empty: no one signed in, or before staff accounts).
    "staff",
];

/// Every column an export can carry.
pub const ALL_COLUMNS: &[&str] = &[
    "id",
    "created_at",
    "updated_at",
    "expires_at",
    "merchant_order_no",
    "gateway",
    "method",
    "environment",
    "status",
    "amount",
    "currency",
    "refunded",
    "gateway_order_id",
    "gateway_status",
    "customer",
    "description",
    "reconciliation_reference_id",
    "gateway_created_at",
    "counter",
    "staff",
    "tip",
    "tip_refunded",
];

/// What the export reads from `orders`, by position (see `Column::index`).
pub(super) const SELECT: &str = "id, created_at, updated_at, expires_at, merchant_order_no, gateway, method, environment, status, \
                      amount_minor, currency, refunded_minor, gateway_order_id, gateway_status, customer, description, \
                      json_extract(payment_payload, '$.support.reconciliationReferenceId'), \
                      json_extract(payment_payload, '$.support.creationDate'), counter, staff, tip_minor, tip_refunded_minor";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Column {
    /// A column read as it is (text or integer), neutralised.
    Plain(usize),
    /// Milliseconds since the epoch, shown in the export's zone.
    Time(usize),
    /// Minor units shown as a decimal in the row's currency.
    Amount(usize),
    /// The order's status in plain words ("Partially refunded").
    Status(usize),
    /// The gateway's word in plain words, from that gateway's tables.
    GatewayStatus(usize),
}

impl Column {
    pub(super) fn of(name: &str) -> Option<Column> {
        Some(match name {
            "id" => Column::Plain(0),
            "created_at" => Column::Time(1),
            "updated_at" => Column::Time(2),
            "expires_at" => Column::Time(3),
            "merchant_order_no" => Column::Plain(4),
            "gateway" => Column::Plain(5),
            "method" => Column::Plain(6),
            "environment" => Column::Plain(7),
            "status" => Column::Status(8),
            "amount" => Column::Amount(9),
            "currency" => Column::Plain(10),
            "refunded" => Column::Amount(11),
            "gateway_order_id" => Column::Plain(12),
            "gateway_status" => Column::GatewayStatus(13),
            "customer" => Column::Plain(14),
            "description" => Column::Plain(15),
            // What SmartPay's support asks for, kept with the order from its status answers.
            "reconciliation_reference_id" => Column::Plain(16),
            "gateway_created_at" => Column::Plain(17),
            "counter" => Column::Plain(18),
            "staff" => Column::Plain(19),
            "tip" => Column::Amount(20),
            // The part of the tip refunds gave back (inside `refunded`).
            "tip_refunded" => Column::Amount(21),
            _ => return None,
        })
    }
}

pub(super) const CURRENCY_INDEX: usize = 10;
pub(super) const GATEWAY_INDEX: usize = 5;
pub(super) const METHOD_INDEX: usize = 6;
pub(super) const STATUS_INDEX: usize = 8;
