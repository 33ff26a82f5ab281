//! Drafts of refused forms: what the customer typed and the field errors, as a query string,
//! under an unguessable id. The redirect back to the form names only the id, so personal data
//! stays out of URLs (history, logs, shared links). Drafts expire after [`TTL_MILLIS`].

use super::{Db, DbError};

/// How long a draft can be read: long enough to fix a form, short enough not to keep data.
pub const TTL_MILLIS: i64 = 30 * 60 * 1000;

/// Stores `payload` and returns its id; drops every expired draft on the way.
pub async fn save(db: &Db, store_id: i64, payload: &str, now: i64) -> Result<String, DbError> {
    let id = crate::tracking::random_token();
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM form_drafts WHERE created_at <= $1")
        .bind(now - TTL_MILLIS)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO form_drafts (id, store_id, payload, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&id)
    .bind(store_id)
    .bind(payload)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The store's draft `id` unless it expired.
pub async fn load(db: &Db, store_id: i64, id: &str, now: i64) -> Result<Option<String>, DbError> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT payload FROM form_drafts WHERE store_id = $1 AND id = $2 AND created_at > $3",
    )
    .bind(store_id)
    .bind(id)
    .bind(now - TTL_MILLIS)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(payload,)| payload))
}
