//! The Zarinpal connector against Kassa's Zarinpal simulator, over real HTTP: the same code
//! that talks to the real gateway in live mode.

use engine::connectors::zarinpal::{self, Zarinpal};
use engine::connectors::{Connector, ConnectorError, HandOff, Order, StartRequest, Verdict};
use engine::money::Currency;
use server::sim;

const MERCHANT: &str = "5f0c1a8e-2b7d-4e19-9c3a-6d8e0f1b2c3d";
const OTHER_MERCHANT: &str = "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d";

/// Serves the simulator alone on a free port; returns its base URL.
async fn simulator() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // The shop is at the address the test payments return to.
    let shop = sim::Shop::new("http://127.0.0.1:9");
    let router = axum::Router::new().nest(sim::zarinpal::MOUNT, sim::zarinpal::routes(shop));
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}{}", sim::zarinpal::MOUNT)
}

fn connector(base: &str, merchant: &str) -> Zarinpal {
    Zarinpal::new(
        reqwest::Client::new(),
        base,
        &format!(r#"{{"merchant_id":"{merchant}"}}"#),
    )
    .expect("valid configuration")
}

fn payment(amount: i64) -> Order {
    Order {
        tracking_code: "7KQ2M9XT4HBD".into(),
        amount,
        discount: 0,
        currency: Currency::IRR,
        payer_name: "Sara Ahmadi".into(),
        mobile: "+989121234567".into(),
        email: None,
        provider_ref: None,
        handoff_url: None,
    }
}

/// Registers `p` with the gateway and records its authority, as the checkout does.
async fn start(zp: &Zarinpal, mut p: Order) -> Order {
    let started = zp
        .start(StartRequest {
            order: &p,
            description: "Order 1042",
            return_url: "http://127.0.0.1:9/pay/7KQ2M9XT4HBD/return",
            notify_url: "http://127.0.0.1:9/notify",
            language: "fa",
        })
        .await
        .expect("the simulator accepts the payment");
    assert!(started.raw.contains("\"code\":100"), "{}", started.raw);
    p.provider_ref = Some(started.provider_ref);
    p
}

/// Presses a button on the gateway page; returns the query the browser comes back with.
async fn press(zp: &Zarinpal, p: &Order, action: &str) -> Vec<(String, String)> {
    let HandOff::Redirect(page) = zp.hand_off(p).unwrap() else {
        panic!("Zarinpal hands off by redirect");
    };
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let html = http.get(&page).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains(&p.amount.to_string()),
        "the page shows the amount"
    );
    let back = http
        .post(&page)
        .form(&[("action", action)])
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), 303);
    let location = back.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("http://127.0.0.1:9/pay/7KQ2M9XT4HBD/return?"));
    url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

#[tokio::test]
async fn paid_then_verified_again_reports_the_same_reference() {
    let base = simulator().await;
    let zp = connector(&base, MERCHANT);
    let p = start(&zp, payment(1_200_000)).await;
    let query = press(&zp, &p, "pay").await;
    assert!(query.contains(&("Status".into(), "OK".into())));

    let first = zp.verify_return(&p, &query).await.unwrap();
    let Verdict::Paid { bank_ref, card_pan } = &first.verdict else {
        panic!("paid: {first:?}");
    };
    assert!(first.raw.contains("\"code\":100"));
    assert_eq!(card_pan.as_deref(), Some("502229******5995"));

    // A repeat verify (a reload, a second return) is code 101 and still paid.
    let again = zp.verify_return(&p, &query).await.unwrap();
    assert!(again.raw.contains("\"code\":101"), "{}", again.raw);
    assert_eq!(
        again.verdict,
        Verdict::Paid {
            bank_ref: bank_ref.clone(),
            card_pan: card_pan.clone()
        }
    );
}

#[tokio::test]
async fn cancelled_at_the_gateway() {
    let base = simulator().await;
    let zp = connector(&base, MERCHANT);
    let p = start(&zp, payment(500_000)).await;
    let query = press(&zp, &p, "cancel").await;
    assert!(query.contains(&("Status".into(), "NOK".into())));
    let v = zp.verify_return(&p, &query).await.unwrap();
    assert_eq!(
        v.verdict,
        Verdict::Cancelled {
            code: "zarinpal:-51".into()
        }
    );
}

#[tokio::test]
async fn a_forged_ok_before_paying_is_not_paid() {
    let base = simulator().await;
    let zp = connector(&base, MERCHANT);
    let p = start(&zp, payment(500_000)).await;
    // The customer edits the return URL to say OK without paying.
    let forged = vec![
        ("Authority".to_owned(), p.provider_ref.clone().unwrap()),
        ("Status".to_owned(), "OK".to_owned()),
    ];
    let v = zp.verify_return(&p, &forged).await.unwrap();
    assert_eq!(
        v.verdict,
        Verdict::Failed {
            code: "zarinpal:-51".into()
        }
    );
    // Before any return, a status fetch says "not decided".
    assert_eq!(zp.fetch_status(&p).await.unwrap().verdict, Verdict::Pending);
}

#[tokio::test]
async fn amount_mismatch_unknown_authority_and_foreign_merchant_fail() {
    let base = simulator().await;
    let zp = connector(&base, MERCHANT);
    let p = start(&zp, payment(700_000)).await;
    press(&zp, &p, "pay").await;

    let changed = Order {
        amount: 70_000,
        ..p.clone()
    };
    let v = zp.fetch_status(&changed).await.unwrap();
    assert_eq!(
        v.verdict,
        Verdict::Failed {
            code: "zarinpal:-50".into()
        }
    );

    let unknown = Order {
        provider_ref: Some("A000000000000000000000000000000000001".into()),
        ..p.clone()
    };
    let v = zp.fetch_status(&unknown).await.unwrap();
    assert_eq!(
        v.verdict,
        Verdict::Failed {
            code: "zarinpal:-54".into()
        }
    );

    let foreign = connector(&base, OTHER_MERCHANT);
    let v = foreign.fetch_status(&p).await.unwrap();
    assert_eq!(
        v.verdict,
        Verdict::Failed {
            code: "zarinpal:-53".into()
        }
    );

    // None of that consumed the real verification.
    let v = zp.fetch_status(&p).await.unwrap();
    assert!(matches!(v.verdict, Verdict::Paid { .. }), "{v:?}");
    assert!(v.raw.contains("\"code\":100"));
}

#[tokio::test]
async fn a_return_for_another_authority_is_rejected() {
    let base = simulator().await;
    let zp = connector(&base, MERCHANT);
    let p = start(&zp, payment(500_000)).await;
    let other = start(&zp, payment(500_000)).await;
    let query = press(&zp, &other, "pay").await;
    let err = zp.verify_return(&p, &query).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Rejected(_)), "{err:?}");
}

#[tokio::test]
async fn refusals_carry_the_gateway_code() {
    let base = simulator().await;
    let refused = |merchant: &'static str, amount: i64| {
        let zp = connector(&base, merchant);
        async move {
            let p = payment(amount);
            zp.start(StartRequest {
                order: &p,
                description: "Order",
                return_url: "http://127.0.0.1:9/return",
                notify_url: "http://127.0.0.1:9/notify",
                language: "fa",
            })
            .await
            .unwrap_err()
        }
    };
    for (merchant, amount, code) in [
        (sim::zarinpal::INACTIVE_MERCHANT, 500_000, "zarinpal:-11"),
        (MERCHANT, 9_999, "zarinpal:-9"),
        (MERCHANT, 1_000_000_001, "zarinpal:-41"),
    ] {
        match refused(merchant, amount).await {
            ConnectorError::Refused { code: got, raw } => {
                assert_eq!(got, code);
                assert!(raw.contains("errors"), "the raw answer is kept: {raw}");
            }
            other => panic!("{amount}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_amount_in_another_currency_is_neither_sent_nor_verified() {
    let base = simulator().await;
    let zp = connector(&base, MERCHANT);
    // Paid in rial at Zarinpal; the same payment read as 45,000 euro cents verifies nothing.
    let p = start(&zp, payment(45_000)).await;
    let query = press(&zp, &p, "pay").await;
    let in_euro = Order {
        currency: Currency::parse("EUR").unwrap(),
        ..p.clone()
    };
    let err = zp.verify_return(&in_euro, &query).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Config(_)), "{err:?}");
    let err = zp
        .start(StartRequest {
            order: &Order {
                provider_ref: None,
                ..in_euro
            },
            description: "Order",
            return_url: "http://127.0.0.1:9/return",
            notify_url: "http://127.0.0.1:9/notify",
            language: "fa",
        })
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Config(_)), "{err:?}");
    assert!(matches!(
        zp.verify_return(&p, &query).await.unwrap().verdict,
        Verdict::Paid { .. }
    ));
}

/// A gateway whose `verify.json` answers `status` with `body`: its base URL.
async fn verify_answers(status: u16, body: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let status = axum::http::StatusCode::from_u16(status).unwrap();
    let router = axum::Router::new().route(
        "/pg/v4/payment/verify.json",
        axum::routing::post(move || async move { (status, body) }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_passing_gateway_error_on_verify_leaves_the_payment_waiting() {
    let p = Order {
        provider_ref: Some("A0000000000000000000000000000000001".into()),
        ..payment(500_000)
    };
    let back = vec![
        ("Authority".to_owned(), p.provider_ref.clone().unwrap()),
        ("Status".to_owned(), "OK".to_owned()),
    ];
    let error = |code: i64| -> &'static str {
        match code {
            -52 => r#"{"data":[],"errors":{"code":-52,"message":"Oops","validations":[]}}"#,
            _ => {
                r#"{"data":[],"errors":{"code":-12,"message":"Too many attempts","validations":[]}}"#
            }
        }
    };
    for (status, body) in [
        (502, "<html>Bad Gateway</html>"),
        (500, error(-52)),
        (503, error(-52)),
        (429, error(-12)),
    ] {
        let zp = connector(&verify_answers(status, body).await, MERCHANT);
        let err = zp.verify_return(&p, &back).await.unwrap_err();
        assert!(
            matches!(err, ConnectorError::Unreachable(_)),
            "{status}: {err:?}"
        );
    }
    // A definite refusal still decides.
    let zp = connector(&verify_answers(400, error(-52)).await, MERCHANT);
    let verdict = zp.verify_return(&p, &back).await.unwrap().verdict;
    assert_eq!(
        verdict,
        Verdict::Failed {
            code: "zarinpal:-52".into()
        }
    );
}

#[tokio::test]
async fn an_unreachable_gateway_is_reported_as_such() {
    // Bind and drop a listener: nothing answers on that port.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let zp = connector(&format!("http://127.0.0.1:{port}"), MERCHANT);
    let p = payment(500_000);
    let err = zp
        .start(StartRequest {
            order: &p,
            description: "Order",
            return_url: "http://127.0.0.1:9/return",
            notify_url: "http://127.0.0.1:9/notify",
            language: "fa",
        })
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Unreachable(_)), "{err:?}");
}

#[test]
fn live_methods_talk_to_the_real_gateway() {
    let connectors = engine::connectors::Connectors::new(
        engine::connectors::Sandbox::under("http://127.0.0.1:3000"),
        Some(engine::connectors::payme::Platform {
            client_key: "k".into(),
            client_secret: "s".into(),
        }),
        engine::secrets::SecretKey::generate(),
    );
    let mut method = engine::db::methods::PaymentMethod {
        id: 1,
        store_id: 1,
        provider: zarinpal::PROVIDER.into(),
        display_name: "Zarinpal".into(),
        live: true,
        enabled: true,
        min_amount: None,
        max_amount: None,
        config: format!(r#"{{"merchant_id":"{MERCHANT}"}}"#),
        secrets: None,
        discount: None,
    };
    let p = Order {
        provider_ref: Some("A0000000000000000000000000000000000042".into()),
        ..payment(500_000)
    };
    let page = |method: &engine::db::methods::PaymentMethod| match connectors
        .for_method(method)
        .unwrap()
        .hand_off(&p)
        .unwrap()
    {
        HandOff::Redirect(url) => url,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        page(&method),
        format!(
            "{}/pg/StartPay/A0000000000000000000000000000000000042",
            zarinpal::LIVE_BASE
        )
    );
    method.live = false;
    assert!(page(&method).starts_with("http://127.0.0.1:3000/sim/zarinpal/pg/StartPay/"));
}
