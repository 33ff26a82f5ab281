pub mod handoff;
pub mod openpay;
pub mod payment;
pub mod receipt;
#[cfg(feature = "ssr")]
pub mod receipt_pdf;
pub mod track;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::*;

#[component]
pub fn Home() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=text!(i18n, home_title).to_string() />
        <section class="card">
            <h1>{t!(i18n, home_title)}</h1>
            <p>{t!(i18n, home_body)}</p>
            <p class="actions">
                <a class="button" href="/openpay">{t!(i18n, submit)}</a>
                <a class="button secondary" href="/track">{t!(i18n, track_title)}</a>
            </p>
        </section>
    }
}

/// Answers the page's request with 404 (the page itself says what to do): a page that
/// names something that does not exist is not a success, for browsers, crawlers and scripts.
pub fn not_found_status() {
    refusal_status(404);
}

/// Answers the page's request with `status` (4xx), unless a redirect was already decided (a
/// store's earlier address leads to its current one).
pub fn refusal_status(status: u16) {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        let redirected = response
            .0
            .read()
            .ok()
            .and_then(|parts| parts.status)
            .is_some_and(|s| s.is_redirection());
        if let (false, Ok(status)) = (redirected, axum::http::StatusCode::from_u16(status)) {
            response.set_status(status);
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    not_found_status();
    view! {
        <Title text=text!(i18n, not_found_title).to_string() />
        <section class="card">
            <h1>{t!(i18n, not_found_title)}</h1>
            <p><a href="/">{t!(i18n, site_name)}</a></p>
        </section>
    }
}
