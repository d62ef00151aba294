//! The sandbox's exchange routes: what each takes and gives, at what rate, within what bounds,
//! and whether the merchant confirms its payments by hand.

use crate::{SANDBOX_SMARTEXPAY_MANUAL_ROUTE, SANDBOX_SMARTEXPAY_ROUTE};

/// One exchange route of the sandbox.
pub(super) struct Route {
    pub(super) id: &'static str,
    /// The route's "from" as the engine names it (`route.from`, `xml_from`).
    pub(super) xml_from: &'static str,
    pub(super) xml_to: &'static str,
    /// The ISO currency the amount is read in.
    pub(super) from_currency: &'static str,
    /// Rate in hundredths.
    pub(super) rate: i128,
    pub(super) manual: bool,
    /// Bounds on the amount, in whole units of the from currency.
    pub(super) min: i128,
    pub(super) max: i128,
}

const ROUTES: &[Route] = &[
    Route {
        id: SANDBOX_SMARTEXPAY_ROUTE,
        xml_from: "CARDEUR",
        xml_to: "USDTTRC20",
        from_currency: "EUR",
        rate: 108,
        manual: false,
        min: 1,
        max: 100_000,
    },
    Route {
        id: SANDBOX_SMARTEXPAY_MANUAL_ROUTE,
        xml_from: "SEPAEUR",
        xml_to: "USDTTRC20",
        from_currency: "EUR",
        rate: 107,
        manual: true,
        min: 1,
        max: 100_000,
    },
];

pub(super) fn route(id: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|r| r.id == id)
}

pub(super) fn is_manual(route_id: &str) -> bool {
    route(route_id).is_some_and(|r| r.manual)
}

/// The ISO currency a sandbox route takes its amount in (`None` for any other route id).
pub fn route_from_currency(route_id: &str) -> Option<&'static str> {
    route(route_id.trim()).map(|r| r.from_currency)
}
