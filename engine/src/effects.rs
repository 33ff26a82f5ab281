//! A payment's side effects (its receipt, its e-mails): the work a move to a status owes,
//! written as jobs (`db::jobs`) by `db::payments::transition` in the move's own transaction
//! (and by the payment's creation, for the status it starts in), so the work is owed if and
//! only if the payment moved, whoever moved it (a return, a notification, a status poll, the
//! merchant confirming a slip). Each job's key names its payment, so a
//! payment owes each effect once; each handler is idempotent, since a crash between its work
//! and its job's `done` runs it again.

use serde::{Deserialize, Serialize};

use crate::db::cancellations::{self, Returned};
use crate::db::jobs::{self, NewJob};
use crate::db::payments::Payment;
use crate::db::{Db, DbError, mails, payments, receipts};
use crate::status::PaymentStatus;
use crate::time::now_millis;

/// Issues the paid payment's numbered receipt (`db::receipts`).
pub const RECEIPT: &str = "issue_receipt";
/// Issues the document cancelling a paid payment's receipt by money sent back
/// (`db::cancellations`).
pub const CANCELLATION: &str = "issue_cancellation";
/// E-mails the payer their receipt, when they gave an address.
pub const PAYER_MAIL: &str = "mail_payer_receipt";
/// E-mails the merchant about the new payment.
pub const MERCHANT_PAID_MAIL: &str = "mail_merchant_paid";
/// E-mails the merchant a bank slip to check against the bank statement.
pub const MERCHANT_SLIP_MAIL: &str = "mail_merchant_slip";
/// The job kinds that send e-mail (`db::mails`).
pub const MAILS: [&str; 3] = [PAYER_MAIL, MERCHANT_PAID_MAIL, MERCHANT_SLIP_MAIL];

/// What an effect's job carries: the payment it is owed by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owed {
    pub store_id: i64,
    pub payment_id: i64,
}

impl Owed {
    /// From an effect job's payload.
    pub fn parse(payload: &str) -> Result<Owed, String> {
        serde_json::from_str(payload).map_err(|e| format!("bad payload: {e}"))
    }
}

/// The jobs `payment` owes on reaching `to`: by a move, or by being created in it (a bank
/// slip is created awaiting the merchant's check).
pub fn owed(payment: &Payment, to: PaymentStatus, now: i64) -> Vec<NewJob> {
    let kinds: Vec<&str> = match to {
        PaymentStatus::Paid => {
            let payer = payment.email.is_some().then_some(PAYER_MAIL);
            [Some(RECEIPT), payer, Some(MERCHANT_PAID_MAIL)]
                .into_iter()
                .flatten()
                .collect()
        }
        PaymentStatus::AwaitingConfirmation => vec![MERCHANT_SLIP_MAIL],
        _ => Vec::new(),
    };
    kinds
        .into_iter()
        .map(|kind| job(kind, key(kind, payment.id), payment, now))
        .collect()
}

fn job(kind: &str, key: String, payment: &Payment, now: i64) -> NewJob {
    let owed = Owed {
        store_id: payment.store_id,
        payment_id: payment.id,
    };
    NewJob {
        kind: kind.to_owned(),
        key,
        payload: serde_json::to_string(&owed).unwrap_or_default(),
        run_at: now,
        held: None,
    }
}

/// The key of the job of effect `kind` owed by the payment `payment_id`.
pub fn key(kind: &str, payment_id: i64) -> String {
    format!("{kind}:{payment_id}")
}

/// What a `CANCELLATION` job carries: the payment and what its provider sent back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reversal {
    pub store_id: i64,
    pub payment_id: i64,
    pub reason: String,
    pub reference: String,
    pub amount: i64,
}

/// The job a paid payment owes when its provider reports money sent back: a cancelling
/// document, once per provider transaction (`reference`).
pub fn owed_by_return(payment: &Payment, returned: Returned<'_>, now: i64) -> NewJob {
    let reversal = Reversal {
        store_id: payment.store_id,
        payment_id: payment.id,
        reason: returned.reason.to_owned(),
        reference: returned.reference.to_owned(),
        amount: returned.amount,
    };
    NewJob {
        kind: CANCELLATION.to_owned(),
        key: format!("{}:{}", key(CANCELLATION, payment.id), returned.reference),
        payload: serde_json::to_string(&reversal).unwrap_or_default(),
        run_at: now,
        held: None,
    }
}

/// The handler of `CANCELLATION` jobs: cancels the payment's receipt (issuing it first if its
/// own job has not run yet). Money said to go back beyond what the receipt has left issues
/// nothing and is flagged for the merchant.
pub async fn issue_cancellation(db: &Db, payload: &str) -> Result<(), String> {
    let reversal: Reversal =
        serde_json::from_str(payload).map_err(|e| format!("bad payload: {e}"))?;
    let payment = paid_payment(db, reversal.store_id, reversal.payment_id).await?;
    let now = now_millis();
    let receipt = receipts::issue(db, &payment, now)
        .await
        .map_err(|e| e.to_string())?;
    let returned = Returned {
        reason: &reversal.reason,
        reference: &reversal.reference,
        amount: reversal.amount,
    };
    let issued = cancellations::issue(db, &payment, &receipt, returned, now)
        .await
        .map_err(|e| e.to_string())?;
    if issued.is_none() {
        let detail = format!(
            "{}: {} sent back, more than receipt {} has left",
            reversal.reference, reversal.amount, receipt.number
        );
        payments::record_once(
            db,
            &payment,
            payments::Source::System,
            RETURNED_TOO_MUCH,
            &format!("{}:", reversal.reference),
            &detail,
            true,
            &[],
        )
        .await
        .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The event kind of money sent back beyond what a receipt has left: no document issued.
pub const RETURNED_TOO_MUCH: &str = "returned_too_much";

async fn paid_payment(db: &Db, store_id: i64, payment_id: i64) -> Result<Payment, String> {
    let payment = payments::by_id(db, store_id, payment_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no payment {payment_id}"))?;
    if payment.status != PaymentStatus::Paid {
        return Err(format!("payment {} is not paid", payment.id));
    }
    Ok(payment)
}

/// The handler of `RECEIPT` jobs.
pub async fn issue_receipt(db: &Db, payload: &str) -> Result<(), String> {
    let owed = Owed::parse(payload)?;
    let payment = paid_payment(db, owed.store_id, owed.payment_id).await?;
    receipts::issue(db, &payment, now_millis())
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Sends a message about a payment again (the merchant asked): a new message under a key of
/// its own, queued at once (a double click queues one). `false` when the store has no such
/// message.
pub async fn resend(db: &Db, store_id: i64, mail_id: i64) -> Result<bool, DbError> {
    let Some(mail) = mails::get(db, store_id, mail_id).await? else {
        return Ok(false);
    };
    let Some(payment) = payments::by_id(db, store_id, mail.payment_id).await? else {
        return Ok(false);
    };
    let now = now_millis();
    let mut tx = db.begin().await?;
    let n = mails::count_of_kind(&mut tx, payment.id, &mail.kind).await?;
    let key = format!("{}:resend-{n}", key(&mail.kind, payment.id));
    let new = mails::NewMail {
        store_id,
        payment_id: payment.id,
        kind: &mail.kind,
        job_key: &key,
        recipient: &mail.recipient,
    };
    mails::queue(&mut tx, &new, now).await?;
    jobs::enqueue(&mut tx, &job(&mail.kind, key.clone(), &payment, now), now).await?;
    tx.commit().await?;
    Ok(true)
}
