//! The shop ledger's address: a `postgres://` URL as PostgreSQL's own clients take it. The
//! password never stays in it: `parse` takes it out (it goes to the OS keychain) and what is
//! kept in settings and shown is the rest.

use std::str::FromStr;

use paydesk_domain::error::{Error, Result};

/// A parsed shop ledger address, without its password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopAddress {
    /// The URL without a password (what `shop status` shows and settings keep).
    url: String,
    /// user@host:port/dbname: the keychain account of its password.
    account: String,
    loopback: bool,
    /// Whether the URL says `sslmode` itself.
    ssl_stated: bool,
}

impl ShopAddress {
    /// Parses `text` and takes its password out (returned apart, if it had one). Refused with
    /// a specific message: not a postgres URL, no user, no database, several hosts.
    pub fn parse(text: &str) -> Result<(ShopAddress, Option<String>)> {
        let text = text.trim();
        let bad = |why: &str| Error::invalid("url", format!("{why}: {}", redact(text)));
        let rest = text
            .strip_prefix("postgres://")
            .or_else(|| text.strip_prefix("postgresql://"))
            .ok_or_else(|| bad("the shop ledger is a postgres://user@host/database URL"))?;
        let (authority, path) = rest.split_once('/').ok_or_else(|| bad("no database"))?;
        let (userinfo, hostport) = authority
            .rsplit_once('@')
            .ok_or_else(|| bad("no user (postgres://user@host/database)"))?;
        let (user, password) = match userinfo.split_once(':') {
            Some((user, password)) => (
                user,
                Some(
                    percent_encoding::percent_decode_str(password)
                        .decode_utf8_lossy()
                        .into_owned(),
                ),
            ),
            None => (userinfo, None),
        };
        if user.is_empty() {
            return Err(bad("no user"));
        }
        if hostport.is_empty() || hostport.contains(',') {
            return Err(bad("one host is needed"));
        }
        let url = format!("postgres://{user}@{hostport}/{path}");
        let config = postgres::Config::from_str(&url).map_err(|e| bad(&e.to_string()))?;
        let dbname = config
            .get_dbname()
            .filter(|d| !d.is_empty())
            .ok_or_else(|| bad("no database"))?;
        let host = match config.get_hosts() {
            [postgres::config::Host::Tcp(host)] => host.clone(),
            _ => return Err(bad("one host name or address is needed")),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let loopback = host == "localhost"
            || host
                .trim_matches(|c| c == '[' || c == ']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        Ok((
            ShopAddress {
                account: format!("{user}@{host}:{port}/{dbname}"),
                url,
                loopback,
                ssl_stated: path.contains("sslmode="),
            },
            password.filter(|p| !p.is_empty()),
        ))
    }

    /// The URL without its password.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The keychain account its password is kept under.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The client configuration: TLS as the URL says, else off for loopback and required
    /// (certificate checked against the public CAs) for any other host.
    pub(crate) fn config(&self, password: Option<&str>) -> Result<postgres::Config> {
        let mut config = postgres::Config::from_str(&self.url)
            .map_err(|e| Error::invalid("url", e.to_string()))?;
        if !self.ssl_stated {
            config.ssl_mode(if self.loopback {
                postgres::config::SslMode::Disable
            } else {
                postgres::config::SslMode::Require
            });
        }
        if let Some(password) = password {
            config.password(password);
        }
        config.connect_timeout(std::time::Duration::from_secs(3));
        config.application_name("paydesk");
        Ok(config)
    }
}

/// The URL with any password replaced, for messages.
fn redact(text: &str) -> String {
    match (text.find("://"), text.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &text[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &text[..scheme + 3], &text[at..]),
                None => text.to_string(),
            }
        }
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_taken_out_and_tls_follows_the_host() {
        let (a, pw) = ShopAddress::parse("postgres://till:s%40cret@127.0.0.1:5433/shop").unwrap();
        assert_eq!(a.url(), "postgres://till@127.0.0.1:5433/shop");
        assert_eq!(a.account(), "till@127.0.0.1:5433/shop");
        assert_eq!(pw.as_deref(), Some("s@cret"));
        assert_eq!(
            a.config(None).unwrap().get_ssl_mode(),
            postgres::config::SslMode::Disable
        );
        let (remote, pw) = ShopAddress::parse("postgres://till@db.shop.example/shop").unwrap();
        assert_eq!(pw, None);
        assert_eq!(
            remote.config(None).unwrap().get_ssl_mode(),
            postgres::config::SslMode::Require
        );
        let (stated, _) =
            ShopAddress::parse("postgres://till@db.shop.example/shop?sslmode=disable").unwrap();
        assert_eq!(
            stated.config(None).unwrap().get_ssl_mode(),
            postgres::config::SslMode::Disable
        );
    }

    #[test]
    fn a_bad_address_says_what_is_missing_and_never_shows_the_password() {
        for (text, says) in [
            ("mysql://a@b/c", "postgres://"),
            ("postgres://till:pw@host", "no database"),
            ("postgres://host/shop", "no user"),
            ("postgres://till:pw@a,b/shop", "one host"),
        ] {
            let e = ShopAddress::parse(text).unwrap_err().to_string();
            assert!(e.contains(says), "{text}: {e}");
            assert!(!e.contains(":pw@"), "{e}");
        }
    }
}
