//! The payment page's storefront (`Checkout::storefront`): read once per store and kept while
//! nothing it shows changed, and read again after any change, made by this server or another
//! one sharing the database (database triggers move `stores.storefront_version`).

use std::sync::Arc;

use engine::db::{bank_accounts, images, methods, stores};
use engine::images::ImageName;
use engine::secrets::SecretKey;

#[tokio::test]
async fn a_storefront_is_kept_until_anything_it_shows_changes() {
    for db in crate::common::databases().await {
        let store = crate::common::store(&db, "shop").await;
        let gateway = crate::common::gateway(&db, store.id).await;
        let account = crate::common::bank_account(&db, store.id).await;
        let other = crate::common::store(&db, "other").await;
        // This server keeps storefronts; the changes come from the database itself, as another
        // app server would make them.
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
