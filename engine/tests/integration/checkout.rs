//! The checkout service and the repositories behind it, on SQLite and PostgreSQL.

use engine::checkout::{Checkout, CheckoutError, CheckoutForm, Submitted};
use engine::db::bank_accounts;
use engine::db::methods::{self, NewMethod};
use engine::db::payments::{self, Change, Source, Transition};
use engine::db::{Db, stores};
use engine::status::PaymentStatus;
use engine::validation::{Field, Problem};

struct Fixture {
    checkout: Checkout,
    db: Db,
    account: i64,
    gateway: i64,
}

async fn fixture(db: Db) -> Fixture {
    let store = crate::common::store(&db, "shop").await;
    let account = crate::common::bank_account(&db, store.id).await;
    // Nothing listens on port 9: an online payment's request fails as "unreachable".
    let gateway = methods::create(
        &db,
        store.id,
        NewMethod {
            provider: "zarinpal",
            display_name: "Zarinpal",
            live: false,
            min_amount: Some(10_000),
            max_amount: Some(100_000_000),
            config: r#"{"merchant_id":"5f0c1a8e-2b7d-4e19-9c3a-6d8e0f1b2c3d"}"#,
            secrets: None,
            discount: None,
        },
    )
    .await
    .unwrap();
    Fixture {
        checkout: crate::common::offline_checkout(&db, engine::secrets::SecretKey::generate()),
        db,
        account,
        gateway: gateway.id,
    }
}

fn slip_form(f: &Fixture, key: &str) -> CheckoutForm {
    CheckoutForm {
        key: key.into(),
        payer_name: "Sara".into(),
        mobile: "09121234567".into(),
        amount: "120,000".into(),
        method: "slip".into(),
        bank_account: f.account.to_string(),
        slip_number: "5566".into(),
        slip_date: "2026-01-02".into(),
        ..CheckoutForm::default()
    }
}

/// An online payment through the fixture's (unreachable) gateway.
fn gateway_form(f: &Fixture, key: &str) -> CheckoutForm {
    CheckoutForm {
        method: format!("gateway:{}", f.gateway),
        bank_account: String::new(),
        slip_number: String::new(),
        slip_date: String::new(),
        ..slip_form(f, key)
    }
}

async fn count(f: &Fixture) -> i64 {
    let store = stores::by_slug(&f.db, "shop").await.unwrap().unwrap();
    payments::count(&f.db, store.id).await.unwrap()
}

#[tokio::test]
async fn a_bank_slip_is_recorded_in_rial_awaiting_confirmation() {
    for db in crate::common::databases().await {
        let f = fixture(db).await;
        let Submitted::Recorded { code } = f
            .checkout
            .submit("shop", &slip_form(&f, "k1"))
            .await
            .unwrap()
        else {
            panic!("a slip is recorded, not handed off");
        };
        let payment = f.checkout.payment(&code).await.unwrap();
        assert_eq!(payment.status, PaymentStatus::AwaitingConfirmation);
        assert_eq!(payment.amount, 1_200_000, "120,000 toman is stored as rial");
        assert_eq!(payment.mobile, "+989121234567");
        let events = payments::events(&f.db, payment.store_id, payment.id)
            .await
            .unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(
            events[0].to_status.as_deref(),
            Some("awaiting_confirmation")
        );
    }
}

#[tokio::test]
async fn the_same_form_submitted_twice_or_concurrently_makes_one_payment() {
    for db in crate::common::databases().await {
        let f = fixture(db).await;
        let form = slip_form(&f, "same-key");
        let (a, b) = tokio::join!(
            f.checkout.submit("shop", &form),
            f.checkout.submit("shop", &form)
        );
        let c = f.checkout.submit("shop", &form).await.unwrap();
        assert_eq!(a.unwrap(), c);
        assert_eq!(b.unwrap(), c);
        assert_eq!(count(&f).await, 1);
    }
}

#[tokio::test]
async fn an_edited_resubmission_is_a_new_payment() {
    for db in crate::common::databases().await {
        let f = fixture(db).await;
        let first = f
            .checkout
            .submit("shop", &slip_form(&f, "browser"))
            .await
            .unwrap();
        // Back to the form, the amount changed: a different payment, under the same form key.
        let edited = CheckoutForm {
            amount: "150,000".into(),
            ..slip_form(&f, "browser")
        };
        let second = f.checkout.submit("shop", &edited).await.unwrap();
        assert_ne!(first, second);
        // Back again and the first form as it was: its payment, not a third.
        let again = f
            .checkout
            .submit("shop", &slip_form(&f, "browser"))
            .await
            .unwrap();
        assert_eq!(again, first);
        assert_eq!(count(&f).await, 2);
    }
}

#[tokio::test]
async fn a_payment_that_failed_can_be_submitted_again() {
    for db in crate::common::databases().await {
        let f = fixture(db).await;
        let form = gateway_form(&f, "browser");
        // The gateway is unreachable: each attempt fails, and each retry is a new attempt.
        let Submitted::Recorded { code: first } = f.checkout.submit("shop", &form).await.unwrap()
        else {
            panic!("a refused request is recorded");
        };
        assert_eq!(
            f.checkout.payment(&first).await.unwrap().status,
            PaymentStatus::Failed
        );
        let (a, b) = tokio::join!(
            f.checkout.submit("shop", &form),
            f.checkout.submit("shop", &form)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_ne!(
            a,
            Submitted::Recorded {
                code: first.clone()
            }
        );
        assert_ne!(
            b,
            Submitted::Recorded {
                code: first.clone()
            }
        );
        // The first payment keeps its failure.
        assert_eq!(
            f.checkout.payment(&first).await.unwrap().status,
            PaymentStatus::Failed
        );
        assert!(
            (2..=3).contains(&count(&f).await),
            "one new payment per winning retry"
        );
    }
}

#[tokio::test]
async fn invalid_forms_name_each_field_and_write_nothing() {
    for db in crate::common::databases().await {
        let f = fixture(db).await;
        let form = CheckoutForm {
            key: "k".into(),
            payer_name: " ".into(),
            mobile: "12345".into(),
            amount: "0".into(),
            email: "x@".into(),
            method: "slip".into(),
            bank_account: "999".into(),
            slip_date: "2999-01-01".into(),
            ..CheckoutForm::default()
        };
        let Err(CheckoutError::Invalid(errors)) = f.checkout.submit("shop", &form).await else {
            panic!("accepted")
        };
        assert_eq!(errors.get(Field::Name), Some(Problem::Required));
        assert_eq!(errors.get(Field::Mobile), Some(Problem::Invalid));
        assert_eq!(errors.get(Field::Amount), Some(Problem::Zero));
        assert_eq!(errors.get(Field::Email), Some(Problem::Invalid));
        assert_eq!(errors.get(Field::BankAccount), Some(Problem::Unavailable));
        assert_eq!(errors.get(Field::SlipNumber), Some(Problem::Required));
        assert_eq!(errors.get(Field::SlipDate), Some(Problem::InFuture));
        for amount in ["-5", "abc", "99999999999999999", ""] {
            let form = CheckoutForm {
                amount: amount.into(),
                ..slip_form(&f, "k2")
            };
            assert!(
                matches!(
                    f.checkout.submit("shop", &form).await,
                    Err(CheckoutError::Invalid(_))
                ),
                "{amount}"
            );
        }
        assert_eq!(count(&f).await, 0);
    }
}

#[tokio::test]
async fn gateway_limits_disabled_methods_and_unknown_stores_are_refused() {
    for db in crate::common::databases().await {
        let f = fixture(db).await;
        let online = |amount: &str, key: &str| CheckoutForm {
            amount: amount.into(),
            ..gateway_form(&f, key)
        };
        let Err(CheckoutError::Invalid(e)) = f.checkout.submit("shop", &online("999", "a")).await
        else {
            panic!()
        };
        assert_eq!(e.get(Field::Amount), Some(Problem::BelowMin(10_000)));
        let Err(CheckoutError::Invalid(e)) =
            f.checkout.submit("shop", &online("10,000,001", "b")).await
        else {
            panic!()
        };
        assert_eq!(e.get(Field::Amount), Some(Problem::AboveMax(100_000_000)));
        let store = stores::by_slug(&f.db, "shop").await.unwrap().unwrap();
        methods::set_enabled(&f.db, store.id, f.gateway, false)
            .await
            .unwrap();
        let Err(CheckoutError::Invalid(e)) = f.checkout.submit("shop", &online("5000", "c")).await
        else {
            panic!()
        };
        assert_eq!(e.get(Field::Method), Some(Problem::Unavailable));
        assert!(matches!(
            f.checkout.submit("nope", &slip_form(&f, "d")).await,
            Err(CheckoutError::UnknownStore)
        ));
        assert_eq!(count(&f).await, 0);
    }
}

#[tokio::test]
async fn an_unreachable_gateway_fails_the_payment_with_its_reason() {
    for db in crate::common::databases().await {
        let f = fixture(db).await;
        let form = gateway_form(&f, "k");
        let Submitted::Recorded { code } = f.checkout.submit("shop", &form).await.unwrap() else {
            panic!()
        };
        let payment = f.checkout.payment(&code).await.unwrap();
        assert_eq!(payment.status, PaymentStatus::Failed);
        assert_eq!(payment.failure_code.as_deref(), Some("kassa:unreachable"));
    }
}

#[tokio::test]
async fn maintenance_mode_takes_no_payment() {
    for db in crate::common::databases().await {
        let f = fixture(db).await;
        let store = stores::by_slug(&f.db, "shop").await.unwrap().unwrap();
        stores::set_maintenance(&f.db, store.id, true)
            .await
            .unwrap();
        assert!(matches!(
            f.checkout.submit("shop", &slip_form(&f, "k")).await,
            Err(CheckoutError::Maintenance)
        ));
        assert_eq!(count(&f).await, 0);
    }
}

#[tokio::test]
async fn a_status_moves_once_however_often_it_is_asked() {
    for db in crate::common::databases().await {
        let f = fixture(db).await;
        let Submitted::Recorded { code } = f
            .checkout
            .submit("shop", &slip_form(&f, "k"))
            .await
            .unwrap()
        else {
            panic!()
        };
        let payment = f.checkout.payment(&code).await.unwrap();
        let confirm = || Change {
            to: PaymentStatus::Paid,
            source: Source::Merchant,
            kind: "slip_confirmed",
            detail: None,
            bank_ref: None,
            card_pan: None,
            failure_code: None,
        };
        let results = futures_join(&f.db, &payment, confirm).await;
        assert_eq!(
            results.iter().filter(|r| **r == Transition::Moved).count(),
            1
        );
        assert!(results.iter().all(|r| matches!(
            r,
            Transition::Moved | Transition::Unchanged(PaymentStatus::Paid)
        )));
        let events = payments::events(&f.db, payment.store_id, payment.id)
            .await
            .unwrap();
        assert_eq!(
            events.iter().filter(|e| e.kind == "slip_confirmed").count(),
            1
        );
        assert_eq!(
            events
                .iter()
                .filter(|e| e.kind == "ignored:slip_confirmed")
                .count(),
            4
        );
        // A final status never moves again.
        let paid = f.checkout.payment(&code).await.unwrap();
        let reject = Change {
            to: PaymentStatus::Rejected,
            ..confirm()
        };
        assert_eq!(
            payments::transition(&f.db, &paid, reject).await.unwrap(),
            Transition::Unchanged(PaymentStatus::Paid)
        );
    }
}

async fn futures_join<'a>(
    db: &Db,
    payment: &payments::Payment,
    change: impl Fn() -> Change<'a>,
) -> Vec<Transition> {
    let (a, b, c, d, e) = tokio::join!(
        payments::transition(db, payment, change()),
        payments::transition(db, payment, change()),
        payments::transition(db, payment, change()),
        payments::transition(db, payment, change()),
        payments::transition(db, payment, change()),
    );
    [a, b, c, d, e].into_iter().map(Result::unwrap).collect()
}

#[tokio::test]
async fn tracking_lookups_see_one_payment_and_stores_see_only_their_own() {
    for db in crate::common::databases().await {
        let f = fixture(db).await;
        let other = crate::common::store(&f.db, "other").await;
        let Submitted::Recorded { code } = f
            .checkout
            .submit("shop", &slip_form(&f, "k"))
            .await
            .unwrap()
        else {
            panic!()
        };
        assert!(
            payments::by_code(&f.db, other.id, &code)
                .await
                .unwrap()
                .is_none()
        );
        assert!(f.checkout.payment(&code.to_lowercase()).await.is_ok());
        assert!(matches!(
            f.checkout.payment("0000-0000-0000").await,
            Err(CheckoutError::UnknownPayment)
        ));
        assert!(
            bank_accounts::get_active(&f.db, other.id, f.account)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            methods::get(&f.db, other.id, f.gateway)
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test]
async fn a_method_is_offered_and_started_only_in_a_currency_it_takes() {
    for db in crate::common::databases().await {
        let f = fixture(db).await;
        let store = stores::by_slug(&f.db, "shop").await.unwrap().unwrap();
        assert_eq!(f.checkout.offered_methods(&store).await.unwrap().len(), 1);
        // The IRR store switches to EUR: Zarinpal (rial only) is no longer offered or started.
        sqlx::query("UPDATE stores SET currency = 'EUR' WHERE id = $1")
            .bind(store.id)
            .execute(f.db.pool())
            .await
            .unwrap();
        let store = stores::by_slug(&f.db, "shop").await.unwrap().unwrap();
        assert!(f.checkout.offered_methods(&store).await.unwrap().is_empty());
        let form = CheckoutForm {
            amount: "45.00".into(),
            ..gateway_form(&f, "k-eur")
        };
        match f.checkout.submit("shop", &form).await {
            Err(CheckoutError::Invalid(errors)) => {
                assert_eq!(errors.get(Field::Method), Some(Problem::Unavailable));
            }
            other => panic!("refused: {other:?}"),
        }
        assert_eq!(count(&f).await, 0);
    }
}

#[tokio::test]
async fn a_name_that_shows_other_than_it_reads_is_refused() {
    for db in crate::common::databases().await {
        let f = fixture(db).await;
        let form = CheckoutForm {
            payer_name: "Sara \u{202E}imhA".into(),
            ..slip_form(&f, "k-bidi")
        };
        match f.checkout.submit("shop", &form).await {
            Err(CheckoutError::Invalid(errors)) => {
                assert_eq!(errors.get(Field::Name), Some(Problem::HiddenCharacters));
            }
            other => panic!("refused: {other:?}"),
        }
        assert_eq!(count(&f).await, 0);
    }
}
