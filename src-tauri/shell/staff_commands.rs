//! The shop's day in the window: who is at the till (sign in, switch, sign out; the idle
//! rule), staff accounts and managers' caps (Settings, owner only), the counter's shift (open,
//! X, close with the Z report, saved as CSV or PDF) and the audit log (owner only). Thin: the
//! core decides who may do what (`paydesk_core::staff`); `pin` is an approval's PIN, "" none.

use super::{fail, Answer, Desk};

use paydesk_core::shifts::{self, DayReport, ShiftReport};
use paydesk_core::staff::{self, Permission, Person, Role, StaffChange, StaffMember, Till};
use paydesk_domain::error::Error;
use paydesk_domain::money::Currency;
use paydesk_domain::zone::Zone;
use paydesk_ledger::ledger::{AuditQuery, AuditRecord, AuditVerdict, ShiftRow};
use serde::{Deserialize, Serialize};
use tauri::State;

/// What the counter shows of who is working.
#[derive(Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TillStatus {
    /// Who is signed in (None: no one).
    signed_in: Option<Person>,
    /// True when the shop has cashier or manager accounts: the counter asks who is working
    /// before a sale. False in a shop run by its owner alone (no sign-in; the owner's PIN
    /// approves what needs it, as before staff accounts).
    sign_in_required: bool,
    /// The active staff, for the sign-in pad (names and roles only).
    staff: Vec<Person>,
    /// What the person signed in (or no one) may do without an approval.
    permissions: Vec<Permission>,
    /// Minutes without a command before the till signs its person out (0: never).
    idle_minutes: u32,
    /// The shift open at this counter.
    shift: Option<ShiftRow>,
    /// The window's language: the signed-in person's own, else the shop's (`shop.language`).
    language: &'static str,
}

fn status(desk: &Desk<'_>, till: &Till) -> Result<TillStatus, Error> {
    let ledger = desk.ledger();
    let signed_in = till.signed_in(ledger)?;
    let by = staff::acting(ledger, signed_in.as_ref().map(|p| p.name.as_str()), None)?;
    let permissions = Permission::ALL
        .into_iter()
        .filter(|p| staff::authorize(ledger, &by, *p).is_ok())
        .collect();
    Ok(TillStatus {
        sign_in_required: staff::accounts_in_use(ledger)?,
        staff: staff::list(ledger)?
            .into_iter()
            .filter(|s| s.active)
            .map(|s| Person {
                name: s.name,
                role: s.role,
            })
            .collect(),
        permissions,
        idle_minutes: staff::idle_minutes(ledger)?,
        shift: ledger.current_shift()?,
        language: staff::window_language(ledger, signed_in.as_ref().map(|p| p.name.as_str()))?,
        signed_in,
    })
}

#[tauri::command(async)]
pub fn till_status(desk: Desk<'_>, till: State<'_, Till>) -> Answer<TillStatus> {
    status(&desk, &till).map_err(fail)
}

/// The window saw keys or the mouse since its last word: the core's idle clock starts again.
#[tauri::command(async)]
pub fn till_touch(desk: Desk<'_>, till: State<'_, Till>) -> Answer<TillStatus> {
    till.touch(desk.ledger()).map_err(fail)?;
    status(&desk, &till).map_err(fail)
}

#[derive(Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SignIn {
    name: String,
    pin: String,
}

/// Signs a person in (whoever was signed in is signed out: switching person).
#[tauri::command(async)]
pub fn sign_in(desk: Desk<'_>, till: State<'_, Till>, request: SignIn) -> Answer<TillStatus> {
    till.sign_in(desk.ledger(), &request.name, &request.pin)
        .map_err(fail)?;
    status(&desk, &till).map_err(fail)
}

#[tauri::command(async)]
pub fn sign_out(desk: Desk<'_>, till: State<'_, Till>) -> Answer<TillStatus> {
    till.sign_out(desk.ledger(), "signed out").map_err(fail)?;
    status(&desk, &till).map_err(fail)
}

/// The staff list and the managers' caps (owner only: Settings).
#[derive(Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StaffView {
    staff: Vec<StaffMember>,
    /// A manager's daily refund cap per currency, as typed amounts.
    caps: Vec<RefundCap>,
}

#[derive(Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RefundCap {
    currency: String,
    amount: String,
}

#[derive(Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Approved {
    /// An approval's PIN ("" none: the person signed in acts on their own).
    pin: String,
}

fn staff_view(desk: &Desk<'_>) -> Result<StaffView, Error> {
    let ledger = desk.ledger();
    let mut caps = Vec::new();
    for (code, minor) in ledger.refund_caps()? {
        let currency = Currency::parse(&code)?;
        caps.push(RefundCap {
            amount: currency.decimal_string(minor),
            currency: code,
        });
    }
    Ok(StaffView {
        staff: staff::list(ledger)?,
        caps,
    })
}

#[tauri::command(async)]
pub fn staff_list(desk: Desk<'_>, till: State<'_, Till>, request: Approved) -> Answer<StaffView> {
    let by = till
        .acting(desk.ledger(), Some(&request.pin))
        .map_err(fail)?;
    staff::authorize(desk.ledger(), &by, Permission::Staff).map_err(fail)?;
    staff_view(&desk).map_err(fail)
}

#[derive(Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct StaffEdit {
    name: String,
    /// cashier, manager or owner (adding: required).
    role: Option<Role>,
    /// A new PIN (adding: required).
    new_pin: Option<String>,
    active: Option<bool>,
    /// Their own language (one of `language::LANGUAGES`); "" for the shop's; absent: kept
    /// (adding: the shop's).
    language: Option<String>,
    /// True: add a new member; false: change one.
    add: bool,
    pin: String,
}

#[tauri::command(async)]
pub fn staff_save(desk: Desk<'_>, till: State<'_, Till>, request: StaffEdit) -> Answer<StaffView> {
    let ledger = desk.ledger();
    let by = till.acting(ledger, Some(&request.pin)).map_err(fail)?;
    if request.add {
        let role = request
            .role
            .ok_or_else(|| Error::invalid("role", "choose a role"))
            .map_err(fail)?;
        let pin = request.new_pin.unwrap_or_default();
        let language = request.language.as_deref().filter(|l| !l.is_empty());
        staff::add(ledger, &by, &request.name, role, &pin, language).map_err(fail)?;
    } else {
        staff::change(
            ledger,
            &by,
            &request.name,
            &StaffChange {
                role: request.role,
                new_pin: request.new_pin.filter(|p| !p.is_empty()),
                active: request.active,
                language: request.language.map(|l| Some(l).filter(|l| !l.is_empty())),
            },
        )
        .map_err(fail)?;
    }
    staff_view(&desk).map_err(fail)
}

#[derive(Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct CapEdit {
    currency: String,
    /// As typed; none or "": no cap (every refund in it needs the owner).
    amount: Option<String>,
    pin: String,
}

#[tauri::command(async)]
pub fn staff_set_cap(desk: Desk<'_>, till: State<'_, Till>, request: CapEdit) -> Answer<StaffView> {
    let ledger = desk.ledger();
    let by = till.acting(ledger, Some(&request.pin)).map_err(fail)?;
    let currency = Currency::parse(&request.currency).map_err(|e| fail(e.into()))?;
    let amount = request
        .amount
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    staff::set_refund_cap(ledger, &by, currency, amount).map_err(fail)?;
    staff_view(&desk).map_err(fail)
}

#[tauri::command(async)]
pub fn shift_open(desk: Desk<'_>, till: State<'_, Till>) -> Answer<TillStatus> {
    let by = till.acting(desk.ledger(), None).map_err(fail)?;
    shifts::open(desk.ledger(), &by).map_err(fail)?;
    status(&desk, &till).map_err(fail)
}

#[derive(Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ShiftReportRequest {
    /// A shift's id; none: the one open at this counter.
    id: Option<i64>,
}

/// The X report of the open shift (or a closed shift's sealed Z).
#[tauri::command(async)]
pub fn shift_report(
    desk: Desk<'_>,
    till: State<'_, Till>,
    request: ShiftReportRequest,
) -> Answer<ShiftReport> {
    let by = till.acting(desk.ledger(), None).map_err(fail)?;
    shifts::x_report(desk.ledger(), &by, request.id).map_err(fail)
}

#[derive(Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ShiftClose {
    /// Close even with sales still waiting: they go to the next shift.
    carry: bool,
}

/// Closes the open shift; the answer is its sealed Z report. Refused with `waiting_sales`
/// (listing them) while sales still wait, unless `carry`.
#[tauri::command]
pub async fn shift_close(
    desk: Desk<'_>,
    till: State<'_, Till>,
    request: ShiftClose,
) -> Answer<ShiftReport> {
    let by = till.acting(desk.ledger(), None).map_err(fail)?;
    desk.close_shift(&by, request.carry).await.map_err(fail)
}

#[derive(Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct DayRequest {
    /// YYYY-MM-DD; none: today (the machine's calendar).
    day: Option<String>,
    /// An approval's PIN ("" none).
    pin: String,
}

/// Every counter's shifts opened on a day and their figures summed per currency (a manager's
/// or the owner's: in a shop, every counter this desk has pulled).
#[tauri::command(async)]
pub fn shift_day(desk: Desk<'_>, till: State<'_, Till>, request: DayRequest) -> Answer<DayReport> {
    let ledger = desk.ledger();
    let by = till.acting(ledger, Some(&request.pin)).map_err(fail)?;
    let zone = Zone::Local;
    let day = shifts::day_asked("day", request.day.as_deref(), &zone).map_err(fail)?;
    shifts::day_report(ledger, &by, day, &zone).map_err(fail)
}

#[tauri::command(async)]
pub fn shift_list(desk: Desk<'_>) -> Answer<Vec<ShiftRow>> {
    desk.ledger().shifts(50).map_err(fail)
}

#[derive(Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ShiftSave {
    id: Option<i64>,
    /// "csv" or "pdf".
    format: String,
    /// Where the save dialog put it (a whole path, outside the data folder).
    path: String,
}

/// Writes a shift's report (X of the open shift, or a closed shift's Z) as CSV or PDF.
#[tauri::command(async)]
pub fn shift_save(desk: Desk<'_>, till: State<'_, Till>, request: ShiftSave) -> Answer<String> {
    let ledger = desk.ledger();
    let by = till.acting(ledger, None).map_err(fail)?;
    let report = shifts::x_report(ledger, &by, request.id).map_err(fail)?;
    let path =
        paydesk_core::export::check_output_path(&request.path, desk.data_dir()).map_err(fail)?;
    let zone = Zone::Local;
    let bytes = match request.format.as_str() {
        "csv" => shifts::report_csv(&report, &zone).into_bytes(),
        "pdf" => {
            let shop = paydesk_core::settings::shop_name(ledger).map_err(fail)?;
            shifts::report_pdf(&report, &shop, &zone)
        }
        other => {
            return Err(fail(Error::invalid(
                "format",
                format!("{other:?} is not a report format: csv or pdf"),
            )))
        }
    };
    std::fs::write(&path, bytes).map_err(|e| fail(e.into()))?;
    Ok(path.display().to_string())
}

#[derive(Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct AuditRequest {
    staff: Option<String>,
    action: Option<String>,
    /// Entries before this one (the next page).
    before_seq: Option<i64>,
    limit: Option<u32>,
    pin: String,
}

#[derive(Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    entries: Vec<AuditRecord>,
    verdict: AuditVerdict,
}

/// The audit log, newest first, with the chain's verdict (owner only).
#[tauri::command(async)]
pub fn audit_list(
    desk: Desk<'_>,
    till: State<'_, Till>,
    request: AuditRequest,
) -> Answer<AuditPage> {
    let ledger = desk.ledger();
    let by = till.acting(ledger, Some(&request.pin)).map_err(fail)?;
    staff::authorize(ledger, &by, Permission::Audit).map_err(fail)?;
    let entries = ledger
        .audit_entries(&AuditQuery {
            staff: request.staff.filter(|s| !s.trim().is_empty()),
            action: request.action.filter(|s| !s.trim().is_empty()),
            before_seq: request.before_seq,
            limit: request.limit.unwrap_or(200) as usize,
            ..AuditQuery::default()
        })
        .map_err(fail)?;
    Ok(AuditPage {
        entries,
        verdict: ledger.verify_audit().map_err(fail)?,
    })
}
