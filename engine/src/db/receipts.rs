//! Receipts: one per paid payment, numbered per store without gaps. The number comes from
//! `stores.receipt_seq`, advanced in the same transaction as the receipt's insert: the
//! store's row is written first (a row lock on PostgreSQL, the write lock on SQLite), so two
//! servers issuing at once take turns, and a transaction that rolls back gives its number
//! back. A receipt is never changed or deleted.

use sqlx::FromRow;

use super::payments::{Payment, Source, insert_event};
use super::{Db, DbError};

#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct Receipt {
    pub id: i64,
    pub store_id: i64,
    pub payment_id: i64,
    /// The store's receipt number: 1, 2, 3… without gaps.
    pub number: i64,
    /// The unguessable key of the receipt's public check page.
    pub token: String,
    pub issued_at: i64,
}

const COLUMNS: &str = "id, store_id, payment_id, number, token, issued_at";

/// Issues the receipt of `payment` (which must be paid), or returns the one it already has:
/// running this twice, or on two servers at once, issues one receipt under one number.
pub async fn issue(db: &Db, payment: &Payment, now: i64) -> Result<Receipt, DbError> {
    // Issued receipts never change: one found needs no lock (the receipt's job and the
    // payer's e-mail both ask).
    if let Some(receipt) = of_payment(db, payment.store_id, payment.id).await? {
        return Ok(receipt);
    }
    let mut tx = db.begin().await?;
    let number = next_number(&mut tx, payment.store_id).await?;
    // Read after taking the store's lock: a receipt another server just issued is visible.
    let existing: Option<Receipt> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM receipts WHERE store_id = $1 AND payment_id = $2"
    ))
    .bind(payment.store_id)
    .bind(payment.id)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(receipt) = existing {
        tx.rollback().await?;
        return Ok(receipt);
    }
    let receipt: Receipt = sqlx::query_as(&format!(
        "INSERT INTO receipts (store_id, payment_id, number, token, issued_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
    ))
    .bind(payment.store_id)
    .bind(payment.id)
    .bind(number)
    .bind(crate::tracking::random_token())
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    commit_issued(tx, payment, "receipt_issued", number).await?;
    Ok(receipt)
}

/// Logs the document numbered `number` in `payment`'s timeline (event `kind`) and commits
/// the transaction that issued it.
pub(super) async fn commit_issued(
    mut tx: super::Tx,
    payment: &Payment,
    kind: &str,
    number: i64,
) -> Result<(), DbError> {
    insert_event(
        &mut tx,
        payment.store_id,
        payment.id,
        Source::System,
        kind,
        Some(payment.status),
        None,
        Some(&number.to_string()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Takes the store's next document number (receipts and cancelling documents share one
/// series), locking the store's row until the caller's transaction ends.
pub(super) async fn next_number(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    store_id: i64,
) -> Result<i64, DbError> {
    let (number,): (i64,) = sqlx::query_as(
        "UPDATE stores SET receipt_seq = receipt_seq + 1 WHERE id = $1 RETURNING receipt_seq",
    )
    .bind(store_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(number)
}

pub async fn of_payment(
    db: &Db,
    store_id: i64,
    payment_id: i64,
) -> Result<Option<Receipt>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM receipts WHERE store_id = $1 AND payment_id = $2"
    ))
    .bind(store_id)
    .bind(payment_id)
    .fetch_optional(db.pool())
    .await?)
}

/// The receipt a public check page names: holding its token is what lets anyone see it.
pub async fn by_token(db: &Db, token: &str) -> Result<Option<Receipt>, DbError> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM receipts WHERE token = $1"))
            .bind(token)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Counts a PDF made of `receipt`: `true` for its first (the original), `false` for a copy.
pub async fn pdf_made(db: &Db, receipt: &Receipt) -> Result<bool, DbError> {
    let (made,): (i64,) = sqlx::query_as(
        "INSERT INTO receipt_pdfs (receipt_id, made) VALUES ($1, 1) \
         ON CONFLICT (receipt_id) DO UPDATE SET made = receipt_pdfs.made + 1 RETURNING made",
    )
    .bind(receipt.id)
    .fetch_one(db.writer().await.pool())
    .await?;
    Ok(made == 1)
}

/// A receipt or a cancelling document as the store's list shows it.
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct Listed {
    pub number: i64,
    pub token: String,
    pub issued_at: i64,
    pub payment_id: i64,
    pub payer_name: String,
    /// Paid (a receipt) or sent back (a cancelling document).
    pub amount: i64,
    pub currency: String,
    /// On a cancelling document: the number of the receipt it cancels.
    pub cancels: Option<i64>,
}

/// Documents a page of the store's list shows.
pub const PAGE: i64 = 50;

/// A page of the store's documents (receipts and those cancelling them, one series), newest
/// first: those numbered below `before` (the newest with `None`).
pub async fn page_of_store(
    db: &Db,
    store_id: i64,
    before: Option<i64>,
) -> Result<Vec<Listed>, DbError> {
    Ok(sqlx::query_as(
        "SELECT number, token, issued_at, payment_id, payer_name, amount, currency, cancels \
         FROM (SELECT r.number, r.token, r.issued_at, r.payment_id, p.payer_name, p.amount, \
                      p.currency, CAST(NULL AS BIGINT) AS cancels \
               FROM receipts r JOIN payments p ON p.id = r.payment_id \
               WHERE r.store_id = $1 AND r.number < $2 \
               UNION ALL \
               SELECT c.number, c.token, c.issued_at, c.payment_id, p.payer_name, c.amount, \
                      p.currency, r.number AS cancels \
               FROM cancellations c JOIN payments p ON p.id = c.payment_id \
               JOIN receipts r ON r.id = c.receipt_id \
               WHERE c.store_id = $1 AND c.number < $2) documents \
         ORDER BY number DESC LIMIT $3",
    )
    .bind(store_id)
    .bind(before.unwrap_or(i64::MAX))
    .bind(PAGE)
    .fetch_all(db.pool())
    .await?)
}

/// A store's receipts, by number.
pub async fn of_store(db: &Db, store_id: i64) -> Result<Vec<Receipt>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM receipts WHERE store_id = $1 ORDER BY number"
    ))
    .bind(store_id)
    .fetch_all(db.pool())
    .await?)
}
