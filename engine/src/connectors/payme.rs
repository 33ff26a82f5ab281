//! PayMe (Isracard): `generate-sale` registers a sale and returns the hosted page's `sale_url`;
//! the customer pays there; PayMe posts a form-encoded callback (IPN) and sends the browser
//! back. Neither is trusted alone: the verdict comes from `get-sales`, asked with the seller's
//! key, and must match our payment's amount, currency and tracking code. Amounts are minor
//! units (agorot); ILS, USD and EUR only.
//!
//! Kassa is a PayMe platform (partner): its client key tells PayMe which sellers registered
//! through Kassa, and a store connects to one seller account at a time (see [`Platform`]).

mod wire;

use md5::{Digest, Md5};
use serde::Serialize;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use super::Order;
use super::registry::{Opening, Provider, Setting};
use super::{
    ConnectError, ConnectorError, HandOff, StartRequest, Started, Verdict, Verification, param,
    post_json, truncate,
};
use crate::secrets::Secret;
use crate::validation::Problem;
use wire::{GenerateSale, GetSales, Sale, SaleCreated, Sales, SellerCall, Sellers, Status};

pub const PROVIDER: &str = "payme";
pub const LIVE_BASE: &str = "https://live.payme.io/api";
/// The currencies PayMe settles.
pub const CURRENCIES: &[&str] = &["ILS", "USD", "EUR"];
/// A seller key's length and shape: `MPLXXXXX-XXXXXXXX-XXXXXXXX-XXXXXXXX`.
pub const KEY_LENGTH: usize = 35;
pub const KEY_SHAPE: &str = "MPLXXXXX-XXXXXXXX-XXXXXXXX-XXXXXXXX";
/// PayMe's error for a call about a seller connected to another store of the platform.
pub const CONNECTED_ELSEWHERE: i64 = 20102;

pub const SPEC: Provider = Provider {
    platform: true,
    account: Some("seller_key"),
    ..Provider::new(
        PROVIDER,
        "PayMe",
        &[
            Setting {
                name: "seller_key",
                secret: true,
                input: crate::public::Input::Line,
                keyboard: "text",
                check: check_seller_key,
            },
            super::registry::ACCOUNT_EMAIL,
        ],
        CURRENCIES,
        "/sim/payme/api",
        open,
    )
};

fn open(o: Opening<'_>) -> Result<Box<dyn super::DynConnector>, ConnectorError> {
    let platform = o
        .platform
        .cloned()
        .ok_or_else(|| ConnectorError::Config("PayMe needs Kassa's platform credentials".into()))?;
    Ok(Box::new(PayMe::new(
        o.http.clone(),
        o.base(LIVE_BASE),
        platform,
        o.config,
    )?))
}

/// Checks a seller key's shape before asking PayMe: `MPL`, 35 characters, dashes after the
/// 8th, 17th and 26th, letters and digits elsewhere.
pub fn check_seller_key(input: &str) -> Result<String, Problem> {
    let key = input.trim();
    if key.is_empty() {
        return Err(Problem::Required);
    }
    if !key.starts_with("MPL") {
        return Err(Problem::KeyPrefix);
    }
    let length = key.chars().count();
    if length != KEY_LENGTH {
        return Err(Problem::KeyLength(length as i64));
    }
    let shaped = key.chars().enumerate().all(|(i, c)| {
        if [8, 17, 26].contains(&i) {
            c == '-'
        } else {
            c.is_ascii_alphanumeric()
        }
    });
    if shaped {
        Ok(key.to_owned())
    } else {
        Err(Problem::KeyShape)
    }
}

/// `payme_signature`: lowercase hex MD5 of client key, client secret, PayMe's transaction id
/// and sale id, concatenated.
pub fn signature(platform: &Platform, transaction_id: &str, sale_id: &str) -> String {
    let mut md5 = Md5::new();
    for part in [
        platform.client_key.as_str(),
        platform.client_secret.expose(),
        transaction_id,
        sale_id,
    ] {
        md5.update(part.as_bytes());
    }
    crate::tracking::hex(&md5.finalize())
}

/// Kassa's own PayMe partner credentials (one set per Kassa installation).
#[derive(Clone, Debug)]
pub struct Platform {
    pub client_key: String,
    pub client_secret: Secret,
}

#[derive(Clone, Debug)]
pub struct PayMe {
    http: reqwest::Client,
    base: String,
    platform: Platform,
    seller_key: Secret,
    email: String,
}

#[derive(serde::Deserialize)]
struct Config {
    seller_key: String,
    email: String,
}

impl PayMe {
    pub fn new(
        http: reqwest::Client,
        base: &str,
        platform: Platform,
        config: &str,
    ) -> Result<PayMe, ConnectorError> {
        let config: Config = serde_json::from_str(config)
            .map_err(|e| ConnectorError::Config(format!("payme configuration: {e}")))?;
        if check_seller_key(&config.seller_key).is_err() {
            return Err(ConnectorError::Config(
                "the PayMe seller key is not a 35-character MPL key".into(),
            ));
        }
        Ok(PayMe {
            http,
            base: base.trim_end_matches('/').to_owned(),
            platform,
            seller_key: Secret::new(config.seller_key),
            email: config.email,
        })
    }

    /// Posts a call; `Ok(Err(code))` when PayMe answered with an error.
    async fn call<B: Serialize, D: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<(Result<D, i64>, String), ConnectorError> {
        let raw = post_json(&self.http, &format!("{}/{path}", self.base), body).await?;
        let protocol = |e: serde_json::Error| {
            ConnectorError::Protocol(format!("payme {path}: {e}: {}", truncate(&raw)))
        };
        let status: Status = serde_json::from_str(&raw).map_err(protocol)?;
        if status.status_code != 0 {
            return Ok((Err(status.status_error_code), raw));
        }
        let data = serde_json::from_str(&raw).map_err(protocol)?;
        Ok((Ok(data), raw))
    }

    fn seller_call<'a>(&'a self, store_ref: Option<&'a str>) -> SellerCall<'a> {
        SellerCall {
            payme_client_key: &self.platform.client_key,
            seller_payme_id: self.seller_key.expose(),
            platform_store_id: store_ref,
        }
    }

    /// The sale as `get-sales` reports it, checked to be this payment's.
    async fn sale(&self, payment: &Order) -> Result<(Sale, String), ConnectorError> {
        let sale_id = sale_id(payment)?;
        let body = GetSales {
            seller_payme_id: self.seller_key.expose(),
            sale_payme_id: sale_id,
        };
        let (answer, raw) = self.call::<_, Sales>("get-sales", &body).await?;
        let sales = answer.map_err(|code| refused(code, raw.clone()))?;
        let sale = sales
            .items
            .into_iter()
            .find(|s| s.sale_payme_id == sale_id)
            .ok_or_else(|| ConnectorError::Rejected(format!("PayMe knows no sale {sale_id}")))?;
        if sale.transaction_id != payment.tracking_code {
            return Err(ConnectorError::Rejected(
                "the sale belongs to another payment".into(),
            ));
        }
        if sale.sale_price != payment.amount
            || !sale
                .sale_currency
                .eq_ignore_ascii_case(payment.currency.code())
        {
            return Err(ConnectorError::Rejected(format!(
                "the sale is for {} {}, the payment for {} {}",
                sale.sale_price,
                sale.sale_currency,
                payment.amount,
                payment.currency.code()
            )));
        }
        Ok((sale, raw))
    }
}

fn refused(code: i64, raw: String) -> ConnectorError {
    ConnectorError::Refused {
        code: format!("{PROVIDER}:{code}"),
        raw,
    }
}

fn sale_id(payment: &Order) -> Result<&str, ConnectorError> {
    payment
        .provider_ref
        .as_deref()
        .ok_or_else(|| ConnectorError::Rejected("the payment was never sent to PayMe".into()))
}

/// The verdict of a sale's status.
fn verdict(sale: &Sale) -> Verdict {
    match sale.sale_status.as_str() {
        "completed" => Verdict::Paid {
            bank_ref: sale
                .payme_transaction_id
                .clone()
                .unwrap_or_else(|| sale.sale_payme_id.clone()),
            card_pan: sale.buyer_card_mask.clone(),
        },
        "failed" | "voided" => Verdict::Failed {
            code: format!(
                "{PROVIDER}:{}",
                sale.sale_error_code
                    .map_or_else(|| sale.sale_status.clone(), |c| c.to_string())
            ),
        },
        // initial, authorized, and refunds or chargebacks of a sale we never saw paid.
        _ => Verdict::Pending,
    }
}

impl super::Connector for PayMe {
    /// The account's connection check, then the connection itself: the key must belong to a
    /// seller registered through Kassa, under the e-mail the merchant typed, and not be
    /// connected to another store. Connecting the same store again is harmless.
    async fn connect(&self, store_ref: &str) -> Result<(), ConnectError> {
        let (answer, raw) = self
            .call::<_, Sellers>("get-sellers", &self.seller_call(None))
            .await?;
        let sellers = answer.map_err(|code| refused(code, raw))?;
        let Some(seller) = sellers
            .items
            .iter()
            .find(|s| &s.seller_payme_id == self.seller_key.expose())
        else {
            return Err(ConnectError::Refused {
                setting: "seller_key",
                problem: Problem::NotRegistered,
            });
        };
        if !seller
            .seller_email
            .trim()
            .eq_ignore_ascii_case(self.email.trim())
        {
            return Err(ConnectError::Refused {
                setting: "email",
                problem: Problem::EmailMismatch,
            });
        }
        let (answer, raw) = self
            .call::<_, serde_json::Value>("connect-seller", &self.seller_call(Some(store_ref)))
            .await?;
        match answer {
            Ok(_) => Ok(()),
            Err(CONNECTED_ELSEWHERE) => Err(ConnectError::Refused {
                setting: "seller_key",
                problem: Problem::ConnectedElsewhere,
            }),
            Err(code) => Err(refused(code, raw).into()),
        }
    }

    /// Tells PayMe the store no longer uses the account, so it can be connected elsewhere.
    async fn disconnect(&self, store_ref: &str) -> Result<(), ConnectorError> {
        let (answer, raw) = self
            .call::<_, serde_json::Value>("disconnect-seller", &self.seller_call(Some(store_ref)))
            .await?;
        answer.map(drop).map_err(|code| refused(code, raw))
    }

    async fn start(&self, req: StartRequest<'_>) -> Result<Started, ConnectorError> {
        let p = req.order;
        let body = GenerateSale {
            seller_payme_id: self.seller_key.expose(),
            sale_price: p.amount,
            currency: p.currency.code(),
            product_name: req.description,
            transaction_id: &p.tracking_code,
            installments: "1",
            sale_callback_url: req.notify_url,
            sale_return_url: req.return_url,
            language: if req.language == "he" { "he" } else { "en" },
            sale_type: "sale",
            sale_payment_method: "credit-card",
            buyer_name: &p.payer_name,
            buyer_phone: &p.mobile,
            buyer_email: p.email.as_deref(),
        };
        let (answer, raw) = self.call::<_, SaleCreated>("generate-sale", &body).await?;
        let created = answer.map_err(|code| refused(code, raw.clone()))?;
        if !(created.sale_url.starts_with("https://") || created.sale_url.starts_with("http://")) {
            return Err(ConnectorError::Protocol(format!(
                "PayMe gave no sale page: {raw}"
            )));
        }
        Ok(Started {
            provider_ref: created.payme_sale_id,
            handoff_url: Some(created.sale_url),
            raw,
        })
    }

    fn hand_off(&self, payment: &Order) -> Result<HandOff, ConnectorError> {
        payment
            .handoff_url
            .clone()
            .map(HandOff::Redirect)
            .ok_or_else(|| ConnectorError::Rejected("the payment has no PayMe sale page".into()))
    }

    async fn verify_return(
        &self,
        payment: &Order,
        params: &[(String, String)],
    ) -> Result<Verification, ConnectorError> {
        if let Some(id) = param(params, "payme_sale_id")
            && Some(id) != payment.provider_ref.as_deref()
        {
            return Err(ConnectorError::Rejected(
                "the sale does not belong to this payment".into(),
            ));
        }
        self.fetch_status(payment).await
    }

    async fn fetch_status(&self, payment: &Order) -> Result<Verification, ConnectorError> {
        let (sale, raw) = self.sale(payment).await?;
        Ok(Verification {
            verdict: verdict(&sale),
            raw,
        })
    }

    /// The callback: its own fields must name this payment and its amount, and its signature
    /// (when PayMe sent one) must be Kassa's; then `get-sales` decides.
    async fn verify_notification(
        &self,
        payment: &Order,
        body: &[u8],
    ) -> Result<Verification, ConnectorError> {
        let params = super::form_fields(body)?;
        let field = |name| param(&params, name).unwrap_or_default();
        if field("transaction_id") != payment.tracking_code {
            return Err(ConnectorError::Rejected(
                "the callback is for another order".into(),
            ));
        }
        if Some(field("payme_sale_id")) != payment.provider_ref.as_deref() {
            return Err(ConnectorError::Rejected(
                "the callback is for another sale".into(),
            ));
        }
        if field("price") != payment.amount.to_string()
            || !field("currency").eq_ignore_ascii_case(payment.currency.code())
        {
            return Err(ConnectorError::Rejected(format!(
                "the callback says {} {}, the payment is {} {}",
                field("price"),
                field("currency"),
                payment.amount,
                payment.currency.code()
            )));
        }
        let sent = field("payme_signature");
        if !sent.is_empty() {
            let expected = signature(
                &self.platform,
                field("payme_transaction_id"),
                field("payme_sale_id"),
            );
            if !bool::from(
                sent.to_ascii_lowercase()
                    .as_bytes()
                    .ct_eq(expected.as_bytes()),
            ) {
                return Err(ConnectorError::Rejected("wrong payme_signature".into()));
            }
        }
        self.fetch_status(payment).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seller_keys_are_checked_for_prefix_length_and_shape() {
        let good = "MPL14985-68544Z1G-3KXQ7T2B-ABCDEFGH";
        assert_eq!(check_seller_key(&format!(" {good} ")), Ok(good.to_owned()));
        assert_eq!(check_seller_key("  "), Err(Problem::Required));
        assert_eq!(
            check_seller_key("XPL14985-68544Z1G-3KXQ7T2B-ABCDEFGH"),
            Err(Problem::KeyPrefix)
        );
        assert_eq!(
            check_seller_key("mpl14985-68544Z1G-3KXQ7T2B-ABCDEFGH"),
            Err(Problem::KeyPrefix)
        );
        assert_eq!(
            check_seller_key("MPL14985-68544Z1G-3KXQ7T2B-ABCDEF"),
            Err(Problem::KeyLength(33))
        );
        assert_eq!(
            check_seller_key("MPL1498568544Z1G3KXQ7T2BABCDEFGHIJK"),
            Err(Problem::KeyShape)
        );
        assert_eq!(
            check_seller_key("MPL14985-68544Z1G-3KXQ7T2B-ABCDEF!H"),
            Err(Problem::KeyShape)
        );
        assert_eq!(KEY_SHAPE.len(), KEY_LENGTH);
    }

    #[test]
    fn signature_is_md5_of_the_four_parts() {
        let platform = Platform {
            client_key: "key".into(),
            client_secret: Secret::new("secret"),
        };
        // md5("keysecretTRAN1SALE1")
        let expected = {
            let mut md5 = Md5::new();
            md5.update(b"keysecretTRAN1SALE1");
            crate::tracking::hex(&md5.finalize())
        };
        assert_eq!(signature(&platform, "TRAN1", "SALE1"), expected);
        assert_eq!(expected.len(), 32);
        assert_ne!(signature(&platform, "TRAN1", "SALE2"), expected);
    }

    #[test]
    fn sale_statuses_map_to_verdicts() {
        let sale = |status: &str| Sale {
            sale_payme_id: "SALE1".into(),
            sale_status: status.into(),
            sale_price: 100,
            sale_currency: "ILS".into(),
            transaction_id: "T".into(),
            payme_transaction_id: Some("TRAN1".into()),
            buyer_card_mask: Some("455743******3431".into()),
            sale_error_code: None,
        };
        assert_eq!(
            verdict(&sale("completed")),
            Verdict::Paid {
                bank_ref: "TRAN1".into(),
                card_pan: Some("455743******3431".into())
            }
        );
        assert_eq!(
            verdict(&sale("failed")),
            Verdict::Failed {
                code: "payme:failed".into()
            }
        );
        for pending in ["initial", "authorized", "refunded"] {
            assert_eq!(verdict(&sale(pending)), Verdict::Pending);
        }
    }
}
