//! The payment methods page: a method's common settings (display name, live or test, amount
//! limits, discount) and its provider's fields. Provider fields marked secret are sealed
//! (`secrets`) and never shown again: a blank secret field on an edit keeps the saved value.

use serde_json::{Map, Value};

use super::SettingsError;
use crate::checkout::Checkout;
use crate::connectors::{ConnectError, Connector, Provider, registry};
use crate::db::DbError;
use crate::db::methods::{self, NewMethod, PaymentMethod, secrets_context};
use crate::db::stores::Store;
use crate::money::{Currency, Discount};
use crate::secrets::{self, SecretKey};
use crate::validation::{self as v, Field, FieldErrors, Problem, SettingName};

/// The form field of one of a provider's settings.
pub fn field(setting: &str) -> Field {
    Field::Setting(SettingName::parse(setting).expect("providers' settings have short names"))
}

/// Whether customers of a store in `currency` are offered `method` (and it may be started):
/// enabled, and its provider takes the currency.
pub fn offered(method: &PaymentMethod, currency: Currency) -> bool {
    method.enabled && registry::find(&method.provider).is_some_and(|p| p.takes(currency))
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
    let fields = registry::find(&method.provider).map_or(&[][..], |p| p.fields);
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
    /// The secrets before sealing, for the provider's connection check.
    plain_secrets: Map<String, Value>,
}

impl Checked {
    /// The configuration with its secrets, as a connector is opened with.
    fn values(&self) -> Map<String, Value> {
        let mut values: Map<String, Value> = serde_json::from_str(&self.config).unwrap_or_default();
        values.extend(self.plain_secrets.clone());
        values
    }
}

fn check(
    key: &SecretKey,
    store: &Store,
    provider: &Provider,
    form: &MethodForm,
    saved: Option<&PaymentMethod>,
) -> Result<Checked, SettingsError> {
    let fields = provider.fields;
    let (currency, unit) = (store.currency, store.unit());
    let mut errors = FieldErrors::default();
    let package = form.provider_value("package").trim();
    let unpacked = match provider.package {
        Some(read) if !package.is_empty() => {
            let read = read(package);
            if read.is_none() {
                errors.add(Field::Package, Problem::Invalid);
            }
            read.unwrap_or_default()
        }
        _ => Vec::new(),
    };
    if !provider.takes(currency) {
        errors.add(Field::Currency, Problem::CurrencyUnsupported);
    }
    let display_name = errors.check(Field::DisplayName, v::required_name(&form.display_name, 60));
    let (min_amount, max_amount) = super::amount_limits(
        &mut errors,
        &form.min_amount,
        &form.max_amount,
        currency,
        unit,
    );
    let discount = errors.check(
        Field::Discount,
        v::discount(&form.discount_kind, &form.discount_value, currency, unit),
    );

    let saved_values = match saved {
        // Unreadable secrets count as missing: the form asks for them again.
        Some(m) => saved_values(key, m)
            .unwrap_or_else(|_| serde_json::from_str(&m.config).unwrap_or_default()),
        None => Map::new(),
    };
    let (mut config, mut sealed) = (Map::new(), Map::new());
    for f in fields {
        let typed = unpacked
            .iter()
            .find(|(name, _)| *name == f.name)
            .map_or_else(|| form.provider_value(f.name), |(_, v)| v.as_str());
        let value = if f.secret && typed.trim().is_empty() {
            // A blank secret keeps the saved one; a new method must have it.
            match saved_values.get(f.name).and_then(Value::as_str) {
                Some(kept) => Some(kept.to_owned()),
                None => errors.check(field(f.name), Err(Problem::Required)),
            }
        } else {
            errors.check(field(f.name), (f.check)(typed))
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
            let plain_secrets = sealed.clone();
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
                plain_secrets,
            })
        }
        _ => Err(SettingsError::Invalid(errors)),
    }
}

/// The provider a method may be added for: one this server offers.
fn offered_provider(
    checkout: &Checkout,
    provider: &str,
) -> Result<&'static Provider, SettingsError> {
    registry::find(provider)
        .filter(|p| checkout.connectors().offers(p))
        .ok_or_else(unavailable)
}

/// The refusal of a provider this server does not offer.
fn unavailable() -> SettingsError {
    let mut errors = FieldErrors::default();
    errors.add(Field::Method, Problem::Unavailable);
    SettingsError::Invalid(errors)
}

/// Adds a method of `provider` to the store (enabled, in test mode unless `live`). A provider
/// whose accounts are connected (PayMe) connects the account to the store first; nothing is
/// saved if it refuses.
pub async fn add(
    checkout: &Checkout,
    store: &Store,
    provider: &str,
    form: &MethodForm,
) -> Result<i64, SettingsError> {
    let key = checkout.connectors().secret_key();
    let provider = offered_provider(checkout, provider)?;
    let c = check(key, store, provider, form, None)?;
    connect(checkout, store, provider, form.live, &c.values()).await?;
    let new = new_method(provider.id, form.live, &c);
    let method = methods::create(checkout.db(), store.id, new).await?;
    Ok(method.id)
}

/// Saves one of the store's methods; `Ok(false)` when the store has no method `id`. A changed
/// account (PayMe) is connected before saving, and the one it replaces disconnected after.
pub async fn edit(
    checkout: &Checkout,
    store: &Store,
    id: i64,
    form: &MethodForm,
) -> Result<bool, SettingsError> {
    let db = checkout.db();
    let key = checkout.connectors().secret_key();
    let Some(saved) = methods::get(db, store.id, id).await? else {
        return Ok(false);
    };
    let provider = registry::find(&saved.provider).ok_or_else(unavailable)?;
    let c = check(key, store, provider, form, Some(&saved))?;
    let values = c.values();
    if saved.enabled {
        connect(checkout, store, provider, form.live, &values).await?;
    }
    let new = new_method(provider.id, form.live, &c);
    let updated = methods::update(db, store.id, id, &new).await?;
    let account = |values: &Map<String, Value>| {
        provider
            .account
            .and_then(|name| values.get(name)?.as_str().map(str::to_owned))
    };
    let old_values = saved_values(key, &saved).ok();
    if updated && saved.enabled && old_values.as_ref().and_then(account) != account(&values) {
        disconnect(checkout, store, &saved).await;
    }
    Ok(updated)
}

/// Turns one of the store's methods on or off; `Ok(false)` when the store has no method `id`.
/// Turning off a method whose account is connected (PayMe) disconnects it from the store (the
/// provider is told, so the account can be connected to another store); turning it on
/// connects it again.
pub async fn set_enabled(
    checkout: &Checkout,
    store: &Store,
    id: i64,
    enabled: bool,
) -> Result<bool, SettingsError> {
    let db = checkout.db();
    let Some(saved) = methods::get(db, store.id, id).await? else {
        return Ok(false);
    };
    let provider = registry::find(&saved.provider);
    if enabled && !saved.enabled && provider.is_some_and(|p| p.account.is_some()) {
        let connector = checkout
            .connectors()
            .for_method(&saved)
            .map_err(|e| DbError::Corrupt(e.to_string()))?;
        connect_account(checkout, store, &connector).await?;
    }
    let changed = methods::set_enabled(db, store.id, id, enabled).await?;
    if changed && saved.enabled && !enabled {
        disconnect(checkout, store, &saved).await;
    }
    Ok(changed)
}

/// The identity of a store at a provider that connects accounts: Kassa's address and the
/// store's id.
pub fn store_ref(checkout: &Checkout, store: &Store) -> String {
    format!("{}#store-{}", checkout.public_url(), store.id)
}

/// Connects the account of a method being saved, for providers whose accounts are connected.
async fn connect(
    checkout: &Checkout,
    store: &Store,
    provider: &'static Provider,
    live: bool,
    values: &Map<String, Value>,
) -> Result<(), SettingsError> {
    if provider.account.is_none() {
        return Ok(());
    }
    if !checkout.connectors().offers(provider) {
        return Err(unavailable());
    }
    let connector = checkout
        .connectors()
        .open(provider, live, &Value::Object(values.clone()).to_string())
        .map_err(|e| DbError::Corrupt(e.to_string()))?;
    connect_account(checkout, store, &connector).await
}

/// Checks the account with its provider and connects it to the store; each refusal is a
/// field error the merchant can act on.
async fn connect_account(
    checkout: &Checkout,
    store: &Store,
    connector: &impl Connector,
) -> Result<(), SettingsError> {
    let refused = |field, problem| {
        let mut errors = FieldErrors::default();
        errors.add(field, problem);
        SettingsError::Invalid(errors)
    };
    match connector.connect(&store_ref(checkout, store)).await {
        Ok(()) => Ok(()),
        Err(ConnectError::Refused { setting, problem }) => Err(refused(field(setting), problem)),
        Err(ConnectError::Connector(err)) => {
            tracing::warn!(store = store.id, error = %err, "a provider could not check an account");
            Err(refused(Field::Method, Problem::ProviderUnreachable))
        }
    }
}

/// Tells the provider a store stopped using a method's account. A failure is logged and
/// otherwise ignored: the merchant's change stands, and the provider's support can release
/// the account.
async fn disconnect(checkout: &Checkout, store: &Store, method: &PaymentMethod) {
    if registry::find(&method.provider).is_none_or(|p| p.account.is_none()) {
        return;
    }
    let result = match checkout.connectors().for_method(method) {
        Ok(connector) => connector.disconnect(&store_ref(checkout, store)).await,
        Err(e) => Err(e),
    };
    if let Err(err) = result {
        tracing::warn!(store = store.id, method = method.id, error = %err, "a provider was not told of a disconnection");
    }
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
