//! The pieces of back-office forms: notices, selects, and a refused form's values and errors.

use engine::money::{Currency, Unit};
use engine::validation::Problem;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::flash::Flash;
use crate::i18n::*;

/// Shows `children` so that a page read again (after a form's save) replaces them instead of
/// updating them: an update keeps whatever was typed into inputs whose `value` attribute did
/// not change (an emptied form after adding an account would keep what was typed). A keyed
/// list of one item whose key is new on every rendering (`render`) is replaced wholesale.
#[component]
pub fn Fresh<C: IntoView + 'static>(render: String, children: TypedChildren<C>) -> impl IntoView {
    // `For` wants a reusable child function; with one item it is called once.
    let children = std::sync::Arc::new(std::sync::Mutex::new(Some(children.into_inner())));
    let child = move |_| {
        let children = children.lock().ok().and_then(|mut c| c.take());
        children.map(|c| c())
    };
    view! { <For each=move || [render.clone()] key=|k| k.clone() children=child /> }
}

/// Copies `text` to the clipboard, with plain script (`shell`'s `PAGE_SCRIPT`), not an island:
/// any island would link the reactive runtime into the one wasm file every customer page
/// loads. Without JavaScript the button is hidden and the text stays selectable beside it.
#[component]
pub fn CopyButton(text: String, label: String, done: String) -> impl IntoView {
    view! {
        <button type="button" class="button copy" data-copy=text data-done=done aria-live="polite">
            {label}
        </button>
    }
}

/// What a form's sending did. An error stands across the top of the form (read at once); news
/// of what was done (saved, created…) is a toast at the foot of the window that fades after a
/// few seconds, in CSS alone (it works without JavaScript), wherever the merchant was on the
/// page. A `lasting` notice stays in the page: news to read, not just a confirmation.
#[component]
pub fn Notice(
    text: String,
    #[prop(optional)] error: bool,
    #[prop(optional)] lasting: bool,
) -> impl IntoView {
    let (class, role) = match (error, lasting) {
        (true, _) => ("form-error", "alert"),
        (false, true) => ("saved", "status"),
        (false, false) => ("saved toast", "status"),
    };
    view! { <p class=class role=role>{text}</p> }
}

/// The value a refused form had for `name`, else `fallback`.
pub fn typed(flash: &Option<Flash>, name: &str, fallback: impl Into<String>) -> String {
    flash
        .as_ref()
        .and_then(|f| f.value(name))
        .unwrap_or_else(|| fallback.into())
}

/// The error message for `field` of a refused form.
pub fn field_error(flash: &Option<Flash>, field: engine::validation::Field) -> Option<String> {
    field_error_within(flash, field, |n| n.to_string())
}

/// [`field_error`] for a field whose limits read as `limit` writes them.
pub fn field_error_within(
    flash: &Option<Flash>,
    field: engine::validation::Field,
    limit: impl Fn(i64) -> String,
) -> Option<String> {
    let problem = flash.as_ref()?.errors().get(field)?;
    Some(crate::components::problem_text(problem, limit))
}

/// Checks a field as the merchant types, with the parser the server runs on it again (`parse`,
/// pure engine code), giving what is wrong in the page's language.
pub fn live_check<T>(
    parse: impl Fn(&str) -> Result<T, Problem> + Send + Sync + 'static,
) -> Callback<String, Option<String>> {
    live_check_within(parse, |n| n.to_string())
}

/// [`live_check`] for a field whose limits (`BelowMin`, `AboveMax`) read as `limit` writes them.
pub fn live_check_within<T>(
    parse: impl Fn(&str) -> Result<T, Problem> + Send + Sync + 'static,
    limit: impl Fn(i64) -> String + Copy + Send + Sync + 'static,
) -> Callback<String, Option<String>> {
    let locale = use_i18n().get_locale_untracked();
    Callback::new(move |input: String| {
        parse(&input)
            .err()
            .map(|problem| crate::components::problem_text_in(locale, problem, limit))
    })
}

/// Checks an amount field that may be left empty (`engine::validation::optional_amount`:
/// Persian and Arabic-Indic digits, their separators, rial or toman).
pub fn amount_check(currency: Currency, unit: Unit) -> Callback<String, Option<String>> {
    live_check(move |input| engine::validation::optional_amount(input, currency, unit))
}

/// A form's fields as its GET would send them (`a=1&b=2`).
#[cfg(feature = "hydrate")]
pub fn form_query(form: &leptos::web_sys::HtmlFormElement) -> Option<String> {
    use leptos::web_sys::{FormData, UrlSearchParams};
    FormData::new_with_form(form)
        .and_then(|data| UrlSearchParams::new_with_str_sequence_sequence(&data))
        .ok()
        .map(|query| String::from(query.to_string()))
}

/// `<option>`s of the store languages, each in its own language, with `chosen` selected.
pub fn language_options(chosen: &str) -> impl IntoView + use<> {
    [
        ("en", "English"),
        ("he", "עברית"),
        ("fa", "فارسی"),
        ("el", "Ελληνικά"),
        ("lv", "Latviešu"),
    ]
    .into_iter()
    .map(|(code, name)| {
        view! { <option value=code selected=chosen == code lang=code>{name}</option> }
    })
    .collect_view()
}

/// `<option>`s of the supported currencies, with `chosen` selected.
pub fn currency_options(chosen: &str) -> impl IntoView + use<> {
    engine::money::Currency::all()
        .map(|c| {
            let code = c.code();
            view! { <option value=code selected=chosen.eq_ignore_ascii_case(code)>{code}</option> }
        })
        .collect_view()
}

/// A labelled `<select>` with its error.
#[component]
pub fn SelectField<C: IntoView + 'static>(
    name: &'static str,
    label: String,
    error: Option<String>,
    children: TypedChildren<C>,
) -> impl IntoView {
    let invalid = error.is_some();
    let error_id = format!("err-{name}");
    view! {
        <div class="field" class:invalid=invalid>
            <label for=name>{label}</label>
            <select id=name name=name aria-invalid=invalid.then_some("true")
                aria-describedby=invalid.then(|| error_id.clone())>
                {children.into_inner()()}
            </select>
            {error.map(|e| view! { <p class="error" id=error_id>{e}</p> })}
        </div>
    }
}

/// A store's name, web address and currency: the fields sign-up and the settings page share.
#[component]
pub fn StoreBasics(
    /// The name input's name (`store_name` at sign-up, `name` in the settings).
    name_input: &'static str,
    name: String,
    slug: String,
    currency: String,
    name_error: Option<String>,
    slug_error: Option<String>,
    currency_error: Option<String>,
) -> impl IntoView {
    use crate::components::TextField;
    use crate::i18n::*;
    let i18n = use_i18n();
    view! {
        <TextField name=name_input autocomplete="organization"
            label=text!(i18n, store_name).to_string() value=name error=name_error />
        <TextField name="slug" autocomplete="off" label=text!(i18n, slug).to_string()
            hint=text!(i18n, slug_hint).to_string() value=slug error=slug_error />
        <SelectField name="currency" label=text!(i18n, currency).to_string() error=currency_error>
            {currency_options(&currency)}
        </SelectField>
    }
}

/// What a `ServerForm` posts to: a server function (its address only) and whether a post of
/// it is on its way.
pub struct FormPost<ServFn> {
    pending: RwSignal<bool>,
    function: std::marker::PhantomData<fn() -> ServFn>,
}

impl<ServFn> Clone for FormPost<ServFn> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<ServFn> Copy for FormPost<ServFn> {}

impl<ServFn> Default for FormPost<ServFn> {
    fn default() -> Self {
        FormPost {
            pending: RwSignal::new(false),
            function: std::marker::PhantomData,
        }
    }
}

impl<ServFn> FormPost<ServFn> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether a post is on its way (tracked).
    #[cfg(feature = "hydrate")]
    pub fn pending(&self) -> bool {
        self.pending.get()
    }
}

/// A back-office form: a `<form action=… method=post>` to `action`'s server function, which
/// the browser posts itself without JavaScript. In the app the same fields are posted by
/// `fetch` and the server's redirect is followed by the router. The fields travel as the form
/// has them, never through the function's argument types: reading them into those types in
/// the browser (what Leptos' `ActionForm` does, to write them out again) put a
/// query-string reader and a deserialiser per form into the wasm, for nothing the server
/// does not check again.
#[component]
pub fn ServerForm<ServFn, C>(action: FormPost<ServFn>, children: TypedChildren<C>) -> impl IntoView
where
    ServFn: ServerFn + 'static,
    C: IntoView + 'static,
{
    let submit = move |ev: SubmitEvent| {
        #[cfg(feature = "hydrate")]
        post_form(&ev, ServFn::url(), action.pending);
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, action.pending);
    };
    view! {
        <form action=ServFn::url() method="post" on:submit=submit>
            {children.into_inner()()}
        </form>
    }
}

/// Posts the submitted form's fields (and its submit button's) to `url` as the server function
/// client does (a plain `Accept`, so the server answers a redirect with its header instead of a
/// 302), then follows the redirect in the app. If the post cannot be sent at all, the browser
/// posts the form itself.
#[cfg(feature = "hydrate")]
fn post_form(ev: &SubmitEvent, url: &'static str, pending: RwSignal<bool>) {
    use leptos::server_fn::redirect::{REDIRECT_HEADER, call_redirect_hook};
    use wasm_bindgen::JsCast;

    if ev.default_prevented() {
        return;
    }
    let Some(form) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
    else {
        return;
    };
    let Some(body) = leptos::form::form_data_from_event(ev)
        .ok()
        .and_then(|data| web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok())
        .and_then(|fields| fields.to_string().as_string())
    else {
        return;
    };
    ev.prevent_default();
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&body.into());
    let headers = web_sys::Headers::new().expect("headers");
    let _ = headers.set("Content-Type", "application/x-www-form-urlencoded");
    let _ = headers.set("Accept", "application/x-postcard");
    init.set_headers(&headers);
    let sent = window().fetch_with_str_and_init(url, &init);
    pending.set(true);
    leptos::task::spawn_local(async move {
        let answer = wasm_bindgen_futures::JsFuture::from(sent)
            .await
            .ok()
            .and_then(|r| r.dyn_into::<web_sys::Response>().ok());
        pending.set(false);
        let Some(answer) = answer else {
            let _ = form.submit();
            return;
        };
        let headers = answer.headers();
        if headers.has(REDIRECT_HEADER).unwrap_or(false) {
            let to = headers.get("Location").ok().flatten().unwrap_or_default();
            call_redirect_hook(&to);
        }
    });
}
