//! myPOS Checkout (IPC 1.4). The browser posts a signed `IPCPurchase` form to myPOS; the
//! customer pays there; myPOS posts a signed `IPCPurchaseNotify` to `URL_Notify` and must get
//! `OK` back (anything else and it reverses the payment), then sends the browser to `URL_OK`
//! or `URL_Cancel`. Only the notification, verified with the store's myPOS certificate and
//! matched field by field against our payment, marks a payment paid; `URL_OK` never does.
//!
//! Signatures: every field but `Signature`, in the order sent, joined with `-`, base64
//! encoded, then RSA PKCS#1 v1.5 with SHA-256, the signature base64 encoded as the last field.
//! Kassa signs with the merchant's private key (registered at myPOS under its key index) and
//! verifies with myPOS's public certificate.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::Sha256;
use x509_cert::der::{DecodePem, Encode};

use super::Order;
use super::registry::{Opening, Provider, Setting};
use super::{
    ConnectorError, HandOff, StartRequest, Started, Verdict, Verification, decimal, form_in_url,
    param, posted_form,
};
use crate::public::Input;
use crate::secrets::Secret;
use crate::validation::{self as v, Problem};

pub mod status;

pub const PROVIDER: &str = "mypos";
pub const LIVE_CHECKOUT: &str = "https://www.mypos.com/vmp/checkout";
/// The path of the test environment under its base (`https://www.mypos.com` or the simulator).
pub const TEST_PATH: &str = "/vmp/checkout-test";
/// The currencies myPOS accounts hold that Kassa knows.
pub const CURRENCIES: &[&str] = &[
    "EUR", "BGN", "USD", "GBP", "CHF", "RON", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "JPY",
];

const fn setting(
    name: &'static str,
    input: crate::public::Input,
    check: fn(&str) -> Result<String, Problem>,
) -> Setting {
    Setting {
        name,
        secret: false,
        input,
        keyboard: if matches!(input, crate::public::Input::Line) {
            "numeric"
        } else {
            "text"
        },
        check,
    }
}

pub const SPEC: Provider = Provider {
    package: Some(package_settings),
    // Its checkout link lives `expires_in` (Kassa sends none: 86,400 s); asked at the end
    // like the others.
    abandoned_after: 25 * 60 * 60 * 1000,
    // It signs its notifications.
    verifies_locally: true,
    failure_text: |code| (code == "rollback").then_some("fail_rollback"),
    ..Provider::new(
        PROVIDER,
        "myPOS",
        &[
            setting("sid", Input::Line, |s| v::digits(s, 1..=15)),
            setting("wallet", Input::Line, |s| v::digits(s, 11..=11)),
            Setting {
                secret: true,
                ..setting("private_key", Input::Text, |s| {
                    pem(s, |p| private_key(p).is_some())
                })
            },
            setting("certificate", Input::Text, |s| {
                pem(s, |p| certificate_key(p).is_some())
            }),
            setting("key_index", Input::Line, |s| v::digits(s, 1..=4)),
            setting("save_card", Input::Switch, v::switch),
        ],
        CURRENCIES,
        "/sim/mypos",
        open,
    )
};

fn open(o: Opening<'_>) -> Result<Box<dyn super::DynConnector>, ConnectorError> {
    let checkout = if o.live {
        LIVE_CHECKOUT.to_owned()
    } else {
        format!("{}{TEST_PATH}", o.sandbox.trim_end_matches('/'))
    };
    Ok(Box::new(MyPos::new(o.http.clone(), &checkout, o.config)?))
}

/// A key or certificate in PEM that `valid` can read.
fn pem(input: &str, valid: fn(&str) -> bool) -> Result<String, Problem> {
    let text = v::required_text(input, 16 * 1024)?;
    if valid(&text) {
        Ok(text)
    } else {
        Err(Problem::Invalid)
    }
}

/// The settings a configuration package fills.
fn package_settings(text: &str) -> Option<Vec<(&'static str, String)>> {
    let p = read_package(text)?;
    Some(vec![
        ("sid", p.sid),
        ("wallet", p.wallet),
        ("private_key", p.private_key.expose().clone()),
        ("certificate", p.certificate),
        ("key_index", p.key_index),
    ])
}

/// The smallest key myPOS accepts (its published sandbox keys are 1024-bit).
const MIN_KEY_BITS: usize = 1024;

/// A merchant private key from PEM (PKCS#1 `RSA PRIVATE KEY` or PKCS#8 `PRIVATE KEY`).
pub fn private_key(pem: &str) -> Option<RsaPrivateKey> {
    let pem = pem.trim();
    RsaPrivateKey::from_pkcs1_pem(pem)
        .or_else(|_| RsaPrivateKey::from_pkcs8_pem(pem))
        .ok()
        .filter(|k| k.size() * 8 >= MIN_KEY_BITS)
}

/// The RSA public key of an X.509 certificate in PEM (myPOS's public certificate).
pub fn certificate_key(pem: &str) -> Option<RsaPublicKey> {
    let certificate = x509_cert::Certificate::from_pem(pem.trim().as_bytes()).ok()?;
    let spki = certificate
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .ok()?;
    RsaPublicKey::from_public_key_der(&spki).ok()
}

/// What is signed: the values joined with `-`, base64 encoded.
fn signed_text<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    BASE64.encode(values.into_iter().collect::<Vec<_>>().join("-"))
}

/// Signs form fields (in order) with a private key: the value of `Signature`.
pub fn sign<'a>(key: &RsaPrivateKey, values: impl IntoIterator<Item = &'a str>) -> String {
    let signer = SigningKey::<Sha256>::new(key.clone());
    BASE64.encode(signer.sign(signed_text(values).as_bytes()).to_bytes())
}

/// Checks a signed form: `Signature` must be its last field and sign all the others.
pub fn verify(key: &RsaPublicKey, fields: &[(String, String)]) -> Result<(), ConnectorError> {
    let Some(((name, signature), signed)) = fields.split_last() else {
        return Err(ConnectorError::Rejected("the message is empty".into()));
    };
    if name != "Signature" {
        return Err(ConnectorError::Rejected(
            "the Signature is not the last field".into(),
        ));
    }
    verify_values(key, signed.iter().map(|(_, v)| v.as_str()), signature)
}

/// Checks that `signature` (base64) signs `values`, in order.
fn verify_values<'a>(
    key: &RsaPublicKey,
    values: impl IntoIterator<Item = &'a str>,
    signature: &str,
) -> Result<(), ConnectorError> {
    let reject = |why: &str| Err(ConnectorError::Rejected(why.into()));
    let Some(signature) = BASE64
        .decode(signature.trim())
        .ok()
        .and_then(|bytes| Signature::try_from(bytes.as_slice()).ok())
    else {
        return reject("the Signature is not base64");
    };
    let text = signed_text(values);
    match VerifyingKey::<Sha256>::new(key.clone()).verify(text.as_bytes(), &signature) {
        Ok(()) => Ok(()),
        Err(_) => reject("wrong Signature"),
    }
}

/// The fields of `IPCPurchaseNotify`, in myPOS's documented order; `false`: may be left out.
/// The signature covers the values only, so the names are checked here: a signed message whose
/// values were relabelled (a name changed, a value with `-` split into two) verifies still.
pub const PURCHASE_NOTIFY: &[(&str, bool)] = &[
    ("IPCmethod", true),
    ("SID", true),
    ("Amount", true),
    ("Currency", true),
    ("OrderID", true),
    ("IPC_Trnref", true),
    ("RequestSTAN", true),
    ("RequestDateTime", true),
    ("PaymentMethod", false),
    ("BillingDescriptor", false),
    ("PAN", false),
    ("ExpDate", false),
    ("CardType", false),
    ("CardToken", false),
    ("CustomerEmail", false),
    ("CustomerPhone", false),
    ("CustomerFirstNames", false),
    ("CustomerFamilyName", false),
    ("Signature", true),
];

/// The fields of `IPCPurchaseOK` and `IPCPurchaseCancel` (the browser's posts to `URL_OK` and
/// `URL_Cancel`), in order.
pub const PURCHASE_RETURN: &[(&str, bool)] = &[
    ("IPCmethod", true),
    ("SID", true),
    ("OrderID", true),
    ("Signature", true),
];

/// Accepts `fields` only when they are the message's documented fields, in the documented
/// order, each once, the required ones all there.
pub fn documented(
    fields: &[(String, String)],
    layout: &[(&str, bool)],
) -> Result<(), ConnectorError> {
    let reject = |why: String| Err(ConnectorError::Rejected(why));
    let mut expected = layout.iter();
    'fields: for (name, _) in fields {
        for (documented, required) in expected.by_ref() {
            if name == documented {
                continue 'fields;
            }
            if *required {
                return reject(format!("{documented} is missing or out of place"));
            }
        }
        return reject(format!("{name} is not expected here"));
    }
    match expected.find(|(_, required)| *required) {
        Some((name, _)) => reject(format!("{name} is missing")),
        None => Ok(()),
    }
}

/// Whether `value` has the shape of `pattern`, where `9` stands for a digit.
fn shaped(value: &str, pattern: &str) -> bool {
    value.len() == pattern.len()
        && value.bytes().zip(pattern.bytes()).all(|(v, p)| {
            if p == b'9' {
                v.is_ascii_digit()
            } else {
                v == p
            }
        })
}

/// The values of a notification whose format myPOS documents: a value moved into another
/// field's place (by relabelling) does not have that field's shape.
pub fn well_formed(fields: &[(String, String)]) -> Result<(), ConnectorError> {
    let digits = |v: &str, most: usize| {
        !v.is_empty() && v.len() <= most && v.bytes().all(|b| b.is_ascii_digit())
    };
    for (name, value) in fields {
        let ok = match name.as_str() {
            "SID" | "IPC_Trnref" => digits(value, 32),
            "RequestSTAN" => digits(value, 6),
            "RequestDateTime" => shaped(value, "9999-99-99 99:99:99"),
            "PaymentMethod" => digits(value, 2),
            "PAN" => value.is_empty() || shaped(value, "9999"),
            "ExpDate" => value.is_empty() || shaped(value, "9999"),
            _ => true,
        };
        if !ok {
            return Err(ConnectorError::Rejected(format!(
                "{name} is not in myPOS's format"
            )));
        }
    }
    Ok(())
}

/// A myPOS configuration package: what the portal offers for download (base64 JSON).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    pub sid: String,
    pub wallet: String,
    pub private_key: Secret,
    pub certificate: String,
    pub key_index: String,
}

/// Reads a configuration package: base64 of `{"sid","cn","pk","pc","idx"}` (`idx` may be a
/// number or a string).
pub fn read_package(text: &str) -> Option<Package> {
    let compact: String = text.split_whitespace().collect();
    let json = BASE64.decode(compact).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&json).ok()?;
    let text = |key: &str| match value.get(key)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    Some(Package {
        sid: text("sid")?,
        wallet: text("cn")?,
        private_key: Secret::new(text("pk")?),
        certificate: text("pc")?,
        key_index: text("idx")?,
    })
}

#[derive(Clone, Debug)]
pub struct MyPos {
    http: reqwest::Client,
    /// Where the form is posted and the status asked (the live or the test environment).
    checkout: String,
    sid: String,
    wallet: String,
    key_index: String,
    save_card: bool,
    private_key: Secret<RsaPrivateKey>,
    certificate: RsaPublicKey,
}

#[derive(serde::Deserialize)]
struct Config {
    sid: String,
    wallet: String,
    key_index: String,
    certificate: String,
    private_key: String,
    #[serde(default)]
    save_card: String,
}

impl MyPos {
    /// `checkout` is where the form is posted (the live or the test environment).
    pub fn new(
        http: reqwest::Client,
        checkout: &str,
        config: &str,
    ) -> Result<MyPos, ConnectorError> {
        let config: Config = serde_json::from_str(config)
            .map_err(|e| ConnectorError::Config(format!("mypos configuration: {e}")))?;
        let private_key = private_key(&config.private_key).ok_or_else(|| {
            ConnectorError::Config("the myPOS private key is not an RSA key".into())
        })?;
        let certificate = certificate_key(&config.certificate)
            .ok_or_else(|| ConnectorError::Config("the myPOS certificate has no RSA key".into()))?;
        Ok(MyPos {
            http,
            checkout: checkout.to_owned(),
            sid: config.sid,
            wallet: config.wallet,
            key_index: config.key_index,
            save_card: config.save_card == "true",
            private_key: Secret::new(private_key),
            certificate,
        })
    }

    /// A browser message from myPOS (`URL_OK`, `URL_Cancel`) that myPOS really signed for
    /// this payment, or `None`.
    fn signed_for<'a>(&self, payment: &Order, params: &'a [(String, String)]) -> Option<&'a str> {
        verify(&self.certificate, params).ok()?;
        documented(params, PURCHASE_RETURN).ok()?;
        (param(params, "SID") == Some(self.sid.as_str())
            && param(params, "OrderID") == Some(payment.tracking_code.as_str()))
        .then(|| param(params, "IPCmethod").unwrap_or_default())
    }
}

/// myPOS's page language for Kassa's (English where myPOS has none).
fn language(lang: &str) -> &'static str {
    match lang {
        "el" => "EL",
        _ => "EN",
    }
}

impl super::Connector for MyPos {
    /// Nothing to register: the signed `IPCPurchase` form is the payment. Its cart is the
    /// payment's description at the full price, and a negative line for the discount, so the
    /// lines add up to what the customer pays.
    async fn start(&self, req: StartRequest<'_>) -> Result<Started, ConnectorError> {
        let p = req.order;
        let currency = p.currency.code();
        let amount = decimal(p.amount, p.currency);
        let full = decimal(p.amount + p.discount, p.currency);
        let discount = decimal(p.discount, p.currency);
        let (first_names, family_name) = p
            .payer_name
            .trim()
            .rsplit_once(' ')
            .unwrap_or((p.payer_name.trim(), ""));
        let lines = if p.discount > 0 { "2" } else { "1" };
        let mut fields: Vec<(&str, String)> = vec![
            ("IPCmethod", "IPCPurchase".into()),
            ("IPCVersion", "1.4".into()),
            ("IPCLanguage", language(req.language).into()),
            ("SID", self.sid.clone()),
            ("WalletNumber", self.wallet.clone()),
            ("KeyIndex", self.key_index.clone()),
            ("Source", "Kassa".into()),
            ("Currency", currency.into()),
            ("Amount", amount),
            ("OrderID", p.tracking_code.clone()),
            ("URL_OK", req.return_url.into()),
            ("URL_Cancel", req.return_url.into()),
            ("URL_Notify", req.notify_url.into()),
            ("Note", String::new()),
            ("customeremail", p.email.clone().unwrap_or_default()),
            ("customerphone", p.mobile.clone()),
            ("customerfirstnames", first_names.into()),
            ("customerfamilyname", family_name.into()),
            ("customercountry", String::new()),
            ("customercity", String::new()),
            ("customerzipcode", String::new()),
            ("customeraddress", String::new()),
            ("CartItems", lines.into()),
            ("Article_1", req.description.into()),
            ("Quantity_1", "1".into()),
            ("Price_1", full.clone()),
            ("Amount_1", full),
            ("Currency_1", currency.into()),
        ];
        if p.discount > 0 {
            fields.extend([
                ("Article_2", "Discount".into()),
                ("Quantity_2", "1".into()),
                ("Price_2", format!("-{discount}")),
                ("Amount_2", format!("-{discount}")),
                ("Currency_2", currency.into()),
            ]);
        }
        fields.extend([
            // 2: pay and keep the card for the next purchase (Save Card); 0: keep nothing.
            (
                "CardTokenRequest",
                if self.save_card { "2" } else { "0" }.into(),
            ),
            // 3: the simplified payment page (Kassa already asked for the customer's details).
            ("PaymentParametersRequired", "3".into()),
            ("PaymentMethod", "1".into()),
        ]);
        let signature = sign(
            self.private_key.expose(),
            fields.iter().map(|(_, v)| v.as_str()),
        );
        fields.push(("Signature", signature));
        let handoff_url = form_in_url(&self.checkout, fields.iter().map(|(k, v)| (*k, v.as_str())));
        Ok(Started {
            provider_ref: p.tracking_code.clone(),
            raw: handoff_url.clone(),
            handoff_url: Some(handoff_url),
        })
    }

    fn hand_off(&self, payment: &Order) -> Result<HandOff, ConnectorError> {
        posted_form(payment, "myPOS")
    }

    /// `URL_OK` proves nothing (the notification decides); a cancellation myPOS signed for
    /// this payment ends it.
    async fn verify_return(
        &self,
        payment: &Order,
        params: &[(String, String)],
    ) -> Result<Verification, ConnectorError> {
        match self.signed_for(payment, params) {
            Some("IPCPurchaseCancel") => Ok(Verification {
                verdict: Verdict::Cancelled {
                    code: format!("{PROVIDER}:cancelled"),
                },
                raw: "IPCPurchaseCancel, signed by myPOS".into(),
            }),
            _ => self.fetch_status(payment).await,
        }
    }

    /// `IPCGetTxnStatus` (`status`): for the status polls of a payment whose notification
    /// never came, and for a customer back at `URL_OK` before it.
    async fn fetch_status(&self, payment: &Order) -> Result<Verification, ConnectorError> {
        self.txn_status(payment).await
    }

    async fn verify_notification(
        &self,
        payment: &Order,
        body: &[u8],
    ) -> Result<Verification, ConnectorError> {
        let fields = super::form_fields(body)?;
        verify(&self.certificate, &fields)?;
        documented(&fields, PURCHASE_NOTIFY)?;
        let field = |name| param(&fields, name).unwrap_or_default();
        let reject = |why: String| Err(ConnectorError::Rejected(why));
        if field("IPCmethod") != "IPCPurchaseNotify" {
            return reject(format!("{} is not IPCPurchaseNotify", field("IPCmethod")));
        }
        if field("SID") != self.sid {
            return reject(format!("the notification is for store {}", field("SID")));
        }
        if field("OrderID") != payment.tracking_code {
            return reject("the notification is for another order".into());
        }
        let amount = decimal(payment.amount, payment.currency);
        if field("Amount") != amount || field("Currency") != payment.currency.code() {
            return reject(format!(
                "the notification says {} {}, the payment is {amount} {}",
                field("Amount"),
                field("Currency"),
                payment.currency.code()
            ));
        }
        if field("IPC_Trnref").is_empty() {
            return reject("the notification has no IPC_Trnref".into());
        }
        well_formed(&fields)?;
        let pan = field("PAN");
        Ok(Verification {
            verdict: Verdict::Paid {
                bank_ref: field("IPC_Trnref").to_owned(),
                card_pan: (!pan.is_empty()).then(|| format!("**** {pan}")),
            },
            raw: "IPCPurchaseNotify, signed by myPOS".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> RsaPrivateKey {
        RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 1024).unwrap()
    }

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_signed_text_is_the_base64_of_the_dash_joined_values() {
        // "IPCPurchase-1.4--EUR" (an empty value gives two dashes).
        assert_eq!(
            signed_text(["IPCPurchase", "1.4", "", "EUR"]),
            BASE64.encode("IPCPurchase-1.4--EUR")
        );
    }

    #[test]
    fn signatures_verify_only_unchanged_and_in_order() {
        let ours = key();
        let public = ours.to_public_key();
        let mut form = fields(&[
            ("IPCmethod", "IPCPurchaseNotify"),
            ("Amount", "10.00"),
            ("Note", ""),
        ]);
        let signature = sign(&ours, form.iter().map(|(_, v)| v.as_str()));
        form.push(("Signature".into(), signature.clone()));
        assert_eq!(verify(&public, &form), Ok(()));

        let mut changed = form.clone();
        changed[1].1 = "1.00".into();
        assert!(verify(&public, &changed).is_err(), "a changed amount");
        let mut reordered = form.clone();
        reordered.swap(0, 1);
        assert!(verify(&public, &reordered).is_err(), "another order");
        let mut moved = form.clone();
        let last = moved.pop().unwrap();
        moved.insert(0, last);
        assert!(verify(&public, &moved).is_err(), "Signature not last");
        let mut garbled = form.clone();
        garbled.last_mut().unwrap().1 = "not base64!".into();
        assert!(verify(&public, &garbled).is_err());
        assert!(
            verify(&key().to_public_key(), &form).is_err(),
            "another key"
        );
        assert!(verify(&public, &[]).is_err());
    }

    #[test]
    fn messages_have_their_documented_fields_in_order_each_once() {
        let names = |list: &[&str]| fields(&list.iter().map(|n| (*n, "1")).collect::<Vec<_>>());
        let ok = names(&["IPCmethod", "SID", "OrderID", "Signature"]);
        assert_eq!(documented(&ok, PURCHASE_RETURN), Ok(()));
        for bad in [
            &["IPCmethod", "SID", "Signature"][..],
            &["SID", "IPCmethod", "OrderID", "Signature"],
            &["IPCmethod", "SID", "OrderID", "OrderID", "Signature"],
            &["IPCmethod", "SID", "OrderId", "Signature"],
            &["IPCmethod", "SID", "OrderID", "Signature", "Note"],
            &[],
        ] {
            assert!(documented(&names(bad), PURCHASE_RETURN).is_err(), "{bad:?}");
        }
        // Optional fields may be absent, not moved.
        let required: Vec<&str> = PURCHASE_NOTIFY
            .iter()
            .filter(|(_, r)| *r)
            .map(|(n, _)| *n)
            .collect();
        assert_eq!(documented(&names(&required), PURCHASE_NOTIFY), Ok(()));
        let mut moved = required.clone();
        moved.insert(2, "PAN");
        assert!(documented(&names(&moved), PURCHASE_NOTIFY).is_err());
    }

    #[test]
    fn values_out_of_their_place_are_refused() {
        let good = fields(&[
            ("RequestSTAN", "123456"),
            ("RequestDateTime", "2026-12-02 10:11:12"),
            ("PAN", "1111"),
            ("ExpDate", ""),
        ]);
        assert_eq!(well_formed(&good), Ok(()));
        for (name, value) in [
            ("RequestDateTime", "2026"),
            ("PaymentMethod", "02 10:11:12"),
            ("PAN", "12"),
            ("RequestSTAN", "1234567"),
            ("SID", ""),
        ] {
            assert!(
                well_formed(&fields(&[(name, value)])).is_err(),
                "{name}={value}"
            );
        }
    }

    #[test]
    fn packages_are_base64_json() {
        let json = r#"{"sid":"000000000000010","cn":"61938166610","pk":"-----BEGIN RSA PRIVATE KEY-----","pc":"-----BEGIN CERTIFICATE-----","idx":1}"#;
        let package = read_package(&BASE64.encode(json)).unwrap();
        assert_eq!(package.sid, "000000000000010");
        assert_eq!(package.wallet, "61938166610");
        assert_eq!(package.key_index, "1");
        // Line breaks, as when the file is pasted, do not matter.
        let wrapped = BASE64
            .encode(json)
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(read_package(&wrapped), Some(package));
        assert_eq!(read_package("not a package"), None);
        assert_eq!(read_package(&BASE64.encode(r#"{"sid":"1"}"#)), None);
    }

    #[test]
    fn keys_and_certificates_are_read_from_pem() {
        assert!(
            private_key("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----")
                .is_none()
        );
        assert!(
            certificate_key("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")
                .is_none()
        );
        assert!(private_key("").is_none());
    }
}
