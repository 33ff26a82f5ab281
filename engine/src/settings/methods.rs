//! The payment methods page: a method's common settings (display name, live or test, amount
//! limits, discount) and its provider's fields. Provider fields marked secret are sealed
//! (`secrets`) and never shown again: a blank secret field on an edit keeps the saved value.

use serde_json::{Map, Value};

use super::SettingsError;
use crate::checkout::Checkout;
use crate::connectors::payme::{self, ConnectError, ConnectProblem, KeyProblem};
use crate::connectors::{ConnectorError, everypay, mypos, paypal, zarinpal};
use crate::db::DbError;
use crate::db::methods::{self, NewMethod, PaymentMethod, secrets_context};
use crate::db::stores::Store;
use crate::money::{Currency, Discount, Unit, parse_amount};
use crate::public::Input;
use crate::secrets::{self, SecretKey};
use crate::validation::{self as v, Field, FieldErrors, Problem};

/// One field of a provider's settings form.
pub struct ProviderField {
    /// The form input's name and the configuration key.
    pub name: &'static str,
    pub field: Field,
    /// Sealed at rest and shown only masked.
    pub secret: bool,
    pub input: Input,
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
    input: Input::Line,
    check: zarinpal_merchant_id,
}];

fn payme_seller_key(input: &str) -> Result<String, Problem> {
    payme::check_seller_key(input).map_err(|p| match p {
        KeyProblem::Missing => Problem::Required,
        KeyProblem::Prefix => Problem::KeyPrefix,
        KeyProblem::Length(n) => Problem::KeyLength(n as i64),
        KeyProblem::Shape => Problem::KeyShape,
    })
}

fn account_email(input: &str) -> Result<String, Problem> {
    v::required_email(input).map(|e| e.to_lowercase())
}

const PAYME: &[ProviderField] = &[
    ProviderField {
        name: "seller_key",
        field: Field::SellerKey,
        secret: true,
        input: Input::Line,
        check: payme_seller_key,
    },
    ProviderField {
        name: "email",
        field: Field::Email,
        secret: false,
        input: Input::Line,
        check: account_email,
    },
];

fn paypal_account_id(input: &str) -> Result<String, Problem> {
    v::required_text(input, 64)?;
    paypal::check_account_id(input).ok_or(Problem::Invalid)
}

const PAYPAL: &[ProviderField] = &[
    ProviderField {
        name: "account_id",
        field: Field::MerchantId,
        secret: false,
        input: Input::Line,
        check: paypal_account_id,
    },
    ProviderField {
        name: "email",
        field: Field::Email,
        secret: false,
        input: Input::Line,
        check: account_email,
    },
];

fn digits(input: &str, lengths: std::ops::RangeInclusive<usize>) -> Result<String, Problem> {
    let value: String = v::required_text(input, 64)?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if !value.chars().all(|c| c.is_ascii_digit()) {
        Err(Problem::NotANumber)
    } else if !lengths.contains(&value.len()) {
        Err(Problem::Invalid)
    } else {
        Ok(value)
    }
}

fn pem(input: &str, valid: fn(&str) -> bool) -> Result<String, Problem> {
    let text = v::required_text(input, 16 * 1024)?;
    if valid(&text) {
        Ok(text)
    } else {
        Err(Problem::Invalid)
    }
}

fn switch(input: &str) -> Result<String, Problem> {
    Ok(matches!(input.trim(), "on" | "true" | "1").to_string())
}

const MYPOS: &[ProviderField] = &[
    ProviderField {
        name: "sid",
        field: Field::StoreId,
        secret: false,
        input: Input::Line,
        check: |s| digits(s, 1..=15),
    },
    ProviderField {
        name: "wallet",
        field: Field::Wallet,
        secret: false,
        input: Input::Line,
        check: |s| digits(s, 11..=11),
    },
    ProviderField {
        name: "private_key",
        field: Field::PrivateKey,
        secret: true,
        input: Input::Text,
        check: |s| pem(s, |p| mypos::private_key(p).is_some()),
    },
    ProviderField {
        name: "certificate",
        field: Field::Certificate,
        secret: false,
        input: Input::Text,
        check: |s| pem(s, |p| mypos::certificate_key(p).is_some()),
    },
    ProviderField {
        name: "key_index",
        field: Field::KeyIndex,
        secret: false,
        input: Input::Line,
        check: |s| digits(s, 1..=4),
    },
    ProviderField {
        name: "save_card",
        field: Field::SaveCard,
        secret: false,
        input: Input::Switch,
        check: switch,
    },
];

/// EveryPay's names and tokens: printable, no spaces.
fn token(input: &str) -> Result<String, Problem> {
    let value = v::required_text(input, 200)?;
    if value.chars().all(|c| c.is_ascii_graphic()) {
        Ok(value)
    } else {
        Err(Problem::Invalid)
    }
}

const EVERYPAY: &[ProviderField] = &[
    ProviderField {
        name: "link_token",
        field: Field::LinkToken,
        secret: false,
        input: Input::Line,
        check: token,
    },
    ProviderField {
        name: "api_username",
        field: Field::ApiUsername,
        secret: false,
        input: Input::Line,
        check: token,
    },
    ProviderField {
        name: "api_secret",
        field: Field::ApiSecret,
        secret: true,
        input: Input::Line,
        check: token,
    },
    ProviderField {
        name: "account_name",
        field: Field::ProcessingAccount,
        secret: false,
        input: Input::Line,
        // Optional: without a processing account, payments go through LinkPay.
        check: |s| {
            if s.trim().is_empty() {
                Ok(String::new())
            } else {
                token(s)
            }
        },
    },
];

/// The fields a myPOS configuration package fills.
fn mypos_package(text: &str) -> Option<Vec<(&'static str, String)>> {
    let p = mypos::read_package(text)?;
    Some(vec![
        ("sid", p.sid),
        ("wallet", p.wallet),
        ("private_key", p.private_key.expose().clone()),
        ("certificate", p.certificate),
        ("key_index", p.key_index),
    ])
}

/// A provider a merchant can add: its fields and the currencies it settles.
pub struct Provider {
    pub name: &'static str,
    pub fields: &'static [ProviderField],
    pub currencies: &'static [&'static str],
    /// Reads the provider's configuration package (pasted as `provider[package]`) into its
    /// fields, for providers that offer one; what it holds replaces what was typed.
    pub package: Option<PackageReader>,
}

/// Reads a configuration package into `(field name, value)` pairs; `None` if it is not one.
pub type PackageReader = fn(&str) -> Option<Vec<(&'static str, String)>>;

/// The providers a merchant can add.
pub const PROVIDERS: &[Provider] = &[
    Provider {
        name: zarinpal::PROVIDER,
        fields: ZARINPAL,
        currencies: &["IRR"],
        package: None,
    },
    Provider {
        name: payme::PROVIDER,
        fields: PAYME,
        currencies: payme::CURRENCIES,
        package: None,
    },
    Provider {
        name: paypal::PROVIDER,
        fields: PAYPAL,
        currencies: paypal::CURRENCIES,
        package: None,
    },
    Provider {
        name: mypos::PROVIDER,
        fields: MYPOS,
        currencies: mypos::CURRENCIES,
        package: Some(mypos_package),
    },
    Provider {
        name: everypay::PROVIDER,
        fields: EVERYPAY,
        currencies: everypay::CURRENCIES,
        package: None,
    },
];

fn provider(name: &str) -> Option<&'static Provider> {
    PROVIDERS.iter().find(|p| p.name == name)
}

pub fn provider_fields(name: &str) -> Option<&'static [ProviderField]> {
    provider(name).map(|p| p.fields)
}

/// Whether `provider` settles payments in `currency`.
pub fn takes_currency(name: &str, currency: Currency) -> bool {
    provider(name).is_some_and(|p| p.currencies.contains(&currency.code()))
}

/// Whether customers of a store in `currency` are offered `method` (and it may be started):
/// enabled, and its provider takes the currency.
pub fn offered(method: &PaymentMethod, currency: Currency) -> bool {
    method.enabled && takes_currency(&method.provider, currency)
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
    /// The secrets before sealing, for the provider's connection check.
    plain_secrets: Map<String, Value>,
}

fn check(
    key: &SecretKey,
    store: &Store,
    provider: &str,
    form: &MethodForm,
    saved: Option<&PaymentMethod>,
) -> Result<Checked, SettingsError> {
    let Some(spec) = self::provider(provider) else {
        let mut errors = FieldErrors::default();
        errors.add(Field::Method, Problem::Unavailable);
        return Err(SettingsError::Invalid(errors));
    };
    let fields = spec.fields;
    let (currency, unit) = (store.currency, store.unit());
    let mut errors = FieldErrors::default();
    let package = form.provider_value("package").trim();
    let unpacked = match spec.package {
        Some(read) if !package.is_empty() => {
            let read = read(package);
            if read.is_none() {
                errors.add(Field::Package, Problem::Invalid);
            }
            read.unwrap_or_default()
        }
        _ => Vec::new(),
    };
    if !takes_currency(provider, currency) {
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
    let discount = errors.check(Field::Discount, discount(form, currency, unit));

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

/// Adds a method of `provider` to the store (enabled, in test mode unless `live`). A PayMe
/// account is connected to the store first; nothing is saved if PayMe refuses.
pub async fn add(
    checkout: &Checkout,
    store: &Store,
    provider: &str,
    form: &MethodForm,
) -> Result<i64, SettingsError> {
    let key = checkout.connectors().secret_key();
    let c = check(key, store, provider, form, None)?;
    connect(checkout, store, provider, form.live, &c).await?;
    let new = new_method(provider, form.live, &c);
    let method = methods::create(checkout.db(), store.id, new).await?;
    Ok(method.id)
}

/// Saves one of the store's methods; `Ok(false)` when the store has no method `id`. A changed
/// PayMe account is connected before saving, and the one it replaces disconnected after.
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
    let c = check(key, store, &saved.provider, form, Some(&saved))?;
    if saved.enabled {
        connect(checkout, store, &saved.provider, form.live, &c).await?;
    }
    let new = new_method(&saved.provider, form.live, &c);
    let updated = methods::update(db, store.id, id, &new).await?;
    let old_values = saved_values(key, &saved).ok();
    if updated
        && saved.enabled
        && old_values.as_ref().and_then(seller_key) != seller_key(&c.plain_secrets)
    {
        disconnect(checkout, store, &saved).await;
    }
    Ok(updated)
}

/// Turns one of the store's methods on or off; `Ok(false)` when the store has no method `id`.
/// Turning a PayMe method off disconnects the account from the store (PayMe is told, so the
/// account can be connected to another store); turning it on connects it again.
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
    if enabled && !saved.enabled && saved.provider == payme::PROVIDER {
        let payme = checkout.connectors().payme_of(&saved);
        connect_payme(checkout, store, payme).await?;
    }
    let changed = methods::set_enabled(db, store.id, id, enabled).await?;
    if changed && saved.enabled && !enabled {
        disconnect(checkout, store, &saved).await;
    }
    Ok(changed)
}

/// The identity of a store at PayMe: Kassa's address and the store's id.
pub fn store_ref(checkout: &Checkout, store: &Store) -> String {
    format!("{}#store-{}", checkout.public_url(), store.id)
}

/// The PayMe account a method's values connect (none for other providers).
fn seller_key(values: &Map<String, Value>) -> Option<&str> {
    values.get("seller_key").and_then(Value::as_str)
}

async fn connect(
    checkout: &Checkout,
    store: &Store,
    provider: &str,
    live: bool,
    c: &Checked,
) -> Result<(), SettingsError> {
    if provider != payme::PROVIDER {
        return Ok(());
    }
    if !checkout.connectors().offers(provider) {
        let mut errors = FieldErrors::default();
        errors.add(Field::Method, Problem::Unavailable);
        return Err(SettingsError::Invalid(errors));
    }
    let mut values: Map<String, Value> = serde_json::from_str(&c.config).unwrap_or_default();
    values.extend(c.plain_secrets.clone());
    let payme = checkout
        .connectors()
        .payme(live, &Value::Object(values).to_string());
    connect_payme(checkout, store, payme).await
}

/// Checks the PayMe account with PayMe and connects it to the store; each refusal is a field
/// error the merchant can act on.
async fn connect_payme(
    checkout: &Checkout,
    store: &Store,
    payme: Result<payme::PayMe, ConnectorError>,
) -> Result<(), SettingsError> {
    let refused = |field, problem| {
        let mut errors = FieldErrors::default();
        errors.add(field, problem);
        SettingsError::Invalid(errors)
    };
    let payme = payme.map_err(|e| DbError::Corrupt(e.to_string()))?;
    match payme.connect(&store_ref(checkout, store)).await {
        Ok(()) => Ok(()),
        Err(ConnectError::Problem(problem)) => Err(match problem {
            ConnectProblem::EmailMismatch => refused(Field::Email, Problem::EmailMismatch),
            ConnectProblem::NotRegistered => refused(Field::SellerKey, Problem::NotRegistered),
            ConnectProblem::ConnectedElsewhere => {
                refused(Field::SellerKey, Problem::ConnectedElsewhere)
            }
        }),
        Err(ConnectError::Connector(err)) => {
            tracing::warn!(store = store.id, error = %err, "PayMe could not check an account");
            Err(refused(Field::Method, Problem::ProviderUnreachable))
        }
    }
}

/// Tells the provider a store stopped using a method's account. A failure is logged and
/// otherwise ignored: the merchant's change stands, and PayMe support can release the account.
async fn disconnect(checkout: &Checkout, store: &Store, method: &PaymentMethod) {
    if method.provider != payme::PROVIDER {
        return;
    }
    let result = match checkout.connectors().payme_of(method) {
        Ok(payme) => payme.disconnect(&store_ref(checkout, store)).await,
        Err(e) => Err(e),
    };
    if let Err(err) = result {
        tracing::warn!(store = store.id, method = method.id, error = %err, "PayMe was not told of a disconnection");
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
