//! Pieces shared by the customer pages.

use engine::money::{Currency, Discount, Unit, amount_input_value};
use engine::validation::Problem;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::i18n::*;

/// The language of the page, as the engine's formatters want it.
pub fn lang() -> &'static str {
    use_i18n().get_locale_untracked().as_str()
}

/// A day as readers of `lang` write dates, in their digits.
pub fn day_text(day: i64, lang: &str) -> String {
    engine::digits::localize(&engine::time::format_day_for(day, lang), lang)
}

/// A date and time (UTC) as readers of `lang` write them, in their digits.
pub fn date_time_text(millis: i64, lang: &str) -> String {
    engine::digits::localize(&engine::time::format_date_time_for(millis, lang), lang)
}

/// The name of the unit amounts are shown in.
pub fn unit_name(currency: Currency, unit: Unit) -> String {
    unit_name_in(use_i18n().get_locale_untracked(), currency, unit)
}

/// [`unit_name`] in `locale` (outside a page: a receipt's PDF).
pub fn unit_name_in(locale: Locale, currency: Currency, unit: Unit) -> String {
    match unit {
        Unit::Toman => text!(locale, unit_toman).to_string(),
        Unit::Standard if currency == Currency::IRR => text!(locale, unit_rial).to_string(),
        Unit::Standard => currency.code().to_owned(),
    }
}

/// An amount with its currency, in the page's language (`engine::money::format_money`).
pub fn money_text(minor: i64, currency: Currency, unit: Unit) -> String {
    money_text_in(use_i18n().get_locale_untracked(), minor, currency, unit)
}

/// [`money_text`] in `locale`.
pub fn money_text_in(locale: Locale, minor: i64, currency: Currency, unit: Unit) -> String {
    let unit_name = unit_name_in(locale, currency, unit);
    engine::money::format_money(minor, currency, unit, locale.as_str(), &unit_name)
}

/// What a customer may pay through a link whose amount they choose: between, at least or at
/// most (`None`: any amount). The payment page's hint and the link builder's preview.
pub fn range_text(
    min: Option<i64>,
    max: Option<i64>,
    currency: Currency,
    unit: Unit,
) -> Option<String> {
    let locale = use_i18n().get_locale_untracked();
    let money = |minor| money_text_in(locale, minor, currency, unit);
    Some(match (min, max) {
        (Some(min), Some(max)) => {
            text!(locale, amount_between, min = money(min), max = money(max)).to_string()
        }
        (Some(min), None) => text!(locale, amount_at_least, min = money(min)).to_string(),
        (None, Some(max)) => text!(locale, amount_at_most, max = money(max)).to_string(),
        (None, None) => return None,
    })
}

/// A discount as shown: `12.5%`, or an amount in the store's unit.
pub fn discount_text(discount: Discount, currency: Currency, unit: Unit) -> String {
    match discount {
        Discount::Percent(bp) => {
            let hundredths = Currency::parse("EUR").expect("EUR is supported");
            format!("{}%", amount_input_value(bp, hundredths, Unit::Standard))
        }
        Discount::Fixed(minor) => money_text(minor, currency, unit),
    }
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
            <a href=move || href("el") rel="external" hreflang="el" lang="el">"Ελληνικά"</a>
            <a href=move || href("lv") rel="external" hreflang="lv" lang="lv">"Latviešu"</a>
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

/// What is wrong with a field, in the page's language. `limit` writes an amount limit.
pub fn problem_text(problem: Problem, limit: impl Fn(i64) -> String) -> String {
    problem_text_in(use_i18n().get_locale_untracked(), problem, limit)
}

/// [`problem_text`] in `locale` (where no context is at hand: a check run as the merchant
/// types).
pub fn problem_text_in(locale: Locale, problem: Problem, limit: impl Fn(i64) -> String) -> String {
    // Numbers in the texts read in the page's digits, whoever wrote them.
    let digits = |n: String| engine::digits::localize(&n, locale.as_str());
    let limit = |n: i64| digits(limit(n));
    match problem {
        Problem::Required => text!(locale, err_required).to_string(),
        Problem::Invalid => text!(locale, err_invalid).to_string(),
        Problem::TooLong => text!(locale, err_too_long).to_string(),
        Problem::TooShort => text!(locale, err_too_short).to_string(),
        Problem::NotANumber => text!(locale, err_nan).to_string(),
        Problem::Negative => text!(locale, err_negative).to_string(),
        Problem::Zero => text!(locale, err_zero).to_string(),
        Problem::TooPrecise => text!(locale, err_too_precise).to_string(),
        Problem::TooLarge => text!(locale, err_too_large).to_string(),
        Problem::InFuture => text!(locale, err_in_future).to_string(),
        Problem::Unavailable => text!(locale, err_unavailable).to_string(),
        Problem::Taken => text!(locale, err_taken).to_string(),
        Problem::WrongPassword => text!(locale, err_wrong_password).to_string(),
        Problem::BeforeStart => text!(locale, err_before_start).to_string(),
        Problem::InPast => text!(locale, err_in_past).to_string(),
        Problem::BelowMin(n) => text!(locale, err_below_min, limit = limit(n)).to_string(),
        Problem::AboveMax(n) => text!(locale, err_above_max, limit = limit(n)).to_string(),
        Problem::KeyPrefix => text!(locale, err_key_prefix).to_string(),
        Problem::KeyLength(n) => {
            text!(locale, err_key_length, count = digits(n.to_string())).to_string()
        }
        Problem::KeyShape => text!(locale, err_key_shape).to_string(),
        Problem::EmailMismatch => text!(locale, err_email_mismatch).to_string(),
        Problem::NotRegistered => text!(locale, err_not_registered).to_string(),
        Problem::ConnectedElsewhere => text!(locale, err_connected_elsewhere).to_string(),
        Problem::CurrencyUnsupported => text!(locale, err_currency_unsupported).to_string(),
        Problem::ProviderUnreachable => text!(locale, err_provider_unreachable).to_string(),
        Problem::HiddenCharacters => text!(locale, err_hidden_characters).to_string(),
    }
}

/// A check only the server can make (a provider's credential: some take parsing the wasm
/// does not carry), asked when typing pauses: gives what is wrong with the value.
pub type Ask =
    Callback<String, std::pin::Pin<Box<dyn std::future::Future<Output = Option<String>>>>>;

/// Asks `ask` about a value once typing has paused; its answer replaces the field's `error`
/// unless the field was typed into again meanwhile (or is gone).
fn ask_when_paused(ask: Ask, error: RwSignal<Option<String>>) -> impl Fn(String) + Copy {
    let typed = StoredValue::new(0u64);
    move |value: String| {
        let turn = typed.try_update_value(|n| {
            *n += 1;
            *n
        });
        let current = move || turn.is_some() && typed.try_get_value() == turn;
        set_timeout(
            move || {
                if current() {
                    leptos::task::spawn_local(async move {
                        let answer = ask.run(value).await;
                        if current() {
                            error.try_set(answer);
                        }
                    });
                }
            },
            std::time::Duration::from_millis(300),
        );
    }
}

/// A labelled input (a textarea when `multiline`) with its error message, tied together for
/// screen readers.
#[component]
pub fn TextField(
    #[prop(into)] name: String,
    label: String,
    value: String,
    error: Option<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(into, default = "text".into())] inputmode: String,
    #[prop(optional)] hint: String,
    #[prop(optional)] multiline: bool,
    /// Checks the value as it is typed (in the browser; the server checks it again), giving
    /// what is wrong with it: it replaces the server's `error` from the first keystroke.
    #[prop(optional)]
    check: Option<Callback<String, Option<String>>>,
    /// Checks the value on the server as it is typed (`Ask`).
    #[prop(optional)]
    ask: Option<Ask>,
) -> impl IntoView {
    let hint = (!hint.is_empty()).then_some(hint);
    let error_id = format!("err-{name}");
    let hint_id = format!("hint-{name}");
    let error = RwSignal::new(error);
    let invalid = move || error.read().is_some();
    let described = {
        let (error_id, hint_id, hint) = (error_id.clone(), hint_id.clone(), hint.is_some());
        move || match (invalid(), hint) {
            (true, _) => Some(error_id.clone()),
            (false, true) => Some(hint_id.clone()),
            (false, false) => None,
        }
    };
    let ask = ask.map(|ask| ask_when_paused(ask, error));
    let on_input = move |ev| {
        let value = event_target_value(&ev);
        if let Some(ask) = ask {
            ask(value.clone());
        }
        if let Some(check) = check {
            error.set(check.run(value));
        }
    };
    let input = if multiline {
        leptos::either::Either::Left(view! {
            <textarea
                id=name.clone()
                name=name.clone()
                rows="6"
                spellcheck="false"
                autocomplete=autocomplete
                aria-invalid=move || invalid().then_some("true")
                aria-describedby=described
                on:input=on_input
            >{value}</textarea>
        })
    } else {
        leptos::either::Either::Right(view! {
            <input
                id=name.clone()
                name=name.clone()
                type=kind
                value=value
                autocomplete=autocomplete
                inputmode=inputmode
                // Numbers and addresses read left to right inside Hebrew and Persian pages.
                dir=matches!(kind, "tel" | "email" | "url").then_some("ltr")
                aria-invalid=move || invalid().then_some("true")
                aria-describedby=described
                on:input=on_input
            />
        })
    };
    view! {
        <div class="field" class:invalid=invalid>
            <label for=name>{label}</label>
            {input}
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
            // Announced as it changes: the check runs as the merchant types.
            <p class="error" id=error_id aria-live="polite" hidden=move || !invalid()>{move || error.get()}</p>
        </div>
    }
}
