//! Server functions of the customer pages. Every form ends in a redirect to a GET page
//! (post/redirect/get), so each step works without JavaScript. A refused form creates no
//! payment: the errors and what the customer typed are kept as a short-lived draft, and the
//! redirect back names only the draft's id (personal data stays out of URLs).

use engine::money::{Currency, Unit};
use engine::public::{BankAccount, HandOff, PublicMethod};
use engine::status::PaymentStatus;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoreView {
    pub slug: String,
    pub name: String,
    pub currency: Currency,
    pub unit: Unit,
    pub maintenance: bool,
    pub custom_amounts: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckoutPage {
    pub store: StoreView,
    pub methods: Vec<PublicMethod>,
    pub accounts: Vec<BankAccount>,
    /// The form's idempotency key: this browser's (see `browser_key`).
    pub form_key: String,
    /// A refused submission's values and errors, as a query string (`err` holds the errors).
    pub draft: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaymentView {
    pub code: String,
    pub status: PaymentStatus,
    pub amount: i64,
    pub discount: i64,
    pub currency: Currency,
    pub unit: Unit,
    pub store_name: String,
    pub store_slug: String,
    pub payer_name: String,
    pub description: Option<String>,
    pub bank_ref: Option<String>,
    pub card_pan: Option<String>,
    pub failure_code: Option<String>,
    pub slip_number: Option<String>,
    pub created_at: i64,
}

#[cfg(feature = "ssr")]
pub(crate) fn internal(err: impl std::fmt::Display) -> ServerFnError {
    tracing::error!(error = %err, "server function failed");
    ServerFnError::new("internal error")
}

/// The payment page of a store (`None`: the default store), with the draft of a refused
/// submission when `draft` names one; `None` when there is no such store.
#[server]
pub async fn load_checkout(
    store: Option<String>,
    draft: Option<String>,
) -> Result<Option<CheckoutPage>, ServerFnError> {
    use engine::checkout::CheckoutError;
    use engine::db::{bank_accounts, drafts, methods};
    let state = crate::state::app_state()?;
    let slug = store.unwrap_or(state.default_store);
    let store = match state.checkout.store(&slug).await {
        Ok(store) => store,
        Err(CheckoutError::UnknownStore) => return Ok(None),
        Err(e) => return Err(internal(e)),
    };
    let db = state.checkout.db();
    let methods = methods::list_enabled(db, store.id)
        .await
        .map_err(internal)?;
    let accounts = bank_accounts::list_active(db, store.id)
        .await
        .map_err(internal)?;
    let draft = match draft {
        Some(id) => drafts::load(db, store.id, &id, engine::time::now_millis())
            .await
            .map_err(internal)?,
        None => None,
    };
    Ok(Some(CheckoutPage {
        draft,
        methods: methods.iter().map(|m| m.public()).collect(),
        accounts,
        form_key: browser_key().await,
        store: StoreView {
            unit: store.unit(),
            slug: store.slug,
            name: store.name,
            currency: store.currency,
            maintenance: store.maintenance,
            custom_amounts: store.custom_amounts,
        },
    }))
}

/// The form key: a random id this browser keeps in a cookie, so the form rendered again (the
/// back button, a reload) carries the same key and resubmitting finds the first payment.
/// Without cookies every rendering gets its own key, which still covers double clicks.
#[cfg(feature = "ssr")]
async fn browser_key() -> String {
    const COOKIE: &str = "kassa_form";
    let existing = crate::cookies::read(COOKIE)
        .await
        .filter(|v| v.len() == 32 && v.chars().all(|c| c.is_ascii_hexdigit()));
    if let Some(key) = existing {
        return key;
    }
    let key = engine::tracking::random_token();
    crate::cookies::set(&format!(
        "{COOKIE}={key}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax"
    ));
    key
}

/// The customer's payment form. `price` is an amount the link fixed; `amount` one they typed.
// One argument per form field, named as the form's inputs, so the form posts without JS (a
// struct argument would need `input[field]` names). Hence clippy.toml's argument threshold.
#[server(endpoint = "checkout")]
pub async fn submit_checkout(
    store: String,
    key: String,
    receivername: String,
    mobile: String,
    phone: String,
    email: String,
    description: String,
    amount: Option<String>,
    price: Option<String>,
    pay_with: Option<String>,
    bank_account: Option<String>,
    slip_number: String,
    slip_date: String,
) -> Result<(), ServerFnError> {
    use engine::checkout::{CheckoutError, CheckoutForm, Submitted};
    let state = crate::state::app_state()?;
    let form = CheckoutForm {
        key,
        payer_name: receivername.clone(),
        mobile: mobile.clone(),
        phone: phone.clone(),
        email: email.clone(),
        description: description.clone(),
        amount: amount.clone().or(price.clone()).unwrap_or_default(),
        method: pay_with.clone().unwrap_or_default(),
        bank_account: bank_account.clone().unwrap_or_default(),
        slip_number: slip_number.clone(),
        slip_date: slip_date.clone(),
    };
    let form_path = if store == state.default_store {
        "/openpay".to_owned()
    } else {
        format!("/s/{store}/openpay")
    };
    let target = match state.checkout.submit(&store, &form).await {
        Ok(Submitted::ToProvider { code }) => format!("/pay/{code}/go"),
        Ok(Submitted::Recorded { code }) => format!("/pay/{code}"),
        Err(CheckoutError::Invalid(errors)) => {
            let mut typed = url_query(&[
                ("receivername", Some(&receivername)),
                ("description", Some(&description)),
                ("price", price.as_ref()),
                ("amount", amount.as_ref()),
                ("mobile", Some(&mobile)),
                ("phone", Some(&phone)),
                ("email", Some(&email)),
                ("pay_with", pay_with.as_ref()),
                ("bank_account", bank_account.as_ref()),
                ("slip_number", Some(&slip_number)),
                ("slip_date", Some(&slip_date)),
            ]);
            typed.push_str("&err=");
            typed.push_str(&errors.encode());
            let db = state.checkout.db();
            let store_id = state.checkout.store(&store).await.map_err(internal)?.id;
            let id = engine::db::drafts::save(db, store_id, &typed, engine::time::now_millis())
                .await
                .map_err(internal)?;
            format!("{form_path}?draft={id}")
        }
        // The form page itself explains an unknown store or a paused one.
        Err(CheckoutError::UnknownStore | CheckoutError::Maintenance) => form_path,
        Err(e) => return Err(internal(e)),
    };
    leptos_axum::redirect(&target);
    Ok(())
}

/// `a=1&b=2`, skipping absent and empty values.
pub fn url_query(pairs: &[(&str, Option<&String>)]) -> String {
    let present: Vec<(&str, &str)> = pairs
        .iter()
        .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (*k, v.as_str())))
        .collect();
    serde_urlencoded::to_string(present).unwrap_or_default()
}

#[server]
pub async fn load_payment(code: String) -> Result<Option<PaymentView>, ServerFnError> {
    use engine::checkout::CheckoutError;
    use engine::db::stores;
    let state = crate::state::app_state()?;
    let payment = match state.checkout.payment(&code).await {
        Ok(p) => p,
        Err(CheckoutError::UnknownPayment) => return Ok(None),
        Err(e) => return Err(internal(e)),
    };
    let store = stores::by_id(state.checkout.db(), payment.store_id)
        .await
        .map_err(internal)?
        .ok_or_else(|| internal("payment without store"))?;
    Ok(Some(PaymentView {
        code: payment.tracking_code,
        status: payment.status,
        amount: payment.amount,
        discount: payment.discount,
        currency: payment.currency,
        unit: store.unit(),
        store_name: store.name,
        store_slug: store.slug,
        payer_name: payment.payer_name,
        description: payment.description,
        bank_ref: payment.bank_ref,
        card_pan: payment.card_pan,
        failure_code: payment.failure_code,
        slip_number: payment.slip_number,
        created_at: payment.created_at,
    }))
}

/// Where to send the customer to pay a started payment (`None`: it no longer waits).
#[server]
pub async fn load_hand_off(code: String) -> Result<Option<HandOff>, ServerFnError> {
    use engine::checkout::CheckoutError;
    let state = crate::state::app_state()?;
    match state.checkout.hand_off(&code).await {
        Ok(h) => Ok(h),
        Err(CheckoutError::UnknownPayment) => Ok(None),
        Err(e) => Err(internal(e)),
    }
}

/// The tracking form: normalises what was typed and shows that payment's page.
#[server(endpoint = "track")]
pub async fn track(code: String) -> Result<(), ServerFnError> {
    let target = match engine::tracking::normalize(&code) {
        Some(code) => format!("/track/{code}"),
        None => format!(
            "/track?{}",
            url_query(&[("code", Some(&code)), ("err", Some(&"invalid".to_owned()))])
        ),
    };
    leptos_axum::redirect(&target);
    Ok(())
}
