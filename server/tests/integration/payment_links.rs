//! Payment links over real HTTP: the builder, the link's page (fixed terms, a changed link's
//! page), paying through it, the use counts, and links staying within their store.

use crate::common::browser::{Browser, signed_up};
use crate::common::serve;
use engine::db::stores;
use engine::links::LinkForm;
use leptos::server::codee::{Decoder, binary::PostcardCodec};

/// The address shown after building a link (the `value` of its read-only field).
fn shown_url(page: &str) -> String {
    value_of(page, "data-testid=\"link-url\"")
}

/// The `value` of the first element `marker` (an attribute written before it) names.
fn value_of(page: &str, marker: &str) -> String {
    let at = page
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in the page"));
    let start = page[..at].rfind('<').expect("a tag");
    let tag = &page[start..start + page[start..].find('>').expect("the tag's end")];
    let value = tag
        .find("value=\"")
        .unwrap_or_else(|| panic!("a value in {tag}"))
        + 7;
    let end = value + tag[value..].find('"').unwrap();
    tag[value..end].replace("&amp;", "&")
}

fn path_of(url: &str) -> String {
    let rest = url.split_once("://").unwrap().1;
    rest[rest.find('/').unwrap()..].to_owned()
}

fn link_form<'a>(signed: bool, amount: &'a str, max_uses: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("payer_name", "Noa Cohen"),
        ("description", "Workshop seat"),
        ("amount", amount),
        ("min_amount", ""),
        ("max_amount", ""),
        ("expires", ""),
        ("max_uses", max_uses),
    ];
    if signed {
        form.push(("signed", "on"));
    }
    form
}

#[tokio::test]
async fn a_signed_link_is_built_paid_once_and_refuses_edits() {
    let app = serve(true).await;
    let mut dana = signed_up(&app, "dana", "dana@example.com").await;
    let db = app.state.checkout.db();
    let store = stores::by_slug(db, "dana").await.unwrap().unwrap();
    let account = crate::common::bank_account(&app, store.id).await;

    // A refused form comes back as typed with its errors.
    let to = dana
        .submit("/api/admin/link", &link_form(true, "-3", "0"))
        .await;
    assert_eq!(to, "/admin/links");
    let page = dana.page("/admin/links").await;
    assert!(page.contains("Workshop seat") && page.contains("No payment links yet."));

    let to = dana
        .submit("/api/admin/link", &link_form(true, "180", "1"))
        .await;
    assert!(to.starts_with("/admin/links?show="), "{to}");
    let page = dana.page(&to).await;
    assert!(page.contains("The link is ready"));
    assert!(page.contains("<svg"), "a QR code");
    assert!(
        page.contains("https://wa.me/?text=")
            && page.contains("sms:?&amp;body=")
            && page.contains("mailto:?subject=")
    );
    let url = shown_url(&page);
    assert!(
        url.starts_with(&format!("{}/s/dana/openpay?link=", app.base)),
        "{url}"
    );
    assert!(url.contains("&sig="));

    // The customer's page shows the fixed amount and description and carries the signature.
    let path = path_of(&url);
    let mut customer = Browser::new(&app);
    let form = customer.page(&path).await;
    assert!(form.contains("₪180.00") && form.contains("Workshop seat"));
    assert!(form.contains("name=\"sig\""));
    assert!(
        !form.contains("name=\"description\""),
        "a signed description is not an input"
    );

    // Any edit of the address shows the changed-link page and no form.
    for (from, to) in [
        ("price=180", "price=1"),
        ("Workshop", "Worksho"),
        ("sig=", "sig=0"),
    ] {
        let edited = path.replacen(from, to, 1);
        assert_ne!(edited, path);
        let page = customer.page_with(&edited, 400).await;
        assert!(page.contains("This payment link was changed"), "{from}");
        assert!(!page.contains("name=\"pay_with\""));
    }

    // Paying: the form says 1 ILS and another description; the link's terms are what count.
    let token = url
        .split("link=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let sig = url.split("sig=").nth(1).unwrap().to_owned();
    let account_id = account.to_string();
    let pay = |key: &'static str| {
        vec![
            ("store", "dana".to_owned()),
            ("key", key.to_owned()),
            ("receivername", "Noa Cohen".to_owned()),
            ("mobile", "+972521234567".to_owned()),
            ("phone", String::new()),
            ("email", String::new()),
            ("description", "cheaper".to_owned()),
            ("price", "1".to_owned()),
            ("pay_with", "slip".to_owned()),
            ("bank_account", account_id.clone()),
            ("slip_number", "778812".to_owned()),
            ("slip_date", "2026-11-20".to_owned()),
            ("link", token.clone()),
            ("sig", sig.clone()),
        ]
    };
    let fields = pay("first-browser-key-0000000000000");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let to = customer.submit("/api/checkout", &fields).await;
    assert!(to.starts_with("/pay/"), "{to}");
    let result = customer.page(&to).await;
    assert!(result.contains("₪180.00") && result.contains("Workshop seat"));

    // The limit was one payment: the next customer is told the link has been used.
    // This one posts as the page's form does: a signed link's form has no description field.
    let mut second = Browser::new(&app);
    let fields = pay("second-browser-key-000000000000");
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(k, _)| *k != "description")
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    let to = second.submit("/api/checkout", &fields).await;
    assert_eq!(to, "/s/dana/openpay?link_error=used_up");
    assert!(
        second
            .page_with(&to, 410)
            .await
            .contains("This payment link has been used")
    );
    assert!(
        second
            .page_with(&path, 410)
            .await
            .contains("This payment link has been used")
    );

    let list = dana.page("/admin/links").await;
    assert!(list.contains("1 of 1 uses") && list.contains("0 paid") && list.contains("Signed"));

    // Another store's merchant neither lists nor shows it, and the link is unknown there.
    let mut omid = signed_up(&app, "omid", "omid@example.com").await;
    let theirs = omid
        .page(&to.replace("/s/dana/openpay?link_error=used_up", "/admin/links?show=1"))
        .await;
    assert!(!theirs.contains("Workshop seat"));
    let elsewhere = Browser::new(&app)
        .page_with(&path.replace("/s/dana/", "/s/omid/"), 404)
        .await;
    assert!(elsewhere.contains("This payment link does not exist"));
}

#[tokio::test]
async fn a_plain_link_prefills_a_form_the_customer_may_edit() {
    let app = serve(true).await;
    let mut dana = signed_up(&app, "dana", "dana@example.com").await;
    let to = dana
        .submit("/api/admin/link", &link_form(false, "", ""))
        .await;
    let url = shown_url(&dana.page(&to).await);
    assert!(!url.contains("sig="));
    let edited = path_of(&url).replace("Workshop+seat", "Two+seats");
    let form = Browser::new(&app).page(&edited).await;
    assert!(form.contains("name=\"description\"") && form.contains("Two seats"));
    assert!(
        form.contains("name=\"amount\""),
        "no fixed amount: the customer chooses"
    );
}

/// The link builder's preview as the back office reads it (`admin::links::LinkPreview`):
/// postcard has no field names, so this also checks their order.
#[derive(Debug, PartialEq, serde::Deserialize)]
struct LinkPreview {
    url: String,
    qr: String,
}

/// The link builder's preview, as the back office's server functions answer (postcard).
async fn previewed(answer: reqwest::Response) -> Option<LinkPreview> {
    let bytes = answer.bytes().await.unwrap();
    <PostcardCodec as Decoder<Option<LinkPreview>>>::decode(&bytes).expect("a postcard answer")
}

/// The builder shows the address its link will have (on the page, and as the merchant types
/// through its server function), and the link made from the form has that address.
#[tokio::test]
async fn a_link_has_the_address_its_builder_showed() {
    let app = serve(true).await;
    let mut dana = signed_up(&app, "dana", "dana@example.com").await;
    let page = dana.page("/admin/links").await;
    let token = value_of(&page, "name=\"token\"");
    assert_eq!(token.len(), 32, "{token}");
    let empty = value_of(&page, "data-testid=\"preview-url\"");
    assert!(empty.contains(&format!("?link={token}&sig=")), "{empty}");

    // `preview_link`'s one argument, the builder's form as typed.
    let ask = |amount: &str| {
        (LinkForm {
            signed: true,
            payer_name: "Noa Cohen".into(),
            description: "Workshop seat".into(),
            amount: amount.into(),
            max_uses: "1".into(),
            token: token.clone(),
            ..LinkForm::default()
        },)
    };
    let answer = dana.ask("/api/admin/link-preview", &ask("180")).await;
    assert_eq!(answer.status(), 200);
    let preview = previewed(answer).await.expect("a preview");
    let previewed_url = preview.url;
    assert!(previewed_url.contains("price=180") && previewed_url.contains(&token));
    assert!(preview.qr.contains("<svg"), "a QR code");
    let refused = dana.ask("/api/admin/link-preview", &ask("-3")).await;
    assert_eq!(previewed(refused).await, None);
    // Only the store's own merchant is shown its links' addresses.
    let mut stranger = Browser::new(&app);
    let answer = stranger.ask("/api/admin/link-preview", &ask("180")).await;
    assert!(!answer.text().await.unwrap().contains(&token));

    let mut form = link_form(true, "180", "1");
    form.push(("token", &token));
    let to = dana.submit("/api/admin/link", &form).await;
    assert!(to.starts_with("/admin/links?show="), "{to}");
    let page = dana.page(&to).await;
    assert_eq!(shown_url(&page), previewed_url);
    // The builder is ready for the next link, at an address of its own.
    let next = value_of(&page, "data-testid=\"preview-url\"");
    assert!(next.contains("&sig=") && !next.contains(&token), "{next}");
    // Sent twice (a double click): still one link.
    let again = dana.submit("/api/admin/link", &form).await;
    assert_eq!(again, to);
}
