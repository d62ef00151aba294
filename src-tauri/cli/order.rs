//! `paydesk order ...`: one order, from its creation to its refunds (what the counter asks
//! of the gateway for it), and `paydesk card ...`, the saved cards card-token orders charge.

use std::path::Path;
use std::sync::Arc;

use clap::{Subcommand, ValueEnum};
use paydesk_core::payments::{CreateOrderInput, Paydesk};
use paydesk_core::views::OrderDetail;
use paydesk_domain::error::Result;

use super::{staff, to_json, Cli};
use paydesk_core::staff::Permission;

/// What the owner found at the gateway about a refund whose outcome was unknown.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum SettleOutcome {
    /// It went through.
    Done,
    /// It did not go through.
    Failed,
}

#[derive(Subcommand, Debug)]
pub enum OrderCommand {
    /// Create a payment request and print its link.
    Create {
        #[arg(long)]
        gateway: String,
        /// iotpay: wechat-qr, alipay-qr, unionpay-qr (QR on screen); barcode (with --code: the
        /// customer's payment code); alipay-web, unionpay-web, card-link (payment links);
        /// wechat-app, alipay-app, unionpay-app (payParams for an app); card (embedded card
        /// form); card-token (with --card-id: a saved card).
        #[arg(long, verbatim_doc_comment)]
        method: String,
        /// As a cashier types it: 12.50
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        #[arg(long, default_value = "CAD")]
        currency: String,
        /// The customer's payment code, as a scanner reads it (barcode).
        #[arg(long)]
        code: Option<String>,
        /// A saved card's id (card-token).
        #[arg(long)]
        card_id: Option<String>,
        /// The customer's tip (tips on, `paydesk settings set tips.enabled on`): an amount
        /// (2.00) or a percentage of the sale (15%); charged with the sale, kept apart.
        #[arg(long)]
        tip: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The tips the counter offers for a sale of this amount (`tips.*` settings).
    Tips {
        #[arg(long)]
        amount: String,
        #[arg(long, default_value = "CAD")]
        currency: String,
        #[arg(long)]
        json: bool,
    },
    /// Refund a paid order: all that is left, or --amount.
    Refund {
        id: String,
        /// As typed: 5.00 (default: everything not yet refunded, the tip included).
        #[arg(long, allow_hyphen_values = true, conflicts_with = "sale_only")]
        amount: Option<String>,
        /// Refund the sale without the tip (what is left of it); the order keeps its tip.
        #[arg(long)]
        sale_only: bool,
        #[arg(long)]
        reason: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Void an unsettled card payment (in full).
    Void {
        id: String,
        #[arg(long)]
        reason: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Cancel a sale still waiting for its payment: at the gateway where it has a call for
    /// it (SmartPay), else in Paydesk only (a payment that still arrives is recorded as paid,
    /// with a note to refund it).
    Cancel {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Resend the order's refunds and voids whose outcome is unknown (the gateway did not
    /// answer), under the same refund numbers so the gateway recognises a repeat.
    ResendRefunds {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Settle a refund or void whose outcome is unknown, once you have looked it up in the
    /// gateway's records: done (it went through) or failed (its amount is refundable again).
    SettleRefund {
        /// The refund number, as `order show` lists it (RF... or VD...).
        refund_no: String,
        #[arg(long, value_enum)]
        outcome: SettleOutcome,
        #[arg(long)]
        json: bool,
    },
    /// Capture a SmartPay authorisation (in full unless --amount).
    Capture {
        id: String,
        /// As typed: 5.00 (default: the whole authorisation).
        #[arg(long)]
        amount: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// SmartExPay manual payment methods: you saw the customer's money arrive, so the order
    /// moves from waitPayment to inProgress at SmartExPay (then it is re-queried).
    ConfirmPayment {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Show an order (by ledger id, merchant order number or gateway order id) with its events.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Ask the gateway for the order's status and record the answer.
    Sync {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum CardCommand {
    /// Start keeping a customer's card under CARD_ID: prints the form link to enter it.
    Add { card_id: String },
    /// What IOTPay keeps of a stored card (masked number).
    Show { card_id: String },
}

pub async fn run(cli: &Cli, data_dir: &Path, command: OrderCommand) -> Result<()> {
    match command {
        OrderCommand::Create {
            gateway,
            method,
            amount,
            currency,
            code,
            card_id,
            tip,
            json,
        } => {
            let desk = Paydesk::open(data_dir, cli.mode()).await?;
            let (by, _) = staff::permit(cli, desk.ledger(), Permission::Sell)?;
            let order = desk
                .create_tipped_order(
                    &by,
                    &CreateOrderInput {
                        gateway,
                        method,
                        amount,
                        currency,
                        code,
                        card_id,
                    },
                    tip.as_deref(),
                )
                .await?;
            print_order(&desk, order.id, json)?;
        }
        OrderCommand::Tips {
            amount,
            currency,
            json,
        } => {
            let desk = Paydesk::open(data_dir, cli.mode()).await?;
            let offer = paydesk_core::tips::offer(desk.ledger(), &amount, &currency)?;
            if json {
                println!("{}", to_json(&offer)?);
            } else {
                match offer {
                    None => println!("Tips are off (paydesk settings set tips.enabled on)."),
                    Some(offer) => {
                        for (key, choice) in offer.choices.iter().enumerate() {
                            let percent = choice
                                .percent
                                .as_ref()
                                .map(|_| format!("  ({} {})", choice.tip_display, offer.currency))
                                .unwrap_or_else(|| format!(" {}", offer.currency));
                            println!("  {}  {}{percent}", key + 1, choice.label);
                        }
                        println!("  C  custom (--tip AMOUNT or --tip N%)");
                        println!("  0  no tip");
                    }
                }
            }
        }
        OrderCommand::Refund {
            id,
            amount,
            sale_only,
            reason,
            json,
        } => {
            let (desk, order) = open_order(cli, data_dir, &id).await?;
            let (by, _) = staff::permit(cli, desk.ledger(), Permission::Refund)?;
            let (refund, _) = if sale_only {
                desk.refund_sale(&by, order.id, reason.as_deref()).await?
            } else {
                desk.refund(&by, order.id, amount.as_deref(), reason.as_deref())
                    .await?
            };
            warn_if_pending(&refund);
            print_order(&desk, order.id, json)?;
        }
        OrderCommand::Void { id, reason, json } => {
            let (desk, order) = open_order(cli, data_dir, &id).await?;
            let (by, _) = staff::permit(cli, desk.ledger(), Permission::Refund)?;
            let (refund, _) = desk.void(&by, order.id, reason.as_deref()).await?;
            warn_if_pending(&refund);
            print_order(&desk, order.id, json)?;
        }
        OrderCommand::Cancel { id, json } => {
            let (desk, order) = open_order(cli, data_dir, &id).await?;
            let (by, _) = staff::permit(cli, desk.ledger(), Permission::Sell)?;
            desk.cancel(&by, order.id).await?;
            print_order(&desk, order.id, json)?;
        }
        OrderCommand::ResendRefunds { id, json } => {
            let (desk, order) = open_order(cli, data_dir, &id).await?;
            staff::permit(cli, desk.ledger(), Permission::Refund)?;
            desk.retry_reversals(order.id).await?;
            print_order(&desk, order.id, json)?;
        }
        OrderCommand::SettleRefund {
            refund_no,
            outcome,
            json,
        } => {
            let desk = Paydesk::open(data_dir, cli.mode()).await?;
            let (by, _) = staff::permit(cli, desk.ledger(), Permission::Settle)?;
            let (refund, _) =
                desk.settle_reversal(&by, &refund_no, matches!(outcome, SettleOutcome::Done))?;
            print_order(&desk, refund.order_id, json)?;
        }
        OrderCommand::Capture { id, amount, json } => {
            let (desk, order) = open_order(cli, data_dir, &id).await?;
            let (by, _) = staff::permit(cli, desk.ledger(), Permission::Sell)?;
            desk.capture(&by, order.id, amount.as_deref()).await?;
            print_order(&desk, order.id, json)?;
        }
        OrderCommand::ConfirmPayment { id, json } => {
            let (desk, order) = open_order(cli, data_dir, &id).await?;
            let (by, _) = staff::permit(cli, desk.ledger(), Permission::Settle)?;
            desk.confirm_manual_payment(&by, order.id).await?;
            print_order(&desk, order.id, json)?;
        }
        OrderCommand::Show { id, json } => {
            let (desk, order) = open_order(cli, data_dir, &id).await?;
            print_order(&desk, order.id, json)?;
        }
        OrderCommand::Sync { id, json } => {
            let (desk, order) = open_order(cli, data_dir, &id).await?;
            desk.sync(order.id).await?;
            print_order(&desk, order.id, json)?;
        }
    }
    Ok(())
}

pub async fn card(cli: &Cli, data_dir: &Path, command: CardCommand) -> Result<()> {
    match command {
        CardCommand::Add { card_id } => {
            let desk = Paydesk::open(data_dir, cli.mode()).await?;
            println!("{}", to_json(&desk.add_card(&card_id).await?)?);
        }
        CardCommand::Show { card_id } => {
            let desk = Paydesk::open(data_dir, cli.mode()).await?;
            println!("{}", to_json(&desk.query_card(&card_id).await?)?);
        }
    }
    Ok(())
}

/// The core on this data directory and the order `id` names (ledger id, our number or the
/// gateway's): what every command about one order starts with.
async fn open_order(
    cli: &Cli,
    data_dir: &Path,
    id: &str,
) -> Result<(Arc<Paydesk>, paydesk_domain::order::Order)> {
    let desk = Paydesk::open(data_dir, cli.mode()).await?;
    let order = desk.ledger().resolve(id)?;
    Ok((desk, order))
}

fn print_order(desk: &Arc<Paydesk>, id: i64, json: bool) -> Result<()> {
    let detail = OrderDetail::load(desk.ledger(), id, false)?;
    let order = desk.ledger().get(id)?;
    if json {
        println!("{}", to_json(&detail)?);
        return Ok(());
    }
    println!("Order {}  {}", order.id, order.merchant_order_no);
    println!(
        "  {} {} via {} {} ({})",
        order.amount.display_amount(),
        order.amount.currency(),
        order.gateway.as_str(),
        order.method.as_str(),
        order.environment
    );
    if order.tip_minor > 0 {
        let currency = order.amount.currency();
        println!(
            "  sale {} + tip {} {currency}{}",
            currency.display(order.sale_minor()),
            currency.display(order.tip_minor),
            match order.tip_refunded_minor {
                0 => String::new(),
                back => format!(" ({} of the tip refunded)", currency.display(back)),
            }
        );
    }
    println!(
        "  status: {}{}{}",
        order.status,
        Some(order.status.label())
            .filter(|l| !l.eq_ignore_ascii_case(&order.status.as_str().replace('_', " ")))
            .map(|l| format!(" ({l})"))
            .unwrap_or_default(),
        detail
            .order
            .gateway_status_label
            .as_deref()
            .map(|label| format!("; the gateway says: {label}"))
            .unwrap_or_default()
    );
    if let Some(reason) = &detail.order.reason {
        println!("  why: {reason}");
    }
    if let Some(id) = &order.gateway_order_id {
        println!("  gateway order: {id}");
    }
    if let Some(url) = &order.payment_url {
        println!("  pay at: {url}");
    }
    for r in &detail.refunds {
        let currency = order.amount.currency();
        println!(
            "  {:?} {} {} {currency}{} ({}){}",
            r.kind,
            r.refund_no,
            currency.decimal_string(r.amount_minor),
            match (r.tip_minor, order.tip_minor) {
                (0, 0) => String::new(),
                (0, _) => " without the tip".to_string(),
                (tip, _) => format!(" with the tip ({})", currency.decimal_string(tip)),
            },
            r.status.as_str(),
            r.reason
                .as_deref()
                .map(|why| format!(": {why}"))
                .unwrap_or_default()
        );
    }
    for e in detail.events.iter().filter(|e| e.changed) {
        println!(
            "  {}  {:<9} {}{}{}",
            e.at,
            e.source,
            e.label,
            e.gateway_status
                .as_deref()
                .map(|g| format!(" [{g}]"))
                .unwrap_or_default(),
            e.note
                .as_deref()
                .map(|n| format!("  {n}"))
                .unwrap_or_default()
        );
    }
    Ok(())
}

/// A refund or void the gateway has not answered clearly is not a failure: it is held back,
/// asked about again, and the owner is told how it settles.
fn warn_if_pending(refund: &paydesk_ledger::ledger::Refund) {
    if refund.status == paydesk_ledger::ledger::RefundStatus::Pending {
        eprintln!(
            "{} {} is pending: the gateway has not answered clearly, so its amount is held back. \
             `paydesk reconcile` asks again; `paydesk order resend-refunds` or `order settle-refund` settle it.",
            refund.kind.as_str(),
            refund.refund_no
        );
    }
}
