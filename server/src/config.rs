//! Configuration from environment variables, with defaults for the embedded demo.

use std::net::SocketAddr;
use std::path::PathBuf;

use engine::secrets::{Secret, SecretKey};

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: Secret,
    /// Connections each server keeps to PostgreSQL at most (`KASSA_DB_MAX_CONNECTIONS`,
    /// default 16): servers sharing one database share its `max_connections` too.
    pub db_max_connections: Option<u32>,
    pub site_addr: SocketAddr,
    /// The address customers and providers reach Kassa at (return and callback URLs).
    pub public_url: String,
    /// The store `/openpay` serves.
    pub default_store: String,
    /// Serve the provider simulators and seed the demo stores and their owners. Off unless
    /// `KASSA_SANDBOX` turns it on (`make run` does): a production server is live by default.
    pub sandbox: bool,
    /// The providers' test environments for methods in test mode: each provider's simulator
    /// on this server, unless `KASSA_{PROVIDER}_SANDBOX_URL` (`KASSA_PAYPAL_SANDBOX_URL`)
    /// names another.
    pub test_environments: engine::connectors::Sandbox,
    /// Kassa's PayMe platform credentials: the client key names Kassa in partner calls, the
    /// secret only checks callback signatures. `None` (live mode without them): PayMe is not
    /// offered; in sandbox mode the simulator's are the default.
    pub payme_platform: Option<engine::connectors::payme::Platform>,
    /// Where merchants open a PayMe account registered through Kassa.
    pub payme_signup_url: Option<String>,
    /// Kassa runs behind a proxy that appends the client's address to `X-Forwarded-For`.
    pub trust_forwarded: bool,
    /// Sign-ups allowed from one client address in an hour.
    pub sign_ups_per_hour: i64,
    /// The key that seals provider credentials (`KASSA_SECRET_KEY`: 64 hex digits or base64).
    pub secret_key: Option<Secret>,
    /// Where the embedded default keeps its generated key file.
    pub data_dir: PathBuf,
    /// The SMTP server mail goes through (`KASSA_SMTP_URL`: `smtp://host:25`,
    /// `smtp://user:password@host:587?tls=required`, `smtps://user:password@host:465`).
    /// Without one, sandbox mode keeps mail in its mailbox (`/sim/mail`).
    pub smtp_url: Option<Secret>,
    /// The address mail is sent from (`KASSA_MAIL_FROM`), under each store's name; replies
    /// to the payer's receipt go to the store's notification address.
    pub mail_from: String,
}

impl Config {
    pub fn from_env(site_addr: SocketAddr) -> Config {
        Config::from_vars(site_addr, |name| std::env::var(name).ok())
    }

    /// The configuration from variables read by `get` (the environment, or a test's).
    pub fn from_vars(site_addr: SocketAddr, get: impl Fn(&str) -> Option<String>) -> Config {
        let var = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let public_url = var("KASSA_PUBLIC_URL").unwrap_or_else(|| format!("http://{site_addr}"));
        let public_url = public_url.trim_end_matches('/').to_owned();
        let flag =
            |name: &str, default: bool| var(name).map_or(default, |v| v != "0" && v != "false");
        let sandbox = flag("KASSA_SANDBOX", false);
        let payme_platform = match (
            var("KASSA_PAYME_CLIENT_KEY"),
            var("KASSA_PAYME_CLIENT_SECRET"),
        ) {
            (Some(client_key), Some(client_secret)) => Some(engine::connectors::payme::Platform {
                client_key,
                client_secret: Secret::new(client_secret),
            }),
            _ if sandbox => Some(crate::sim::payme::sandbox_platform()),
            _ => None,
        };
        Config {
            database_url: Secret::new(
                var("DATABASE_URL").unwrap_or_else(|| "sqlite://data/kassa.db?mode=rwc".into()),
            ),
            site_addr,
            default_store: var("KASSA_DEFAULT_STORE").unwrap_or_else(|| "demo".into()),
            sandbox,
            test_environments: engine::connectors::PROVIDERS.iter().fold(
                engine::connectors::Sandbox::under(&public_url),
                |environments, p| match var(&format!(
                    "KASSA_{}_SANDBOX_URL",
                    p.id.to_ascii_uppercase()
                )) {
                    Some(url) => environments.with(p.id, &url),
                    None => environments,
                },
            ),
            payme_platform,
            payme_signup_url: var("KASSA_PAYME_SIGNUP_URL")
                .or_else(|| sandbox.then(|| format!("{public_url}{}", crate::sim::payme::SIGNUP))),
            public_url,
            trust_forwarded: flag("KASSA_TRUST_FORWARDED", false),
            sign_ups_per_hour: var("KASSA_SIGN_UPS_PER_HOUR")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(10),
            db_max_connections: var("KASSA_DB_MAX_CONNECTIONS")
                .and_then(|v| v.trim().parse().ok())
                .filter(|n| *n > 0),
            secret_key: var("KASSA_SECRET_KEY").map(Secret::new),
            data_dir: var("KASSA_DATA_DIR")
                .unwrap_or_else(|| "data".into())
                .into(),
            smtp_url: var("KASSA_SMTP_URL").map(Secret::new),
            mail_from: var("KASSA_MAIL_FROM").unwrap_or_else(|| "kassa@localhost".into()),
        }
    }

    /// Where mail goes: the SMTP server, else in sandbox mode the sandbox's mailbox.
    pub fn postbox(&self, db: engine::db::Db) -> Result<engine::mail::Postbox, String> {
        let smtp_url = self.smtp_url.as_ref().map(|url| url.expose().as_str());
        engine::mail::Postbox::new(smtp_url, &self.mail_from, self.sandbox, db)
    }

    /// The key from `KASSA_SECRET_KEY`; without it, on SQLite, the key file in the data
    /// directory (created on first start). PostgreSQL needs the variable: every app server
    /// sharing the database must seal and open with the same key.
    pub fn load_secret_key(&self) -> Result<SecretKey, String> {
        match &self.secret_key {
            Some(text) => {
                SecretKey::parse(text.expose()).map_err(|e| format!("KASSA_SECRET_KEY: {e}"))
            }
            None if self.database_url.expose().starts_with("sqlite:") => {
                SecretKey::load_or_create(&self.data_dir.join("secret.key"))
                    .map_err(|e| e.to_string())
            }
            None => Err(
                "set KASSA_SECRET_KEY (32 random bytes as 64 hex digits, e.g. from \
                         `openssl rand -hex 32`): servers sharing PostgreSQL must share one key"
                    .into(),
            ),
        }
    }

    /// Kassa is served over https: every cookie gets `Secure`.
    pub fn https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printing_the_configuration_shows_no_secret() {
        let secrets = [
            ("DATABASE_URL", "postgres://kassa:db-password@db/kassa"),
            (
                "KASSA_SECRET_KEY",
                "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a",
            ),
            ("KASSA_SMTP_URL", "smtp://kassa:mail-password@mail:587"),
            ("KASSA_PAYME_CLIENT_KEY", "kassa-key"),
            ("KASSA_PAYME_CLIENT_SECRET", "payme-platform-secret"),
        ];
        let printed = format!("{:?}", config(&secrets));
        for secret in [
            "db-password",
            "5a5a5a5a",
            "mail-password",
            "payme-platform-secret",
        ] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
    }

    #[test]
    fn each_provider_s_test_environment_can_be_set_apart() {
        use engine::connectors::{paypal, zarinpal};
        let c = config(&[
            ("KASSA_PUBLIC_URL", "https://pay.example/"),
            ("KASSA_PAYPAL_SANDBOX_URL", "https://www.sandbox.paypal.com"),
        ]);
        let environments = &c.test_environments;
        assert_eq!(
            environments.url(&paypal::SPEC),
            "https://www.sandbox.paypal.com"
        );
        assert_eq!(
            environments.url(&zarinpal::SPEC),
            "https://pay.example/sim/zarinpal"
        );
    }

    fn config(vars: &[(&str, &str)]) -> Config {
        let addr = "127.0.0.1:3000".parse().unwrap();
        Config::from_vars(addr, |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn a_server_is_live_unless_told_otherwise() {
        let live = config(&[]);
        assert!(!live.sandbox);
        assert!(
            live.payme_platform.is_none(),
            "no simulator's secret in live mode"
        );
        assert!(live.payme_signup_url.is_none());
        assert!(!config(&[("KASSA_SANDBOX", "0")]).sandbox);
        let sandbox = config(&[("KASSA_SANDBOX", "1")]);
        assert!(sandbox.sandbox);
        assert_eq!(
            sandbox.payme_platform.unwrap().client_key,
            crate::sim::payme::SANDBOX_CLIENT_KEY
        );
        let own = config(&[
            ("KASSA_PAYME_CLIENT_KEY", "kassa-key"),
            ("KASSA_PAYME_CLIENT_SECRET", "kassa-secret"),
        ]);
        assert_eq!(own.payme_platform.unwrap().client_key, "kassa-key");
    }
}
