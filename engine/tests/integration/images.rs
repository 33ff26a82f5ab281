//! Logos stored in the database, on SQLite and PostgreSQL: bytes come back exactly, a new
//! upload replaces the old one with a new version, and stores never see each other's.

use engine::db::images;
use engine::images::ImageName;

#[tokio::test]
async fn images_round_trip_replace_and_stay_in_their_store() {
    for db in crate::common::databases().await {
        let shop = crate::common::store(&db, "shop").await.id;
        let other = crate::common::store(&db, "other").await.id;
        let bytes: Vec<u8> = (0..=255).collect();
        let first = images::put(&db, shop, ImageName::Store, "image/png", &bytes)
            .await
            .unwrap();
        assert_eq!(
            images::get(&db, shop, ImageName::Store).await.unwrap(),
            Some(("image/png".to_owned(), bytes.clone()))
        );
        assert_eq!(
            images::get(&db, other, ImageName::Store).await.unwrap(),
            None
        );

        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let second = images::put(&db, shop, ImageName::Store, "image/gif", b"GIF89a")
            .await
            .unwrap();
        assert!(second > first, "a new upload is a new version");
        images::put(&db, shop, ImageName::Method(4), "image/png", &bytes)
            .await
            .unwrap();
        let mut versions = images::versions(&db, shop).await.unwrap();
        versions.sort_by_key(|(name, _)| name.as_string());
        assert_eq!(
            versions,
            [
                (ImageName::Method(4), versions[0].1),
                (ImageName::Store, second)
            ]
        );

        images::remove(&db, shop, ImageName::Store).await.unwrap();
        assert_eq!(
            images::get(&db, shop, ImageName::Store).await.unwrap(),
            None
        );
        assert!(images::versions(&db, other).await.unwrap().is_empty());
    }
}
