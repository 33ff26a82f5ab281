//! PayPal Payments Standard with IPN. The browser posts an `_xclick` form to PayPal; the
//! customer pays there; PayPal posts an Instant Payment Notification (IPN) to Kassa. Nothing
//! about an IPN is believed until PayPal itself answers `VERIFIED` to the message posted back
//! byte for byte after `cmd=_notify-validate&`, and its receiver, invoice, amount, currency
//! and environment match our payment. The browser's return proves nothing: without an IPN
//! the payment stays pending. Amounts are decimals in major units ("10.00").
//!
//! IPN values are percent-encoded bytes in the encoding named by the message's `charset`
//! (windows-1255 for many Hebrew accounts, windows-1252 by default, or UTF-8): they are
//! decoded with `encoding_rs`, while the raw bytes are kept for the post-back.

use encoding_rs::{Encoding, WINDOWS_1252};

use super::Order;
use super::registry::{Notifications, Opening, Provider, Setting};
use super::{
    ConnectorError, HandOff, StartRequest, Started, Verdict, Verification, decimal, form_in_url,
    parse_decimal, posted_form,
};
use crate::money::Currency;

pub const PROVIDER: &str = "paypal";
pub const LIVE_CHECKOUT: &str = "https://www.paypal.com/cgi-bin/webscr";
pub const LIVE_POSTBACK: &str = "https://ipnpb.paypal.com/cgi-bin/webscr";
/// Kassa's currencies PayPal accepts (HUF is left out: PayPal takes it without decimals).
pub const CURRENCIES: &[&str] = &[
    "ILS", "USD", "EUR", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "JPY",
];
/// A Secure Merchant Account ID: 13 capital letters and digits.
pub const ACCOUNT_ID_LENGTH: usize = 13;

pub const SPEC: Provider = Provider {
    notifications: Notifications::Account {
        payment_of: invoice_of,
    },
    // PayPal resends an unanswered IPN for up to four days.
    abandoned_after: 5 * 24 * 60 * 60 * 1000,
    // Payments Standard has no status call.
    asks_status: false,
    ..Provider::new(
        PROVIDER,
        "PayPal",
        &[
            Setting {
                name: "account_id",
                secret: false,
                input: crate::public::Input::Line,
                keyboard: "text",
                check: |input| {
                    crate::validation::required_text(input, 64)?;
                    check_account_id(input).ok_or(crate::validation::Problem::Invalid)
                },
            },
            super::registry::ACCOUNT_EMAIL,
        ],
        CURRENCIES,
        "/sim/paypal",
        open,
    )
};

fn open(o: Opening<'_>) -> Result<Box<dyn super::DynConnector>, ConnectorError> {
    let endpoints = Endpoints::of(&o);
    Ok(Box::new(PayPal::new(
        o.http.clone(),
        endpoints,
        o.live,
        o.config,
    )?))
}

/// What precedes the IPN's own bytes in the post-back.
const VALIDATE_PREFIX: &[u8] = b"cmd=_notify-validate&";

/// Checks (and capitalizes) a Secure Merchant Account ID.
pub fn check_account_id(input: &str) -> Option<String> {
    let id = input.trim().to_ascii_uppercase();
    (id.len() == ACCOUNT_ID_LENGTH && id.chars().all(|c| c.is_ascii_alphanumeric())).then_some(id)
}

/// Where the customer pays and where IPNs are posted back.
#[derive(Clone, Debug)]
pub struct Endpoints {
    pub checkout: String,
    pub postback: String,
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
            checkout: LIVE_CHECKOUT.into(),
            postback: LIVE_POSTBACK.into(),
        }
    }

    /// PayPal's sandbox, or Kassa's simulator: one address for both.
    pub fn sandbox(base: &str) -> Endpoints {
        let url = format!("{}/cgi-bin/webscr", base.trim_end_matches('/'));
        Endpoints {
            checkout: url.clone(),
            postback: url,
        }
    }
}

#[derive(Clone, Debug)]
pub struct PayPal {
    http: reqwest::Client,
    endpoints: Endpoints,
    live: bool,
    account_id: String,
    email: String,
}

#[derive(serde::Deserialize)]
struct Config {
    account_id: String,
    email: String,
}

impl PayPal {
    pub fn new(
        http: reqwest::Client,
        endpoints: Endpoints,
        live: bool,
        config: &str,
    ) -> Result<PayPal, ConnectorError> {
        let config: Config = serde_json::from_str(config)
            .map_err(|e| ConnectorError::Config(format!("paypal configuration: {e}")))?;
        let account_id = check_account_id(&config.account_id).ok_or_else(|| {
            ConnectorError::Config("the PayPal merchant account ID is not 13 characters".into())
        })?;
        Ok(PayPal {
            http,
            endpoints,
            live,
            account_id,
            email: config.email,
        })
    }

    /// Asks PayPal whether it sent this IPN: `VERIFIED`, `INVALID`, or no answer (retry).
    async fn post_back(&self, body: &[u8]) -> Result<(), ConnectorError> {
        let mut message = Vec::with_capacity(VALIDATE_PREFIX.len() + body.len());
        message.extend_from_slice(VALIDATE_PREFIX);
        message.extend_from_slice(body);
        let unreachable =
            |e: reqwest::Error| ConnectorError::Unreachable(e.without_url().to_string());
        let answer = self
            .http
            .post(&self.endpoints.postback)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(message)
            .send()
            .await
            .map_err(unreachable)?;
        let status = answer.status();
        let text = answer.text().await.map_err(unreachable)?;
        match (status.is_success(), text.trim()) {
            (true, "VERIFIED") => Ok(()),
            (true, "INVALID") => Err(ConnectorError::Rejected(
                "PayPal answered INVALID: it did not send this IPN".into(),
            )),
            _ => Err(ConnectorError::Unreachable(format!(
                "PayPal's post-back answered {status}: {}",
                super::truncate(&text)
            ))),
        }
    }

    /// The IPN's own checks against our payment, before PayPal is asked about it.
    fn check(&self, payment: &Order, ipn: &Ipn) -> Result<(), ConnectorError> {
        let reject = |why: String| Err(ConnectorError::Rejected(why));
        if ipn.get("invoice") != payment.tracking_code {
            return reject("the IPN is for another invoice".into());
        }
        let ours = ipn
            .get("receiver_id")
            .eq_ignore_ascii_case(&self.account_id)
            || [ipn.get("receiver_email"), ipn.get("business")]
                .iter()
                .any(|e| !e.is_empty() && e.trim().eq_ignore_ascii_case(self.email.trim()));
        if !ours {
            return reject(format!(
                "the IPN is for another PayPal account ({})",
                ipn.get("receiver_email")
            ));
        }
        if (ipn.get("test_ipn") == "1") == self.live {
            return reject(if self.live {
                "a sandbox IPN for a live method".into()
            } else {
                "a live IPN for a test method".into()
            });
        }
        if ipn.get("txn_id").is_empty() {
            return reject("the IPN has no txn_id".into());
        }
        let (gross, currency) = (ipn.get("mc_gross"), ipn.get("mc_currency"));
        // A refund or reversal may give back part of the payment (negative `mc_gross`);
        // everything else names the whole of it.
        let amount_ok = match (returned(ipn, payment.currency), paid(ipn, payment.currency)) {
            (Some(back), _) => back > 0 && back <= payment.amount,
            (None, amount) => amount == Some(payment.amount),
        };
        if !amount_ok || !currency.eq_ignore_ascii_case(payment.currency.code()) {
            return reject(format!(
                "the IPN says {gross} {currency}, the payment is {} {}",
                decimal(payment.amount, payment.currency),
                payment.currency.code()
            ));
        }
        Ok(())
    }
}

/// An IPN's fields, decoded by its charset, in the order sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ipn {
    pub charset: &'static str,
    pub fields: Vec<(String, String)>,
}

impl Ipn {
    /// The first value of `name`, or "" when absent.
    pub fn get(&self, name: &str) -> &str {
        super::param(&self.fields, name).unwrap_or_default()
    }
}

/// The `name=value` pairs of a form body as bytes: `+` is a space, `%XX` a byte.
fn raw_pairs(body: &[u8]) -> impl Iterator<Item = (Vec<u8>, Vec<u8>)> + '_ {
    body.split(|&b| b == b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &[][..]),
            };
            (form_decode(name), form_decode(value))
        })
}

fn form_decode(bytes: &[u8]) -> Vec<u8> {
    let spaced: Vec<u8> = bytes
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_encoding::percent_decode(&spaced).collect()
}

/// Parses an IPN body. The `charset` field (ASCII) names the encoding of every value;
/// without one PayPal's default, windows-1252, applies. A value that is not valid in that
/// encoding, an unknown charset or a body with no fields is refused.
pub fn parse_ipn(body: &[u8]) -> Result<Ipn, ConnectorError> {
    let reject = |why: String| ConnectorError::Rejected(why);
    let pairs: Vec<(Vec<u8>, Vec<u8>)> = raw_pairs(body).collect();
    if pairs.is_empty() {
        return Err(reject("the IPN has no fields".into()));
    }
    let encoding = match pairs.iter().find(|(name, _)| name == b"charset") {
        Some((_, label)) => Encoding::for_label(label).ok_or_else(|| {
            reject(format!(
                "unknown charset {}",
                String::from_utf8_lossy(label)
            ))
        })?,
        None => WINDOWS_1252,
    };
    let fields = pairs
        .iter()
        .map(|(name, value)| {
            let name = std::str::from_utf8(name)
                .ok()
                .filter(|n| n.is_ascii())
                .ok_or_else(|| reject("a field name is not ASCII".into()))?;
            let value = encoding
                .decode_without_bom_handling_and_without_replacement(value)
                .ok_or_else(|| reject(format!("{name} is not valid {}", encoding.name())))?;
            Ok((name.to_owned(), value.into_owned()))
        })
        .collect::<Result<_, ConnectorError>>()?;
    Ok(Ipn {
        charset: encoding.name(),
        fields,
    })
}

/// The invoice (our tracking code) an IPN names, to find its payment.
pub fn invoice_of(body: &[u8]) -> Option<String> {
    raw_pairs(body)
        .find(|(name, _)| name == b"invoice")
        .and_then(|(_, value)| String::from_utf8(value).ok())
}

/// The IPN's amount (`mc_gross`, unsigned) in `currency`'s minor units.
fn paid(ipn: &Ipn, currency: Currency) -> Option<i64> {
    parse_decimal(ipn.get("mc_gross").trim_start_matches('-'), currency)
}

/// What a refund or reversal IPN sent back to the payer (`None` for any other IPN).
fn returned(ipn: &Ipn, currency: Currency) -> Option<i64> {
    matches!(ipn.get("payment_status"), "Refunded" | "Reversed")
        .then(|| paid(ipn, currency).unwrap_or(0))
}

/// The verdict of an IPN's `payment_status` (amounts in `currency`).
fn verdict(ipn: &Ipn, currency: Currency) -> Verdict {
    let status = ipn.get("payment_status");
    let code = format!("{PROVIDER}:{}", status.to_ascii_lowercase());
    match status {
        "Completed" => Verdict::Paid {
            bank_ref: ipn.get("txn_id").to_owned(),
            card_pan: None,
        },
        "Denied" | "Failed" | "Expired" | "Voided" => Verdict::Failed { code },
        "Refunded" | "Reversed" => Verdict::Reversed {
            code,
            reference: ipn.get("txn_id").to_owned(),
            amount: returned(ipn, currency).unwrap_or(0),
        },
        // Canceled_Reversal (a reversal decided for the merchant: the money is back with
        // them) is logged with the payment; its cancelling document stays, and a new receipt
        // is the merchant's call. Pending (an e-check, a review), Created, Processed: PayPal
        // will write again.
        _ => Verdict::Pending,
    }
}

impl super::Connector for PayPal {
    /// Nothing to register: the form carries the whole payment. It is kept as the hand-off
    /// address (the form's fields in its query), so a retry posts the same form.
    async fn start(&self, req: StartRequest<'_>) -> Result<Started, ConnectorError> {
        let p = req.order;
        let amount = decimal(p.amount, p.currency);
        let fields = [
            ("cmd", "_xclick"),
            ("business", self.account_id.as_str()),
            ("item_name", req.description),
            ("item_number", p.tracking_code.as_str()),
            ("invoice", p.tracking_code.as_str()),
            ("amount", amount.as_str()),
            ("currency_code", p.currency.code()),
            ("quantity", "1"),
            ("no_shipping", "1"),
            ("no_note", "1"),
            ("charset", "UTF-8"),
            ("notify_url", req.notify_url),
            ("return", req.return_url),
            ("cancel_return", req.return_url),
            // The return is a plain GET: what PayPal would add to it proves nothing.
            ("rm", "1"),
            ("lc", locale(req.language)),
        ];
        let handoff_url = form_in_url(&self.endpoints.checkout, fields);
        Ok(Started {
            provider_ref: p.tracking_code.clone(),
            raw: handoff_url.clone(),
            handoff_url: Some(handoff_url),
        })
    }

    fn hand_off(&self, payment: &Order) -> Result<HandOff, ConnectorError> {
        posted_form(payment, "PayPal")
    }

    async fn verify_return(
        &self,
        payment: &Order,
        _params: &[(String, String)],
    ) -> Result<Verification, ConnectorError> {
        self.fetch_status(payment).await
    }

    /// Payments Standard has no status call: the IPN alone settles the payment.
    async fn fetch_status(&self, _payment: &Order) -> Result<Verification, ConnectorError> {
        Ok(Verification {
            verdict: Verdict::Pending,
            raw: "PayPal's IPN settles the payment".into(),
        })
    }

    async fn verify_notification(
        &self,
        payment: &Order,
        body: &[u8],
    ) -> Result<Verification, ConnectorError> {
        let ipn = parse_ipn(body)?;
        self.check(payment, &ipn)?;
        self.post_back(body).await?;
        let decoded: serde_json::Map<String, serde_json::Value> = ipn
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        Ok(Verification {
            verdict: verdict(&ipn, payment.currency),
            raw: format!(
                "VERIFIED ({}) {}",
                ipn.charset,
                serde_json::Value::Object(decoded)
            ),
        })
    }
}

/// PayPal's page language for Kassa's.
fn locale(language: &str) -> &'static str {
    match language {
        "he" => "he_IL",
        "el" => "el_GR",
        "lv" => "lv_LV",
        _ => "en_US",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_are_13_capitals_and_digits() {
        assert_eq!(
            check_account_id(" abcdefghj2klm "),
            Some("ABCDEFGHJ2KLM".into())
        );
        assert_eq!(check_account_id("ABCDEFGHJ2KL"), None);
        assert_eq!(check_account_id("ABCDEFGHJ2KL-"), None);
        assert_eq!(check_account_id(""), None);
    }

    #[test]
    fn values_are_decoded_by_the_messages_charset() {
        // "שלום" in windows-1255 is F9 EC E5 ED.
        let hebrew = b"charset=windows-1255&first_name=%F9%EC%E5%ED&payment_date=10%3A00%3A00+Jan+02%2C+2026+PST";
        let ipn = parse_ipn(hebrew).unwrap();
        assert_eq!(ipn.charset, "windows-1255");
        assert_eq!(ipn.get("first_name"), "שלום");
        assert_eq!(ipn.get("payment_date"), "10:00:00 Jan 02, 2026 PST");
        let utf8 =
            parse_ipn("charset=UTF-8&first_name=%D7%A9%D7%9C%D7%95%D7%9D".as_bytes()).unwrap();
        assert_eq!(utf8.get("first_name"), "שלום");
        // No charset: windows-1252, where E9 is é.
        let western = parse_ipn(b"first_name=Ren%E9").unwrap();
        assert_eq!(
            (western.charset, western.get("first_name")),
            ("windows-1252", "René")
        );
        // The same windows-1255 bytes declared as UTF-8 are not valid.
        assert!(parse_ipn(b"charset=UTF-8&first_name=%F9%EC%E5%ED").is_err());
        assert!(parse_ipn(b"charset=ibm-862&first_name=x").is_err());
        assert!(parse_ipn(b"").is_err());
        assert!(parse_ipn(b"%FF=1").is_err());
    }

    #[test]
    fn the_invoice_is_found_without_decoding_the_rest() {
        assert_eq!(
            invoice_of(b"first_name=%F9&invoice=K7ABCD2345&x=1"),
            Some("K7ABCD2345".into())
        );
        assert_eq!(invoice_of(b"first_name=x"), None);
    }

    #[test]
    fn payment_statuses_map_to_verdicts() {
        let ipn = |status: &str| Ipn {
            charset: "UTF-8",
            fields: vec![
                ("payment_status".into(), status.into()),
                ("txn_id".into(), "61E67681CH3238416".into()),
                ("mc_gross".into(), "-20.50".into()),
            ],
        };
        let ils = Currency::parse("ILS").unwrap();
        assert_eq!(
            verdict(&ipn("Completed"), ils),
            Verdict::Paid {
                bank_ref: "61E67681CH3238416".into(),
                card_pan: None
            }
        );
        assert_eq!(
            verdict(&ipn("Denied"), ils),
            Verdict::Failed {
                code: "paypal:denied".into()
            }
        );
        assert_eq!(
            verdict(&ipn("Refunded"), ils),
            Verdict::Reversed {
                code: "paypal:refunded".into(),
                reference: "61E67681CH3238416".into(),
                amount: 2050
            }
        );
        // The money came back to the merchant: nothing to cancel.
        assert_eq!(verdict(&ipn("Canceled_Reversal"), ils), Verdict::Pending);
        for waiting in ["Pending", "Processed", "Created", ""] {
            assert_eq!(verdict(&ipn(waiting), ils), Verdict::Pending);
        }
    }
}
