//! The providers' own texts, one file each (`locales/providers/{provider}.json`, every key in
//! every language): their settings' labels (`{setting}`) and hints (`{setting}_hint`), the
//! label of the address to paste into their settings (`notify_url`), their configuration
//! package (`package`), and what their failure codes mean (the keys their
//! `Provider::failure_text` names). Looked up by key because each provider declares its own
//! settings (`engine::connectors::registry`); `build.rs` checks every language is there.

use crate::i18n::Locale;

mod generated {
    include!(concat!(env!("OUT_DIR"), "/provider_texts.rs"));
}

/// `provider`'s text `key` in `locale`'s language.
pub fn provider_text(locale: Locale, provider: &str, key: &str) -> Option<&'static str> {
    let row = generated::TEXTS
        .binary_search_by(|(p, k, _)| (*p, *k).cmp(&(provider, key)))
        .ok()?;
    Some(generated::TEXTS[row].2[crate::texts::column(locale)])
}

/// Every text of `provider` in `locale`'s language, with its key.
#[cfg(feature = "ssr")]
pub fn texts_of(
    locale: Locale,
    provider: &str,
) -> impl Iterator<Item = (&'static str, &'static str)> {
    let column = crate::texts::column(locale);
    generated::TEXTS
        .iter()
        .filter(move |(p, _, _)| *p == provider)
        .map(move |(_, key, texts)| (*key, texts[column]))
}

/// The providers and keys that have texts, for checking them against the registry.
pub fn keys() -> impl Iterator<Item = (&'static str, &'static str)> {
    generated::TEXTS.iter().map(|(p, k, _)| (*p, *k))
}
