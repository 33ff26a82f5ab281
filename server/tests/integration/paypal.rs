//! PayPal Payments Standard end to end over HTTP against the simulator Kassa serves: the
//! method's settings, the `_xclick` hand-off, IPNs in windows-1255 and UTF-8 verified by
//! post-back, eCheck and refund IPNs, and IPNs that must change nothing.

use crate::common::browser::signed_up_in;
use crate::common::provider::{
    HeldProvider, Order, assert_refused_for, count, duplicates, fast_forward_polls, field,
    lines_at, post_at_once, post_form, refusals, start_form, until,
};
use crate::common::{
    Running, events, methods, no_redirects, payment, quiet_server, serve, serve_with,
};
use engine::db::payments::{self, Change, Payment, Source, Transition};
use engine::report::ReportQuery;
use engine::status::PaymentStatus;
use server::demo::EU_SLUG;
use server::sim::paypal::{DEMO_ACCOUNT_ID, DEMO_EMAIL, MOUNT};

fn method_form<'a>(account_id: &'a str, email: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("id", ""),
        ("kind", "paypal"),
        ("display_name", "PayPal"),
        ("min_amount", ""),
        ("max_amount", ""),
        ("discount_kind", "none"),
        ("discount_value", ""),
        ("provider[account_id]", account_id),
        ("provider[email]", email),
    ]
}

#[tokio::test]
async fn a_merchant_adds_paypal_and_sees_the_ipn_address() {
    let app = serve(true).await;
    let mut dana = signed_up_in(&app, "dana", "dana@example.com", "EUR").await;
    let to = dana
        .submit("/api/admin/method", &method_form("ABC-123", DEMO_EMAIL))
        .await;
    let page = dana.page(&to).await;
    assert!(page.contains("not valid"), "a short ID is refused");
    let to = dana
        .submit("/api/admin/method", &method_form(DEMO_ACCOUNT_ID, "nobody"))
        .await;
    assert!(dana.page(&to).await.contains("e-mail"));
    assert!(methods(&app, "dana").await.is_empty(), "nothing was saved");

    let lower = DEMO_ACCOUNT_ID.to_lowercase();
    let to = dana
        .submit(
            "/api/admin/method",
            &method_form(&lower, "PayPal@Demo.Kassa.Test"),
        )
        .await;
    assert_eq!(to, "/admin/methods");
    let saved = &methods(&app, "dana").await[0];
    assert_eq!(
        saved.config,
        format!(r#"{{"account_id":"{DEMO_ACCOUNT_ID}","email":"{DEMO_EMAIL}"}}"#)
    );
    let page = dana.page("/admin/methods").await;
    assert!(
        page.contains(&format!("{}/notify/paypal", app.base)),
        "the IPN address"
    );

    // PayPal does not take the rial: an IRR store is told before anything is typed.
    let mut sara = signed_up_in(&app, "sara", "sara@example.com", "IRR").await;
    let page = sara.page("/admin/methods?add=paypal").await;
    assert!(page.contains("IRR"), "the currency notice");
    let to = sara
        .submit(
            "/api/admin/method",
            &method_form(DEMO_ACCOUNT_ID, DEMO_EMAIL),
        )
        .await;
    assert_ne!(to, "/admin/methods");
    assert!(methods(&app, "sara").await.is_empty());
}

/// Submits a payment at the demo EU store and returns its code and the PayPal form.
pub(crate) async fn started(app: &Running, key: &str) -> (String, String, Vec<(String, String)>) {
    let order = Order {
        payer: "Anna Berzina",
        amount: "120.50",
        description: "Order 23",
    };
    start_form(app, EU_SLUG, "paypal", key, &order).await
}

/// Posts the form to the simulator and pays there. Returns the simulator's checkout page and
/// where the buyer is sent back.
pub(crate) async fn pay_at_paypal(
    base: &str,
    url: &str,
    fields: &[(String, String)],
    funding: &str,
    charset: &str,
) -> (String, String) {
    let checkout = no_redirects().post(url).form(fields).send().await.unwrap();
    assert_eq!(checkout.status(), 303);
    let page = checkout.headers()["location"].to_str().unwrap().to_owned();
    let back = no_redirects()
        .post(format!("{base}{page}"))
        .form(&[
            ("funding", funding),
            ("first_name", "ישראל"),
            ("last_name", "כהן"),
            ("charset", charset),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), 303);
    let back = back.headers()["location"].to_str().unwrap().to_owned();
    (format!("{base}{page}"), back)
}

/// Presses a button of the simulator's checkout page ("clear", "refund" all that is left).
pub(crate) async fn at_paypal(checkout: &str, action: &str) {
    assert_eq!(press(checkout, action, "").await, 303, "{action}");
}

/// Refunds `amount` at the simulator: the answer's status (303 when refunded).
pub(crate) async fn refund_at_paypal(checkout: &str, amount: &str) -> u16 {
    press(checkout, "refund", amount).await
}

async fn press(checkout: &str, action: &str, amount: &str) -> u16 {
    no_redirects()
        .post(format!("{checkout}/{action}"))
        .form(&[("amount", amount)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Posts an IPN to the account's IPN address, as PayPal does: the answer's status.
pub(crate) async fn post_ipn(base: &str, body: impl Into<reqwest::Body>) -> u16 {
    post_form(&format!("{base}/notify/paypal"), body).await.0
}

/// The IPNs the simulator sent for an invoice, as sent.
pub(crate) async fn sent_ipns(base: &str, code: &str) -> Vec<String> {
    lines_at(&format!("{base}{MOUNT}/ipn-history?invoice={code}")).await
}

#[tokio::test]
async fn a_payment_is_paid_by_its_verified_ipn_and_a_refund_is_recorded() {
    let app = serve(true).await;
    let (code, url, fields) = started(&app, "k1").await;
    assert_eq!(url, format!("{}{MOUNT}/cgi-bin/webscr", app.base));
    for (name, value) in [
        ("cmd", "_xclick"),
        ("business", DEMO_ACCOUNT_ID),
        ("amount", "120.50"),
        ("currency_code", "EUR"),
        ("invoice", code.as_str()),
        ("item_name", "Order 23"),
        ("notify_url", &format!("{}/notify/paypal", app.base)),
        ("return", &format!("{}/pay/{code}/return", app.base)),
        ("charset", "UTF-8"),
    ] {
        assert_eq!(field(&fields, name), value, "{name}");
    }
    let (checkout, back) = pay_at_paypal(&app.base, &url, &fields, "balance", "windows-1255").await;
    assert!(back.starts_with(&format!("{}/pay/{code}/return?tx=", app.base)));
    let p = payment(&app, &code).await;
    until(&app, &p, |k| k.contains(&"verified".to_owned())).await;
    let paid = payment(&app, &code).await;
    assert_eq!(paid.status, PaymentStatus::Paid);
    let ipn = &sent_ipns(&app.base, &code).await[0];
    // ישראל in windows-1255.
    assert!(ipn.contains("charset=windows-1255") && ipn.contains("first_name=%E9%F9%F8%E0%EC"));
    let txn = ipn
        .split("&txn_id=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    assert_eq!(paid.bank_ref.as_deref(), Some(txn));
    // The event log shows the names decoded.
    let verified = events(&app, &p)
        .await
        .into_iter()
        .find(|e| e.kind == "verified")
        .unwrap();
    let detail = verified.detail.unwrap();
    assert!(
        detail.contains("VERIFIED (windows-1255)") && detail.contains("ישראל"),
        "{detail}"
    );

    // The browser's return proves nothing, and changes nothing now.
    let shown = no_redirects().get(&back).send().await.unwrap();
    assert_eq!(shown.headers()["location"], format!("/pay/{code}").as_str());

    // A refund at PayPal is recorded once; the payment keeps its status.
    at_paypal(&checkout, "refund").await;
    let kinds = until(&app, &p, |k| k.contains(&"reversed_at_provider".to_owned())).await;
    assert_eq!(count(&kinds, "verified"), 1);
    assert_eq!(payment(&app, &code).await.status, PaymentStatus::Paid);
    let refund_ipn = sent_ipns(&app.base, &code).await.pop().unwrap();
    assert!(
        refund_ipn.contains("payment_status=Refunded") && refund_ipn.contains("mc_gross=-120.50")
    );
    // PayPal's resend of the refund is not recorded twice.
    assert_eq!(post_ipn(&app.base, refund_ipn).await, 200);
    let kinds = until(&app, &p, |k| {
        k.contains(&"ignored:reversed_at_provider".to_owned())
    })
    .await;
    assert_eq!(count(&kinds, "reversed_at_provider"), 1, "{kinds:?}");
}

#[tokio::test]
async fn an_echeck_waits_until_it_clears_and_a_utf8_ipn_pays_too() {
    let app = serve(true).await;
    let (code, url, fields) = started(&app, "k1").await;
    let (checkout, _) = pay_at_paypal(&app.base, &url, &fields, "echeck", "UTF-8").await;
    let p = payment(&app, &code).await;
    until(&app, &p, |k| k.contains(&"still_pending".to_owned())).await;
    assert_eq!(payment(&app, &code).await.status, PaymentStatus::Created);
    // Days pass: the payment PayPal said is pending is not expired, however long it takes.
    let (waiting, polls) = fast_forward_polls(&app, &code).await;
    assert_eq!((waiting.status, polls), (PaymentStatus::Created, 8));
    at_paypal(&checkout, "clear").await;
    let kinds = until(&app, &p, |k| k.contains(&"verified".to_owned())).await;
    assert_eq!(payment(&app, &code).await.status, PaymentStatus::Paid);
    assert_eq!(count(&kinds, "verified"), 1);
    let detail = events(&app, &p)
        .await
        .into_iter()
        .find(|e| e.kind == "verified")
        .unwrap()
        .detail
        .unwrap();
    assert!(
        detail.contains("VERIFIED (UTF-8)") && detail.contains("כהן"),
        "{detail}"
    );

    // A cancelled checkout sends no IPN: the payment waits, and the customer may leave.
    let (code, url, fields) = started(&app, "k2").await;
    let (_, back) = pay_at_paypal(&app.base, &url, &fields, "cancel", "UTF-8").await;
    assert_eq!(back, format!("{}/pay/{code}/return", app.base));
    assert!(sent_ipns(&app.base, &code).await.is_empty());
    assert_eq!(payment(&app, &code).await.status, PaymentStatus::Created);
}

/// Replaces `name=…` in a raw IPN (or drops the field when `value` is `None`).
fn tampered(ipn: &str, name: &str, value: Option<&str>) -> String {
    ipn.split('&')
        .filter_map(|pair| match pair.split_once('=') {
            Some((n, _)) if n == name => value.map(|v| format!("{n}={v}")),
            _ => Some(pair.to_owned()),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A paid checkout at the simulator whose IPN went nowhere: the test delivers it.
pub(crate) async fn quietly_paid(app: &Running, key: &str) -> (Payment, String) {
    let (code, url, fields) = started(app, key).await;
    // The form's address is the simulator's real one; its notify_url is the dead public one.
    pay_at_paypal(&app.base, &url, &fields, "balance", "windows-1255").await;
    let ipn = sent_ipns(&app.base, &code).await.remove(0);
    (payment(app, &code).await, ipn)
}

#[tokio::test]
async fn bad_ipns_change_nothing_and_are_logged() {
    let app = quiet_server(None).await;
    let (p, genuine) = quietly_paid(&app, "k1").await;
    let bad = [
        (
            tampered(&genuine, "mc_gross", Some("1.00")),
            "the IPN says 1.00 EUR",
        ),
        (
            tampered(&genuine, "mc_currency", Some("USD")),
            "the IPN says 120.50 USD",
        ),
        (
            tampered(
                &tampered(
                    &tampered(&genuine, "receiver_id", Some("OTHERMERCHANT")),
                    "receiver_email",
                    Some("other%40paypal.test"),
                ),
                "business",
                Some("other%40paypal.test"),
            ),
            "another PayPal account",
        ),
        (
            tampered(&genuine, "test_ipn", None),
            "a live IPN for a test method",
        ),
        (tampered(&genuine, "txn_id", None), "no txn_id"),
        (
            tampered(&genuine, "charset", Some("ibm-862")),
            "unknown charset",
        ),
        (
            tampered(&genuine, "charset", Some("UTF-8")),
            "not valid UTF-8",
        ),
        // Well formed and matching, but PayPal never sent it: the post-back says INVALID.
        (
            tampered(&genuine, "txn_id", Some("9FORGED0000000000")),
            "INVALID",
        ),
    ];
    for (body, _) in &bad {
        assert_eq!(
            post_ipn(&app.base, body.clone()).await,
            200,
            "PayPal is always answered 200"
        );
    }
    // Not ours: no payment names them, nothing is recorded anywhere.
    assert_eq!(
        post_ipn(
            &app.base,
            tampered(&genuine, "invoice", Some("NOSUCHCODE99"))
        )
        .await,
        200
    );
    assert_eq!(post_ipn(&app.base, "").await, 200);
    assert_eq!(post_ipn(&app.base, vec![b'a'; 70 * 1024]).await, 413);
    let kinds = until(&app, &p, |k| {
        count(k, "notification_not_verified") == bad.len()
    })
    .await;
    let refused = refusals(&app, &p).await;
    assert_refused_for(&refused, bad.iter().map(|(_, reason)| *reason));
    assert_eq!(
        payment(&app, &p.tracking_code).await.status,
        PaymentStatus::Created,
        "{kinds:?}"
    );
    // Another provider's address does not exist.
    let other = reqwest::Client::new()
        .post(format!("{}/notify/zarinpal", app.base))
        .body(genuine.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 404);

    // The genuine IPN pays; its replay (a duplicate txn_id) is logged and changes nothing.
    assert_eq!(post_ipn(&app.base, genuine.clone()).await, 200);
    until(&app, &p, |k| k.contains(&"verified".to_owned())).await;
    assert_eq!(post_ipn(&app.base, genuine).await, 200);
    let kinds = until(&app, &p, |k| {
        k.contains(&"notification_after_final".to_owned())
    })
    .await;
    assert_eq!(count(&kinds, "verified"), 1);
    assert_eq!(
        payment(&app, &p.tracking_code).await.status,
        PaymentStatus::Paid
    );
}

/// The method a notification is checked against is the method as it is now, though this
/// server keeps the store's methods from the payment page (`checkout::storefront`).
#[tokio::test]
async fn an_ipn_is_checked_against_the_method_as_it_is_now() {
    let app = quiet_server(None).await;
    let (p, genuine) = quietly_paid(&app, "k1").await;
    // The payment page keeps the store's methods on this server.
    let page = reqwest::get(format!("{}/s/{EU_SLUG}/openpay", app.base))
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    // The merchant turns the test method live after the page was served.
    let method = methods(&app, EU_SLUG)
        .await
        .into_iter()
        .find(|m| m.provider == "paypal")
        .unwrap();
    let live = engine::db::methods::NewMethod {
        provider: &method.provider,
        display_name: &method.display_name,
        live: true,
        min_amount: method.min_amount,
        max_amount: method.max_amount,
        config: &method.config,
        secrets: method.secrets.as_deref(),
        discount: method.discount,
    };
    let db = app.state.checkout.db();
    assert!(
        engine::db::methods::update(db, method.store_id, method.id, &live)
            .await
            .unwrap()
    );
    assert_eq!(post_ipn(&app.base, genuine).await, 200);
    until(&app, &p, |k| count(k, "notification_not_verified") == 1).await;
    assert_refused_for(
        &refusals(&app, &p).await,
        ["a sandbox IPN for a live method"],
    );
    assert_eq!(
        payment(&app, &p.tracking_code).await.status,
        PaymentStatus::Created
    );
}

/// A Completed IPN for the demo store's payment `code` of 120.50 EUR, PayPal transaction `txn_id`.
fn completed_ipn(code: &str, txn_id: &str) -> String {
    format!(
        "mc_gross=120.50&invoice={code}&payment_status=Completed&charset=UTF-8&txn_id={txn_id}\
         &receiver_id={DEMO_ACCOUNT_ID}&receiver_email=paypal%40demo.kassa.test&mc_currency=EUR&test_ipn=1"
    )
}

/// A server whose PayPal post-back address is `paypal` (on SQLite, or `database`).
async fn served_with_paypal(paypal: &HeldProvider, database: Option<String>) -> Running {
    let url = paypal.url.clone();
    serve_with(true, |c| {
        c.test_environments.set("paypal", &url);
        if let Some(database) = database {
            c.database_url = database.into();
        }
    })
    .await
}

#[tokio::test]
async fn a_verified_payment_that_lost_the_race_to_a_cancel_is_flagged_and_refused() {
    for database in crate::common::database_urls().await {
        let mut paypal = HeldProvider::start("VERIFIED").await;
        let app = served_with_paypal(&paypal, database).await;
        let (code, _, _) = started(&app, "k1").await;
        let p = payment(&app, &code).await;
        assert_eq!(
            post_ipn(&app.base, completed_ipn(&code, "8AB12345CD678901E")).await,
            200
        );
        // Kassa read the payment as waiting and asks PayPal; meanwhile the payment ends.
        paypal.arrived().await;
        let cancel = Change {
            to: PaymentStatus::Cancelled,
            source: Source::Customer,
            kind: "cancelled_at_gateway",
            detail: None,
            bank_ref: None,
            card_pan: None,
            failure_code: Some("paypal:cancelled"),
        };
        let moved = payments::transition(app.state.checkout.db(), &p, cancel).await;
        assert_eq!(moved.unwrap(), Transition::Moved);
        paypal.release(1);
        let kinds = until(&app, &p, |k| count(k, "paid_after_final") == 1).await;
        assert_eq!(count(&kinds, "ignored:verified"), 1, "{kinds:?}");
        let now = payment(&app, &code).await;
        assert_eq!(now.status, PaymentStatus::Cancelled);
        assert!(now.attention, "flagged for the merchant");
    }
}

#[tokio::test]
async fn a_second_paypal_transaction_for_a_paid_order_needs_attention() {
    for database in crate::common::database_urls().await {
        let paypal = HeldProvider::start("VERIFIED").await;
        paypal.release(100);
        let app = served_with_paypal(&paypal, database).await;
        let (code, _, _) = started(&app, "k1").await;
        let p = payment(&app, &code).await;
        assert_eq!(
            post_ipn(&app.base, completed_ipn(&code, "1FIRST00000000000")).await,
            200
        );
        until(&app, &p, |k| count(k, "verified") == 1).await;
        // PayPal is answered 200 whatever: a second transaction, sent ten times at once, is
        // flagged once.
        let second = completed_ipn(&code, "2SECOND0000000000");
        let answers = post_at_once(10, &format!("{}/notify/paypal", app.base), &second).await;
        assert!(answers.iter().all(|(s, _)| *s == 200), "{answers:?}");
        let kinds = until(&app, &p, |k| {
            count(k, "second_charge") + count(k, "ignored:second_charge") == 10
        })
        .await;
        assert_eq!(count(&kinds, "second_charge"), 1, "{kinds:?}");
        let now = payment(&app, &code).await;
        assert_eq!(now.status, PaymentStatus::Paid);
        assert_eq!(now.bank_ref.as_deref(), Some("1FIRST00000000000"));
        assert!(now.attention);
        // The report's "needs attention" view lists it, and only it.
        let store = crate::common::store_id(&app, EU_SLUG).await;
        let (query, _) = ReportQuery::parse(&[("attention".into(), "1".into())]);
        let report = engine::db::report::page(
            app.state.checkout.db(),
            store,
            now.currency,
            "UTC",
            &query,
            0,
        )
        .await
        .unwrap();
        let listed: Vec<i64> = report.rows.iter().map(|r| r.id).collect();
        assert_eq!(listed, vec![now.id]);
        assert!(report.rows[0].attention && !report.rows[0].live);
    }
}

#[tokio::test]
async fn a_notification_at_another_providers_address_is_refused() {
    let app = quiet_server(None).await;
    let (p, ipn) = quietly_paid(&app, "k1").await;
    // EveryPay's callback address, naming the PayPal payment.
    let everypay = format!(
        "order_reference={}&payment_reference=abc123",
        p.tracking_code
    );
    assert_eq!(
        post_form(&format!("{}/notify/everypay", app.base), everypay)
            .await
            .0,
        200
    );
    until(&app, &p, |k| count(k, "notification_not_verified") == 1).await;
    assert_refused_for(&refusals(&app, &p).await, ["sent to everypay's address"]);
    // The genuine IPN at PayPal's address still pays.
    assert_eq!(post_ipn(&app.base, ipn).await, 200);
    until(&app, &p, |k| count(k, "verified") == 1).await;
}

#[tokio::test]
async fn an_ipn_paypal_cannot_confirm_is_tried_again() {
    // PayPal's post-back address answers nothing; the form needs no call, so payments start.
    let app = serve_with(true, |c| {
        c.test_environments.set("paypal", "http://127.0.0.1:9")
    })
    .await;
    let (code, _, _) = started(&app, "k1").await;
    assert_eq!(
        post_ipn(&app.base, completed_ipn(&code, "8AB12345CD678901E")).await,
        200
    );
    let p = payment(&app, &code).await;
    // Logged at once, and again two seconds later.
    let kinds = until(&app, &p, |k| count(k, "notification_not_verified") >= 2).await;
    let details: Vec<String> = events(&app, &p)
        .await
        .into_iter()
        .filter_map(|e| e.detail)
        .collect();
    assert!(
        details.iter().any(|d| d.contains("could not be reached")),
        "{details:?}"
    );
    assert_eq!(
        payment(&app, &code).await.status,
        PaymentStatus::Created,
        "{kinds:?}"
    );
}

#[tokio::test]
async fn the_same_ipn_twenty_times_at_once_pays_once() {
    for database in crate::common::database_urls().await {
        let app = quiet_server(database).await;
        let (p, ipn) = quietly_paid(&app, "k1").await;
        let answers = post_at_once(20, &format!("{}/notify/paypal", app.base), &ipn).await;
        assert!(answers.iter().all(|(s, _)| *s == 200), "{answers:?}");
        let kinds = until(&app, &p, |k| count(k, "verified") + duplicates(k) == 20).await;
        assert_eq!(count(&kinds, "verified"), 1, "{kinds:?}");
        assert_eq!(
            payment(&app, &p.tracking_code).await.status,
            PaymentStatus::Paid
        );
    }
}

/// The state and holder of the job `id`.
async fn job_row(app: &Running, id: i64) -> (String, Option<String>) {
    sqlx::query_as("SELECT state, worker FROM jobs WHERE id = $1")
        .bind(id)
        .fetch_one(app.state.checkout.db().pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_verified_ipn_marks_its_job_done_with_its_settlement() {
    use engine::jobs::{Done, LEASE, Mark};
    for database in crate::common::database_urls().await {
        let paypal = HeldProvider::start("VERIFIED").await;
        paypal.release(100);
        let app = served_with_paypal(&paypal, database).await;
        let (code, _, _) = started(&app, "k1").await;
        let checkout = &app.state.checkout;
        let ipn = completed_ipn(&code, "8AB12345CD678901E");
        // The IPN as the route takes it, its verification held by the server "a"; verified
        // by "a": the payment and the job are written together, no mark is left to the queue.
        let held = || Some(("a".to_owned(), engine::time::now_millis() + LEASE));
        let take = || checkout.take(&code, "10.0.0.1", Some("paypal"), ipn.as_bytes(), held());
        let (admitted, job) = take().await.unwrap().unwrap();
        let mark = Mark::new(job.id, "a");
        let notified = checkout
            .complete_notification(&admitted, Some("paypal"), ipn.as_bytes(), &mark)
            .await;
        assert_eq!(notified.unwrap(), engine::checkout::Notified::Accepted);
        assert_eq!(payment(&app, &code).await.status, PaymentStatus::Paid);
        assert_eq!(mark.done(), Done::Written);
        assert_eq!(
            job_row(&app, job.id).await,
            ("done".into(), Some("a".into()))
        );
        // PayPal's copy, verified by a server "b" that does not hold its job (its lease ran
        // out and "a" took it): the copy is logged, and the job is left to its holder.
        let (admitted, job) = take().await.unwrap().unwrap();
        let mark = Mark::new(job.id, "b");
        checkout
            .complete_notification(&admitted, Some("paypal"), ipn.as_bytes(), &mark)
            .await
            .unwrap();
        assert_eq!(mark.done(), Done::Later);
        assert_eq!(
            job_row(&app, job.id).await,
            ("running".into(), Some("a".into()))
        );
        let p = payment(&app, &code).await;
        let kinds = until(&app, &p, |k| count(k, "notification_after_final") == 1).await;
        assert_eq!(count(&kinds, "verified"), 1, "{kinds:?}");
    }
}
