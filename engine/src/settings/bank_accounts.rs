//! The bank accounts page: add and edit a store's accounts, switch them on and off.

use crate::bank;
use crate::db::Db;
use crate::db::bank_accounts::{self, NewBankAccount};
use crate::validation::{self as v, Field, FieldErrors};

use super::SettingsError;

/// An account form as typed.
#[derive(Clone, Debug, Default)]
pub struct AccountForm {
    pub bank_name: String,
    pub holder: String,
    pub account_number: String,
    pub iban: String,
    pub card_number: String,
    pub merchant_account: bool,
}

struct Checked {
    bank_name: String,
    holder: String,
    account_number: String,
    iban: Option<String>,
    card_number: Option<String>,
}

fn check(form: &AccountForm) -> Result<Checked, SettingsError> {
    let mut errors = FieldErrors::default();
    let bank_name = errors.check(Field::BankName, v::required_name(&form.bank_name, 80));
    let holder = errors.check(Field::Holder, v::required_name(&form.holder, 120));
    let account_number = errors.check(
        Field::AccountNumber,
        bank::account_number(&form.account_number),
    );
    let iban = errors.check(Field::Iban, bank::optional_iban(&form.iban));
    let card_number = errors.check(
        Field::CardNumber,
        bank::optional_card_number(&form.card_number),
    );
    match (bank_name, holder, account_number, iban, card_number) {
        (Some(bank_name), Some(holder), Some(account_number), Some(iban), Some(card_number)) => {
            Ok(Checked {
                bank_name,
                holder,
                account_number,
                iban,
                card_number,
            })
        }
        _ => Err(SettingsError::Invalid(errors)),
    }
}

impl Checked {
    fn fields(&self, merchant_account: bool) -> NewBankAccount<'_> {
        NewBankAccount {
            bank_name: &self.bank_name,
            holder: &self.holder,
            account_number: &self.account_number,
            iban: self.iban.as_deref(),
            card_number: self.card_number.as_deref(),
            merchant_account,
        }
    }
}

/// Adds an account (active) to the store.
pub async fn add(db: &Db, store_id: i64, form: &AccountForm) -> Result<i64, SettingsError> {
    let checked = check(form)?;
    let account =
        bank_accounts::create(db, store_id, checked.fields(form.merchant_account)).await?;
    Ok(account.id)
}

/// Saves an account's details; `Ok(false)` when the store has no account `id`.
pub async fn edit(
    db: &Db,
    store_id: i64,
    id: i64,
    form: &AccountForm,
) -> Result<bool, SettingsError> {
    let checked = check(form)?;
    Ok(bank_accounts::update(db, store_id, id, &checked.fields(form.merchant_account)).await?)
}
