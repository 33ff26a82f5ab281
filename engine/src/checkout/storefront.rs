//! What a customer page shows of a store: its row, the methods it offers, its active bank
//! accounts and its logos' versions. The payment page reads it on every request, so each app
//! server keeps the last one per store and reuses it while the store's row is unchanged, its
//! `storefront_version` included (database triggers move it on every change to the methods,
//! bank accounts and images): one indexed read of the store instead of four queries, and
//! never a stale page, whichever app server made the change.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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

/// The last storefront read per store id.
#[derive(Clone, Default)]
pub(super) struct Storefronts(Arc<Mutex<HashMap<i64, Arc<Storefront>>>>);

impl Storefronts {
    fn current(&self, store: &Store) -> Option<Arc<Storefront>> {
        let kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        kept.get(&store.id).filter(|s| s.store == *store).cloned()
    }

    /// The method `id` of the store `store_id`, if the storefront kept for it offers it and
    /// is as of `version` (its `storefront_version`, which every change to a method moves).
    pub(super) fn method(&self, store_id: i64, version: i64, id: i64) -> Option<PaymentMethod> {
        let kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let storefront = kept
            .get(&store_id)
            .filter(|s| s.store.storefront_version == version)?;
        storefront.methods.iter().find(|m| m.id == id).cloned()
    }

    fn keep(&self, storefront: Arc<Storefront>) {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= MAX_STORES {
            kept.clear();
        }
        kept.insert(storefront.store.id, storefront);
    }
}

impl Checkout {
    /// The storefront of the store `slug`: kept from an earlier request while the store's row
    /// is the same, else read again.
    pub async fn storefront(&self, slug: &str) -> Result<Arc<Storefront>, CheckoutError> {
        let store = self.store(slug).await?;
        if let Some(kept) = self.storefronts.current(&store) {
            return Ok(kept);
        }
        let storefront = Arc::new(Storefront {
            methods: self.offered_methods(&store).await?,
            accounts: bank_accounts::list_active(&self.db, store.id).await?,
            logos: images::versions(&self.db, store.id).await?,
            store,
        });
        self.storefronts.keep(storefront.clone());
        Ok(storefront)
    }
}
