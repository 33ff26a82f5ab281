//! Payments, their event log and the idempotency keys of form submissions. Status changes go
//! through [`transition`] only: one conditional UPDATE plus its event, in one transaction, so a
//! replayed or concurrent provider message moves a payment at most once.

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use super::{Db, DbError};
use crate::money::Currency;
use crate::status::PaymentStatus;
use crate::time::now_millis;
use crate::tracking;

/// A row of `payments` as read with [`COLUMNS`] (also inside another table's read).
#[derive(Clone, Debug, FromRow)]
pub(super) struct PaymentRow {
    id: i64,
    store_id: i64,
    tracking_code: String,
    kind: String,
    method_id: Option<i64>,
    bank_account_id: Option<i64>,
    payer_name: String,
    mobile: String,
    phone: Option<String>,
    email: Option<String>,
    description: Option<String>,
    amount: i64,
    discount: i64,
    currency: String,
    status: String,
    provider_ref: Option<String>,
    bank_ref: Option<String>,
    card_pan: Option<String>,
    slip_number: Option<String>,
    slip_date: Option<String>,
    failure_code: Option<String>,
    link_id: Option<i64>,
    handoff_url: Option<String>,
    attention: i64,
    live: i64,
    dropped_messages: i64,
    language: String,
    created_at: i64,
}

pub(super) const COLUMNS: &str = "id, store_id, tracking_code, kind, method_id, bank_account_id, payer_name, \
    mobile, phone, email, description, amount, discount, currency, status, provider_ref, bank_ref, \
    card_pan, slip_number, slip_date, failure_code, link_id, handoff_url, attention, live, dropped_messages, language, created_at";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    Online,
    BankSlip,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Online => "online",
            Kind::BankSlip => "bank_slip",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Payment {
    pub id: i64,
    pub store_id: i64,
    pub tracking_code: String,
    pub kind: Kind,
    pub method_id: Option<i64>,
    pub bank_account_id: Option<i64>,
    pub payer_name: String,
    pub mobile: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub description: Option<String>,
    /// What the payer is charged, after `discount`.
    pub amount: i64,
    /// What the method's discount let off.
    pub discount: i64,
    pub currency: Currency,
    pub status: PaymentStatus,
    /// The provider's id of this payment (Zarinpal's authority).
    pub provider_ref: Option<String>,
    /// The reference the bank gives the customer (Zarinpal's ref_id).
    pub bank_ref: Option<String>,
    pub card_pan: Option<String>,
    pub slip_number: Option<String>,
    pub slip_date: Option<String>,
    /// `provider:code` of the failure, e.g. `zarinpal:-51`.
    pub failure_code: Option<String>,
    /// The payment link it came through.
    pub link_id: Option<i64>,
    /// The provider's page for this payment, when the provider gave its address.
    pub handoff_url: Option<String>,
    /// Money the provider took that Kassa refused or did not expect: the merchant must look.
    pub attention: bool,
    /// Ran against the provider's live system, not its test environment (slips: always).
    pub live: bool,
    /// Messages about it dropped unstored, over its or their sender's budget (`intake`).
    pub dropped_messages: i64,
    /// The language the payer paid in (their receipt's and its e-mail's); `""`: the store's.
    pub language: String,
    pub created_at: i64,
}

impl TryFrom<PaymentRow> for Payment {
    type Error = DbError;

    fn try_from(r: PaymentRow) -> Result<Payment, DbError> {
        let corrupt = |what: &str| DbError::Corrupt(format!("payment {}: {what}", r.id));
        Ok(Payment {
            kind: match r.kind.as_str() {
                "online" => Kind::Online,
                "bank_slip" => Kind::BankSlip,
                _ => return Err(corrupt("unknown kind")),
            },
            currency: Currency::parse(&r.currency).ok_or_else(|| corrupt("unknown currency"))?,
            status: PaymentStatus::parse(&r.status).ok_or_else(|| corrupt("unknown status"))?,
            id: r.id,
            store_id: r.store_id,
            tracking_code: r.tracking_code,
            method_id: r.method_id,
            bank_account_id: r.bank_account_id,
            payer_name: r.payer_name,
            mobile: r.mobile,
            phone: r.phone,
            email: r.email,
            description: r.description,
            amount: r.amount,
            discount: r.discount,
            provider_ref: r.provider_ref,
            bank_ref: r.bank_ref,
            card_pan: r.card_pan,
            slip_number: r.slip_number,
            slip_date: r.slip_date,
            failure_code: r.failure_code,
            link_id: r.link_id,
            handoff_url: r.handoff_url,
            attention: r.attention != 0,
            live: r.live != 0,
            dropped_messages: r.dropped_messages,
            language: r.language,
            created_at: r.created_at,
        })
    }
}

/// Who or what caused an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    Customer,
    Provider,
    Merchant,
    System,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Customer => "customer",
            Source::Provider => "provider",
            Source::Merchant => "merchant",
            Source::System => "system",
        }
    }
}

pub struct NewPayment<'a> {
    pub kind: Kind,
    pub method_id: Option<i64>,
    pub bank_account_id: Option<i64>,
    pub payer_name: &'a str,
    pub mobile: &'a str,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub description: Option<&'a str>,
    pub amount: i64,
    pub discount: i64,
    pub currency: Currency,
    pub slip_number: Option<&'a str>,
    pub slip_date: Option<&'a str>,
    /// The payment link it comes through: takes one of its uses.
    pub link_id: Option<i64>,
    /// Against the provider's live system (the method's mode; slips: true).
    pub live: bool,
    /// The payer's language (`validation::LANGUAGES`).
    pub language: &'a str,
}

impl NewPayment<'_> {
    fn initial_status(&self) -> PaymentStatus {
        match self.kind {
            Kind::Online => PaymentStatus::Created,
            Kind::BankSlip => PaymentStatus::AwaitingConfirmation,
        }
    }
}

/// Creates a payment unless `key` (the submission's idempotency key) already made one, in which
/// case that payment is returned with `false`, or, when it ended without the money
/// ([`PaymentStatus::may_retry`]), a new payment takes the key over: a retry. Safe under
/// concurrent submissions of the same key: one insert (or one take-over) wins.
pub async fn create_idempotent(
    db: &Db,
    store_id: i64,
    key: &str,
    new: NewPayment<'_>,
) -> Result<(Payment, bool), DbError> {
    let first = insert_with_key(db, store_id, key, &new, None).await;
    if let Ok(Some(payment)) = first {
        return Ok((payment, true));
    }
    // The insert failed, most likely on the key's uniqueness: the key's payment decides.
    let Some(existing) = by_idempotency_key(db, store_id, key).await? else {
        return Err(first.err().unwrap_or_else(|| {
            DbError::Corrupt(format!("idempotency key of store {store_id} was not bound"))
        }));
    };
    if !existing.status.may_retry() {
        return Ok((existing, false));
    }
    match insert_with_key(db, store_id, key, &new, Some(existing.id)).await? {
        Some(payment) => Ok((payment, true)),
        // A concurrent retry took the key over first: its payment is this submission's.
        None => by_idempotency_key(db, store_id, key)
            .await?
            .map(|p| (p, false))
            .ok_or_else(|| {
                DbError::Corrupt(format!("idempotency key of store {store_id} vanished"))
            }),
    }
}

/// Inserts the payment and binds `key` to it: a new key, or (`replaces`) the key of that
/// earlier payment, taken over only if it still points there. `None`: someone else took it.
async fn insert_with_key(
    db: &Db,
    store_id: i64,
    key: &str,
    new: &NewPayment<'_>,
    replaces: Option<i64>,
) -> Result<Option<Payment>, DbError> {
    let now = now_millis();
    let status = new.initial_status();
    // Writes come first in the transaction so SQLite takes its write lock before reading.
    let mut tx = db.begin().await?;
    if let Some(link) = new.link_id
        && !super::links::reserve(&mut tx, store_id, link).await?
    {
        return Err(DbError::LinkUsedUp);
    }
    let row: PaymentRow = sqlx::query_as(&format!(
        "INSERT INTO payments (store_id, tracking_code, kind, method_id, bank_account_id, payer_name, \
         mobile, phone, email, description, amount, discount, currency, status, slip_number, \
         slip_date, link_id, live, language, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20) \
         RETURNING {COLUMNS}"
    ))
    .bind(store_id)
    .bind(tracking::generate())
    .bind(new.kind.as_str())
    .bind(new.method_id)
    .bind(new.bank_account_id)
    .bind(new.payer_name)
    .bind(new.mobile)
    .bind(new.phone)
    .bind(new.email)
    .bind(new.description)
    .bind(new.amount)
    .bind(new.discount)
    .bind(new.currency.code())
    .bind(status.as_str())
    .bind(new.slip_number)
    .bind(new.slip_date)
    .bind(new.link_id)
    .bind(i64::from(new.live))
    .bind(new.language)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let bound = match replaces {
        None => sqlx::query(
            "INSERT INTO idempotency_keys (store_id, key, payment_id, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(store_id)
        .bind(key)
        .bind(row.id)
        .bind(now)
        .execute(&mut **tx)
        .await?
        .rows_affected(),
        Some(previous) => sqlx::query(
            "UPDATE idempotency_keys SET payment_id = $3, created_at = $4 \
             WHERE store_id = $1 AND key = $2 AND payment_id = $5",
        )
        .bind(store_id)
        .bind(key)
        .bind(row.id)
        .bind(now)
        .bind(previous)
        .execute(&mut **tx)
        .await?
        .rows_affected(),
    };
    if bound != 1 {
        // Dropping the transaction rolls the new payment back.
        return Ok(None);
    }
    insert_event(
        &mut tx,
        store_id,
        row.id,
        Source::Customer,
        "created",
        None,
        Some(status),
        None,
    )
    .await?;
    // An online payment's provider is asked later in case nothing comes back (`polls`).
    if new.kind == Kind::Online {
        let poll = crate::polls::first(&row.tracking_code, now);
        super::jobs::enqueue(&mut tx, &poll, now).await?;
    }
    let payment = Payment::try_from(row)?;
    let owed = crate::effects::owed(&payment, status, now);
    super::jobs::enqueue_all(&mut tx, &owed, now).await?;
    tx.commit().await?;
    Ok(Some(payment))
}

async fn by_idempotency_key(db: &Db, store_id: i64, key: &str) -> Result<Option<Payment>, DbError> {
    let row: Option<PaymentRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM payments WHERE store_id = $1 AND id = \
         (SELECT payment_id FROM idempotency_keys WHERE store_id = $1 AND key = $2)"
    ))
    .bind(store_id)
    .bind(key)
    .fetch_optional(db.pool())
    .await?;
    row.map(Payment::try_from).transpose()
}

pub async fn by_code(db: &Db, store_id: i64, code: &str) -> Result<Option<Payment>, DbError> {
    let row: Option<PaymentRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM payments WHERE store_id = $1 AND tracking_code = $2"
    ))
    .bind(store_id)
    .bind(code)
    .fetch_optional(db.pool())
    .await?;
    row.map(Payment::try_from).transpose()
}

pub async fn by_id(db: &Db, store_id: i64, id: i64) -> Result<Option<Payment>, DbError> {
    let row: Option<PaymentRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM payments WHERE store_id = $1 AND id = $2"
    ))
    .bind(store_id)
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.map(Payment::try_from).transpose()
}

/// The one lookup without a store: holding the tracking code is what lets a customer (or the
/// provider's return to our URL) see that single payment.
pub async fn public_lookup(db: &Db, code: &str) -> Result<Option<Payment>, DbError> {
    let row: Option<PaymentRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM payments WHERE tracking_code = $1"
    ))
    .bind(code)
    .fetch_optional(db.pool())
    .await?;
    row.map(Payment::try_from).transpose()
}

/// Records the provider's id of a payment (and the address of its page, when the provider
/// gave one) once its hand-off is prepared.
pub async fn set_provider_ref(
    db: &Db,
    store_id: i64,
    payment_id: i64,
    provider_ref: &str,
    handoff_url: Option<&str>,
    detail: &str,
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE payments SET provider_ref = $1, handoff_url = $2, updated_at = $3 \
         WHERE store_id = $4 AND id = $5",
    )
    .bind(provider_ref)
    .bind(handoff_url)
    .bind(now_millis())
    .bind(store_id)
    .bind(payment_id)
    .execute(&mut **tx)
    .await?;
    insert_event(
        &mut tx,
        store_id,
        payment_id,
        Source::Provider,
        "handoff_prepared",
        None,
        None,
        Some(detail),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A status change and what it came from.
pub struct Change<'a> {
    pub to: PaymentStatus,
    pub source: Source,
    /// What happened, e.g. `verified`, `cancelled_at_gateway`, `request_refused`.
    pub kind: &'a str,
    /// The raw provider message (or the merchant's reason) behind the change.
    pub detail: Option<&'a str>,
    pub bank_ref: Option<&'a str>,
    pub card_pan: Option<&'a str>,
    pub failure_code: Option<&'a str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    /// The payment moved, and its side effects (`crate::effects`) were enqueued with the move.
    Moved,
    /// Nothing changed: the payment already was (or had just become) this status.
    Unchanged(PaymentStatus),
}

/// Moves `payment` from the status the caller read to `change.to`, if the state machine allows.
/// A change that does not apply is still written to the event log (kind `ignored:…`).
pub async fn transition(
    db: &Db,
    payment: &Payment,
    change: Change<'_>,
) -> Result<Transition, DbError> {
    let mut tx = db.begin().await?;
    let moved = transition_in(&mut tx, payment, &change).await?;
    tx.commit().await?;
    if moved {
        return Ok(Transition::Moved);
    }
    let current = by_code(db, payment.store_id, &payment.tracking_code)
        .await?
        .ok_or_else(|| DbError::Corrupt(format!("payment {} vanished", payment.id)))?;
    Ok(Transition::Unchanged(current.status))
}

/// [`transition`] in the caller's transaction: whether the payment moved.
pub async fn transition_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    payment: &Payment,
    change: &Change<'_>,
) -> Result<bool, DbError> {
    Ok(transition_all_in(tx, &[(payment, change)]).await?[0])
}

/// [`transition_in`] for many payments, each at most once, in a few statements however many
/// they are (a settlement batch's moves): on PostgreSQL their rows are locked in id order
/// first, the order every batch takes them in; then one `UPDATE` moves those still in the
/// status their change found them in, one `INSERT` enqueues the moved ones' effects and one
/// writes the timeline lines. Whether each moved.
pub async fn transition_all_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    moves: &[(&Payment, &Change<'_>)],
) -> Result<Vec<bool>, DbError> {
    const PER_ROW: usize = 8;
    let now = now_millis();
    let allowed: Vec<&(&Payment, &Change)> = moves
        .iter()
        .filter(|(payment, change)| payment.status.can_become(change.to))
        .collect();
    let postgres = tx.backend_name() == <sqlx::Postgres as sqlx::Database>::NAME;
    if postgres && allowed.len() > 1 {
        let mut ids: Vec<i64> = allowed.iter().map(|(p, _)| p.id).collect();
        ids.sort_unstable();
        let params: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id FROM payments WHERE id IN ({}) ORDER BY id FOR UPDATE",
            params.join(", ")
        );
        let mut lock = sqlx::query(&sql);
        for id in ids {
            lock = lock.bind(id);
        }
        lock.execute(&mut **tx).await?;
    }
    let mut moved_ids = std::collections::HashSet::new();
    if !allowed.is_empty() {
        // The columns of a `VALUES` are `column1`, `column2`, … on both databases.
        let sql = format!(
            "UPDATE payments SET status = v.column4, bank_ref = COALESCE(v.column5, payments.bank_ref), \
             card_pan = COALESCE(v.column6, payments.card_pan), \
             failure_code = COALESCE(v.column7, payments.failure_code), updated_at = v.column8 \
             FROM (VALUES {}) AS v \
             WHERE payments.store_id = v.column1 AND payments.id = v.column2 \
             AND payments.status = v.column3 RETURNING payments.id",
            super::value_rows(allowed.len(), PER_ROW)
        );
        let mut query = sqlx::query_as::<_, (i64,)>(&sql).persistent(allowed.len() == 1);
        for (payment, change) in &allowed {
            query = query
                .bind(payment.store_id)
                .bind(payment.id)
                .bind(payment.status.as_str())
                .bind(change.to.as_str())
                .bind(change.bank_ref)
                .bind(change.card_pan)
                .bind(change.failure_code)
                .bind(now);
        }
        moved_ids.extend(
            query
                .fetch_all(&mut **tx)
                .await?
                .into_iter()
                .map(|(id,)| id),
        );
    }
    let moved: Vec<bool> = moves
        .iter()
        .map(|(payment, change)| {
            payment.status.can_become(change.to) && moved_ids.contains(&payment.id)
        })
        .collect();
    let owed: Vec<super::jobs::NewJob> = moves
        .iter()
        .zip(&moved)
        .filter(|(_, moved)| **moved)
        .flat_map(|((payment, change), _)| crate::effects::owed(payment, change.to, now))
        .collect();
    super::jobs::enqueue_all(tx, &owed, now).await?;
    // A payment that ended without the money gives its link's use back.
    for ((payment, change), _) in moves.iter().zip(&moved).filter(|(_, moved)| **moved) {
        if let Some(link) = payment.link_id.filter(|_| change.to.may_retry()) {
            super::links::release(tx, payment.store_id, link).await?;
        }
    }
    let kinds: Vec<String> = moves
        .iter()
        .zip(&moved)
        .map(|((_, change), moved)| match moved {
            true => change.kind.to_owned(),
            false => format!("ignored:{}", change.kind),
        })
        .collect();
    let events: Vec<NewEvent> = moves
        .iter()
        .zip(&moved)
        .zip(&kinds)
        .map(|(((payment, change), moved), kind)| NewEvent {
            store_id: payment.store_id,
            payment_id: payment.id,
            source: change.source,
            kind,
            from: Some(payment.status),
            to: moved.then_some(change.to),
            detail: change.detail,
        })
        .collect();
    insert_events(tx, &events).await?;
    Ok(moved)
}

/// Logs something that happened to a payment without changing it (a rejected message, say).
pub async fn record_event(
    db: &Db,
    payment: &Payment,
    source: Source,
    kind: &str,
    detail: Option<&str>,
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    insert_event(
        &mut tx,
        payment.store_id,
        payment.id,
        source,
        kind,
        Some(payment.status),
        None,
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Logs `kind` about the payment once per provider transaction: `head` is how the event's
/// detail starts (the transaction's reference). A repeat is logged as `ignored:{kind}`.
/// With `attention` the payment is also flagged for the merchant (money taken that Kassa
/// refused or did not expect: the report's "needs attention"). Concurrent copies of one
/// message are serialised by writing the payment's row first (a row lock on PostgreSQL, the
/// write lock on SQLite), so exactly one is recorded, and only it enqueues `owed` (the side
/// effects it causes, `effects`) in its transaction. Returns whether this one was.
#[allow(clippy::too_many_arguments)]
pub async fn record_once(
    db: &Db,
    payment: &Payment,
    source: Source,
    kind: &str,
    head: &str,
    detail: &str,
    attention: bool,
    owed: &[super::jobs::NewJob],
) -> Result<bool, DbError> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE payments SET attention = CASE WHEN $1 = 1 THEN 1 ELSE attention END, \
         updated_at = $2 WHERE store_id = $3 AND id = $4",
    )
    .bind(i64::from(attention))
    .bind(now_millis())
    .bind(payment.store_id)
    .bind(payment.id)
    .execute(&mut **tx)
    .await?;
    let earlier: Vec<(Option<String>,)> = sqlx::query_as(
        "SELECT detail FROM payment_events WHERE store_id = $1 AND payment_id = $2 AND kind = $3",
    )
    .bind(payment.store_id)
    .bind(payment.id)
    .bind(kind)
    .fetch_all(&mut **tx)
    .await?;
    let first = !earlier
        .iter()
        .any(|(d,)| d.as_deref().is_some_and(|d| d.starts_with(head)));
    let logged = if first {
        kind.to_owned()
    } else {
        format!("ignored:{kind}")
    };
    insert_event(
        &mut tx,
        payment.store_id,
        payment.id,
        source,
        &logged,
        Some(payment.status),
        None,
        Some(detail),
    )
    .await?;
    if first {
        super::jobs::enqueue_all(&mut tx, owed, now_millis()).await?;
    }
    tx.commit().await?;
    Ok(first)
}

pub use crate::report::Event;

pub async fn events(db: &Db, store_id: i64, payment_id: i64) -> Result<Vec<Event>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, source, kind, from_status, to_status, detail, created_at FROM payment_events \
         WHERE store_id = $1 AND payment_id = $2 ORDER BY id",
    )
    .bind(store_id)
    .bind(payment_id)
    .fetch_all(db.pool())
    .await?)
}

pub async fn count(db: &Db, store_id: i64) -> Result<i64, DbError> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM payments WHERE store_id = $1")
        .bind(store_id)
        .fetch_one(db.pool())
        .await?;
    Ok(n)
}

/// Bank slips waiting for the merchant's decision.
pub async fn awaiting_count(db: &Db, store_id: i64) -> Result<i64, DbError> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM payments WHERE store_id = $1 AND status = $2")
            .bind(store_id)
            .bind(PaymentStatus::AwaitingConfirmation.as_str())
            .fetch_one(db.pool())
            .await?;
    Ok(n)
}

/// The newest timeline line of any payment (0 before the first): where news starts.
pub async fn last_event(db: &Db) -> Result<i64, DbError> {
    let (id,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM payment_events")
        .fetch_one(db.pool())
        .await?;
    Ok(id)
}

/// The stores whose payments' timelines grew after line `after`, each with its newest line.
pub async fn stores_moved_since(db: &Db, after: i64) -> Result<Vec<(i64, i64)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT store_id, MAX(id) FROM payment_events WHERE id > $1 GROUP BY store_id",
    )
    .bind(after)
    .fetch_all(db.pool())
    .await?)
}

/// A line to add to a payment's timeline.
pub(crate) struct NewEvent<'a> {
    pub store_id: i64,
    pub payment_id: i64,
    pub source: Source,
    pub kind: &'a str,
    pub from: Option<PaymentStatus>,
    pub to: Option<PaymentStatus>,
    pub detail: Option<&'a str>,
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    store_id: i64,
    payment_id: i64,
    source: Source,
    kind: &str,
    from: Option<PaymentStatus>,
    to: Option<PaymentStatus>,
    detail: Option<&str>,
) -> Result<(), DbError> {
    let event = NewEvent {
        store_id,
        payment_id,
        source,
        kind,
        from,
        to,
        detail,
    };
    insert_events(tx, std::slice::from_ref(&event)).await
}

/// Adds `events` in one statement, in their order, in the caller's transaction.
pub(crate) async fn insert_events(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    events: &[NewEvent<'_>],
) -> Result<(), DbError> {
    const PER_ROW: usize = 8;
    if events.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO payment_events (store_id, payment_id, source, kind, from_status, to_status, \
         detail, created_at) VALUES {}",
        super::value_rows(events.len(), PER_ROW)
    );
    let now = now_millis();
    let mut query = sqlx::query(&sql).persistent(events.len() == 1);
    for e in events {
        query = query
            .bind(e.store_id)
            .bind(e.payment_id)
            .bind(e.source.as_str())
            .bind(e.kind)
            .bind(e.from.map(PaymentStatus::as_str))
            .bind(e.to.map(PaymentStatus::as_str))
            .bind(e.detail)
            .bind(now);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}
