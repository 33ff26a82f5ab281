//! Receipts over HTTP: a payment that becomes paid (at the provider, or a slip the merchant
//! confirms) gets its numbered receipt from the job its move enqueued; the customer's result
//! and tracking pages and the merchant's payment page lead to it; its public page, keyed by an
//! unguessable token, shows what the store recorded, in the reader's language and the store's
//! time zone. On SQLite and PostgreSQL.

use std::time::Duration;

use crate::common::browser::{Browser, log_in};
use crate::common::provider::{Order, start_redirect};
use crate::common::{Running, database_urls, location, no_redirects, payment, serve_with};
use engine::db::payments::Payment;
use engine::db::receipts::{self, Receipt};
use engine::slips::{Decision, decide};
use engine::status::PaymentStatus;
use server::demo::{IL_OWNER_EMAIL, OWNER_PASSWORD, SLUG};

/// Pays `amount` toman at the demo Iranian store through Zarinpal's simulator.
async fn paid_at_zarinpal(app: &Running, key: &str, payer: &str) -> Payment {
    let order = Order {
        payer,
        amount: "120,000",
        description: "Order 1042",
    };
    let (code, page) = start_redirect(app, SLUG, "zarinpal", key, &order).await;
    let back = no_redirects()
        .post(&page)
        .form(&[("action", "pay")])
        .send()
        .await
        .unwrap();
    no_redirects()
        .get(location(back).await)
        .send()
        .await
        .unwrap();
    let p = payment(app, &code).await;
    assert_eq!(p.status, PaymentStatus::Paid);
    p
}

/// The payment's receipt, once the queue has issued it.
pub(crate) async fn receipt_of(app: &Running, p: &Payment) -> Receipt {
    for _ in 0..100 {
        if let Some(r) = receipts::of_payment(app.state.checkout.db(), p.store_id, p.id)
            .await
            .unwrap()
        {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no receipt for payment {}", p.id);
}

/// The PDF attached to the payer's receipt mail, once the sandbox's mailbox has it.
async fn mailed_receipt(app: &Running, p: &Payment) -> Vec<u8> {
    let to = p.email.clone().expect("the payer gave an address");
    for _ in 0..100 {
        let kept = engine::db::mails::sandbox_mailbox(app.state.checkout.db(), 100)
            .await
            .unwrap();
        if let Some(pdf) = kept
            .into_iter()
            .find(|m| m.recipient == to)
            .and_then(|m| m.attachment)
        {
            return pdf;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no receipt mail for payment {}", p.id);
}

pub(crate) async fn text(app: &Running, path: &str) -> (u16, String) {
    let answer = reqwest::get(format!("{}{path}", app.base)).await.unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

#[tokio::test]
async fn a_paid_payment_gets_a_numbered_receipt_its_payer_can_open() {
    for database in database_urls().await {
        let app = serve_with(true, |c| {
            if let Some(url) = database {
                c.database_url = url.into();
            }
        })
        .await;
        // Numbered in the order they are issued.
        let first = paid_at_zarinpal(&app, "r1", "Sara Ahmadi").await;
        let one = receipt_of(&app, &first).await;
        let second = paid_at_zarinpal(&app, "r2", "Omid Karimi").await;
        let two = receipt_of(&app, &second).await;
        assert_eq!((one.number, two.number), (1, 2));
        assert_eq!(one.token.len(), 32, "128 random bits");

        // The result and tracking pages lead to it.
        for path in [
            format!("/pay/{}?lang=en", first.tracking_code),
            format!("/track/{}?lang=en", first.tracking_code),
        ] {
            let (_, page) = text(&app, &path).await;
            assert!(
                page.contains(&format!("href=\"/r/{}\"", one.token))
                    && page.contains("No. 1: view"),
                "{path}: {page}"
            );
        }
        // Its page: the store's legal details, the amounts, dated in Tehran (+3:30).
        let (status, page) = text(&app, &format!("/r/{}?lang=en", one.token)).await;
        assert_eq!(status, 200);
        for expected in [
            "Receipt No. 1",
            "Genuine",
            "شرکت نمونهٔ کاسا",
            "Reg. No. 14000000000",
            "Sara Ahmadi",
            "Order 1042",
            "120,000",
            "Zarinpal",
            "(Asia/Tehran)",
            "not a tax invoice",
        ] {
            assert!(page.contains(expected), "{expected}: {page}");
        }
        let tehran = engine::zones::local_date_time("Asia/Tehran", one.issued_at, "en");
        assert!(page.contains(&tehran), "{tehran}: {page}");
        // In Persian, with Persian digits.
        let (_, persian) = text(&app, &format!("/r/{}?lang=fa", two.token)).await;
        assert!(persian.contains("رسید شمارهٔ ۲"), "{persian}");
        // Dated as Iranians date: the Solar Hijri calendar, in Tehran's time.
        let issued = engine::zones::local_date_time("Asia/Tehran", two.issued_at, "fa");
        assert!(issued.starts_with("14"), "{issued}");
        let issued = engine::digits::localize(&issued, "fa");
        assert!(persian.contains(&issued), "{issued}: {persian}");
        // A token nobody was given finds nothing.
        let (status, page) = text(&app, "/r/0123456789abcdef0123456789abcdef?lang=en").await;
        assert_eq!(status, 404);
        assert!(page.contains("No such receipt"));
    }
}

/// The words `pdftotext` (poppler) reads from a PDF, without the bidi controls it adds: a
/// right-to-left run comes out in display order, so its words are looked for one by one.
/// Persian's zero-width non-joiner and combining hamza are dropped on both sides: they are
/// drawn in place (see the rendered page) but extracted one letter off.
pub(crate) fn pdf_words(pdf: &[u8]) -> Vec<String> {
    let file = std::env::temp_dir().join(format!("kassa-receipt-{}.pdf", rand::random::<u64>()));
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils; `make setup-test` installs it)");
    let _ = std::fs::remove_file(&file);
    let text: String = String::from_utf8(out.stdout)
        .unwrap()
        .chars()
        .filter(|c| !unplaced(*c))
        .collect();
    text.split_whitespace().map(str::to_owned).collect()
}

fn unplaced(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200c}' | '\u{0654}')
}

pub(crate) fn has_words(words: &[String], expected: &str) -> bool {
    let expected: String = expected.chars().filter(|c| !unplaced(*c)).collect();
    expected
        .split_whitespace()
        .all(|w| words.iter().any(|have| have.contains(w)))
}

#[tokio::test]
async fn a_receipt_s_pdf_is_the_original_once_then_copies() {
    for database in database_urls().await {
        let app = serve_with(true, |c| {
            if let Some(url) = database {
                c.database_url = url.into();
            }
        })
        .await;
        let paid = paid_at_zarinpal(&app, "pdf", "سارا احمدی").await;
        let receipt = receipt_of(&app, &paid).await;
        let pdf_path = format!("/r/{}/pdf", receipt.token);
        let (_, page) = text(&app, &format!("/r/{}?lang=fa", receipt.token)).await;
        assert!(
            page.contains(&format!("href=\"{pdf_path}?lang=fa\"")),
            "{page}"
        );

        // The first made is the one e-mailed to the payer, in their Persian: the original.
        let first = pdf_words(&mailed_receipt(&app, &paid).await);
        let code = engine::tracking::display(&paid.tracking_code);
        let link = format!("/r/{}", receipt.token);
        for expected in [
            "سارا احمدی",
            "۱۲۰٬۰۰۰ تومان",
            "رسید شمارهٔ ۱",
            "اصل",
            &code,
            &link,
        ] {
            assert!(has_words(&first, expected), "{expected}: {first:?}");
        }
        // Downloaded later, in Persian: a copy.
        let answer = reqwest::get(format!("{}{pdf_path}?lang=fa", app.base))
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        assert_eq!(answer.headers()["content-type"], "application/pdf");
        let downloaded = pdf_words(&answer.bytes().await.unwrap());
        for expected in ["سارا احمدی", "رونوشت"] {
            assert!(
                has_words(&downloaded, expected),
                "{expected}: {downloaded:?}"
            );
        }
        assert!(!has_words(&downloaded, "اصل"), "{downloaded:?}");
        // Every later one is a copy, here in English.
        let answer = reqwest::get(format!("{}{pdf_path}?lang=en", app.base))
            .await
            .unwrap();
        let second = pdf_words(&answer.bytes().await.unwrap()).join(" ");
        for expected in [
            "Receipt No. 1",
            "COPY",
            "120,000 toman",
            "not a tax invoice",
        ] {
            assert!(second.contains(expected), "{expected}: {second}");
        }
        // Nobody was given this token.
        let answer = reqwest::get(format!(
            "{}/r/0123456789abcdef0123456789abcdef/pdf",
            app.base
        ))
        .await
        .unwrap();
        assert_eq!(answer.status(), 404);
    }
}

#[tokio::test]
async fn a_confirmed_slip_gets_its_receipt_and_the_merchant_sees_it() {
    let app = serve_with(true, |_| {}).await;
    let db = app.state.checkout.db();
    let (store, slip) = crate::common::il_slip(&app, "Noa Cohen", "", "").await;
    // Nothing is owed before the merchant confirms it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        receipts::of_payment(db, store.id, slip.id).await.unwrap(),
        None
    );
    decide(db, store.id, slip.id, Decision::Confirm, "owner", "")
        .await
        .unwrap();
    let receipt = receipt_of(&app, &slip).await;
    assert_eq!(
        receipt.number, 1,
        "the Israeli store numbers its own receipts"
    );
    let (_, page) = text(&app, &format!("/r/{}?lang=he", receipt.token)).await;
    for expected in [
        "קבלה מס׳ 1",
        "Noa Cohen",
        "778899",
        "העברה בנקאית",
        "(Asia/Jerusalem)",
        // Shekels as Hebrew writes them.
        "125.50\u{a0}₪",
    ] {
        assert!(page.contains(expected), "{expected}: {page}");
    }
    // The merchant's payment page shows it, and its issue is in the timeline.
    let mut owner = Browser::new(&app);
    log_in(&mut owner, IL_OWNER_EMAIL, OWNER_PASSWORD).await;
    let page = owner
        .page(&format!("/admin/payments/{}?lang=en", slip.id))
        .await;
    assert!(
        page.contains(&format!("href=\"/r/{}\"", receipt.token)),
        "{page}"
    );
    assert!(page.contains("data-kind=\"receipt_issued\""), "{page}");
    // The store's receipts list it, dated in the store's time zone, with its page, its PDF
    // and its payment.
    let page = owner.page("/admin/receipts?lang=en").await;
    let jerusalem = engine::zones::local_date_time("Asia/Jerusalem", receipt.issued_at, "en");
    for expected in [
        "data-testid=\"receipt-row\"".to_owned(),
        "Noa Cohen".to_owned(),
        "Asia/Jerusalem".to_owned(),
        jerusalem,
        format!("href=\"/r/{}\"", receipt.token),
        format!("href=\"/r/{}/pdf?lang=en\"", receipt.token),
        format!("href=\"/admin/payments/{}\"", slip.id),
    ] {
        assert!(page.contains(&expected), "{expected}: {page}");
    }
    // Another store's merchant sees none of them.
    let mut stranger = Browser::new(&app);
    log_in(&mut stranger, server::demo::OWNER_EMAIL, OWNER_PASSWORD).await;
    let page = stranger.page("/admin/receipts?lang=en").await;
    assert!(!page.contains(&receipt.token), "{page}");
    assert!(page.contains("No receipts yet"), "{page}");
}
