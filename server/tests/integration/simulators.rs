//! The simulators serve Kassa only: they send browsers and callbacks to Kassa's own public
//! address and nowhere else (a `javascript:` return address would run on Kassa's origin), and
//! their pages cannot be posted to from another site.

use crate::common::provider::{Order, encode, replaced, start_form};
use crate::common::{no_redirects, serve};
use engine::connectors::mypos;
use server::demo::EU_SLUG;
use server::sim::mypos::DEMO_PRIVATE_KEY;

fn order() -> Order<'static> {
    Order {
        payer: "Anna Bērziņa",
        amount: "45.00",
        description: "Order 9",
    }
}

#[tokio::test]
async fn mypos_refuses_a_return_address_that_is_not_kassa_s() {
    let app = serve(true).await;
    let (_, url, fields) = start_form(&app, EU_SLUG, "mypos", "k1", &order()).await;
    let merchant = mypos::private_key(DEMO_PRIVATE_KEY).unwrap();
    for (name, value) in [
        ("URL_Cancel", "javascript:alert(document.cookie)"),
        ("URL_OK", "https://evil.example/ok"),
        ("URL_Notify", "http://127.0.0.1:1/notify"),
    ] {
        // Signed by the merchant, so only the address is wrong.
        let mut changed = replaced(&fields, name, value);
        changed.pop();
        let signature = mypos::sign(&merchant, changed.iter().map(|(_, v)| v.as_str()));
        changed.push(("Signature".into(), signature));
        let answer = no_redirects()
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode(&changed))
            .send()
            .await
            .unwrap();
        assert!(!answer.status().is_redirection(), "{name}");
        assert!(answer.text().await.unwrap().contains(name), "{name}");
    }
    // The form as Kassa signed it goes through.
    let answer = no_redirects()
        .post(&url)
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303);
}

#[tokio::test]
async fn paypal_refuses_an_ipn_or_return_address_that_is_not_kassa_s() {
    let app = serve(true).await;
    let (_, url, fields) = start_form(&app, EU_SLUG, "paypal", "k1", &order()).await;
    for (name, value) in [
        ("notify_url", "https://evil.example/ipn"),
        ("return", "javascript:alert(1)"),
        ("cancel_return", "data:text/html,hello"),
    ] {
        let answer = no_redirects()
            .post(&url)
            .form(&replaced(&fields, name, value))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 400, "{name}");
    }
    let answer = no_redirects()
        .post(&url)
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303);
}

#[tokio::test]
async fn zarinpal_calls_back_only_kassa() {
    let app = serve(true).await;
    let request = |callback: &str| {
        serde_json::json!({
            "merchant_id": "5f0c1a8e-2b7d-4e19-9c3a-6d8e0f1b2c3d",
            "amount": 200_000,
            "description": "Order 9",
            "callback_url": callback,
        })
    };
    let url = format!("{}/sim/zarinpal/pg/v4/payment/request.json", app.base);
    for callback in ["https://evil.example/back", "javascript:alert(1)"] {
        let answer = reqwest::Client::new()
            .post(&url)
            .json(&request(callback))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 400, "{callback}");
    }
    let own = format!("{}/pay/ABCDEFGHJK01/return", app.base);
    let answer = reqwest::Client::new()
        .post(&url)
        .json(&request(&own))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
}

#[tokio::test]
async fn another_site_cannot_post_to_a_simulator_page() {
    let app = serve(true).await;
    let (_, url, fields) = start_form(&app, EU_SLUG, "paypal", "k1", &order()).await;
    for (header, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let answer = no_redirects()
            .post(&url)
            .header(header, value)
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 403, "{header}");
    }
}
