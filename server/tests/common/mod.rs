//! The whole server on port 0 with a fresh SQLite database and the demo store.
// Each test binary compiles this module and uses a part of it.
#![allow(dead_code)]

pub mod binary;
pub mod browser;
#[path = "../../../engine/tests/common/postgres.rs"]
pub mod postgres;
pub mod provider;
pub mod smtp;

use app::state::AppState;
use leptos::prelude::LeptosOptions;
use server::config::Config;
use server::{demo, startup};

pub struct Running {
    pub base: String,
    pub state: AppState,
    /// Keeps the job workers running (dropping it stops them).
    pub workers: tokio::sync::watch::Sender<bool>,
}

pub async fn serve(sandbox: bool) -> Running {
    serve_with(sandbox, |_| {}).await
}

/// Serves with the test configuration changed by `tweak` (before the database is seeded).
pub async fn serve_with(sandbox: bool, tweak: impl FnOnce(&mut Config)) -> Running {
    serve_site(sandbox, tweak, None).await
}

/// [`serve_with`], serving the site's files from `site_root` (Leptos' default otherwise).
pub async fn serve_site(
    sandbox: bool,
    tweak: impl FnOnce(&mut Config),
    site_root: Option<&std::path::Path>,
) -> Running {
    // The servers' warnings and errors show in a failing test's output (once per process).
    let _ = tracing_subscriber::fmt()
        .with_env_filter("warn")
        .with_test_writer()
        .try_init();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let dir = std::env::temp_dir().join("kassa-server-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{}.db", rand::random::<u64>()));
    let base = format!("http://{addr}");
    let mut config = Config {
        database_url: format!("sqlite://{}?mode=rwc", file.display()).into(),
        db_max_connections: None,
        site_addr: addr,
        public_url: base.clone(),
        default_store: demo::SLUG.into(),
        sandbox,
        test_environments: engine::connectors::Sandbox::under(&base),
        payme_platform: Some(server::sim::payme::sandbox_platform()),
        payme_signup_url: Some(format!("{base}{}", server::sim::payme::SIGNUP)),
        trust_forwarded: false,
        sign_ups_per_hour: 100,
        secret_key: None,
        data_dir: dir.clone(),
        smtp_url: None,
        mail_from: "kassa@kassa.test".into(),
    };
    tweak(&mut config);
    let db = engine::db::Db::connect(config.database_url.expose())
        .await
        .unwrap();
    let key = engine::secrets::SecretKey::generate();
    demo::seed(&db, &key).await.unwrap();
    let state = startup::app_state(&config, db, key).unwrap();
    let mut options = LeptosOptions::builder()
        .output_name("kassa")
        .site_addr(addr)
        .build();
    if let Some(root) = site_root {
        options.site_root = root.to_string_lossy().into();
    }
    let router = startup::router(&config, state.clone(), options);
    tokio::spawn(startup::serve(listener, router, std::future::pending()));
    let (workers, stopping) = tokio::sync::watch::channel(false);
    let queue = state.queue.clone();
    tokio::spawn(async move { queue.run(stopping).await });
    Running {
        base,
        state,
        workers,
    }
}

/// Database URLs to run a server test on: a fresh SQLite file (the default of `serve`), and a
/// fresh PostgreSQL database when `KASSA_TEST_POSTGRES` names a server (`make test` does).
pub async fn database_urls() -> Vec<Option<String>> {
    let mut urls = vec![None];
    match std::env::var("KASSA_TEST_POSTGRES") {
        Ok(admin) => urls.push(Some(postgres::fresh_database(&admin).await)),
        Err(_) => eprintln!("KASSA_TEST_POSTGRES is not set: testing on SQLite only"),
    }
    urls
}

pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub async fn location(response: reqwest::Response) -> String {
    assert!(response.status().is_redirection(), "{}", response.status());
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// A new bank account of the store for slips.
pub async fn bank_account(app: &Running, store_id: i64) -> i64 {
    use engine::db::bank_accounts::{self, NewBankAccount};
    let account = NewBankAccount {
        bank_name: "Leumi",
        holder: "Dana",
        account_number: "12-345-678",
        iban: None,
        card_number: None,
        merchant_account: false,
    };
    bank_accounts::create(app.state.checkout.db(), store_id, account)
        .await
        .unwrap()
        .id
}

/// A bank slip of 125.50 ₪ registered at the demo Israeli store (its owner ensured) by
/// `payer`, who gives `email` (or none) and pays in `language`: the store and the slip.
pub async fn il_slip(
    app: &Running,
    payer: &str,
    email: &str,
    language: &str,
) -> (engine::db::stores::Store, engine::db::payments::Payment) {
    demo::ensure_owners(app.state.checkout.db()).await.unwrap();
    slip_at(app, demo::IL_SLUG, payer, email, language).await
}

/// A bank slip of 125.50 registered at the store `slug` (which has a bank account) by `payer`.
pub async fn slip_at(
    app: &Running,
    slug: &str,
    payer: &str,
    email: &str,
    language: &str,
) -> (engine::db::stores::Store, engine::db::payments::Payment) {
    let db = app.state.checkout.db();
    let store = engine::db::stores::by_slug(db, slug)
        .await
        .unwrap()
        .unwrap();
    let account = bank_account(app, store.id).await;
    let form = engine::checkout::CheckoutForm {
        key: engine::tracking::random_token(),
        payer_name: payer.into(),
        mobile: "050-123-4567".into(),
        email: email.into(),
        amount: "125.50".into(),
        method: "slip".into(),
        bank_account: account.to_string(),
        slip_number: "778899".into(),
        slip_date: "2026-11-20".into(),
        language: language.into(),
        ..Default::default()
    };
    let engine::checkout::Submitted::Recorded { code } =
        app.state.checkout.submit(slug, &form).await.unwrap()
    else {
        panic!("a slip is recorded");
    };
    (store, payment(app, &code).await)
}

/// A sandbox server whose simulators' callbacks go nowhere (its public address is dead, and
/// callbacks go to the public address), so a test can deliver them itself.
pub async fn quiet_server(database: Option<String>) -> Running {
    serve_with(true, |c| {
        c.public_url = "http://127.0.0.1:9".into();
        if let Some(url) = database {
            c.database_url = url.into();
        }
    })
    .await
}

pub async fn store_id(app: &Running, slug: &str) -> i64 {
    engine::db::stores::by_slug(app.state.checkout.db(), slug)
        .await
        .unwrap()
        .unwrap()
        .id
}

pub async fn methods(app: &Running, slug: &str) -> Vec<engine::db::methods::PaymentMethod> {
    let id = store_id(app, slug).await;
    engine::db::methods::list_all(app.state.checkout.db(), id)
        .await
        .unwrap()
}

pub async fn payment(app: &Running, code: &str) -> engine::db::payments::Payment {
    app.state.checkout.payment(code).await.unwrap()
}

pub async fn events(
    app: &Running,
    p: &engine::db::payments::Payment,
) -> Vec<engine::db::payments::Event> {
    engine::db::payments::events(app.state.checkout.db(), p.store_id, p.id)
        .await
        .unwrap()
}

pub async fn event_kinds(app: &Running, p: &engine::db::payments::Payment) -> Vec<String> {
    events(app, p).await.into_iter().map(|e| e.kind).collect()
}
