//! The e-mails Kassa sends after payments (`effects`), one row per message: written by the
//! job that sends it after each attempt (one write), so the back office shows it waiting for
//! another try, sent, or failed with the reason. A message already sent is not sent again when its job runs again (a crash
//! between the sending and the job's `done`), and its Message-ID comes from its job's key.
//! Also the sandbox's mailbox (`/sim/mail`): what would have gone out with no SMTP server.

use sqlx::FromRow;

use super::{Db, DbError};

/// A message's state: waiting to go (first try, or retrying after `last_error`), sent, or
/// given up on.
pub const QUEUED: &str = "queued";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";

#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct Mail {
    pub id: i64,
    pub store_id: i64,
    pub payment_id: i64,
    /// The job kind that sends it (`effects::PAYER_MAIL`, ...).
    pub kind: String,
    pub job_key: String,
    pub recipient: String,
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

const COLUMNS: &str = "id, store_id, payment_id, kind, job_key, recipient, state, attempts, \
    last_error, created_at, sent_at";

/// What a job is about to send.
#[derive(Clone, Debug)]
pub struct NewMail<'a> {
    pub store_id: i64,
    pub payment_id: i64,
    pub kind: &'a str,
    pub job_key: &'a str,
    pub recipient: &'a str,
}

/// The message its job `job_key` sends, once it was tried (or queued by a resend).
pub async fn by_key(db: &Db, job_key: &str) -> Result<Option<Mail>, DbError> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM mails WHERE job_key = $1"))
            .bind(job_key)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// How an attempt at sending went.
pub enum Attempt<'a> {
    Sent,
    /// Failed; `last` when no attempt follows (the message is then `FAILED`).
    Failed {
        error: &'a str,
        last: bool,
    },
}

/// Records an attempt at sending `mail` in one write (the row is made by the first): the
/// message's state after it. A message already sent stays sent.
pub async fn record(
    db: &Db,
    mail: &NewMail<'_>,
    attempt: Attempt<'_>,
    now: i64,
) -> Result<(), DbError> {
    let (state, error, sent_at) = match attempt {
        Attempt::Sent => (SENT, None, Some(now)),
        Attempt::Failed { error, last } => (if last { FAILED } else { QUEUED }, Some(error), None),
    };
    sqlx::query(&format!(
        "INSERT INTO mails (store_id, payment_id, kind, job_key, recipient, state, attempts, \
         last_error, created_at, sent_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9) \
         ON CONFLICT (job_key) DO UPDATE SET attempts = mails.attempts + 1, \
         recipient = excluded.recipient, state = excluded.state, \
         last_error = excluded.last_error, sent_at = excluded.sent_at \
         WHERE mails.state <> '{SENT}'"
    ))
    .bind(mail.store_id)
    .bind(mail.payment_id)
    .bind(mail.kind)
    .bind(mail.job_key)
    .bind(mail.recipient)
    .bind(state)
    .bind(error)
    .bind(now)
    .bind(sent_at)
    .execute(db.writer().await.pool())
    .await?;
    Ok(())
}

/// Queues a message before its job first runs (a resend the merchant asked for), in the
/// caller's transaction, so the back office shows it at once.
pub async fn queue(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    mail: &NewMail<'_>,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(&format!(
        "INSERT INTO mails (store_id, payment_id, kind, job_key, recipient, state, attempts, \
         created_at) VALUES ($1, $2, $3, $4, $5, '{QUEUED}', 0, $6) \
         ON CONFLICT (job_key) DO NOTHING"
    ))
    .bind(mail.store_id)
    .bind(mail.payment_id)
    .bind(mail.kind)
    .bind(mail.job_key)
    .bind(mail.recipient)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The messages about one payment, oldest first.
pub async fn of_payment(db: &Db, store_id: i64, payment_id: i64) -> Result<Vec<Mail>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM mails WHERE store_id = $1 AND payment_id = $2 ORDER BY id"
    ))
    .bind(store_id)
    .bind(payment_id)
    .fetch_all(db.pool())
    .await?)
}

pub async fn get(db: &Db, store_id: i64, id: i64) -> Result<Option<Mail>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM mails WHERE store_id = $1 AND id = $2"
    ))
    .bind(store_id)
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}

/// How many messages of `kind` about the payment were ever sent or queued (resends included).
pub async fn count_of_kind(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    payment_id: i64,
    kind: &str,
) -> Result<i64, DbError> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM mails WHERE payment_id = $1 AND kind = $2")
            .bind(payment_id)
            .bind(kind)
            .fetch_one(&mut **tx)
            .await?;
    Ok(n)
}

/// A message as the sandbox's mailbox keeps it.
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct Delivered {
    pub id: i64,
    pub message_id: String,
    pub sender: String,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub attachment_name: Option<String>,
    pub attachment: Option<Vec<u8>>,
    pub created_at: i64,
}

const DELIVERED: &str = "id, message_id, sender, recipient, subject, text_body, html_body, \
    attachment_name, attachment, created_at";

/// Puts a message in the sandbox's mailbox (`Delivered::id` is ignored).
pub async fn deliver_to_sandbox(db: &Db, mail: &Delivered) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO sandbox_mail (message_id, sender, recipient, subject, text_body, html_body, \
         attachment_name, attachment, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&mail.message_id)
    .bind(&mail.sender)
    .bind(&mail.recipient)
    .bind(&mail.subject)
    .bind(&mail.text_body)
    .bind(&mail.html_body)
    .bind(mail.attachment_name.as_deref())
    .bind(mail.attachment.as_deref())
    .bind(mail.created_at)
    .execute(db.writer().await.pool())
    .await?;
    Ok(())
}

/// The sandbox's mailbox, newest first (at most `limit`).
pub async fn sandbox_mailbox(db: &Db, limit: i64) -> Result<Vec<Delivered>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {DELIVERED} FROM sandbox_mail ORDER BY id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}

pub async fn sandbox_message(db: &Db, id: i64) -> Result<Option<Delivered>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {DELIVERED} FROM sandbox_mail WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}
