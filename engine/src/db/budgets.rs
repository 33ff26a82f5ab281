//! What messages from outside have cost, per subject (a payment, a client address) and fixed
//! window: the evidence `intake` weighs. One upsert per message, so concurrent messages
//! count exactly (the row's lock orders them) on SQLite and PostgreSQL alike.

use super::{Db, DbError};

/// A subject's spending in one window, this message included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spent {
    pub messages: i64,
    pub bytes: i64,
}

/// Adds one message of `bytes` to `subject`'s window and returns the window's total, in the
/// caller's transaction (a notification is charged and stored in one).
pub async fn charge(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    subject: &str,
    window: i64,
    bytes: i64,
) -> Result<Spent, DbError> {
    let (messages, bytes): (i64, i64) = sqlx::query_as(
        "INSERT INTO message_budgets (subject, window_start, messages, bytes) \
         VALUES ($1, $2, 1, $3) \
         ON CONFLICT (subject, window_start) DO UPDATE SET \
         messages = message_budgets.messages + 1, bytes = message_budgets.bytes + $3 \
         RETURNING messages, bytes",
    )
    .bind(subject)
    .bind(window)
    .bind(bytes)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Spent { messages, bytes })
}

/// Takes one message of `bytes` back from `subject`'s window (it proved genuine).
pub async fn refund(db: &Db, subject: &str, window: i64, bytes: i64) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE message_budgets SET messages = messages - 1, bytes = bytes - $3 \
         WHERE subject = $1 AND window_start = $2",
    )
    .bind(subject)
    .bind(window)
    .bind(bytes)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Counts a message about `payment` that was dropped unstored.
pub async fn count_dropped(db: &Db, payment: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE payments SET dropped_messages = dropped_messages + 1 WHERE id = $1")
        .bind(payment)
        .execute(db.pool())
        .await?;
    Ok(())
}
