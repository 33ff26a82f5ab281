//! The merchant back office under `/admin`. Pages render on the server like the customer's, and
//! the islands router moves between them without a full reload; every form is a server function
//! that ends in a redirect (a refused form comes back through a flash cookie, see `flash`).
//! Every server function starts from the session's store: no argument names a store.

pub mod auth;
pub mod bank_accounts;
pub mod fields;
pub mod links;
pub mod logos;
pub mod mails;
pub mod methods;
pub mod overview;
pub mod payments;
pub mod receipts;
pub mod settings;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;
use serde::{Deserialize, Serialize};

use crate::i18n::*;

/// The signed-in merchant and their store, as every back-office page shows them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdminView {
    pub email: String,
    pub store_name: String,
    /// The store's payment page, as a path (`/openpay` or `/s/{slug}/openpay`).
    pub payment_path: String,
    pub maintenance: bool,
    /// New on every rendering, for `fields::Fresh`.
    pub render: String,
}

#[cfg(feature = "ssr")]
pub(crate) async fn admin_view(
    state: &crate::state::AppState,
    user: &engine::accounts::SessionUser,
) -> Result<(engine::db::stores::Store, AdminView), ServerFnError> {
    let store = engine::db::stores::by_id(state.checkout.db(), user.store_id)
        .await
        .map_err(crate::api::internal)?
        .ok_or_else(|| crate::api::internal("a session without its store"))?;
    let payment_path = if store.slug == state.default_store {
        "/openpay".to_owned()
    } else {
        format!("/s/{}/openpay", store.slug)
    };
    let view = AdminView {
        email: user.email.clone(),
        store_name: store.name.clone(),
        payment_path,
        maintenance: store.maintenance,
        render: engine::tracking::random_token(),
    };
    Ok((store, view))
}

/// Ends the session and goes to the log-in page.
#[server(endpoint = "admin/logout")]
pub async fn log_out() -> Result<(), ServerFnError> {
    let state = crate::state::app_state()?;
    crate::session::end(&state).await?;
    crate::session::redirect_to(crate::session::LOGIN_PATH);
    Ok(())
}

/// Whether `path` is a back-office page (`/admin` and below).
pub fn in_back_office(path: &str) -> bool {
    path.strip_prefix("/admin")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The frame of every signed-in page: the store, the navigation and the log-out button.
#[component]
pub fn Shell(admin: AdminView, title: String, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let here = location.pathname.get_untracked();
    let links = [
        ("/admin", t_string!(i18n, nav_overview).to_string()),
        (payments::PATH, t_string!(i18n, nav_payments).to_string()),
        (receipts::PATH, t_string!(i18n, nav_receipts).to_string()),
        (links::PATH, t_string!(i18n, nav_links).to_string()),
        ("/admin/settings", t_string!(i18n, nav_settings).to_string()),
        (methods::PATH, t_string!(i18n, nav_methods).to_string()),
        (
            bank_accounts::PATH,
            t_string!(i18n, nav_bank_accounts).to_string(),
        ),
        ("/admin/account", t_string!(i18n, nav_account).to_string()),
    ]
    .into_iter()
    .map(|(href, label)| {
        // A payment's own page is part of the report.
        let current = (here == href || (href != "/admin" && here.starts_with(&format!("{href}/"))))
            .then_some("page");
        view! { <a href=href aria-current=current>{label}</a> }
    })
    .collect_view();
    let logout = ServerAction::<LogOut>::new();
    let signed_in = td_string!(
        i18n.get_locale_untracked(),
        signed_in_as,
        email = admin.email.clone()
    )
    .to_string();
    view! {
        <Title text=format!("{title} · {}", admin.store_name) />
        <div class="admin">
            <header class="admin-bar">
                <div>
                    <strong>{admin.store_name.clone()}</strong>
                    <p class="muted">{signed_in}</p>
                </div>
                <ActionForm action=logout>
                    <button type="submit" class="button">{t!(i18n, log_out)}</button>
                </ActionForm>
            </header>
            <nav class="admin-nav" aria-label=move || t_string!(i18n, admin).to_string()>{links}</nav>
            <section class="card">
                <h1>{title}</h1>
                <fields::Fresh render=admin.render.clone()>{children()}</fields::Fresh>
            </section>
        </div>
    }
}
