//! What start-up does to the database: sandbox mode seeds the demo stores and their owners,
//! safely on several servers starting at once; live mode leaves no demo owner behind.

use engine::db::{Db, methods, stores, users};
use engine::secrets::SecretKey;
use server::demo;

/// A fresh database: SQLite (a new file) or the fresh PostgreSQL database of `url`.
fn fresh(url: Option<String>) -> String {
    url.unwrap_or_else(|| {
        let dir = std::env::temp_dir().join("kassa-server-tests");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("{}.db", rand::random::<u64>()));
        format!("sqlite://{}?mode=rwc", file.display())
    })
}

async fn demo_store_methods(db: &Db) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    for slug in [demo::SLUG, demo::IL_SLUG, demo::EU_SLUG] {
        let store = stores::by_slug(db, slug).await.unwrap().expect(slug);
        let count = methods::list_all(db, store.id).await.unwrap().len();
        found.push((slug.to_owned(), count));
    }
    found
}

#[tokio::test]
async fn several_servers_starting_at_once_seed_the_demo_once() {
    for url in crate::common::database_urls().await {
        // Several servers share a database on PostgreSQL; an SQLite file belongs to one
        // process, which starts once.
        let servers = if url.is_some() { 4 } else { 1 };
        let url = fresh(url);
        let key = SecretKey::generate();
        // The servers, each with its own pool, start together on one fresh database.
        let mut starting = Vec::new();
        for _ in 0..servers {
            let (url, key) = (url.clone(), key.clone());
            starting.push(tokio::spawn(async move {
                let db = Db::connect(&url).await.unwrap();
                demo::prepare(&db, &key, true)
                    .await
                    .map_err(|e| e.to_string())
            }));
        }
        for server in starting {
            server.await.unwrap().expect("every server starts");
        }
        let db = Db::connect(&url).await.unwrap();
        let expected = vec![
            (demo::SLUG.to_owned(), 1),
            (demo::IL_SLUG.to_owned(), 1),
            (demo::EU_SLUG.to_owned(), 3),
        ];
        assert_eq!(demo_store_methods(&db).await, expected, "{url}");
        // A restart changes nothing.
        demo::prepare(&db, &key, true).await.unwrap();
        assert_eq!(demo_store_methods(&db).await, expected);
    }
}

#[tokio::test]
async fn live_mode_leaves_no_demo_owner() {
    let url = fresh(None);
    let key = SecretKey::generate();
    let db = Db::connect(&url).await.unwrap();
    demo::prepare(&db, &key, true).await.unwrap();
    assert!(
        users::by_email(&db, demo::OWNER_EMAIL)
            .await
            .unwrap()
            .is_some()
    );
    // The same database, started live: the printed password opens nothing any more.
    demo::prepare(&db, &key, false).await.unwrap();
    for email in [
        demo::OWNER_EMAIL,
        demo::IL_OWNER_EMAIL,
        demo::EU_OWNER_EMAIL,
    ] {
        assert!(
            users::by_email(&db, email).await.unwrap().is_none(),
            "{email}"
        );
    }
}
