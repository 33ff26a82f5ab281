//! Group commit for arriving notifications. Each one is charged to its budgets and written to
//! the inbox with its verification job before it is answered, and one commit per message
//! would cap intake at the disk's flush rate (and on SQLite make concurrent requests queue
//! for the one write lock, sleeping in its busy handler). So requests hand their message to
//! one writer task per process, which writes every message waiting into one transaction and
//! answers each request after that commit: the same durability, one flush per batch.
//!
//! A batch that fails is written again one message per transaction, so a bad message (or a
//! deadlock with another server's batch, which the budgets' lock order makes unlikely) fails
//! only itself.

use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot};

use crate::db::jobs::Job;
use crate::db::{Db, DbError, inbox};
use crate::intake::{self, Ticket};

/// The most messages one transaction writes.
const BATCH: usize = 256;

/// A notification to write: the payment it names, who sent it, and how it is to be verified.
#[derive(Clone)]
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
    /// Charged but not written: over a budget, for the caller to weigh (`Checkout::admitted`).
    Over(Ticket),
}

struct Pending {
    arrival: Arrival,
    answer: oneshot::Sender<Result<Written, DbError>>,
}

/// The way to the writer task, started on first use (in the caller's runtime) and again if
/// it ever ended.
#[derive(Clone)]
pub(super) struct Arrivals {
    db: Db,
    writer: Arc<Mutex<Option<mpsc::Sender<Pending>>>>,
}

impl Arrivals {
    pub fn new(db: Db) -> Arrivals {
        Arrivals {
            db,
            writer: Arc::default(),
        }
    }

    /// Writes `arrival` in the next batch; answers once that batch is committed.
    pub async fn write(&self, arrival: Arrival) -> Result<Written, DbError> {
        let (answer, written) = oneshot::channel();
        self.writer()
            .send(Pending { arrival, answer })
            .await
            .map_err(|_| stopped())?;
        written.await.map_err(|_| stopped())?
    }

    fn writer(&self) -> mpsc::Sender<Pending> {
        let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        match writer.as_ref() {
            Some(sender) if !sender.is_closed() => sender.clone(),
            _ => {
                let (sender, receiver) = mpsc::channel(4 * BATCH);
                tokio::spawn(run(self.db.clone(), receiver));
                writer.insert(sender).clone()
            }
        }
    }
}

fn stopped() -> DbError {
    DbError::Corrupt("the inbox writer stopped".into())
}

/// Writes batches until every sender is gone.
async fn run(db: Db, mut receiver: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(BATCH);
    while receiver.recv_many(&mut batch, BATCH).await > 0 {
        let (arrivals, answers): (Vec<_>, Vec<_>) =
            batch.drain(..).map(|p| (p.arrival, p.answer)).unzip();
        match write_all(&db, &arrivals).await {
            Ok(written) => {
                for (answer, written) in answers.into_iter().zip(written) {
                    let _ = answer.send(Ok(written));
                }
            }
            Err(err) if arrivals.len() == 1 => {
                let _ = answers.into_iter().next().map(|a| a.send(Err(err)));
            }
            Err(err) => {
                tracing::warn!(error = %err, size = arrivals.len(), "a batch failed: one by one");
                for (arrival, answer) in arrivals.iter().zip(answers) {
                    let alone = write_all(&db, std::slice::from_ref(arrival)).await;
                    let _ = answer.send(alone.map(|mut w| w.remove(0)));
                }
            }
        }
    }
}

/// Charges every arrival and writes those within their budgets, in one transaction.
async fn write_all(db: &Db, arrivals: &[Arrival]) -> Result<Vec<Written>, DbError> {
    let mut tx = db.pool().begin().await?;
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
    let mut written = Vec::with_capacity(arrivals.len());
    for (arrival, ticket) in arrivals.iter().zip(tickets) {
        if ticket.over {
            written.push(Written::Over(ticket));
            continue;
        }
        let job = store(&mut tx, arrival, &ticket).await?;
        written.push(Written::Stored { ticket, job });
    }
    tx.commit().await?;
    Ok(written)
}

/// Writes one arrival, charged with `ticket`, to the inbox with its verification job.
pub(super) async fn store(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    arrival: &Arrival,
    ticket: &Ticket,
) -> Result<Job, DbError> {
    let ticket =
        serde_json::to_string(ticket).map_err(|e| DbError::Corrupt(format!("ticket: {e}")))?;
    let stored = inbox::Arrival {
        provider: &arrival.provider,
        code: &arrival.code,
        body: &arrival.body,
        address: &arrival.address,
        ticket: &ticket,
    };
    inbox::receive(tx, stored, arrival.held.clone(), arrival.now).await
}
