//! A payment's side effects are owed by its move, in the move's transaction: a payment that
//! becomes paid owes one receipt, however often or concurrently it is moved, and the receipts
//! that queues on one database issue are numbered per store without gaps or repeats.

use std::time::Duration;

use engine::checkout::{CheckoutForm, Submitted};
use engine::db::payments::{self, Change, Payment, Source};
use engine::db::{Db, cancellations, jobs, receipts};
use engine::effects;
use engine::jobs::{Handlers, Queue};
use engine::status::PaymentStatus;

/// `n` bank slips of one store, each awaiting the merchant's confirmation.
pub(crate) async fn slips(db: &Db, slug: &str, n: usize) -> Vec<Payment> {
    let store = crate::common::store(db, slug).await;
    let account = crate::common::bank_account(db, store.id).await;
    let checkout = crate::common::offline_checkout(db, engine::secrets::SecretKey::generate());
    let mut made = Vec::new();
    for i in 0..n {
        let form = CheckoutForm {
            key: format!("{slug}-{i}"),
            payer_name: "Sara".into(),
            mobile: "09121234567".into(),
            amount: "120,000".into(),
            method: "slip".into(),
            bank_account: account.to_string(),
            slip_number: format!("{}", 1000 + i),
            slip_date: "2026-01-02".into(),
            ..CheckoutForm::default()
        };
        let Ok(Submitted::Recorded { code }) = checkout.submit(slug, &form).await else {
            panic!("a slip is recorded");
        };
        made.push(checkout.payment(&code).await.unwrap());
    }
    made
}

fn decide(to: PaymentStatus) -> Change<'static> {
    Change {
        to,
        source: Source::Merchant,
        kind: "slip_decided",
        detail: None,
        bank_ref: None,
        card_pan: None,
        failure_code: None,
    }
}

fn receipt_handlers(db: &Db) -> Handlers {
    let mut handlers = Handlers::default();
    let db = db.clone();
    handlers.on(effects::RECEIPT, move |job| {
        let db = db.clone();
        async move { effects::issue_receipt(&db, &job.payload).await }
    });
    handlers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_paid_payment_owes_one_receipt_numbered_without_gaps() {
    for db in crate::common::databases().await {
        let paid = slips(&db, "receipts", 24).await;
        let rejected = slips(&db, "rejects", 1).await.remove(0);
        // Each payment confirmed by three concurrent requests: it moves once, owes once.
        let mut moves = Vec::new();
        for payment in &paid {
            for _ in 0..3 {
                let (db, payment) = (db.clone(), payment.clone());
                moves.push(tokio::spawn(async move {
                    payments::transition(&db, &payment, decide(PaymentStatus::Paid)).await
                }));
            }
        }
        for one in moves {
            one.await.unwrap().unwrap();
        }
        payments::transition(&db, &rejected, decide(PaymentStatus::Rejected))
            .await
            .unwrap();
        let owed = jobs::of_kind(&db, effects::RECEIPT).await.unwrap();
        assert_eq!(owed.len(), paid.len(), "one receipt job per paid payment");

        // Two servers' queues (one on SQLite, which one process owns) issue them while a
        // stray second run of each job's handler races them.
        let servers = match db.backend() {
            engine::db::Backend::Postgres => 2,
            engine::db::Backend::Sqlite => 1,
        };
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let running: Vec<_> = (0..servers)
            .map(|_| {
                let queue = Queue::new(db.clone(), receipt_handlers(&db));
                let stopping = stopping.clone();
                tokio::spawn(async move { queue.run(stopping).await })
            })
            .collect();
        let strays: Vec<_> = paid
            .iter()
            .map(|p| {
                let db = db.clone();
                let payload = serde_json::json!({ "store_id": p.store_id, "payment_id": p.id });
                tokio::spawn(async move { effects::issue_receipt(&db, &payload.to_string()).await })
            })
            .collect();
        for stray in strays {
            stray.await.unwrap().unwrap();
        }
        for _ in 0..100 {
            let states = jobs::of_kind(&db, effects::RECEIPT).await.unwrap();
            if states.iter().all(|j| j.state == "done") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        stop.send(true).unwrap();
        for server in running {
            server.await.unwrap();
        }
        let states = jobs::of_kind(&db, effects::RECEIPT).await.unwrap();
        assert!(states.iter().all(|j| j.state == "done"), "{states:?}");

        let issued = receipts::of_store(&db, paid[0].store_id).await.unwrap();
        let numbers: Vec<i64> = issued.iter().map(|r| r.number).collect();
        assert_eq!(numbers, (1..=24).collect::<Vec<_>>(), "gapless, no repeats");
        let mut payments_with_one: Vec<i64> = issued.iter().map(|r| r.payment_id).collect();
        payments_with_one.sort();
        payments_with_one.dedup();
        assert_eq!(
            payments_with_one.len(),
            paid.len(),
            "one receipt per payment"
        );
        for payment in &paid {
            let events = payments::events(&db, payment.store_id, payment.id)
                .await
                .unwrap();
            assert_eq!(
                events.iter().filter(|e| e.kind == "receipt_issued").count(),
                1
            );
        }
        // The rejected slip owes nothing, and the other store's numbering is its own.
        assert_eq!(
            receipts::of_payment(&db, rejected.store_id, rejected.id)
                .await
                .unwrap(),
            None
        );
        let other = slips(&db, "second-shop", 1).await.remove(0);
        payments::transition(&db, &other, decide(PaymentStatus::Paid))
            .await
            .unwrap();
        let payload = serde_json::json!({ "store_id": other.store_id, "payment_id": other.id });
        effects::issue_receipt(&db, &payload.to_string())
            .await
            .unwrap();
        let theirs = receipts::of_payment(&db, other.store_id, other.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(theirs.number, 1);
        // An unpaid payment's receipt is refused (a forged or stale job issues nothing).
        let payload =
            serde_json::json!({ "store_id": rejected.store_id, "payment_id": rejected.id });
        assert!(
            effects::issue_receipt(&db, &payload.to_string())
                .await
                .is_err()
        );
    }
}

fn reversal(p: &Payment, reference: &str, amount: i64) -> String {
    serde_json::to_string(&effects::Reversal {
        store_id: p.store_id,
        payment_id: p.id,
        reason: "paypal:refunded".into(),
        reference: reference.into(),
        amount,
    })
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn money_sent_back_cancels_a_receipt_in_the_same_series_never_beyond_it() {
    for db in crate::common::databases().await {
        let paid = slips(&db, "refunds", 6).await;
        for payment in &paid {
            payments::transition(&db, payment, decide(PaymentStatus::Paid))
                .await
                .unwrap();
        }
        // Each payment's half sent back, three copies at once, racing its receipt's job: the
        // cancellation issues the receipt first if it must.
        let mut racing = Vec::new();
        for p in &paid {
            for _ in 0..3 {
                let (db, payload) = (db.clone(), reversal(p, "R1", p.amount / 2));
                racing.push(tokio::spawn(async move {
                    effects::issue_cancellation(&db, &payload).await
                }));
            }
            let db = db.clone();
            let payload = serde_json::json!({ "store_id": p.store_id, "payment_id": p.id });
            racing.push(tokio::spawn(async move {
                effects::issue_receipt(&db, &payload.to_string()).await
            }));
        }
        for one in racing {
            one.await.unwrap().unwrap();
        }
        let store = paid[0].store_id;
        let mut numbers: Vec<i64> = receipts::of_store(&db, store)
            .await
            .unwrap()
            .iter()
            .map(|r| r.number)
            .collect();
        for p in &paid {
            let receipt = receipts::of_payment(&db, store, p.id)
                .await
                .unwrap()
                .unwrap();
            let cancelled = cancellations::of_receipt(&db, &receipt).await.unwrap();
            assert_eq!(cancelled.len(), 1, "one per provider transaction");
            assert_eq!(cancelled[0].amount, p.amount / 2);
            assert!(cancelled[0].number != receipt.number);
            numbers.push(cancelled[0].number);
        }
        numbers.sort();
        assert_eq!(numbers, (1..=12).collect::<Vec<_>>(), "one gapless series");

        // More than is left issues nothing and flags the payment; the rest of it does.
        let p = &paid[0];
        effects::issue_cancellation(&db, &reversal(p, "R2", p.amount))
            .await
            .unwrap();
        let flagged = payments::by_id(&db, store, p.id).await.unwrap().unwrap();
        assert!(flagged.attention);
        let events = payments::events(&db, store, p.id).await.unwrap();
        assert!(events.iter().any(|e| e.kind == effects::RETURNED_TOO_MUCH));
        effects::issue_cancellation(&db, &reversal(p, "R3", p.amount - p.amount / 2))
            .await
            .unwrap();
        let receipt = receipts::of_payment(&db, store, p.id)
            .await
            .unwrap()
            .unwrap();
        let cancelled = cancellations::of_receipt(&db, &receipt).await.unwrap();
        let back: i64 = cancelled.iter().map(|c| c.amount).sum();
        assert_eq!((cancelled.len(), back), (2, p.amount));
        assert_eq!(cancelled[1].number, 13);
        // Nothing is sent back of a payment that was never paid.
        let unpaid = slips(&db, "refunds-unpaid", 1).await.remove(0);
        assert!(
            effects::issue_cancellation(&db, &reversal(&unpaid, "R1", 100))
                .await
                .is_err()
        );
    }
}

/// A settlement batch's moves, written together (`payments::transition_all_in`): each payment
/// moves only from the status its change found it in, takes its own references, owes its own
/// effects and gets its own line; a move the state machine refuses, or one whose payment moved
/// meanwhile, is logged `ignored:` and changes nothing.
#[tokio::test]
async fn moves_written_together_each_move_as_if_alone() {
    for db in crate::common::databases().await {
        let p = slips(&db, "together", 4).await;
        // The merchant confirmed the last one after its snapshot was read.
        assert_eq!(
            payments::transition(&db, &p[3], decide(PaymentStatus::Paid))
                .await
                .unwrap(),
            payments::Transition::Moved
        );
        let change = |to, bank_ref| Change {
            to,
            source: Source::Provider,
            kind: "verified",
            detail: Some("together"),
            bank_ref,
            card_pan: None,
            failure_code: None,
        };
        let changes = [
            change(PaymentStatus::Paid, Some("B0")),
            change(PaymentStatus::Paid, Some("B1")),
            change(PaymentStatus::Failed, None),
            change(PaymentStatus::Rejected, None),
        ];
        let moves: Vec<(&Payment, &Change)> = p.iter().zip(&changes).collect();
        let mut tx = db.begin().await.unwrap();
        let moved = payments::transition_all_in(&mut tx, &moves).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(moved, [true, true, false, false]);

        for (i, (status, bank_ref, kind)) in [
            (PaymentStatus::Paid, Some("B0"), "verified"),
            (PaymentStatus::Paid, Some("B1"), "verified"),
            (
                PaymentStatus::AwaitingConfirmation,
                None,
                "ignored:verified",
            ),
            (PaymentStatus::Paid, None, "ignored:verified"),
        ]
        .into_iter()
        .enumerate()
        {
            let now = payments::public_lookup(&db, &p[i].tracking_code)
                .await
                .unwrap()
                .unwrap();
            assert_eq!((now.status, now.bank_ref.as_deref()), (status, bank_ref));
            let events = payments::events(&db, now.store_id, now.id).await.unwrap();
            let last = events.last().unwrap();
            assert_eq!(last.kind, kind, "payment {i}");
            assert_eq!(last.to_status.is_some(), moved[i], "payment {i}");
            let receipt = effects::key(effects::RECEIPT, now.id);
            let owes = status == PaymentStatus::Paid;
            assert_eq!(
                jobs::is_open(&db, &receipt).await.unwrap(),
                owes,
                "payment {i}"
            );
        }
    }
}
