//! Stores: the tenants. A store's id is the argument every other repository requires.

use serde::{Deserialize, Serialize};
use sqlx::{Any, Executor, FromRow};

use super::{Db, DbError, flag};
use crate::money::{Currency, Unit};
use crate::time::now_millis;

#[derive(Clone, Debug, FromRow)]
struct StoreRow {
    id: i64,
    slug: String,
    name: String,
    currency: String,
    toman_display: i64,
    default_lang: String,
    maintenance: i64,
    custom_amounts: i64,
    notification_email: Option<String>,
    legal_name: Option<String>,
    registration_number: Option<String>,
    address: Option<String>,
    time_zone: String,
    storefront_version: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Store {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub currency: Currency,
    pub toman_display: bool,
    pub default_lang: String,
    pub maintenance: bool,
    /// Whether customers may change an amount a link prefilled.
    pub custom_amounts: bool,
    /// Where the store's notices go.
    pub notification_email: Option<String>,
    pub legal: Legal,
    /// Moves whenever its methods, bank accounts or logos change (database triggers): what
    /// `checkout::storefront` caches of them is current while it stands.
    pub storefront_version: i64,
}

/// What a receipt says about the merchant besides its name and logo.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Legal {
    pub legal_name: Option<String>,
    /// A company, business or VAT number, as the merchant writes it.
    pub registration_number: Option<String>,
    pub address: Option<String>,
    /// The IANA zone its receipts are dated in (`crate::zones::OFFERED`).
    pub time_zone: String,
}

impl Store {
    pub fn unit(&self) -> Unit {
        Unit::for_store(self.currency, self.toman_display)
    }
}

impl TryFrom<StoreRow> for Store {
    type Error = DbError;

    fn try_from(r: StoreRow) -> Result<Store, DbError> {
        let currency = Currency::parse(&r.currency).ok_or_else(|| {
            DbError::Corrupt(format!("store {} has currency {}", r.id, r.currency))
        })?;
        Ok(Store {
            id: r.id,
            slug: r.slug,
            name: r.name,
            currency,
            toman_display: r.toman_display != 0,
            default_lang: r.default_lang,
            maintenance: r.maintenance != 0,
            custom_amounts: r.custom_amounts != 0,
            notification_email: r.notification_email,
            legal: Legal {
                legal_name: r.legal_name,
                registration_number: r.registration_number,
                address: r.address,
                time_zone: r.time_zone,
            },
            storefront_version: r.storefront_version,
        })
    }
}

pub struct NewStore<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub currency: Currency,
    pub toman_display: bool,
    pub default_lang: &'a str,
    pub custom_amounts: bool,
    pub notification_email: Option<&'a str>,
}

const COLUMNS: &str = "id, slug, name, currency, toman_display, default_lang, maintenance, \
                       custom_amounts, notification_email, legal_name, registration_number, address, \
                       time_zone, storefront_version";

pub async fn create(db: &Db, new: NewStore<'_>) -> Result<Store, DbError> {
    create_with(db.writer().await.pool(), new).await
}

/// [`create`] on a given connection or transaction (sign-up creates the store and its owner
/// together).
pub async fn create_with<'e>(
    exec: impl Executor<'e, Database = Any>,
    new: NewStore<'_>,
) -> Result<Store, DbError> {
    let row: StoreRow = sqlx::query_as(&format!(
        "INSERT INTO stores (slug, name, currency, toman_display, default_lang, custom_amounts, \
         notification_email, time_zone, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         RETURNING {COLUMNS}"
    ))
    .bind(new.slug)
    .bind(new.name)
    .bind(new.currency.code())
    .bind(flag(new.toman_display))
    .bind(new.default_lang)
    .bind(flag(new.custom_amounts))
    .bind(new.notification_email)
    .bind(crate::zones::default_for(new.currency, new.default_lang))
    .bind(now_millis())
    .fetch_one(exec)
    .await?;
    row.try_into()
}

pub async fn by_slug(db: &Db, slug: &str) -> Result<Option<Store>, DbError> {
    let row: Option<StoreRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM stores WHERE slug = $1"))
            .bind(slug)
            .fetch_optional(db.pool())
            .await?;
    row.map(Store::try_from).transpose()
}

/// The current slug of the store that has or had `slug` (its earlier slugs stay its own and
/// lead to its page). `None`: no store ever had it.
pub async fn current_slug(db: &Db, slug: &str) -> Result<Option<String>, DbError> {
    let found: Option<(String,)> = sqlx::query_as(
        "SELECT s.slug FROM store_slugs h JOIN stores s ON s.id = h.store_id WHERE h.slug = $1",
    )
    .bind(slug)
    .fetch_optional(db.pool())
    .await?;
    Ok(found.map(|(s,)| s))
}

/// The default language of the store a payment (by tracking code) was made at, if there is
/// such a payment.
pub async fn payment_lang(db: &Db, code: &str) -> Result<Option<String>, DbError> {
    let lang: Option<(String,)> = sqlx::query_as(
        "SELECT s.default_lang FROM stores s JOIN payments p ON p.store_id = s.id \
         WHERE p.tracking_code = $1",
    )
    .bind(code)
    .fetch_optional(db.pool())
    .await?;
    Ok(lang.map(|(l,)| l))
}

pub async fn by_id(db: &Db, store_id: i64) -> Result<Option<Store>, DbError> {
    let row: Option<StoreRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM stores WHERE id = $1"))
            .bind(store_id)
            .fetch_optional(db.pool())
            .await?;
    row.map(Store::try_from).transpose()
}

pub async fn set_maintenance(db: &Db, store_id: i64, on: bool) -> Result<(), DbError> {
    sqlx::query("UPDATE stores SET maintenance = $1 WHERE id = $2")
        .bind(flag(on))
        .bind(store_id)
        .execute(db.writer().await.pool())
        .await?;
    Ok(())
}

/// Sets what receipts say about the store (the settings page saves it with the rest).
pub async fn set_legal(db: &Db, store_id: i64, legal: &Legal) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE stores SET legal_name = $1, registration_number = $2, address = $3, \
         time_zone = $4 WHERE id = $5",
    )
    .bind(legal.legal_name.as_deref())
    .bind(legal.registration_number.as_deref())
    .bind(legal.address.as_deref())
    .bind(&legal.time_zone)
    .bind(store_id)
    .execute(db.writer().await.pool())
    .await?;
    Ok(())
}

/// What the merchant edits on the store settings page.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub name: String,
    pub slug: String,
    pub currency: Currency,
    pub toman_display: bool,
    pub default_lang: String,
    pub notification_email: Option<String>,
    pub maintenance: bool,
    pub legal: Legal,
}

/// Saves the settings; a slug another store has fails with a unique violation
/// ([`DbError::is_unique_violation`]).
pub async fn update(db: &Db, store_id: i64, s: &Settings) -> Result<Store, DbError> {
    let row: StoreRow = sqlx::query_as(&format!(
        "UPDATE stores SET name = $1, slug = $2, currency = $3, toman_display = $4, \
         default_lang = $5, notification_email = $6, maintenance = $7, legal_name = $8, \
         registration_number = $9, address = $10, time_zone = $11 WHERE id = $12 \
         RETURNING {COLUMNS}"
    ))
    .bind(&s.name)
    .bind(&s.slug)
    .bind(s.currency.code())
    .bind(flag(s.toman_display))
    .bind(&s.default_lang)
    .bind(s.notification_email.as_deref())
    .bind(flag(s.maintenance))
    .bind(s.legal.legal_name.as_deref())
    .bind(s.legal.registration_number.as_deref())
    .bind(s.legal.address.as_deref())
    .bind(&s.legal.time_zone)
    .bind(store_id)
    .fetch_one(db.writer().await.pool())
    .await?;
    row.try_into()
}
