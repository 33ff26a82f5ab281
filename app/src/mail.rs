//! The e-mails after a payment, sent by the jobs its move enqueues (`engine::effects::MAILS`):
//! the payer's receipt (its PDF attached, in the language they paid in), and the merchant's
//! "new payment" and "a bank slip to check" (in the store's language, to its notification
//! address). Each attempt is recorded in `db::mails`; a message already sent is not sent
//! again, and every attempt carries the Message-ID of its job.

use engine::checkout::Checkout;
use engine::db::jobs::Job;
use engine::db::mails::{self, Attempt};
use engine::db::payments::{Kind, Payment};
use engine::db::stores::Store;
use engine::db::{methods, payments, receipts, stores};
use engine::effects::{MERCHANT_PAID_MAIL, MERCHANT_SLIP_MAIL, Owed, PAYER_MAIL};
use engine::html::escape;
use engine::mail::{MailError, Outgoing, Postbox, message_id};
use engine::time::now_millis;

use crate::components::money_text_in;
use crate::i18n::*;
use crate::pages::receipt::{Lines, lines, path, receipt_view};
use crate::pages::receipt_pdf;

/// Sends the messages of the mail jobs.
#[derive(Clone)]
pub struct Mailer {
    pub checkout: Checkout,
    pub postbox: Postbox,
}

impl Mailer {
    /// The handler of every `MAILS` job. A message that can never go (no address, refused by
    /// the server for good) is recorded as failed and not retried; a transient failure is
    /// the job's error, so the queue tries again.
    pub async fn run(&self, job: Job) -> Result<(), String> {
        let owed = Owed::parse(&job.payload)?;
        let db = self.checkout.db();
        let payment = payments::by_id(db, owed.store_id, owed.payment_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no payment {}", owed.payment_id))?;
        let store = stores::by_id(db, owed.store_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no store {}", owed.store_id))?;
        let recipient = match job.kind.as_str() {
            PAYER_MAIL => payment.email.clone(),
            _ => store.notification_email.clone(),
        };
        let recipient = recipient.filter(|r| !r.trim().is_empty());
        let new = mails::NewMail {
            store_id: store.id,
            payment_id: payment.id,
            kind: &job.kind,
            job_key: &job.key,
            recipient: recipient.as_deref().unwrap_or_default(),
        };
        // The merchant set no notification address: the page says why nothing went.
        let Some(recipient) = recipient.clone() else {
            let error = "the store has no notification address (store settings)";
            return mails::record(
                db,
                &new,
                Attempt::Failed { error, last: true },
                now_millis(),
            )
            .await
            .map_err(|e| e.to_string());
        };
        if mails::by_key(db, &job.key)
            .await
            .map_err(|e| e.to_string())?
            .is_some_and(|m| m.state == mails::SENT)
        {
            return Ok(());
        }
        let sent = match self.compose(&job.kind, &payment, &store).await {
            Ok(letter) => {
                let outgoing = Outgoing {
                    message_id: message_id(&job.key, self.postbox.domain()),
                    from_name: store.name.clone(),
                    reply_to: store
                        .notification_email
                        .clone()
                        .filter(|_| job.kind == PAYER_MAIL),
                    to: recipient.clone(),
                    subject: letter.subject.clone(),
                    text: letter.text(),
                    html: letter.html(),
                    attachment: letter.attachment,
                };
                self.postbox.send(&outgoing).await
            }
            Err(err) => Err(MailError::Transient(err)),
        };
        let last = job.attempts >= engine::jobs::MAX_ATTEMPTS;
        let attempt = match &sent {
            Ok(()) => Attempt::Sent,
            Err(MailError::Permanent(error)) => Attempt::Failed { error, last: true },
            Err(MailError::Transient(error)) => Attempt::Failed { error, last },
        };
        mails::record(db, &new, attempt, now_millis())
            .await
            .map_err(|e| e.to_string())?;
        match sent {
            Ok(()) | Err(MailError::Permanent(_)) => Ok(()),
            Err(MailError::Transient(err)) => Err(err),
        }
    }

    async fn compose(
        &self,
        kind: &str,
        payment: &Payment,
        store: &Store,
    ) -> Result<Letter, String> {
        match kind {
            PAYER_MAIL => self.receipt(payment).await,
            MERCHANT_PAID_MAIL | MERCHANT_SLIP_MAIL => {
                self.merchant(kind == MERCHANT_SLIP_MAIL, payment, store)
                    .await
            }
            other => Err(format!("no message for jobs of kind {other}")),
        }
    }

    /// The payer's receipt (issued here if its own job has not run yet), with its PDF.
    async fn receipt(&self, payment: &Payment) -> Result<Letter, String> {
        let db = self.checkout.db();
        let issued = receipts::issue(db, payment, now_millis())
            .await
            .map_err(|e| e.to_string())?;
        let (view, document) = receipt_view(&self.checkout, &issued.token)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the receipt vanished")?;
        let locale: Locale = view.language.parse().unwrap_or_default();
        let pdf = receipt_pdf::pdf(&self.checkout, &view, &document, locale).await?;
        let Lines {
            title, rows, paid, ..
        } = lines(&view, locale);
        let number = engine::digits::localize(&view.number.to_string(), locale.as_str());
        let mut rows: Vec<(String, String)> = rows.into_iter().map(|(l, v, _)| (l, v)).collect();
        rows.push(paid);
        Ok(Letter {
            locale,
            subject: text!(
                locale,
                mail_receipt_subject,
                number = number,
                store = view.store_name.clone()
            )
            .to_string(),
            heading: title,
            intro: text!(locale, mail_receipt_intro).to_string(),
            rows,
            link: (
                text!(locale, mail_receipt_open).to_string(),
                format!("{}{}", self.checkout.public_url(), path(&issued.token)),
            ),
            footer: text!(locale, receipt_disclaimer).to_string(),
            attachment: Some((receipt_pdf::file_name(&view), pdf)),
        })
    }

    /// The merchant's "new payment" or "a bank slip to check", in the store's language.
    async fn merchant(
        &self,
        slip: bool,
        payment: &Payment,
        store: &Store,
    ) -> Result<Letter, String> {
        let locale: Locale = store.default_lang.parse().unwrap_or_default();
        let lang = locale.as_str();
        let amount = money_text_in(locale, payment.amount, payment.currency, store.unit());
        let method = match (payment.kind, payment.method_id) {
            (Kind::Online, Some(id)) => methods::get(self.checkout.db(), store.id, id)
                .await
                .map_err(|e| e.to_string())?
                .map(|m| m.display_name),
            _ => None,
        }
        .unwrap_or_else(|| text!(locale, bank_slip).to_string());
        let row = |label: &str, value: &str| (label.to_owned(), value.to_owned());
        let rows = [
            Some(row(text!(locale, payer), &payment.payer_name)),
            Some(row(
                text!(locale, mobile),
                &engine::digits::localize(&payment.mobile, lang),
            )),
            payment
                .email
                .as_deref()
                .map(|e| row(text!(locale, login_email), e)),
            Some(row(text!(locale, amount), &amount)),
            Some(row(text!(locale, payment_method), &method)),
            payment
                .slip_number
                .as_deref()
                .map(|n| row(text!(locale, slip_number), n)),
            payment
                .slip_date
                .as_deref()
                .map(|d| row(text!(locale, slip_date), d)),
            Some(row(text!(locale, tracking_code), &payment.tracking_code)),
        ]
        .into_iter()
        .flatten()
        .collect();
        let (payer, store_name) = (payment.payer_name.clone(), store.name.clone());
        let (subject, intro) = if slip {
            (
                text!(
                    locale,
                    mail_slip_subject,
                    amount = amount.clone(),
                    payer = payer
                )
                .to_string(),
                text!(locale, mail_slip_intro, store = store_name).to_string(),
            )
        } else {
            (
                text!(
                    locale,
                    mail_paid_subject,
                    amount = amount.clone(),
                    payer = payer
                )
                .to_string(),
                text!(locale, mail_paid_intro, store = store_name).to_string(),
            )
        };
        Ok(Letter {
            locale,
            heading: subject.clone(),
            subject,
            intro,
            rows,
            link: (
                text!(locale, mail_open_payment).to_string(),
                format!(
                    "{}/admin/payments/{}",
                    self.checkout.public_url(),
                    payment.id
                ),
            ),
            footer: text!(locale, mail_merchant_footer).to_string(),
            attachment: None,
        })
    }
}

/// A message's content, written out as plain text and as HTML.
struct Letter {
    locale: Locale,
    subject: String,
    heading: String,
    intro: String,
    rows: Vec<(String, String)>,
    /// The one thing to open (label, address).
    link: (String, String),
    footer: String,
    attachment: Option<(String, Vec<u8>)>,
}

impl Letter {
    fn rtl(&self) -> bool {
        matches!(self.locale.as_str(), "he" | "fa")
    }

    /// Values (amounts, phone numbers, codes) are isolated so right-to-left text keeps their
    /// order: first-strong isolates in text, `<bdi>` in HTML.
    fn text(&self) -> String {
        let isolate = |v: &str| {
            if self.rtl() {
                format!("\u{2068}{v}\u{2069}")
            } else {
                v.to_owned()
            }
        };
        let mut out = format!("{}\n\n{}\n\n", self.heading, self.intro);
        for (label, value) in &self.rows {
            out.push_str(&format!("{label}: {}\n", isolate(value)));
        }
        out.push_str(&format!(
            "\n{}: {}\n\n{}\n",
            self.link.0, self.link.1, self.footer
        ));
        out
    }

    fn html(&self) -> String {
        let rows: String = self
            .rows
            .iter()
            .map(|(label, value)| {
                format!(
                    "<tr><th style=\"text-align:start;padding:4px 12px 4px 0\">{}</th>\
                     <td style=\"padding:4px 0\"><bdi>{}</bdi></td></tr>",
                    escape(label),
                    escape(value)
                )
            })
            .collect();
        format!(
            "<!DOCTYPE html><html lang=\"{lang}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
             <title>{subject}</title></head>\
             <body style=\"font-family:sans-serif;color:#1a1a1a\" dir=\"{dir}\">\
             <h1 style=\"font-size:20px\">{heading}</h1><p>{intro}</p>\
             <table style=\"border-collapse:collapse\">{rows}</table>\
             <p><a href=\"{href}\">{label}</a></p>\
             <p style=\"color:#555;font-size:13px\">{footer}</p></body></html>",
            lang = self.locale.as_str(),
            dir = if self.rtl() { "rtl" } else { "ltr" },
            subject = escape(&self.subject),
            heading = escape(&self.heading),
            intro = escape(&self.intro),
            href = escape(&self.link.1),
            label = escape(&self.link.0),
            footer = escape(&self.footer),
        )
    }
}
