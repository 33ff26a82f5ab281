//! Merchant accounts on both databases: sign-up, log-in and its rate limit, session expiry,
//! log-out and password changes.

use engine::accounts::{
    self, ABSOLUTE, ACCOUNT_LIMIT, ACCOUNT_WINDOW, ADDRESS_LIMIT, AccountError, IDLE, PAIR_LIMIT,
    SignUp, WINDOW,
};
use engine::db::Db;
use engine::validation::{Field, Problem};

const PASSWORD: &str = "a long enough passphrase";
const T0: i64 = 1_800_000_000_000;
/// The address the tests' sign-ups come from.
const HERE: &str = "192.0.2.1";

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
    for db in crate::common::databases().await {
        let (store, session) =
            accounts::sign_up(&db, &form("dana", "Dana@Example.com"), HERE, 100, T0)
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
        let err = accounts::sign_up(&db, &form("DANA", "dana@EXAMPLE.com"), HERE, 100, T0)
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
            problems(
                accounts::sign_up(&db, &bad, HERE, 100, T0)
                    .await
                    .unwrap_err()
            ),
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
    for db in crate::common::databases().await {
        let attempts = (0..6).map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                accounts::sign_up(
                    &db,
                    &form("race", &format!("owner{i}@example.com")),
                    HERE,
                    100,
                    T0,
                )
                .await
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
    accounts::sign_up(db, &form("shop", "owner@shop.example"), HERE, 100, T0)
        .await
        .unwrap()
        .1
        .user
}

#[tokio::test]
async fn log_in_opens_a_new_session_each_time() {
    for db in crate::common::databases().await {
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
async fn failed_log_ins_lock_the_place_then_the_account_then_the_address() {
    for db in crate::common::databases().await {
        owner(&db).await;
        let owner_at = |address: &'static str, at: i64| {
            accounts::log_in(&db, "owner@shop.example", PASSWORD, address, at)
        };
        // A stranger guessing from one address locks out that address only.
        for i in 0..PAIR_LIMIT {
            let r = accounts::log_in(&db, "owner@shop.example", "guess", "10.0.0.1", T0 + i).await;
            assert!(matches!(r, Err(AccountError::WrongCredentials)));
        }
        let r = owner_at("10.0.0.1", T0 + 1000).await;
        let Err(AccountError::Throttled { retry_after_ms }) = r else {
            panic!("expected a throttled address, got {r:?}");
        };
        assert_eq!(retry_after_ms, WINDOW - 1000);
        owner_at("198.51.100.1", T0 + 1000)
            .await
            .expect("the merchant, elsewhere, is not locked out");
        owner_at("10.0.0.1", T0 + WINDOW + 10)
            .await
            .expect("the lock ends with the window");

        // Many addresses guessing one account hit the slower account-wide limit.
        let later = T0 + 3 * ACCOUNT_WINDOW;
        for i in 0..ACCOUNT_LIMIT {
            let address = format!("10.1.{}.{}", i / 200, i % 200);
            let r = accounts::log_in(&db, "owner@shop.example", "guess", &address, later).await;
            assert!(matches!(r, Err(AccountError::WrongCredentials)), "{i}");
        }
        let r = owner_at("198.51.100.1", later + 1).await;
        assert!(matches!(r, Err(AccountError::Throttled { .. })), "{r:?}");
        owner_at("198.51.100.1", later + ACCOUNT_WINDOW + 1)
            .await
            .expect("until the account's window passes");

        // One address trying many accounts is stopped too, whatever the account.
        let latest = T0 + 6 * ACCOUNT_WINDOW;
        for i in 0..ADDRESS_LIMIT {
            let email = format!("victim{i}@example.com");
            let r = accounts::log_in(&db, &email, "guess", "203.0.113.7", latest).await;
            assert!(matches!(r, Err(AccountError::WrongCredentials)));
        }
        let r = owner_at("203.0.113.7", latest).await;
        assert!(matches!(r, Err(AccountError::Throttled { .. })), "{r:?}");
    }
}

#[tokio::test]
async fn fifty_guesses_at_once_get_only_the_limit_s_password_checks() {
    for db in crate::common::databases().await {
        owner(&db).await;
        let guesses = |addresses: Vec<String>| {
            let attempts: Vec<_> = addresses
                .into_iter()
                .map(|address| {
                    let db = db.clone();
                    tokio::spawn(async move {
                        accounts::log_in(&db, "owner@shop.example", "guess", &address, T0).await
                    })
                })
                .collect();
            async move {
                let (mut checked, mut throttled) = (0, 0);
                for attempt in attempts {
                    match attempt.await.unwrap() {
                        Err(AccountError::WrongCredentials) => checked += 1,
                        Err(AccountError::Throttled { .. }) => throttled += 1,
                        other => panic!("{other:?}"),
                    }
                }
                (checked, throttled)
            }
        };
        // From one address: the pair's limit.
        let one = guesses(vec!["10.0.0.1".to_owned(); 50]).await;
        assert_eq!(one, (PAIR_LIMIT, 50 - PAIR_LIMIT));
        // From fifty addresses: the account's limit (the first five already counted).
        let many = guesses((0..50).map(|i| format!("10.2.0.{i}")).collect()).await;
        assert_eq!(many.0, ACCOUNT_LIMIT - PAIR_LIMIT, "{many:?}");
    }
}

#[tokio::test]
async fn sessions_end_when_idle_or_too_old() {
    for db in crate::common::databases().await {
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
    for db in crate::common::databases().await {
        let user = owner(&db).await;
        let here = accounts::log_in(&db, "owner@shop.example", PASSWORD, "a", T0)
            .await
            .unwrap();
        let thief = accounts::log_in(&db, "owner@shop.example", PASSWORD, "b", T0)
            .await
            .unwrap();
        let err =
            accounts::change_password(&db, &user, "not it", "a brand new passphrase", "a", T0)
                .await
                .unwrap_err();
        assert_eq!(
            problems(err),
            vec![(Field::Password, Problem::WrongPassword)]
        );
        let err = accounts::change_password(&db, &user, PASSWORD, "short", "a", T0)
            .await
            .unwrap_err();
        assert_eq!(problems(err), vec![(Field::NewPassword, Problem::TooShort)]);
        assert!(
            accounts::session(&db, &thief.token, T0)
                .await
                .unwrap()
                .is_some()
        );

        let fresh =
            accounts::change_password(&db, &user, PASSWORD, "a brand new passphrase", "a", T0)
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

#[tokio::test]
async fn housekeeping_purges_what_is_kept_only_for_a_while() {
    use engine::housekeeping::{IDEMPOTENCY_TTL, Purged, purge};
    for db in crate::common::databases().await {
        let user = owner(&db).await;
        let old = accounts::log_in(&db, "owner@shop.example", PASSWORD, "a", T0)
            .await
            .unwrap();
        let _ = accounts::log_in(&db, "owner@shop.example", "guess", "a", T0).await;
        engine::db::drafts::save(&db, user.store_id, "x=1", T0)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO idempotency_keys (store_id, key, payment_id, created_at) \
             SELECT $1, 'k', id, $2 FROM payments LIMIT 1",
        )
        .bind(user.store_id)
        .bind(T0)
        .execute(db.pool())
        .await
        .unwrap();
        let mut tx = db.begin().await.unwrap();
        engine::intake::charge(&mut tx, 1, "192.0.2.1", 10, T0)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // Within their time nothing goes; after it, each goes once.
        assert_eq!(purge(&db, T0 + 1).await.unwrap(), Purged::default());
        let later = T0 + IDEMPOTENCY_TTL + 1;
        let purged = purge(&db, later).await.unwrap();
        // The sign-up's session and the log-in's.
        assert_eq!(
            (purged.sessions, purged.login_failures, purged.drafts),
            (2, 1, 1)
        );
        // The payment's window and the address's.
        assert_eq!(purged.message_budgets, 2);
        assert_eq!(purge(&db, later).await.unwrap(), Purged::default());
        assert_eq!(accounts::session(&db, &old.token, T0).await.unwrap(), None);

        // A verified notification and its job go after a month; an unfinished one stays.
        use engine::db::{inbox, jobs};
        let arrival = |code| inbox::Arrival {
            provider: "paypal",
            code,
            body: b"txn_id=1",
            address: "192.0.2.1",
            ticket: "null",
        };
        let mut tx = db.begin().await.unwrap();
        inbox::receive(&mut tx, arrival("DONE"), None, T0)
            .await
            .unwrap();
        inbox::receive(&mut tx, arrival("OPEN"), None, T0 + 1)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let job = jobs::claim(&db, "w", T0, T0 + 1).await.unwrap().unwrap();
        assert!(jobs::finish(&db, &job, "w", T0).await.unwrap());
        let month = T0 + engine::housekeeping::DONE_KEPT + 1;
        let purged = purge(&db, month).await.unwrap();
        assert_eq!((purged.inbox, purged.jobs), (1, 1));
        assert_eq!(purge(&db, month).await.unwrap().jobs, 0);
    }
}

#[tokio::test]
async fn one_address_signs_up_a_few_stores_an_hour() {
    for db in crate::common::databases().await {
        let sign_up = |slug: &str, address: &str, at: i64| {
            let form = form(slug, &format!("{slug}@example.com"));
            let db = db.clone();
            let address = address.to_owned();
            async move { accounts::sign_up(&db, &form, &address, 2, at).await }
        };
        sign_up("first", "10.0.0.1", T0).await.unwrap();
        // A refused form is no sign-up.
        assert!(matches!(
            sign_up("x", "10.0.0.1", T0).await,
            Err(AccountError::Invalid(_))
        ));
        sign_up("second", "10.0.0.1", T0).await.unwrap();
        let third = sign_up("third", "10.0.0.1", T0 + 1).await;
        assert!(
            matches!(third, Err(AccountError::Throttled { .. })),
            "{third:?}"
        );
        sign_up("elsewhere", "10.0.0.2", T0 + 1).await.unwrap();
        sign_up("later", "10.0.0.1", T0 + ACCOUNT_WINDOW + 1)
            .await
            .unwrap();
    }
}
