//! The link builder: checks a new payment link's terms, writes them into the link (signed or
//! not, see `crate::links`) and saves it.

use crate::db::links::{self, NewLink};
use crate::db::stores::Store;
use crate::db::{Db, DbError};
pub use crate::links::LinkForm;
use crate::links::{PaymentLink, canonical_terms, signed_message};
use crate::money::{Currency, Unit, amount_input_value};
use crate::secrets::SecretKey;
use crate::time::{DAY_MILLIS, format_day, parse_day};
use crate::validation::{self as v, Field, FieldErrors, Problem};

use super::{SettingsError, amount_limits};
use crate::validation::optional_amount;

/// The most uses a limit may name.
pub const MAX_USES: i64 = 1_000_000;

/// A form's checked terms, before the link is saved.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedLink {
    pub signed: bool,
    pub payer_name: Option<String>,
    pub description: Option<String>,
    pub amount: Option<i64>,
    pub min_amount: Option<i64>,
    pub max_amount: Option<i64>,
    /// The last day (days since 1970, UTC) it takes payments.
    pub expires: Option<i64>,
    pub max_uses: Option<i64>,
    /// The terms as written in the link (`crate::links::canonical_terms`).
    pub terms: String,
}

impl CheckedLink {
    fn expires_at(&self) -> Option<i64> {
        self.expires.map(|day| (day + 1) * DAY_MILLIS)
    }

    /// Whether `link` is this one, saved.
    fn saved_as(&self, link: &PaymentLink) -> bool {
        link.signed == self.signed
            && link.terms == self.terms
            && link.expires_at == self.expires_at()
            && link.max_uses == self.max_uses
    }
}

/// Checks the builder's form for a store in `currency` shown in `unit`; `today` is the current
/// UTC day (days since 1970). It reads no database: the builder's preview runs it on every
/// change, `create` once more before saving.
pub fn check(
    form: &LinkForm,
    currency: Currency,
    unit: Unit,
    today: i64,
) -> Result<CheckedLink, FieldErrors> {
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
        return Err(errors);
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
    Ok(CheckedLink {
        signed: form.signed,
        payer_name,
        description,
        amount,
        min_amount,
        max_amount,
        expires,
        max_uses,
        terms: canonical_terms(&terms),
    })
}

/// The address the form's link will have once saved (the builder shows it, and its QR code,
/// as the merchant types); `None` while the form has errors or names no usable token.
pub fn preview(
    key: &SecretKey,
    page_url: &str,
    store: &Store,
    form: &LinkForm,
    today: i64,
) -> Option<String> {
    let checked = check(form, store.currency, store.unit(), today).ok()?;
    let token = Some(form.token.as_str()).filter(|t| is_token(t))?;
    let link = PaymentLink {
        id: 0,
        token: token.to_owned(),
        signed: checked.signed,
        terms: checked.terms,
        payer_name: checked.payer_name,
        description: checked.description,
        amount: checked.amount,
        min_amount: checked.min_amount,
        max_amount: checked.max_amount,
        expires_at: None,
        max_uses: checked.max_uses,
        uses: 0,
        paid: 0,
        currency: store.currency.code().to_owned(),
        created_at: 0,
    };
    Some(url(key, page_url, store.id, &link))
}

/// Checks and saves a link; `today` is the current UTC day (days since 1970).
pub async fn create(
    db: &Db,
    store: &Store,
    form: &LinkForm,
    today: i64,
) -> Result<PaymentLink, SettingsError> {
    let currency = store.currency;
    let checked = check(form, currency, store.unit(), today).map_err(SettingsError::Invalid)?;
    let token = Some(form.token.as_str())
        .filter(|t| is_token(t))
        .map_or_else(crate::tracking::random_token, str::to_owned);
    let new = NewLink {
        token: &token,
        currency,
        signed: checked.signed,
        terms: &checked.terms,
        payer_name: checked.payer_name.as_deref(),
        description: checked.description.as_deref(),
        amount: checked.amount,
        min_amount: checked.min_amount,
        max_amount: checked.max_amount,
        expires_at: checked.expires_at(),
        max_uses: checked.max_uses,
    };
    let id = match links::create(db, store.id, new).await {
        Err(e) if e.is_unique_violation() => {
            // The same form sent again (a double click, a retry, two sends at once): the
            // link the first send made.
            if let Some(link) = links::by_token(db, store.id, &token).await?
                && checked.saved_as(&link)
            {
                return Ok(link);
            }
            // Tokens are unique across stores: one copied from another store's link, or
            // taken meanwhile for other terms, is not taken.
            let token = crate::tracking::random_token();
            links::create(
                db,
                store.id,
                NewLink {
                    token: &token,
                    ..new
                },
            )
            .await?
        }
        done => done?,
    };
    links::by_id(db, store.id, id)
        .await?
        .ok_or_else(|| SettingsError::Storage(DbError::Corrupt(format!("link {id} vanished"))))
}

/// A token as `crate::tracking::random_token` makes them: 32 lower-case hex digits.
fn is_token(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
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
