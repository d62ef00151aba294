//! Staff and what each may do. Three roles: a cashier sells and sees today's sales at their
//! counter; a manager also refunds and voids (up to a daily amount per currency the owner
//! sets), settles, and sees every order; the owner does everything. A manager or the owner can
//! approve one action for someone who may not do it by typing their PIN; the records then name
//! both. A shop whose only account is its owner (every shop before staff accounts) works as
//! it did: anyone at the counter sells, and the owner's PIN approves the rest.
//!
//! Every check happens here, in the core, for the window and the CLI alike: a caller holds an
//! [`Acting`] (who is at the till, and who approved), which only a PIN check can make name
//! someone, and each guarded service call asks [`authorize`] for the [`Stamp`] it writes.

pub mod pins;

/// The first owner's name when none is given (setup; the owner PIN of a ledger from before
/// staff accounts became this account, migration 10).
pub const FIRST_OWNER: &str = "Owner";
mod till;

pub use till::{idle_minutes, Till, DEFAULT_IDLE_MINUTES, IDLE_MINUTES};

use serde::Serialize;

use paydesk_domain::error::{Error, Result};
use paydesk_domain::money::Currency;
use paydesk_domain::zone::Zone;
use paydesk_ledger::ledger::{now_ms, AuditEntry, Ledger, StaffRow, Stamp};

use crate::language::check_language;

use pins::{check_format, hash_pin, locked, matches, next_tries, refused, wrong};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Cashier,
    Manager,
    Owner,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Cashier, Role::Manager, Role::Owner];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Cashier => "cashier",
            Role::Manager => "manager",
            Role::Owner => "owner",
        }
    }

    pub fn parse(text: &str) -> Result<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                Error::invalid(
                    "role",
                    format!("{text:?} is not a role: cashier, manager or owner"),
                )
            })
    }

    /// What this role may do on its own authority.
    pub fn permits(self, what: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Owner => true,
            Role::Manager => matches!(what, Sell | Shift | Refund | Settle | SeeAllOrders),
            Role::Cashier => matches!(what, Sell | Shift),
        }
    }
}

/// What a guarded action needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum Permission {
    /// Sell, cancel a waiting sale, capture, see today's sales at this counter.
    Sell,
    /// Open, read (X) and close (Z) this counter's shift.
    Shift,
    /// Refund and void (a manager up to the day's cap).
    Refund,
    /// Give the word on a reversal of unknown outcome, or on a payment taken by hand.
    Settle,
    /// Every order of every day and counter.
    SeeAllOrders,
    Export,
    Settings,
    Credentials,
    /// Staff accounts, roles, PINs and the managers' caps.
    Staff,
    /// Joining and leaving the shop ledger.
    Shop,
    /// The audit log.
    Audit,
}

impl Permission {
    pub const ALL: [Permission; 11] = [
        Permission::Sell,
        Permission::Shift,
        Permission::Refund,
        Permission::Settle,
        Permission::SeeAllOrders,
        Permission::Export,
        Permission::Settings,
        Permission::Credentials,
        Permission::Staff,
        Permission::Shop,
        Permission::Audit,
    ];

    /// As a refusal's parameters name it for the window (`action`): the variant in snake case.
    pub fn code(self) -> &'static str {
        match self {
            Permission::Sell => "sell",
            Permission::Shift => "shift",
            Permission::Refund => "refund",
            Permission::Settle => "settle",
            Permission::SeeAllOrders => "see_all_orders",
            Permission::Export => "export",
            Permission::Settings => "settings",
            Permission::Credentials => "credentials",
            Permission::Staff => "staff",
            Permission::Shop => "shop",
            Permission::Audit => "audit",
        }
    }

    /// As the refusal says it: "may not {phrase}".
    pub fn phrase(self) -> &'static str {
        match self {
            Permission::Sell => "sell",
            Permission::Shift => "open or close a shift",
            Permission::Refund => "refund or void",
            Permission::Settle => "settle a payment or refund by hand",
            Permission::SeeAllOrders => "see every order",
            Permission::Export => "export orders",
            Permission::Settings => "change settings",
            Permission::Credentials => "change credentials",
            Permission::Staff => "change staff accounts",
            Permission::Shop => "join or leave the shop ledger",
            Permission::Audit => "read the audit log",
        }
    }
}

/// A person as a check found them: name and role, read from the ledger at that moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub name: String,
    pub role: Role,
}

/// Who is acting: the person signed in at the till (None: no one) and the person who
/// approved with their PIN. Only [`sign_in`], [`approval`] and [`acting`] (PIN checks, or a
/// re-read of a signed-in person) put a name in it; [`Acting::nobody`] names no one and gets
/// only what a shop without staff accounts allows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Acting {
    staff: Option<Person>,
    approver: Option<Person>,
}

impl Acting {
    /// No one signed in, no approval.
    pub fn nobody() -> Acting {
        Acting::default()
    }

    pub fn staff(&self) -> Option<&Person> {
        self.staff.as_ref()
    }

    pub fn approver(&self) -> Option<&Person> {
        self.approver.as_ref()
    }

    /// The same person with `approver`'s approval added.
    pub fn approved_by(mut self, approver: Person) -> Acting {
        self.approver = Some(approver);
        self
    }

    /// The stamp for a record no permission guards (e.g. a sign-out): who is here.
    pub fn stamp(&self) -> Stamp {
        Stamp {
            staff: self.staff.as_ref().map(|p| p.name.clone()),
            approver: None,
        }
    }
}

/// A staff member as the window's Settings lists them (never the PIN's hash).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StaffMember {
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub created_at_ms: i64,
    /// Locked after wrong PINs until then (ms), if now.
    pub locked_until_ms: Option<i64>,
    /// Their own language for the window (one of `language::LANGUAGES`); None: the shop's.
    pub language: Option<String>,
}

fn person(row: &StaffRow) -> Result<Person> {
    Ok(Person {
        name: row.name.clone(),
        role: Role::parse(&row.role)?,
    })
}

/// Every staff member, active first.
pub fn list(ledger: &Ledger) -> Result<Vec<StaffMember>> {
    let mut out = Vec::new();
    for row in ledger.staff()? {
        let (_, _, until) = ledger.staff_pin_tries(&row.name)?;
        out.push(StaffMember {
            role: Role::parse(&row.role)?,
            name: row.name,
            active: row.active,
            created_at_ms: row.created_at_ms,
            locked_until_ms: (until > now_ms()).then_some(until),
            language: row.language,
        });
    }
    Ok(out)
}

/// A name as the staff list keeps it: 1 to 40 characters, no control characters.
fn check_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 40 || name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "name",
            "a name is 1 to 40 characters on one line",
        ));
    }
    Ok(name)
}

/// The language the window speaks for `signed_in` (None: no one signed in): their own, else
/// the shop's.
pub fn window_language(ledger: &Ledger, signed_in: Option<&str>) -> Result<&'static str> {
    let own = match signed_in {
        Some(name) => ledger.staff_member(name)?.and_then(|row| row.language),
        None => None,
    };
    match own.and_then(|tag| check_language("language", &tag).ok()) {
        Some(tag) => Ok(tag),
        None => crate::language::shop_language(ledger),
    }
}

/// True when the shop has accounts besides its owners: then the counter asks who is working.
pub fn accounts_in_use(ledger: &Ledger) -> Result<bool> {
    Ok(ledger.active_staff_count(&["cashier", "manager"])? > 0)
}

/// True while the shop has no owner account yet (first start, before setup).
pub fn no_owner_yet(ledger: &Ledger) -> Result<bool> {
    Ok(ledger.active_staff_count(&["owner"])? == 0)
}

/// Adds a staff member (the owner's, or anyone's while the shop has no owner yet: setup),
/// speaking `language` (None: the shop's; anything but a language Paydesk speaks is refused on
/// the field `language`).
pub fn add(
    ledger: &Ledger,
    by: &Acting,
    name: &str,
    role: Role,
    pin: &str,
    language: Option<&str>,
) -> Result<StaffMember> {
    let name = check_name(name)?;
    check_format(pin)?;
    let language = language
        .map(|l| check_language("language", l))
        .transpose()?;
    let stamp = if no_owner_yet(ledger)? && role == Role::Owner {
        by.stamp()
    } else {
        authorize(ledger, by, Permission::Staff)?
    };
    let row = ledger.add_staff(&stamp, name, role.as_str(), &hash_pin(pin)?, language)?;
    Ok(StaffMember {
        name: row.name,
        role,
        active: true,
        created_at_ms: row.created_at_ms,
        locked_until_ms: None,
        language: row.language,
    })
}

/// What an owner changes about a staff member.
#[derive(Debug, Clone, Default)]
pub struct StaffChange {
    pub role: Option<Role>,
    pub new_pin: Option<String>,
    pub active: Option<bool>,
    /// Their own language: `Some(Some(tag))` sets it, `Some(None)` goes back to the shop's.
    pub language: Option<Option<String>>,
}

/// Changes a staff member's role, PIN, active flag or language (owner only). The last active owner
/// cannot be demoted or made inactive: the shop would lose the one who can do everything.
pub fn change(ledger: &Ledger, by: &Acting, name: &str, what: &StaffChange) -> Result<StaffMember> {
    if let Some(pin) = &what.new_pin {
        check_format(pin)?;
    }
    let language = match &what.language {
        Some(Some(tag)) => Some(Some(check_language("language", tag)?)),
        Some(None) => Some(None),
        None => None,
    };
    let stamp = authorize(ledger, by, Permission::Staff)?;
    let current = ledger.staff_member(name)?.ok_or_else(|| no_such(name))?;
    let stays_owner = what.role.is_none_or(|r| r == Role::Owner) && what.active != Some(false);
    if current.role == "owner"
        && current.active
        && !stays_owner
        && ledger.active_staff_count(&["owner"])? <= 1
    {
        return Err(Error::Refused {
            params: vec![("name", current.name.clone())],
            code: "last_owner",
            field: Some("role"),
            message: format!(
                "{} is the shop's only owner: make someone else owner first",
                current.name
            ),
        });
    }
    let mut said = Vec::new();
    if let Some(role) = what.role {
        said.push(format!("role {}", role.as_str()));
    }
    if what.new_pin.is_some() {
        said.push("new PIN".to_string());
    }
    if let Some(active) = what.active {
        said.push(if active { "active" } else { "inactive" }.to_string());
    }
    match language {
        Some(Some(tag)) => said.push(format!("language {tag}")),
        Some(None) => said.push("the shop's language".to_string()),
        None => {}
    }
    let hash = what.new_pin.as_deref().map(hash_pin).transpose()?;
    let row = ledger.change_staff(
        &stamp,
        &current.name,
        what.role.map(Role::as_str),
        hash.as_deref(),
        what.active,
        language,
        &said.join(", "),
    )?;
    Ok(StaffMember {
        role: Role::parse(&row.role)?,
        name: row.name,
        active: row.active,
        created_at_ms: row.created_at_ms,
        locked_until_ms: None,
        language: row.language,
    })
}

fn no_such(name: &str) -> Error {
    Error::Refused {
        params: vec![("name", name.trim().to_string())],
        code: "no_such_staff",
        field: Some("name"),
        message: format!("no one called {:?} is on the staff list", name.trim()),
    }
}

/// Signs `name` in with their PIN: the person, or `pin_required`, `pin_wrong` (tries left),
/// `locked_out`, `no_such_staff` (or inactive). Each try is in the audit log.
pub fn sign_in(ledger: &Ledger, name: &str, pin: &str) -> Result<Person> {
    let row = ledger
        .staff_member(name)?
        .filter(|r| r.active)
        .ok_or_else(|| no_such(name))?;
    let tries = ledger.staff_pin_tries(&row.name)?;
    if now_ms() < tries.2 {
        return Err(locked(tries.2));
    }
    if pin.is_empty() {
        return Err(refused(
            "pin_required",
            format!("{}'s PIN, please", row.name),
            vec![("who", "name".into()), ("name", row.name.clone())],
        ));
    }
    let right = matches(&row.pin_hash, pin)?;
    let stored = ledger.update_staff_pin_tries(
        &row.name,
        |now| next_tries(now, right),
        |_| {
            Some(AuditEntry {
                staff: Some(row.name.clone()),
                action: if right { "sign_in" } else { "pin_wrong" },
                subject: row.name.clone(),
                ..AuditEntry::default()
            })
        },
    )?;
    if right && stored.2 <= now_ms() {
        return person(&row);
    }
    Err(wrong(stored, &format!("wrong PIN for {}", row.name)))
}

/// Finds the manager or owner whose PIN this is (an approval needs no name: the PIN is tried
/// against each), counting wrong PINs on the till's own count.
pub fn approval(ledger: &Ledger, pin: &str) -> Result<Person> {
    let (_, _, until) = ledger.owner_lockout()?;
    if now_ms() < until {
        return Err(locked(until));
    }
    if pin.is_empty() {
        return Err(refused(
            "pin_required",
            "this needs the PIN of a manager or the owner".into(),
            vec![("who", "manager".into())],
        ));
    }
    let mut found = None;
    for row in ledger.staff()? {
        if row.active && row.role != "cashier" && matches(&row.pin_hash, pin)? {
            found = Some(row);
            break;
        }
    }
    let right = found.is_some();
    let mut locked_meanwhile = false;
    let stored = ledger.update_owner_lockout(|now| {
        let next = next_tries(now, right);
        locked_meanwhile = now.2 > now_ms();
        next
    })?;
    if locked_meanwhile {
        return Err(locked(stored.2));
    }
    match found {
        Some(row) => person(&row),
        None => {
            ledger.audit(&AuditEntry {
                action: "approval_pin_wrong",
                ..AuditEntry::default()
            })?;
            // In a shop run by its owner alone, in the words it has always used.
            let said = if ledger.active_staff_count(&["manager"])? > 0 {
                "wrong PIN for a manager or the owner"
            } else {
                "wrong owner PIN"
            };
            Err(wrong(stored, said))
        }
    }
}

/// Who is acting now: the person signed in (re-read: made inactive or given another role
/// since, it counts as it is now) and, with `approver_pin`, the person it belongs to.
pub fn acting(
    ledger: &Ledger,
    signed_in: Option<&str>,
    approver_pin: Option<&str>,
) -> Result<Acting> {
    let staff = match signed_in {
        Some(name) => match ledger.staff_member(name)?.filter(|r| r.active) {
            Some(row) => Some(person(&row)?),
            None => {
                return Err(Error::Refused {
                    params: vec![("name", name.to_string())],
                    code: "signed_out",
                    field: None,
                    message: format!("{name} is no longer on the staff list: sign in again"),
                })
            }
        },
        None => None,
    };
    let approver = match approver_pin.filter(|p| !p.is_empty()) {
        Some(pin) => Some(approval(ledger, pin)?),
        None => None,
    };
    Ok(Acting { staff, approver })
}

/// The stamp `by` may write for an action needing `what`, or why not: `sign_in_required` (no
/// one signed in where staff accounts are in use), `pin_required` (no one signed in, and it
/// needs a manager's or the owner's PIN), `needs_approval` (the person signed in may not:
/// a manager or the owner approves), `not_permitted` (the approver may not either).
pub fn authorize(ledger: &Ledger, by: &Acting, what: Permission) -> Result<Stamp> {
    authorize_with(ledger, by, what, |_| Ok(()))
}

/// `authorize`, where the person whose authority is used must also pass `within` (a
/// manager's refund cap).
fn authorize_with(
    ledger: &Ledger,
    by: &Acting,
    what: Permission,
    within: impl Fn(&Person) -> Result<()>,
) -> Result<Stamp> {
    let name = |p: &Option<Person>| p.as_ref().map(|p| p.name.clone());
    let mut refusal = None;
    if let Some(staff) = &by.staff {
        if staff.role.permits(what) {
            match within(staff) {
                Ok(()) => {
                    return Ok(Stamp {
                        staff: name(&by.staff),
                        approver: None,
                    })
                }
                Err(e) => refusal = Some(e),
            }
        }
    }
    if let Some(approver) = &by.approver {
        if approver.role.permits(what) {
            within(approver)?;
            return Ok(match &by.staff {
                // No one signed in: the approver is the one doing it.
                None => Stamp {
                    staff: name(&by.approver),
                    approver: None,
                },
                Some(_) => Stamp {
                    staff: name(&by.staff),
                    approver: name(&by.approver),
                },
            });
        }
        return Err(Error::Refused {
            params: vec![
                ("name", approver.name.clone()),
                ("role", approver.role.as_str().to_string()),
                ("action", what.code().to_string()),
            ],
            code: "not_permitted",
            field: Some("pin"),
            message: format!(
                "{} ({}) may not {} either",
                approver.name,
                approver.role.as_str(),
                what.phrase()
            ),
        });
    }
    if let Some(refusal) = refusal {
        return Err(refusal);
    }
    match &by.staff {
        Some(staff) => Err(Error::Refused {
            params: vec![
                ("name", staff.name.clone()),
                ("role", staff.role.as_str().to_string()),
                ("action", what.code().to_string()),
                (
                    "approver",
                    if Role::Manager.permits(what) {
                        "manager"
                    } else {
                        "owner"
                    }
                    .to_string(),
                ),
            ],
            code: "needs_approval",
            field: Some("pin"),
            message: format!(
                "{} ({}) may not {}: a {} approves with their PIN",
                staff.name,
                staff.role.as_str(),
                what.phrase(),
                if Role::Manager.permits(what) {
                    "manager or the owner"
                } else {
                    "the owner"
                }
            ),
        }),
        None => {
            // A shop with no accounts yet (before setup) is open; one whose only accounts are
            // owners sells as it always did, and asks the owner's PIN for the rest.
            if ledger.active_staff_count(&["cashier", "manager", "owner"])? == 0 {
                return Ok(Stamp::default());
            }
            let owner_only = !accounts_in_use(ledger)?;
            if owner_only
                && matches!(
                    what,
                    Permission::Sell | Permission::Shift | Permission::SeeAllOrders
                )
            {
                return Ok(Stamp::default());
            }
            if !owner_only && matches!(what, Permission::Sell | Permission::Shift) {
                return Err(Error::Refused {
                    params: vec![],
                    code: "sign_in_required",
                    field: None,
                    message: "no one is signed in at this counter: sign in with your PIN".into(),
                });
            }
            let (who, whose) =
                if Role::Manager.permits(what) && ledger.active_staff_count(&["manager"])? > 0 {
                    ("manager", "the PIN of a manager or the owner")
                } else {
                    ("owner", "the owner's PIN")
                };
            Err(refused(
                "pin_required",
                format!("this needs {whose}"),
                vec![("who", who.into())],
            ))
        }
    }
}

/// The stamp for a refund or void of `minor` in `currency`: refunding needs a manager or the
/// owner (or their approval), and a manager's own authority stops at the day's cap the owner
/// set for that currency (`over_cap`, saying what is left; no cap set: nothing without the
/// owner). The day is the machine's calendar day.
pub fn authorize_reversal(
    ledger: &Ledger,
    by: &Acting,
    minor: i64,
    currency: Currency,
) -> Result<Stamp> {
    let caps = ledger.refund_caps()?;
    let cap = caps
        .iter()
        .find(|(c, _)| c == currency.code())
        .map(|(_, cap)| *cap);
    let day_start = Zone::Local.start_of_today_ms();
    authorize_with(ledger, by, Permission::Refund, |person| {
        if person.role != Role::Manager {
            return Ok(());
        }
        let Some(cap) = cap.filter(|c| *c > 0) else {
            return Err(Error::Refused {
                params: vec![
                    ("allowance", "none".to_string()),
                    ("name", person.name.clone()),
                    ("currency", currency.code().to_string()),
                ],
                code: "over_cap",
                field: Some("amount"),
                message: format!(
                    "{} has no refund allowance in {}: the owner approves, or sets one in Settings",
                    person.name,
                    currency.code()
                ),
            });
        };
        let used = ledger.refunded_under_authority(&person.name, currency.code(), day_start)?;
        let left = (cap - used).max(0);
        if minor > left {
            return Err(Error::Refused {
                params: vec![
                    ("allowance", "left".to_string()),
                    ("name", person.name.clone()),
                    ("left_minor", left.to_string()),
                    ("cap_minor", cap.to_string()),
                    ("currency", currency.code().to_string()),
                ],
                code: "over_cap",
                field: Some("amount"),
                message: format!(
                    "{} may refund {} {} more today (of {} {}): the owner approves the rest",
                    person.name,
                    currency.decimal_string(left),
                    currency.code(),
                    currency.decimal_string(cap),
                    currency.code()
                ),
            });
        }
        Ok(())
    })
}

/// Sets (or removes, with None) a currency's daily refund cap for managers (owner only).
pub fn set_refund_cap(
    ledger: &Ledger,
    by: &Acting,
    currency: Currency,
    amount: Option<&str>,
) -> Result<()> {
    let minor = amount
        .map(|text| paydesk_domain::money::Money::parse(text, currency).map(|m| m.minor()))
        .transpose()?;
    let stamp = authorize(ledger, by, Permission::Staff)?;
    let detail = format!(
        "{} {} a day",
        currency.decimal_string(minor.unwrap_or(0)),
        currency.code()
    );
    ledger.set_refund_cap(&stamp, currency.code(), minor, &detail)
}

/// Records who left the till.
pub fn sign_out(ledger: &Ledger, who: &Person, why: &str) -> Result<()> {
    ledger.audit(&AuditEntry {
        staff: Some(who.name.clone()),
        action: "sign_out",
        subject: who.name.clone(),
        detail: why.to_string(),
        ..AuditEntry::default()
    })?;
    Ok(())
}

/// Authorizes `what` for `by`, does `act`, and records it in the audit log as `action` on
/// `subject` with the detail `act` returns: for acts whose service writes nothing of its own
/// to the ledger (credentials to the keychain, an export to a file, settings, the shop). A
/// refusal does nothing; a failed act records nothing.
pub fn guarded<T>(
    ledger: &Ledger,
    by: &Acting,
    what: Permission,
    action: &'static str,
    subject: &str,
    act: impl FnOnce() -> Result<(T, String)>,
) -> Result<T> {
    let stamp = authorize(ledger, by, what)?;
    let (out, detail) = act()?;
    ledger.audit(&stamp.entry(action, subject, detail))?;
    Ok(out)
}

/// Changes one's own PIN, proven by the current one (a manager's or owner's, as an approval
/// finds it); the first owner's PIN on a shop with none sets up the owner's account.
pub fn change_own_pin(ledger: &Ledger, current: Option<&str>, new_pin: &str) -> Result<Person> {
    check_format(new_pin)?;
    if no_owner_yet(ledger)? {
        let owner = add(
            ledger,
            &Acting::nobody(),
            FIRST_OWNER,
            Role::Owner,
            new_pin,
            None,
        )?;
        return Ok(Person {
            name: owner.name,
            role: owner.role,
        });
    }
    let me = approval(ledger, current.unwrap_or_default())?;
    let stamp = Stamp {
        staff: Some(me.name.clone()),
        approver: None,
    };
    ledger.change_staff(
        &stamp,
        &me.name,
        None,
        Some(&hash_pin(new_pin)?),
        None,
        None,
        "new PIN",
    )?;
    Ok(me)
}

#[cfg(test)]
mod language_tests;
