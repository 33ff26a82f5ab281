//! Payments that never come back expire: a payment started at each provider's simulator and
//! abandoned there (the customer never pays) is polled on its schedule and expires at the end
//! of its provider's window, giving its payment link's use back; one that PayPal said is
//! pending (an eCheck) waits for PayPal instead. On SQLite and PostgreSQL.

use crate::common::provider::{Order, fast_forward_polls, method_of, pay_form, start};
use crate::common::{Running, database_urls, event_kinds, serve_with};
use engine::checkout::Submitted;
use engine::db::{links, stores};
use engine::settings::links::{LinkForm, create, signature};
use engine::status::PaymentStatus;
use engine::time::{DAY_MILLIS, now_millis};
use server::demo::{EU_SLUG, IL_SLUG, SLUG};

/// An abandoned payment at `provider`: how many polls ran before it expired.
async fn abandoned(app: &Running, slug: &str, provider: &str, amount: &str) -> usize {
    let order = Order {
        payer: "Dana Levi",
        amount,
        description: "Abandoned",
    };
    let (code, _hand_off) =
        start(app, slug, provider, &format!("abandon-{provider}"), &order).await;
    let (p, polls) = fast_forward_polls(app, &code).await;
    assert_eq!(p.status, PaymentStatus::Expired, "{provider}");
    let kinds = event_kinds(app, &p).await;
    assert_eq!(
        kinds.last().map(String::as_str),
        Some("expired"),
        "{kinds:?}"
    );
    polls
}

#[tokio::test]
async fn an_abandoned_payment_expires_after_its_providers_window() {
    for database in database_urls().await {
        let app = serve_with(true, |c| {
            if let Some(url) = database {
                c.database_url = url.into();
            }
        })
        .await;
        // Asked at 5, 15, 45, 135, 405 and 1215 minutes, and at the end of the day.
        assert_eq!(abandoned(&app, SLUG, "zarinpal", "120,000").await, 7);
        assert_eq!(abandoned(&app, IL_SLUG, "payme", "120.50").await, 7);
        assert_eq!(abandoned(&app, EU_SLUG, "everypay", "45.00").await, 7);
        // Not asked (its checkout link lives a day): expired after 25 hours.
        assert_eq!(abandoned(&app, EU_SLUG, "mypos", "45.00").await, 7);
        // PayPal resends an IPN for four days: expired after five.
        assert_eq!(abandoned(&app, EU_SLUG, "paypal", "45.00").await, 8);
    }
}

#[tokio::test]
async fn an_expired_payment_gives_its_link_use_back() {
    let app = serve_with(true, |_| {}).await;
    let db = app.state.checkout.db();
    let store = stores::by_slug(db, SLUG).await.unwrap().unwrap();
    let link_form = LinkForm {
        signed: true,
        description: "One seat".into(),
        amount: "120,000".into(),
        max_uses: "1".into(),
        ..LinkForm::default()
    };
    let link = create(db, &store, &link_form, now_millis() / DAY_MILLIS)
        .await
        .unwrap();
    let sig = signature(&app.state.secrets, store.id, &link);
    let method = method_of(&app, SLUG, "zarinpal").await;
    let order = Order {
        payer: "Sara Ahmadi",
        amount: "120,000",
        description: "One seat",
    };
    let through_link = |key: &str| {
        let mut form = pay_form(method, key, &order);
        form.mobile = "09121234567".into();
        form.link = link.token.clone();
        form.sig = sig.clone();
        form
    };
    let Submitted::ToProvider { code } = app
        .state
        .checkout
        .submit(SLUG, &through_link("first"))
        .await
        .unwrap()
    else {
        panic!("Zarinpal takes the payment");
    };
    let uses = || async {
        links::by_id(db, store.id, link.id)
            .await
            .unwrap()
            .unwrap()
            .uses
    };
    assert_eq!(uses().await, 1);
    assert!(
        app.state
            .checkout
            .submit(SLUG, &through_link("second"))
            .await
            .is_err(),
        "the link is used up"
    );
    app.state.checkout.hand_off(&code).await.unwrap();
    let (p, _) = fast_forward_polls(&app, &code).await;
    assert_eq!(p.status, PaymentStatus::Expired);
    assert_eq!(uses().await, 0);
    assert!(matches!(
        app.state
            .checkout
            .submit(SLUG, &through_link("second"))
            .await,
        Ok(Submitted::ToProvider { .. })
    ));
}
