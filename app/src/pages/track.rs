//! Tracking: whoever holds a code sees that one payment's status, nothing else.

use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::payment::Summary;
use crate::api::{Track, load_payment};
use crate::i18n::*;

#[component]
pub fn TrackForm() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let action = ServerAction::<Track>::new();
    let invalid = move || query.read().get("err").is_some();
    view! {
        <Title text=text!(i18n, track_title).to_string() />
        <section class="card">
            <h1>{t!(i18n, track_title)}</h1>
            <ActionForm action=action attr:class="track">
                <div class="field" class:invalid=invalid>
                    <label for="code">{t!(i18n, track_label)}</label>
                    <input id="code" name="code" class="mono" autocomplete="off" autocapitalize="characters"
                        value=move || query.read().get("code").unwrap_or_default()
                        aria-invalid=move || invalid().then_some("true") aria-describedby="err-code" />
                    <Show when=invalid>
                        <p class="error" id="err-code">{t!(i18n, track_invalid)}</p>
                    </Show>
                </div>
                <button type="submit" class="button primary">{t!(i18n, track_button)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn TrackStatus() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let payment = load_payment(params.read_untracked().get("code").unwrap_or_default());
    // Rendered once, on the server: see `openpay::OpenPay`.
    view! {
        <Title text=text!(i18n, track_title).to_string() />
        <Suspense>
            {Suspend::new(async move {
                match payment.await {
                    Ok(Some(p)) => EitherOf3::A(view! {
                        <section class="card">
                            <h1>{t!(i18n, track_title)}</h1>
                            <Summary payment=p />
                        </section>
                    }),
                    Ok(None) => EitherOf3::B({
                        super::not_found_status();
                        view! {
                        <section class="card">
                            <h1>{t!(i18n, track_title)}</h1>
                            <p class="error">{t!(i18n, payment_not_found)}</p>
                            <p><a href="/track">{t!(i18n, track_button)}</a></p>
                        </section>
                        }
                    }),
                    Err(e) => EitherOf3::C(view! { <p class="error">{e.to_string()}</p> }),
                }
            })}
        </Suspense>
    }
}
