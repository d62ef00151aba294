//! Contract tests of the sandbox's IOTPay v1 (reference/gateways.md §1.1, §1.3-1.5, §1.9).
//! The requests are built here from the reference, independently of the adapters: literal
//! `params=<JSON>` form posts, signed by this file's own MD5 implementation of §1.1, which is
//! first pinned to the reference's golden vector. Real HTTP on loopback, a real SQLite file.
//!
//! Past 600 lines: the sandbox's IOTPay contract with literal bodies from the vendor's pages,
//! one test per endpoint and answer; kept together as the second opinion they are.

use paydesk_core::staff::Acting;
use std::collections::BTreeMap;

use md5::{Digest, Md5};
use paydesk_sandbox::{SandboxServer, SandboxStore, SANDBOX_MCH_ID, SANDBOX_MERCHANT_KEY};
use serde_json::{json, Map, Value};

use crate::support::{set_next_call_fault, settle_at_iotpay};

/// §1.1, written from the reference: every field but `sign`, empty strings (and absent/null
/// values) dropped, sorted by key in byte order, `k=v` joined by `&` with raw values (numbers
/// as decimal text, JSON-valued fields as their text), `&key=<merchantKey>`, uppercase hex MD5.
fn sign(fields: &Map<String, Value>, key: &str) -> String {
    let sorted: BTreeMap<&str, String> = fields
        .iter()
        .filter(|(k, _)| *k != "sign")
        .filter_map(|(k, v)| {
            let text = match v {
                Value::Null => return None,
                Value::String(s) if s.is_empty() => return None,
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some((k.as_str(), text))
        })
        .collect();
    let mut text: String = sorted.iter().map(|(k, v)| format!("{k}={v}&")).collect();
    text.push_str("key=");
    text.push_str(key);
    hex::encode(Md5::digest(text.as_bytes())).to_uppercase()
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn signed(fields: Value, key: &str) -> Map<String, Value> {
    let mut fields = object(fields);
    let s = sign(&fields, key);
    fields.insert("sign".into(), json!(s));
    fields
}

/// A create_order request for the sandbox merchant.
fn create_fields(mch_order_no: &str, channel: &str, amount: i64) -> Value {
    let mut fields = json!({
        "mchId": SANDBOX_MCH_ID,
        "mchOrderNo": mch_order_no,
        "channelId": channel,
        "currency": "CAD",
        "amount": amount,
        "clientIp": "127.0.0.1",
        "device": "WEB",
        "notifyUrl": "http://127.0.0.1:9/notify",
        "subject": "contract test",
        "body": "a contract test order",
        "jobNo": "cashier1",
    });
    if channel == "WX_NATIVE" {
        fields["extra"] = json!(json!({ "productId": mch_order_no }).to_string());
    }
    fields
}

struct Sandbox {
    server: SandboxServer,
    http: reqwest::Client,
}

impl Sandbox {
    async fn start(dir: &std::path::Path) -> Sandbox {
        let server = SandboxServer::start(dir, "127.0.0.1:0".parse().unwrap())
            .await
            .expect("the sandbox starts");
        Sandbox {
            server,
            http: reqwest::Client::new(),
        }
    }

    /// POSTs a literal form body to `{v1}/<endpoint>` and returns the JSON answer.
    async fn post_body(&self, endpoint: &str, body: String) -> Value {
        let response = self
            .http
            .post(format!("{}/{endpoint}", self.server.iotpay_v1_base()))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("the sandbox answers");
        assert!(response.status().is_success(), "HTTP {}", response.status());
        response.json().await.expect("the answer is JSON")
    }

    /// `params=<url-encoded JSON>`.
    async fn post(&self, endpoint: &str, params: &Map<String, Value>) -> Value {
        let body =
            serde_urlencoded::to_string([("params", Value::Object(params.clone()).to_string())])
                .unwrap();
        assert!(body.starts_with("params=%7B"), "{body}");
        self.post_body(endpoint, body).await
    }

    async fn create(&self, fields: Value) -> Value {
        self.post("create_order", &signed(fields, SANDBOX_MERCHANT_KEY))
            .await
    }

    async fn query(&self, by: &str, value: &str) -> Value {
        self.post(
            "query_order",
            &signed(
                json!({ "mchId": SANDBOX_MCH_ID, by: value }),
                SANDBOX_MERCHANT_KEY,
            ),
        )
        .await
    }
}

/// Both codes SUCCESS and a `sign` that verifies over every field that arrived.
fn assert_signed_success(answer: &Value) {
    assert_eq!(answer["retCode"], "SUCCESS", "{answer}");
    assert_eq!(answer["resCode"], "SUCCESS", "{answer}");
    let fields = object(answer.clone());
    let given = fields
        .get("sign")
        .and_then(Value::as_str)
        .expect("a success answer is signed");
    assert_eq!(
        given,
        sign(&fields, SANDBOX_MERCHANT_KEY),
        "the answer's sign verifies with the merchant key"
    );
    assert_ne!(given, sign(&fields, "another-key"));
}

fn assert_fails_with(answer: &Value, code: &str) {
    assert_eq!(
        answer["retCode"], "SUCCESS",
        "the transport worked: {answer}"
    );
    assert_eq!(answer["resCode"], "FAIL", "{answer}");
    assert_eq!(answer["errCode"], code, "{answer}");
}

#[test]
fn the_test_signer_reproduces_the_reference_golden_vector() {
    let fields = object(json!({
        "mchId": "10000701",
        "mchOrderNo": "ORD20240101001",
        "channelId": "WX_NATIVE",
        "currency": "CAD",
        "amount": 100,
        "clientIp": "210.73.10.148",
        "device": "",
        "notifyUrl": "https://example.com/notify",
        "subject": "test product",
        "body": "this product is for fun",
        "extra": "{\"productId\":\"120989823\"}",
        "jobNo": "jack123",
    }));
    assert_eq!(
        sign(&fields, "TEST_MERCHANT_KEY_123"),
        "1B60C008072C2D9F0AE86B3D6ECE6E91"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn wx_native_create_answers_a_signed_code_url_to_the_sandbox_payment_page() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path()).await;
    let answer = sandbox
        .create(create_fields("CT0001", "WX_NATIVE", 1250))
        .await;
    assert_signed_success(&answer);
    assert_eq!(answer["mchOrderNo"], "CT0001");
    let pay_order_id = answer["payOrderId"].as_str().expect("a payOrderId");
    assert!(!pay_order_id.is_empty());
    assert_eq!(
        answer["codeUrl"]
            .as_str()
            .expect("WX_NATIVE answers codeUrl"),
        format!("{}/pay/iotpay/{pay_order_id}", sandbox.server.base_url())
    );
    assert!(answer.get("qr_code").is_none(), "{answer}");
}

#[tokio::test(flavor = "multi_thread")]
async fn alipay_qr_and_upi_qr_answer_qr_code() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path()).await;
    for (mch_order_no, channel) in [("CT0002", "ALIPAY_QR"), ("CT0003", "UPI_QR")] {
        let answer = sandbox
            .create(create_fields(mch_order_no, channel, 999))
            .await;
        assert_signed_success(&answer);
        let pay_order_id = answer["payOrderId"].as_str().expect("a payOrderId");
        assert_eq!(
            answer["qr_code"]
                .as_str()
                .unwrap_or_else(|| panic!("{channel} answers qr_code: {answer}")),
            format!("{}/pay/iotpay/{pay_order_id}", sandbox.server.base_url())
        );
        assert!(answer.get("codeUrl").is_none(), "{answer}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_sign_is_0013_and_an_unknown_merchant_is_0015() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path()).await;

    let wrong_key = signed(
        create_fields("CT0004", "WX_NATIVE", 100),
        "not-the-merchant-key",
    );
    assert_fails_with(&sandbox.post("create_order", &wrong_key).await, "0013");

    let mut tampered = signed(
        create_fields("CT0004", "WX_NATIVE", 100),
        SANDBOX_MERCHANT_KEY,
    );
    tampered.insert("amount".into(), json!(1));
    assert_fails_with(&sandbox.post("create_order", &tampered).await, "0013");

    let mut unknown = create_fields("CT0004", "WX_NATIVE", 100);
    unknown["mchId"] = json!("99999999");
    assert_fails_with(&sandbox.create(unknown).await, "0015");

    let query_wrong_key = signed(
        json!({ "mchId": SANDBOX_MCH_ID, "mchOrderNo": "CT0004" }),
        "nope",
    );
    assert_fails_with(&sandbox.post("query_order", &query_wrong_key).await, "0013");

    // None of the refused requests created the order.
    assert_fails_with(&sandbox.query("mchOrderNo", "CT0004").await, "0112");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_create_parameters_are_0014() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path()).await;

    let mut no_subject = create_fields("CT0005", "ALIPAY_QR", 100);
    no_subject.as_object_mut().unwrap().remove("subject");
    assert_fails_with(&sandbox.create(no_subject).await, "0014");

    let thirty_one = "C".repeat(31);
    assert_fails_with(
        &sandbox
            .create(create_fields(&thirty_one, "ALIPAY_QR", 100))
            .await,
        "0014",
    );
    // String(30) is the limit, not less.
    assert_signed_success(
        &sandbox
            .create(create_fields(&"C".repeat(30), "ALIPAY_QR", 100))
            .await,
    );

    let mut no_product = create_fields("CT0006", "WX_NATIVE", 100);
    no_product.as_object_mut().unwrap().remove("extra");
    assert_fails_with(&sandbox.create(no_product).await, "0014");

    let mut empty_product = create_fields("CT0007", "WX_NATIVE", 100);
    empty_product["extra"] = json!("{\"productId\":\"\"}");
    assert_fails_with(&sandbox.create(empty_product).await, "0014");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_post_without_params_is_0012() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path()).await;
    assert_fails_with(
        &sandbox
            .post_body("create_order", "mchId=20000001&amount=100".into())
            .await,
        "0012",
    );
    assert_fails_with(
        &sandbox.post_body("query_order", String::new()).await,
        "0012",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_order_goes_created_paying_paid_as_the_customer_opens_the_page_and_pays() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path()).await;
    let created = sandbox
        .create(create_fields("CT0008", "WX_NATIVE", 1250))
        .await;
    assert_signed_success(&created);
    let pay_order_id = created["payOrderId"].as_str().unwrap().to_string();

    for (by, value) in [
        ("mchOrderNo", "CT0008"),
        ("payOrderId", pay_order_id.as_str()),
    ] {
        let answer = sandbox.query(by, value).await;
        assert_signed_success(&answer);
        assert_eq!(answer["status"], 0, "by {by}: {answer}");
        assert_eq!(answer["payOrderId"], pay_order_id.as_str());
        assert_eq!(answer["mchOrderNo"], "CT0008");
        assert_eq!(answer["amount"], 1250);
        assert_eq!(answer["currency"], "CAD");
        assert_eq!(answer["channelId"], "WX_NATIVE");
    }

    let page_url = created["codeUrl"].as_str().unwrap();
    let page = sandbox.http.get(page_url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("12.50"), "the page shows the amount: {html}");
    let paying = sandbox.query("payOrderId", &pay_order_id).await;
    assert_signed_success(&paying);
    assert_eq!(
        paying["status"], 1,
        "opening the page means paying: {paying}"
    );

    let paid_page = sandbox
        .http
        .post(format!("{page_url}/pay"))
        .send()
        .await
        .unwrap();
    assert_eq!(paid_page.status(), 200);
    let paid = sandbox.query("mchOrderNo", "CT0008").await;
    assert_signed_success(&paid);
    assert_eq!(paid["status"], 2, "{paid}");
    assert!(
        paid["paySuccTime"].as_i64().is_some_and(|t| t > 0),
        "{paid}"
    );
    assert!(
        paid["channelOrderNo"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "{paid}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn re_creating_a_merchant_order_number_is_a_safe_retry_only_while_unpaid_and_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path()).await;
    let first = sandbox
        .create(create_fields("CT0009", "ALIPAY_QR", 500))
        .await;
    assert_signed_success(&first);

    let retry = sandbox
        .create(create_fields("CT0009", "ALIPAY_QR", 500))
        .await;
    assert_signed_success(&retry);
    assert_eq!(
        retry["payOrderId"], first["payOrderId"],
        "a retry gets the same order"
    );
    assert_eq!(retry["qr_code"], first["qr_code"]);

    assert_fails_with(
        &sandbox
            .create(create_fields("CT0009", "ALIPAY_QR", 600))
            .await,
        "0014",
    );

    let pay_order_id = first["payOrderId"].as_str().unwrap();
    let paid = settle_at_iotpay(dir.path(), pay_order_id, true);
    assert_eq!(paid.status, 2);
    assert_fails_with(
        &sandbox
            .create(create_fields("CT0009", "ALIPAY_QR", 500))
            .await,
        "0113",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn querying_an_unknown_merchant_order_number_is_0112() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path()).await;
    assert_fails_with(&sandbox.query("mchOrderNo", "NEVER-CREATED").await, "0112");
    assert_fails_with(
        &sandbox.query("payOrderId", "P00000000000000000000").await,
        "0112",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sandbox_orders_survive_a_restart_on_the_same_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path()).await;
    let created = sandbox
        .create(create_fields("CT0010", "UPI_QR", 4321))
        .await;
    assert_signed_success(&created);
    drop(sandbox);

    let restarted = Sandbox::start(dir.path()).await;
    let answer = restarted.query("mchOrderNo", "CT0010").await;
    assert_signed_success(&answer);
    assert_eq!(answer["payOrderId"], created["payOrderId"]);
    assert_eq!(answer["amount"], 4321);
    assert_eq!(answer["status"], 0);
}

/// The adapter end to end over real HTTP: the payment service creates through IOTPay v1 on
/// the sandbox, the customer pays, and a query makes the ledger order Paid.
#[tokio::test(flavor = "multi_thread")]
async fn the_iotpay_adapter_creates_and_syncs_a_paid_order_through_the_sandbox() {
    use paydesk_domain::order::OrderStatus;

    let (dir, desk) = crate::support::sandbox_desk().await;
    let order = desk
        .create_order(
            &Acting::nobody(),
            &crate::support::sale_input("iotpay", "wechat-qr", "12.50", "CAD"),
        )
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Pending);
    assert_eq!(order.amount.minor(), 1250);
    let pay_order_id = order
        .gateway_order_id
        .clone()
        .expect("the sandbox's payOrderId is kept");
    assert!(order
        .payment_url
        .as_deref()
        .is_some_and(|u| u.ends_with(&format!("/pay/iotpay/{pay_order_id}"))));

    // What the adapter sent, as the sandbox recorded it.
    let store = SandboxStore::open_in(dir.path()).unwrap();
    let at_gateway = store
        .find(&order.merchant_order_no)
        .unwrap()
        .expect("the sandbox has the order");
    assert_eq!(at_gateway.pay_order_id, pay_order_id);
    assert_eq!(
        (
            at_gateway.amount,
            at_gateway.currency.as_str(),
            at_gateway.channel_id.as_str()
        ),
        (1250, "CAD", "WX_NATIVE")
    );

    let settled = store.settle(&order.merchant_order_no, true).unwrap();
    assert_eq!(settled.status, 2);

    let synced = desk.sync(order.id).await.unwrap();
    assert_eq!(synced.status, OrderStatus::Paid);
    assert_eq!(synced.gateway_status.as_deref(), Some("2"));
    // The background watcher may add a same-status event (gateway status 0) meanwhile.
    let mut history: Vec<OrderStatus> = desk
        .ledger()
        .events(order.id)
        .unwrap()
        .iter()
        .map(|e| e.to_status)
        .collect();
    history.dedup();
    assert_eq!(
        history,
        [
            OrderStatus::Created,
            OrderStatus::Pending,
            OrderStatus::Paid
        ]
    );
}

/// Switches on one IOTPay fault for the next `call` on the sandbox of `dir`.
fn fault_once(
    dir: &std::path::Path,
    call: &str,
    kind: paydesk_sandbox::faults::FaultKind,
    value: Option<i64>,
) {
    set_next_call_fault(dir, "iotpay", call, kind, value);
}

/// Guide page "online_secure_pay": returnUrl, "ALIPAY_PC,ALIPAY_WAP need this"; guide page
/// "order": osType, "ALIPAY_MOBILE and ALIPAY_WAP are required! Possible values: IOS,
/// ANDROID". The sandbox refuses such a create without them (0014) and creates nothing.
#[tokio::test(flavor = "multi_thread")]
async fn alipay_web_pages_need_a_return_url_and_an_os_type() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path()).await;
    let mut wap = create_fields("CT0020", "ALIPAY_WAP", 700);
    wap["osType"] = json!("IOS");
    assert_fails_with(&sandbox.create(wap.clone()).await, "0014");
    let mut pc = create_fields("CT0021", "ALIPAY_PC", 700);
    assert_fails_with(&sandbox.create(pc.clone()).await, "0014");
    assert_fails_with(&sandbox.query("mchOrderNo", "CT0020").await, "0112");

    let mut no_os = create_fields("CT0020", "ALIPAY_WAP", 700);
    no_os["returnUrl"] = json!("https://shop.example/paid");
    assert_fails_with(&sandbox.create(no_os.clone()).await, "0014");
    let mut windows = no_os.clone();
    windows["osType"] = json!("WINDOWS");
    assert_fails_with(&sandbox.create(windows).await, "0014");
    let mut mobile = create_fields("CT0022", "ALIPAY_MOBILE", 700);
    assert_fails_with(&sandbox.create(mobile.clone()).await, "0014");

    wap["returnUrl"] = json!("https://shop.example/paid");
    let created = sandbox.create(wap).await;
    assert_signed_success(&created);
    assert!(
        created["retParams"]["alipayUrl"].as_str().is_some(),
        "{created}"
    );
    pc["returnUrl"] = json!("https://shop.example/paid");
    assert_signed_success(&sandbox.create(pc).await);
    mobile["osType"] = json!("ANDROID");
    assert_signed_success(&sandbox.create(mobile).await);
}

/// The `code` fault: 0110 (third-party timeout) is answered, yet the order exists and stays
/// payable (the customer can still confirm), as §6 says of the codes that say nothing
/// certain. A refusing code (0014) creates nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_create_answered_0110_still_leaves_a_payable_order() {
    use paydesk_sandbox::faults::FaultKind;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path()).await;
    fault_once(dir.path(), "create_order", FaultKind::Code, Some(110));
    let mut scan = create_fields("CT0030", "WX_MICROPAY", 880);
    scan["codeType"] = json!("barcode");
    scan["identityCode"] = json!("134567890123456780");
    assert_fails_with(&sandbox.create(scan).await, "0110");
    let waiting = sandbox.query("mchOrderNo", "CT0030").await;
    assert_signed_success(&waiting);
    assert_eq!(waiting["status"], 1, "waiting for the customer: {waiting}");
    settle_at_iotpay(dir.path(), "CT0030", true);
    assert_eq!(sandbox.query("mchOrderNo", "CT0030").await["status"], 2);

    fault_once(dir.path(), "create_order", FaultKind::Code, Some(14));
    assert_fails_with(
        &sandbox
            .create(create_fields("CT0031", "ALIPAY_QR", 100))
            .await,
        "0014",
    );
    assert_fails_with(&sandbox.query("mchOrderNo", "CT0031").await, "0112");
}

/// The `wrong-order` fault: a genuine signed answer, about another order (paid, smaller).
#[tokio::test(flavor = "multi_thread")]
async fn the_wrong_order_fault_answers_another_orders_genuine_answer() {
    use paydesk_sandbox::faults::FaultKind;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path()).await;
    assert_signed_success(
        &sandbox
            .create(create_fields("CT0040", "ALIPAY_QR", 1000))
            .await,
    );
    fault_once(dir.path(), "query_order", FaultKind::WrongOrder, None);
    let replay = sandbox.query("mchOrderNo", "CT0040").await;
    assert_signed_success(&replay);
    assert_ne!(replay["mchOrderNo"], "CT0040", "{replay}");
    assert_eq!(replay["status"], 2, "{replay}");
    assert!(replay["amount"].as_i64().unwrap() < 1000, "{replay}");
    // It is a real order of the merchant: its own query gives the same answer.
    let itself = sandbox
        .query("mchOrderNo", replay["mchOrderNo"].as_str().unwrap())
        .await;
    assert_eq!(itself["payOrderId"], replay["payOrderId"]);
    assert_eq!(sandbox.query("mchOrderNo", "CT0040").await["status"], 0);
}

/// Query Refund (guide page "query_refund"; §6): a refund is found by our mchRefundNo with
/// its amount and status; an unknown number is 0112. A refund answered `pending` (0110) is
/// processing at the first query and then settled.
#[tokio::test(flavor = "multi_thread")]
async fn query_refund_finds_a_refund_by_its_number() {
    use paydesk_sandbox::faults::FaultKind;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path()).await;
    let created = sandbox
        .create(create_fields("CT0050", "ALIPAY_QR", 1000))
        .await;
    let pay_order_id = created["payOrderId"].as_str().unwrap().to_string();
    settle_at_iotpay(dir.path(), "CT0050", true);
    let refund = |no: &str, amount: i64| {
        signed(
            json!({"mchId": SANDBOX_MCH_ID, "mchRefundNo": no, "refundAmount": amount,
                   "clientIp": "127.0.0.1", "loginName": "cashier1", "payOrderId": pay_order_id}),
            SANDBOX_MERCHANT_KEY,
        )
    };
    let query = |no: &str| {
        signed(
            json!({"mchId": SANDBOX_MCH_ID, "mchRefundNo": no}),
            SANDBOX_MERCHANT_KEY,
        )
    };
    assert_fails_with(&sandbox.post("query_refund", &query("RFCT1")).await, "0112");
    assert_signed_success(&sandbox.post("refund_order", &refund("RFCT1", 300)).await);
    let done = sandbox.post("query_refund", &query("RFCT1")).await;
    assert_signed_success(&done);
    assert_eq!(
        (
            &done["mchRefundNo"],
            &done["refundAmount"],
            &done["currency"],
            &done["status"]
        ),
        (&json!("RFCT1"), &json!(300), &json!("CAD"), &json!(2)),
        "{done}"
    );
    assert_eq!(done["payOrderId"], pay_order_id.as_str());

    fault_once(dir.path(), "refund_order", FaultKind::Pending, Some(0));
    assert_fails_with(
        &sandbox.post("refund_order", &refund("RFCT2", 500)).await,
        "0110",
    );
    let processing = sandbox.post("query_refund", &query("RFCT2")).await;
    assert_signed_success(&processing);
    assert_eq!(processing["status"], 1, "{processing}");
    let failed = sandbox.post("query_refund", &query("RFCT2")).await;
    assert_eq!(failed["status"], 9, "{failed}");
    let order = SandboxStore::open_in(dir.path())
        .unwrap()
        .find("CT0050")
        .unwrap()
        .unwrap();
    assert_eq!(
        order.refunded, 300,
        "the failed refund's 5.00 is refundable again"
    );
}
