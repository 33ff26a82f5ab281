//! Fresh PostgreSQL databases for tests, shared by the engine's and the server's tests. Each is
//! named with the second it was made (`kassa_test_t{seconds}_{random}`), so a test run drops
//! the ones runs before it left behind once they are an hour old (no test runs that long):
//! a developer's server no longer fills up with a few hundred databases per run.

use sqlx::Connection;

const PREFIX: &str = "kassa_test_t";
/// How old a test database must be before another run drops it (seconds).
const STALE: u64 = 60 * 60;
/// The most one run drops: a drop waits for a checkpoint, so a backlog clears over a few runs
/// rather than holding up one test for minutes.
const SWEEP: usize = 20;
/// One sweep per test process (its tests start together and would all sweep).
static SWEPT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The URL of a new, empty database on the server `admin` names.
pub async fn fresh_database(admin: &str) -> String {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(admin)
        .await
        .expect("PostgreSQL from KASSA_TEST_POSTGRES");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs();
    if !SWEPT.swap(true, std::sync::atomic::Ordering::Relaxed) {
        drop_stale(&mut conn, now).await;
    }
    // Random enough for names: the std hasher's per-process random keys.
    let random = {
        use std::hash::BuildHasher;
        std::collections::hash_map::RandomState::new().hash_one(std::time::Instant::now())
    };
    let name = format!("{PREFIX}{now}_{random:016x}");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create database");
    let (base, _) = admin
        .rsplit_once('/')
        .expect("database URL with a database name");
    format!("{base}/{name}")
}

/// Drops up to `SWEEP` test databases older than `STALE`; best effort (another run may be
/// dropping them too).
async fn drop_stale(conn: &mut sqlx::AnyConnection, now: u64) {
    let Ok(names) = sqlx::query_as::<_, (String,)>(
        "SELECT datname::text FROM pg_database WHERE datname LIKE 'kassa\\_test\\_t%'",
    )
    .fetch_all(&mut *conn)
    .await
    else {
        return;
    };
    let stale = names.into_iter().filter(|(name,)| {
        name.strip_prefix(PREFIX)
            .and_then(|rest| rest.split('_').next())
            .and_then(|secs| secs.parse::<u64>().ok())
            .is_some_and(|made| now.saturating_sub(made) > STALE)
    });
    for (name,) in stale.take(SWEEP) {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut *conn)
            .await;
    }
}
