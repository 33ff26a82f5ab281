//! The job queue on SQLite and PostgreSQL: enqueueing is idempotent per key, a claim holds a
//! job until its lease ends, failures are retried with backoff up to a cap and then dead,
//! a stopping server hands its jobs back, and several queues sharing one database under load
//! run every job exactly once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use engine::db::Db;
use engine::db::jobs::{self, NewJob};
use engine::jobs::{Handlers, LEASE, MAX_ATTEMPTS, Queue};
use engine::time::now_millis;

fn job(kind: &str, key: &str) -> NewJob {
    NewJob {
        kind: kind.into(),
        key: key.into(),
        payload: format!("payload of {key}"),
        run_at: now_millis(),
        held: None,
    }
}

async fn enqueue(db: &Db, new: &NewJob) -> Option<i64> {
    let mut tx = db.begin().await.unwrap();
    let id = jobs::enqueue(&mut tx, new, now_millis()).await.unwrap();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn a_batch_claim_takes_at_most_its_limit_oldest_first() {
    for db in crate::common::databases().await {
        for i in 0..10 {
            enqueue(&db, &job("test", &format!("k{i:02}"))).await;
        }
        let now = now_millis();
        let first = jobs::claim_many(&db, "a", now, now + LEASE, 4, &[])
            .await
            .unwrap();
        let keys: Vec<&str> = first.iter().map(|j| j.key.as_str()).collect();
        assert_eq!(keys, ["k00", "k01", "k02", "k03"]);
        let rest = jobs::claim_many(&db, "b", now, now + LEASE, 100, &[])
            .await
            .unwrap();
        assert_eq!(rest.len(), 6);
        assert!(rest.iter().all(|j| j.attempts == 1 && !first.contains(j)));
        assert!(
            jobs::claim_many(&db, "c", now, now + LEASE, 100, &[])
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn a_batch_claim_takes_run_out_leases_and_queued_jobs_in_one_order() {
    for db in crate::common::databases().await {
        let now = now_millis();
        for i in 0..6 {
            let new = NewJob {
                run_at: now - 1_000 + i,
                ..job("test", &format!("k{i}"))
            };
            enqueue(&db, &new).await;
        }
        let not_due = NewJob {
            run_at: now + 10 * LEASE,
            ..job("test", "later")
        };
        enqueue(&db, &not_due).await;
        let keys = |jobs: &[jobs::Job]| jobs.iter().map(|j| j.key.clone()).collect::<Vec<_>>();
        let held = jobs::claim_many(&db, "dies", now, now + LEASE, 2, &[])
            .await
            .unwrap();
        assert_eq!(keys(&held), ["k0", "k1"]);
        // The first worker died: its run-out leases come first, being the oldest work.
        let after = now + LEASE + 1;
        let next = jobs::claim_many(&db, "b", after, after + LEASE, 3, &[])
            .await
            .unwrap();
        assert_eq!(keys(&next), ["k0", "k1", "k2"]);
        assert_eq!(next[0].attempts, 2);
        let rest = jobs::claim_many(&db, "c", after, after + LEASE, 100, &[])
            .await
            .unwrap();
        assert_eq!(keys(&rest), ["k3", "k4", "k5"], "a job not yet due waits");
    }
}

// The kinds that go first are claimed before older jobs of other kinds; among themselves,
// and after them the rest, oldest first; a run-out lease is claimed again with the rest.
#[tokio::test]
async fn kinds_that_go_first_are_claimed_before_older_jobs() {
    for db in crate::common::databases().await {
        let now = now_millis();
        for (i, (kind, key)) in [
            ("effect", "e0"),
            ("verify", "v0"),
            ("effect", "e1"),
            ("poll", "p0"),
            ("verify", "v1"),
            ("effect", "e2"),
        ]
        .into_iter()
        .enumerate()
        {
            let new = NewJob {
                run_at: now - 1_000 + i as i64,
                ..job(kind, key)
            };
            enqueue(&db, &new).await;
        }
        let keys = |jobs: &[jobs::Job]| jobs.iter().map(|j| j.key.clone()).collect::<Vec<_>>();
        let first = ["verify", "poll"];
        let held = jobs::claim_many(&db, "dies", now, now + LEASE, 2, &first)
            .await
            .unwrap();
        assert_eq!(keys(&held), ["v0", "p0"]);
        let next = jobs::claim_many(&db, "b", now, now + 10 * LEASE, 2, &first)
            .await
            .unwrap();
        assert_eq!(keys(&next), ["e0", "v1"]);
        let after = now + LEASE + 1;
        let rest = jobs::claim_many(&db, "c", after, after + LEASE, 100, &first)
            .await
            .unwrap();
        assert_eq!(keys(&rest), ["v0", "e1", "p0", "e2"]);
    }
}

#[tokio::test]
async fn a_key_is_enqueued_once_and_a_lease_holds_it() {
    for db in crate::common::databases().await {
        assert!(enqueue(&db, &job("test", "k1")).await.is_some());
        assert!(enqueue(&db, &job("test", "k1")).await.is_none());
        // A job enqueued in a transaction that rolls back never existed.
        let mut tx = db.begin().await.unwrap();
        jobs::enqueue(&mut tx, &job("test", "k2"), now_millis())
            .await
            .unwrap();
        tx.rollback().await.unwrap();

        let now = now_millis();
        let claimed = jobs::claim(&db, "a", now, now + LEASE)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((claimed.key.as_str(), claimed.attempts), ("k1", 1));
        assert_eq!(jobs::claim(&db, "b", now, now + LEASE).await.unwrap(), None);
        // Its worker died: once the lease has run out, another claims it.
        let later = now + LEASE + 1;
        let again = jobs::claim(&db, "b", later, later + LEASE)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((again.id, again.attempts), (claimed.id, 2));
        // The first worker's late outcome no longer counts.
        assert!(!jobs::finish(&db, &claimed, "a", later).await.unwrap());
        assert!(jobs::finish(&db, &again, "b", later).await.unwrap());
        let states = jobs::of_kind(&db, "test").await.unwrap();
        assert_eq!(states.len(), 1);
        assert_eq!(states[0].state, "done");
    }
}

#[tokio::test]
async fn failures_are_retried_with_backoff_then_dead() {
    for db in crate::common::databases().await {
        enqueue(&db, &job("flaky", "f1")).await;
        let mut handlers = Handlers::default();
        handlers.on("flaky", |job| async move {
            Err::<(), _>(format!("attempt {} failed", job.attempts))
        });
        let queue = Queue::new(db.clone(), handlers);
        let mut now = now_millis();
        for attempt in 1..=MAX_ATTEMPTS {
            let job = jobs::claim(&db, queue.worker(), now, now + LEASE)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("attempt {attempt} is due"));
            queue
                .finish(&job, Err(format!("attempt {attempt} failed")))
                .await;
            // Not due again at once.
            let soon = now_millis() + 1_000;
            assert_eq!(
                jobs::claim(&db, "x", soon, soon + LEASE).await.unwrap(),
                None
            );
            now = now_millis() + 2 * 60 * 60 * 1000;
        }
        let dead = &jobs::of_kind(&db, "flaky").await.unwrap()[0];
        assert_eq!(dead.state, "dead");
        assert_eq!(dead.attempts, MAX_ATTEMPTS);
        assert_eq!(dead.last_error.as_deref(), Some("attempt 10 failed"));
        assert_eq!(jobs::claim(&db, "x", now, now + LEASE).await.unwrap(), None);
    }
}

#[tokio::test]
async fn a_stopping_server_hands_its_jobs_back() {
    for db in crate::common::databases().await {
        enqueue(&db, &job("test", "r1")).await;
        let now = now_millis();
        jobs::claim(&db, "stopping", now, now + LEASE)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(jobs::release(&db, "stopping").await.unwrap(), 1);
        let next = jobs::claim(&db, "other", now, now + LEASE)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((next.key.as_str(), next.attempts), ("r1", 1));
    }
}

/// Handlers for jobs of `kind` that count each key's runs in `runs`.
fn counting(kind: &str, runs: &Arc<Mutex<HashMap<String, usize>>>) -> Handlers {
    let mut handlers = Handlers::default();
    let runs = runs.clone();
    handlers.on(kind, move |job| {
        let runs = runs.clone();
        async move {
            *runs.lock().unwrap().entry(job.key).or_default() += 1;
            Ok(())
        }
    });
    handlers
}

/// Two servers' queues on PostgreSQL (one on SQLite, which one process owns), eight loops
/// each, drain 300 jobs enqueued while they run: each job's handler runs exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn queues_sharing_a_database_run_each_job_once() {
    for db in crate::common::databases().await {
        let runs: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let mut stops = Vec::new();
        let mut servers = Vec::new();
        let servers_sharing = match db.backend() {
            engine::db::Backend::Postgres => 2,
            engine::db::Backend::Sqlite => 1,
        };
        for _ in 0..servers_sharing {
            let queue = Queue::new(db.clone(), counting("count", &runs));
            let (stop, stopping) = tokio::sync::watch::channel(false);
            let running = queue.clone();
            servers.push(tokio::spawn(async move { running.run(stopping).await }));
            stops.push((stop, queue));
        }
        for i in 0..300 {
            enqueue(&db, &job("count", &format!("c{i}"))).await;
            stops[i % stops.len()].1.wake();
        }
        for _ in 0..200 {
            let done = jobs::of_kind(&db, "count").await.unwrap();
            if done.iter().all(|j| j.state == "done") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        for (stop, _) in &stops {
            stop.send(true).unwrap();
        }
        for server in servers {
            server.await.unwrap();
        }
        let runs = runs.lock().unwrap();
        assert_eq!(runs.len(), 300);
        assert!(runs.values().all(|&n| n == 1), "{runs:?}");
    }
}

/// Jobs written held by this server (`Queue::hold`, as a notification's verification is) run
/// when handed to its workers, though no claim could take them while their leases hold: more
/// than the workers' places at once, each once. Written before the workers start, they are
/// not mistaken for a dead process's at start-up (SQLite), which would run them twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn handed_jobs_run_without_a_claim_each_once() {
    for db in crate::common::databases().await {
        let runs: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let queue = Queue::new(db.clone(), counting("handed", &runs));
        let new: Vec<NewJob> = (0..100)
            .map(|i| NewJob {
                held: Some(queue.hold()),
                ..job("handed", &format!("h{i}"))
            })
            .collect();
        let mut tx = db.begin().await.unwrap();
        let ids = jobs::enqueue_all(&mut tx, &new, now_millis())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let running = queue.clone();
        let server = tokio::spawn(async move { running.run(stopping).await });
        for (new, id) in new.into_iter().zip(ids) {
            queue.hand(jobs::Job {
                id: id.unwrap(),
                kind: new.kind,
                key: new.key,
                payload: new.payload,
                attempts: 1,
            });
        }
        // Far within the leases (30 s), after which a claim could take them.
        for _ in 0..100 {
            let states = jobs::of_kind(&db, "handed").await.unwrap();
            if states.iter().all(|j| j.state == "done") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        stop.send(true).unwrap();
        server.await.unwrap();
        let states = jobs::of_kind(&db, "handed").await.unwrap();
        assert!(
            states.iter().all(|j| j.state == "done" && j.attempts == 1),
            "{states:?}"
        );
        let runs = runs.lock().unwrap();
        assert_eq!(runs.len(), 100);
        assert!(runs.values().all(|&n| n == 1), "{runs:?}");
    }
}
