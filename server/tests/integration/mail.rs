//! E-mail after a payment, through a real SMTP server (`common::smtp`): the payer's receipt
//! with its PDF in their language, the merchant's "new payment" and "a bank slip to check",
//! each sent once however many copies of the paying message arrive, queued while the mail
//! server is down and sent once when it is back, sent again when the merchant asks (a new
//! message); without a mail server, the sandbox's mailbox. On SQLite and PostgreSQL.

use std::time::Duration;

use crate::common::browser::{Browser, log_in};
use crate::common::provider::post_at_once;
use crate::common::smtp::{Received, Smtp};
use crate::common::{Running, database_urls, payment, serve_with};
use crate::paypal::quietly_paid;
use crate::receipts::{has_words, pdf_words};
use engine::db::payments::Payment;
use engine::db::{mails, receipts};
use engine::status::PaymentStatus;
use server::demo::{EU_OWNER_EMAIL, IL_OWNER_EMAIL, OWNER_PASSWORD};

/// A sandbox server whose mail goes to `smtp` and whose simulators' callbacks go nowhere.
async fn mailing(database: Option<String>, smtp: &Smtp) -> Running {
    let url = smtp.url();
    serve_with(true, |c| {
        c.public_url = "http://127.0.0.1:9".into();
        c.smtp_url = Some(url.into());
        if let Some(database) = database {
            c.database_url = database.into();
        }
    })
    .await
}

fn to<'a>(messages: &'a [Received], address: &str) -> Vec<&'a Received> {
    messages.iter().filter(|m| m.to.contains(address)).collect()
}

/// The payment's messages once none is still queued.
async fn settled_mails(app: &Running, p: &Payment, n: usize) -> Vec<mails::Mail> {
    for _ in 0..300 {
        let rows = mails::of_payment(app.state.checkout.db(), p.store_id, p.id)
            .await
            .unwrap();
        if rows.len() >= n && rows.iter().all(|m| m.state != mails::QUEUED) {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the messages of payment {} did not settle", p.id);
}

#[tokio::test]
async fn twenty_copies_of_the_paying_ipn_send_one_receipt_and_one_notice() {
    for database in database_urls().await {
        let smtp = Smtp::start().await;
        let app = mailing(database, &smtp).await;
        let (p, ipn) = quietly_paid(&app, "k1").await;
        let answers = post_at_once(20, &format!("{}/notify/paypal", app.base), &ipn).await;
        assert!(answers.iter().all(|(s, _)| *s == 200), "{answers:?}");
        let rows = settled_mails(&app, &p, 2).await;
        assert_eq!(
            payment(&app, &p.tracking_code).await.status,
            PaymentStatus::Paid
        );
        // Whatever else was still under way has had time to send a second copy.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let messages = smtp.messages();
        assert_eq!(messages.len(), 2, "{messages:#?}");
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert!(rows.iter().all(|m| m.state == mails::SENT), "{rows:?}");

        let receipt = receipts::of_payment(app.state.checkout.db(), p.store_id, p.id)
            .await
            .unwrap()
            .expect("one receipt");
        let payer = to(&messages, "customer@example.com");
        let [payer] = payer.as_slice() else {
            panic!("one receipt mail: {messages:#?}");
        };
        assert_eq!(
            payer.message_id,
            format!("<mail_payer_receipt.{}@kassa.test>", p.id)
        );
        assert!(payer.from.contains("kassa@kassa.test"), "{}", payer.from);
        assert!(
            payer
                .subject
                .contains(&format!("receipt No. {}", receipt.number)),
            "{}",
            payer.subject
        );
        assert!(payer.text.contains("Anna Berzina"), "{}", payer.text);
        assert!(
            payer.text.contains(&format!("/r/{}", receipt.token)),
            "{}",
            payer.text
        );
        assert!(payer.html.contains("<bdi>"), "{}", payer.html);
        let [(name, pdf)] = payer.attachments.as_slice() else {
            panic!("the PDF is attached: {:?}", payer.attachments.len());
        };
        assert_eq!(name, &format!("receipt-{}.pdf", receipt.number));
        let words = pdf_words(pdf);
        for expected in ["Anna Berzina", "120.50", "ORIGINAL"] {
            assert!(has_words(&words, expected), "{expected}: {words:?}");
        }

        let merchant = to(&messages, EU_OWNER_EMAIL);
        let [merchant] = merchant.as_slice() else {
            panic!("one notice to the merchant: {messages:#?}");
        };
        assert!(
            merchant.subject.starts_with("New payment: ") && merchant.subject.contains("Anna"),
            "{}",
            merchant.subject
        );
        assert!(
            merchant.text.contains(&format!("/admin/payments/{}", p.id)),
            "{}",
            merchant.text
        );
        assert!(merchant.attachments.is_empty());
    }
}

#[tokio::test]
async fn mail_waits_for_the_mail_server_and_goes_once_when_it_is_back() {
    for database in database_urls().await {
        let mut smtp = Smtp::start().await;
        smtp.stop();
        let app = mailing(database, &smtp).await;
        let (p, ipn) = quietly_paid(&app, "k1").await;
        post_at_once(1, &format!("{}/notify/paypal", app.base), &ipn).await;
        // Both messages are tried, fail, and wait with the reason.
        let mut failing = Vec::new();
        for _ in 0..100 {
            failing = mails::of_payment(app.state.checkout.db(), p.store_id, p.id)
                .await
                .unwrap();
            if failing.len() == 2 && failing.iter().all(|m| m.last_error.is_some()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(failing.len(), 2, "{failing:?}");
        for m in &failing {
            assert_eq!(m.state, mails::QUEUED, "{m:?}");
            assert!(
                m.last_error.as_deref().unwrap().contains("mail server"),
                "{m:?}"
            );
        }
        smtp.resume().await;
        let rows = settled_mails(&app, &p, 2).await;
        assert!(rows.iter().all(|m| m.state == mails::SENT), "{rows:?}");
        assert!(rows.iter().all(|m| m.attempts >= 2), "{rows:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
        let messages = smtp.messages();
        assert_eq!(messages.len(), 2, "each sent once: {messages:#?}");
    }
}

#[tokio::test]
async fn a_slip_is_announced_to_the_merchant_and_its_payer_gets_the_receipt_in_hebrew() {
    let smtp = Smtp::start().await;
    let app = mailing(None, &smtp).await;
    let db = app.state.checkout.db();
    let (store, slip) = crate::common::il_slip(&app, "נועה כהן", "noa@example.com", "he").await;
    let messages = smtp.until(1).await;
    let [notice] = messages.as_slice() else {
        panic!("only the merchant hears of a slip: {messages:#?}");
    };
    assert!(notice.to.contains(IL_OWNER_EMAIL), "{}", notice.to);
    // In the store's language, the amount in shekels kept whole inside the Hebrew text.
    assert!(
        notice.subject.starts_with("שובר בנק לבדיקה"),
        "{}",
        notice.subject
    );
    assert!(notice.text.contains("778899"), "{}", notice.text);
    assert!(
        notice.text.contains("\u{2068}125.50\u{a0}₪\u{2069}"),
        "{}",
        notice.text
    );
    assert!(notice.html.contains("dir=\"rtl\""), "{}", notice.html);

    engine::slips::decide(
        db,
        store.id,
        slip.id,
        engine::slips::Decision::Confirm,
        "owner",
        "",
    )
    .await
    .unwrap();
    let messages = smtp.until(3).await;
    let payer = to(&messages, "noa@example.com");
    let [payer] = payer.as_slice() else {
        panic!("one receipt: {messages:#?}");
    };
    assert!(
        payer.subject.starts_with("הקבלה שלך מס׳ 1"),
        "{}",
        payer.subject
    );
    let words = pdf_words(&payer.attachments[0].1);
    for expected in ["נועה כהן", "125.50", "778899"] {
        assert!(has_words(&words, expected), "{expected}: {words:?}");
    }
    assert_eq!(to(&messages, IL_OWNER_EMAIL).len(), 2, "{messages:#?}");
}

#[tokio::test]
async fn the_merchant_sees_each_message_and_sends_one_again() {
    for database in database_urls().await {
        let smtp = Smtp::start().await;
        let app = mailing(database, &smtp).await;
        server::demo::ensure_owners(app.state.checkout.db())
            .await
            .unwrap();
        let (p, ipn) = quietly_paid(&app, "k1").await;
        post_at_once(1, &format!("{}/notify/paypal", app.base), &ipn).await;
        let rows = settled_mails(&app, &p, 2).await;
        let receipt_mail = rows
            .iter()
            .find(|m| m.kind == engine::effects::PAYER_MAIL)
            .unwrap();

        let mut owner = Browser::new(&app);
        log_in(&mut owner, EU_OWNER_EMAIL, OWNER_PASSWORD).await;
        let detail = format!("/admin/payments/{}", p.id);
        let page = owner.page(&format!("{detail}?lang=en")).await;
        for expected in [
            "Receipt to the payer",
            "New payment, to you",
            "customer@example.com",
            "data-state=\"sent\"",
        ] {
            assert!(page.contains(expected), "{expected}: {page}");
        }
        let id = receipt_mail.id.to_string();
        let payment_id = p.id.to_string();
        let back = owner
            .submit(
                "/api/admin/resend-mail",
                &[("payment", &payment_id), ("mail", &id)],
            )
            .await;
        assert_eq!(back, detail);
        let messages = smtp.until(3).await;
        let receipts = to(&messages, "customer@example.com");
        assert_eq!(receipts.len(), 2, "{messages:#?}");
        assert_ne!(
            receipts[0].message_id, receipts[1].message_id,
            "a resend is a new message"
        );
        let page = owner.page(&format!("{detail}?lang=en")).await;
        assert!(
            page.contains("The e-mail is queued to be sent again."),
            "{page}"
        );
        settled_mails(&app, &p, 3).await;
        // Nonsense is answered, and sends nothing.
        let back = owner
            .submit(
                "/api/admin/resend-mail",
                &[("payment", "../../x"), ("mail", "9x")],
            )
            .await;
        assert_eq!(back, "/admin/payments");
        let page = owner.page(&format!("{detail}?lang=en")).await;
        assert!(page.contains("No such e-mail in this store."), "{page}");

        // Another store's merchant cannot send this store's mail.
        let mut other = crate::common::browser::signed_up(&app, "other-shop", "o@x.test").await;
        other
            .submit(
                "/api/admin/resend-mail",
                &[("payment", &payment_id), ("mail", &id)],
            )
            .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(smtp.messages().len(), 3);
    }
}

#[tokio::test]
async fn without_a_mail_server_the_sandbox_keeps_mail_in_its_mailbox() {
    let app = serve_with(true, |c| c.public_url = "http://127.0.0.1:9".into()).await;
    let (p, ipn) = quietly_paid(&app, "k1").await;
    post_at_once(1, &format!("{}/notify/paypal", app.base), &ipn).await;
    settled_mails(&app, &p, 2).await;
    let list = reqwest::get(format!("{}/sim/mail", app.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        list.matches("data-testid=\"sim-mail\"").count(),
        2,
        "{list}"
    );
    assert!(list.contains("customer@example.com"), "{list}");
    let db = app.state.checkout.db();
    let kept = mails::sandbox_mailbox(db, 10).await.unwrap();
    let receipt = kept
        .iter()
        .find(|m| m.recipient == "customer@example.com")
        .unwrap();
    let page = reqwest::get(format!("{}/sim/mail/{}", app.base, receipt.id))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Anna Berzina"), "{page}");
    assert!(
        page.contains(&format!("&lt;mail_payer_receipt.{}@kassa.test&gt;", p.id)),
        "{page}"
    );
    let pdf = reqwest::get(format!("{}/sim/mail/{}/attachment", app.base, receipt.id))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF"));
}

#[tokio::test]
async fn a_store_without_a_notification_address_is_told_why_it_got_no_mail() {
    let app = serve_with(true, |c| c.public_url = "http://127.0.0.1:9".into()).await;
    let db = app.state.checkout.db();
    sqlx::query("UPDATE stores SET notification_email = NULL")
        .execute(db.pool())
        .await
        .unwrap();
    let (p, ipn) = quietly_paid(&app, "k1").await;
    post_at_once(1, &format!("{}/notify/paypal", app.base), &ipn).await;
    let rows = settled_mails(&app, &p, 2).await;
    let merchant = rows
        .iter()
        .find(|m| m.kind == engine::effects::MERCHANT_PAID_MAIL)
        .unwrap();
    assert_eq!(merchant.state, mails::FAILED);
    assert!(
        merchant
            .last_error
            .as_deref()
            .unwrap()
            .contains("no notification address"),
        "{merchant:?}"
    );
    let kept = mails::sandbox_mailbox(db, 10).await.unwrap();
    assert_eq!(kept.len(), 1, "only the payer's receipt went");
}
