//! What one payment and one client address may cost. Every provider return or notification
//! naming a known tracking code would otherwise store up to 64 KiB and, for most providers,
//! cost a call to the provider: anyone holding one code could fill the disk and burn the
//! merchant's rate limit at the provider. So each message is charged, before anything else,
//! to its payment and to its sender's address for the current window; beyond either budget
//! it is dropped: not stored, no provider asked, only counted on the payment (the timeline
//! shows the count).
//!
//! - A **payment** pays for every message about it: a genuine payment hears from its provider
//!   and its customer a handful of times.
//! - An **address** pays only for messages that were not believed: a provider's servers send
//!   every merchant's notifications from a few addresses, so a message that verifies is
//!   refunded ([`believed`]). An IPv6 sender is one /64, which one host owns.
//!
//! Dropping is not losing: a notification is answered 503, so a genuine provider sends it
//! again later, and messages a connector verifies without calling its provider (myPOS's
//! signature) are still checked beyond the payment's budget, so a stranger with the code
//! cannot make myPOS reverse a genuine payment. What stays possible is delay: many addresses
//! holding one code can keep a PayPal or EveryPay payment's messages out for a while.

use std::net::IpAddr;

use crate::db::{Db, DbError, budgets};

/// The length of a budget's window (milliseconds).
pub const WINDOW: i64 = 10 * 60 * 1000;

/// What a subject may spend in one window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub messages: i64,
    pub bytes: i64,
}

/// Per payment: returns, notifications and the provider's resends, with room to spare.
pub const PER_PAYMENT: Budget = Budget {
    messages: 50,
    bytes: 256 * 1024,
};

/// Per address: messages that were not believed, over any payments.
pub const PER_ADDRESS: Budget = Budget {
    messages: 100,
    bytes: 1024 * 1024,
};

/// What admitting a message charged, to take back from its address if it proves genuine.
/// Kept with a notification's verification job (as JSON), which may run after a restart.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Ticket {
    address: String,
    window: i64,
    bytes: i64,
    /// The payment or the address had spent its budget: only a message that can be verified
    /// without calling the provider goes on, and only if it verifies.
    pub over: bool,
}

/// Charges a message of `bytes` about `payment` from `address` at `now`, in the caller's
/// transaction.
pub async fn charge(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    payment: i64,
    address: &str,
    bytes: usize,
    now: i64,
) -> Result<Ticket, DbError> {
    let mut tickets = charge_all(
        tx,
        &[Message {
            payment,
            address,
            bytes,
            now,
        }],
    )
    .await?;
    Ok(tickets.remove(0))
}

/// A message to charge: what it is about, who sent it, its size and when it came.
#[derive(Clone, Copy, Debug)]
pub struct Message<'a> {
    pub payment: i64,
    pub address: &'a str,
    pub bytes: usize,
    pub now: i64,
}

/// Charges `messages` in the caller's transaction, each as if alone and in the given order;
/// one ticket each. The budget rows are written in one statement, in one order (by subject,
/// then window), so transactions charging several messages (two servers' batches) never wait
/// for each other crosswise.
pub async fn charge_all(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    messages: &[Message<'_>],
) -> Result<Vec<Ticket>, DbError> {
    let charged: Vec<(String, String, i64, i64)> = messages
        .iter()
        .map(|m| {
            let window = m.now - m.now.rem_euclid(WINDOW);
            let bytes = i64::try_from(m.bytes).unwrap_or(i64::MAX);
            (
                format!("payment {}", m.payment),
                sender(m.address),
                window,
                bytes,
            )
        })
        .collect();
    // Each message's share of each subject, grouped by subject and window in message order.
    let mut shares: Vec<(&str, i64, usize, bool)> = charged
        .iter()
        .enumerate()
        .flat_map(|(i, (payment, address, window, _))| {
            [
                (payment.as_str(), *window, i, false),
                (address.as_str(), *window, i, true),
            ]
        })
        .collect();
    shares.sort_unstable();
    let mut sums: Vec<budgets::Charge> = Vec::new();
    for &(subject, window, i, _) in &shares {
        match sums.last_mut() {
            Some(sum) if sum.subject == subject && sum.window == window => {
                sum.messages += 1;
                sum.bytes = sum.bytes.saturating_add(charged[i].3);
            }
            _ => sums.push(budgets::Charge {
                subject,
                window,
                messages: 1,
                bytes: charged[i].3,
            }),
        }
    }
    let totals = budgets::charge(tx, &sums).await?;
    // Replays each subject's window from what it held before this batch.
    let mut over = vec![false; messages.len()];
    let mut shares = shares.into_iter().peekable();
    for (sum, total) in sums.iter().zip(totals) {
        let mut spent = budgets::Spent {
            messages: total.messages - sum.messages,
            bytes: total.bytes.saturating_sub(sum.bytes),
        };
        while let Some((_, _, i, by_address)) =
            shares.next_if(|s| s.0 == sum.subject && s.1 == sum.window)
        {
            spent.messages += 1;
            spent.bytes = spent.bytes.saturating_add(charged[i].3);
            let budget = if by_address { PER_ADDRESS } else { PER_PAYMENT };
            over[i] |= exceeds(spent, budget);
        }
    }
    Ok(charged
        .into_iter()
        .zip(over)
        .map(|((_, address, window, bytes), over)| Ticket {
            address,
            window,
            bytes,
            over,
        })
        .collect())
}

/// Refunds the address of a message that verified: genuine traffic costs its sender nothing.
pub async fn believed(db: &Db, ticket: &Ticket) -> Result<(), DbError> {
    budgets::refund(
        db.writer().await.pool(),
        &ticket.address,
        ticket.window,
        1,
        ticket.bytes,
    )
    .await
}

/// [`believed`] for many messages in the caller's transaction, in the order `charge_all`
/// locks budgets (by subject, then window), so two servers' batches never wait crosswise:
/// one refund per budget, however many of its messages the batch holds, all in one
/// statement (`budgets::refund_all`).
pub async fn believed_all(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tickets: &[&Ticket],
) -> Result<(), DbError> {
    let mut tickets = tickets.to_vec();
    tickets.sort_unstable_by(|a, b| (&a.address, a.window).cmp(&(&b.address, b.window)));
    let refunds: Vec<budgets::Charge> = tickets
        .chunk_by(|a, b| (&a.address, a.window) == (&b.address, b.window))
        .map(|budget| budgets::Charge {
            subject: &budget[0].address,
            window: budget[0].window,
            messages: i64::try_from(budget.len()).unwrap_or(i64::MAX),
            bytes: budget.iter().map(|t| t.bytes).sum(),
        })
        .collect();
    budgets::refund_all(tx, &refunds).await
}

/// Counts a message about `payment` that was dropped.
pub async fn dropped(db: &Db, payment: i64) -> Result<(), DbError> {
    tracing::warn!(payment, "a message over its budget was dropped");
    budgets::count_dropped(db, payment).await
}

/// Seconds until the window holding `now` ends: when a dropped message may come again.
pub fn retry_after(now: i64) -> u64 {
    let left = u64::try_from(WINDOW - now.rem_euclid(WINDOW)).unwrap_or(1000);
    left.div_ceil(1000)
}

fn exceeds(spent: budgets::Spent, budget: Budget) -> bool {
    spent.messages > budget.messages || spent.bytes > budget.bytes
}

/// The budget subject of a client address: IPv4 as it is, IPv6 by its /64.
fn sender(address: &str) -> String {
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("address {v4}"),
            None => {
                let s = v6.segments();
                format!("address {:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        _ => format!("address {address}"),
    }
}

#[cfg(test)]
mod tests {
    use super::sender;

    #[test]
    fn one_host_is_one_sender() {
        assert_eq!(sender("203.0.113.7"), "address 203.0.113.7");
        assert_eq!(sender("::ffff:203.0.113.7"), "address 203.0.113.7");
        assert_eq!(
            sender("2001:db8:1:2:aaaa::1"),
            sender("2001:db8:1:2:ffff:ffff:ffff:ffff")
        );
        assert_eq!(sender("2001:db8:1:2::9"), "address 2001:db8:1:2::/64");
        assert_ne!(sender("2001:db8:1:2::1"), sender("2001:db8:1:3::1"));
    }
}
