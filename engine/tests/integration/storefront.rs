//! The payment page's storefront (`Checkout::storefront`): read once per store and kept while
//! nothing it shows changed; read again at once after any change made through this server, and
//! within `STOREFRONT_TRUSTED_FOR` after one made through another app server sharing the
//! database (database triggers move `stores.storefront_version`).

use std::sync::Arc;

use engine::checkout::STOREFRONT_TRUSTED_FOR;
use engine::db::{Db, bank_accounts, images, methods, stores};
use engine::images::ImageName;
use engine::secrets::SecretKey;

#[tokio::test]
async fn a_storefront_is_kept_until_anything_it_shows_changes() {
    for db in crate::common::databases().await {
        let store = crate::common::store(&db, "shop").await;
        let gateway = crate::common::gateway(&db, store.id).await;
        let account = crate::common::bank_account(&db, store.id).await;
        let other = crate::common::store(&db, "other").await;
        // This server keeps storefronts, and the changes are made through it.
        let checkout = crate::common::offline_checkout(&db, SecretKey::generate());
        let first = checkout.storefront("shop").await.unwrap();
        assert_eq!(
            first.methods.iter().map(|m| m.id).collect::<Vec<_>>(),
            [gateway]
        );
        assert_eq!(first.accounts.len(), 1);
        assert!(Arc::ptr_eq(
            &first,
            &checkout.storefront("shop").await.unwrap()
        ));

        // Another store's change leaves this one's kept.
        crate::common::bank_account(&db, other.id).await;
        assert!(Arc::ptr_eq(
            &first,
            &checkout.storefront("shop").await.unwrap()
        ));

        // Each change to what it shows is seen at once.
        methods::set_enabled(&db, store.id, gateway, false)
            .await
            .unwrap();
        let now = checkout.storefront("shop").await.unwrap();
        assert!(now.methods.is_empty(), "a method turned off is not offered");

        bank_accounts::set_active(&db, store.id, account, false)
            .await
            .unwrap();
        let now = checkout.storefront("shop").await.unwrap();
        assert!(
            now.accounts.is_empty(),
            "an account turned off is not offered"
        );

        assert_eq!(now.logo(ImageName::Store), None);
        images::put(&db, store.id, ImageName::Store, "image/png", b"png")
            .await
            .unwrap();
        let now = checkout.storefront("shop").await.unwrap();
        let logo = now.logo(ImageName::Store).expect("the new logo");
        // A logo's version is the millisecond it was saved.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        images::put(&db, store.id, ImageName::Store, "image/png", b"png2")
            .await
            .unwrap();
        let replaced = checkout.storefront("shop").await.unwrap();
        assert_ne!(replaced.logo(ImageName::Store), Some(logo), "a new version");
        images::remove(&db, store.id, ImageName::Store)
            .await
            .unwrap();
        assert_eq!(
            checkout
                .storefront("shop")
                .await
                .unwrap()
                .logo(ImageName::Store),
            None
        );

        // So is a change to the store's own row (maintenance mode, here).
        stores::set_maintenance(&db, store.id, true).await.unwrap();
        assert!(checkout.storefront("shop").await.unwrap().store.maintenance);
    }
}

#[tokio::test]
async fn another_servers_change_shows_within_the_trusted_time() {
    for url in crate::common::database_urls().await {
        let db = Db::connect(&url).await.unwrap();
        let store = crate::common::store(&db, "shop").await;
        let gateway = crate::common::gateway(&db, store.id).await;
        let other = crate::common::store(&db, "other").await;
        let checkout = crate::common::offline_checkout(&db, SecretKey::generate());
        // Another app server on the same database.
        let elsewhere = Db::connect(&url).await.unwrap();

        let first = checkout.storefront("shop").await.unwrap();
        methods::set_enabled(&elsewhere, store.id, gateway, false)
            .await
            .unwrap();
        assert!(
            Arc::ptr_eq(&first, &checkout.storefront("shop").await.unwrap()),
            "used without a query while trusted"
        );
        tokio::time::sleep(STOREFRONT_TRUSTED_FOR).await;
        assert!(
            checkout
                .storefront("shop")
                .await
                .unwrap()
                .methods
                .is_empty(),
            "the change shows once the storefront is checked again"
        );

        // Any write of this server's own has the next page check the store's row at once.
        methods::set_enabled(&elsewhere, store.id, gateway, true)
            .await
            .unwrap();
        crate::common::bank_account(&db, other.id).await;
        assert_eq!(
            checkout.storefront("shop").await.unwrap().methods.len(),
            1,
            "checked after a write here"
        );
    }
}
