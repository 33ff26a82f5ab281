//! Logos over real HTTP: upload, checks of type and size, serving, removal, and one store's
//! merchant never touching another store's method.

use crate::common::browser::{Browser, signed_up, signed_up_in};
use crate::common::{location, serve};
use engine::db::methods::{self, NewMethod};
use engine::db::stores;

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

fn logo_src(page: &str, class: &str) -> Option<String> {
    let at = page.find(&format!("class=\"{class}\""))?;
    let tag_start = page[..at].rfind('<')?;
    let tag = &page[tag_start..tag_start + page[tag_start..].find('>')?];
    let src = tag.split("src=\"").nth(1)?;
    Some(src[..src.find('"')?].replace("&amp;", "&"))
}

#[tokio::test]
async fn a_store_logo_is_checked_stored_served_and_removed() {
    let app = serve(true).await;
    let mut dana = signed_up(&app, "dana", "dana@example.com").await;
    let path = "/api/admin/logo";

    // Not an image we serve: an SVG (it could carry script), or too big.
    let svg = dana
        .post_multipart(
            path,
            &[("for", "store")],
            ("logo", b"<svg onload=alert(1)>"),
        )
        .await;
    assert_eq!(location(svg).await, "/admin/settings");
    assert!(
        dana.page("/admin/settings")
            .await
            .contains("This is not a PNG, JPEG, WebP or GIF image.")
    );
    let mut big = PNG.to_vec();
    big.resize(600 * 1024, 0);
    dana.post_multipart(path, &[("for", "store")], ("logo", &big))
        .await;
    assert!(
        dana.page("/admin/settings")
            .await
            .contains("The file is larger than 512 KB.")
    );
    assert!(logo_src(&dana.page("/admin/settings").await, "logo-preview").is_none());

    let saved = dana
        .post_multipart(path, &[("for", "store")], ("logo", PNG))
        .await;
    assert_eq!(location(saved).await, "/admin/settings");
    let settings = dana.page("/admin/settings").await;
    assert!(settings.contains("Logo saved."));
    let src = logo_src(&settings, "logo-preview").expect("a preview");
    let served = Browser::new(&app).get(&src).await;
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.headers()["x-content-type-options"], "nosniff");
    assert_eq!(served.bytes().await.unwrap().as_ref(), PNG);
    let checkout = Browser::new(&app).page("/s/dana/openpay").await;
    assert_eq!(
        logo_src(&checkout, "store-logo").as_deref(),
        Some(src.as_str())
    );

    // Without a session nothing is stored; from another site nothing is accepted.
    let mut stranger = Browser::new(&app);
    let anonymous = stranger
        .post_multipart(path, &[("for", "store")], ("logo", PNG))
        .await;
    assert_eq!(location(anonymous).await, "/admin/login");
    dana.origin = "https://evil.example".into();
    let forged = dana
        .post_multipart(path, &[("for", "store"), ("remove", "1")], ("logo", b""))
        .await;
    assert_eq!(forged.status(), 403);
    dana.origin = dana.base.clone();

    dana.post_multipart(path, &[("for", "store"), ("remove", "1")], ("logo", b""))
        .await;
    assert!(dana.page("/admin/settings").await.contains("Logo removed."));
    assert_eq!(Browser::new(&app).get(&src).await.status(), 404);
}

#[tokio::test]
async fn a_method_logo_shows_at_checkout_and_only_its_store_may_set_it() {
    let app = serve(true).await;
    // In rial: the method is Zarinpal's, which takes rial only.
    let mut dana = signed_up_in(&app, "dana", "dana@example.com", "IRR").await;
    let mut omid = signed_up(&app, "omid", "omid@example.com").await;
    let db = app.state.checkout.db();
    let store = stores::by_slug(db, "dana").await.unwrap().unwrap();
    let method = methods::create(
        db,
        store.id,
        NewMethod {
            provider: "zarinpal",
            display_name: "Zarinpal card",
            live: false,
            min_amount: None,
            max_amount: None,
            config: r#"{"merchant_id":"5f0c1a8e-2b7d-4e19-9c3a-6d8e0f1b2c3d"}"#,
            secrets: None,
            discount: None,
        },
    )
    .await
    .unwrap();
    let name = format!("method-{}", method.id);

    let refused = omid
        .post_multipart("/api/admin/logo", &[("for", &name)], ("logo", PNG))
        .await;
    assert_eq!(refused.status(), 404);
    assert!(
        engine::db::images::versions(db, store.id)
            .await
            .unwrap()
            .is_empty()
    );

    let saved = dana
        .post_multipart("/api/admin/logo", &[("for", &name)], ("logo", PNG))
        .await;
    assert_eq!(
        location(saved).await,
        format!("/admin/methods?edit={}", method.id)
    );
    let edit = dana
        .page(&format!("/admin/methods?edit={}", method.id))
        .await;
    assert!(edit.contains("Logo saved.") && !edit.contains("does not exist"));
    let checkout = Browser::new(&app).page("/s/dana/openpay").await;
    let src = logo_src(&checkout, "method-logo").expect("the method's logo");
    assert!(src.starts_with(&format!("/logos/{}/{name}?v=", store.id)));
    assert_eq!(
        Browser::new(&app).get("/logos/1/..%2Fstore").await.status(),
        404
    );
}
