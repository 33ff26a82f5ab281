//! `?lang=xx` picks the page language and remembers it in leptos_i18n's cookie, which then
//! comes before the browser's Accept-Language.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

const COOKIE: &str = "i18n_pref_locale";
const LANGUAGES: [&str; 3] = ["en", "he", "fa"];

pub async fn remember_language(mut req: Request, next: Next) -> Response {
    let chosen = req.uri().query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| LANGUAGES.into_iter().find(|l| *l == v))
    });
    let Some(lang) = chosen else {
        return next.run(req).await;
    };
    // The page rendered for this request must already be in the chosen language.
    let others = req
        .headers()
        .get(header::COOKIE)
        .and_then(|c| c.to_str().ok())
        .map(|c| {
            c.split(';')
                .map(str::trim)
                .filter(|p| !p.starts_with(COOKIE))
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default();
    let cookie = if others.is_empty() {
        format!("{COOKIE}={lang}")
    } else {
        format!("{others}; {COOKIE}={lang}")
    };
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        req.headers_mut().insert(header::COOKIE, value);
    }
    let mut response = next.run(req).await;
    let set = format!("{COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Lax");
    if let Ok(value) = HeaderValue::from_str(&set) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}
