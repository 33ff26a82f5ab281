//! Workers for the job table (`db::jobs`): each server runs a few loops that claim due jobs
//! and run the handler of their kind. A handler's error is kept and the job tried again with
//! backoff (2 s, doubling, at most an hour apart); after `MAX_ATTEMPTS` it is left `dead`
//! for the merchant and the operator to see. Handlers must be idempotent: a crash between a
//! handler's work and its job's `done` runs it again (with the same key). A handler that
//! writes its work in a transaction of its own may write the job's `done` in it too
//! ([`Mark`]): then the job is done exactly when its work is, for one write fewer.
//!
//! A job written already held by this server (`Queue::hold`) needs no claim: the request that
//! wrote it hands it to the workers ([`Queue::hand`]), which run it before claiming anything,
//! and the lease keeps it safe meanwhile (renewed while the server lives, handed back when it
//! stops, taken over by another when it dies). A provider's burst of notifications so costs no
//! claim at all.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

use crate::db::jobs::{self, Job};
use crate::db::{Db, DbError};
use crate::group_commit::GroupCommit;
use crate::time::now_millis;

/// How long a claim holds a job unless renewed. A live worker renews its claims every third
/// of it, so a job is claimed again about this long after its worker died (on PostgreSQL;
/// on SQLite the next start hands back what a dead process held).
pub const LEASE: i64 = 30 * 1000;
/// Attempts before a job is left dead: with the backoff, about half an hour of retries.
pub const MAX_ATTEMPTS: i64 = 10;
/// Jobs one server runs at once: they mostly wait for providers, the mail server and the
/// database's flushes, so many run together (`make bench`: 32 verified a quarter more than 8
/// on PostgreSQL, 64 a third more than 32 on SQLite); a bound on what one server asks of a
/// provider or the mail server at once.
pub const CONCURRENCY: usize = 64;

/// Free places that make a claim worth its write while jobs still run.
const REFILL: usize = CONCURRENCY / 4;

type Run =
    dyn Fn(Job, Mark) -> Pin<Box<dyn Future<Output = Result<Done, String>> + Send>> + Send + Sync;

/// Who marks a job that went well as done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Done {
    /// The queue, in its next batch of marks.
    Later,
    /// The handler, in the transaction that wrote its work ([`Mark`]).
    Written,
}

/// A running job's `done` mark, for a handler to write with its work
/// (`db::jobs::finish_in`, then [`Mark::written`]).
#[derive(Debug)]
pub struct Mark {
    pub job: i64,
    /// The server holding the job: the mark is written only while it still does.
    pub worker: String,
    written: AtomicBool,
}

impl Mark {
    pub fn new(job: i64, worker: &str) -> Mark {
        Mark {
            job,
            worker: worker.to_owned(),
            written: AtomicBool::new(false),
        }
    }

    /// The transaction that wrote the mark committed.
    pub fn written(&self) {
        self.written.store(true, Ordering::Release);
    }

    /// Who marks the job done, its handler having succeeded.
    pub fn done(&self) -> Done {
        if self.written.load(Ordering::Acquire) {
            Done::Written
        } else {
            Done::Later
        }
    }
}

/// The handler of each job kind, and the kinds claimed before any other.
#[derive(Clone, Default)]
pub struct Handlers {
    run: HashMap<String, Arc<Run>>,
    first: Vec<&'static str>,
}

impl Handlers {
    pub fn on<F, Fut>(&mut self, kind: &str, handler: F)
    where
        F: Fn(Job) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        self.run.insert(
            kind.to_owned(),
            Arc::new(move |job, _| {
                let work = handler(job);
                Box::pin(async move { work.await.map(|()| Done::Later) })
            }),
        );
    }

    /// `on` for a handler that may write its job's `done` with its work ([`Mark`]).
    pub fn on_marking<F, Fut>(&mut self, kind: &str, handler: F)
    where
        F: Fn(Job, Mark) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Done, String>> + Send + 'static,
    {
        self.run.insert(
            kind.to_owned(),
            Arc::new(move |job, mark| Box::pin(handler(job, mark))),
        );
    }

    /// Due jobs of `kind` are claimed before due jobs of other kinds (`db::jobs::claim_many`).
    pub fn first(&mut self, kind: &'static str) {
        self.first.push(kind);
    }
}

/// One server's workers.
#[derive(Clone)]
pub struct Queue {
    db: Db,
    handlers: Arc<Handlers>,
    /// This server's name in the job table (`worker`): unique per process.
    worker: String,
    wake: Arc<Notify>,
    /// Jobs written held by this server ([`Queue::hand`]), not yet started.
    handed: Arc<Mutex<VecDeque<Job>>>,
    /// Tells the workers a job was handed to them.
    handed_one: Arc<Notify>,
    /// Jobs done, marked so in batches: a mark lost to a crash only runs the job again.
    done: GroupCommit<i64, bool>,
}

impl Queue {
    pub fn new(db: Db, handlers: Handlers) -> Queue {
        let worker = format!("{}-{}", std::process::id(), crate::tracking::random_token());
        let done = GroupCommit::whole({
            let (db, worker) = (db.clone(), worker.clone());
            move |ids: Vec<i64>| {
                let (db, worker) = (db.clone(), worker.clone());
                async move { jobs::finish_all(&db, &ids, &worker, now_millis()).await }
            }
        });
        Queue {
            db,
            handlers: Arc::new(handlers),
            worker,
            wake: Arc::new(Notify::new()),
            handed: Arc::default(),
            handed_one: Arc::new(Notify::new()),
            done,
        }
    }

    pub fn worker(&self) -> &str {
        &self.worker
    }

    /// A claim held by this server from now: for a job the request that enqueues it runs.
    pub fn hold(&self) -> (String, i64) {
        (self.worker.clone(), now_millis() + LEASE)
    }

    /// Tells the workers a job is waiting (they also look every second).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Gives the workers a job written held by this server (`hold`), to run before any they
    /// would claim.
    pub fn hand(&self, job: Job) {
        self.handed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_back(job);
        self.handed_one.notify_one();
    }

    /// Up to `places` of the handed jobs, oldest first.
    fn take_handed(&self, places: usize) -> Vec<Job> {
        let mut handed = self.handed.lock().unwrap_or_else(|e| e.into_inner());
        let n = places.min(handed.len());
        handed.drain(..n).collect()
    }

    /// Runs up to `CONCURRENCY` jobs at a time until `stop` turns true, lets those finish,
    /// then hands back what is left.
    pub async fn run(&self, stop: watch::Receiver<bool>) {
        match jobs::release_orphans(&self.db, &self.worker).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(jobs = n, "took back jobs a stopped process held"),
            Err(err) => tracing::warn!(error = %err, "could not take back orphaned jobs"),
        }
        let heartbeat = tokio::spawn({
            let (queue, stop) = (self.clone(), stop.clone());
            async move { queue.renew(stop).await }
        });
        self.work(stop).await;
        let _ = heartbeat.await;
        match jobs::release(&self.db, &self.worker).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(jobs = n, "handed back unfinished jobs"),
            Err(err) => tracing::warn!(error = %err, "could not hand back jobs: their lease ends"),
        }
    }

    /// Runs the handed jobs first, then claims as many due jobs as there are free places, in
    /// one statement, and runs each in a task of its own; claims again as soon as a batch
    /// filled every place, else when a job is enqueued (`wake`), a second has passed, or a
    /// quarter of the places (`REFILL`) are free. A claim is a durable write: claiming each
    /// time one job ends cost a flush per job.
    async fn work(&self, mut stop: watch::Receiver<bool>) {
        let mut running = JoinSet::new();
        let mut woken = Woken::ToClaim;
        while !*stop.borrow() {
            let places = CONCURRENCY.saturating_sub(running.len());
            for job in self.take_handed(places) {
                self.start(&mut running, job);
            }
            let free = CONCURRENCY.saturating_sub(running.len());
            let claim = match woken {
                Woken::ToClaim => true,
                Woken::Ended => free >= REFILL || running.is_empty(),
                Woken::Handed => false,
            };
            if free > 0 && claim {
                match self.claim(free).await {
                    Ok(jobs) => {
                        let full = jobs.len() == free;
                        for job in jobs {
                            self.start(&mut running, job);
                        }
                        if full {
                            continue;
                        }
                    }
                    Err(err) => tracing::warn!(error = %err, "could not claim jobs"),
                }
            }
            woken = tokio::select! {
                _ = self.wake.notified() => Woken::ToClaim,
                _ = self.handed_one.notified() => Woken::Handed,
                Some(_) = running.join_next(), if !running.is_empty() => Woken::Ended,
                _ = tokio::time::sleep(Duration::from_secs(1)) => Woken::ToClaim,
                // A dropped sender stops the workers too.
                changed = stop.changed() => if changed.is_err() { break } else { Woken::ToClaim },
            };
        }
        while running.join_next().await.is_some() {}
    }

    fn start(&self, running: &mut JoinSet<()>, job: Job) {
        let queue = self.clone();
        running.spawn(async move {
            let outcome = queue.handle(&job).await;
            queue.finish(&job, outcome).await;
        });
    }

    /// Keeps this server's claims alive while it works.
    async fn renew(&self, mut stop: watch::Receiver<bool>) {
        let every = Duration::from_millis(u64::try_from(LEASE / 3).unwrap_or(10_000));
        while !*stop.borrow() {
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                changed = stop.changed() => if changed.is_err() { break },
            }
            if let Err(err) = jobs::renew(&self.db, &self.worker, now_millis() + LEASE).await {
                tracing::warn!(error = %err, "could not renew job leases");
            }
        }
    }

    async fn claim(&self, places: usize) -> Result<Vec<Job>, DbError> {
        let now = now_millis();
        let limit = i64::try_from(places).unwrap_or(1);
        let first = &self.handlers.first;
        jobs::claim_many(&self.db, &self.worker, now, now + LEASE, limit, first).await
    }

    async fn handle(&self, job: &Job) -> Result<Done, String> {
        match self.handlers.run.get(&job.kind) {
            Some(handler) => handler(job.clone(), Mark::new(job.id, &self.worker)).await,
            None => Err(format!("no handler for jobs of kind {}", job.kind)),
        }
    }

    /// Records how a job this server held went: done (unless its handler wrote so), or tried
    /// again later, or dead.
    pub async fn finish(&self, job: &Job, outcome: Result<Done, String>) {
        let now = now_millis();
        let recorded = match outcome {
            Ok(Done::Written) => Ok(()),
            Ok(Done::Later) => self.done.submit(job.id).await.map(drop),
            Err(error) => {
                let retry_at = (job.attempts < MAX_ATTEMPTS).then(|| now + backoff(job.attempts));
                if retry_at.is_none() {
                    tracing::error!(job = job.id, kind = %job.kind, %error, "a job is dead");
                } else {
                    tracing::warn!(job = job.id, kind = %job.kind, %error, "a job will be retried");
                }
                jobs::fail(&self.db, job, &self.worker, &error, retry_at, now).await
            }
        };
        if let Err(err) = recorded {
            tracing::warn!(job = job.id, error = %err, "a job's outcome was not recorded: its lease ends");
        }
    }
}

/// What woke the workers' loop, which says whether a claim is worth its write.
enum Woken {
    /// A job was enqueued, a second passed, or the loop just started: claim for every free
    /// place.
    ToClaim,
    /// A job ended: claim once a quarter of the places (`REFILL`) are free, not for each one.
    Ended,
    /// A job was handed over: it needs no claim.
    Handed,
}

/// The wait before attempt `attempts + 1`: 2 s, doubling, at most an hour.
fn backoff(attempts: i64) -> i64 {
    let doublings = u32::try_from(attempts.clamp(1, 12) - 1).unwrap_or(0);
    (2_000i64 << doublings).min(60 * 60 * 1000)
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn waits_double_up_to_an_hour() {
        assert_eq!(backoff(1), 2_000);
        assert_eq!(backoff(2), 4_000);
        assert_eq!(backoff(10), 1_024_000);
        assert_eq!(backoff(40), 3_600_000);
    }
}
