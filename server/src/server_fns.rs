//! Server-function calls. Leptos answers a call whose arguments cannot be read (a field left
//! out, a body that is not a form) with 500 and its `Args|…` error: that is the caller's
//! mistake, not the server's, so it becomes 400 with what was wrong. A browser's own forms
//! always post every field; this is what a script or a hand-made request gets.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The error kinds leptos' server functions give for arguments they could not read.
const UNREADABLE: [&str; 3] = ["Args|", "MissingArg|", "Deserialization|"];
/// An error body is a line or two; anything longer is passed on as it is.
const ERROR_LIMIT: usize = 16 * 1024;

/// A layer over every route: only server functions (`/api/…`) answering 500 are looked at.
pub async fn readable_errors(req: Request, next: Next) -> Response {
    let server_fn = req.uri().path().starts_with("/api/");
    let response = next.run(req).await;
    if !server_fn || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, ERROR_LIMIT).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let text = String::from_utf8_lossy(&bytes);
    match UNREADABLE.iter().find_map(|kind| text.strip_prefix(kind)) {
        Some(why) => (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("The request could not be read: {why}"),
        )
            .into_response(),
        None => Response::from_parts(parts, Body::from(bytes)),
    }
}
