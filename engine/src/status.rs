//! The payment statuses and the transitions between them. Every change of status in the
//! database goes through `db::payments::transition`, which enforces [`PaymentStatus::can_become`].

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentStatus {
    /// Created; the customer is on their way to (or at) the provider.
    Created,
    /// A bank slip waits for the merchant to check it against the bank statement.
    AwaitingConfirmation,
    Paid,
    Failed,
    Cancelled,
    /// The merchant found no money behind a bank slip.
    Rejected,
    /// Abandoned: an online payment nobody finished within its provider's window
    /// (`crate::polls`).
    Expired,
}

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 7] = [
        PaymentStatus::Created,
        PaymentStatus::AwaitingConfirmation,
        PaymentStatus::Paid,
        PaymentStatus::Failed,
        PaymentStatus::Cancelled,
        PaymentStatus::Rejected,
        PaymentStatus::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Created => "created",
            PaymentStatus::AwaitingConfirmation => "awaiting_confirmation",
            PaymentStatus::Paid => "paid",
            PaymentStatus::Failed => "failed",
            PaymentStatus::Cancelled => "cancelled",
            PaymentStatus::Rejected => "rejected",
            PaymentStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentStatus> {
        PaymentStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether a payment in `self` may move to `next`. Final statuses never move.
    pub fn can_become(self, next: PaymentStatus) -> bool {
        use PaymentStatus::*;
        matches!(
            (self, next),
            (Created, Paid | Failed | Cancelled | Expired)
                | (AwaitingConfirmation, Paid | Rejected)
        )
    }

    pub fn is_final(self) -> bool {
        PaymentStatus::ALL
            .into_iter()
            .all(|next| !self.can_become(next))
    }

    /// Ended without the money: the customer may submit the same payment again.
    pub fn may_retry(self) -> bool {
        matches!(
            self,
            PaymentStatus::Failed
                | PaymentStatus::Cancelled
                | PaymentStatus::Rejected
                | PaymentStatus::Expired
        )
    }
}

#[cfg(test)]
mod tests {
    use super::PaymentStatus::*;
    use super::*;

    #[test]
    fn names_round_trip() {
        for st in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::parse(st.as_str()), Some(st));
        }
        assert_eq!(PaymentStatus::parse("PAID"), None);
    }

    #[test]
    fn only_open_payments_move() {
        assert!(Created.can_become(Paid));
        assert!(AwaitingConfirmation.can_become(Rejected));
        assert!(!Paid.can_become(Failed));
        assert!(!Cancelled.can_become(Paid));
        assert!(!AwaitingConfirmation.can_become(Cancelled));
        assert!(Paid.is_final() && Failed.is_final() && Rejected.is_final());
        assert!(Created.can_become(Expired) && Expired.is_final() && Expired.may_retry());
        assert!(!AwaitingConfirmation.can_become(Expired));
        assert!(!Created.is_final() && !AwaitingConfirmation.is_final());
    }
}
