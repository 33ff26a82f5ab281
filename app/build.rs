//! Generates the `i18n` module from `locales/*.json` (leptos_i18n), the same texts as tables
//! indexed by key (`crate::texts`), and the providers' texts from
//! `locales/providers/{provider}.json` (each key in every language).

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::error::Error;
use std::path::{Path, PathBuf};

/// The languages, in the order of the generated texts' columns (`crate::provider_texts`).
const LANGUAGES: [&str; 5] = ["en", "he", "fa", "el", "lv"];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    // `interpolate_display` lets `td_string!` fill placeholders ({{ store }}) into plain strings.
    let cfg = Config::new(LANGUAGES[0])?
        .add_locale(LANGUAGES[1])?
        .add_locale(LANGUAGES[2])?
        .add_locale(LANGUAGES[3])?
        .add_locale(LANGUAGES[4])?
        .parse_options(ParseOptions::new().interpolate_display(true));
    let translations = TranslationsInfos::parse(cfg)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(out.join("i18n"))?;
    texts(Path::new("locales"), &out.join("texts.rs"))?;
    provider_texts(
        Path::new("locales/providers"),
        &out.join("provider_texts.rs"),
    )
}

/// Writes `Key` (every key of `locales/{language}.json`, sorted: its discriminant is the key's
/// row), `VARIABLES` (each key's `{{ name }}`s, sorted) and `TEXTS` (each key's text in every
/// language, in `LANGUAGES`' order). A text is plain (no `<`: a back-office page carries its
/// texts in a `<script>` element, `crate::texts`). A key missing a language or empty in one, or whose
/// languages name different variables, fails the build (leptos_i18n would only warn, and show
/// English in the middle of a Greek page).
fn texts(dir: &Path, out: &Path) -> Result<(), Box<dyn Error>> {
    let mut rows = std::collections::BTreeMap::<String, (Vec<String>, Vec<String>)>::new();
    for (column, language) in LANGUAGES.into_iter().enumerate() {
        let path = dir.join(format!("{language}.json"));
        let texts: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(&path)?)?;
        if column > 0 && texts.len() != rows.len() {
            return Err(format!(
                "{}: {} keys, not {}",
                path.display(),
                texts.len(),
                rows.len()
            )
            .into());
        }
        for (key, text) in texts {
            let text = text
                .as_str()
                .filter(|t| !t.trim().is_empty() && !t.contains('<'))
                .ok_or_else(|| format!("{}: {key} is not a text", path.display()))?;
            let row = rows.entry(key.clone()).or_default();
            if row.0.len() != column {
                return Err(format!("{}: {key} is not in {}", path.display(), LANGUAGES[0]).into());
            }
            let names = variables(text);
            if column > 0 && names != row.1 {
                return Err(
                    format!("{}: {key} names {names:?}, not {:?}", path.display(), row.1).into(),
                );
            }
            row.0.push(format!("{text:?}"));
            row.1 = names;
        }
    }
    let keys: String = rows.keys().map(|key| format!("    {key},\n")).collect();
    let variables: String = rows
        .values()
        .map(|(_, names)| {
            format!(
                "    &[{}],\n",
                names
                    .iter()
                    .map(|n| format!("{n:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    let texts: String = rows
        .values()
        .map(|(texts, _)| format!("    [{}],\n", texts.join(", ")))
        .collect();
    let count = rows.len();
    std::fs::write(
        out,
        format!(
            "#[allow(non_camel_case_types)]\n#[derive(Clone, Copy, Debug, PartialEq, Eq)]\n#[repr(u16)]\npub enum Key {{\n{keys}}}\n\n\
             pub const COUNT: usize = {count};\n\n\
             pub const VARIABLES: [&[&str]; COUNT] = [\n{variables}];\n\n\
             #[cfg(not(feature = \"hydrate\"))]\npub static TEXTS: [[&str; 5]; COUNT] = [\n{texts}];\n"
        ),
    )?;
    Ok(())
}

/// The names of `text`'s `{{ name }}`s, sorted, once each.
fn variables(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .split("{{")
        .skip(1)
        .filter_map(|rest| rest.split_once("}}"))
        .map(|(name, _)| name.trim().to_owned())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Writes `TEXTS: &[(provider, key, [text; 5])]`, sorted by provider and key. A key missing
/// a language fails the build.
fn provider_texts(dir: &Path, out: &Path) -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed={}", dir.display());
    let mut rows = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        println!("cargo::rerun-if-changed={}", path.display());
        let provider = path
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or("a provider's texts file is named by its id")?
            .to_owned();
        let texts: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(&path)?)?;
        for (key, by_language) in texts {
            let mut column = Vec::new();
            for language in LANGUAGES {
                let text = by_language
                    .get(language)
                    .and_then(|t| t.as_str())
                    .ok_or_else(|| format!("{}: {key} has no {language} text", path.display()))?;
                column.push(format!("{text:?}"));
            }
            rows.push((provider.clone(), key, column.join(", ")));
        }
    }
    rows.sort();
    let body: String = rows
        .iter()
        .map(|(provider, key, texts)| format!("    ({provider:?}, {key:?}, [{texts}]),\n"))
        .collect();
    std::fs::write(
        out,
        format!("pub static TEXTS: &[(&str, &str, [&str; 5])] = &[\n{body}];\n"),
    )?;
    Ok(())
}
