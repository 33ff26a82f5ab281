//! EveryPay end to end over HTTP against the simulator Kassa serves: the method's settings
//! and callback URL, API v4 and LinkPay payments, callbacks (GET or POST, unsigned) that are
//! believed only after EveryPay is asked, refunds, and callbacks that must change nothing.

use crate::common::browser::signed_up_in;
use crate::common::provider::{
    Order, assert_refused_for, count, duplicates, method_of, pay_form, post_at_once, refusals,
    start_redirect, until,
};
// `quiet_server`: Kassa's public address is a dead one, so the simulator's callbacks go
// nowhere and the tests deliver them.
use crate::common::{Running, methods, no_redirects, payment, quiet_server, serve, serve_with};
use engine::checkout::Submitted;
use engine::status::PaymentStatus;
use server::demo::EU_SLUG;
use server::sim::everypay::{
    DEMO_API_SECRET, DEMO_API_USERNAME, DEMO_LINK_TOKEN, MOUNT, TEST_CARDS,
};

const METHOD: &str = "/api/admin/method";

fn method_form<'a>(
    link_token: &'a str,
    secret: &'a str,
    account: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("id", ""),
        ("kind", "everypay"),
        ("display_name", "Bank card"),
        ("min_amount", ""),
        ("max_amount", ""),
        ("discount_kind", "none"),
        ("discount_value", ""),
        ("provider[link_token]", link_token),
        ("provider[api_username]", DEMO_API_USERNAME),
        ("provider[api_secret]", secret),
        ("provider[account_name]", account),
    ]
}

#[tokio::test]
async fn a_merchant_adds_everypay_and_sees_the_callback_url() {
    let app = serve(true).await;
    let mut dana = signed_up_in(&app, "dana", "dana@example.com", "EUR").await;
    for bad in [
        method_form("", DEMO_API_SECRET, ""),
        method_form(DEMO_LINK_TOKEN, "", ""),
        method_form("a token with spaces", DEMO_API_SECRET, ""),
    ] {
        let to = dana.submit(METHOD, &bad).await;
        assert_eq!(to, "/admin/methods?add=everypay");
        let page = dana.page(&to).await;
        assert!(page.contains("aria-invalid=\"true\""));
        assert!(
            !page.contains(DEMO_API_SECRET),
            "the secret is never echoed"
        );
    }
    assert!(methods(&app, "dana").await.is_empty());
    let to = dana
        .submit(METHOD, &method_form(DEMO_LINK_TOKEN, DEMO_API_SECRET, ""))
        .await;
    assert_eq!(to, "/admin/methods");
    let saved = &methods(&app, "dana").await[0];
    assert!(
        !saved.config.contains(DEMO_API_SECRET),
        "the secret is sealed"
    );
    let page = dana.page("/admin/methods").await;
    assert!(page.contains(&format!("{}/notify/everypay", app.base)));
    assert!(page.contains("Callback Notification URL"));

    let mut noa = signed_up_in(&app, "noa", "noa@example.com", "ILS").await;
    assert!(
        noa.page("/admin/methods?add=everypay")
            .await
            .contains("ILS")
    );
}

const ORDER: Order = Order {
    payer: "Anna Bērziņa",
    amount: "45.10",
    description: "Order 40",
};

/// A payment at `slug` and the EveryPay page it goes to.
async fn started(app: &Running, slug: &str, key: &str) -> (String, String) {
    start_redirect(app, slug, "everypay", key, &ORDER).await
}

/// Pays (or fails, or abandons) on the simulator's card page; returns where the browser goes.
async fn at_everypay(page: &str, action: &str, card: &str) -> String {
    let answer = no_redirects()
        .post(page)
        .form(&[("action", action), ("card_number", card)])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303, "{}", answer.text().await.unwrap());
    answer.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_api_v4_payment_is_paid_after_everypay_confirms_it_and_a_refund_is_recorded() {
    let app = serve(true).await;
    let (code, page) = started(&app, EU_SLUG, "k1").await;
    let p = payment(&app, &code).await;
    let reference = p.provider_ref.clone().unwrap();
    assert_eq!(reference.len(), 64, "EveryPay's payment_reference");
    assert_eq!(page, format!("{}{MOUNT}/pay/{reference}", app.base));
    let shown = reqwest::get(&page).await.unwrap().text().await.unwrap();
    assert!(shown.contains("45.10") && shown.contains(&code));

    let back = at_everypay(&page, "pay", TEST_CARDS[0]).await;
    assert_eq!(
        back,
        format!(
            "{}/pay/{code}/return?order_reference={code}&payment_reference={reference}",
            app.base
        )
    );
    until(&app, &p, |k| k.contains(&"verified".to_owned())).await;
    let paid = payment(&app, &code).await;
    assert_eq!(paid.status, PaymentStatus::Paid);
    assert_eq!(paid.bank_ref.as_deref(), Some(reference.as_str()));
    assert_eq!(paid.card_pan.as_deref(), Some("**** 1112"));
    let home = no_redirects().get(&back).send().await.unwrap();
    assert_eq!(home.headers()["location"], format!("/pay/{code}").as_str());

    no_redirects()
        .post(format!("{page}/refund"))
        .send()
        .await
        .unwrap();
    let kinds = until(&app, &p, |k| k.contains(&"reversed_at_provider".to_owned())).await;
    assert_eq!(count(&kinds, "verified"), 1, "{kinds:?}");
    assert_eq!(payment(&app, &code).await.status, PaymentStatus::Paid);
    // Its receipt is cancelled by a document for all of it (EveryPay's standing amount: 0).
    until(&app, &p, |k| k.contains(&"cancellation_issued".to_owned())).await;
    let db = app.state.checkout.db();
    let receipt = engine::db::receipts::of_payment(db, p.store_id, p.id)
        .await
        .unwrap()
        .unwrap();
    let cancelled = engine::db::cancellations::of_receipt(db, &receipt)
        .await
        .unwrap();
    assert_eq!(cancelled.len(), 1);
    assert_eq!(
        (
            cancelled[0].amount,
            cancelled[0].number,
            cancelled[0].reason.as_str()
        ),
        (4510, receipt.number + 1, "everypay:refunded")
    );
}

#[tokio::test]
async fn a_linkpay_link_is_signed_and_a_failed_card_fails_the_payment() {
    let app = serve(true).await;
    let mut dana = signed_up_in(&app, "dana", "dana@example.com", "EUR").await;
    let to = dana
        .submit(METHOD, &method_form(DEMO_LINK_TOKEN, DEMO_API_SECRET, ""))
        .await;
    assert_eq!(to, "/admin/methods");
    let (code, link) = started(&app, "dana", "k1").await;
    assert!(
        link.starts_with(&format!(
            "{}{MOUNT}/lp?linkpay_token={DEMO_LINK_TOKEN}&transaction_amount=45.10",
            app.base
        )),
        "{link}"
    );
    assert!(
        link.contains("customer_name=Anna%20B%C4%93rzi%C5%86a"),
        "{link}"
    );
    // EveryPay refuses a link whose amount was changed after it was signed.
    let tampered = link.replace("transaction_amount=45.10", "transaction_amount=0.10");
    let refused = no_redirects().get(&tampered).send().await.unwrap();
    assert_eq!(refused.status(), 400);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("hmac does not match")
    );

    let opened = no_redirects().get(&link).send().await.unwrap();
    assert_eq!(opened.status(), 303);
    let page = format!(
        "{}{}",
        app.base,
        opened.headers()["location"].to_str().unwrap()
    );
    let back = at_everypay(&page, "pay", "4000000000000002").await;
    let p = payment(&app, &code).await;
    // The return names the payment; EveryPay, asked, says it failed.
    no_redirects().get(&back).send().await.unwrap();
    until(&app, &p, |k| k.contains(&"failed_at_provider".to_owned())).await;
    let failed = payment(&app, &code).await;
    assert_eq!(failed.status, PaymentStatus::Failed);
    assert_eq!(failed.failure_code.as_deref(), Some("everypay:failed"));
}

async fn callback(base: &str, query: &str) -> u16 {
    reqwest::get(format!("{base}/notify/everypay?{query}"))
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn callbacks_are_believed_only_when_everypay_confirms_them() {
    let app = quiet_server(None).await;
    let (code, page) = started(&app, EU_SLUG, "k1").await;
    let (other, _) = started(&app, EU_SLUG, "k2").await;
    let p = payment(&app, &code).await;
    let reference = p.provider_ref.clone().unwrap();
    let other_reference = payment(&app, &other).await.provider_ref.unwrap();

    // Before the customer pays: EveryPay says "initial", so nothing moves.
    let genuine =
        format!("payment_reference={reference}&order_reference={code}&event_name=status_updated");
    assert_eq!(callback(&app.base, &genuine).await, 200);
    until(&app, &p, |k| k.contains(&"still_pending".to_owned())).await;

    at_everypay(&page, "pay", TEST_CARDS[1]).await;
    let bad = [
        (
            format!("payment_reference={other_reference}&order_reference={code}"),
            "another order",
        ),
        (
            format!(
                "payment_reference={}&order_reference={code}",
                "0".repeat(64)
            ),
            "knows no such payment",
        ),
        (
            format!("payment_reference=..%2Fshops&order_reference={code}"),
            "not EveryPay's",
        ),
        (format!("order_reference={code}"), "not EveryPay's"),
    ];
    for (query, _) in &bad {
        assert_eq!(callback(&app.base, query).await, 200);
    }
    // Not ours at all: answered, nothing recorded.
    assert_eq!(
        callback(
            &app.base,
            "payment_reference=abc&order_reference=NOSUCHCODE99"
        )
        .await,
        200
    );
    assert_eq!(callback(&app.base, "").await, 200);
    until(&app, &p, |k| {
        count(k, "notification_not_verified") == bad.len()
    })
    .await;
    let refused = refusals(&app, &p).await;
    assert_refused_for(&refused, bad.iter().map(|(_, reason)| *reason));
    assert_eq!(payment(&app, &code).await.status, PaymentStatus::Created);

    // The genuine callback, as a POST this time, pays; its replay is logged.
    let posted = reqwest::Client::new()
        .post(format!("{}/notify/everypay", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(genuine.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200);
    until(&app, &p, |k| k.contains(&"verified".to_owned())).await;
    assert_eq!(callback(&app.base, &genuine).await, 200);
    let kinds = until(&app, &p, |k| {
        k.contains(&"notification_after_final".to_owned())
    })
    .await;
    assert_eq!(count(&kinds, "verified"), 1);
    assert_eq!(payment(&app, &code).await.status, PaymentStatus::Paid);
}

#[tokio::test]
async fn an_unreachable_everypay_fails_the_payment_at_once() {
    let app = serve_with(true, |c| {
        c.test_environments.set("everypay", "http://127.0.0.1:9")
    })
    .await;
    let method = method_of(&app, EU_SLUG, "everypay").await;
    let form = pay_form(method, "k1", &ORDER);
    let Submitted::Recorded { code } = app.state.checkout.submit(EU_SLUG, &form).await.unwrap()
    else {
        panic!("nothing to hand off");
    };
    let p = payment(&app, &code).await;
    assert_eq!(p.status, PaymentStatus::Failed);
    assert_eq!(p.failure_code.as_deref(), Some("kassa:unreachable"));
}

#[tokio::test]
async fn the_same_callback_twenty_times_at_once_pays_once() {
    for database in crate::common::database_urls().await {
        let app = quiet_server(database).await;
        let (code, page) = started(&app, EU_SLUG, "k1").await;
        at_everypay(&page, "pay", TEST_CARDS[0]).await;
        let p = payment(&app, &code).await;
        let query = format!(
            "payment_reference={}&order_reference={code}&event_name=status_updated",
            p.provider_ref.clone().unwrap()
        );
        let url = format!("{}/notify/everypay", app.base);
        let answers = post_at_once(20, &url, &query).await;
        assert!(answers.iter().all(|(s, _)| *s == 200), "{answers:?}");
        let kinds = until(&app, &p, |k| count(k, "verified") + duplicates(k) == 20).await;
        assert_eq!(count(&kinds, "verified"), 1, "{kinds:?}");
        assert_eq!(payment(&app, &code).await.status, PaymentStatus::Paid);
    }
}
