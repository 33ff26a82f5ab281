//! Payments that never come back: an online payment's provider is asked for its status on a
//! schedule, in case the customer's return and the provider's notification were both lost,
//! and a payment nobody finished expires once its provider's window has passed.
//!
//! The first poll is a job enqueued with the payment, in its transaction; each poll that finds
//! the payment still waiting enqueues the next: 5 minutes after it was made, then 15, 45
//! minutes, and so on (each wait three times the last) while within the provider's window
//! (`Provider::abandoned_after`), and a last one at the window's end. The last poll asks
//! once more and, if the payment still waits, expires it: a final status that gives its
//! payment link's use back. `Checkout::poll_status` does the asking.

use crate::db::jobs::NewJob;

/// The kind of a status poll's job.
pub const KIND: &str = "poll_status";
/// The first poll, after the payment was made.
const FIRST: i64 = 5 * 60 * 1000;

/// What a poll's job carries.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Poll {
    pub code: String,
    /// 1 for the first poll.
    pub n: u32,
}

impl Poll {
    /// Whether this is the last poll of a payment whose provider's window is `window`: the
    /// one at the window's end.
    pub fn is_last(&self, window: i64) -> bool {
        after(self.n).is_none_or(|after| after >= window)
    }
}

/// How long after the payment the `n`th poll comes, on the tripling schedule.
fn after(n: u32) -> Option<i64> {
    FIRST.checked_mul(3i64.checked_pow(n.checked_sub(1)?)?)
}

/// The first poll of the payment `code` made at `created_at`.
pub fn first(code: &str, created_at: i64) -> NewJob {
    job(code, 1, created_at + FIRST)
}

/// The poll after `poll` within `window`; `None` after the last.
pub fn next(poll: &Poll, created_at: i64, window: i64) -> Option<NewJob> {
    if poll.is_last(window) {
        return None;
    }
    let n = poll.n + 1;
    let at = after(n).map_or(window, |after| after.min(window));
    Some(job(&poll.code, n, created_at + at))
}

fn job(code: &str, n: u32, run_at: i64) -> NewJob {
    NewJob {
        kind: KIND.into(),
        key: format!("poll:{code}:{n}"),
        payload: serde_json::json!({ "code": code, "n": n }).to_string(),
        run_at,
        held: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 24 * 60 * 60 * 1000;

    fn schedule(window: i64) -> Vec<i64> {
        let mut poll = first("C", 0);
        let mut minutes = vec![poll.run_at / 60_000];
        let mut n = 1;
        while let Some(next) = next(
            &Poll {
                code: "C".into(),
                n,
            },
            0,
            window,
        ) {
            minutes.push(next.run_at / 60_000);
            n += 1;
            poll = next;
        }
        assert_eq!(poll.key, format!("poll:C:{n}"));
        minutes
    }

    #[test]
    fn polls_come_less_often_and_the_last_ends_the_window() {
        assert_eq!(schedule(DAY), [5, 15, 45, 135, 405, 1215, 1440]);
        assert_eq!(schedule(5 * DAY).last(), Some(&7200));
        // A window that ends on the schedule has no extra poll.
        assert_eq!(schedule(45 * 60_000), [5, 15, 45]);
        assert!(
            Poll {
                code: "C".into(),
                n: 40
            }
            .is_last(DAY)
        );
        assert!(
            !Poll {
                code: "C".into(),
                n: 6
            }
            .is_last(DAY)
        );
        assert!(
            Poll {
                code: "C".into(),
                n: 7
            }
            .is_last(DAY)
        );
    }
}
