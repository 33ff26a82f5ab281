//! The merchant back office under `/admin`: a single-page app. The first page renders on the
//! server and hydrates in the browser (`frontend`); after that its router moves between pages
//! and only data travels (each page's `load_*` server function), besides a page's code the
//! first time it is shown (each page is a lazy route, `lazy_pages!`). Every form is a server
//! function that ends in a redirect (a refused form comes back through a flash cookie, see
//! `flash`), so without JavaScript the same forms post and the browser follows. Every server
//! function starts from the session's store: no argument names a store.

mod any_sync;
pub mod auth;
pub mod bank_accounts;
pub mod chart;
pub mod export;
pub mod fields;
pub mod guards;
pub mod links;
pub mod live;
pub mod logos;
pub mod mails;
pub mod methods;
pub mod overview;
pub mod payments;
pub mod receipts;
pub mod settings;

use leptos::prelude::*;
use leptos::reactive::owner::Owner;
use leptos_meta::{Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::params::ParamsMap;
use leptos_router::{Lazy, LazyRoute, SsrMode, lazy_route, path};
use serde::{Deserialize, Serialize};

use crate::i18n::*;
use any_sync::IntoAnySync;
use fields::{FormPost, ServerForm};

/// The signed-in merchant and their store, as every back-office page shows them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdminView {
    pub email: String,
    pub store_name: String,
    /// The store's payment page, as a path (`/openpay` or `/s/{slug}/openpay`).
    pub payment_path: String,
    pub maintenance: bool,
    /// Bank slips waiting for the merchant's decision (the navigation's badge).
    pub slips: i64,
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
    let payment_path = payment_path(state, &store);
    let slips = engine::db::payments::awaiting_count(state.checkout.db(), store.id)
        .await
        .map_err(crate::api::internal)?;
    let view = AdminView {
        email: user.email.clone(),
        store_name: store.name.clone(),
        payment_path,
        maintenance: store.maintenance,
        slips,
        render: engine::tracking::random_token(),
    };
    Ok((store, view))
}

/// The store's payment page, as a path: `/openpay` for the default store.
#[cfg(feature = "ssr")]
pub(crate) fn payment_path(
    state: &crate::state::AppState,
    store: &engine::db::stores::Store,
) -> String {
    if store.slug == state.default_store {
        "/openpay".to_owned()
    } else {
        format!("/s/{}/openpay", store.slug)
    }
}

/// Ends the session and goes to the log-in page.
#[server(endpoint = "admin/logout", output = crate::admin::Postcard)]
pub async fn log_out() -> Result<(), ServerFnError> {
    let state = crate::state::app_state()?;
    crate::session::end(&state).await?;
    crate::session::redirect_to(crate::session::LOGIN_PATH);
    Ok(())
}

/// How the back office's server functions answer, and how the app asks the ones it calls from
/// code (a page's data, the live checks): postcard, a compact binary form of serde's data
/// model. Its reader visits a type's fields in order, so the wasm carries no per-type matching
/// of field names as JSON's reader does (that was most of serde_json's weight in it), and the
/// messages hold no field names either; asking in postcard also leaves serde_qs' writer out.
/// A function a form posts to takes the form's fields, URL-encoded (`fields::ServerForm`).
pub type Postcard = leptos::server_fn::codec::Postcard;

/// A page's data: its `load_*` server function, read again whenever the `PageKey` changes.
/// The first page's data travels in its HTML for hydration, postcard-encoded (base64) like the
/// server functions' answers, for the same reason.
pub fn page_data<T, Fut>(
    fetch: impl Fn(PageKey) -> Fut + Send + Sync + 'static,
) -> Resource<T, leptos::server::codee::binary::PostcardCodec>
where
    T: Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(page_key(), fetch, false)
}

/// Bumped when a form's server function sends the browser back to the address it is on:
/// that is no navigation, so every page's data depends on it (`page_key`) to be read again,
/// with the form's notice or errors.
#[derive(Clone, Copy)]
struct Reload(RwSignal<u64>);

/// What a back-office page's data is read for: its address and `Reload`.
#[derive(Clone, Debug, PartialEq)]
pub struct PageKey {
    reload: u64,
    /// The query, as the address has it (with its `?`, or empty).
    pub search: String,
    pub query: ParamsMap,
    pub params: ParamsMap,
}

/// A page's data source: its `PageKey`, which changes once per move or save (reading the data
/// twice would lose the flash the first read takes). A form that redirects to its page with
/// another query (`?show=`, or without `?lang=`) changes the query; one that redirects to the
/// same address bumps `Reload`. Once the router leaves the page, the key stays as it was, so
/// the page being left reads nothing (a signed-in user's log-in page would redirect again).
pub fn page_key() -> impl Fn() -> PageKey + Clone + Send + Sync + 'static {
    let location = use_location();
    let params = leptos_router::hooks::use_params_map();
    let reload = use_context::<Reload>().map(|r| r.0);
    let page = location.pathname.get_untracked();
    let key = Memo::new(move |before: Option<&PageKey>| match before {
        Some(before) if !same_page(&page, &location.pathname.get()) => before.clone(),
        _ => PageKey {
            reload: reload.map_or(0, |r| r.get()),
            search: location.search.get(),
            query: location.query.get(),
            params: params.get(),
        },
    });
    move || key.get()
}

/// Whether two back-office paths show the same page: the same route, where only a payment's
/// id (`/admin/payments/{id}`, the one route with a parameter) may differ.
fn same_page(a: &str, b: &str) -> bool {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.split('/').collect(), b.split('/').collect());
    let fixed = if a.len() == 4 { 3 } else { a.len() };
    a.len() == b.len() && a[..fixed] == b[..fixed]
}

/// Follows a server function's redirect in the browser: to another address through the
/// router, to the address the form is on by reading its data again. Set before the router
/// sets its own (the first hook set is the one used); `Redirects` gives it the router's owner.
#[cfg(feature = "hydrate")]
fn follow_redirects(reload: RwSignal<u64>, router: StoredValue<Option<Owner>>) {
    use leptos_router::location::{BrowserUrl, LocationProvider};
    let _ = leptos::server_fn::redirect::set_redirect_hook(move |to: &str| {
        if to == here() {
            reload.update(|n| *n += 1);
        } else if let Some(owner) = router.get_value() {
            owner.with(|| BrowserUrl::redirect(to));
        }
    });
}

/// The page's address as a redirect names it: its path and query.
#[cfg(feature = "hydrate")]
fn here() -> String {
    let location = window().location();
    format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    )
}

/// Keeps the router's owner for `follow_redirects` (navigation needs the router's context).
#[component]
fn Redirects(router: StoredValue<Option<Owner>>) -> impl IntoView {
    router.set_value(Owner::current());
}

/// Declares each page as a lazy route: built with `cargo leptos build --split`, a page's code
/// is wasm chunks of its own, fetched the first time the page is shown (on the first load,
/// before hydration), its link is pointed at (`preload`) or the browser is idle
/// (`prefetch_pages`), so the first load carries the frame and one page, not all of them. A
/// page starts its own data (its `Resource`s) once its code is in.
macro_rules! lazy_pages {
    ($($route:ident: $page:path),* $(,)?) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any_sync()
            }
        }
    )*};
}

lazy_pages! {
    OverviewRoute: overview::Overview,
    LogInRoute: auth::LogIn,
    SignUpRoute: auth::SignUpPage,
    AccountRoute: auth::Account,
    SettingsRoute: settings::StoreSettings,
    MethodsRoute: methods::Methods,
    BankAccountsRoute: bank_accounts::BankAccounts,
    PaymentsRoute: payments::Payments,
    LinksRoute: links::Links,
    ReceiptsRoute: receipts::Receipts,
    PaymentRoute: payments::PaymentPage,
}

/// Starts fetching the code of `R`'s page ahead of a move there: the navigation asks when a
/// pointer reaches a link or the keyboard's focus does, so the chunk is usually in by the
/// click. Fetched once; later calls find it loaded.
fn preload<R: LazyRoute>() {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(R::preload());
}

/// Once the app is live and the browser idle, fetches the code of every page a signed-in
/// merchant can move to (`pages`: the navigation's, then a payment's own page): the modules
/// not in yet, asked for in one turn, travel as one pack, so a later move fetches only its
/// data. The first load still carries one page's code; a browser asking to save data
/// (`navigator.connection.saveData`) fetches a page's code when its link is pointed at, as
/// before. Once per app.
#[cfg(feature = "hydrate")]
fn prefetch_pages(pages: Vec<fn()>) {
    thread_local! {
        static ASKED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    if ASKED.replace(true) {
        return;
    }
    let navigator = window().navigator();
    let save_data = js_sys::Reflect::get(&navigator, &"connection".into())
        .and_then(|c| js_sys::Reflect::get(&c, &"saveData".into()))
        .is_ok_and(|s| s.is_truthy());
    if save_data {
        return;
    }
    leptos::task::spawn_local(async move {
        // Idle, and hydrated (`frontend` marks it): not before the shown page's own code.
        loop {
            let idle = js_sys::Promise::new(&mut |resolve, _| {
                let _ = window().request_idle_callback(&resolve);
            });
            let _ = wasm_bindgen_futures::JsFuture::from(idle).await;
            let root = document().document_element();
            if root.is_some_and(|r| r.has_attribute("data-hydrated")) {
                break;
            }
        }
        for preload in pages {
            preload();
        }
        preload::<PaymentRoute>();
    });
}

/// Every back-office page. The router's base leaves every other address (the customer pages,
/// receipts' PDFs) to the browser.
#[component]
pub fn Pages() -> impl IntoView {
    let reload = RwSignal::new(0);
    provide_context(Reload(reload));
    live::Live::provide();
    let router = StoredValue::new(None);
    #[cfg(feature = "hydrate")]
    follow_redirects(reload, router);
    // The page's texts for the browser, which holds none of its own (`crate::texts`).
    let texts = crate::texts::page_texts(use_i18n().get_locale_untracked());
    view! {
        <Stylesheet id="kassa" href="/pkg/kassa.css" />
        <Title formatter=|page: String| format!("{page} · Kassa") />
        <script type="application/json" id=crate::texts::ELEMENT_ID inner_html=texts></script>
        <Router base="/admin">
            <Redirects router />
            <main class="page">
                <Routes fallback=crate::pages::NotFound>
                    <Route path=path!("") view={Lazy::<OverviewRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/login") view={Lazy::<LogInRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/signup") view={Lazy::<SignUpRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/account") view={Lazy::<AccountRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/settings") view={Lazy::<SettingsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/methods") view={Lazy::<MethodsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/bank-accounts") view={Lazy::<BankAccountsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/payments") view={Lazy::<PaymentsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/links") view={Lazy::<LinksRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/receipts") view={Lazy::<ReceiptsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/payments/:id") view={Lazy::<PaymentRoute>::new()} ssr=SsrMode::Async />
                </Routes>
            </main>
            <crate::components::LanguageBar />
            <live::Announcer />
        </Router>
    }
}

/// Whether `path` is a back-office page (`/admin` and below).
#[cfg(feature = "ssr")]
pub fn in_back_office(path: &str) -> bool {
    path.strip_prefix("/admin")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// After a move to another page (not on the first load, nor when a form's page is read
/// again), puts the keyboard's focus on the new page's heading, where a screen reader
/// starts reading, as a page load would.
#[cfg(feature = "hydrate")]
fn focus_if_moved(path: &str, heading: NodeRef<leptos::html::H1>) {
    thread_local! {
        static SHOWN: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    }
    let moved = SHOWN.with(|shown| {
        shown
            .replace(Some(path.to_owned()))
            .is_some_and(|before| before != path)
    });
    if let Some(heading) = heading.get_untracked().filter(|_| moved) {
        let _ = heading.focus();
    }
}

/// The frame of every signed-in page: the store, the navigation and the log-out button.
#[component]
pub fn Shell<C: IntoView + 'static>(
    admin: AdminView,
    title: String,
    children: TypedChildren<C>,
) -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let here = location.pathname.get_untracked();
    let slips = admin.slips;
    let links = [
        (
            "/admin",
            text!(i18n, nav_overview).to_string(),
            preload::<OverviewRoute> as fn(),
        ),
        (
            payments::PATH,
            text!(i18n, nav_payments).to_string(),
            preload::<PaymentsRoute>,
        ),
        (
            receipts::PATH,
            text!(i18n, nav_receipts).to_string(),
            preload::<ReceiptsRoute>,
        ),
        (
            links::PATH,
            text!(i18n, nav_links).to_string(),
            preload::<LinksRoute>,
        ),
        (
            "/admin/settings",
            text!(i18n, nav_settings).to_string(),
            preload::<SettingsRoute>,
        ),
        (
            methods::PATH,
            text!(i18n, nav_methods).to_string(),
            preload::<MethodsRoute>,
        ),
        (
            bank_accounts::PATH,
            text!(i18n, nav_bank_accounts).to_string(),
            preload::<BankAccountsRoute>,
        ),
        (
            "/admin/account",
            text!(i18n, nav_account).to_string(),
            preload::<AccountRoute>,
        ),
    ];
    #[cfg(feature = "hydrate")]
    let pages: Vec<fn()> = links.iter().map(|(_, _, preload)| *preload).collect();
    let links = links.into_iter().map(|(href, label, preload)| {
        // A payment's own page is part of the report.
        let current = (here == href || (href != "/admin" && here.starts_with(&format!("{href}/"))))
            .then_some("page");
        let badge = (href == payments::PATH).then(|| view! { <live::SlipsBadge rendered=slips /> });
        view! {
            <a href=href aria-current=current on:pointerenter=move |_| preload() on:focus=move |_| preload()>
                {label}
                {badge}
            </a>
        }
    })
    .collect_view();
    let logout = FormPost::<LogOut>::new();
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if logout.pending() {
            live::stop();
        }
    });
    let heading = NodeRef::<leptos::html::H1>::new();
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| focus_if_moved(&here, heading));
    #[cfg(feature = "hydrate")]
    if let Some(Reload(reload)) = use_context::<Reload>() {
        Effect::new(move |_| {
            live::listen(reload);
            guards::install();
            prefetch_pages(pages.clone());
        });
    }
    let signed_in = text!(
        i18n.get_locale_untracked(),
        signed_in_as,
        email = admin.email.clone()
    )
    .to_string();
    view! {
        <Title text=format!("{title} · {}", admin.store_name) />
        <div class="admin" data-leave=move || text!(i18n, leave_unsaved).to_string()>
            <header class="admin-bar">
                <div>
                    <strong>{admin.store_name.clone()}</strong>
                    <p class="muted">{signed_in}</p>
                </div>
                <ServerForm action=logout>
                    <button type="submit" class="button">{text!(i18n, log_out)}</button>
                </ServerForm>
            </header>
            <nav class="admin-nav" aria-label=move || text!(i18n, admin).to_string()>{links}</nav>
            <section class="card">
                <h1 tabindex="-1" node_ref=heading>{title}</h1>
                <fields::Fresh render=admin.render.clone()>{children.into_inner()()}</fields::Fresh>
            </section>
        </div>
    }
}
