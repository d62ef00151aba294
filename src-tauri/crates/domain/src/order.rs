//! The unified order model: which gateway and method, the status machine every gateway's
//! statuses map into, and the merchant order number that makes a retried create safe.
//! (Past 600 lines with its tests, about 560 without: gateway, method and status are the
//! vocabulary every layer shares, and their names and rules are read together.)

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::money::{Currency, Money};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Gateway {
    Iotpay,
    Smepay,
    Smartpay,
    Smartexpay,
}

impl Gateway {
    pub const ALL: [Gateway; 4] = [
        Gateway::Iotpay,
        Gateway::Smepay,
        Gateway::Smartpay,
        Gateway::Smartexpay,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Gateway::Iotpay => "iotpay",
            Gateway::Smepay => "smepay",
            Gateway::Smartpay => "smartpay",
            Gateway::Smartexpay => "smartexpay",
        }
    }

    pub fn parse(text: &str) -> Result<Gateway> {
        Gateway::ALL
            .into_iter()
            .find(|g| g.as_str() == text.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                Error::invalid(
                    "gateway",
                    format!(
                        "unknown gateway {text:?}: use one of iotpay, smepay, smartpay, smartexpay"
                    ),
                )
            })
    }
}

/// How the customer pays, as the cashier picks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    WechatQr,
    AlipayQr,
    UnionpayQr,
    /// The cashier scans the customer's WeChat, Alipay or UnionPay payment code.
    Barcode,
    AlipayWeb,
    UnionpayWeb,
    WechatApp,
    AlipayApp,
    UnionpayApp,
    /// IOTPay's hosted card page, as a link.
    CardLink,
    /// IOTPay's card form embedded in the window (iotpaycc.js).
    Card,
    /// A card kept earlier with cc_addcard, charged by its cardId.
    CardToken,
    /// SMEPay UPI: the payment link (shown as a QR), its QR image and the UPI app intents.
    Upi,
    /// SMEPay's checkout widget opened in the window with the order's slug.
    UpiWidget,
    /// SmartExPay: the exchanger's payment page for the order, as a link (and QR).
    Exchange,
    /// SmartPay's card widget embedded in the window (checkoutToken).
    SmartpayCard,
    /// IOTPay's POS Semi-Integration: a PAX card terminal at the counter (channel CC_PAX).
    CardTerminal,
}

/// What the counter shows for a method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum MethodKind {
    /// The customer scans a code shown on screen.
    Qr,
    /// A payment page link (also shown as a QR).
    Link,
    /// The cashier scans the customer's code.
    Barcode,
    /// Parameters for the merchant's own mobile app.
    App,
    /// A gateway's form embedded in the window.
    Widget,
    /// A stored card, charged without the customer.
    Token,
    /// A card terminal beside the counter: the customer taps, inserts or swipes there.
    Terminal,
}

impl Method {
    pub const ALL: [Method; 17] = [
        Method::WechatQr,
        Method::AlipayQr,
        Method::UnionpayQr,
        Method::Barcode,
        Method::AlipayWeb,
        Method::UnionpayWeb,
        Method::WechatApp,
        Method::AlipayApp,
        Method::UnionpayApp,
        Method::CardLink,
        Method::Card,
        Method::CardToken,
        Method::Upi,
        Method::UpiWidget,
        Method::Exchange,
        Method::SmartpayCard,
        Method::CardTerminal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::WechatQr => "wechat-qr",
            Method::AlipayQr => "alipay-qr",
            Method::UnionpayQr => "unionpay-qr",
            Method::Barcode => "barcode",
            Method::AlipayWeb => "alipay-web",
            Method::UnionpayWeb => "unionpay-web",
            Method::WechatApp => "wechat-app",
            Method::AlipayApp => "alipay-app",
            Method::UnionpayApp => "unionpay-app",
            Method::CardLink => "card-link",
            Method::Card => "card",
            Method::CardToken => "card-token",
            Method::Upi => "upi",
            Method::UpiWidget => "upi-widget",
            Method::Exchange => "exchange",
            Method::SmartpayCard => "smartpay-card",
            Method::CardTerminal => "card-terminal",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Method::WechatQr => "WeChat Pay QR",
            Method::AlipayQr => "Alipay QR",
            Method::UnionpayQr => "UnionPay QR",
            Method::Barcode => "Scan customer's code",
            Method::AlipayWeb => "Alipay web link",
            Method::UnionpayWeb => "UnionPay web link",
            Method::WechatApp => "WeChat Pay in app",
            Method::AlipayApp => "Alipay in app",
            Method::UnionpayApp => "UnionPay in app",
            Method::CardLink => "Card payment link",
            Method::Card => "Card",
            Method::CardToken => "Saved card",
            Method::Upi => "UPI (SMEPay)",
            Method::UpiWidget => "UPI checkout (SMEPay)",
            Method::Exchange => "SmartExPay payment page",
            Method::SmartpayCard => "Card (SmartPay)",
            Method::CardTerminal => "Card terminal",
        }
    }

    pub fn gateway(self) -> Gateway {
        match self {
            Method::Upi | Method::UpiWidget => Gateway::Smepay,
            Method::Exchange => Gateway::Smartexpay,
            Method::SmartpayCard => Gateway::Smartpay,
            _ => Gateway::Iotpay,
        }
    }

    pub fn kind(self) -> MethodKind {
        match self {
            Method::WechatQr | Method::AlipayQr | Method::UnionpayQr => MethodKind::Qr,
            Method::Barcode => MethodKind::Barcode,
            Method::AlipayWeb
            | Method::UnionpayWeb
            | Method::CardLink
            | Method::Upi
            | Method::Exchange => MethodKind::Link,
            Method::WechatApp | Method::AlipayApp | Method::UnionpayApp => MethodKind::App,
            Method::Card | Method::UpiWidget | Method::SmartpayCard => MethodKind::Widget,
            Method::CardToken => MethodKind::Token,
            Method::CardTerminal => MethodKind::Terminal,
        }
    }

    pub fn currencies(self) -> &'static [&'static str] {
        match self {
            // IOTPay's V3 card API takes CAD only ("for now only CAD supported"); its card
            // terminal (guide page "pos_semi_integration") names CAD alone too ("eg:CAD", and
            // its sample), and a card is a card: CAD, like IOTPay's other card methods.
            Method::CardLink | Method::Card | Method::CardToken | Method::CardTerminal => &["CAD"],
            _ => match self.gateway() {
                Gateway::Iotpay => &["CAD", "USD"],
                Gateway::Smepay => &["INR"],
                // SmartPay settles EUR and other two-decimal currencies (the acquirer decides
                // which per merchant): the ones its European merchants use.
                Gateway::Smartpay => &["EUR", "GBP", "CHF", "PLN", "USD"],
                // The amount is in the route's "from" currency, which the merchant's route
                // (a setting) fixes: the fiat currencies SmartExPay's exchanger lists.
                Gateway::Smartexpay => &["EUR", "USD", "RUB", "UAH"],
            },
        }
    }

    /// The names `--method` takes for a gateway, for help and error messages.
    pub fn names_for(gateway: Gateway) -> String {
        let names: Vec<&str> = Method::ALL
            .iter()
            .filter(|m| m.gateway() == gateway)
            .map(|m| m.as_str())
            .collect();
        if names.is_empty() {
            "no methods in this build yet".to_string()
        } else {
            names.join(", ")
        }
    }

    /// The one lookup of a method by the name people type ("wechat-qr", any case, spaces
    /// around ignored): every parse below, and so the filter, setup, settings and order
    /// creation, comes through here.
    pub fn named(text: &str) -> Option<Method> {
        let wanted = text.trim().to_ascii_lowercase();
        Method::ALL.into_iter().find(|m| m.as_str() == wanted)
    }

    /// A method by its key alone ("wechat-qr"), any case; unknown is bad input on `field`.
    pub fn parse_key(field: &'static str, text: &str) -> Result<Method> {
        Method::named(text).ok_or_else(|| {
            let names: Vec<&str> = Method::ALL.iter().map(|m| m.as_str()).collect();
            Error::invalid(
                field,
                format!("unknown method {text:?}: use one of {}", names.join(", ")),
            )
        })
    }

    /// A method by its key, one of `gateway`'s when a gateway is given (the order filter: a
    /// method and a gateway that cannot go together would match nothing). Unknown or another
    /// gateway's is bad input on `field`.
    pub fn parse_key_within(
        field: &'static str,
        text: &str,
        gateway: Option<Gateway>,
    ) -> Result<Method> {
        let method = Method::parse_key(field, text)?;
        match gateway {
            Some(gateway) if method.gateway() != gateway => {
                Err(Error::invalid(field, method.not_offered_by(gateway)))
            }
            _ => Ok(method),
        }
    }

    /// A method, checked against the gateway it is asked for (a new order: refused with its own
    /// code, `unsupported_method`).
    pub fn parse(gateway: Gateway, text: &str) -> Result<Method> {
        let method = Method::named(text).ok_or_else(|| {
            Error::UnsupportedMethod(format!(
                "unknown method {text:?}: {} offers {}",
                gateway.as_str(),
                Method::names_for(gateway)
            ))
        })?;
        if method.gateway() != gateway {
            return Err(Error::UnsupportedMethod(method.not_offered_by(gateway)));
        }
        Ok(method)
    }

    /// Why this method cannot be asked of `gateway`, in one wording for every caller.
    fn not_offered_by(self, gateway: Gateway) -> String {
        format!(
            "{} is {}'s method, not {}'s: {} offers {}",
            self.as_str(),
            self.gateway().as_str(),
            gateway.as_str(),
            gateway.as_str(),
            Method::names_for(gateway)
        )
    }

    /// The amount in a currency this method's gateway settles in.
    pub fn check_currency(self, currency: Currency) -> Result<()> {
        if self.currencies().contains(&currency.code()) {
            Ok(())
        } else {
            Err(Error::invalid(
                "currency",
                format!(
                    "{} takes {}, not {currency}",
                    self.label(),
                    self.currencies().join(" or ")
                ),
            ))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Written to the ledger; the gateway may or may not have it yet.
    Created,
    /// The gateway has it and no final answer has come.
    Pending,
    /// Card authorised, not yet captured.
    Authorized,
    Paid,
    Failed,
    Expired,
    Cancelled,
    /// An authorisation or unsettled payment reversed before settlement.
    Voided,
    PartiallyRefunded,
    Refunded,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 10] = [
        OrderStatus::Created,
        OrderStatus::Pending,
        OrderStatus::Authorized,
        OrderStatus::Paid,
        OrderStatus::Failed,
        OrderStatus::Expired,
        OrderStatus::Cancelled,
        OrderStatus::Voided,
        OrderStatus::PartiallyRefunded,
        OrderStatus::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Created => "created",
            OrderStatus::Pending => "pending",
            OrderStatus::Authorized => "authorized",
            OrderStatus::Paid => "paid",
            OrderStatus::Failed => "failed",
            OrderStatus::Expired => "expired",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Voided => "voided",
            OrderStatus::PartiallyRefunded => "partially_refunded",
            OrderStatus::Refunded => "refunded",
        }
    }

    pub fn parse(text: &str) -> Result<OrderStatus> {
        let wanted = text.trim().to_ascii_lowercase().replace('-', "_");
        OrderStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == wanted)
            .ok_or_else(|| {
                let names: Vec<&str> = OrderStatus::ALL.iter().map(|s| s.as_str()).collect();
                Error::invalid(
                    "status",
                    format!("unknown status {text:?}: use one of {}", names.join(", ")),
                )
            })
    }

    /// No more polling: nothing further happens without someone acting (refund, void).
    pub fn is_settled(self) -> bool {
        !matches!(
            self,
            OrderStatus::Created | OrderStatus::Pending | OrderStatus::Authorized
        )
    }

    /// Whether a gateway observation may move an order from `self` to `next`. Orders only move
    /// forward: a late "pending" after "paid" is ignored. The one way out of a local end state
    /// is money actually received: a customer who paid just after the counter's countdown
    /// expired is Paid, because the gateway's answer (re-queried) is the truth.
    pub fn can_move_to(self, next: OrderStatus) -> bool {
        use OrderStatus::*;
        match (self, next) {
            (Created, Pending | Authorized | Paid | Failed | Expired | Cancelled) => true,
            (Pending, Authorized | Paid | Failed | Expired | Cancelled) => true,
            (Authorized, Paid | Failed | Expired | Cancelled | Voided) => true,
            (Paid, PartiallyRefunded | Refunded | Voided) => true,
            (PartiallyRefunded, PartiallyRefunded | Refunded) => true,
            // A payment (or an authorisation, which holds the customer's money) that the
            // gateway took after the counter stopped waiting, or after the sale was cancelled
            // in Paydesk where the gateway has no call to close it: money arrived, so it is
            // recorded (and the owner told to refund it).
            (Expired | Cancelled, Paid | Authorized) => true,
            _ => false,
        }
    }
}

/// What an order means for the till: the one definition every total, report and export uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MoneyClass {
    /// Money arrived (paid, partly or wholly refunded since): counted in takings.
    Taken,
    /// Could still be paid (created, pending, authorized): shown apart, never summed in.
    Waiting,
    /// The payment was refused.
    Failed,
    /// Cancelled or voided: no money kept.
    Cancelled,
    /// The counter stopped waiting and no payment came.
    Expired,
}

impl MoneyClass {
    pub const ALL: [MoneyClass; 5] = [
        MoneyClass::Taken,
        MoneyClass::Waiting,
        MoneyClass::Failed,
        MoneyClass::Cancelled,
        MoneyClass::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MoneyClass::Taken => "taken",
            MoneyClass::Waiting => "waiting",
            MoneyClass::Failed => "failed",
            MoneyClass::Cancelled => "cancelled",
            MoneyClass::Expired => "expired",
        }
    }

    /// Its position in [`MoneyClass::ALL`] (for arrays indexed by class).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The statuses of this class.
    pub fn statuses(self) -> Vec<OrderStatus> {
        OrderStatus::ALL
            .into_iter()
            .filter(|s| s.money_class() == self)
            .collect()
    }
}

impl OrderStatus {
    /// Whether this order took money, may still, or ended without: written once here; every
    /// total (Orders, Reports, the CLI, the export) adds up by it.
    pub fn money_class(self) -> MoneyClass {
        use OrderStatus::*;
        match self {
            Paid | PartiallyRefunded | Refunded => MoneyClass::Taken,
            Created | Pending | Authorized => MoneyClass::Waiting,
            Failed => MoneyClass::Failed,
            Cancelled | Voided => MoneyClass::Cancelled,
            Expired => MoneyClass::Expired,
        }
    }

    /// The status in plain words, as people read it ("Partially refunded").
    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::Created => "Created",
            OrderStatus::Pending => "Waiting for payment",
            OrderStatus::Authorized => "Authorized",
            OrderStatus::Paid => "Paid",
            OrderStatus::Failed => "Failed",
            OrderStatus::Expired => "Expired",
            OrderStatus::Cancelled => "Cancelled",
            OrderStatus::Voided => "Voided",
            OrderStatus::PartiallyRefunded => "Partially refunded",
            OrderStatus::Refunded => "Refunded",
        }
    }
}

impl std::fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A merchant order number: unique, at most 30 characters of `[A-Za-z0-9]`, which fits every
/// gateway's limit (IOTPay String(30); SmartPay's partnerReference charset). It is written to
/// the ledger before the gateway is called, so a retry resends the same number.
pub fn new_merchant_order_no(
    now: chrono::DateTime<chrono::Utc>,
    counter_number: Option<u16>,
) -> String {
    use rand::Rng;
    let time = now.format("%y%m%d%H%M%S%3f");
    match counter_number {
        // A shop member's numbers carry its counter's number (two base-36 digits, given by the
        // shop ledger when it joined), so two counters can never make the same one; the
        // length (23) and alphabet (0-9, A-Z) stay what every gateway takes.
        Some(counter) => {
            let suffix: u32 = rand::rng().random_range(0..0x1_0000);
            format!("PD{time}{}{suffix:04X}", base36_pair(counter))
        }
        None => {
            let suffix: u32 = rand::rng().random_range(0..0x100_0000);
            format!("PD{time}{suffix:06X}")
        }
    }
}

/// Two base-36 digits (0-9, A-Z) for a counter number 0..=1295.
pub fn base36_pair(n: u16) -> String {
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let n = usize::from(n.min(1295));
    format!("{}{}", DIGITS[n / 36] as char, DIGITS[n % 36] as char)
}

/// One order as the ledger holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub id: i64,
    pub merchant_order_no: String,
    pub gateway: Gateway,
    pub method: Method,
    pub environment: String,
    pub amount: Money,
    pub status: OrderStatus,
    /// The gateway's own last word, verbatim (for support and for statuses we do not know).
    pub gateway_status: Option<String>,
    pub gateway_order_id: Option<String>,
    /// The link the QR encodes, or the payment page.
    pub payment_url: Option<String>,
    /// What the window or the merchant's app needs beyond a link (secureId, payParams, cardId).
    pub payment_payload: Option<serde_json::Value>,
    pub refunded_minor: i64,
    /// The tip, in `amount`'s minor units: part of `amount` (the total charged), kept apart;
    /// the sale is `amount - tip` ([`Order::sale_minor`]). 0 without a tip.
    pub tip_minor: i64,
    /// How much of the tip succeeded refunds gave back (a refund returns the sale first).
    pub tip_refunded_minor: i64,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub expires_at_ms: Option<i64>,
    /// Who paid, when known (a name the cashier or a gateway gave); searched, shown, exported.
    pub customer: Option<String>,
    /// The counter that made the sale, once this machine is in a shop (`shop join`); None for
    /// a counter on its own.
    pub counter: Option<String>,
    /// The staff member who made the sale (None: before staff accounts, or no one signed in
    /// at a counter of a shop without them).
    pub staff: Option<String>,
}

impl Order {
    /// A waiting order (id 1, sandbox, no gateway word, no refund, no tip, no times): what
    /// tests build theirs from (`Order { status, ..Order::example(..) }`), so a new field of
    /// `Order` is added here once rather than in every test's literal.
    #[doc(hidden)]
    pub fn example(
        merchant_order_no: &str,
        gateway: Gateway,
        method: Method,
        amount: Money,
    ) -> Order {
        Order {
            id: 1,
            merchant_order_no: merchant_order_no.to_string(),
            gateway,
            method,
            environment: "sandbox".into(),
            amount,
            status: OrderStatus::Pending,
            gateway_status: None,
            gateway_order_id: None,
            payment_url: None,
            payment_payload: None,
            refunded_minor: 0,
            tip_minor: 0,
            tip_refunded_minor: 0,
            created_at_ms: 0,
            updated_at_ms: 0,
            expires_at_ms: None,
            customer: None,
            counter: None,
            staff: None,
        }
    }

    /// The sale without its tip: what a "refund the sale without the tip" gives back.
    pub fn sale_minor(&self) -> i64 {
        self.amount.minor() - self.tip_minor
    }
}

/// One line of an order's append-only history.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderEvent {
    pub id: i64,
    pub order_id: i64,
    pub at_ms: i64,
    pub from_status: Option<OrderStatus>,
    pub to_status: OrderStatus,
    pub source: EventSource,
    pub gateway_status: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventSource {
    Create,
    Poll,
    Notify,
    Reconcile,
    User,
}

impl EventSource {
    pub fn as_str(self) -> &'static str {
        match self {
            EventSource::Create => "create",
            EventSource::Poll => "poll",
            EventSource::Notify => "notify",
            EventSource::Reconcile => "reconcile",
            EventSource::User => "user",
        }
    }

    pub fn parse(text: &str) -> Option<EventSource> {
        [
            EventSource::Create,
            EventSource::Poll,
            EventSource::Notify,
            EventSource::Reconcile,
            EventSource::User,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    #[test]
    fn orders_never_move_backwards() {
        for late in [Created, Pending, Authorized] {
            assert!(!Paid.can_move_to(late), "paid -> {late}");
            assert!(!Refunded.can_move_to(late));
        }
        assert!(!Paid.can_move_to(Failed));
        assert!(!Refunded.can_move_to(PartiallyRefunded));
        assert!(!Failed.can_move_to(Paid));
        assert!(!Cancelled.can_move_to(Pending));
        assert!(!Pending.can_move_to(Created));
        // Money that arrives for a sale cancelled in Paydesk only is recorded, not lost.
        assert!(Cancelled.can_move_to(Paid));
        assert!(Cancelled.can_move_to(Authorized));
        assert!(!Cancelled.can_move_to(Failed));
    }

    #[test]
    fn forward_moves_are_allowed() {
        assert!(Created.can_move_to(Pending));
        assert!(Pending.can_move_to(Paid));
        assert!(Authorized.can_move_to(Paid));
        assert!(Paid.can_move_to(PartiallyRefunded));
        assert!(PartiallyRefunded.can_move_to(PartiallyRefunded));
        assert!(PartiallyRefunded.can_move_to(Refunded));
        assert!(
            Expired.can_move_to(Paid),
            "money received after the countdown still counts"
        );
    }

    #[test]
    fn every_status_round_trips_through_text() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()).unwrap(), s);
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::json!(s.as_str())
            );
        }
        assert!(OrderStatus::parse("paidd").is_err());
    }

    #[test]
    fn methods_are_checked_against_their_gateway() {
        assert_eq!(
            Method::parse(Gateway::Iotpay, "wechat-qr").unwrap(),
            Method::WechatQr
        );
        assert!(matches!(
            Method::parse(Gateway::Iotpay, "bitcoin"),
            Err(Error::UnsupportedMethod(_))
        ));
        assert!(matches!(
            Method::parse(Gateway::Smepay, "wechat-qr"),
            Err(Error::UnsupportedMethod(_))
        ));
        assert!(Gateway::parse("paypal").is_err());
        assert!(Method::WechatQr.check_currency(Currency::CAD).is_ok());
        assert!(Method::WechatQr
            .check_currency(Currency::parse("INR").unwrap())
            .is_err());
    }

    #[test]
    fn a_method_is_found_by_its_name_in_any_case_and_its_gateway_is_checked_in_one_wording() {
        assert_eq!(Method::named(" WeChat-QR "), Some(Method::WechatQr));
        assert_eq!(Method::named("cash"), None);
        assert_eq!(
            Method::parse_key_within("method", "upi", Some(Gateway::Smepay)).unwrap(),
            Method::Upi
        );
        let unknown = Method::parse_key_within("method", "cash", None).unwrap_err();
        assert_eq!(unknown.field(), Some("method"));
        assert_eq!(
            unknown.to_string(),
            Method::parse_key("method", "cash").unwrap_err().to_string()
        );
        let mismatch =
            Method::parse_key_within("method", "wechat-qr", Some(Gateway::Smepay)).unwrap_err();
        assert_eq!(
            (mismatch.code(), mismatch.field()),
            ("invalid_input", Some("method"))
        );
        // The same words as a new order asking SMEPay for WeChat Pay, under its own code.
        let refused = Method::parse(Gateway::Smepay, "wechat-qr").unwrap_err();
        assert_eq!(refused.code(), "unsupported_method");
        assert_eq!(mismatch.to_string(), format!("method: {refused}"),);
    }

    #[test]
    fn every_status_has_one_money_class_and_only_money_that_arrived_is_taken() {
        use MoneyClass::*;
        let expected = [
            (Created, Waiting),
            (Pending, Waiting),
            (Authorized, Waiting),
            (Paid, Taken),
            (OrderStatus::Failed, MoneyClass::Failed),
            (OrderStatus::Expired, MoneyClass::Expired),
            (OrderStatus::Cancelled, MoneyClass::Cancelled),
            (Voided, MoneyClass::Cancelled),
            (PartiallyRefunded, Taken),
            (Refunded, Taken),
        ];
        assert_eq!(expected.len(), OrderStatus::ALL.len());
        for (status, class) in expected {
            assert_eq!(status.money_class(), class, "{status}");
        }
        let all: usize = MoneyClass::ALL.iter().map(|c| c.statuses().len()).sum();
        assert_eq!(
            all,
            OrderStatus::ALL.len(),
            "each status in exactly one class"
        );
        for (i, c) in MoneyClass::ALL.iter().enumerate() {
            assert_eq!(c.index(), i);
        }
        assert_eq!(PartiallyRefunded.label(), "Partially refunded");
    }

    #[test]
    fn merchant_order_numbers_fit_every_gateway() {
        let now = chrono::Utc::now();
        let a = new_merchant_order_no(now, None);
        let b = new_merchant_order_no(now, None);
        assert_ne!(a, b);
        assert!(a.len() <= 30, "{a}");
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()), "{a}");
    }

    #[test]
    fn a_shop_members_numbers_carry_its_counter_and_keep_the_same_shape() {
        let now = chrono::Utc::now();
        let alone = new_merchant_order_no(now, None);
        let till_7 = new_merchant_order_no(now, Some(7));
        let till_1295 = new_merchant_order_no(now, Some(1295));
        assert_eq!(till_7.len(), alone.len());
        assert_eq!(&till_7[17..19], "07", "{till_7}");
        assert_eq!(&till_1295[17..19], "ZZ", "{till_1295}");
        assert_eq!(&till_7[..17], &alone[..17], "the time part is the same");
        assert!(till_1295
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
        assert_eq!(base36_pair(36), "10");
    }
}
