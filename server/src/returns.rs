//! Where providers send the customer back, and where they post their notifications. Both are
//! handed to the payment's connector, which asks the provider itself; the customer then sees
//! the payment's page. Notifications arrive per payment (`/pay/{code}/notify`) or, for
//! providers configured with one address per account (PayPal's IPN), at `/notify/{provider}`.

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRef, FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use engine::checkout::{CheckoutError, Notified, job_outcome};
use engine::connectors::{Notifications, notified_payment, registry};
use engine::jobs::Mark;

use app::state::AppState;

/// The client address a message came from, which its budget is charged to (`intake`).
pub struct Sender(String);

impl<S: Send + Sync> FromRequestParts<S> for Sender
where
    AppState: FromRef<S>,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Sender, Infallible> {
        let trust = AppState::from_ref(state).trust_forwarded;
        let socket = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        Ok(Sender(app::address_of(&parts.headers, socket, trust)))
    }
}

pub async fn provider_return(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Sender(sender): Sender,
    RawQuery(query): RawQuery,
) -> Redirect {
    settle_return(&state, &code, &sender, query.unwrap_or_default().as_bytes()).await
}

/// A return the provider makes the browser post (myPOS's `URL_OK` and `URL_Cancel`). The
/// customer is sent on with 303, so a reload does not post again.
pub async fn provider_return_posted(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Sender(sender): Sender,
    body: Body,
) -> Redirect {
    let body = axum::body::to_bytes(body, NOTIFICATION_LIMIT)
        .await
        .unwrap_or_default();
    settle_return(&state, &code, &sender, &body).await
}

/// Settles a return within its budgets; over them (or naming no payment) the customer only
/// sees where the payment stands.
async fn settle_return(state: &AppState, code: &str, sender: &str, form: &[u8]) -> Redirect {
    let params: Vec<(String, String)> = url::form_urlencoded::parse(form).into_owned().collect();
    let checkout = &state.checkout;
    let settled = match checkout.admit(code, sender, form.len()).await {
        Ok(Some(admitted)) => checkout.complete_return(&admitted, &params).await.map(drop),
        Ok(None) => Ok(()),
        Err(err) => Err(err),
    };
    if let Err(err) = settled {
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
/// not be asked to confirm it (so the provider sends it again), 413 when too large, 429 when
/// over its payment's or its sender's budget.
pub async fn provider_notification(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Sender(sender): Sender,
    body: Body,
) -> Response {
    let checkout = &state.checkout;
    let Ok(bytes) = axum::body::to_bytes(body, NOTIFICATION_LIMIT).await else {
        let admitted = match checkout.admit(&code, &sender, NOTIFICATION_LIMIT).await {
            Ok(Some(admitted)) => admitted,
            Ok(None) => return over_budget(),
            Err(err) => return refusal(err).into_response(),
        };
        let reason = format!("the body is over {} KiB", NOTIFICATION_LIMIT / 1024);
        return match checkout.refuse_notification(&admitted, &reason).await {
            Err(err) => refusal(err).into_response(),
            Ok(()) => (StatusCode::PAYLOAD_TOO_LARGE, "too large").into_response(),
        };
    };
    // Written down first, so a crash before the answer leaves it to a worker; verified here,
    // since the answer depends on it (myPOS reverses what is not answered `OK`).
    let (admitted, job) = match checkout
        .take(&code, &sender, None, &bytes, Some(state.queue.hold()))
        .await
    {
        Ok(Some(taken)) => taken,
        Ok(None) => return over_budget(),
        Err(err) => return refusal(err).into_response(),
    };
    let mark = Mark::new(job.id, state.queue.worker());
    let verified = checkout
        .complete_notification(&admitted, None, &bytes, &mark)
        .await;
    state
        .queue
        .finish(&job, job_outcome(&verified, &mark))
        .await;
    match verified {
        Ok(Notified::Accepted) => (StatusCode::OK, "OK").into_response(),
        Ok(Notified::Refused) => (StatusCode::BAD_REQUEST, "refused").into_response(),
        Ok(Notified::Unconfirmed) => (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response(),
        Ok(Notified::Dropped) => over_budget(),
        Err(err) => refusal(err).into_response(),
    }
}

/// A message over its budget: 429, with the seconds until the window ends.
fn over_budget() -> Response {
    let wait = engine::intake::retry_after(engine::time::now_millis());
    let mut answer = (StatusCode::TOO_MANY_REQUESTS, "too many messages").into_response();
    answer
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(wait));
    answer
}

fn refusal(err: CheckoutError) -> (StatusCode, &'static str) {
    match err {
        CheckoutError::UnknownPayment => (StatusCode::NOT_FOUND, "unknown payment"),
        err => {
            tracing::error!(error = %err, "a provider notification could not be recorded");
            (StatusCode::SERVICE_UNAVAILABLE, "try again")
        }
    }
}

/// An account-wide notification (PayPal's IPN, EveryPay's callback): a POSTed form, or for
/// EveryPay possibly a GET with the same fields in its query. PayPal wants an empty 200 at
/// once, whatever becomes of the message, and resends anything else; so the message is
/// written to the inbox, answered, and verified by a worker (PayPal's post-back, EveryPay's
/// re-fetch, then the checks), retried while the provider cannot be asked, after a restart
/// too. A message naming no payment of ours is answered 200 too, and only logged: it is not
/// Kassa's, and a retry would not change that.
pub async fn account_notification(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    Sender(sender): Sender,
    RawQuery(query): RawQuery,
    body: Body,
) -> Response {
    let posts_here = registry::find(&provider)
        .is_some_and(|p| matches!(p.notifications, Notifications::Account { .. }));
    if !posts_here {
        return StatusCode::NOT_FOUND.into_response();
    }
    let Ok(mut bytes) = axum::body::to_bytes(body, NOTIFICATION_LIMIT).await else {
        tracing::warn!(%provider, "refused a notification over the size limit");
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    if bytes.is_empty() {
        bytes = query.unwrap_or_default().into();
    }
    let Some(code) = notified_payment(&provider, &bytes) else {
        tracing::warn!(%provider, "a notification names no payment");
        return StatusCode::OK.into_response();
    };
    // Written held by this server, whose workers run it without claiming it (`jobs::Queue::hand`).
    match state
        .checkout
        .take(
            &code,
            &sender,
            Some(&provider),
            &bytes,
            Some(state.queue.hold()),
        )
        .await
    {
        Ok(Some((_, job))) => {
            state.queue.hand(job);
            StatusCode::OK.into_response()
        }
        Ok(None) => over_budget(),
        Err(CheckoutError::UnknownPayment) => {
            tracing::warn!(%code, "a notification names an unknown payment");
            StatusCode::OK.into_response()
        }
        // Not written: the provider must send it again.
        Err(err) => refusal(err).into_response(),
    }
}
