//! Every gateway, connected the one way: its declared settings, and its adapter built from a
//! [`ConfigSource`] (the sandbox's account and a real merchant's alike).

use paydesk_domain::error::Result;
use paydesk_domain::order::Gateway;

use crate::settings::{ConfigSource, SettingSpec};
use crate::{build, Built};
use crate::{iotpay_settings, smartexpay_settings, smartpay_settings, smepay_settings};

/// Every gateway's declared settings, in the order `settings show` lists them.
pub fn declared(gateway: Gateway) -> &'static [SettingSpec] {
    match gateway {
        Gateway::Iotpay => iotpay_settings::SETTINGS,
        Gateway::Smepay => smepay_settings::SETTINGS,
        Gateway::Smartexpay => smartexpay_settings::SETTINGS,
        Gateway::Smartpay => smartpay_settings::SETTINGS,
    }
}

/// The gateway's adapter, configured from `source`: the one way every gateway is built, for
/// the sandbox's account and a real merchant's alike.
pub fn connect(source: &ConfigSource) -> Result<Box<dyn crate::Adapter>> {
    Ok(match source.gateway {
        Gateway::Iotpay => build(Built::Iotpay {
            v1: crate::iotpay::Iotpay::new(crate::iotpay_settings::v1_config(source)?)?,
            card: crate::iotpay_card::IotpayCard::new(crate::iotpay_settings::card_config(
                source,
            )?)?,
        }),
        Gateway::Smepay => build(Built::Smepay(crate::smepay::Smepay::new(
            crate::smepay_settings::config(source)?,
        )?)),
        Gateway::Smartexpay => build(Built::Smartexpay(
            crate::smartexpay::Smartexpay::new(crate::smartexpay_settings::config(source)?)?
                .with_from_currency(source.setting("from_currency")?.as_deref()),
        )),
        Gateway::Smartpay => build(Built::Smartpay(crate::smartpay::Smartpay::new(
            crate::smartpay_settings::config(source)?,
        )?)),
    })
}
