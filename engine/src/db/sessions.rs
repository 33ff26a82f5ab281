//! Server-side sessions, keyed by the SHA-256 of the cookie's token (see `accounts`).

use sqlx::{Any, Executor, FromRow};

use super::{Db, DbError};

#[derive(Clone, Debug, FromRow)]
pub struct SessionRow {
    pub user_id: i64,
    pub store_id: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
}

pub async fn insert<'e>(
    exec: impl Executor<'e, Database = Any>,
    token_hash: &str,
    user_id: i64,
    store_id: i64,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, store_id, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(store_id)
    .bind(now)
    .execute(exec)
    .await?;
    Ok(())
}

pub async fn find(db: &Db, token_hash: &str) -> Result<Option<SessionRow>, DbError> {
    Ok(sqlx::query_as(
        "SELECT user_id, store_id, created_at, last_seen_at FROM sessions WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(db.pool())
    .await?)
}

pub async fn touch(db: &Db, token_hash: &str, now: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
        .bind(now)
        .bind(token_hash)
        .execute(db.writer().await.pool())
        .await?;
    Ok(())
}

pub async fn delete(db: &Db, token_hash: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(db.writer().await.pool())
        .await?;
    Ok(())
}

/// Ends every session of a user (after a password change).
pub async fn delete_for_user<'e>(
    exec: impl Executor<'e, Database = Any>,
    store_id: i64,
    user_id: i64,
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM sessions WHERE store_id = $1 AND user_id = $2")
        .bind(store_id)
        .bind(user_id)
        .execute(exec)
        .await?;
    Ok(())
}
