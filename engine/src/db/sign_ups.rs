//! Sign-ups per client address, for the sign-up limit (see `accounts`).

use super::{Db, DbError};

/// Writes a sign-up from `address` if fewer than `limit` came from it within `window`:
/// `Ok(())`, or `Err(retry_after_ms)`. Taken one at a time per address (see
/// [`super::lock_names`]), so concurrent sign-ups cannot pass the limit.
pub async fn reserve(
    db: &Db,
    address: &str,
    (limit, window): (i64, i64),
    now: i64,
) -> Result<Result<(), i64>, DbError> {
    let mut tx = db.begin().await?;
    super::lock_names(db, &mut tx, &[&format!("sign-up address {address}")]).await?;
    sqlx::query("INSERT INTO sign_up_attempts (address, at) VALUES ($1, $2)")
        .bind(address)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    let (count, oldest): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(at) FROM sign_up_attempts WHERE address = $1 AND at >= $2",
    )
    .bind(address)
    .bind(now - window)
    .fetch_one(&mut **tx)
    .await?;
    if count > limit {
        // Dropping the transaction takes the attempt back.
        return Ok(Err((oldest.unwrap_or(now) + window - now).max(1000)));
    }
    tx.commit().await?;
    Ok(Ok(()))
}
