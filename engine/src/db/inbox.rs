//! Provider notifications as received, each written with the job that verifies it in one
//! transaction *before* the provider is answered: nothing answered can be lost.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sqlx::FromRow;

use super::jobs::{self, Job, NewJob};
use super::payments::{self, Payment};
use super::{Db, DbError};

/// The kind of the job that verifies an inbox message.
pub const VERIFY: &str = "verify_notification";

/// A notification as a verification reads it: with the payment it names.
#[derive(Clone, Debug)]
pub struct Received {
    /// The provider whose address it came to (`/notify/{provider}`), or empty for a
    /// payment's own address (`/pay/{code}/notify`).
    pub provider: String,
    pub body: Vec<u8>,
    pub payment: Payment,
    /// The payment's store's `storefront_version` as read with it: what a server keeps of
    /// the store's methods (`checkout::storefront`) is current while it is the same.
    pub storefront_version: i64,
}

#[derive(FromRow)]
struct Row {
    inbox_id: i64,
    inbox_provider: String,
    inbox_body: String,
    #[sqlx(flatten)]
    payment: payments::PaymentRow,
    storefront_version: i64,
}

/// A notification to write.
pub struct Arrival<'a> {
    pub provider: &'a str,
    pub code: &'a str,
    pub body: &'a [u8],
    pub address: &'a str,
    /// What admitting it charged (`intake::Ticket`, as JSON).
    pub ticket: &'a str,
}

/// Writes a notification and the job that verifies it (its payload: the inbox id and the
/// ticket), held by `held` when the request verifies it itself. Returns the job.
pub async fn receive(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    arrival: Arrival<'_>,
    held: Option<(String, i64)>,
    now: i64,
) -> Result<Job, DbError> {
    Ok(receive_all(tx, &[(arrival, held)], now).await?.remove(0))
}

/// [`receive`] for several notifications: their rows, then their jobs in one statement.
pub async fn receive_all(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    arrivals: &[(Arrival<'_>, Option<(String, i64)>)],
    now: i64,
) -> Result<Vec<Job>, DbError> {
    let ids = insert(tx, arrivals, now).await?;
    let mut new = Vec::with_capacity(arrivals.len());
    for ((arrival, held), id) in arrivals.iter().zip(ids) {
        new.push(NewJob {
            kind: VERIFY.into(),
            key: format!("inbox:{id}"),
            payload: format!(r#"{{"inbox":{id},"ticket":{}}}"#, arrival.ticket),
            run_at: now,
            held: held.clone(),
        });
    }
    let ids = jobs::enqueue_all(tx, &new, now).await?;
    new.into_iter()
        .zip(ids)
        .map(|(job, id)| {
            Ok(Job {
                id: id.ok_or_else(|| DbError::Corrupt(format!("{}: its job exists", job.key)))?,
                attempts: i64::from(job.held.is_some()),
                kind: job.kind,
                key: job.key,
                payload: job.payload,
            })
        })
        .collect()
}

/// Writes the arrivals' rows: their ids, in order. On PostgreSQL in one statement (a burst's
/// batch would otherwise be a round trip and a statement per message, on the cores the
/// database shares with Kassa): ids are drawn from the table's sequence first, with each
/// arrival's position, since `INSERT … RETURNING` promises no order. SQLite (in-process, one
/// writer) inserts a row at a time.
async fn insert(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    arrivals: &[(Arrival<'_>, Option<(String, i64)>)],
    now: i64,
) -> Result<Vec<i64>, DbError> {
    if tx.backend_name() == <sqlx::Postgres as sqlx::Database>::NAME && arrivals.len() > 1 {
        const PER_ROW: usize = 5;
        let sql = format!(
            "WITH a AS MATERIALIZED (SELECT nextval(pg_get_serial_sequence('inbox', 'id')) \
             AS id, v.* FROM (VALUES {}) AS v (position, provider, code, body, address)), \
             i AS (INSERT INTO inbox (id, provider, code, body, address, received_at) \
             SELECT id, provider, code, body, address, ${} FROM a) \
             SELECT id FROM a ORDER BY position",
            super::value_rows(arrivals.len(), PER_ROW),
            arrivals.len() * PER_ROW + 1
        );
        let mut query = sqlx::query_as::<_, (i64,)>(&sql).persistent(false);
        for (position, (arrival, _)) in arrivals.iter().enumerate() {
            query = query
                .bind(position as i64)
                .bind(arrival.provider)
                .bind(arrival.code)
                .bind(STANDARD.encode(arrival.body))
                .bind(arrival.address);
        }
        let ids = query.bind(now).fetch_all(&mut **tx).await?;
        return Ok(ids.into_iter().map(|(id,)| id).collect());
    }
    let mut ids = Vec::with_capacity(arrivals.len());
    for (arrival, _) in arrivals {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO inbox (provider, code, body, address, received_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(arrival.provider)
        .bind(arrival.code)
        .bind(STANDARD.encode(arrival.body))
        .bind(arrival.address)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
        ids.push(id);
    }
    Ok(ids)
}

/// The notifications `ids`, each with its payment and its store's version, in one read: a
/// verification is on the hot path of a provider's burst, and a server's verifications start
/// together (`checkout::Checkout::verify_received`). One answer per id, in order (`None`: no
/// such notification, or its payment is gone).
pub async fn get_all(db: &Db, ids: &[i64]) -> Result<Vec<Option<Received>>, DbError> {
    let sql = format!(
        "WITH i AS (SELECT id AS inbox_id, provider AS inbox_provider, body AS inbox_body, \
         code AS inbox_code FROM inbox WHERE id IN ({})) \
         SELECT i.inbox_id, i.inbox_provider, i.inbox_body, {}, \
         (SELECT storefront_version FROM stores WHERE stores.id = payments.store_id) \
         AS storefront_version \
         FROM i JOIN payments ON payments.tracking_code = i.inbox_code",
        super::value_rows(ids.len(), 1),
        payments::COLUMNS
    );
    let mut query = sqlx::query_as::<_, Row>(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    let mut found = std::collections::HashMap::with_capacity(ids.len());
    for r in query.fetch_all(db.pool()).await? {
        let id = r.inbox_id;
        let body = STANDARD
            .decode(&r.inbox_body)
            .map_err(|_| DbError::Corrupt(format!("inbox {id}: body")))?;
        let received = Received {
            provider: r.inbox_provider,
            body,
            payment: Payment::try_from(r.payment)?,
            storefront_version: r.storefront_version,
        };
        found.insert(id, received);
    }
    Ok(ids.iter().map(|id| found.remove(id)).collect())
}
