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
    let sql = format!(
        "INSERT INTO message_budgets (subject, window_start, messages, bytes) VALUES {} \
         ON CONFLICT (subject, window_start) DO UPDATE SET \
         messages = message_budgets.messages + excluded.messages, \
         bytes = message_budgets.bytes + excluded.bytes \
         RETURNING subject, window_start, messages, bytes",
        super::value_rows(charges.len(), PER_ROW)
    );
    let totals: HashMap<(String, i64), Spent> =
        sqlx::query_as_with::<_, (String, i64, i64, i64), _>(&sql, rows(charges)?)
            .persistent(charges.len() <= 2)
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .map(|(subject, window, messages, bytes)| {
                ((subject, window), Spent { messages, bytes })
            })
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

/// [`refund`] for many budgets (each a distinct subject and window, in `charge`'s order) in
/// the caller's transaction: one statement for all, and on PostgreSQL one more before it that
/// locks their rows in that order (an `UPDATE … FROM` locks in no order of its own), so it
/// never waits crosswise with another server's charge or refund.
pub async fn refund_all(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    refunds: &[Charge<'_>],
) -> Result<(), DbError> {
    match refunds {
        [] => return Ok(()),
        [one] => return refund(&mut **tx, one.subject, one.window, one.messages, one.bytes).await,
        _ => {}
    }
    if tx.backend_name() == <sqlx::Postgres as sqlx::Database>::NAME {
        // "C": the bytes' order, which is Rust's order of the subjects `charge` was given in.
        let sql = format!(
            "SELECT 1 FROM message_budgets WHERE (subject, window_start) IN ({}) \
             ORDER BY subject COLLATE \"C\", window_start FOR UPDATE",
            super::value_rows(refunds.len(), 2)
        );
        let mut lock = sqlx::query(&sql).persistent(false);
        for r in refunds {
            lock = lock.bind(r.subject).bind(r.window);
        }
        lock.execute(&mut **tx).await?;
    }
    // The columns of a `VALUES` are `column1`, `column2`, … on both databases.
    let sql = format!(
        "UPDATE message_budgets SET messages = messages - v.column3, bytes = bytes - v.column4 \
         FROM (VALUES {}) AS v \
         WHERE message_budgets.subject = v.column1 AND message_budgets.window_start = v.column2",
        super::value_rows(refunds.len(), PER_ROW)
    );
    sqlx::query_with(&sql, rows(refunds)?)
        .persistent(false)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The columns of a `Charge` in a `VALUES` row.
const PER_ROW: usize = 4;

/// The charges as `VALUES` rows' parameters (`value_rows(n, PER_ROW)`), in `Charge`'s order.
fn rows<'q>(charges: &[Charge<'q>]) -> Result<sqlx::any::AnyArguments<'q>, DbError> {
    use sqlx::Arguments;
    let mut arguments = sqlx::any::AnyArguments::default();
    for c in charges {
        arguments
            .add(c.subject)
            .and_then(|()| arguments.add(c.window))
            .and_then(|()| arguments.add(c.messages))
            .and_then(|()| arguments.add(c.bytes))
            .map_err(|e| DbError::Corrupt(format!("a budget's parameters: {e}")))?;
    }
    Ok(arguments)
}

/// Counts a message about `payment` that was dropped unstored.
pub async fn count_dropped(db: &Db, payment: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE payments SET dropped_messages = dropped_messages + 1 WHERE id = $1")
        .bind(payment)
        .execute(db.writer().await.pool())
        .await?;
    Ok(())
}
