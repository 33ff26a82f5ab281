//! The back office over real HTTP, as a browser without JavaScript uses it: sign-up, log-in,
//! cookies and their flags, the rate limit, cross-site posts, password changes, store settings,
//! and one store's merchant never reaching another store's settings.

use crate::common::browser::{
    Browser, PASSWORD, log_in, sign_up_form, sign_up_form_in, signed_up, signed_up_in,
};
use crate::common::{location, no_redirects, serve, serve_with};
use engine::db::stores;

#[tokio::test]
async fn sign_up_log_out_and_log_in_again() {
    let app = serve(true).await;
    let mut browser = signed_up(&app, "dana", "dana@example.com").await;
    let session = browser
        .set_cookies
        .iter()
        .find(|c| c.starts_with("kassa_session="))
        .expect("a session cookie")
        .clone();
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=43200"] {
        assert!(session.contains(flag), "{session}");
    }
    assert!(
        !session.contains("Secure"),
        "no TLS on localhost: {session}"
    );

    let settings = browser.page("/admin/settings").await;
    assert!(settings.contains("Dana&#x27;s Ceramics") || settings.contains("Dana's Ceramics"));
    assert!(settings.contains("dana@example.com"));
    let first = browser.cookie("kassa_session").unwrap();

    // Logging out ends the session on the server, not only in this browser.
    let mut copy = Browser::new(&app);
    copy.cookies = browser.cookies.clone();
    assert_eq!(
        browser.submit("/api/admin/logout", &[]).await,
        "/admin/login"
    );
    assert_eq!(browser.cookie("kassa_session"), None);
    let after = copy.get("/admin").await;
    assert_eq!(location(after).await, "/admin/login");

    assert_eq!(
        log_in(&mut browser, "DANA@example.com", PASSWORD).await,
        "/admin"
    );
    let second = browser.cookie("kassa_session").unwrap();
    assert_ne!(first, second, "every log-in gets a new session id");
    assert!(browser.page("/admin").await.contains("/s/dana/openpay"));
}

#[tokio::test]
async fn pages_need_a_session() {
    let app = serve(true).await;
    let mut stranger = Browser::new(&app);
    for path in ["/admin", "/admin/settings", "/admin/account"] {
        let response = stranger.get(path).await;
        assert_eq!(location(response).await, "/admin/login", "{path}");
    }
    stranger
        .cookies
        .push(("kassa_session".into(), "f".repeat(64)));
    assert_eq!(location(stranger.get("/admin").await).await, "/admin/login");
    // Server functions refuse too, and change nothing.
    let to = stranger
        .submit(
            "/api/admin/settings",
            &[
                ("name", "Taken over"),
                ("slug", "demo"),
                ("currency", "IRR"),
                ("language", "fa"),
                ("notification_email", ""),
                ("legal_name", ""),
                ("registration_number", ""),
                ("address", ""),
                ("time_zone", "UTC"),
            ],
        )
        .await;
    assert_eq!(to, "/admin/login");
    let demo = stores::by_slug(app.state.checkout.db(), "demo")
        .await
        .unwrap()
        .unwrap();
    assert_ne!(demo.name, "Taken over");
}

#[tokio::test]
async fn a_refused_sign_up_comes_back_filled_in_without_the_password() {
    let app = serve(true).await;
    let mut browser = Browser::new(&app);
    let to = browser
        .submit(
            "/api/admin/signup",
            &sign_up_form("demo", "not-an-email", "hunter2"),
        )
        .await;
    assert_eq!(to, "/admin/signup", "nothing typed goes into the URL");
    assert!(browser.set_cookies.iter().all(|c| !c.contains("hunter2")));
    assert_eq!(browser.cookie("kassa_session"), None);
    let page = browser.page("/admin/signup").await;
    assert!(
        page.contains("This is already in use."),
        "the demo store has that slug"
    );
    assert!(page.contains("This value is not valid."));
    assert!(page.contains("This is too short."));
    assert!(page.contains("Ceramics"), "what was typed is kept");
    assert!(!page.contains("hunter2"));
    // The flash is read once: a reload shows a fresh form.
    assert!(
        !browser
            .page("/admin/signup")
            .await
            .contains("This is too short.")
    );
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = serve(true).await;
    let mut owner = signed_up(&app, "dana", "dana@example.com").await;
    owner.origin = "https://evil.example".into();
    let response = owner
        .post(
            "/api/admin/settings",
            &[
                ("name", "Pwned"),
                ("slug", "dana"),
                ("currency", "ILS"),
                ("language", "en"),
                ("notification_email", ""),
                ("legal_name", ""),
                ("registration_number", ""),
                ("address", ""),
                ("time_zone", "UTC"),
                ("maintenance", "on"),
            ],
        )
        .await;
    assert_eq!(response.status(), 403);
    let store = stores::by_slug(app.state.checkout.db(), "dana")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (store.name.as_str(), store.maintenance),
        ("Dana's Ceramics", false)
    );

    // A browser that sends no Origin but says the request is cross-site is refused too.
    let response = no_redirects()
        .post(format!("{}/api/admin/login", app.base))
        .header("Sec-Fetch-Site", "cross-site")
        .form(&[("email", "dana@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(response.headers().get("set-cookie").is_none());
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_account() {
    let app = serve(true).await;
    signed_up(&app, "dana", "dana@example.com").await;
    let mut attacker = Browser::new(&app);
    for guess in ["123456", "password", "qwerty", "dana2026", "letmein"] {
        assert_eq!(
            log_in(&mut attacker, "dana@example.com", guess).await,
            "/admin/login"
        );
        let page = attacker.page("/admin/login").await;
        assert!(page.contains("Wrong e-mail or password."));
        assert!(page.contains("dana@example.com"), "the e-mail is kept");
    }
    assert_eq!(
        log_in(&mut attacker, "dana@example.com", PASSWORD).await,
        "/admin/login"
    );
    assert_eq!(attacker.cookie("kassa_session"), None);
    let page = attacker.page("/admin/login").await;
    assert!(
        page.contains("Too many failed attempts. Try again in 15 minutes."),
        "{page}"
    );
}

#[tokio::test]
async fn changing_the_password_logs_out_other_browsers() {
    let app = serve(true).await;
    let mut laptop = signed_up(&app, "dana", "dana@example.com").await;
    let mut phone = Browser::new(&app);
    assert_eq!(
        log_in(&mut phone, "dana@example.com", PASSWORD).await,
        "/admin"
    );

    let wrong = [
        ("current_password", "not it"),
        ("new_password", "a whole new passphrase"),
    ];
    assert_eq!(
        laptop.submit("/api/admin/password", &wrong).await,
        "/admin/account"
    );
    assert!(
        laptop
            .page("/admin/account")
            .await
            .contains("This is not your current password.")
    );
    assert_eq!(phone.get("/admin").await.status(), 200);

    let right = [
        ("current_password", PASSWORD),
        ("new_password", "a whole new passphrase"),
    ];
    assert_eq!(
        laptop.submit("/api/admin/password", &right).await,
        "/admin/account"
    );
    assert!(
        laptop
            .page("/admin/account")
            .await
            .contains("Every other device was logged out.")
    );
    assert_eq!(location(phone.get("/admin").await).await, "/admin/login");
    assert!(laptop.set_cookies.iter().all(|c| !c.contains("whole new")));
}

#[tokio::test]
async fn a_merchant_only_ever_sees_and_changes_their_own_store() {
    let app = serve(true).await;
    let mut dana = signed_up(&app, "dana", "dana@example.com").await;
    let mut omid = signed_up(&app, "omid", "omid@example.com").await;
    let db = app.state.checkout.db();
    let omid_store = stores::by_slug(db, "omid").await.unwrap().unwrap();

    // The settings form names no store; an extra store id in the post is ignored.
    let id = omid_store.id.to_string();
    let to = dana
        .submit(
            "/api/admin/settings",
            &[
                ("name", "Dana Ceramics"),
                ("slug", "dana"),
                ("currency", "EUR"),
                ("language", "he"),
                ("notification_email", "shop@dana.example"),
                ("legal_name", ""),
                ("registration_number", ""),
                ("address", ""),
                ("time_zone", "UTC"),
                ("store_id", &id),
                ("store", "omid"),
            ],
        )
        .await;
    assert_eq!(to, "/admin/settings");
    let dana_store = stores::by_slug(db, "dana").await.unwrap().unwrap();
    assert_eq!(dana_store.name, "Dana Ceramics");
    assert_eq!(dana_store.currency.code(), "EUR");
    assert_eq!(
        dana_store.notification_email.as_deref(),
        Some("shop@dana.example")
    );
    assert_eq!(
        stores::by_id(db, omid_store.id).await.unwrap().unwrap(),
        omid_store
    );

    let page = omid.page("/admin/settings").await;
    assert!(page.contains("omid@example.com"));
    assert!(
        !page.contains("dana@") && !page.contains("Dana Ceramics"),
        "{page}"
    );

    // Taking another store's slug is refused and changes nothing.
    let steal = [
        ("name", "Dana Ceramics"),
        ("slug", "omid"),
        ("currency", "EUR"),
        ("language", "he"),
        ("notification_email", ""),
        ("legal_name", ""),
        ("registration_number", ""),
        ("address", ""),
        ("time_zone", "UTC"),
    ];
    dana.submit("/api/admin/settings", &steal).await;
    assert!(
        dana.page("/admin/settings")
            .await
            .contains("This is already in use.")
    );
    assert_eq!(
        stores::by_slug(db, "dana").await.unwrap().unwrap(),
        dana_store
    );
}

#[tokio::test]
async fn maintenance_mode_set_in_the_back_office_pauses_the_payment_page() {
    let app = serve(true).await;
    let mut dana = signed_up(&app, "dana", "dana@example.com").await;
    let settings = [
        ("name", "Dana"),
        ("slug", "dana"),
        ("currency", "ILS"),
        ("language", "en"),
        ("notification_email", ""),
        ("legal_name", "Dana Ceramics Ltd"),
        ("registration_number", "515123456"),
        ("address", "Herzl 1, Haifa"),
        ("time_zone", "Asia/Jerusalem"),
        ("maintenance", "on"),
    ];
    dana.submit("/api/admin/settings", &settings).await;
    assert!(
        dana.page("/admin/settings")
            .await
            .contains("Settings saved.")
    );
    // What receipts will say is kept with the rest.
    let page = dana.page("/admin/settings").await;
    for saved in [
        "value=\"Dana Ceramics Ltd\"",
        "value=\"515123456\"",
        "value=\"Herzl 1, Haifa\"",
        "<option value=\"Asia/Jerusalem\" selected",
    ] {
        assert!(page.contains(saved), "{saved}: {page}");
    }
    assert!(dana.page("/admin").await.contains("Maintenance mode is on"));
    let customer = Browser::new(&app).page("/s/dana/openpay").await;
    assert!(customer.contains("Payments are paused"));
    assert!(!customer.contains("<form"));
}

#[tokio::test]
async fn the_demo_owner_logs_in_with_the_printed_password() {
    let app = serve(true).await;
    server::demo::ensure_owners(app.state.checkout.db())
        .await
        .unwrap();
    let mut browser = Browser::new(&app);
    let to = log_in(
        &mut browser,
        server::demo::OWNER_EMAIL,
        server::demo::OWNER_PASSWORD,
    )
    .await;
    assert_eq!(to, "/admin");
    assert!(browser.page("/admin").await.contains("/openpay"));
}

#[tokio::test]
async fn cookies_are_secure_when_kassa_is_served_over_https() {
    let app = serve_with(true, |c| c.public_url = "https://pay.example.com".into()).await;
    let mut browser = Browser::new(&app);
    browser.origin = "https://pay.example.com".into();
    browser
        .submit(
            "/api/admin/signup",
            &sign_up_form("dana", "dana@example.com", PASSWORD),
        )
        .await;
    let session = browser
        .set_cookies
        .iter()
        .find(|c| c.starts_with("kassa_session="))
        .unwrap();
    assert!(session.contains("; Secure"), "{session}");
}

fn account_form<'a>(id: &'a str, holder: &'a str, iban: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("id", id),
        ("bank_name", "Bank Hapoalim"),
        ("holder", holder),
        ("account_number", "12-345-678901"),
        ("iban", iban),
        ("card_number", ""),
    ]
}

#[tokio::test]
async fn bank_accounts_are_managed_and_feed_the_slip_choice() {
    let app = serve(true).await;
    let mut dana = signed_up(&app, "dana", "dana@example.com").await;
    let path = "/api/admin/bank-account";

    // A wrong IBAN checksum is refused, and the form comes back as typed.
    let bad = account_form("", "Dana Levi", "IL62 0108 0000 0009 9999 998");
    assert_eq!(dana.submit(path, &bad).await, "/admin/bank-accounts");
    let page = dana.page("/admin/bank-accounts").await;
    assert!(page.contains("This value is not valid.") && page.contains("Dana Levi"));

    let good = account_form("", "Dana Levi", "IL62 0108 0000 0009 9999 999");
    dana.submit(path, &good).await;
    assert!(
        dana.page("/admin/bank-accounts")
            .await
            .contains("IL620108000000099999999")
    );
    let db = app.state.checkout.db();
    let store = stores::by_slug(db, "dana").await.unwrap().unwrap();
    let id = engine::db::bank_accounts::list_all(db, store.id)
        .await
        .unwrap()[0]
        .account
        .id;
    let checkout = Browser::new(&app).page("/s/dana/openpay").await;
    assert!(checkout.contains("Bank Hapoalim · Dana Levi"));

    // Another merchant naming this account's id changes nothing.
    let mut omid = signed_up(&app, "omid", "omid@example.com").await;
    let id_text = id.to_string();
    omid.submit(path, &account_form(&id_text, "Omid", "")).await;
    assert!(
        omid.page("/admin/bank-accounts")
            .await
            .contains("That bank account does not exist.")
    );
    omid.submit(
        "/api/admin/bank-account-active",
        &[("id", &id_text), ("active", "0")],
    )
    .await;
    let accounts = engine::db::bank_accounts::list_all(db, store.id)
        .await
        .unwrap();
    assert_eq!(
        (accounts[0].account.holder.as_str(), accounts[0].active),
        ("Dana Levi", true)
    );

    // Switched off by its owner, it leaves the customer's choice.
    dana.submit(
        "/api/admin/bank-account-active",
        &[("id", &id_text), ("active", "0")],
    )
    .await;
    let checkout = Browser::new(&app).page("/s/dana/openpay").await;
    assert!(!checkout.contains("Bank Hapoalim"));
    assert!(dana.page("/admin/bank-accounts").await.contains("Inactive"));
}

/// Not the example Zarinpal's hint shows merchants (the demo store's id), which the methods
/// page rightly sends: a secret that is also public text could not be told from a leak.
const MERCHANT_ID: &str = "7c2e9b14-5a3d-4f60-8e1b-2d4c6a8f0b13";

fn method_form<'a>(id: &'a str, name: &'a str, merchant_id: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("id", id),
        ("kind", "zarinpal"),
        ("display_name", name),
        ("min_amount", "1000"),
        ("max_amount", ""),
        ("discount_kind", "percent"),
        ("discount_value", "10"),
        ("provider[merchant_id]", merchant_id),
    ]
}

/// Every back-office page and every back-office server function's answer, as this browser
/// gets them.
async fn everything_the_browser_receives(browser: &mut Browser, method: i64) -> Vec<String> {
    let mut seen = Vec::new();
    let edit = format!("/admin/methods?edit={method}");
    for path in [
        "/admin",
        "/admin/settings",
        "/admin/methods",
        &edit,
        "/admin/bank-accounts",
        "/admin/account",
    ] {
        seen.push(browser.page(path).await);
    }
    for endpoint in [
        "overview-page",
        "settings-page",
        "methods-page",
        "bank-accounts-page",
        "account-page",
        "public-form",
    ] {
        let path = format!("/api/admin/{endpoint}");
        // Only the methods page's takes an argument: the page's language.
        let response = if endpoint == "methods-page" {
            browser.ask(&path, &None::<String>).await
        } else {
            browser.ask(&path, &()).await
        };
        assert_eq!(response.status(), 200, "{endpoint}");
        seen.push(format!("{:?}", response.headers()));
        seen.push(response.text().await.unwrap());
    }
    seen.extend(browser.set_cookies.iter().cloned());
    seen
}

/// A percentage discount over 100 is refused, and the page says its limit as a percentage
/// (it said "10000", the limit in hundredths).
#[tokio::test]
async fn a_discount_over_100_percent_is_refused_in_percent() {
    let app = serve(true).await;
    let mut dana = signed_up_in(&app, "dana", "dana@example.com", "IRR").await;
    let mut form = method_form("", "Zarinpal", MERCHANT_ID);
    form.retain(|(name, _)| *name != "discount_value");
    form.push(("discount_value", "150"));
    let to = dana.submit("/api/admin/method", &form).await;
    let page = dana.page(&to).await;
    assert!(
        page.contains("The maximum for this method is 100%."),
        "{page}"
    );
    assert!(!page.contains("is 10000"));
    assert!(crate::common::methods(&app, "dana").await.is_empty());
}

#[tokio::test]
async fn credentials_are_write_only() {
    let app = serve(true).await;
    let mut dana = signed_up_in(&app, "dana", "dana@example.com", "IRR").await;
    let path = "/api/admin/method";
    assert_eq!(
        dana.submit(path, &method_form("", "Zarinpal", MERCHANT_ID))
            .await,
        "/admin/methods"
    );
    let page = dana.page("/admin/methods").await;
    assert!(page.contains("••••0b13"), "shown masked");
    assert!(
        page.contains(&app.base),
        "the address to register with the provider"
    );
    let db = app.state.checkout.db();
    let store = stores::by_slug(db, "dana").await.unwrap().unwrap();
    let id = engine::db::methods::list_all(db, store.id).await.unwrap()[0].id;

    // A refused edit with a new secret typed: the secret is not echoed back anywhere.
    let other = "0a0b0c0d-1111-2222-3333-444455556666";
    let id_text = id.to_string();
    let to = dana.submit(path, &method_form(&id_text, " ", other)).await;
    assert_eq!(to, format!("/admin/methods?edit={id}"));
    let refused = dana.page(&to).await;
    assert!(refused.contains("This field is required."));
    assert!(refused.contains("••••0b13"), "the saved secret is kept");

    for text in everything_the_browser_receives(&mut dana, id).await {
        for secret in [MERCHANT_ID, other, "7c2e9b14", "0a0b0c0d-1111"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
    }

    // The sealed credential still pays: the customer's checkout reaches the simulator.
    let checkout = Browser::new(&app).page("/s/dana/openpay").await;
    assert!(checkout.contains("10% off"), "the discount is shown");
}

#[tokio::test]
async fn methods_are_switched_ordered_and_guarded() {
    let app = serve(true).await;
    let mut dana = signed_up_in(&app, "dana", "dana@example.com", "IRR").await;
    let path = "/api/admin/method";
    dana.submit(path, &method_form("", "Zarinpal A", MERCHANT_ID))
        .await;
    dana.submit(path, &method_form("", "Zarinpal B", MERCHANT_ID))
        .await;
    let db = app.state.checkout.db();
    let store = stores::by_slug(db, "dana").await.unwrap().unwrap();
    let ids: Vec<i64> = engine::db::methods::list_all(db, store.id)
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    let (a, b) = (ids[0].to_string(), ids[1].to_string());
    let change = "/api/admin/method-change";
    dana.submit(change, &[("id", &b), ("change", "up")]).await;
    let checkout = Browser::new(&app).page("/s/dana/openpay").await;
    let (pos_a, pos_b) = (
        checkout.find("Zarinpal A").unwrap(),
        checkout.find("Zarinpal B").unwrap(),
    );
    assert!(pos_b < pos_a, "B was moved first");

    dana.submit(change, &[("id", &a), ("change", "disable")])
        .await;
    let checkout = Browser::new(&app).page("/s/dana/openpay").await;
    assert!(!checkout.contains("Zarinpal A") && checkout.contains("Zarinpal B"));

    // Another merchant naming these ids changes nothing.
    let mut omid = signed_up(&app, "omid", "omid@example.com").await;
    omid.submit(change, &[("id", &b), ("change", "disable")])
        .await;
    omid.submit(path, &method_form(&b, "Stolen", MERCHANT_ID))
        .await;
    assert!(
        omid.page("/admin/methods")
            .await
            .contains("That payment method does not exist.")
    );
    let methods = engine::db::methods::list_all(db, store.id).await.unwrap();
    assert_eq!(
        methods
            .iter()
            .map(|m| (m.display_name.as_str(), m.enabled))
            .collect::<Vec<_>>(),
        vec![("Zarinpal B", true), ("Zarinpal A", false)]
    );
}

#[tokio::test]
async fn credentials_sealed_under_another_key_are_asked_for_again() {
    let app = serve(true).await;
    let mut dana = signed_up_in(&app, "dana", "dana@example.com", "IRR").await;
    let path = "/api/admin/method";
    dana.submit(path, &method_form("", "Zarinpal", MERCHANT_ID))
        .await;
    let db = app.state.checkout.db();
    let store = stores::by_slug(db, "dana").await.unwrap().unwrap();
    let id = engine::db::methods::list_all(db, store.id).await.unwrap()[0].id;
    // As if KASSA_SECRET_KEY had changed since the credential was saved.
    let foreign = engine::secrets::SecretKey::generate().seal("{}", "elsewhere");
    sqlx::query("UPDATE payment_methods SET secrets = $1 WHERE id = $2")
        .bind(foreign)
        .bind(id)
        .execute(db.pool())
        .await
        .unwrap();

    let edit = format!("/admin/methods?edit={id}");
    assert!(
        dana.page(&edit)
            .await
            .contains("cannot be opened with this server")
    );
    let id_text = id.to_string();
    dana.submit(path, &method_form(&id_text, "Zarinpal", ""))
        .await;
    assert!(dana.page(&edit).await.contains("This field is required."));
    dana.submit(path, &method_form(&id_text, "Zarinpal", MERCHANT_ID))
        .await;
    assert!(dana.page("/admin/methods").await.contains("••••0b13"));
}

#[tokio::test]
async fn a_store_s_earlier_slug_stays_its_own_and_leads_to_its_page() {
    for database in crate::common::database_urls().await {
        let app = serve_with(true, |c| {
            if let Some(url) = database {
                c.database_url = url.into();
            }
        })
        .await;
        let mut dana = signed_up(&app, "dana", "dana@example.com").await;
        let renamed = [
            ("name", "Dana Ceramics"),
            ("slug", "dana-ceramics"),
            ("currency", "ILS"),
            ("language", "en"),
            ("notification_email", ""),
            ("legal_name", ""),
            ("registration_number", ""),
            ("address", ""),
            ("time_zone", "UTC"),
        ];
        assert_eq!(
            dana.submit("/api/admin/settings", &renamed).await,
            "/admin/settings"
        );
        // The old address leads to the new one, with its query.
        let old = no_redirects()
            .get(format!("{}/s/dana/openpay?price=12&lang=en", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(
            location(old).await,
            "/s/dana-ceramics/openpay?price=12&lang=en"
        );
        // Nobody else can take it, nor one of Kassa's own paths.
        for slug in ["dana", "admin", "demo-shop"] {
            let mut stranger = Browser::new(&app);
            let to = stranger
                .submit(
                    "/api/admin/signup",
                    &sign_up_form_in(slug, "omid@example.com", PASSWORD, "ILS"),
                )
                .await;
            assert_eq!(to, "/admin/signup", "{slug}");
        }
        let db = app.state.checkout.db();
        assert!(stores::by_slug(db, "dana").await.unwrap().is_none());
        // Its owner may go back to it.
        let mut back = renamed.to_vec();
        back[1] = ("slug", "dana");
        assert_eq!(
            dana.submit("/api/admin/settings", &back).await,
            "/admin/settings"
        );
        assert!(stores::by_slug(db, "dana").await.unwrap().is_some());
    }
}

#[tokio::test]
async fn changing_the_currency_says_which_methods_and_links_it_sets_aside() {
    use engine::db::methods::{self, NewMethod};
    let app = serve(true).await;
    let mut dana = signed_up_in(&app, "dana", "dana@example.com", "IRR").await;
    let store = stores::by_slug(app.state.checkout.db(), "dana")
        .await
        .unwrap()
        .unwrap();
    let zarinpal = NewMethod {
        provider: "zarinpal",
        display_name: "Zarinpal card",
        live: false,
        min_amount: None,
        max_amount: None,
        config: r#"{"merchant_id":"5f0c1a8e-2b7d-4e19-9c3a-6d8e0f1b2c3d"}"#,
        secrets: None,
        discount: None,
    };
    methods::create(app.state.checkout.db(), store.id, zarinpal)
        .await
        .unwrap();
    let settings = |currency: &'static str| {
        [
            ("name", "Dana's Ceramics"),
            ("slug", "dana"),
            ("currency", currency),
            ("language", "en"),
            ("notification_email", ""),
            ("legal_name", ""),
            ("registration_number", ""),
            ("address", ""),
            ("time_zone", "UTC"),
            ("toman_display", "on"),
        ]
    };
    let to = dana.submit("/api/admin/settings", &settings("EUR")).await;
    let page = dana.page(&to).await;
    assert!(
        page.contains("The store now takes EUR")
            && page.contains("no longer offered: Zarinpal card")
            && page.contains("no longer take payments: 0"),
        "{page}"
    );
    // The customer's page offers no method that cannot take euros.
    let checkout = Browser::new(&app).page("/s/dana/openpay?lang=en").await;
    assert!(!checkout.contains("Zarinpal card"));
    // The same currency again: a plain save.
    let to = dana.submit("/api/admin/settings", &settings("EUR")).await;
    assert!(!dana.page(&to).await.contains("The store now takes"));
}

/// The overview of a new store: a checklist that ticks itself off as the merchant sets up,
/// what waits for a decision, the takings of today, this week and this month, and the latest
/// payments, each a link into the payments report.
#[tokio::test]
async fn the_overview_sums_up_the_store_and_ticks_off_its_setup() {
    let app = serve(true).await;
    let mut dana = signed_up(&app, "dana", "dana@example.com").await;
    let done = |page: &str| page.matches(r#"data-done="true""#).count();
    let overview = dana.page("/admin?lang=en").await;
    assert_eq!(overview.matches(r#"data-testid="setup-step""#).count(), 5);
    assert_eq!(done(&overview), 0);
    assert!(
        overview.contains(r#"data-testid="no-payments-yet""#),
        "{overview}"
    );
    assert_eq!(overview.matches("Paid payments: 0").count(), 3);

    // A bank account ticks its step off.
    let account = account_form("", "Dana Levi", "IL62 0108 0000 0009 9999 999");
    dana.submit("/api/admin/bank-account", &account).await;
    let overview = dana.page("/admin?lang=en").await;
    assert_eq!(done(&overview), 1);

    // A customer registers a slip: it waits for the merchant, and is the latest payment.
    let (store, slip) = crate::common::slip_at(&app, "dana", "Noa Cohen", "", "").await;
    let overview = dana.page("/admin?lang=en").await;
    assert!(
        overview.contains("Bank slips waiting for your decision: 1"),
        "{overview}"
    );
    assert!(overview.contains("/admin/payments?status=awaiting_confirmation"));
    assert_eq!(
        overview.matches(r#"data-testid="latest-payment""#).count(),
        1
    );
    assert!(overview.contains("Noa Cohen"));

    // Confirmed, it is today's, this week's and this month's takings, and nothing waits.
    let confirm = engine::slips::Decision::Confirm;
    let db = app.state.checkout.db();
    engine::slips::decide(db, store.id, slip.id, confirm, "owner", "")
        .await
        .unwrap();
    let overview = dana.page("/admin?lang=en").await;
    assert!(
        !overview.contains("waiting for your decision"),
        "{overview}"
    );
    assert_eq!(
        overview.matches("Paid payments: 1").count(),
        3,
        "{overview}"
    );
    // Three tiles and the latest payment.
    assert_eq!(overview.matches("₪125.50").count(), 4, "{overview}");
    let today = engine::time::format_day(engine::zones::day_of(
        &store.legal.time_zone,
        engine::time::now_millis(),
    ));
    assert!(
        overview.contains(&format!(
            "/admin/payments?status=paid&amp;from={today}&amp;to={today}"
        )),
        "{overview}"
    );

    // In Hebrew, the same page in its words and its money.
    let hebrew = dana.page("/admin?lang=he").await;
    assert!(
        hebrew.contains("הכנסות") && hebrew.contains("הגדרת החנות"),
        "{hebrew}"
    );
}
