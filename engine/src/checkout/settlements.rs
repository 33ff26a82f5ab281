//! What a verified message writes, in batches (`group_commit`): its sender's budget refund
//! (`intake::believed`) with the payment's move through the state machine, or with the line
//! a late copy adds to its timeline. The job queue verifies dozens of messages at once, and
//! two durable commits each capped verification at the disk's flush rate; a batch costs one.
//! A batch that fails is written again one settlement per transaction, so a bad one fails
//! only itself. A message verified by a job writes the job's `done` in the same transaction
//! (`jobs::Mark`): a third write per message less, and never a settled message whose job
//! runs again.

use crate::db::jobs;
use crate::db::payments::{self, Change, NewEvent, Payment, Source};
use crate::db::{Db, DbError};
use crate::group_commit::GroupCommit;
use crate::intake::{self, Ticket};
use crate::status::PaymentStatus;
use crate::time::now_millis;

/// A move a provider's verdict asks for, owned while it waits in a batch.
pub(super) struct Move {
    pub to: PaymentStatus,
    pub kind: &'static str,
    /// The message and the provider's answer behind it.
    pub detail: String,
    pub bank_ref: Option<String>,
    pub card_pan: Option<String>,
    pub failure_code: Option<String>,
}

impl Move {
    fn change(&self) -> Change<'_> {
        Change {
            to: self.to,
            source: Source::Provider,
            kind: self.kind,
            detail: Some(&self.detail),
            bank_ref: self.bank_ref.as_deref(),
            card_pan: self.card_pan.as_deref(),
            failure_code: self.failure_code.as_deref(),
        }
    }
}

pub(super) enum Write {
    /// The payment moves, if it still can (`payments::transition_in`).
    Move(Payment, Move),
    /// A line in the payment's timeline (a verified late copy).
    Log {
        payment: Payment,
        source: Source,
        kind: String,
        detail: String,
    },
}

impl Write {
    fn payment(&self) -> &Payment {
        match self {
            Write::Move(payment, _) | Write::Log { payment, .. } => payment,
        }
    }
}

/// A verified message's writes.
pub(super) struct Settlement {
    /// What the message was charged: its sender gets it back.
    pub refund: Option<Ticket>,
    pub write: Write,
    /// The job verifying the message, and the server holding it: marked done with the rest.
    pub job: Option<(i64, String)>,
}

/// What a settlement wrote.
#[derive(Clone, Copy, Debug)]
pub(super) struct Written {
    /// For a move: whether the payment moved.
    pub moved: bool,
    /// Its job was still its server's and is marked done.
    pub job_done: bool,
}

/// The batch writer of one server's settlements.
pub(super) type Settlements = GroupCommit<Settlement, Written>;

pub(super) fn writer(db: Db) -> Settlements {
    GroupCommit::new(move |settlements| {
        let db = db.clone();
        async move { write_batch(&db, settlements).await }
    })
}

async fn write_batch(db: &Db, settlements: Vec<Settlement>) -> Vec<Result<Written, DbError>> {
    match write_all(db, &settlements).await {
        Ok(moved) => moved.into_iter().map(Ok).collect(),
        Err(err) if settlements.len() == 1 => vec![Err(err)],
        Err(err) => {
            tracing::warn!(error = %err, size = settlements.len(), "a batch failed: one by one");
            let mut written = Vec::with_capacity(settlements.len());
            for settlement in &settlements {
                let alone = write_all(db, std::slice::from_ref(settlement)).await;
                written.push(alone.map(|w| w[0]));
            }
            written
        }
    }
}

/// Writes `settlements` in one transaction: refunds first (in `believed_all`'s order), then
/// the payments' moves (each payment's first in one statement, its rows locked by payment id,
/// the order any two batches take their locks in; a second for one payment after it, so the
/// first wins), then the late copies' lines in one statement (in payment order), then the
/// jobs' marks.
async fn write_all(db: &Db, settlements: &[Settlement]) -> Result<Vec<Written>, DbError> {
    let mut tx = db.begin().await?;
    let refunds: Vec<&Ticket> = settlements
        .iter()
        .filter_map(|s| s.refund.as_ref())
        .collect();
    intake::believed_all(&mut tx, &refunds).await?;
    let mut order: Vec<usize> = (0..settlements.len()).collect();
    order.sort_by_key(|&i| settlements[i].write.payment().id);
    let mut moved = vec![false; settlements.len()];
    // Each payment's first move in one statement for all (`transition_all_in`); a second move
    // for a payment (rare) after it, alone, so the first wins.
    let (mut firsts, mut seconds) = (Vec::new(), Vec::new());
    let mut last_moved = None;
    let mut lines = Vec::new();
    for i in order {
        match &settlements[i].write {
            Write::Move(payment, to) => {
                // In payment order, a payment's moves are next to each other.
                let entry = (i, payment, to.change());
                if last_moved == Some(payment.id) {
                    seconds.push(entry);
                } else {
                    firsts.push(entry);
                }
                last_moved = Some(payment.id);
            }
            Write::Log {
                payment,
                source,
                kind,
                detail,
            } => lines.push(NewEvent {
                store_id: payment.store_id,
                payment_id: payment.id,
                source: *source,
                kind,
                from: Some(payment.status),
                to: None,
                detail: Some(detail),
            }),
        }
    }
    let changes: Vec<(&Payment, &Change)> = firsts.iter().map(|(_, p, c)| (*p, c)).collect();
    let done = payments::transition_all_in(&mut tx, &changes).await?;
    for (&(i, _, _), done) in firsts.iter().zip(done) {
        moved[i] = done;
    }
    for (i, payment, change) in &seconds {
        moved[*i] = payments::transition_in(&mut tx, payment, change).await?;
    }
    // The late copies' lines (most of a burst's settlements) in one statement.
    payments::insert_events(&mut tx, &lines).await?;
    let job_done = mark_jobs(&mut tx, settlements).await?;
    tx.commit().await?;
    Ok(moved
        .into_iter()
        .zip(job_done)
        .map(|(moved, job_done)| Written { moved, job_done })
        .collect())
}

/// Marks the settlements' jobs done, in one statement per server holding them (one, but for
/// a job another server took over): whether each was.
async fn mark_jobs(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    settlements: &[Settlement],
) -> Result<Vec<bool>, DbError> {
    let mut done = vec![false; settlements.len()];
    let mut workers: Vec<&str> = settlements
        .iter()
        .filter_map(|s| s.job.as_ref().map(|(_, worker)| worker.as_str()))
        .collect();
    workers.sort_unstable();
    workers.dedup();
    let now = now_millis();
    for worker in workers {
        let (places, ids): (Vec<usize>, Vec<i64>) = settlements
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match &s.job {
                Some((id, w)) if w == worker => Some((i, *id)),
                _ => None,
            })
            .unzip();
        let marked = jobs::finish_in(&mut **tx, &ids, worker, now).await?;
        for (i, marked) in places.into_iter().zip(marked) {
            done[i] = marked;
        }
    }
    Ok(done)
}
