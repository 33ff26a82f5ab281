//! Storage on SQLite (the embedded default) or PostgreSQL, chosen by the URL at run time.
//! Queries are written once in the SQL both accept (`$1` parameters, 64-bit integers, 0/1 flags)
//! and run through sqlx's `Any` driver; each backend has its own migrations folder.
//!
//! Tenancy: every function that reads or writes a store's rows takes the store's id.

pub mod bank_accounts;
pub mod budgets;
pub mod cancellations;
pub mod drafts;
pub mod images;
pub mod inbox;
pub mod jobs;
pub mod links;
pub mod login_failures;
pub mod mails;
pub mod methods;
pub mod payments;
pub mod receipts;
pub mod report;
pub mod sessions;
pub mod sign_ups;
pub mod stores;
pub mod users;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use tokio::sync::{Mutex, OwnedMutexGuard};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL {0:?}: use sqlite://… or postgres://…")]
    UnsupportedUrl(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    /// A payment link's usage limit refused the payment (checked in the payment's transaction).
    #[error("the payment link is used up")]
    LinkUsedUp,
}

impl DbError {
    /// Whether a UNIQUE constraint refused the write (a slug or e-mail already taken).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, DbError::Sqlx(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// SQLite's turn to write (`Db::turn`); none on PostgreSQL.
    writers: Option<Arc<Mutex<()>>>,
    /// The writes this process has finished ([`Db::writes_finished`]).
    finished: Arc<AtomicU64>,
}

/// A write transaction (`Db::begin`) holding, on SQLite, this process's turn to write until
/// it commits or is dropped. It dereferences to sqlx's transaction.
pub struct Tx {
    // Declared first, dropped first: a dropped transaction queues its rollback before the turn
    // passes (the next writer may still wait a moment in SQLite for it).
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _turn: Option<OwnedMutexGuard<()>>,
    finished: Arc<AtomicU64>,
}

impl Tx {
    pub async fn commit(self) -> Result<(), DbError> {
        let committed = self.tx.commit().await;
        // Counted whatever the answer: a commit whose answer was lost may have happened.
        self.finished.fetch_add(1, Ordering::Release);
        Ok(committed?)
    }

    pub async fn rollback(self) -> Result<(), DbError> {
        Ok(self.tx.rollback().await?)
    }
}

/// The pool, in this process's turn to write ([`Db::writer`]).
pub struct Writer<'a> {
    pool: &'a AnyPool,
    _turn: Option<OwnedMutexGuard<()>>,
    finished: &'a AtomicU64,
}

impl Writer<'_> {
    pub fn pool(&self) -> &AnyPool {
        self.pool
    }
}

impl Drop for Writer<'_> {
    /// The statement that took the writer has run: it ends with the statement.
    fn drop(&mut self) {
        self.finished.fetch_add(1, Ordering::Release);
    }
}

impl std::ops::Deref for Tx {
    type Target = sqlx::Transaction<'static, sqlx::Any>;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

impl Db {
    /// Connects, creating an SQLite file (and its folder) when needed, and applies migrations.
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        Db::connect_sized(url, None).await
    }

    /// [`Db::connect`] with at most `max` connections to PostgreSQL (default 16; SQLite,
    /// whose one file takes one writer at a time, keeps 4).
    pub async fn connect_sized(url: &str, max: Option<u32>) -> Result<Db, DbError> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(DbError::UnsupportedUrl(url.to_owned()));
        };
        if backend == Backend::Sqlite {
            create_sqlite_parent(url);
        }
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => max.unwrap_or(16),
            })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // Writers queue for up to five seconds instead of failing at once.
                        conn.execute("PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        if backend == Backend::Sqlite {
            pool.execute("PRAGMA journal_mode = WAL;").await?;
            sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        } else {
            sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        }
        let writers = (backend == Backend::Sqlite).then(Arc::default);
        Ok(Db {
            pool,
            backend,
            writers,
            finished: Arc::default(),
        })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Begins a write transaction, in this process's turn to write on SQLite.
    pub async fn begin(&self) -> Result<Tx, DbError> {
        let turn = self.turn().await;
        Ok(Tx {
            tx: self.pool.begin().await?,
            _turn: turn,
            finished: self.finished.clone(),
        })
    }

    /// The pool in this process's turn to write, for one write statement outside
    /// [`Db::begin`]: `query.execute(db.writer().await.pool())`. The turn is held to the end of
    /// the statement that takes it. Every write goes through here or `begin`: SQLite takes one
    /// writer at a time, and a connection that finds the file locked sleeps in SQLite's busy
    /// handler (1, 2, 5, 10… ms) holding one of the pool's few connections. Under load such a
    /// writer slept more than it wrote, and one that never found the file free between the
    /// writers taking turns failed after the busy timeout (5 s). Waiting for the turn here, in
    /// order and without a timeout, costs nothing while nobody writes. PostgreSQL locks rows,
    /// not the database: no turn. Not for a task that holds a [`Tx`]: it would wait for itself.
    pub async fn writer(&self) -> Writer<'_> {
        Writer {
            pool: &self.pool,
            _turn: self.turn().await,
            finished: &self.finished,
        }
    }

    /// How many writes (commits of [`Db::begin`], statements of [`Db::writer`]) this process
    /// has finished: while the count stands, this process changed nothing it read before.
    /// Another app server's changes, or changes made by hand, it does not count.
    pub fn writes_finished(&self) -> u64 {
        self.finished.load(Ordering::Acquire)
    }

    async fn turn(&self) -> Option<OwnedMutexGuard<()>> {
        match &self.writers {
            Some(writers) => Some(writers.clone().lock_owned().await),
            None => None,
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs `work` holding the lock `name` across every app server sharing the database
    /// (PostgreSQL's advisory lock, on a connection of its own); on SQLite one process owns the
    /// file, so it just runs. For start-up work that must not run twice at once (seeding).
    pub async fn exclusively<T, E: From<DbError>>(
        &self,
        name: &str,
        work: impl std::future::Future<Output = Result<T, E>>,
    ) -> Result<T, E> {
        if self.backend == Backend::Sqlite {
            return work.await;
        }
        let key = lock_key(name);
        let mut conn = self.pool.acquire().await.map_err(DbError::from)?;
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(key)
            .execute(&mut *conn)
            .await
            .map_err(DbError::from)?;
        let result = work.await;
        let unlocked = sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(key)
            .execute(&mut *conn)
            .await;
        if unlocked.is_err() {
            // Closing the session releases its locks; a pooled one would keep holding it.
            drop(conn.detach());
        }
        result
    }
}

/// Takes PostgreSQL's transaction-scoped advisory locks named `names` (in one fixed order, so
/// two transactions never wait for each other crosswise); on SQLite the transaction's first
/// write takes the database's one write lock instead, so callers write first.
pub(crate) async fn lock_names(
    db: &Db,
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    names: &[&str],
) -> Result<(), DbError> {
    if db.backend != Backend::Postgres {
        return Ok(());
    }
    let mut keys: Vec<i64> = names.iter().map(|n| lock_key(n)).collect();
    keys.sort_unstable();
    for key in keys {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(key)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// A 64-bit advisory-lock key for a name (the first 8 bytes of its SHA-256).
fn lock_key(name: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(name.as_bytes());
    i64::from_be_bytes(digest[..8].try_into().expect("a SHA-256 has 8 bytes"))
}

/// `sqlite://data/kassa.db?mode=rwc` → creates `data/`.
fn create_sqlite_parent(url: &str) {
    let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = path.split('?').next().unwrap_or_default();
    if let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        let _ = std::fs::create_dir_all(parent);
    }
}

/// 0/1 flags as stored.
pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// The placeholders of a multi-row `VALUES`: `rows` rows of `columns` parameters each,
/// numbered from `$1` row by row: `($1, $2), ($3, $4)`.
pub(crate) fn value_rows(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|row| {
            let params: Vec<String> = (1..=columns)
                .map(|c| format!("${}", columns * row + c))
                .collect();
            format!("({})", params.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}
