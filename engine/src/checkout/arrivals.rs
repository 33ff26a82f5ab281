//! Arriving notifications, written in batches (`group_commit`). Each one is charged to its
//! budgets and written to the inbox with its verification job before it is answered; one
//! commit per message would cap intake at the disk's flush rate, so every message waiting is
//! written in one transaction and each request answered after that commit.
//!
//! A batch that fails is written again one message per transaction, so a bad message (or a
//! deadlock with another server's batch, which the budgets' lock order makes unlikely) fails
//! only itself.
//!
//! Their verifications read them back in batches too ([`reader`]): on PostgreSQL a read per
//! message was much of what a provider's burst cost.

use crate::db::jobs::Job;
use crate::db::{Db, DbError, inbox};
use crate::group_commit::GroupCommit;
use crate::intake::{self, Ticket};

/// A notification to write: the payment it names, who sent it, and how it is to be verified.
pub(super) struct Arrival {
    pub payment: i64,
    pub code: String,
    pub address: String,
    pub provider: String,
    pub body: Vec<u8>,
    /// The lease of the request that verifies it itself (`jobs::NewJob::held`).
    pub held: Option<(String, i64)>,
    pub now: i64,
}

/// What became of an arrival in its batch.
pub(super) enum Written {
    /// In the inbox, with the job that verifies it.
    Stored { ticket: Ticket, job: Job },
    /// Charged but not written: over a budget, handed back for the caller to weigh
    /// (`Checkout::admitted`) and perhaps store alone.
    Over(Ticket, Arrival),
}

/// The batch writer of one server's arrivals.
pub(super) type Arrivals = GroupCommit<Arrival, Written>;

/// The batch reader of one server's verifications: an inbox id, the notification if found.
pub(super) type Reads = GroupCommit<i64, Option<inbox::Received>>;

/// Reads every inbox id waiting in one statement (`inbox::get_all`).
pub(super) fn reader(db: Db) -> Reads {
    GroupCommit::whole(move |ids: Vec<i64>| {
        let db = db.clone();
        async move { inbox::get_all(&db, &ids).await }
    })
}

pub(super) fn writer(db: Db) -> Arrivals {
    GroupCommit::new(move |arrivals| {
        let db = db.clone();
        async move { write_batch(&db, arrivals).await }
    })
}

async fn write_batch(db: &Db, arrivals: Vec<Arrival>) -> Vec<Result<Written, DbError>> {
    let answer = |tickets: Vec<(Ticket, Option<Job>)>, arrivals: Vec<Arrival>| {
        tickets
            .into_iter()
            .zip(arrivals)
            .map(|((ticket, job), arrival)| match job {
                Some(job) => Written::Stored { ticket, job },
                None => Written::Over(ticket, arrival),
            })
            .collect::<Vec<_>>()
    };
    match write_all(db, &arrivals).await {
        Ok(written) => answer(written, arrivals).into_iter().map(Ok).collect(),
        Err(err) if arrivals.len() == 1 => vec![Err(err)],
        Err(err) => {
            tracing::warn!(error = %err, size = arrivals.len(), "a batch failed: one by one");
            let mut written = Vec::with_capacity(arrivals.len());
            for arrival in arrivals {
                let alone = write_all(db, std::slice::from_ref(&arrival)).await;
                written.push(alone.map(|w| answer(w, vec![arrival]).remove(0)));
            }
            written
        }
    }
}

/// Charges every arrival and writes those within their budgets, in one transaction: each
/// one's ticket, and its job if it was written.
async fn write_all(db: &Db, arrivals: &[Arrival]) -> Result<Vec<(Ticket, Option<Job>)>, DbError> {
    let mut tx = db.begin().await?;
    let messages: Vec<intake::Message> = arrivals
        .iter()
        .map(|a| intake::Message {
            payment: a.payment,
            address: &a.address,
            bytes: a.body.len(),
            now: a.now,
        })
        .collect();
    let tickets = intake::charge_all(&mut tx, &messages).await?;
    let within: Vec<(&Arrival, &Ticket)> = arrivals
        .iter()
        .zip(&tickets)
        .filter(|(_, ticket)| !ticket.over)
        .collect();
    let mut jobs = store(&mut tx, &within).await?.into_iter();
    tx.commit().await?;
    tickets
        .into_iter()
        .map(|ticket| match ticket.over {
            true => Ok((ticket, None)),
            false => jobs
                .next()
                .map(|job| (ticket, Some(job)))
                .ok_or_else(|| DbError::Corrupt("a stored arrival has no job".into())),
        })
        .collect()
}

/// Writes arrivals, each charged with its ticket, to the inbox with their verification jobs.
pub(super) async fn store(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    arrivals: &[(&Arrival, &Ticket)],
) -> Result<Vec<Job>, DbError> {
    let tickets = arrivals
        .iter()
        .map(|(_, ticket)| serde_json::to_string(ticket))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| DbError::Corrupt(format!("ticket: {e}")))?;
    let stored: Vec<_> = arrivals
        .iter()
        .zip(&tickets)
        .map(|((arrival, _), ticket)| {
            let stored = inbox::Arrival {
                provider: &arrival.provider,
                code: &arrival.code,
                body: &arrival.body,
                address: &arrival.address,
                ticket,
            };
            (stored, arrival.held.clone())
        })
        .collect();
    let now = arrivals
        .iter()
        .map(|(a, _)| a.now)
        .max()
        .unwrap_or_default();
    inbox::receive_all(tx, &stored, now).await
}
