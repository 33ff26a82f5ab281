//! The sandbox's mailbox, `/sim/mail`: in sandbox mode without `KASSA_SMTP_URL`, the e-mails
//! Kassa sends (receipts to payers, notices to merchants) land here instead of a mail server,
//! so a newcomer can read what payers and merchants got.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use engine::db::{Db, mails};

use super::{escape, page};

pub const MOUNT: &str = "/sim/mail";
/// The newest messages the list shows.
const SHOWN: i64 = 200;

pub fn routes(db: Db) -> Router {
    Router::new()
        .route("/", get(list))
        .route("/{id}", get(message))
        .route("/{id}/html", get(html_body))
        .route("/{id}/attachment", get(attachment))
        .with_state(db)
}

async fn list(State(db): State<Db>) -> Response {
    let messages = match mails::sandbox_mailbox(&db, SHOWN).await {
        Ok(messages) => messages,
        Err(err) => return failed(&err.to_string()),
    };
    let rows: String = messages
        .iter()
        .map(|m| {
            format!(
                r#"<li data-testid="sim-mail"><a href="{MOUNT}/{id}">{subject}</a><br><small>to {to} · {at}</small></li>"#,
                id = m.id,
                subject = escape(&m.subject),
                to = escape(&m.recipient),
                at = engine::time::format_date_time_for(m.created_at, "en"),
            )
        })
        .collect();
    let body = if rows.is_empty() {
        "<p>No mail yet. Pay with an e-mail address, or register a bank slip, and the receipt \
         and the merchant's notice appear here.</p>"
            .to_owned()
    } else {
        format!("<ol reversed>{rows}</ol>")
    };
    page(
        "Sandbox mailbox",
        &format!(
            "<h1>Sandbox mailbox</h1><p>What Kassa sent while no mail server is configured \
             (<code>KASSA_SMTP_URL</code>), newest first.</p>{body}"
        ),
    )
    .into_response()
}

async fn message(State(db): State<Db>, Path(id): Path<i64>) -> Response {
    let m = match mails::sandbox_message(&db, id).await {
        Ok(Some(m)) => m,
        Ok(None) => return (StatusCode::NOT_FOUND, "no such message").into_response(),
        Err(err) => return failed(&err.to_string()),
    };
    let attachment = m
        .attachment_name
        .as_deref()
        .map(|name| {
            format!(
                r#"<p>Attached: <a data-testid="sim-mail-attachment" href="{MOUNT}/{id}/attachment">{}</a></p>"#,
                escape(name)
            )
        })
        .unwrap_or_default();
    page(
        &m.subject,
        &format!(
            r#"<p><a href="{MOUNT}">All mail</a></p><h1 data-testid="sim-mail-subject">{subject}</h1>
<p>From: {from}<br>To: <span data-testid="sim-mail-to">{to}</span><br>Message-ID: <code>{message_id}</code></p>
{attachment}<p><a href="{MOUNT}/{id}/html">As HTML</a></p><pre data-testid="sim-mail-text" style="white-space:pre-wrap">{text}</pre>"#,
            subject = escape(&m.subject),
            from = escape(&m.sender),
            to = escape(&m.recipient),
            message_id = escape(&m.message_id),
            text = escape(&m.text_body),
        ),
    )
    .into_response()
}

async fn html_body(State(db): State<Db>, Path(id): Path<i64>) -> Response {
    match mails::sandbox_message(&db, id).await {
        Ok(Some(m)) => Html(m.html_body).into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, "no such message").into_response(),
        Err(err) => failed(&err.to_string()),
    }
}

async fn attachment(State(db): State<Db>, Path(id): Path<i64>) -> Response {
    match mails::sandbox_message(&db, id).await {
        Ok(Some(mails::Delivered {
            attachment_name: Some(name),
            attachment: Some(bytes),
            ..
        })) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"{}\"", name.replace('"', "")),
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(_) => (StatusCode::NOT_FOUND, "no such attachment").into_response(),
        Err(err) => failed(&err.to_string()),
    }
}

fn failed(error: &str) -> Response {
    tracing::error!(%error, "the sandbox mailbox could not be read");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "the mailbox could not be read",
    )
        .into_response()
}
