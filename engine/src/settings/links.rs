//! The link builder: checks a new payment link's terms, writes them into the link (signed or
//! not, see `crate::links`) and saves it.

use crate::db::links::{self, NewLink};
use crate::db::stores::Store;
use crate::db::{Db, DbError};
use crate::links::{PaymentLink, canonical_terms, signed_message};
use crate::money::amount_input_value;
use crate::secrets::SecretKey;
use crate::time::{DAY_MILLIS, format_day, parse_day};
use crate::validation::{self as v, Field, FieldErrors, Problem};

use super::{SettingsError, amount_limits};
use crate::validation::optional_amount;

/// The most uses a limit may name.
pub const MAX_USES: i64 = 1_000_000;

/// The builder's form as typed.
#[derive(Clone, Debug, Default)]
pub struct LinkForm {
    pub signed: bool,
    pub payer_name: String,
    pub description: String,
    /// A fixed amount; empty: the customer chooses, within `min_amount`/`max_amount`.
    pub amount: String,
    pub min_amount: String,
    pub max_amount: String,
    /// The last day (UTC) the link takes payments, `YYYY-MM-DD`.
    pub expires: String,
    pub max_uses: String,
}

/// Checks and saves a link; `today` is the current UTC day (days since 1970).
pub async fn create(
    db: &Db,
    store: &Store,
    form: &LinkForm,
    today: i64,
) -> Result<PaymentLink, SettingsError> {
    let (currency, unit) = (store.currency, store.unit());
    let mut errors = FieldErrors::default();
    let payer_name = errors.check(Field::Name, v::optional_name(&form.payer_name, 100));
    let description = errors.check(Field::Description, v::optional_name(&form.description, 500));
    let amount = errors.check(Field::Amount, optional_amount(&form.amount, currency, unit));
    // A fixed amount has no range: the limits only bound what a customer chooses.
    let (min_amount, max_amount) = match amount {
        Some(Some(_)) => (Some(None), Some(None)),
        _ => amount_limits(
            &mut errors,
            &form.min_amount,
            &form.max_amount,
            currency,
            unit,
        ),
    };
    let expires = errors.check(Field::Expires, last_day(&form.expires, today));
    let max_uses = errors.check(Field::MaxUses, uses(&form.max_uses));
    let (
        Some(payer_name),
        Some(description),
        Some(amount),
        Some(min_amount),
        Some(max_amount),
        Some(expires),
        Some(max_uses),
    ) = (
        payer_name,
        description,
        amount,
        min_amount,
        max_amount,
        expires,
        max_uses,
    )
    else {
        return Err(SettingsError::Invalid(errors));
    };
    let written = |minor: Option<i64>| minor.map(|m| amount_input_value(m, currency, unit));
    let terms: Vec<(String, String)> = [
        ("receivername", payer_name.clone()),
        ("description", description.clone()),
        ("price", written(amount)),
        ("min", written(min_amount)),
        ("max", written(max_amount)),
        ("expires", expires.map(format_day)),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
    .collect();
    let token = crate::tracking::random_token();
    let id = links::create(
        db,
        store.id,
        NewLink {
            token: &token,
            currency,
            signed: form.signed,
            terms: &canonical_terms(&terms),
            payer_name: payer_name.as_deref(),
            description: description.as_deref(),
            amount,
            min_amount,
            max_amount,
            expires_at: expires.map(|day| (day + 1) * DAY_MILLIS),
            max_uses,
        },
    )
    .await?;
    links::by_id(db, store.id, id)
        .await?
        .ok_or_else(|| SettingsError::Storage(DbError::Corrupt(format!("link {id} vanished"))))
}

/// The signature a signed link carries.
pub fn signature(key: &SecretKey, store_id: i64, link: &PaymentLink) -> String {
    key.sign(&signed_message(store_id, &link.token, &link.terms))
}

/// The link's address: the store's payment page with the link's query.
pub fn url(key: &SecretKey, page_url: &str, store_id: i64, link: &PaymentLink) -> String {
    let sig = link.signed.then(|| signature(key, store_id, link));
    format!("{page_url}?{}", link.query(sig.as_deref()))
}

fn last_day(input: &str, today: i64) -> Result<Option<i64>, Problem> {
    if input.trim().is_empty() {
        return Ok(None);
    }
    match parse_day(input) {
        None => Err(Problem::Invalid),
        Some(day) if day < today => Err(Problem::InPast),
        Some(day) => Ok(Some(day)),
    }
}

fn uses(input: &str) -> Result<Option<i64>, Problem> {
    let ascii = crate::digits::to_ascii(input.trim());
    if ascii.is_empty() {
        return Ok(None);
    }
    match ascii.parse::<i64>() {
        Ok(n) if n < 1 => Err(Problem::Zero),
        Ok(n) if n > MAX_USES => Err(Problem::TooLarge),
        Ok(n) => Ok(Some(n)),
        Err(_) => Err(Problem::NotANumber),
    }
}
