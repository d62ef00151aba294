use std::time::Duration;

use super::*;
use paydesk_domain::money::Currency;

fn adapter() -> Smepay {
    Smepay::new(SmepayConfig {
        base: "http://127.0.0.1:9".into(),
        paths: PathFamily::Seed,
        client_id: "client".into(),
        client_secret: Sensitive::new("secret".into()),
        callback_url: "https://shop.example/notify/smepay".into(),
        script_url: DEFAULT_SCRIPT_URL.into(),
        customer_name: "Counter customer".into(),
        customer_email: "customer@example.com".into(),
        customer_mobile: "9999999999".into(),
        timeout: Duration::from_secs(1),
    })
    .unwrap()
}

fn rupees(amount: &str) -> Money {
    Money::parse(amount, Currency::parse("INR").unwrap()).unwrap()
}

fn sale(order_no: &str, amount: Money) -> CreateRequest<'_> {
    CreateRequest {
        merchant_order_no: order_no,
        method: Method::Upi,
        amount,
        description: "Sale",
        payment_code: None,
        card_id: None,
    }
}

#[test]
fn every_status_word_has_a_label_and_map_status_reads_the_table() {
    let words: Vec<&str> = STATUS_WORDS.iter().map(|w| w.word).collect();
    assert_eq!(
        words,
        [
            "CREATED",
            "INITIATED",
            "PENDING",
            "SUCCESS",
            "TEST_SUCCESS",
            "FAILED",
            "EXPIRED"
        ]
    );
    for word in STATUS_WORDS {
        assert!(!word.label.trim().is_empty(), "{}", word.word);
        assert_ne!(word.label, word.word);
        assert_eq!(map_status(word.word), word.status);
        assert_eq!(map_status(&word.word.to_ascii_lowercase()), word.status);
        assert_eq!(label(word.word), word.label);
    }
    assert_eq!(label("INITIATED"), "waiting for the customer");
    assert_eq!(label("SUCCESS"), "paid");
    assert_eq!(
        map_status("FAILURE"),
        OrderStatus::Pending,
        "not a documented word"
    );
    assert!(ERROR_CODES.is_empty(), "SMEPay documents no error codes");
}

#[test]
fn prepare_builds_the_create_body_and_refuses_what_cannot_be_sent() {
    let smepay = adapter();
    let body = smepay.prepare_create(&sale("PD1", rupees("100"))).unwrap();
    assert_eq!(
        body,
        json!({
            "client_id": "client",
            "amount": "100.00",
            "order_id": "PD1",
            "callback_url": "https://shop.example/notify/smepay",
            "customer_details": {
                "email": "customer@example.com",
                "mobile": "9999999999",
                "name": "Counter customer"
            }
        })
    );
    let small = smepay
        .prepare_create(&sale("PD1", rupees("0.99")))
        .unwrap_err();
    assert_eq!(small.field(), Some("amount"));
    let cad = Money::parse("5", Currency::CAD).unwrap();
    assert_eq!(
        smepay
            .prepare_create(&sale("PD1", cad))
            .unwrap_err()
            .field(),
        Some("currency")
    );
    for bad in ["", "PD 1", &"P".repeat(65)] {
        assert_eq!(
            smepay
                .prepare_create(&sale(bad, rupees("1")))
                .unwrap_err()
                .field(),
            Some("order_id"),
            "{bad:?}"
        );
    }
    let refused = |edit: fn(&mut SmepayConfig)| {
        let mut smepay = adapter();
        edit(&mut smepay.config);
        smepay
            .prepare_create(&sale("PD1", rupees("1")))
            .unwrap_err()
            .field()
    };
    assert_eq!(
        refused(|c| c.customer_name = " ".into()),
        Some("customer_details.name")
    );
    assert_eq!(
        refused(|c| c.customer_email = "nobody".into()),
        Some("customer_details.email")
    );
    assert_eq!(
        refused(|c| c.customer_email = "a@b".into()),
        Some("customer_details.email")
    );
    assert_eq!(
        refused(|c| c.customer_mobile = "12345".into()),
        Some("customer_details.mobile")
    );
    assert_eq!(
        refused(|c| c.customer_mobile = "99999x9999".into()),
        Some("customer_details.mobile")
    );
    assert_eq!(
        refused(|c| c.callback_url = "ftp://x".into()),
        Some("callback_url")
    );
}

#[test]
fn a_status_answer_about_another_order_is_suspicious() {
    let answer = |text: &str| parse_status_answer("order/status", text).unwrap();
    let ours =
        answer(r#"{"status":true,"order_id":"PD1","payment_status":"SUCCESS","amount":"100.00"}"#);
    assert!(check_identity(&ours, "PD1", rupees("100")).is_ok());
    let number =
        answer(r#"{"status":true,"order_id":"PD1","payment_status":"SUCCESS","amount":100.5}"#);
    assert!(check_identity(&number, "PD1", rupees("100.50")).is_ok());
    let no_amount = answer(r#"{"status":true,"order_id":"PD1","payment_status":"PENDING"}"#);
    assert!(check_identity(&no_amount, "PD1", rupees("100")).is_ok());
    for other in [
        r#"{"status":true,"order_id":"PD2","payment_status":"SUCCESS","amount":"100.00"}"#,
        r#"{"status":true,"order_id":"PD1","payment_status":"SUCCESS","amount":"1.00"}"#,
        r#"{"status":true,"order_id":"PD1","payment_status":"SUCCESS","amount":"abc"}"#,
    ] {
        match check_identity(&answer(other), "PD1", rupees("100")) {
            Err(Error::GatewayProtocol { message, .. }) => {
                assert!(message.contains("suspicious"), "{message}")
            }
            got => panic!("{other}: {got:?}"),
        }
    }
    let untied = answer(r#"{"status":true,"payment_status":"SUCCESS"}"#);
    assert!(matches!(
        check_identity(&untied, "PD1", rupees("100")),
        Err(Error::GatewayProtocol { .. })
    ));
    assert_eq!(paise(&json!("100")), Some(10000));
    assert_eq!(paise(&json!(100.5)), Some(10050));
    assert_eq!(paise(&json!("1.005")), None);
}

#[test]
fn statuses_map_into_the_unified_model() {
    assert_eq!(map_status("SUCCESS"), OrderStatus::Paid);
    assert_eq!(map_status("TEST_SUCCESS"), OrderStatus::Paid);
    assert_eq!(map_status("FAILED"), OrderStatus::Failed);
    assert_eq!(map_status("EXPIRED"), OrderStatus::Expired);
    for pending in ["CREATED", "INITIATED", "PENDING", "ON_HOLD_FOR_REVIEW"] {
        assert_eq!(map_status(pending), OrderStatus::Pending, "{pending}");
    }
}

#[test]
fn the_slug_comes_as_order_slug_or_slug() {
    let seed = r#"{"status":true,"order_slug":"AbC123xyz","message":"Order created successfully"}"#;
    assert_eq!(parse_create(seed).unwrap(), "AbC123xyz");
    let plugin = r#"{"status":true,"slug":"QwE789","message":"ok"}"#;
    assert_eq!(parse_create(plugin).unwrap(), "QwE789");
    let neither = r#"{"status":true,"message":"ok"}"#;
    assert!(matches!(
        parse_create(neither),
        Err(Error::GatewayProtocol { .. })
    ));
    let refused = r#"{"status":false,"message":"Invalid amount"}"#;
    assert!(matches!(
        parse_create(refused),
        Err(Error::GatewayRejected { .. })
    ));
    assert!(matches!(
        parse_create("<html>502</html>"),
        Err(Error::GatewayProtocol { .. })
    ));
}

#[test]
fn an_unknown_status_is_kept_verbatim_as_pending() {
    let raw = parse_status(
        "order/status",
        r#"{"status":true,"order_id":"PD1","payment_status":"UNDER_REVIEW"}"#,
    )
    .unwrap();
    assert_eq!(raw, "UNDER_REVIEW");
    assert_eq!(map_status(&raw), OrderStatus::Pending);
    let validated = parse_status(
        "order/validate",
        r#"{"status":true,"payment_status":"TEST_SUCCESS"}"#,
    )
    .unwrap();
    assert_eq!(map_status(&validated), OrderStatus::Paid);
    assert!(parse_status("order/status", r#"{"status":true}"#).is_err());
}

#[test]
fn amounts_are_two_decimal_rupees_of_at_least_one() {
    let inr = Currency::parse("INR").unwrap();
    assert_eq!(
        wire_amount(Money::parse("100", inr).unwrap()).unwrap(),
        "100.00"
    );
    assert_eq!(
        wire_amount(Money::parse("1", inr).unwrap()).unwrap(),
        "1.00"
    );
    let small = wire_amount(Money::parse("0.99", inr).unwrap()).unwrap_err();
    assert_eq!(small.field(), Some("amount"));
    assert!(wire_amount(Money::parse("5", Currency::CAD).unwrap()).is_err());
}

#[test]
fn path_families() {
    assert_eq!(PathFamily::Seed.path("auth"), "/api/wiz/external/auth");
    assert_eq!(
        PathFamily::Seed.path("order/status"),
        "/api/external/order/status"
    );
    assert_eq!(
        PathFamily::Seed.path("order/initiate"),
        "/api/external/order/initiate"
    );
    assert_eq!(
        PathFamily::Wiz.path("order/status"),
        "/api/wiz/external/order/status"
    );
    assert!(PathFamily::parse("other").is_err());
}
