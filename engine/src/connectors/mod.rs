//! Provider connectors: thin adapters that speak one provider's protocol. A connector builds
//! the hand-off to the provider's page, verifies what comes back (browser returns now; signed or
//! posted-back notifications with PayMe, PayPal, myPOS and EveryPay), re-fetches a payment's
//! status and maps the provider's statuses to a [`Verdict`]. Connectors never touch the
//! database: the checkout service records what they report.

pub mod everypay;
pub mod mypos;
pub mod payme;
pub mod paypal;
pub mod registry;
pub mod zarinpal;

use std::collections::BTreeMap;
use std::future::Future;

use crate::db::methods::{PaymentMethod, secrets_context};
use crate::db::payments::Payment;
use crate::money::Currency;
use crate::secrets::SecretKey;
use crate::validation::Problem;
pub use registry::{DynConnector, Notifications, Opening, PROVIDERS, Provider, Setting};

pub use crate::public::HandOff;

/// What the provider says about a payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Paid {
        bank_ref: String,
        card_pan: Option<String>,
    },
    /// The customer cancelled at the provider.
    Cancelled {
        code: String,
    },
    Failed {
        code: String,
    },
    /// Not decided yet (the customer may still be on the provider's page).
    Pending,
    /// The money went back (a refund, a chargeback): recorded, never a status of its own; a
    /// paid payment's receipt is cancelled by a document of its own (`db::cancellations`).
    /// `reference` is the provider's transaction that did it, `amount` what it gave back (in
    /// the payment's minor units).
    Reversed {
        code: String,
        reference: String,
        amount: i64,
    },
}

/// The path a provider posts its notifications about payment `code` to.
pub fn notify_path(provider: &Provider, code: &str) -> String {
    match provider.notifications {
        Notifications::Account { .. } => format!("/notify/{}", provider.id),
        Notifications::PerPayment => format!("/pay/{code}/notify"),
    }
}

/// The payment an account-wide notification to `/notify/{provider}` is about (our tracking
/// code, as the provider echoes it back); `None` for a provider that posts none there.
pub fn notified_payment(provider: &str, body: &[u8]) -> Option<String> {
    match registry::find(provider)?.notifications {
        Notifications::Account { payment_of } => payment_of(body),
        Notifications::PerPayment => None,
    }
}

/// What a connector knows of a payment: what its provider is told and what the provider's
/// answers are checked against (never the database row: connectors see no storage).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    /// Kassa's reference at the provider (its order id or invoice).
    pub tracking_code: String,
    /// What the payer is charged, in minor units, after `discount`.
    pub amount: i64,
    /// What the method's discount let off (myPOS lists it as a line of its own).
    pub discount: i64,
    pub currency: Currency,
    pub payer_name: String,
    pub mobile: String,
    pub email: Option<String>,
    /// The provider's id of the payment, once started.
    pub provider_ref: Option<String>,
    /// The provider's page or form for the payment, once started.
    pub handoff_url: Option<String>,
}

impl From<&Payment> for Order {
    fn from(p: &Payment) -> Order {
        Order {
            tracking_code: p.tracking_code.clone(),
            amount: p.amount,
            discount: p.discount,
            currency: p.currency,
            payer_name: p.payer_name.clone(),
            mobile: p.mobile.clone(),
            email: p.email.clone(),
            provider_ref: p.provider_ref.clone(),
            handoff_url: p.handoff_url.clone(),
        }
    }
}

/// A verdict with the raw provider answer it was read from (kept in the event log).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    pub verdict: Verdict,
    pub raw: String,
}

/// A payment registered with the provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Started {
    pub provider_ref: String,
    /// The provider's page for the payment, when the provider gives its address.
    pub handoff_url: Option<String>,
    pub raw: String,
}

pub struct StartRequest<'a> {
    pub order: &'a Order,
    /// Shown to the customer on the provider's page.
    pub description: &'a str,
    /// Where the provider sends the customer back.
    pub return_url: &'a str,
    /// Where the provider posts its server-to-server notification about the payment.
    pub notify_url: &'a str,
    /// The page's language, for the provider's page where it offers it.
    pub language: &'a str,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConnectorError {
    /// The provider answered and refused; `code` is `provider:code`, e.g. `zarinpal:-11`.
    #[error("the provider refused the request ({code})")]
    Refused { code: String, raw: String },
    #[error("the provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the provider's answer could not be understood: {0}")]
    Protocol(String),
    /// An inbound message that does not belong to this payment or fails verification.
    #[error("message rejected: {0}")]
    Rejected(String),
    #[error("the payment method is misconfigured: {0}")]
    Config(String),
}

/// The contract every provider adapter fulfils.
pub trait Connector {
    /// Registers the payment with the provider.
    fn start(
        &self,
        req: StartRequest<'_>,
    ) -> impl Future<Output = Result<Started, ConnectorError>> + Send;

    /// The hand-off for a started payment (rebuilt from stored data, so a retry gets the same).
    fn hand_off(&self, payment: &Order) -> Result<HandOff, ConnectorError>;

    /// Verifies the browser's return from the provider. Its query string is only a hint: the
    /// verdict comes from the provider itself, asked from the server.
    fn verify_return(
        &self,
        payment: &Order,
        params: &[(String, String)],
    ) -> impl Future<Output = Result<Verification, ConnectorError>> + Send;

    /// Asks the provider for the payment's current status.
    fn fetch_status(
        &self,
        payment: &Order,
    ) -> impl Future<Output = Result<Verification, ConnectorError>> + Send;

    /// Verifies a server-to-server notification about the payment (its raw body).
    fn verify_notification(
        &self,
        payment: &Order,
        body: &[u8],
    ) -> impl Future<Output = Result<Verification, ConnectorError>> + Send;

    /// Checks the account with the provider and connects it to the store `store_ref`, for
    /// providers whose accounts are connected ([`Provider::account`]); connecting the same
    /// store again is harmless.
    fn connect(&self, _store_ref: &str) -> impl Future<Output = Result<(), ConnectError>> + Send {
        async { Ok(()) }
    }

    /// Tells the provider the store no longer uses the account, so it can be connected
    /// elsewhere.
    fn disconnect(
        &self,
        _store_ref: &str,
    ) -> impl Future<Output = Result<(), ConnectorError>> + Send {
        async { Ok(()) }
    }
}

/// Why a provider would not connect an account to a store.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// A refusal the merchant can act on, about one of the provider's settings.
    #[error("the provider refused the account ({setting}: {problem:?})")]
    Refused {
        setting: &'static str,
        problem: Problem,
    },
    #[error(transparent)]
    Connector(#[from] ConnectorError),
}

/// The providers' test environments: each provider's simulator under one address (its
/// `sandbox_path`), unless one is set apart (`with`).
#[derive(Clone, Debug)]
pub struct Sandbox {
    base: String,
    apart: BTreeMap<String, String>,
}

impl Sandbox {
    /// Every provider's simulator under `base` (Kassa's own address in sandbox mode).
    pub fn under(base: &str) -> Sandbox {
        Sandbox {
            base: base.trim_end_matches('/').to_owned(),
            apart: BTreeMap::new(),
        }
    }

    /// `provider`'s test environment at `url` instead.
    pub fn with(mut self, provider: &str, url: &str) -> Sandbox {
        self.set(provider, url);
        self
    }

    /// Puts `provider`'s test environment at `url`.
    pub fn set(&mut self, provider: &str, url: &str) {
        self.apart.insert(provider.to_owned(), url.to_owned());
    }

    /// Where `provider`'s test environment is.
    pub fn url(&self, provider: &Provider) -> String {
        match self.apart.get(provider.id) {
            Some(url) => url.clone(),
            None => format!("{}{}", self.base, provider.sandbox_path),
        }
    }
}

/// Builds connectors for a store's methods, opening their sealed credentials.
#[derive(Clone, Debug)]
pub struct Connectors {
    http: reqwest::Client,
    sandbox: Sandbox,
    /// Kassa's PayMe platform credentials; without them PayMe is not offered.
    platform: Option<payme::Platform>,
    key: SecretKey,
}

/// The connector of one payment method, with what its provider declares.
pub struct AnyConnector {
    pub provider: &'static Provider,
    connector: Box<dyn DynConnector>,
}

impl Connectors {
    pub fn new(sandbox: Sandbox, platform: Option<payme::Platform>, key: SecretKey) -> Connectors {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .user_agent(concat!("Kassa/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the HTTP client has a valid static configuration");
        Connectors {
            http,
            sandbox,
            platform,
            key,
        }
    }

    /// Whether this server can offer `provider` (one that needs Kassa's platform credentials
    /// only with them).
    pub fn offers(&self, provider: &Provider) -> bool {
        !provider.platform || self.platform.is_some()
    }

    /// The server's key (it also signs payment links).
    pub fn secret_key(&self) -> &SecretKey {
        &self.key
    }

    /// The method's configuration with its credentials: `config` (what may be shown) and the
    /// opened `secrets`, merged into one JSON object for the provider's module to read.
    fn configuration(&self, method: &PaymentMethod) -> Result<String, ConnectorError> {
        let mut config: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&method.config)
                .map_err(|e| ConnectorError::Config(format!("configuration: {e}")))?;
        if let Some(sealed) = &method.secrets {
            let opened = self
                .key
                .open(sealed, &secrets_context(method.store_id))
                .map_err(|e| ConnectorError::Config(e.to_string()))?;
            let secrets: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&opened)
                .map_err(|e| ConnectorError::Config(format!("credentials: {e}")))?;
            config.extend(secrets);
        }
        Ok(serde_json::Value::Object(config).to_string())
    }

    /// The connector of a saved method.
    pub fn for_method(&self, method: &PaymentMethod) -> Result<AnyConnector, ConnectorError> {
        let provider = registry::find(&method.provider).ok_or_else(|| {
            ConnectorError::Config(format!("unknown provider {}", method.provider))
        })?;
        self.open(provider, method.live, &self.configuration(method)?)
    }

    /// `provider`'s connector for a configuration with its credentials (a saved method's, or
    /// one being saved).
    pub fn open(
        &self,
        provider: &'static Provider,
        live: bool,
        config: &str,
    ) -> Result<AnyConnector, ConnectorError> {
        let platform = match (&self.platform, provider.platform) {
            (_, false) => None,
            (Some(platform), true) => Some(platform),
            (None, true) => {
                return Err(ConnectorError::Config(format!(
                    "{} is not offered on this server: it needs Kassa's own account there \
                     (for PayMe: KASSA_PAYME_CLIENT_KEY and KASSA_PAYME_CLIENT_SECRET)",
                    provider.name
                )));
            }
        };
        let sandbox = self.sandbox.url(provider);
        let connector = (provider.open)(Opening {
            http: self.http.clone(),
            live,
            sandbox: &sandbox,
            config,
            platform,
        })?;
        Ok(AnyConnector {
            provider,
            connector,
        })
    }
}

impl Connector for AnyConnector {
    async fn start(&self, req: StartRequest<'_>) -> Result<Started, ConnectorError> {
        self.connector.start(req).await
    }

    fn hand_off(&self, payment: &Order) -> Result<HandOff, ConnectorError> {
        self.connector.hand_off(payment)
    }

    async fn verify_return(
        &self,
        payment: &Order,
        params: &[(String, String)],
    ) -> Result<Verification, ConnectorError> {
        self.connector.verify_return(payment, params).await
    }

    async fn fetch_status(&self, payment: &Order) -> Result<Verification, ConnectorError> {
        self.connector.fetch_status(payment).await
    }

    async fn verify_notification(
        &self,
        payment: &Order,
        body: &[u8],
    ) -> Result<Verification, ConnectorError> {
        self.connector.verify_notification(payment, body).await
    }

    async fn connect(&self, store_ref: &str) -> Result<(), ConnectError> {
        self.connector.connect(store_ref).await
    }

    async fn disconnect(&self, store_ref: &str) -> Result<(), ConnectorError> {
        self.connector.disconnect(store_ref).await
    }
}

/// POSTs `body` as JSON to `url` and returns the answer's text whatever its status: providers
/// (Zarinpal 4xx, PayMe 500) put their error codes in the body.
async fn post_json<B: serde::Serialize>(
    http: &reqwest::Client,
    url: &str,
    body: &B,
) -> Result<String, ConnectorError> {
    Ok(post_json_answer(http, url, body).await?.1)
}

/// [`post_json`] with the answer's HTTP status.
async fn post_json_answer<B: serde::Serialize>(
    http: &reqwest::Client,
    url: &str,
    body: &B,
) -> Result<(u16, String), ConnectorError> {
    let unreachable = |e: reqwest::Error| ConnectorError::Unreachable(e.without_url().to_string());
    let answer = http
        .post(url)
        .header("Accept", "application/json")
        .json(body)
        .send()
        .await
        .map_err(unreachable)?;
    let status = answer.status().as_u16();
    Ok((status, answer.text().await.map_err(unreachable)?))
}

/// The start of a provider's answer, for error messages.
fn truncate(raw: &str) -> String {
    raw.chars().take(300).collect()
}

/// The fields of a form-encoded body, in order. Refuses bodies that are not UTF-8 text.
pub fn form_fields(body: &[u8]) -> Result<Vec<(String, String)>, ConnectorError> {
    if std::str::from_utf8(body).is_err() {
        return Err(ConnectorError::Rejected(
            "the body is not UTF-8 text".into(),
        ));
    }
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    if fields.is_empty() {
        return Err(ConnectorError::Rejected("the body has no fields".into()));
    }
    Ok(fields)
}

/// The first value of `name` in a query or form.
pub fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Minor units as the decimal PayPal, myPOS and EveryPay use: 1050 ILS → "10.50", 500 JPY → "500".
pub fn decimal(minor: i64, currency: Currency) -> String {
    let exponent = currency.exponent();
    if exponent == 0 {
        return minor.to_string();
    }
    let scale = 10_i64.pow(exponent);
    format!(
        "{}.{:0width$}",
        minor / scale,
        minor % scale,
        width = exponent as usize
    )
}

/// Such a decimal as minor units; `None` unless it is a plain unsigned decimal with at most
/// the currency's decimals.
pub fn parse_decimal(text: &str, currency: Currency) -> Option<i64> {
    let exponent = currency.exponent() as usize;
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 15 || !digits(whole) || !digits(fraction) {
        return None;
    }
    if fraction.len() > exponent || (text.contains('.') && fraction.is_empty()) {
        return None;
    }
    let padded = format!("{whole}{fraction:0<exponent$}");
    padded.parse().ok()
}

/// A form the browser posts to the provider, kept as one address: the form's action with its
/// fields, in order, as the query (`payments.handoff_url`), so a retry posts the same form.
fn form_in_url<'a>(action: &str, fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    format!("{action}?{query}")
}

/// The hand-off of a form kept by [`form_in_url`].
fn posted_form(payment: &Order, provider: &str) -> Result<HandOff, ConnectorError> {
    let stored = payment
        .handoff_url
        .as_deref()
        .ok_or_else(|| ConnectorError::Rejected(format!("the payment has no {provider} form")))?;
    let (url, query) = stored.split_once('?').unwrap_or((stored, ""));
    Ok(HandOff::PostForm {
        url: url.to_owned(),
        fields: url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_opened_connector_never_prints_its_credentials() {
        let http = reqwest::Client::new();
        let seller_key = "MPL14985-68544Z1G-3KXQ7T2B-SECRETKY";
        let payme = payme::PayMe::new(
            http.clone(),
            "http://payme.test",
            payme::Platform {
                client_key: "kassa".into(),
                client_secret: "platform-secret-1".into(),
            },
            &format!(r#"{{"seller_key":"{seller_key}","email":"a@b.test"}}"#),
        )
        .unwrap();
        let everypay = everypay::EveryPay::new(
            http.clone(),
            everypay::Endpoints::sandbox("http://everypay.test"),
            r#"{"link_token":"t","api_username":"u","api_secret":"api-secret-2"}"#,
        )
        .unwrap();
        let merchant_id = "1344b5d4-0048-11e8-94db-005056a205be";
        let zarinpal = zarinpal::Zarinpal::new(
            http,
            "http://zarinpal.test",
            &format!(r#"{{"merchant_id":"{merchant_id}"}}"#),
        )
        .unwrap();
        let printed = format!("{payme:?} {everypay:?} {zarinpal:?}");
        for secret in [seller_key, "platform-secret-1", "api-secret-2", merchant_id] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        assert!(printed.contains("Secret(…)"), "{printed}");
    }

    fn ils() -> Currency {
        Currency::parse("ILS").unwrap()
    }

    #[test]
    fn amounts_are_decimals_in_major_units() {
        assert_eq!(decimal(1050, ils()), "10.50");
        assert_eq!(decimal(7, ils()), "0.07");
        assert_eq!(decimal(500, Currency::parse("JPY").unwrap()), "500");
        assert_eq!(parse_decimal("10.50", ils()), Some(1050));
        assert_eq!(parse_decimal("10.5", ils()), Some(1050));
        assert_eq!(parse_decimal("10", ils()), Some(1000));
        for bad in [
            "10.505", "10.", ".5", "-10.50", "1e3", "", "10,50", " 10.50",
        ] {
            assert_eq!(parse_decimal(bad, ils()), None, "{bad}");
        }
        assert_eq!(
            parse_decimal("500", Currency::parse("JPY").unwrap()),
            Some(500)
        );
        assert_eq!(
            parse_decimal("500.00", Currency::parse("JPY").unwrap()),
            None
        );
    }
}
