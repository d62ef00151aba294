//! Contract tests of the sandbox's SmartPay (reference/gateways.md §3; seed 003): the OAuth
//! token, Basic and Bearer auth, create checkout with the seed's body, status with its
//! pending answers, and modifications idempotent by modificationId. Literal bodies.

use paydesk_sandbox::{
    SandboxServer, SandboxStore, SANDBOX_SMARTPAY_AUTH_KEY, SANDBOX_SMARTPAY_CLIENT_ID,
    SANDBOX_SMARTPAY_CLIENT_SECRET, SANDBOX_SMARTPAY_MERCHANT_KEY,
};
use serde_json::{json, Value};

use crate::support::{
    answer_json, json_webhook, sandbox_server, set_next_call_fault, settled_outside,
};

async fn sandbox() -> (tempfile::TempDir, SandboxServer, String) {
    let (dir, server) = sandbox_server().await;
    let base = format!("{}/smartpay", server.base_url());
    (dir, server, base)
}

/// RFC 4648 base64, written here independently.
fn basic() -> String {
    let input = format!("{SANDBOX_SMARTPAY_MERCHANT_KEY}:{SANDBOX_SMARTPAY_AUTH_KEY}");
    let table = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = input.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let mut n = 0u32;
        for (i, b) in chunk.iter().enumerate() {
            n |= (*b as u32) << (16 - 8 * i);
        }
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                table[((n >> (18 - 6 * i)) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    format!("Basic {out}")
}

fn seed_body(reference: &str, amount: &str) -> String {
    format!(
        r#"{{"merchantKey":"{SANDBOX_SMARTPAY_MERCHANT_KEY}","partnerReference":"{reference}","payment":{{"amount":{amount},"currencyCode":"EUR","description":"Purchase 1x product ABC"}},"consumer":{{"firstName":"Butcher","lastName":"Hells","emailAddress":"hells.butcher_001@mail.com"}},"billingAddress":{{"addressLine1":"Anystreet","number":"123","city":"Anycity","postCode":"12345","countryCode":"DE"}}}}"#
    )
}

async fn call(
    method: reqwest::Method,
    url: &str,
    auth: Option<&str>,
    body: Option<String>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, url)
        .header("Content-Type", "application/json")
        .header("Accept-Language", "en-US");
    if let Some(auth) = auth {
        request = request.header("Authorization", auth);
    }
    if let Some(body) = body {
        request = request.body(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn create(base: &str, reference: &str, amount: &str) -> Value {
    let (status, created) = call(
        reqwest::Method::POST,
        &format!("{base}/payment/creation"),
        Some(&basic()),
        Some(seed_body(reference, amount)),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    created
}

#[tokio::test(flavor = "multi_thread")]
async fn oauth_client_credentials_give_a_bearer_token() {
    let (_dir, _server, base) = sandbox().await;
    let form = [
        ("client_id", SANDBOX_SMARTPAY_CLIENT_ID),
        ("client_secret", SANDBOX_SMARTPAY_CLIENT_SECRET),
        ("grant_type", "client_credentials"),
    ];
    let answer = answer_json(
        reqwest::Client::new()
            .post(format!("{base}/oauth2/token"))
            .form(&form),
    )
    .await;
    assert_eq!(
        (answer["expires_in"].clone(), answer["token_type"].clone()),
        (json!(3600), json!("Bearer"))
    );
    let bearer = format!("Bearer {}", answer["access_token"].as_str().unwrap());
    let (status, _) = call(
        reqwest::Method::POST,
        &format!("{base}/payment/creation"),
        Some(&bearer),
        Some(seed_body("ORDER-OAUTH-1", "10.99")),
    )
    .await;
    assert_eq!(status, 200);

    let wrong = [
        ("client_id", SANDBOX_SMARTPAY_CLIENT_ID),
        ("client_secret", "nope"),
        ("grant_type", "client_credentials"),
    ];
    let refused = reqwest::Client::new()
        .post(format!("{base}/oauth2/token"))
        .form(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    assert_eq!(
        refused.json::<Value>().await.unwrap()["error"],
        "invalid_client"
    );
    let (status, _) = call(
        reqwest::Method::POST,
        &format!("{base}/payment/creation"),
        Some("Bearer forged"),
        Some(seed_body("ORDER-OAUTH-2", "1.00")),
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn create_checkout_with_the_seeds_body_and_its_rules() {
    let (_dir, _server, base) = sandbox().await;
    let created = create(&base, "ORDER-1", "10.99").await;
    assert_eq!(created["transactionId"].as_str().unwrap().len(), 36);
    assert_eq!(created["checkoutToken"].as_str().unwrap().len(), 64);
    assert_eq!(created["paymentStatus"], "CREATED");
    assert!(created["requestTime"].as_str().unwrap().ends_with('Z'));
    let again = create(&base, "ORDER-1", "10.99").await;
    assert_eq!(
        again["transactionId"], created["transactionId"],
        "partnerReference is unique"
    );

    let url = format!("{base}/payment/creation");
    assert_eq!(
        call(
            reqwest::Method::POST,
            &url,
            None,
            Some(seed_body("ORDER-2", "1.00"))
        )
        .await
        .0,
        401
    );
    let no_language = reqwest::Client::new()
        .post(&url)
        .header("Authorization", basic())
        .body(seed_body("ORDER-3", "1.00"))
        .send()
        .await
        .unwrap();
    assert_eq!(no_language.status(), 400, "Accept-Language is required");
    for (body, code) in [
        (seed_body("has space", "1.00"), "INVALID_PARTNER_REFERENCE"),
        (seed_body("ORDER-4", "10.999"), "INVALID_AMOUNT"),
        (seed_body("ORDER-5", "\"10.99\""), "INVALID_AMOUNT"),
        (seed_body("ORDER-1", "11.00"), "DUPLICATE_PARTNER_REFERENCE"),
        (
            seed_body("ORDER-6", "1.00").replace(SANDBOX_SMARTPAY_MERCHANT_KEY, "someone-else"),
            "INVALID_MERCHANT",
        ),
    ] {
        let (status, answer) = call(reqwest::Method::POST, &url, Some(&basic()), Some(body)).await;
        assert!(status >= 400, "{code}");
        assert_eq!(answer["errorCode"], code);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn status_goes_through_the_widget_and_pending_answers() {
    let (dir, server, base) = sandbox().await;
    let store = SandboxStore::open_in(dir.path()).unwrap();
    store
        .set_sandbox_setting("smartpay.pending_answers", "2")
        .unwrap();
    let created = create(&base, "ORDER-P", "10.99").await;
    let id = created["transactionId"].as_str().unwrap();
    let status = || async {
        call(
            reqwest::Method::GET,
            &format!("{base}/payment/status/{id}"),
            Some(&basic()),
            None,
        )
        .await
        .1
    };
    let first = status().await;
    assert_eq!(first["paymentStatus"], "CREATED");
    assert_eq!(first["transactionOverview"]["amount"], json!(10.99));
    assert_eq!(first["transactionOverview"]["currencyCode"], "EUR");
    assert!(first["reconciliationReferenceId"].is_string() && first["creationDate"].is_string());
    assert_eq!(first["modifications"], json!([]));

    let page = format!(
        "{}/pay/smartpay/{}",
        server.base_url(),
        created["checkoutToken"].as_str().unwrap()
    );
    assert!(reqwest::get(&page)
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .contains("10.99 EUR"));
    assert_eq!(
        status().await["paymentStatus"],
        "AUTORIZATION_INITIALIZED",
        "the vendor's spelling"
    );
    reqwest::Client::new()
        .post(format!("{page}/pay"))
        .send()
        .await
        .unwrap();
    assert_eq!(status().await["paymentStatus"], "AUTHORIZATION_PENDING");
    assert_eq!(status().await["paymentStatus"], "AUTHORIZATION_PENDING");
    assert_eq!(status().await["paymentStatus"], "CAPTURED");
    assert_eq!(status().await["paymentStatus"], "CAPTURED");
    let (code, _) = call(
        reqwest::Method::GET,
        &format!("{base}/payment/status/00000000-0000-4000-a000-000000000000"),
        Some(&basic()),
        None,
    )
    .await;
    assert_eq!(code, 404);
}

/// The modification answers as the vendor's pages give them: the shared response model
/// (paymentStatus, transactionOverview, modifications[]) with the one asked for as
/// `modification`; `modifiedAmount` an object; a repeat of a modificationId gets the first
/// one's result, whatever it carries (Modification APIs page).
#[tokio::test(flavor = "multi_thread")]
async fn modifications_are_idempotent_by_modification_id() {
    let (dir, _server, base) = sandbox().await;
    let store = SandboxStore::open_in(dir.path()).unwrap();
    store
        .set_sandbox_setting("smartpay.auto_capture", "false")
        .unwrap();
    let created = create(&base, "ORDER-M", "10.00").await;
    let id = created["transactionId"].as_str().unwrap().to_string();
    store.smartpay_settle(&id, true).unwrap();
    let modify = |path: &'static str, body: String| {
        let url = format!("{base}/payment/{path}");
        async move { call(reqwest::Method::POST, &url, Some(&basic()), Some(body)).await }
    };
    let body = |m: &str, extra: &str| {
        format!(
            r#"{{"transactionId":"{id}","merchantKey":"{SANDBOX_SMARTPAY_MERCHANT_KEY}","modificationId":"{m}"{extra}}}"#
        )
    };
    let amount = |a: &str| format!(r#","modifiedAmount":{{"amount":{a},"currencyCode":"EUR"}}"#);

    let (status, refused) = modify("refund", body("R-0", &amount("1.00"))).await;
    assert_eq!(
        (status, &refused["errorCode"]),
        (400, &json!("INVALID_STATE")),
        "nothing captured yet"
    );
    assert_eq!(
        modify("refund", body("R-00", r#","modifiedAmount":1.00"#))
            .await
            .0,
        400,
        "modifiedAmount is an object"
    );
    let (status, captured) = modify("capture", body("C-1", "")).await;
    assert_eq!(
        (status, &captured["paymentStatus"]),
        (200, &json!("CAPTURED"))
    );
    assert_eq!(
        captured["modification"]["modificationData"]["modificationId"],
        "C-1"
    );
    assert_eq!(
        captured["modification"]["modificationData"]["type"],
        "CAPTURE"
    );
    assert_eq!(captured["modification"]["status"], "CAPTURED");
    assert_eq!(
        captured["modification"]["modificationAmount"]["amount"],
        json!(10.00)
    );
    assert_eq!(
        captured["transactionOverview"]["transactionId"],
        id.as_str()
    );
    assert_eq!(
        modify("capture", body("C-1", "")).await.1["modification"]["status"],
        "CAPTURED",
        "a repeat answers the same"
    );

    let (status, partial) = modify("refund", body("R-1", &amount("3.00"))).await;
    assert_eq!(
        (
            status,
            &partial["paymentStatus"],
            &partial["modification"]["status"]
        ),
        (200, &json!("CAPTURED"), &json!("REFUNDED")),
        "a partial refund is done; the payment stays captured"
    );
    assert_eq!(
        partial["modification"]["modificationAmount"]["amount"],
        json!(3.00)
    );
    assert_eq!(modify("refund", body("R-1", &amount("3.00"))).await.0, 200);
    let (status, same) = modify("refund", body("R-1", &amount("4.00"))).await;
    assert_eq!(
        (
            status,
            &same["modification"]["modificationAmount"]["amount"]
        ),
        (200, &json!(3.00)),
        "same id, other refund: the first one's result"
    );
    assert_eq!(
        modify("refund", body("R-2", &amount("8.00"))).await.0,
        400,
        "more than is left"
    );
    assert_eq!(
        modify(
            "refund",
            body(
                "R-3",
                r#","modifiedAmount":{"amount":1.00,"currencyCode":"USD"}"#
            )
        )
        .await
        .0,
        400,
        "the payment's currency"
    );
    let (_, rest) = modify(
        "cancelOrRefund",
        body("X-1", r#","description":"customer changed mind""#),
    )
    .await;
    assert_eq!(rest["paymentStatus"], "REFUNDED");
    assert_eq!(rest["modification"]["modificationData"]["type"], "REFUND");
    assert_eq!(
        modify("cancelOrRefund", body("X-1", "")).await.1["paymentStatus"],
        "REFUNDED"
    );
    let kept = store.smartpay_modifications(&id).unwrap();
    assert_eq!(
        kept,
        vec![
            ("C-1".into(), "capture".into(), Some(1000)),
            ("R-1".into(), "refund".into(), Some(300)),
            ("X-1".into(), "cancelOrRefund".into(), Some(700))
        ]
    );
    let status = call(
        reqwest::Method::GET,
        &format!("{base}/payment/status/{id}"),
        Some(&basic()),
        None,
    )
    .await
    .1;
    let listed = status["modifications"].as_array().unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(
        listed
            .iter()
            .map(|m| m["status"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["CAPTURED", "REFUNDED", "REFUNDED"]
    );

    // An authorisation is cancelled by cancelOrRefund.
    let other = create(&base, "ORDER-V", "5.00").await;
    let other_id = other["transactionId"].as_str().unwrap();
    store.smartpay_settle(other_id, true).unwrap();
    let cancel = format!(
        r#"{{"transactionId":"{other_id}","merchantKey":"{SANDBOX_SMARTPAY_MERCHANT_KEY}","modificationId":"V-1"}}"#
    );
    let cancelled = modify("cancelOrRefund", cancel).await.1;
    assert_eq!(cancelled["paymentStatus"], "CANCELLED");
    assert_eq!(
        cancelled["modification"]["modificationData"]["type"],
        "CANCELLATION"
    );
    assert_eq!(cancelled["modification"]["status"], "CANCELLED");
}

/// The documented outcomes as faults: a refused modification (refused again when resent), a
/// pending one that shows in the status answer's modifications[] and settles, a create answer
/// claiming capture, a status answer about another payment.
#[tokio::test(flavor = "multi_thread")]
async fn faults_give_the_documented_outcomes() {
    use paydesk_sandbox::faults::FaultKind;
    let (dir, _server, base) = sandbox().await;
    let store = SandboxStore::open_in(dir.path()).unwrap();
    let fault = |call: &str, kind: FaultKind, value: Option<i64>| {
        set_next_call_fault(dir.path(), "smartpay", call, kind, value)
    };
    fault("creation", FaultKind::ClaimSuccess, None);
    let claimed = create(&base, "ORDER-CLAIM", "4.00").await;
    assert_eq!(claimed["paymentStatus"], "CAPTURED");
    let id = claimed["transactionId"].as_str().unwrap().to_string();
    assert_eq!(
        store.smartpay_payment(&id).unwrap().unwrap().status,
        "CREATED"
    );
    store.smartpay_settle(&id, true).unwrap();

    let url = |path: &str| format!("{base}/payment/{path}");
    let body = |m: &str| {
        format!(
            r#"{{"transactionId":"{id}","merchantKey":"{SANDBOX_SMARTPAY_MERCHANT_KEY}","modificationId":"{m}","modifiedAmount":{{"amount":1.00,"currencyCode":"EUR"}}}}"#
        )
    };
    let post = |path: &str, b: String| {
        let u = url(path);
        async move { call(reqwest::Method::POST, &u, Some(&basic()), Some(b)).await }
    };
    let status = || {
        let u = url(&format!("status/{id}"));
        async move { call(reqwest::Method::GET, &u, Some(&basic()), None).await.1 }
    };

    fault("refund", FaultKind::Refuse, None);
    let (code, refused) = post("refund", body("R-NO")).await;
    assert_eq!(
        (code, &refused["errorCode"]),
        (400, &json!("MODIFICATION_REFUSED"))
    );
    assert_eq!(post("refund", body("R-NO")).await.0, 400, "refused again");
    assert_eq!(
        store
            .smartpay_modification_state("R-NO")
            .unwrap()
            .as_deref(),
        Some("refused")
    );

    fault("refund", FaultKind::Pending, None);
    let (code, pending) = post("refund", body("R-P")).await;
    assert_eq!(
        (code, &pending["modification"]["status"]),
        (200, &json!("REFUND_PENDING"))
    );
    assert_eq!(
        status().await["modifications"][0]["status"],
        "REFUND_PENDING"
    );
    assert_eq!(status().await["modifications"][0]["status"], "REFUNDED");
    assert_eq!(
        store.smartpay_payment(&id).unwrap().unwrap().refunded_minor,
        100
    );

    fault("refund", FaultKind::Pending, Some(0));
    post("refund", body("R-F")).await;
    assert_eq!(
        status().await["modifications"][1]["status"],
        "REFUND_PENDING"
    );
    assert_eq!(
        status().await["modifications"][1]["status"],
        "REFUND_FAILED"
    );
    assert_eq!(
        store.smartpay_payment(&id).unwrap().unwrap().refunded_minor,
        100,
        "a failed refund gives nothing back"
    );

    let other = create(&base, "ORDER-ASKED", "7.00").await;
    let other_id = other["transactionId"].as_str().unwrap().to_string();
    fault(&other_id, FaultKind::WrongOrder, None);
    let replayed = call(
        reqwest::Method::GET,
        &url(&format!("status/{other_id}")),
        Some(&basic()),
        None,
    )
    .await
    .1;
    assert_eq!(
        replayed["transactionOverview"]["transactionId"],
        id.as_str()
    );
    assert_eq!(replayed["paymentStatus"], "CAPTURED");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_unsigned_webhook_names_the_transaction() {
    let (url, heard) = json_webhook("/hook").await;
    let (dir, _server, base) = sandbox().await;
    let store = SandboxStore::open_in(dir.path()).unwrap();
    store
        .set_sandbox_setting("smartpay.webhook_url", &url)
        .unwrap();
    let created = create(&base, "ORDER-W", "2.50").await;
    let said = settled_outside(&store, "ORDER-W", true).await;
    assert!(said.contains("is paid"), "{said}");
    let heard = heard.lock().unwrap().clone();
    assert_eq!(heard.len(), 1);
    assert_eq!(heard[0]["objectId"], created["transactionId"]);
    assert_eq!(
        (
            heard[0]["objectType"].clone(),
            heard[0]["merchantKey"].clone()
        ),
        (json!("payment"), json!(SANDBOX_SMARTPAY_MERCHANT_KEY))
    );
    assert!(
        heard[0]["id"].is_string()
            && heard[0]["eventType"].is_string()
            && heard[0]["createdAt"].is_string()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_widget_stand_in_has_the_vendors_globals() {
    let (_dir, _server, base) = sandbox().await;
    let text = reqwest::get(format!("{base}/smp-bundle.js"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for needle in [
        "window.SmpLibrary",
        "SmartPayAppInstance",
        "renderWidget",
        "checkoutToken",
        "successHandler",
        "errorHandler",
        "transactionStatus",
    ] {
        assert!(text.contains(needle), "{needle}");
    }
}
