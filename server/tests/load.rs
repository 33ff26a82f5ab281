//! Pages under concurrent load. Leptos renders each page in a reactive owner of its own; a
//! value read after that owner is gone panics in a server task ("reactive value … already
//! been disposed"), which a client may not see but the log does: one test counts every panic
//! in the process while 16 clients load each page at once. The other checks that each page
//! is in its customer's language, and each server function answers, while customers and
//! merchants in five languages use Kassa at once (`server::language`,
//! `server::request_owner`).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::provider::{Order, method_of, pay_form};
use engine::checkout::Submitted;
use server::demo::EU_SLUG;

const CLIENTS: usize = 16;
const REQUESTS: usize = 60;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pages_under_concurrent_load_never_panic() {
    let panics = Arc::new(AtomicUsize::new(0));
    let seen = panics.clone();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        seen.fetch_add(1, Ordering::SeqCst);
        previous(info);
    }));

    let app = common::serve(true).await;
    let code = payment_at_everypay(&app).await;
    let paths = [
        "/".to_owned(),
        "/track".to_owned(),
        format!("/track/{code}"),
        format!("/pay/{code}"),
        "/pay/NOSUCHCODE99".to_owned(),
        "/nonexistent".to_owned(),
        "/admin/login".to_owned(),
        format!("/s/{EU_SLUG}/openpay?receivername=Shop&description=Vase&price=12.50"),
    ];
    for path in &paths {
        let url = format!("{}{path}", app.base);
        let clients = (0..CLIENTS).map(|_| {
            let url = url.clone();
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                for _ in 0..REQUESTS {
                    let page = client.get(&url).send().await.unwrap();
                    assert!(page.status().as_u16() < 500, "{url}: {}", page.status());
                    page.bytes().await.unwrap();
                }
            })
        });
        for client in clients.collect::<Vec<_>>() {
            client.await.unwrap();
        }
        assert_eq!(panics.load(Ordering::SeqCst), 0, "panicked serving {path}");
    }
}

/// Customer pages rendered at once in all five languages are each wholly in the language asked
/// for: the page, and the texts its parts look up as they render (a field's error, a status).
/// 16 clients at once, each in a language of its own, post the checkout without JavaScript
/// (a refused form, as a customer's mistyped mobile) and load the pages in turn.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_rendered_at_once_are_each_in_their_own_language() {
    use app::i18n::Locale;
    use app::texts::{Key, text};

    let app = common::serve(true).await;
    let code = payment_at_everypay(&app).await;
    // Each page, and the texts it must show: a form's error is looked up as the form renders.
    let pages: Arc<[(String, &[Key])]> = Arc::new([
        (
            "/openpay?err=mobile:invalid&price=120000".to_owned(),
            &[Key::payer_name, Key::err_mobile_invalid][..],
        ),
        (
            format!("/pay/{code}"),
            &[Key::pending_title, Key::keep_code],
        ),
        ("/track".to_owned(), &[Key::track_title, Key::track_button]),
    ]);
    let languages = [
        (Locale::en, "en"),
        (Locale::he, "he"),
        (Locale::fa, "fa"),
        (Locale::el, "el"),
        (Locale::lv, "lv"),
    ];
    // Merchants work in the back office meanwhile, each in a language of their own.
    let mut merchants = Vec::new();
    for n in 0..4 {
        let slug = format!("languages-{n}");
        let mut browser =
            common::browser::signed_up(&app, &slug, &format!("{slug}@example.com")).await;
        let (_, name) = languages[n % languages.len()];
        merchants.push(tokio::spawn(async move {
            let mut wrong = Vec::new();
            for i in 0..REQUESTS {
                let path = ["/admin", "/admin/payments", "/admin/links"][i % 3];
                let page = browser.get(&format!("{path}?lang={name}")).await;
                let found = page_language(&page.text().await.unwrap());
                if found.as_deref() != Some(name) {
                    wrong.push(format!("{path} in {name}: the page is in {found:?}"));
                }
                // The app in the browser reads a page's data through a server function.
                let data = browser
                    .ask("/api/admin/payments-page", &(String::new(),))
                    .await;
                let status = data.status();
                let body = data.bytes().await.unwrap();
                if !status.is_success() {
                    let body = String::from_utf8_lossy(&body);
                    wrong.push(format!("the payments' data: {status} {body}"));
                }
            }
            wrong
        }));
    }
    let clients = (0..CLIENTS).map(|client| {
        let base = app.base.clone();
        let pages = pages.clone();
        let (lang, name) = languages[client % languages.len()];
        tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let cookie = format!("i18n_pref_locale={name}");
            let mut wrong = Vec::new();
            for n in 0..REQUESTS {
                // A refused form comes back as a draft page with the error beside the field.
                let key = format!("languages-{client}-{n}");
                let refused = http
                    .post(format!("{base}/api/checkout"))
                    .header("accept", "text/html")
                    .header("cookie", &cookie)
                    .form(&[
                        ("store", "demo"),
                        ("key", &key),
                        ("receivername", "Sara"),
                        ("mobile", "12345"),
                        ("phone", ""),
                        ("email", ""),
                        ("price", "120000"),
                        ("pay_with", "slip"),
                        ("bank_account", "1"),
                        ("slip_number", "4242"),
                        ("slip_date", "2026-01-01"),
                    ])
                    .send()
                    .await
                    .unwrap();
                let back = refused.headers()["location"].to_str().unwrap().to_owned();
                let draft = (back, &[Key::payer_name, Key::err_mobile_invalid][..]);
                let (path, keys) = if n % 2 == 0 {
                    &draft
                } else {
                    &pages[n / 2 % pages.len()]
                };
                let url = format!("{base}{path}");
                let page = http
                    .get(&url)
                    .header("cookie", &cookie)
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                let missing: Vec<&str> = keys
                    .iter()
                    .map(|key| text(&lang, *key))
                    .filter(|t| !page.contains(&escaped(t)))
                    .collect();
                let found = page_language(&page);
                if !missing.is_empty() || found.as_deref() != Some(name) {
                    wrong.push(format!(
                        "{url} in {name}: the page is in {found:?}, lacks {missing:?}"
                    ));
                }
            }
            wrong
        })
    });
    let mut wrong = Vec::new();
    for client in clients.collect::<Vec<_>>().into_iter().chain(merchants) {
        wrong.extend(client.await.unwrap());
    }
    assert!(
        wrong.is_empty(),
        "{} of {} pages and calls wrong: {wrong:#?}",
        wrong.len(),
        (CLIENTS + 8) * REQUESTS
    );
}

/// The language a page says it is in (`<html lang>`).
fn page_language(page: &str) -> Option<String> {
    let html = page.split("<html").nth(1)?.split('>').next()?;
    let lang = html.split("lang=\"").nth(1)?.split('"').next()?;
    Some(lang.to_owned())
}

/// The tracking code of a payment started at the EU demo store's EveryPay method.
async fn payment_at_everypay(app: &common::Running) -> String {
    let method = method_of(app, EU_SLUG, "everypay").await;
    let order = Order {
        payer: "Eleni",
        amount: "10.00",
        description: "Order 34",
    };
    let key = format!("load-{}", rand::random::<u64>());
    let Submitted::ToProvider { code } = app
        .state
        .checkout
        .submit(EU_SLUG, &pay_form(method, &key, &order))
        .await
        .unwrap()
    else {
        panic!("EveryPay takes the payment");
    };
    code
}

/// A text as a page writes it.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
