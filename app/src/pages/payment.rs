//! The page a customer lands on after paying, cancelling or registering a slip.

use engine::status::PaymentStatus;
use engine::tracking;
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

use crate::api::{PaymentView, load_payment};
use crate::components::{Row, lang, money_text};
use crate::i18n::*;

#[component]
pub fn PaymentResult() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let payment = load_payment(params.read_untracked().get("code").unwrap_or_default());
    // Rendered once, on the server: see `openpay::OpenPay`.
    view! {
        <Suspense>
            {Suspend::new(async move {
                match payment.await {
                    Ok(Some(p)) => EitherOf3::A(view! { <Outcome payment=p /> }),
                    Ok(None) => EitherOf3::B({
                        super::not_found_status();
                        view! {
                            <section class="card">
                                <h1>{t!(i18n, payment_not_found)}</h1>
                                <p><a href="/track">{t!(i18n, track_button)}</a></p>
                            </section>
                        }
                    }),
                    Err(e) => EitherOf3::C(view! { <p class="error">{e.to_string()}</p> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Outcome(payment: PaymentView) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let (title, class) = match payment.status {
        PaymentStatus::Paid => (text!(locale, paid_title), "success"),
        PaymentStatus::AwaitingConfirmation => (text!(locale, slip_title), "success"),
        PaymentStatus::Cancelled => (text!(locale, cancelled_title), "warning"),
        PaymentStatus::Expired => (text!(locale, expired_title), "warning"),
        PaymentStatus::Failed | PaymentStatus::Rejected => (text!(locale, failed_title), "failure"),
        PaymentStatus::Created => (text!(locale, pending_title), "warning"),
    };
    let explanation = match payment.status {
        PaymentStatus::AwaitingConfirmation => Some(text!(locale, slip_body).to_string()),
        PaymentStatus::Cancelled => Some(text!(locale, cancelled_body).to_string()),
        PaymentStatus::Expired => Some(text!(locale, expired_body).to_string()),
        PaymentStatus::Created => Some(text!(locale, pending_body).to_string()),
        _ => payment
            .failure_code
            .as_deref()
            .map(|code| failure_text(code, payment.failure_text.as_ref())),
    };
    let retry = payment.retry.clone();
    // Some providers (PayPal) settle a payment by a notification that may come after the
    // customer: a waiting page looks again by itself, with or without JavaScript.
    let waiting = payment.status == PaymentStatus::Created;
    // So does a paid one whose receipt the job queue is issuing (within a second or two).
    let issuing = payment.receipt_pending;
    view! {
        <Title text=title.to_string() />
        {(waiting || issuing).then(|| view! { <Meta http_equiv="refresh" content="3" /> })}
        <section class=format!("card outcome {class}") role="status">
            <h1>{title}</h1>
            {explanation.map(|e| view! { <p class="explanation">{e}</p> })}
            {waiting.then(|| view! { <p class="muted">{t!(i18n, pending_refresh)}</p> })}
            {issuing.then(|| view! { <p class="muted" data-testid="receipt-pending">{t!(i18n, receipt_issuing)}</p> })}
            <Summary payment=payment.clone() />
            <p class="muted">{t!(i18n, keep_code)}</p>
            {retry.map(|href| view! { <p class="actions"><a class="button primary" href=href>{t!(i18n, try_again)}</a></p> })}
        </section>
    }
}

/// Status, amount, codes: what the holder of the tracking code may see.
#[component]
pub fn Summary(payment: PaymentView) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let status = status_text(payment.status);
    let rows = [
        Some((
            text!(locale, tracking_code).to_string(),
            tracking::display(&payment.code),
            true,
        )),
        Some((text!(locale, status).to_string(), status, false)),
        Some((
            text!(locale, amount).to_string(),
            money_text(payment.amount, payment.currency, payment.unit),
            false,
        )),
        (payment.discount > 0).then(|| {
            (
                text!(locale, discount_given).to_string(),
                money_text(payment.discount, payment.currency, payment.unit),
                false,
            )
        }),
        Some((
            text!(locale, store).to_string(),
            payment.store_name.clone(),
            false,
        )),
        payment
            .description
            .clone()
            .map(|d| (text!(locale, description).to_string(), d, false)),
        payment.bank_ref.clone().map(|r| {
            (
                text!(locale, bank_ref).to_string(),
                engine::digits::localize(&r, lang()),
                true,
            )
        }),
        payment
            .card_pan
            .clone()
            .map(|c| (text!(locale, card).to_string(), c, true)),
        payment
            .slip_number
            .clone()
            .map(|s| (text!(locale, slip_number).to_string(), s, true)),
    ];
    let receipt = payment
        .receipt
        .map(|(number, href)| view! { <super::receipt::ReceiptRow number href /> });
    view! {
        <dl class="summary" data-testid="summary">
            {rows.into_iter().flatten().map(|(label, value, mono)| view! { <Row label value mono /> }).collect_view()}
            {receipt}
        </dl>
    }
}

pub fn status_text(status: PaymentStatus) -> String {
    let locale = use_i18n().get_locale_untracked();
    match status {
        PaymentStatus::Created => text!(locale, status_created),
        PaymentStatus::AwaitingConfirmation => text!(locale, status_awaiting_confirmation),
        PaymentStatus::Paid => text!(locale, status_paid),
        PaymentStatus::Failed => text!(locale, status_failed),
        PaymentStatus::Cancelled => text!(locale, status_cancelled),
        PaymentStatus::Rejected => text!(locale, status_rejected),
        PaymentStatus::Expired => text!(locale, status_expired),
    }
    .to_string()
}

/// A failure code (`zarinpal:-51`, `kassa:unreachable`) in the customer's words: the
/// provider's own text for it (`provider`: provider and key), or Kassa's.
fn failure_text(code: &str, provider: Option<&(String, String)>) -> String {
    let locale = use_i18n().get_locale_untracked();
    if let Some(text) =
        provider.and_then(|(p, key)| crate::provider_texts::provider_text(locale, p, key))
    {
        return text.to_owned();
    }
    match code {
        "kassa:unreachable" => text!(locale, fail_unreachable).to_string(),
        "kassa:misconfigured" => text!(locale, fail_misconfigured).to_string(),
        _ => text!(locale, fail_other, code = code.to_owned()).to_string(),
    }
}
