//! PayMe end to end over HTTP against the simulator Kassa serves: connecting an account from
//! the back office (every refusal the seed lists), a payment from the checkout to the paid
//! callback, and callbacks that must change nothing.

use crate::common::browser::{Browser, signed_up_in};
use crate::common::provider::{
    Order, assert_refused_for, duplicates, encode, post_at_once, post_form, refusals, replaced,
    start_redirect,
};
use crate::common::{
    Running, event_kinds, methods, no_redirects, payment, quiet_server, serve, serve_with,
};
use engine::connectors::payme::{Platform, signature};
use engine::db::payments::Payment;
use engine::status::PaymentStatus;
use engine::validation::Problem;
use leptos::server::codee::{Decoder, binary::PostcardCodec};
use server::sim::payme::{
    DEMO_EMAIL, DEMO_SELLER, FOREIGN_EMAIL, FOREIGN_SELLER, SANDBOX_CLIENT_KEY,
    SANDBOX_CLIENT_SECRET,
};

const METHOD: &str = "/api/admin/method";

fn method_form<'a>(key: &'a str, email: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("id", ""),
        ("kind", "payme"),
        ("display_name", "PayMe"),
        ("min_amount", ""),
        ("max_amount", ""),
        ("discount_kind", "none"),
        ("discount_value", ""),
        ("provider[seller_key]", key),
        ("provider[email]", email),
    ]
}

/// Submits the add form and returns the page it leads to.
async fn add(browser: &mut Browser, key: &str, email: &str) -> (String, String) {
    let to = browser.submit(METHOD, &method_form(key, email)).await;
    let page = browser.page(&to).await;
    (to, page)
}

/// A store in ILS with the demo seller connected, as a merchant does it.
async fn connected_store(app: &Running, slug: &str) -> (Browser, i64) {
    let mut owner = signed_up_in(app, slug, &format!("{slug}@example.com"), "ILS").await;
    let (to, _) = add(&mut owner, DEMO_SELLER, DEMO_EMAIL).await;
    assert_eq!(to, "/admin/methods");
    let method = methods(app, slug).await[0].id;
    (owner, method)
}

#[tokio::test]
async fn a_live_server_without_kassa_s_payme_credentials_offers_no_payme() {
    let app = serve_with(false, |c| c.payme_platform = None).await;
    let mut dana = signed_up_in(&app, "dana", "dana@example.com", "ILS").await;
    let page = dana.page("/admin/methods").await;
    assert!(!page.contains("Add PayMe"), "not offered");
    assert!(page.contains("Add PayPal"));
    // Posted anyway, as a script might: refused, nothing saved, no call to any PayMe.
    let (to, page) = add(&mut dana, DEMO_SELLER, DEMO_EMAIL).await;
    assert_eq!(to, "/admin/methods?add=payme");
    assert!(page.contains("class=\"form-error\""), "{page}");
    assert!(methods(&app, "dana").await.is_empty());
}

#[tokio::test]
async fn every_connection_failure_gets_its_own_message() {
    let app = serve(true).await;
    let mut dana = signed_up_in(&app, "dana", "dana@example.com", "ILS").await;
    let cases = [
        (
            "XPL10001-KASSADEM-OSELLER0-00000001",
            DEMO_EMAIL,
            "starts with MPL",
        ),
        (
            "MPL10001-KASSADEM-OSELLER0-0000",
            DEMO_EMAIL,
            "The key has 31 characters",
        ),
        (
            "MPL10001_KASSADEM_OSELLER0_00000001",
            DEMO_EMAIL,
            "four groups of letters",
        ),
        (
            DEMO_SELLER,
            "someone@else.test",
            "not the e-mail address of this PayMe account",
        ),
        (
            FOREIGN_SELLER,
            FOREIGN_EMAIL,
            "does not know this key as an account registered through Kassa",
        ),
        (
            "MPL99999-NOSUCHSE-LLER0000-00000000",
            DEMO_EMAIL,
            "does not know this key",
        ),
    ];
    for (key, email, message) in cases {
        let (to, page) = add(&mut dana, key, email).await;
        assert_eq!(to, "/admin/methods?add=payme", "{key} {email}");
        assert!(page.contains(message), "{key} {email}: {message}");
        // The key is never echoed back; the e-mail is.
        assert!(!page.contains(key), "{key}");
        assert!(page.contains(&format!("value=\"{email}\"")), "{email}");
    }
    // The not-registered message links to the registration page.
    let (_, page) = add(&mut dana, FOREIGN_SELLER, FOREIGN_EMAIL).await;
    assert!(page.contains("/sim/payme/signup"));
    assert!(methods(&app, "dana").await.is_empty(), "nothing was saved");

    // A store in rial cannot take PayMe, and says so before anything is typed.
    let mut omid = signed_up_in(&app, "omid", "omid@example.com", "IRR").await;
    let form = omid.page("/admin/methods?add=payme").await;
    assert!(form.contains("PayMe takes payments in ILS, USD, EUR only; this store is in IRR"));
    let (to, _) = add(&mut omid, DEMO_SELLER, DEMO_EMAIL).await;
    assert_eq!(to, "/admin/methods?add=payme");
    assert!(methods(&app, "omid").await.is_empty());

    // Unreachable PayMe: nothing saved, and the merchant is told to try again.
    let offline = serve_with(true, |c| {
        c.test_environments.set("payme", "http://127.0.0.1:9")
    })
    .await;
    let mut sara = signed_up_in(&offline, "sara", "sara@example.com", "ILS").await;
    let (_, page) = add(&mut sara, DEMO_SELLER, DEMO_EMAIL).await;
    assert!(page.contains("could not be reached to check the account"));
    assert!(methods(&offline, "sara").await.is_empty());
}

#[tokio::test]
async fn an_account_connects_to_one_store_until_disconnected() {
    let app = serve(true).await;
    let (mut dana, method) = connected_store(&app, "dana").await;
    let saved = dana.page("/admin/methods").await;
    assert!(
        saved.contains("PayMe") && !saved.contains(DEMO_SELLER),
        "the key stays masked"
    );
    // Saving it again (same store) is harmless.
    let id = method.to_string();
    let mut form = method_form("", DEMO_EMAIL);
    form[0].1 = &id;
    assert_eq!(dana.submit(METHOD, &form).await, "/admin/methods");

    // A second store with the same account is refused…
    let mut omid = signed_up_in(&app, "omid", "omid@example.com", "ILS").await;
    let (to, page) = add(&mut omid, DEMO_SELLER, DEMO_EMAIL).await;
    assert_eq!(to, "/admin/methods?add=payme");
    assert!(page.contains("connected to another store"));

    // …until the first store deactivates it, which tells PayMe: then it just works.
    let change = "/api/admin/method-change";
    dana.submit(change, &[("id", &id), ("change", "disable")])
        .await;
    let (to, _) = add(&mut omid, DEMO_SELLER, DEMO_EMAIL).await;
    assert_eq!(to, "/admin/methods");
    // Now the first store cannot turn its method back on, and is told why.
    dana.submit(change, &[("id", &id), ("change", "enable")])
        .await;
    let page = dana.page("/admin/methods").await;
    assert!(page.contains("connected to another store"));
    assert!(!methods(&app, "dana").await[0].enabled);

    // A new account opened on the registration page connects at once.
    let signup = no_redirects()
        .post(format!("{}/sim/payme/signup", app.base))
        .form(&[("email", "dana.new@example.com")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let key = signup
        .split("data-testid=\"seller-key\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_owned();
    let (to, _) = add(&mut dana, &key, "Dana.New@example.com").await;
    assert_eq!(to, "/admin/methods");
}

const ORDER: Order = Order {
    payer: "Noa Levi",
    amount: "120.50",
    description: "Order 1042",
};

/// Submits a payment and returns its code and the PayMe sale page.
async fn started(app: &Running, slug: &str, key: &str) -> (String, String) {
    start_redirect(app, slug, "payme", key, &ORDER).await
}

#[tokio::test]
async fn a_card_payment_is_paid_by_the_callback_and_a_declined_card_fails() {
    let app = serve(true).await;
    connected_store(&app, "dana").await;
    let (code, sale_url) = started(&app, "dana", "k1").await;
    let p = payment(&app, &code).await;
    assert_eq!((p.amount, p.currency.code()), (12_050, "ILS"), "agorot");
    let page = reqwest::get(&sale_url).await.unwrap().text().await.unwrap();
    assert!(page.contains("120.50") && page.contains("Order 1042"));

    let back = no_redirects()
        .post(&sale_url)
        .form(&[("card_number", "4557 4304 0205 3431")])
        .send()
        .await
        .unwrap();
    let back = back.headers()["location"].to_str().unwrap().to_owned();
    // The callback arrived before the browser is sent back: the payment is paid.
    let paid = payment(&app, &code).await;
    assert_eq!(paid.status, PaymentStatus::Paid);
    assert!(paid.bank_ref.as_deref().unwrap().starts_with("TRAN"));
    assert_eq!(paid.card_pan.as_deref(), Some("455743******3431"));
    assert!(back.starts_with(&format!(
        "{}/pay/{code}/return?payme_status=success",
        app.base
    )));
    let shown = no_redirects().get(&back).send().await.unwrap();
    assert_eq!(shown.headers()["location"], format!("/pay/{code}").as_str());
    let kinds = event_kinds(&app, &paid).await;
    assert_eq!(
        kinds.iter().filter(|k| *k == "verified").count(),
        1,
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&"return_after_final".to_owned()),
        "{kinds:?}"
    );

    let (code, sale_url) = started(&app, "dana", "k2").await;
    no_redirects()
        .post(&sale_url)
        .form(&[("card_number", "4000000000000002")])
        .send()
        .await
        .unwrap();
    let failed = payment(&app, &code).await;
    assert_eq!(failed.status, PaymentStatus::Failed);
    assert_eq!(failed.failure_code.as_deref(), Some("payme:1001"));
}

/// The callback PayMe would send for a paid sale, from the simulator's own records.
async fn genuine_callback(p: &Payment, base: &str) -> Vec<(String, String)> {
    let sales: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/sim/payme/api/get-sales"))
        .json(&serde_json::json!({"seller_payme_id": DEMO_SELLER, "sale_payme_id": p.provider_ref}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let transaction = sales["items"][0]["payme_transaction_id"].as_str().unwrap();
    completed_callback(p, transaction)
}

/// A "completed" callback for the payment's sale, signed with Kassa's platform credentials.
fn completed_callback(p: &Payment, transaction: &str) -> Vec<(String, String)> {
    let platform = Platform {
        client_key: SANDBOX_CLIENT_KEY.into(),
        client_secret: SANDBOX_CLIENT_SECRET.into(),
    };
    let sale_id = p.provider_ref.clone().unwrap();
    [
        ("status_code", "0".to_owned()),
        ("notify_type", "sale-complete".to_owned()),
        ("sale_status", "completed".to_owned()),
        (
            "payme_signature",
            signature(&platform, transaction, &sale_id),
        ),
        ("payme_sale_id", sale_id),
        ("payme_transaction_id", transaction.to_owned()),
        ("transaction_id", p.tracking_code.clone()),
        ("price", p.amount.to_string()),
        ("currency", "ILS".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

async fn notify(base: &str, code: &str, body: impl Into<reqwest::Body>) -> u16 {
    post_form(&format!("{base}/pay/{code}/notify"), body)
        .await
        .0
}

/// Pays the sale at the simulator (whose own callback goes nowhere).
async fn pay_quietly(base: &str, sale_url: &str) {
    let path = sale_url.split("/sim/payme/").nth(1).unwrap();
    let response = no_redirects()
        .post(format!("{base}/sim/payme/{path}"))
        .form(&[("card_number", "4557430402053431")])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection());
}

#[tokio::test]
async fn bad_callbacks_change_nothing_and_are_logged() {
    let app = quiet_server(None).await;
    let base = app.base.clone();
    connected_store(&app, "dana").await;
    let (code, sale_url) = started(&app, "dana", "k1").await;
    let p = payment(&app, &code).await;
    // Before the customer pays, even a correctly signed "completed" callback is not believed:
    // get-sales says the sale is still initial.
    let early = completed_callback(&p, "TRAN0000-FORGED00-00000000-00000000");
    assert_eq!(notify(&base, &code, encode(&early)).await, 200);
    assert_eq!(payment(&app, &code).await.status, PaymentStatus::Created);

    pay_quietly(&base, &sale_url).await;
    let genuine = genuine_callback(&p, &app.base).await;
    let bad = [
        replaced(
            &genuine,
            "payme_signature",
            "0123456789abcdef0123456789abcdef",
        ),
        replaced(&genuine, "price", "1"),
        replaced(&genuine, "currency", "USD"),
        replaced(&genuine, "transaction_id", "ZZZZZZZZZZZZ"),
        replaced(
            &genuine,
            "payme_sale_id",
            "SALE0000-00000000-00000000-00000000",
        ),
    ];
    for fields in &bad {
        assert_eq!(
            notify(&base, &code, encode(fields)).await,
            400,
            "{fields:?}"
        );
    }
    assert_eq!(notify(&base, &code, vec![0xff_u8, 0xfe, 0x00]).await, 400);
    assert_eq!(notify(&base, &code, "").await, 400);
    assert_eq!(notify(&base, &code, vec![b'a'; 70 * 1024]).await, 413);
    assert_eq!(notify(&base, "NOSUCHCODE99", encode(&genuine)).await, 404);
    let still = payment(&app, &code).await;
    assert_eq!(still.status, PaymentStatus::Created);
    let events = crate::common::events(&app, &p).await;
    let refused = refusals(&app, &p).await;
    assert_eq!(refused.len(), 7, "{refused:?}");
    assert_refused_for(
        &refused,
        [
            "wrong payme_signature",
            "the callback says 1 ILS",
            "another order",
            "another sale",
            "not UTF-8",
            "no fields",
        ],
    );
    assert!(events.iter().any(|e| e.kind == "notification_rejected"
        && e.detail.as_deref() == Some("the body is over 64 KiB")));

    // The genuine one pays; its replay is acknowledged and changes nothing.
    assert_eq!(notify(&base, &code, encode(&genuine)).await, 200);
    assert_eq!(payment(&app, &code).await.status, PaymentStatus::Paid);
    assert_eq!(notify(&base, &code, encode(&genuine)).await, 200);
    let kinds = event_kinds(&app, &p).await;
    assert_eq!(kinds.iter().filter(|k| *k == "verified").count(), 1);
    assert!(kinds.contains(&"notification_after_final".to_owned()));
}

#[tokio::test]
async fn the_same_callback_twenty_times_at_once_pays_once() {
    for database in crate::common::database_urls().await {
        let app = quiet_server(database).await;
        let base = app.base.clone();
        connected_store(&app, "dana").await;
        let (code, sale_url) = started(&app, "dana", "k1").await;
        let p = payment(&app, &code).await;
        pay_quietly(&base, &sale_url).await;
        let body = encode(&genuine_callback(&p, &app.base).await);
        let answers = post_at_once(20, &format!("{base}/pay/{code}/notify"), &body).await;
        assert!(answers.iter().all(|(s, _)| *s == 200), "{answers:?}");
        let paid = payment(&app, &code).await;
        assert_eq!(paid.status, PaymentStatus::Paid);
        let kinds = event_kinds(&app, &p).await;
        assert_eq!(
            kinds.iter().filter(|k| *k == "verified").count(),
            1,
            "{kinds:?}"
        );
        // Every other copy is logged as a duplicate.
        assert_eq!(duplicates(&kinds), 19, "{kinds:?}");
    }
}

/// What the methods page's check as typed (`check_setting`) answers for a seller key.
async fn key_check(browser: &mut Browser, value: &str) -> reqwest::Response {
    browser
        .ask("/api/admin/check-setting", &("payme", "seller_key", value))
        .await
}

/// The seller key is checked as it is typed, through the server function the methods page
/// calls, by PayMe's own check: only for a signed-in merchant, only for settings that exist.
#[tokio::test]
async fn the_seller_key_is_checked_as_it_is_typed() {
    let app = serve(true).await;
    let mut dana = signed_up_in(&app, "dana", "dana@example.com", "ILS").await;
    let problems = [
        ("XPL1", Some(Problem::KeyPrefix)),
        ("MPL12345-ABCDEFGH-ABCDEFGH", Some(Problem::KeyLength(26))),
        (DEMO_SELLER, None),
    ];
    for (value, problem) in problems {
        let answer = key_check(&mut dana, value).await;
        assert_eq!(answer.status(), 200);
        // The back office's server functions answer in postcard (`app::admin::Postcard`).
        let bytes = answer.bytes().await.unwrap();
        let answered = <PostcardCodec as Decoder<Option<Problem>>>::decode(&bytes).unwrap();
        assert_eq!(answered, problem, "{value}");
    }
    let unknown = ("payme", "nonsense", "x");
    let answer = dana.ask("/api/admin/check-setting", &unknown).await;
    assert!(!answer.status().is_success());
    let refused = key_check(&mut Browser::new(&app), "XPL1").await;
    assert!(!refused.status().is_success(), "{}", refused.status());
    assert!(methods(&app, "dana").await.is_empty(), "nothing saved");
}
