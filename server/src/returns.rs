//! Where providers send the customer back, and where they post their notifications. Both are
//! handed to the payment's connector, which asks the provider itself; the customer then sees
//! the payment's page. Notifications arrive per payment (`/pay/{code}/notify`) or, for
//! providers configured with one address per account (PayPal's IPN), at `/notify/{provider}`.

use axum::body::Body;
use std::time::Duration;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Redirect;

use engine::checkout::{Checkout, CheckoutError, Notified};
use engine::connectors::{ACCOUNT_NOTIFICATIONS, notified_payment};

use app::state::AppState;

pub async fn provider_return(
    State(state): State<AppState>,
    Path(code): Path<String>,
    RawQuery(query): RawQuery,
) -> Redirect {
    settle_return(&state, &code, query.unwrap_or_default().as_bytes()).await
}

/// A return the provider makes the browser post (myPOS's `URL_OK` and `URL_Cancel`). The
/// customer is sent on with 303, so a reload does not post again.
pub async fn provider_return_posted(
    State(state): State<AppState>,
    Path(code): Path<String>,
    body: Body,
) -> Redirect {
    let body = axum::body::to_bytes(body, NOTIFICATION_LIMIT)
        .await
        .unwrap_or_default();
    settle_return(&state, &code, &body).await
}

async fn settle_return(state: &AppState, code: &str, form: &[u8]) -> Redirect {
    let params: Vec<(String, String)> = url::form_urlencoded::parse(form).into_owned().collect();
    if let Err(err) = state.checkout.complete_return(code, &params).await {
        tracing::warn!(error = %err, "a provider return could not be settled");
    }
    match engine::tracking::normalize(code) {
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
    match checkout.complete_notification(&code, None, &bytes).await {
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

/// How often a notification is verified again while its provider cannot be asked: the first
/// wait is two seconds and each one doubles, about half an hour in all.
const ATTEMPTS: u32 = 10;

/// At most this many notifications are verified in the background at once: a flood of forged
/// messages (each costs a call to the provider, retried while it does not answer) is answered
/// 503 beyond it, which makes a real provider send its message again later.
const VERIFYING: usize = 256;
static BACKGROUND: std::sync::LazyLock<std::sync::Arc<tokio::sync::Semaphore>> =
    std::sync::LazyLock::new(|| std::sync::Arc::new(tokio::sync::Semaphore::new(VERIFYING)));

/// An account-wide notification (PayPal's IPN, EveryPay's callback): a POSTed form, or for
/// EveryPay possibly a GET with the same fields in its query. PayPal wants an empty 200 at
/// once, whatever becomes of the message, and resends anything else; so the message is
/// answered first and verified in the background (PayPal's post-back, EveryPay's re-fetch,
/// then the checks), retried while the provider cannot be asked. A message naming no payment
/// of ours is answered 200 too, and only logged: it is not Kassa's, and a retry would not
/// change that.
pub async fn account_notification(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    RawQuery(query): RawQuery,
    body: Body,
) -> StatusCode {
    if !ACCOUNT_NOTIFICATIONS.contains(&provider.as_str()) {
        return StatusCode::NOT_FOUND;
    }
    let Ok(mut bytes) = axum::body::to_bytes(body, NOTIFICATION_LIMIT).await else {
        tracing::warn!(%provider, "refused a notification over the size limit");
        return StatusCode::PAYLOAD_TOO_LARGE;
    };
    if bytes.is_empty() {
        bytes = query.unwrap_or_default().into();
    }
    let Some(code) = notified_payment(&provider, &bytes) else {
        tracing::warn!(%provider, "a notification names no payment");
        return StatusCode::OK;
    };
    let Ok(permit) = BACKGROUND.clone().try_acquire_owned() else {
        tracing::warn!(%provider, "too many notifications being verified: asked for a resend");
        return StatusCode::SERVICE_UNAVAILABLE;
    };
    tokio::spawn(async move {
        verify_in_background(state.checkout.clone(), provider, code, bytes).await;
        drop(permit);
    });
    StatusCode::OK
}

async fn verify_in_background(
    checkout: Checkout,
    provider: String,
    code: String,
    body: axum::body::Bytes,
) {
    let mut wait = Duration::from_secs(2);
    for _ in 0..ATTEMPTS {
        match checkout
            .complete_notification(&code, Some(&provider), &body)
            .await
        {
            Ok(Notified::Accepted | Notified::Refused) => return,
            Err(CheckoutError::UnknownPayment) => {
                tracing::warn!(%code, "a notification names an unknown payment");
                return;
            }
            Ok(Notified::Unconfirmed) => {}
            Err(err) => tracing::error!(error = %err, "a notification could not be recorded"),
        }
        tokio::time::sleep(wait).await;
        wait *= 2;
    }
    tracing::error!(%code, "gave up verifying a notification: its provider never answered");
}
