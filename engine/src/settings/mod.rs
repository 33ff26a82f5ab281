//! The back office's settings services: each checks what the merchant typed and saves it for
//! the merchant's own store. This module: the store settings page.

pub mod bank_accounts;
pub mod links;
pub mod methods;

use crate::db::stores::{self, Legal, Settings, Store};
use crate::db::{Db, DbError};
use crate::money::{Currency, Unit};
use crate::validation::{self as v, Field, FieldErrors, Problem, optional_amount};

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
    pub legal_name: String,
    pub registration_number: String,
    pub address: String,
    pub time_zone: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("the form has errors")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Storage(#[from] DbError),
}

/// What changing the store's currency set aside: the enabled methods whose provider does not
/// take the new currency (by name; no longer offered) and the payment links made in another
/// currency (no longer taking payments). The merchant is told both.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CurrencyChange {
    pub methods_off: Vec<String>,
    pub links_off: i64,
}

/// The saved store, and what a currency change set aside, if the currency changed.
#[derive(Clone, Debug)]
pub struct Saved {
    pub store: Store,
    pub currency_change: Option<CurrencyChange>,
}

/// The legal details receipts show, as typed: all optional but the time zone, one of
/// `zones::OFFERED`.
fn legal(errors: &mut FieldErrors, form: &SettingsForm) -> Option<Legal> {
    let legal_name = errors.check(Field::LegalName, v::optional_name(&form.legal_name, 120));
    let registration_number = errors.check(
        Field::RegistrationNumber,
        v::optional_name(&form.registration_number, 40),
    );
    let address = errors.check(Field::Address, v::optional_name(&form.address, 200));
    let time_zone = errors.check(
        Field::TimeZone,
        crate::zones::OFFERED
            .iter()
            .find(|z| **z == form.time_zone.trim())
            .map(|z| (*z).to_owned())
            .ok_or(Problem::Unavailable),
    );
    Some(Legal {
        legal_name: legal_name?,
        registration_number: registration_number?,
        address: address?,
        time_zone: time_zone?,
    })
}

pub async fn save(db: &Db, store_id: i64, form: &SettingsForm) -> Result<Saved, SettingsError> {
    let mut errors = FieldErrors::default();
    let name = errors.check(Field::StoreName, v::required_name(&form.name, 80));
    let slug = errors.check(Field::Slug, v::slug(&form.slug));
    let currency = errors.check(Field::Currency, v::currency(&form.currency));
    let language = errors.check(Field::Language, v::language(&form.language));
    let email = errors.check(
        Field::Email,
        v::optional_email(&form.notification_email).map(|e| e.map(|e| e.to_lowercase())),
    );
    let legal = legal(&mut errors, form);
    let (Some(name), Some(slug), Some(currency), Some(language), Some(notification_email)) =
        (name, slug, currency, language, email)
    else {
        return Err(SettingsError::Invalid(errors));
    };
    let Some(legal) = legal else {
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
        legal,
    };
    let before = stores::by_id(db, store_id).await?.map(|s| s.currency);
    let store = stores::update(db, store_id, &settings).await.map_err(|e| {
        if e.is_unique_violation() {
            let mut errors = FieldErrors::default();
            errors.add(Field::Slug, Problem::Taken);
            SettingsError::Invalid(errors)
        } else {
            SettingsError::Storage(e)
        }
    })?;
    let currency_change = match before {
        Some(earlier) if earlier != store.currency => Some(CurrencyChange {
            methods_off: crate::db::methods::list_enabled(db, store_id)
                .await?
                .into_iter()
                .filter(|m| !methods::offered(m, store.currency))
                .map(|m| m.display_name)
                .collect(),
            links_off: crate::db::links::count_in_other_currency(db, store_id, store.currency)
                .await?,
        }),
        _ => None,
    };
    Ok(Saved {
        store,
        currency_change,
    })
}

/// Optional minimum and maximum amounts (`Field::MinAmount`, `Field::MaxAmount`); a maximum
/// below the minimum is refused. `None` where a field was refused.
pub(crate) fn amount_limits(
    errors: &mut FieldErrors,
    min: &str,
    max: &str,
    currency: Currency,
    unit: Unit,
) -> (Option<Option<i64>>, Option<Option<i64>>) {
    let min_amount = errors.check(Field::MinAmount, optional_amount(min, currency, unit));
    let max_amount = errors.check(Field::MaxAmount, optional_amount(max, currency, unit));
    if let (Some(Some(min)), Some(Some(max))) = (min_amount, max_amount)
        && max < min
    {
        errors.add(Field::MaxAmount, Problem::BelowMin(min));
    }
    (min_amount, max_amount)
}
