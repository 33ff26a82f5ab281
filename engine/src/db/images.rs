//! Uploaded logos, per store (see `crate::images`).

use super::{Db, DbError};
use crate::images::ImageName;
use crate::time::now_millis;

/// Saves (or replaces) an image; returns its version (update time).
pub async fn put(
    db: &Db,
    store_id: i64,
    name: ImageName,
    content_type: &str,
    bytes: &[u8],
) -> Result<i64, DbError> {
    let now = now_millis();
    sqlx::query(
        "INSERT INTO images (store_id, name, content_type, bytes, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (store_id, name) DO UPDATE SET content_type = excluded.content_type, \
         bytes = excluded.bytes, updated_at = excluded.updated_at",
    )
    .bind(store_id)
    .bind(name.as_string())
    .bind(content_type)
    .bind(bytes.to_vec())
    .bind(now)
    .execute(db.writer().await.pool())
    .await?;
    Ok(now)
}

/// The image's type and bytes.
pub async fn get(
    db: &Db,
    store_id: i64,
    name: ImageName,
) -> Result<Option<(String, Vec<u8>)>, DbError> {
    Ok(
        sqlx::query_as("SELECT content_type, bytes FROM images WHERE store_id = $1 AND name = $2")
            .bind(store_id)
            .bind(name.as_string())
            .fetch_optional(db.pool())
            .await?,
    )
}

pub async fn remove(db: &Db, store_id: i64, name: ImageName) -> Result<(), DbError> {
    sqlx::query("DELETE FROM images WHERE store_id = $1 AND name = $2")
        .bind(store_id)
        .bind(name.as_string())
        .execute(db.writer().await.pool())
        .await?;
    Ok(())
}

/// The store's images and their versions, without their bytes.
pub async fn versions(db: &Db, store_id: i64) -> Result<Vec<(ImageName, i64)>, DbError> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT name, updated_at FROM images WHERE store_id = $1")
            .bind(store_id)
            .fetch_all(db.pool())
            .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(name, v)| ImageName::parse(&name).map(|n| (n, v)))
        .collect())
}
