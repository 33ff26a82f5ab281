//! Every language has every text of the English one, with the same placeholders: leptos_i18n
//! would otherwise only warn at build time and show English in the middle of a Greek page.

use std::collections::BTreeMap;
use std::path::Path;

fn texts(lang: &str) -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../app/locales/{lang}.json"));
    let raw = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&raw).unwrap_or_else(|e| panic!("{lang}.json: {e}"))
}

/// The names of the `{{ name }}` placeholders, sorted.
fn placeholders(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .split("{{")
        .skip(1)
        .filter_map(|rest| rest.split_once("}}"))
        .map(|(name, _)| name.trim().to_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn every_language_has_every_text_with_its_placeholders() {
    let english = texts("en");
    for lang in engine::validation::LANGUAGES {
        let other = texts(lang);
        let missing: Vec<&String> = english.keys().filter(|k| !other.contains_key(*k)).collect();
        let extra: Vec<&String> = other.keys().filter(|k| !english.contains_key(*k)).collect();
        assert!(missing.is_empty(), "{lang} lacks {missing:?}");
        assert!(extra.is_empty(), "{lang} has unknown {extra:?}");
        for (key, text) in &english {
            assert_eq!(
                placeholders(text),
                placeholders(&other[key]),
                "{lang}: {key} changes the placeholders"
            );
            assert!(!other[key].trim().is_empty(), "{lang}: {key} is empty");
        }
    }
}

/// Every provider in the registry has its texts in every language (`build.rs` refuses a key
/// without one): each setting's label and hint, its package's, the address to paste for one
/// posting every notification to `/notify/{id}`, and each failure code it explains.
#[test]
fn every_provider_has_the_texts_its_settings_and_messages_need() {
    use engine::connectors::{Notifications, PROVIDERS};
    let keys: Vec<(&str, &str)> = app::provider_texts::keys().collect();
    for p in PROVIDERS {
        let mut needed: Vec<String> = p
            .fields
            .iter()
            .flat_map(|s| [s.name.to_owned(), format!("{}_hint", s.name)])
            .collect();
        if p.package.is_some() {
            needed.extend(["package".to_owned(), "package_hint".to_owned()]);
        }
        if matches!(p.notifications, Notifications::Account { .. }) {
            needed.push("notify_url".to_owned());
        }
        if p.account.is_some() {
            needed.push("disconnect_hint".to_owned());
        }
        // Every code a provider has a text for: its documented ones are small numbers.
        needed.extend(
            (-100..=100)
                .map(|n| n.to_string())
                .chain(["rollback".to_owned()])
                .filter_map(|code| (p.failure_text)(&code).map(str::to_owned)),
        );
        for key in needed {
            assert!(
                keys.contains(&(p.id, key.as_str())),
                "{}: no text {key}",
                p.id
            );
        }
    }
    // And no file is of a provider Kassa does not have.
    for (provider, key) in keys {
        assert!(
            PROVIDERS.iter().any(|p| p.id == provider),
            "texts of an unknown provider {provider} ({key})"
        );
    }
}

#[test]
fn a_provider_text_is_in_the_page_language() {
    use app::i18n::Locale;
    use app::provider_texts::provider_text;
    assert_eq!(provider_text(Locale::en, "mypos", "sid"), Some("Store ID"));
    let persian = provider_text(Locale::fa, "zarinpal", "merchant_id").unwrap();
    assert_ne!(
        persian,
        provider_text(Locale::en, "zarinpal", "merchant_id").unwrap()
    );
    assert_eq!(provider_text(Locale::he, "mypos", "no_such_key"), None);
}
