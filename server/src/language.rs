//! The page language, in this order: `?lang=xx` (remembered in leptos_i18n's cookie), that
//! cookie, the browser's Accept-Language, and on a customer page the store's default language
//! (rather than English, for a browser that asks only for languages Kassa lacks).

use app::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use engine::db::stores;
use engine::validation::LANGUAGES;

const COOKIE: &str = "i18n_pref_locale";

pub async fn choose_language(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let chosen = req.uri().query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| LANGUAGES.into_iter().find(|l| *l == v))
    });
    match chosen {
        Some(lang) => remember(lang, req, next).await,
        None if app::cookies::find(req.headers(), COOKIE).is_some() => next.run(req).await,
        None => store_fallback(&state, req, next).await,
    }
}

/// The store's language joins the end of Accept-Language with the lowest weight, so it wins
/// only over English-by-default.
async fn store_fallback(state: &AppState, mut req: Request, next: Next) -> Response {
    let Some(page) = customer_page(req.uri().path(), &state.default_store) else {
        return next.run(req).await;
    };
    let found = match page {
        // The payment page reads its storefront next: read it once, here, and pass it on.
        PageOf::Store(slug) => match state.checkout.storefront(slug).await {
            Ok(storefront) => {
                let lang = storefront.store.default_lang.clone();
                req.extensions_mut().insert(storefront);
                Ok(Some(lang))
            }
            Err(engine::checkout::CheckoutError::UnknownStore) => Ok(None),
            Err(e) => Err(e.to_string()),
        },
        PageOf::Payment(code) => stores::payment_lang(state.checkout.db(), code)
            .await
            .map_err(|e| e.to_string()),
    };
    let lang = match found {
        Ok(Some(lang)) => lang,
        Ok(None) => return next.run(req).await,
        Err(e) => {
            tracing::warn!("store language: {e}");
            return next.run(req).await;
        }
    };
    let accepted = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let value = match accepted {
        // No space after the comma: leptos-use splits on ',' and does not trim.
        Some(accepted) => format!("{accepted},{lang};q=0.001"),
        None => lang,
    };
    if let Ok(value) = HeaderValue::from_str(&value) {
        req.headers_mut().insert(header::ACCEPT_LANGUAGE, value);
    }
    next.run(req).await
}

/// Whose customer page a request is for: a store's (by slug) or a payment's (by tracking code).
enum PageOf<'a> {
    Store(&'a str),
    Payment(&'a str),
}

/// The store behind a customer page: `/openpay` (the default store), `/s/{slug}/openpay`, and
/// a payment's pages (`/pay/{code}`, `/pay/{code}/go`, `/track/{code}`).
fn customer_page<'a>(path: &'a str, default_store: &'a str) -> Option<PageOf<'a>> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        ["openpay"] => Some(PageOf::Store(default_store)),
        ["s", slug, "openpay"] => Some(PageOf::Store(slug)),
        ["pay", code] | ["pay", code, "go"] | ["track", code] => Some(PageOf::Payment(code)),
        _ => None,
    }
}

async fn remember(lang: &str, mut req: Request, next: Next) -> Response {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_pages_name_their_store() {
        let slug = |p| match customer_page(p, "demo") {
            Some(PageOf::Store(s)) => Some(format!("store {s}")),
            Some(PageOf::Payment(c)) => Some(format!("payment {c}")),
            None => None,
        };
        assert_eq!(slug("/openpay").as_deref(), Some("store demo"));
        assert_eq!(slug("/s/dana/openpay").as_deref(), Some("store dana"));
        assert_eq!(slug("/pay/K7Q2").as_deref(), Some("payment K7Q2"));
        assert_eq!(slug("/pay/K7Q2/go").as_deref(), Some("payment K7Q2"));
        assert_eq!(slug("/track/K7Q2").as_deref(), Some("payment K7Q2"));
        assert_eq!(slug("/pay/K7Q2/return"), None);
        assert_eq!(slug("/admin/settings"), None);
        assert_eq!(slug("/"), None);
    }
}
