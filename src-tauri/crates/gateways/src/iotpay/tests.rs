use std::time::Duration;

use super::wire::{check_v1_lengths, identity_mismatch};
use super::*;
use paydesk_domain::money::Currency;
use paydesk_secrets::vault::Sensitive;

fn cad(text: &str) -> Money {
    Money::parse(text, Currency::parse("CAD").unwrap()).unwrap()
}

fn adapter(config: impl FnOnce(&mut IotpayConfig)) -> Iotpay {
    let mut c = IotpayConfig {
        v1_base: "http://127.0.0.1:9/v1".into(),
        mch_id: "10000701".into(),
        login_name: "cashier1".into(),
        key: Sensitive::new("k".into()),
        notify_url: "https://example.com/notify".into(),
        client_ip: "127.0.0.1".into(),
        wechat_app_id: None,
        return_url: String::new(),
        os_type: None,
        timeout: Duration::from_secs(5),
    };
    config(&mut c);
    Iotpay::new(c).unwrap()
}

fn request(method: Method, code: Option<&'static str>) -> CreateRequest<'static> {
    CreateRequest {
        merchant_order_no: "PD20260101000001",
        method,
        amount: cad("12.50"),
        description: "two coffees",
        payment_code: code,
        card_id: None,
    }
}

#[test]
fn status_codes_map_into_the_unified_model() {
    assert_eq!(map_status(0), OrderStatus::Pending);
    assert_eq!(map_status(1), OrderStatus::Pending);
    assert_eq!(map_status(2), OrderStatus::Paid);
    assert_eq!(map_status(3), OrderStatus::Paid);
    assert_eq!(map_status(4), OrderStatus::Cancelled);
    assert_eq!(map_status(9), OrderStatus::Cancelled);
    assert_eq!(map_status(7), OrderStatus::Pending, "unknown is pending");
    assert_eq!(map_status_word(" 2"), OrderStatus::Paid);
    assert_eq!(status_label("4"), Some("closed by the wallet"));
    assert_eq!(status_label("9"), Some("cancelled by the customer"));
    // On a scanned code, 4 is the wallet's decline: failed, not cancelled.
    let declined = channel_status_word("4", "WX_MICROPAY").unwrap();
    assert_eq!(declined.status, OrderStatus::Failed);
    assert_eq!(declined.label, "declined by the customer's wallet");
    assert_eq!(
        channel_status_word("4", "UPI_MICROPAY").map(|w| w.status),
        Some(OrderStatus::Failed)
    );
    assert_eq!(
        channel_status_word("4", "WX_NATIVE").map(|w| w.status),
        Some(OrderStatus::Cancelled)
    );
    assert_eq!(
        channel_status_word("2", "ALIPAY_MICROPAY").map(|w| w.status),
        Some(OrderStatus::Paid)
    );
}

#[test]
fn every_documented_word_and_code_has_a_label_for_people() {
    for table in [STATUS_WORDS, REFUND_STATUS_WORDS] {
        for word in table {
            assert!(!word.label.trim().is_empty(), "{word:?}");
            assert!(
                !word.label.chars().any(|c| c.is_ascii_digit()),
                "the label is words, not the gateway's code: {word:?}"
            );
        }
    }
    for code in ERROR_CODES {
        assert!(!code.label.trim().is_empty(), "{code:?}");
        assert!(
            !code.label.chars().any(|c| c.is_ascii_digit()),
            "the label is words, not the gateway's code: {code:?}"
        );
    }
    let words: Vec<&str> = STATUS_WORDS.iter().map(|w| w.word).collect();
    assert_eq!(words, ["0", "1", "2", "3", "4", "9"]);
    let codes: Vec<&str> = ERROR_CODES.iter().map(|c| c.code).collect();
    assert_eq!(
        codes,
        ["0010", "0011", "0012", "0013", "0014", "0015", "0110", "0111", "0112", "0113", "0118"]
    );
}

#[test]
fn error_codes_are_classified_by_the_table() {
    for code in ["0011", "0012", "0013", "0014", "0015"] {
        assert_eq!(code_meaning(code), CodeMeaning::Refused, "{code}");
    }
    for code in ["0010", "0110", "0111", "0118"] {
        assert_eq!(code_meaning(code), CodeMeaning::Unknown, "{code}");
    }
    assert_eq!(code_meaning("0113"), CodeMeaning::AlreadyPaid);
    assert_eq!(code_meaning("0112"), CodeMeaning::NoSuchOrder);
    for undocumented in ["", "0999", "SYSTEMERROR", "FAIL"] {
        assert_eq!(code_meaning(undocumented), CodeMeaning::Unknown);
    }
}

fn fail_answer(code: &str) -> String {
    json!({"retCode": "SUCCESS", "resCode": "FAIL", "errCode": code, "errCodeDes": "x"}).to_string()
}

#[test]
fn only_documented_refusals_are_refusals_and_the_rest_is_unknown() {
    for endpoint in ["create_order", "refund_order", "query_order"] {
        for code in ["0011", "0012", "0013", "0014", "0015"] {
            let e = parse_answer(endpoint, &fail_answer(code), "k").unwrap_err();
            assert!(
                matches!(&e, Error::GatewayRejected { code: c, .. } if c == code),
                "{endpoint} {code}: {e:?}"
            );
        }
        for code in ["0010", "0110", "0111", "0118", "0113", "0777", ""] {
            let e = parse_answer(endpoint, &fail_answer(code), "k").unwrap_err();
            assert!(
                matches!(&e, Error::GatewayPending { .. }),
                "{endpoint} {code:?}: {e:?}"
            );
            assert!(e.is_outcome_unknown());
        }
    }
    // "No such order" is definite for a query or refund, meaningless on a create.
    assert!(matches!(
        parse_answer("query_order", &fail_answer("0112"), "k"),
        Err(Error::GatewayRejected { .. })
    ));
    assert!(matches!(
        parse_answer("create_order", &fail_answer("0112"), "k"),
        Err(Error::GatewayPending { .. })
    ));
    match parse_answer("create_order", &fail_answer("0013"), "k") {
        Err(Error::GatewayRejected { message, .. }) => {
            assert!(message.contains("signature"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

/// Pinned here before: retCode FAIL was a refusal, and a SUCCESS answer without `sign`
/// was taken as valid. Both are unknown now (§6).
#[test]
fn answers_need_both_codes_and_a_sign_that_verifies() {
    let key = "k";
    let not_taken = parse_answer("x", r#"{"retCode":"FAIL","retMsg":"bad"}"#, key);
    assert!(
        matches!(&not_taken, Err(Error::GatewayProtocol { message, .. }) if message.contains("bad")),
        "{not_taken:?}"
    );
    let with_code = parse_answer(
        "x",
        r#"{"retCode":"FAIL","retMsg":"sign","errCode":"0013"}"#,
        key,
    );
    assert!(matches!(with_code, Err(Error::GatewayRejected { .. })));
    assert!(matches!(
        parse_answer("x", "<html>", key),
        Err(Error::GatewayProtocol { .. })
    ));
    assert!(matches!(
        parse_answer("x", r#"{"resCode":"SUCCESS"}"#, key),
        Err(Error::GatewayProtocol { .. })
    ));
    let mut good = json!({"retCode":"SUCCESS","resCode":"SUCCESS","payOrderId":"P1","status":2})
        .as_object()
        .unwrap()
        .clone();
    let unsigned = Value::Object(good.clone()).to_string();
    match parse_answer("query_order", &unsigned, key) {
        Err(Error::GatewayProtocol { message, .. }) => {
            assert!(message.contains("unsigned"), "{message}")
        }
        other => panic!("an unsigned SUCCESS is not an answer: {other:?}"),
    }
    let sign = iotpay_sign(&good, key);
    good.insert("sign".into(), json!(sign));
    let text = Value::Object(good.clone()).to_string();
    assert!(parse_answer("x", &text, key).is_ok());
    assert!(matches!(
        parse_answer("x", &text, "other"),
        Err(Error::GatewayProtocol { .. })
    ));
}

#[test]
fn an_answer_or_notification_about_another_order_does_not_match() {
    let fields = |v: Value| v.as_object().unwrap().clone();
    let ours = fields(json!({"mchOrderNo": "PD1", "amount": 1250, "currency": "CAD"}));
    assert_eq!(
        identity_mismatch(&ours, "mchOrderNo", "PD1", "amount", cad("12.50")),
        None
    );
    for other in [
        json!({"mchOrderNo": "PD2", "amount": 1250, "currency": "CAD"}),
        json!({"mchOrderNo": "PD1", "amount": 1, "currency": "CAD"}),
        json!({"mchOrderNo": "PD1", "amount": "1249", "currency": "CAD"}),
        json!({"mchOrderNo": "PD1", "amount": 1250, "currency": "USD"}),
        json!({"mchOrderNo": "PD1", "amount": "12.50"}),
        json!({"amount": 1250}),
    ] {
        assert!(
            identity_mismatch(
                &fields(other.clone()),
                "mchOrderNo",
                "PD1",
                "amount",
                cad("12.50")
            )
            .is_some(),
            "{other}"
        );
    }
    // Notifications carry strings; the amount is required there.
    let notify =
        fields(json!({"mchOrderNo": "PD1", "amount": "1250", "currency": "CAD", "status": "2"}));
    assert!(notification_matches(&notify, "PD1", cad("12.50")));
    assert!(!notification_matches(&notify, "PD1", cad("12.51")));
    assert!(!notification_matches(&notify, "PD9", cad("12.50")));
    let no_amount = fields(json!({"mchOrderNo": "PD1", "status": "2"}));
    assert!(!notification_matches(&no_amount, "PD1", cad("12.50")));
}

#[test]
fn prepare_create_builds_the_signed_body_without_sending() {
    let iotpay = adapter(|_| {});
    let body = iotpay
        .prepare_create(&request(Method::WechatQr, None))
        .unwrap();
    assert_eq!(body["channelId"], "WX_NATIVE");
    assert_eq!(body["amount"], 1250);
    assert_eq!(body["extra"], r#"{"productId":"PD20260101000001"}"#);
    assert!(body.get("returnUrl").is_none() && body.get("osType").is_none());
    assert!(iotpay_verify(body.as_object().unwrap(), "k"), "signed");

    let scan = iotpay
        .prepare_create(&request(Method::Barcode, Some(" 134567890123456780 ")))
        .unwrap();
    assert_eq!(
        (scan["channelId"].as_str(), scan["identityCode"].as_str()),
        (Some("WX_MICROPAY"), Some("134567890123456780"))
    );
    assert!(matches!(
        iotpay.prepare_create(&request(Method::Barcode, Some("12ab"))),
        Err(Error::InvalidInput { field: "code", .. })
    ));
    let euros = CreateRequest {
        amount: Money::parse("1.00", Currency::parse("EUR").unwrap()).unwrap(),
        ..request(Method::AlipayQr, None)
    };
    assert!(matches!(
        iotpay.prepare_create(&euros),
        Err(Error::InvalidInput {
            field: "currency",
            ..
        })
    ));
}

#[test]
fn prepare_create_refuses_a_missing_setting_by_name() {
    let bare = adapter(|_| {});
    for (method, field) in [
        (Method::WechatApp, "appId"),
        (Method::AlipayWeb, "returnUrl"),
        (Method::AlipayApp, "osType"),
    ] {
        match bare.prepare_create(&request(method, None)) {
            Err(Error::InvalidInput { field: f, message }) => {
                assert_eq!(f, field, "{method:?}: {message}");
                assert!(message.contains("settings"), "{message}");
            }
            other => panic!("{method:?}: {other:?}"),
        }
    }
    let set = adapter(|c| {
        c.wechat_app_id = Some("wx123".into());
        c.return_url = "https://shop.example/paid".into();
        c.os_type = Some("android".into());
    });
    let wap = set
        .prepare_create(&request(Method::AlipayWeb, None))
        .unwrap();
    assert_eq!(
        (wap["returnUrl"].as_str(), wap["osType"].as_str()),
        (Some("https://shop.example/paid"), Some("ANDROID"))
    );
    let app = set
        .prepare_create(&request(Method::AlipayApp, None))
        .unwrap();
    assert_eq!(app["osType"], "ANDROID");
    assert!(
        app.get("returnUrl").is_none(),
        "ALIPAY_MOBILE takes no returnUrl"
    );
    let wx = set
        .prepare_create(&request(Method::WechatApp, None))
        .unwrap();
    assert!(wx["extra"].as_str().unwrap().contains("wx123"));
    // UPI_SEQ is a web link too, but the vendor asks returnUrl of Alipay's pages only.
    assert!(bare
        .prepare_create(&request(Method::UnionpayWeb, None))
        .is_ok());

    let windows = adapter(|c| {
        c.return_url = "https://shop.example/paid".into();
        c.os_type = Some("WINDOWS".into());
    });
    assert!(matches!(
        windows.prepare_create(&request(Method::AlipayWeb, None)),
        Err(Error::InvalidInput {
            field: "osType",
            ..
        })
    ));
    let long_url = adapter(|c| {
        c.return_url = format!("https://shop.example/{}", "p".repeat(200));
        c.os_type = Some("IOS".into());
    });
    assert!(matches!(
        long_url.prepare_create(&request(Method::AlipayWeb, None)),
        Err(Error::InvalidInput {
            field: "returnUrl",
            ..
        })
    ));
}

/// v1's jobNo is String(50): a login name too long for the card API (String(12)) builds
/// the adapter and prepares every v1 call; only refund_order's loginName (String(32))
/// limits a refund.
#[test]
fn a_long_login_name_never_stops_v1() {
    let twenty = adapter(|c| c.login_name = "front-counter-cashier".into());
    assert!(twenty
        .prepare_create(&request(Method::AlipayQr, None))
        .is_ok());
    assert!(twenty.prepare_refund("RF1", cad("1.00")).is_ok());
    let forty = adapter(|c| c.login_name = "x".repeat(40));
    assert!(forty
        .prepare_create(&request(Method::AlipayQr, None))
        .is_ok());
    assert!(matches!(
        forty.prepare_refund("RF1", cad("1.00")),
        Err(Error::InvalidInput {
            field: "loginName",
            ..
        })
    ));
    let fifty_one = adapter(|c| c.login_name = "x".repeat(51));
    assert!(matches!(
        fifty_one.prepare_create(&request(Method::AlipayQr, None)),
        Err(Error::InvalidInput { field: "jobNo", .. })
    ));
}

#[test]
fn prepare_refund_checks_the_number_and_the_amount() {
    let iotpay = adapter(|_| {});
    assert!(iotpay
        .prepare_refund("RF20260101000001", cad("0.01"))
        .is_ok());
    assert!(matches!(
        iotpay.prepare_refund(&"R".repeat(31), cad("1.00")),
        Err(Error::InvalidInput {
            field: "mchRefundNo",
            ..
        })
    ));
    assert!(matches!(
        iotpay.prepare_refund(" ", cad("1.00")),
        Err(Error::InvalidInput {
            field: "mchRefundNo",
            ..
        })
    ));
}

#[test]
fn refund_statuses_are_definite_only_for_success_and_failure() {
    assert_eq!(
        refund_status_word("2").unwrap().status,
        OrderStatus::Refunded
    );
    assert_eq!(refund_status_word("9").unwrap().status, OrderStatus::Failed);
    for pending in ["0", "1"] {
        assert_eq!(
            refund_status_word(pending).unwrap().status,
            OrderStatus::Pending
        );
    }
    assert!(refund_status_word("3").is_none(), "undocumented: unknown");
}

#[test]
fn payment_codes_tell_their_wallet() {
    assert_eq!(
        micropay_channel("134567890123456789").unwrap(),
        "WX_MICROPAY"
    );
    assert_eq!(
        micropay_channel("281234567890123456").unwrap(),
        "ALIPAY_MICROPAY"
    );
    assert_eq!(
        micropay_channel("6212345678901234567").unwrap(),
        "UPI_MICROPAY"
    );
    for bad in ["", "12ab", "991234567890123456", "1345"] {
        assert!(
            matches!(
                micropay_channel(bad),
                Err(Error::InvalidInput { field: "code", .. })
            ),
            "{bad}"
        );
    }
}

#[test]
fn v1_field_limits_name_the_field() {
    let too_long = json!({ "subject": "x".repeat(65) });
    match check_v1_lengths(&too_long) {
        Err(Error::InvalidInput { field, message }) => {
            assert_eq!(field, "subject");
            assert!(message.contains("64"));
        }
        other => panic!("{other:?}"),
    }
    assert!(check_v1_lengths(&json!({ "subject": "x".repeat(64) })).is_ok());
}

#[test]
fn app_parameters_are_read_from_recorded_bodies() {
    let obj = |v: Value| v.as_object().unwrap().clone();
    let wechat = obj(
        json!({"payOrderId": "P1", "payParams": {"appid": "wx1", "prepayid": "wx201", "package": "Sign=WXPay"}}),
    );
    assert_eq!(app_params(&wechat).unwrap()["prepayid"], "wx201");
    let as_text = obj(json!({"payParams": "{\"tn\":\"785\"}"}));
    assert_eq!(app_params(&as_text).unwrap()["tn"], "785");
    let alipay = obj(json!({"payParams": "app_id=2021&biz_content=x&sign=y"}));
    assert_eq!(
        app_params(&alipay).unwrap(),
        json!("app_id=2021&biz_content=x&sign=y")
    );
    assert_eq!(app_params(&obj(json!({"payParams": ""}))), None);
    assert_eq!(app_params(&obj(json!({"codeUrl": "x"}))), None);
}

#[test]
fn payment_link_accepts_every_known_form() {
    let obj = |v: Value| v.as_object().unwrap().clone();
    assert_eq!(
        payment_link(&obj(json!({"codeUrl": "weixin://wxpay/x"}))).as_deref(),
        Some("weixin://wxpay/x")
    );
    assert_eq!(
        payment_link(&obj(json!({"qr_code": "https://qr.alipay.com/x"}))).as_deref(),
        Some("https://qr.alipay.com/x")
    );
    assert_eq!(
        payment_link(&obj(json!({"retParams": {"alipayUrl": "https://a/x"}}))).as_deref(),
        Some("https://a/x")
    );
    assert_eq!(
        payment_link(&obj(
            json!({"retParams": "{\"unionpayUrl\":\"https://u/x\"}"})
        ))
        .as_deref(),
        Some("https://u/x")
    );
    assert_eq!(payment_link(&obj(json!({"codeUrl": ""}))), None);
}
