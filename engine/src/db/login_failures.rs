//! Failed log-ins, the evidence the rate limit counts (see `accounts`).

use super::{Db, DbError};

/// Which attempts to count: those for one account or those from one address.
#[derive(Clone, Copy, Debug)]
pub enum Scope<'a> {
    Email(&'a str),
    Address(&'a str),
}

pub async fn record(db: &Db, email: &str, address: &str, now: i64) -> Result<(), DbError> {
    sqlx::query("INSERT INTO login_failures (email, address, at) VALUES ($1, $2, $3)")
        .bind(email)
        .bind(address)
        .bind(now)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// How many failures the scope has since `since`, and the oldest of them.
pub async fn count_since(db: &Db, scope: Scope<'_>, since: i64) -> Result<(i64, i64), DbError> {
    let (column, value) = match scope {
        Scope::Email(email) => ("email", email),
        Scope::Address(address) => ("address", address),
    };
    let (count, oldest): (i64, Option<i64>) = sqlx::query_as(&format!(
        "SELECT COUNT(*), MIN(at) FROM login_failures WHERE {column} = $1 AND at >= $2"
    ))
    .bind(value)
    .bind(since)
    .fetch_one(db.pool())
    .await?;
    Ok((count, oldest.unwrap_or(since)))
}

/// Forgets an account's failures after it logs in, and everyone's that are too old to count.
pub async fn clear(db: &Db, email: &str, before: i64) -> Result<(), DbError> {
    sqlx::query("DELETE FROM login_failures WHERE email = $1 OR at < $2")
        .bind(email)
        .bind(before)
        .execute(db.pool())
        .await?;
    Ok(())
}
