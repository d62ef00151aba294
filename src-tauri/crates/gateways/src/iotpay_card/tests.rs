use std::time::Duration;

use super::*;
use paydesk_domain::money::Currency;
use paydesk_secrets::vault::Sensitive;

const KEY: &str = "k";

fn signed(mut data: Map<String, Value>) -> String {
    let sign = iotpay_sign(&data, KEY);
    data.insert("sign".into(), json!(sign));
    json!({ "retCode": "SUCCESS", "retMsg": "", "retData": data }).to_string()
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

fn cad(text: &str) -> Money {
    Money::parse(text, Currency::CAD).unwrap()
}

fn adapter(login_name: &str) -> IotpayCard {
    IotpayCard::new(IotpayCardConfig {
        base: "http://127.0.0.1:9/iotpay/v3".into(),
        mch_id: "10000701".into(),
        login_name: login_name.into(),
        key: Sensitive::new(KEY.into()),
        notify_url: "https://shop.example/notify/iotpay-card".into(),
        return_url: "https://shop.example/done".into(),
        script_url: DEFAULT_SCRIPT_URL.into(),
        timeout: Duration::from_secs(5),
    })
    .expect("new never checks the settings")
}

fn request<'a>(method: Method, card_id: Option<&'a str>) -> CreateRequest<'a> {
    CreateRequest {
        merchant_order_no: "PD20240101000001",
        method,
        amount: cad("15.00"),
        description: "Coffee",
        payment_code: None,
        card_id,
    }
}

#[test]
fn v3_statuses_map_into_the_unified_model_from_the_table() {
    assert_eq!(map_status(0), OrderStatus::Pending);
    assert_eq!(map_status(1), OrderStatus::Pending, "unknown stays pending");
    assert_eq!(map_status(2), OrderStatus::Paid);
    assert_eq!(map_status(3), OrderStatus::Paid);
    assert_eq!(map_status(9), OrderStatus::Failed);
    assert_eq!(map_status(42), OrderStatus::Pending);
    let words: Vec<&str> = STATUS_WORDS.iter().map(|w| w.word).collect();
    assert_eq!(words, ["0", "1", "2", "3", "9"]);
    for w in STATUS_WORDS {
        assert_eq!(map_status(w.word.parse().unwrap()), w.status);
    }
}

#[test]
fn every_status_word_and_code_has_a_plain_label() {
    for w in STATUS_WORDS {
        assert!(!w.label.trim().is_empty(), "{}", w.word);
        assert!(
            !w.label.contains(w.word),
            "{}: a label is words, not the code",
            w.word
        );
    }
    for c in ERROR_CODES {
        assert!(!c.label.trim().is_empty(), "{}", c.code);
    }
    assert!(!status_label("77").is_empty());
}

#[test]
fn answers_are_read_from_ret_data_and_fail_envelopes_are_refusals() {
    let ok = parse_answer(
        "cc_query",
        &signed(object(json!({"status": 2, "payOrderId": "C1"}))),
        KEY,
    )
    .unwrap();
    assert_eq!(ok["payOrderId"], "C1");
    match parse_answer(
        "cc_purchase",
        r#"{"retCode":"FAIL","retMsg":"amount invalid"}"#,
        KEY,
    ) {
        Err(Error::GatewayRejected { code, message, .. }) => assert_eq!(
            (code.as_str(), message.as_str()),
            ("FAIL", "amount invalid")
        ),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        parse_answer("x", r#"{"retCode":"SUCCESS"}"#, KEY),
        Err(Error::GatewayProtocol { .. })
    ));
    assert!(matches!(
        parse_answer("x", "{truncated", KEY),
        Err(Error::GatewayProtocol { .. })
    ));
    let forged =
        r#"{"retCode":"SUCCESS","retData":{"status":2,"sign":"00000000000000000000000000000000"}}"#;
    assert!(matches!(
        parse_answer("x", forged, KEY),
        Err(Error::GatewayProtocol { .. })
    ));
}

/// Issue 11 item 4: this used to be pinned as valid ("a sign is checked when present").
#[test]
fn an_unsigned_success_answer_is_not_an_answer() {
    for unsigned in [
        r#"{"retCode":"SUCCESS","retMsg":"","retData":{"status":2,"payOrderId":"C1","mchOrderNo":"PD1"}}"#,
        r#"{"retCode":"SUCCESS","retData":"{\"status\":2}"}"#,
    ] {
        match parse_answer("cc_query", unsigned, KEY) {
            Err(e @ Error::GatewayProtocol { .. }) => {
                assert!(e.is_outcome_unknown());
                assert!(e.to_string().contains("not signed"), "{e}");
            }
            other => panic!("an unsigned answer was taken: {other:?}"),
        }
    }
    // A sign at the top level, over the retData fields, is accepted.
    let data = object(json!({"status": 2, "mchOrderNo": "PD1"}));
    let sign = iotpay_sign(&data, KEY);
    let top = json!({"retCode": "SUCCESS", "retData": data, "sign": sign}).to_string();
    assert_eq!(parse_answer("cc_query", &top, KEY).unwrap()["status"], 2);
}

#[test]
fn a_query_answer_must_be_about_the_order_asked() {
    let data = object(json!({"mchOrderNo": "PD1", "amount": 1500, "currency": "CAD", "status": 2}));
    assert!(check_identity("cc_query", &data, "PD1", Some(cad("15.00")), true).is_ok());
    for (no, amount) in [("PD2", "15.00"), ("PD1", "14.99")] {
        match check_identity("cc_query", &data, no, Some(cad(amount)), true) {
            Err(e @ Error::GatewayProtocol { .. }) => {
                assert!(e.to_string().contains("suspicious"), "{e}")
            }
            other => panic!("{no} {amount}: {other:?}"),
        }
    }
    let usd = object(json!({"mchOrderNo": "PD1", "amount": 1500, "currency": "USD"}));
    assert!(
        check_identity("cc_query", &usd, "PD1", Some(cad("15.00")), true)
            .unwrap_err()
            .to_string()
            .contains("suspicious")
    );
    let bare = object(json!({"status": 2}));
    assert!(matches!(
        check_identity("cc_query", &bare, "PD1", Some(cad("15.00")), true),
        Err(Error::GatewayProtocol { .. })
    ));
    assert!(check_identity(
        "cc_purchasewithtoken",
        &bare,
        "PD1",
        Some(cad("15.00")),
        false
    )
    .is_ok());
}

#[test]
fn refund_answers_have_three_outcomes() {
    let answer = |status: Value| {
        object(json!({
            "payOrderId": "RP1", "mchOrderNo": "RF1", "originalOrderId": "PC1",
            "amount": 500, "currency": "CAD", "payType": "refund", "status": status,
        }))
    };
    let done = reversal_outcome(
        "cc_refund",
        &answer(json!(2)),
        "RF1",
        "PC1",
        Some(cad("5.00")),
    )
    .unwrap();
    assert_eq!(
        done.gateway_refund_id.as_deref(),
        Some("RP1"),
        "the refund's own id"
    );
    assert!(reversal_outcome("cc_refund", &answer(json!("3")), "RF1", "PC1", None).is_ok());
    for pending in [json!(0), json!(1), json!("1"), json!(5)] {
        match reversal_outcome("cc_void", &answer(pending.clone()), "RF1", "PC1", None) {
            Err(e @ Error::GatewayPending { .. }) => assert!(e.is_outcome_unknown()),
            other => panic!("{pending}: {other:?}"),
        }
    }
    assert!(matches!(
        reversal_outcome("cc_refund", &answer(json!(9)), "RF1", "PC1", None),
        Err(Error::GatewayRejected { ref code, .. }) if code == "9"
    ));
    // About another refund, another payment, another amount: suspicious, not done.
    for (no, original, amount) in [
        ("RF2", "PC1", "5.00"),
        ("RF1", "PC2", "5.00"),
        ("RF1", "PC1", "4.00"),
    ] {
        let e = reversal_outcome(
            "cc_refund",
            &answer(json!(2)),
            no,
            original,
            Some(cad(amount)),
        )
        .unwrap_err();
        assert!(e.to_string().contains("suspicious"), "{e}");
    }
    // The original order's own answer (main's sandbox gave it) is not the refund's.
    let original = object(json!({"payOrderId": "PC1", "mchOrderNo": "PD1", "status": 2}));
    assert!(matches!(
        reversal_outcome("cc_refund", &original, "RF1", "PC1", None),
        Err(Error::GatewayProtocol { .. })
    ));
    assert!(matches!(
        reversal_outcome(
            "cc_refund",
            &object(json!({"mchOrderNo": "RF1"})),
            "RF1",
            "PC1",
            None
        ),
        Err(Error::GatewayProtocol { .. })
    ));
}

#[test]
fn a_long_login_name_builds_the_adapter_and_stops_only_the_card_calls() {
    let card = adapter("cashier-at-the-front");
    for method in [Method::CardLink, Method::Card] {
        match card.prepare_create(&request(method, None)) {
            Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "loginName"),
            other => panic!("{other:?}"),
        }
    }
    assert!(matches!(
        card.prepare_refund("PC1", "RF1", Some(cad("1.00"))),
        Err(Error::InvalidInput {
            field: "loginName",
            ..
        })
    ));
    assert!(matches!(
        adapter("").prepare_create(&request(Method::Card, None)),
        Err(Error::InvalidInput {
            field: "loginName",
            ..
        })
    ));
}

#[test]
fn prepare_create_builds_the_exact_bodies() {
    let card = adapter("jack123");
    assert_eq!(
        card.prepare_create(&request(Method::CardLink, None))
            .unwrap(),
        json!({
            "mchId": "10000701", "mchOrderNo": "PD20240101000001", "amount": 1500,
            "currency": "CAD", "loginName": "jack123", "subject": "Coffee", "body": "Coffee",
            "channel": "PF_CC", "notifyUrl": "https://shop.example/notify/iotpay-card",
            "returnUrl": "https://shop.example/done",
        })
    );
    assert_eq!(
        card.prepare_create(&request(Method::CardToken, Some("customer-42")))
            .unwrap(),
        json!({
            "mchId": "10000701", "loginName": "jack123", "currency": "CAD",
            "mchOrderNo": "PD20240101000001", "cardId": "customer-42", "amount": 1500,
            "subject": "Coffee", "notifyUrl": "https://shop.example/notify/iotpay-card",
        })
    );
    let long = "x".repeat(300);
    let described = CreateRequest {
        description: &long,
        ..request(Method::Card, None)
    };
    let body = card.prepare_create(&described).unwrap();
    assert_eq!(body["subject"].as_str().unwrap().len(), 64);
    assert_eq!(body["body"].as_str().unwrap().len(), 250);
}

#[test]
fn prepare_create_refuses_what_v3_would() {
    let card = adapter("jack123");
    for bad in [
        "",
        "a b",
        "line\nbreak",
        "../etc",
        "esc\u{1b}[0m",
        "bidi\u{202e}x",
        "ü",
        &"9".repeat(31),
    ] {
        match card.prepare_create(&request(Method::CardToken, Some(bad))) {
            Err(Error::InvalidInput {
                field: "cardId", ..
            }) => {}
            other => panic!("{bad:?}: {other:?}"),
        }
    }
    assert!(matches!(
        card.prepare_create(&request(Method::CardToken, None)),
        Err(Error::InvalidInput {
            field: "cardId",
            ..
        })
    ));
    let usd = CreateRequest {
        amount: Money::parse("15.00", Currency::parse("USD").unwrap()).unwrap(),
        ..request(Method::Card, None)
    };
    assert!(matches!(card.prepare_create(&usd), Err(Error::Money(e)) if e.is_currency()));
    let long_no = "P".repeat(31);
    let numbered = CreateRequest {
        merchant_order_no: &long_no,
        ..request(Method::Card, None)
    };
    assert!(matches!(
        card.prepare_create(&numbered),
        Err(Error::InvalidInput {
            field: "mchOrderNo",
            ..
        })
    ));
    let mut config = card.config.clone();
    config.return_url = format!("https://shop.example/{}", "r".repeat(200));
    let long_return = IotpayCard::new(config).unwrap();
    assert!(matches!(
        long_return.prepare_create(&request(Method::CardLink, None)),
        Err(Error::InvalidInput {
            field: "returnUrl",
            ..
        })
    ));
    // A saved card does not send returnUrl: its size does not matter there.
    assert!(long_return
        .prepare_create(&request(Method::CardToken, Some("customer-42")))
        .is_ok());
}

#[test]
fn prepare_refund_checks_numbers_and_amounts() {
    let card = adapter("jack123");
    assert!(card.prepare_refund("PC1", "RF1", Some(cad("1.00"))).is_ok());
    assert!(card.prepare_refund("PC1", "RF1", None).is_ok());
    assert!(matches!(
        card.prepare_refund("PC1", &"R".repeat(31), None),
        Err(Error::InvalidInput {
            field: "mchRefundNo",
            ..
        })
    ));
    assert!(matches!(
        card.prepare_refund("", "RF1", None),
        Err(Error::InvalidInput {
            field: "payOrderId",
            ..
        })
    ));
    let usd = Money::parse("1.00", Currency::parse("USD").unwrap()).unwrap();
    assert!(card.prepare_refund("PC1", "RF1", Some(usd)).is_err());
}
