//! Where providers send the customer back, and where they post their notifications. Both are
//! handed to the payment's connector, which asks the provider itself; the customer then sees
//! the payment's page.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Redirect;

use engine::checkout::{CheckoutError, Notified};

use app::state::AppState;

pub async fn provider_return(
    State(state): State<AppState>,
    Path(code): Path<String>,
    RawQuery(query): RawQuery,
) -> Redirect {
    let params: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    if let Err(err) = state.checkout.complete_return(&code, &params).await {
        tracing::warn!(error = %err, "a provider return could not be settled");
    }
    match engine::tracking::normalize(&code) {
        Some(code) => Redirect::to(&format!("/pay/{code}")),
        None => Redirect::to("/track"),
    }
}

/// The largest notification body read: providers send a few kilobytes at most.
pub const NOTIFICATION_LIMIT: usize = 64 * 1024;

/// A provider's server-to-server notification. Answers 200 `OK` when it was verified, 400
/// when it was refused (logged on the payment with the reason), 503 when the provider could
/// not be asked to confirm it (so the provider sends it again), 413 when too large.
pub async fn provider_notification(
    State(state): State<AppState>,
    Path(code): Path<String>,
    body: Body,
) -> (StatusCode, &'static str) {
    let checkout = &state.checkout;
    let bytes = match axum::body::to_bytes(body, NOTIFICATION_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let reason = format!("the body is over {} KiB", NOTIFICATION_LIMIT / 1024);
            return match checkout.refuse_notification(&code, &reason).await {
                Err(CheckoutError::UnknownPayment) => (StatusCode::NOT_FOUND, "unknown payment"),
                _ => (StatusCode::PAYLOAD_TOO_LARGE, "too large"),
            };
        }
    };
    match checkout.complete_notification(&code, &bytes).await {
        Ok(Notified::Accepted) => (StatusCode::OK, "OK"),
        Ok(Notified::Refused) => (StatusCode::BAD_REQUEST, "refused"),
        Ok(Notified::Unconfirmed) => (StatusCode::SERVICE_UNAVAILABLE, "try again"),
        Err(CheckoutError::UnknownPayment) => (StatusCode::NOT_FOUND, "unknown payment"),
        Err(err) => {
            tracing::error!(error = %err, "a provider notification could not be recorded");
            (StatusCode::SERVICE_UNAVAILABLE, "try again")
        }
    }
}
