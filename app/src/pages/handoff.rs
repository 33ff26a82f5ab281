//! The step between our form and the provider's page: a meta refresh forwards redirects, and
//! a visible button posts provider forms. The `AutoForward` island would forward at once
//! (replacing this page in history), but islands are not linked into the wasm yet: see
//! docs/ARCHITECTURE.md, page weight.

use engine::public::HandOff;
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

use crate::api::load_hand_off;
use crate::i18n::*;

#[component]
pub fn HandOffPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let code = move || params.read().get("code").unwrap_or_default();
    let target = Resource::new(code, load_hand_off);
    view! {
        <Title text=t_string!(i18n, redirecting).to_string() />
        <Suspense>
            {move || Suspend::new(async move {
                match target.await {
                    Ok(Some(HandOff::Redirect(url))) => EitherOf3::A(view! { <Forward url /> }),
                    Ok(Some(HandOff::PostForm { url, fields })) => EitherOf3::B(view! { <PostForward url fields /> }),
                    // Nothing to hand off any more: show where the payment stands.
                    _ => EitherOf3::C(view! {
                        <section class="card">
                            <p><a class="button" href=format!("/pay/{}", code())>{t!(i18n, continue_to_gateway)}</a></p>
                        </section>
                    }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Forward(url: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Meta http_equiv="refresh" content=format!("0;url={url}") />
        <AutoForward redirect=Some(url.clone())>
            <section class="card" aria-busy="true">
                <h1>{t!(i18n, redirecting)}</h1>
                <p><a class="button primary" href=url rel="external">{t!(i18n, continue_to_gateway)}</a></p>
            </section>
        </AutoForward>
    }
}

#[component]
fn PostForward(url: String, fields: Vec<(String, String)>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <AutoForward redirect=None>
            <section class="card" aria-busy="true">
                <h1>{t!(i18n, redirecting)}</h1>
                <form method="post" action=url data-auto-submit="">
                    {fields.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value /> }).collect_view()}
                    <button type="submit" class="button primary">{t!(i18n, continue_to_gateway)}</button>
                </form>
            </section>
        </AutoForward>
    }
}

/// Not linked into the wasm yet (see the module doc). Once live, it replaces this page with the provider's
/// (`redirect`), or posts the provider form marked `data-auto-submit`. Replacing keeps the
/// hand-off out of history, so "back" at the provider returns to our form.
#[island]
fn AutoForward(redirect: Option<String>, children: Children) -> impl IntoView {
    Effect::new(move |_| match &redirect {
        Some(url) => {
            let _ = window().location().replace(url);
        }
        None => {
            use wasm_bindgen::JsCast;
            if let Ok(Some(form)) = document().query_selector("form[data-auto-submit]") {
                let _ = form.unchecked_into::<web_sys::HtmlFormElement>().submit();
            }
        }
    });
    children()
}
