//! One shop, many counters: joining and leaving the shop ledger (PostgreSQL), its password in
//! the OS keychain and nowhere else, replication in the background, and refunds and voids
//! reserved in the shop ledger before any gateway is called.
//!
//! Each counter keeps selling on its own SQLite ledger, written first as always; a background
//! thread pushes its outbox and pulls the other counters' changes, woken by PostgreSQL's
//! LISTEN/NOTIFY when another counter pushes and looking at its own outbox every
//! `OUTBOX_LOOK`. When the shop ledger cannot be reached it tries again with a backoff (0.5 s
//! doubling to 30 s) and catches up from where it was.
//!
//! The rule for refunds and voids in a shop: they are reserved in the shop ledger first (one
//! transaction locking the order), for every order, this counter's own included. While the
//! shop ledger cannot be reached, none is made: a counter cannot know that another desk has
//! not refunded its sale in the meantime, and a refund can wait where a sale cannot.

use std::sync::Arc;
use std::time::Duration;

use paydesk_domain::error::{Error, Result};
use paydesk_domain::order::Order;
use paydesk_ledger::ledger::{AuditVerdict, Ledger, Pulled, RefundKind, ShopState};
use paydesk_ledger::shop::{connect, CounterRow, Reservation, Shop, ShopAddress};
use paydesk_secrets::vault::{Sensitive, Vault};

use crate::payments::Paydesk;

/// How often the replicator looks at this counter's outbox when nothing else wakes it.
pub const OUTBOX_LOOK: Duration = Duration::from_millis(200);
const BACKOFF_FIRST: Duration = Duration::from_millis(500);
const BACKOFF_MOST: Duration = Duration::from_secs(30);

/// What `shop status` and the window's Settings show.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShopStatus {
    #[serde(flatten)]
    pub state: ShopState,
    /// Whether the shop ledger answered just now.
    pub reachable: bool,
    /// Why it did not.
    pub unreachable: Option<String>,
    /// Its counters (when reachable).
    pub counters: Vec<CounterRow>,
    /// Changes in the shop ledger not pulled here yet (when reachable).
    pub behind: Option<i64>,
}

/// What one push and pull did.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Synced {
    pub pushed: usize,
    pub pulled: Pulled,
}

/// The keychain account of a counter's shop password: the counter and the database, so two
/// data directories of one machine (a till and a desk on one PC) keep theirs apart.
fn keychain_account(counter: &str, address: &ShopAddress) -> String {
    format!("{counter}|{}", address.account())
}

/// Opens a connection to this ledger's shop with the password from the keychain; None when
/// it is not in a shop.
pub fn open_shop(ledger: &Ledger) -> Result<Option<Shop>> {
    let Some(membership) = ledger.membership()? else {
        return Ok(None);
    };
    let (address, _) = ShopAddress::parse(&membership.url)?;
    let account = keychain_account(&membership.counter, &address);
    let password = Vault::keychain().shop_password(&account)?;
    connect(&address, password.as_ref().map(|p| p.expose().as_str())).map(Some)
}

/// One push of everything waiting and one pull of everything new.
pub fn sync_once(ledger: &Ledger, shop: &mut Shop) -> Result<Synced> {
    let pushed = shop.push(ledger)?;
    let pulled = shop.pull(ledger)?;
    Ok(Synced { pushed, pulled })
}

/// Replicates while this ledger is in a shop, until `stop` says so: push, pull, wait for a
/// push elsewhere (or `OUTBOX_LOOK`), again; on any error, note it, wait (backoff) and
/// reconnect. `on_pull` hears of every pull that changed what a window shows.
pub fn replicate(ledger: &Ledger, stop: &dyn Fn() -> bool, on_pull: &dyn Fn(Pulled)) {
    let mut backoff = BACKOFF_FIRST;
    while !stop() {
        let run = || -> Result<()> {
            let Some(mut shop) = open_shop(ledger)? else {
                std::thread::sleep(Duration::from_secs(1));
                return Ok(());
            };
            shop.listen()?;
            let mut noted = std::time::Instant::now() - Duration::from_secs(60);
            loop {
                let synced = sync_once(ledger, &mut shop)?;
                let moved = synced.pushed > 0 || synced.pulled.changed();
                if synced.pulled.changed() {
                    on_pull(synced.pulled);
                }
                // The times `shop status` shows, written when something moved or every 10 s
                // (not every round: that would be a ledger write five times a second).
                if moved || noted.elapsed().as_secs() >= 10 {
                    ledger.note_shop(true, true, None)?;
                    noted = std::time::Instant::now();
                }
                if stop() || ledger.membership()?.is_none() {
                    return Ok(());
                }
                shop.wait_for_change(OUTBOX_LOOK)?;
            }
        };
        match run() {
            Ok(()) => backoff = BACKOFF_FIRST,
            Err(e) => {
                tracing::warn!(error = %e, "shop ledger: replication paused");
                let _ = ledger.note_shop(false, false, Some(&e.to_string()));
                sleep_unless(stop, backoff);
                backoff = (backoff * 2).min(BACKOFF_MOST);
            }
        }
    }
}

fn sleep_unless(stop: &dyn Fn() -> bool, total: Duration) {
    let step = Duration::from_millis(100);
    let mut slept = Duration::ZERO;
    while slept < total && !stop() {
        std::thread::sleep(step);
        slept += step;
    }
}

/// Starts `replicate` on a thread of its own (PostgreSQL's client blocks).
pub fn spawn_replicator(
    ledger: Arc<Ledger>,
    on_pull: impl Fn(Pulled) + Send + 'static,
) -> Result<std::thread::JoinHandle<()>> {
    Ok(std::thread::Builder::new()
        .name("shop-replicator".into())
        .spawn(move || replicate(&ledger, &|| false, &on_pull))?)
}

fn not_member() -> Error {
    Error::Refused {
        params: vec![],
        code: "not_in_shop",
        field: None,
        message: "this counter is not in a shop: `paydesk shop join postgres://...` first".into(),
    }
}

fn shop_unreachable(e: &Error) -> Error {
    Error::Refused {
        params: vec![],
        code: "shop_unreachable",
        field: None,
        message: format!(
            "the shop ledger cannot be reached ({e}): refunds and voids wait until it is back, so that no two desks can refund the same sale; sales go on"
        ),
    }
}

/// Runs blocking shop work off the async runtime (PostgreSQL's synchronous client cannot run
/// on one of its threads).
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::Internal(format!("shop work stopped: {e}")))?
}

impl Paydesk {
    /// Joins the shop at `url` as `counter`: the URL's password (or `password`) goes to the
    /// keychain, the rest to this ledger; the shop ledger is migrated (the role needs no
    /// superuser rights); the counter's name must be free in the shop. Everything this
    /// ledger holds is queued to be pushed; the replicator pushes it and pulls the others'.
    pub async fn shop_join(
        self: &Arc<Self>,
        url: &str,
        counter: &str,
        password: Option<Sensitive<String>>,
    ) -> Result<ShopState> {
        let (address, in_url) = ShopAddress::parse(url)?;
        let counter = paydesk_ledger::shop::check_counter_name(counter)?.to_string();
        let password = password.or(in_url.map(Sensitive::new));
        let ledger = self.ledger_arc();
        blocking(move || {
            if ledger.membership()?.is_some() {
                return Err(Error::Refused {
                    params: vec![],
                    code: "shop_member",
                    field: Some("url"),
                    message: "this counter is already in a shop: `paydesk shop leave` first".into(),
                });
            }
            let mut shop = connect(&address, password.as_ref().map(|p| p.expose().as_str()))?;
            shop.migrate()?;
            // The keychain is checked before the shop hears of this counter.
            let vault = Vault::keychain();
            let account = keychain_account(&counter, &address);
            match &password {
                Some(p) => vault.save_shop_password(&account, p)?,
                None => {
                    vault.delete_shop_password(&account)?;
                }
            }
            let number = shop.join(&counter)?;
            // Replication is the replicator's (the window's, or `shop sync`): a counter with a
            // year of sales, or a shop with a million orders, is not copied while joining. Its
            // staff are, at once: a new till must not be set up with an owner of its own
            // before it has pulled the shop's.
            let (staff, caps) = shop.staff_and_caps()?;
            let state = ledger.enter_shop(address.url(), &counter, number)?;
            ledger.take_shop_staff(&staff, &caps)?;
            Ok(state)
        })
        .await
    }

    /// Leaves the shop: what this counter has not pushed yet is pushed first (refused while
    /// the shop ledger cannot be reached, unless `force`, which leaves it out of the shop);
    /// every order here, pulled or not, stays in this ledger.
    pub async fn shop_leave(self: &Arc<Self>, force: bool) -> Result<ShopState> {
        let ledger = self.ledger_arc();
        blocking(move || {
            let state = ledger.shop_state()?;
            let (true, Some(url)) = (state.member, state.url.clone()) else {
                return Err(not_member());
            };
            let (address, _) = ShopAddress::parse(&url)?;
            match open_shop(&ledger).and_then(|shop| {
                let mut shop = shop.ok_or_else(not_member)?;
                shop.push(&ledger)?;
                shop.leave(state.counter.as_deref().unwrap_or_default())
            }) {
                Ok(()) => {}
                Err(e) if force => tracing::warn!(error = %e, "leaving the shop unreachable"),
                Err(e) => {
                    return Err(Error::Refused {
                        params: vec![],
                        code: "shop_unreachable",
                        field: None,
                        message: format!(
                            "the shop ledger cannot be reached ({e}): {} change(s) of this counter are not in it yet; leave once it is back, or with --force to leave them out of the shop",
                            state.outbox
                        ),
                    })
                }
            }
            let left = ledger.leave_shop()?;
            let account = keychain_account(state.counter.as_deref().unwrap_or_default(), &address);
            Vault::keychain().delete_shop_password(&account)?;
            Ok(left)
        })
        .await
    }

    /// Where this counter stands in its shop, asking the shop ledger (3 s at most).
    pub async fn shop_status(self: &Arc<Self>) -> Result<ShopStatus> {
        let ledger = self.ledger_arc();
        blocking(move || {
            let state = ledger.shop_state()?;
            let mut status = ShopStatus {
                state: state.clone(),
                reachable: false,
                unreachable: None,
                counters: Vec::new(),
                behind: None,
            };
            if !state.member {
                return Ok(status);
            }
            match open_shop(&ledger).and_then(|shop| {
                let mut shop = shop.ok_or_else(not_member)?;
                Ok((shop.counters()?, shop.newest_change()?))
            }) {
                Ok((counters, newest)) => {
                    status.reachable = true;
                    status.counters = counters;
                    status.behind = Some((newest - state.pulled_seq).max(0));
                }
                Err(e) => status.unreachable = Some(e.to_string()),
            }
            Ok(status)
        })
        .await
    }

    /// This counter's audit chain against the copy in the shop ledger (None: not in a shop, or
    /// the copy agrees), after pushing what waits; the shop ledger unreachable is an error.
    pub async fn audit_against_shop(self: &Arc<Self>) -> Result<Option<AuditVerdict>> {
        let ledger = self.ledger_arc();
        blocking(move || {
            let Some(membership) = ledger.membership()? else {
                return Ok(None);
            };
            let mut shop = open_shop(&ledger)?.ok_or_else(not_member)?;
            shop.push(&ledger)?;
            let copy = shop.audit_copy(&membership.counter)?;
            ledger.compare_audit_copy(&copy)
        })
        .await
    }

    /// One push and pull now (what the background replicator does on its own).
    pub async fn shop_sync(self: &Arc<Self>) -> Result<Synced> {
        let ledger = self.ledger_arc();
        blocking(move || {
            let mut shop = open_shop(&ledger)?.ok_or_else(not_member)?;
            let synced = sync_once(&ledger, &mut shop)?;
            ledger.note_shop(true, true, None)?;
            Ok(synced)
        })
        .await
    }

    /// Reserves a refund or void in the shop ledger, when this counter is in a shop (see the
    /// module's rule); nothing to do for a counter on its own.
    pub(crate) async fn reserve_in_shop(
        self: &Arc<Self>,
        order: &Order,
        refund_no: &str,
        amount_minor: i64,
        kind: RefundKind,
        reason: Option<&str>,
    ) -> Result<()> {
        let Some(membership) = self.ledger().membership()? else {
            return Ok(());
        };
        let ledger = self.ledger_arc();
        let (order_no, refund_no) = (order.merchant_order_no.clone(), refund_no.to_string());
        let reason = reason.map(str::to_string);
        let counter = membership.counter;
        blocking(move || {
            // This counter's own changes go first, so the shop knows the order it refunds.
            let mut shop = open_shop(&ledger)
                .and_then(|shop| shop.ok_or_else(not_member))
                .map_err(|e| shop_unreachable(&e))?;
            let reachable = |e: Error| match e {
                Error::ShopUnreachable(_) => shop_unreachable(&e),
                other => other,
            };
            // What this desk holds is brought up to date both ways first: the order it refunds
            // is in the shop, and what other desks did to it is here.
            sync_once(&ledger, &mut shop).map_err(reachable)?;
            shop.reserve_refund(&Reservation {
                merchant_order_no: &order_no,
                refund_no: &refund_no,
                counter: &counter,
                amount_minor,
                kind: kind.as_str(),
                reason: reason.as_deref(),
            })
            .map_err(reachable)
        })
        .await
    }

    /// Lets a shop reservation go when this desk could not write the refund it reserved (its
    /// own ledger refused it): nothing was sent to the gateway. A failure here is logged: the
    /// reservation then holds its amount until the owner settles it.
    pub(crate) async fn release_in_shop(self: &Arc<Self>, refund_no: &str, why: &Error) {
        if !self.ledger().membership().is_ok_and(|m| m.is_some()) {
            return;
        }
        let ledger = self.ledger_arc();
        let (refund_no, why) = (refund_no.to_string(), why.to_string());
        let released = blocking(move || {
            let mut shop = open_shop(&ledger)?.ok_or_else(not_member)?;
            shop.release_refund(&refund_no, &why)
        })
        .await;
        if let Err(e) = released {
            tracing::warn!(error = %e, "a shop reservation could not be let go");
        }
    }
}
