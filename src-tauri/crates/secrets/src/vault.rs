//! Gateway credentials, kept in the OS keychain (Secret Service, macOS Keychain, Windows
//! Credential Manager) and nowhere else. One keychain entry per gateway and environment
//! holds that gateway's fields as JSON. Values travel inside `Sensitive`, which prints as
//! `<redacted>` and refuses to serialize, so a secret cannot slip into a log line, the
//! ledger, an export or an IPC answer by accident.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Serialize, Serializer};

use paydesk_domain::error::{Error, Result};
use paydesk_domain::order::Gateway;

/// A value that must not leak: redacted in Debug, and serializing it is an error.
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Sensitive(value)
    }

    /// The one door to the value: grep for `expose` to audit every use.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T> Serialize for Sensitive<T> {
    fn serialize<S: Serializer>(&self, _: S) -> std::result::Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom(
            "refusing to serialize a sensitive value",
        ))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Test,
    Live,
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Test => "test",
            Environment::Live => "live",
        }
    }

    pub fn parse(text: &str) -> Result<Environment> {
        match text.trim().to_ascii_lowercase().as_str() {
            "test" => Ok(Environment::Test),
            "live" => Ok(Environment::Live),
            _ => Err(Error::invalid(
                "env",
                format!("unknown environment {text:?}: use test or live"),
            )),
        }
    }
}

/// One credential field of a gateway.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldSpec {
    pub name: &'static str,
    pub label: &'static str,
    /// Secrets are read from stdin or a prompt only, never from argv.
    pub secret: bool,
    pub required: bool,
}

const fn field(name: &'static str, label: &'static str, secret: bool, required: bool) -> FieldSpec {
    FieldSpec {
        name,
        label,
        secret,
        required,
    }
}

const IOTPAY_FIELDS: &[FieldSpec] = &[
    field("mchId", "Merchant ID", false, true),
    field("loginName", "Login name (jobNo)", false, true),
    field("key", "Merchant key", true, true),
];
const SMEPAY_FIELDS: &[FieldSpec] = &[
    field("clientId", "Client ID", false, true),
    field("clientSecret", "Client secret", true, true),
];
const SMARTPAY_FIELDS: &[FieldSpec] = &[
    field("merchantKey", "Merchant key", false, true),
    field(
        "authenticationKey",
        "Authentication key (Basic auth)",
        true,
        false,
    ),
    field("clientId", "OAuth client ID", false, false),
    field("clientSecret", "OAuth client secret", true, false),
];
const SMARTEXPAY_FIELDS: &[FieldSpec] = &[
    field("partner", "Partner ID", false, false),
    field("apiKey", "API key", true, true),
];

/// The fields each gateway's credentials are made of (reference/gateways.md).
pub fn credential_fields(gateway: Gateway) -> &'static [FieldSpec] {
    match gateway {
        Gateway::Iotpay => IOTPAY_FIELDS,
        Gateway::Smepay => SMEPAY_FIELDS,
        Gateway::Smartpay => SMARTPAY_FIELDS,
        Gateway::Smartexpay => SMARTEXPAY_FIELDS,
    }
}

/// The one secret field `credentials set` fills from stdin.
pub fn primary_secret_field(gateway: Gateway) -> &'static str {
    credential_fields(gateway)
        .iter()
        .find(|f| f.secret)
        .map(|f| f.name)
        .unwrap_or("key")
}

/// A gateway's credentials for one environment.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub gateway: Gateway,
    pub environment: Environment,
    fields: BTreeMap<String, Sensitive<String>>,
}

impl Credentials {
    /// Every field by name, for the gateway's config to read from.
    pub fn fields(&self) -> &BTreeMap<String, Sensitive<String>> {
        &self.fields
    }

    pub fn get(&self, name: &str) -> Option<&Sensitive<String>> {
        self.fields.get(name)
    }

    pub fn require(&self, name: &'static str) -> Result<&Sensitive<String>> {
        self.get(name).ok_or_else(|| {
            Error::Vault(format!(
                "{} {} credentials have no {name}",
                self.gateway.as_str(),
                self.environment.as_str()
            ))
        })
    }
}

/// What the UI and `credentials status` may know: which fields are set, never their values.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CredentialStatus {
    pub gateway: Gateway,
    pub environment: Environment,
    pub configured: bool,
    pub fields_set: Vec<&'static str>,
    pub missing: Vec<&'static str>,
}

/// Where secrets are kept. The keychain in the product; memory in unit tests of the logic.
pub trait SecretStore: Send + Sync {
    fn get(&self, account: &str) -> Result<Option<String>>;
    fn set(&self, account: &str, value: &str) -> Result<()>;
    fn delete(&self, account: &str) -> Result<bool>;
}

/// The OS keychain through the `keyring` crate.
pub struct KeyringStore {
    service: String,
}

/// The keychain service name; tests point it elsewhere with PAYDESK_KEYRING_SERVICE so they
/// never touch a real shop's entries.
pub fn default_service() -> String {
    std::env::var("PAYDESK_KEYRING_SERVICE").unwrap_or_else(|_| "app.paydesk.console".to_string())
}

impl KeyringStore {
    pub fn new(service: impl Into<String>) -> Self {
        KeyringStore {
            service: service.into(),
        }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, account).map_err(keychain_error)
    }
}

fn keychain_error(e: keyring::Error) -> Error {
    Error::Vault(match e {
        keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_) => {
            format!("the OS keychain is not available ({e}); on Linux a Secret Service (gnome-keyring or KeePassXC) must be running and unlocked")
        }
        other => other.to_string(),
    })
}

impl SecretStore for KeyringStore {
    fn get(&self, account: &str) -> Result<Option<String>> {
        match self.entry(account)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn set(&self, account: &str, value: &str) -> Result<()> {
        self.entry(account)?
            .set_password(value)
            .map_err(keychain_error)
    }

    fn delete(&self, account: &str) -> Result<bool> {
        match self.entry(account)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(keychain_error(e)),
        }
    }
}

/// A process-local store for unit tests of the vault's logic.
#[derive(Default)]
pub struct MemoryStore(std::sync::Mutex<BTreeMap<String, String>>);

impl SecretStore for MemoryStore {
    fn get(&self, account: &str) -> Result<Option<String>> {
        Ok(self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(account)
            .cloned())
    }
    fn set(&self, account: &str, value: &str) -> Result<()> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(account.into(), value.into());
        Ok(())
    }
    fn delete(&self, account: &str) -> Result<bool> {
        Ok(self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(account)
            .is_some())
    }
}

pub struct Vault {
    store: Box<dyn SecretStore>,
}

fn shop_account(account: &str) -> String {
    format!("shop:{account}")
}

fn account(gateway: Gateway, env: Environment) -> String {
    format!("{}:{}", gateway.as_str(), env.as_str())
}

impl Vault {
    pub fn new(store: Box<dyn SecretStore>) -> Vault {
        Vault { store }
    }

    pub fn keychain() -> Vault {
        Vault::new(Box::new(KeyringStore::new(default_service())))
    }

    /// Merges `fields` into the stored credentials (so a key can be rotated alone). Unknown
    /// field names and empty values are refused.
    pub fn save(
        &self,
        gateway: Gateway,
        env: Environment,
        fields: BTreeMap<String, Sensitive<String>>,
    ) -> Result<CredentialStatus> {
        let specs = credential_fields(gateway);
        for (name, value) in &fields {
            if !specs.iter().any(|f| f.name == name) {
                let names: Vec<&str> = specs.iter().map(|f| f.name).collect();
                return Err(Error::invalid(
                    "field",
                    format!(
                        "{} has no credential field {name:?}: its fields are {}",
                        gateway.as_str(),
                        names.join(", ")
                    ),
                ));
            }
            if value.expose().trim().is_empty() {
                return Err(Error::invalid("field", format!("{name} is empty")));
            }
        }
        let mut merged = self
            .load(gateway, env)?
            .map(|c| c.fields)
            .unwrap_or_default();
        merged.extend(fields);
        let plain: serde_json::Map<String, serde_json::Value> = merged
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.expose().clone())))
            .collect();
        self.store.set(
            &account(gateway, env),
            &serde_json::Value::Object(plain).to_string(),
        )?;
        Ok(status_of(gateway, env, Some(&merged)))
    }

    pub fn load(&self, gateway: Gateway, env: Environment) -> Result<Option<Credentials>> {
        let Some(text) = self.store.get(&account(gateway, env))? else {
            return Ok(None);
        };
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|_| {
            Error::Vault(format!(
                "the keychain entry for {} is not Paydesk's format",
                account(gateway, env)
            ))
        })?;
        let fields = value
            .as_object()
            .map(|o| {
                o.iter()
                    .filter_map(|(k, v)| {
                        v.as_str()
                            .map(|s| (k.clone(), Sensitive::new(s.to_string())))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Some(Credentials {
            gateway,
            environment: env,
            fields,
        }))
    }

    pub fn delete(&self, gateway: Gateway, env: Environment) -> Result<bool> {
        self.store.delete(&account(gateway, env))
    }

    /// Keeps the shop ledger's password (`account`: user@host:port/database), never in
    /// settings or the ledger file.
    pub fn save_shop_password(&self, account: &str, password: &Sensitive<String>) -> Result<()> {
        if password.expose().is_empty() {
            return Err(Error::invalid(
                "password",
                "the shop ledger's password is empty",
            ));
        }
        self.store.set(&shop_account(account), password.expose())
    }

    pub fn shop_password(&self, account: &str) -> Result<Option<Sensitive<String>>> {
        Ok(self.store.get(&shop_account(account))?.map(Sensitive::new))
    }

    pub fn delete_shop_password(&self, account: &str) -> Result<bool> {
        self.store.delete(&shop_account(account))
    }

    pub fn status(&self) -> Result<Vec<CredentialStatus>> {
        let mut out = Vec::new();
        for gateway in Gateway::ALL {
            for env in [Environment::Test, Environment::Live] {
                let creds = self.load(gateway, env)?;
                out.push(status_of(gateway, env, creds.as_ref().map(|c| &c.fields)));
            }
        }
        Ok(out)
    }
}

fn status_of(
    gateway: Gateway,
    env: Environment,
    fields: Option<&BTreeMap<String, Sensitive<String>>>,
) -> CredentialStatus {
    let specs = credential_fields(gateway);
    let is_set = |name: &str| fields.is_some_and(|f| f.contains_key(name));
    let fields_set: Vec<&'static str> = specs
        .iter()
        .filter(|f| is_set(f.name))
        .map(|f| f.name)
        .collect();
    let missing: Vec<&'static str> = specs
        .iter()
        .filter(|f| f.required && !is_set(f.name))
        .map(|f| f.name)
        .collect();
    CredentialStatus {
        gateway,
        environment: env,
        configured: fields.is_some() && missing.is_empty(),
        fields_set,
        missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, Sensitive<String>> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Sensitive::new(v.to_string())))
            .collect()
    }

    #[test]
    fn sensitive_is_redacted_and_refuses_to_serialize() {
        let s = Sensitive::new("SECRETVALUE".to_string());
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert!(serde_json::to_string(&s).is_err());
        #[derive(Serialize)]
        struct Wrapper {
            key: Sensitive<String>,
        }
        assert!(serde_json::to_string(&Wrapper { key: s.clone() }).is_err());
        assert_eq!(s.expose(), "SECRETVALUE");
    }

    #[test]
    fn save_merges_and_status_shows_names_only() {
        let vault = Vault::new(Box::<MemoryStore>::default());
        let status = vault
            .save(
                Gateway::Iotpay,
                Environment::Test,
                fields(&[("key", "SECRETVALUE")]),
            )
            .unwrap();
        assert!(!status.configured);
        assert_eq!(status.missing, vec!["mchId", "loginName"]);
        let status = vault
            .save(
                Gateway::Iotpay,
                Environment::Test,
                fields(&[("mchId", "10000701"), ("loginName", "jack123")]),
            )
            .unwrap();
        assert!(status.configured);
        let creds = vault
            .load(Gateway::Iotpay, Environment::Test)
            .unwrap()
            .unwrap();
        assert_eq!(creds.require("key").unwrap().expose(), "SECRETVALUE");
        let all = serde_json::to_string(&vault.status().unwrap()).unwrap();
        assert!(!all.contains("SECRETVALUE"));
        assert!(
            format!("{creds:?}").contains("<redacted>")
                && !format!("{creds:?}").contains("SECRETVALUE")
        );
        assert!(vault
            .load(Gateway::Iotpay, Environment::Live)
            .unwrap()
            .is_none());
        assert!(vault.delete(Gateway::Iotpay, Environment::Test).unwrap());
        assert!(!vault.delete(Gateway::Iotpay, Environment::Test).unwrap());
    }

    #[test]
    fn unknown_or_empty_fields_are_refused() {
        let vault = Vault::new(Box::<MemoryStore>::default());
        assert!(vault
            .save(
                Gateway::Iotpay,
                Environment::Test,
                fields(&[("password", "x")])
            )
            .is_err());
        assert!(vault
            .save(Gateway::Iotpay, Environment::Test, fields(&[("key", "  ")]))
            .is_err());
        assert!(
            vault
                .load(Gateway::Iotpay, Environment::Test)
                .unwrap()
                .is_none(),
            "nothing half-written"
        );
    }
}
