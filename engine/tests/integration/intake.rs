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

async fn budget(db: &Db, address: &str) -> (i64, i64) {
    sqlx::query_as(
        "SELECT messages, bytes FROM message_budgets \
         WHERE subject = $1 AND window_start = (SELECT MAX(window_start) FROM message_budgets)",
    )
    .bind(format!("address {address}"))
    .fetch_one(db.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn a_batch_of_believed_messages_gives_each_sender_back_its_own() {
    for db in crate::common::databases().await {
        clear_of_a_window_edge().await;
        let payments = slips(&db, "intake-refund", 3).await;
        let now = engine::time::now_millis();
        let (a, b) = ("203.0.113.1", "203.0.113.2");
        // Nine messages, the two senders interleaved: a's are 100, 102, …, 108 bytes.
        let messages: Vec<engine::intake::Message> = (0..9)
            .map(|i| engine::intake::Message {
                payment: payments[i % 3].id,
                address: if i % 2 == 0 { a } else { b },
                bytes: 100 + i,
                now,
            })
            .collect();
        let mut tx = db.begin().await.unwrap();
        let tickets = engine::intake::charge_all(&mut tx, &messages)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(budget(&db, a).await, (5, 520));
        assert_eq!(budget(&db, b).await, (4, 416));

        // All but a's last verified, in one batch: a keeps that one, b owes nothing.
        let believed: Vec<&engine::intake::Ticket> = tickets[..8].iter().collect();
        let mut tx = db.begin().await.unwrap();
        engine::intake::believed_all(&mut tx, &believed)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(budget(&db, a).await, (1, 108));
        assert_eq!(budget(&db, b).await, (0, 0));
    }
}

#[tokio::test]
async fn a_batch_of_arrivals_gives_each_its_own_row_and_job() {
    use engine::db::inbox::{Arrival, receive_all};
    for db in crate::common::databases().await {
        let bodies: Vec<String> = (0..5).map(|i| format!("txn_id=batch-{i}")).collect();
        let codes: Vec<String> = (0..5).map(|i| format!("code-{i}")).collect();
        let arrivals: Vec<_> = (0..5)
            .map(|i| {
                let arrival = Arrival {
                    provider: "paypal",
                    code: &codes[i],
                    body: bodies[i].as_bytes(),
                    address: "203.0.113.9",
                    ticket: "null",
                };
                // The third is held by the request that verifies it itself.
                (arrival, (i == 2).then(|| ("worker-a".to_string(), 1)))
            })
            .collect();
        let mut tx = db.begin().await.unwrap();
        let jobs = receive_all(&mut tx, &arrivals, 1_000).await.unwrap();
        tx.commit().await.unwrap();

        assert_eq!(jobs.len(), 5);
        for (i, job) in jobs.iter().enumerate() {
            let inbox: i64 = job.key.strip_prefix("inbox:").unwrap().parse().unwrap();
            assert_eq!(job.payload, format!(r#"{{"inbox":{inbox},"ticket":null}}"#));
            let (code, body): (String, String) =
                sqlx::query_as("SELECT code, body FROM inbox WHERE id = $1")
                    .bind(inbox)
                    .fetch_one(db.pool())
                    .await
                    .unwrap();
            assert_eq!(code, codes[i], "arrival {i}");
            let body = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, body);
            assert_eq!(body.unwrap(), bodies[i].as_bytes());
            let (worker,): (Option<String>,) =
                sqlx::query_as("SELECT worker FROM jobs WHERE id = $1")
                    .bind(job.id)
                    .fetch_one(db.pool())
                    .await
                    .unwrap();
            assert_eq!(worker.as_deref(), (i == 2).then_some("worker-a"));
        }
    }
}
