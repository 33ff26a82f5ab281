//! Nothing answered is lost: the `kassa` binary, killed with SIGKILL after it answered a
//! PayPal IPN 200 and before it could verify it (PayPal's post-back address accepts the
//! connection and never answers), verifies it after a restart. PayPal would never send it
//! again (Payments Standard has no status call), so before the inbox the payment stayed
//! unpaid forever.

use std::process::Command;
use std::time::Duration;

use crate::common::binary::{Setup, paid_ipn, paypal_payment, post_ipn};
use crate::common::provider::HeldProvider;
use engine::db::{Db, payments};
use engine::status::PaymentStatus;

#[tokio::test]
async fn an_ipn_answered_before_a_crash_is_verified_after_the_restart() {
    for database in crate::common::database_urls().await {
        let mut paypal = HeldProvider::start("VERIFIED").await;
        let setup = Setup::new("crash", database, &paypal.url);
        let kassa = setup.start().await;
        let db = Db::connect(&setup.database_url).await.unwrap();
        let code = paypal_payment(&setup.checkout(&db, &kassa.base), "crash").await;

        let answer = post_ipn(
            &reqwest::Client::new(),
            &kassa.base,
            "173.0.82.126",
            paid_ipn(&code, "9CR45H00000000000"),
        )
        .await;
        assert_eq!(answer, Some(200), "PayPal is answered at once");
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
    let setup = Setup::new("term", None, "http://127.0.0.1:9");
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
