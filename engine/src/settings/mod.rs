//! The back office's settings services: each checks what the merchant typed and saves it for
//! the merchant's own store. This module: the store settings page.

pub mod bank_accounts;
pub mod methods;

use crate::db::stores::{self, Settings, Store};
use crate::db::{Db, DbError};
use crate::validation::{self as v, Field, FieldErrors, Problem};

/// The settings form as typed; checkboxes are already booleans.
#[derive(Clone, Debug, Default)]
pub struct SettingsForm {
    pub name: String,
    pub slug: String,
    pub currency: String,
    pub toman_display: bool,
    pub language: String,
    pub notification_email: String,
    pub maintenance: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("the form has errors")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Storage(#[from] DbError),
}

pub async fn save(db: &Db, store_id: i64, form: &SettingsForm) -> Result<Store, SettingsError> {
    let mut errors = FieldErrors::default();
    let name = errors.check(Field::StoreName, v::required_text(&form.name, 80));
    let slug = errors.check(Field::Slug, v::slug(&form.slug));
    let currency = errors.check(Field::Currency, v::currency(&form.currency));
    let language = errors.check(Field::Language, v::language(&form.language));
    let email = errors.check(
        Field::Email,
        v::optional_email(&form.notification_email).map(|e| e.map(|e| e.to_lowercase())),
    );
    let (Some(name), Some(slug), Some(currency), Some(language), Some(notification_email)) =
        (name, slug, currency, language, email)
    else {
        return Err(SettingsError::Invalid(errors));
    };
    let settings = Settings {
        name,
        slug,
        currency,
        toman_display: form.toman_display,
        default_lang: language.to_owned(),
        notification_email,
        maintenance: form.maintenance,
    };
    stores::update(db, store_id, &settings).await.map_err(|e| {
        if e.is_unique_violation() {
            let mut errors = FieldErrors::default();
            errors.add(Field::Slug, Problem::Taken);
            SettingsError::Invalid(errors)
        } else {
            SettingsError::Storage(e)
        }
    })
}
