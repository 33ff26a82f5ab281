//! Writers on SQLite take turns in the process (`Db::turn`) before asking the file: one waiting
//! for another's commit holds no pool connection and sleeps in no busy handler, so reads go on
//! while writers queue, and every writer commits in its turn.

use std::time::Duration;

use engine::db::jobs::{self, NewJob};
use engine::time::now_millis;

fn job(key: String) -> NewJob {
    NewJob {
        kind: "test".into(),
        key,
        payload: String::new(),
        run_at: now_millis(),
        held: None,
    }
}

#[tokio::test]
async fn waiting_writers_leave_the_readers_their_connections() {
    for db in crate::common::databases().await {
        let mut first = db.begin().await.unwrap();
        jobs::enqueue(&mut first, &job("first".into()), now_millis())
            .await
            .unwrap();
        // More writers than the SQLite pool has connections, all waiting for the first.
        let writers: Vec<_> = (0..6)
            .map(|i| {
                let db = db.clone();
                tokio::spawn(async move {
                    let mut tx = db.begin().await.unwrap();
                    jobs::enqueue(&mut tx, &job(format!("w{i}")), now_millis())
                        .await
                        .unwrap();
                    tx.commit().await.unwrap();
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(200)).await;
        let read = sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM jobs").fetch_one(db.pool());
        tokio::time::timeout(Duration::from_secs(2), read)
            .await
            .expect("a read is not starved by waiting writers")
            .unwrap();
        first.commit().await.unwrap();
        for writer in writers {
            writer.await.unwrap();
        }
        let (all,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM jobs")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(all, 7);
    }
}

/// A single write outside a transaction (a toggle, a purge, a session's last-seen time) waits
/// for its turn however long the writers before it take: outside the turn it slept in SQLite's
/// busy handler and failed after the busy timeout (5 s) when the file never came free.
#[tokio::test]
async fn a_single_write_waits_for_its_turn_past_the_busy_timeout() {
    for db in crate::common::databases().await {
        let store = crate::common::store(&db, "turns").await;
        let mut long = db.begin().await.unwrap();
        jobs::enqueue(&mut long, &job(format!("long-{}", store.id)), now_millis())
            .await
            .unwrap();
        let writes = {
            let db = db.clone();
            tokio::spawn(async move {
                engine::db::stores::set_maintenance(&db, store.id, true).await?;
                engine::housekeeping::purge(&db, now_millis()).await?;
                Ok::<_, engine::db::DbError>(())
            })
        };
        tokio::time::sleep(Duration::from_millis(5500)).await;
        long.commit().await.unwrap();
        writes
            .await
            .unwrap()
            .expect("the writes waited for the long transaction");
        let store = engine::db::stores::by_id(&db, store.id)
            .await
            .unwrap()
            .unwrap();
        assert!(store.maintenance);
    }
}
