//! Messages from outside about a payment: the customer's return from the provider and the
//! provider's notifications. Each is charged to its budgets (`intake`), verified by the
//! payment's connector, and settled through the one state machine; what was not believed is
//! logged with the reason.

use super::arrivals::{self, Arrival, Written};
use super::settlements::{Move, Settlement, Write};
use super::{Checkout, CheckoutError};
use crate::connectors::{AnyConnector, Connector, ConnectorError, Order, Verdict, Verification};
use crate::db::DbError;
use crate::db::cancellations::Returned;
use crate::db::jobs::{self, Job};
use crate::db::methods::{self, PaymentMethod};
use crate::db::payments::{self, Change, Payment, Source};
use crate::effects;
use crate::intake::{self, Ticket};
use crate::jobs::{Done, Mark};
use crate::polls::{self, Poll};
use crate::status::PaymentStatus;
use crate::time::now_millis;

impl Checkout {
    /// Charges a message of `bytes` from `address` about the payment `code` names to their
    /// budgets (`intake`). `Ok(None)` when it is dropped (counted on the payment): over a
    /// budget, and not one its connector verifies without calling the provider.
    pub async fn admit(
        &self,
        code: &str,
        address: &str,
        bytes: usize,
    ) -> Result<Option<Admitted>, CheckoutError> {
        let payment = self.payment(code).await?;
        let mut tx = self.db.begin().await?;
        let ticket = intake::charge(&mut tx, payment.id, address, bytes, now_millis()).await?;
        tx.commit().await?;
        self.admitted(payment, ticket).await
    }

    /// The message charged with `ticket` goes on, unless it is over a budget and its
    /// connector cannot verify it without calling the provider: then it is counted dropped.
    async fn admitted(
        &self,
        payment: Payment,
        ticket: Ticket,
    ) -> Result<Option<Admitted>, CheckoutError> {
        if ticket.over && !self.verifies_locally(&payment).await? {
            intake::dropped(&self.db, payment.id).await?;
            return Ok(None);
        }
        Ok(Some(Admitted {
            code: payment.tracking_code,
            ticket,
        }))
    }

    /// Admits a notification (`admit`) and writes it to the inbox with the job that verifies
    /// it (`db::inbox`), before the provider is answered: within its budgets, in one
    /// transaction shared with whatever other notifications arrive meanwhile (`arrivals`).
    /// `held`: the request verifies it itself (`verify_received`), and a worker does only if
    /// that request dies. `Ok(None)`: dropped.
    pub async fn take(
        &self,
        code: &str,
        address: &str,
        provider: Option<&str>,
        body: &[u8],
        held: Option<(String, i64)>,
    ) -> Result<Option<(Admitted, Job)>, CheckoutError> {
        let payment = self.payment(code).await?;
        let arrival = Arrival {
            payment: payment.id,
            code: payment.tracking_code.clone(),
            address: address.to_owned(),
            provider: provider.unwrap_or_default().to_owned(),
            body: body.to_vec(),
            held,
            now: now_millis(),
        };
        let (ticket, job) = match self.arrivals.submit(arrival).await? {
            Written::Stored { ticket, job } => (ticket, job),
            // Rare: whether it goes on takes the connector, not worth holding up a batch.
            Written::Over(ticket, arrival) => {
                let Some(admitted) = self.admitted(payment, ticket).await? else {
                    return Ok(None);
                };
                let mut tx = self.db.begin().await?;
                let job = arrivals::store(&mut tx, &[(&arrival, &admitted.ticket)])
                    .await?
                    .remove(0);
                tx.commit().await?;
                return Ok(Some((admitted, job)));
            }
        };
        let admitted = Admitted {
            code: payment.tracking_code,
            ticket,
        };
        Ok(Some((admitted, job)))
    }

    /// Whether the payment's provider verifies its messages without being called (its
    /// declaration says so: no credentials are opened for it).
    async fn verifies_locally(&self, payment: &Payment) -> Result<bool, CheckoutError> {
        Ok(self.method_of(payment).await?.is_some_and(|method| {
            crate::connectors::registry::find(&method.provider).is_some_and(|p| p.verifies_locally)
        }))
    }

    /// Settles the customer's return from the provider: asks the provider (never the query
    /// string) and records the verdict. Returns the payment as it now stands.
    pub async fn complete_return(
        &self,
        admitted: &Admitted,
        params: &[(String, String)],
    ) -> Result<Payment, CheckoutError> {
        let payment = self.payment(&admitted.code).await?;
        let message = Message {
            source: Source::Customer,
            name: "return",
            raw: encode_query(params),
            ticket: Some(&admitted.ticket),
            job: None,
        };
        let verification = match self.open_method(&payment, &message).await? {
            Some(Ok(connector)) => {
                connector
                    .verify_return(&Order::from(&payment), params)
                    .await
            }
            Some(Err(err)) => Err(err),
            None => return Ok(payment),
        };
        self.settle(payment, &message, verification).await?;
        self.payment(&admitted.code).await
    }

    /// Settles a provider's server-to-server notification about a payment (its raw body).
    /// `provider` is the provider the address it came to belongs to (`/notify/{provider}`),
    /// when it names one: a message for another provider's payment is refused. A notification
    /// that fails verification changes nothing and is logged with the reason; the same
    /// notification again (a provider's retry) moves the payment at most once. `job` is the
    /// job verifying it: a settlement marks it done.
    pub async fn complete_notification(
        &self,
        admitted: &Admitted,
        provider: Option<&str>,
        body: &[u8],
        job: &Mark,
    ) -> Result<Notified, CheckoutError> {
        let payment = self.payment(&admitted.code).await?;
        let method = self.method_of(&payment).await?;
        self.notified(payment, method, &admitted.ticket, provider, body, job)
            .await
    }

    /// [`complete_notification`](Self::complete_notification) with the payment and its
    /// method read.
    async fn notified(
        &self,
        payment: Payment,
        method: Option<PaymentMethod>,
        ticket: &Ticket,
        provider: Option<&str>,
        body: &[u8],
        job: &Mark,
    ) -> Result<Notified, CheckoutError> {
        let message = Message {
            source: Source::Provider,
            name: "notification",
            raw: String::from_utf8_lossy(body).into_owned(),
            ticket: Some(ticket),
            job: Some(job),
        };
        let routed = match (provider, &method) {
            (None, _) => Ok(()),
            (Some(to), Some(m)) if m.provider == to => Ok(()),
            (Some(to), m) => Err(ConnectorError::Rejected(format!(
                "sent to {to}'s address, but the payment is {}'s",
                m.as_ref().map_or("a bank slip", |m| m.provider.as_str())
            ))),
        };
        let Some(method) = method.filter(|_| routed.is_ok()) else {
            return match routed {
                Err(err) => self.not_verified(&payment, &message, &err).await,
                Ok(()) => self.after_final(&payment, &message, false).await,
            };
        };
        let verification = match self.connectors.for_method(&method) {
            Ok(connector) => {
                connector
                    .verify_notification(&Order::from(&payment), body)
                    .await
            }
            Err(err) => Err(err),
        };
        Ok(match verification {
            Ok(v) if payment.status != PaymentStatus::Created => {
                self.after_settled(&payment, &message, v).await?
            }
            verification => self.settle(payment, &message, verification).await?,
        })
    }

    /// Verifies and settles a notification from the inbox (a `verify_notification` job's
    /// payload), as `complete_notification` does.
    pub async fn verify_received(
        &self,
        payload: &str,
        job: &Mark,
    ) -> Result<Notified, CheckoutError> {
        #[derive(serde::Deserialize)]
        struct Payload {
            inbox: i64,
            ticket: Ticket,
        }
        let corrupt = |what: String| CheckoutError::Storage(DbError::Corrupt(what));
        let payload: Payload =
            serde_json::from_str(payload).map_err(|e| corrupt(format!("job payload: {e}")))?;
        let received = self
            .inbox
            .submit(payload.inbox)
            .await?
            .ok_or_else(|| corrupt(format!("inbox {} is gone", payload.inbox)))?;
        let method = self
            .kept_method_of(&received.payment, received.storefront_version)
            .await?;
        let provider = Some(received.provider.as_str()).filter(|p| !p.is_empty());
        self.notified(
            received.payment,
            method,
            &payload.ticket,
            provider,
            &received.body,
            job,
        )
        .await
    }

    /// A status poll (`polls`): asks the provider how a payment still waiting stands and
    /// settles it like a notification; while it still waits, schedules the next poll, and
    /// after the last one expires it. An unreachable provider is an error, so the job queue
    /// asks again (a payment is never expired for want of an answer).
    pub async fn poll_status(&self, payload: &str) -> Result<(), String> {
        let poll: Poll = serde_json::from_str(payload).map_err(|e| format!("poll: {e}"))?;
        let payment = match self.payment(&poll.code).await {
            Ok(p) if p.status == PaymentStatus::Created => p,
            Ok(_) | Err(CheckoutError::UnknownPayment) => return Ok(()),
            Err(err) => return Err(err.to_string()),
        };
        let connector = match self.method_of(&payment).await.map_err(|e| e.to_string())? {
            // A method whose credentials no longer open cannot be asked: the poll fails (and
            // is retried, then left dead for the operator) rather than expire a payment the
            // provider may have taken.
            Some(method) => self
                .connectors
                .for_method(&method)
                .map_err(|e| format!("the method cannot be used: {e}"))?,
            None => return Ok(()),
        };
        let window = connector.provider.abandoned_after;
        let asks = connector.provider.asks_status;
        let payment = if asks {
            let verification = connector.fetch_status(&Order::from(&payment)).await;
            if let Err(ConnectorError::Unreachable(err)) = &verification {
                return Err(format!("the provider could not be asked: {err}"));
            }
            let message = Message {
                source: Source::Provider,
                name: "status",
                raw: format!("poll {}", poll.n),
                ticket: None,
                job: None,
            };
            self.settle(payment, &message, verification)
                .await
                .map_err(|e| e.to_string())?;
            self.payment(&poll.code).await.map_err(|e| e.to_string())?
        } else {
            payment
        };
        if payment.status != PaymentStatus::Created {
            return Ok(());
        }
        match polls::next(&poll, payment.created_at, window) {
            Some(next) => {
                let mut tx = self.db.begin().await.map_err(|e| e.to_string())?;
                jobs::enqueue(&mut tx, &next, now_millis())
                    .await
                    .map_err(|e| e.to_string())?;
                tx.commit().await.map_err(|e| e.to_string())
            }
            None => self.expire(&payment, asks).await.map_err(|e| e.to_string()),
        }
    }

    /// Expires a payment nobody finished within its provider's window, unless a provider
    /// that cannot be asked said by its own message that the payment is still on its way (a
    /// PayPal eCheck clears in days, and PayPal writes again when it has).
    async fn expire(&self, payment: &Payment, asks: bool) -> Result<(), CheckoutError> {
        if !asks {
            let events = payments::events(&self.db, payment.store_id, payment.id).await?;
            if events.iter().any(|e| e.kind == STILL_PENDING) {
                tracing::info!(
                    payment = payment.id,
                    "not expired: the provider said it is pending"
                );
                return Ok(());
            }
        }
        let expired = Change {
            to: PaymentStatus::Expired,
            source: Source::System,
            kind: "expired",
            detail: None,
            bank_ref: None,
            card_pan: None,
            failure_code: None,
        };
        payments::transition(&self.db, payment, expired).await?;
        Ok(())
    }

    /// A verified message about a payment that no longer waits for its provider: news (a
    /// refund) is recorded, a late copy logged, and money taken again flagged.
    async fn after_settled(
        &self,
        payment: &Payment,
        message: &Message<'_>,
        v: Verification,
    ) -> Result<Notified, CheckoutError> {
        match &v.verdict {
            Verdict::Reversed { .. } => {
                message.believed(&self.db).await?;
                self.reversed(payment, message, &v).await?;
            }
            Verdict::Paid { bank_ref, .. }
                if payment.bank_ref.as_deref() != Some(bank_ref.as_str()) =>
            {
                message.believed(&self.db).await?;
                return self
                    .paid_unexpectedly(payment, message, bank_ref, &v.raw)
                    .await;
            }
            // A late copy (the provider's retry): logged, with its refund, in a batch.
            _ => {
                let log = Write::Log {
                    payment: payment.clone(),
                    source: message.source,
                    kind: format!("{}_after_final", message.name),
                    detail: message.raw.clone(),
                };
                self.write_settled(message, log).await?;
            }
        }
        Ok(Notified::Accepted)
    }

    /// Money the provider says it took (`bank_ref`) for a payment that cannot take it: one
    /// that ended without the money (`paid_after_final`), or one already paid by another
    /// transaction (`second_charge`). Neither changes the payment: it is flagged for the
    /// merchant (once per provider transaction) and refused, so a provider that reverses
    /// what is not acknowledged (myPOS) gives the money back.
    async fn paid_unexpectedly(
        &self,
        payment: &Payment,
        message: &Message<'_>,
        bank_ref: &str,
        raw: &str,
    ) -> Result<Notified, CheckoutError> {
        let kind = if payment.status == PaymentStatus::Paid {
            SECOND_CHARGE
        } else {
            PAID_AFTER_FINAL
        };
        let head = format!("{bank_ref};");
        let detail = format!("{head} {}: {}; verify: {raw}", message.name, message.raw);
        let source = Source::Provider;
        if payments::record_once(&self.db, payment, source, kind, &head, &detail, true, &[]).await?
        {
            tracing::warn!(
                payment = payment.id,
                kind,
                "money taken for a payment that cannot take it"
            );
        }
        Ok(Notified::Refused)
    }

    /// Logs a notification refused before it reached a connector (too large, say).
    pub async fn refuse_notification(
        &self,
        admitted: &Admitted,
        reason: &str,
    ) -> Result<(), CheckoutError> {
        let payment = self.payment(&admitted.code).await?;
        if admitted.ticket.over {
            return Ok(intake::dropped(&self.db, payment.id).await?);
        }
        payments::record_event(
            &self.db,
            &payment,
            Source::Provider,
            "notification_rejected",
            Some(reason),
        )
        .await?;
        Ok(())
    }

    /// The connector of a payment still waiting for its provider; `None` (after logging the
    /// late message) when the payment has ended or never went to one.
    async fn open_method(
        &self,
        payment: &Payment,
        message: &Message<'_>,
    ) -> Result<Option<Result<AnyConnector, ConnectorError>>, CheckoutError> {
        if payment.status != PaymentStatus::Created {
            self.after_final(payment, message, false).await?;
            return Ok(None);
        }
        let Some(method) = self.method_of(payment).await? else {
            return Ok(None);
        };
        Ok(Some(self.connectors.for_method(&method)))
    }

    /// The payment method an online payment went through (`None` for a bank slip).
    async fn method_of(&self, payment: &Payment) -> Result<Option<PaymentMethod>, CheckoutError> {
        let Some(method_id) = payment.method_id else {
            return Ok(None);
        };
        let method = methods::get(&self.db, payment.store_id, method_id)
            .await?
            .ok_or(CheckoutError::UnknownPayment)?;
        Ok(Some(method))
    }

    /// [`method_of`](Self::method_of), from the storefront this server keeps for the
    /// payment's store while `storefront_version` is still the store's (read with the
    /// payment) and the storefront offers the method; else read.
    async fn kept_method_of(
        &self,
        payment: &Payment,
        storefront_version: i64,
    ) -> Result<Option<PaymentMethod>, CheckoutError> {
        let kept = payment.method_id.and_then(|id| {
            self.storefronts
                .method(payment.store_id, storefront_version, id)
        });
        match kept {
            Some(method) => Ok(Some(method)),
            None => self.method_of(payment).await,
        }
    }

    /// Logs a message about a payment that no longer waits for its provider (a `verified`
    /// one is a provider's late copy, answered as accepted).
    async fn after_final(
        &self,
        payment: &Payment,
        message: &Message<'_>,
        verified: bool,
    ) -> Result<Notified, CheckoutError> {
        if message.over() && !verified {
            return self.drop_message(payment).await;
        }
        let kind = format!("{}_after_final", message.name);
        payments::record_event(&self.db, payment, message.source, &kind, Some(&message.raw))
            .await?;
        Ok(Notified::Accepted)
    }

    /// Over budget, what was not believed is counted instead of stored.
    async fn drop_message(&self, payment: &Payment) -> Result<Notified, CheckoutError> {
        intake::dropped(&self.db, payment.id).await?;
        Ok(Notified::Dropped)
    }

    /// Records a refund or reversal the provider reported, once per provider reference; for a
    /// paid payment, in the same transaction, owes the document cancelling its receipt.
    async fn reversed(
        &self,
        payment: &Payment,
        message: &Message<'_>,
        v: &Verification,
    ) -> Result<(), CheckoutError> {
        let Verdict::Reversed {
            code,
            reference,
            amount,
        } = &v.verdict
        else {
            return Ok(());
        };
        let returned = Returned {
            reason: code,
            reference,
            amount: *amount,
        };
        let head = format!("{code} {reference};");
        let detail = format!(
            "{head} {}: {}; verify: {}",
            message.name, message.raw, v.raw
        );
        let owed: Vec<_> = (payment.status == PaymentStatus::Paid)
            .then(|| effects::owed_by_return(payment, returned, now_millis()))
            .into_iter()
            .collect();
        let source = Source::Provider;
        payments::record_once(
            &self.db, payment, source, REVERSED, &head, &detail, false, &owed,
        )
        .await?;
        Ok(())
    }

    /// Keeps the payment open and logs why a message was not believed (an unreachable
    /// provider, a foreign or forged message).
    async fn not_verified(
        &self,
        payment: &Payment,
        message: &Message<'_>,
        err: &ConnectorError,
    ) -> Result<Notified, CheckoutError> {
        if message.over() {
            return self.drop_message(payment).await;
        }
        let kind = format!("{}_not_verified", message.name);
        let detail = format!("{err}; {}: {}", message.name, message.raw);
        payments::record_event(&self.db, payment, message.source, &kind, Some(&detail)).await?;
        Ok(match err {
            ConnectorError::Unreachable(_) => Notified::Unconfirmed,
            _ => Notified::Refused,
        })
    }

    /// Records the provider's verdict on a payment: what became of the message.
    async fn settle(
        &self,
        payment: Payment,
        message: &Message<'_>,
        verification: Result<Verification, ConnectorError>,
    ) -> Result<Notified, CheckoutError> {
        let verification = match verification {
            Ok(v) => v,
            Err(err) => return self.not_verified(&payment, message, &err).await,
        };
        let raw = format!(
            "{}: {}; verify: {}",
            message.name, message.raw, verification.raw
        );
        let change = |to, kind, failure_code: &String| Move {
            to,
            kind,
            detail: raw.clone(),
            bank_ref: None,
            card_pan: None,
            failure_code: Some(failure_code.clone()),
        };
        let outcome = match &verification.verdict {
            Verdict::Paid { bank_ref, card_pan } => Move {
                to: PaymentStatus::Paid,
                kind: "verified",
                detail: raw.clone(),
                bank_ref: Some(bank_ref.clone()),
                card_pan: card_pan.clone(),
                failure_code: None,
            },
            Verdict::Cancelled { code } => {
                change(PaymentStatus::Cancelled, "cancelled_at_provider", code)
            }
            Verdict::Failed { code } => change(PaymentStatus::Failed, "failed_at_provider", code),
            Verdict::Reversed { .. } => {
                // Money sent back for a payment we never saw paid: worth keeping, not a status.
                message.believed(&self.db).await?;
                self.reversed(&payment, message, &verification).await?;
                return Ok(Notified::Accepted);
            }
            Verdict::Pending => {
                message.believed(&self.db).await?;
                payments::record_event(
                    &self.db,
                    &payment,
                    Source::Provider,
                    STILL_PENDING,
                    Some(&raw),
                )
                .await?;
                return Ok(Notified::Accepted);
            }
        };
        let moved = self
            .write_settled(message, Write::Move(payment.clone(), outcome))
            .await?;
        if moved {
            tracing::info!(
                payment = payment.id,
                "payment settled from the provider's answer"
            );
            return Ok(Notified::Accepted);
        }
        // Another message moved the payment first (a cancel, a failure, another
        // transaction's "paid"): money taken that it cannot take is flagged, as if the
        // message had come after. (Read again only then: a move is the common case.)
        if let Verdict::Paid { bank_ref, .. } = &verification.verdict {
            let now = self.payment(&payment.tracking_code).await?;
            if now.bank_ref.as_deref() != Some(bank_ref.as_str()) {
                return self
                    .paid_unexpectedly(&now, message, bank_ref, &verification.raw)
                    .await;
            }
        }
        Ok(Notified::Accepted)
    }

    /// Writes what a verified message settles, with its sender's refund, in the next batch
    /// (`settlements`): for a move, whether the payment moved.
    /// Writes a verified message's settlement (with its job's mark): whether the payment moved.
    async fn write_settled(&self, message: &Message<'_>, write: Write) -> Result<bool, DbError> {
        let settlement = Settlement {
            refund: message.ticket.cloned(),
            write,
            job: message.job.map(|mark| (mark.job, mark.worker.clone())),
        };
        let written = self.settlements.submit(settlement).await?;
        if written.job_done
            && let Some(mark) = message.job
        {
            mark.written();
        }
        Ok(written.moved)
    }
}

/// The event kind of a verified message saying the payment is still on its way.
pub const STILL_PENDING: &str = "still_pending";
/// The event kind of a refund or reversal reported by the provider.
pub const REVERSED: &str = "reversed_at_provider";
/// The event kind of money the provider took for a payment that had ended without it.
pub const PAID_AFTER_FINAL: &str = "paid_after_final";
/// The event kind of a second transaction's money for a payment another one already paid.
pub const SECOND_CHARGE: &str = "second_charge";

/// What became of a provider's notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notified {
    /// Verified (and acted on), or a late copy of one already acted on.
    Accepted,
    /// Forged, foreign or malformed: changed nothing, logged with the reason.
    Refused,
    /// The provider could not be asked to confirm it: it should send it again.
    Unconfirmed,
    /// Over its payment's or its sender's budget (`intake`): not stored, only counted.
    Dropped,
}

/// A message about a payment from outside: the customer's return or a provider's
/// notification, as logged.
struct Message<'a> {
    source: Source,
    /// `return` or `notification`: prefixes the event kinds it causes.
    name: &'a str,
    raw: String,
    /// What it was charged (`intake`): refunded to its sender when it proves genuine. `None`
    /// for what Kassa asked the provider itself (a status poll).
    ticket: Option<&'a Ticket>,
    /// The job verifying it, marked done with its settlement.
    job: Option<&'a Mark>,
}

impl Message<'_> {
    /// Over its budgets: only what verifies is stored.
    fn over(&self) -> bool {
        self.ticket.is_some_and(|t| t.over)
    }

    /// It verified: its sender's budget gets it back.
    async fn believed(&self, db: &crate::db::Db) -> Result<(), DbError> {
        match self.ticket {
            Some(ticket) => intake::believed(db, ticket).await,
            None => Ok(()),
        }
    }
}

/// A message let in by its budgets, about the payment its tracking code names.
#[derive(Clone, Debug)]
pub struct Admitted {
    code: String,
    ticket: Ticket,
}

/// A notification's verification as a job's outcome: done unless its provider could not be
/// asked (then tried again) or it could not be recorded. A message naming no payment of ours
/// is done: it is not Kassa's, and a retry would not change that.
pub fn job_outcome(verified: &Result<Notified, CheckoutError>, job: &Mark) -> Result<Done, String> {
    match verified {
        Ok(Notified::Unconfirmed) => Err("the provider could not be asked to confirm it".into()),
        Ok(_) | Err(CheckoutError::UnknownPayment) => Ok(job.done()),
        Err(err) => Err(err.to_string()),
    }
}

fn encode_query(params: &[(String, String)]) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    out.extend_pairs(params);
    out.finish()
}
