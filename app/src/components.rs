//! Pieces shared by the customer pages.

use engine::money::{Currency, Unit, format_amount};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::i18n::*;

/// The language of the page, as the engine's formatters want it.
pub fn lang() -> &'static str {
    use_i18n().get_locale_untracked().as_str()
}

/// The name of the unit amounts are shown in.
pub fn unit_name(currency: Currency, unit: Unit) -> String {
    let i18n = use_i18n();
    match unit {
        Unit::Toman => t_string!(i18n, unit_toman).to_string(),
        Unit::Standard if currency == Currency::IRR => t_string!(i18n, unit_rial).to_string(),
        Unit::Standard => currency.code().to_owned(),
    }
}

/// An amount with its unit, in the page's language.
pub fn money_text(minor: i64, currency: Currency, unit: Unit) -> String {
    format!(
        "{} {}",
        format_amount(minor, currency, unit, lang()),
        unit_name(currency, unit)
    )
}

/// Links to this page in each language. They load the page anew (`rel=external`) so the
/// server renders it, and remembers the choice, in that language.
#[component]
pub fn LanguageBar() -> impl IntoView {
    let location = use_location();
    let href = move |lang: &str| {
        let path = location.pathname.get();
        let query: Vec<(String, String)> = location
            .query
            .get()
            .into_iter()
            .filter(|(k, _)| k != "lang")
            .map(|(k, v)| (k.to_string(), v))
            .chain([("lang".to_owned(), lang.to_owned())])
            .collect();
        format!(
            "{path}?{}",
            serde_urlencoded::to_string(query).unwrap_or_default()
        )
    };
    view! {
        <nav class="languages" aria-label="Language">
            <a href=move || href("en") rel="external" hreflang="en" lang="en">"English"</a>
            <a href=move || href("he") rel="external" hreflang="he" lang="he">"עברית"</a>
            <a href=move || href("fa") rel="external" hreflang="fa" lang="fa">"فارسی"</a>
        </nav>
    }
}

/// A labelled row of the summary table.
#[component]
pub fn Row(label: String, value: String, #[prop(optional)] mono: bool) -> impl IntoView {
    view! {
        <div class="row">
            <dt>{label}</dt>
            <dd class:mono=mono>{value}</dd>
        </div>
    }
}
