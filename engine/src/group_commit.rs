//! Group commit: many concurrent callers' writes in one transaction. A durable commit costs a
//! flush of the database's log (an fsync on SQLite, the WAL flush on PostgreSQL), so one
//! commit per small write caps a server at the disk's flush rate. Callers hand their item to
//! one task per `GroupCommit`, which takes every item waiting (up to `BATCH`), writes them
//! with the caller's `write` (one transaction) and answers each caller after it: the same
//! durability, one flush per batch, and no queueing for SQLite's one write lock. Reads that
//! many callers make at once (a verification's inbox row) are batched the same way: one
//! statement instead of one each.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot};

use crate::db::DbError;

/// The most items one batch holds.
pub const BATCH: usize = 256;

type Answer<R> = oneshot::Sender<Result<R, DbError>>;
type Sender<T, R> = mpsc::Sender<(T, Answer<R>)>;
type Write<T, R> =
    dyn Fn(Vec<T>) -> Pin<Box<dyn Future<Output = Vec<Result<R, DbError>>> + Send>> + Send + Sync;

/// The way to one writer task, started on first use (in the caller's runtime) and again if it
/// ever ended.
pub struct GroupCommit<T, R> {
    write: Arc<Write<T, R>>,
    writer: Arc<Mutex<Option<Sender<T, R>>>>,
}

impl<T, R> Clone for GroupCommit<T, R> {
    fn clone(&self) -> Self {
        GroupCommit {
            write: self.write.clone(),
            writer: self.writer.clone(),
        }
    }
}

impl<T: Send + 'static, R: Send + 'static> GroupCommit<T, R> {
    /// `write` writes a batch and answers each item, in order.
    pub fn new<F, Fut>(write: F) -> GroupCommit<T, R>
    where
        F: Fn(Vec<T>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Vec<Result<R, DbError>>> + Send + 'static,
    {
        GroupCommit {
            write: Arc::new(move |items| Box::pin(write(items))),
            writer: Arc::default(),
        }
    }

    /// [`GroupCommit::new`] for a `write` that succeeds or fails as a whole: a failure is every
    /// item's.
    pub fn whole<F, Fut>(write: F) -> GroupCommit<T, R>
    where
        F: Fn(Vec<T>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<R>, DbError>> + Send + 'static,
    {
        let write = Arc::new(write);
        GroupCommit::new(move |items: Vec<T>| {
            let (n, written) = (items.len(), write(items));
            async move {
                match written.await {
                    Ok(all) => all.into_iter().map(Ok).collect(),
                    Err(err) => {
                        let err = err.to_string();
                        (0..n).map(|_| Err(DbError::Corrupt(err.clone()))).collect()
                    }
                }
            }
        })
    }

    /// Writes `item` in the next batch; answers once that batch is written.
    pub async fn submit(&self, item: T) -> Result<R, DbError> {
        let (answer, written) = oneshot::channel();
        self.writer()
            .send((item, answer))
            .await
            .map_err(|_| stopped())?;
        written.await.map_err(|_| stopped())?
    }

    fn writer(&self) -> Sender<T, R> {
        let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        match writer.as_ref() {
            Some(sender) if !sender.is_closed() => sender.clone(),
            _ => {
                let (sender, receiver) = mpsc::channel(4 * BATCH);
                tokio::spawn(run(self.write.clone(), receiver));
                writer.insert(sender).clone()
            }
        }
    }
}

fn stopped() -> DbError {
    DbError::Corrupt("a group-commit writer stopped".into())
}

/// Writes batches until every sender is gone.
async fn run<T, R>(write: Arc<Write<T, R>>, mut receiver: mpsc::Receiver<(T, Answer<R>)>) {
    let mut batch = Vec::with_capacity(BATCH);
    while receiver.recv_many(&mut batch, BATCH).await > 0 {
        let (items, answers): (Vec<T>, Vec<Answer<R>>) = batch.drain(..).unzip();
        let mut results = write(items).await.into_iter();
        for answer in answers {
            let result = results
                .next()
                .unwrap_or_else(|| Err(DbError::Corrupt("a batch answered short".into())));
            let _ = answer.send(result);
        }
    }
}
