use std::time::Duration;

use super::wire::{minor_of, AMOUNT_MARKER};
use super::*;
use crate::CodeMeaning;
use paydesk_domain::money::Currency;
use paydesk_domain::order::Method;
use paydesk_secrets::vault::Sensitive;

fn eur(text: &str) -> Money {
    Money::parse(text, Currency::parse("EUR").unwrap()).unwrap()
}

fn adapter(edit: impl FnOnce(&mut SmartpayConfig)) -> Smartpay {
    let mut config = SmartpayConfig {
        base: "http://127.0.0.1:9/smartpay".into(),
        merchant_key: "48c4e923-e88c-464b-a4e7-ccb2c6d3775e".into(),
        auth: SmartpayAuth::Basic {
            authentication_key: Sensitive::new("key".into()),
        },
        script_url: Some("https://example.com/smp-bundle.js".into()),
        origin: "tauri://localhost".into(),
        consumer_first_name: "Counter".into(),
        consumer_last_name: "Customer".into(),
        consumer_email: "customer@example.com".into(),
        timeout: DEFAULT_TIMEOUT,
        pending_retries: 3,
        pending_retry_interval: Duration::from_secs(60),
    };
    edit(&mut config);
    Smartpay::new(config).unwrap()
}

fn request<'a>(order_no: &'a str, amount: Money, description: &'a str) -> CreateRequest<'a> {
    CreateRequest {
        merchant_order_no: order_no,
        method: Method::SmartpayCard,
        amount,
        description,
        payment_code: None,
        card_id: None,
    }
}

#[test]
fn every_word_and_code_has_a_label_and_one_entry() {
    for w in STATUS_WORDS {
        assert!(
            !w.label.trim().is_empty() && w.label != w.word,
            "{}",
            w.word
        );
        assert_eq!(STATUS_WORDS.iter().filter(|o| o.word == w.word).count(), 1);
    }
    for w in MODIFICATION_WORDS {
        assert!(
            !w.label.trim().is_empty() && w.label != w.word,
            "{}",
            w.word
        );
        assert_eq!(
            MODIFICATION_WORDS
                .iter()
                .filter(|o| o.word == w.word)
                .count(),
            1
        );
    }
    for c in ERROR_CODES {
        assert!(!c.label.trim().is_empty(), "{}", c.code);
    }
    for word in [
        "CREATED",
        "AUTORIZATION_INITIALIZED",
        "AUTHORIZATION_PENDING",
        "AUTHORIZATION_COMPLETED",
        "CAPTURE_PENDING",
        "CAPTURED",
        "SETTLED",
    ] {
        assert!(status_word(word).is_some(), "{word} is the vendor's");
    }
}

#[test]
fn statuses_map_through_the_table() {
    for w in STATUS_WORDS {
        assert_eq!(map_status(w.word), w.status, "{}", w.word);
    }
    assert_eq!(map_status(" captured "), OrderStatus::Paid);
    assert_eq!(
        map_status("AUTHORIZATION_COMPLETED"),
        OrderStatus::Authorized
    );
    for pending in [
        "CREATED",
        "AUTORIZATION_INITIALIZED",
        "CAPTURE_PENDING",
        "SOMETHING_NEW",
    ] {
        assert_eq!(map_status(pending), OrderStatus::Pending, "{pending}");
    }
    // Only the table's failure words fail an order: an unknown `_FAILED` stays pending.
    assert_eq!(map_status("AUTHORIZATION_FAILED"), OrderStatus::Failed);
    assert_eq!(map_status("CAPTURE_FAILED"), OrderStatus::Pending);
    assert_eq!(map_status("CANCELLED"), OrderStatus::Cancelled);
    assert_eq!(map_status("REFUNDED"), OrderStatus::Refunded);
    assert!(is_pending_state("CAPTURE_PENDING") && !is_pending_state("AUTORIZATION_INITIALIZED"));
    assert_eq!(error_code(400).unwrap().meaning, CodeMeaning::Refused);
    assert_eq!(error_code(404).unwrap().meaning, CodeMeaning::NoSuchOrder);
    assert!(error_code(409).is_none() && error_code(422).is_none());
}

#[test]
fn the_pending_policy_is_three_requeries_within_three_minutes() {
    assert_eq!(pending_poll_schedule().len(), 3);
    assert_eq!(PENDING_REQUERIES, 3);
    let total: Duration = POLL_POLICY.iter().sum();
    assert!(total <= PENDING_WINDOW, "{total:?}");
}

/// The seed's status answer, and the vendor's misspelled status kept verbatim.
#[test]
fn recorded_status_bodies() {
    let seed = r#"{"transactionId":"48c4e923-e88c-464b-a4e7-ccb2c6d3775e","reconciliationReferenceId":"zKZhOVjJitCdHdJzicGmI","description":"Purchase 1x product ABC","paymentStatus":"CAPTURED","creationDate":"2020-12-15T13:49:36.556Z","transactionOverview":{"amount":10.99,"currencyCode":"EUR","mit":false,"transactionId":"48c4e923-e88c-464b-a4e7-ccb2c6d3775e","paymentMethod":"CARDS"},"modifications":[]}"#;
    let report = parse_status(seed).unwrap();
    assert_eq!(
        (report.status, report.gateway_status.as_str()),
        (OrderStatus::Paid, "CAPTURED")
    );
    let note = report.note.unwrap();
    assert!(
        note.contains("zKZhOVjJitCdHdJzicGmI") && note.contains("2020-12-15T13:49:36.556Z"),
        "{note}"
    );
    let misspelled = r#"{"transactionId":"fc10f767-12a7-46d0-9da0-4af6b5b67c4d","paymentStatus":"AUTORIZATION_INITIALIZED"}"#;
    let report = parse_status(misspelled).unwrap();
    assert_eq!(
        (report.status, report.gateway_status.as_str()),
        (OrderStatus::Pending, "AUTORIZATION_INITIALIZED")
    );
    let support = support_fields(seed).unwrap();
    assert_eq!(
        support["reconciliationReferenceId"],
        "zKZhOVjJitCdHdJzicGmI"
    );
    assert_eq!(support["creationDate"], "2020-12-15T13:49:36.556Z");
    let unknown = r#"{"transactionId":"x","paymentStatus":"RISK_REVIEW"}"#;
    assert_eq!(parse_status(unknown).unwrap().gateway_status, "RISK_REVIEW");
    assert!(matches!(
        parse_status(r#"{"transactionId":"x"}"#),
        Err(Error::GatewayProtocol { .. })
    ));
    assert!(matches!(
        parse_status("<html>"),
        Err(Error::GatewayProtocol { .. })
    ));

    // The seed's answer is about its own transaction, 10.99 EUR.
    let value: Value = serde_json::from_str(seed).unwrap();
    let id = "48c4e923-e88c-464b-a4e7-ccb2c6d3775e";
    assert!(check_status_identity("s", &value, id, Some(eur("10.99"))).is_ok());
    assert!(check_status_identity("s", &value, &id.to_uppercase(), None).is_ok());
}

#[test]
fn a_status_answer_must_be_about_the_order_asked() {
    let id = "fc10f767-12a7-46d0-9da0-4af6b5b67c4d";
    let body = |top: &str, inner: &str, amount: &str, currency: &str| -> Value {
        serde_json::from_str(&format!(
            r#"{{"transactionId":"{top}","paymentStatus":"CAPTURED","transactionOverview":{{"transactionId":"{inner}","amount":{amount},"currencyCode":"{currency}"}}}}"#
        ))
        .unwrap()
    };
    let suspicious = |r: Result<()>| match r {
        Err(e @ Error::GatewayProtocol { .. }) => {
            assert!(e.to_string().contains("suspicious"), "{e}");
            assert!(e.is_outcome_unknown());
        }
        other => panic!("{other:?}"),
    };
    assert!(check_status_identity("s", &body(id, id, "10.00", "EUR"), id, Some(eur("10"))).is_ok());
    assert!(
        check_status_identity("s", &body(id, id, "10.0", "EUR"), id, Some(eur("10.00"))).is_ok()
    );
    let other = "00000000-0000-4000-a000-000000000001";
    suspicious(check_status_identity(
        "s",
        &body(other, other, "10.00", "EUR"),
        id,
        None,
    ));
    suspicious(check_status_identity(
        "s",
        &body(id, other, "10.00", "EUR"),
        id,
        None,
    ));
    suspicious(check_status_identity(
        "s",
        &body(id, id, "1.00", "EUR"),
        id,
        Some(eur("10")),
    ));
    suspicious(check_status_identity(
        "s",
        &body(id, id, "10.001", "EUR"),
        id,
        Some(eur("10")),
    ));
    suspicious(check_status_identity(
        "s",
        &body(id, id, "10.00", "USD"),
        id,
        Some(eur("10")),
    ));
    // An answer naming no transaction cannot be tied to the order: unknown, not paid.
    let anonymous: Value = serde_json::from_str(r#"{"paymentStatus":"CAPTURED"}"#).unwrap();
    assert!(matches!(
        check_status_identity("s", &anonymous, id, Some(eur("10"))),
        Err(Error::GatewayProtocol { .. })
    ));
    // Where the answer does not carry the amount, the identity is enough.
    let bare: Value = serde_json::from_str(&format!(
        r#"{{"transactionId":"{id}","paymentStatus":"CREATED"}}"#
    ))
    .unwrap();
    assert!(check_status_identity("s", &bare, id, Some(eur("10"))).is_ok());
}

/// The vendor's Cancel page answer, and the refund shapes of the Response Model page.
#[test]
fn modification_answers_are_read_for_the_modification_asked() {
    let id = "933a0fab-80a0-42c5-b010-c71174f4ab32";
    let answer = |entry_key: &str, kind: &str, mid: &str, status: &str, amount: &str| -> Value {
        let entry = format!(
            r#"{{"modificationData":{{"type":"{kind}","modificationId":"{mid}","reconciliationReferenceId":"RR1"}},"modificationAmount":{{"amount":{amount},"currencyCode":"EUR"}},"status":"{status}"}}"#
        );
        let listed = if entry_key == "modification" {
            format!(r#""modification":{entry},"modifications":[{entry}]"#)
        } else {
            format!(r#""modifications":[{entry}]"#)
        };
        serde_json::from_str(&format!(
            r#"{{"paymentStatus":"CAPTURED","transactionOverview":{{"transactionId":"{id}","amount":10.99,"currencyCode":"EUR"}},{listed}}}"#
        ))
        .unwrap()
    };
    let done = read_modification(
        "c",
        &answer("modification", "CANCELLATION", "M-1", "CANCELLED", "10.99"),
        id,
        "M-1",
        Some(ModificationKind::CancelOrRefund),
        None,
    )
    .unwrap();
    assert_eq!(
        (
            done.gateway_refund_id.as_deref(),
            done.gateway_status.as_deref()
        ),
        (Some("RR1"), Some("CANCELLED"))
    );
    let refund = |status: &str, amount: &str| {
        read_modification(
            "r",
            &answer("modifications", "REFUND", "R-1", status, amount),
            id,
            "R-1",
            Some(ModificationKind::Refund),
            Some(eur("3.00")),
        )
    };
    assert!(refund("REFUNDED", "3.00").is_ok());
    assert!(matches!(
        refund("REFUND_PENDING", "3.00"),
        Err(Error::GatewayPending { .. })
    ));
    assert!(matches!(
        refund("SOMETHING_NEW", "3.00"),
        Err(Error::GatewayPending { .. })
    ));
    assert!(matches!(
        refund("", "3.00"),
        Err(Error::GatewayPending { .. })
    ));
    assert!(
        matches!(
            refund("CAPTURED", "3.00"),
            Err(Error::GatewayPending { .. })
        ),
        "not a refund's done word"
    );
    match refund("REFUND_FAILED", "3.00") {
        Err(Error::GatewayRejected { code, .. }) => assert_eq!(code, "REFUND_FAILED"),
        other => panic!("{other:?}"),
    }
    // The first request's result, for a resend that asked for something else.
    assert!(matches!(
        refund("REFUNDED", "4.00"),
        Err(Error::GatewayProtocol { .. })
    ));
    // Another modification, or none with this id: not done.
    assert!(matches!(
        read_modification(
            "r",
            &answer("modifications", "REFUND", "R-2", "REFUNDED", "3.00"),
            id,
            "R-1",
            None,
            None
        ),
        Err(Error::GatewayPending { .. })
    ));
    // Of another kind than asked, or about another transaction: suspicious.
    assert!(matches!(
        read_modification(
            "c",
            &answer("modification", "CAPTURE", "R-1", "CAPTURED", "3.00"),
            id,
            "R-1",
            Some(ModificationKind::Refund),
            None
        ),
        Err(Error::GatewayProtocol { .. })
    ));
    assert!(matches!(
        read_modification(
            "r",
            &answer("modifications", "REFUND", "R-1", "REFUNDED", "3.00"),
            "00000000-0000-4000-a000-000000000001",
            "R-1",
            None,
            None
        ),
        Err(Error::GatewayProtocol { .. })
    ));
    // The old sandbox's answer (any 2xx) says nothing about the modification: not done.
    let bare: Value = serde_json::from_str(&format!(
        r#"{{"transactionId":"{id}","modificationId":"R-1","modificationStatus":"SUCCEEDED","paymentStatus":"CAPTURED"}}"#
    ))
    .unwrap();
    assert!(matches!(
        read_modification("r", &bare, id, "R-1", Some(ModificationKind::Refund), None),
        Err(Error::GatewayPending { .. })
    ));
}

#[test]
fn prepare_create_builds_the_body_and_checks_everything_first() {
    let smartpay = adapter(|_| {});
    let body = smartpay
        .prepare_create(&request(
            "PD2611221230001234AB",
            eur("10.99"),
            "Sale PD2611221230001234AB",
        ))
        .unwrap();
    assert_eq!(body["partnerReference"], "PD2611221230001234AB");
    assert_eq!(body["payment"]["amount"], json!(10.99));
    assert_eq!(body["payment"]["currencyCode"], "EUR");
    assert_eq!(body["consumer"]["emailAddress"], "customer@example.com");
    assert_eq!(body["merchantKey"], "48c4e923-e88c-464b-a4e7-ccb2c6d3775e");

    let field = |s: &Smartpay, r: CreateRequest<'_>| s.prepare_create(&r).unwrap_err().field();
    let ok = |s: &Smartpay| s.prepare_create(&request("PD-1", eur("1.00"), "x"));
    assert_eq!(
        field(
            &adapter(|c| c.script_url = None),
            request("PD-1", eur("1"), "x")
        ),
        Some("smartpay.script_url")
    );
    assert_eq!(
        field(
            &adapter(|c| c.script_url = Some(" ".into())),
            request("PD-1", eur("1"), "x")
        ),
        Some("smartpay.script_url")
    );
    assert_eq!(
        field(&smartpay, request("has space", eur("1"), "x")),
        Some("partnerReference")
    );
    assert_eq!(
        field(&smartpay, request(&"P".repeat(65), eur("1"), "x")),
        Some("partnerReference")
    );
    assert!(smartpay
        .prepare_create(&request(&"P".repeat(64), eur("1"), "x"))
        .is_ok());
    assert!(smartpay
        .prepare_create(&request("a-Z_0.9:x", eur("1"), "x"))
        .is_ok());
    let long = "d".repeat(128);
    assert_eq!(
        field(&smartpay, request("PD-1", eur("1"), &long)),
        Some("payment.description")
    );
    assert!(smartpay
        .prepare_create(&request("PD-1", eur("1"), &long[..127]))
        .is_ok());
    let jpy = Money::parse("100", Currency::parse("JPY").unwrap()).unwrap();
    assert_eq!(
        field(&smartpay, request("PD-1", jpy, "x")),
        Some("currency")
    );
    assert_eq!(
        adapter(|c| c.consumer_first_name = "F".repeat(61))
            .prepare_create(&request("PD-1", eur("1"), "x"))
            .unwrap_err()
            .field(),
        Some("consumer.firstName")
    );
    assert!(ok(&adapter(|c| c.consumer_first_name = "F".repeat(60))).is_ok());
    assert_eq!(
        adapter(|c| c.consumer_last_name = " ".into())
            .prepare_create(&request("PD-1", eur("1"), "x"))
            .unwrap_err()
            .field(),
        Some("consumer.lastName")
    );
    assert_eq!(
        adapter(|c| c.consumer_email = format!("{}@x.io", "e".repeat(251)))
            .prepare_create(&request("PD-1", eur("1"), "x"))
            .unwrap_err()
            .field(),
        Some("consumer.emailAddress")
    );
    assert_eq!(
        adapter(|c| c.consumer_email = "nobody".into())
            .prepare_create(&request("PD-1", eur("1"), "x"))
            .unwrap_err()
            .field(),
        Some("consumer.emailAddress")
    );
    assert_eq!(
        adapter(|c| c.merchant_key = "k".repeat(37))
            .prepare_create(&request("PD-1", eur("1"), "x"))
            .unwrap_err()
            .field(),
        Some("merchantKey")
    );
    // One API's limits never stop the adapter being built: `new` checks nothing.
    let _ = adapter(|c| {
        c.script_url = None;
        c.consumer_email = String::new();
    });
}

#[test]
fn modifications_are_checked_before_they_are_sent() {
    let smartpay = adapter(|_| {});
    let id = "933a0fab-80a0-42c5-b010-c71174f4ab32";
    assert!(smartpay
        .prepare_refund("RF2611221230001234AB", eur("3.00"))
        .is_ok());
    assert!(smartpay.prepare_capture("CP-1", None).is_ok());
    assert!(smartpay.prepare_capture("CP-1", Some(eur("5"))).is_ok());
    assert!(smartpay
        .prepare_cancel_or_refund("X-1", Some("refund from Paydesk"))
        .is_ok());
    let field = |r: Result<()>| r.unwrap_err().field();
    assert_eq!(
        field(smartpay.prepare_refund(&"m".repeat(65), eur("1"))),
        Some("modificationId")
    );
    assert!(smartpay.prepare_refund(&"m".repeat(64), eur("1")).is_ok());
    assert_eq!(
        field(smartpay.prepare_refund("has space", eur("1"))),
        Some("modificationId")
    );
    assert_eq!(
        field(smartpay.prepare_refund("", eur("1"))),
        Some("modificationId")
    );
    let jpy = Money::parse("100", Currency::parse("JPY").unwrap()).unwrap();
    assert_eq!(field(smartpay.prepare_refund("R-1", jpy)), Some("currency"));
    assert_eq!(
        field(smartpay.prepare_cancel_or_refund("X-1", Some(&"d".repeat(128)))),
        Some("description")
    );
    let body = |t: &str| smartpay.modification_body(t, "C-1", None, None).map(|_| ());
    assert_eq!(field(body("")), Some("transactionId"));
    assert_eq!(field(body(&"t".repeat(37))), Some("transactionId"));
    // The wire form: modifiedAmount is an object (Capture and Refund pages), exact decimals.
    let (body, decimal) = smartpay
        .modification_body(id, "R-1", Some(eur("10")), None)
        .unwrap();
    assert_eq!(body["modifiedAmount"]["currencyCode"], "EUR");
    assert_eq!(decimal.as_deref(), Some("10.00"));
    let mut wire = body.clone();
    wire["modifiedAmount"]["amount"] = json!(AMOUNT_MARKER);
    let text = json_with_decimal(&wire, AMOUNT_MARKER, "10.00").unwrap();
    assert!(
        text.contains(r#""modifiedAmount":{"amount":10.00,"currencyCode":"EUR"}"#),
        "{text}"
    );
}

#[test]
fn references_and_amounts() {
    assert!(check_reference("partnerReference", "PD2611221230001234AB").is_ok());
    assert!(check_reference("modificationId", "RF-1:2.3_4").is_ok());
    assert_eq!(
        check_reference("partnerReference", "has space")
            .unwrap_err()
            .field(),
        Some("partnerReference")
    );
    assert!(check_reference("modificationId", &"x".repeat(65)).is_err());
    assert_eq!(wire_amount(eur("10.99")).unwrap(), "10.99");
    assert_eq!(wire_amount(eur("10")).unwrap(), "10.00");
    assert!(wire_amount(Money::parse("10", Currency::parse("JPY").unwrap()).unwrap()).is_err());
    assert_eq!(minor_of(&json!(10.99), eur("1")), Some(1099));
    assert_eq!(minor_of(&json!(10.0), eur("1")), Some(1000));
    assert_eq!(minor_of(&json!("10.50"), eur("1")), Some(1050));
    assert_eq!(minor_of(&json!(10.999), eur("1")), None);
    assert_eq!(base64(b"48c4e923:secret"), "NDhjNGU5MjM6c2VjcmV0");
    assert_eq!(base64(b"ab"), "YWI=");
}
