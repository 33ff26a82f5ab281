//! Log-in, sign-up and the account page (password change). Passwords never come back in a
//! flash: a refused form returns everything but them.

use engine::validation::Field;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use super::fields::{
    FormPost, Fresh, Notice, SelectField, ServerForm, StoreBasics, field_error, language_options,
    typed,
};
use super::{AdminView, Shell};
use crate::components::TextField;
use crate::flash::Flash;
use crate::i18n::*;

/// The log-in or sign-up page's data: a refused attempt's flash, and the rendering's id (see
/// `fields::Fresh`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicForm {
    pub flash: Option<Flash>,
    pub render: String,
}

/// Sends a signed-in merchant on to `/admin`.
#[server(endpoint = "admin/public-form", input = crate::admin::Postcard, output = crate::admin::Postcard)]
pub async fn load_public_form() -> Result<PublicForm, ServerFnError> {
    if crate::session::current_user().await?.is_some() {
        crate::session::redirect("/admin").await;
    }
    Ok(PublicForm {
        flash: crate::flash::take().await,
        render: engine::tracking::random_token(),
    })
}

#[server(endpoint = "admin/login", output = crate::admin::Postcard)]
pub async fn log_in(email: String, password: String) -> Result<(), ServerFnError> {
    use engine::accounts::{self, AccountError};
    let state = crate::state::app_state()?;
    let address = crate::session::client_address(&state).await;
    let now = engine::time::now_millis();
    match accounts::log_in(state.checkout.db(), &email, &password, &address, now).await {
        Ok(session) => {
            crate::session::start(&session.token);
            crate::session::redirect_to("/admin");
        }
        Err(err) => {
            let notice = match err {
                AccountError::WrongCredentials => "wrong".to_owned(),
                AccountError::Throttled { retry_after_ms } => throttled(retry_after_ms),
                AccountError::Busy => return Err(crate::api::busy()),
                other => return Err(crate::api::internal(other)),
            };
            crate::flash::put(&Flash {
                values: vec![("email".into(), email)],
                notice: Some(notice),
                ..Flash::default()
            });
            crate::session::redirect_to(crate::session::LOGIN_PATH);
        }
    }
    Ok(())
}

#[server(endpoint = "admin/signup", output = crate::admin::Postcard)]
pub async fn sign_up(
    store_name: String,
    slug: String,
    currency: String,
    language: String,
    email: String,
    password: String,
) -> Result<(), ServerFnError> {
    use engine::accounts::{self, AccountError, SignUp};
    let state = crate::state::app_state()?;
    let form = SignUp {
        store_name,
        slug,
        currency,
        language,
        email,
        password,
    };
    let address = crate::session::client_address(&state).await;
    let now = engine::time::now_millis();
    let per_hour = state.sign_ups_per_hour;
    match accounts::sign_up(state.checkout.db(), &form, &address, per_hour, now).await {
        Ok((_, session)) => {
            crate::session::start(&session.token);
            crate::session::redirect_to("/admin/settings");
        }
        Err(AccountError::Invalid(errors)) => {
            crate::flash::put(&Flash {
                values: vec![
                    ("store_name".into(), form.store_name),
                    ("slug".into(), form.slug),
                    ("currency".into(), form.currency),
                    ("language".into(), form.language),
                    ("email".into(), form.email),
                ],
                errors: errors.encode(),
                notice: None,
            });
            crate::session::redirect_to("/admin/signup");
        }
        Err(AccountError::Throttled { retry_after_ms }) => {
            crate::flash::put(&Flash::notice(&throttled(retry_after_ms)));
            crate::session::redirect_to("/admin/signup");
        }
        Err(AccountError::Busy) => return Err(crate::api::busy()),
        Err(other) => return Err(crate::api::internal(other)),
    }
    Ok(())
}

#[component]
pub fn LogIn() -> impl IntoView {
    let i18n = use_i18n();
    let flash = super::page_data(|_| load_public_form());
    let action = FormPost::<LogIn>::new();
    view! {
        <Title text=text!(i18n, login_title).to_string() />
        <section class="card">
            <h1>{text!(i18n, login_title)}</h1>
            <Suspense>
                {move || Suspend::new(async move {
                    let PublicForm { flash, render } = flash.await.ok()?;
                    let locale = i18n.get_locale_untracked();
                    let notice = flash.as_ref().and_then(|f| f.notice.clone()).map(|n| {
                        let text = throttled_text(&n).unwrap_or_else(|| text!(locale, login_wrong).to_string());
                        view! { <Notice text error=true /> }
                    });
                    Some(view! {
                        <Fresh render>
                        {notice}
                        <ServerForm action=action attr:class="stack">
                            <TextField name="email" kind="email" autocomplete="username"
                                label=text!(i18n, login_email).to_string()
                                value=typed(&flash, "email", "") error=None />
                            <TextField name="password" kind="password" autocomplete="current-password"
                                label=text!(i18n, login_password).to_string()
                                value=String::new() error=None />
                            <button type="submit" class="button primary">{text!(i18n, login_button)}</button>
                        </ServerForm>
                        </Fresh>
                    })
                })}
            </Suspense>
            <p class="muted">{text!(i18n, login_no_account)}" "<a href="/admin/signup">{text!(i18n, signup_link)}</a></p>
        </section>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let i18n = use_i18n();
    let flash = super::page_data(|_| load_public_form());
    let action = FormPost::<SignUp>::new();
    view! {
        <Title text=text!(i18n, signup_title).to_string() />
        <section class="card">
            <h1>{text!(i18n, signup_title)}</h1>
            <Suspense>
                {move || Suspend::new(async move {
                    let PublicForm { flash, render } = flash.await.ok()?;
                    let lang = i18n.get_locale_untracked().as_str();
                    let (store_name, slug) = (typed(&flash, "store_name", ""), typed(&flash, "slug", ""));
                    let (currency, language) = (typed(&flash, "currency", "ILS"), typed(&flash, "language", lang));
                    let email = typed(&flash, "email", "");
                    let error = |field| field_error(&flash, field);
                    let errors = [Field::StoreName, Field::Slug, Field::Currency, Field::Language, Field::Email, Field::Password].map(error);
                    let [store_name_error, slug_error, currency_error, language_error, email_error, password_error] = errors;
                    let throttled = flash.as_ref().and_then(|f| f.notice.as_deref()).and_then(throttled_text);
                    Some(view! {
                        <Fresh render>
                        {throttled.map(|text| view! { <Notice text error=true /> })}
                        <ServerForm action=action attr:class="stack" attr:novalidate=true>
                            <StoreBasics name_input="store_name" name=store_name slug currency
                                name_error=store_name_error slug_error currency_error />
                            <SelectField name="language" label=text!(i18n, default_language).to_string()
                                error=language_error>
                                {language_options(&language)}
                            </SelectField>
                            <TextField name="email" kind="email" autocomplete="username"
                                label=text!(i18n, login_email).to_string()
                                value=email error=email_error />
                            <TextField name="password" kind="password" autocomplete="new-password"
                                label=text!(i18n, login_password).to_string()
                                hint=text!(i18n, password_hint).to_string()
                                value=String::new() error=password_error />
                            <button type="submit" class="button primary">{text!(i18n, signup_button)}</button>
                        </ServerForm>
                        </Fresh>
                    })
                })}
            </Suspense>
            <p class="muted">{text!(i18n, signup_have_account)}" "<a href="/admin/login">{text!(i18n, login_button)}</a></p>
        </section>
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountPage {
    pub admin: AdminView,
    pub flash: Option<Flash>,
}

#[server(endpoint = "admin/account-page", input = crate::admin::Postcard, output = crate::admin::Postcard)]
pub async fn load_account() -> Result<AccountPage, ServerFnError> {
    let state = crate::state::app_state()?;
    let user = crate::session::require_user().await?;
    let (_, admin) = super::admin_view(&state, &user).await?;
    Ok(AccountPage {
        admin,
        flash: crate::flash::take().await,
    })
}

#[server(endpoint = "admin/password", output = crate::admin::Postcard)]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), ServerFnError> {
    use engine::accounts::{self, AccountError};
    let state = crate::state::app_state()?;
    let user = crate::session::require_user().await?;
    let now = engine::time::now_millis();
    let db = state.checkout.db();
    let address = crate::session::client_address(&state).await;
    let changed =
        accounts::change_password(db, &user, &current_password, &new_password, &address, now);
    let flash = match changed.await {
        Ok(session) => {
            crate::session::start(&session.token);
            Flash::notice("password_changed")
        }
        Err(AccountError::Invalid(errors)) => Flash {
            errors: errors.encode(),
            ..Flash::default()
        },
        Err(AccountError::Throttled { retry_after_ms }) => {
            Flash::notice(&throttled(retry_after_ms))
        }
        Err(AccountError::Busy) => return Err(crate::api::busy()),
        Err(other) => return Err(crate::api::internal(other)),
    };
    crate::flash::put(&flash);
    crate::session::redirect_to("/admin/account");
    Ok(())
}

/// The notice of a refused attempt: `throttled.{minutes}`, read by [`throttled_text`].
#[cfg(feature = "ssr")]
fn throttled(retry_after_ms: i64) -> String {
    format!("throttled.{}", (retry_after_ms + 59_999) / 60_000)
}

/// What a `throttled.{minutes}` notice says, if it is one.
fn throttled_text(notice: &str) -> Option<String> {
    let minutes = notice.strip_prefix("throttled.")?;
    let locale = use_i18n().get_locale_untracked();
    Some(text!(locale, login_throttled, minutes = minutes.to_owned()).to_string())
}

#[component]
pub fn Account() -> impl IntoView {
    let i18n = use_i18n();
    let page = super::page_data(|_| load_account());
    let action = FormPost::<ChangePassword>::new();
    view! {
        <Transition>
            {move || Suspend::new(async move {
                page.await.map(|AccountPage { admin, flash }| {
                    let notice = flash.as_ref().and_then(|f| f.notice.clone()).unwrap_or_default();
                    let changed = notice == "password_changed";
                    view! {
                        <Shell admin title=text!(i18n, nav_account).to_string()>
                            {changed.then(|| view! { <Notice text=text!(i18n, password_changed).to_string() /> })}
                            {throttled_text(&notice).map(|text| view! { <Notice text error=true /> })}
                            <h2>{text!(i18n, change_password)}</h2>
                            <ServerForm action=action attr:class="stack" attr:novalidate=true>
                                <TextField name="current_password" kind="password" autocomplete="current-password"
                                    label=text!(i18n, current_password).to_string()
                                    value=String::new() error=field_error(&flash, Field::Password) />
                                <TextField name="new_password" kind="password" autocomplete="new-password"
                                    label=text!(i18n, new_password).to_string()
                                    hint=text!(i18n, password_hint).to_string()
                                    value=String::new() error=field_error(&flash, Field::NewPassword) />
                                <button type="submit" class="button primary">{text!(i18n, change_password)}</button>
                            </ServerForm>
                            <p class="hint">{text!(i18n, session_note)}</p>
                        </Shell>
                    }
                })
            })}
        </Transition>
    }
}
