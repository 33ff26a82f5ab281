//! The merchant's decision on a bank slip: confirmed (the money is on the bank statement) or
//! rejected (with the reason), recorded in the payment's timeline like any other change.

use crate::db::payments::{self, Change, Kind, Source, Transition};
use crate::db::{Db, DbError};
use crate::status::PaymentStatus;
use crate::validation::{Field, FieldErrors, optional_text};

pub const MAX_REASON: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Confirm,
    Reject,
}

#[derive(Debug, thiserror::Error)]
pub enum SlipError {
    #[error("no such payment")]
    UnknownPayment,
    #[error("not a bank slip")]
    NotASlip,
    /// Someone (another tab, another merchant user) decided first.
    #[error("already {}", .0.as_str())]
    AlreadyDecided(PaymentStatus),
    #[error("the form has errors")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Storage(#[from] DbError),
}

/// Confirms or rejects one of the store's slips on behalf of `by` (the merchant's e-mail). A
/// rejection needs a reason; a confirmation may carry a note. Of two concurrent decisions
/// exactly one applies.
pub async fn decide(
    db: &Db,
    store_id: i64,
    payment_id: i64,
    decision: Decision,
    by: &str,
    reason: &str,
) -> Result<PaymentStatus, SlipError> {
    let payment = payments::by_id(db, store_id, payment_id)
        .await?
        .ok_or(SlipError::UnknownPayment)?;
    if payment.kind != Kind::BankSlip {
        return Err(SlipError::NotASlip);
    }
    let mut errors = FieldErrors::default();
    let reason = errors.check(Field::Reason, optional_text(reason, MAX_REASON));
    if decision == Decision::Reject && matches!(reason, Some(None)) {
        errors.add(Field::Reason, crate::validation::Problem::Required);
    }
    if !errors.is_empty() {
        return Err(SlipError::Invalid(errors));
    }
    let detail = match reason.flatten() {
        Some(reason) => format!("{by}: {reason}"),
        None => by.to_owned(),
    };
    let (to, kind) = match decision {
        Decision::Confirm => (PaymentStatus::Paid, "slip_confirmed"),
        Decision::Reject => (PaymentStatus::Rejected, "slip_rejected"),
    };
    let change = Change {
        to,
        source: Source::Merchant,
        kind,
        detail: Some(&detail),
        bank_ref: None,
        card_pan: None,
        failure_code: None,
    };
    match payments::transition(db, &payment, change).await? {
        Transition::Moved => Ok(to),
        Transition::Unchanged(now) => Err(SlipError::AlreadyDecided(now)),
    }
}
