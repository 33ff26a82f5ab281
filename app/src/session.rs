//! The back office's session cookie and the signed-in merchant (server only).
//!
//! `kassa_session` holds the session token: `HttpOnly` (no script reads it), `SameSite=Lax`
//! (no cross-site post carries it), `Secure` unless Kassa runs on localhost, and no
//! `Max-Age` beyond the session's absolute lifetime. Cross-site posts are also refused by the
//! server's origin check before any server function runs.

use engine::accounts::{self, SessionUser};
use leptos::prelude::ServerFnError;

use crate::state::{AppState, app_state};

pub(crate) const COOKIE: &str = "kassa_session";
pub const LOGIN_PATH: &str = "/admin/login";

/// The merchant this request is signed in as, if any.
pub async fn current_user() -> Result<Option<SessionUser>, ServerFnError> {
    let state = app_state()?;
    let Some(token) = crate::cookies::read(COOKIE).await else {
        return Ok(None);
    };
    accounts::session(state.checkout.db(), &token, engine::time::now_millis())
        .await
        .map_err(crate::api::internal)
}

/// The signed-in merchant of a request handled outside Leptos (plain axum handlers);
/// otherwise the response to send instead: a redirect to the log-in page, or an error.
pub async fn user_from_headers(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> Result<SessionUser, axum::response::Response> {
    use axum::response::{IntoResponse, Redirect};
    let user = match crate::cookies::find(headers, COOKIE) {
        Some(token) => {
            accounts::session(state.checkout.db(), &token, engine::time::now_millis()).await
        }
        None => Ok(None),
    };
    match user {
        Ok(Some(user)) => Ok(user),
        Ok(None) => Err(Redirect::to(LOGIN_PATH).into_response()),
        Err(e) => {
            tracing::error!("session lookup: {e}");
            Err(axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}

/// The signed-in merchant; otherwise the response becomes a redirect to the log-in page and
/// the call fails.
pub async fn require_user() -> Result<SessionUser, ServerFnError> {
    match current_user().await? {
        Some(user) => Ok(user),
        None => {
            redirect(LOGIN_PATH).await;
            Err(ServerFnError::new("not signed in"))
        }
    }
}

/// Sends the browser to `path`: a page load (GET) answers 302 whatever it accepts (the islands
/// router fetches pages and follows it); a server function redirects as `leptos_axum` does for
/// forms and for its own client.
pub async fn redirect(path: &str) {
    use axum::http::{HeaderValue, Method, StatusCode, header};
    let method: Method = leptos_axum::extract().await.unwrap_or_default();
    match (
        method,
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
    ) {
        (Method::GET, Some(response)) => {
            response.set_status(StatusCode::FOUND);
            if let Ok(location) = HeaderValue::from_str(&header_safe(path)) {
                response.insert_header(header::LOCATION, location);
            }
        }
        _ => redirect_to(path),
    }
}

/// `leptos_axum::redirect`, for a path that may carry what was posted (a store's slug, a
/// method's kind, an id): leptos_axum panics on a byte a `Location` header cannot hold, so
/// such bytes are percent-encoded and the page at the other end says what is wrong.
pub fn redirect_to(path: &str) {
    leptos_axum::redirect(&header_safe(path));
}

fn header_safe(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            0x21..=0x7e => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Sets the session cookie (`Secure` is added for every cookie when Kassa is served over
/// https: `server::headers`).
pub fn start(token: &str) {
    let max_age = accounts::ABSOLUTE / 1000;
    crate::cookies::set(&format!(
        "{COOKIE}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax"
    ));
}

/// Ends the session in the database and in the browser.
pub async fn end(state: &AppState) -> Result<(), ServerFnError> {
    if let Some(token) = crate::cookies::read(COOKIE).await {
        accounts::log_out(state.checkout.db(), &token)
            .await
            .map_err(crate::api::internal)?;
    }
    crate::cookies::set(&format!(
        "{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
    ));
    Ok(())
}

/// The client's IP address, for the log-in rate limit (see [`address_of`]).
pub async fn client_address(state: &AppState) -> String {
    use axum::extract::ConnectInfo;
    use axum::http::HeaderMap;
    let headers: HeaderMap = leptos_axum::extract().await.unwrap_or_default();
    let socket = leptos_axum::extract::<ConnectInfo<std::net::SocketAddr>>()
        .await
        .ok()
        .map(|ConnectInfo(addr)| addr);
    address_of(&headers, socket, state.trust_forwarded)
}

/// The client's IP address, for the limits that count per sender. Behind a proxy
/// (`KASSA_TRUST_FORWARDED=1`) it is the last address the proxy appended to
/// `X-Forwarded-For`; earlier entries are the client's own claims and are ignored.
pub fn address_of(
    headers: &axum::http::HeaderMap,
    socket: Option<std::net::SocketAddr>,
    trust_forwarded: bool,
) -> String {
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .rfind(|a| !a.is_empty())
        .filter(|_| trust_forwarded);
    match (forwarded, socket) {
        (Some(address), _) => address.to_owned(),
        (None, Some(addr)) => addr.ip().to_string(),
        (None, None) => "unknown".to_owned(),
    }
}
