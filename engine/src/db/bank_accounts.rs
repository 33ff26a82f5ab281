//! The store's bank accounts that customers may pay into with a bank slip.

use sqlx::FromRow;

use super::{Db, DbError, flag};
pub use crate::public::{BankAccount, ManagedAccount};
use crate::time::now_millis;

pub struct NewBankAccount<'a> {
    pub bank_name: &'a str,
    pub holder: &'a str,
    pub account_number: &'a str,
    pub iban: Option<&'a str>,
    pub card_number: Option<&'a str>,
    /// Providers settle card payments into it.
    pub merchant_account: bool,
}

const COLUMNS: &str = "id, bank_name, holder, account_number, iban, card_number";

pub async fn create(
    db: &Db,
    store_id: i64,
    new: NewBankAccount<'_>,
) -> Result<BankAccount, DbError> {
    Ok(sqlx::query_as(&format!(
        "INSERT INTO bank_accounts (store_id, bank_name, holder, account_number, iban, card_number, \
         merchant_account, position, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, \
         (SELECT COUNT(*) FROM bank_accounts WHERE store_id = $1), $8) RETURNING {COLUMNS}"
    ))
    .bind(store_id)
    .bind(new.bank_name)
    .bind(new.holder)
    .bind(new.account_number)
    .bind(new.iban)
    .bind(new.card_number)
    .bind(flag(new.merchant_account))
    .bind(now_millis())
    .fetch_one(db.writer().await.pool())
    .await?)
}

/// The accounts a customer may choose for a bank slip, in the merchant's order.
pub async fn list_active(db: &Db, store_id: i64) -> Result<Vec<BankAccount>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM bank_accounts WHERE store_id = $1 AND active = 1 ORDER BY position, id"
    ))
    .bind(store_id)
    .fetch_all(db.pool())
    .await?)
}

pub async fn get_active(db: &Db, store_id: i64, id: i64) -> Result<Option<BankAccount>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM bank_accounts WHERE store_id = $1 AND id = $2 AND active = 1"
    ))
    .bind(store_id)
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}

pub async fn set_active(db: &Db, store_id: i64, id: i64, active: bool) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE bank_accounts SET active = $1 WHERE store_id = $2 AND id = $3")
        .bind(flag(active))
        .bind(store_id)
        .bind(id)
        .execute(db.writer().await.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(FromRow)]
struct ManagedRow {
    #[sqlx(flatten)]
    account: BankAccount,
    active: i64,
    merchant_account: i64,
}

impl From<ManagedRow> for ManagedAccount {
    fn from(r: ManagedRow) -> ManagedAccount {
        ManagedAccount {
            account: r.account,
            active: r.active != 0,
            merchant_account: r.merchant_account != 0,
        }
    }
}

/// Every account of the store, in the merchant's order.
pub async fn list_all(db: &Db, store_id: i64) -> Result<Vec<ManagedAccount>, DbError> {
    let rows: Vec<ManagedRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS}, active, merchant_account FROM bank_accounts WHERE store_id = $1 \
         ORDER BY position, id"
    ))
    .bind(store_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Rewrites an account's details; `false` when the store has no such account.
pub async fn update(
    db: &Db,
    store_id: i64,
    id: i64,
    fields: &NewBankAccount<'_>,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE bank_accounts SET bank_name = $1, holder = $2, account_number = $3, iban = $4, \
         card_number = $5, merchant_account = $6 WHERE store_id = $7 AND id = $8",
    )
    .bind(fields.bank_name)
    .bind(fields.holder)
    .bind(fields.account_number)
    .bind(fields.iban)
    .bind(fields.card_number)
    .bind(flag(fields.merchant_account))
    .bind(store_id)
    .bind(id)
    .execute(db.writer().await.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}
