//! Zarinpal REST v4: `request.json` registers a payment and returns an authority, the customer
//! pays at `StartPay/{authority}` and comes back with `?Authority=…&Status=OK|NOK`, and only
//! `verify.json` (code 100, or 101 when already verified) proves the payment. Amounts are rial.

mod wire;

use super::Order;
use super::registry::{Opening, Provider, Setting};
use super::{
    ConnectorError, HandOff, StartRequest, Started, Verdict, Verification, param, post_json_answer,
    truncate,
};
use crate::secrets::Secret;
use wire::{Envelope, RequestBody, RequestData, VerifyBody, VerifyData};

pub const PROVIDER: &str = "zarinpal";
pub const LIVE_BASE: &str = "https://payment.zarinpal.com";

pub const SPEC: Provider = Provider {
    failure_text,
    ..Provider::new(
        PROVIDER,
        "Zarinpal",
        &[Setting {
            name: "merchant_id",
            secret: true,
            input: crate::public::Input::Line,
            keyboard: "text",
            check: check_merchant_id,
        }],
        &["IRR"],
        "/sim/zarinpal",
        open,
    )
};

fn open(o: Opening<'_>) -> Result<Box<dyn super::DynConnector>, ConnectorError> {
    Ok(Box::new(Zarinpal::new(
        o.http.clone(),
        o.base(LIVE_BASE),
        o.config,
    )?))
}

/// The text key of a Zarinpal error code the customer can act on (its documentation's list).
fn failure_text(code: &str) -> Option<&'static str> {
    Some(match code.parse::<i64>().ok()? {
        -9 => "fail_9",
        -10 => "fail_10",
        -11 => "fail_11",
        -12 => "fail_12",
        -13 => "fail_13",
        -14 => "fail_14",
        -15 => "fail_15",
        -16 => "fail_16",
        -17 => "fail_17",
        -39..=-30 => "fail_wages",
        -40 => "fail_40",
        -41 => "fail_41",
        -50 => "fail_50",
        -51 => "fail_51",
        -52 => "fail_52",
        -53 => "fail_53",
        -54 => "fail_54",
        -55 => "fail_55",
        -63..=-60 => "fail_reverse",
        _ => return None,
    })
}

fn check_merchant_id(input: &str) -> Result<String, crate::validation::Problem> {
    let id = crate::validation::required_text(input, 36)?.to_ascii_lowercase();
    if valid_merchant_id(&id) {
        Ok(id)
    } else {
        Err(crate::validation::Problem::Invalid)
    }
}

/// Payment is not done yet (or was cancelled): the customer did not pay.
const NOT_PAID: i64 = -51;
/// Too many attempts in a short time: ask again later.
const TOO_MANY_ATTEMPTS: i64 = -12;

#[derive(Clone, Debug)]
pub struct Zarinpal {
    http: reqwest::Client,
    base: String,
    merchant_id: Secret,
}

#[derive(serde::Deserialize)]
struct Config {
    merchant_id: String,
}

/// Checks the shape of a merchant id: a 36-character UUID.
pub fn valid_merchant_id(id: &str) -> bool {
    id.len() == 36
        && id.char_indices().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

impl Zarinpal {
    pub fn new(
        http: reqwest::Client,
        base: &str,
        config: &str,
    ) -> Result<Zarinpal, ConnectorError> {
        let config: Config = serde_json::from_str(config)
            .map_err(|e| ConnectorError::Config(format!("zarinpal configuration: {e}")))?;
        if !valid_merchant_id(&config.merchant_id) {
            return Err(ConnectorError::Config(
                "the Zarinpal merchant id is not a 36-character id".into(),
            ));
        }
        Ok(Zarinpal {
            http,
            base: base.trim_end_matches('/').to_owned(),
            merchant_id: Secret::new(config.merchant_id),
        })
    }

    async fn post<B: serde::Serialize, D: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<(Result<D, i64>, String), ConnectorError> {
        let (status, raw) =
            post_json_answer(&self.http, &format!("{}{path}", self.base), body).await?;
        // Zarinpal's own refusals come with 4xx; a 5xx is its trouble, not a verdict, whatever
        // the body says: the payment waits and is asked again.
        if status >= 500 {
            return Err(ConnectorError::Unreachable(format!(
                "zarinpal answered HTTP {status}: {}",
                truncate(&raw)
            )));
        }
        let envelope: Envelope<D> = serde_json::from_str(&raw).map_err(|e| {
            ConnectorError::Protocol(format!("zarinpal answered {}: {e}", truncate(&raw)))
        })?;
        Ok((
            envelope
                .into_result()
                .map_err(|e| ConnectorError::Protocol(format!("{e}: {}", truncate(&raw))))?,
            raw,
        ))
    }

    /// Calls `verify.json` and turns its answer into a verdict. `-51` means "not paid".
    async fn verify(
        &self,
        payment: &Order,
    ) -> Result<(Result<VerifyData, i64>, String), ConnectorError> {
        rial_only(payment)?;
        let authority = payment.provider_ref.as_deref().ok_or_else(|| {
            ConnectorError::Rejected("the payment was never sent to Zarinpal".into())
        })?;
        let body = VerifyBody {
            merchant_id: self.merchant_id.expose(),
            amount: payment.amount,
            authority,
        };
        self.post("/pg/v4/payment/verify.json", &body).await
    }
}

/// Zarinpal takes rial only: an amount in another currency (a store that changed its currency)
/// is never sent, nor verified as if it were rial.
fn rial_only(payment: &Order) -> Result<(), ConnectorError> {
    if payment.currency == crate::money::Currency::IRR {
        Ok(())
    } else {
        Err(ConnectorError::Config(format!(
            "Zarinpal takes IRR, not {}",
            payment.currency.code()
        )))
    }
}

impl super::Connector for Zarinpal {
    async fn start(&self, req: StartRequest<'_>) -> Result<Started, ConnectorError> {
        rial_only(req.order)?;
        let metadata = wire::Metadata {
            mobile: &req.order.mobile,
            email: req.order.email.as_deref(),
            order_id: &req.order.tracking_code,
        };
        let body = RequestBody {
            merchant_id: self.merchant_id.expose(),
            amount: req.order.amount,
            currency: "IRR",
            description: req.description,
            callback_url: req.return_url,
            metadata,
        };
        let (answer, raw) = self
            .post::<_, RequestData>("/pg/v4/payment/request.json", &body)
            .await?;
        match answer {
            Ok(data) if data.code == 100 && !data.authority.is_empty() => Ok(Started {
                provider_ref: data.authority,
                handoff_url: None,
                raw,
            }),
            Ok(data) => Err(ConnectorError::Refused {
                code: code_name(data.code),
                raw,
            }),
            Err(code) => Err(ConnectorError::Refused {
                code: code_name(code),
                raw,
            }),
        }
    }

    fn hand_off(&self, payment: &Order) -> Result<HandOff, ConnectorError> {
        let authority = payment.provider_ref.as_deref().ok_or_else(|| {
            ConnectorError::Rejected("the payment was never sent to Zarinpal".into())
        })?;
        Ok(HandOff::Redirect(format!(
            "{}/pg/StartPay/{authority}",
            self.base
        )))
    }

    async fn verify_return(
        &self,
        payment: &Order,
        params: &[(String, String)],
    ) -> Result<Verification, ConnectorError> {
        if param(params, "Authority") != payment.provider_ref.as_deref() {
            return Err(ConnectorError::Rejected(
                "the authority does not belong to this payment".into(),
            ));
        }
        let cancelled = param(params, "Status") != Some("OK");
        let mut verification = self.fetch_status(payment).await?;
        // Unpaid after the customer pressed cancel is a cancellation; after "OK" it is a failure.
        if verification.verdict == Verdict::Pending {
            let code = code_name(NOT_PAID);
            verification.verdict = if cancelled {
                Verdict::Cancelled { code }
            } else {
                Verdict::Failed { code }
            };
        }
        Ok(verification)
    }

    async fn fetch_status(&self, payment: &Order) -> Result<Verification, ConnectorError> {
        let (answer, raw) = self.verify(payment).await?;
        let verdict = match answer {
            Ok(data) if data.code == 100 || data.code == 101 => Verdict::Paid {
                bank_ref: data.ref_id.to_string(),
                card_pan: data.card_pan,
            },
            Ok(data) => Verdict::Failed {
                code: code_name(data.code),
            },
            Err(NOT_PAID) => Verdict::Pending,
            Err(TOO_MANY_ATTEMPTS) => {
                return Err(ConnectorError::Unreachable(format!(
                    "zarinpal asks to try later: {}",
                    truncate(&raw)
                )));
            }
            Err(code) => Verdict::Failed {
                code: code_name(code),
            },
        };
        Ok(Verification { verdict, raw })
    }

    async fn verify_notification(
        &self,
        _payment: &Order,
        _body: &[u8],
    ) -> Result<Verification, ConnectorError> {
        Err(ConnectorError::Rejected(
            "Zarinpal sends no notifications".into(),
        ))
    }
}

fn code_name(code: i64) -> String {
    format!("{PROVIDER}:{code}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merchant_ids_are_uuids() {
        assert!(valid_merchant_id("1344b5d4-0048-11e8-94db-005056a205be"));
        assert!(!valid_merchant_id("1344b5d4004811e894db005056a205be"));
        assert!(!valid_merchant_id("1344b5d4-0048-11e8-94db-005056a205bz"));
        assert!(
            Zarinpal::new(
                reqwest::Client::new(),
                "http://x",
                r#"{"merchant_id":"abc"}"#
            )
            .is_err()
        );
        assert!(Zarinpal::new(reqwest::Client::new(), "http://x", "not json").is_err());
    }
}
