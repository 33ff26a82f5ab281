//! The whole server over real HTTP: a checkout handed to the Zarinpal simulator, paid, and the
//! customer's return settled from the gateway's verify answer; a paused store; live mode
//! serving no simulator.

use crate::common::{Running, location, no_redirects, serve};
use server::demo;

use engine::checkout::{CheckoutForm, Submitted};
use engine::connectors::HandOff;
use engine::db::payments;
use engine::status::PaymentStatus;

fn form(key: &str) -> CheckoutForm {
    CheckoutForm {
        key: key.into(),
        payer_name: "Sara Ahmadi".into(),
        mobile: "۰۹۱۲۱۲۳۴۵۶۷".into(),
        description: "Order 1042".into(),
        amount: "120,000".into(),
        method: "gateway:1".into(),
        ..CheckoutForm::default()
    }
}

/// Submits a checkout and presses `action` on the simulator's page; returns the payment code
/// and the URL the gateway sends the browser back to.
async fn pay(app: &Running, key: &str, action: &str) -> (String, String) {
    let Submitted::ToProvider { code } =
        app.state.checkout.submit("demo", &form(key)).await.unwrap()
    else {
        panic!("an online payment goes to the provider");
    };
    let Some(HandOff::Redirect(page)) = app.state.checkout.hand_off(&code).await.unwrap() else {
        panic!("a started payment has a hand-off");
    };
    assert!(page.starts_with(&format!("{}/sim/zarinpal/pg/StartPay/", app.base)));
    let back = no_redirects()
        .post(&page)
        .form(&[("action", action)])
        .send()
        .await
        .unwrap();
    let back = location(back).await;
    assert!(
        back.starts_with(&format!("{}/pay/{code}/return?", app.base)),
        "{back}"
    );
    (code, back)
}

#[tokio::test]
async fn a_paid_return_is_verified_once_however_often_it_arrives() {
    let app = serve(true).await;
    let (code, back) = pay(&app, "flow-paid", "pay").await;

    // The browser's return, delivered eight times at once (reloads, a double click).
    let http = no_redirects();
    let returns = (0..8).map(|_| {
        let http = http.clone();
        let back = back.clone();
        async move { location(http.get(&back).send().await.unwrap()).await }
    });
    for page in futures_join(returns).await {
        assert_eq!(page, format!("/pay/{code}"));
    }

    let p = app.state.checkout.payment(&code).await.unwrap();
    assert_eq!(p.status, PaymentStatus::Paid);
    assert_eq!(p.amount, 1_200_000, "120,000 toman is stored as rial");
    let bank_ref = p.bank_ref.clone().expect("the bank's reference is kept");
    let events = payments::events(app.state.checkout.db(), p.store_id, p.id)
        .await
        .unwrap();
    let verified: Vec<_> = events.iter().filter(|e| e.kind == "verified").collect();
    assert_eq!(verified.len(), 1, "{events:#?}");
    // Every return is logged: those that reached the gateway with its answer (the first "paid",
    // code 100, exactly once, on whichever return got it), those after the payment settled
    // without asking again.
    let answers: Vec<&str> = events
        .iter()
        .filter(|e| e.kind == "verified" || e.kind == "ignored:verified")
        .filter_map(|e| e.detail.as_deref())
        .collect();
    let late = events
        .iter()
        .filter(|e| e.kind == "return_after_final")
        .count();
    assert_eq!(
        answers.len() + late,
        8,
        "every return is logged: {events:#?}"
    );
    assert!(answers.iter().all(|raw| raw.contains("Status=OK")));
    assert_eq!(
        answers
            .iter()
            .filter(|raw| raw.contains("\"code\":100"))
            .count(),
        1
    );

    // The result page shows the tracking code and the bank's reference.
    let html = page(&app, &format!("/pay/{code}?lang=en")).await;
    assert!(html.contains("Payment successful"), "{html}");
    assert!(html.contains(&engine::tracking::display(&code)));
    assert!(html.contains(&bank_ref));
}

#[tokio::test]
async fn a_cancelled_payment_keeps_its_failure_and_offers_a_retry() {
    let app = serve(true).await;
    let (code, back) = pay(&app, "flow-cancel", "cancel").await;
    location(no_redirects().get(&back).send().await.unwrap()).await;
    let p = app.state.checkout.payment(&code).await.unwrap();
    assert_eq!(p.status, PaymentStatus::Cancelled);
    assert_eq!(p.failure_code.as_deref(), Some("zarinpal:-51"));

    // Paying afterwards on the gateway page changes nothing: the simulator keeps the first
    // decision, and a late return cannot revive a final payment.
    let late = back.replace("Status=NOK", "Status=OK");
    location(no_redirects().get(&late).send().await.unwrap()).await;
    let p = app.state.checkout.payment(&code).await.unwrap();
    assert_eq!(p.status, PaymentStatus::Cancelled);

    let html = page(&app, &format!("/pay/{code}?lang=en")).await;
    assert!(html.contains("Try again"), "{html}");
}

#[tokio::test]
async fn an_unknown_tracking_code_is_not_found() {
    let app = serve(true).await;
    for path in [
        "/track/NOSUCHCODE99",
        "/pay/NOSUCHCODE99",
        "/pay/NOSUCHCODE99/go",
        "/track/not-a-code",
    ] {
        let answer = reqwest::get(format!("{}{path}?lang=en", app.base))
            .await
            .unwrap();
        assert_eq!(answer.status(), 404, "{path}");
        let html = answer.text().await.unwrap();
        assert!(html.contains("href=\"/track\""), "says what to do: {html}");
    }
    let (code, _) = pay(&app, "known", "cancel").await;
    let known = reqwest::get(format!("{}/track/{code}", app.base))
        .await
        .unwrap();
    assert_eq!(known.status(), 200);
}

#[tokio::test]
async fn a_return_with_a_bad_code_goes_to_the_tracking_form() {
    let app = serve(true).await;
    let page = location(
        no_redirects()
            .get(format!(
                "{}/pay/not-a-code/return?Authority=A1&Status=OK",
                app.base
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(page, "/track");
}

#[tokio::test]
async fn a_paused_store_says_so_and_takes_no_payment() {
    let app = serve(true).await;
    let db = app.state.checkout.db();
    let store = engine::db::stores::by_slug(db, demo::SLUG)
        .await
        .unwrap()
        .unwrap();
    engine::db::stores::set_maintenance(db, store.id, true)
        .await
        .unwrap();

    let html = page(&app, "/openpay?price=120000&lang=en").await;
    assert!(html.contains("Payments are paused"), "{html}");
    assert!(!html.contains("<form"), "no form to fill in: {html}");

    // A form posted anyway (an old tab, no JavaScript) goes back to the page and writes nothing.
    let back = post_without_js(&app, &slip_form("paused-store-key", "09121234567")).await;
    assert_eq!(back, "/openpay");
    assert_eq!(payments::count(db, store.id).await.unwrap(), 0);
}

#[tokio::test]
async fn a_refused_form_comes_back_filled_in_without_personal_data_in_the_url() {
    let app = serve(true).await;
    let back = post_without_js(&app, &slip_form("refused-key", "12345")).await;
    let id = back.strip_prefix("/openpay?draft=").expect(&back);
    assert!(
        id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()),
        "{back}"
    );

    let html = page(&app, &format!("{back}&lang=en")).await;
    assert!(
        html.contains(r#"value="12345""#),
        "the typed mobile: {html}"
    );
    assert!(html.contains(r#"value="4242""#), "the slip number");
    assert!(
        html.contains("Enter a mobile number"),
        "the error beside it"
    );
    let store = engine::db::stores::by_slug(app.state.checkout.db(), demo::SLUG)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        payments::count(app.state.checkout.db(), store.id)
            .await
            .unwrap(),
        0
    );

    // A made-up draft id shows an empty form, not an error.
    let page = reqwest::get(format!("{}/openpay?draft=nope&lang=en", app.base))
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(!page.text().await.unwrap().contains(r#"value="12345""#));
}

#[tokio::test]
async fn customer_pages_fall_back_to_the_store_language() {
    let app = serve(true).await;
    // The demo store's default language is Persian.
    let lang = |path: &str, accept: &'static str, cookie: &'static str| {
        let url = format!("{}{path}", app.base);
        async move {
            let html = reqwest::Client::new()
                .get(url)
                .header("Accept-Language", accept)
                .header("Cookie", cookie)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let start = html.find("<html").unwrap();
            let tag = &html[start..start + html[start..].find('>').unwrap()];
            ["en", "he", "fa"]
                .into_iter()
                .find(|l| tag.contains(&format!(r#"lang="{l}""#)))
                .unwrap_or("none")
        }
    };
    // A browser asking only for languages Kassa lacks gets the store's, not English.
    assert_eq!(lang("/openpay", "de-DE,de;q=0.9", "").await, "fa");
    assert_eq!(lang("/s/demo/openpay", "", "").await, "fa");
    let (code, _) = pay(&app, "language", "OK").await;
    assert_eq!(lang(&format!("/pay/{code}"), "de", "").await, "fa");
    assert_eq!(lang(&format!("/track/{code}"), "de", "").await, "fa");
    // The browser's own language, when Kassa has it, and a chosen language come first.
    assert_eq!(lang("/openpay", "en-US,en;q=0.9", "").await, "en");
    assert_eq!(lang("/openpay", "he", "").await, "he");
    assert_eq!(lang("/openpay", "de", "i18n_pref_locale=en").await, "en");
    // Pages of no store keep English as the last resort.
    assert_eq!(lang("/s/nobody/openpay", "de", "").await, "en");
    assert_eq!(lang("/admin/login", "de", "").await, "en");
}

/// The language cookie is set once, for the whole site, when a language is chosen. A page
/// never echoes it back: leptos_i18n did, with no `Path`, so a page's folder (`/pay/{code}`)
/// got a copy of its own that a later choice elsewhere did not replace.
#[tokio::test]
async fn the_language_cookie_is_set_only_when_a_language_is_chosen() {
    let app = serve(true).await;
    let (code, _) = pay(&app, "cookie", "OK").await;
    let language_cookies = |path: String, cookie: &'static str| {
        let url = format!("{}{path}", app.base);
        async move {
            let answer = reqwest::Client::new()
                .get(url)
                .header("Cookie", cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status(), 200);
            answer
                .headers()
                .get_all("set-cookie")
                .iter()
                .map(|v| v.to_str().unwrap().to_owned())
                .filter(|c| c.starts_with("i18n_pref_locale="))
                .collect::<Vec<_>>()
        }
    };
    let site_wide = "i18n_pref_locale=he; Path=/; Max-Age=31536000; SameSite=Lax";
    assert_eq!(
        language_cookies("/openpay?lang=he".into(), "").await,
        [site_wide]
    );
    assert_eq!(
        language_cookies(format!("/pay/{code}?lang=he"), "i18n_pref_locale=fa").await,
        [site_wide]
    );
    for path in [
        "/openpay".to_owned(),
        format!("/pay/{code}"),
        "/admin/login".into(),
    ] {
        let echoed = language_cookies(path.clone(), "i18n_pref_locale=he").await;
        assert!(echoed.is_empty(), "{path}: {echoed:?}");
    }
}

/// A payer who never chose a language pays in the one their page was shown in (their
/// receipt and mail speak it): their browser's when Kassa has it, else the store's (the demo
/// store's is Persian); a language they chose comes before both.
#[tokio::test]
async fn a_payment_is_made_in_the_language_its_page_was_shown_in() {
    let app = serve(true).await;
    for (key, accept, cookie, expected) in [
        ("lang-browser", "he-IL,he;q=0.9,en;q=0.8", "", "he"),
        ("lang-region", "de-DE,el-GR;q=0.5", "", "el"),
        ("lang-lacking", "de-DE,de;q=0.9", "", "fa"),
        ("lang-chosen", "he", "i18n_pref_locale=el", "el"),
    ] {
        let answer = no_redirects()
            .post(format!("{}/api/checkout", app.base))
            .header("Accept", "text/html")
            .header("Accept-Language", accept)
            .header("Cookie", cookie)
            .form(&slip_form(key, "09121234567"))
            .send()
            .await
            .unwrap();
        let to = location(answer).await;
        let code = to
            .strip_prefix("/pay/")
            .unwrap_or_else(|| panic!("{key}: {to}"));
        let payment = app.state.checkout.payment(code).await.unwrap();
        assert_eq!(payment.language, expected, "{key}");
    }
}

#[tokio::test]
async fn bad_input_gets_a_clear_4xx_never_a_panic() {
    let app = serve(true).await;
    // A field left out, as a script might post it: 400 naming it, not 500.
    let partial: Vec<(&str, &str)> = slip_form("partial-key", "09121234567")
        .into_iter()
        .filter(|(k, _)| *k != "phone")
        .collect();
    let answer = no_redirects()
        .post(format!("{}/api/checkout", app.base))
        .form(&partial)
        .send()
        .await
        .unwrap();
    let status = answer.status();
    let text = answer.text().await.unwrap();
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("phone"), "{text}");

    // Control characters in what ends up in a redirect (a store's slug): the unknown store's
    // page, which says so with 404, instead of a panic and a dropped connection.
    let mut odd = slip_form("odd-store-key", "09121234567");
    odd[0] = ("store", "demo\r\nSet-Cookie: x=1");
    let back = post_without_js(&app, &odd).await;
    assert_eq!(back, "/s/demo%0D%0ASet-Cookie:%20x=1/openpay");
    let answer = reqwest::get(format!("{}{back}?lang=en", app.base))
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
    assert!(
        answer
            .text()
            .await
            .unwrap()
            .contains("Payment page not found")
    );
}

/// The customer paid at Zarinpal but never came back (and Zarinpal sends no notification):
/// the status poll enqueued with the payment finds it paid. One that was never paid is
/// polled again later.
#[tokio::test]
async fn a_payment_whose_return_was_lost_is_found_paid_by_the_status_poll() {
    for database in crate::common::database_urls().await {
        let app = crate::common::serve_with(true, |c| {
            if let Some(url) = database {
                c.database_url = url.into();
            }
        })
        .await;
        let (paid, _lost_return) = pay(&app, "lost", "pay").await;
        let Submitted::ToProvider { code: waiting } = app
            .state
            .checkout
            .submit("demo", &form("waiting"))
            .await
            .unwrap()
        else {
            panic!("an online payment goes to the provider");
        };
        let db = app.state.checkout.db();
        let polls = engine::db::jobs::of_kind(db, engine::polls::KIND)
            .await
            .unwrap();
        assert_eq!(polls.len(), 2, "one poll enqueued with each payment");
        // Five minutes later, as far as the queue knows (written in the server's turn, as
        // its own writers are).
        sqlx::query("UPDATE jobs SET run_at = 0 WHERE kind = $1")
            .bind(engine::polls::KIND)
            .execute(db.writer().await.pool())
            .await
            .unwrap();
        app.state.queue.wake();
        let mut found = false;
        for _ in 0..100 {
            if crate::common::payment(&app, &paid).await.status == PaymentStatus::Paid {
                found = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(found, "the poll found the payment paid");
        let p = crate::common::payment(&app, &paid).await;
        let kinds = crate::common::event_kinds(&app, &p).await;
        assert_eq!(kinds.iter().filter(|k| *k == "verified").count(), 1);
        // The unpaid one still waits, with its next poll (15 minutes after it was made).
        let next = format!("poll:{waiting}:2");
        let mut keys = Vec::new();
        for _ in 0..100 {
            let polls = engine::db::jobs::of_kind(db, engine::polls::KIND)
                .await
                .unwrap();
            keys = polls.into_iter().map(|j| j.dedupe_key).collect();
            if keys.contains(&next) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(keys.contains(&next), "{keys:?}");
        assert!(!keys.contains(&format!("poll:{paid}:2")), "{keys:?}");
        let w = crate::common::payment(&app, &waiting).await;
        assert_eq!(w.status, PaymentStatus::Created);
    }
}

/// The merchant turned the method off after the customer started: no hand-off to it (its
/// credentials may be why), 410 and the way to choose another method.
#[tokio::test]
async fn a_payment_whose_method_was_turned_off_is_not_handed_off() {
    let app = serve(true).await;
    let Submitted::ToProvider { code } = app
        .state
        .checkout
        .submit("demo", &form("off"))
        .await
        .unwrap()
    else {
        panic!("an online payment goes to the provider");
    };
    let p = crate::common::payment(&app, &code).await;
    let db = app.state.checkout.db();
    engine::db::methods::set_enabled(db, p.store_id, p.method_id.unwrap(), false)
        .await
        .unwrap();
    let answer = reqwest::get(format!("{}/pay/{code}/go?lang=en", app.base))
        .await
        .unwrap();
    assert_eq!(answer.status(), 410);
    let html = answer.text().await.unwrap();
    assert!(html.contains("no longer available"), "{html}");
    assert!(html.contains("href=\"/s/demo/openpay?"), "{html}");
    assert!(!html.contains("StartPay"), "{html}");
}

#[tokio::test]
async fn live_mode_serves_no_simulator() {
    let app = serve(false).await;
    let http = reqwest::Client::new();
    let page = http
        .get(format!("{}/sim/zarinpal/pg/StartPay/A1", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    let api = http
        .post(format!("{}/sim/zarinpal/pg/v4/payment/request.json", app.base))
        .json(&serde_json::json!({"merchant_id": "5f0c1a8e-2b7d-4e19-9c3a-6d8e0f1b2c3d", "amount": 20000}))
        .send()
        .await
        .unwrap();
    assert!(!api.status().is_success(), "{}", api.status());
}

/// Posts the checkout form as a browser without JavaScript does; returns where it is sent.
async fn post_without_js(app: &Running, fields: &[(&str, &str)]) -> String {
    let response = no_redirects()
        .post(format!("{}/api/checkout", app.base))
        .header("Accept", "text/html")
        .form(fields)
        .send()
        .await
        .unwrap();
    location(response).await
}

/// A bank-slip form as the browser posts it without JavaScript.
fn slip_form(key: &'static str, mobile: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("store", "demo"),
        ("key", key),
        ("receivername", "Sara Ahmadi"),
        ("mobile", mobile),
        ("phone", ""),
        ("email", ""),
        ("description", ""),
        ("price", "120000"),
        ("pay_with", "slip"),
        ("bank_account", "1"),
        ("slip_number", "4242"),
        ("slip_date", "2026-01-01"),
    ]
}

/// The HTML the server answers `path` with.
async fn page(app: &Running, path: &str) -> String {
    reqwest::get(format!("{}{path}", app.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Runs futures concurrently on the test's runtime.
async fn futures_join<F: std::future::Future<Output = T> + Send + 'static, T: Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<T> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn pages_carry_a_content_security_policy_that_names_their_scripts() {
    let app = serve(true).await;
    for path in ["/openpay?lang=en", "/admin/login", "/track"] {
        let answer = reqwest::get(format!("{}{path}", app.base)).await.unwrap();
        let header = |name: &str| {
            answer
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default()
        };
        let policy = header("content-security-policy");
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        assert!(policy.contains("script-src 'self' 'nonce-"), "{policy}");
        assert_eq!(header("referrer-policy"), "strict-origin-when-cross-origin");
        let nonce = policy
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap()
            .to_owned();
        let html = answer.text().await.unwrap();
        // Every inline script carries this response's nonce (an empty one runs nothing: the
        // browser does not ask the policy, nor for a data block, the back office's texts).
        let scripts = html.matches("<script").count()
            - html.matches("<script></script>").count()
            - html.matches("<script type=\"application/json\"").count();
        assert!(scripts >= 2, "{html}");
        assert_eq!(
            html.matches(&format!("nonce=\"{nonce}\"")).count(),
            scripts,
            "{html}"
        );
    }
    // Another response, another nonce.
    let nonce = |policy: String| policy.split("'nonce-").nth(1).unwrap().to_owned();
    let first = reqwest::get(format!("{}/track", app.base)).await.unwrap();
    let second = reqwest::get(format!("{}/track", app.base)).await.unwrap();
    let policy = |r: &reqwest::Response| {
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert_ne!(nonce(policy(&first)), nonce(policy(&second)));
}

#[tokio::test]
async fn every_cookie_is_secure_over_https() {
    let app =
        crate::common::serve_with(true, |c| c.public_url = "https://pay.example.com".into()).await;
    // The language cookie and the form key, set on a customer page.
    let answer = reqwest::get(format!("{}/openpay?lang=he", app.base))
        .await
        .unwrap();
    let cookies: Vec<String> = answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(cookies.len() >= 2, "{cookies:?}");
    assert!(
        cookies.iter().all(|c| c.ends_with("; Secure")),
        "{cookies:?}"
    );
    // Served over plain http on this machine, none is.
    let app = serve(true).await;
    let answer = reqwest::get(format!("{}/openpay?lang=he", app.base))
        .await
        .unwrap();
    assert!(
        answer
            .headers()
            .get_all("set-cookie")
            .iter()
            .all(|v| !v.to_str().unwrap().contains("Secure"))
    );
}
