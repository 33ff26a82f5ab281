//! Failed log-ins, the evidence the rate limit counts (see `accounts`). An attempt is written
//! as a failure *before* its password is checked ([`reserve`]) and forgotten when it succeeds,
//! so the limits hold however many attempts arrive at once.

use super::{Db, DbError};

/// The limits an attempt must stay within, each over its own window (milliseconds).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// One account from one address: guessing a merchant's password.
    pub pair: (i64, i64),
    /// One account from anywhere: slower, so a stranger cannot lock the merchant out from
    /// one address, yet a botnet cannot guess freely.
    pub account: (i64, i64),
    /// One address, any accounts: a few passwords tried on many accounts.
    pub address: (i64, i64),
}

/// Writes an attempt for `email` from `address` as a failure if every limit still allows it
/// (the attempt included): `Ok(id)` to check the password, or `Err(retry_after_ms)`. Attempts
/// for one account or one address are taken one at a time (PostgreSQL: advisory locks on
/// both; SQLite: the insert comes first and takes the write lock), so 50 at once make at most
/// the limit's number of password checks.
pub async fn reserve(
    db: &Db,
    email: &str,
    address: &str,
    limits: Limits,
    now: i64,
) -> Result<Result<i64, i64>, DbError> {
    let mut tx = db.begin().await?;
    let (account, place) = (
        format!("log-in account {email}"),
        format!("log-in address {address}"),
    );
    super::lock_names(db, &mut tx, &[&account, &place]).await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO login_failures (email, address, at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(email)
    .bind(address)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let scopes = [
        ("email = $1 AND address = $2", limits.pair),
        ("email = $1 AND $2 = $2", limits.account),
        ("address = $2 AND $1 = $1", limits.address),
    ];
    for (condition, (limit, window)) in scopes {
        let (count, oldest): (i64, Option<i64>) = sqlx::query_as(&format!(
            "SELECT COUNT(*), MIN(at) FROM login_failures WHERE {condition} AND at >= $3"
        ))
        .bind(email)
        .bind(address)
        .bind(now - window)
        .fetch_one(&mut **tx)
        .await?;
        if count > limit {
            // Dropping the transaction takes the attempt back: it was never made.
            return Ok(Err((oldest.unwrap_or(now) + window - now).max(1000)));
        }
    }
    tx.commit().await?;
    Ok(Ok(id))
}

/// Forgets an account's failures after it logs in, and everyone's older than `before`.
pub async fn clear(db: &Db, email: &str, before: i64) -> Result<(), DbError> {
    sqlx::query("DELETE FROM login_failures WHERE email = $1 OR at < $2")
        .bind(email)
        .bind(before)
        .execute(db.writer().await.pool())
        .await?;
    Ok(())
}

/// Takes back an attempt whose password was never checked (the server was too busy).
pub async fn release(db: &Db, id: i64) -> Result<(), DbError> {
    sqlx::query("DELETE FROM login_failures WHERE id = $1")
        .bind(id)
        .execute(db.writer().await.pool())
        .await?;
    Ok(())
}
