//! The settings a shop can change (the ledger's `settings` table): which keys exist, their
//! documented defaults, and the rule each value must meet. One place, so that the command line
//! and the window accept and refuse the same values with the same words. Settings are not
//! secrets (credentials live in the keychain): they may be shown and sent to the window.
//!
//! Past 600 lines: about 480 of rules and their messages, the rest the tests that pin them,
//! kept beside the rules (one concept: what a setting may hold).

use std::net::SocketAddr;

use serde::Serialize;

use crate::config::Mode;
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::Currency;
use paydesk_domain::order::Gateway;
use paydesk_gateways::declared;
use paydesk_gateways::settings::{Rule, SettingDefault, SettingSpec};
use paydesk_ledger::ledger::Ledger;

pub const MODE: &str = "mode";
pub const HTTP_TIMEOUT: &str = "http.timeout_ms";
/// Shown on the customer display and in the window's title bar.
pub const SHOP_NAME: &str = "shop.name";
/// The counter's currency when a method takes several (was a fixed "CAD").
pub const SHOP_CURRENCY: &str = "shop.currency";
/// Where the notification receiver listens (`ip:port`).
pub const NOTIFY_BIND: &str = "notify.bind";
/// The methods the counter offers, comma-separated keys in the shop's order; unset = all.
pub const SHOP_METHODS: &str = "shop.methods";
/// "1" once the first-start setup ran (setup.rs).
pub const SHOP_SETUP_DONE: &str = "shop.setup_done";
/// The shop's address on its receipts: up to 4 lines (stored with line breaks between them).
pub const SHOP_ADDRESS: &str = "shop.address";
/// The shop's tax number (GST/HST, VAT, GSTIN) on its receipts.
pub const SHOP_TAX_NUMBER: &str = "shop.tax_number";
/// The window's language (one of `language::LANGUAGES`) where the person signed in has none
/// of their own.
pub use crate::language::SHOP_LANGUAGE;
/// The thermal receipt printer: `host:port` (network, raw port 9100) or a device file's path
/// (`/dev/usb/lp0`); unset = none.
pub const RECEIPT_PRINTER: &str = "receipt.printer";
/// The receipt roll: 58 (32 characters a line) or 80 mm (48).
pub const RECEIPT_PAPER: &str = "receipt.paper";
/// on: a sale's receipt prints by itself when it turns Paid at this counter.
pub const RECEIPT_AUTO: &str = "receipt.auto";

pub const DEFAULT_SHOP_NAME: &str = "Paydesk";
pub const DEFAULT_CURRENCY: &str = "CAD";
pub const DEFAULT_NOTIFY_BIND: &str = "127.0.0.1:47390";
/// A shop name is a line on a screen, not a paragraph.
const SHOP_NAME_MAX: usize = 60;

/// The environments whose gateway settings can be set (the sandbox configures itself).
pub const ENVIRONMENTS: [&str; 2] = ["test", "live"];

/// The gateways whose settings the shop can change, in the order they are listed.
const GATEWAYS: [Gateway; 4] = [
    Gateway::Iotpay,
    Gateway::Smepay,
    Gateway::Smartexpay,
    Gateway::Smartpay,
];

/// Every key `paydesk settings set` and the window accept.
pub fn known_keys() -> Vec<String> {
    let mut keys: Vec<String> = [
        MODE,
        HTTP_TIMEOUT,
        SHOP_NAME,
        SHOP_CURRENCY,
        SHOP_METHODS,
        SHOP_SETUP_DONE,
        NOTIFY_BIND,
        paydesk_ledger::backup::BACKUP_DIR_SETTING,
        crate::staff::IDLE_MINUTES,
        SHOP_ADDRESS,
        SHOP_TAX_NUMBER,
        RECEIPT_PRINTER,
        RECEIPT_PAPER,
        RECEIPT_AUTO,
        SHOP_LANGUAGE,
    ]
    .iter()
    .chain(crate::tips::KEYS.iter())
    .map(|k| k.to_string())
    .collect();
    for env in ENVIRONMENTS {
        for gateway in GATEWAYS {
            keys.extend(
                declared(gateway)
                    .iter()
                    .map(|spec| format!("{}.{env}.{}", gateway.as_str(), spec.name)),
            );
        }
    }
    keys
}

/// The value used when a key is not set, where there is a documented one (the gateways'
/// public hosts, ../shared/reference/gateways.md, as each gateway declares them); `None` where
/// the value is given to each merchant (SmartExPay's and SmartPay's hosts) or is derived at
/// run time (`derived_default` says from what).
pub fn default_value(key: &str) -> Option<&'static str> {
    match key {
        MODE => Some("sandbox"),
        SHOP_NAME => Some(DEFAULT_SHOP_NAME),
        SHOP_CURRENCY => Some(DEFAULT_CURRENCY),
        NOTIFY_BIND => Some(DEFAULT_NOTIFY_BIND),
        crate::staff::IDLE_MINUTES => Some("5"),
        RECEIPT_PAPER => Some("80"),
        RECEIPT_AUTO => Some("off"),
        SHOP_LANGUAGE => Some(crate::language::DEFAULT_LANGUAGE),
        _ if crate::tips::KEYS.contains(&key) => crate::tips::default_value(key),
        _ => {
            let (env, spec) = gateway_setting(key)?;
            spec.default.value(env)
        }
    }
}

/// What a setting with no literal default is worked out from when Paydesk runs.
pub fn derived_default(key: &str) -> Option<&'static str> {
    match key {
        HTTP_TIMEOUT => Some("each gateway's own (30 s; SmartPay 90 s)"),
        _ => match gateway_setting(key)?.1.default {
            SettingDefault::Derived(from) => Some(from),
            _ => None,
        },
    }
}

/// `iotpay.test.v1_base` -> ("test", its declaration), for known gateways and environments.
fn gateway_setting(key: &str) -> Option<(&str, &'static SettingSpec)> {
    let mut parts = key.splitn(3, '.');
    let (gateway, env, name) = (parts.next()?, parts.next()?, parts.next()?);
    let gateway = Gateway::parse(gateway).ok()?;
    if !ENVIRONMENTS.contains(&env) {
        return None;
    }
    declared(gateway)
        .iter()
        .find(|s| s.name == name)
        .map(|spec| (env, spec))
}

/// A value that passed its rule: as it will be stored (trimmed, normalised), and a warning
/// when it is allowed but risky.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Checked {
    pub value: String,
    pub warning: Option<String>,
}

impl Checked {
    fn ok(value: impl Into<String>) -> Result<Checked> {
        Ok(Checked {
            value: value.into(),
            warning: None,
        })
    }
}

/// Refuses an unknown key or a value that cannot work, naming the rule; the error's field is
/// `key` or `value`, and its message names the setting.
pub fn check(key: &str, value: &str) -> Result<Checked> {
    let key = key.trim();
    if !known_keys().iter().any(|k| k == key) {
        return Err(Error::invalid(
            "key",
            format!(
                "unknown setting {key:?}: use one of {}",
                known_keys().join(", ")
            ),
        ));
    }
    let value = value.trim();
    let bad = |rule: String| Err(Error::invalid("value", rule));
    match key {
        MODE => match Mode::parse(value) {
            Ok(mode) => Checked::ok(mode.as_str()),
            Err(_) => bad(format!(
                "mode must be sandbox, test or live, not {value:?}"
            )),
        },
        SHOP_NAME => {
            if value.is_empty() {
                bad("shop.name cannot be empty".into())
            } else if value.chars().count() > SHOP_NAME_MAX {
                bad(format!("shop.name is at most {SHOP_NAME_MAX} characters"))
            } else if value.chars().any(char::is_control) {
                bad("shop.name is one line of text".into())
            } else {
                Checked::ok(value)
            }
        }
        SHOP_CURRENCY => match Currency::parse(value) {
            Ok(currency) => Checked::ok(currency.code()),
            Err(_) => bad(format!(
                "shop.currency must be an ISO 4217 code Paydesk knows (such as CAD, USD, EUR, INR), not {value:?}"
            )),
        },
        NOTIFY_BIND => check_bind(value),
        paydesk_ledger::backup::BACKUP_DIR_SETTING => {
            paydesk_ledger::backup::check_dir(value).map(|dir| Checked::ok(dir.display().to_string()))?
        }
        SHOP_METHODS => check_methods(value).map(|methods| Checked {
            value: methods
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(","),
            warning: None,
        }),
        SHOP_SETUP_DONE => match value {
            "1" => Checked::ok(value),
            _ => bad(format!(
                "shop.setup_done is 1 once setup ran (unset it to run setup again), not {value:?}"
            )),
        },
        HTTP_TIMEOUT => check_rule(key, Rule::Millis, value),
        SHOP_ADDRESS => check_address(value).map(Checked::ok)?,
        SHOP_TAX_NUMBER => check_tax_number(value).map(Checked::ok)?,
        SHOP_LANGUAGE => match crate::language::check_language(SHOP_LANGUAGE, value) {
            Ok(tag) => Checked::ok(tag),
            Err(_) => bad(format!(
                "shop.language is one of {}, not {value:?}",
                crate::language::LANGUAGES.join(", ")
            )),
        },
        RECEIPT_PRINTER => printer_address(value).map(Checked::ok).map_err(|m| Error::invalid("value", m))?,
        RECEIPT_PAPER => match value.trim_end_matches("mm").trim() {
            v @ ("58" | "80") => Checked::ok(v),
            _ => bad(format!("receipt.paper is 58 or 80 (mm), not {value:?}")),
        },
        RECEIPT_AUTO => match value.to_ascii_lowercase().as_str() {
            v @ ("on" | "off") => Checked::ok(v),
            _ => bad(format!("receipt.auto is on or off, not {value:?}")),
        },
        crate::staff::IDLE_MINUTES => match value.parse::<u32>() {
            Ok(minutes) if minutes <= 480 => Checked::ok(minutes.to_string()),
            _ => bad(format!(
                "staff.idle_minutes is whole minutes from 0 (never) to 480, not {value:?}"
            )),
        },
        _ if crate::tips::KEYS.contains(&key) => match crate::tips::check(key, value) {
            Ok(value) => Checked::ok(value),
            Err(rule) => bad(rule),
        },
        _ => match gateway_setting(key) {
            Some((_, spec)) => check_rule(key, spec.rule, value),
            None => check_rule(key, Rule::Text, value),
        },
    }
}

const ADDRESS_LINES: usize = 4;
/// An 80 mm receipt's line.
const ADDRESS_LINE_MAX: usize = 48;
const TAX_NUMBER_MAX: usize = 40;

/// `shop.address`: up to 4 lines of at most 48 characters (one 80 mm receipt line each), text
/// and line breaks only; stored with `\n` between the lines, blank ones dropped. One line
/// with commas is fine too: a 58 mm receipt wraps it after a comma.
pub fn check_address(value: &str) -> Result<String> {
    let bad = |m: String| Err(Error::invalid("value", m));
    let lines: Vec<&str> = value
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        return bad("shop.address cannot be empty (unset it for none)".into());
    }
    if lines.len() > ADDRESS_LINES {
        return bad(format!(
            "shop.address is at most {ADDRESS_LINES} lines, not {}",
            lines.len()
        ));
    }
    for line in &lines {
        if line.chars().count() > ADDRESS_LINE_MAX {
            return bad(format!(
                "each line of shop.address is at most {ADDRESS_LINE_MAX} characters: {line:?} is longer"
            ));
        }
        if line.chars().any(char::is_control) {
            return bad("shop.address holds text and line breaks only".into());
        }
    }
    Ok(lines.join("\n"))
}

/// `shop.tax_number`: one line of at most 40 characters.
pub fn check_tax_number(value: &str) -> Result<String> {
    let value = value.trim();
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(
            "value",
            "shop.tax_number is one line of text",
        ));
    }
    if value.chars().count() > TAX_NUMBER_MAX {
        return Err(Error::invalid(
            "value",
            format!("shop.tax_number is at most {TAX_NUMBER_MAX} characters"),
        ));
    }
    Ok(value.to_string())
}

/// A device file for `receipt.printer`: an absolute path, or on Windows a port (`COM3`,
/// `\\.\COM3`).
pub fn is_device_path(value: &str) -> bool {
    value.starts_with('/')
        || (cfg!(windows)
            && (value.starts_with(r"\\.\") || value.to_ascii_uppercase().starts_with("COM")))
}

/// `receipt.printer` checked and normalised: `host:port` (a name, IPv4, or `[IPv6]`; the
/// port 9100 when left out) or a device file's absolute path. The error is the rule.
pub fn printer_address(value: &str) -> std::result::Result<String, String> {
    let text = value.trim();
    let expected = || {
        format!(
            "receipt.printer is a network printer's host:port (such as 192.168.1.50:9100) or a device file's absolute path (such as /dev/usb/lp0), not {text:?}"
        )
    };
    if text.is_empty() || text.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(expected());
    }
    if is_device_path(text) {
        return Ok(text.to_string());
    }
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or_else(expected)?;
        host.parse::<std::net::Ipv6Addr>().map_err(|_| expected())?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse::<u16>().map_err(|_| expected())?,
            None if after.is_empty() => 9100,
            None => return Err(expected()),
        };
        (format!("[{host}]"), port)
    } else {
        let (host, port) = match text.rsplit_once(':') {
            Some((host, port)) => (host, port.parse::<u16>().map_err(|_| expected())?),
            None => (text, 9100),
        };
        let name = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_';
        if host.is_empty() || !host.chars().all(name) {
            return Err(expected());
        }
        (host.to_string(), port)
    };
    if port == 0 {
        return Err(expected());
    }
    Ok(format!("{host}:{port}"))
}

/// Checks `value` against the rule a gateway declared for `key`.
fn check_rule(key: &str, rule: Rule, value: &str) -> Result<Checked> {
    let bad = |rule: String| Err(Error::invalid("value", rule));
    match rule {
        Rule::Millis => match value.parse::<u64>() {
            Ok(ms) if ms > 0 && ms <= 600_000 => Checked::ok(ms.to_string()),
            _ => bad(format!(
                "{key} is a number of milliseconds from 1 to 600000, not {value:?}"
            )),
        },
        Rule::Url => check_url(key, value),
        Rule::OneOf(allowed) => {
            if allowed.contains(&value) {
                Checked::ok(value)
            } else {
                bad(format!(
                    "{key} must be {}, not {value:?}",
                    allowed.join(" or ")
                ))
            }
        }
        Rule::ObjectId => {
            if value.len() == 24 && value.chars().all(|c| c.is_ascii_hexdigit()) {
                Checked::ok(value)
            } else {
                bad(format!(
                    "{key} is a 24-character hexadecimal ObjectId, not {value:?}"
                ))
            }
        }
        Rule::JsonPairs => match serde_json::from_str::<serde_json::Value>(value) {
            Ok(serde_json::Value::Array(_)) => Checked::ok(value),
            _ => bad(format!("{key} must be a JSON array of {{key, value}}")),
        },
        Rule::IpAddress => match value.parse::<std::net::IpAddr>() {
            Ok(ip) => Checked::ok(ip.to_string()),
            Err(_) => bad(format!("{key} must be an IP address, not {value:?}")),
        },
        Rule::HeaderName => {
            let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
            if !value.is_empty() && value.chars().all(token) {
                Checked::ok(value)
            } else {
                bad(format!("{key} must be an HTTP header name, not {value:?}"))
            }
        }
        Rule::Email => {
            if value.contains('@') && !value.contains(char::is_whitespace) {
                Checked::ok(value)
            } else {
                bad(format!("{key} must be an e-mail address, not {value:?}"))
            }
        }
        Rule::Text if value.is_empty() => bad(format!("{key} cannot be empty")),
        Rule::Text => Checked::ok(value),
    }
}

/// A gateway URL: http(s) with a host and no user or password in it (settings are not
/// secrets). Plain http only to this machine: money and credentials never cross a network
/// unencrypted.
fn check_url(key: &str, value: &str) -> Result<Checked> {
    let bad = |why: &str| {
        Err(Error::invalid(
            "value",
            format!("{key} must be an https:// URL (or http:// on this machine): {why}"),
        ))
    };
    let Ok(url) = reqwest::Url::parse(value) else {
        return bad(&format!("{value:?} is not a URL"));
    };
    let Some(host) = url.host_str().filter(|h| !h.is_empty()) else {
        return bad(&format!("{value:?} has no host"));
    };
    if !url.username().is_empty() || url.password().is_some() {
        return bad("it must not carry a user name or password (those go in the keychain)");
    }
    match url.scheme() {
        "https" => Checked::ok(value),
        "http" if is_loopback_host(host) => Checked::ok(value),
        "http" => bad(&format!("{host} is not this machine")),
        other => bad(&format!("{other}: is not http or https")),
    }
}

fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `shop.methods` as typed: method keys separated by commas, each known and named once, at
/// least one; in the shop's order.
pub fn check_methods(value: &str) -> Result<Vec<paydesk_domain::order::Method>> {
    let mut methods = Vec::new();
    for key in value.split(',').map(str::trim).filter(|k| !k.is_empty()) {
        let method = paydesk_domain::order::Method::parse_key("value", key)?;
        if methods.contains(&method) {
            return Err(Error::invalid(
                "value",
                format!("shop.methods names {} twice", method.as_str()),
            ));
        }
        methods.push(method);
    }
    if methods.is_empty() {
        return Err(Error::invalid(
            "value",
            "shop.methods needs at least one method (unset it to offer them all)",
        ));
    }
    Ok(methods)
}

/// The methods the counter offers, in the shop's order; empty = every method.
pub fn shop_methods(ledger: &Ledger) -> Result<Vec<paydesk_domain::order::Method>> {
    Ok(match ledger.setting(SHOP_METHODS)? {
        Some(text) if !text.trim().is_empty() => {
            // A stored value that no longer reads (a method gone) keeps what still does.
            text.split(',')
                .filter_map(|k| paydesk_domain::order::Method::parse_key("value", k).ok())
                .collect()
        }
        _ => Vec::new(),
    })
}

fn check_bind(value: &str) -> Result<Checked> {
    let addr: SocketAddr = value.parse().map_err(|_| {
        Error::invalid(
            "value",
            format!("notify.bind is an address and port such as 127.0.0.1:47390, not {value:?}"),
        )
    })?;
    let warning = (!addr.ip().is_loopback()).then(|| {
        format!(
            "{} is not loopback: other machines on the network can reach the receiver (it still checks every signature and re-queries the gateway); give the gateways your public address in their notify_url / callback_url / ipn_url settings",
            addr.ip()
        )
    });
    Ok(Checked {
        value: addr.to_string(),
        warning,
    })
}

/// Where the notification receiver should listen: the setting, else loopback:47390. A stored
/// value that no longer parses falls back to the default (logged), so the window still opens.
pub fn notify_bind(ledger: &Ledger) -> Result<SocketAddr> {
    let default = SocketAddr::from(([127, 0, 0, 1], crate::payments::DEFAULT_NOTIFY_PORT));
    Ok(match ledger.setting(NOTIFY_BIND)? {
        Some(text) => text.trim().parse().unwrap_or_else(|_| {
            tracing::warn!("notify.bind {text:?} is not an address: listening on {default}");
            default
        }),
        None => default,
    })
}

/// The shop's name, for the customer display.
pub fn shop_name(ledger: &Ledger) -> Result<String> {
    Ok(ledger
        .setting(SHOP_NAME)?
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_SHOP_NAME.into()))
}

/// The counter's default currency; an unknown stored code falls back to CAD.
pub fn shop_currency(ledger: &Ledger) -> Result<Currency> {
    Ok(match ledger.setting(SHOP_CURRENCY)? {
        Some(code) => Currency::parse(&code).unwrap_or(Currency::CAD),
        None => Currency::CAD,
    })
}

/// The origins the window's content security policy must also allow for the gateways' widgets
/// as this shop configured them (`<gateway>.<env>.script_url`, and IOTPay's card host
/// `v3_base`): tauri.conf.json names the documented hosts, but SmartPay's is per merchant and
/// any of them can be moved. Only https origins, or http on loopback; the rest is ignored
/// (and was refused when it was set).
pub fn widget_origins(ledger: &Ledger) -> Result<Vec<String>> {
    let mut origins = Vec::new();
    for env in ENVIRONMENTS {
        for key in [
            format!("iotpay.{env}.script_url"),
            format!("iotpay.{env}.v3_base"),
            format!("smepay.{env}.script_url"),
            format!("smartpay.{env}.script_url"),
        ] {
            let Some(value) = ledger.setting(&key)? else {
                continue;
            };
            let Ok(url) = reqwest::Url::parse(value.trim()) else {
                continue;
            };
            let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
            let allowed = url.scheme() == "https" || (url.scheme() == "http" && loopback);
            let origin = url.origin().ascii_serialization();
            if allowed && url.host_str().is_some() && !origins.contains(&origin) {
                origins.push(origin);
            }
        }
    }
    Ok(origins)
}

/// Checks then stores one setting; an empty value removes it (back to its default).
pub fn set(ledger: &Ledger, key: &str, value: &str) -> Result<Option<Checked>> {
    let key = key.trim();
    if value.trim().is_empty() && known_keys().iter().any(|k| k == key) {
        remove(ledger, key)?;
        return Ok(None);
    }
    let checked = check(key, value)?;
    ledger.set_setting(key, &checked.value)?;
    Ok(Some(checked))
}

/// Checks every change (key and value as typed; an empty value means "back to the default")
/// without storing any: the first bad one is the error.
pub fn check_all(changes: &[(String, String)]) -> Result<Vec<(String, Option<Checked>)>> {
    let mut checked = Vec::with_capacity(changes.len());
    for (key, value) in changes {
        let key = key.trim();
        if value.trim().is_empty() {
            if !known_keys().iter().any(|k| k == key) {
                check(key, value)?;
            }
            checked.push((key.to_string(), None));
        } else {
            checked.push((key.to_string(), Some(check(key, value)?)));
        }
    }
    Ok(checked)
}

/// Checks every change first and stores them only when all pass (one transaction), so a
/// form with one bad field changes nothing. Returns the warnings of the values stored.
pub fn set_all(ledger: &Ledger, changes: &[(String, String)]) -> Result<Vec<String>> {
    let checked = check_all(changes)?;
    let mut warnings = Vec::new();
    let mut stored = Vec::new();
    for (key, value) in checked {
        if let Some(c) = &value {
            warnings.extend(c.warning.clone());
        }
        stored.push((key, value.map(|c| c.value)));
    }
    ledger.put_settings(&stored)?;
    Ok(warnings)
}

/// Forgets a setting: its default applies again.
pub fn remove(ledger: &Ledger, key: &str) -> Result<()> {
    ledger.put_settings(&[(key.to_string(), None)])
}

/// One setting as the window shows it: its stored value (if any) and its default.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingValue {
    pub key: String,
    pub value: Option<String>,
    pub default: Option<&'static str>,
}

/// Every known setting with its value and default, in `known_keys` order.
pub fn all(ledger: &Ledger) -> Result<Vec<SettingValue>> {
    known_keys()
        .into_iter()
        .map(|key| {
            Ok(SettingValue {
                value: ledger.setting(&key)?,
                default: default_value(&key),
                key,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(key: &str, value: &str) -> String {
        match check(key, value) {
            Err(Error::InvalidInput { field, message }) => {
                assert_eq!(field, "value", "{key}={value}: {message}");
                message
            }
            other => panic!("{key}={value:?} was accepted: {other:?}"),
        }
    }

    #[test]
    fn keys_cover_every_gateway_and_environment() {
        let keys = known_keys();
        for key in [
            "mode",
            "shop.name",
            "shop.currency",
            "notify.bind",
            "iotpay.test.v1_base",
            "iotpay.live.v3_base",
            "smepay.live.base",
            "smartexpay.test.route_id",
            "smartpay.live.token_url",
        ] {
            assert!(keys.iter().any(|k| k == key), "{key}");
        }
        assert!(matches!(
            check("iotpay.sandbox.v1_base", "https://x.example"),
            Err(Error::InvalidInput { field: "key", .. })
        ));
        assert!(matches!(
            check("shop.colour", "red"),
            Err(Error::InvalidInput { field: "key", .. })
        ));
    }

    #[test]
    fn documented_defaults() {
        assert_eq!(
            default_value("iotpay.test.v1_base"),
            Some("https://api.iotpaycloud.com/v1")
        );
        assert_eq!(
            default_value("iotpay.test.v3_base"),
            Some("https://ccdev.iotpaycloud.com/v3")
        );
        assert_eq!(
            default_value("iotpay.live.v3_base"),
            Some("https://ccapi.iotpaycloud.com/v3")
        );
        assert_eq!(
            default_value("smepay.test.base"),
            Some("https://staging.smepay.in")
        );
        assert_eq!(
            default_value("smepay.live.base"),
            Some("https://extranet.smepay.in")
        );
        // Given to each merchant: no default to show.
        assert_eq!(default_value("smartexpay.live.base"), None);
        assert_eq!(default_value("smartpay.test.base"), None);
        assert_eq!(default_value("shop.currency"), Some("CAD"));
        assert_eq!(default_value("notify.bind"), Some("127.0.0.1:47390"));
    }

    #[test]
    fn urls_are_https_with_a_host_or_http_on_this_machine() {
        let ok = |v: &str| check("iotpay.live.v1_base", v).unwrap().value;
        assert_eq!(
            ok(" https://api.iotpaycloud.com/v1 "),
            "https://api.iotpaycloud.com/v1"
        );
        ok("http://127.0.0.1:18080/iotpay/v1");
        ok("http://localhost:8080");
        ok("http://[::1]:8080/v1");
        assert!(refused("iotpay.live.v1_base", "api.iotpaycloud.com/v1").contains("not a URL"));
        assert!(
            refused("iotpay.live.v1_base", "http://api.iotpaycloud.com/v1")
                .contains("api.iotpaycloud.com is not this machine")
        );
        assert!(refused("smepay.test.base", "ftp://files.example").contains("ftp"));
        assert!(refused("smepay.test.base", "https://user:pw@host.example").contains("password"));
        assert!(refused("smartpay.test.token_url", "https://").contains("https://"));
        assert!(refused("smartpay.test.base", "").contains("smartpay.test.base"));
    }

    #[test]
    fn shop_values() {
        assert_eq!(check("shop.currency", " eur ").unwrap().value, "EUR");
        assert!(refused("shop.currency", "EURO").contains("ISO 4217"));
        assert!(refused("shop.currency", "XXX").contains("\"XXX\""));
        assert_eq!(
            check("shop.name", "  Tea House ").unwrap().value,
            "Tea House"
        );
        assert!(refused("shop.name", "  ").contains("cannot be empty"));
        assert!(refused("shop.name", &"x".repeat(61)).contains("at most 60"));
        assert!(refused("shop.name", "two\nlines").contains("one line"));
        assert_eq!(check("shop.language", "fr_ca").unwrap().value, "fr-CA");
        assert_eq!(default_value("shop.language"), Some("en"));
        assert!(
            refused("shop.language", "de").contains("shop.language is one of en, fr-CA, zh-CN, hi")
        );
        assert_eq!(check("mode", "LIVE").unwrap().value, "live");
        assert!(refused("mode", "prod").contains("sandbox, test or live"));
    }

    #[test]
    fn receipt_settings() {
        assert_eq!(
            check("shop.address", " 12 Main St \r\n\n Toronto ON  M5V 1A1 ")
                .unwrap()
                .value,
            "12 Main St\nToronto ON  M5V 1A1"
        );
        assert_eq!(
            check("shop.address", "12 Main St, Toronto ON")
                .unwrap()
                .value,
            "12 Main St, Toronto ON"
        );
        assert!(refused("shop.address", "a\nb\nc\nd\ne").contains("at most 4 lines"));
        assert!(refused("shop.address", &"x".repeat(49)).contains("at most 48"));
        assert!(refused("shop.address", "12 Main\tSt").contains("text and line breaks"));
        assert_eq!(
            check("shop.tax_number", " GST 123456789 RT0001 ")
                .unwrap()
                .value,
            "GST 123456789 RT0001"
        );
        assert!(refused("shop.tax_number", "a\nb").contains("one line"));
        assert!(refused("shop.tax_number", &"1".repeat(41)).contains("at most 40"));
        assert_eq!(
            check("receipt.printer", "192.168.1.50").unwrap().value,
            "192.168.1.50:9100"
        );
        assert_eq!(
            check("receipt.printer", "printer.local:9101")
                .unwrap()
                .value,
            "printer.local:9101"
        );
        assert_eq!(
            check("receipt.printer", "[::1]").unwrap().value,
            "[::1]:9100"
        );
        assert_eq!(
            check("receipt.printer", "/dev/usb/lp0").unwrap().value,
            "/dev/usb/lp0"
        );
        for bad in [
            "host:99999",
            "host:0",
            "a b",
            "http://x:9100",
            "[nope]:1",
            "lp0:x",
            "lp0/x",
        ] {
            assert!(
                refused("receipt.printer", bad).contains("host:port"),
                "{bad}"
            );
        }
        assert_eq!(check("receipt.paper", "58mm").unwrap().value, "58");
        assert!(refused("receipt.paper", "76").contains("58 or 80"));
        assert_eq!(check("receipt.auto", "ON").unwrap().value, "on");
        assert!(refused("receipt.auto", "yes").contains("on or off"));
        assert_eq!(default_value("receipt.paper"), Some("80"));
        assert_eq!(default_value("receipt.auto"), Some("off"));
        assert_eq!(default_value("receipt.printer"), None);
    }

    #[test]
    fn the_receiver_address_warns_when_not_loopback() {
        let loopback = check("notify.bind", "127.0.0.1:47390").unwrap();
        assert_eq!(loopback.warning, None);
        let open = check("notify.bind", "0.0.0.0:47390").unwrap();
        assert!(open.warning.unwrap().contains("not loopback"));
        assert!(refused("notify.bind", "localhost").contains("address and port"));
        assert!(refused("notify.bind", "127.0.0.1:99999").contains("address and port"));
    }

    #[test]
    fn other_values_name_their_rule() {
        assert!(refused("http.timeout_ms", "0").contains("milliseconds"));
        assert!(refused("smartpay.test.timeout_ms", "fast").contains("milliseconds"));
        assert!(refused("smartexpay.test.route_id", "abc").contains("ObjectId"));
        assert!(refused("smartexpay.test.to_values", "{}").contains("JSON array"));
        assert!(refused("smepay.test.path_family", "v3").contains("seed or wiz"));
        assert!(refused("iotpay.test.client_ip", "here").contains("IP address"));
        assert!(refused("smartexpay.test.api_key_header", "X Api").contains("header name"));
        assert!(refused("smepay.live.customer_email", "nobody").contains("e-mail"));
        assert_eq!(
            check("smartexpay.test.route_id", "5d8e6002b80b7b4cd75a0002")
                .unwrap()
                .value,
            "5d8e6002b80b7b4cd75a0002"
        );
    }

    #[test]
    fn a_form_is_stored_whole_or_not_at_all_and_blank_means_default() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open_in(dir.path()).unwrap();
        set(&ledger, "shop.name", "Corner Tea").unwrap();
        let bad = set_all(
            &ledger,
            &[
                ("shop.name".into(), "Other".into()),
                ("iotpay.test.v1_base".into(), "nope".into()),
            ],
        );
        assert!(bad.is_err());
        assert_eq!(shop_name(&ledger).unwrap(), "Corner Tea");
        let warnings = set_all(
            &ledger,
            &[
                ("shop.name".into(), "".into()),
                ("notify.bind".into(), "0.0.0.0:47390".into()),
                ("shop.currency".into(), "usd".into()),
            ],
        )
        .unwrap();
        assert_eq!(warnings.len(), 1);
        assert_eq!(shop_name(&ledger).unwrap(), DEFAULT_SHOP_NAME);
        assert_eq!(shop_currency(&ledger).unwrap().code(), "USD");
        assert_eq!(
            notify_bind(&ledger).unwrap(),
            "0.0.0.0:47390".parse().unwrap()
        );
        let listed = all(&ledger).unwrap();
        let currency = listed.iter().find(|s| s.key == "shop.currency").unwrap();
        assert_eq!(currency.value.as_deref(), Some("USD"));
        assert_eq!(currency.default, Some("CAD"));
    }

    #[test]
    fn widget_origins_are_the_configured_widget_hosts_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open_in(dir.path()).unwrap();
        assert!(widget_origins(&ledger).unwrap().is_empty());
        for (key, value) in [
            (
                "smartpay.live.script_url",
                "https://widget.example-smartpay.com/smp-bundle.js?v=3",
            ),
            (
                "smartpay.test.script_url",
                "https://widget.example-smartpay.com:8443/smp-bundle.js",
            ),
            ("iotpay.test.v3_base", "https://ccdev.iotpaycloud.com/api"),
            ("smepay.live.script_url", "http://evil.example.com/x.js"),
            (
                "smepay.test.script_url",
                "http://127.0.0.1:18080/smepay/checkout.js",
            ),
        ] {
            ledger.set_setting(key, value).unwrap();
        }
        let origins = widget_origins(&ledger).unwrap();
        assert_eq!(
            origins,
            vec![
                "https://ccdev.iotpaycloud.com",
                "http://127.0.0.1:18080",
                "https://widget.example-smartpay.com:8443",
                "https://widget.example-smartpay.com",
            ],
            "plain http off loopback is never allowed"
        );
    }

    #[test]
    fn the_shown_defaults_are_the_ones_used() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open_in(dir.path()).unwrap();
        assert_eq!(
            notify_bind(&ledger).unwrap(),
            DEFAULT_NOTIFY_BIND.parse::<SocketAddr>().unwrap()
        );
        assert_eq!(shop_currency(&ledger).unwrap().code(), DEFAULT_CURRENCY);
    }
}
