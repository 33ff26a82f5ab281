//! Nothing answered is lost: the `kassa` binary, killed with SIGKILL after it answered a
//! PayPal IPN 200 and before it could verify it (PayPal's post-back address accepts the
//! connection and never answers), verifies it after a restart. PayPal would never send it
//! again (Payments Standard has no status call), so before the inbox the payment stayed
//! unpaid forever.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::provider::{HeldProvider, Order, pay_form};
use engine::checkout::{Checkout, Submitted};
use engine::connectors::{Connectors, SandboxUrls};
use engine::db::{Db, methods, payments, stores};
use engine::secrets::SecretKey;
use engine::status::PaymentStatus;
use server::demo::EU_SLUG;
use server::sim::paypal::DEMO_ACCOUNT_ID;

/// One run of the binary.
struct Kassa {
    child: Child,
    base: String,
}

impl Drop for Kassa {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where and how the binary runs: the same for both of its lives.
struct Setup {
    dir: std::path::PathBuf,
    port: u16,
    database_url: String,
    secret: String,
    paypal: String,
}

impl Setup {
    async fn start(&self) -> Kassa {
        let base = format!("http://127.0.0.1:{}", self.port);
        let child = Command::new(env!("CARGO_BIN_EXE_kassa"))
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{}", self.port))
            .env("LEPTOS_SITE_ROOT", &self.dir)
            .env("LEPTOS_OUTPUT_NAME", "kassa")
            .env("DATABASE_URL", &self.database_url)
            .env("KASSA_DATA_DIR", &self.dir)
            .env("KASSA_SECRET_KEY", &self.secret)
            .env("KASSA_SANDBOX", "1")
            .env("KASSA_PAYPAL_SANDBOX_URL", &self.paypal)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("the kassa binary starts");
        let kassa = Kassa { child, base };
        for _ in 0..300 {
            if let Ok(page) = reqwest::get(format!("{}/track", kassa.base)).await
                && page.status().is_success()
            {
                return kassa;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("kassa did not start on {}", kassa.base);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts a PayPal payment at the demo EU store, as the checkout does (no call to PayPal).
async fn started(setup: &Setup, db: &Db, base: &str) -> String {
    let key = SecretKey::parse(&setup.secret).unwrap();
    let sandbox = SandboxUrls {
        zarinpal: String::new(),
        payme: String::new(),
        paypal: setup.paypal.clone(),
        mypos: String::new(),
        everypay: String::new(),
    };
    let checkout = Checkout::new(db.clone(), Connectors::new(sandbox, None, key), base);
    let store = stores::by_slug(db, EU_SLUG).await.unwrap().unwrap();
    let method = methods::list_all(db, store.id)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.provider == "paypal")
        .unwrap();
    let order = Order {
        payer: "Anna Berzina",
        amount: "120.50",
        description: "Order 23",
    };
    match checkout
        .submit(EU_SLUG, &pay_form(method.id, "crash", &order))
        .await
        .unwrap()
    {
        Submitted::ToProvider { code } => code,
        other => panic!("PayPal takes the payment: {other:?}"),
    }
}

#[tokio::test]
async fn an_ipn_answered_before_a_crash_is_verified_after_the_restart() {
    for database in common::database_urls().await {
        let dir = std::env::temp_dir().join(format!("kassa-crash-{:016x}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        let paypal = HeldProvider::start("VERIFIED").await;
        let mut paypal = paypal;
        let setup = Setup {
            database_url: database
                .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", dir.join("kassa.db").display())),
            dir,
            port: free_port(),
            secret: "ab".repeat(32),
            paypal: paypal.url.clone(),
        };
        let kassa = setup.start().await;
        let db = Db::connect(&setup.database_url).await.unwrap();
        let code = started(&setup, &db, &kassa.base).await;

        let ipn = format!(
            "mc_gross=120.50&invoice={code}&payment_status=Completed&charset=UTF-8\
             &txn_id=9CR45H00000000000&receiver_id={DEMO_ACCOUNT_ID}&mc_currency=EUR&test_ipn=1"
        );
        let answer = reqwest::Client::new()
            .post(format!("{}/notify/paypal", kassa.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(ipn)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "PayPal is answered at once");
        // Kassa is asking PayPal to confirm it: the answer never comes, the server dies.
        paypal.arrived().await;
        drop(kassa);
        let status = |db: Db, code: String| async move {
            let p = payments::public_lookup(&db, &code).await.unwrap().unwrap();
            (
                p.status,
                payments::events(&db, p.store_id, p.id).await.unwrap(),
            )
        };
        assert_eq!(
            status(db.clone(), code.clone()).await.0,
            PaymentStatus::Created
        );

        // PayPal's post-back answers again; the restarted server finishes the work.
        paypal.release(100);
        let _kassa = setup.start().await;
        let mut settled = None;
        for _ in 0..600 {
            let (now, events) = status(db.clone(), code.clone()).await;
            if now == PaymentStatus::Paid {
                settled = Some(events);
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let events = settled.expect("the payment is paid after the restart");
        let verified = events.iter().filter(|e| e.kind == "verified").count();
        assert_eq!(verified, 1);
    }
}

/// SIGTERM (a deploy, `docker stop`): the server finishes what it was doing and exits
/// cleanly, instead of being killed mid-work after the grace period.
#[tokio::test]
async fn sigterm_stops_the_server_cleanly() {
    let dir = std::env::temp_dir().join(format!("kassa-term-{:016x}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let setup = Setup {
        database_url: format!("sqlite://{}?mode=rwc", dir.join("kassa.db").display()),
        dir,
        port: free_port(),
        secret: "cd".repeat(32),
        paypal: "http://127.0.0.1:9".into(),
    };
    let mut kassa = setup.start().await;
    let terminated = Command::new("kill")
        .args(["-TERM", &kassa.child.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
    for _ in 0..100 {
        if let Some(status) = kassa.child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("kassa did not stop within 10 s of SIGTERM");
}
