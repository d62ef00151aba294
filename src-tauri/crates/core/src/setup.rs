//! First start: the shop's name, its currency, the owner's account (a name, "Owner" unless
//! given, and a PIN typed twice in the window) and the methods the counter offers. Run once,
//! by the window's setup screen or `paydesk setup`: everything is checked first, then written
//! in one transaction; a second run is refused (`already_set_up`), so setup can never be used
//! to replace an owner's PIN.

use serde::{Deserialize, Serialize};

use crate::settings::{self, SHOP_CURRENCY, SHOP_METHODS, SHOP_NAME, SHOP_SETUP_DONE};
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::Currency;
use paydesk_domain::order::Method;
use paydesk_ledger::ledger::Ledger;

pub use crate::staff::FIRST_OWNER;
/// How far back "most used" looks.
const RECENT_MS: i64 = 30 * 86_400_000;

/// What the setup screen starts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SetupState {
    /// Whether setup still has to run (not done, and no owner PIN set before it existed).
    pub needed: bool,
    pub shop_name: String,
    pub currency: String,
    /// The shop's methods (keys) in its order; empty = every method.
    pub methods: Vec<String>,
}

/// What the owner gives at first start.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct SetupInput {
    pub shop_name: String,
    pub currency: String,
    pub pin: String,
    pub pin_repeat: String,
    pub methods: Vec<String>,
    /// The owner's name on the staff list ("Owner" when empty).
    pub owner_name: String,
}

/// Whether setup has to run: it never ran, and the shop has no owner (a shop that set an owner
/// PIN before setup existed is set up: that PIN became its owner's account).
pub fn needed(ledger: &Ledger) -> Result<bool> {
    let done = ledger.setting(SHOP_SETUP_DONE)?.as_deref() == Some("1");
    Ok(!done && crate::staff::no_owner_yet(ledger)?)
}

pub fn state(ledger: &Ledger) -> Result<SetupState> {
    Ok(SetupState {
        needed: needed(ledger)?,
        shop_name: settings::shop_name(ledger)?,
        currency: settings::shop_currency(ledger)?.code().to_string(),
        methods: settings::shop_methods(ledger)?
            .iter()
            .map(|m| m.as_str().to_string())
            .collect(),
    })
}

fn already_set_up() -> Error {
    Error::Refused {
        params: vec![],
        code: "already_set_up",
        field: None,
        message: "this shop is already set up: change its name, currency and methods in Settings (with the owner's PIN)".into(),
    }
}

/// The input, checked whole: (name, currency, methods). Each mistake names its field.
fn check(input: &SetupInput) -> Result<(String, Currency, Vec<Method>)> {
    let name = settings::check(SHOP_NAME, &input.shop_name)
        .map_err(|e| {
            Error::invalid(
                "shopName",
                e.to_string().replace("shop.name", "the shop's name"),
            )
        })?
        .value;
    let currency = Currency::parse(input.currency.trim()).map_err(|_| {
        Error::invalid(
            "currency",
            format!(
                "{:?} is not a currency Paydesk knows: use an ISO code such as CAD, USD, EUR, INR",
                input.currency.trim()
            ),
        )
    })?;
    crate::staff::pins::check_format(&input.pin)?;
    if input.pin != input.pin_repeat {
        return Err(Error::invalid(
            "pinRepeat",
            "the two PINs differ: type the same PIN twice",
        ));
    }
    let mut methods: Vec<Method> = Vec::new();
    for key in &input.methods {
        let method = Method::parse_key("methods", key)?;
        if !methods.contains(&method) {
            methods.push(method);
        }
    }
    if methods.is_empty() {
        return Err(Error::invalid(
            "methods",
            "choose at least one way for customers to pay",
        ));
    }
    Ok((name, currency, methods))
}

/// Runs setup: checks everything, then writes the shop's settings and the owner's PIN in one
/// transaction. Refused with `already_set_up` if it ran before (or a PIN is already set).
pub fn complete(ledger: &Ledger, input: &SetupInput) -> Result<()> {
    if !needed(ledger)? {
        return Err(already_set_up());
    }
    let (name, currency, methods) = check(input)?;
    let hash = crate::staff::pins::hash_pin(&input.pin)?;
    let owner = match input.owner_name.trim() {
        "" => FIRST_OWNER,
        name => name,
    };
    if owner.chars().count() > 40 || owner.chars().any(char::is_control) {
        return Err(Error::invalid(
            "ownerName",
            "a name is 1 to 40 characters on one line",
        ));
    }
    let methods = methods
        .iter()
        .map(|m| m.as_str())
        .collect::<Vec<_>>()
        .join(",");
    // Checked again under the write lock: two setups at once, one wins.
    let written = ledger.complete_setup(
        SHOP_SETUP_DONE,
        &[
            (SHOP_NAME, name.as_str()),
            (SHOP_CURRENCY, currency.code()),
            (SHOP_METHODS, methods.as_str()),
            (SHOP_SETUP_DONE, "1"),
        ],
        owner,
        &hash,
    )?;
    if !written {
        return Err(already_set_up());
    }
    Ok(())
}

/// The shop's methods ordered most used first (orders created in the last 30 days per
/// method; ties keep the shop's order). Empty when the shop offers every method.
pub fn methods_by_use(ledger: &Ledger, now_ms: i64) -> Result<Vec<String>> {
    let methods = settings::shop_methods(ledger)?;
    if methods.is_empty() {
        return Ok(Vec::new());
    }
    let counts = recent_counts(ledger, now_ms)?;
    let mut ranked: Vec<(usize, Method)> = methods
        .into_iter()
        .enumerate()
        .map(|(i, m)| (i, m))
        .collect();
    ranked.sort_by_key(|(i, m)| {
        let used = counts
            .iter()
            .find(|(k, _)| k == m.as_str())
            .map_or(0, |(_, n)| *n);
        (std::cmp::Reverse(used), *i)
    });
    Ok(ranked
        .into_iter()
        .map(|(_, m)| m.as_str().to_string())
        .collect())
}

/// Orders per method key created since `now_ms` - 30 days.
fn recent_counts(ledger: &Ledger, now_ms: i64) -> Result<Vec<(String, i64)>> {
    ledger.orders_per_method_since(now_ms - RECENT_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> SetupInput {
        SetupInput {
            shop_name: "Corner Café".into(),
            currency: "cad".into(),
            pin: "2468".into(),
            pin_repeat: "2468".into(),
            methods: vec!["alipay-qr".into(), "wechat-qr".into()],
            owner_name: String::new(),
        }
    }

    fn field(ledger: &Ledger, input: SetupInput) -> &'static str {
        let e = complete(ledger, &input).unwrap_err();
        assert!(e.is_bad_input(), "{e}");
        e.field().unwrap_or("-")
    }

    #[test]
    fn setup_checks_everything_first_then_writes_once() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open_in(dir.path()).unwrap();
        assert!(state(&ledger).unwrap().needed);
        let bad = [
            (
                SetupInput {
                    shop_name: " ".into(),
                    ..input()
                },
                "shopName",
            ),
            (
                SetupInput {
                    shop_name: "x".repeat(61),
                    ..input()
                },
                "shopName",
            ),
            (
                SetupInput {
                    currency: "XXX".into(),
                    ..input()
                },
                "currency",
            ),
            (
                SetupInput {
                    pin: "12".into(),
                    pin_repeat: "12".into(),
                    ..input()
                },
                "pin",
            ),
            (
                SetupInput {
                    pin: "1234567890123".into(),
                    pin_repeat: "1234567890123".into(),
                    ..input()
                },
                "pin",
            ),
            (
                SetupInput {
                    pin_repeat: "2469".into(),
                    ..input()
                },
                "pinRepeat",
            ),
            (
                SetupInput {
                    methods: vec![],
                    ..input()
                },
                "methods",
            ),
            (
                SetupInput {
                    methods: vec!["cash".into()],
                    ..input()
                },
                "methods",
            ),
        ];
        for (case, want) in bad {
            assert_eq!(field(&ledger, case.clone()), want, "{case:?}");
            assert!(state(&ledger).unwrap().needed, "nothing written: {case:?}");
            assert!(crate::staff::no_owner_yet(&ledger).unwrap());
        }
        complete(&ledger, &input()).unwrap();
        let after = state(&ledger).unwrap();
        assert_eq!(
            after,
            SetupState {
                needed: false,
                shop_name: "Corner Café".into(),
                currency: "CAD".into(),
                methods: vec!["alipay-qr".into(), "wechat-qr".into()],
            }
        );
        crate::staff::sign_in(&ledger, FIRST_OWNER, "2468").unwrap();
        let again = complete(
            &ledger,
            &SetupInput {
                pin: "1111".into(),
                pin_repeat: "1111".into(),
                ..input()
            },
        )
        .unwrap_err();
        assert_eq!(again.code(), "already_set_up");
        crate::staff::sign_in(&ledger, FIRST_OWNER, "2468").unwrap();
    }

    #[test]
    fn an_owner_pin_from_before_staff_accounts_is_the_owners_account_after_the_upgrade() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(paydesk_ledger::ledger::LEDGER_FILE);
        // A ledger as the last release left it (migrations 1 to 9), its owner PIN set then:
        // 12 digits, which that release allowed and new PINs no longer are.
        let old = Ledger::open_with_migrations(&path, &paydesk_ledger::ledger::migrations()[..9])
            .unwrap();
        let hash = crate::staff::pins::hash_pin("135792468024").unwrap();
        old.set_setting("owner.pin_hash", &hash).unwrap();
        drop(old);

        let ledger = Ledger::open(&path).unwrap();
        assert!(!needed(&ledger).unwrap(), "set up already: not asked again");
        assert_eq!(
            complete(&ledger, &input()).unwrap_err().code(),
            "already_set_up"
        );
        let owner = crate::staff::sign_in(&ledger, FIRST_OWNER, "135792468024").unwrap();
        assert_eq!(owner.role, crate::staff::Role::Owner);
        // The same PIN approves what it approved before (a refund, an export).
        let approver = crate::staff::approval(&ledger, "135792468024").unwrap();
        assert_eq!(approver.name, FIRST_OWNER);
        assert_eq!(
            ledger.setting("owner.pin_hash").unwrap(),
            None,
            "moved, not copied"
        );
        assert_eq!(
            crate::staff::sign_in(&ledger, FIRST_OWNER, "0000")
                .unwrap_err()
                .code(),
            "pin_wrong"
        );
    }

    #[test]
    fn the_counters_methods_come_most_used_first() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open_in(dir.path()).unwrap();
        assert!(
            methods_by_use(&ledger, paydesk_domain::clock::now_ms())
                .unwrap()
                .is_empty(),
            "unset: all"
        );
        settings::set(&ledger, SHOP_METHODS, "card-link, wechat-qr,alipay-qr").unwrap();
        let now = paydesk_domain::clock::now_ms();
        for (i, method) in [Method::AlipayQr, Method::AlipayQr, Method::WechatQr]
            .iter()
            .enumerate()
        {
            ledger
                .insert_order(&paydesk_ledger::ledger::NewOrder {
                    merchant_order_no: format!("PDM{i}"),
                    method: *method,
                    environment: "sandbox".into(),
                    amount: paydesk_domain::money::Money::parse("1.00", Currency::CAD).unwrap(),
                    expires_at_ms: None,
                    by: Default::default(),
                })
                .unwrap();
        }
        assert_eq!(
            methods_by_use(&ledger, now).unwrap(),
            ["alipay-qr", "wechat-qr", "card-link"]
        );
        // Orders older than 30 days do not count: the shop's order again.
        assert_eq!(
            methods_by_use(&ledger, now + 31 * 86_400_000).unwrap(),
            ["card-link", "wechat-qr", "alipay-qr"]
        );
        assert!(settings::check(SHOP_METHODS, "wechat-qr,cash").is_err());
        assert!(settings::check(SHOP_METHODS, "wechat-qr,wechat-qr").is_err());
        assert_eq!(
            settings::check(SHOP_METHODS, " WeChat-QR , upi")
                .unwrap()
                .value,
            "wechat-qr,upi"
        );
    }
}
