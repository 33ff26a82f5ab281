//! The payments report over real HTTP: the table and its filters, a payment's timeline, slip
//! decisions, the CSV export, and one store's merchant never reaching another store's payments.

use std::io::Read;

use crate::common::browser::{Browser, signed_up};
use crate::common::{Running, location, serve};
use engine::db::payments::{self, Kind, NewPayment, Payment};
use engine::db::stores;
use engine::money::Currency;
use engine::status::PaymentStatus;

/// A bank slip paid into a new account of the store `slug`.
async fn slip(app: &Running, slug: &str, payer: &str, number: &str) -> Payment {
    let db = app.state.checkout.db();
    let store = stores::by_slug(db, slug).await.unwrap().unwrap();
    let account = crate::common::bank_account(app, store.id).await;
    slip_into(app, store.id, account, payer, number).await
}

/// A bank slip paid into `account` of store `store`.
async fn slip_into(app: &Running, store: i64, account: i64, payer: &str, number: &str) -> Payment {
    let db = app.state.checkout.db();
    let new = NewPayment {
        kind: Kind::BankSlip,
        method_id: None,
        bank_account_id: Some(account),
        payer_name: payer,
        mobile: "+972521234567",
        phone: None,
        email: None,
        description: Some("Vase, \"large\""),
        amount: 12_550,
        discount: 0,
        currency: Currency::parse("ILS").unwrap(),
        slip_number: Some(number),
        slip_date: Some("2026-11-20"),
        link_id: None,
        live: true,
        language: "en",
    };
    let key = engine::tracking::random_token();
    payments::create_idempotent(db, store, &key, new)
        .await
        .unwrap()
        .0
}

#[tokio::test]
async fn the_report_lists_filters_and_exports_only_the_store_s_payments() {
    let app = serve(true).await;
    let mut dana = signed_up(&app, "dana", "dana@example.com").await;
    let mut omid = signed_up(&app, "omid", "omid@example.com").await;
    let first = slip(&app, "dana", "נועה כהן", "5501").await;
    slip(&app, "dana", "Avi Ben", "5502").await;
    slip(&app, "omid", "Omid's customer", "9999").await;

    let page = dana.page("/admin/payments").await;
    assert!(page.contains("נועה כהן") && page.contains("Avi Ben"));
    assert!(!page.contains("Omid&#x27;s customer") && !page.contains("Omid's customer"));
    assert!(page.contains("₪125.50"), "amounts in the store's currency");
    assert!(page.contains("<svg"), "the per-day chart");

    let found = dana
        .page("/admin/payments?q=%D7%A0%D7%95%D7%A2%D7%94")
        .await;
    assert!(found.contains("נועה כהן") && !found.contains("Avi Ben"));
    let none = dana.page("/admin/payments?status=paid").await;
    assert!(none.contains("No payments match."));
    // A bad filter is named, not applied, and the page still shows.
    let bad = dana
        .page("/admin/payments?from=2026-02-30&via=gateway:x")
        .await;
    assert!(bad.contains("This value is not valid.") && bad.contains("Avi Ben"));

    // The export: UTF-8 with a BOM, the store's rows only, quotes doubled.
    let response = dana.get("/admin/payments.csv?sort=payer&dir=asc").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let bytes = response.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let csv = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].starts_with("payment_code,date_local,payer,mobile,amount,currency"));
    assert!(lines[1].contains("Avi Ben") && lines[2].contains("נועה כהן"));
    assert!(lines[2].contains(",125.50,ILS,Bank slip,awaiting_confirmation,"));
    assert!(lines[2].contains("\"Vase, \"\"large\"\"\""));
    assert!(lines[2].starts_with(&format!("{},", first.id)));
    let theirs = omid.get("/admin/payments.csv").await.text().await.unwrap();
    assert!(!theirs.contains("Avi Ben") && theirs.contains("Omid's customer"));

    // Without a session the export sends the browser to log in.
    let anonymous = Browser::new(&app).get("/admin/payments.csv").await;
    assert_eq!(location(anonymous).await, "/admin/login");
}

/// The export is sent as the database reads it, in chunks of about 64 KB: a long one arrives
/// whole, every row once, in the view's order.
#[tokio::test]
async fn a_long_export_arrives_whole_and_in_order() {
    let app = serve(true).await;
    let mut dana = signed_up(&app, "dana", "dana@example.com").await;
    let db = app.state.checkout.db();
    let store = stores::by_slug(db, "dana").await.unwrap().unwrap();
    let account = crate::common::bank_account(&app, store.id).await;
    for n in 0..600 {
        slip_into(
            &app,
            store.id,
            account,
            &format!("Payer {n}"),
            &n.to_string(),
        )
        .await;
    }
    // Compressed, as browsers ask for it: the compression reads the body to its very end.
    let response = dana
        .get_with("/admin/payments.csv", &[("Accept-Encoding", "gzip")])
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let mut csv = String::new();
    let body = response.bytes().await.expect("the whole answer");
    flate2::read::GzDecoder::new(&body[..])
        .read_to_string(&mut csv)
        .expect("a whole gzip stream");
    assert!(
        csv.len() > 64 * 1024,
        "more than one chunk: {} bytes",
        csv.len()
    );
    let ids: Vec<i64> = csv
        .lines()
        .skip(1)
        .map(|line| line.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(ids.len(), 600);
    assert!(
        ids.windows(2).all(|w| w[0] > w[1]),
        "newest first, none twice"
    );
}

#[tokio::test]
async fn a_slip_is_confirmed_or_rejected_with_its_reason_on_the_timeline() {
    let app = serve(true).await;
    let mut dana = signed_up(&app, "dana", "dana@example.com").await;
    let mut omid = signed_up(&app, "omid", "omid@example.com").await;
    let first = slip(&app, "dana", "Noa", "5501").await;
    let second = slip(&app, "dana", "Avi", "5502").await;
    let (one, two) = (first.id.to_string(), second.id.to_string());
    let detail = format!("/admin/payments/{one}");

    let page = dana.page(&detail).await;
    assert!(page.contains("Check the slip") && page.contains("5501"));
    assert!(
        page.contains("data-kind=\"created\""),
        "the timeline starts at creation"
    );

    // Another store's merchant sees nothing and decides nothing.
    assert!(
        omid.page(&detail)
            .await
            .contains("No such payment in this store.")
    );
    let to = omid
        .submit(
            "/api/admin/slip",
            &[("id", &one), ("decision", "confirm"), ("reason", "")],
        )
        .await;
    assert_eq!(to, detail);
    assert!(
        omid.page(&detail)
            .await
            .contains("No such payment in this store.")
    );

    // A rejection needs its reason; the form says so and nothing changes.
    dana.submit(
        "/api/admin/slip",
        &[("id", &one), ("decision", "reject"), ("reason", " ")],
    )
    .await;
    assert!(dana.page(&detail).await.contains("This field is required."));
    let db = app.state.checkout.db();
    let status = |p: &Payment| {
        let p = p.clone();
        async move {
            payments::by_id(db, p.store_id, p.id)
                .await
                .unwrap()
                .unwrap()
                .status
        }
    };
    assert_eq!(status(&first).await, PaymentStatus::AwaitingConfirmation);

    dana.submit(
        "/api/admin/slip",
        &[
            ("id", &one),
            ("decision", "confirm"),
            ("reason", "On the 21 Nov statement"),
        ],
    )
    .await;
    let page = dana.page(&detail).await;
    assert!(page.contains("The slip is confirmed"));
    assert!(page.contains("data-kind=\"slip_confirmed\""));
    assert!(page.contains("dana@example.com: On the 21 Nov statement"));
    assert!(
        !page.contains("Check the slip"),
        "a decided slip has no decision form"
    );
    assert_eq!(status(&first).await, PaymentStatus::Paid);

    // Deciding again (a second tab) changes nothing and says why.
    dana.submit(
        "/api/admin/slip",
        &[("id", &one), ("decision", "reject"), ("reason", "late")],
    )
    .await;
    assert!(
        dana.page(&detail)
            .await
            .contains("Someone else decided on this slip first")
    );
    assert_eq!(status(&first).await, PaymentStatus::Paid);

    dana.submit(
        "/api/admin/slip",
        &[
            ("id", &two),
            ("decision", "reject"),
            ("reason", "No such deposit"),
        ],
    )
    .await;
    assert_eq!(status(&second).await, PaymentStatus::Rejected);
    let report = dana.page("/admin/payments?status=rejected").await;
    assert!(report.contains("Avi") && !report.contains("Noa"));
}
