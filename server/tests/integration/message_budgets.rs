//! What one payment and one client address may cost (`engine::intake`): returns and
//! notifications beyond a budget are dropped (not stored, the provider not asked) and
//! counted on the payment, whose timeline shows the count.

use crate::common::browser::{Browser, log_in};
use crate::common::provider::{HeldProvider, count, within_one_budget_window};
use crate::common::{Running, database_urls, event_kinds, no_redirects, payment, serve_with};
use engine::db::payments::{self, Kind, NewPayment, Payment};
use engine::intake::{PER_ADDRESS, PER_PAYMENT};
use engine::money::Currency;
use engine::status::PaymentStatus;
use server::demo::{OWNER_EMAIL, OWNER_PASSWORD, SLUG};

/// A sandbox server, behind a proxy whose `X-Forwarded-For` the test writes, whose Zarinpal
/// is `zarinpal` (a provider that answers every verify 503: the payment stays waiting, so
/// every return costs a call).
async fn behind_proxy(database: Option<String>, zarinpal: &HeldProvider) -> Running {
    serve_with(true, |c| {
        c.test_environments.set("zarinpal", &zarinpal.url);
        c.trust_forwarded = true;
        if let Some(url) = database {
            c.database_url = url.into();
        }
    })
    .await
}

/// A Zarinpal payment of the demo store, registered with `authority`.
async fn waiting(app: &Running, authority: &str) -> Payment {
    let db = app.state.checkout.db();
    let store = crate::common::store_id(app, SLUG).await;
    let method = crate::common::methods(app, SLUG).await.remove(0);
    let new = NewPayment {
        kind: Kind::Online,
        method_id: Some(method.id),
        bank_account_id: None,
        payer_name: "Sara",
        mobile: "+989121234567",
        phone: None,
        email: None,
        description: None,
        amount: 4_500_000,
        discount: 0,
        currency: Currency::IRR,
        slip_number: None,
        slip_date: None,
        link_id: None,
        live: false,
        language: "en",
    };
    let key = engine::tracking::random_token();
    let (p, _) = payments::create_idempotent(db, store, &key, new)
        .await
        .unwrap();
    payments::set_provider_ref(db, store, p.id, authority, None, "registered")
        .await
        .unwrap();
    payment(app, &p.tracking_code).await
}

async fn return_from(app: &Running, p: &Payment, authority: &str, address: &str) -> u16 {
    no_redirects()
        .get(format!(
            "{}/pay/{}/return?Authority={authority}&Status=OK",
            app.base, p.tracking_code
        ))
        .header("x-forwarded-for", address)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A notification about `p` (Zarinpal sends none: Kassa refuses it) from `address`.
async fn notify_from(app: &Running, p: &Payment, address: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/pay/{}/notify", app.base, p.tracking_code))
        .header("x-forwarded-for", address)
        .body("forged")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn one_tracking_code_costs_a_bounded_number_of_provider_calls() {
    for database in database_urls().await {
        let mut zarinpal = HeldProvider::answering("503 Service Unavailable", "busy").await;
        zarinpal.release(10_000);
        let app = behind_proxy(database, &zarinpal).await;
        let authority = "A0000000000000000000000000000000budget";
        let p = waiting(&app, authority).await;
        within_one_budget_window().await;

        // Returns from many addresses, each within its own budget: the payment's holds.
        let sent = PER_PAYMENT.messages + 15;
        for i in 0..sent {
            let address = format!("198.51.100.{i}");
            // The customer is sent to the payment's page either way.
            assert_eq!(return_from(&app, &p, authority, &address).await, 303);
        }
        let asked = usize::try_from(PER_PAYMENT.messages).unwrap();
        assert_eq!(zarinpal.asked(), asked, "one call per admitted return");
        let kinds = event_kinds(&app, &p).await;
        assert_eq!(count(&kinds, "return_not_verified"), asked);
        let now = payment(&app, &p.tracking_code).await;
        assert_eq!(now.status, PaymentStatus::Created);
        assert_eq!(now.dropped_messages, sent - PER_PAYMENT.messages);

        // A notification over the budget is answered 429 with the time to wait.
        let answer = notify_from(&app, &p, "198.51.100.250").await;
        assert_eq!(answer.status(), 429);
        let wait: u64 = answer.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=600).contains(&wait), "{wait}");
        assert_eq!(zarinpal.asked(), 0);

        // The merchant sees the count in the payment's timeline.
        server::demo::ensure_owners(app.state.checkout.db())
            .await
            .unwrap();
        let mut owner = Browser::new(&app);
        log_in(&mut owner, OWNER_EMAIL, OWNER_PASSWORD).await;
        let page = owner
            .page(&format!("/admin/payments/{}?lang=en", p.id))
            .await;
        let dropped = (sent - PER_PAYMENT.messages + 1).to_string();
        assert!(
            page.contains("data-testid=\"dropped-messages\"")
                && page.contains(&format!("not asked): {dropped}.")),
            "{page}"
        );
    }
}

#[tokio::test]
async fn one_address_costs_a_bounded_number_of_refused_messages() {
    for database in database_urls().await {
        let zarinpal = HeldProvider::answering("503 Service Unavailable", "busy").await;
        zarinpal.release(10_000);
        let app = behind_proxy(database, &zarinpal).await;
        let payments: Vec<Payment> = waiting_payments(&app, 3).await;
        let per_payment = PER_ADDRESS.messages / 3 + 5;
        within_one_budget_window().await;
        let mut answers = Vec::new();
        for p in &payments {
            for _ in 0..per_payment {
                let answer = notify_from(&app, p, "203.0.113.9").await;
                answers.push(answer.status().as_u16());
            }
        }
        // Refused (Zarinpal's notifications are not Kassa's to take) until the address's
        // budget is spent, then dropped.
        let limit = usize::try_from(PER_ADDRESS.messages).unwrap();
        assert!(answers[..limit].iter().all(|&a| a == 400), "{answers:?}");
        assert!(answers[limit..].iter().all(|&a| a == 429), "{answers:?}");
        let mut stored = 0;
        for p in &payments {
            stored += count(&event_kinds(&app, p).await, "notification_not_verified");
        }
        assert_eq!(stored, limit);
        // Another address is not held back by that one.
        let other = reqwest::Client::new()
            .post(format!(
                "{}/pay/{}/notify",
                app.base, payments[0].tracking_code
            ))
            .header("x-forwarded-for", "203.0.113.10")
            .body("forged")
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), 400);
    }
}

async fn waiting_payments(app: &Running, n: usize) -> Vec<Payment> {
    let mut out = Vec::new();
    for i in 0..n {
        out.push(waiting(app, &format!("A{i:035}")).await);
    }
    out
}
