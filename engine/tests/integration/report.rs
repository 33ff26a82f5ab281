//! The payments report (filters, search, sort, pages, totals, per-day sums, CSV rows) and the
//! merchant's slip decisions, on SQLite and PostgreSQL.

use engine::db::payments::{self, Kind, NewPayment, Payment};
use engine::db::{Db, report};
use engine::money::Currency;
use engine::report::{MethodFilter, PAGE_SIZE, ReportQuery, SortKey};
use engine::slips::{self, Decision, SlipError};
use engine::status::PaymentStatus;
use engine::time::{DAY_MILLIS, parse_day};
use engine::validation::{Field, Problem};

struct Shop {
    store: i64,
    gateway: i64,
    account: i64,
}

async fn shop(db: &Db, slug: &str) -> Shop {
    let store = crate::common::store(db, slug).await.id;
    let gateway = crate::common::gateway(db, store).await;
    let account = crate::common::bank_account(db, store).await;
    Shop {
        store,
        gateway,
        account,
    }
}

/// A payment made on `day` (days since 1970) by `payer`.
async fn pay(
    db: &Db,
    shop: &Shop,
    payer: &str,
    amount: i64,
    slip: Option<&str>,
    day: i64,
) -> Payment {
    let (kind, method_id, bank_account_id) = match slip {
        Some(_) => (Kind::BankSlip, None, Some(shop.account)),
        None => (Kind::Online, Some(shop.gateway), None),
    };
    let new = NewPayment {
        kind,
        method_id,
        bank_account_id,
        payer_name: payer,
        mobile: "+989121234567",
        phone: None,
        email: None,
        description: Some("Order"),
        amount,
        discount: 0,
        currency: Currency::IRR,
        slip_number: slip,
        slip_date: slip.map(|_| "2026-01-01"),
        link_id: None,
        // The fixture's gateway is in test mode; slips are real transfers.
        live: slip.is_some(),
        language: "en",
    };
    let key = engine::tracking::random_token();
    let (payment, _) = payments::create_idempotent(db, shop.store, &key, new)
        .await
        .unwrap();
    sqlx::query("UPDATE payments SET created_at = $1 WHERE id = $2")
        .bind(day * DAY_MILLIS + 3_600_000)
        .bind(payment.id)
        .execute(db.pool())
        .await
        .unwrap();
    payment
}

fn query(q: &str) -> ReportQuery {
    let params: Vec<(String, String)> = url::form_urlencoded::parse(q.as_bytes())
        .into_owned()
        .collect();
    let (query, errors) = ReportQuery::parse(&params);
    assert!(errors.is_empty(), "{q}");
    query
}

async fn codes(db: &Db, shop: &Shop, q: &str) -> Vec<String> {
    let page = report::page(
        db,
        shop.store,
        Currency::IRR,
        "UTC",
        &query(q),
        day("2026-03-01"),
    )
    .await
    .unwrap();
    page.rows.into_iter().map(|r| r.payer_name).collect()
}

fn day(s: &str) -> i64 {
    parse_day(s).unwrap()
}

/// Ana pays 500.00 on 1 February, Bob registers a slip of 200.00 on the 2nd, Cyrus pays
/// 900.00 on the 3rd; another store's Ana pays on the 1st too.
async fn three_days(db: &Db) -> (Shop, Payment, Payment) {
    let shop = shop(db, "shop").await;
    let other = shop_other(db).await;
    let ana = pay(db, &shop, "Ana Lima", 50_000, None, day("2026-02-01")).await;
    let slip = Some("778899");
    pay(db, &shop, "Bob_Ray", 20_000, slip, day("2026-02-02")).await;
    let cyrus = pay(db, &shop, "کوروش", 90_000, None, day("2026-02-03")).await;
    pay(db, &other, "Ana Lima", 1, None, day("2026-02-01")).await;
    paid(db, &ana).await;
    paid(db, &cyrus).await;
    (shop, ana, cyrus)
}

#[tokio::test]
async fn filters_search_sort_and_totals() {
    for db in crate::common::databases().await {
        let (shop, ana, cyrus) = three_days(&db).await;

        // Newest first by default; another store's payments never appear.
        assert_eq!(
            codes(&db, &shop, "").await,
            ["کوروش", "Bob_Ray", "Ana Lima"]
        );
        assert_eq!(
            codes(&db, &shop, "sort=amount&dir=asc").await,
            ["Bob_Ray", "Ana Lima", "کوروش"]
        );
        assert_eq!(codes(&db, &shop, "sort=payer&dir=asc").await[0], "Ana Lima");
        // By status, then by date.
        assert_eq!(
            codes(&db, &shop, "sort=status&dir=asc").await,
            ["Bob_Ray", "Ana Lima", "کوروش"]
        );
        assert_eq!(
            codes(&db, &shop, "status=paid").await,
            ["کوروش", "Ana Lima"]
        );
        assert_eq!(codes(&db, &shop, "via=slip").await, ["Bob_Ray"]);
        let gateway = format!("via=gateway:{}", shop.gateway);
        assert_eq!(codes(&db, &shop, &gateway).await.len(), 2);
        assert_eq!(
            codes(&db, &shop, "from=2026-02-02&to=2026-02-02").await,
            ["Bob_Ray"]
        );
        assert_eq!(codes(&db, &shop, "from=2026-02-03").await, ["کوروش"]);
        // Free text: any part of the name in any case, the codes, the mobile as typed locally.
        assert_eq!(codes(&db, &shop, "q=lim").await, ["Ana Lima"]);
        assert_eq!(codes(&db, &shop, "q=کور").await, ["کوروش"]);
        assert_eq!(
            codes(&db, &shop, "q=_").await,
            ["Bob_Ray"],
            "_ is not a wildcard"
        );
        assert_eq!(codes(&db, &shop, "q=%").await, Vec::<String>::new());
        assert_eq!(codes(&db, &shop, "q=۷۷۸۸").await, ["Bob_Ray"]);
        let tracking = engine::tracking::display(&cyrus.tracking_code).to_lowercase();
        assert_eq!(codes(&db, &shop, &format!("q={tracking}")).await, ["کوروش"]);
        assert_eq!(
            codes(&db, &shop, &format!("q=%23{}", ana.id)).await.len(),
            1
        );
        assert_eq!(codes(&db, &shop, "q=09121234567").await.len(), 3);
        assert_eq!(codes(&db, &shop, "q=nobody").await.len(), 0);
        // Test mode (the fixture's gateway) or live (the slip); what needs the merchant.
        assert_eq!(codes(&db, &shop, "mode=live").await, ["Bob_Ray"]);
        assert_eq!(codes(&db, &shop, "mode=test").await.len(), 2);
        assert!(codes(&db, &shop, "attention=1").await.is_empty());
        let flagged = payments::public_lookup(&db, &ana.tracking_code)
            .await
            .unwrap()
            .unwrap();
        let source = payments::Source::Provider;
        let recorded = payments::record_once(
            &db,
            &flagged,
            source,
            "second_charge",
            "X;",
            "X; t",
            true,
            &[],
        )
        .await;
        assert!(recorded.unwrap());
        assert_eq!(codes(&db, &shop, "attention=1").await, ["Ana Lima"]);
        assert_eq!(codes(&db, &shop, "attention=1&mode=live").await.len(), 0);

        let page = report::page(
            &db,
            shop.store,
            Currency::IRR,
            "UTC",
            &query("from=2026-02-01&to=2026-02-03"),
            0,
        )
        .await
        .unwrap();
        assert_eq!(page.totals.count, 3);
        assert_eq!(page.totals.paid_count, 2);
        assert_eq!(page.totals.awaiting_count, 1);
        assert_eq!(page.totals.paid, [(Currency::IRR, 140_000)]);
        let sums: Vec<i64> = page.days.iter().map(|d| d.amount).collect();
        assert_eq!(sums, [50_000, 0, 90_000]);

        let rows = crate::common::all_rows(&db, shop.store, "UTC", &query("sort=amount"), 10).await;
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].0.method.as_deref(), Some("Zarinpal"));
        assert_eq!(
            rows[2].0.bank_ref.as_deref(),
            Some("778899"),
            "a slip shows its number"
        );
    }
}

#[tokio::test]
async fn days_are_the_store_s_own() {
    for db in crate::common::databases().await {
        let shop = shop(&db, "shop").await;
        // 22:00 UTC on 1 February is 01:30 on 2 February in Tehran.
        let late = pay(&db, &shop, "Late", 10_000, None, day("2026-02-01")).await;
        sqlx::query("UPDATE payments SET created_at = $1 WHERE id = $2")
            .bind(day("2026-02-01") * DAY_MILLIS + 22 * 3_600_000)
            .bind(late.id)
            .execute(db.pool())
            .await
            .unwrap();
        paid(&db, &late).await;
        let view = |zone: &'static str| {
            let db = db.clone();
            let store = shop.store;
            async move {
                let q = query("from=2026-02-02&to=2026-02-02");
                report::page(&db, store, Currency::IRR, zone, &q, day("2026-02-02"))
                    .await
                    .unwrap()
            }
        };
        let tehran = view("Asia/Tehran").await;
        assert_eq!(tehran.totals.count, 1);
        assert_eq!(
            tehran.rows[0].local_time,
            day("2026-02-02") * DAY_MILLIS + 5_400_000,
            "01:30 on the store's clock"
        );
        let days: Vec<(i64, i64)> = tehran.days.iter().map(|d| (d.day, d.amount)).collect();
        assert_eq!(days, [(day("2026-02-02"), 10_000)]);
        // In UTC it was still the 1st.
        assert_eq!(view("UTC").await.totals.count, 0);
        let rows = crate::common::all_rows(&db, shop.store, "Asia/Tehran", &query(""), 10).await;
        assert_eq!(rows[0].0.local_time, tehran.rows[0].local_time);
    }
}

async fn shop_other(db: &Db) -> Shop {
    shop(db, "other").await
}

async fn paid(db: &Db, payment: &Payment) {
    let change = payments::Change {
        to: PaymentStatus::Paid,
        source: payments::Source::Provider,
        kind: "verified",
        detail: Some("{}"),
        bank_ref: Some("REF1"),
        card_pan: None,
        failure_code: None,
    };
    payments::transition(db, payment, change).await.unwrap();
}

#[tokio::test]
async fn pages_split_and_clamp() {
    for db in crate::common::databases().await {
        let shop = shop(&db, "shop").await;
        for i in 0..(PAGE_SIZE + 3) {
            pay(
                &db,
                &shop,
                &format!("P{i:03}"),
                100 + i,
                None,
                day("2026-02-01"),
            )
            .await;
        }
        let q = query("sort=amount&dir=asc");
        let first = report::page(&db, shop.store, Currency::IRR, "UTC", &q, 0)
            .await
            .unwrap();
        assert_eq!(
            (first.page, first.pages, first.rows.len()),
            (1, 2, PAGE_SIZE as usize)
        );
        let second = report::page(&db, shop.store, Currency::IRR, "UTC", &q.with_page(2), 0)
            .await
            .unwrap();
        assert_eq!(second.rows.len(), 3);
        assert_eq!(second.rows[0].payer_name, format!("P{PAGE_SIZE:03}"));
        let beyond = report::page(&db, shop.store, Currency::IRR, "UTC", &q.with_page(99), 0)
            .await
            .unwrap();
        assert_eq!(beyond.page, 2, "a page past the end shows the last one");
        let empty = report::page(&db, shop.store, Currency::IRR, "UTC", &query("q=nobody"), 0)
            .await
            .unwrap();
        assert_eq!((empty.page, empty.pages, empty.rows.len()), (1, 1, 0));
        assert_eq!(q.sorted_by(SortKey::Amount).page, 1);
    }
}

#[tokio::test]
async fn slips_are_confirmed_or_rejected_once_with_the_reason_in_the_timeline() {
    for db in crate::common::databases().await {
        let shop = shop(&db, "shop").await;
        let other = shop_other(&db).await;
        let slip = pay(&db, &shop, "Ana", 1000, Some("4455"), 1).await;
        let online = pay(&db, &shop, "Bob", 1000, None, 1).await;

        // Another store's merchant cannot decide this store's slip.
        let err = slips::decide(&db, other.store, slip.id, Decision::Confirm, "x@y.z", "").await;
        assert!(matches!(err, Err(SlipError::UnknownPayment)));
        let err = slips::decide(&db, shop.store, online.id, Decision::Confirm, "m@s.t", "").await;
        assert!(matches!(err, Err(SlipError::NotASlip)));
        match slips::decide(&db, shop.store, slip.id, Decision::Reject, "m@s.t", "  ").await {
            Err(SlipError::Invalid(errors)) => {
                assert_eq!(errors.get(Field::Reason), Some(Problem::Required))
            }
            other => panic!("{other:?}"),
        }
        let long = "x".repeat(slips::MAX_REASON + 1);
        let err = slips::decide(&db, shop.store, slip.id, Decision::Reject, "m@s.t", &long).await;
        assert!(matches!(err, Err(SlipError::Invalid(_))));

        // Two merchants decide at once: one decision applies, the other is told.
        let (a, b) = tokio::join!(
            slips::decide(
                &db,
                shop.store,
                slip.id,
                Decision::Reject,
                "m@s.t",
                "No such deposit"
            ),
            slips::decide(&db, shop.store, slip.id, Decision::Confirm, "n@s.t", ""),
        );
        let applied = [&a, &b].iter().filter(|r| r.is_ok()).count();
        assert_eq!(applied, 1, "{a:?} {b:?}");
        assert!(matches!(
            (&a, &b),
            (Err(SlipError::AlreadyDecided(_)), _) | (_, Err(SlipError::AlreadyDecided(_)))
        ));
        let now = payments::by_id(&db, shop.store, slip.id)
            .await
            .unwrap()
            .unwrap();
        let events = payments::events(&db, shop.store, slip.id).await.unwrap();
        let decided = events
            .iter()
            .find(|e| e.to_status.is_some() && e.source == "merchant")
            .unwrap();
        match now.status {
            PaymentStatus::Rejected => {
                assert_eq!(decided.kind, "slip_rejected");
                assert_eq!(decided.detail.as_deref(), Some("m@s.t: No such deposit"));
            }
            PaymentStatus::Paid => assert_eq!(decided.kind, "slip_confirmed"),
            other => panic!("{other:?}"),
        }
        assert!(events.iter().any(|e| e.kind.starts_with("ignored:")));
    }
}

#[tokio::test]
async fn the_method_filter_names_the_store_s_own_method_only() {
    for db in crate::common::databases().await {
        let shop = shop(&db, "shop").await;
        let other = shop_other(&db).await;
        pay(&db, &other, "Theirs", 1, None, 1).await;
        let theirs = format!("via=gateway:{}", other.gateway);
        assert!(codes(&db, &shop, &theirs).await.is_empty());
        assert_eq!(
            query(&theirs).filter.method,
            Some(MethodFilter::Gateway(other.gateway))
        );
    }
}

/// The overview's sums (`report::summary`) and newest payments (`report::latest`): only the
/// store's own, within the period's days.
#[tokio::test]
async fn the_overview_sums_periods_and_lists_the_newest() {
    for db in crate::common::databases().await {
        let (shop, _, _) = three_days(&db).await;
        // Tuesday 3 February: the week began on Monday the 2nd, the month on the 1st.
        let [today, week, month] = engine::report::periods(day("2026-02-03"), "en");
        let paid_in = |(from, to): (i64, i64)| engine::report::Filter {
            status: Some(PaymentStatus::Paid),
            from: Some(from),
            to: Some(to),
            ..Default::default()
        };
        for (period, count, sum) in [(today, 1, 90_000), (week, 1, 90_000), (month, 2, 140_000)] {
            let totals = report::summary(&db, shop.store, "UTC", &paid_in(period))
                .await
                .unwrap();
            assert_eq!(
                (totals.paid_count, totals.paid),
                (count, vec![(Currency::IRR, sum)])
            );
        }
        let everything = report::summary(&db, shop.store, "UTC", &Default::default())
            .await
            .unwrap();
        assert_eq!((everything.count, everything.awaiting_count), (3, 1));

        let latest = report::latest(&db, shop.store, "UTC", 2).await.unwrap();
        let payers: Vec<&str> = latest.iter().map(|r| r.payer_name.as_str()).collect();
        assert_eq!(payers, ["کوروش", "Bob_Ray"]);
    }
}

/// The totals of the views without days, text or the attention flag come from the counts the
/// database's triggers keep (`payment_counts`); whatever writes the payments, they must equal
/// the totals read from the payments themselves (the same filter over all days).
#[tokio::test]
async fn the_kept_counts_are_the_payments_totals() {
    use engine::report::Filter;
    for db in crate::common::databases().await {
        let (shop, _, _) = three_days(&db).await;
        let failed = pay(&db, &shop, "Dora", 30_000, None, day("2026-02-04")).await;
        let change = payments::Change {
            to: PaymentStatus::Failed,
            source: payments::Source::Provider,
            kind: "verified",
            detail: None,
            bank_ref: None,
            card_pan: None,
            failure_code: Some("51"),
        };
        payments::transition(&db, &failed, change).await.unwrap();
        let slip = pay(&db, &shop, "Eli", 7_000, Some("1234"), day("2026-02-04")).await;
        slips::decide(&db, shop.store, slip.id, Decision::Confirm, "m@s.t", "")
            .await
            .unwrap();
        // Any writer, not only the state machine: the counts follow the rows.
        sqlx::query("UPDATE payments SET amount = amount + 1, live = 1 WHERE id = $1")
            .bind(failed.id)
            .execute(db.pool())
            .await
            .unwrap();

        let gateway = Some(MethodFilter::Gateway(shop.gateway));
        let filters = [
            Filter::default(),
            Filter {
                status: Some(PaymentStatus::Paid),
                ..Default::default()
            },
            Filter {
                status: Some(PaymentStatus::AwaitingConfirmation),
                ..Default::default()
            },
            Filter {
                method: Some(MethodFilter::BankSlip),
                ..Default::default()
            },
            Filter {
                method: gateway,
                status: Some(PaymentStatus::Failed),
                ..Default::default()
            },
            Filter {
                live: Some(true),
                ..Default::default()
            },
            Filter {
                live: Some(false),
                method: gateway,
                ..Default::default()
            },
        ];
        let check = |when: &'static str| {
            let db = db.clone();
            let filters = filters.clone();
            async move {
                for filter in filters {
                    let kept = report::summary(&db, shop.store, "UTC", &filter)
                        .await
                        .unwrap();
                    let every_day = Filter {
                        from: Some(0),
                        to: Some(100_000),
                        ..filter.clone()
                    };
                    let read = report::summary(&db, shop.store, "UTC", &every_day)
                        .await
                        .unwrap();
                    assert_eq!(kept, read, "{when}: {filter:?}");
                }
            }
        };
        check("as written").await;
        let everything = report::summary(&db, shop.store, "UTC", &Filter::default())
            .await
            .unwrap();
        assert_eq!((everything.count, everything.paid_count), (5, 3));
        assert_eq!(everything.paid, [(Currency::IRR, 147_000)]);

        // PostgreSQL's writers each keep their own rows; folding them changes no total.
        report::fold_counts(&db).await.unwrap();
        let apart: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payment_counts WHERE slot <> 0")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(apart, 0);
        check("folded").await;
        pay(&db, &shop, "Fay", 1_000, None, day("2026-02-05")).await;
        check("written after folding").await;
    }
}
