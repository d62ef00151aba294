//! `paydesk settings ...` (kept in the ledger) and `paydesk credentials ...` (kept in the OS
//! keychain): what the counter is configured with. Changing either is an owner action.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read};
use std::path::Path;

use clap::Subcommand;
use paydesk_domain::error::{Error, Result};
use paydesk_domain::order::Gateway;
use paydesk_ledger::ledger::Ledger;
use paydesk_secrets::vault::{
    credential_fields, primary_secret_field, Environment, Sensitive, Vault,
};

use super::{staff, to_json, Cli};
use paydesk_core::staff::Permission;

#[derive(Subcommand, Debug)]
pub enum SettingsCommand {
    /// Set one: `mode` (sandbox|test|live), `shop.name`, `shop.currency` (ISO code),
    /// `notify.bind` (ip:port), `http.timeout_ms`, or `<gateway>.<test|live>.<name>`, e.g.
    /// iotpay.live.v1_base (an unknown key lists them all). An empty value unsets it.
    #[command(verbatim_doc_comment)]
    Set { key: String, value: String },
    /// Unset one: its default applies again (the same as `set KEY ""`).
    Remove { key: String },
    /// Every setting Paydesk uses: the shop's value, else its default (marked).
    Show,
}

#[derive(Subcommand, Debug)]
pub enum CredentialsCommand {
    /// Store credentials: the secret is read from stdin (or a hidden prompt), never from argv.
    Set {
        gateway: String,
        #[arg(long)]
        env: String,
        /// A non-secret field, such as --field mchId=10000701 --field loginName=jack123.
        #[arg(long = "field", value_name = "NAME=VALUE")]
        fields: Vec<String>,
        /// Which secret field stdin (or the prompt) fills, for a gateway with more than one:
        /// SmartPay's clientSecret (OAuth) rather than its authenticationKey (Basic).
        #[arg(long = "secret", value_name = "NAME")]
        secret: Option<String>,
    },
    /// Which gateways are configured (never the values).
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Remove a gateway's credentials for one environment.
    Delete {
        gateway: String,
        #[arg(long)]
        env: String,
    },
}

pub fn run(cli: &Cli, data_dir: &Path, command: SettingsCommand) -> Result<()> {
    match command {
        SettingsCommand::Set { key, value } => {
            let ledger = Ledger::open_in(data_dir)?;
            // Checked before the PIN: a typo costs no PIN try.
            paydesk_core::settings::check_all(&[(key.clone(), value.clone())])?;
            let (_, stamp) = staff::permit(cli, &ledger, Permission::Settings)?;
            let set = paydesk_core::settings::set(&ledger, &key, &value)?;
            ledger.audit(&stamp.entry("settings", &key, format!("{key}={value}")))?;
            match set {
                Some(checked) => {
                    println!("{key} = {}", checked.value);
                    if let Some(warning) = checked.warning {
                        eprintln!("warning: {warning}");
                    }
                }
                None => println!("{key} unset: the default applies"),
            }
        }
        SettingsCommand::Remove { key } => {
            let ledger = Ledger::open_in(data_dir)?;
            paydesk_core::settings::check_all(&[(key.clone(), String::new())])?;
            let (_, stamp) = staff::permit(cli, &ledger, Permission::Settings)?;
            paydesk_core::settings::set(&ledger, &key, "")?;
            ledger.audit(&stamp.entry("settings", &key, format!("{key} unset")))?;
            println!("{key} unset: the default applies");
        }
        SettingsCommand::Show => {
            // Every value Paydesk uses: the shop's own, else the default it falls back to
            // (declared beside each gateway's config), else what it is worked out from.
            let ledger = Ledger::open_in(data_dir)?;
            for key in paydesk_core::settings::known_keys() {
                if let Some(value) = ledger.setting(&key)? {
                    println!("{key} = {value}");
                } else if let Some(default) = paydesk_core::settings::default_value(&key) {
                    println!("{key} = {default} (default)");
                } else if let Some(from) = paydesk_core::settings::derived_default(&key) {
                    println!("{key}: {from} (default)");
                }
            }
        }
    }
    Ok(())
}

pub fn credentials(cli: &Cli, data_dir: &Path, command: CredentialsCommand) -> Result<()> {
    match command {
        CredentialsCommand::Set {
            gateway,
            env,
            fields,
            secret: secret_field,
        } => {
            let gateway = Gateway::parse(&gateway)?;
            let env = Environment::parse(&env)?;
            let mut values = parse_fields(gateway, &fields)?;
            let secret_name = match secret_field {
                None => primary_secret_field(gateway).to_string(),
                Some(name) => {
                    let secrets: Vec<&str> = credential_fields(gateway)
                        .iter()
                        .filter(|f| f.secret)
                        .map(|f| f.name)
                        .collect();
                    if !secrets.contains(&name.as_str()) {
                        return Err(Error::invalid(
                            "secret",
                            format!(
                                "{} has no secret field {name:?}: use {}",
                                gateway.as_str(),
                                secrets.join(", ")
                            ),
                        ));
                    }
                    name
                }
            };
            // The PIN first: with --pin-stdin it is stdin's first line, the secret the rest.
            let ledger = Ledger::open_in(data_dir)?;
            let (_, stamp) = staff::permit(cli, &ledger, Permission::Credentials)?;
            if let Some(secret) = read_secret(gateway)? {
                values.insert(secret_name, secret);
            }
            if values.is_empty() {
                return Err(Error::invalid(
                    "secret",
                    "nothing to store: pipe the secret on stdin or pass --field NAME=VALUE",
                ));
            }
            let names: Vec<String> = values.keys().cloned().collect();
            let status = Vault::keychain().save(gateway, env, values)?;
            // The fields' names, never their values.
            ledger.audit(&stamp.entry(
                "credentials",
                &format!("{}.{}", gateway.as_str(), env.as_str()),
                names.join(", "),
            ))?;
            println!(
                "{} {}: stored in the OS keychain; set: {}{}",
                gateway.as_str(),
                env.as_str(),
                status.fields_set.join(", "),
                if status.missing.is_empty() {
                    String::new()
                } else {
                    format!("; still missing: {}", status.missing.join(", "))
                }
            );
        }
        CredentialsCommand::Status { json } => {
            let status = Vault::keychain().status()?;
            if json {
                println!("{}", to_json(&status)?);
            } else {
                for s in status {
                    println!(
                        "{:<11} {:<5} {:<14} {}",
                        s.gateway.as_str(),
                        s.environment.as_str(),
                        if s.configured {
                            "configured"
                        } else if s.fields_set.is_empty() {
                            "not set"
                        } else {
                            "incomplete"
                        },
                        s.fields_set.join(", ")
                    );
                }
            }
        }
        CredentialsCommand::Delete { gateway, env } => {
            let gateway = Gateway::parse(&gateway)?;
            let env = Environment::parse(&env)?;
            let ledger = Ledger::open_in(data_dir)?;
            let (_, stamp) = staff::permit(cli, &ledger, Permission::Credentials)?;
            let removed = Vault::keychain().delete(gateway, env)?;
            ledger.audit(&stamp.entry(
                "credentials",
                &format!("{}.{}", gateway.as_str(), env.as_str()),
                "deleted".into(),
            ))?;
            println!(
                "{} {}: {}",
                gateway.as_str(),
                env.as_str(),
                if removed {
                    "deleted"
                } else {
                    "there was nothing to delete"
                }
            );
        }
    }
    Ok(())
}

fn parse_fields(
    gateway: Gateway,
    fields: &[String],
) -> Result<BTreeMap<String, Sensitive<String>>> {
    let specs = credential_fields(gateway);
    let mut out = BTreeMap::new();
    for pair in fields {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| Error::invalid("field", format!("{pair:?} is not NAME=VALUE")))?;
        match specs.iter().find(|f| f.name == name) {
            Some(spec) if spec.secret => {
                return Err(Error::invalid(
                    "field",
                    format!("{name} is a secret: pipe it on stdin, never on the command line"),
                ))
            }
            Some(_) => {
                out.insert(name.to_string(), Sensitive::new(value.to_string()));
            }
            None => {
                let names: Vec<&str> = specs.iter().filter(|f| !f.secret).map(|f| f.name).collect();
                return Err(Error::invalid(
                    "field",
                    format!(
                        "{} has no field {name:?}: use {}",
                        gateway.as_str(),
                        names.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// The secret from a hidden prompt on a terminal, or stdin when piped. Only a trailing line
/// ending is removed.
fn read_secret(gateway: Gateway) -> Result<Option<Sensitive<String>>> {
    let label = credential_fields(gateway)
        .iter()
        .find(|f| f.secret)
        .map(|f| f.label)
        .unwrap_or("Secret");
    let text = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("{label} (hidden; Enter to keep the current one): "))?
    } else {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        text
    };
    let text = text
        .strip_suffix('\n')
        .map(|t| t.strip_suffix('\r').unwrap_or(t))
        .unwrap_or(&text)
        .to_string();
    Ok((!text.is_empty()).then(|| Sensitive::new(text)))
}
