//! Payment links. A link is the store's payment page with terms in its query string
//! (`receivername`, `description`, `price`, `min`, `max`, `expires`) and `link=<token>`,
//! which ties the payments it brings to it (use counts, a usage limit, an expiry).
//!
//! - A **plain** link prefills the form; the customer may edit what it says (the seed's
//!   OpenPay links).
//! - A **signed** link also carries `sig`: HMAC-SHA256 under the server's signing key of the
//!   store, the token and the terms exactly as written. Edited terms fail the check and the
//!   page says the link was changed; at payment the stored terms, not the form, set the amount
//!   and description.

use serde::{Deserialize, Serialize};

/// The terms a link may carry, in the order they are written and signed.
pub const TERMS: [&str; 6] = [
    "receivername",
    "description",
    "price",
    "min",
    "max",
    "expires",
];

/// The link builder's form as typed (the server checks it: `settings::links::check`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LinkForm {
    pub signed: bool,
    pub payer_name: String,
    pub description: String,
    /// A fixed amount; empty: the customer chooses, within `min_amount`/`max_amount`.
    pub amount: String,
    pub min_amount: String,
    pub max_amount: String,
    /// The last day (UTC) the link takes payments, `YYYY-MM-DD`.
    pub expires: String,
    pub max_uses: String,
    /// The token the builder previewed the address with (`crate::tracking::random_token`
    /// when it was shown): the saved link keeps the address the merchant saw, and the same
    /// form sent twice makes one link. Anything else gets a new token.
    pub token: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaymentLink {
    pub id: i64,
    pub token: String,
    pub signed: bool,
    /// The terms as written in the link (form-encoded, [`TERMS`] order).
    pub terms: String,
    pub payer_name: Option<String>,
    pub description: Option<String>,
    /// A fixed amount (minor units); `None`: the customer chooses, within `min`/`max`.
    pub amount: Option<i64>,
    pub min_amount: Option<i64>,
    pub max_amount: Option<i64>,
    /// Unix milliseconds after which the link takes no payment.
    pub expires_at: Option<i64>,
    pub max_uses: Option<i64>,
    /// Payments holding a use: in progress or paid.
    pub uses: i64,
    /// Payments completed through the link.
    pub paid: i64,
    /// The ISO code of the currency its amounts are in (the store's when it was made).
    pub currency: String,
    pub created_at: i64,
}

impl PaymentLink {
    pub fn is_expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }

    /// The amount the link fixes for a payment (minor units, whatever the store displays): its
    /// stored one, unless it is a plain link and the store lets customers choose the amount.
    pub fn held_amount(&self, custom_amounts: bool) -> Option<i64> {
        self.amount.filter(|_| self.signed || !custom_amounts)
    }

    pub fn is_used_up(&self) -> bool {
        self.max_uses.is_some_and(|max| self.uses >= max)
    }

    /// The query string of the link (without `?`), given its signature for a signed link.
    pub fn query(&self, signature: Option<&str>) -> String {
        let mut query = format!("link={}", self.token);
        if !self.terms.is_empty() {
            query.push('&');
            query.push_str(&self.terms);
        }
        if let Some(sig) = signature.filter(|_| self.signed) {
            query.push_str("&sig=");
            query.push_str(sig);
        }
        query
    }
}

/// Why a link takes no payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkProblem {
    /// No such link in this store.
    Unknown,
    /// A signed link whose terms or signature were edited.
    Tampered,
    Expired,
    /// Its usage limit is reached.
    UsedUp,
    /// Made for another currency than the store takes now.
    OtherCurrency,
}

impl LinkProblem {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkProblem::Unknown => "unknown",
            LinkProblem::Tampered => "tampered",
            LinkProblem::Expired => "expired",
            LinkProblem::UsedUp => "used_up",
            LinkProblem::OtherCurrency => "other_currency",
        }
    }

    pub fn parse(s: &str) -> Option<LinkProblem> {
        [
            LinkProblem::Unknown,
            LinkProblem::Tampered,
            LinkProblem::Expired,
            LinkProblem::UsedUp,
            LinkProblem::OtherCurrency,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }
}

/// The terms among `params`, in [`TERMS`] order, form-encoded: what a signature covers. Empty
/// values are left out; a term given twice counts once (the first), like the page reads it.
pub fn canonical_terms(params: &[(String, String)]) -> String {
    let present: Vec<(&str, &str)> = TERMS
        .iter()
        .filter_map(|name| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| (*name, v.as_str()))
                .filter(|(_, v)| !v.is_empty())
        })
        .collect();
    form_encode(&present)
}

fn form_encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `application/x-www-form-urlencoded` value encoding (space as `+`).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What the signature signs: the store, the link and its terms.
pub fn signed_message(store_id: i64, token: &str, terms: &str) -> String {
    format!("{store_id}\n{token}\n{terms}")
}

/// Checks the link a payment page was opened with. `params` is the page's query string.
/// `Ok(None)`: the page was not opened through a link.
#[cfg(feature = "server")]
pub async fn check_page(
    db: &crate::db::Db,
    key: &crate::secrets::SecretKey,
    store: &crate::db::stores::Store,
    params: &[(String, String)],
    now: i64,
) -> Result<Result<Option<PaymentLink>, LinkProblem>, crate::db::DbError> {
    let store_id = store.id;
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let Some(token) = get("link").filter(|t| !t.is_empty()) else {
        return Ok(Ok(None));
    };
    let Some(link) = crate::db::links::by_token(db, store_id, token).await? else {
        return Ok(Err(LinkProblem::Unknown));
    };
    let terms = canonical_terms(params);
    if link.signed
        && (terms != link.terms
            || !key.verify(
                &signed_message(store_id, &link.token, &terms),
                get("sig").unwrap_or_default(),
            ))
    {
        return Ok(Err(LinkProblem::Tampered));
    }
    Ok(usable(link, store, now))
}

/// Checks the link a submitted form names (`sig` as the page carried it). Its usage limit is
/// not checked here but where the payment is created, in the same transaction (and the same
/// form submitted again must still find its payment).
#[cfg(feature = "server")]
pub async fn check_submission(
    db: &crate::db::Db,
    key: &crate::secrets::SecretKey,
    store: &crate::db::stores::Store,
    token: &str,
    sig: &str,
    now: i64,
) -> Result<Result<PaymentLink, LinkProblem>, crate::db::DbError> {
    let store_id = store.id;
    let Some(link) = crate::db::links::by_token(db, store_id, token).await? else {
        return Ok(Err(LinkProblem::Unknown));
    };
    if link.signed && !key.verify(&signed_message(store_id, &link.token, &link.terms), sig) {
        return Ok(Err(LinkProblem::Tampered));
    }
    if link.is_expired(now) {
        return Ok(Err(LinkProblem::Expired));
    }
    if link.currency != store.currency.code() {
        return Ok(Err(LinkProblem::OtherCurrency));
    }
    Ok(Ok(link))
}

#[cfg(feature = "server")]
fn usable(
    link: PaymentLink,
    store: &crate::db::stores::Store,
    now: i64,
) -> Result<Option<PaymentLink>, LinkProblem> {
    if link.is_expired(now) {
        Err(LinkProblem::Expired)
    } else if link.currency != store.currency.code() {
        Err(LinkProblem::OtherCurrency)
    } else if link.is_used_up() {
        Err(LinkProblem::UsedUp)
    } else {
        Ok(Some(link))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn terms_are_written_in_one_order_whatever_the_url_order() {
        let a = canonical_terms(&params(&[
            ("price", "1500"),
            ("link", "t"),
            ("receivername", "نام خانوادگی"),
            ("sig", "x"),
            ("description", "a&b=c"),
            ("min", ""),
        ]));
        assert_eq!(
            a,
            "receivername=%D9%86%D8%A7%D9%85+%D8%AE%D8%A7%D9%86%D9%88%D8%A7%D8%AF%DA%AF%DB%8C&\
             description=a%26b%3Dc&price=1500"
        );
        let b = canonical_terms(&params(&[
            ("description", "a&b=c"),
            ("price", "1500"),
            ("receivername", "نام خانوادگی"),
            ("price", "1"),
        ]));
        assert_eq!(
            a, b,
            "order does not matter, the first of a repeated term counts"
        );
    }

    #[test]
    fn a_link_s_query_names_its_token_terms_and_signature() {
        let link = PaymentLink {
            id: 1,
            token: "tok".into(),
            signed: true,
            terms: "price=5".into(),
            payer_name: None,
            description: None,
            amount: Some(5),
            min_amount: None,
            max_amount: None,
            expires_at: Some(100),
            max_uses: Some(2),
            uses: 2,
            paid: 1,
            currency: "EUR".into(),
            created_at: 0,
        };
        assert_eq!(link.query(Some("ab")), "link=tok&price=5&sig=ab");
        assert!(link.is_expired(100) && !link.is_expired(99));
        assert!(link.is_used_up());
        let plain = PaymentLink {
            signed: false,
            ..link
        };
        assert_eq!(plain.query(Some("ab")), "link=tok&price=5");
        assert_eq!(LinkProblem::parse("used_up"), Some(LinkProblem::UsedUp));
    }
}
