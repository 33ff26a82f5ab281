//! The customer's checkout: validates a submitted payment form, records the payment exactly
//! once per form (idempotency key), registers online payments with the provider, and settles
//! the customer's return from the provider.

use crate::connectors::{
    AnyConnector, Connector, ConnectorError, Connectors, HandOff, StartRequest, Verdict,
    Verification,
};
use crate::db::methods::PaymentMethod;
use crate::db::payments::{self, Change, Kind, NewPayment, Payment, Source, Transition};
use crate::db::stores::Store;
use crate::db::{Db, DbError, bank_accounts, methods, stores};
use crate::links::{self, LinkProblem, PaymentLink};
use crate::mobile::{MobileError, normalize_mobile};
use crate::money::parse_amount;
use crate::settings::methods::offered;
use crate::status::PaymentStatus;
use crate::validation::{self as v, Field, FieldErrors, Problem};

/// What the customer submitted, as typed. `method` is `gateway:<id>` or `slip`.
#[derive(Clone, Debug, Default)]
pub struct CheckoutForm {
    pub key: String,
    pub payer_name: String,
    pub mobile: String,
    pub phone: String,
    pub email: String,
    pub description: String,
    pub amount: String,
    pub method: String,
    pub bank_account: String,
    pub slip_number: String,
    pub slip_date: String,
    /// The payment link's token and signature, when the page was opened through one.
    pub link: String,
    pub sig: String,
    /// The page's language, for the provider's page; empty for the store's default.
    pub language: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    #[error("no such store")]
    UnknownStore,
    #[error("the store is not taking payments right now")]
    Maintenance,
    #[error("the form has errors")]
    Invalid(FieldErrors),
    #[error("no such payment")]
    UnknownPayment,
    #[error("the payment link takes no payment: {}", .0.as_str())]
    Link(LinkProblem),
    #[error(transparent)]
    Storage(#[from] DbError),
}

/// Where the customer goes after submitting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Submitted {
    /// An online payment is ready: hand the customer to the provider.
    ToProvider { code: String },
    /// A bank slip was recorded, or the gateway refused and the payment failed: show its page.
    Recorded { code: String },
}

#[derive(Clone)]
pub struct Checkout {
    db: Db,
    connectors: Connectors,
    public_url: String,
}

/// The payment choice of a form.
enum Choice {
    Gateway(methods::PaymentMethod),
    Slip(bank_accounts::BankAccount),
}

struct Valid {
    payer_name: String,
    mobile: String,
    phone: Option<String>,
    email: Option<String>,
    description: Option<String>,
    amount: i64,
    /// What the chosen method's discount lets off `amount`.
    discount: i64,
    choice: Choice,
    slip_number: Option<String>,
    slip_date: Option<String>,
}

impl Checkout {
    pub fn new(db: Db, connectors: Connectors, public_url: &str) -> Checkout {
        Checkout {
            db,
            connectors,
            public_url: public_url.trim_end_matches('/').to_owned(),
        }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn connectors(&self) -> &Connectors {
        &self.connectors
    }

    /// Where customers and providers reach Kassa.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    pub async fn store(&self, slug: &str) -> Result<Store, CheckoutError> {
        stores::by_slug(&self.db, slug)
            .await?
            .ok_or(CheckoutError::UnknownStore)
    }

    /// The methods a customer of `store` may pay with: enabled, and taking the store's currency
    /// (a store that changed its currency keeps methods whose provider does not take it, but
    /// offers and starts none of them).
    pub async fn offered_methods(
        &self,
        store: &Store,
    ) -> Result<Vec<PaymentMethod>, CheckoutError> {
        let mut enabled = methods::list_enabled(&self.db, store.id).await?;
        enabled.retain(|m| offered(m, store.currency));
        Ok(enabled)
    }

    /// Validates and records the form; for an online payment, registers it with the provider.
    /// Submitting the same form (same key) again returns the first payment and writes nothing.
    pub async fn submit(
        &self,
        store_slug: &str,
        form: &CheckoutForm,
    ) -> Result<Submitted, CheckoutError> {
        let store = self.store(store_slug).await?;
        if store.maintenance {
            return Err(CheckoutError::Maintenance);
        }
        let key = form.key.trim();
        if key.is_empty() || key.len() > 64 {
            let mut errors = FieldErrors::default();
            errors.add(Field::Method, Problem::Invalid);
            return Err(CheckoutError::Invalid(errors));
        }
        let link = match form.link.trim() {
            "" => None,
            token => {
                let key = self.connectors.secret_key();
                let now = crate::time::now_millis();
                match links::check_submission(&self.db, key, &store, token, form.sig.trim(), now)
                    .await?
                {
                    Ok(link) => Some(link),
                    Err(problem) => return Err(CheckoutError::Link(problem)),
                }
            }
        };
        let valid = self.validate(&store, form, link.as_ref()).await?;
        // A payment counts toward its link (a use, the link's report) only on the link's terms.
        let link = link.filter(|l| on_terms(l, &valid));
        let (kind, method_id, bank_account_id) = match &valid.choice {
            Choice::Gateway(m) => (Kind::Online, Some(m.id), None),
            Choice::Slip(a) => (Kind::BankSlip, None, Some(a.id)),
        };
        let new = NewPayment {
            kind,
            method_id,
            bank_account_id,
            payer_name: &valid.payer_name,
            mobile: &valid.mobile,
            phone: valid.phone.as_deref(),
            email: valid.email.as_deref(),
            description: valid.description.as_deref(),
            amount: valid.amount - valid.discount,
            discount: valid.discount,
            currency: store.currency,
            slip_number: valid.slip_number.as_deref(),
            slip_date: valid.slip_date.as_deref(),
            link_id: link.as_ref().map(|l| l.id),
            live: match &valid.choice {
                Choice::Gateway(m) => m.live,
                Choice::Slip(_) => true,
            },
        };
        let identity = submission_identity(key, &valid);
        let (payment, created) =
            match payments::create_idempotent(&self.db, store.id, &identity, new).await {
                Err(DbError::LinkUsedUp) => return Err(CheckoutError::Link(LinkProblem::UsedUp)),
                other => other?,
            };
        let code = payment.tracking_code.clone();
        if !created || payment.kind == Kind::BankSlip {
            return Ok(self.where_to(&payment));
        }
        let Choice::Gateway(method) = valid.choice else {
            unreachable!("online payments have a gateway")
        };
        let description = valid.description.unwrap_or_else(|| store.name.clone());
        let return_url = format!("{}/pay/{code}/return", self.public_url);
        let notify_url = format!(
            "{}{}",
            self.public_url,
            crate::connectors::notify_path(&method.provider, &code)
        );
        let started = match self.connectors.for_method(&method) {
            Ok(connector) => {
                connector
                    .start(StartRequest {
                        payment: &payment,
                        description: &description,
                        return_url: &return_url,
                        notify_url: &notify_url,
                        language: page_language(&form.language, &store.default_lang),
                    })
                    .await
            }
            Err(e) => Err(e),
        };
        match started {
            Ok(started) => {
                payments::set_provider_ref(
                    &self.db,
                    store.id,
                    payment.id,
                    &started.provider_ref,
                    started.handoff_url.as_deref(),
                    &started.raw,
                )
                .await?;
                Ok(Submitted::ToProvider { code })
            }
            Err(err) => {
                tracing::warn!(payment = payment.id, error = %err, "the gateway refused a payment");
                let (failure, detail) = failure_of(&err);
                let change = Change {
                    to: PaymentStatus::Failed,
                    source: Source::Provider,
                    kind: "request_refused",
                    detail: Some(&detail),
                    bank_ref: None,
                    card_pan: None,
                    failure_code: Some(&failure),
                };
                payments::transition(&self.db, &payment, change).await?;
                Ok(Submitted::Recorded { code })
            }
        }
    }

    /// Where a customer whose payment ended without the money tries again, as a path: the
    /// payment link it came through, exactly (token, signature, limits and expiry hold), or
    /// for a plain payment the store's page prefilled with what it was for, before the
    /// method's discount (the discount is taken again at the next payment, not compounded).
    pub async fn retry_path(
        &self,
        payment: &Payment,
        store: &Store,
    ) -> Result<String, CheckoutError> {
        let page = format!("/s/{}/openpay", store.slug);
        if let Some(id) = payment.link_id
            && let Some(link) = crate::db::links::by_id(&self.db, store.id, id).await?
        {
            let key = self.connectors.secret_key();
            return Ok(crate::settings::links::url(key, &page, store.id, &link));
        }
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("receivername", &payment.payer_name);
        if let Some(description) = &payment.description {
            query.append_pair("description", description);
        }
        // A store that changed its currency since has no price in the old one to offer.
        if payment.currency == store.currency {
            let before_discount = payment.amount + payment.discount;
            query.append_pair(
                "price",
                &crate::money::amount_input_value(before_discount, store.currency, store.unit()),
            );
        }
        Ok(format!("{page}?{}", query.finish()))
    }

    /// A replayed form goes where the first submission went.
    fn where_to(&self, payment: &Payment) -> Submitted {
        let code = payment.tracking_code.clone();
        if payment.status == PaymentStatus::Created && payment.provider_ref.is_some() {
            Submitted::ToProvider { code }
        } else {
            Submitted::Recorded { code }
        }
    }

    /// A signed link's stored terms replace what the form says about the amount and the
    /// description; any link's limits bound an amount the customer chose.
    async fn validate(
        &self,
        store: &Store,
        form: &CheckoutForm,
        link: Option<&PaymentLink>,
    ) -> Result<Valid, CheckoutError> {
        let signed = link.filter(|l| l.signed);
        let mut errors = FieldErrors::default();
        let payer_name = errors.check(Field::Name, v::required_name(&form.payer_name, 100));
        let mobile = errors.check(
            Field::Mobile,
            normalize_mobile(&form.mobile).map_err(|e| match e {
                MobileError::Missing => Problem::Required,
                MobileError::Invalid => Problem::Invalid,
            }),
        );
        let phone = errors
            .check(Field::Phone, v::optional_phone(&form.phone))
            .flatten();
        let email = errors
            .check(Field::Email, v::optional_email(&form.email))
            .flatten();
        let description = match signed {
            Some(link) => link.description.clone(),
            None => errors
                .check(Field::Description, v::optional_name(&form.description, 500))
                .flatten(),
        };
        // A link's stored amount holds wherever the page showed it fixed (a signed link, or a
        // plain one in a store that does not let customers choose): what the form posts cannot
        // change it, and it is kept in minor units, whatever the store displays now.
        let amount = match link.and_then(|l| l.held_amount(store.custom_amounts)) {
            Some(fixed) => Some(fixed),
            None => errors.check(
                Field::Amount,
                parse_amount(&form.amount, store.currency, store.unit()).map_err(Problem::from),
            ),
        };
        if let (Some(link), Some(amount)) = (link, amount) {
            within(&mut errors, amount, link.min_amount, link.max_amount);
        }
        let choice = self.choice(store, form, &mut errors).await?;
        let (mut slip_number, mut slip_date) = (None, None);
        // Slip details are checked whenever a slip was chosen, even if its account was not valid.
        if form.method.trim() == "slip" {
            slip_number = errors.check(Field::SlipNumber, v::slip_number(&form.slip_number));
            slip_date = errors.check(
                Field::SlipDate,
                v::slip_date(&form.slip_date, crate::time::latest_date_today()),
            );
        }
        if let (Some(Choice::Gateway(m)), Some(amount)) = (&choice, amount) {
            within(&mut errors, amount, m.min_amount, m.max_amount);
            // A discount of the whole amount leaves nothing for the gateway to charge.
            if m.discount.is_some_and(|d| d.off(amount) >= amount) {
                errors.add(Field::Method, Problem::Unavailable);
            }
        }
        let discount = match (&choice, amount) {
            (Some(Choice::Gateway(m)), Some(amount)) => m.discount.map_or(0, |d| d.off(amount)),
            _ => 0,
        };
        match (payer_name, mobile, amount, choice) {
            (Some(payer_name), Some(mobile), Some(amount), Some(choice)) if errors.is_empty() => {
                Ok(Valid {
                    payer_name,
                    mobile,
                    phone,
                    email,
                    description,
                    amount,
                    discount,
                    choice,
                    slip_number,
                    slip_date,
                })
            }
            _ => Err(CheckoutError::Invalid(errors)),
        }
    }

    async fn choice(
        &self,
        store: &Store,
        form: &CheckoutForm,
        errors: &mut FieldErrors,
    ) -> Result<Option<Choice>, DbError> {
        let method = form.method.trim();
        if method == "slip" {
            let account = match form.bank_account.trim().parse::<i64>() {
                Ok(id) => bank_accounts::get_active(&self.db, store.id, id).await?,
                Err(_) => None,
            };
            if account.is_none() {
                let problem = if form.bank_account.trim().is_empty() {
                    Problem::Required
                } else {
                    Problem::Unavailable
                };
                errors.add(Field::BankAccount, problem);
            }
            return Ok(account.map(Choice::Slip));
        }
        let Some(id) = method.strip_prefix("gateway:") else {
            errors.add(
                Field::Method,
                if method.is_empty() {
                    Problem::Required
                } else {
                    Problem::Invalid
                },
            );
            return Ok(None);
        };
        let found = match id.parse::<i64>() {
            Ok(id) => methods::get(&self.db, store.id, id)
                .await?
                .filter(|m| offered(m, store.currency)),
            Err(_) => None,
        };
        if found.is_none() {
            errors.add(Field::Method, Problem::Unavailable);
        }
        Ok(found.map(Choice::Gateway))
    }

    /// The hand-off of a started online payment, or `None` when it no longer waits for one.
    pub async fn hand_off(&self, code: &str) -> Result<Option<HandOff>, CheckoutError> {
        let payment = self.payment(code).await?;
        if payment.status != PaymentStatus::Created {
            return Ok(None);
        }
        let Some(method_id) = payment.method_id else {
            return Ok(None);
        };
        let method = methods::get(&self.db, payment.store_id, method_id)
            .await?
            .ok_or(CheckoutError::UnknownPayment)?;
        match self
            .connectors
            .for_method(&method)
            .and_then(|c| c.hand_off(&payment))
        {
            Ok(hand_off) => Ok(Some(hand_off)),
            Err(err) => {
                tracing::warn!(payment = payment.id, error = %err, "no hand-off for a started payment");
                Ok(None)
            }
        }
    }

    pub async fn payment(&self, code: &str) -> Result<Payment, CheckoutError> {
        let code = crate::tracking::normalize(code).ok_or(CheckoutError::UnknownPayment)?;
        payments::public_lookup(&self.db, &code)
            .await?
            .ok_or(CheckoutError::UnknownPayment)
    }

    /// Settles the customer's return from the provider: asks the provider (never the query
    /// string) and records the verdict. Returns the payment as it now stands.
    pub async fn complete_return(
        &self,
        code: &str,
        params: &[(String, String)],
    ) -> Result<Payment, CheckoutError> {
        let payment = self.payment(code).await?;
        let message = Message {
            source: Source::Customer,
            name: "return",
            raw: encode_query(params),
        };
        let verification = match self.open_method(&payment, &message).await? {
            Some(Ok(connector)) => connector.verify_return(&payment, params).await,
            Some(Err(err)) => Err(err),
            None => return Ok(payment),
        };
        Ok(self.settle(payment, &message, verification).await?.0)
    }

    /// Settles a provider's server-to-server notification about a payment (its raw body).
    /// `provider` is the provider the address it came to belongs to (`/notify/{provider}`),
    /// when it names one: a message for another provider's payment is refused. A notification
    /// that fails verification changes nothing and is logged with the reason; the same
    /// notification again (a provider's retry) moves the payment at most once.
    pub async fn complete_notification(
        &self,
        code: &str,
        provider: Option<&str>,
        body: &[u8],
    ) -> Result<Notified, CheckoutError> {
        let payment = self.payment(code).await?;
        let message = Message {
            source: Source::Provider,
            name: "notification",
            raw: String::from_utf8_lossy(body).into_owned(),
        };
        let method = self.method_of(&payment).await?;
        let routed = match (provider, &method) {
            (None, _) => Ok(()),
            (Some(to), Some(m)) if m.provider == to => Ok(()),
            (Some(to), m) => Err(ConnectorError::Rejected(format!(
                "sent to {to}'s address, but the payment is {}'s",
                m.as_ref().map_or("a bank slip", |m| m.provider.as_str())
            ))),
        };
        let Some(method) = method.filter(|_| routed.is_ok()) else {
            if let Err(err) = routed {
                self.not_verified(&payment, &message, &err).await?;
                return Ok(Notified::Refused);
            }
            self.after_final(&payment, &message).await?;
            return Ok(Notified::Accepted);
        };
        let verification = match self.connectors.for_method(&method) {
            Ok(connector) => connector.verify_notification(&payment, body).await,
            Err(err) => Err(err),
        };
        Ok(match verification {
            Ok(v) if payment.status != PaymentStatus::Created => {
                self.after_settled(&payment, &message, v).await?
            }
            verification => self.settle(payment, &message, verification).await?.1,
        })
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
            Verdict::Reversed { code, reference } => {
                self.reversed(payment, message, code, reference, &v.raw)
                    .await?
            }
            Verdict::Paid { bank_ref, .. }
                if payment.bank_ref.as_deref() != Some(bank_ref.as_str()) =>
            {
                return self
                    .paid_unexpectedly(payment, message, bank_ref, &v.raw)
                    .await;
            }
            _ => self.after_final(payment, message).await?,
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
        if payments::record_once(&self.db, payment, source, kind, &head, &detail, true).await? {
            tracing::warn!(
                payment = payment.id,
                kind,
                "money taken for a payment that cannot take it"
            );
        }
        Ok(Notified::Refused)
    }

    /// Logs a notification refused before it reached a connector (too large, say).
    pub async fn refuse_notification(&self, code: &str, reason: &str) -> Result<(), CheckoutError> {
        let payment = self.payment(code).await?;
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
            self.after_final(payment, message).await?;
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

    /// Logs a message about a payment that no longer waits for its provider.
    async fn after_final(
        &self,
        payment: &Payment,
        message: &Message<'_>,
    ) -> Result<(), CheckoutError> {
        let kind = format!("{}_after_final", message.name);
        payments::record_event(&self.db, payment, message.source, &kind, Some(&message.raw))
            .await?;
        Ok(())
    }

    /// Records a refund or reversal the provider reported, once per provider reference.
    async fn reversed(
        &self,
        payment: &Payment,
        message: &Message<'_>,
        code: &str,
        reference: &str,
        raw: &str,
    ) -> Result<(), CheckoutError> {
        let head = format!("{code} {reference};");
        let detail = format!("{head} {}: {}; verify: {raw}", message.name, message.raw);
        let source = Source::Provider;
        payments::record_once(&self.db, payment, source, REVERSED, &head, &detail, false).await?;
        Ok(())
    }

    /// Keeps the payment open and logs why a message was not believed (an unreachable
    /// provider, a foreign or forged message).
    async fn not_verified(
        &self,
        payment: &Payment,
        message: &Message<'_>,
        err: &ConnectorError,
    ) -> Result<(), CheckoutError> {
        let kind = format!("{}_not_verified", message.name);
        let detail = format!("{err}; {}: {}", message.name, message.raw);
        payments::record_event(&self.db, payment, message.source, &kind, Some(&detail)).await?;
        Ok(())
    }

    /// Records the provider's verdict on a payment. Returns the payment as it now stands and
    /// what became of the message.
    async fn settle(
        &self,
        payment: Payment,
        message: &Message<'_>,
        verification: Result<Verification, ConnectorError>,
    ) -> Result<(Payment, Notified), CheckoutError> {
        let verification = match verification {
            Ok(v) => v,
            Err(err) => {
                self.not_verified(&payment, message, &err).await?;
                let notified = match err {
                    ConnectorError::Unreachable(_) => Notified::Unconfirmed,
                    _ => Notified::Refused,
                };
                return Ok((payment, notified));
            }
        };
        let raw = format!(
            "{}: {}; verify: {}",
            message.name, message.raw, verification.raw
        );
        let change = |to, kind, failure_code| Change {
            to,
            source: Source::Provider,
            kind,
            detail: Some(&raw),
            bank_ref: None,
            card_pan: None,
            failure_code,
        };
        let outcome = match &verification.verdict {
            Verdict::Paid { bank_ref, card_pan } => Change {
                bank_ref: Some(bank_ref),
                card_pan: card_pan.as_deref(),
                ..change(PaymentStatus::Paid, "verified", None)
            },
            Verdict::Cancelled { code } => change(
                PaymentStatus::Cancelled,
                "cancelled_at_provider",
                Some(code),
            ),
            Verdict::Failed { code } => {
                change(PaymentStatus::Failed, "failed_at_provider", Some(code))
            }
            Verdict::Reversed { code, reference } => {
                // Money sent back for a payment we never saw paid: worth keeping, not a status.
                self.reversed(&payment, message, code, reference, &verification.raw)
                    .await?;
                return Ok((payment, Notified::Accepted));
            }
            Verdict::Pending => {
                payments::record_event(
                    &self.db,
                    &payment,
                    Source::Provider,
                    "still_pending",
                    Some(&raw),
                )
                .await?;
                return Ok((payment, Notified::Accepted));
            }
        };
        let moved = payments::transition(&self.db, &payment, outcome).await?;
        let now = self.payment(&payment.tracking_code).await?;
        match (moved, &verification.verdict) {
            (Transition::Moved, _) => {
                tracing::info!(
                    payment = payment.id,
                    "payment settled from the provider's answer"
                );
            }
            // Another message moved the payment first (a cancel, a failure, another
            // transaction's "paid"): money taken that it cannot take is flagged, as if the
            // message had come after.
            (Transition::Unchanged(_), Verdict::Paid { bank_ref, .. })
                if now.bank_ref.as_deref() != Some(bank_ref.as_str()) =>
            {
                let notified = self
                    .paid_unexpectedly(&now, message, bank_ref, &verification.raw)
                    .await?;
                return Ok((now, notified));
            }
            (Transition::Unchanged(_), _) => {}
        }
        Ok((now, Notified::Accepted))
    }
}

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
}

/// A message about a payment from outside: the customer's return or a provider's
/// notification, as logged.
struct Message<'a> {
    source: Source,
    /// `return` or `notification`: prefixes the event kinds it causes.
    name: &'a str,
    raw: String,
}

/// Whether a payment keeps to its link's terms: a signed link's always do (the stored terms
/// were used); a plain link's when the amount and description are the ones it names.
fn on_terms(link: &PaymentLink, v: &Valid) -> bool {
    link.signed
        || (link.amount.is_none_or(|a| a == v.amount)
            && link
                .description
                .as_ref()
                .is_none_or(|d| v.description.as_ref() == Some(d)))
}

/// Refuses an amount outside `min`..=`max` (either may be absent).
fn within(errors: &mut FieldErrors, amount: i64, min: Option<i64>, max: Option<i64>) {
    if let Some(min) = min.filter(|&min| amount < min) {
        errors.add(Field::Amount, Problem::BelowMin(min));
    }
    if let Some(max) = max.filter(|&max| amount > max) {
        errors.add(Field::Amount, Problem::AboveMax(max));
    }
}

/// The idempotency identity of a submission: the form's key (stable per browser) and what was
/// submitted, normalized. The same submission again (double click, back button, retry) finds
/// its payment; an edited one is a new payment.
fn submission_identity(key: &str, v: &Valid) -> String {
    use sha2::{Digest, Sha256};
    let choice = match &v.choice {
        Choice::Gateway(m) => format!("gateway:{}", m.id),
        Choice::Slip(a) => format!("slip:{}", a.id),
    };
    let amount = v.amount.to_string();
    let parts = [
        key,
        &v.payer_name,
        &v.mobile,
        v.phone.as_deref().unwrap_or_default(),
        v.email.as_deref().unwrap_or_default(),
        v.description.as_deref().unwrap_or_default(),
        &amount,
        &choice,
        v.slip_number.as_deref().unwrap_or_default(),
        v.slip_date.as_deref().unwrap_or_default(),
    ];
    let mut hash = Sha256::new();
    for part in parts {
        // Length-prefixed, so no two different submissions hash the same text.
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part.as_bytes());
    }
    crate::tracking::hex(&hash.finalize())
}

fn failure_of(err: &ConnectorError) -> (String, String) {
    match err {
        ConnectorError::Refused { code, raw } => (code.clone(), raw.clone()),
        ConnectorError::Unreachable(_) => ("kassa:unreachable".into(), err.to_string()),
        ConnectorError::Config(_) => ("kassa:misconfigured".into(), err.to_string()),
        ConnectorError::Protocol(_) | ConnectorError::Rejected(_) => {
            ("kassa:protocol".into(), err.to_string())
        }
    }
}

/// The customer's page language if Kassa speaks it, else the store's.
fn page_language<'a>(chosen: &'a str, store_default: &'a str) -> &'a str {
    if crate::validation::LANGUAGES.contains(&chosen) {
        chosen
    } else {
        store_default
    }
}

fn encode_query(params: &[(String, String)]) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    out.extend_pairs(params);
    out.finish()
}
