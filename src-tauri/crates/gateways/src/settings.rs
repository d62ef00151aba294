//! What a gateway is configured from, declared by the gateway itself: its settings (name,
//! default, rule) beside its config, and the one way a config is read from them. The core's
//! settings list (`paydesk settings show`, the window's Advanced card) is built from these
//! declarations, so a default used here is a default shown there.

use std::collections::BTreeMap;
use std::time::Duration;

use paydesk_domain::error::{Error, Result};
use paydesk_domain::order::Gateway;
use paydesk_secrets::vault::Sensitive;

/// One setting of a gateway, stored as `<gateway>.<environment>.<name>`.
#[derive(Debug, Clone, Copy)]
pub struct SettingSpec {
    pub name: &'static str,
    pub default: SettingDefault,
    pub rule: Rule,
}

/// The value used when a setting is not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingDefault {
    /// None: the value is given to each merchant (a private host, a route), or optional.
    None,
    /// The same in every environment.
    Fixed(&'static str),
    /// The gateway's documented test and live values.
    PerEnvironment {
        test: &'static str,
        live: &'static str,
    },
    /// Worked out when Paydesk runs; the text says from what.
    Derived(&'static str),
}

impl SettingDefault {
    /// The literal default in `environment` ("test", "live" or "sandbox"), if there is one.
    pub fn value(self, environment: &str) -> Option<&'static str> {
        match self {
            SettingDefault::Fixed(value) => Some(value),
            SettingDefault::PerEnvironment { test, live } => {
                Some(if environment == "live" { live } else { test })
            }
            SettingDefault::None | SettingDefault::Derived(_) => None,
        }
    }
}

/// The rule a stored value must meet (checked by the core's settings before it is stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// https, or http to this machine; no user or password in it.
    Url,
    /// Milliseconds, 1 to 600000.
    Millis,
    /// A MongoDB ObjectId: 24 hexadecimal digits.
    ObjectId,
    /// A JSON array of `{key, value}`.
    JsonPairs,
    OneOf(&'static [&'static str]),
    IpAddress,
    HeaderName,
    Email,
    /// Any one line of text, not empty.
    Text,
}

pub const fn setting(name: &'static str, default: SettingDefault, rule: Rule) -> SettingSpec {
    SettingSpec {
        name,
        default,
        rule,
    }
}

/// A gateway's credential fields by name (the keychain's, or the sandbox's own account).
pub type CredentialFields = BTreeMap<String, Sensitive<String>>;

/// What the keychain (or the sandbox) gave for a gateway's credentials. Reading them is an
/// error only when a credential is read, so a missing host is said first where a gateway
/// reads its host first.
#[derive(Debug, Clone)]
pub enum Credentials {
    Fields(CredentialFields),
    /// None stored for this gateway and environment.
    Missing,
    /// The keychain could not be read (locked, no Secret Service): its words.
    Unreadable(String),
}

/// Where one gateway's config is read from: its stored settings (then the declared defaults),
/// its credentials, and what Paydesk knows when it runs.
#[derive(Clone, Copy)]
pub struct ConfigSource<'a> {
    pub gateway: Gateway,
    /// "sandbox", "test" or "live".
    pub environment: &'a str,
    /// The stored value of one of this gateway's settings, by its short name.
    pub stored: &'a dyn Fn(&str) -> Result<Option<String>>,
    pub credentials: &'a Credentials,
    /// Where the notification receiver is reached (`http://127.0.0.1:47390`).
    pub notify_base: &'a str,
    /// `http.timeout_ms`, when the shop set it: every gateway's calls wait this long unless
    /// its own `timeout_ms` says otherwise.
    pub http_timeout: Option<Duration>,
    /// The gateway's declared settings, once its config module reads the source.
    declared: &'static [SettingSpec],
}

impl<'a> ConfigSource<'a> {
    pub fn new(
        gateway: Gateway,
        environment: &'a str,
        stored: &'a dyn Fn(&str) -> Result<Option<String>>,
        credentials: &'a Credentials,
        notify_base: &'a str,
        http_timeout: Option<Duration>,
    ) -> Self {
        ConfigSource {
            gateway,
            environment,
            stored,
            credentials,
            notify_base,
            http_timeout,
            declared: &[],
        }
    }

    /// The same source read with the gateway's declarations (its defaults apply).
    pub(crate) fn declaring(&self, declared: &'static [SettingSpec]) -> Self {
        ConfigSource { declared, ..*self }
    }

    fn spec(&self, name: &str) -> Option<&'static SettingSpec> {
        self.declared.iter().find(|s| s.name == name)
    }

    /// The setting's stored value (blank counts as unset), else its declared default.
    pub fn setting(&self, name: &str) -> Result<Option<String>> {
        let stored = (self.stored)(name)?.filter(|v| !v.trim().is_empty());
        Ok(stored.or_else(|| {
            self.spec(name)
                .and_then(|s| s.default.value(self.environment))
                .map(str::to_string)
        }))
    }

    /// A setting that has a declared default (so it always has a value).
    pub fn setting_or_default(&self, name: &str) -> Result<String> {
        self.setting(name)?.ok_or_else(|| {
            Error::Internal(format!("{} declares no default for {name}", self.key(name)))
        })
    }

    /// A setting the merchant must give: an error on `field` naming it and how to set it.
    pub fn required(&self, name: &str, field: &'static str, what: &str) -> Result<String> {
        self.setting(name)?.ok_or_else(|| {
            Error::invalid(
                field,
                format!(
                    "{what}: set it with `paydesk settings set {} <value>`",
                    self.key(name)
                ),
            )
        })
    }

    /// `<gateway>.<environment>.<name>`, as the shop sets it.
    pub fn key(&self, name: &str) -> String {
        format!("{}.{}.{name}", self.gateway.as_str(), self.environment)
    }

    pub fn secret(&self, name: &'static str) -> Result<Sensitive<String>> {
        let (gateway, environment) = (self.gateway.as_str(), self.environment);
        let credentials = match self.credentials {
            Credentials::Fields(fields) => fields,
            Credentials::Missing => {
                return Err(Error::Vault(format!(
                    "no {gateway} {environment} credentials: run `paydesk credentials set {gateway} --env {environment}`"
                )))
            }
            Credentials::Unreadable(why) => return Err(Error::Vault(why.clone())),
        };
        credentials.get(name).cloned().ok_or_else(|| {
            Error::Vault(format!(
                "{} {} credentials have no {name}",
                self.gateway.as_str(),
                self.environment
            ))
        })
    }

    /// A credential field that is not a secret (a merchant id), in the clear.
    pub fn identifier(&self, name: &'static str) -> Result<String> {
        Ok(self.secret(name)?.expose().clone())
    }

    pub fn optional_secret(&self, name: &str) -> Option<Sensitive<String>> {
        let Credentials::Fields(fields) = self.credentials else {
            return None;
        };
        fields.get(name).filter(|v| !v.expose().is_empty()).cloned()
    }

    /// The gateway's own `timeout_ms` if it has one and it is set, else `http.timeout_ms`,
    /// else `default`.
    pub fn timeout(&self, default: Duration) -> Result<Duration> {
        let own = match self.spec("timeout_ms") {
            Some(_) => (self.stored)("timeout_ms")?.and_then(|t| t.trim().parse::<u64>().ok()),
            None => None,
        };
        Ok(own
            .map(Duration::from_millis)
            .or(self.http_timeout)
            .unwrap_or(default))
    }

    /// The notification receiver's URL for `path`, unless the setting `name` moves it.
    pub fn notify_url(&self, name: &str, path: &str) -> Result<String> {
        Ok(self
            .setting(name)?
            .unwrap_or_else(|| format!("{}{path}", self.notify_base)))
    }
}
