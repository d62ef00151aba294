//! The order filter's flags (`--status`, `--from`, `--min-amount`...), shared by `orders`,
//! `totals`, `report` and `export csv`. They fill the window's [`FilterInput`] and are parsed
//! by its one parser, so the command line and the Orders screen follow the same rules and
//! answer a mistake with the same code, field and message.

use clap::Args;
use paydesk_core::filters::FilterInput;
use paydesk_domain::error::{Error, Result};
use paydesk_domain::zone::Zone;
use paydesk_ledger::ledger::OrderFilter;

/// Days in the filter are the machine's, as on the Orders screen (`report` counts them in its
/// --tz; an export's --tz is only the zone of the times it writes, as in the window's export).
pub const LOCAL_DAYS: Zone = Zone::Local;

/// The filter's fields and the flags that fill them: the core names a bad one by its field, as
/// the window shows it beside its input; the command line names the flag that was typed.
const FLAGS: [(&str, &str); 11] = [
    ("status", "--status"),
    ("gateway", "--gateway"),
    ("method", "--method"),
    ("currency", "--currency"),
    ("minAmount", "--min-amount"),
    ("maxAmount", "--max-amount"),
    ("from", "--from"),
    ("to", "--to"),
    ("search", "--search"),
    ("counter", "--counter"),
    ("staff", "--sold-by"),
];

#[derive(Args, Debug, Clone)]
pub struct FilterArgs {
    /// An order status, such as paid or partially_refunded.
    #[arg(long)]
    status: Option<String>,
    #[arg(long)]
    gateway: Option<String>,
    /// First day (YYYY-MM-DD, local time; `report`: in its --tz) or an RFC 3339 instant.
    #[arg(long)]
    pub from: Option<String>,
    /// Last day, inclusive (YYYY-MM-DD), or an RFC 3339 instant (exclusive).
    #[arg(long)]
    pub to: Option<String>,
    /// Part of a merchant order number, gateway order id or customer (any case).
    #[arg(long)]
    search: Option<String>,
    /// A payment method, such as wechat-qr (one of --gateway's when given).
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
    /// Only one counter's orders, by its name in the shop (`paydesk shop status`).
    #[arg(long)]
    counter: Option<String>,
    /// Only the sales of this staff member, by name (not to be confused with --staff, who acts).
    #[arg(long, value_name = "NAME")]
    sold_by: Option<String>,
}

impl FilterArgs {
    /// The orders the flags choose, with days counted in `zone`.
    pub fn parse(&self, zone: &Zone) -> Result<OrderFilter> {
        self.input().parse(zone)
    }

    /// The flags as the window's filter form.
    fn input(&self) -> FilterInput {
        FilterInput {
            status: self.status.clone(),
            gateway: self.gateway.clone(),
            method: self.method.clone(),
            currency: self.currency.clone(),
            min_amount: self.min_amount.clone(),
            max_amount: self.max_amount.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            search: self.search.clone(),
            counter: self.counter.clone(),
            staff: self.sold_by.clone(),
        }
    }
}

/// An error of a command with the filter's flags, as the command line says it: a bad filter
/// field named by its flag (`--min-amount`, where the window's field is `minAmount`), the
/// message the window's word for word.
pub fn said(error: &Error) -> String {
    if let Error::InvalidInput { field, message } = error {
        if let Some((_, flag)) = FLAGS.iter().find(|(name, _)| name == field) {
            return format!("{flag}: {message}");
        }
    }
    error.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Flags {
        #[command(flatten)]
        filter: FilterArgs,
    }

    fn input(args: &[&str]) -> FilterInput {
        let mut argv = vec!["paydesk"];
        argv.extend_from_slice(args);
        Flags::parse_from(argv).filter.input()
    }

    #[test]
    fn every_flag_fills_the_field_it_is_named_after() {
        let mut args = Vec::new();
        for (field, flag) in FLAGS {
            args.push(flag.to_string());
            args.push(format!("value of {field}"));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let filled = serde_json::to_value(input(&args)).unwrap();
        for (field, _) in FLAGS {
            assert_eq!(filled[field], format!("value of {field}"), "{field}");
        }
        assert_eq!(filled.as_object().unwrap().len(), FLAGS.len());
    }

    #[test]
    fn a_bad_filter_field_is_named_by_its_flag_with_the_windows_message() {
        let e = input(&["--min-amount", "5"]).parse(&Zone::Utc).unwrap_err();
        let Error::InvalidInput { message, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(said(&e), format!("--currency: {message}"));
        let e = input(&["--currency", "CAD", "--min-amount", "abc"])
            .parse(&Zone::Utc)
            .unwrap_err();
        assert!(said(&e).starts_with("--min-amount: "), "{}", said(&e));
        // Anything else is said as the core says it.
        let e = Error::invalid("tz", "not a zone");
        assert_eq!(said(&e), e.to_string());
    }
}
