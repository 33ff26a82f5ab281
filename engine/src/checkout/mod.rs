//! The customer's checkout: validates a submitted payment form, records the payment exactly
//! once per form (idempotency key), registers online payments with the provider, and settles
//! the customer's return from the provider.

use crate::connectors::{Connector, ConnectorError, Connectors, HandOff, Order, StartRequest};
use crate::db::methods::PaymentMethod;
use crate::db::payments::{self, Change, Kind, NewPayment, Payment, Source};
use crate::db::stores::Store;
use crate::db::{Db, DbError, bank_accounts, methods, stores};
use crate::links::{self, LinkProblem, PaymentLink};
use crate::mobile::{MobileError, normalize_mobile};
use crate::money::parse_amount;
use crate::settings::methods::offered;
use crate::status::PaymentStatus;
use crate::validation::{self as v, Field, FieldErrors, Problem};

mod arrivals;
mod messages;
mod settlements;
mod storefront;
pub use messages::{Admitted, Notified, PAID_AFTER_FINAL, REVERSED, SECOND_CHARGE, job_outcome};
pub use storefront::{Storefront, TRUSTED_FOR as STOREFRONT_TRUSTED_FOR};

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
    /// The merchant turned the payment's method off after it was started.
    #[error("the store has turned this payment method off")]
    MethodOff,
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
    arrivals: arrivals::Arrivals,
    settlements: settlements::Settlements,
    /// Verifications' reads of the inbox, in batches.
    inbox: arrivals::Reads,
    storefronts: storefront::Storefronts,
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
            arrivals: arrivals::writer(db.clone()),
            settlements: settlements::writer(db.clone()),
            inbox: arrivals::reader(db.clone()),
            storefronts: storefront::Storefronts::default(),
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
            language: page_language(&form.language, &store.default_lang),
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
        let started = match self.connectors.for_method(&method) {
            Ok(connector) => {
                let notify_url = format!(
                    "{}{}",
                    self.public_url,
                    crate::connectors::notify_path(connector.provider, &code)
                );
                connector
                    .start(StartRequest {
                        order: &Order::from(&payment),
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
    /// A method the merchant has turned off since hands nothing off (`MethodOff`): its
    /// credentials may be the reason.
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
        if !method.enabled {
            return Err(CheckoutError::MethodOff);
        }
        match self
            .connectors
            .for_method(&method)
            .and_then(|c| c.hand_off(&Order::from(&payment)))
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
