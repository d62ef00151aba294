//! The shop's day at the core (issue 15): each role's permissions on real sales through the
//! sandbox, a manager's daily cap, approvals naming both people; shifts whose X and Z figures
//! equal a brute-force sum of the ledger's rows; and the audit chain catching a hand edit.

use paydesk_core::shifts::{self, ShiftReport};
use paydesk_core::staff::{self, Acting, Permission, Role};
use paydesk_domain::money::{Currency, Money};
use paydesk_domain::order::{EventSource, Method, OrderStatus};
use paydesk_ledger::ledger::{
    AuditQuery, AuditVerdict, Ledger, NewOrder, Observation, RefundKind, RefundOutcome, Stamp,
};
use std::path::Path;

use crate::support::{
    json, paydesk, run, run_ok, run_with_lines, run_with_stdin, sale_input, sandbox_desk, stderr,
    stdout,
};

const OWNER_PIN: &str = "9090";
const ANN_PIN: &str = "1111";
const MAX_PIN: &str = "2222";

/// A shop with an owner, a cashier (Ann) and a manager (Max) who may refund 10.00 CAD a day.
fn staff_the_shop(ledger: &Ledger) -> Acting {
    staff::add(
        ledger,
        &Acting::nobody(),
        "Olga",
        Role::Owner,
        OWNER_PIN,
        None,
    )
    .unwrap();
    let owner = as_person(ledger, "Olga", OWNER_PIN);
    staff::add(ledger, &owner, "Ann", Role::Cashier, ANN_PIN, None).unwrap();
    staff::add(ledger, &owner, "Max", Role::Manager, MAX_PIN, None).unwrap();
    staff::set_refund_cap(ledger, &owner, Currency::CAD, Some("10.00")).unwrap();
    owner
}

fn as_person(ledger: &Ledger, name: &str, pin: &str) -> Acting {
    let person = staff::sign_in(ledger, name, pin).unwrap();
    staff::acting(ledger, Some(&person.name), None).unwrap()
}

fn code<T: std::fmt::Debug>(result: paydesk_domain::error::Result<T>) -> (String, String) {
    let e = result.unwrap_err();
    (e.code().to_string(), e.to_string())
}

#[tokio::test(flavor = "multi_thread")]
async fn each_role_may_do_what_it_may_and_an_approval_names_both_people() {
    let (dir, desk) = sandbox_desk().await;
    let ledger = desk.ledger();
    let owner = staff_the_shop(ledger);
    let ann = as_person(ledger, "Ann", ANN_PIN);
    let max = as_person(ledger, "Max", MAX_PIN);

    // No one signed in, in a shop with staff accounts: no sale.
    let (c, _) = code(
        desk.create_order(
            &Acting::nobody(),
            &sale_input("iotpay", "alipay-qr", "1.00", "CAD"),
        )
        .await,
    );
    assert_eq!(c, "sign_in_required");

    // Ann sells; the order names her.
    let sale = desk
        .create_order(&ann, &sale_input("iotpay", "alipay-qr", "30.00", "CAD"))
        .await
        .unwrap();
    crate::support::settle_at_iotpay(dir.path(), &sale.merchant_order_no, true);
    let order = desk.sync(sale.id).await.unwrap();
    assert_eq!(
        (order.status, order.staff.as_deref()),
        (OrderStatus::Paid, Some("Ann"))
    );

    // A cashier's refund is refused, with a code the window branches on, and nothing written.
    let refused = desk
        .refund(&ann, order.id, Some("1.00"), None)
        .await
        .unwrap_err();
    let said = refused.to_string();
    assert_eq!(refused.code(), "needs_approval", "{said}");
    assert!(said.contains("Ann (cashier) may not refund"), "{said}");
    let payload = refused.payload();
    let param = |name: &str| payload.params.get(name).map(String::as_str);
    assert_eq!(
        (
            param("name"),
            param("role"),
            param("action"),
            param("approver")
        ),
        (
            Some("Ann"),
            Some("cashier"),
            Some("refund"),
            Some("manager")
        )
    );
    assert!(ledger.refunds(order.id).unwrap().is_empty());
    // So are an export, the staff list and settings.
    for what in [
        Permission::Export,
        Permission::Staff,
        Permission::Settings,
        Permission::Audit,
    ] {
        assert_eq!(
            staff::authorize(ledger, &ann, what).unwrap_err().code(),
            "needs_approval"
        );
    }

    // A manager refunds on their own up to the day's cap, and is told what is left.
    desk.refund(&max, order.id, Some("6.00"), None)
        .await
        .unwrap();
    let refused = desk
        .refund(&max, order.id, Some("5.00"), None)
        .await
        .unwrap_err();
    let (c, said) = (refused.code(), refused.to_string());
    assert_eq!(c, "over_cap");
    assert!(said.contains("4.00 CAD more today"), "{said}");
    assert!(said.contains("of 10.00 CAD"), "{said}");
    // The window says it in its own language from the values, never from the sentence.
    let payload = refused.payload();
    let param = |name: &str| payload.params.get(name).map(String::as_str);
    assert_eq!(
        (
            param("allowance"),
            param("name"),
            param("left_minor"),
            param("cap_minor"),
            param("currency")
        ),
        (
            Some("left"),
            Some("Max"),
            Some("400"),
            Some("1000"),
            Some("CAD")
        )
    );
    // Not the manager's to export either.
    assert_eq!(
        staff::authorize(ledger, &max, Permission::Export)
            .unwrap_err()
            .code(),
        "needs_approval"
    );

    // The owner's approval lets Ann's refund through; both names are recorded.
    let approved = staff::acting(ledger, Some("Ann"), Some(OWNER_PIN)).unwrap();
    let (refund, _) = desk
        .refund(&approved, order.id, Some("5.00"), None)
        .await
        .unwrap();
    assert_eq!(
        (refund.staff.as_deref(), refund.approver.as_deref()),
        (Some("Ann"), Some("Olga"))
    );
    let entry = ledger
        .audit_entries(&AuditQuery {
            action: Some("refund".into()),
            limit: 1,
            ..Default::default()
        })
        .unwrap()
        .remove(0);
    assert_eq!(
        (entry.staff.as_deref(), entry.approver.as_deref()),
        (Some("Ann"), Some("Olga"))
    );
    assert_eq!(entry.subject, refund.refund_no);

    // Max's approval counts against Max's cap: 4.00 left, then nothing.
    let by_max = staff::acting(ledger, Some("Ann"), Some(MAX_PIN)).unwrap();
    let (refund, _) = desk
        .refund(&by_max, order.id, Some("4.00"), None)
        .await
        .unwrap();
    assert_eq!(refund.approver.as_deref(), Some("Max"));
    let (c, said) = code(desk.refund(&by_max, order.id, Some("0.01"), None).await);
    assert_eq!(c, "over_cap", "{said}");
    assert!(said.contains("0.00 CAD more today"), "{said}");

    // A cashier's Orders are today's sales at this counter; a manager's, everything.
    let mut seen = paydesk_ledger::ledger::OrderFilter::default();
    let zone = paydesk_domain::zone::Zone::Local;
    assert!(paydesk_core::filters::restrict_for(ledger, &ann, &mut seen, &zone).unwrap());
    let today = seen.from_ms.unwrap();
    assert!(today <= order.created_at_ms && paydesk_domain::clock::now_ms() - today < 86_400_000);
    let mut all = paydesk_ledger::ledger::OrderFilter::default();
    assert!(!paydesk_core::filters::restrict_for(ledger, &max, &mut all, &zone).unwrap());
    assert_eq!(all.from_ms, None);

    // The owner has no cap; an inactive person's session counts no more.
    desk.refund(&owner, order.id, Some("1.00"), None)
        .await
        .unwrap();
    staff::change(
        ledger,
        &owner,
        "Ann",
        &staff::StaffChange {
            active: Some(false),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        staff::acting(ledger, Some("Ann"), None).unwrap_err().code(),
        "signed_out"
    );
    assert_eq!(
        code(staff::sign_in(ledger, "Ann", ANN_PIN)).0,
        "no_such_staff"
    );
    // The last owner cannot be demoted.
    let (c, _) = code(staff::change(
        ledger,
        &owner,
        "Olga",
        &staff::StaffChange {
            role: Some(Role::Manager),
            ..Default::default()
        },
    ));
    assert_eq!(c, "last_owner");
    assert_eq!(
        ledger.verify_audit().unwrap(),
        AuditVerdict::Whole {
            entries: ledger
                .audit_entries(&AuditQuery {
                    limit: 10_000,
                    ..Default::default()
                })
                .unwrap()
                .len() as i64,
            lag: 0
        }
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_pins_count_per_person_and_lock_them_out() {
    let (_dir, desk) = sandbox_desk().await;
    let ledger = desk.ledger();
    staff_the_shop(ledger);
    let (c, said) = code(staff::sign_in(ledger, "Ann", "0000"));
    assert_eq!(c, "pin_wrong");
    assert!(said.contains("4 tries left"), "{said}");
    for _ in 0..4 {
        let _ = staff::sign_in(ledger, "Ann", "0000");
    }
    assert_eq!(code(staff::sign_in(ledger, "Ann", ANN_PIN)).0, "locked_out");
    // Max is not locked by Ann's tries.
    staff::sign_in(ledger, "Max", MAX_PIN).unwrap();
    let wrong = ledger
        .audit_entries(&AuditQuery {
            action: Some("pin_wrong".into()),
            limit: 100,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(wrong.len(), 5, "every wrong PIN is in the audit log");
    // An approval's wrong PIN is counted on the till's own count, and logged too.
    assert_eq!(code(staff::approval(ledger, "7777")).0, "pin_wrong");
    assert_eq!(
        ledger
            .audit_entries(&AuditQuery {
                action: Some("approval_pin_wrong".into()),
                limit: 10,
                ..Default::default()
            })
            .unwrap()
            .len(),
        1
    );
}

/// Writes a sale straight into the ledger as `by`, moved to `status` (the ledger's own
/// status machine), `minutes_ago` old.
fn sale(
    ledger: &Ledger,
    by: &Acting,
    no: &str,
    method: Method,
    amount: &str,
    currency: Currency,
    status: OrderStatus,
) -> i64 {
    let id = ledger
        .insert_order(&NewOrder {
            merchant_order_no: no.into(),
            method,
            environment: "sandbox".into(),
            amount: Money::parse(amount, currency).unwrap(),
            expires_at_ms: None,
            by: by.stamp(),
        })
        .unwrap()
        .id;
    let mut path = vec![];
    match status {
        OrderStatus::Created => {}
        OrderStatus::Voided => path = vec![OrderStatus::Pending, OrderStatus::Authorized],
        OrderStatus::Failed => path = vec![OrderStatus::Pending, OrderStatus::Failed],
        _ => path = vec![OrderStatus::Pending, OrderStatus::Paid],
    }
    for status in path {
        ledger
            .apply(
                id,
                &Observation {
                    status,
                    gateway_status: None,
                    source: EventSource::Poll,
                    note: None,
                },
            )
            .unwrap();
    }
    id
}

fn reverse(
    ledger: &Ledger,
    by: &Stamp,
    order: i64,
    no: &str,
    minor: i64,
    kind: RefundKind,
    outcome: Option<bool>,
) {
    let refund = ledger
        .begin_refund(order, no, minor, kind, None, by)
        .unwrap();
    if let Some(went) = outcome {
        let outcome = if went {
            RefundOutcome::Succeeded {
                gateway_refund_id: None,
                gateway_status: None,
            }
        } else {
            RefundOutcome::Failed {
                reason: "declined".into(),
            }
        };
        ledger.finish_refund(refund.id, outcome).unwrap();
    }
}

/// The shift's figures as plain SQL over the ledger's file, written apart from the report's
/// code: (currency, sales count, sales, refunds, voids, unknown reversals, net).
fn brute_force(path: &Path, shift: i64) -> Vec<(String, i64, i64, i64, i64, i64, i64)> {
    let db = rusqlite::Connection::open(path).unwrap();
    let mut stmt = db
        .prepare(
            "WITH currencies AS (
                 SELECT currency FROM orders WHERE shift_id = ?1
                 UNION SELECT o.currency FROM refunds r JOIN orders o ON o.id = r.order_id WHERE r.shift_id = ?1)
             SELECT c.currency,
               (SELECT COUNT(*) FROM orders WHERE shift_id = ?1 AND currency = c.currency
                  AND status IN ('paid', 'partially_refunded', 'refunded', 'voided')),
               (SELECT COALESCE(SUM(amount_minor), 0) FROM orders WHERE shift_id = ?1 AND currency = c.currency
                  AND status IN ('paid', 'partially_refunded', 'refunded', 'voided')),
               (SELECT COALESCE(SUM(r.amount_minor), 0) FROM refunds r JOIN orders o ON o.id = r.order_id
                  WHERE r.shift_id = ?1 AND o.currency = c.currency AND r.kind = 'refund' AND r.status = 'succeeded'),
               (SELECT COALESCE(SUM(r.amount_minor), 0) FROM refunds r JOIN orders o ON o.id = r.order_id
                  WHERE r.shift_id = ?1 AND o.currency = c.currency AND r.kind = 'void' AND r.status = 'succeeded'),
               (SELECT COALESCE(SUM(r.amount_minor), 0) FROM refunds r JOIN orders o ON o.id = r.order_id
                  WHERE r.shift_id = ?1 AND o.currency = c.currency AND r.status = 'pending')
             FROM currencies c ORDER BY c.currency",
        )
        .unwrap();
    stmt.query_map([shift], |r| {
        let (sales, refunds, voids): (i64, i64, i64) = (r.get(2)?, r.get(3)?, r.get(4)?);
        Ok((
            r.get(0)?,
            r.get(1)?,
            sales,
            refunds,
            voids,
            r.get(5)?,
            sales - refunds - voids,
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn figures_of(report: &ShiftReport) -> Vec<(String, i64, i64, i64, i64, i64, i64)> {
    report
        .currencies
        .iter()
        .map(|c| {
            (
                c.currency.clone(),
                c.sales_count,
                c.sales_minor,
                c.refunds_minor,
                c.voids_minor,
                c.unknown_reversals_minor,
                c.net_minor,
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn x_and_z_equal_a_brute_force_sum_over_currencies_and_midnight_and_a_sealed_shift_takes_no_sale(
) {
    let (dir, desk) = sandbox_desk().await;
    let ledger = desk.ledger();
    let owner = staff_the_shop(ledger);
    let ann = as_person(ledger, "Ann", ANN_PIN);
    let max = as_person(ledger, "Max", MAX_PIN);
    let shift = shifts::open(ledger, &ann).unwrap();
    assert_eq!(shift.opened_by, "Ann");
    assert_eq!(shifts::open(ledger, &max).unwrap_err().code(), "shift_open");

    // The shift began yesterday at 22:00 local; a third of its sales were made before midnight.
    let path = ledger.path().to_path_buf();
    let db = rusqlite::Connection::open(&path).unwrap();
    let midnight = {
        let now = chrono::Local::now();
        now.date_naive()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_local_timezone(chrono::Local)
            .earliest()
            .unwrap()
            .timestamp_millis()
    };
    db.execute(
        "UPDATE shifts SET opened_at = ?1 WHERE id = ?2",
        rusqlite::params![midnight - 2 * 3_600_000, shift.id],
    )
    .unwrap();

    let currencies = [
        (Currency::CAD, Method::AlipayQr),
        (Currency::parse("EUR").unwrap(), Method::SmartpayCard),
        (Currency::parse("INR").unwrap(), Method::Upi),
    ];
    let statuses = [
        OrderStatus::Paid,
        OrderStatus::Paid,
        OrderStatus::Voided,
        OrderStatus::Failed,
        OrderStatus::Paid,
    ];
    let mut n = 0;
    for (currency, method) in currencies {
        for (i, status) in statuses.iter().enumerate() {
            n += 1;
            let seller = if i % 2 == 0 { &ann } else { &max };
            let amount = format!("{}.{:02}", 3 + n * 7 % 40, (n * 13) % 100);
            let id = sale(
                ledger,
                seller,
                &format!("PDSHIFT{n}"),
                method,
                &amount,
                currency,
                *status,
            );
            if n % 3 == 0 {
                db.execute(
                    "UPDATE orders SET created_at = ?1 WHERE id = ?2",
                    rusqlite::params![midnight - 1_800_000, id],
                )
                .unwrap();
            }
            let paid = ledger.get(id).unwrap();
            match status {
                OrderStatus::Voided => reverse(
                    ledger,
                    &max.stamp(),
                    id,
                    &format!("VD{n}"),
                    paid.amount.minor(),
                    RefundKind::Void,
                    Some(true),
                ),
                OrderStatus::Paid if i == 1 => {
                    reverse(
                        ledger,
                        &max.stamp(),
                        id,
                        &format!("RFA{n}"),
                        100,
                        RefundKind::Refund,
                        Some(true),
                    );
                    reverse(
                        ledger,
                        &max.stamp(),
                        id,
                        &format!("RFB{n}"),
                        50,
                        RefundKind::Refund,
                        Some(false),
                    );
                    reverse(
                        ledger,
                        &owner.stamp(),
                        id,
                        &format!("RFC{n}"),
                        25,
                        RefundKind::Refund,
                        None,
                    );
                }
                _ => {}
            }
        }
    }
    // One real sale through the sandbox still waiting at the close.
    let waiting = desk
        .create_order(&ann, &sale_input("iotpay", "wechat-qr", "9.99", "CAD"))
        .await
        .unwrap();

    let x = shifts::x_report(ledger, &ann, None).unwrap();
    assert_eq!(figures_of(&x), brute_force(&path, shift.id), "X");
    assert_eq!(x.currencies.len(), 3);
    assert_eq!(x.waiting.len(), 1);
    assert!(
        x.opened_at_ms < midnight && x.until_ms > midnight,
        "the shift crosses midnight"
    );
    let per_staff: i64 = x
        .currencies
        .iter()
        .flat_map(|c| c.by_staff.iter())
        .map(|s| s.sales_minor)
        .sum();
    assert_eq!(
        per_staff,
        x.currencies.iter().map(|c| c.sales_minor).sum::<i64>(),
        "per staff adds up"
    );

    // The close does not pass silently over the waiting sale: refused, nothing sealed.
    let (c, said) = code(desk.close_shift(&ann, false).await);
    assert_eq!(c, "waiting_sales");
    assert!(said.contains(&waiting.merchant_order_no), "{said}");
    assert!(ledger.current_shift().unwrap().is_some());

    let z = desk.close_shift(&max, true).await.unwrap();
    assert_eq!(figures_of(&z), brute_force(&path, shift.id), "Z");
    assert_eq!(z.closed_by.as_deref(), Some("Max"));
    assert!(z
        .waiting_note
        .as_deref()
        .unwrap()
        .contains("carried to the next shift"));
    assert_eq!(
        shifts::z_report(ledger, shift.id).unwrap(),
        z,
        "sealed as shown"
    );

    // Sealed: no sale at this counter until a shift opens, and nothing is written.
    let before = crate::support::order_count(dir.path());
    let (c, _) = code(
        desk.create_order(&ann, &sale_input("iotpay", "alipay-qr", "1.00", "CAD"))
            .await,
    );
    assert_eq!(c, "no_open_shift");
    assert_eq!(crate::support::order_count(dir.path()), before);
    // Not even by hand: the ledger's triggers refuse to change the shift or add to it.
    assert!(db
        .execute(
            "UPDATE shifts SET z_report = '{}' WHERE id = ?1",
            [shift.id]
        )
        .is_err());
    assert!(db
        .execute(
            "INSERT INTO orders (merchant_order_no, gateway, method, environment, amount_minor, currency, status, created_at, updated_at, shift_id)
             VALUES ('PDLATE', 'iotpay', 'alipay-qr', 'sandbox', 100, 'CAD', 'paid', 0, 0, ?1)",
            [shift.id]
        )
        .is_err());

    // The next shift takes the carried sale, and counts it once it is paid.
    let next = shifts::open(ledger, &ann).unwrap();
    crate::support::settle_at_iotpay(dir.path(), &waiting.merchant_order_no, true);
    desk.sync(waiting.id).await.unwrap();
    let x2 = shifts::x_report(ledger, &ann, None).unwrap();
    assert_eq!(x2.shift_id, next.id);
    assert_eq!(figures_of(&x2), brute_force(&path, next.id));
    assert_eq!(x2.currencies[0].sales_minor, 999);
    assert_eq!(
        shifts::z_report(ledger, shift.id).unwrap(),
        z,
        "the sealed Z does not move"
    );
}

fn cli_staffed_shop(data: &Path) {
    run_ok(&mut paydesk(data, &["settings", "set", "mode", "sandbox"]));
    run_with_lines(
        &mut paydesk(
            data,
            &[
                "--pin-stdin",
                "setup",
                "--shop-name",
                "Corner",
                "--currency",
                "CAD",
                "--methods",
                "alipay-qr,wechat-qr",
            ],
        ),
        &[OWNER_PIN],
    );
    for (name, role, pin) in [("Ann", "cashier", ANN_PIN), ("Max", "manager", MAX_PIN)] {
        run_with_lines(
            &mut paydesk(data, &["--pin-stdin", "staff", "add", name, "--role", role]),
            &[OWNER_PIN, pin],
        );
    }
    run_with_lines(
        &mut paydesk(data, &["--pin-stdin", "staff", "cap", "CAD", "20.00"]),
        &[OWNER_PIN],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_acts_as_a_named_staff_member_with_the_same_roles() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    cli_staffed_shop(data);
    // Ann sells from the command line.
    let out = run_with_lines(
        &mut paydesk(
            data,
            &[
                "--staff",
                "Ann",
                "--pin-stdin",
                "order",
                "create",
                "--gateway",
                "iotpay",
                "--method",
                "alipay-qr",
                "--amount",
                "12.00",
                "--json",
            ],
        ),
        &[ANN_PIN],
    );
    let order = json(&out)["order"].clone();
    assert_eq!(order["staff"], "Ann");
    let number = order["merchantOrderNo"].as_str().unwrap().to_string();
    crate::support::settle_at_iotpay(data, &number, true);
    run_ok(&mut paydesk(data, &["order", "sync", &number]));

    // Her refund needs an approval: without one it is refused (exit 2), nothing written.
    let out = run_with_stdin(
        &mut paydesk(
            data,
            &[
                "--staff",
                "Ann",
                "--pin-stdin",
                "order",
                "refund",
                &number,
                "--amount",
                "2.00",
            ],
        ),
        format!("{ANN_PIN}\n").as_bytes(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error[pin_required]"),
        "{}",
        stderr(&out)
    );
    // With Max's PIN on the next line it goes through, naming both.
    let out = run_with_lines(
        &mut paydesk(
            data,
            &[
                "--staff",
                "Ann",
                "--pin-stdin",
                "order",
                "refund",
                &number,
                "--amount",
                "2.00",
                "--json",
            ],
        ),
        &[ANN_PIN, MAX_PIN],
    );
    let refund = json(&out)["refunds"][0].clone();
    assert_eq!(
        (refund["staff"].as_str(), refund["approver"].as_str()),
        (Some("Ann"), Some("Max"))
    );

    // Orders filtered by who sold them (any case), and the export's staff column.
    let mine = json(&run_ok(&mut paydesk(
        data,
        &["orders", "--sold-by", "ann", "--json"],
    )));
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
    let none = json(&run_ok(&mut paydesk(
        data,
        &["orders", "--sold-by", "Max", "--json"],
    )));
    assert_eq!(none.as_array().unwrap().len(), 0, "{none}");
    let out = run_with_lines(
        &mut paydesk(
            data,
            &[
                "--pin-stdin",
                "export",
                "csv",
                "--columns",
                "merchant_order_no,staff",
            ],
        ),
        &[OWNER_PIN],
    );
    assert!(
        stdout(&out).contains(&format!("{number},Ann")),
        "{}",
        stdout(&out)
    );

    // Shifts from the command line: open, X, close with the Z as JSON, CSV and PDF.
    run_with_lines(
        &mut paydesk(data, &["--staff", "Ann", "--pin-stdin", "shift", "open"]),
        &[ANN_PIN],
    );
    let csv = data.join("z.csv");
    let pdf = data.join("z.pdf");
    let out = run_with_lines(
        &mut paydesk(
            data,
            &[
                "--staff",
                "Max",
                "--pin-stdin",
                "shift",
                "close",
                "--json",
                "--csv",
                csv.to_str().unwrap(),
                "--pdf",
                pdf.to_str().unwrap(),
            ],
        ),
        &[MAX_PIN],
    );
    let z = json(&out);
    assert_eq!(z["kind"], "Z");
    assert_eq!(z["closedBy"], "Max");
    let csv = std::fs::read_to_string(&csv).unwrap();
    assert!(csv.contains("report,Z"), "{csv}");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-1.4"));

    // The audit log has all of it, with both names on the refund, and it verifies.
    let out = run_with_lines(
        &mut paydesk(
            data,
            &["--pin-stdin", "audit", "list", "--json", "--limit", "100"],
        ),
        &[OWNER_PIN],
    );
    let entries = json(&out);
    let actions: Vec<&str> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for wanted in [
        "setup",
        "staff_add",
        "refund_cap",
        "sign_in",
        "sale",
        "refund",
        "shift_open",
        "shift_close",
    ] {
        assert!(actions.contains(&wanted), "{wanted} in {actions:?}");
    }
    let out = run_ok(&mut paydesk(data, &["audit", "verify"]));
    assert!(
        stdout(&out).contains("the audit log is whole"),
        "{}",
        stdout(&out)
    );
}

/// `paydesk audit verify` on the data dir: (exit code, what it said).
fn verify(data: &Path) -> (i32, String) {
    let out = run(&mut paydesk(data, &["audit", "verify"]));
    (out.status.code().unwrap_or(-1), stdout(&out))
}

fn sqlite(data: &Path, sql: &str) {
    let out = std::process::Command::new("sqlite3")
        .arg(crate::support::ledger_path(data))
        .arg(sql)
        .output()
        .expect("sqlite3 is installed by scripts/setup.sh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_verify_names_an_entry_edited_by_hand_an_edited_sale_and_a_deleted_newest_entry() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    cli_staffed_shop(data);
    for amount in ["5.00", "6.00", "7.00"] {
        run_with_lines(
            &mut paydesk(
                data,
                &crate::support::order_create(
                    "iotpay",
                    "alipay-qr",
                    amount,
                    &["--staff", "Ann", "--pin-stdin"],
                ),
            ),
            &[ANN_PIN],
        );
    }
    let (code, said) = verify(data);
    assert_eq!(code, 0, "{said}");
    let backup = data.join("whole.db");
    std::fs::copy(crate::support::ledger_path(data), &backup).unwrap();

    // One entry's detail edited with sqlite3 (its append-only trigger dropped first, as
    // someone editing the file would): verify names that entry.
    sqlite(
        data,
        "DROP TRIGGER audit_no_update; UPDATE audit_log SET detail = 'role owner' WHERE seq = 3;",
    );
    let (code, said) = verify(data);
    assert_eq!(code, 1);
    assert!(said.contains("BROKEN at entry 3"), "{said}");
    assert!(said.contains("changed after it was written"), "{said}");

    // An order's amount edited by hand: the chain is whole, but the sale's entry disagrees.
    std::fs::copy(&backup, crate::support::ledger_path(data)).unwrap();
    sqlite(
        data,
        "UPDATE orders SET amount_minor = 50 WHERE amount_minor = 600;",
    );
    let (code, said) = verify(data);
    assert_eq!(code, 1);
    assert!(
        said.contains("reads \"50 CAD alipay-qr\" but entry"),
        "{said}"
    );

    // The newest entry deleted: the chain left is whole, but the head kept apart (audit.head,
    // beside the ledger file) names an entry the log no longer has.
    std::fs::copy(&backup, crate::support::ledger_path(data)).unwrap();
    let newest: i64 = {
        let db = rusqlite::Connection::open(crate::support::ledger_path(data)).unwrap();
        db.query_row("SELECT MAX(seq) FROM audit_log", [], |r| r.get(0))
            .unwrap()
    };
    sqlite(data, "DROP TRIGGER audit_no_delete; DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log);");
    let (code, said) = verify(data);
    assert_eq!(code, 1);
    assert!(
        said.contains(&format!("BROKEN at entry {newest}")),
        "{said}"
    );
    assert!(said.contains("were deleted"), "{said}");
}
