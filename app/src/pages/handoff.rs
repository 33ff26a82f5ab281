//! The step between our form and the provider's page. With JavaScript, the shell's script
//! forwards at once (`data-auto-forward`): it replaces this page with the provider's, which
//! keeps the hand-off out of history so "back" at the provider returns to our form, or posts
//! the provider's form. Without it, a meta refresh forwards redirects and a visible button
//! posts provider forms.

use engine::public::HandOff;
use leptos::either::EitherOf5;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

use crate::api::{HandOffStep, load_hand_off};
use crate::i18n::*;

#[component]
pub fn HandOffPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let code = params.read_untracked().get("code").unwrap_or_default();
    let target = load_hand_off(code.clone());
    // Rendered once, on the server: see `openpay::OpenPay`.
    view! {
        <Title text=text!(i18n, redirecting).to_string() />
        <Suspense>
            {Suspend::new(async move {
                match target.await {
                    Ok(HandOffStep::Go(HandOff::Redirect(url))) => EitherOf5::A(view! { <Forward url /> }),
                    Ok(HandOffStep::Go(HandOff::PostForm { url, fields })) => EitherOf5::B(view! { <PostForward url fields /> }),
                    Ok(HandOffStep::MethodOff(retry)) => {
                        super::refusal_status(410);
                        EitherOf5::C(view! {
                            <section class="card">
                                <h1>{t!(i18n, method_off_title)}</h1>
                                <p>{t!(i18n, method_off_body)}</p>
                                <p><a class="button primary" href=retry>{t!(i18n, try_again)}</a></p>
                            </section>
                        })
                    }
                    Ok(HandOffStep::Unknown) => {
                        super::not_found_status();
                        EitherOf5::D(view! {
                            <section class="card">
                                <h1>{t!(i18n, payment_not_found)}</h1>
                                <p><a href="/track">{t!(i18n, track_button)}</a></p>
                            </section>
                        })
                    }
                    // Nothing to hand off any more: show where the payment stands.
                    Ok(HandOffStep::Done) | Err(_) => EitherOf5::E(view! {
                        <section class="card">
                            <p><a class="button" href=format!("/pay/{code}")>{t!(i18n, continue_to_gateway)}</a></p>
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
        <section class="card" aria-busy="true">
            <h1>{t!(i18n, redirecting)}</h1>
            <p><a class="button primary" href=url rel="external" data-auto-forward="">{t!(i18n, continue_to_gateway)}</a></p>
        </section>
    }
}

#[component]
fn PostForward(url: String, fields: Vec<(String, String)>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" aria-busy="true">
            <h1>{t!(i18n, redirecting)}</h1>
            <form method="post" action=url data-auto-forward="">
                {fields.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value /> }).collect_view()}
                <button type="submit" class="button primary">{t!(i18n, continue_to_gateway)}</button>
            </form>
        </section>
    }
}
