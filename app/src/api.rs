//! Server functions of the customer pages. Every form ends in a redirect to a GET page
//! (post/redirect/get), so each step works without JavaScript. A refused form creates no
//! payment: the errors and what the customer typed are kept as a short-lived draft, and the
//! redirect back names only the draft's id (personal data stays out of URLs).

use engine::links::{LinkProblem, PaymentLink};
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
    /// The store's logo's address.
    pub logo: Option<String>,
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
    /// The payment link the page was opened through, checked, with its signature.
    pub link: Option<(PaymentLink, Option<String>)>,
    /// Why the link takes no payment: the page says so instead of showing the form.
    pub link_problem: Option<LinkProblem>,
    /// Logos of the methods that have one: `(method id, address)`.
    pub method_logos: Vec<(i64, String)>,
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
    /// The provider's text that explains `failure_code`, if it has one: (provider, key).
    pub failure_text: Option<(String, String)>,
    pub slip_number: Option<String>,
    pub created_at: i64,
    /// Where to try again, for a payment that ended without the money (same terms).
    pub retry: Option<String>,
    /// The paid payment's receipt: its number and page.
    pub receipt: Option<(i64, String)>,
    /// Paid, and its receipt is being issued (the page looks again in a moment).
    pub receipt_pending: bool,
}

/// The address of the store's logo, if it has one.
#[cfg(feature = "ssr")]
pub(crate) async fn store_logo(
    db: &engine::db::Db,
    store_id: i64,
) -> Result<Option<String>, ServerFnError> {
    use engine::images::{ImageName, url};
    let versions = engine::db::images::versions(db, store_id)
        .await
        .map_err(internal)?;
    Ok(versions
        .into_iter()
        .find(|(name, _)| *name == ImageName::Store)
        .map(|(name, v)| url(store_id, name, v)))
}

/// The answer when the server is too busy checking passwords: 503 with `Retry-After`, so a
/// flood of log-ins is shed instead of queued.
#[cfg(feature = "ssr")]
pub(crate) fn busy() -> ServerFnError {
    use axum::http::{HeaderValue, StatusCode, header};
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(StatusCode::SERVICE_UNAVAILABLE);
        response.insert_header(header::RETRY_AFTER, HeaderValue::from_static("2"));
    }
    ServerFnError::new("The server is busy. Please try again in a moment.")
}

#[cfg(feature = "ssr")]
pub(crate) fn internal(err: impl std::fmt::Display) -> ServerFnError {
    tracing::error!(error = %err, "server function failed");
    ServerFnError::new("internal error")
}

/// The payment page of a store (`None`: the default store), with the draft of a refused
/// submission when the query's `draft` names one, and the payment link the query names;
/// `None` when there is no such store. `query` is the page's query string.
#[server]
pub async fn load_checkout(
    store: Option<String>,
    query: String,
) -> Result<Option<CheckoutPage>, ServerFnError> {
    use engine::checkout::CheckoutError;
    use engine::db::drafts;
    let state = crate::state::app_state()?;
    let slug = store.unwrap_or_else(|| state.default_store.clone());
    // The store with its methods, accounts and logos, kept while unchanged (one query), or as
    // the language middleware already read it for this request.
    let passed = leptos::prelude::use_context::<axum::http::request::Parts>().and_then(|parts| {
        parts
            .extensions
            .get::<std::sync::Arc<engine::checkout::Storefront>>()
            .filter(|s| s.store.slug == slug)
            .cloned()
    });
    let storefront = match passed {
        Some(storefront) => Ok(storefront),
        None => state.checkout.storefront(&slug).await,
    };
    let storefront = match storefront {
        Ok(storefront) => storefront,
        Err(CheckoutError::UnknownStore) => {
            // A store's earlier address leads to its current one, query and all.
            let db = state.checkout.db();
            if let Some(current) = engine::db::stores::current_slug(db, &slug)
                .await
                .map_err(internal)?
            {
                let query = if query.is_empty() {
                    query
                } else {
                    format!("?{query}")
                };
                crate::session::redirect(&format!("/s/{current}/openpay{query}")).await;
            }
            return Ok(None);
        }
        Err(e) => return Err(internal(e)),
    };
    let db = state.checkout.db();
    let store = &storefront.store;
    let params: Vec<(String, String)> = serde_urlencoded::from_str(&query).unwrap_or_default();
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let now = engine::time::now_millis();
    let draft = match param("draft") {
        Some(id) => drafts::load(db, store.id, &id, now)
            .await
            .map_err(internal)?,
        None => None,
    };
    // A refused form's draft names the link it was submitted through (already checked then).
    let link_params = match &draft {
        Some(d) => serde_urlencoded::from_str(d).unwrap_or_default(),
        None => params.clone(),
    };
    let key = state.secrets.clone();
    let checked = match (&draft, link_params.iter().find(|(k, _)| k == "link")) {
        (Some(_), Some((_, token))) => {
            let sig = link_params
                .iter()
                .find(|(k, _)| k == "sig")
                .map(|(_, v)| v.as_str());
            engine::links::check_submission(db, &key, store, token, sig.unwrap_or_default(), now)
                .await
                .map_err(internal)?
                .map(Some)
        }
        (Some(_), None) => Ok(None),
        (None, _) => engine::links::check_page(db, &key, store, &params, now)
            .await
            .map_err(internal)?,
    };
    let (link, mut link_problem) = match checked {
        Ok(link) => (link, None),
        Err(problem) => (None, Some(problem)),
    };
    // A submission the link refused comes back naming why.
    if let Some(problem) = param("link_error").as_deref().and_then(LinkProblem::parse) {
        link_problem = Some(problem);
    }
    let link = link.map(|l| {
        let sig = l
            .signed
            .then(|| engine::settings::links::signature(&key, store.id, &l));
        (l, sig)
    });
    use engine::images::ImageName;
    let method_logos = storefront
        .methods
        .iter()
        .filter_map(|m| Some((m.id, storefront.logo(ImageName::Method(m.id))?)))
        .collect();
    Ok(Some(CheckoutPage {
        method_logos,
        draft,
        link,
        link_problem,
        methods: storefront.methods.iter().map(|m| m.public()).collect(),
        accounts: storefront.accounts.clone(),
        form_key: browser_key().await,
        store: StoreView {
            unit: store.unit(),
            slug: store.slug.clone(),
            name: store.name.clone(),
            currency: store.currency,
            maintenance: store.maintenance,
            custom_amounts: store.custom_amounts,
            logo: storefront.logo(ImageName::Store),
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

/// The language a payment is made in (its provider's page, its receipt and mail): the one the
/// payer chose (the server's language middleware keeps it in this cookie), else the first of
/// their browser's that Kassa has, else "" for the store's, as the payment page itself chose.
#[cfg(feature = "ssr")]
async fn payer_language() -> String {
    use axum::http::{HeaderMap, header};
    let headers: HeaderMap = leptos_axum::extract().await.unwrap_or_default();
    let browser = || {
        let accepted = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
        Some(crate::PageLanguage::accepted(accepted)?.code().to_owned())
    };
    crate::cookies::find(&headers, "i18n_pref_locale")
        .or_else(browser)
        .unwrap_or_default()
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
    // Absent from a signed link's form: its stored description is used.
    description: Option<String>,
    amount: Option<String>,
    price: Option<String>,
    pay_with: Option<String>,
    bank_account: Option<String>,
    slip_number: String,
    slip_date: String,
    link: Option<String>,
    sig: Option<String>,
) -> Result<(), ServerFnError> {
    use engine::checkout::{CheckoutError, CheckoutForm, Submitted};
    let state = crate::state::app_state()?;
    let form = CheckoutForm {
        key,
        payer_name: receivername.clone(),
        mobile: mobile.clone(),
        phone: phone.clone(),
        email: email.clone(),
        description: description.clone().unwrap_or_default(),
        amount: amount.clone().or(price.clone()).unwrap_or_default(),
        method: pay_with.clone().unwrap_or_default(),
        bank_account: bank_account.clone().unwrap_or_default(),
        slip_number: slip_number.clone(),
        slip_date: slip_date.clone(),
        link: link.clone().unwrap_or_default(),
        sig: sig.clone().unwrap_or_default(),
        language: payer_language().await,
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
                ("description", description.as_ref()),
                ("price", price.as_ref()),
                ("amount", amount.as_ref()),
                ("mobile", Some(&mobile)),
                ("phone", Some(&phone)),
                ("email", Some(&email)),
                ("pay_with", pay_with.as_ref()),
                ("bank_account", bank_account.as_ref()),
                ("slip_number", Some(&slip_number)),
                ("slip_date", Some(&slip_date)),
                ("link", link.as_ref()),
                ("sig", sig.as_ref()),
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
        Err(CheckoutError::Link(problem)) => format!("{form_path}?link_error={}", problem.as_str()),
        Err(e) => return Err(internal(e)),
    };
    crate::session::redirect_to(&target);
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
    let retry = match payment.status {
        PaymentStatus::Failed | PaymentStatus::Cancelled | PaymentStatus::Expired => Some(
            state
                .checkout
                .retry_path(&payment, &store)
                .await
                .map_err(internal)?,
        ),
        _ => None,
    };
    let receipt = engine::db::receipts::of_payment(state.checkout.db(), store.id, payment.id)
        .await
        .map_err(internal)?
        .map(|r| (r.number, crate::pages::receipt::path(&r.token)));
    let receipt_pending = receipt.is_none()
        && payment.status == PaymentStatus::Paid
        && engine::db::jobs::is_open(
            state.checkout.db(),
            &engine::effects::key(engine::effects::RECEIPT, payment.id),
        )
        .await
        .map_err(internal)?;
    Ok(Some(PaymentView {
        receipt,
        receipt_pending,
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
        failure_text: payment
            .failure_code
            .as_deref()
            .and_then(engine::connectors::registry::failure_text)
            .map(|(provider, key)| (provider.to_owned(), key.to_owned())),
        failure_code: payment.failure_code,
        slip_number: payment.slip_number,
        created_at: payment.created_at,
        retry,
    }))
}

/// What the hand-off page does with a payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HandOffStep {
    /// Forward the customer to the provider.
    Go(HandOff),
    /// It no longer waits for a provider: show where it stands.
    Done,
    /// No such payment.
    Unknown,
    /// The store turned its method off since it was started: where to choose another.
    MethodOff(String),
}

/// Where to send the customer to pay a started payment.
#[server]
pub async fn load_hand_off(code: String) -> Result<HandOffStep, ServerFnError> {
    use engine::checkout::CheckoutError;
    let state = crate::state::app_state()?;
    match state.checkout.hand_off(&code).await {
        Ok(Some(h)) => Ok(HandOffStep::Go(h)),
        Ok(None) => Ok(HandOffStep::Done),
        Err(CheckoutError::UnknownPayment) => Ok(HandOffStep::Unknown),
        Err(CheckoutError::MethodOff) => {
            let payment = state.checkout.payment(&code).await.map_err(internal)?;
            let store = engine::db::stores::by_id(state.checkout.db(), payment.store_id)
                .await
                .map_err(internal)?
                .ok_or_else(|| internal("payment without store"))?;
            let retry = state.checkout.retry_path(&payment, &store).await;
            Ok(HandOffStep::MethodOff(retry.map_err(internal)?))
        }
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
    crate::session::redirect_to(&target);
    Ok(())
}
