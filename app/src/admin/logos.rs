//! Logos: the store's (settings page, payment page) and each payment method's (beside its
//! name at checkout). Uploaded with a plain multipart form to `/api/admin/logo` (under `/api`,
//! so the origin check covers it), kept in the database, served at `/logos/{store}/{name}`.
//! With JavaScript the same form is posted by the browser's `fetch` and the page is read again
//! in the app (`send_in_place`), so an upload is no page load.

use engine::images::ImageName;
use leptos::prelude::*;

use super::fields::Notice;
use crate::flash::Flash;
use crate::i18n::*;

pub const UPLOAD_PATH: &str = "/api/admin/logo";
#[cfg(feature = "ssr")]
pub const SERVE_PATH: &str = "/logos/{store}/{name}";
/// Larger bodies are cut off before the handler; within it, anything over
/// `engine::images::MAX_BYTES` is refused with a message.
#[cfg(feature = "ssr")]
pub const BODY_LIMIT: usize = 8 * 1024 * 1024;

/// Where the form of `name` lives (the browser returns there).
#[cfg(feature = "ssr")]
fn page_of(name: ImageName) -> String {
    match name {
        ImageName::Store => "/admin/settings".to_owned(),
        ImageName::Method(id) => format!("{}?edit={id}", super::methods::PATH),
    }
}

/// The logo, and a form to upload a new one or remove it.
#[component]
pub fn LogoForm(name: ImageName, current: Option<String>, flash: Option<Flash>) -> impl IntoView {
    let i18n = use_i18n();
    use engine::validation::{Field, Problem};
    let locale = i18n.get_locale_untracked();
    let error = flash
        .as_ref()
        .and_then(|f| f.errors().get(Field::Logo))
        .map(|problem| match problem {
            Problem::TooLarge => text!(locale, logo_too_large).to_string(),
            Problem::Required => text!(locale, logo_missing).to_string(),
            _ => text!(locale, logo_not_an_image).to_string(),
        });
    let notice = flash.and_then(|f| f.notice).and_then(|n| match n.as_str() {
        "logo_saved" => Some(text!(i18n, logo_saved).to_string()),
        "logo_removed" => Some(text!(i18n, logo_removed).to_string()),
        _ => None,
    });
    let invalid = error.is_some();
    let has_logo = current.is_some();
    view! {
        <h2 id="logo">{text!(i18n, logo)}</h2>
        {notice.map(|text| view! { <Notice text /> })}
        {current.map(|src| view! { <img class="logo-preview" src=src alt=text!(i18n, logo_current).to_string() /> })}
        <form method="post" action=UPLOAD_PATH enctype="multipart/form-data" class="stack logo-form"
            on:submit=send_in_place>
            <input type="hidden" name="for" value=name.as_string() />
            <div class="field" class:invalid=invalid>
                <label for="logo-file">{text!(i18n, logo_file)}</label>
                <input id="logo-file" type="file" name="logo" accept="image/png,image/jpeg,image/webp,image/gif"
                    aria-invalid=invalid.then_some("true") aria-describedby="logo-hint" />
                <p class="hint" id="logo-hint">{text!(i18n, logo_hint)}</p>
                {error.map(|e| view! { <p class="error">{e}</p> })}
            </div>
            <div class="actions">
                <button type="submit" class="button">{text!(i18n, logo_upload)}</button>
                {has_logo.then(|| view! { <button type="submit" class="button danger" name="remove" value="1"
                    data-confirm=text!(i18n, logo_remove_confirm).to_string()>{text!(i18n, logo_remove)}</button> })}
            </div>
        </form>
    }
}

/// Posts the logo form as the browser would (the pressed button included), without leaving
/// the app: the answer's redirect sets the flash cookie, and the page is then read again where
/// it is (`follow_redirects`). Where that cannot be done, the browser posts the form itself.
fn send_in_place(event: leptos::ev::SubmitEvent) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(form) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
        else {
            return;
        };
        let Ok(data) = web_sys::FormData::new_with_form(&form) else {
            return;
        };
        // The pressed button's name and value, as the browser sends them ("remove").
        let pressed = event
            .submitter()
            .and_then(|b| Some((b.get_attribute("name")?, b.get_attribute("value")?)));
        if let Some((name, value)) = pressed
            && data.append_with_str(&name, &value).is_err()
        {
            return;
        }
        event.prevent_default();
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_body(&data);
        // The redirect's page is read through the app, not fetched here.
        init.set_redirect(web_sys::RequestRedirect::Manual);
        let sent = window().fetch_with_str_and_init(UPLOAD_PATH, &init);
        leptos::task::spawn_local(async move {
            let answered = wasm_bindgen_futures::JsFuture::from(sent)
                .await
                .ok()
                .and_then(|r| r.dyn_into::<web_sys::Response>().ok())
                .is_some_and(|r| r.type_() == web_sys::ResponseType::Opaqueredirect);
            if !answered {
                let _ = form.submit();
                return;
            }
            leptos::server_fn::redirect::call_redirect_hook(&super::here());
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = event;
}

/// `POST /api/admin/logo`: saves or removes a logo of the session's store, then sends the
/// browser back to the form with a flash (post/redirect/get, like every back-office form).
#[cfg(feature = "ssr")]
pub async fn upload(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    headers: axum::http::HeaderMap,
    mut multipart: axum::extract::Multipart,
) -> axum::response::Response {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    use engine::validation::{Field, FieldErrors};
    let user = match crate::session::user_from_headers(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let db = state.checkout.db();
    let (mut name, mut remove, mut bytes) = (None, false, Vec::new());
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("for") => {
                    name = field
                        .text()
                        .await
                        .ok()
                        .as_deref()
                        .and_then(ImageName::parse)
                }
                Some("remove") => remove = true,
                Some("logo") => match field.bytes().await {
                    Ok(b) => bytes = b.to_vec(),
                    Err(_) => return StatusCode::BAD_REQUEST.into_response(),
                },
                _ => {}
            },
            Ok(None) => break,
            Err(e) => return (StatusCode::BAD_REQUEST, e.body_text()).into_response(),
        }
    }
    let Some(name) = name else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    // A method's logo only for the store's own method.
    if let ImageName::Method(id) = name {
        match engine::db::methods::get(db, user.store_id, id).await {
            Ok(Some(_)) => {}
            Ok(None) => return StatusCode::NOT_FOUND.into_response(),
            Err(e) => return internal(e),
        }
    }
    let flash = if remove {
        if let Err(e) = engine::db::images::remove(db, user.store_id, name).await {
            return internal(e);
        }
        Flash::notice("logo_removed")
    } else {
        match engine::images::check(&bytes) {
            Ok(content_type) => {
                if let Err(e) =
                    engine::db::images::put(db, user.store_id, name, content_type, &bytes).await
                {
                    return internal(e);
                }
                Flash::notice("logo_saved")
            }
            Err(problem) => {
                let mut errors = FieldErrors::default();
                errors.add(Field::Logo, problem);
                Flash {
                    errors: errors.encode(),
                    ..Flash::default()
                }
            }
        }
    };
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, page_of(name)),
            (header::SET_COOKIE, crate::flash::cookie(&flash)),
        ],
    )
        .into_response()
}

/// `GET /logos/{store}/{name}`: the image as uploaded, with the type it was sniffed as.
#[cfg(feature = "ssr")]
pub async fn serve(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    axum::extract::Path((store, name)): axum::extract::Path<(i64, String)>,
) -> axum::response::Response {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    let Some(name) = ImageName::parse(&name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match engine::db::images::get(state.checkout.db(), store, name).await {
        Ok(Some((content_type, bytes))) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
                // Each upload has its own address (`?v=`), so a cached copy is never stale.
                (
                    header::CACHE_CONTROL,
                    "public, max-age=31536000, immutable".to_owned(),
                ),
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; sandbox".to_owned(),
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => internal(e),
    }
}

#[cfg(feature = "ssr")]
fn internal(e: impl std::fmt::Display) -> axum::response::Response {
    use axum::response::IntoResponse;
    tracing::error!("logo: {e}");
    axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
}
