//! The e-mails about a payment on its page: each message's state (queued, sent, failed with
//! the reason) and a button to send it again.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::fields::{FormPost, ServerForm};
use crate::i18n::*;

/// Which message it is (one of `engine::effects::MAILS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MailKind {
    PayerReceipt,
    MerchantPaid,
    MerchantSlip,
}

#[cfg(feature = "ssr")]
impl MailKind {
    fn of_job(kind: &str) -> MailKind {
        match kind {
            engine::effects::PAYER_MAIL => MailKind::PayerReceipt,
            engine::effects::MERCHANT_SLIP_MAIL => MailKind::MerchantSlip,
            _ => MailKind::MerchantPaid,
        }
    }
}

/// A message as the payment's page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailRow {
    pub id: i64,
    pub kind: MailKind,
    pub recipient: String,
    /// `queued`, `sent` or `failed` (`engine::db::mails`).
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// When it was sent, else when it was first tried.
    pub at: i64,
}

#[cfg(feature = "ssr")]
pub(crate) async fn of_payment(
    db: &engine::db::Db,
    store_id: i64,
    payment_id: i64,
) -> Result<Vec<MailRow>, engine::db::DbError> {
    Ok(engine::db::mails::of_payment(db, store_id, payment_id)
        .await?
        .into_iter()
        .map(|m| MailRow {
            id: m.id,
            kind: MailKind::of_job(&m.kind),
            recipient: m.recipient,
            state: m.state,
            attempts: m.attempts,
            last_error: m.last_error,
            at: m.sent_at.unwrap_or(m.created_at),
        })
        .collect())
}

/// Queues the message `mail` about the payment `payment` to be sent again, as a new message.
#[server(endpoint = "admin/resend-mail", output = crate::admin::Postcard)]
pub async fn resend_mail(payment: String, mail: String) -> Result<(), ServerFnError> {
    use crate::flash::Flash;
    let state = crate::state::app_state()?;
    let user = crate::session::require_user().await?;
    let queued = match mail.trim().parse::<i64>() {
        Ok(id) => engine::effects::resend(state.checkout.db(), user.store_id, id)
            .await
            .map_err(crate::api::internal)?,
        Err(_) => false,
    };
    if queued {
        state.queue.wake();
    }
    crate::flash::put(&Flash::notice(if queued {
        "mail_resent"
    } else {
        "mail_missing"
    }));
    let back = match payment.trim().parse::<i64>() {
        Ok(id) => format!("{}/{id}", super::payments::PATH),
        Err(_) => super::payments::PATH.to_owned(),
    };
    crate::session::redirect_to(&back);
    Ok(())
}

#[component]
pub fn Mails(mails: Vec<MailRow>, payment: i64) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let lang = crate::components::lang();
    let empty = mails.is_empty();
    let items = mails
        .into_iter()
        .map(|m| {
            let resend = FormPost::<ResendMail>::new();
            let kind = match m.kind {
                MailKind::PayerReceipt => text!(locale, mail_kind_mail_payer_receipt),
                MailKind::MerchantSlip => text!(locale, mail_kind_mail_merchant_slip),
                MailKind::MerchantPaid => text!(locale, mail_kind_mail_merchant_paid),
            };
            let state = match m.state.as_str() {
                "sent" => text!(locale, mail_state_sent),
                "failed" => text!(locale, mail_state_failed),
                _ => text!(locale, mail_state_queued),
            };
            let attempts = engine::digits::localize(&m.attempts.to_string(), lang);
            view! {
                <li class="event" data-testid="mail" data-state=m.state.clone()>
                    <p>
                        <strong>{kind}</strong>" · "<bdi>{m.recipient.clone()}</bdi>" · "
                        <span class="badge" class:failed=m.state == "failed">{state}</span>" · "
                        <time>{crate::components::date_time_text(m.at, lang)}</time>" · "
                        <span class="muted">{text!(locale, mail_attempts, n = attempts).to_string()}</span>
                    </p>
                    {m.last_error.clone().map(|e| view! { <pre class="raw" tabindex="0">{e}</pre> })}
                    <ServerForm action=resend>
                        <input type="hidden" name="payment" value=payment.to_string() />
                        <input type="hidden" name="mail" value=m.id.to_string() />
                        <button type="submit" class="button secondary">{text!(i18n, mail_resend)}</button>
                    </ServerForm>
                </li>
            }
        })
        .collect_view();
    view! {
        <h2>{text!(i18n, mails_title)}</h2>
        {empty.then(|| view! { <p class="muted">{text!(i18n, mails_none)}</p> })}
        <ol class="timeline" data-testid="mails">{items}</ol>
    }
}
