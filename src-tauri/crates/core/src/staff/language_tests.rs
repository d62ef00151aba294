//! Each staff member's own language on a real ledger file: set when added, changed, listed,
//! back to the shop's, refused (naming the field) when it is not one Paydesk speaks, and the
//! window's language that follows from it.

use paydesk_domain::error::Error;
use paydesk_ledger::ledger::Ledger;

use super::*;
use crate::settings;

const OWNER_PIN: &str = "2468";

fn shop() -> (tempfile::TempDir, Ledger, Acting) {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(&dir.path().join("paydesk.db")).unwrap();
    add(
        &ledger,
        &Acting::nobody(),
        "Olga",
        Role::Owner,
        OWNER_PIN,
        None,
    )
    .unwrap();
    let owner = Acting {
        staff: Some(sign_in(&ledger, "Olga", OWNER_PIN).unwrap()),
        approver: None,
    };
    (dir, ledger, owner)
}

fn language_of(ledger: &Ledger, name: &str) -> Option<String> {
    list(ledger)
        .unwrap()
        .into_iter()
        .find(|m| m.name == name)
        .unwrap()
        .language
}

fn refused_field(result: Result<StaffMember>) -> (&'static str, String) {
    match result {
        Err(Error::InvalidInput { field, message }) => (field, message),
        other => panic!("accepted: {other:?}"),
    }
}

#[test]
fn a_staff_member_speaks_their_own_language_or_the_shops() {
    let (_dir, ledger, owner) = shop();
    let ann = add(&ledger, &owner, "Ann", Role::Cashier, "1357", Some("fr_ca")).unwrap();
    assert_eq!(
        ann.language.as_deref(),
        Some("fr-CA"),
        "stored in its own spelling"
    );
    add(&ledger, &owner, "Max", Role::Manager, "8642", None).unwrap();
    assert_eq!(language_of(&ledger, "Ann").as_deref(), Some("fr-CA"));
    assert_eq!(language_of(&ledger, "Max"), None);

    // The window: Ann's own; Max and no one speak the shop's (English until it is set).
    assert_eq!(window_language(&ledger, Some("Ann")).unwrap(), "fr-CA");
    assert_eq!(window_language(&ledger, Some("Max")).unwrap(), "en");
    assert_eq!(window_language(&ledger, None).unwrap(), "en");
    settings::set(&ledger, settings::SHOP_LANGUAGE, "hi").unwrap();
    assert_eq!(window_language(&ledger, Some("Max")).unwrap(), "hi");
    assert_eq!(window_language(&ledger, Some("Ann")).unwrap(), "fr-CA");

    let change_to = |language: Option<&str>| StaffChange {
        language: Some(language.map(str::to_string)),
        ..StaffChange::default()
    };
    let max = change(&ledger, &owner, "Max", &change_to(Some("zh-CN"))).unwrap();
    assert_eq!(max.language.as_deref(), Some("zh-CN"));
    assert_eq!(max.role, Role::Manager, "the rest is kept");
    assert_eq!(language_of(&ledger, "Max").as_deref(), Some("zh-CN"));
    // Another change (a role) keeps the language; Some(None) goes back to the shop's.
    let promoted = StaffChange {
        role: Some(Role::Owner),
        ..StaffChange::default()
    };
    change(&ledger, &owner, "Max", &promoted).unwrap();
    assert_eq!(language_of(&ledger, "Max").as_deref(), Some("zh-CN"));
    change(&ledger, &owner, "Ann", &change_to(None)).unwrap();
    assert_eq!(language_of(&ledger, "Ann"), None);
    assert_eq!(window_language(&ledger, Some("Ann")).unwrap(), "hi");
}

#[test]
fn a_language_paydesk_does_not_speak_is_refused_on_the_field_and_nothing_is_written() {
    let (_dir, ledger, owner) = shop();
    let (field, message) = refused_field(add(
        &ledger,
        &owner,
        "Ann",
        Role::Cashier,
        "1357",
        Some("de"),
    ));
    assert_eq!(field, "language");
    assert!(message.contains("en, fr-CA, zh-CN, hi"), "{message}");
    assert!(
        ledger.staff_member("Ann").unwrap().is_none(),
        "no one added"
    );

    add(&ledger, &owner, "Ann", Role::Cashier, "1357", Some("hi")).unwrap();
    let wrong = StaffChange {
        role: Some(Role::Manager),
        language: Some(Some("klingon".into())),
        ..StaffChange::default()
    };
    let (field, _) = refused_field(change(&ledger, &owner, "Ann", &wrong));
    assert_eq!(field, "language");
    let ann = ledger.staff_member("Ann").unwrap().unwrap();
    assert_eq!(
        (ann.role.as_str(), ann.language.as_deref()),
        ("cashier", Some("hi")),
        "unchanged"
    );
}
