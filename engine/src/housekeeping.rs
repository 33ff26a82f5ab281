//! What is kept only for a while is deleted on a schedule: ended sessions, log-in failures
//! and sign-ups older than the longest window that counts them, message budgets of past
//! windows, expired form drafts and old idempotency keys, finished jobs and the inbox
//! messages they verified after a month. Every app server may run it at any time: the deletes are idempotent.

use crate::accounts::{ABSOLUTE, ACCOUNT_WINDOW, IDLE};
use crate::db::{Db, DbError, drafts};
use crate::intake;

/// How long a submission's idempotency key is kept. A resubmission (the back button, a double
/// click, a retry) comes within minutes; a week covers a form left open over a weekend.
pub const IDEMPOTENCY_TTL: i64 = 7 * 24 * 60 * 60 * 1000;
/// How long finished jobs and their verified inbox messages are kept: a month to look into.
pub const DONE_KEPT: i64 = 30 * 24 * 60 * 60 * 1000;
/// How often the server purges.
pub const EVERY: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// How many rows each purge deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub sessions: u64,
    pub login_failures: u64,
    pub drafts: u64,
    pub idempotency_keys: u64,
    pub sign_ups: u64,
    pub message_budgets: u64,
    pub jobs: u64,
    pub inbox: u64,
}

pub async fn purge(db: &Db, now: i64) -> Result<Purged, DbError> {
    let delete = |sql: &'static str, before: i64| async move {
        Ok::<u64, DbError>(
            sqlx::query(sql)
                .bind(before)
                .execute(db.writer().await.pool())
                .await?
                .rows_affected(),
        )
    };
    let sessions = sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
        .bind(now - IDLE)
        .bind(now - ABSOLUTE)
        .execute(db.writer().await.pool())
        .await?
        .rows_affected();
    Ok(Purged {
        sessions,
        login_failures: delete(
            "DELETE FROM login_failures WHERE at < $1",
            now - ACCOUNT_WINDOW,
        )
        .await?,
        drafts: delete(
            "DELETE FROM form_drafts WHERE created_at <= $1",
            now - drafts::TTL_MILLIS,
        )
        .await?,
        idempotency_keys: delete(
            "DELETE FROM idempotency_keys WHERE created_at < $1",
            now - IDEMPOTENCY_TTL,
        )
        .await?,
        sign_ups: delete(
            "DELETE FROM sign_up_attempts WHERE at < $1",
            now - ACCOUNT_WINDOW,
        )
        .await?,
        message_budgets: delete(
            "DELETE FROM message_budgets WHERE window_start < $1",
            now - intake::WINDOW,
        )
        .await?,
        // A verified notification's evidence is its payment's event; the inbox copy only
        // waits for its job (dead ones stay for the operator).
        inbox: delete(
            "DELETE FROM inbox WHERE received_at < $1 AND id IN (SELECT CAST(SUBSTR(dedupe_key, 7) AS BIGINT) \
             FROM jobs WHERE state = 'done' AND dedupe_key LIKE 'inbox:%')",
            now - DONE_KEPT,
        )
        .await?,
        jobs: delete(
            "DELETE FROM jobs WHERE state = 'done' AND finished_at < $1",
            now - DONE_KEPT,
        )
        .await?,
    })
}
