//! Payment methods: one provider account of a store, with its limits and configuration.

use sqlx::FromRow;

use super::{Db, DbError, flag};
pub use crate::public::PublicMethod;
use crate::time::now_millis;

#[derive(Clone, Debug, FromRow)]
struct MethodRow {
    id: i64,
    provider: String,
    display_name: String,
    live: i64,
    enabled: i64,
    min_amount: Option<i64>,
    max_amount: Option<i64>,
    config: String,
}

/// A method as the server sees it, including its provider configuration. Never send this to a
/// browser: `config` holds credentials.
#[derive(Clone, Debug, PartialEq)]
pub struct PaymentMethod {
    pub id: i64,
    pub provider: String,
    pub display_name: String,
    pub live: bool,
    pub enabled: bool,
    pub min_amount: Option<i64>,
    pub max_amount: Option<i64>,
    pub config: String,
}

impl From<MethodRow> for PaymentMethod {
    fn from(r: MethodRow) -> PaymentMethod {
        PaymentMethod {
            id: r.id,
            provider: r.provider,
            display_name: r.display_name,
            live: r.live != 0,
            enabled: r.enabled != 0,
            min_amount: r.min_amount,
            max_amount: r.max_amount,
            config: r.config,
        }
    }
}

impl PaymentMethod {
    pub fn public(&self) -> PublicMethod {
        PublicMethod {
            id: self.id,
            provider: self.provider.clone(),
            display_name: self.display_name.clone(),
            min_amount: self.min_amount,
            max_amount: self.max_amount,
        }
    }
}

pub struct NewMethod<'a> {
    pub provider: &'a str,
    pub display_name: &'a str,
    pub live: bool,
    pub min_amount: Option<i64>,
    pub max_amount: Option<i64>,
    pub config: &'a str,
}

const COLUMNS: &str = "id, provider, display_name, live, enabled, min_amount, max_amount, config";

pub async fn create(db: &Db, store_id: i64, new: NewMethod<'_>) -> Result<PaymentMethod, DbError> {
    let row: MethodRow = sqlx::query_as(&format!(
        "INSERT INTO payment_methods (store_id, provider, display_name, live, min_amount, max_amount, config, position, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT COUNT(*) FROM payment_methods WHERE store_id = $1), $8) \
         RETURNING {COLUMNS}"
    ))
    .bind(store_id)
    .bind(new.provider)
    .bind(new.display_name)
    .bind(flag(new.live))
    .bind(new.min_amount)
    .bind(new.max_amount)
    .bind(new.config)
    .bind(now_millis())
    .fetch_one(db.pool())
    .await?;
    Ok(row.into())
}

pub async fn list_enabled(db: &Db, store_id: i64) -> Result<Vec<PaymentMethod>, DbError> {
    let rows: Vec<MethodRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM payment_methods WHERE store_id = $1 AND enabled = 1 ORDER BY position, id"
    ))
    .bind(store_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Any method of the store, enabled or not (a payment keeps its method after it is disabled).
pub async fn get(db: &Db, store_id: i64, id: i64) -> Result<Option<PaymentMethod>, DbError> {
    let row: Option<MethodRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM payment_methods WHERE store_id = $1 AND id = $2"
    ))
    .bind(store_id)
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(Into::into))
}

pub async fn set_enabled(db: &Db, store_id: i64, id: i64, enabled: bool) -> Result<bool, DbError> {
    let done =
        sqlx::query("UPDATE payment_methods SET enabled = $1 WHERE store_id = $2 AND id = $3")
            .bind(flag(enabled))
            .bind(store_id)
            .bind(id)
            .execute(db.pool())
            .await?;
    Ok(done.rows_affected() == 1)
}
