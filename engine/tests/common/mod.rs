// Each test binary compiles this module and uses a part of it.
#![allow(dead_code)]

//! Test databases: every test runs on a fresh SQLite file and, when `KASSA_TEST_POSTGRES`
//! names a server (`make test` does), on a fresh PostgreSQL database too.

use engine::db::Db;
use engine::db::stores::{self, NewStore, Store};
use engine::money::Currency;

pub mod postgres;

pub async fn databases() -> Vec<Db> {
    let mut dbs = Vec::new();
    for url in database_urls().await {
        dbs.push(Db::connect(&url).await.expect("a test database"));
    }
    dbs
}

/// The URLs of a fresh SQLite file and, with `KASSA_TEST_POSTGRES`, a fresh PostgreSQL
/// database.
pub async fn database_urls() -> Vec<String> {
    let id = format!("{:016x}", rand_id());
    let dir = std::env::temp_dir().join("kassa-tests");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut urls = vec![format!(
        "sqlite://{}?mode=rwc",
        dir.join(format!("{id}.db")).display()
    )];
    match std::env::var("KASSA_TEST_POSTGRES") {
        Ok(admin) => urls.push(postgres::fresh_database(&admin).await),
        Err(_) => eprintln!("KASSA_TEST_POSTGRES is not set: testing on SQLite only"),
    }
    urls
}

fn rand_id() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
    );
    h.finish()
}

pub async fn store(db: &Db, slug: &str) -> Store {
    stores::create(
        db,
        NewStore {
            slug,
            name: "Test store",
            currency: Currency::IRR,
            toman_display: true,
            default_lang: "fa",
            custom_amounts: false,
            notification_email: None,
        },
    )
    .await
    .expect("store")
}

/// A bank account of the store for slips (active, not a merchant account).
pub async fn bank_account(db: &Db, store_id: i64) -> i64 {
    use engine::db::bank_accounts::{self, NewBankAccount};
    let account = NewBankAccount {
        bank_name: "Mellat",
        holder: "Shop",
        account_number: "123",
        iban: None,
        card_number: None,
        merchant_account: false,
    };
    bank_accounts::create(db, store_id, account)
        .await
        .expect("bank account")
        .id
}

/// A Zarinpal method of the store in test mode, without limits or credentials.
pub async fn gateway(db: &Db, store_id: i64) -> i64 {
    use engine::db::methods::{self, NewMethod};
    let method = NewMethod {
        provider: "zarinpal",
        display_name: "Zarinpal",
        live: false,
        min_amount: None,
        max_amount: None,
        config: "{}",
        secrets: None,
        discount: None,
    };
    methods::create(db, store_id, method)
        .await
        .expect("method")
        .id
}

/// A checkout whose providers are unreachable (nothing listens on port 9): payments are
/// recorded, then fail as unreachable.
pub fn offline_checkout(db: &Db, key: engine::secrets::SecretKey) -> engine::checkout::Checkout {
    use engine::connectors::{Connectors, Sandbox, payme};
    let connectors = Connectors::new(
        Sandbox::under("http://127.0.0.1:9"),
        Some(payme::Platform {
            client_key: "test-client-key".into(),
            client_secret: "test-client-secret".into(),
        }),
        key,
    );
    engine::checkout::Checkout::new(db.clone(), connectors, "http://kassa.test")
}

/// Every row of a report view, collected (`db::report::each_row`).
pub async fn all_rows(
    db: &Db,
    store_id: i64,
    zone: &str,
    query: &engine::report::ReportQuery,
    limit: i64,
) -> Vec<(engine::report::ReportRow, i64)> {
    let mut rows = Vec::new();
    engine::db::report::each_row(db, store_id, zone, query, limit, |row| rows.push(row))
        .await
        .unwrap();
    rows
}
