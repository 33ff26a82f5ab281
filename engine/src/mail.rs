//! Where Kassa's e-mail goes: an SMTP server (`KASSA_SMTP_URL`, sent with `lettre`), or in
//! sandbox mode without one the sandbox's mailbox in the database (`/sim/mail`), or nowhere
//! when neither is configured (the message is then recorded as failed, with that reason).

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::db::{Db, mails};
use crate::time::now_millis;

/// A message ready to go.
#[derive(Clone, Debug)]
pub struct Outgoing {
    /// `<...@...>`, stable for its job ([`message_id`]).
    pub message_id: String,
    /// The store's name, shown as the sender's.
    pub from_name: String,
    /// The store's own address, for the answers.
    pub reply_to: Option<String>,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// A file name and a PDF.
    pub attachment: Option<(String, Vec<u8>)>,
}

/// Why a message could not go: `Permanent` will not change by trying again.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("{0}")]
    Permanent(String),
    #[error("{0}")]
    Transient(String),
}

#[derive(Clone)]
enum Route {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Sandbox(Db),
    Nowhere,
}

/// The configured way out, with the address every store's mail is sent from.
#[derive(Clone)]
pub struct Postbox {
    route: Route,
    from: String,
}

impl Postbox {
    /// From `KASSA_SMTP_URL` (`smtp://host:port`, `smtp://user:pass@host:587?tls=required`,
    /// `smtps://host:465`); without one, the sandbox's mailbox in sandbox mode.
    pub fn new(smtp_url: Option<&str>, from: &str, sandbox: bool, db: Db) -> Result<Self, String> {
        from.parse::<lettre::Address>()
            .map_err(|e| format!("the sender address {from:?}: {e}"))?;
        let route = match smtp_url {
            Some(url) => Route::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("KASSA_SMTP_URL: {e}"))?
                    .timeout(Some(std::time::Duration::from_secs(30)))
                    .build(),
            ),
            None if sandbox => Route::Sandbox(db),
            None => Route::Nowhere,
        };
        Ok(Postbox {
            route,
            from: from.to_owned(),
        })
    }

    /// The domain of the sender address: Message-IDs are made under it.
    pub fn domain(&self) -> &str {
        self.from.rsplit_once('@').map_or("localhost", |(_, d)| d)
    }

    pub async fn send(&self, mail: &Outgoing) -> Result<(), MailError> {
        match &self.route {
            Route::Smtp(transport) => {
                let message = self.message(mail)?;
                transport.send(message).await.map(drop).map_err(|e| {
                    if e.is_permanent() {
                        MailError::Permanent(format!("the mail server refused it: {e}"))
                    } else {
                        MailError::Transient(format!("the mail server: {e}"))
                    }
                })
            }
            Route::Sandbox(db) => {
                let (attachment_name, attachment) = match &mail.attachment {
                    Some((name, bytes)) => (Some(name.clone()), Some(bytes.clone())),
                    None => (None, None),
                };
                let delivered = mails::Delivered {
                    id: 0,
                    message_id: mail.message_id.clone(),
                    sender: self.sender(mail).to_string(),
                    recipient: mail.to.clone(),
                    subject: mail.subject.clone(),
                    text_body: mail.text.clone(),
                    html_body: mail.html.clone(),
                    attachment_name,
                    attachment,
                    created_at: now_millis(),
                };
                mails::deliver_to_sandbox(db, &delivered)
                    .await
                    .map_err(|e| MailError::Transient(e.to_string()))
            }
            Route::Nowhere => Err(MailError::Permanent(
                "no mail server is configured (KASSA_SMTP_URL)".into(),
            )),
        }
    }

    fn sender(&self, mail: &Outgoing) -> Mailbox {
        let address = self.from.parse().expect("checked in Postbox::new");
        Mailbox::new(Some(mail.from_name.clone()), address)
    }

    fn message(&self, mail: &Outgoing) -> Result<Message, MailError> {
        let bad = |what: &str, e: &dyn std::fmt::Display| {
            MailError::Permanent(format!("{what} is not a usable address: {e}"))
        };
        let to: Mailbox = mail.to.parse().map_err(|e| bad("the recipient", &e))?;
        let mut builder = Message::builder()
            .message_id(Some(mail.message_id.clone()))
            .from(self.sender(mail))
            .to(to)
            .subject(&mail.subject);
        if let Some(reply_to) = &mail.reply_to {
            builder = builder.reply_to(reply_to.parse().map_err(|e| bad("reply-to", &e))?);
        }
        let body = MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone());
        let built = match &mail.attachment {
            Some((name, bytes)) => {
                builder.multipart(MultiPart::mixed().multipart(body).singlepart(
                    Attachment::new(name.clone()).body(
                        bytes.clone(),
                        ContentType::parse("application/pdf").expect("a valid type"),
                    ),
                ))
            }
            None => builder.multipart(body),
        };
        built.map_err(|e| MailError::Permanent(format!("the message could not be built: {e}")))
    }
}

/// The Message-ID of the message sent by the job `job_key`: the same for every attempt, so a
/// copy sent again after a crash is recognisably the same message.
pub fn message_id(job_key: &str, domain: &str) -> String {
    let local: String = job_key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '.'
            }
        })
        .collect();
    format!("<{local}@{domain}>")
}
