//! A refused back-office form comes back filled in: the server function keeps what was typed
//! (never a password) and the field errors in a short-lived cookie for the page it redirects
//! to, which reads it once. Nothing of it goes into the URL.

use engine::validation::FieldErrors;
use serde::{Deserialize, Serialize};

/// What a refused form sent, and what was wrong with it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Flash {
    pub values: Vec<(String, String)>,
    pub errors: String,
    /// A message for the whole form (`saved`, `wrong_credentials`…).
    pub notice: Option<String>,
}

impl Flash {
    pub fn value(&self, name: &str) -> Option<String> {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    pub fn errors(&self) -> FieldErrors {
        FieldErrors::decode(&self.errors)
    }

    #[cfg(feature = "ssr")]
    pub fn notice(notice: &str) -> Flash {
        Flash {
            notice: Some(notice.to_owned()),
            ..Flash::default()
        }
    }
}

#[cfg(feature = "ssr")]
const COOKIE: &str = "kassa_flash";

/// Sets the flash for the next back-office page.
#[cfg(feature = "ssr")]
pub fn put(flash: &Flash) {
    crate::cookies::set(&cookie(flash));
}

/// The `Set-Cookie` value that carries `flash` (for handlers outside Leptos).
#[cfg(feature = "ssr")]
pub fn cookie(flash: &Flash) -> String {
    let mut pairs = flash.values.clone();
    pairs.push(("err".into(), flash.errors.clone()));
    if let Some(notice) = &flash.notice {
        pairs.push(("notice".into(), notice.clone()));
    }
    let value = serde_urlencoded::to_string(pairs).unwrap_or_default();
    format!("{COOKIE}={value}; Path=/; Max-Age=120; HttpOnly; SameSite=Lax")
}

/// Reads the flash and clears it, so a reload shows a fresh form.
#[cfg(feature = "ssr")]
pub async fn take() -> Option<Flash> {
    let raw = crate::cookies::read(COOKIE).await?;
    crate::cookies::set(&format!(
        "{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
    ));
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(&raw).ok()?;
    let take = |pairs: &mut Vec<(String, String)>, key: &str| {
        let i = pairs.iter().position(|(k, _)| k == key)?;
        Some(pairs.remove(i).1)
    };
    let errors = take(&mut pairs, "err").unwrap_or_default();
    let notice = take(&mut pairs, "notice");
    Some(Flash {
        values: pairs,
        errors,
        notice,
    })
}
