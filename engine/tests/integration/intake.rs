//! Notifications that arrive together are written together (`Checkout::take` hands them to
//! one writer, which commits a batch at a time), yet each is charged to its budgets exactly
//! as if it had come alone: the message that goes over a budget is dropped, every other one
//! is stored with its verification job.

use engine::db::Db;

use crate::effects::slips;

/// Sends every `(code, address)` at once; how many were stored.
async fn take_all(db: &Db, messages: Vec<(String, String)>) -> usize {
    let checkout = crate::common::offline_checkout(db, engine::secrets::SecretKey::generate());
    let sent: Vec<_> = messages
        .into_iter()
        .map(|(code, address)| {
            let checkout = checkout.clone();
            tokio::spawn(async move {
                checkout
                    .take(
                        &code,
                        &address,
                        Some("paypal"),
                        b"payment_status=Completed",
                        None,
                    )
                    .await
                    .expect("written or dropped")
                    .is_some()
            })
        })
        .collect();
    let mut stored = 0;
    for one in sent {
        stored += usize::from(one.await.unwrap());
    }
    stored
}

async fn count(db: &Db, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(db.pool()).await.unwrap();
    n
}

/// Waits for the next budget window if this one ends within half a minute: a burst that
/// straddles two windows is charged to both, and would let more messages in than one allows.
async fn clear_of_a_window_edge() {
    let now = engine::time::now_millis();
    let left = engine::intake::WINDOW - now.rem_euclid(engine::intake::WINDOW);
    if left < 30_000 {
        let left = u64::try_from(left).unwrap_or(0) + 100;
        tokio::time::sleep(std::time::Duration::from_millis(left)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_messages_are_charged_as_if_alone() {
    for db in crate::common::databases().await {
        clear_of_a_window_edge().await;
        // One payment, 120 senders at once: its budget takes 50.
        let one = slips(&db, "intake-one", 1).await.remove(0);
        let messages = (0..120)
            .map(|i| (one.tracking_code.clone(), format!("192.0.2.{i}")))
            .collect();
        assert_eq!(take_all(&db, messages).await, 50);
        // 40 payments, five copies each, all from one address: it is charged for 100.
        let many = slips(&db, "intake-many", 40).await;
        let messages = many
            .iter()
            .flat_map(|p| (0..5).map(|_| (p.tracking_code.clone(), "198.51.100.7".to_owned())))
            .collect();
        assert_eq!(take_all(&db, messages).await, 100);

        assert_eq!(count(&db, "SELECT COUNT(*) FROM inbox").await, 150);
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM jobs WHERE kind = 'verify_notification'"
            )
            .await,
            150
        );
        assert_eq!(
            count(
                &db,
                "SELECT CAST(SUM(dropped_messages) AS BIGINT) FROM payments"
            )
            .await,
            70 + 100
        );
        assert_eq!(
            count(
                &db,
                "SELECT messages FROM message_budgets WHERE subject = 'address 198.51.100.7'"
            )
            .await,
            200
        );
    }
}
