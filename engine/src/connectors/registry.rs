//! What the rest of Kassa knows of a provider, declared by the provider's own module (its
//! `SPEC`), and the one list of them ([`PROVIDERS`]). The methods page's form, its checks and
//! save, the notification routes, the sandbox addresses and the connector dispatch are all
//! read from here: adding a provider is its module, its simulator, its tests, its texts
//! (`app/locales/providers/{id}.json`) and one line in [`PROVIDERS`].

use std::future::Future;
use std::pin::Pin;

use super::Order;
use super::{
    ConnectError, Connector, ConnectorError, HandOff, StartRequest, Started, Verification,
    everypay, mypos, payme, paypal, zarinpal,
};
use crate::money::Currency;
use crate::public::Input;
use crate::validation::Problem;

/// Every provider a merchant can add, in the order the methods page offers them.
pub const PROVIDERS: &[&Provider] = &[
    &zarinpal::SPEC,
    &payme::SPEC,
    &paypal::SPEC,
    &mypos::SPEC,
    &everypay::SPEC,
];

/// The provider with this id.
pub fn find(id: &str) -> Option<&'static Provider> {
    PROVIDERS.iter().copied().find(|p| p.id == id)
}

/// A provider as the rest of Kassa sees it.
pub struct Provider {
    /// Its id: stored with each method (`payment_methods.provider`), in its routes
    /// (`/notify/{id}`) and its texts' file.
    pub id: &'static str,
    /// Its name as merchants know it (a brand: the same in every language).
    pub name: &'static str,
    /// Its settings, in the order of its form.
    pub fields: &'static [Setting],
    /// The currencies it settles (ISO codes).
    pub currencies: &'static [&'static str],
    pub notifications: Notifications,
    /// Where its simulator serves its test environment, under the sandbox's address.
    pub sandbox_path: &'static str,
    /// It works only through Kassa's own account at the provider (PayMe's platform key):
    /// without one this server does not offer it.
    pub platform: bool,
    /// Its accounts are connected to a store at the provider when a method is saved or turned
    /// on, and disconnected when replaced or turned off ([`Connector::connect`]). The setting
    /// that names the account tells a replaced one.
    pub account: Option<&'static str>,
    /// Reads its configuration package (pasted as `provider[package]`) into its settings, for
    /// providers that offer one; what the package holds replaces what was typed.
    pub package: Option<PackageReader>,
    /// Opens its connector for a method.
    pub open: fn(Opening<'_>) -> Result<Box<dyn DynConnector>, ConnectorError>,
    /// How long a payment may wait at the provider before Kassa expires it (`crate::polls`),
    /// in milliseconds.
    pub abandoned_after: i64,
    /// It can be asked how a payment stands ([`Connector::fetch_status`]).
    pub asks_status: bool,
    /// Its messages are verified without calling it (they are signed): such a message costs
    /// no provider call, so it is checked beyond its payment's message budget (`intake`).
    pub verifies_locally: bool,
    /// The text key (in its texts' file) that explains a failure code it reported
    /// (`payments.failure_code` without the `{id}:` prefix), where there is one.
    pub failure_text: fn(&str) -> Option<&'static str>,
}

impl Provider {
    /// A provider posting to each payment's address, needing no account of Kassa's, with no
    /// account to connect and no package, asked for its status, whose payments may wait a day,
    /// verified by a call and with no failure text of its own: each `SPEC` says where it
    /// differs.
    pub const fn new(
        id: &'static str,
        name: &'static str,
        fields: &'static [Setting],
        currencies: &'static [&'static str],
        sandbox_path: &'static str,
        open: fn(Opening<'_>) -> Result<Box<dyn DynConnector>, ConnectorError>,
    ) -> Provider {
        Provider {
            id,
            name,
            fields,
            currencies,
            notifications: Notifications::PerPayment,
            sandbox_path,
            platform: false,
            account: None,
            package: None,
            open,
            abandoned_after: 24 * 60 * 60 * 1000,
            asks_status: true,
            verifies_locally: false,
            failure_text: |_| None,
        }
    }

    /// Whether it settles payments in `currency`.
    pub fn takes(&self, currency: Currency) -> bool {
        self.currencies.contains(&currency.code())
    }
}

/// Where a provider posts its notifications.
pub enum Notifications {
    /// To an address of each payment (`/pay/{code}/notify`), given as the payment starts.
    PerPayment,
    /// Every notification of an account to one address the merchant pastes into the
    /// provider's settings (`/notify/{id}`); `payment_of` reads which payment (our tracking
    /// code, echoed back) one is about.
    Account {
        payment_of: fn(&[u8]) -> Option<String>,
    },
}

/// One of a provider's settings: a field of its form and a key of the method's configuration.
pub struct Setting {
    /// The key, and the form input `provider[{name}]`; its texts are `{name}` and
    /// `{name}_hint`.
    pub name: &'static str,
    /// Sealed at rest and shown only masked; a blank one on an edit keeps the saved value.
    pub secret: bool,
    pub input: Input,
    /// The keyboard a phone offers for it (`inputmode`).
    pub keyboard: &'static str,
    /// Checks what was typed and gives the value to save.
    pub check: fn(&str) -> Result<String, Problem>,
}

/// The e-mail address of the merchant's account at the provider.
pub const ACCOUNT_EMAIL: Setting = Setting {
    name: "email",
    secret: false,
    input: Input::Line,
    keyboard: "email",
    check: crate::validation::account_email,
};

/// Reads a configuration package into `(setting, value)` pairs; `None` if it is not one.
pub type PackageReader = fn(&str) -> Option<Vec<(&'static str, String)>>;

/// What a provider's connector is opened with.
pub struct Opening<'a> {
    pub http: reqwest::Client,
    /// A live method (else a test one, sent to `sandbox`).
    pub live: bool,
    /// The provider's test environment: its simulator unless configured.
    pub sandbox: &'a str,
    /// The method's configuration and opened credentials, as one JSON object.
    pub config: &'a str,
    /// Kassa's own account at the provider, for providers that need one.
    pub platform: Option<&'a payme::Platform>,
}

impl Opening<'_> {
    /// The provider's base address for this method: `live`'s, or the sandbox's.
    pub fn base<'a>(&'a self, live: &'a str) -> &'a str {
        if self.live { live } else { self.sandbox }
    }
}

type Answer<'a, T, E = ConnectorError> = Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'a>>;

/// [`Connector`] as a trait object, so the registry can hold providers of any type.
pub trait DynConnector: Send + Sync {
    fn start<'a>(&'a self, req: StartRequest<'a>) -> Answer<'a, Started>;
    fn hand_off(&self, payment: &Order) -> Result<HandOff, ConnectorError>;
    fn verify_return<'a>(
        &'a self,
        payment: &'a Order,
        params: &'a [(String, String)],
    ) -> Answer<'a, Verification>;
    fn fetch_status<'a>(&'a self, payment: &'a Order) -> Answer<'a, Verification>;
    fn verify_notification<'a>(
        &'a self,
        payment: &'a Order,
        body: &'a [u8],
    ) -> Answer<'a, Verification>;
    fn connect<'a>(&'a self, store_ref: &'a str) -> Answer<'a, (), ConnectError>;
    fn disconnect<'a>(&'a self, store_ref: &'a str) -> Answer<'a, ()>;
}

impl<C: Connector + Send + Sync> DynConnector for C {
    fn start<'a>(&'a self, req: StartRequest<'a>) -> Answer<'a, Started> {
        Box::pin(Connector::start(self, req))
    }

    fn hand_off(&self, payment: &Order) -> Result<HandOff, ConnectorError> {
        Connector::hand_off(self, payment)
    }

    fn verify_return<'a>(
        &'a self,
        payment: &'a Order,
        params: &'a [(String, String)],
    ) -> Answer<'a, Verification> {
        Box::pin(Connector::verify_return(self, payment, params))
    }

    fn fetch_status<'a>(&'a self, payment: &'a Order) -> Answer<'a, Verification> {
        Box::pin(Connector::fetch_status(self, payment))
    }

    fn verify_notification<'a>(
        &'a self,
        payment: &'a Order,
        body: &'a [u8],
    ) -> Answer<'a, Verification> {
        Box::pin(Connector::verify_notification(self, payment, body))
    }

    fn connect<'a>(&'a self, store_ref: &'a str) -> Answer<'a, (), ConnectError> {
        Box::pin(Connector::connect(self, store_ref))
    }

    fn disconnect<'a>(&'a self, store_ref: &'a str) -> Answer<'a, ()> {
        Box::pin(Connector::disconnect(self, store_ref))
    }
}

/// The provider and text key that explain a failure code (`zarinpal:-51`), if one does.
pub fn failure_text(code: &str) -> Option<(&'static str, &'static str)> {
    let (id, number) = code.split_once(':')?;
    let provider = find(id)?;
    Some((provider.id, (provider.failure_text)(number)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_provider_is_listed_once_with_settings_of_its_own() {
        for (i, p) in PROVIDERS.iter().enumerate() {
            assert!(
                PROVIDERS[..i].iter().all(|q| q.id != p.id),
                "{} is listed twice",
                p.id
            );
            assert!(!p.fields.is_empty() && !p.currencies.is_empty(), "{}", p.id);
            for (j, s) in p.fields.iter().enumerate() {
                assert!(
                    p.fields[..j].iter().all(|t| t.name != s.name),
                    "{}: {} twice",
                    p.id,
                    s.name
                );
                assert_ne!(
                    s.name, "package",
                    "{}: `package` is the package's input",
                    p.id
                );
            }
            if let Some(account) = p.account {
                assert!(
                    p.fields.iter().any(|s| s.name == account),
                    "{}: {account}",
                    p.id
                );
            }
            assert!(p.sandbox_path.starts_with("/sim/"), "{}", p.id);
        }
    }

    #[test]
    fn a_failure_code_is_explained_by_its_own_provider_only() {
        assert_eq!(failure_text("zarinpal:-51"), Some(("zarinpal", "fail_51")));
        assert_eq!(
            failure_text("zarinpal:-33"),
            Some(("zarinpal", "fail_wages"))
        );
        assert_eq!(
            failure_text("mypos:rollback"),
            Some(("mypos", "fail_rollback"))
        );
        for unexplained in [
            "zarinpal:-1",
            "zarinpal:rollback",
            "paypal:cancelled",
            "mypos:-51",
            "kassa:unreachable",
            "nobody:-51",
            "-51",
        ] {
            assert_eq!(failure_text(unexplained), None, "{unexplained}");
        }
    }

    #[test]
    fn each_provider_s_test_environment_is_its_simulator_unless_set_apart() {
        let sandbox = crate::connectors::Sandbox::under("http://kassa.test/")
            .with(paypal::PROVIDER, "http://paypal.test/sandbox");
        assert_eq!(
            sandbox.url(&zarinpal::SPEC),
            "http://kassa.test/sim/zarinpal"
        );
        assert_eq!(sandbox.url(&payme::SPEC), "http://kassa.test/sim/payme/api");
        assert_eq!(sandbox.url(&paypal::SPEC), "http://paypal.test/sandbox");
    }
}
