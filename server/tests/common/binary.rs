//! The `kassa` binary as a deployment runs it: started on a port and a database, killed with
//! SIGKILL (a crash) or stopped with SIGTERM, started again on the same database; several at
//! once on one PostgreSQL. PayPal's post-back goes to a stand-in, so an IPN can be verified
//! (or held unanswered) by any of them.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use engine::checkout::{Checkout, Submitted};
use engine::connectors::{Connectors, Sandbox};
use engine::db::{Db, methods, stores};
use engine::secrets::SecretKey;
use server::demo::EU_SLUG;
use server::sim::paypal::DEMO_ACCOUNT_ID;

use super::provider::{Order, pay_form};

/// One run of the binary; dropping it kills the process.
pub struct Kassa {
    pub child: Child,
    pub base: String,
}

impl Drop for Kassa {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where and how the binary runs: the same for each of its lives.
pub struct Setup {
    pub dir: std::path::PathBuf,
    pub port: u16,
    pub database_url: String,
    pub secret: String,
    /// PayPal's address (its IPN post-back).
    pub paypal: String,
    /// `KASSA_SMTP_URL`; without one, mail goes to the sandbox's mailbox.
    pub smtp: Option<String>,
}

impl Setup {
    /// A setup in a new directory on a free port: on `database`, or a SQLite file there.
    pub fn new(name: &str, database: Option<String>, paypal: &str) -> Setup {
        let dir = std::env::temp_dir().join(format!("kassa-{name}-{:016x}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        Setup {
            database_url: database
                .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", dir.join("kassa.db").display())),
            dir,
            port: free_port(),
            secret: "ab".repeat(32),
            paypal: paypal.to_owned(),
            smtp: None,
        }
    }

    /// Another server on the same database (and key), on a port of its own.
    pub fn beside(&self) -> Setup {
        Setup {
            database_url: self.database_url.clone(),
            dir: self.dir.clone(),
            port: free_port(),
            secret: self.secret.clone(),
            paypal: self.paypal.clone(),
            smtp: self.smtp.clone(),
        }
    }

    pub async fn start(&self) -> Kassa {
        let base = format!("http://127.0.0.1:{}", self.port);
        let mut command = Command::new(env!("CARGO_BIN_EXE_kassa"));
        if let Some(smtp) = &self.smtp {
            command.env("KASSA_SMTP_URL", smtp);
        }
        let child = command
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{}", self.port))
            .env("LEPTOS_SITE_ROOT", &self.dir)
            .env("LEPTOS_OUTPUT_NAME", "kassa")
            .env("DATABASE_URL", &self.database_url)
            .env("KASSA_DATA_DIR", &self.dir)
            .env("KASSA_SECRET_KEY", &self.secret)
            .env("KASSA_SANDBOX", "1")
            .env("KASSA_PAYPAL_SANDBOX_URL", &self.paypal)
            // The tests speak for many senders through `X-Forwarded-For`.
            .env("KASSA_TRUST_FORWARDED", "1")
            // Several servers and the tests beside them share one PostgreSQL's 100 connections.
            .env("KASSA_DB_MAX_CONNECTIONS", "6")
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

    /// The checkout as the server runs it, for starting payments without a browser.
    pub fn checkout(&self, db: &Db, base: &str) -> Checkout {
        let key = SecretKey::parse(&self.secret).unwrap();
        let sandbox = Sandbox::under("http://127.0.0.1:9").with("paypal", &self.paypal);
        Checkout::new(db.clone(), Connectors::new(sandbox, None, key), base)
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The amount every PayPal test payment is for, as its IPN writes it.
pub const AMOUNT: &str = "120.50";

/// Starts a PayPal payment at the demo EU store, as the checkout does (no call to PayPal).
pub async fn paypal_payment(checkout: &Checkout, key: &str) -> String {
    let store = stores::by_slug(checkout.db(), EU_SLUG)
        .await
        .unwrap()
        .unwrap();
    let method = methods::list_all(checkout.db(), store.id)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.provider == "paypal")
        .unwrap();
    let order = Order {
        payer: "Anna Berzina",
        amount: AMOUNT,
        description: "Order 23",
    };
    match checkout
        .submit(EU_SLUG, &pay_form(method.id, key, &order))
        .await
        .unwrap()
    {
        Submitted::ToProvider { code } => code,
        other => panic!("PayPal takes the payment: {other:?}"),
    }
}

/// PayPal's IPN that the payment `code` is paid by the transaction `txn`.
pub fn paid_ipn(code: &str, txn: &str) -> String {
    format!(
        "mc_gross={AMOUNT}&invoice={code}&payment_status=Completed&charset=UTF-8\
         &txn_id={txn}&receiver_id={DEMO_ACCOUNT_ID}&mc_currency=EUR&test_ipn=1"
    )
}

/// Posts an IPN to `base` as PayPal's server `sender` does: its answer's status.
pub async fn post_ipn(
    http: &reqwest::Client,
    base: &str,
    sender: &str,
    ipn: String,
) -> Option<u16> {
    http.post(format!("{base}/notify/paypal"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-for", sender)
        .body(ipn)
        .send()
        .await
        .ok()
        .map(|answer| answer.status().as_u16())
}
