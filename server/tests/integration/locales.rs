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
