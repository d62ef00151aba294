//! The card terminal (CC_PAX, guide page "pos_semi_integration") without I/O: what a sale
//! sends, what it is refused for before anything is written, and how its statuses read.

use std::time::Duration;

use serde_json::json;

use super::*;
use paydesk_domain::money::Currency;
use paydesk_secrets::vault::Sensitive;

fn cad(text: &str) -> Money {
    Money::parse(text, Currency::parse("CAD").unwrap()).unwrap()
}

fn v1() -> IotpayConfig {
    IotpayConfig {
        v1_base: "http://127.0.0.1:9/v1".into(),
        mch_id: "10000576".into(),
        login_name: "testpax".into(),
        key: Sensitive::new("k".into()),
        notify_url: "https://example.com/notify".into(),
        client_ip: "192.168.50.186".into(),
        wechat_app_id: None,
        return_url: String::new(),
        os_type: None,
        timeout: Duration::from_secs(5),
    }
}

fn terminal(device: Option<&str>) -> TerminalConfig {
    TerminalConfig {
        device: device.map(str::to_string),
        device_key: "iotpay.test.pax_device".into(),
        source: DEFAULT_PAX_SOURCE.into(),
        tip_unit: "cents".into(),
    }
}

fn sale(method: Method) -> CreateRequest<'static> {
    CreateRequest {
        merchant_order_no: "PD20260101000001",
        method,
        amount: cad("12.50"),
        description: "two coffees",
        payment_code: None,
        card_id: None,
    }
}

#[test]
fn a_card_terminal_sale_sends_cc_pax_as_the_vendors_page_and_sample_do() {
    let iotpay = Iotpay::new(v1())
        .unwrap()
        .with_terminal(terminal(Some("V1-B25")));
    let body = iotpay.prepare_create(&sale(Method::CardTerminal)).unwrap();
    assert_eq!(body["channelId"], "CC_PAX");
    assert_eq!(body["notifyUrl"], "http://localhost", "never the receiver");
    assert_eq!(body["extra"], r#"{"pos_flag":"yes"}"#, "JSON text");
    assert_eq!(body["device"], "V1-B25");
    assert_eq!(body["tip"], "0", "no tip, as text as the sample");
    assert_eq!(body["source"], "pos_2.1.54");
    assert_eq!(body["amount"], 1250, "cents, an int as the table says");
    assert_eq!(body["currency"], "CAD");
    assert_eq!(body["jobNo"], "testpax");
    let fields = body.as_object().unwrap();
    assert!(iotpay_verify(fields, "k"), "signed over every field sent");

    // A tip is a parameter of its own (the sale's amount without it): in cents, or dollars if the
    // shop says.
    let tipped = iotpay
        .prepare_sale(&sale(Method::CardTerminal), 150)
        .unwrap();
    assert_eq!(tipped["tip"], "150");
    assert_eq!(tipped["amount"], 1250, "the tip is not added to the amount");
    let mut in_dollars = terminal(Some("V1-B25"));
    in_dollars.tip_unit = "dollars".into();
    let dollars = Iotpay::new(v1()).unwrap().with_terminal(in_dollars);
    assert_eq!(
        dollars
            .prepare_sale(&sale(Method::CardTerminal), 150)
            .unwrap()["tip"],
        "1.50"
    );
    assert_eq!(
        dollars.prepare_create(&sale(Method::CardTerminal)).unwrap()["tip"],
        "0.00"
    );
    // Other methods take no tip, and send none of the terminal's fields.
    assert!(iotpay.prepare_sale(&sale(Method::AlipayQr), 150).is_err());
    let qr = iotpay.prepare_create(&sale(Method::AlipayQr)).unwrap();
    assert!(
        qr.get("tip").is_none() && qr.get("source").is_none(),
        "{qr}"
    );
    assert_eq!(qr["notifyUrl"], "https://example.com/notify");
}

#[test]
fn a_card_terminal_sale_without_the_terminal_setting_is_refused_naming_it() {
    for iotpay in [
        Iotpay::new(v1()).unwrap().with_terminal(terminal(None)),
        Iotpay::new(v1()).unwrap(),
    ] {
        let refused = iotpay
            .prepare_create(&sale(Method::CardTerminal))
            .unwrap_err();
        assert_eq!(refused.field(), Some("device"), "{refused}");
        assert!(refused.to_string().contains("pax_device"), "{refused}");
        assert!(
            refused.to_string().contains("paydesk settings set"),
            "{refused}"
        );
    }
    let long = "T".repeat(65);
    let too_long = Iotpay::new(v1())
        .unwrap()
        .with_terminal(terminal(Some(&long)))
        .prepare_create(&sale(Method::CardTerminal))
        .unwrap_err();
    assert_eq!(too_long.field(), Some("device"), "String(64): {too_long}");
    // CAD only, as IOTPay's other card methods.
    let usd = CreateRequest {
        amount: Money::parse("1.00", Currency::parse("USD").unwrap()).unwrap(),
        ..sale(Method::CardTerminal)
    };
    assert!(Iotpay::new(v1())
        .unwrap()
        .with_terminal(terminal(Some("V1-B25")))
        .prepare_create(&usd)
        .is_err());
}

#[test]
fn a_terminals_statuses_read_as_the_terminal_tells_them() {
    for (word, status) in [
        ("0", OrderStatus::Pending),
        ("1", OrderStatus::Pending),
        ("2", OrderStatus::Paid),
        ("3", OrderStatus::Paid),
        ("4", OrderStatus::Failed),
        ("9", OrderStatus::Failed),
    ] {
        assert_eq!(
            channel_status_word(word, "CC_PAX").map(|w| w.status),
            Some(status),
            "{word}"
        );
    }
    assert_eq!(
        channel_status_word("9", "CC_PAX").unwrap().label,
        "declined at the terminal"
    );
    assert!(channel_status_word("7", "CC_PAX").is_none(), "unknown");
    for word in TERMINAL_WORDS {
        assert!(!word.label.chars().any(|c| c.is_ascii_digit()), "{word:?}");
    }
    // Elsewhere 9 stays the customer's cancellation.
    assert_eq!(
        channel_status_word("9", "WX_NATIVE").map(|w| w.status),
        Some(OrderStatus::Cancelled)
    );
}

#[test]
fn the_create_answers_pay_order_is_read_as_an_object_or_as_text() {
    let order = json!({"payOrderId": "P1", "mchOrderNo": "PD1", "amount": 1250});
    let as_object = json!({ "payOrder": order }).as_object().unwrap().clone();
    assert_eq!(pay_order(&as_object).unwrap()["payOrderId"], "P1");
    let as_text = json!({ "payOrder": order.to_string() })
        .as_object()
        .unwrap()
        .clone();
    assert_eq!(pay_order(&as_text).unwrap()["mchOrderNo"], "PD1");
    let none = json!({ "payOrder": "no" }).as_object().unwrap().clone();
    assert!(pay_order(&none).is_none());
}
