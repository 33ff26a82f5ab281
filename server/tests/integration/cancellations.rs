//! Cancelling documents over HTTP: money PayPal sends back for a paid payment (a refund, in
//! part or in all) cancels its receipt by documents of their own, numbered in the receipts'
//! series, each once however often PayPal repeats itself; their pages, PDFs and the back
//! office lead between them and the receipt. On SQLite and PostgreSQL.

use std::time::Duration;

use crate::common::browser::{Browser, log_in};
use crate::common::provider::{count, post_at_once, until};
use crate::common::{Running, database_urls, payment, serve_with};
use crate::paypal::{pay_at_paypal, refund_at_paypal, sent_ipns, started};
use crate::receipts::{pdf_words, receipt_of, text};
use engine::db::cancellations::{self, Cancellation};
use engine::db::receipts::Receipt;
use server::demo::{EU_OWNER_EMAIL, OWNER_PASSWORD};

/// The documents cancelling `receipt`, once there are `n`.
async fn cancelled(app: &Running, receipt: &Receipt, n: usize) -> Vec<Cancellation> {
    for _ in 0..100 {
        let found = cancellations::of_receipt(app.state.checkout.db(), receipt)
            .await
            .unwrap();
        if found.len() >= n {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "receipt {} has not {n} cancelling documents",
        receipt.number
    );
}

async fn pdf(app: &Running, path: &str) -> (String, String) {
    let answer = reqwest::get(format!("{}{path}", app.base)).await.unwrap();
    assert_eq!(answer.status(), 200, "{path}");
    let disposition = answer.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    let words = pdf_words(&answer.bytes().await.unwrap()).join(" ");
    (disposition, words)
}

#[tokio::test]
async fn money_sent_back_cancels_the_receipt_by_documents_of_its_own() {
    for database in database_urls().await {
        let app = serve_with(true, |c| {
            if let Some(url) = database {
                c.database_url = url.into();
            }
        })
        .await;
        let (code, url, fields) = started(&app, "c1").await;
        let (checkout, _) = pay_at_paypal(&app.base, &url, &fields, "balance", "UTF-8").await;
        let p = payment(&app, &code).await;
        until(&app, &p, |k| k.contains(&"verified".to_owned())).await;
        let receipt = receipt_of(&app, &p).await;
        assert_eq!(receipt.number, 1);

        // A refund of part of it: a document for that part, the next number.
        assert_eq!(refund_at_paypal(&checkout, "20.00").await, 303);
        let first = cancelled(&app, &receipt, 1).await.remove(0);
        assert_eq!((first.number, first.amount), (2, 2000));
        assert_eq!(first.reason, "paypal:refunded");
        // PayPal's resends of that refund, twenty at once: recorded as repeats, no document.
        let refund_ipn = sent_ipns(&app.base, &code).await.pop().unwrap();
        assert!(refund_ipn.contains("mc_gross=-20.00"), "{refund_ipn}");
        let answers = post_at_once(20, &format!("{}/notify/paypal", app.base), &refund_ipn).await;
        assert!(
            answers.iter().all(|(status, _)| *status == 200),
            "{answers:?}"
        );
        let kinds = until(&app, &p, |k| count(k, "ignored:reversed_at_provider") == 20).await;
        assert_eq!(count(&kinds, "reversed_at_provider"), 1, "{kinds:?}");
        // The rest of it: a second document; then nothing is left to refund.
        assert_eq!(refund_at_paypal(&checkout, "").await, 303);
        let both = cancelled(&app, &receipt, 2).await;
        assert_eq!(both.len(), 2, "{both:?}");
        assert_eq!((both[1].number, both[1].amount), (3, 10050));
        assert_eq!(refund_at_paypal(&checkout, "1.00").await, 404);
        let kinds = until(&app, &p, |k| count(k, "cancellation_issued") == 2).await;
        assert_eq!(count(&kinds, "receipt_issued"), 1, "{kinds:?}");
        assert_eq!(payment(&app, &code).await.status.as_str(), "paid");

        // The document's page: what it cancels, why, how much, and the way to the receipt.
        let (status, page) = text(&app, &format!("/r/{}?lang=en", first.token)).await;
        assert_eq!(status, 200);
        for expected in [
            "Cancelling document No. 2",
            "Genuine: this cancelling document",
            "Cancels receipt",
            "No. 1",
            "Refund by the merchant",
            "Anna Berzina",
            "Order 23",
            "€120.50",
            "Returned to the payer",
            "€20.00",
            "not a tax credit note",
            &format!("href=\"/r/{}\"", receipt.token),
        ] {
            assert!(page.contains(expected), "{expected}: {page}");
        }
        let (_, hebrew) = text(&app, &format!("/r/{}?lang=he", first.token)).await;
        assert!(hebrew.contains("מסמך ביטול מס׳ 2"), "{hebrew}");
        // The receipt stays as issued, and names what cancels it.
        let (_, page) = text(&app, &format!("/r/{}?lang=en", receipt.token)).await;
        for expected in [
            "Receipt No. 1",
            "Cancelled by",
            "No. 2 · €20.00",
            "No. 3 · €100.50",
            &format!("href=\"/r/{}\"", both[1].token),
        ] {
            assert!(page.contains(expected), "{expected}: {page}");
        }

        // Its PDF: the original once, then copies.
        let path = format!("/r/{}/pdf?lang=en", first.token);
        let (disposition, words) = pdf(&app, &path).await;
        assert!(disposition.contains("cancellation-2.pdf"), "{disposition}");
        for expected in [
            "Cancelling document No. 2",
            "ORIGINAL",
            "Anna Berzina",
            "€20.00",
            "Refund by the merchant",
        ] {
            assert!(words.contains(expected), "{expected}: {words}");
        }
        let (_, words) = pdf(&app, &path).await;
        assert!(words.contains("COPY"), "{words}");
        // The receipt's own PDF (its original went to the payer by e-mail) names them too.
        let (_, words) = pdf(&app, &format!("/r/{}/pdf?lang=en", receipt.token)).await;
        for expected in [
            "Receipt No. 1",
            "Cancelled by No. 2 · €20.00",
            "Cancelled by No. 3 · €100.50",
        ] {
            assert!(words.contains(expected), "{expected}: {words}");
        }

        // The back office: one series of numbers, the payment leads to its documents.
        let mut owner = Browser::new(&app);
        server::demo::ensure_owners(app.state.checkout.db())
            .await
            .unwrap();
        log_in(&mut owner, EU_OWNER_EMAIL, OWNER_PASSWORD).await;
        let list = owner.page("/admin/receipts?lang=en").await;
        assert_eq!(list.matches("data-testid=\"receipt-row\"").count(), 3);
        assert_eq!(list.matches("Cancels No. 1").count(), 2, "{list}");
        assert!(list.contains("-€20.00"), "{list}");
        let page = owner
            .page(&format!("/admin/payments/{}?lang=en", p.id))
            .await;
        for expected in [
            format!("href=\"/r/{}\"", first.token),
            format!("href=\"/r/{}\"", both[1].token),
            "data-kind=\"cancellation_issued\"".to_owned(),
        ] {
            assert!(page.contains(&expected), "{expected}: {page}");
        }
    }
}
