//! What a customer page shows of a store: its row, the methods it offers, its active bank
//! accounts and its logos' versions. The payment page reads it on every request, so each app
//! server keeps the last one per store. One it checked less than [`TRUSTED_FOR`] ago is used
//! as it is while this process has written nothing since (`Db::writes_finished`): no query at
//! all. Past that, or after any write here, the store's row is read again and the storefront
//! kept while the row is unchanged, its `storefront_version` included (database triggers move
//! it on every change to the methods, bank accounts and images): one indexed read instead of
//! four queries. So a change made through this server shows on its next page, and one made
//! through another app server (or by hand in SQL) within [`TRUSTED_FOR`]: a page that old is
//! what a customer who loaded it that much earlier sees, and submitting the form reads
//! everything again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{Checkout, CheckoutError};
use crate::db::bank_accounts::{self, BankAccount};
use crate::db::images;
use crate::db::methods::PaymentMethod;
use crate::db::stores::Store;
use crate::images::ImageName;

/// Stores kept at most; past it the cache starts over (a server serving more stores than
/// this reads them again, as before the cache).
const MAX_STORES: usize = 1024;

#[derive(Clone, Debug, PartialEq)]
pub struct Storefront {
    pub store: Store,
    /// The methods its customers may pay with ([`Checkout::offered_methods`]).
    pub methods: Vec<PaymentMethod>,
    pub accounts: Vec<BankAccount>,
    /// Its logos' versions (`images::url`).
    pub logos: Vec<(ImageName, i64)>,
}

impl Storefront {
    /// The address of the logo `name`, if it has one.
    pub fn logo(&self, name: ImageName) -> Option<String> {
        self.logos
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, version)| crate::images::url(self.store.id, *n, *version))
    }
}

/// How long a storefront checked against the database is used without a query while this
/// process writes nothing: how late another app server's change may show on this one's pages.
pub const TRUSTED_FOR: Duration = Duration::from_secs(1);

/// A storefront as last checked against the database.
struct Kept {
    storefront: Arc<Storefront>,
    /// When it was last found current, and this process's finished writes then.
    checked: Instant,
    writes: u64,
}

/// The last storefront read per store slug.
#[derive(Clone, Default)]
pub(super) struct Storefronts(Arc<Mutex<HashMap<String, Kept>>>);

impl Storefronts {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Kept>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The storefront of `slug` if it was found current within [`TRUSTED_FOR`] and this
    /// process has finished no write since (`writes` being their count now).
    fn trusted(&self, slug: &str, writes: u64) -> Option<Arc<Storefront>> {
        let kept = self.lock();
        let kept = kept.get(slug)?;
        (kept.writes == writes && kept.checked.elapsed() < TRUSTED_FOR)
            .then(|| kept.storefront.clone())
    }

    /// The storefront kept for `store` if its row is the one read now (as of `checked`, with
    /// `writes` finished before the read), marked current again.
    fn current(&self, store: &Store, checked: Instant, writes: u64) -> Option<Arc<Storefront>> {
        let mut kept = self.lock();
        let kept = kept
            .get_mut(&store.slug)
            .filter(|k| k.storefront.store == *store)?;
        kept.checked = checked;
        kept.writes = writes;
        Some(kept.storefront.clone())
    }

    /// The method `id` of the store `store_id`, if the storefront kept for it offers it and
    /// is as of `version` (its `storefront_version`, which every change to a method moves).
    pub(super) fn method(&self, store_id: i64, version: i64, id: i64) -> Option<PaymentMethod> {
        let kept = self.lock();
        let storefront = &kept
            .values()
            .find(|k| k.storefront.store.id == store_id)
            .filter(|k| k.storefront.store.storefront_version == version)?
            .storefront;
        storefront.methods.iter().find(|m| m.id == id).cloned()
    }

    fn keep(&self, storefront: Arc<Storefront>, checked: Instant, writes: u64) {
        let mut kept = self.lock();
        if kept.len() >= MAX_STORES {
            kept.clear();
        }
        // A store that changed its slug leaves its old one.
        kept.retain(|_, k| k.storefront.store.id != storefront.store.id);
        kept.insert(
            storefront.store.slug.clone(),
            Kept {
                storefront,
                checked,
                writes,
            },
        );
    }

    fn forget(&self, slug: &str) {
        self.lock().remove(slug);
    }
}

impl Checkout {
    /// The storefront of the store `slug`: the one kept, while trusted or while the store's
    /// row is the same, else read again.
    pub async fn storefront(&self, slug: &str) -> Result<Arc<Storefront>, CheckoutError> {
        // Counted before reading: a write finished during the reads is seen by the next page.
        let writes = self.db.writes_finished();
        if let Some(kept) = self.storefronts.trusted(slug, writes) {
            return Ok(kept);
        }
        let checked = Instant::now();
        let store = match self.store(slug).await {
            Err(CheckoutError::UnknownStore) => {
                self.storefronts.forget(slug);
                return Err(CheckoutError::UnknownStore);
            }
            found => found?,
        };
        if let Some(kept) = self.storefronts.current(&store, checked, writes) {
            return Ok(kept);
        }
        let storefront = Arc::new(Storefront {
            methods: self.offered_methods(&store).await?,
            accounts: bank_accounts::list_active(&self.db, store.id).await?,
            logos: images::versions(&self.db, store.id).await?,
            store,
        });
        self.storefronts.keep(storefront.clone(), checked, writes);
        Ok(storefront)
    }
}
