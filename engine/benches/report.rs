//! `make bench`: the payments report at 100,000 payments of one store (beside 20,000 of
//! another), on SQLite and, when `KASSA_TEST_POSTGRES` names a server, on PostgreSQL.
//! Prints the median and the slowest of several runs of each view a merchant opens: pages near
//! the start and the end, each filter, each sort, the text search and the CSV export.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use engine::db::{Db, report};
use engine::money::Currency;
use engine::report::ReportQuery;
use engine::time::DAY_MILLIS;

const PAYMENTS: i64 = 100_000;
const OTHER_STORE: i64 = 20_000;
const RUNS: usize = 7;
/// The payments span a year that ends on this day (2026-11-20).
const LAST_DAY: i64 = 20_777;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    for db in common::databases().await {
        let store = common::store(&db, "bench").await.id;
        let other = common::store(&db, "bench-other").await.id;
        let gateway = common::gateway(&db, store).await;
        let started = Instant::now();
        seed(&db, store, Some(gateway), PAYMENTS).await;
        seed(&db, other, None, OTHER_STORE).await;
        if db.backend() == engine::db::Backend::Postgres {
            // What autovacuum does within a minute of such a change; without statistics the
            // planner guesses a store has a few hundred payments and sorts instead of reading
            // an index in order. (SQLite is measured as Kassa runs it: without statistics.)
            sqlx::query("ANALYZE payments")
                .execute(db.pool())
                .await
                .expect("analyze");
        }
        println!(
            "\n{:?}: {PAYMENTS} payments seeded in {:.1} s",
            db.backend(),
            started.elapsed().as_secs_f64()
        );
        println!("{:<44} {:>10} {:>10}", "view", "median", "slowest");
        let via = format!("gateway:{gateway}");
        let views: [(&str, Vec<(&str, &str)>); 13] = [
            ("first page, newest first", vec![]),
            ("page 10", vec![("page", "10")]),
            ("last page (2,000)", vec![("page", "2000")]),
            ("paid only", vec![("status", "paid")]),
            ("slips to check", vec![("status", "awaiting_confirmation")]),
            ("one gateway", vec![("via", via.as_str())]),
            ("bank slips", vec![("via", "slip")]),
            (
                "one month",
                vec![("from", "2026-06-01"), ("to", "2026-06-30")],
            ),
            ("search a name", vec![("q", "Shirin")]),
            ("search mobile digits", vec![("q", "0912345")]),
            ("sort by amount", vec![("sort", "amount")]),
            (
                "sort by payer, page 500",
                vec![("sort", "payer"), ("page", "500")],
            ),
            (
                "sort by status, ascending",
                vec![("sort", "status"), ("dir", "asc")],
            ),
        ];
        for (name, params) in views {
            let query = query(&params);
            let (median, slowest) = time(|| async {
                report::page(&db, store, Currency::IRR, "UTC", &query, LAST_DAY)
                    .await
                    .expect("report page");
            })
            .await;
            print_row(name, median, slowest);
        }
        let everything = ReportQuery::default();
        let (median, slowest) = time(|| async {
            let mut csv = engine::report::csv_head();
            let rows = report::each_row(&db, store, "UTC", &everything, PAYMENTS, |row| {
                engine::report::csv_row(&mut csv, &row.0, row.1, "Bank slip")
            })
            .await
            .expect("all rows");
            assert_eq!(rows as i64, PAYMENTS);
        })
        .await;
        print_row("CSV of all 100,000", median, slowest);
    }
}

fn query(params: &[(&str, &str)]) -> ReportQuery {
    let params: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let (query, errors) = ReportQuery::parse(&params);
    assert!(errors.is_empty(), "{params:?} should parse");
    query
}

async fn time<F, Fut>(run: F) -> (Duration, Duration)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    run().await; // warm the caches
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        run().await;
        times.push(started.elapsed());
    }
    times.sort();
    (times[RUNS / 2], times[RUNS - 1])
}

fn print_row(name: &str, median: Duration, slowest: Duration) {
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    println!("{name:<44} {:>10} {:>10}", ms(median), ms(slowest));
}

/// `count` payments in one statement (a recursive counter, valid on both databases; 64-bit
/// from the start, as PostgreSQL would overflow 32-bit products): spread
/// over a year, three in four online, a mix of statuses, twelve payer names, distinct mobiles.
async fn seed(db: &Db, store: i64, gateway: Option<i64>, count: i64) {
    let first = (LAST_DAY - 364) * DAY_MILLIS;
    let method = gateway.map_or("CAST(NULL AS BIGINT)".to_owned(), |id| id.to_string());
    let year = 365 * DAY_MILLIS;
    let sql = format!(
        "WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < {count}) \
         INSERT INTO payments (store_id, tracking_code, kind, method_id, payer_name, mobile, \
         description, amount, currency, status, bank_ref, slip_number, created_at, updated_at) \
         SELECT {store}, 'S{store}T' || i, \
           CASE WHEN i % 4 = 0 THEN 'bank_slip' ELSE 'online' END, \
           CASE WHEN i % 4 = 0 THEN NULL ELSE {method} END, \
           CASE i % 12 WHEN 0 THEN 'Shirin Ahmadi' WHEN 1 THEN 'Reza Karimi' \
             WHEN 2 THEN 'Sara Rahimi' WHEN 3 THEN 'Noa Levi' WHEN 4 THEN 'Dana Cohen' \
             WHEN 5 THEN 'Eleni Papadopoulou' WHEN 6 THEN 'Janis Berzins' \
             WHEN 7 THEN 'Maria Ivanova' WHEN 8 THEN 'Ali Hosseini' WHEN 9 THEN 'Yael Mizrahi' \
             WHEN 10 THEN 'Nikos Georgiou' ELSE 'Liga Ozola' END, \
           '+98912' || (1000000 + i), 'Order ' || i, 10000 + (i * 7919) % 5000000, 'IRR', \
           CASE WHEN i % 20 = 0 THEN 'awaiting_confirmation' WHEN i % 7 = 0 THEN 'failed' \
             WHEN i % 11 = 0 THEN 'created' ELSE 'paid' END, \
           CASE WHEN i % 4 <> 0 AND i % 7 <> 0 THEN 'BR' || i END, \
           CASE WHEN i % 4 = 0 THEN 'SL' || i END, \
           {first} + (i * 315360) % {year}, {first} \
         FROM n"
    );
    sqlx::query(&sql)
        .execute(db.pool())
        .await
        .expect("seed payments");
}
