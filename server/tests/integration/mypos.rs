//! myPOS Checkout end to end over HTTP against the simulator Kassa serves: the method's
//! settings (typed or from a configuration package), the signed `IPCPurchase` with its cart,
//! `IPCPurchaseNotify` answered `OK` only when accepted, and notifications that must change
//! nothing.

use crate::common::browser::{Browser, signed_up_in};
use crate::common::provider::{
    Order, assert_refused_for, count, duplicates, encode, fast_forward_polls, field, lines_at,
    method_of, pay_form, post_at_once, post_form, refusals, replaced, start_form,
};
use crate::common::{Running, event_kinds, methods, no_redirects, payment, quiet_server, serve};
use engine::checkout::{CheckoutForm, Submitted};
use engine::connectors::{Connector, HandOff, mypos};
use engine::db::payments::Payment;
use engine::status::PaymentStatus;
use server::demo::EU_SLUG;
use server::sim::mypos::{
    CERTIFICATE, DEMO_KEY_INDEX, DEMO_PRIVATE_KEY, DEMO_SID, DEMO_WALLET, MOUNT, SIMULATOR_KEY,
};

const METHOD: &str = "/api/admin/method";

fn method_form<'a>(values: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("id", ""),
        ("kind", "mypos"),
        ("display_name", "Card (myPOS)"),
        ("min_amount", ""),
        ("max_amount", ""),
        ("discount_kind", "percent"),
        ("discount_value", "10"),
    ];
    form.extend(values.iter().map(|(k, v)| (*k, *v)));
    form
}

fn typed<'a>() -> Vec<(&'a str, &'a str)> {
    vec![
        ("provider[sid]", DEMO_SID),
        ("provider[wallet]", DEMO_WALLET),
        ("provider[private_key]", DEMO_PRIVATE_KEY),
        ("provider[certificate]", CERTIFICATE),
        ("provider[key_index]", DEMO_KEY_INDEX),
    ]
}

fn with<'a>(values: &[(&'a str, &'a str)], name: &str, value: &'a str) -> Vec<(&'a str, &'a str)> {
    values
        .iter()
        .map(|(k, v)| (*k, if *k == name { value } else { *v }))
        .collect()
}

async fn refused(owner: &mut Browser, values: &[(&str, &str)]) -> String {
    let to = owner.submit(METHOD, &method_form(values)).await;
    assert_eq!(to, "/admin/methods?add=mypos");
    owner.page(&to).await
}

#[tokio::test]
async fn a_merchant_configures_mypos_by_hand_or_from_its_package() {
    let app = serve(true).await;
    let mut dana = signed_up_in(&app, "dana", "dana@example.com", "EUR").await;
    let page = dana.page("/admin/methods?add=mypos").await;
    for label in [
        "Store ID",
        "Wallet Number",
        "Private Key",
        "myPOS Public Certificate",
        "Key Index",
        "Save Card",
        "Configuration package",
    ] {
        assert!(page.contains(label), "{label}");
    }
    let bad = [
        with(&typed(), "provider[sid]", "ABC"),
        with(&typed(), "provider[wallet]", "123"),
        with(
            &typed(),
            "provider[private_key]",
            "-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----",
        ),
        with(
            &typed(),
            "provider[certificate]",
            "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----",
        ),
        with(&typed(), "provider[key_index]", ""),
    ];
    for values in &bad {
        let page = refused(&mut dana, values).await;
        assert!(page.contains("aria-invalid=\"true\""), "{values:?}");
        // The private key is never echoed back.
        assert!(!page.contains("MII"), "no key material in the refused form");
    }
    let page = refused(&mut dana, &[("provider[package]", "bm90IGEgcGFja2FnZQ==")]).await;
    assert!(page.contains("aria-invalid=\"true\""));
    assert!(methods(&app, "dana").await.is_empty(), "nothing was saved");

    // From the package alone; Save Card stays off unless switched on.
    let package = server::sim::mypos::demo_package();
    let to = dana
        .submit(
            METHOD,
            &method_form(&[("provider[package]", package.as_str())]),
        )
        .await;
    assert_eq!(to, "/admin/methods");
    let saved = &methods(&app, "dana").await[0];
    let config: serde_json::Value = serde_json::from_str(&saved.config).unwrap();
    assert_eq!(config["sid"], DEMO_SID);
    assert_eq!(config["wallet"], DEMO_WALLET);
    assert_eq!(config["key_index"], "1");
    assert_eq!(config["save_card"], "false");
    assert!(
        config.get("private_key").is_none(),
        "the key is sealed, not in the config"
    );
    assert!(saved.secrets.is_some());

    // By hand, with Save Card on.
    let mut sara = signed_up_in(&app, "sara", "sara@example.com", "EUR").await;
    let mut values = typed();
    values.push(("provider[save_card]", "on"));
    assert_eq!(
        sara.submit(METHOD, &method_form(&values)).await,
        "/admin/methods"
    );
    let config: serde_json::Value =
        serde_json::from_str(&methods(&app, "sara").await[0].config).unwrap();
    assert_eq!(config["save_card"], "true");
}

/// A payment at `slug`'s myPOS method; returns its code and the form posted to myPOS.
async fn started(app: &Running, slug: &str, key: &str) -> (String, String, Vec<(String, String)>) {
    let order = Order {
        payer: "Eleni Papadopoulou",
        amount: "120.50",
        description: "Order 31",
    };
    start_form(app, slug, "mypos", key, &order).await
}

/// Posts the purchase to the simulator and pays with `card`: the card page's answer.
async fn pay_at_mypos(
    base: &str,
    url: &str,
    fields: &[(String, String)],
    card: &str,
) -> (String, String) {
    let opened = no_redirects().post(url).form(fields).send().await.unwrap();
    assert_eq!(opened.status(), 303, "{}", opened.text().await.unwrap());
    let page = format!("{base}{}", opened.headers()["location"].to_str().unwrap());
    let answer = no_redirects()
        .post(&page)
        .form(&[("card_number", card)])
        .send()
        .await
        .unwrap();
    (page, answer.text().await.unwrap())
}

/// The hidden fields and action of the simulator's "back to the shop" form.
fn back_form(html: &str) -> (String, Vec<(String, String)>) {
    let action = html
        .split("action=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let fields = html
        .split("<input type=\"hidden\" name=\"")
        .skip(1)
        .map(|rest| {
            let name = rest.split('"').next().unwrap().to_owned();
            let value = rest
                .split("value=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            (name, value.replace("&amp;", "&").replace("&quot;", "\""))
        })
        .collect();
    (action.to_owned(), fields)
}

#[tokio::test]
async fn a_card_payment_is_paid_by_the_notification_not_by_url_ok() {
    let app = serve(true).await;
    let mut dana = signed_up_in(&app, "dana", "dana@example.com", "EUR").await;
    let mut values = typed();
    values.push(("provider[save_card]", "on"));
    assert_eq!(
        dana.submit(METHOD, &method_form(&values)).await,
        "/admin/methods"
    );
    let (code, url, fields) = started(&app, "dana", "k1").await;
    assert_eq!(url, format!("{}{MOUNT}/vmp/checkout-test", app.base));
    // The SDK's order, the cart with its discount line adding up, Save Card asked for.
    let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        &names[..4],
        ["IPCmethod", "IPCVersion", "IPCLanguage", "SID"]
    );
    assert_eq!(names.last(), Some(&"Signature"));
    let p = payment(&app, &code).await;
    assert_eq!((p.amount, p.discount), (10_845, 1_205), "10% off 120.50");
    for (name, value) in [
        ("Amount", "108.45"),
        ("Currency", "EUR"),
        ("OrderID", code.as_str()),
        ("CartItems", "2"),
        ("Article_1", "Order 31"),
        ("Amount_1", "120.50"),
        ("Article_2", "Discount"),
        ("Amount_2", "-12.05"),
        ("CardTokenRequest", "2"),
        ("URL_Notify", &format!("{}/pay/{code}/notify", app.base)),
        ("customerfirstnames", "Eleni"),
        ("customerfamilyname", "Papadopoulou"),
    ] {
        assert_eq!(field(&fields, name), value, "{name}");
    }
    let merchant = mypos::private_key(DEMO_PRIVATE_KEY)
        .unwrap()
        .to_public_key();
    assert_eq!(mypos::verify(&merchant, &fields), Ok(()));

    // A genuine URL_OK before any notification: myPOS signed it, yet it pays nothing.
    let sim_key = mypos::private_key(SIMULATOR_KEY).unwrap();
    let ok = signed(
        &sim_key,
        &[
            ("IPCmethod", "IPCPurchaseOK"),
            ("SID", DEMO_SID),
            ("OrderID", &code),
        ],
    );
    let back = no_redirects()
        .post(format!("{}/pay/{code}/return", app.base))
        .form(&ok)
        .send()
        .await
        .unwrap();
    assert_eq!(back.headers()["location"], format!("/pay/{code}").as_str());
    assert_eq!(payment(&app, &code).await.status, PaymentStatus::Created);

    // A card the test environment does not know is declined on myPOS's page.
    let (page, _) = pay_at_mypos(&app.base, &url, &fields, "4111111111111111").await;
    let declined = reqwest::get(&page).await.unwrap().text().await.unwrap();
    assert!(declined.contains("declined"));
    assert_eq!(payment(&app, &code).await.status, PaymentStatus::Created);

    // A test card: the notification is answered OK before the browser comes back.
    let answer = no_redirects()
        .post(&page)
        .form(&[("card_number", "4006 0900 0000 0007")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(answer.contains("Payment successful"), "{answer}");
    let paid = payment(&app, &code).await;
    assert_eq!(paid.status, PaymentStatus::Paid);
    assert_eq!(paid.card_pan.as_deref(), Some("**** 0007"));
    let notification = notifications(&app.base, &code).await.remove(0);
    let trnref = param_of(&notification, "IPC_Trnref");
    assert_eq!(paid.bank_ref.as_deref(), Some(trnref.as_str()));
    assert!(
        !param_of(&notification, "CardToken").is_empty(),
        "Save Card"
    );
    let (action, ok) = back_form(&answer);
    assert_eq!(action, format!("{}/pay/{code}/return", app.base));
    let back = no_redirects().post(&action).form(&ok).send().await.unwrap();
    assert_eq!(back.status(), 303);
    let kinds = event_kinds(&app, &paid).await;
    assert_eq!(kinds.iter().filter(|k| *k == "verified").count(), 1);
    assert!(
        kinds.contains(&"return_after_final".to_owned()),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn a_customer_cancels_at_mypos() {
    let app = serve(true).await;
    let (code, url, fields) = started(&app, EU_SLUG, "k1").await;
    assert_eq!(field(&fields, "CartItems"), "1", "no discount, one line");
    assert_eq!(field(&fields, "CardTokenRequest"), "0", "Save Card is off");
    let (page, _) = pay_at_mypos(&app.base, &url, &fields, "4111111111111111").await;
    // A cancellation myPOS did not sign changes nothing while myPOS holds the order open.
    let merchant = mypos::private_key(DEMO_PRIVATE_KEY).unwrap();
    let forged = signed(
        &merchant,
        &[
            ("IPCmethod", "IPCPurchaseCancel"),
            ("SID", DEMO_SID),
            ("OrderID", &code),
        ],
    );
    no_redirects()
        .post(format!("{}/pay/{code}/return", app.base))
        .form(&forged)
        .send()
        .await
        .unwrap();
    assert_eq!(payment(&app, &code).await.status, PaymentStatus::Created);
    let cancelled = no_redirects()
        .post(format!("{page}/cancel"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (action, form) = back_form(&cancelled);
    // A cancellation that myPOS did not sign is not believed: Kassa asks myPOS, which
    // confirms the order was cancelled.
    let forged = replaced(&form, "Signature", "AAAA");
    no_redirects()
        .post(&action)
        .form(&forged)
        .send()
        .await
        .unwrap();
    let asked = payment(&app, &code).await;
    assert_eq!(asked.status, PaymentStatus::Cancelled);
    let kinds = event_kinds(&app, &asked).await;
    assert!(
        kinds.contains(&"cancelled_at_provider".to_owned()),
        "{kinds:?}"
    );
    no_redirects()
        .post(&action)
        .form(&form)
        .send()
        .await
        .unwrap();
    let p = payment(&app, &code).await;
    assert_eq!(p.status, PaymentStatus::Cancelled);
    assert_eq!(p.failure_code.as_deref(), Some("mypos:cancelled"));

    // Money taken after all for the cancelled order is flagged and refused, so myPOS gives
    // it back; the payment stays cancelled.
    let late = notification(&code, "1234567890");
    let (status, text) = notify(&app.base, &code, late).await;
    assert_eq!(status, 400);
    assert_ne!(text, "OK");
    assert_eq!(payment(&app, &code).await.status, PaymentStatus::Cancelled);
    assert!(
        event_kinds(&app, &p)
            .await
            .contains(&"paid_after_final".to_owned())
    );
}

/// Payments whose customer never came back and whose notification never arrived are settled
/// by asking myPOS (`IPCGetTxnStatus`) on the status polls' schedule.
#[tokio::test]
async fn the_status_polls_ask_mypos_how_an_order_stands() {
    let app = quiet_server(None).await;
    // Paid at myPOS, but the notification never reached Kassa: myPOS rolled the payment back.
    let (rolled_back, _) = quietly_paid(&app, "k1").await;
    let (p, polls) = fast_forward_polls(&app, &rolled_back.tracking_code).await;
    assert_eq!((p.status, polls), (PaymentStatus::Failed, 1));
    assert_eq!(p.failure_code.as_deref(), Some("mypos:rollback"));
    let page = reqwest::get(format!("{}/pay/{}?lang=en", app.base, p.tracking_code))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("then returned it"), "{page}");
    // Cancelled at myPOS, and the browser never came back.
    let (code, url, fields) = started(&app, EU_SLUG, "k2").await;
    let (page, _) = pay_at_mypos(&app.base, &url, &fields, "4111111111111111").await;
    no_redirects()
        .post(format!("{page}/cancel"))
        .send()
        .await
        .unwrap();
    let (p, polls) = fast_forward_polls(&app, &code).await;
    assert_eq!((p.status, polls), (PaymentStatus::Cancelled, 1));

    // A paid order: myPOS's answer carries the notification it sent, reference and all.
    let app = serve(true).await;
    let (code, url, fields) = started(&app, EU_SLUG, "k3").await;
    pay_at_mypos(&app.base, &url, &fields, "5326100000000004").await;
    let paid = payment(&app, &code).await;
    assert_eq!(paid.status, PaymentStatus::Paid);
    let sandbox = engine::connectors::Sandbox::under(&app.base);
    let connectors = engine::connectors::Connectors::new(sandbox, None, app.state.secrets.clone());
    let method = methods(&app, EU_SLUG)
        .await
        .into_iter()
        .find(|m| m.provider == "mypos")
        .unwrap();
    let connector = connectors.for_method(&method).unwrap();
    let order = engine::connectors::Order::from(&paid);
    let status = connector.fetch_status(&order).await.unwrap();
    assert_eq!(
        status.verdict,
        engine::connectors::Verdict::Paid {
            bank_ref: paid.bank_ref.clone().unwrap(),
            card_pan: Some("**** 0004".into()),
        }
    );
    // An order myPOS never saw still waits.
    let unknown = engine::connectors::Order {
        tracking_code: "NOSUCHORDER1".into(),
        ..order
    };
    let status = connector.fetch_status(&unknown).await.unwrap();
    assert_eq!(status.verdict, engine::connectors::Verdict::Pending);
    assert!(
        status.raw.contains("No transaction found"),
        "{}",
        status.raw
    );
}

/// A complete `IPCPurchaseNotify` for the demo store's order `code` of 120.50 EUR, paid by
/// myPOS transaction `trnref`, signed by the simulator's key: form-encoded.
fn notification(code: &str, trnref: &str) -> String {
    let sim_key = mypos::private_key(SIMULATOR_KEY).unwrap();
    encode(&signed(
        &sim_key,
        &[
            ("IPCmethod", "IPCPurchaseNotify"),
            ("SID", DEMO_SID),
            ("Amount", "120.50"),
            ("Currency", "EUR"),
            ("OrderID", code),
            ("IPC_Trnref", trnref),
            ("RequestSTAN", "4711"),
            ("RequestDateTime", "2026-12-02 10:11:12"),
            ("PaymentMethod", "1"),
            ("BillingDescriptor", "MYPOS*KASSA DEMO"),
            ("PAN", "0004"),
        ],
    ))
}

fn signed(key: &rsa::RsaPrivateKey, fields: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let signature = mypos::sign(key, fields.iter().map(|(_, v)| *v));
    out.push(("Signature".into(), signature));
    out
}

fn param_of(body: &str, name: &str) -> String {
    url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

async fn notifications(base: &str, code: &str) -> Vec<String> {
    lines_at(&format!("{base}{MOUNT}/notifications?order={code}")).await
}

/// A notification's fields changed and signed again with `key` (myPOS's, or another).
fn resigned(body: &str, key: &rsa::RsaPrivateKey, name: &str, value: &str) -> String {
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .filter(|(k, _)| k != "Signature")
        .map(|(k, v)| (k.clone(), if k == name { value.to_owned() } else { v }))
        .collect();
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    encode(&signed(key, &pairs))
}

async fn notify(base: &str, code: &str, body: impl Into<reqwest::Body>) -> (u16, String) {
    post_form(&format!("{base}/pay/{code}/notify"), body).await
}

/// A paid card at the simulator whose notification went nowhere: the test delivers it.
async fn quietly_paid(app: &Running, key: &str) -> (Payment, String) {
    let (code, url, fields) = started(app, EU_SLUG, key).await;
    let (_, answer) = pay_at_mypos(&app.base, &url, &fields, "5326100000000004").await;
    assert!(
        answer.contains("reversed"),
        "unanswered, myPOS reverses: {answer}"
    );
    let body = notifications(&app.base, &code).await.remove(0);
    (payment(app, &code).await, body)
}

#[tokio::test]
async fn bad_notifications_change_nothing_and_are_logged() {
    let app = quiet_server(None).await;
    let (p, genuine) = quietly_paid(&app, "k1").await;
    let code = p.tracking_code.clone();
    let sim_key = mypos::private_key(SIMULATOR_KEY).unwrap();
    let merchant_key = mypos::private_key(DEMO_PRIVATE_KEY).unwrap();
    let bad = [
        (
            genuine.replace("Amount=120.50", "Amount=1.00"),
            "wrong Signature",
        ),
        (
            resigned(&genuine, &merchant_key, "IPCmethod", "IPCPurchaseNotify"),
            "wrong Signature",
        ),
        (
            genuine.split("&Signature=").next().unwrap().to_owned(),
            "not the last field",
        ),
        (
            resigned(&genuine, &sim_key, "Amount", "1.00"),
            "the notification says 1.00 EUR",
        ),
        (
            resigned(&genuine, &sim_key, "Currency", "BGN"),
            "the notification says 120.50 BGN",
        ),
        (
            resigned(&genuine, &sim_key, "SID", "000000000000010"),
            "for store 000000000000010",
        ),
        (
            resigned(&genuine, &sim_key, "OrderID", "ZZZZZZZZZZZZ"),
            "another order",
        ),
        (
            resigned(&genuine, &sim_key, "IPCmethod", "IPCPurchaseOK"),
            "is not IPCPurchaseNotify",
        ),
        (
            resigned(&genuine, &sim_key, "IPC_Trnref", ""),
            "no IPC_Trnref",
        ),
    ];
    for (body, reason) in &bad {
        let (status, text) = notify(&app.base, &code, body.clone()).await;
        assert_eq!(status, 400, "{reason}");
        assert_ne!(text, "OK", "only an accepted notification gets OK");
    }
    assert_eq!(notify(&app.base, &code, vec![0xff_u8, 0xfe]).await.0, 400);
    assert_eq!(notify(&app.base, &code, "").await.0, 400);
    assert_eq!(notify(&app.base, &code, vec![b'a'; 70 * 1024]).await.0, 413);
    assert_eq!(
        notify(&app.base, "NOSUCHCODE99", genuine.clone()).await.0,
        404
    );
    assert_eq!(payment(&app, &code).await.status, PaymentStatus::Created);
    let refused = refusals(&app, &p).await;
    assert_eq!(refused.len(), bad.len() + 2, "{refused:?}");
    assert_refused_for(&refused, bad.iter().map(|(_, reason)| *reason));

    // The genuine notification is accepted with exactly OK; its replay too, changing nothing.
    assert_eq!(
        notify(&app.base, &code, genuine.clone()).await,
        (200, "OK".to_owned())
    );
    assert_eq!(payment(&app, &code).await.status, PaymentStatus::Paid);
    assert_eq!(
        notify(&app.base, &code, genuine).await,
        (200, "OK".to_owned())
    );
    let kinds = event_kinds(&app, &p).await;
    assert_eq!(kinds.iter().filter(|k| *k == "verified").count(), 1);
    assert!(kinds.contains(&"notification_after_final".to_owned()));
}

/// A genuine notification's values under other names: the signature (over the values only)
/// still verifies, so only the documented field list tells.
fn relabelled(body: &str) -> Vec<String> {
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let rename = |from: &str, to: &str| {
        fields
            .iter()
            .map(|(k, v)| (if k == from { to.to_owned() } else { k.clone() }, v.clone()))
            .collect::<Vec<_>>()
    };
    let swapped = {
        let mut f = fields.clone();
        let a = f
            .iter()
            .position(|(k, _)| k == "CustomerFirstNames")
            .unwrap();
        let b = f
            .iter()
            .position(|(k, _)| k == "CustomerFamilyName")
            .unwrap();
        let (first, family) = (f[a].0.clone(), f[b].0.clone());
        f[a].0 = family;
        f[b].0 = first;
        f
    };
    // "2026-12-02 10:11:12" re-split at its dashes into three values, every later value
    // moved on by two names; the last names are used twice.
    let resplit = {
        let (signature, values) = fields.split_last().unwrap();
        let mut values: Vec<String> = values.iter().map(|(_, v)| v.clone()).collect();
        let at = fields
            .iter()
            .position(|(k, _)| k == "RequestDateTime")
            .unwrap();
        let parts: Vec<String> = values[at].split('-').map(str::to_owned).collect();
        values.splice(at..=at, parts);
        let names = fields[..fields.len() - 1].iter().map(|(k, _)| k.clone());
        let last = fields[fields.len() - 2].0.clone();
        let mut f: Vec<(String, String)> =
            names.chain(std::iter::repeat(last)).zip(values).collect();
        f.push(signature.clone());
        f
    };
    [rename("PAN", "Pan"), swapped, resplit]
        .iter()
        .map(|f| encode(f))
        .collect()
}

#[tokio::test]
async fn a_relabelled_notification_is_refused() {
    let app = quiet_server(None).await;
    let (p, genuine) = quietly_paid(&app, "k1").await;
    let simulator = mypos::private_key(SIMULATOR_KEY).unwrap().to_public_key();
    for body in relabelled(&genuine) {
        let fields: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect();
        assert_eq!(
            mypos::verify(&simulator, &fields),
            Ok(()),
            "still signed: {body}"
        );
        assert_eq!(notify(&app.base, &p.tracking_code, body).await.0, 400);
    }
    assert_eq!(
        payment(&app, &p.tracking_code).await.status,
        PaymentStatus::Created
    );
    assert_eq!(refusals(&app, &p).await.len(), 3);
    assert_eq!(
        notify(&app.base, &p.tracking_code, genuine).await,
        (200, "OK".to_owned())
    );
}

#[tokio::test]
async fn a_second_charge_for_a_paid_order_is_flagged_and_refused() {
    for database in crate::common::database_urls().await {
        let app = quiet_server(database).await;
        let (p, genuine) = quietly_paid(&app, "k1").await;
        assert_eq!(
            notify(&app.base, &p.tracking_code, genuine).await,
            (200, "OK".to_owned())
        );
        // Another myPOS transaction for the same order: not OK, so myPOS reverses it.
        let second = notification(&p.tracking_code, "2222222222");
        for _ in 0..2 {
            let (status, text) = notify(&app.base, &p.tracking_code, second.clone()).await;
            assert_eq!(status, 400);
            assert_ne!(text, "OK");
        }
        let paid = payment(&app, &p.tracking_code).await;
        assert_eq!(paid.status, PaymentStatus::Paid);
        assert_ne!(paid.bank_ref.as_deref(), Some("2222222222"));
        assert!(paid.attention, "flagged for the merchant");
        let kinds = event_kinds(&app, &p).await;
        assert_eq!(count(&kinds, "second_charge"), 1, "{kinds:?}");
        assert_eq!(count(&kinds, "ignored:second_charge"), 1, "{kinds:?}");
    }
}

#[tokio::test]
async fn the_same_notification_twenty_times_at_once_pays_once() {
    for database in crate::common::database_urls().await {
        let app = quiet_server(database).await;
        let (p, body) = quietly_paid(&app, "k1").await;
        let url = format!("{}/pay/{}/notify", app.base, p.tracking_code);
        for answer in post_at_once(20, &url, &body).await {
            assert_eq!(answer, (200, "OK".to_owned()));
        }
        assert_eq!(
            payment(&app, &p.tracking_code).await.status,
            PaymentStatus::Paid
        );
        let kinds = event_kinds(&app, &p).await;
        assert_eq!(count(&kinds, "verified"), 1, "{kinds:?}");
        assert_eq!(duplicates(&kinds), 19, "{kinds:?}");
    }
}

#[tokio::test]
async fn the_mypos_page_speaks_the_customers_language() {
    let app = serve(true).await;
    let method = method_of(&app, EU_SLUG, "mypos").await;
    let order = Order {
        payer: "Eleni",
        amount: "10.00",
        description: "Order 34",
    };
    // The demo EU store speaks English; myPOS has Greek but no Latvian.
    for (language, expected) in [("el", "EL"), ("lv", "EN"), ("", "EN"), ("xx", "EN")] {
        let form = CheckoutForm {
            language: language.into(),
            ..pay_form(method, &format!("k-{language}"), &order)
        };
        let Submitted::ToProvider { code } =
            app.state.checkout.submit(EU_SLUG, &form).await.unwrap()
        else {
            panic!("myPOS takes the payment");
        };
        let Some(HandOff::PostForm { fields, .. }) =
            app.state.checkout.hand_off(&code).await.unwrap()
        else {
            panic!("a form posted to myPOS");
        };
        assert_eq!(field(&fields, "IPCLanguage"), expected, "{language}");
    }
}

/// A stranger holding the order's code spends the payment's message budget on forgeries:
/// those beyond it are dropped unstored (429), yet myPOS's signed notification, checked
/// without calling anyone, still pays (an unanswered one would be reversed).
#[tokio::test]
async fn a_flood_of_forged_notifications_cannot_keep_the_signed_one_out() {
    use engine::intake::PER_PAYMENT;
    for database in crate::common::database_urls().await {
        let app = quiet_server(database).await;
        let (p, genuine) = quietly_paid(&app, "k1").await;
        let forged = genuine.replace("Amount=120.50", "Amount=1.50");
        crate::common::provider::within_one_budget_window().await;
        let mut answers = Vec::new();
        for _ in 0..PER_PAYMENT.messages + 10 {
            answers.push(notify(&app.base, &p.tracking_code, forged.clone()).await.0);
        }
        let refused = answers.iter().filter(|&&a| a == 400).count();
        assert!(refused > 0 && refused <= PER_PAYMENT.messages as usize);
        assert_eq!(
            refused + answers.iter().filter(|&&a| a == 429).count(),
            answers.len()
        );
        let kinds = event_kinds(&app, &p).await;
        assert_eq!(count(&kinds, "notification_not_verified"), refused);

        let (status, answer) = notify(&app.base, &p.tracking_code, genuine).await;
        assert_eq!((status, answer.as_str()), (200, "OK"));
        let now = payment(&app, &p.tracking_code).await;
        assert_eq!(now.status, PaymentStatus::Paid);
        assert_eq!(now.dropped_messages, (answers.len() - refused) as i64);
    }
}
