//! Every gateway by name: its adapter, built from its APIs, and what it declares it can do.

use crate::iotpay::{Iotpay, IotpayAdapter, IOTPAY};
use crate::iotpay_card::IotpayCard;
use crate::smartexpay::{Smartexpay, SMARTEXPAY};
use crate::smartpay::{Smartpay, SMARTPAY};
use crate::smepay::{Smepay, SMEPAY};
use crate::{Adapter, Capabilities};
use paydesk_domain::order::Gateway;

/// The adapter of a gateway, from its built APIs.
pub enum Built {
    Iotpay { v1: Iotpay, card: IotpayCard },
    Smepay(Smepay),
    Smartexpay(Smartexpay),
    Smartpay(Smartpay),
}

/// One adapter behind the trait, whatever the gateway.
pub fn build(built: Built) -> Box<dyn Adapter> {
    match built {
        Built::Iotpay { v1, card } => Box::new(IotpayAdapter { v1, card }),
        Built::Smepay(a) => Box::new(a),
        Built::Smartexpay(a) => Box::new(a),
        Built::Smartpay(a) => Box::new(a),
    }
}

/// What a gateway declares it can do (also before any adapter is built: no keychain needed).
pub fn capabilities(gateway: Gateway) -> &'static Capabilities {
    match gateway {
        Gateway::Iotpay => &IOTPAY,
        Gateway::Smepay => &SMEPAY,
        Gateway::Smartexpay => &SMARTEXPAY,
        Gateway::Smartpay => &SMARTPAY,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn schedules_start_fast_then_back_off_to_their_slowest() {
        for capabilities in [&IOTPAY, &SMEPAY, &SMARTEXPAY, &SMARTPAY] {
            let poll = capabilities.poll;
            assert_eq!(poll.delay(Duration::ZERO), poll.fast);
            let mut last = poll.fast;
            for minutes in [4, 6, 10, 20, 40, 80, 200] {
                let delay = poll.delay(Duration::from_secs(minutes * 60));
                assert!(delay >= last, "{:?} at {minutes} min", capabilities.gateway);
                assert!(delay <= poll.slowest);
                last = delay;
            }
            assert_eq!(poll.delay(poll.payable_for), poll.slowest);
            assert!(
                poll.payable_for > Duration::from_secs(15 * 60),
                "past the counter's expiry"
            );
        }
    }
}
