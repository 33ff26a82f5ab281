//! The back office's settings services on both databases, and one store never reaching
//! another's rows whatever id it names.

mod common;

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
    for db in common::databases().await {
        let dana = common::store(&db, "dana").await;
        let omid = common::store(&db, "omid").await;
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
    for db in common::databases().await {
        let dana = common::store(&db, "dana").await;
        common::store(&db, "omid").await;
        let form = SettingsForm {
            name: "Dana".into(),
            slug: "OMID".into(),
            currency: "EUR".into(),
            language: "en".into(),
            ..SettingsForm::default()
        };
        let Err(SettingsError::Invalid(errors)) = save(&db, dana.id, &form).await else {
            panic!("a taken slug is refused");
        };
        assert_eq!(errors.get(Field::Slug), Some(Problem::Taken));
        let saved = save(
            &db,
            dana.id,
            &SettingsForm {
                slug: "dana-2".into(),
                ..form
            },
        )
        .await
        .unwrap();
        assert_eq!(
            (saved.slug.as_str(), saved.currency.code()),
            ("dana-2", "EUR")
        );
    }
}
