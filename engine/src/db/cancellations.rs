//! Cancelling documents: money the provider sent back (a refund, a chargeback) for a payment
//! whose receipt was issued. The receipt stays as it was issued; a document of its own says
//! which receipt it cancels and how much of it, numbered from the receipts' series
//! (`receipts::next_number`) in the transaction that inserts it, so the store's numbers stay
//! gapless across both. One per provider transaction; never changed or deleted.

use sqlx::FromRow;

use super::payments::Payment;
use super::receipts::{self, Receipt};
use super::{Db, DbError};

#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct Cancellation {
    pub id: i64,
    pub store_id: i64,
    pub receipt_id: i64,
    pub payment_id: i64,
    /// Its number in the store's series of receipts.
    pub number: i64,
    /// The unguessable key of its public page.
    pub token: String,
    /// What went back to the payer, in the payment's minor units.
    pub amount: i64,
    /// The provider's word for it (`paypal:refunded`, `everypay:chargebacked`).
    pub reason: String,
    /// The provider's transaction that sent the money back.
    pub reference: String,
    pub issued_at: i64,
}

const COLUMNS: &str =
    "id, store_id, receipt_id, payment_id, number, token, amount, reason, reference, issued_at";

/// Money sent back, as the provider reported it.
#[derive(Clone, Copy, Debug)]
pub struct Returned<'a> {
    pub reason: &'a str,
    pub reference: &'a str,
    pub amount: i64,
}

/// Cancels `receipt` (of `payment`) by what was `returned`, or returns the document already
/// issued for that provider transaction. `None` when it would send back more than the
/// receipt has left (nothing is issued: the caller tells the merchant).
pub async fn issue(
    db: &Db,
    payment: &Payment,
    receipt: &Receipt,
    returned: Returned<'_>,
    now: i64,
) -> Result<Option<Cancellation>, DbError> {
    if let Some(issued) = find(db.pool(), receipt.id, returned.reference).await? {
        return Ok(Some(issued));
    }
    let mut tx = db.begin().await?;
    let number = receipts::next_number(&mut tx, receipt.store_id).await?;
    // Read after taking the store's lock: what another server just issued is visible.
    if let Some(issued) = find(&mut **tx, receipt.id, returned.reference).await? {
        tx.rollback().await?;
        return Ok(Some(issued));
    }
    let (before,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM cancellations WHERE receipt_id = $1",
    )
    .bind(receipt.id)
    .fetch_one(&mut **tx)
    .await?;
    if returned.amount <= 0 || before + returned.amount > payment.amount {
        tx.rollback().await?;
        return Ok(None);
    }
    let issued: Cancellation = sqlx::query_as(&format!(
        "INSERT INTO cancellations (store_id, receipt_id, payment_id, number, token, amount, \
         reason, reference, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         RETURNING {COLUMNS}"
    ))
    .bind(receipt.store_id)
    .bind(receipt.id)
    .bind(receipt.payment_id)
    .bind(number)
    .bind(crate::tracking::random_token())
    .bind(returned.amount)
    .bind(returned.reason)
    .bind(returned.reference)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    receipts::commit_issued(tx, payment, "cancellation_issued", number).await?;
    Ok(Some(issued))
}

async fn find<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    receipt_id: i64,
    reference: &str,
) -> Result<Option<Cancellation>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM cancellations WHERE receipt_id = $1 AND reference = $2"
    ))
    .bind(receipt_id)
    .bind(reference)
    .fetch_optional(executor)
    .await?)
}

/// The documents cancelling `receipt`, by number.
pub async fn of_receipt(db: &Db, receipt: &Receipt) -> Result<Vec<Cancellation>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM cancellations WHERE store_id = $1 AND receipt_id = $2 \
         ORDER BY number"
    ))
    .bind(receipt.store_id)
    .bind(receipt.id)
    .fetch_all(db.pool())
    .await?)
}

/// The document a public page names: holding its token is what lets anyone see it.
pub async fn by_token(db: &Db, token: &str) -> Result<Option<Cancellation>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM cancellations WHERE token = $1"
    ))
    .bind(token)
    .fetch_optional(db.pool())
    .await?)
}

/// Counts a PDF made of `cancellation`: `true` for its first (the original), `false` for a
/// copy.
pub async fn pdf_made(db: &Db, cancellation: &Cancellation) -> Result<bool, DbError> {
    let (made,): (i64,) = sqlx::query_as(
        "INSERT INTO cancellation_pdfs (cancellation_id, made) VALUES ($1, 1) \
         ON CONFLICT (cancellation_id) DO UPDATE SET made = cancellation_pdfs.made + 1 \
         RETURNING made",
    )
    .bind(cancellation.id)
    .fetch_one(db.writer().await.pool())
    .await?;
    Ok(made == 1)
}
