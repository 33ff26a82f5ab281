//! Drafts of refused forms, on SQLite and PostgreSQL: kept per store, readable until they expire.

use engine::db::drafts::{self, TTL_MILLIS};

#[tokio::test]
async fn a_draft_is_read_back_by_its_store_until_it_expires() {
    for db in crate::common::databases().await {
        let store = crate::common::store(&db, "shop").await;
        let other = crate::common::store(&db, "other").await;
        let now = 1_800_000_000_000;
        let payload = "mobile=12345&err=mobile.invalid";
        let id = drafts::save(&db, store.id, payload, now).await.unwrap();
        assert_eq!(id.len(), 32, "128 random bits in hex");

        let read = |store_id, at| {
            let (db, id) = (db.clone(), id.clone());
            async move { drafts::load(&db, store_id, &id, at).await.unwrap() }
        };
        assert_eq!(read(store.id, now + 1).await.as_deref(), Some(payload));
        assert_eq!(
            read(store.id, now + TTL_MILLIS - 1).await.as_deref(),
            Some(payload)
        );
        assert_eq!(
            read(other.id, now + 1).await,
            None,
            "another store's id reads nothing"
        );
        assert_eq!(read(store.id, now + TTL_MILLIS).await, None, "expired");
        assert_eq!(
            drafts::load(&db, store.id, "0123456789abcdef0123456789abcdef", now)
                .await
                .unwrap(),
            None
        );

        // The next save clears what expired, so drafts do not pile up.
        let later = now + TTL_MILLIS;
        let fresh = drafts::save(&db, store.id, "a=1", later).await.unwrap();
        assert_ne!(fresh, id);
        let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM form_drafts")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(left, 1);
    }
}
