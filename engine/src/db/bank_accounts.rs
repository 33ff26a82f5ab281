//! The store's bank accounts that customers may pay into with a bank slip.

use super::{Db, DbError};
pub use crate::public::BankAccount;
use crate::time::now_millis;

pub struct NewBankAccount<'a> {
    pub bank_name: &'a str,
    pub holder: &'a str,
    pub account_number: &'a str,
    pub iban: Option<&'a str>,
    pub card_number: Option<&'a str>,
}

const COLUMNS: &str = "id, bank_name, holder, account_number, iban, card_number";

pub async fn create(
    db: &Db,
    store_id: i64,
    new: NewBankAccount<'_>,
) -> Result<BankAccount, DbError> {
    Ok(sqlx::query_as(&format!(
        "INSERT INTO bank_accounts (store_id, bank_name, holder, account_number, iban, card_number, position, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, (SELECT COUNT(*) FROM bank_accounts WHERE store_id = $1), $7) \
         RETURNING {COLUMNS}"
    ))
    .bind(store_id)
    .bind(new.bank_name)
    .bind(new.holder)
    .bind(new.account_number)
    .bind(new.iban)
    .bind(new.card_number)
    .bind(now_millis())
    .fetch_one(db.pool())
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
        .bind(super::flag(active))
        .bind(store_id)
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}
