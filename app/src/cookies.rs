//! Reading and setting cookies from server functions and page loaders (server only).

use axum::http::{HeaderMap, HeaderValue, header};
use leptos::prelude::use_context;

/// The value of the request's cookie `name`, if any.
pub async fn read(name: &str) -> Option<String> {
    let headers: HeaderMap = leptos_axum::extract().await.unwrap_or_default();
    find(&headers, name)
}

/// The value of cookie `name` among `headers`.
pub fn find(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix(name)?.strip_prefix('='))
        .map(str::to_owned)
        .next()
}

/// Adds `Set-Cookie: {cookie}` to the response.
pub fn set(cookie: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(cookie),
    ) {
        response.append_header(header::SET_COOKIE, value);
    }
}
