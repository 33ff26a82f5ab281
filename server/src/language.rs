//! The page language, chosen once per request and handed to the render as
//! `app::PageLanguage`: `?lang=xx` (then remembered in the language cookie), that cookie,
//! the browser's Accept-Language, and on a customer page the store's default language (rather
//! than English, for a browser that asks only for languages Kassa lacks).

use app::PageLanguage;
use app::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use engine::db::stores;

const COOKIE: &str = "i18n_pref_locale";

pub async fn choose_language(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let asked = req.uri().query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| PageLanguage::parse(&v))
    });
    if let Some(lang) = asked {
        return remember(lang, req, next).await;
    }
    let kept = app::cookies::find(req.headers(), COOKIE).and_then(|v| PageLanguage::parse(&v));
    let (lang, req) = match kept {
        Some(lang) => (lang, req),
        None => accepted(&state, req).await,
    };
    render_in(lang, req, next).await
}

async fn render_in(lang: PageLanguage, mut req: Request, next: Next) -> Response {
    req.extensions_mut().insert(lang);
    next.run(req).await
}

/// The first of the browser's languages Kassa has (`PageLanguage::accepted`), else on a
/// customer page the store's language, else English.
async fn accepted(state: &AppState, mut req: Request) -> (PageLanguage, Request) {
    let browser = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(PageLanguage::accepted);
    if let Some(lang) = browser {
        return (lang, req);
    }
    let path = req.uri().path().to_owned();
    let store_lang = match customer_page(&path, &state.default_store) {
        Some(page) => store_language(state, page, &mut req).await,
        None => None,
    };
    let lang = store_lang.as_deref().and_then(PageLanguage::parse);
    (
        lang.unwrap_or(PageLanguage(app::i18n::Locale::default())),
        req,
    )
}

/// The default language of the store behind a customer page.
async fn store_language(state: &AppState, page: PageOf<'_>, req: &mut Request) -> Option<String> {
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
    found.unwrap_or_else(|e| {
        tracing::warn!("store language: {e}");
        None
    })
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

async fn remember(lang: PageLanguage, mut req: Request, next: Next) -> Response {
    // Server functions read the language from the cookie (the payment's language, for its
    // receipt): this request's must already say the chosen one.
    let name = lang.code();
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
        format!("{COOKIE}={name}")
    } else {
        format!("{others}; {COOKIE}={name}")
    };
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        req.headers_mut().insert(header::COOKIE, value);
    }
    let mut response = render_in(lang, req, next).await;
    let set = format!("{COOKIE}={name}; Path=/; Max-Age=31536000; SameSite=Lax");
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
