//! Headers every response carries, in one place: `Referrer-Policy` (a payment page's address
//! holds its tracking code; other sites get Kassa's origin only, which myPOS still checks),
//! `X-Content-Type-Options`, and `Secure` on every cookie whenever Kassa is served over
//! https, whichever part of Kassa set it (session, flash, form key, language). The
//! Content-Security-Policy of pages is the shell's (`app::shell`): it names the page's nonce.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// Whether cookies need `Secure`: the public URL is https.
#[derive(Clone, Copy, Debug)]
pub struct Https(pub bool);

pub async fn add(State(Https(https)): State<Https>, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("strict-origin-when-cross-origin"));
    headers
        .entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    if https {
        let cookies: Vec<HeaderValue> = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(secure)
            .collect();
        headers.remove(header::SET_COOKIE);
        for cookie in cookies {
            headers.append(header::SET_COOKIE, cookie);
        }
    }
    response
}

/// The cookie with `; Secure`, unless it has it.
fn secure(cookie: &HeaderValue) -> HeaderValue {
    let text = cookie.to_str().unwrap_or_default();
    let has = text
        .split(';')
        .any(|attribute| attribute.trim().eq_ignore_ascii_case("secure"));
    if has || text.is_empty() {
        return cookie.clone();
    }
    HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or_else(|_| cookie.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_get_secure_once() {
        let plain = HeaderValue::from_static("a=1; Path=/; HttpOnly");
        assert_eq!(secure(&plain), "a=1; Path=/; HttpOnly; Secure");
        let already = HeaderValue::from_static("a=1; Secure; HttpOnly");
        assert_eq!(secure(&already), already);
    }
}
