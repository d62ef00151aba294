//! Every gateway by name: its declared settings, its adapter built from them (the one way,
//! for the sandbox's account and a real merchant's alike), and what it declares it can do.

use crate::iotpay::{Iotpay, IotpayAdapter, IOTPAY};
use crate::iotpay_card::IotpayCard;
use crate::settings::{ConfigSource, SettingSpec};
use crate::smartexpay::{Smartexpay, SMARTEXPAY};
use crate::smartpay::{Smartpay, SMARTPAY};
use crate::smepay::{Smepay, SMEPAY};
use crate::{iotpay, iotpay_card, smartexpay, smartpay, smepay};
use crate::{Adapter, Capabilities};
use paydesk_domain::error::Result;
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

/// Every gateway's declared settings, in the order `settings show` lists them.
pub fn declared(gateway: Gateway) -> &'static [SettingSpec] {
    match gateway {
        Gateway::Iotpay => iotpay::SETTINGS,
        Gateway::Smepay => smepay::SETTINGS,
        Gateway::Smartexpay => smartexpay::SETTINGS,
        Gateway::Smartpay => smartpay::SETTINGS,
    }
}

/// The gateway's adapter, configured from `source`: the one way every gateway is built, for
/// the sandbox's account and a real merchant's alike.
pub fn connect(source: &ConfigSource) -> Result<Box<dyn Adapter>> {
    Ok(match source.gateway {
        Gateway::Iotpay => build(Built::Iotpay {
            v1: iotpay::Iotpay::new(iotpay::v1_from_settings(source)?)?
                .with_terminal(iotpay::terminal_from_settings(source)?),
            card: iotpay_card::IotpayCard::new(iotpay::card_from_settings(source)?)?,
        }),
        Gateway::Smepay => build(Built::Smepay(smepay::Smepay::new(smepay::from_settings(
            source,
        )?)?)),
        Gateway::Smartexpay => build(Built::Smartexpay(
            smartexpay::Smartexpay::new(smartexpay::from_settings(source)?)?
                .with_from_currency(source.setting("from_currency")?.as_deref()),
        )),
        Gateway::Smartpay => build(Built::Smartpay(smartpay::Smartpay::new(
            smartpay::from_settings(source)?,
        )?)),
    })
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
