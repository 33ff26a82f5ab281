//! Payment links: the builder, signatures, expiry, and usage limits under concurrent payments,
//! on SQLite and PostgreSQL.

use engine::checkout::{Checkout, CheckoutError, CheckoutForm};
use engine::db::payments::{self, Change, Source};
use engine::db::stores::Store;
use engine::db::{Db, links as link_db};
use engine::links::{self, LinkProblem, PaymentLink};
use engine::secrets::SecretKey;
use engine::settings::SettingsError;
use engine::settings::links::{LinkForm, create, preview, url};
use engine::status::PaymentStatus;
use engine::time::{DAY_MILLIS, now_millis};
use engine::validation::{Field, Problem};

struct Fixture {
    db: Db,
    key: SecretKey,
    store: Store,
    checkout: Checkout,
    account: i64,
}

async fn fixture(db: Db) -> Fixture {
    let store = crate::common::store(&db, "shop").await;
    let account = crate::common::bank_account(&db, store.id).await;
    let key = SecretKey::generate();
    Fixture {
        checkout: crate::common::offline_checkout(&db, key.clone()),
        db,
        key,
        store,
        account,
    }
}

fn today() -> i64 {
    now_millis() / DAY_MILLIS
}

async fn build(f: &Fixture, form: LinkForm) -> PaymentLink {
    create(&f.db, &f.store, &form, today()).await.unwrap()
}

/// The query parameters of a link's address, as the page receives them.
fn params_of(address: &str) -> Vec<(String, String)> {
    let query = address.split_once('?').unwrap().1;
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

async fn check(
    f: &Fixture,
    params: &[(String, String)],
) -> Result<Option<PaymentLink>, LinkProblem> {
    links::check_page(&f.db, &f.key, &f.store, params, now_millis())
        .await
        .unwrap()
}

fn edited(params: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    let mut params = params.to_vec();
    params.retain(|(k, _)| k != name);
    params.push((name.to_owned(), value.to_owned()));
    params
}

/// A bank-slip submission through the link (`sig` as the page carried it).
fn slip_form(f: &Fixture, link: &PaymentLink, sig: &str, key: &str) -> CheckoutForm {
    CheckoutForm {
        key: key.into(),
        payer_name: "Sara".into(),
        mobile: "09121234567".into(),
        amount: "1".into(),
        description: "changed by the customer".into(),
        method: "slip".into(),
        bank_account: f.account.to_string(),
        slip_number: "5566".into(),
        slip_date: "2026-01-02".into(),
        link: link.token.clone(),
        sig: sig.into(),
        ..CheckoutForm::default()
    }
}

fn signed_form() -> LinkForm {
    LinkForm {
        signed: true,
        payer_name: "Sara Ahmadi".into(),
        description: "Invoice 1042 & setup".into(),
        amount: "250,000".into(),
        ..LinkForm::default()
    }
}

#[tokio::test]
async fn a_signed_link_refuses_every_edit() {
    for db in crate::common::databases().await {
        let f = fixture(db).await;
        let link = build(&f, signed_form()).await;
        // The store shows Toman: 250,000 Toman is 2,500,000 Rial.
        assert_eq!(link.amount, Some(2_500_000));
        let address = url(&f.key, "http://kassa.test/openpay", f.store.id, &link);
        let params = params_of(&address);
        assert_eq!(check(&f, &params).await.unwrap().unwrap().id, link.id);

        let mut reordered = params.clone();
        reordered.reverse();
        assert!(check(&f, &reordered).await.is_ok(), "order is not an edit");
        for (name, value) in [
            ("price", "1"),
            ("description", "Invoice 1042"),
            ("receivername", "Someone"),
            ("min", "1"),
            ("sig", &"0".repeat(64)),
            ("sig", ""),
        ] {
            let tampered = edited(&params, name, value);
            assert_eq!(
                check(&f, &tampered).await,
                Err(LinkProblem::Tampered),
                "{name}={value}"
            );
        }
        let unknown = edited(&params, "link", "0123456789abcdef0123456789abcdef");
        assert_eq!(check(&f, &unknown).await, Err(LinkProblem::Unknown));
        // The same link under another store (its token, its signature) does not exist there.
        let other = crate::common::store(&f.db, "other").await;
        let there = links::check_page(&f.db, &f.key, &other, &params, now_millis())
            .await
            .unwrap();
        assert_eq!(there, Err(LinkProblem::Unknown));
        // A page opened without a link is a plain OpenPay page.
        assert_eq!(check(&f, &[]).await, Ok(None));

        // Paying: the stored terms win over whatever the form says.
        let sig = params.iter().find(|(k, _)| k == "sig").unwrap().1.clone();
        f.checkout
            .submit("shop", &slip_form(&f, &link, &sig, "k1"))
            .await
            .unwrap();
        let paid = payments::count(&f.db, f.store.id).await.unwrap();
        assert_eq!(paid, 1);
        let rows = crate::common::all_rows(&f.db, f.store.id, "UTC", &Default::default(), 10).await;
        assert_eq!(rows[0].0.amount, 2_500_000);
        assert_eq!(
            rows[0].0.description.as_deref(),
            Some("Invoice 1042 & setup")
        );
        // A forged signature in the form pays nothing.
        let forged = f
            .checkout
            .submit("shop", &slip_form(&f, &link, "00", "k2"))
            .await;
        assert!(matches!(
            forged,
            Err(CheckoutError::Link(LinkProblem::Tampered))
        ));
    }
}

#[tokio::test]
async fn a_plain_link_prefills_and_bounds_a_chosen_amount() {
    for db in crate::common::databases().await {
        let f = fixture(db).await;
        let form = LinkForm {
            description: "Donation".into(),
            min_amount: "1,000".into(),
            max_amount: "5,000".into(),
            ..LinkForm::default()
        };
        let link = build(&f, form).await;
        let address = url(&f.key, "http://kassa.test/openpay", f.store.id, &link);
        assert!(!address.contains("sig="));
        assert!(address.contains("description=Donation&min=1000&max=5000"));
        // Plain: an edited prefill is no tampering.
        let params = edited(&params_of(&address), "description", "Gift");
        assert!(check(&f, &params).await.unwrap().is_some());
        let mut low = slip_form(&f, &link, "", "k1");
        low.amount = "999".into();
        match f.checkout.submit("shop", &low).await {
            Err(CheckoutError::Invalid(errors)) => {
                assert_eq!(errors.get(Field::Amount), Some(Problem::BelowMin(10_000)))
            }
            other => panic!("{other:?}"),
        }
        let mut fine = slip_form(&f, &link, "", "k2");
        fine.amount = "2,000".into();
        f.checkout.submit("shop", &fine).await.unwrap();
    }
}

#[tokio::test]
async fn the_builder_names_each_bad_term() {
    for db in crate::common::databases().await {
        let f = fixture(db).await;
        let form = LinkForm {
            amount: "-5".into(),
            expires: engine::time::format_day(today() - 1),
            max_uses: "0".into(),
            description: "x".repeat(501),
            ..LinkForm::default()
        };
        match create(&f.db, &f.store, &form, today()).await {
            Err(SettingsError::Invalid(errors)) => {
                assert_eq!(errors.get(Field::Amount), Some(Problem::Negative));
                assert_eq!(errors.get(Field::Expires), Some(Problem::InPast));
                assert_eq!(errors.get(Field::MaxUses), Some(Problem::Zero));
                assert_eq!(errors.get(Field::Description), Some(Problem::TooLong));
            }
            other => panic!("{other:?}"),
        }
        let form = LinkForm {
            min_amount: "9".into(),
            max_amount: "8".into(),
            expires: "2026-02-30".into(),
            max_uses: "many".into(),
            ..LinkForm::default()
        };
        match create(&f.db, &f.store, &form, today()).await {
            Err(SettingsError::Invalid(errors)) => {
                assert_eq!(errors.get(Field::MaxAmount), Some(Problem::BelowMin(90)));
                assert_eq!(errors.get(Field::Expires), Some(Problem::Invalid));
                assert_eq!(errors.get(Field::MaxUses), Some(Problem::NotANumber));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            link_db::list(&f.db, f.store.id).await.unwrap().is_empty(),
            "nothing saved"
        );
    }
}

#[tokio::test]
async fn a_link_expires_after_its_last_day() {
    for db in crate::common::databases().await {
        let f = fixture(db).await;
        let form = LinkForm {
            expires: engine::time::format_day(today()),
            ..signed_form()
        };
        let link = build(&f, form).await;
        let params = params_of(&url(&f.key, "http://x/openpay", f.store.id, &link));
        assert!(check(&f, &params).await.is_ok());
        let tomorrow = (today() + 1) * DAY_MILLIS;
        let later = links::check_page(&f.db, &f.key, &f.store, &params, tomorrow)
            .await
            .unwrap();
        assert_eq!(later, Err(LinkProblem::Expired));
    }
}

#[tokio::test]
async fn a_usage_limit_holds_under_concurrent_payments_and_frees_a_rejected_use() {
    for db in crate::common::databases().await {
        let f = fixture(db).await;
        let link = build(
            &f,
            LinkForm {
                max_uses: "3".into(),
                ..signed_form()
            },
        )
        .await;
        let sig = engine::settings::links::signature(&f.key, f.store.id, &link);
        let attempts = (0..20).map(|i| {
            let form = slip_form(&f, &link, &sig, &format!("key{i}"));
            let checkout = f.checkout.clone();
            tokio::spawn(async move { checkout.submit("shop", &form).await })
        });
        let mut made = 0;
        for attempt in attempts {
            match attempt.await.unwrap() {
                Ok(_) => made += 1,
                Err(CheckoutError::Link(LinkProblem::UsedUp)) => {}
                Err(other) => panic!("{other:?}"),
            }
        }
        assert_eq!(made, 3);
        assert_eq!(payments::count(&f.db, f.store.id).await.unwrap(), 3);
        let stored = link_db::by_id(&f.db, f.store.id, link.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((stored.uses, stored.paid), (3, 0));
        let params = params_of(&url(&f.key, "http://x/openpay", f.store.id, &link));
        assert_eq!(check(&f, &params).await, Err(LinkProblem::UsedUp));

        // The merchant rejects one slip: its use comes back and one more payment goes through.
        let rows = crate::common::all_rows(&f.db, f.store.id, "UTC", &Default::default(), 10).await;
        let first = payments::by_id(&f.db, f.store.id, rows[0].0.id)
            .await
            .unwrap()
            .unwrap();
        let reject = Change {
            to: PaymentStatus::Rejected,
            source: Source::Merchant,
            kind: "slip_rejected",
            detail: None,
            bank_ref: None,
            card_pan: None,
            failure_code: None,
        };
        payments::transition(&f.db, &first, reject).await.unwrap();
        assert_eq!(
            link_db::by_id(&f.db, f.store.id, link.id)
                .await
                .unwrap()
                .unwrap()
                .uses,
            2
        );
        f.checkout
            .submit("shop", &slip_form(&f, &link, &sig, "again"))
            .await
            .unwrap();
        let again = f
            .checkout
            .submit("shop", &slip_form(&f, &link, &sig, "more"))
            .await;
        assert!(matches!(
            again,
            Err(CheckoutError::Link(LinkProblem::UsedUp))
        ));
        // Submitting the same form again still finds its payment, limit or not.
        f.checkout
            .submit("shop", &slip_form(&f, &link, &sig, "again"))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn try_again_offers_the_original_terms() {
    use engine::db::methods::{self, NewMethod};
    use engine::money::{Discount, parse_amount};
    for db in crate::common::databases().await {
        let f = fixture(db).await;
        // 10 % off; nothing answers, so every payment fails at once and may be tried again.
        let method = NewMethod {
            provider: "zarinpal",
            display_name: "Zarinpal",
            live: false,
            min_amount: None,
            max_amount: None,
            config: r#"{"merchant_id":"5f0c1a8e-2b7d-4e19-9c3a-6d8e0f1b2c3d"}"#,
            secrets: None,
            discount: Some(Discount::Percent(1000)),
        };
        let method = methods::create(&f.db, f.store.id, method).await.unwrap();
        let mut price = "100,000".to_owned();
        for attempt in 0..3 {
            let form = CheckoutForm {
                key: format!("retry-{attempt}"),
                payer_name: "Sara".into(),
                mobile: "09121234567".into(),
                description: "Lesson".into(),
                amount: price.clone(),
                method: format!("gateway:{}", method.id),
                ..CheckoutForm::default()
            };
            let code = match f.checkout.submit("shop", &form).await.unwrap() {
                engine::checkout::Submitted::Recorded { code } => code,
                other => panic!("the gateway is unreachable: {other:?}"),
            };
            let failed = f.checkout.payment(&code).await.unwrap();
            assert_eq!(failed.status, PaymentStatus::Failed);
            // 100,000 Toman, 10 % off: 900,000 Rial charged, every time.
            assert_eq!((failed.amount, failed.discount), (900_000, 100_000));
            let retry = f.checkout.retry_path(&failed, &f.store).await.unwrap();
            assert!(retry.starts_with("/s/shop/openpay?"), "{retry}");
            let params = params_of(&retry);
            let get = |name: &str| params.iter().find(|(k, _)| k == name).unwrap().1.clone();
            assert_eq!(get("receivername"), "Sara");
            assert_eq!(get("description"), "Lesson");
            price = get("price");
            let unit = f.store.unit();
            assert_eq!(parse_amount(&price, f.store.currency, unit), Ok(1_000_000));
        }

        // Through a signed link: the very same link, signature, limit and all.
        let link = build(&f, signed_form()).await;
        let sig = engine::settings::links::signature(&f.key, f.store.id, &link);
        let form = slip_form(&f, &link, &sig, "k-link");
        let submitted = f.checkout.submit("shop", &form).await.unwrap();
        let engine::checkout::Submitted::Recorded { code } = submitted else {
            panic!("a slip is recorded");
        };
        let slip = f.checkout.payment(&code).await.unwrap();
        let rejected = Change {
            to: PaymentStatus::Rejected,
            source: Source::Merchant,
            kind: "slip_rejected",
            detail: None,
            bank_ref: None,
            card_pan: None,
            failure_code: None,
        };
        payments::transition(&f.db, &slip, rejected).await.unwrap();
        let slip = f.checkout.payment(&code).await.unwrap();
        assert_eq!(
            f.checkout.retry_path(&slip, &f.store).await.unwrap(),
            url(&f.key, "/s/shop/openpay", f.store.id, &link)
        );
    }
}

#[tokio::test]
async fn a_plain_link_holds_its_stored_amount_and_counts_only_on_its_terms() {
    for db in crate::common::databases().await {
        let f = fixture(db).await;
        let plain = LinkForm {
            signed: false,
            payer_name: "Sara Ahmadi".into(),
            description: "Invoice 7".into(),
            amount: "250,000".into(),
            ..LinkForm::default()
        };
        let link = build(&f, plain).await;
        // 250,000 Toman as the store showed it then: 2,500,000 Rial, kept in Rial.
        assert_eq!(link.amount, Some(2_500_000));
        let set = |sql: &'static str| {
            let db = f.db.clone();
            let store = f.store.id;
            async move {
                sqlx::query(sql)
                    .bind(store)
                    .execute(db.pool())
                    .await
                    .unwrap();
            }
        };
        // The store switches to showing Rial: the link's amount does not move tenfold, and the
        // price the form posts (edited by hand) is not what is charged.
        set("UPDATE stores SET toman_display = 0 WHERE id = $1").await;
        let pay = |key: &str, amount: &str, description: &str| CheckoutForm {
            amount: amount.into(),
            description: description.into(),
            ..slip_form(&f, &link, "", key)
        };
        let payment = |key: &'static str, amount: &'static str, description: &'static str| {
            let form = pay(key, amount, description);
            let checkout = f.checkout.clone();
            async move {
                let engine::checkout::Submitted::Recorded { code } =
                    checkout.submit("shop", &form).await.unwrap()
                else {
                    panic!("a slip is recorded");
                };
                checkout.payment(&code).await.unwrap()
            }
        };
        let held = payment("k1", "1", "Invoice 7").await;
        assert_eq!((held.amount, held.link_id), (2_500_000, Some(link.id)));
        // An edited description pays, but off the link's terms it is not the link's.
        let edited = payment("k2", "1", "Something else").await;
        assert_eq!((edited.amount, edited.link_id), (2_500_000, None));
        // Where customers may choose the amount, another amount is not the link's either.
        set("UPDATE stores SET custom_amounts = 1 WHERE id = $1").await;
        let chosen = payment("k3", "1,000", "Invoice 7").await;
        assert_eq!((chosen.amount, chosen.link_id), (1_000, None));
        let on_terms = payment("k4", "2,500,000", "Invoice 7").await;
        assert_eq!(on_terms.link_id, Some(link.id));
        let link = link_db::by_id(&f.db, f.store.id, link.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(link.uses, 2, "the two payments on the link's terms");
    }
}

#[tokio::test]
async fn a_currency_change_sets_aside_the_methods_and_links_of_the_old_currency() {
    use engine::settings::{CurrencyChange, SettingsForm, save};
    for db in crate::common::databases().await {
        let f = fixture(db).await;
        crate::common::gateway(&f.db, f.store.id).await;
        let link = build(&f, signed_form()).await;
        assert_eq!(link.currency, "IRR");
        let form = |currency: &str| SettingsForm {
            name: "Test store".into(),
            slug: "shop".into(),
            currency: currency.into(),
            language: "fa".into(),
            time_zone: "Asia/Tehran".into(),
            ..SettingsForm::default()
        };
        let saved = save(&f.db, f.store.id, &form("EUR")).await.unwrap();
        assert_eq!(
            saved.currency_change,
            Some(CurrencyChange {
                methods_off: vec!["Zarinpal".into()],
                links_off: 1
            })
        );
        // The 2,500,000 rial link is not read as €25,000.00: it takes no payment at all.
        let store = saved.store;
        let address = url(&f.key, "http://kassa.test/openpay", store.id, &link);
        let params = params_of(&address);
        let page = links::check_page(&f.db, &f.key, &store, &params, now_millis());
        assert_eq!(page.await.unwrap(), Err(LinkProblem::OtherCurrency));
        let sig = engine::settings::links::signature(&f.key, store.id, &link);
        match f
            .checkout
            .submit("shop", &slip_form(&f, &link, &sig, "k-eur"))
            .await
        {
            Err(CheckoutError::Link(LinkProblem::OtherCurrency)) => {}
            other => panic!("refused: {other:?}"),
        }
        // Saving again in the same currency sets nothing aside.
        let again = save(&f.db, f.store.id, &form("EUR")).await.unwrap();
        assert_eq!(again.currency_change, None);
    }
}

#[tokio::test]
async fn a_saved_link_has_the_address_its_builder_previewed() {
    for db in crate::common::databases().await {
        let f = fixture(db).await;
        let page = "http://kassa.test/openpay";
        for signed in [true, false] {
            let form = LinkForm {
                signed,
                token: engine::tracking::random_token(),
                ..signed_form()
            };
            let shown = preview(&f.key, page, &f.store, &form, today()).expect("a preview");
            let link = build(&f, form.clone()).await;
            assert_eq!(link.token, form.token);
            assert_eq!(url(&f.key, page, f.store.id, &link), shown);
            assert_eq!(
                check(&f, &params_of(&shown)).await.unwrap().unwrap().id,
                link.id
            );
        }
        let bad_amount = LinkForm {
            amount: "12x".into(),
            token: engine::tracking::random_token(),
            ..signed_form()
        };
        assert_eq!(preview(&f.key, page, &f.store, &bad_amount, today()), None);
        for token in ["", "../../admin", "ABCDEF0123456789ABCDEF0123456789"] {
            let form = LinkForm {
                token: token.into(),
                ..signed_form()
            };
            assert_eq!(preview(&f.key, page, &f.store, &form, today()), None);
            assert_ne!(build(&f, form).await.token, token, "a new token is made");
        }
    }
}

#[tokio::test]
async fn the_same_form_sent_twice_makes_one_link() {
    for db in crate::common::databases().await {
        let f = fixture(db).await;
        let form = LinkForm {
            token: engine::tracking::random_token(),
            ..signed_form()
        };
        let first = build(&f, form.clone()).await;
        let again = build(&f, form.clone()).await;
        assert_eq!(again.id, first.id);
        // Other terms under the same token (the back button, then an edit) are another link.
        let edited = LinkForm {
            amount: "300,000".into(),
            ..form
        };
        let other = build(&f, edited).await;
        assert_ne!(other.id, first.id);
        assert_ne!(other.token, first.token);
        assert_eq!(link_db::list(&f.db, f.store.id).await.unwrap().len(), 2);
    }
}

#[tokio::test]
async fn the_same_form_sent_twice_at_once_makes_one_link() {
    for db in crate::common::databases().await {
        let f = fixture(db).await;
        let form = LinkForm {
            token: engine::tracking::random_token(),
            ..signed_form()
        };
        // Both sends find no link under the token before either has saved one.
        let (first, second) = tokio::join!(build(&f, form.clone()), build(&f, form.clone()));
        assert_eq!(first.id, second.id);
        assert_eq!(first.token, form.token);
        assert_eq!(link_db::list(&f.db, f.store.id).await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn a_token_another_stores_link_has_is_not_taken() {
    for db in crate::common::databases().await {
        let f = fixture(db).await;
        let theirs = build(
            &f,
            LinkForm {
                token: engine::tracking::random_token(),
                ..signed_form()
            },
        )
        .await;
        let other = crate::common::store(&f.db, "other").await;
        let form = LinkForm {
            token: theirs.token.clone(),
            ..signed_form()
        };
        let ours = create(&f.db, &other, &form, today()).await.unwrap();
        assert_ne!(ours.token, theirs.token);
        assert_eq!(
            link_db::by_token(&f.db, f.store.id, &theirs.token)
                .await
                .unwrap()
                .unwrap()
                .id,
            theirs.id
        );
    }
}
