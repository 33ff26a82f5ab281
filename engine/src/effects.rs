//! A payment's side effects: the work a move to a status owes, written as jobs
//! (`db::jobs`) by `db::payments::transition` in the move's own transaction, so the work is
//! owed if and only if the payment moved, whoever moved it (a return, a notification, a
//! status poll, the merchant confirming a slip). Each job's key names its payment, so a
//! payment owes each effect once; each handler is idempotent, since a crash between its work
//! and its job's `done` runs it again.

use serde::{Deserialize, Serialize};

use crate::db::jobs::NewJob;
use crate::db::payments::Payment;
use crate::db::{Db, payments, receipts};
use crate::status::PaymentStatus;
use crate::time::now_millis;

/// Issues the paid payment's numbered receipt (`db::receipts`).
pub const RECEIPT: &str = "issue_receipt";

/// What an effect's job carries: the payment it is owed by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owed {
    pub store_id: i64,
    pub payment_id: i64,
}

/// The jobs `payment`'s move to `to` owes.
pub fn owed(payment: &Payment, to: PaymentStatus, now: i64) -> Vec<NewJob> {
    let kinds: &[&str] = match to {
        PaymentStatus::Paid => &[RECEIPT],
        _ => &[],
    };
    let owed = Owed {
        store_id: payment.store_id,
        payment_id: payment.id,
    };
    kinds
        .iter()
        .map(|kind| NewJob {
            kind: (*kind).to_owned(),
            key: key(kind, payment.id),
            payload: serde_json::to_string(&owed).unwrap_or_default(),
            run_at: now,
            held: None,
        })
        .collect()
}

/// The key of the job of effect `kind` owed by the payment `payment_id`.
pub fn key(kind: &str, payment_id: i64) -> String {
    format!("{kind}:{payment_id}")
}

/// The handler of `RECEIPT` jobs.
pub async fn issue_receipt(db: &Db, payload: &str) -> Result<(), String> {
    let owed: Owed = serde_json::from_str(payload).map_err(|e| format!("bad payload: {e}"))?;
    let payment = payments::by_id(db, owed.store_id, owed.payment_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no payment {}", owed.payment_id))?;
    if payment.status != PaymentStatus::Paid {
        return Err(format!("payment {} is not paid", payment.id));
    }
    receipts::issue(db, &payment, now_millis())
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}
