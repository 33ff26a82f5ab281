//! Payment links and their use counts. A use is taken in the transaction that creates the
//! payment (`reserve`, a conditional UPDATE, so concurrent payments cannot pass the limit) and
//! given back in the one that ends it without the money (`release`).

use sqlx::FromRow;

use super::{Db, DbError, flag};
pub use crate::links::PaymentLink;
use crate::time::now_millis;

#[derive(Clone, Copy)]
pub struct NewLink<'a> {
    pub token: &'a str,
    /// The store's currency: the one the link's amounts are in.
    pub currency: crate::money::Currency,
    pub signed: bool,
    pub terms: &'a str,
    pub payer_name: Option<&'a str>,
    pub description: Option<&'a str>,
    pub amount: Option<i64>,
    pub min_amount: Option<i64>,
    pub max_amount: Option<i64>,
    pub expires_at: Option<i64>,
    pub max_uses: Option<i64>,
}

#[derive(FromRow)]
struct LinkRow {
    id: i64,
    token: String,
    signed: i64,
    terms: String,
    payer_name: Option<String>,
    description: Option<String>,
    amount: Option<i64>,
    min_amount: Option<i64>,
    max_amount: Option<i64>,
    expires_at: Option<i64>,
    max_uses: Option<i64>,
    uses: i64,
    paid: i64,
    currency: String,
    created_at: i64,
}

impl From<LinkRow> for PaymentLink {
    fn from(r: LinkRow) -> PaymentLink {
        PaymentLink {
            id: r.id,
            token: r.token,
            signed: r.signed != 0,
            terms: r.terms,
            payer_name: r.payer_name,
            description: r.description,
            amount: r.amount,
            min_amount: r.min_amount,
            max_amount: r.max_amount,
            expires_at: r.expires_at,
            max_uses: r.max_uses,
            uses: r.uses,
            paid: r.paid,
            currency: r.currency,
            created_at: r.created_at,
        }
    }
}

const SELECT: &str = "SELECT l.id, l.token, l.signed, l.terms, l.payer_name, l.description, \
    l.amount, l.min_amount, l.max_amount, l.expires_at, l.max_uses, l.uses, \
    (SELECT COUNT(*) FROM payments p WHERE p.link_id = l.id AND p.status = 'paid') AS paid, \
    l.currency, l.created_at FROM payment_links l";

pub async fn create(db: &Db, store_id: i64, new: NewLink<'_>) -> Result<i64, DbError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO payment_links (store_id, token, signed, terms, payer_name, description, \
         amount, min_amount, max_amount, expires_at, max_uses, currency, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(store_id)
    .bind(new.token)
    .bind(flag(new.signed))
    .bind(new.terms)
    .bind(new.payer_name)
    .bind(new.description)
    .bind(new.amount)
    .bind(new.min_amount)
    .bind(new.max_amount)
    .bind(new.expires_at)
    .bind(new.max_uses)
    .bind(new.currency.code())
    .bind(now_millis())
    .fetch_one(db.writer().await.pool())
    .await?;
    Ok(id)
}

/// How many of the store's links were made in another currency than `currency`: those a
/// currency change leaves refused.
pub async fn count_in_other_currency(
    db: &Db,
    store_id: i64,
    currency: crate::money::Currency,
) -> Result<i64, DbError> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM payment_links WHERE store_id = $1 AND currency <> $2")
            .bind(store_id)
            .bind(currency.code())
            .fetch_one(db.pool())
            .await?;
    Ok(n)
}

pub async fn by_token(db: &Db, store_id: i64, token: &str) -> Result<Option<PaymentLink>, DbError> {
    let row: Option<LinkRow> =
        sqlx::query_as(&format!("{SELECT} WHERE l.store_id = $1 AND l.token = $2"))
            .bind(store_id)
            .bind(token)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map(PaymentLink::from))
}

pub async fn by_id(db: &Db, store_id: i64, id: i64) -> Result<Option<PaymentLink>, DbError> {
    let row: Option<LinkRow> =
        sqlx::query_as(&format!("{SELECT} WHERE l.store_id = $1 AND l.id = $2"))
            .bind(store_id)
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map(PaymentLink::from))
}

/// The store's links, newest first.
pub async fn list(db: &Db, store_id: i64) -> Result<Vec<PaymentLink>, DbError> {
    let rows: Vec<LinkRow> = sqlx::query_as(&format!(
        "{SELECT} WHERE l.store_id = $1 ORDER BY l.created_at DESC, l.id DESC"
    ))
    .bind(store_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(PaymentLink::from).collect())
}

/// Takes one use of the link unless its limit is reached; `false`: used up.
pub(crate) async fn reserve(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    store_id: i64,
    link_id: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE payment_links SET uses = uses + 1 \
         WHERE store_id = $1 AND id = $2 AND (max_uses IS NULL OR uses < max_uses)",
    )
    .bind(store_id)
    .bind(link_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives back the use of a payment that ended without the money.
pub(crate) async fn release(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    store_id: i64,
    link_id: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE payment_links SET uses = uses - 1 WHERE store_id = $1 AND id = $2 AND uses > 0",
    )
    .bind(store_id)
    .bind(link_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
