//! Merchant users. A user belongs to one store; e-mails are unique across stores and stored
//! lower-cased.

use sqlx::{Any, Executor, FromRow};

use super::{Db, DbError};

#[derive(Clone, Debug, FromRow)]
pub struct User {
    pub id: i64,
    pub store_id: i64,
    pub email: String,
    /// The argon2id PHC string.
    pub password_hash: String,
}

const COLUMNS: &str = "id, store_id, email, password_hash";

pub async fn create<'e>(
    exec: impl Executor<'e, Database = Any>,
    store_id: i64,
    email: &str,
    password_hash: &str,
    now: i64,
) -> Result<User, DbError> {
    Ok(sqlx::query_as(&format!(
        "INSERT INTO users (store_id, email, password_hash, created_at, password_changed_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING {COLUMNS}"
    ))
    .bind(store_id)
    .bind(email)
    .bind(password_hash)
    .bind(now)
    .fetch_one(exec)
    .await?)
}

/// The log-in lookup: by e-mail alone, before any store is known.
pub async fn by_email(db: &Db, email: &str) -> Result<Option<User>, DbError> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE email = $1"))
            .bind(email)
            .fetch_optional(db.pool())
            .await?,
    )
}

pub async fn get(db: &Db, store_id: i64, id: i64) -> Result<Option<User>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM users WHERE store_id = $1 AND id = $2"
    ))
    .bind(store_id)
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}

pub async fn set_password<'e>(
    exec: impl Executor<'e, Database = Any>,
    store_id: i64,
    id: i64,
    password_hash: &str,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE users SET password_hash = $1, password_changed_at = $2 \
         WHERE store_id = $3 AND id = $4",
    )
    .bind(password_hash)
    .bind(now)
    .bind(store_id)
    .bind(id)
    .execute(exec)
    .await?;
    Ok(())
}

/// Removes a user and ends their sessions, in one transaction. `false`: no such user.
pub async fn remove(db: &Db, email: &str) -> Result<bool, DbError> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE email = $1)")
        .bind(email)
        .execute(&mut **tx)
        .await?;
    let removed = sqlx::query("DELETE FROM users WHERE email = $1")
        .bind(email)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(removed > 0)
}
