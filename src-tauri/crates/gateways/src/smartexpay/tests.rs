use std::time::Duration;

use super::*;
use paydesk_domain::money::Money;
use paydesk_domain::order::{Method, OrderStatus};
use paydesk_secrets::vault::Sensitive;

fn adapter(route_id: &str) -> Smartexpay {
    Smartexpay::new(SmartexpayConfig {
        base: "http://127.0.0.1:9".into(),
        page_base: DEFAULT_PAGE_BASE.into(),
        api_key_header: DEFAULT_API_KEY_HEADER.into(),
        api_key: Sensitive::new("k".into()),
        partner: Some("p".into()),
        route_id: route_id.into(),
        from_values: json!([]),
        to_values: json!([]),
        route_values: json!([]),
        lang: "en".into(),
        ipn_url: "http://127.0.0.1:9/notify/smartexpay".into(),
        client_callback_url: None,
        timeout: Duration::from_secs(1),
    })
    .unwrap()
}

fn money(amount: &str, currency: &str) -> Money {
    Money::parse(amount, Currency::parse(currency).unwrap()).unwrap()
}

fn sale(amount: Money) -> CreateRequest<'static> {
    CreateRequest {
        merchant_order_no: "PD1",
        method: Method::Exchange,
        amount,
        description: "Sale PD1",
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
            "new",
            "waitPayment",
            "errorPayment",
            "inProgress",
            "inProgressPayout",
            "errorPayout",
            "hold",
            "done",
            "returned",
            "deleted"
        ],
        "seed 001's statuses list, in its order"
    );
    for word in STATUS_WORDS {
        assert!(!word.label.trim().is_empty(), "{}", word.word);
        assert_ne!(word.label, word.word, "a label is not the gateway's code");
        assert_eq!(map_status(word.word), word.status);
        assert_eq!(label(word.word), word.label);
    }
    assert_eq!(label("waitPayment"), "waiting for the customer");
    assert!(label("returned").contains("money returned"));
    assert!(
        ERROR_CODES.is_empty(),
        "SmartExPay documents no error codes"
    );
}

#[test]
fn prepare_builds_the_body_and_refuses_what_cannot_be_sent() {
    let route = "5d8e6002b80b7b4cd75a6424";
    let exchange = adapter(route).with_from_currency(Some("eur"));
    assert_eq!(exchange.from_currency(), Some("EUR"));
    let body = exchange
        .prepare_create(&sale(money("12.50", "EUR")))
        .unwrap();
    assert_eq!(body["routeId"], route);
    assert_eq!(body["amount"].as_f64(), Some(12.5));
    assert_eq!(body["partner"], "p");
    assert_eq!(body["agreement"], true);
    assert_eq!(body["ipnSecret"], ipn_secret("k", "PD1"));

    // Not the route's "from" currency: a clear field error, nothing sent.
    let usd = exchange
        .prepare_create(&sale(money("12.50", "USD")))
        .unwrap_err();
    assert_eq!(usd.field(), Some("currency"), "{usd}");
    assert!(usd.to_string().contains("EUR"), "{usd}");
    // No from currency known: refused, naming the setting.
    let unset = adapter(route)
        .prepare_create(&sale(money("12.50", "EUR")))
        .unwrap_err();
    assert_eq!(unset.field(), Some("from_currency"), "{unset}");

    for bad in [
        "",
        "5d8e6002b80b7b4cd75a642",
        "5d8e6002b80b7b4cd75a6424f",
        "zz8e6002b80b7b4cd75a6424",
    ] {
        let e = adapter(bad)
            .with_from_currency(Some("EUR"))
            .prepare_create(&sale(money("1", "EUR")))
            .unwrap_err();
        assert_eq!(e.field(), Some("routeId"), "{bad:?}");
    }
    let mut bad_values = adapter(route).with_from_currency(Some("EUR"));
    bad_values.config.from_values = json!([{ "key": "card", "value": "4111" }]);
    let e = bad_values
        .prepare_create(&sale(money("1", "EUR")))
        .unwrap_err();
    assert_eq!(
        e.field(),
        Some("requisites"),
        "fromValues keys are ObjectIds: {e}"
    );
    bad_values.config.from_values = json!([{ "key": "5d8e6002b80b7b4cd75a6425", "value": "4111" }]);
    bad_values.config.to_values = json!({ "key": "wallet" });
    assert_eq!(
        bad_values
            .prepare_create(&sale(money("1", "EUR")))
            .unwrap_err()
            .field(),
        Some("requisites")
    );
    bad_values.config.to_values = json!([{ "key": "wallet", "value": "T9yD" }]);
    assert!(bad_values.prepare_create(&sale(money("1", "EUR"))).is_ok());
    let mut bad_lang = adapter(route).with_from_currency(Some("EUR"));
    bad_lang.config.lang = "de".into();
    assert_eq!(
        bad_lang
            .prepare_create(&sale(money("1", "EUR")))
            .unwrap_err()
            .field(),
        Some("lang")
    );
    let bad_code = adapter(route).with_from_currency(Some("XXX"));
    assert_eq!(
        bad_code
            .prepare_create(&sale(money("1", "EUR")))
            .unwrap_err()
            .field(),
        Some("from_currency")
    );
}

#[test]
fn an_answer_about_another_order_is_suspicious() {
    let expected = Expected {
        uid: "1409",
        object_id: Some("5d8e6002b80b7b4cd75a6424"),
        amount: money("2.00", "EUR"),
        route_from: Some("ETH"),
    };
    let answer = |body: &str| parse_order(body).unwrap();
    let same = answer(
        r#"{"success":true,"data":{"_id":"5d8e6002b80b7b4cd75a6424","uid":1409,"status":"done","inAmount":2,"route":{"from":"ETH","to":"WMZ"}}}"#,
    );
    assert!(check_identity("order/get", &same, &expected).is_ok());
    let sparse = answer(r#"{"success":true,"data":{"uid":"1409","status":"waitPayment"}}"#);
    assert!(check_identity("order/get", &sparse, &expected).is_ok());
    for other in [
        r#"{"success":true,"data":{"uid":1410,"status":"done"}}"#,
        r#"{"success":true,"data":{"uid":1409,"_id":"5d8e6002b80b7b4cd75a0000","status":"done"}}"#,
        r#"{"success":true,"data":{"uid":1409,"inAmount":1,"status":"done"}}"#,
        r#"{"success":true,"data":{"uid":1409,"route":{"from":"BTC"},"status":"done"}}"#,
    ] {
        match check_identity("order/get", &answer(other), &expected) {
            Err(Error::GatewayProtocol { message, .. }) => {
                assert!(message.contains("suspicious"), "{message}")
            }
            got => panic!("{other}: {got:?}"),
        }
    }
    let no_uid = answer(r#"{"success":true,"data":{"status":"done"}}"#);
    assert!(matches!(
        check_identity("order/get", &no_uid, &expected),
        Err(Error::GatewayProtocol { .. })
    ));
    assert!(same_decimal("12.5", "12.50") && same_decimal("2", "2.00"));
    assert!(same_decimal("002.10", "2.1") && !same_decimal("2.1", "2.01"));
    assert!(!same_decimal("1e3", "1000") && !same_decimal("", "0"));
}

#[test]
fn an_ipn_is_tied_to_the_order_found_for_it() {
    let mut order = paydesk_domain::order::Order {
        gateway_order_id: Some("1409".into()),
        payment_payload: Some(json!({
            "uid": "1409", "secret": "s", "orderId": "5d8e6002b80b7b4cd75a6424", "routeFrom": "ETH"
        })),
        ..paydesk_domain::order::Order::example(
            "PD1",
            paydesk_domain::order::Gateway::Smartexpay,
            Method::Exchange,
            money("2", "EUR"),
        )
    };
    let ipn = |uid: &str, amount: &str, from: &str| -> Vec<(String, String)> {
        [
            ("orderUID", uid),
            ("orderId", "5d8e6002b80b7b4cd75a6424"),
            ("newStatus", "inProgress"),
            ("inAmount", amount),
            ("outAmount", "317.42"),
            ("xml_from", from),
            ("xml_to", "WMZ"),
            ("timestamp", "1571328406072"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    };
    assert!(check_ipn_order(&ipn("1409", "2", "ETH"), &order).is_ok());
    for (uid, amount, from) in [
        ("1410", "2", "ETH"),
        ("1409", "1", "ETH"),
        ("1409", "2", "BTC"),
    ] {
        let e = check_ipn_order(&ipn(uid, amount, from), &order).unwrap_err();
        assert!(e.to_string().contains("suspicious"), "{e}");
    }
    let unamounted: Vec<_> = ipn("1409", "2", "ETH")
        .into_iter()
        .filter(|(k, _)| k != "inAmount")
        .collect();
    assert!(check_ipn_order(&unamounted, &order).is_err());
    order.gateway_order_id = None;
    order.payment_payload = None;
    assert!(check_ipn_order(&ipn("1409", "2", "ETH"), &order).is_err());
}

#[test]
fn statuses_map_into_the_unified_model() {
    for paid in ["inProgress", "inProgressPayout", "done"] {
        assert_eq!(map_status(paid), OrderStatus::Paid, "{paid}");
    }
    assert_eq!(map_status("errorPayment"), OrderStatus::Failed);
    assert_eq!(map_status("deleted"), OrderStatus::Failed);
    assert_eq!(map_status("returned"), OrderStatus::Refunded);
    for pending in ["new", "waitPayment", "hold", "errorPayout", "somethingNew"] {
        assert_eq!(map_status(pending), OrderStatus::Pending, "{pending}");
    }
    assert!(attention("hold").unwrap().contains("attention"));
}

#[test]
fn answers_are_read_tolerantly() {
    let engine = r#"{"success":true,"data":{"_id":"5d8e6002b80b7b4cd75a6424","uid":1409,"secret":"dGqwF2M2eBPaSN1G5ljMS1cb","inAmount":2,"outAmount":317.42,"route":{"from":"ETH","to":"WMZ"}}}"#;
    let (uid, secret, id) = parse_create(engine).unwrap();
    assert_eq!(
        (uid.as_str(), secret.as_str(), id.as_deref()),
        (
            "1409",
            "dGqwF2M2eBPaSN1G5ljMS1cb",
            Some("5d8e6002b80b7b4cd75a6424")
        )
    );
    let nested =
        r#"{"success":true,"data":{"order":{"uid":"77","secret":"s3","status":"waitPayment"}}}"#;
    assert_eq!(parse_create(nested).unwrap().0, "77");
    assert_eq!(parse_status(nested).unwrap(), "waitPayment");
    let refused =
        r#"{"success":false,"error":{"message":"Route not found","errorCode":"ROUTE_NOT_FOUND"}}"#;
    match parse_create(refused) {
        Err(Error::GatewayRejected { code, message, .. }) => {
            assert_eq!(
                (code.as_str(), message.as_str()),
                ("ROUTE_NOT_FOUND", "Route not found")
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        parse_create("<html>"),
        Err(Error::GatewayProtocol { .. })
    ));
    let unknown = r#"{"success":true,"data":{"status":"underReview"}}"#;
    assert_eq!(
        parse_status(unknown).unwrap(),
        "underReview",
        "kept verbatim"
    );
}

#[test]
fn payment_page_links() {
    assert_eq!(
        payment_page(
            "https://www.smartexpay.com/",
            "en",
            "1409",
            "dGqwF2M2eBPaSN1G5ljMS1cb"
        ),
        "https://www.smartexpay.com/en/payment/1409/dGqwF2M2eBPaSN1G5ljMS1cb"
    );
}

/// The seed's vector (reference §4), through the receiver's check; any field changed fails.
#[test]
fn ipn_hash_verifies_and_tampering_is_refused() {
    let fields: Vec<(String, String)> = [
        ("orderUID", "1409"),
        ("orderId", "5d8e6002b80b7b4cd75a6424"),
        ("newStatus", "inProgress"),
        ("inAmount", "2"),
        ("outAmount", "317.42"),
        ("xml_from", "ETH"),
        ("xml_to", "WMZ"),
        ("timestamp", "1571328406072"),
        (
            "hash",
            "af3acf947e6f0e0f2c267e300b8582e504dba12d1f2d058652b7414163c09f48",
        ),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert!(verify_ipn(&fields, "SECRET123"));
    assert!(!verify_ipn(&fields, "SECRET124"));
    for name in IPN_HASHED {
        let mut tampered = fields.clone();
        tampered
            .iter_mut()
            .find(|(k, _)| k == name)
            .unwrap()
            .1
            .push('0');
        assert!(!verify_ipn(&tampered, "SECRET123"), "{name} changed");
    }
    for alias in ["sign", "signature"] {
        let renamed: Vec<_> = fields
            .iter()
            .map(|(k, v)| {
                (
                    if k == "hash" {
                        alias.to_string()
                    } else {
                        k.clone()
                    },
                    v.clone(),
                )
            })
            .collect();
        assert!(verify_ipn(&renamed, "SECRET123"), "{alias}");
    }
    let unsigned: Vec<_> = fields
        .iter()
        .filter(|(k, _)| k != "hash")
        .cloned()
        .collect();
    assert!(!verify_ipn(&unsigned, "SECRET123"));
}

#[test]
fn the_amount_is_a_json_number_written_from_its_decimal_text() {
    let marker = "\u{1}amount\u{1}";
    let body = json!({ "routeId": "r", "amount": marker, "lang": "en" });
    let text = json_with_decimal(&body, marker, "12.50").unwrap();
    assert!(text.contains(r#""amount":12.50"#), "{text}");
    let parsed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed["routeId"], "r");
    assert!(json_with_decimal(&body, marker, "1e3").is_err());
    assert!(
        json_with_decimal(&json!({ "a": 1 }), marker, "1.00").is_err(),
        "no marker"
    );
}

#[test]
fn ipn_secrets_differ_per_order_and_key() {
    assert_ne!(ipn_secret("k", "PD1"), ipn_secret("k", "PD2"));
    assert_ne!(ipn_secret("k1", "PD1"), ipn_secret("k2", "PD1"));
    assert_eq!(ipn_secret("k", "PD1").len(), 32);
}
