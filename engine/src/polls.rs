//! Payments that never come back: an online payment's provider is asked for its status on a
//! schedule, in case the customer's return and the provider's notification were both lost.
//! The first poll is a job enqueued with the payment, in its transaction; each poll that finds
//! the payment still waiting enqueues the next: 5 minutes after it was made, then 15, 45
//! minutes, and so on (each wait three times the last) while within two days.
//! `Checkout::poll_status` does the asking.

use crate::db::jobs::NewJob;

/// The kind of a status poll's job.
pub const KIND: &str = "poll_status";
/// The first poll, after the payment was made.
const FIRST: i64 = 5 * 60 * 1000;
/// Polls are scheduled within this long of the payment.
const WINDOW: i64 = 48 * 60 * 60 * 1000;

/// What a poll's job carries.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Poll {
    pub code: String,
    /// 1 for the first poll.
    pub n: u32,
}

/// The `n`th poll of the payment `code` made at `created_at`; `None` past the window.
pub fn job(code: &str, n: u32, created_at: i64) -> Option<NewJob> {
    let after = FIRST.checked_mul(3i64.checked_pow(n.checked_sub(1)?)?)?;
    (after <= WINDOW).then(|| NewJob {
        kind: KIND.into(),
        key: format!("poll:{code}:{n}"),
        payload: serde_json::json!({ "code": code, "n": n }).to_string(),
        run_at: created_at + after,
        held: None,
    })
}

#[cfg(test)]
mod tests {
    use super::job;

    #[test]
    fn polls_come_less_often_and_stop_after_two_days() {
        let at = |n| job("C", n, 0).map(|j| j.run_at / 60_000);
        assert_eq!(at(1), Some(5));
        assert_eq!(at(2), Some(15));
        assert_eq!(at(3), Some(45));
        assert_eq!(at(6), Some(1215));
        assert_eq!(at(7), None);
        assert_eq!(at(0), None);
        assert_eq!(job("C", 1, 0).unwrap().key, "poll:C:1");
    }
}
