//! The order filter's flags (`--status`, `--from`, `--min-amount`...), shared by `orders`,
//! `totals`, `report` and `export csv`.

use chrono::{Local, NaiveDate, TimeZone};
use clap::Args;
use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::{Currency, Money};
use paydesk_domain::order::{Gateway, Method, OrderStatus};
use paydesk_ledger::ledger::OrderFilter;

#[derive(Args, Debug, Clone)]
pub struct FilterArgs {
    #[arg(long)]
    status: Option<String>,
    #[arg(long)]
    gateway: Option<String>,
    /// First day (YYYY-MM-DD, local time) or an RFC 3339 instant.
    #[arg(long)]
    pub from: Option<String>,
    /// Last day, inclusive (YYYY-MM-DD), or an RFC 3339 instant (exclusive).
    #[arg(long)]
    pub to: Option<String>,
    /// Part of a merchant order number, gateway order id or customer (any case).
    #[arg(long)]
    search: Option<String>,
    /// A payment method, such as wechat-qr.
    #[arg(long)]
    method: Option<String>,
    /// Only orders in this currency; --min-amount and --max-amount are read in it.
    #[arg(long)]
    currency: Option<String>,
    /// Smallest amount, inclusive, as typed: 20.00 (needs --currency).
    #[arg(long)]
    min_amount: Option<String>,
    /// Largest amount, inclusive, as typed: 150 (needs --currency).
    #[arg(long)]
    max_amount: Option<String>,
}

impl FilterArgs {
    pub fn parse(&self) -> Result<OrderFilter> {
        let currency = self.currency.as_deref().map(Currency::parse).transpose()?;
        let amount = |field: &'static str, text: Option<&str>| -> Result<Option<i64>> {
            let Some(text) = text else { return Ok(None) };
            let currency = currency.ok_or_else(|| {
                Error::invalid(
                    field,
                    "give --currency too: an amount is read in one currency",
                )
            })?;
            Ok(Some(Money::parse(text, currency)?.minor()))
        };
        Ok(OrderFilter {
            status: self.status.as_deref().map(OrderStatus::parse).transpose()?,
            gateway: self.gateway.as_deref().map(Gateway::parse).transpose()?,
            from_ms: self
                .from
                .as_deref()
                .map(|d| parse_instant("from", d, false))
                .transpose()?,
            to_ms: self
                .to
                .as_deref()
                .map(|d| parse_instant("to", d, true))
                .transpose()?,
            search: self.search.clone(),
            method: self
                .method
                .as_deref()
                .map(|m| parse_method(m, self.gateway.as_deref()))
                .transpose()?,
            currency,
            min_amount_minor: amount("min-amount", self.min_amount.as_deref())?,
            max_amount_minor: amount("max-amount", self.max_amount.as_deref())?,
            ..Default::default()
        })
    }
}

/// A method by its name alone, or checked against the gateway when one is given.
fn parse_method(text: &str, gateway: Option<&str>) -> Result<Method> {
    match gateway {
        Some(g) => Method::parse(Gateway::parse(g)?, text),
        None => Method::ALL
            .into_iter()
            .find(|m| m.as_str() == text.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                let names: Vec<&str> = Method::ALL.iter().map(|m| m.as_str()).collect();
                Error::invalid(
                    "method",
                    format!("unknown method {text:?}: use one of {}", names.join(", ")),
                )
            }),
    }
}

/// A day (local midnight; the day after for an inclusive end) or an RFC 3339 instant.
fn parse_instant(field: &'static str, text: &str, end_of_day: bool) -> Result<i64> {
    if let Ok(instant) = chrono::DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(instant.timestamp_millis());
    }
    let day = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        Error::invalid(
            field,
            format!("{text:?} is not a date: use YYYY-MM-DD or an RFC 3339 time"),
        )
    })?;
    let day = if end_of_day {
        day.succ_opt().unwrap_or(day)
    } else {
        day
    };
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    Local
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.timestamp_millis())
        .ok_or_else(|| {
            Error::invalid(
                field,
                format!("{text:?} does not exist in the local time zone"),
            )
        })
}
