//! Payment methods: one provider account of a store, with its limits and configuration.

use sqlx::FromRow;

use super::{Db, DbError, flag};
use crate::money::Discount;
pub use crate::public::PublicMethod;
use crate::time::now_millis;

#[derive(Clone, Debug, FromRow)]
struct MethodRow {
    id: i64,
    store_id: i64,
    provider: String,
    display_name: String,
    live: i64,
    enabled: i64,
    min_amount: Option<i64>,
    max_amount: Option<i64>,
    config: String,
    secrets: Option<String>,
    discount_kind: Option<String>,
    discount_value: Option<i64>,
}

/// A method as the server sees it, including its provider configuration. Never send this to a
/// browser: `secrets` holds sealed credentials (and `config`, in rows written before secrets
/// were sealed, plain ones).
#[derive(Clone, Debug, PartialEq)]
pub struct PaymentMethod {
    pub id: i64,
    pub store_id: i64,
    pub provider: String,
    pub display_name: String,
    pub live: bool,
    pub enabled: bool,
    pub min_amount: Option<i64>,
    pub max_amount: Option<i64>,
    pub config: String,
    /// The credentials, sealed (`secrets::SecretKey::seal`) for `secrets_context(store_id)`.
    pub secrets: Option<String>,
    pub discount: Option<Discount>,
}

/// What a method's sealed credentials are bound to: its store.
pub fn secrets_context(store_id: i64) -> String {
    format!("kassa-method-secrets:{store_id}")
}

impl From<MethodRow> for PaymentMethod {
    fn from(r: MethodRow) -> PaymentMethod {
        PaymentMethod {
            id: r.id,
            store_id: r.store_id,
            provider: r.provider,
            display_name: r.display_name,
            live: r.live != 0,
            enabled: r.enabled != 0,
            min_amount: r.min_amount,
            max_amount: r.max_amount,
            config: r.config,
            secrets: r.secrets,
            discount: Discount::from_parts(r.discount_kind.as_deref(), r.discount_value),
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
            discount: self.discount,
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
    pub secrets: Option<&'a str>,
    pub discount: Option<Discount>,
}

const COLUMNS: &str = "id, store_id, provider, display_name, live, enabled, min_amount, max_amount, \
                       config, secrets, discount_kind, discount_value";

pub async fn create(db: &Db, store_id: i64, new: NewMethod<'_>) -> Result<PaymentMethod, DbError> {
    let row: MethodRow = sqlx::query_as(&format!(
        "INSERT INTO payment_methods (store_id, provider, display_name, live, min_amount, max_amount, \
         config, secrets, discount_kind, discount_value, position, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
         (SELECT COUNT(*) FROM payment_methods WHERE store_id = $1), $11) RETURNING {COLUMNS}"
    ))
    .bind(store_id)
    .bind(new.provider)
    .bind(new.display_name)
    .bind(flag(new.live))
    .bind(new.min_amount)
    .bind(new.max_amount)
    .bind(new.config)
    .bind(new.secrets)
    .bind(new.discount.map(|d| d.to_parts().0))
    .bind(new.discount.map(|d| d.to_parts().1))
    .bind(now_millis())
    .fetch_one(db.writer().await.pool())
    .await?;
    Ok(row.into())
}

/// The methods customers may choose, in the merchant's order.
pub async fn list_enabled(db: &Db, store_id: i64) -> Result<Vec<PaymentMethod>, DbError> {
    list(db, store_id, "AND enabled = 1").await
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
            .execute(db.writer().await.pool())
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Every method of the store, enabled or not, in the merchant's order.
pub async fn list_all(db: &Db, store_id: i64) -> Result<Vec<PaymentMethod>, DbError> {
    list(db, store_id, "").await
}

async fn list(db: &Db, store_id: i64, filter: &str) -> Result<Vec<PaymentMethod>, DbError> {
    let rows: Vec<MethodRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM payment_methods WHERE store_id = $1 {filter} ORDER BY position, id"
    ))
    .bind(store_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Rewrites a method's settings (not its provider); `false` when the store has no method `id`.
pub async fn update(db: &Db, store_id: i64, id: i64, m: &NewMethod<'_>) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE payment_methods SET display_name = $1, live = $2, min_amount = $3, \
         max_amount = $4, config = $5, secrets = $6, discount_kind = $7, discount_value = $8 \
         WHERE store_id = $9 AND id = $10 AND provider = $11",
    )
    .bind(m.display_name)
    .bind(flag(m.live))
    .bind(m.min_amount)
    .bind(m.max_amount)
    .bind(m.config)
    .bind(m.secrets)
    .bind(m.discount.map(|d| d.to_parts().0))
    .bind(m.discount.map(|d| d.to_parts().1))
    .bind(store_id)
    .bind(id)
    .bind(m.provider)
    .execute(db.writer().await.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves a method one place up (`-1`) or down (`1`) in the store's order; `false` when the
/// store has no method `id`.
pub async fn shift(db: &Db, store_id: i64, id: i64, step: i64) -> Result<bool, DbError> {
    let order = list_all(db, store_id).await?;
    let Some(at) = order.iter().position(|m| m.id == id) else {
        return Ok(false);
    };
    let to = (at as i64 + step).clamp(0, order.len() as i64 - 1) as usize;
    let mut ids: Vec<i64> = order.iter().map(|m| m.id).collect();
    let moved = ids.remove(at);
    ids.insert(to, moved);
    let mut tx = db.begin().await?;
    for (position, id) in ids.iter().enumerate() {
        sqlx::query("UPDATE payment_methods SET position = $1 WHERE store_id = $2 AND id = $3")
            .bind(position as i64)
            .bind(store_id)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    tx.commit().await?;
    Ok(true)
}
