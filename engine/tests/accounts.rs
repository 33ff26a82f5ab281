//! Merchant accounts on both databases: sign-up, log-in and its rate limit, session expiry,
//! log-out and password changes.

mod common;

use engine::accounts::{
    self, ABSOLUTE, ACCOUNT_LIMIT, ADDRESS_LIMIT, AccountError, IDLE, SignUp, WINDOW,
};
use engine::db::Db;
use engine::validation::{Field, Problem};

const PASSWORD: &str = "a long enough passphrase";
const T0: i64 = 1_800_000_000_000;

fn form(slug: &str, email: &str) -> SignUp {
    SignUp {
        store_name: "Shop of Dana".into(),
        slug: slug.into(),
        currency: "ILS".into(),
        language: "he".into(),
        email: email.into(),
        password: PASSWORD.into(),
    }
}

fn problems(err: AccountError) -> Vec<(Field, Problem)> {
    match err {
        AccountError::Invalid(errors) => [
            Field::StoreName,
            Field::Slug,
            Field::Currency,
            Field::Language,
            Field::Email,
            Field::Password,
            Field::NewPassword,
        ]
        .into_iter()
        .filter_map(|f| errors.get(f).map(|p| (f, p)))
        .collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[tokio::test]
async fn sign_up_creates_a_store_and_its_owner_logged_in() {
    for db in common::databases().await {
        let (store, session) = accounts::sign_up(&db, &form("dana", "Dana@Example.com"), T0)
            .await
            .unwrap();
        assert_eq!(
            (store.slug.as_str(), store.currency.code()),
            ("dana", "ILS")
        );
        assert_eq!(store.default_lang, "he");
        assert_eq!(session.user.store_id, store.id);
        assert_eq!(session.user.email, "dana@example.com");
        let who = accounts::session(&db, &session.token, T0 + 1)
            .await
            .unwrap();
        assert_eq!(who, Some(session.user.clone()));

        // The same slug or e-mail again (in any case) is refused, and creates nothing.
        let err = accounts::sign_up(&db, &form("DANA", "dana@EXAMPLE.com"), T0)
            .await
            .unwrap_err();
        assert_eq!(
            problems(err),
            vec![
                (Field::Slug, Problem::Taken),
                (Field::Email, Problem::Taken)
            ]
        );
        let bad = SignUp {
            store_name: " ".into(),
            slug: "a/b".into(),
            currency: "XXX".into(),
            language: "de".into(),
            email: "not-an-email".into(),
            password: "short".into(),
        };
        assert_eq!(
            problems(accounts::sign_up(&db, &bad, T0).await.unwrap_err()),
            vec![
                (Field::StoreName, Problem::Required),
                (Field::Slug, Problem::Invalid),
                (Field::Currency, Problem::Unavailable),
                (Field::Language, Problem::Unavailable),
                (Field::Email, Problem::Invalid),
                (Field::Password, Problem::TooShort),
            ]
        );
        let (stores,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM stores")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(stores, 1);
    }
}

#[tokio::test]
async fn concurrent_sign_ups_for_one_slug_make_one_store() {
    for db in common::databases().await {
        let attempts = (0..6).map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                accounts::sign_up(&db, &form("race", &format!("owner{i}@example.com")), T0).await
            })
        });
        let mut created = 0;
        for attempt in attempts {
            match attempt.await.unwrap() {
                Ok(_) => created += 1,
                Err(err) => assert_eq!(problems(err), vec![(Field::Slug, Problem::Taken)]),
            }
        }
        assert_eq!(created, 1);
        let (users,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(users, 1, "a refused sign-up leaves no user behind");
    }
}

async fn owner(db: &Db) -> accounts::SessionUser {
    accounts::sign_up(db, &form("shop", "owner@shop.example"), T0)
        .await
        .unwrap()
        .1
        .user
}

#[tokio::test]
async fn log_in_opens_a_new_session_each_time() {
    for db in common::databases().await {
        let user = owner(&db).await;
        let a = accounts::log_in(&db, " OWNER@shop.example ", PASSWORD, "10.0.0.1", T0)
            .await
            .unwrap();
        let b = accounts::log_in(&db, "owner@shop.example", PASSWORD, "10.0.0.1", T0)
            .await
            .unwrap();
        assert_ne!(a.token, b.token);
        assert_eq!(a.user, user);
        for wrong in [
            ("owner@shop.example", "a long enough passphrasE"),
            ("nobody@shop.example", PASSWORD),
        ] {
            assert!(matches!(
                accounts::log_in(&db, wrong.0, wrong.1, "10.0.0.1", T0).await,
                Err(AccountError::WrongCredentials)
            ));
        }
        // A token that was never issued, or is not even shaped like one, opens nothing.
        assert_eq!(
            accounts::session(&db, &"0".repeat(64), T0).await.unwrap(),
            None
        );
        assert_eq!(
            accounts::session(&db, "' OR 1=1 --", T0).await.unwrap(),
            None
        );
        accounts::log_out(&db, &a.token).await.unwrap();
        assert_eq!(accounts::session(&db, &a.token, T0).await.unwrap(), None);
        assert!(
            accounts::session(&db, &b.token, T0)
                .await
                .unwrap()
                .is_some()
        );
    }
}

#[tokio::test]
async fn failed_log_ins_lock_the_account_then_the_address() {
    for db in common::databases().await {
        owner(&db).await;
        for i in 0..ACCOUNT_LIMIT {
            let address = format!("10.0.1.{i}");
            let r = accounts::log_in(&db, "owner@shop.example", "guess", &address, T0 + i).await;
            assert!(matches!(r, Err(AccountError::WrongCredentials)));
        }
        // Now even the right password is refused, from any address, until the window passes.
        let r = accounts::log_in(&db, "owner@shop.example", PASSWORD, "10.9.9.9", T0 + 1000).await;
        let Err(AccountError::Throttled { retry_after_ms }) = r else {
            panic!("expected a throttled account, got {r:?}");
        };
        assert_eq!(retry_after_ms, WINDOW - 1000);
        accounts::log_in(
            &db,
            "owner@shop.example",
            PASSWORD,
            "10.9.9.9",
            T0 + WINDOW + 10,
        )
        .await
        .expect("the lock ends with the window");

        // One address trying many accounts is stopped too, whatever the account.
        let later = T0 + 3 * WINDOW;
        for i in 0..ADDRESS_LIMIT {
            let email = format!("victim{i}@example.com");
            let r = accounts::log_in(&db, &email, "guess", "203.0.113.7", later).await;
            assert!(matches!(r, Err(AccountError::WrongCredentials)));
        }
        let r = accounts::log_in(&db, "owner@shop.example", PASSWORD, "203.0.113.7", later).await;
        assert!(matches!(r, Err(AccountError::Throttled { .. })), "{r:?}");
        accounts::log_in(&db, "owner@shop.example", PASSWORD, "198.51.100.1", later)
            .await
            .expect("the owner's own address is not locked");
    }
}

#[tokio::test]
async fn sessions_end_when_idle_or_too_old() {
    for db in common::databases().await {
        owner(&db).await;
        let idle = accounts::log_in(&db, "owner@shop.example", PASSWORD, "a", T0)
            .await
            .unwrap();
        assert!(
            accounts::session(&db, &idle.token, T0 + IDLE)
                .await
                .unwrap()
                .is_some()
        );
        assert_eq!(
            accounts::session(&db, &idle.token, T0 + 2 * IDLE + 1)
                .await
                .unwrap(),
            None
        );

        // Used every hour, a session still ends ABSOLUTE after log-in.
        let busy = accounts::log_in(&db, "owner@shop.example", PASSWORD, "a", T0)
            .await
            .unwrap();
        let hour = 3_600_000;
        let mut t = T0;
        while t + hour <= T0 + ABSOLUTE {
            t += hour;
            assert!(
                accounts::session(&db, &busy.token, t)
                    .await
                    .unwrap()
                    .is_some(),
                "at {t}"
            );
        }
        assert_eq!(
            accounts::session(&db, &busy.token, T0 + ABSOLUTE + 1)
                .await
                .unwrap(),
            None
        );
        // An ended session stays ended.
        assert_eq!(
            accounts::session(&db, &busy.token, T0 + 1).await.unwrap(),
            None
        );
    }
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session() {
    for db in common::databases().await {
        let user = owner(&db).await;
        let here = accounts::log_in(&db, "owner@shop.example", PASSWORD, "a", T0)
            .await
            .unwrap();
        let thief = accounts::log_in(&db, "owner@shop.example", PASSWORD, "b", T0)
            .await
            .unwrap();
        let err = accounts::change_password(&db, &user, "not it", "a brand new passphrase", T0)
            .await
            .unwrap_err();
        assert_eq!(
            problems(err),
            vec![(Field::Password, Problem::WrongPassword)]
        );
        let err = accounts::change_password(&db, &user, PASSWORD, "short", T0)
            .await
            .unwrap_err();
        assert_eq!(problems(err), vec![(Field::NewPassword, Problem::TooShort)]);
        assert!(
            accounts::session(&db, &thief.token, T0)
                .await
                .unwrap()
                .is_some()
        );

        let fresh = accounts::change_password(&db, &user, PASSWORD, "a brand new passphrase", T0)
            .await
            .unwrap();
        for old in [&here.token, &thief.token] {
            assert_eq!(accounts::session(&db, old, T0).await.unwrap(), None);
        }
        assert_eq!(
            accounts::session(&db, &fresh.token, T0).await.unwrap(),
            Some(user)
        );
        assert!(matches!(
            accounts::log_in(&db, "owner@shop.example", PASSWORD, "a", T0).await,
            Err(AccountError::WrongCredentials)
        ));
        accounts::log_in(&db, "owner@shop.example", "a brand new passphrase", "a", T0)
            .await
            .unwrap();
    }
}
