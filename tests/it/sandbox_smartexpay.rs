//! Contract tests of the sandbox's SmartExPay (reference/gateways.md §4): literal JSON and
//! form bodies, the API key header, order/get, update-status, and the IPN with its sha256
//! hash, checked here by this file's own implementation pinned to the seed's vector.

use std::sync::{Arc, Mutex};

use paydesk_sandbox::{
    SandboxStore, SANDBOX_SMARTEXPAY_API_KEY, SANDBOX_SMARTEXPAY_MANUAL_ROUTE,
    SANDBOX_SMARTEXPAY_ROUTE,
};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::support::{
    answer_json, answer_text, sandbox_server as sandbox, set_next_call_fault, settled_outside,
};

/// §4 written from the reference: sha256 of the colon-joined values and the secret.
fn ipn_hash(values: &[&str], secret: &str) -> String {
    hex::encode(Sha256::digest(
        format!("{}:{secret}", values.join(":")).as_bytes(),
    ))
}

#[test]
fn the_hash_matches_the_seeds_vector() {
    let values = [
        "5d8e6002b80b7b4cd75a6424",
        "inProgress",
        "2",
        "317.42",
        "ETH",
        "WMZ",
        "1571328406072",
    ];
    assert_eq!(
        ipn_hash(&values, "SECRET123"),
        "af3acf947e6f0e0f2c267e300b8582e504dba12d1f2d058652b7414163c09f48"
    );
}

fn create_body(route: &str, ipn_url: &str) -> String {
    // Written as text: the amount is a JSON float.
    format!(
        r#"{{"routeId":"{route}","partner":"paydesk-sandbox","amount":12.50,"fromValues":[{{"key":"5d8e6002b80b7b4cd75a1111","value":"John Doe"}}],"toValues":[{{"key":"wallet","value":"TQ9sandboxWallet"}}],"routeValues":[],"lang":"en","agreement":true,"hideOutData":true,"clientCallbackUrl":"https://shop.example/back","ipnUrl":"{ipn_url}","ipnSecret":"SECRET123"}}"#
    )
}

async fn post_json(url: &str, key: Option<&str>, body: String) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body);
    if let Some(key) = key {
        request = request.header("X-Api-Key", key);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// A receiver that keeps every IPN it gets.
async fn ipn_sink() -> (String, Arc<Mutex<Vec<Vec<(String, String)>>>>) {
    let heard: Arc<Mutex<Vec<Vec<(String, String)>>>> = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/ipn", listener.local_addr().unwrap());
    let sink = heard.clone();
    let app = axum::Router::new().route(
        "/ipn",
        axum::routing::post(move |body: axum::body::Bytes| {
            let sink = sink.clone();
            async move {
                sink.lock()
                    .unwrap()
                    .push(serde_urlencoded::from_bytes(&body).unwrap());
                "OK"
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, heard)
}

#[tokio::test(flavor = "multi_thread")]
async fn create_then_get_with_the_api_key() {
    let (_dir, server) = sandbox().await;
    let base = format!("{}/smartexpay", server.base_url());
    let create = format!("{base}/public/exchanger/order/create");
    let (status, refused) = post_json(
        &create,
        None,
        create_body(SANDBOX_SMARTEXPAY_ROUTE, "http://127.0.0.1:9/ipn"),
    )
    .await;
    assert_eq!((status, &refused["success"]), (401, &json!(false)));
    assert!(refused["error"]["message"].is_string());

    let (status, created) = post_json(
        &create,
        Some(SANDBOX_SMARTEXPAY_API_KEY),
        create_body(SANDBOX_SMARTEXPAY_ROUTE, "http://127.0.0.1:9/ipn"),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let data = &created["data"];
    assert_eq!(data["_id"].as_str().unwrap().len(), 24);
    assert!(data["uid"].is_number());
    assert_eq!(data["secret"].as_str().unwrap().len(), 24);
    assert_eq!(data["inAmount"], json!(12.5));
    assert_eq!(data["outAmount"], json!(13.5), "12.50 at 1.08");
    assert_eq!(
        data["route"],
        json!({ "from": "CARDEUR", "to": "USDTTRC20" })
    );

    let uid = data["uid"].to_string();
    let secret = data["secret"].as_str().unwrap();
    let get = |uid: String, secret: String, key: &'static str| {
        let url = format!("{base}/public/exchanger/order/get");
        async move {
            let r = reqwest::Client::new()
                .get(url)
                .query(&[("orderUID", uid), ("orderSecret", secret)])
                .header("X-Api-Key", key)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, got) = get(uid.clone(), secret.to_string(), SANDBOX_SMARTEXPAY_API_KEY).await;
    assert_eq!(status, 200);
    assert_eq!(got["data"]["status"], "waitPayment");
    let (status, wrong) = get(
        uid.clone(),
        "not-the-secret".into(),
        SANDBOX_SMARTEXPAY_API_KEY,
    )
    .await;
    assert_eq!(
        (status, &wrong["error"]["errorCode"]),
        (404, &json!("ORDER_NOT_FOUND"))
    );
    assert_eq!(get(uid, secret.to_string(), "wrong-key").await.0, 401);

    let page = reqwest::get(format!("{base}/en/payment/{}/{secret}", data["uid"]))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("12.5 CARDEUR") && page.contains("Pay") && page.contains("Decline"),
        "{page}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_requests_are_refused_with_error_codes() {
    let (_dir, server) = sandbox().await;
    let create = format!(
        "{}/smartexpay/public/exchanger/order/create",
        server.base_url()
    );
    let good = create_body(SANDBOX_SMARTEXPAY_ROUTE, "http://127.0.0.1:9/ipn");
    let cases = [
        (
            good.replace(SANDBOX_SMARTEXPAY_ROUTE, "5d8e6002b80b7b4cd75affff"),
            "ROUTE_NOT_FOUND",
        ),
        (good.replace("12.50", "0"), "AMOUNT_INVALID"),
        (good.replace("12.50", "0.5"), "AMOUNT_OUT_OF_RANGE"),
        (good.replace("\"en\"", "\"de\""), "LANG_INVALID"),
        (
            good.replace("\"agreement\":true", "\"agreement\":false"),
            "AGREEMENT_REQUIRED",
        ),
        (
            good.replace("\"ipnSecret\":\"SECRET123\"", "\"ipnSecret\":\"\""),
            "IPN_SECRET_REQUIRED",
        ),
    ];
    for (body, code) in cases {
        let (status, answer) = post_json(&create, Some(SANDBOX_SMARTEXPAY_API_KEY), body).await;
        assert!(status >= 400, "{code}");
        assert_eq!(
            (
                answer["success"].clone(),
                answer["error"]["errorCode"].clone()
            ),
            (json!(false), json!(code))
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_form_encoding_with_indexed_values_works_too() {
    let (_dir, server) = sandbox().await;
    let form = [
        ("routeId", SANDBOX_SMARTEXPAY_ROUTE),
        ("amount", "20"),
        ("fromValues[0][key]", "5d8e6002b80b7b4cd75a1111"),
        ("fromValues[0][value]", "John Doe"),
        ("toValues[0][key]", "wallet"),
        ("toValues[0][value]", "TQ9sandboxWallet"),
        ("lang", "ru"),
        ("agreement", "true"),
        ("hideOutData", "false"),
    ];
    let answer = answer_json(
        reqwest::Client::new()
            .post(format!(
                "{}/smartexpay/public/exchanger/order/create",
                server.base_url()
            ))
            .header("X-Api-Key", SANDBOX_SMARTEXPAY_API_KEY)
            .form(&form),
    )
    .await;
    assert_eq!(answer["success"], true, "{answer}");
    assert_eq!(answer["data"]["inAmount"], json!(20));
}

#[tokio::test(flavor = "multi_thread")]
async fn paying_sends_one_hashed_ipn_and_it_is_never_resent() {
    let (dir, server) = sandbox().await;
    let (ipn_url, heard) = ipn_sink().await;
    let create = format!(
        "{}/smartexpay/public/exchanger/order/create",
        server.base_url()
    );
    let (_, created) = post_json(
        &create,
        Some(SANDBOX_SMARTEXPAY_API_KEY),
        create_body(SANDBOX_SMARTEXPAY_ROUTE, &ipn_url),
    )
    .await;
    let uid = created["data"]["uid"].to_string();
    let store = SandboxStore::open_in(dir.path()).unwrap();
    let said = settled_outside(&store, &uid, true).await;
    assert!(said.contains("is paid"), "{said}");

    let heard = heard.lock().unwrap().clone();
    assert_eq!(heard.len(), 1);
    let ipn = &heard[0];
    let get = |name: &str| {
        ipn.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {name}"))
    };
    assert_eq!(get("orderUID"), uid);
    assert_eq!(get("orderId"), created["data"]["_id"].as_str().unwrap());
    assert_eq!(
        (get("newStatus"), get("inAmount"), get("outAmount")),
        ("inProgress".into(), "12.5".into(), "13.5".into())
    );
    assert_eq!(
        (get("xml_from"), get("xml_to")),
        ("CARDEUR".into(), "USDTTRC20".into())
    );
    let to_values: Value = serde_json::from_str(&get("toValues")).unwrap();
    assert_eq!(to_values[0]["value"], "TQ9sandboxWallet");
    let values: Vec<String> = [
        "orderId",
        "newStatus",
        "inAmount",
        "outAmount",
        "xml_from",
        "xml_to",
        "timestamp",
    ]
    .iter()
    .map(|n| get(n))
    .collect();
    let values: Vec<&str> = values.iter().map(String::as_str).collect();
    assert_eq!(get("hash"), ipn_hash(&values, "SECRET123"));

    // An IPN nobody receives is lost: it is logged once and never sent again.
    let (_, unheard) = post_json(
        &create,
        Some(SANDBOX_SMARTEXPAY_API_KEY),
        create_body(SANDBOX_SMARTEXPAY_ROUTE, "http://127.0.0.1:9/ipn"),
    )
    .await;
    let unheard_uid = unheard["data"]["uid"].as_i64().unwrap();
    paydesk_sandbox::settle_other(&store, &unheard_uid.to_string(), true)
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let log: Vec<_> = store
        .smartexpay_ipns()
        .unwrap()
        .into_iter()
        .filter(|(u, _, _)| *u == unheard_uid)
        .collect();
    assert_eq!(log.len(), 1);
    assert!(!log[0].2, "not delivered");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manual_route_waits_for_the_merchant_to_move_it_to_in_progress() {
    let (dir, server) = sandbox().await;
    let (ipn_url, heard) = ipn_sink().await;
    let base = format!("{}/smartexpay/public/exchanger/order", server.base_url());
    let (_, created) = post_json(
        &format!("{base}/create"),
        Some(SANDBOX_SMARTEXPAY_API_KEY),
        create_body(SANDBOX_SMARTEXPAY_MANUAL_ROUTE, &ipn_url),
    )
    .await;
    let uid = created["data"]["uid"].as_i64().unwrap();
    let secret = created["data"]["secret"].as_str().unwrap().to_string();
    let store = SandboxStore::open_in(dir.path()).unwrap();
    let said = settled_outside(&store, &uid.to_string(), true).await;
    assert!(said.contains("waiting for the merchant"), "{said}");
    assert_eq!(
        store
            .smartexpay_order(&uid.to_string())
            .unwrap()
            .unwrap()
            .status,
        "waitPayment"
    );
    assert!(heard.lock().unwrap().is_empty());

    let update = |status: &str, secret: &str| {
        let body = json!({ "orderUID": uid, "orderSecret": secret, "status": status });
        let url = format!("{base}/update-status");
        async move {
            let r = reqwest::Client::new()
                .put(url)
                .header("X-Api-Key", SANDBOX_SMARTEXPAY_API_KEY)
                .json(&body)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    assert_eq!(update("done", &secret).await.0, 400, "only inProgress");
    assert_eq!(update("inProgress", "wrong").await.0, 404);
    let (status, moved) = update("inProgress", &secret).await;
    assert_eq!(
        (status, &moved["data"]["status"]),
        (200, &json!("inProgress"))
    );
    assert_eq!(update("inProgress", &secret).await.0, 400, "not twice");
    for _ in 0..50 {
        if !heard.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let heard = heard.lock().unwrap().clone();
    assert_eq!(heard.len(), 1);
    assert!(heard[0].contains(&("newStatus".to_string(), "inProgress".to_string())));
}

// ---- wave 11 ----

async fn get_order(base: &str, uid: &str, secret: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .get(format!("{base}/smartexpay/public/exchanger/order/get"))
        .query(&[("orderUID", uid), ("orderSecret", secret)])
        .header("X-Api-Key", SANDBOX_SMARTEXPAY_API_KEY)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json::<Value>().await.unwrap())
}

async fn created(base: &str, body: String) -> (String, String) {
    let (status, answer) = post_json(
        &format!("{base}/smartexpay/public/exchanger/order/create"),
        Some(SANDBOX_SMARTEXPAY_API_KEY),
        body,
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    (
        answer["data"]["uid"].to_string(),
        answer["data"]["secret"].as_str().unwrap().to_string(),
    )
}

/// Issue 11 item 8: the route reads the amount in its "from" currency (EUR for the sandbox's
/// routes); a create that says it is in another is refused in the documented error shape, as
/// is an amount outside the route's bounds.
#[tokio::test(flavor = "multi_thread")]
async fn the_route_has_a_from_currency_and_refuses_an_amount_in_another() {
    let (_dir, server) = sandbox().await;
    let create = format!(
        "{}/smartexpay/public/exchanger/order/create",
        server.base_url()
    );
    let good = create_body(SANDBOX_SMARTEXPAY_ROUTE, "http://127.0.0.1:9/ipn");
    let in_usd = good.replacen('{', r#"{"currency":"USD","#, 1);
    let (status, answer) = post_json(&create, Some(SANDBOX_SMARTEXPAY_API_KEY), in_usd).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["success"], json!(false));
    assert_eq!(answer["error"]["errorCode"], "CURRENCY_MISMATCH");
    assert!(
        answer["error"]["message"].as_str().unwrap().contains("EUR"),
        "{answer}"
    );
    let in_eur = good.replacen('{', r#"{"currency":"EUR","#, 1);
    let (status, answer) = post_json(&create, Some(SANDBOX_SMARTEXPAY_API_KEY), in_eur).await;
    assert_eq!(status, 200, "{answer}");
    let too_much = good.replace("12.50", "100000.01");
    let (status, answer) = post_json(&create, Some(SANDBOX_SMARTEXPAY_API_KEY), too_much).await;
    assert_eq!(
        (status, &answer["error"]["errorCode"]),
        (400, &json!("AMOUNT_OUT_OF_RANGE")),
        "{answer}"
    );
}

/// Issue 11 item 11: `wrong-order` on order/get gives a genuine answer about another order
/// (the paid one), as a replay would.
#[tokio::test(flavor = "multi_thread")]
async fn wrong_order_answers_about_another_paid_order() {
    let (dir, server) = sandbox().await;
    let base = server.base_url().to_string();
    let (paid_uid, _) = created(
        &base,
        create_body(SANDBOX_SMARTEXPAY_ROUTE, "http://127.0.0.1:9/ipn"),
    )
    .await;
    paydesk_sandbox::settle_other(server.store(), &paid_uid, true)
        .await
        .unwrap();
    let (uid, secret) = created(
        &base,
        create_body(SANDBOX_SMARTEXPAY_ROUTE, "http://127.0.0.1:9/ipn"),
    )
    .await;
    set_next_call_fault(
        dir.path(),
        "smartexpay",
        "get",
        paydesk_sandbox::faults::FaultKind::WrongOrder,
        None,
    );
    let (status, replay) = get_order(&base, &uid, &secret).await;
    assert_eq!(status, 200);
    assert_eq!(replay["data"]["uid"].to_string(), paid_uid, "{replay}");
    assert_eq!(replay["data"]["status"], "inProgress");
    let (_, real) = get_order(&base, &uid, &secret).await;
    assert_eq!(
        (real["data"]["uid"].to_string(), &real["data"]["status"]),
        (uid, &json!("waitPayment"))
    );
}

/// Issue 11 item 6: the seed gives no order lifetime, so the sandbox keeps an order payable
/// for a long time (24 h): 20 minutes on, the customer can still pay (the page's late-payment
/// action); past the sandbox's lifetime an unpaid order is `deleted`.
#[tokio::test(flavor = "multi_thread")]
async fn an_order_is_payable_long_after_paydesks_fifteen_minutes_then_deleted() {
    let (dir, server) = sandbox().await;
    let base = server.base_url().to_string();
    let (uid, secret) = created(
        &base,
        create_body(SANDBOX_SMARTEXPAY_ROUTE, "http://127.0.0.1:9/ipn"),
    )
    .await;
    let page = reqwest::Client::new()
        .post(format!(
            "{base}/smartexpay/en/payment/{uid}/{secret}/pay-late?minutes=20"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.text().await.unwrap().contains("Paid"));
    let (_, got) = get_order(&base, &uid, &secret).await;
    assert_eq!(got["data"]["status"], "inProgress");

    // An hour-old unpaid order with a one-hour lifetime is gone.
    let (old_uid, old_secret) = created(
        &base,
        create_body(SANDBOX_SMARTEXPAY_ROUTE, "http://127.0.0.1:9/ipn"),
    )
    .await;
    server
        .store()
        .set_sandbox_setting("smartexpay.order_ttl_ms", "3600000")
        .unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("sandbox.db")).unwrap();
    conn.execute(
        "UPDATE smartexpay_orders SET created_at = created_at - 3600001 WHERE uid = ?1",
        [old_uid.parse::<i64>().unwrap()],
    )
    .unwrap();
    let (_, gone) = get_order(&base, &old_uid, &old_secret).await;
    assert_eq!(gone["data"]["status"], "deleted", "{gone}");
    let refused = answer_text(reqwest::Client::new().post(format!(
        "{base}/smartexpay/en/payment/{old_uid}/{old_secret}/pay"
    )))
    .await;
    assert!(!refused.contains(">Paid<"), "{refused}");
}
