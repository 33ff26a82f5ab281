//! News of each store's payments for the back office's open pages (`/admin/events`): one task
//! per server (started by the first listener) looks every `EVERY` for lines added to the payments'
//! timelines (`payment_events`) since it last looked, in one query for all stores, and tells
//! the listeners of each store whose payments moved. It reads the database, not this
//! process's memory, so a payment another app server or a worker moved is news too.
//!
//! On PostgreSQL a transaction may commit a line under a lower id than one already seen
//! (ids are taken before commit); its news is then carried by the next line of that store,
//! and the page shows it whenever it is read again. Nothing here is needed for correctness.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

use crate::db::{Db, payments};

/// How often the task looks for news.
pub const EVERY: Duration = Duration::from_secs(1);

/// One server's listeners, by store.
#[derive(Clone)]
pub struct Activity {
    db: Db,
    /// Each store's newest timeline line seen, for its listeners.
    stores: Arc<Mutex<HashMap<i64, watch::Sender<i64>>>>,
    /// Turns true when the server stops: every listener ends, so no open page holds the
    /// server's graceful shutdown.
    closing: Arc<watch::Sender<bool>>,
    looking: Arc<Mutex<bool>>,
}

/// A listener to one store's payments.
pub struct Listener {
    news: watch::Receiver<i64>,
    closing: watch::Receiver<bool>,
}

impl Listener {
    /// Waits for the store's payments to move; `false` once the server stops.
    pub async fn moved(&mut self) -> bool {
        tokio::select! {
            changed = self.news.changed() => changed.is_ok(),
            _ = self.closing.wait_for(|closing| *closing) => false,
        }
    }
}

impl Activity {
    pub fn new(db: Db) -> Activity {
        Activity {
            db,
            stores: Arc::default(),
            closing: Arc::new(watch::channel(false).0),
            looking: Arc::default(),
        }
    }

    /// Listens to the payments of `store_id`, from now on. Starts the looking task (in the
    /// caller's runtime) on first use.
    pub fn listen(&self, store_id: i64) -> Listener {
        self.start();
        let news = self
            .stores
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(store_id)
            .or_insert_with(|| watch::channel(0).0)
            .subscribe();
        Listener {
            news,
            closing: self.closing.subscribe(),
        }
    }

    /// Ends every listener and the task: the server is stopping.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    fn start(&self) {
        let mut looking = self.looking.lock().unwrap_or_else(|e| e.into_inner());
        if !*looking {
            *looking = true;
            tokio::spawn(self.clone().look());
        }
    }

    async fn look(self) {
        let mut closing = self.closing.subscribe();
        let mut seen = None;
        loop {
            let news = match seen {
                None => payments::last_event(&self.db).await.map(|last| {
                    seen = Some(last);
                    Vec::new()
                }),
                Some(after) => payments::stores_moved_since(&self.db, after).await,
            };
            match news {
                Ok(news) => self.tell(&news, &mut seen),
                Err(err) => tracing::warn!(error = %err, "could not look for payments' news"),
            }
            tokio::select! {
                _ = tokio::time::sleep(EVERY) => {}
                _ = closing.wait_for(|closing| *closing) => return,
            }
        }
    }

    /// Tells each listened-to store in `news` its newest line; forgets stores nobody listens
    /// to any more.
    fn tell(&self, news: &[(i64, i64)], seen: &mut Option<i64>) {
        let mut stores = self.stores.lock().unwrap_or_else(|e| e.into_inner());
        stores.retain(|_, sender| sender.receiver_count() > 0);
        for &(store, newest) in news {
            *seen = (*seen).max(Some(newest));
            if let Some(sender) = stores.get(&store) {
                sender.send_replace(newest);
            }
        }
    }
}
