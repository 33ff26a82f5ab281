//! The payment methods page: a method's common settings (display name, live or test, amount
//! limits, discount) and its provider's fields. Provider fields marked secret are sealed
//! (`secrets`) and never shown again: a blank secret field on an edit keeps the saved value.

use serde_json::{Map, Value};

use super::SettingsError;
use crate::connectors::zarinpal;
use crate::db::methods::{self, NewMethod, PaymentMethod, secrets_context};
use crate::db::stores::Store;
use crate::db::{Db, DbError};
use crate::money::{Currency, Discount, Unit, parse_amount};
use crate::secrets::{self, SecretKey};
use crate::validation::{self as v, Field, FieldErrors, Problem};

/// One field of a provider's settings form.
pub struct ProviderField {
    /// The form input's name and the configuration key.
    pub name: &'static str,
    pub field: Field,
    /// Sealed at rest and shown only masked.
    pub secret: bool,
    pub check: fn(&str) -> Result<String, Problem>,
}

fn zarinpal_merchant_id(input: &str) -> Result<String, Problem> {
    let id = v::required_text(input, 36)?.to_ascii_lowercase();
    if zarinpal::valid_merchant_id(&id) {
        Ok(id)
    } else {
        Err(Problem::Invalid)
    }
}

const ZARINPAL: &[ProviderField] = &[ProviderField {
    name: "merchant_id",
    field: Field::MerchantId,
    secret: true,
    check: zarinpal_merchant_id,
}];

/// The providers a merchant can add, with their fields.
pub const PROVIDERS: &[(&str, &[ProviderField])] = &[(zarinpal::PROVIDER, ZARINPAL)];

pub fn provider_fields(provider: &str) -> Option<&'static [ProviderField]> {
    PROVIDERS
        .iter()
        .find(|(p, _)| *p == provider)
        .map(|(_, fields)| *fields)
}

/// A method form as typed. `discount_kind` is `none`, `fixed` or `percent`; `provider_values`
/// are the provider fields by name.
#[derive(Clone, Debug, Default)]
pub struct MethodForm {
    pub display_name: String,
    pub live: bool,
    pub min_amount: String,
    pub max_amount: String,
    pub discount_kind: String,
    pub discount_value: String,
    pub provider_values: Vec<(String, String)>,
}

impl MethodForm {
    fn provider_value(&self, name: &str) -> &str {
        self.provider_values
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

pub use crate::public::UNREADABLE_SECRET as UNREADABLE;

/// How a saved method's provider fields are shown: plain values, and secrets masked (or
/// [`UNREADABLE`]).
pub fn shown_fields(
    key: &SecretKey,
    method: &PaymentMethod,
) -> Result<Vec<(String, String)>, SettingsError> {
    let fields = provider_fields(&method.provider).unwrap_or_default();
    let (saved, readable) = match saved_values(key, method) {
        Ok(saved) => (saved, true),
        Err(_) => (
            serde_json::from_str(&method.config).unwrap_or_default(),
            false,
        ),
    };
    Ok(fields
        .iter()
        .map(|f| {
            let value = saved
                .get(f.name)
                .and_then(Value::as_str)
                .unwrap_or_default();
            let shown = if f.secret && !readable {
                UNREADABLE.to_owned()
            } else if f.secret {
                secrets::mask(value)
            } else {
                value.to_owned()
            };
            (f.name.to_owned(), shown)
        })
        .collect())
}

/// The method's configuration and opened secrets as one map.
fn saved_values(
    key: &SecretKey,
    method: &PaymentMethod,
) -> Result<Map<String, Value>, SettingsError> {
    let mut values: Map<String, Value> = serde_json::from_str(&method.config).unwrap_or_default();
    if let Some(sealed) = &method.secrets {
        let opened = key
            .open(sealed, &secrets_context(method.store_id))
            .map_err(|e| DbError::Corrupt(e.to_string()))?;
        values.extend(serde_json::from_str::<Map<String, Value>>(&opened).unwrap_or_default());
    }
    Ok(values)
}

struct Checked {
    display_name: String,
    min_amount: Option<i64>,
    max_amount: Option<i64>,
    discount: Option<Discount>,
    config: String,
    secrets: Option<String>,
}

fn check(
    key: &SecretKey,
    store: &Store,
    provider: &str,
    form: &MethodForm,
    saved: Option<&PaymentMethod>,
) -> Result<Checked, SettingsError> {
    let fields = provider_fields(provider).ok_or_else(|| {
        let mut errors = FieldErrors::default();
        errors.add(Field::Method, Problem::Unavailable);
        SettingsError::Invalid(errors)
    })?;
    let (currency, unit) = (store.currency, store.unit());
    let mut errors = FieldErrors::default();
    let display_name = errors.check(Field::DisplayName, v::required_text(&form.display_name, 60));
    let (min_amount, max_amount) = super::amount_limits(
        &mut errors,
        &form.min_amount,
        &form.max_amount,
        currency,
        unit,
    );
    let discount = errors.check(Field::Discount, discount(form, currency, unit));

    let saved_values = match saved {
        // Unreadable secrets count as missing: the form asks for them again.
        Some(m) => saved_values(key, m)
            .unwrap_or_else(|_| serde_json::from_str(&m.config).unwrap_or_default()),
        None => Map::new(),
    };
    let (mut config, mut sealed) = (Map::new(), Map::new());
    for f in fields {
        let typed = form.provider_value(f.name);
        let value = if f.secret && typed.trim().is_empty() {
            // A blank secret keeps the saved one; a new method must have it.
            match saved_values.get(f.name).and_then(Value::as_str) {
                Some(kept) => Some(kept.to_owned()),
                None => errors.check(f.field, Err(Problem::Required)),
            }
        } else {
            errors.check(f.field, (f.check)(typed))
        };
        if let Some(value) = value {
            let target = if f.secret { &mut sealed } else { &mut config };
            target.insert(f.name.to_owned(), Value::String(value));
        }
    }
    match (display_name, min_amount, max_amount, discount) {
        (Some(display_name), Some(min_amount), Some(max_amount), Some(discount))
            if errors.is_empty() =>
        {
            let secrets = (!sealed.is_empty()).then(|| {
                key.seal(
                    &Value::Object(sealed).to_string(),
                    &secrets_context(store.id),
                )
            });
            Ok(Checked {
                display_name,
                min_amount,
                max_amount,
                discount,
                config: Value::Object(config).to_string(),
                secrets,
            })
        }
        _ => Err(SettingsError::Invalid(errors)),
    }
}

/// A fixed discount is an amount in the store's unit; a percentage has up to two decimals and
/// is at most 100.
fn discount(
    form: &MethodForm,
    currency: Currency,
    unit: Unit,
) -> Result<Option<Discount>, Problem> {
    let value = form.discount_value.trim();
    match form.discount_kind.as_str() {
        "" | "none" => Ok(None),
        _ if value.is_empty() => Err(Problem::Required),
        "fixed" => parse_amount(value, currency, unit)
            .map(|v| Some(Discount::Fixed(v)))
            .map_err(Problem::from),
        "percent" => {
            let hundredths = Currency::parse("EUR").expect("EUR is supported");
            match parse_amount(value, hundredths, Unit::Standard) {
                Ok(bp) if bp > 10_000 => Err(Problem::AboveMax(10_000)),
                Ok(bp) => Ok(Some(Discount::Percent(bp))),
                Err(e) => Err(Problem::from(e)),
            }
        }
        _ => Err(Problem::Invalid),
    }
}

/// Adds a method of `provider` to the store (enabled, in test mode unless `live`).
pub async fn add(
    db: &Db,
    key: &SecretKey,
    store: &Store,
    provider: &str,
    form: &MethodForm,
) -> Result<i64, SettingsError> {
    let c = check(key, store, provider, form, None)?;
    let method = methods::create(db, store.id, new_method(provider, form.live, &c)).await?;
    Ok(method.id)
}

/// Saves one of the store's methods; `Ok(false)` when the store has no method `id`.
pub async fn edit(
    db: &Db,
    key: &SecretKey,
    store: &Store,
    id: i64,
    form: &MethodForm,
) -> Result<bool, SettingsError> {
    let Some(saved) = methods::get(db, store.id, id).await? else {
        return Ok(false);
    };
    let c = check(key, store, &saved.provider, form, Some(&saved))?;
    let new = new_method(&saved.provider, form.live, &c);
    Ok(methods::update(db, store.id, id, &new).await?)
}

fn new_method<'a>(provider: &'a str, live: bool, c: &'a Checked) -> NewMethod<'a> {
    NewMethod {
        provider,
        display_name: &c.display_name,
        live,
        min_amount: c.min_amount,
        max_amount: c.max_amount,
        config: &c.config,
        secrets: c.secrets.as_deref(),
        discount: c.discount,
    }
}
