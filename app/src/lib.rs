//! Kassa's UI: the customer pages and the merchant back office (server components under the
//! islands router), their server functions, and the translations.
//! Server functions stay thin: they read the request, call the engine and map its errors.

#![recursion_limit = "256"]

#[macro_use]
pub mod texts;
mod admin;
pub mod api;
mod components;
#[cfg(feature = "ssr")]
pub mod cookies;
mod flash;
#[cfg(feature = "ssr")]
pub mod mail;
pub mod packs;
mod pages;
pub mod provider_texts;
#[cfg(feature = "ssr")]
mod session;
#[cfg(feature = "ssr")]
pub use admin::export::{PATH as CSV_PATH, csv as export_csv};
#[cfg(feature = "ssr")]
pub use admin::live::{EVENTS_PATH, events as live_events};
#[cfg(feature = "ssr")]
pub use admin::logos::{
    BODY_LIMIT as LOGO_BODY_LIMIT, SERVE_PATH as LOGO_PATH, UPLOAD_PATH as LOGO_UPLOAD_PATH,
};
#[cfg(feature = "ssr")]
pub use admin::logos::{serve as serve_logo, upload as upload_logo};
#[cfg(feature = "ssr")]
pub use pages::receipt_pdf::{PDF_PATH as RECEIPT_PDF_PATH, serve_pdf as serve_receipt_pdf};
#[cfg(feature = "ssr")]
pub use session::address_of;
#[cfg(feature = "ssr")]
pub mod state;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

use leptos::either::Either;
use leptos::prelude::*;
use leptos::reactive::owner::Owner;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::i18n::*;

/// The page's plain script (delegated listeners, so what the back office renders later works
/// too):
/// - copy buttons (`data-copy`); `<html data-js>` lets CSS show them only where they work;
/// - the hand-off (`data-auto-forward`): a link is followed with `location.replace`, a form is
///   posted, once, when the page has loaded.
const PAGE_SCRIPT: &str = "document.documentElement.dataset.js='';\
document.addEventListener('click',e=>{const b=e.target.closest('[data-copy]');\
if(b&&navigator.clipboard){navigator.clipboard.writeText(b.dataset.copy)\
.then(()=>{b.textContent=b.dataset.done})}});\
const forward=()=>{const t=document.querySelector('[data-auto-forward]:not([data-sent])');\
if(!t)return;t.dataset.sent='';\
t.tagName==='A'?location.replace(t.href):HTMLFormElement.prototype.submit.call(t)};\
document.addEventListener('DOMContentLoaded',forward);";

/// The Content-Security-Policy of every page: scripts only from Kassa and the inline ones
/// that carry this response's nonce (Leptos' loader and router, `PAGE_SCRIPT`), wasm
/// compiled from there, no framing by any site (clickjacking on the checkout or the back
/// office). Set on the response here, where the nonce is known.
#[cfg(feature = "ssr")]
fn content_security_policy(nonce: &str) {
    use axum::http::{HeaderName, HeaderValue};
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
         frame-ancestors 'none'"
    );
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(&policy),
    ) {
        response.insert_header(HeaderName::from_static("content-security-policy"), value);
    }
}

/// Whether this request is for a customer page (everything but the back office): such a page
/// loads no Leptos script and no wasm; each step is a plain post and page load.
#[cfg(feature = "ssr")]
fn customer_page() -> bool {
    use_context::<axum::http::request::Parts>()
        .is_none_or(|parts| !admin::in_back_office(parts.uri.path()))
}

#[cfg(not(feature = "ssr"))]
fn customer_page() -> bool {
    false
}

/// The HTML document around every page. Customer pages (the checkout, tracking, receipts) must
/// be light on cheap phones and work without JavaScript: they get the page script alone. The
/// back office gets Leptos' islands loader and router too. See docs/ARCHITECTURE.md, page
/// weight.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let nonce = leptos::nonce::use_nonce();
    #[cfg(feature = "ssr")]
    if let Some(nonce) = &nonce {
        content_security_policy(nonce);
    }
    let customer = customer_page();
    if customer {
        // What `HydrationScripts islands=true` does first: with nothing to hydrate, resources
        // must not serialise their data into the page.
        if let Some(context) = Owner::current_shared_context() {
            context.set_is_hydrating(false);
        }
    }
    // Customer pages mark themselves as the loader's wasm marks the back office's
    // (`data-hydrated`: the page's script is live, and tests wait for it).
    let page_script = if customer {
        format!("document.documentElement.dataset.hydrated='';{PAGE_SCRIPT}")
    } else {
        PAGE_SCRIPT.to_owned()
    };
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                // The back office's wasm (`frontend`) hydrates it.
                {(!customer).then(|| view! { <HydrationScripts options /> })}
                {(!customer).then(|| view! { <packs::PreloadPacks /> })}
                <script nonce=nonce inner_html=page_script></script>
                <MetaTags />
            </head>
            <body>
                {if customer { Either::Left(view! { <App /> }) } else { Either::Right(view! { <AdminApp /> }) }}
            </body>
        </html>
    }
}

/// The customer pages (the checkout, tracking, receipts): rendered on the server only.
#[component]
pub fn App() -> impl IntoView {
    translated(|| {
        view! {
            <Stylesheet id="kassa" href="/pkg/kassa.css" />
            <Title formatter=|page: String| format!("{page} · Kassa") />
            <Router>
                <main class="page">
                    <Routes fallback=pages::NotFound>
                        <Route path=path!("/") view=pages::Home />
                        <Route path=path!("/openpay") view=pages::openpay::OpenPay ssr=SsrMode::Async />
                        <Route path=path!("/s/:store/openpay") view=pages::openpay::OpenPay ssr=SsrMode::Async />
                        <Route path=path!("/pay/:code") view=pages::payment::PaymentResult ssr=SsrMode::Async />
                        <Route path=path!("/pay/:code/go") view=pages::handoff::HandOffPage ssr=SsrMode::Async />
                        <Route path=path!("/r/:token") view=pages::receipt::ReceiptPage ssr=SsrMode::Async />
                        <Route path=path!("/track") view=pages::track::TrackForm />
                        <Route path=path!("/track/:code") view=pages::track::TrackStatus ssr=SsrMode::Async />
                    </Routes>
                </main>
                <components::LanguageBar />
            </Router>
        }
    })
}

/// The back office: rendered on the server for the first load, then hydrated by `frontend`
/// and run in the browser (its own router under `/admin`; data through server functions).
#[component]
pub fn AdminApp() -> impl IntoView {
    translated(admin::Pages)
}

/// The language the server chose for this request (`server::language`, kept in the request's
/// extensions): every page renders in it. leptos_i18n would read the cookie and
/// Accept-Language itself, through whatever owner is current as it starts, and echo the cookie
/// back on every page; the server's one decision leaves nothing to chance.
#[cfg(feature = "ssr")]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PageLanguage(pub Locale);

#[cfg(feature = "ssr")]
impl PageLanguage {
    /// A language code Kassa has (`fa`), as written in `?lang=` and the cookie.
    pub fn parse(code: &str) -> Option<Self> {
        code.parse().ok().map(Self)
    }

    /// The first language of an Accept-Language header that Kassa has, by leptos_i18n's
    /// matching (`fa-IR` is Persian), if any. Weights are ignored: browsers list best first.
    pub fn accepted(header: &str) -> Option<Self> {
        use leptos_i18n::Locale as _;
        let primary = |tag: &str| {
            let end = tag.find(['-', '_']).unwrap_or(tag.len());
            tag[..end].to_ascii_lowercase()
        };
        header
            .split(',')
            .map(|l| l.split(';').next().unwrap_or_default().trim())
            .filter(|l| !l.is_empty())
            .find_map(|tag| {
                // leptos_i18n answers its default for a language it lacks: only a match counts.
                let found = Locale::find_locale(&[tag]);
                (primary(found.as_str()) == primary(tag)).then_some(Self(found))
            })
    }

    pub fn code(self) -> &'static str {
        use leptos_i18n::Locale as _;
        self.0.as_str()
    }
}

/// The context's language source: on the server, the request's `PageLanguage`; in the browser
/// leptos_i18n takes `<html lang>`, which the server wrote.
fn page_language() -> leptos_use::UseLocalesOptions {
    let options = leptos_use::UseLocalesOptions::default();
    #[cfg(feature = "ssr")]
    let options = {
        let lang = use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<PageLanguage>().copied())
            .unwrap_or(PageLanguage(Locale::default()));
        options.ssr_lang_header_getter(move || Some(lang.code().to_owned()))
    };
    options
}

/// `pages` under leptos_i18n's context, in the page's language (`page_language`). That context
/// starts an isomorphic effect (it would write a language cookie, were its cookie on). On the
/// server its task races the page: if it first runs while the page's owner is being disposed,
/// it reads the disposed locale signal and panics ("reactive value … already been disposed", a
/// few per thousand requests under load). So the context lives under an owner of its own,
/// paused as soon as the effect exists (a paused effect never runs; its task ends when the
/// effect is disposed), and the pages render under a child owner resumed again.
fn translated<V: IntoView + 'static>(pages: impl FnOnce() -> V + Send + 'static) -> impl IntoView {
    use leptos::tachys::reactive_graph::OwnedView;
    provide_meta_context();
    let i18n = Owner::current().unwrap_or_default().child();
    let app = i18n.with(|| {
        view! {
            <I18nContextProvider enable_cookie=false ssr_lang_header_getter=page_language()>
                {
                    let context = Owner::current().unwrap_or_default();
                    context.pause();
                    let owner = context.child();
                    owner.resume();
                    let pages = owner.with(pages);
                    OwnedView::new_with_owner(pages, owner)
                }
            </I18nContextProvider>
        }
    });
    OwnedView::new_with_owner(app, i18n)
}
