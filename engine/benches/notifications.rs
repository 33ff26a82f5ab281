//! `make bench`: how many provider notifications the release server accepts and persists per
//! second (each written to the inbox with its verification job before it is answered 200),
//! and how fast its workers verify them, on SQLite and, when `KASSA_TEST_POSTGRES` names a
//! server, on PostgreSQL.
//!
//! Runs `target/release/kassa` (`make build-release`; or `KASSA_BIN`) in sandbox mode on a
//! fresh database, starts PayPal payments at its demo EU store, and posts PayPal IPNs from
//! 64 connections at once, each from a sender of its own (`X-Forwarded-For`), five copies
//! per payment (as PayPal resends), so the message budgets (`engine::intake`) let all of
//! them in. Three runs per database (the bench's arguments may name some of `intake`, `burst`,
//! `paced`, `sqlite`, `postgres` to measure only those):
//! - **intake**: PayPal's post-back accepts connections and never answers, so the workers'
//!   verifications wait and what is measured is intake alone;
//! - **burst**: the post-back answers `VERIFIED` at once; measured until every message is
//!   verified (the first copy pays its payment, the others are recorded as copies), then
//!   **receipted**: payments per second until every one has its receipt and both e-mails
//!   (the payer's with the PDF, the merchant's) are in the sandbox's mailbox;
//! - **paced**: the post-back answers, and the messages are offered at `PACE` a second (the
//!   rate the issue aimed at) rather than as fast as the server takes them: whether the
//!   verification keeps up at that rate, read as the most messages waiting for verification at
//!   any moment (sampled every 50 ms) and how long after the last message was answered the
//!   last was verified. The other rows show the same two for a burst.

#[path = "../tests/common/mod.rs"]
mod common;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use engine::checkout::{Checkout, CheckoutForm, Submitted};
use engine::connectors::{Connectors, Sandbox};
use engine::db::{Db, methods, stores};
use engine::secrets::SecretKey;

const PAYMENTS: usize = 2_000;
const PER_PAYMENT: usize = 5;
const CONNECTIONS: usize = 64;
/// Messages a second offered in the paced run.
const PACE: u32 = 2_000;
/// What the binary seeds in sandbox mode (`server::demo`).
const STORE: &str = "demo-eu";
const PAYPAL_ACCOUNT: &str = "KASSADEMOPP01";
const SECRET: &str = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";

#[tokio::main]
async fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let binary = std::env::var("KASSA_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| root.join("target/release/kassa"));
    assert!(
        binary.exists(),
        "{} is missing: run `make build-release` first",
        binary.display()
    );
    println!(
        "\n{:<10} {:<9} {:>9} {:>9} {:>11} {:>7} {:>11} {:>11} {:>12} {:>12}",
        "database",
        "post-back",
        "offered/s",
        "messages",
        "accepted/s",
        "stored",
        "verified/s",
        "max waiting",
        "last after",
        "receipted/s"
    );
    let named: Vec<String> = std::env::args().skip(1).collect();
    let wanted = |names: &[&str], name: &str| {
        !named.iter().any(|n| names.contains(&n.as_str())) || named.iter().any(|n| n == name)
    };
    let runs = [
        (Run::Intake, "intake"),
        (Run::Burst, "burst"),
        (Run::Paced, "paced"),
    ];
    let run_names = runs.map(|(_, name)| name);
    for (run, name) in runs {
        if !wanted(&run_names, name) {
            continue;
        }
        let paypal = paypal_standin(run != Run::Intake).await;
        for url in common::database_urls().await {
            let database = url.split(':').next().unwrap_or_default();
            if wanted(&["sqlite", "postgres"], database) {
                measure(&binary, &root, &url, &paypal, run).await;
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Run {
    /// The post-back never answers: intake alone.
    Intake,
    /// The post-back answers; messages as fast as the server answers them.
    Burst,
    /// The post-back answers; messages offered at `PACE` a second.
    Paced,
}

/// One run on a fresh database `url`, PayPal's post-back at `paypal`.
async fn measure(
    binary: &std::path::Path,
    root: &std::path::Path,
    url: &str,
    paypal: &str,
    run: Run,
) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = std::env::temp_dir().join(format!("kassa-bench-{port}"));
    std::fs::create_dir_all(&dir).unwrap();
    let mut server = Command::new(binary)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_SITE_ROOT", root.join("target/site"))
        .env("LEPTOS_OUTPUT_NAME", "kassa")
        .env("DATABASE_URL", url)
        .env("KASSA_DATA_DIR", &dir)
        .env("KASSA_SECRET_KEY", SECRET)
        .env("KASSA_SANDBOX", "1")
        .env("KASSA_PAYPAL_SANDBOX_URL", paypal)
        .env("KASSA_TRUST_FORWARDED", "1")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .spawn()
        .expect("the release binary starts");
    let base = format!("http://127.0.0.1:{port}");
    wait_for(&base).await;
    let db = Db::connect(url).await.unwrap();
    let codes = payments(&db, &base, paypal).await;
    // The payments are made in-process; their customers would have opened the store's page,
    // which keeps its methods on the server (`checkout::storefront`).
    let page = reqwest::get(format!("{base}/s/{STORE}/openpay"))
        .await
        .unwrap();
    assert!(page.status().is_success());
    let pace = (run == Run::Paced).then_some(PACE);
    let waiting = Waiting::watch(&db);
    let started = Instant::now();
    let sent = post_all(&base, &codes, pace).await;
    let accepted = started.elapsed().as_secs_f64();
    let (stored,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM inbox")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let [verified, most, after, receipted] = if run == Run::Intake {
        waiting.stop();
        ["-", "-", "-", "-"].map(str::to_owned)
    } else {
        verified(&db, &codes).await;
        let all = started.elapsed().as_secs_f64();
        let most = waiting.stop();
        let verified = format!("{:.0}", sent as f64 / all);
        let after = format!("{:.0} ms", (all - accepted) * 1000.0);
        receipted(&db, codes.len()).await;
        let receipted = format!(
            "{:.0}",
            codes.len() as f64 / started.elapsed().as_secs_f64()
        );
        [verified, most.to_string(), after, receipted]
    };
    let name = url.split(':').next().unwrap_or_default();
    let postback = if run == Run::Intake {
        "silent"
    } else {
        "answers"
    };
    let offered = pace.map_or("all".to_owned(), |p| p.to_string());
    println!(
        "{name:<10} {postback:<9} {offered:>9} {sent:>9} {:>11.0} {stored:>7} {verified:>11} \
         {most:>11} {after:>12} {receipted:>12}",
        sent as f64 / accepted
    );
    let _ = server.kill();
    let _ = server.wait();
}

/// The most messages waiting for verification (queued or being verified) at any sample.
struct Waiting {
    most: Arc<std::sync::atomic::AtomicI64>,
    task: tokio::task::JoinHandle<()>,
}

impl Waiting {
    fn watch(db: &Db) -> Self {
        let most = Arc::new(std::sync::atomic::AtomicI64::new(0));
        let (db, seen) = (db.clone(), most.clone());
        let task = tokio::spawn(async move {
            loop {
                let now = count(&db, &open_jobs("'verify_notification'")).await;
                seen.fetch_max(now, std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
        Self { most, task }
    }

    fn stop(self) -> i64 {
        self.task.abort();
        self.most.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Waits until no notification waits for verification, then checks every payment is paid.
async fn verified(db: &Db, codes: &[String]) {
    drained(db, "'verify_notification'").await;
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM payments WHERE status = 'paid'").await,
        codes.len() as i64,
        "every payment is paid"
    );
}

/// Waits until every paid payment has its receipt and its two e-mails (the payer's, with the
/// receipt's PDF, and the merchant's) are in the sandbox's mailbox.
async fn receipted(db: &Db, payments: usize) {
    drained(
        db,
        "'issue_receipt', 'mail_payer_receipt', 'mail_merchant_paid'",
    )
    .await;
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM receipts").await,
        payments as i64
    );
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM sandbox_mail").await,
        2 * payments as i64,
        "every payer and the merchant got their e-mail"
    );
}

/// Waits until no job of the `kinds` (a quoted SQL list) is queued or running.
async fn drained(db: &Db, kinds: &str) {
    let open = open_jobs(kinds);
    while count(db, &open).await > 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// How many jobs of the `kinds` (a quoted SQL list) are queued or running.
fn open_jobs(kinds: &str) -> String {
    format!("SELECT COUNT(*) FROM jobs WHERE kind IN ({kinds}) AND state IN ('queued', 'running')")
}

async fn count(db: &Db, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(db.pool()).await.unwrap();
    n
}

/// PayPal's post-back address: one that accepts connections and never answers, or one that
/// answers every post-back `VERIFIED` (HTTP/1.1 with keep-alive, as reqwest speaks it).
async fn paypal_standin(verifying: bool) -> String {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            if !verifying {
                held.push(socket);
                continue;
            }
            tokio::spawn(async move {
                let mut socket = BufReader::new(socket);
                loop {
                    let mut length = 0;
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if socket.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        if line == "\r\n" {
                            break;
                        }
                        if let Some((name, value)) = line.split_once(':')
                            && name.eq_ignore_ascii_case("content-length")
                        {
                            length = value.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0; length];
                    if socket.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    let answer = "HTTP/1.1 200 OK\r\ncontent-length: 8\r\n\r\nVERIFIED";
                    if socket.get_mut().write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

async fn wait_for(base: &str) {
    for _ in 0..600 {
        if reqwest::get(format!("{base}/track"))
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("kassa did not start on {base}");
}

/// Starts `PAYMENTS` PayPal payments as the checkout does.
async fn payments(db: &Db, base: &str, paypal: &str) -> Vec<String> {
    let sandbox = Sandbox::under("http://127.0.0.1:9").with("paypal", paypal);
    let key = SecretKey::parse(SECRET).unwrap();
    let checkout = Checkout::new(db.clone(), Connectors::new(sandbox, None, key), base);
    let store = stores::by_slug(db, STORE).await.unwrap().unwrap();
    let method = methods::list_all(db, store.id)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.provider == "paypal")
        .unwrap();
    let mut codes = Vec::new();
    for i in 0..PAYMENTS {
        let form = CheckoutForm {
            key: format!("bench-{i}"),
            payer_name: "Anna Berzina".into(),
            mobile: "+37120000000".into(),
            email: "anna@example.com".into(),
            amount: "120.50".into(),
            method: format!("gateway:{}", method.id),
            ..CheckoutForm::default()
        };
        match checkout.submit(STORE, &form).await.unwrap() {
            Submitted::ToProvider { code } => codes.push(code),
            other => panic!("PayPal takes the payment: {other:?}"),
        }
    }
    codes
}

/// Posts every IPN from `CONNECTIONS` senders at once, as fast as they are answered or, with a
/// `pace`, message `i` not before `i / pace` seconds: how many were answered 200.
async fn post_all(base: &str, codes: &[String], pace: Option<u32>) -> usize {
    let messages: Arc<Vec<String>> = Arc::new(
        (0..PER_PAYMENT)
            .flat_map(|_| {
                codes.iter().map(move |code| {
                    format!(
                        "mc_gross=120.50&invoice={code}&payment_status=Completed&charset=UTF-8\
                         &txn_id=BENCH{code}&receiver_id={PAYPAL_ACCOUNT}&mc_currency=EUR&test_ipn=1"
                    )
                })
            })
            .collect(),
    );
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let http = reqwest::Client::new();
    let start = tokio::time::Instant::now();
    let senders: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (messages, next, http) = (messages.clone(), next.clone(), http.clone());
            let url = format!("{base}/notify/paypal");
            tokio::spawn(async move {
                let mut accepted = 0;
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(ipn) = messages.get(i) else {
                        return accepted;
                    };
                    if let Some(pace) = pace {
                        let due = Duration::from_secs(1) * i as u32 / pace;
                        tokio::time::sleep_until(start + due).await;
                    }
                    let answer = http
                        .post(&url)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .header(
                            "x-forwarded-for",
                            format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255),
                        )
                        .body(ipn.clone())
                        .send()
                        .await
                        .expect("an answer");
                    assert_eq!(
                        answer.status(),
                        200,
                        "{}",
                        answer.text().await.unwrap_or_default()
                    );
                    accepted += 1;
                }
            })
        })
        .collect();
    let mut accepted = 0;
    for sender in senders {
        accepted += sender.await.unwrap();
    }
    accepted
}
