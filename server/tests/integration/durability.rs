//! Durable work under the conditions of a real deployment, with the `kassa` binary itself:
//! two servers on one PostgreSQL draining one inbox and one job queue, and a server killed
//! (SIGKILL) at random moments under a mixed load of payments, returns and notifications.
//! Whatever happens, no message is verified twice, no payment moves twice, every answered
//! notification settles its payment, and every side effect (the receipt) happens once, under
//! a number without gaps.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use crate::common::binary::{Kassa, Setup, paid_ipn, paypal_payment, post_ipn};
use crate::common::database_urls;
use crate::common::provider::{HeldProvider, count};
use crate::common::smtp::Smtp;
use engine::db::inbox::VERIFY;
use engine::db::{Db, payments, receipts, stores};
use engine::status::PaymentStatus;
use server::demo::EU_SLUG;

/// The jobs whose runs are counted: verifications, receipts and e-mails.
const COUNTED: &str = "kind IN ('verify_notification', 'issue_receipt', 'mail_payer_receipt', \
    'mail_merchant_paid')";

/// Waits until every verification, receipt and e-mail job is done; panics on a dead one.
async fn drained(db: &Db, within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let (open, dead): (i64, i64) = sqlx::query_as(&format!(
            "SELECT COALESCE(SUM(CASE WHEN state IN ('queued', 'running') THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN state = 'dead' THEN 1 ELSE 0 END), 0) \
             FROM jobs WHERE {COUNTED}"
        ))
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(dead, 0, "no job is dead");
        if open == 0 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{open} jobs still open"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The event kinds of the payment `code`.
async fn kinds(db: &Db, code: &str) -> (PaymentStatus, Vec<String>) {
    let p = payments::public_lookup(db, code).await.unwrap().unwrap();
    let events = payments::events(db, p.store_id, p.id).await.unwrap();
    (p.status, events.into_iter().map(|e| e.kind).collect())
}

/// The EU store's receipts are numbered 1..=n, one per paid payment.
async fn receipts_are_gapless(db: &Db, paid: usize) {
    let store = stores::by_slug(db, EU_SLUG).await.unwrap().unwrap();
    let issued = receipts::of_store(db, store.id).await.unwrap();
    let numbers: Vec<i64> = issued.iter().map(|r| r.number).collect();
    assert_eq!(
        numbers,
        (1..=i64::try_from(paid).unwrap()).collect::<Vec<_>>()
    );
    let one_each: HashSet<i64> = issued.iter().map(|r| r.payment_id).collect();
    assert_eq!(one_each.len(), paid, "one receipt per paid payment");
}

/// How many jobs ran more than once: a crash came between a job's work and its `done`.
async fn reruns(db: &Db) -> i64 {
    let (n,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM jobs WHERE {COUNTED} AND attempts > 1"
    ))
    .fetch_one(db.pool())
    .await
    .unwrap();
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_postgres_verify_each_message_once() {
    let Some(database) = database_urls().await.into_iter().flatten().next() else {
        eprintln!("KASSA_TEST_POSTGRES is not set: two servers need PostgreSQL");
        return;
    };
    let mut paypal = HeldProvider::start("VERIFIED").await;
    paypal.release(1_000_000);
    let first = Setup::new("pair", Some(database), &paypal.url);
    let second = first.beside();
    let servers = [first.start().await, second.start().await];
    let db = Db::connect(&first.database_url).await.unwrap();
    let checkout = first.checkout(&db, &servers[0].base);
    const PAYMENTS: usize = 100;
    let mut codes = Vec::new();
    for i in 0..PAYMENTS {
        codes.push(paypal_payment(&checkout, &format!("pair-{i}")).await);
    }
    // PayPal sends each IPN twice (a resend), one copy to each server, all at once.
    let http = reqwest::Client::new();
    let mut sends = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        for (s, kassa) in servers.iter().enumerate() {
            let (http, base) = (http.clone(), kassa.base.clone());
            let ipn = paid_ipn(code, &format!("TXN{i:014}"));
            sends.push(tokio::spawn(async move {
                post_ipn(&http, &base, &format!("10.1.{i}.{s}"), ipn).await
            }));
        }
    }
    for send in sends {
        assert_eq!(send.await.unwrap(), Some(200));
    }
    drained(&db, Duration::from_secs(60)).await;

    for code in &codes {
        let (status, kinds) = kinds(&db, code).await;
        assert_eq!(status, PaymentStatus::Paid);
        assert_eq!(count(&kinds, "verified"), 1, "{kinds:?}");
        // The resend is verified once too, and found to be a copy (after the first moved
        // the payment, or racing it).
        let copies = count(&kinds, "notification_after_final") + count(&kinds, "ignored:verified");
        assert_eq!(copies, 1, "{kinds:?}");
    }
    assert_eq!(paypal.asked(), 2 * PAYMENTS, "one post-back per message");
    let (jobs, attempts, workers): (i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(SUM(attempts) AS BIGINT), COUNT(DISTINCT worker) FROM jobs \
         WHERE kind = $1",
    )
    .bind(VERIFY)
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!((jobs, attempts), (200, 200), "each verification ran once");
    assert_eq!(workers, 2, "both servers drained the inbox");
    receipts_are_gapless(&db, PAYMENTS).await;
    // Each payment's two e-mails (the payer's receipt, the merchant's notice) went out once,
    // into the sandbox's mailbox.
    let (mail, distinct): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), COUNT(DISTINCT message_id) FROM sandbox_mail")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!((mail, distinct), (200, 200), "each e-mail sent once");
}

/// Payments, returns and notifications from several customers at once, over HTTP, until
/// the server dies: the codes of the payments made and of those whose IPN was answered 200.
async fn load(kassa_base: String, round: usize, method: i64) -> (Vec<String>, Vec<String>) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let customers: Vec<_> = (0..4)
        .map(|c| {
            let (http, base) = (http.clone(), kassa_base.clone());
            tokio::spawn(async move {
                let (mut made, mut notified) = (Vec::new(), Vec::new());
                for i in 0.. {
                    let sender = format!("10.{round}.{c}.{}", i % 250);
                    let key = format!("chaos-{round}-{c}-{i}");
                    let form = [
                        ("store", EU_SLUG),
                        ("key", &key),
                        ("receivername", "Anna Berzina"),
                        ("mobile", "+37120000000"),
                        ("phone", ""),
                        ("email", "anna@example.com"),
                        ("description", "Order 23"),
                        ("amount", crate::common::binary::AMOUNT),
                        ("pay_with", &format!("gateway:{method}")),
                        ("slip_number", ""),
                        ("slip_date", ""),
                    ];
                    let Ok(answer) = http
                        .post(format!("{base}/api/checkout"))
                        .header("accept", "text/html")
                        .header("x-forwarded-for", &sender)
                        .form(&form)
                        .send()
                        .await
                    else {
                        break;
                    };
                    let location = answer.headers()["location"].to_str().unwrap().to_owned();
                    let code = location
                        .strip_prefix("/pay/")
                        .and_then(|rest| rest.strip_suffix("/go"))
                        .unwrap_or_else(|| panic!("a hand-off: {location}"))
                        .to_owned();
                    made.push(code.clone());
                    // The customer comes back from PayPal before its IPN (not proof of payment).
                    if http
                        .get(format!("{base}/pay/{code}/return"))
                        .send()
                        .await
                        .is_err()
                    {
                        break;
                    }
                    let ipn = paid_ipn(&code, &format!("TXN{round:02}{c}{i:09}"));
                    match post_ipn(&http, &base, &sender, ipn).await {
                        Some(200) => notified.push(code),
                        Some(other) => panic!("an IPN was answered {other}"),
                        None => break,
                    }
                }
                (made, notified)
            })
        })
        .collect();
    let mut all = (Vec::new(), Vec::new());
    for customer in customers {
        let (made, notified) = customer.await.unwrap();
        all.0.extend(made);
        all.1.extend(notified);
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_killed_at_random_under_load_loses_and_repeats_nothing() {
    const ROUNDS: usize = 6;
    for database in database_urls().await {
        let paypal = HeldProvider::start("VERIFIED").await;
        paypal.release(1_000_000);
        let smtp = Smtp::start().await;
        let mut setup = Setup::new("chaos", database, &paypal.url);
        setup.smtp = Some(smtp.url());
        let (mut made, mut notified) = (Vec::new(), HashSet::new());
        let mut db = None;
        for round in 0..ROUNDS {
            let kassa = setup.start().await;
            let db = match &db {
                Some(db) => db,
                None => db.insert(Db::connect(&setup.database_url).await.unwrap()),
            };
            let store = stores::by_slug(db, EU_SLUG).await.unwrap().unwrap();
            let method = engine::db::methods::list_all(db, store.id)
                .await
                .unwrap()
                .into_iter()
                .find(|m| m.provider == "paypal")
                .unwrap()
                .id;
            let load = tokio::spawn(load(kassa.base.clone(), round, method));
            tokio::time::sleep(Duration::from_millis(rand::random_range(300..1500))).await;
            kill(kassa);
            let (round_made, round_notified) = load.await.unwrap();
            made.extend(round_made);
            notified.extend(round_notified);
        }
        let _kassa = setup.start().await;
        let db = db.unwrap();
        // PostgreSQL hands a dead server's jobs on when their leases end (30 s).
        drained(&db, Duration::from_secs(120)).await;

        let mut paid = 0;
        let mut statuses: HashMap<&str, usize> = HashMap::new();
        for code in &made {
            let (status, kinds) = kinds(&db, code).await;
            *statuses.entry(status.as_str()).or_default() += 1;
            if notified.contains(code) {
                assert_eq!(status, PaymentStatus::Paid, "{code}: {kinds:?}");
            }
            if status == PaymentStatus::Paid {
                paid += 1;
                assert_eq!(count(&kinds, "verified"), 1, "moved once: {kinds:?}");
            }
        }
        receipts_are_gapless(&db, paid).await;
        // Every paid payment's two e-mails arrived; one sent again after a kill carries its
        // first Message-ID, so the copies are counted, not missed.
        let messages = smtp.messages();
        let mut ids: HashMap<String, usize> = HashMap::new();
        for m in &messages {
            *ids.entry(m.message_id.clone()).or_default() += 1;
        }
        assert_eq!(ids.len(), 2 * paid, "two e-mails per paid payment");
        let resent: usize = ids.values().map(|n| n - 1).sum();
        eprintln!(
            "{ROUNDS} kills on {}: {} payments made {statuses:?}, {} IPNs answered, {} jobs taken up again \
             after a kill (idempotent: their effects happened once), {} e-mails, {resent} sent again \
             with the same Message-ID",
            setup.database_url.split(':').next().unwrap_or_default(),
            made.len(),
            notified.len(),
            reruns(&db).await,
            ids.len(),
        );
        assert!(notified.len() >= ROUNDS, "the load reached the server");
    }
}

/// SIGKILL: the process dies at once, mid-request and mid-transaction.
fn kill(mut kassa: Kassa) {
    kassa.child.kill().unwrap();
    kassa.child.wait().unwrap();
}
