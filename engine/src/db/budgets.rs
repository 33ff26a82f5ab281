//! What messages from outside have cost, per subject (a payment, a client address) and fixed
//! window: the evidence `intake` weighs. Each charge is an upsert, so concurrent messages count
//! exactly (the row's lock orders them) on SQLite and PostgreSQL alike.

use std::collections::HashMap;

use super::{Db, DbError};

/// A subject's spending in one window, this message included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spent {
    pub messages: i64,
    pub bytes: i64,
}

/// What to add to one subject's window.
#[derive(Clone, Copy, Debug)]
pub struct Charge<'a> {
    pub subject: &'a str,
    pub window: i64,
    pub messages: i64,
    pub bytes: i64,
}

/// Adds every charge (each a distinct subject and window) in one statement, in the caller's
/// transaction (a batch of notifications is charged and stored in one), and returns each
/// window's total after it, in the order given. The rows are locked in that order.
pub async fn charge(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    charges: &[Charge<'_>],
) -> Result<Vec<Spent>, DbError> {
    if charges.is_empty() {
        return Ok(Vec::new());
    }
    let values: Vec<String> = (0..charges.len())
        .map(|i| {
            format!(
                "(${}, ${}, ${}, ${})",
                4 * i + 1,
                4 * i + 2,
                4 * i + 3,
                4 * i + 4
            )
        })
        .collect();
    let sql = format!(
        "INSERT INTO message_budgets (subject, window_start, messages, bytes) VALUES {} \
         ON CONFLICT (subject, window_start) DO UPDATE SET \
         messages = message_budgets.messages + excluded.messages, \
         bytes = message_budgets.bytes + excluded.bytes \
         RETURNING subject, window_start, messages, bytes",
        values.join(", ")
    );
    let mut query =
        sqlx::query_as::<_, (String, i64, i64, i64)>(&sql).persistent(charges.len() <= 2);
    for c in charges {
        query = query
            .bind(c.subject)
            .bind(c.window)
            .bind(c.messages)
            .bind(c.bytes);
    }
    let totals: HashMap<(String, i64), Spent> = query
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|(subject, window, messages, bytes)| ((subject, window), Spent { messages, bytes }))
        .collect();
    charges
        .iter()
        .map(|c| {
            totals
                .get(&(c.subject.to_owned(), c.window))
                .copied()
                .ok_or_else(|| DbError::Corrupt(format!("budget of {} not returned", c.subject)))
        })
        .collect()
}

/// Takes `messages` messages of `bytes` in all back from `subject`'s window (they proved
/// genuine).
pub async fn refund<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    subject: &str,
    window: i64,
    messages: i64,
    bytes: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE message_budgets SET messages = messages - $3, bytes = bytes - $4 \
         WHERE subject = $1 AND window_start = $2",
    )
    .bind(subject)
    .bind(window)
    .bind(messages)
    .bind(bytes)
    .execute(executor)
    .await?;
    Ok(())
}

/// Counts a message about `payment` that was dropped unstored.
pub async fn count_dropped(db: &Db, payment: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE payments SET dropped_messages = dropped_messages + 1 WHERE id = $1")
        .bind(payment)
        .execute(db.writer().await.pool())
        .await?;
    Ok(())
}
