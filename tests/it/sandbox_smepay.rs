//! Contract tests of the sandbox's SMEPay V2 (reference/gateways.md §2): literal JSON bodies
//! as the reference and the seed write them, real HTTP on loopback, a real SQLite file.

use std::time::Duration;

use paydesk_sandbox::{SandboxStore, SANDBOX_SMEPAY_CLIENT_ID, SANDBOX_SMEPAY_CLIENT_SECRET};
use serde_json::{json, Value};

use crate::support::{
    answer_text, json_webhook, sandbox_server as sandbox, set_next_call_fault, settled_outside,
};

async fn post(url: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut request = reqwest::Client::new().post(url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}")),
    )
}

async fn token(base: &str) -> String {
    let (status, answer) = post(
        &format!("{base}/smepay/api/wiz/external/auth"),
        None,
        json!({ "client_id": SANDBOX_SMEPAY_CLIENT_ID, "client_secret": SANDBOX_SMEPAY_CLIENT_SECRET }),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    answer["access_token"].as_str().unwrap().to_string()
}

fn create_body(order_id: &str, amount: &str, callback_url: &str) -> Value {
    json!({
        "client_id": SANDBOX_SMEPAY_CLIENT_ID,
        "amount": amount,
        "order_id": order_id,
        "callback_url": callback_url,
        "customer_details": { "email": "user@example.com", "mobile": "9999999999", "name": "John Doe" }
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_gives_a_bearer_token_and_refuses_wrong_secrets() {
    let (_dir, server) = sandbox().await;
    let base = server.base_url();
    let (status, answer) = post(
        &format!("{base}/smepay/api/wiz/external/auth"),
        None,
        json!({ "client_id": SANDBOX_SMEPAY_CLIENT_ID, "client_secret": SANDBOX_SMEPAY_CLIENT_SECRET }),
    )
    .await;
    assert_eq!(status, 200);
    assert!(answer["access_token"].as_str().unwrap().len() > 10);
    assert_eq!(answer["expires_in"], 600);

    let (status, answer) = post(
        &format!("{base}/smepay/api/wiz/external/auth"),
        None,
        json!({ "client_id": SANDBOX_SMEPAY_CLIENT_ID, "client_secret": "wrong" }),
    )
    .await;
    assert_eq!(status, 401);
    assert!(answer["error"].is_string(), "{answer}");

    let (status, _) = post(
        &format!("{base}/smepay/api/wiz/external/order/create"),
        None,
        create_body("ORDER1234", "100.00", "https://dev.example.in/cb"),
    )
    .await;
    assert_eq!(status, 401, "no bearer token");
    let (status, _) = post(
        &format!("{base}/smepay/api/wiz/external/order/create"),
        Some("smp_forged"),
        create_body("ORDER1234", "100.00", "https://dev.example.in/cb"),
    )
    .await;
    assert_eq!(status, 401, "unknown token");
}

#[tokio::test(flavor = "multi_thread")]
async fn create_initiate_pay_validate_and_status() {
    let (dir, server) = sandbox().await;
    let base = server.base_url();
    let token = token(base).await;
    let (status, created) = post(
        &format!("{base}/smepay/api/wiz/external/order/create"),
        Some(&token),
        create_body("ORDER1234", "100.00", "https://dev.example.in/cb"),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["status"], true);
    let slug = created["order_slug"].as_str().unwrap().to_string();

    let (_, again) = post(
        &format!("{base}/smepay/api/wiz/external/order/create"),
        Some(&token),
        create_body("ORDER1234", "100.00", "https://dev.example.in/cb"),
    )
    .await;
    assert_eq!(
        again["order_slug"],
        slug.as_str(),
        "the same order_id answers the same slug"
    );

    let (status, initiated) = post(
        &format!("{base}/smepay/api/external/order/initiate"),
        Some(&token),
        json!({ "slug": slug, "client_id": SANDBOX_SMEPAY_CLIENT_ID }),
    )
    .await;
    assert_eq!(status, 200, "{initiated}");
    let link = initiated["payment_link"].as_str().unwrap();
    assert!(link.ends_with(&format!("/pay/smepay/{slug}")), "{link}");
    let png = base64_decode(initiated["qr_code"].as_str().unwrap());
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "qr_code is a base64 PNG");
    for app in ["gpay", "phonepe", "paytm", "bhim"] {
        assert!(
            initiated["intents"][app]
                .as_str()
                .unwrap()
                .contains("am=100.00"),
            "{app}"
        );
    }
    assert!(initiated["expires_at"].as_i64().unwrap() > chrono::Utc::now().timestamp());
    assert_eq!(initiated["payment_status"], "INITIATED");

    let status_of = |token: String| {
        let url = format!("{base}/smepay/api/external/order/status");
        async move {
            post(
                &url,
                Some(&token),
                json!({ "client_id": SANDBOX_SMEPAY_CLIENT_ID, "order_id": "ORDER1234" }),
            )
            .await
        }
    };
    let (_, before) = status_of(token.clone()).await;
    assert_eq!(before["payment_status"], "INITIATED");
    // The seed sends only order_id.
    let (_, seed_form) = post(
        &format!("{base}/smepay/api/external/order/status"),
        Some(&token),
        json!({ "order_id": "ORDER1234" }),
    )
    .await;
    assert_eq!(seed_form["order_id"], "ORDER1234");

    let page = reqwest::get(link).await.unwrap().text().await.unwrap();
    assert!(page.contains("100.00 INR") && page.contains("Pay") && page.contains("Decline"));
    assert_eq!(
        status_of(token.clone()).await.1["payment_status"],
        "PENDING",
        "the customer has the page open"
    );
    let paid = answer_text(reqwest::Client::new().post(format!("{link}/pay"))).await;
    assert!(paid.contains("Paid"));

    let (_, after) = status_of(token.clone()).await;
    assert_eq!(after["payment_status"], "SUCCESS");
    assert_eq!(after["amount"], "100.00");
    assert!(after["processed_at"].is_string());

    let validate = format!("{base}/smepay/api/wiz/external/order/validate");
    let (_, valid) = post(
        &validate,
        Some(&token),
        json!({ "client_id": SANDBOX_SMEPAY_CLIENT_ID, "amount": "100.00", "slug": slug }),
    )
    .await;
    assert_eq!(valid["payment_status"], "TEST_SUCCESS");
    let (_, number) = post(
        &validate,
        Some(&token),
        json!({ "client_id": SANDBOX_SMEPAY_CLIENT_ID, "amount": 100, "slug": slug }),
    )
    .await;
    assert_eq!(
        number["payment_status"], "TEST_SUCCESS",
        "the seed's Node example sends a number"
    );
    let (_, wrong) = post(
        &validate,
        Some(&token),
        json!({ "client_id": SANDBOX_SMEPAY_CLIENT_ID, "amount": "1.00", "slug": slug }),
    )
    .await;
    assert_eq!(wrong["status"], false);

    let store = SandboxStore::open_in(dir.path()).unwrap();
    assert_eq!(
        store.smepay_order("ORDER1234").unwrap().unwrap().status,
        "SUCCESS"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_amounts_and_unknown_orders_are_refused() {
    let (_dir, server) = sandbox().await;
    let base = server.base_url();
    let token = token(base).await;
    let create = format!("{base}/smepay/api/wiz/external/order/create");
    for amount in ["0.99", "abc", "1.234", "-5"] {
        let (status, answer) = post(
            &create,
            Some(&token),
            create_body("ORD-A", amount, "https://dev.example.in/cb"),
        )
        .await;
        assert_eq!(
            (status, &answer["status"]),
            (400, &json!(false)),
            "{amount}: {answer}"
        );
    }
    let mut no_customer = create_body("ORD-B", "5.00", "https://dev.example.in/cb");
    no_customer
        .as_object_mut()
        .unwrap()
        .remove("customer_details");
    assert_eq!(post(&create, Some(&token), no_customer).await.0, 400);
    let (status, answer) = post(
        &format!("{base}/smepay/api/external/order/status"),
        Some(&token),
        json!({ "client_id": SANDBOX_SMEPAY_CLIENT_ID, "order_id": "NOPE" }),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(answer["status"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn both_path_families_and_both_slug_names() {
    let (dir, server) = sandbox().await;
    let base = server.base_url();
    let token = token(base).await;
    SandboxStore::open_in(dir.path())
        .unwrap()
        .set_sandbox_setting("smepay.slug_field", "slug")
        .unwrap();
    let (_, created) = post(
        &format!("{base}/smepay/api/wiz/external/order/create"),
        Some(&token),
        create_body("ORD-W", "2.00", "https://dev.example.in/cb"),
    )
    .await;
    let slug = created["slug"].as_str().expect("answered as slug");
    assert!(created.get("order_slug").is_none());
    let (status, _) = post(
        &format!("{base}/smepay/api/wiz/external/order/initiate"),
        Some(&token),
        json!({ "slug": slug, "client_id": SANDBOX_SMEPAY_CLIENT_ID }),
    )
    .await;
    assert_eq!(status, 200, "the plugin's wiz/ family");
    let (status, _) = post(
        &format!("{base}/smepay/api/wiz/external/order/status"),
        Some(&token),
        json!({ "order_id": "ORD-W" }),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_short_token_lifetime_makes_tokens_expire() {
    let (dir, server) = sandbox().await;
    let base = server.base_url();
    let store = SandboxStore::open_in(dir.path()).unwrap();
    store
        .set_sandbox_setting("smepay.token_ttl_ms", "300")
        .unwrap();
    let token = token(base).await;
    let status = format!("{base}/smepay/api/external/order/status");
    assert_eq!(
        post(&status, Some(&token), json!({ "order_id": "X" }))
            .await
            .0,
        404,
        "valid token, unknown order"
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        post(&status, Some(&token), json!({ "order_id": "X" }))
            .await
            .0,
        401,
        "expired"
    );
    assert_eq!(store.smepay_tokens_issued().unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn paying_posts_the_unsigned_webhook_once() {
    let (callback, heard) = json_webhook("/cb").await;

    let (dir, server) = sandbox().await;
    let base = server.base_url();
    let token = token(base).await;
    let (_, created) = post(
        &format!("{base}/smepay/api/wiz/external/order/create"),
        Some(&token),
        create_body("ORD-HOOK", "250.00", &callback),
    )
    .await;
    let slug = created["order_slug"].as_str().unwrap().to_string();
    let store = SandboxStore::open_in(dir.path()).unwrap();
    let said = settled_outside(&store, "ORD-HOOK", true).await;
    assert!(said.contains("is paid"), "{said}");
    let heard = heard.lock().unwrap().clone();
    assert_eq!(heard.len(), 1, "{heard:?}");
    let hook = &heard[0];
    assert_eq!(hook["ref_id"], "ORD-HOOK");
    assert_eq!(hook["transaction_id"], slug.as_str());
    assert_eq!(hook["status"], "SUCCESS");
    assert_eq!(hook["amount"], "250.00");
    assert!(
        hook.get("signature").is_none() && hook.get("hash").is_none(),
        "unsigned"
    );
    // Settling again changes nothing and sends nothing more.
    paydesk_sandbox::settle_other(&store, "ORD-HOOK", false)
        .await
        .unwrap();
    assert_eq!(
        store.smepay_order("ORD-HOOK").unwrap().unwrap().status,
        "SUCCESS"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_widget_stand_in_has_the_vendors_global() {
    let (_dir, server) = sandbox().await;
    let script = reqwest::get(format!(
        "{}/smepay/sdk/smepay-checkout.js",
        server.base_url()
    ))
    .await
    .unwrap();
    assert!(script.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("javascript"));
    let text = script.text().await.unwrap();
    assert!(
        text.contains("window.smepayCheckout")
            && text.contains("onSuccess")
            && text.contains("onFailure")
    );
}

fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let mut buffer = 0u32;
    let mut bits = 0;
    for c in text.bytes().filter(|c| *c != b'=') {
        buffer = (buffer << 6) | ALPHABET.iter().position(|a| *a == c).expect("base64") as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    out
}

// ---- wave 11 ----

/// An order created and initiated on the sandbox: (slug, payment link, initiate answer).
async fn initiated(
    base: &str,
    token: &str,
    order_id: &str,
    amount: &str,
) -> (String, String, Value) {
    let (status, created) = post(
        &format!("{base}/smepay/api/wiz/external/order/create"),
        Some(token),
        create_body(order_id, amount, "https://dev.example.in/cb"),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let slug = created["order_slug"].as_str().unwrap().to_string();
    let (status, answer) = post(
        &format!("{base}/smepay/api/external/order/initiate"),
        Some(token),
        json!({ "slug": slug, "client_id": SANDBOX_SMEPAY_CLIENT_ID }),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let link = answer["payment_link"].as_str().unwrap().to_string();
    (slug, link, answer)
}

async fn status_of(base: &str, token: &str, order_id: &str) -> Value {
    post(
        &format!("{base}/smepay/api/external/order/status"),
        Some(token),
        json!({ "client_id": SANDBOX_SMEPAY_CLIENT_ID, "order_id": order_id }),
    )
    .await
    .1
}

/// Issue 11 item 11: `wrong-order` on status gives a genuine answer about another order (the
/// paid one), as a replay would.
#[tokio::test(flavor = "multi_thread")]
async fn wrong_order_answers_about_another_paid_order() {
    let (dir, server) = sandbox().await;
    let base = server.base_url();
    let token = token(base).await;
    let (_, paid_link, _) = initiated(base, &token, "PAID1", "250.00").await;
    reqwest::Client::new()
        .post(format!("{paid_link}/pay"))
        .send()
        .await
        .unwrap();
    initiated(base, &token, "OPEN1", "5.00").await;
    set_next_call_fault(
        dir.path(),
        "smepay",
        "status",
        paydesk_sandbox::faults::FaultKind::WrongOrder,
        None,
    );
    let replay = status_of(base, &token, "OPEN1").await;
    assert_eq!(
        (
            &replay["order_id"],
            &replay["payment_status"],
            &replay["amount"]
        ),
        (&json!("PAID1"), &json!("SUCCESS"), &json!("250.00")),
        "{replay}"
    );
    let real = status_of(base, &token, "OPEN1").await;
    assert_eq!(
        (&real["order_id"], &real["payment_status"]),
        (&json!("OPEN1"), &json!("INITIATED"))
    );
}

/// Issue 11 item 6: SMEPay's pages give no lifetime, so the sandbox keeps an initiated order
/// payable for an hour: 20 minutes on (past Paydesk's 15) the customer can still pay, with the
/// page's late-payment action.
#[tokio::test(flavor = "multi_thread")]
async fn an_order_is_payable_after_paydesks_fifteen_minutes() {
    let (_dir, server) = sandbox().await;
    let base = server.base_url();
    let token = token(base).await;
    let (_, link, answer) = initiated(base, &token, "LATE1", "75.00").await;
    let now = chrono::Utc::now().timestamp();
    assert!(
        answer["expires_at"].as_i64().unwrap() >= now + 59 * 60,
        "an hour: {answer}"
    );
    let page = reqwest::Client::new()
        .post(format!("{link}/pay-late?minutes=20"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.text().await.unwrap().contains("Paid"));
    let after = status_of(base, &token, "LATE1").await;
    assert_eq!(after["payment_status"], "SUCCESS", "{after}");
}
