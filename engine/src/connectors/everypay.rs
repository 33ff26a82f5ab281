//! EveryPay (Swedbank, SEB and LHV acquiring in the Baltics), API v4 and LinkPay. With a
//! processing account, `payments/oneoff` (HTTP Basic auth) registers the payment and returns
//! its `payment_link`; without one, the customer goes to a LinkPay link built from the
//! merchant's link token and signed with an HMAC. Either way EveryPay calls the shop's
//! callback URL (one per e-shop, pasted into EveryPay's portal) with a `payment_reference`
//! and `order_reference`, unsigned: nothing in it is believed until the payment is fetched
//! from EveryPay with the merchant's credentials and matches our order and amount.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::Sha256;

use super::Order;
use super::registry::{Notifications, Opening, Provider, Setting};
use super::{
    ConnectorError, HandOff, StartRequest, Started, Verdict, Verification, decimal, param, truncate,
};
use crate::secrets::Secret;

pub const PROVIDER: &str = "everypay";
pub const LIVE_API: &str = "https://pay.every-pay.eu/api/v4";
pub const LIVE_LINKPAY: &str = "https://pay.every-pay.eu/lp";
/// EveryPay's processing accounts settle in euro (Estonia, Latvia, Lithuania).
pub const CURRENCIES: &[&str] = &["EUR"];

const fn token(name: &'static str, secret: bool) -> Setting {
    Setting {
        name,
        secret,
        input: crate::public::Input::Line,
        keyboard: "text",
        check: crate::validation::token,
    }
}

pub const SPEC: Provider = Provider {
    notifications: Notifications::Account {
        payment_of: |body| {
            url::form_urlencoded::parse(body)
                .find(|(name, _)| name == "order_reference")
                .map(|(_, value)| value.into_owned())
        },
    },
    ..Provider::new(
        PROVIDER,
        "EveryPay",
        &[
            token("link_token", false),
            token("api_username", false),
            token("api_secret", true),
            Setting {
                // Optional: without a processing account, payments go through LinkPay.
                check: |s| {
                    if s.trim().is_empty() {
                        Ok(String::new())
                    } else {
                        crate::validation::token(s)
                    }
                },
                ..token("account_name", false)
            },
        ],
        CURRENCIES,
        "/sim/everypay",
        open,
    )
};

fn open(o: Opening<'_>) -> Result<Box<dyn super::DynConnector>, ConnectorError> {
    let endpoints = Endpoints::of(&o);
    Ok(Box::new(EveryPay::new(
        o.http.clone(),
        endpoints,
        o.config,
    )?))
}

/// What PHP's `urlencode` leaves alone (letters, digits, `-_.`); spaces become `%20`, as
/// EveryPay's LinkPay HMAC expects.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.');

/// A LinkPay query string: the pairs in order, values encoded as above.
pub fn linkpay_query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, QUERY_VALUE),
                utf8_percent_encode(v, QUERY_VALUE)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The LinkPay `hmac`: lowercase hex HMAC-SHA256 of the exact query string, keyed with the
/// API secret.
pub fn linkpay_hmac(secret: &str, query: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(query.as_bytes());
    crate::tracking::hex(&mac.finalize().into_bytes())
}

/// EveryPay's API and LinkPay addresses.
#[derive(Clone, Debug)]
pub struct Endpoints {
    pub api: String,
    pub linkpay: String,
}

impl Endpoints {
    /// A method's: the live ones, or the sandbox's.
    fn of(o: &Opening<'_>) -> Endpoints {
        if o.live {
            Endpoints::live()
        } else {
            Endpoints::sandbox(o.sandbox)
        }
    }

    pub fn live() -> Endpoints {
        Endpoints {
            api: LIVE_API.into(),
            linkpay: LIVE_LINKPAY.into(),
        }
    }

    /// EveryPay's demo environment or Kassa's simulator: `{base}/api/v4` and `{base}/lp`.
    pub fn sandbox(base: &str) -> Endpoints {
        let base = base.trim_end_matches('/');
        Endpoints {
            api: format!("{base}/api/v4"),
            linkpay: format!("{base}/lp"),
        }
    }
}

#[derive(Clone, Debug)]
pub struct EveryPay {
    http: reqwest::Client,
    endpoints: Endpoints,
    link_token: String,
    api_username: String,
    api_secret: Secret,
    /// The processing account: payments go through API v4 when there is one.
    account_name: Option<String>,
}

#[derive(serde::Deserialize)]
struct Config {
    link_token: String,
    api_username: String,
    api_secret: String,
    #[serde(default)]
    account_name: String,
}

/// A payment as EveryPay reports it (the fields Kassa reads).
#[derive(serde::Deserialize)]
struct Remote {
    payment_reference: String,
    order_reference: String,
    payment_state: String,
    initial_amount: f64,
    /// What is left of it after refunds (EveryPay lowers it with each one).
    #[serde(default)]
    standing_amount: Option<f64>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    payment_link: Option<String>,
    #[serde(default)]
    cc_details: Option<CardDetails>,
}

#[derive(serde::Deserialize)]
struct CardDetails {
    #[serde(default)]
    last_four_digits: Option<String>,
}

#[derive(serde::Deserialize)]
struct Failure {
    error: FailureDetail,
}

#[derive(serde::Deserialize)]
struct FailureDetail {
    code: i64,
}

/// A payment reference EveryPay could have issued (it goes into a URL path).
fn valid_reference(reference: &str) -> bool {
    !reference.is_empty()
        && reference.len() <= 128
        && reference.chars().all(|c| c.is_ascii_alphanumeric())
}

impl EveryPay {
    pub fn new(
        http: reqwest::Client,
        endpoints: Endpoints,
        config: &str,
    ) -> Result<EveryPay, ConnectorError> {
        let config: Config = serde_json::from_str(config)
            .map_err(|e| ConnectorError::Config(format!("everypay configuration: {e}")))?;
        let account_name = Some(config.account_name.trim().to_owned()).filter(|a| !a.is_empty());
        Ok(EveryPay {
            http,
            endpoints,
            link_token: config.link_token,
            api_username: config.api_username,
            api_secret: Secret::new(config.api_secret),
            account_name,
        })
    }

    fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request
            .basic_auth(&self.api_username, Some(self.api_secret.expose()))
            .header("Accept", "application/json")
    }

    /// Reads an API answer: the payment, or EveryPay's error as a refusal.
    async fn answer(response: reqwest::Response) -> Result<(Remote, String), ConnectorError> {
        let status = response.status();
        let raw = response
            .text()
            .await
            .map_err(|e| ConnectorError::Unreachable(e.without_url().to_string()))?;
        if let Ok(failure) = serde_json::from_str::<Failure>(&raw) {
            return Err(ConnectorError::Refused {
                code: format!("{PROVIDER}:{}", failure.error.code),
                raw,
            });
        }
        if status.is_server_error() {
            return Err(ConnectorError::Unreachable(format!(
                "EveryPay answered {status}"
            )));
        }
        let remote = serde_json::from_str(&raw).map_err(|e| {
            ConnectorError::Protocol(format!("everypay answered {}: {e}", truncate(&raw)))
        })?;
        Ok((remote, raw))
    }

    /// The payment as EveryPay reports it now, checked to be this order's.
    async fn fetch(
        &self,
        payment: &Order,
        reference: &str,
    ) -> Result<Verification, ConnectorError> {
        if !valid_reference(reference) {
            return Err(ConnectorError::Rejected(
                "the payment_reference is not EveryPay's".into(),
            ));
        }
        let url = format!("{}/payments/{reference}", self.endpoints.api);
        let response = self
            .authorized(self.http.get(url))
            .query(&[("api_username", &self.api_username)])
            .send()
            .await
            .map_err(|e| ConnectorError::Unreachable(e.without_url().to_string()))?;
        let (remote, raw) = match Self::answer(response).await {
            // EveryPay answered, and gave no such payment to these credentials: the message
            // was not EveryPay's (or the credentials are wrong; the code tells which).
            Err(ConnectorError::Refused { code, .. }) => {
                return Err(ConnectorError::Rejected(format!(
                    "EveryPay knows no such payment ({code})"
                )));
            }
            other => other?,
        };
        if remote.order_reference != payment.tracking_code {
            return Err(ConnectorError::Rejected(
                "the payment belongs to another order".into(),
            ));
        }
        let scale = 10_f64.powi(payment.currency.exponent() as i32);
        let amount = (remote.initial_amount * scale).round() as i64;
        let currency_ok = remote
            .currency
            .as_deref()
            .is_none_or(|c| c.eq_ignore_ascii_case(payment.currency.code()));
        if amount != payment.amount || !currency_ok {
            return Err(ConnectorError::Rejected(format!(
                "EveryPay's payment is for {} {}, ours for {} {}",
                remote.initial_amount,
                remote.currency.as_deref().unwrap_or("?"),
                decimal(payment.amount, payment.currency),
                payment.currency.code()
            )));
        }
        Ok(Verification {
            verdict: verdict(&remote, scale),
            raw,
        })
    }

    async fn oneoff(
        &self,
        req: &StartRequest<'_>,
        account_name: &str,
    ) -> Result<Started, ConnectorError> {
        let p = req.order;
        let amount: f64 = decimal(p.amount, p.currency)
            .parse()
            .map_err(|_| ConnectorError::Config("the amount has no decimal form".into()))?;
        let nonce = format!("{:032x}", rand::random::<u128>());
        let body = serde_json::json!({
            "api_username": self.api_username,
            "account_name": account_name,
            "amount": amount,
            "order_reference": p.tracking_code,
            "nonce": nonce,
            "timestamp": timestamp(),
            "customer_url": req.return_url,
            "email": p.email,
            "locale": locale(req.language),
        });
        let response = self
            .authorized(
                self.http
                    .post(format!("{}/payments/oneoff", self.endpoints.api)),
            )
            .json(&body)
            .send()
            .await
            .map_err(|e| ConnectorError::Unreachable(e.without_url().to_string()))?;
        let (remote, raw) = Self::answer(response).await?;
        let link = remote
            .payment_link
            .filter(|l| l.starts_with("https://") || l.starts_with("http://"))
            .ok_or_else(|| {
                ConnectorError::Protocol(format!("EveryPay gave no payment_link: {raw}"))
            })?;
        Ok(Started {
            provider_ref: remote.payment_reference,
            handoff_url: Some(link),
            raw,
        })
    }

    /// A LinkPay link for the payment: the link token's template with the amount, the order
    /// and the customer filled in, and the HMAC of exactly that query.
    fn linkpay(&self, req: &StartRequest<'_>) -> Started {
        let p = req.order;
        let amount = decimal(p.amount, p.currency);
        let query = linkpay_query(&[
            ("linkpay_token", &self.link_token),
            ("transaction_amount", &amount),
            ("order_reference", &p.tracking_code),
            ("invoice_number", &p.tracking_code),
            ("customer_name", &p.payer_name),
            ("customer_email", p.email.as_deref().unwrap_or_default()),
            ("customer_url", req.return_url),
            ("locale", locale(req.language)),
        ]);
        let hmac = linkpay_hmac(self.api_secret.expose(), &query);
        let link = format!("{}?{query}&hmac={hmac}", self.endpoints.linkpay);
        Started {
            // EveryPay names the payment only when it calls back.
            provider_ref: p.tracking_code.clone(),
            handoff_url: Some(link.clone()),
            raw: link,
        }
    }
}

/// The payment reference Kassa knows for a payment (API v4 payments only; a LinkPay payment
/// learns it from EveryPay's callback or return).
fn known_reference(payment: &Order) -> Option<&str> {
    payment
        .provider_ref
        .as_deref()
        .filter(|r| *r != payment.tracking_code && valid_reference(r))
}

impl Remote {
    /// What went back to the payer, in minor units (`scale` per unit): what the refunds took
    /// off the initial amount, or all of it where nothing says less (a chargeback).
    fn returned(&self, scale: f64) -> i64 {
        let minor = |amount: f64| (amount * scale).round() as i64;
        let back = minor(self.initial_amount) - self.standing_amount.map_or(0, minor);
        if back > 0 {
            back
        } else {
            minor(self.initial_amount)
        }
    }
}

fn verdict(remote: &Remote, scale: f64) -> Verdict {
    let code = format!("{PROVIDER}:{}", remote.payment_state);
    match remote.payment_state.as_str() {
        "settled" => Verdict::Paid {
            bank_ref: remote.payment_reference.clone(),
            card_pan: remote
                .cc_details
                .as_ref()
                .and_then(|c| c.last_four_digits.as_deref())
                .map(|last| format!("**** {last}")),
        },
        "failed" | "abandoned" | "voided" => Verdict::Failed { code },
        "refunded" | "chargebacked" => Verdict::Reversed {
            code,
            reference: remote.payment_reference.clone(),
            amount: remote.returned(scale),
        },
        // initial, waiting_for_3ds_response, waiting_for_sca, confirmed_3ds,
        // sent_for_processing, authorised: not decided yet.
        _ => Verdict::Pending,
    }
}

/// Now as ISO 8601 in UTC, as `payments/oneoff` wants its `timestamp`.
fn timestamp() -> String {
    let millis = crate::time::now_millis();
    let (year, month, day) = crate::time::civil_from_days(millis / 86_400_000);
    let seconds = millis / 1000 % 86_400;
    format!(
        "{year}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// EveryPay's page language for Kassa's.
fn locale(language: &str) -> &'static str {
    match language {
        "lv" => "lv",
        _ => "en",
    }
}

impl super::Connector for EveryPay {
    async fn start(&self, req: StartRequest<'_>) -> Result<Started, ConnectorError> {
        match &self.account_name {
            Some(account) => self.oneoff(&req, account).await,
            None => Ok(self.linkpay(&req)),
        }
    }

    fn hand_off(&self, payment: &Order) -> Result<HandOff, ConnectorError> {
        payment
            .handoff_url
            .clone()
            .map(HandOff::Redirect)
            .ok_or_else(|| ConnectorError::Rejected("the payment has no EveryPay link".into()))
    }

    /// The return names the payment (`payment_reference`); EveryPay is asked about it.
    async fn verify_return(
        &self,
        payment: &Order,
        params: &[(String, String)],
    ) -> Result<Verification, ConnectorError> {
        match param(params, "payment_reference").or(known_reference(payment)) {
            Some(reference) => self.fetch(payment, reference).await,
            None => self.fetch_status(payment).await,
        }
    }

    async fn fetch_status(&self, payment: &Order) -> Result<Verification, ConnectorError> {
        match known_reference(payment) {
            Some(reference) => self.fetch(payment, reference).await,
            None => Ok(Verification {
                verdict: Verdict::Pending,
                raw: "EveryPay has not named the LinkPay payment yet".into(),
            }),
        }
    }

    /// The callback (its query or form body) only names a payment; EveryPay's own record of
    /// it decides.
    async fn verify_notification(
        &self,
        payment: &Order,
        body: &[u8],
    ) -> Result<Verification, ConnectorError> {
        let fields = super::form_fields(body)?;
        if param(&fields, "order_reference") != Some(payment.tracking_code.as_str()) {
            return Err(ConnectorError::Rejected(
                "the callback is for another order".into(),
            ));
        }
        let reference = param(&fields, "payment_reference").unwrap_or_default();
        self.fetch(payment, reference).await
    }
}

/// HTTP Basic credentials as EveryPay's simulator reads them back.
pub fn basic_credentials(header: &str) -> Option<(String, String)> {
    let encoded = header.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, secret) = text.split_once(':')?;
    Some((user.to_owned(), secret.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linkpay_queries_encode_like_php_with_spaces_as_percent_20() {
        assert_eq!(
            linkpay_query(&[
                ("customer_name", "Anna Bērziņa"),
                ("transaction_amount", "10.50")
            ]),
            "customer_name=Anna%20B%C4%93rzi%C5%86a&transaction_amount=10.50"
        );
        assert_eq!(linkpay_query(&[("x", "a~b*c+d")]), "x=a%7Eb%2Ac%2Bd");
    }

    #[test]
    fn the_hmac_is_sha256_of_the_exact_query() {
        // RFC 4231 test case 2.
        assert_eq!(
            linkpay_hmac("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn payment_states_map_to_verdicts() {
        let remote = |state: &str| Remote {
            payment_reference: "abc123".into(),
            order_reference: "K".into(),
            payment_state: state.into(),
            initial_amount: 1.0,
            standing_amount: Some(0.25),
            currency: None,
            payment_link: None,
            cc_details: Some(CardDetails {
                last_four_digits: Some("1112".into()),
            }),
        };
        assert_eq!(
            verdict(&remote("settled"), 100.0),
            Verdict::Paid {
                bank_ref: "abc123".into(),
                card_pan: Some("**** 1112".into())
            }
        );
        for failed in ["failed", "abandoned", "voided"] {
            assert_eq!(
                verdict(&remote(failed), 100.0),
                Verdict::Failed {
                    code: format!("everypay:{failed}")
                }
            );
        }
        assert_eq!(
            verdict(&remote("refunded"), 100.0),
            Verdict::Reversed {
                code: "everypay:refunded".into(),
                reference: "abc123".into(),
                amount: 75
            }
        );
        for waiting in [
            "initial",
            "waiting_for_3ds_response",
            "authorised",
            "sent_for_processing",
        ] {
            assert_eq!(verdict(&remote(waiting), 100.0), Verdict::Pending);
        }
    }

    #[test]
    fn references_must_be_plain() {
        assert!(valid_reference("0a1b2c"));
        assert!(!valid_reference(""));
        assert!(!valid_reference("../shops"));
        assert!(!valid_reference("a b"));
    }

    #[test]
    fn basic_credentials_are_read_back() {
        let header = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("user:sec:ret")
        );
        assert_eq!(
            basic_credentials(&header),
            Some(("user".into(), "sec:ret".into()))
        );
        assert_eq!(basic_credentials("Bearer x"), None);
    }
}
