//! The back office's settings services on both databases, and one store never reaching
//! another's rows whatever id it names.

use engine::db::bank_accounts;
use engine::settings::bank_accounts::{AccountForm, add, edit};
use engine::settings::{SettingsError, SettingsForm, save};
use engine::validation::{Field, Problem};

fn account() -> AccountForm {
    AccountForm {
        bank_name: "Bank Mellat".into(),
        holder: "Dana Ceramics".into(),
        account_number: "4455-6677-88".into(),
        iban: "IR82 0540 1026 8002 0817 9090 02".into(),
        card_number: String::new(),
        merchant_account: true,
    }
}

#[tokio::test]
async fn bank_accounts_are_checked_and_stay_in_their_store() {
    for db in crate::common::databases().await {
        let dana = crate::common::store(&db, "dana").await;
        let omid = crate::common::store(&db, "omid").await;
        let id = add(&db, dana.id, &account()).await.unwrap();
        let listed = bank_accounts::list_all(&db, dana.id).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            listed[0].account.iban.as_deref(),
            Some("IR820540102680020817909002")
        );
        assert!(listed[0].active && listed[0].merchant_account);

        let bad = AccountForm {
            iban: "IR82 0540 1026 8002 0817 9090 03".into(),
            card_number: "4111 1111 1111 1112".into(),
            ..account()
        };
        let Err(SettingsError::Invalid(errors)) = edit(&db, dana.id, id, &bad).await else {
            panic!("a wrong checksum is refused");
        };
        assert_eq!(errors.get(Field::Iban), Some(Problem::Invalid));
        assert_eq!(errors.get(Field::CardNumber), Some(Problem::Invalid));

        // Another store naming this account's id changes nothing and sees nothing.
        let renamed = AccountForm {
            holder: "Omid".into(),
            ..account()
        };
        assert!(!edit(&db, omid.id, id, &renamed).await.unwrap());
        assert!(
            !bank_accounts::set_active(&db, omid.id, id, false)
                .await
                .unwrap()
        );
        assert!(
            bank_accounts::list_all(&db, omid.id)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(bank_accounts::list_all(&db, dana.id).await.unwrap(), listed);

        // Switched off, it leaves the customer's slip choice.
        assert!(
            bank_accounts::set_active(&db, dana.id, id, false)
                .await
                .unwrap()
        );
        assert!(
            bank_accounts::list_active(&db, dana.id)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            bank_accounts::get_active(&db, dana.id, id)
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test]
async fn store_settings_refuse_another_stores_slug() {
    for db in crate::common::databases().await {
        let dana = crate::common::store(&db, "dana").await;
        crate::common::store(&db, "omid").await;
        let form = SettingsForm {
            name: "Dana".into(),
            slug: "OMID".into(),
            currency: "EUR".into(),
            language: "en".into(),
            time_zone: "Europe/Riga".into(),
            ..SettingsForm::default()
        };
        let Err(SettingsError::Invalid(errors)) = save(&db, dana.id, &form).await else {
            panic!("a taken slug is refused");
        };
        assert_eq!(errors.get(Field::Slug), Some(Problem::Taken));
        // What receipts say about the store: checked like any name, and a zone from the list.
        let refused = SettingsForm {
            slug: "dana".into(),
            legal_name: "Dana\u{202E}Ltd".into(),
            registration_number: "4".repeat(41),
            time_zone: "Mars/Olympus".into(),
            ..form.clone()
        };
        let Err(SettingsError::Invalid(errors)) = save(&db, dana.id, &refused).await else {
            panic!("bad legal details are refused");
        };
        assert_eq!(
            errors.get(Field::LegalName),
            Some(Problem::HiddenCharacters)
        );
        assert_eq!(
            errors.get(Field::RegistrationNumber),
            Some(Problem::TooLong)
        );
        assert_eq!(errors.get(Field::TimeZone), Some(Problem::Unavailable));
        let legal = save(
            &db,
            dana.id,
            &SettingsForm {
                slug: "dana".into(),
                legal_name: " Dana Ozola SIA ".into(),
                registration_number: "LV40003012345".into(),
                address: "Brīvības iela 1, Rīga".into(),
                ..form.clone()
            },
        )
        .await
        .unwrap()
        .store
        .legal;
        assert_eq!(legal.legal_name.as_deref(), Some("Dana Ozola SIA"));
        assert_eq!(legal.address.as_deref(), Some("Brīvības iela 1, Rīga"));
        assert_eq!(legal.time_zone, "Europe/Riga");
        let saved = save(
            &db,
            dana.id,
            &SettingsForm {
                slug: "dana-2".into(),
                ..form
            },
        )
        .await
        .unwrap()
        .store;
        assert_eq!(
            (saved.slug.as_str(), saved.currency.code()),
            ("dana-2", "EUR")
        );
    }
}

mod methods_page {
    use engine::checkout::{CheckoutForm, Submitted};
    use engine::db::methods;
    use engine::money::Discount;
    use engine::secrets::SecretKey;
    use engine::settings::SettingsError;
    use engine::settings::methods::{MethodForm, add, edit, field, shown_fields};
    use engine::validation::{Field, Problem};

    const MERCHANT: &str = "5f0c1a8e-2b7d-4e19-9c3a-6d8e0f1b2c3d";

    fn form(merchant_id: &str) -> MethodForm {
        MethodForm {
            display_name: "Zarinpal".into(),
            live: false,
            min_amount: "1,000".into(),
            max_amount: "".into(),
            discount_kind: "percent".into(),
            discount_value: "12.5".into(),
            provider_values: vec![("merchant_id".into(), merchant_id.into())],
        }
    }

    #[tokio::test]
    async fn credentials_are_sealed_masked_and_kept_when_left_blank() {
        for db in crate::common::databases().await {
            let key = SecretKey::generate();
            let checkout = crate::common::offline_checkout(&db, key.clone());
            let store = crate::common::store(&db, "dana").await;
            let id = add(&checkout, &store, "zarinpal", &form(MERCHANT))
                .await
                .unwrap();
            let (config, sealed): (String, String) =
                sqlx::query_as("SELECT config, secrets FROM payment_methods WHERE id = $1")
                    .bind(id)
                    .fetch_one(db.pool())
                    .await
                    .unwrap();
            assert!(!config.contains(MERCHANT) && !sealed.contains(MERCHANT));
            assert!(
                !sealed.contains("2c3d"),
                "not even the shown part is stored in clear"
            );
            let method = methods::get(&db, store.id, id).await.unwrap().unwrap();
            assert_eq!(method.min_amount, Some(10_000), "1,000 toman");
            assert_eq!(method.discount, Some(Discount::Percent(1_250)));
            let shown = shown_fields(&key, &method).unwrap();
            assert_eq!(
                shown,
                vec![("merchant_id".to_owned(), "••••2c3d".to_owned())]
            );

            // A blank secret keeps the saved one; a new one replaces it.
            assert!(edit(&checkout, &store, id, &form("")).await.unwrap());
            let kept = methods::get(&db, store.id, id).await.unwrap().unwrap();
            assert_eq!(shown_fields(&key, &kept).unwrap()[0].1, "••••2c3d");
            let other = "0a0b0c0d-1111-2222-3333-444455556666";
            assert!(edit(&checkout, &store, id, &form(other)).await.unwrap());
            let replaced = methods::get(&db, store.id, id).await.unwrap().unwrap();
            assert_eq!(shown_fields(&key, &replaced).unwrap()[0].1, "••••6666");

            // A new method must have its secret; a wrong one is refused.
            for (typed, problem) in [("", Problem::Required), ("not-a-uuid", Problem::Invalid)] {
                let Err(SettingsError::Invalid(e)) =
                    add(&checkout, &store, "zarinpal", &form(typed)).await
                else {
                    panic!("{typed:?} is refused");
                };
                assert_eq!(e.get(field("merchant_id")), Some(problem));
            }
            // The sealed value is bound to its store: copied to another store's row it opens nowhere.
            let omid = crate::common::store(&db, "omid").await;
            let theirs = add(&checkout, &omid, "zarinpal", &form(MERCHANT))
                .await
                .unwrap();
            sqlx::query("UPDATE payment_methods SET secrets = $1 WHERE id = $2")
                .bind(&sealed)
                .bind(theirs)
                .execute(db.pool())
                .await
                .unwrap();
            let copied = methods::get(&db, omid.id, theirs).await.unwrap().unwrap();
            let shown = shown_fields(&key, &copied).unwrap();
            assert_eq!(
                shown,
                [(
                    "merchant_id".to_owned(),
                    engine::settings::methods::UNREADABLE.to_owned()
                )]
            );
            // And no store edits another's method.
            assert!(!edit(&checkout, &omid, id, &form(MERCHANT)).await.unwrap());
        }
    }

    #[tokio::test]
    async fn limits_and_discounts_are_checked() {
        for db in crate::common::databases().await {
            let key = SecretKey::generate();
            let checkout = crate::common::offline_checkout(&db, key.clone());
            let store = crate::common::store(&db, "dana").await;
            let cases = [
                (
                    ("5000", "1000", "none", ""),
                    Field::MaxAmount,
                    Problem::BelowMin(50_000),
                ),
                (
                    ("", "", "percent", "100.5"),
                    Field::Discount,
                    Problem::AboveMax(10_000),
                ),
                (("", "", "fixed", ""), Field::Discount, Problem::Required),
                (("", "", "fixed", "-3"), Field::Discount, Problem::Negative),
                (
                    ("abc", "", "none", ""),
                    Field::MinAmount,
                    Problem::NotANumber,
                ),
            ];
            for ((min, max, kind, value), field, problem) in cases {
                let f = MethodForm {
                    min_amount: min.into(),
                    max_amount: max.into(),
                    discount_kind: kind.into(),
                    discount_value: value.into(),
                    ..form(MERCHANT)
                };
                let Err(SettingsError::Invalid(e)) = add(&checkout, &store, "zarinpal", &f).await
                else {
                    panic!("{min} {max} {kind} {value} is refused");
                };
                assert_eq!(e.get(field), Some(problem), "{min} {max} {kind} {value}");
            }
            let unknown = add(&checkout, &store, "bitcoin", &form(MERCHANT)).await;
            assert!(matches!(unknown, Err(SettingsError::Invalid(_))));
            assert!(methods::list_all(&db, store.id).await.unwrap().is_empty());
        }
    }

    #[tokio::test]
    async fn the_checkout_charges_the_discounted_amount_and_follows_the_order() {
        for db in crate::common::databases().await {
            let key = SecretKey::generate();
            let checkout = crate::common::offline_checkout(&db, key.clone());
            let store = crate::common::store(&db, "dana").await;
            let first = add(&checkout, &store, "zarinpal", &form(MERCHANT))
                .await
                .unwrap();
            let whole = MethodForm {
                display_name: "Free".into(),
                discount_kind: "percent".into(),
                discount_value: "100".into(),
                ..form(MERCHANT)
            };
            let second = add(&checkout, &store, "zarinpal", &whole).await.unwrap();
            assert!(methods::shift(&db, store.id, second, -1).await.unwrap());
            let order: Vec<i64> = methods::list_enabled(&db, store.id)
                .await
                .unwrap()
                .iter()
                .map(|m| m.id)
                .collect();
            assert_eq!(order, vec![second, first]);
            assert!(!methods::shift(&db, store.id + 1, second, 1).await.unwrap());

            // Nothing listens on port 9: the payment is recorded, then fails as unreachable.
            let pay = |method: i64, key: &str| CheckoutForm {
                key: key.into(),
                payer_name: "Sara".into(),
                mobile: "09121234567".into(),
                amount: "12,000".into(),
                method: format!("gateway:{method}"),
                ..CheckoutForm::default()
            };
            let Submitted::Recorded { code } =
                checkout.submit("dana", &pay(first, "k1")).await.unwrap()
            else {
                panic!("an unreachable gateway fails the payment");
            };
            let p = checkout.payment(&code).await.unwrap();
            assert_eq!(
                (p.amount, p.discount),
                (105_000, 15_000),
                "12.5 % off 120,000 rial"
            );
            // A discount of everything leaves nothing to charge: that method is refused.
            let Err(engine::checkout::CheckoutError::Invalid(e)) =
                checkout.submit("dana", &pay(second, "k2")).await
            else {
                panic!("a 100 % discount cannot be paid online");
            };
            assert_eq!(e.get(Field::Method), Some(Problem::Unavailable));
            // Disabled, a method is refused too.
            assert!(
                methods::set_enabled(&db, store.id, first, false)
                    .await
                    .unwrap()
            );
            let Err(engine::checkout::CheckoutError::Invalid(e)) =
                checkout.submit("dana", &pay(first, "k3")).await
            else {
                panic!("a disabled method is refused");
            };
            assert_eq!(e.get(Field::Method), Some(Problem::Unavailable));
        }
    }
}
